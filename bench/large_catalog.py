"""Large user catalogs: each figure against its baseline, in one run.

    python bench/large_catalog.py [--runs 3] [--baseline-src DIR] [--baseline-runs 1]

Generates catalogs of fine-tunes under bench/out/ (each names a bundled model as its base and
inherits its family, parameters, architecture, context and languages, as the schema allows;
its own id, name, repo, licence terms and source; about 570 bytes of JSON an entry), then runs
each command in a fresh process with an empty cache and compiled bytecode (cached outside the
source trees), alternating with the baseline when one is given:

- `recommend --catalog FILE --vram 24 --commercial --format json` on 2,000 and 20,000 models
  (JSON): the cost of each extra model (target <= 50 us);
- the same on 20,000 models as YAML, against libyaml alone parsing that file
  (yaml.load with CSafeLoader, text in memory, llm-pick's collector thresholds; target
  <= 1.25x);
- `list` and that `recommend` on 100,000 models (JSON): targets 5 s and 8 s, under 1 GiB.

CPU time (user + system) decides the targets: on a shared machine wall time mostly measures
the other processes; it is printed too. `--baseline-src DIR` runs DIR/src's llm_pick (for
example `git archive main | tar -x -C DIR`) with this interpreter, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
VERSION = 2  # of the generated entries (files of another version are made again)
PARSE = (
    "import gc, sys, yaml\n"
    "gc.set_threshold(100_000, 50, 100)\n"
    "yaml.load(open(sys.argv[1], encoding='utf-8').read(), Loader=yaml.CSafeLoader)\n"
)
WRAPPER = (  # one child: its wall time, CPU time and peak memory
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "wall = time.perf_counter() - t\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(wall, use.ru_utime + use.ru_stime, use.ru_maxrss, done.returncode)\n"
)
QUERY = ["recommend", "--vram", "24", "--commercial", "--format", "json"]


def entries(count: int) -> dict[str, object]:
    """`count` fine-tunes of the bundled models, in turn."""
    from llm_pick.catalog.load import load_catalog

    models = []
    bases = list(load_catalog())
    for i in range(count):
        base = bases[i % len(bases)]
        lic = base.license
        licence: dict[str, object] = {
            "id": lic.id,
            "name": lic.name,
            "url": lic.url,
            "commercial_use": lic.commercial_use,
        }
        if lic.commercial_use != "allowed" or lic.conditions:
            licence["conditions"] = f"the terms of {lic.name} (see its url), as for {base.id}"
        models.append(
            {
                "id": f"{base.id}-ft-{i}",
                "name": f"{base.name} fine-tune {i}",
                "organization": "synthetic benchmark",
                "variant": "fine-tune",
                "base_model": base.id,
                "hf_repo": f"example/{base.id}-ft-{i}",
                "license": licence,
                "sources": [f"synthetic benchmark entry {i}"],
            }
        )
    return {"schema_version": 1, "models": models}


def catalog(count: int, suffix: str) -> Path:
    import yaml

    path = OUT / f"finetunes-v{VERSION}-{count}.{suffix}"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        document = entries(count)
        if suffix == "json":
            path.write_text(json.dumps(document))
        else:
            path.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False))
    return path


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MiB) of one run in a fresh process and an empty cache."""
    with tempfile.TemporaryDirectory() as cache:
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, *argv],
            env={**env, "XDG_CACHE_HOME": cache},
            capture_output=True,
            text=True,
            check=True,
        )
    wall, cpu, rss, code = done.stdout.split()
    if int(code) not in (0, 3):
        raise SystemExit(f"{' '.join(argv)} failed with exit code {code}")
    return float(wall), float(cpu), int(rss) / 1024


def environment(src: Path | None, pycache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LLM_PICK_CATALOG", "PYTHONPATH")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once, then read from the cache
    env["PYTHONPYCACHEPREFIX"] = pycache
    if src is not None:
        env["PYTHONPATH"] = str(src / "src")
    return env


def main() -> int:  # noqa: C901 (one report: every figure and its verdict)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-src", type=Path, default=None)
    parser.add_argument("--baseline-runs", type=int, default=1)
    args = parser.parse_args()
    from llm_pick.catalog.load import MAX_FILE_BYTES, MAX_YAML_BYTES

    files = {
        "json 2k": catalog(2_000, "json"),
        "json 20k": catalog(20_000, "json"),
        "yaml 20k": catalog(20_000, "yaml"),
        "json 100k": catalog(100_000, "json"),
    }
    for name, path in files.items():
        cap = MAX_YAML_BYTES if name.startswith("yaml") else MAX_FILE_BYTES
        size = path.stat().st_size
        print(f"{name}: {path.name}, {size / 2**20:.1f} MiB (cap {cap >> 20} MiB)")
        if size > cap:
            raise SystemExit(f"{path} is above the input cap")
    llm = [sys.executable, "-m", "llm_pick"]
    commands = {
        "recommend, JSON 2,000": [*llm, *QUERY, "--catalog", str(files["json 2k"])],
        "recommend, JSON 20,000": [*llm, *QUERY, "--catalog", str(files["json 20k"])],
        "recommend, YAML 20,000": [*llm, *QUERY, "--catalog", str(files["yaml 20k"])],
        "list, JSON 100,000": [*llm, "list", "--catalog", str(files["json 100k"])],
        "recommend, JSON 100,000": [*llm, *QUERY, "--catalog", str(files["json 100k"])],
    }
    with tempfile.TemporaryDirectory() as pycache:
        sides = {"this tree": (environment(None, pycache), args.runs)}
        if args.baseline_src is not None:
            sides["baseline"] = (environment(args.baseline_src, pycache), args.baseline_runs)
        plain = environment(None, pycache)
        for env, _ in sides.values():  # compile once (the cache is then warm for every run)
            subprocess.run([*llm, "--version"], env=env, capture_output=True, check=False)
        found: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
        parse = [measure([sys.executable, "-c", PARSE, str(files["yaml 20k"])], plain)]
        for label, argv in commands.items():
            for turn in range(max(runs for _, runs in sides.values())):
                for side, (env, runs) in sides.items():  # alternating
                    if turn < runs:
                        found.setdefault((label, side), []).append(measure(argv, env))
            parse.append(measure([sys.executable, "-c", PARSE, str(files["yaml 20k"])], plain))

    def med(label: str, side: str, index: int) -> float:
        return statistics.median(run[index] for run in found[(label, side)])

    print(f"\n{'measurement':32s} {'side':10s} {'CPU s':>7s} {'wall s':>7s} {'peak MiB':>9s}")
    for label in commands:
        for side in sides:
            peak = max(run[2] for run in found[(label, side)])
            print(
                f"{label:32s} {side:10s} {med(label, side, 1):7.2f} {med(label, side, 0):7.2f} "
                f"{peak:9.0f}"
            )
    libyaml = statistics.median(cpu for _, cpu, _ in parse)
    print(f"{'libyaml parse, YAML 20,000':32s} {'':10s} {libyaml:7.2f}")
    print()
    failed = False
    for side in sides:
        small, large = med("recommend, JSON 2,000", side, 1), med("recommend, JSON 20,000", side, 1)
        per_model = (large - small) / 18_000 * 1e6
        ratio = med("recommend, YAML 20,000", side, 1) / libyaml
        verdicts = [
            ("JSON, each model beyond 2,000", per_model, 50.0, "us"),
            ("YAML 20,000 / libyaml parse", ratio, 1.25, "x"),
            ("list, 100,000 models", med("list, JSON 100,000", side, 1), 5.0, "s"),
            ("recommend, 100,000 models", med("recommend, JSON 100,000", side, 1), 8.0, "s"),
        ]
        peak = max(run[2] for (label, who), runs in found.items() if who == side for run in runs)
        verdicts.append(("peak memory of any run", peak, 1024.0, "MiB"))
        for name, value, target, unit in verdicts:
            met = value <= target
            if side == "this tree":
                failed |= not met
            print(
                f"{side:10s} {name:32s} {value:9.2f} {unit:3s} (target <= {target:g} {unit}: "
                f"{'met' if met else 'MISSED'})"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
