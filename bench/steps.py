"""Where the start-up time of `recommend` goes, step by step, in process (CPU time).

    python bench/steps.py --python /tmp/venv/bin/python [--runs 7] [--json] [--double DIR]

Run it with the interpreter of a non-editable install (bench/startup.py explains why: an
editable checkout compiles every module on each run here). Each run is a fresh process that
imports the CLI, then the modules `recommend` uses, then runs the command with its steps
wrapped in timers (`time.process_time`); medians of the runs are printed in milliseconds.
--double DIR puts DIR (a copy of the package with a doubled catalog, see bench/startup.py)
first on PYTHONPATH.
"""

from __future__ import annotations

import time

START = time.process_time()  # before anything this script imports

import os  # noqa: E402 (after the clock: os and sys are loaded by python's start anyway)
import sys  # noqa: E402
from typing import Any  # noqa: E402

STEPS = [
    ("interpreter", "python's own start, up to the first line of this script"),
    ("import cli", "typer and cli.app (the perf23fast branch takes typer off this path)"),
    ("import library", "the modules recommend uses: catalog, estimate, ranking, reports"),
    ("options to Query", "cli.parse.build_query: profiles, hardware, sizing"),
    ("catalog", "load_checked: the bundled catalog read and built, names checked"),
    ("recommendation", "ranking.pipeline.recommend"),
    ("report", "reports.recommend.recommend_report (data only)"),
    ("output", "cli.output.emit: rich imported and the table drawn, or the JSON written"),
    ("rest", "typer's parse and everything not above"),
]


def _child(argv: list[str]) -> None:
    spent: dict[str, float] = {"interpreter": START}
    now = time.process_time()

    def lap(name: str) -> None:
        nonlocal now
        spent[name] = time.process_time() - now
        now = time.process_time()

    import llm_pick.cli.entry as entry

    lap("import cli")
    import llm_pick.cli.app as app
    import llm_pick.cli.names as names
    import llm_pick.cli.parse as parse
    import llm_pick.ranking.pipeline as pipeline
    import llm_pick.reports.recommend as report

    lap("import library")

    def timed(name: str, func: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - start

        return wrapper

    parse.build_query = timed("options to Query", parse.build_query)
    names.load_checked = timed("catalog", names.load_checked)
    pipeline.recommend = timed("recommendation", pipeline.recommend)
    report.recommend_report = timed("report", report.recommend_report)
    app.emit = timed("output", app.emit)  # type: ignore[attr-defined]
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (the command writes to stdout)
    try:
        entry.app_for(argv)(argv, standalone_mode=False)
    finally:
        sys.stdout.close()
        sys.stdout = out
    total = time.process_time()
    spent["rest"] = total - sum(spent.values())
    spent["total"] = total
    import json

    print(json.dumps(spent))


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2:])
        return 0
    import argparse
    import json
    import statistics
    import subprocess

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="recommend ... --format json")
    parser.add_argument("--double", help="a folder holding a doubled-catalog copy of the package")
    args = parser.parse_args()
    command = ["recommend", "--vram", "24", "--commercial"]
    if args.json:
        command += ["--format", "json"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LLM_PICK_CATALOG")}
    if args.double:
        env["PYTHONPATH"] = args.double
    runs: list[dict[str, float]] = []
    for _ in range(args.runs):
        done = subprocess.run(
            [args.python, __file__, "--child", *command],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"llm-pick {' '.join(command)}: CPU ms, medians of {args.runs} runs")
    for name, what in [*STEPS, ("total", "")]:
        median = statistics.median(run[name] for run in runs) * 1000
        print(f"  {name:18s} {median:7.1f}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
