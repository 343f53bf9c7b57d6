"""Where the start-up of `recommend --vram 24 --commercial` goes, step by step, as the console
entry's fast path runs it: in-process CPU time (time.process_time) around each step, medians
of fresh processes.

    python bench/startup_split.py --python PY [--runs 7]

PY is the interpreter of a non-editable install with compiled bytecode (bench/startup.py
builds one; this environment sets PYTHONDONTWRITEBYTECODE, so an editable checkout compiles
every module on each run). Each run is a fresh `PY bench/startup_split.py --child FORMAT`.
"""

from __future__ import annotations

import sys
import time

# Only sys and time are imported here: a child run measures the imports the CLI makes.
ARGV = ["recommend", "--vram", "24", "--commercial"]


def child(fmt: str) -> dict[str, float]:
    """One run's steps (ms), in this process; the imports are the point."""
    steps: dict[str, float] = {}
    last = time.process_time()

    def mark(name: str) -> None:
        nonlocal last
        now = time.process_time()
        steps[name] = (now - last) * 1000
        last = now

    from llm_pick.cli import commands, fastpath, guard  # noqa: F401

    mark("import the fast path, the boundary and the bodies")
    name, words, _ = fastpath._prepare([*ARGV, "--format", fmt])
    from llm_pick.cli.formats import with_format

    values = fastpath.parse(fastpath._command(name), with_format(words)[1:])
    mark("read the spec, parse argv")
    from llm_pick.cli.names import load_checked
    from llm_pick.cli.parse import build_query
    from llm_pick.ranking import pipeline
    from llm_pick.reports.recommend import recommend_report

    mark("import the pipeline and report modules")
    wanted = build_query(**values["query"], top=values["top"])
    mark("options to a Query (profiles, calibration, hardware)")
    models, wanted = load_checked(None, wanted)
    mark("the bundled catalog")
    result = pipeline.recommend(models, wanted)
    mark("the recommendation")
    report = recommend_report(result, models, False, None)
    mark("the report")
    import io

    from llm_pick.cli.output import emit

    real, sys.stdout = sys.stdout, io.StringIO()
    try:
        emit(report, values["fmt"], None, [])
    finally:
        sys.stdout = real
    mark(f"render and write ({fmt})")
    return steps


def main() -> int:
    import argparse
    import json
    import os
    import statistics
    import subprocess
    from pathlib import Path

    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2])))  # json after the steps are measured
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", help="interpreter of a non-editable install")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not args.python:
        parser.error("--python PY is needed (see bench/startup.py for a wheel install)")
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    }
    for fmt in ("table", "json"):
        runs = []
        for _ in range(args.runs):
            done = subprocess.run(
                [args.python, str(Path(__file__).resolve()), "--child", fmt],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            runs.append(json.loads(done.stdout))
        print(f"\n{' '.join(ARGV)} --format {fmt}: CPU ms, median of {args.runs} runs")
        total = 0.0
        for step in runs[0]:
            median = statistics.median(run[step] for run in runs)
            total += median
            print(f"{median:8.1f}  {step}")
        print(f"{total:8.1f}  total (after the interpreter's own start)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
