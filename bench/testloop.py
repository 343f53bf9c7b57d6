"""The test suite's fast loop against its target and a baseline, in one run.

    python bench/testloop.py [--runs 1] [--before REF] [-- PYTEST-ARGS...]

Runs the fast loop (`python -m pytest -m "not slow" -n auto`, CONTRIBUTING.md: pytest-xdist,
one worker per core) in a child process and prints its wall time, CPU time (user + system of
it and its children) and test count against the target (wall time <= 30 s, issue 23).
Beside it, in the same run and alternating with it:

- `python -c pass`, 20 times: the machine's speed at that moment (on a shared machine the
  loop's wall time moves with the load; the load average is printed too);
- with `--before REF`, the fast loop of commit REF as it was documented before xdist
  (`python -m pytest -m "not slow"`, one process; `git archive REF`, run from a temporary
  folder with its own `src` first on the path, this interpreter and packages); with
  `--before-xdist` too, REF's loop runs as this tree's does (`-n auto`);
- with `--serial`, this tree's loop in one process too (its CPU time compares with REF's).

Exits 1 when the loop of this tree misses the target. Arguments after `--` go to pytest
(for example `-- -p no:randomly`).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 30.0  # seconds of wall time (issue 23)
WRAPPER = (  # one child: its wall time and CPU time, and what it printed last
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[2:], cwd=sys.argv[1], capture_output=True, text=True)\n"
    "wall = time.perf_counter() - t\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "tail = (done.stdout.strip().splitlines() or [''])[-1]\n"
    "print(wall, use.ru_utime + use.ru_stime, done.returncode, tail, sep='\\t')\n"
)


def measure(folder: Path, argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall s, CPU s, pytest's summary line) of one run of `argv` in `folder`."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(folder), *argv],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu, code, tail = done.stdout.rstrip("\n").split("\t")
    if argv[0] == sys.executable and argv[1:3] == ["-m", "pytest"] and code != "0":
        raise SystemExit(f"the fast loop failed in {folder} (exit {code}): {tail}")
    return float(wall), float(cpu), tail


def bare(env: dict[str, str], count: int = 20) -> tuple[float, float]:
    """(wall s, CPU s) of one `python -c pass`, the median of `count`."""
    runs = [measure(ROOT, [sys.executable, "-c", "pass"], env)[:2] for _ in range(count)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--before", metavar="REF", default=None)
    parser.add_argument("--serial", action="store_true")
    parser.add_argument("--before-xdist", action="store_true")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    serial = [sys.executable, "-m", "pytest", "-m", "not slow", *args.pytest_args]
    loop = [*serial, "-n", "auto"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LLM_PICK_PROPERTIES")}
    with tempfile.TemporaryDirectory() as old:
        sides = {"this tree": (ROOT, env, loop)}
        if args.serial:
            sides["this tree, one process"] = (ROOT, env, serial)
        if args.before:
            archive = subprocess.run(
                ["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
            before_env = {**env, "PYTHONPATH": f"{old}/src"}
            sides[f"before ({args.before})"] = (
                Path(old),
                before_env,
                loop if args.before_xdist else serial,
            )
        found: dict[str, list[tuple[float, float, str]]] = {side: [] for side in sides}
        bares = [bare(env)]
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for _ in range(args.runs):
            for side, (folder, side_env, argv) in sides.items():  # alternating
                found[side].append(measure(folder, argv, side_env))
                print(f"  {side}: {found[side][-1][0]:.1f} s wall, {found[side][-1][1]:.1f} s CPU")
            bares.append(bare(env))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    pass_wall = statistics.median(b[0] for b in bares)
    pass_cpu = statistics.median(b[1] for b in bares)
    print(f"\n{'side':24s} {'wall s':>7s} {'CPU s':>7s} {'wall/pass':>10s}  pytest")
    for side, runs in found.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"{side:24s} {wall:7.1f} {cpu:7.1f} {wall / pass_wall:9.0f}x  {runs[-1][2]}")
    print(f"{'python -c pass':24s} {pass_wall * 1000:5.1f}ms {pass_cpu * 1000:5.1f}ms")
    wall = statistics.median(r[0] for r in found["this tree"])
    counted = re.search(r"(\d+) passed", found["this tree"][-1][2])
    met = wall <= TARGET
    print(
        f"\nfast loop of this tree: {wall:.1f} s wall for {counted.group(1) if counted else '?'} "
        f"tests (target <= {TARGET:g} s: {'met' if met else 'MISSED'})"
    )
    return 0 if met else 1


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
    sys.exit(code)
