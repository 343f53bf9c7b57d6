"""Start-up cost of the CLI, as a ratio to a bare interpreter measured in the same run.

    python bench/startup.py [--runs 15]

Runs each command in a fresh process (the installed `llm-pick` next to this interpreter),
after one warm-up run that fills the parsed-catalog cache, and prints the median wall time
and its ratio to `python -c pass`. Targets (issue 5): recommend <= 12x, --help faster still.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"recommend --vram 24 --commercial": 12.0}


def median_seconds(argv: list[str], runs: int, env: dict[str, str]) -> float:
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    exe = Path(sys.executable).parent / "llm-pick"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        env.pop("LLM_PICK_CATALOG", None)
        base = median_seconds([sys.executable, "-c", "pass"], args.runs, env)
        print(f"{'command':44s} {'median ms':>10s} {'x python -c pass':>17s}")
        print(f"{'python -c pass':44s} {base * 1000:10.1f} {1.0:17.1f}")
        failed = False
        for command in [
            "--help",
            "--version",
            "recommend --vram 24 --commercial",
            "recommend --vram 24 --commercial --format json",
            "memory llama-3-8b --quant q4_k_m --format json",
            "list --format json",
        ]:
            seconds = median_seconds([str(exe), *command.split()], args.runs, env)
            ratio = seconds / base
            target = TARGETS.get(command)
            mark = (
                ""
                if target is None
                else (f"  (target <= {target:g}x: {'met' if ratio <= target else 'MISSED'})")
            )
            failed |= target is not None and ratio > target
            print(f"{'llm-pick ' + command:44s} {seconds * 1000:10.1f} {ratio:17.1f}{mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
