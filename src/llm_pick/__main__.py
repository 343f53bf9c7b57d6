from llm_pick.cli.app import main

main()
