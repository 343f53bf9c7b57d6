"""Start-up cost of the CLI as a user installs it, as CPU time against a bare interpreter.

    python bench/startup.py [--runs 15] [--python PY] [--before REF] [--no-double]

Builds a wheel of this checkout and installs it (non-editable, byte-compiled, as pip gives it)
in a temporary venv, unless --python names the interpreter of an existing install. Each
command runs in a fresh process, ALTERNATING with a run of `python -c pass` (the same
interpreter), after one warm-up run; the CPU time of a run is its user+sys time
(getrusage(RUSAGE_CHILDREN) deltas). Medians are printed with their ratio to the baseline,
and wall time beside them. Exit 1 when a target is missed.

The bundled catalog's size must not drive start-up: the same commands run again with a copy of
the installed package whose compiled catalog holds every model twice (the copies under other
ids), put first on PYTHONPATH for those runs only. --before REF (a git ref of this repository,
e.g. 9a81ccc) also installs that version and measures it in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = "recommend --vram 24 --commercial"
TARGETS = {"--help": 7.0, TABLE: 10.0, TABLE + " --format json": 8.0}
COMMANDS = [
    "--help",
    "--version",
    TABLE,
    TABLE + " --format json",
    "memory llama-3-8b --quant q4_k_m --format json",
    "list --format json",
]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


class Timing:
    def __init__(self) -> None:
        self.cpu: list[float] = []
        self.wall: list[float] = []

    def add(self, sample: tuple[float, float]) -> None:
        self.cpu.append(sample[0])
        self.wall.append(sample[1])


def measure(argv: list[str], python: str, runs: int, env: dict[str, str]) -> tuple[Timing, Timing]:
    """The command and `python -c pass`, alternating, after one warm-up of each."""
    base = [python, "-c", "pass"]
    run_once(argv, env)
    run_once(base, env)
    command, baseline = Timing(), Timing()
    for _ in range(runs):
        command.add(run_once(argv, env))
        baseline.add(run_once(base, env))
    return command, baseline


def _clean_env(cache: str) -> dict[str, str]:
    env = {**os.environ, "XDG_CACHE_HOME": cache, "XDG_CONFIG_HOME": cache}
    for name in ("LLM_PICK_CATALOG", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def _sh(argv: list[str], **kwargs: object) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if done.returncode:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")


def build_wheel(source: Path, out: Path) -> Path:
    """A wheel of the project at `source` (hatchling, no network)."""
    _sh(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ]
    )
    return next(out.glob("llm_pick-*.whl"))


def install(wheel: Path, venv: Path) -> str:
    """A venv with the wheel and its dependencies (pip), everything byte-compiled."""
    _sh([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    _sh([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)])
    return python


def install_target(wheel: Path, target: Path) -> None:
    """The package alone (no dependencies) in `target`, for PYTHONPATH."""
    _sh(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(wheel),
        ]
    )


def compile_all(python: str, *folders: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = "import site, sys; print('\\n'.join(site.getsitepackages()))"
    found = subprocess.run(
        [python, "-c", code], check=True, capture_output=True, text=True, env=env
    )
    for folder in [*found.stdout.split(), *map(str, folders)]:
        _sh([python, "-m", "compileall", "-q", "-j", "0", folder], env=env)


def package_dir(python: str) -> Path:
    code = "import llm_pick, os; print(os.path.dirname(llm_pick.__file__))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    found = subprocess.run(
        [python, "-c", code], check=True, capture_output=True, text=True, env=env
    )
    return Path(found.stdout.strip())


def doubled_copy(package: Path, target: Path) -> int:
    """A copy of the installed package in `target` whose compiled catalog holds every model
    twice (the copy's ids end in -x2, lineage kept within the copies); the number of models."""
    sys.path.insert(0, str(ROOT / "tools"))
    from compile_data import double  # the bench only: users never get a doubled catalog

    copy = target / "llm_pick"
    shutil.copytree(package, copy)
    return double(copy / "catalog")


LAUNCHER = """import re
import sys
try:
    from llm_pick.__main__ import entry
except ImportError:  # a version from before entry(): its console script named main
    from llm_pick.__main__ import main as entry
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit(entry())
"""


def launcher(python: str, folder: Path) -> str:
    """The console script pip writes, for every install measured: the one in the venv names
    this version's entry, which an install put first on PYTHONPATH (--before, the doubled
    copy) may not have."""
    path = folder / "llm-pick"
    path.write_text(f"#!{python}\n{LAUNCHER}", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def print_rows(label: str, rows: list[tuple[str, Timing, Timing]]) -> bool:
    """The table of one install; True when a target was missed."""
    print(f"\n{label}")
    head = f"{'command':58s} {'cpu ms':>8s} {'base ms':>8s} {'x base':>7s} {'wall ms':>8s}"
    print(head)
    missed = False
    for command, timing, base in rows:
        cpu, base_cpu = statistics.median(timing.cpu), statistics.median(base.cpu)
        ratio = cpu / base_cpu
        target = TARGETS.get(command)
        mark = ""
        if target is not None:
            met = ratio <= target
            missed |= not met
            mark = f"  target <= {target:g}x: {'met' if met else 'MISSED'}"
        print(
            f"{'llm-pick ' + command:58s} {cpu * 1000:8.1f} {base_cpu * 1000:8.1f} "
            f"{ratio:7.2f} {statistics.median(timing.wall) * 1000:8.1f}{mark}"
        )
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--python", help="interpreter of an existing non-editable install")
    parser.add_argument("--before", help="a git ref to install and measure in the same run")
    parser.add_argument("--no-double", action="store_true", help="skip the doubled catalog")
    parser.add_argument(
        "--command", action="append", help="only this command (repeatable): --command=--help"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = _clean_env(str(tmp / "home"))
        python = args.python
        if python is None:
            print("building and installing a wheel of this checkout ...", flush=True)
            python = install(build_wheel(ROOT, tmp / "dist"), tmp / "venv")
        label = "this checkout (installed)" if args.python is None else f"installed: {python}"
        installs: list[tuple[str, dict[str, str]]] = [(label, env)]
        extra: list[Path] = []
        if not args.no_double:
            count = doubled_copy(package_dir(python), tmp / "doubled")
            installs.append(
                (
                    f"doubled bundled catalog ({count} models)",
                    {**env, "PYTHONPATH": str(tmp / "doubled")},
                )
            )
            extra.append(tmp / "doubled")
        if args.before:
            print(f"building and installing {args.before} ...", flush=True)
            source = tmp / "before-src"
            source.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.before], check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
            install_target(build_wheel(source, tmp / "before-dist"), tmp / "before")
            installs.append((f"before: {args.before}", {**env, "PYTHONPATH": str(tmp / "before")}))
            extra.append(tmp / "before")
        compile_all(python, *extra)
        exe = launcher(python, tmp)
        commands = args.command or COMMANDS
        results: dict[str, list[tuple[str, Timing, Timing]]] = {label: [] for label, _ in installs}
        for command in commands:  # each command on every install before the next command
            for label, install_env in installs:
                timing, base = measure([exe, *command.split()], python, args.runs, install_env)
                results[label].append((command, timing, base))
        print(
            f"CPU time (user+sys), medians of {args.runs} runs alternating with "
            f"`python -c pass`; python: {python}"
        )
        missed = False
        for index, (label, _) in enumerate(installs):
            failed = print_rows(label, results[label])
            missed |= failed and index < (1 if args.no_double else 2)  # before: no targets
        print(json.dumps({"targets_met": not missed}))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
