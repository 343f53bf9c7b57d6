"""Validate the bundled data files (data/*.yaml) and write src/llm_pick/catalog/compiled.json,
which the package reads instead of parsing YAML at run time.

    python tools/compile_data.py          # rewrite compiled.json
    python tools/compile_data.py --check  # exit 1 when it is stale

tests/test_compiled.py fails when compiled.json does not match data/*.yaml.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from llm_pick.catalog import compiled  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args()
    text = compiled.dumps(compiled.compile_files(ROOT / "data"))
    if args.check:
        current = compiled.COMPILED.read_text(encoding="utf-8")
        if current != text:
            print(f"{compiled.COMPILED} is stale: run python tools/compile_data.py")
            return 1
        print(f"{compiled.COMPILED} is current")
        return 0
    compiled.COMPILED.write_text(text, encoding="utf-8")
    print(f"wrote {compiled.COMPILED} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
