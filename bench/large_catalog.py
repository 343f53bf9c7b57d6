"""Large user catalogs: recommend's cost against the cost of parsing the file.

    python bench/large_catalog.py [--sizes 2000 20000] [--runs 3]

Generates synthetic catalogs (variants of the bundled models: other ids, layer counts and
parameter counts, same licences and lineage) as YAML and JSON under bench/out/, then, in
fresh processes with an empty cache, measures:

- libyaml alone parsing the YAML file (yaml.load with CSafeLoader): the baseline;
- `llm-pick recommend --catalog FILE --vram 24 --commercial --format json` on it;
- the same on the JSON file, for two sizes: the cost each extra model adds;
- peak memory (max RSS) of each run.

Targets (issue 5): YAML recommend <= 1.25x the libyaml parse; JSON <= 50 us per extra model;
peak memory < 1 GiB; costs linear in the catalog size.
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

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PARSE = (  # the plain way: a file object, default garbage-collector settings
    "import sys, yaml\nyaml.load(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader)\n"
)
PARSE_TUNED = (  # the fastest plain parse: text in memory, llm-pick's collector thresholds
    "import gc, sys, yaml\n"
    "gc.set_threshold(100_000, 50, 100)\n"
    "yaml.load(open(sys.argv[1], encoding='utf-8').read(), Loader=yaml.CSafeLoader)\n"
)


def synthetic(count: int) -> dict[str, object]:
    from llm_pick.catalog.load import load_catalog
    from llm_pick.estimate.tensors import parameter_count
    from llm_pick.reports.catalog import model_dict

    templates = [model_dict(m) for m in load_catalog()]
    models = []
    for i in range(count):
        entry = json.loads(json.dumps(templates[i % len(templates)]))
        base = entry["id"]
        for derived in ("attention", "moe"):
            entry.pop(derived)
        entry["id"] = f"{base}-synthetic-{i}"
        entry["name"] = f"{entry['name']} synthetic {i}"
        entry["variant"] = "fine-tune"
        entry["base_model"] = base
        entry["architecture"]["layers"] += i % 4
        entry["notes"] = None
        entry["sources"] = [f"synthetic benchmark entry {i}"]
        models.append(entry)
    # parameter counts consistent with the changed layer counts
    from llm_pick.catalog.validate import validate_document

    document = {"schema_version": 1, "models": models}
    for entry, model in zip(models, validate_document("synthetic", b"", document), strict=True):
        total = parameter_count(model)
        ratio = model.parameters.active_count / model.parameters.total
        entry["parameters"] = {
            "total": total,
            "active": round(total * ratio) if ratio < 1 else total,
            "exact": True,
            "source": "computed",
        }
    return document


def write(count: int) -> tuple[Path, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    ypath, jpath = OUT / f"catalog-{count}.yaml", OUT / f"catalog-{count}.json"
    if not (ypath.exists() and jpath.exists()):
        document = synthetic(count)
        jpath.write_text(json.dumps(document))
        ypath.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False))
    return ypath, jpath


def timed(argv: list[str], runs: int) -> tuple[float, float]:
    """Median seconds and the largest max-RSS (MiB), each run in a fresh process and cache."""
    seconds, peaks = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "XDG_CACHE_HOME": cache}
            env.pop("LLM_PICK_CATALOG", None)
            wrapper = (
                "import resource, subprocess, sys, time\n"
                "t = time.perf_counter()\n"
                "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
                "elapsed = time.perf_counter() - t\n"
                "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
                "print(elapsed, rss, done.returncode)\n"
            )
            done = subprocess.run(
                [sys.executable, "-c", wrapper, *argv],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            elapsed, rss, code = done.stdout.split()
            if int(code) not in (0, 3):
                raise SystemExit(f"{' '.join(argv)} failed with exit code {code}")
            seconds.append(float(elapsed))
            peaks.append(int(rss) / 1024)
    return statistics.median(seconds), max(peaks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs=2, default=[2000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "llm-pick")
    query = ["recommend", "--vram", "24", "--commercial", "--format", "json"]
    small, large = args.sizes
    results: dict[str, tuple[float, float]] = {}
    failed = False
    print(f"{'measurement':52s} {'median s':>9s} {'peak MiB':>9s}")
    from llm_pick.catalog.load import MAX_YAML_BYTES

    yaml_size = small
    for size in (small, large):
        ypath, jpath = write(size)
        runs = [
            (
                f"libyaml parse, {size} models ({ypath.stat().st_size / 1e6:.1f} MB)",
                [sys.executable, "-c", PARSE, str(ypath)],
            ),
            (
                f"libyaml parse tuned, {size} models",
                [sys.executable, "-c", PARSE_TUNED, str(ypath)],
            ),
            (f"recommend, YAML catalog of {size}", [exe, *query, "--catalog", str(ypath)]),
            (
                f"recommend, JSON catalog of {size} ({jpath.stat().st_size / 1e6:.1f} MB)",
                [exe, *query, "--catalog", str(jpath)],
            ),
        ]
        if ypath.stat().st_size > MAX_YAML_BYTES:  # refused by design (docs/usage.md)
            print(f"YAML catalog of {size}: above the {MAX_YAML_BYTES >> 20} MiB cap, skipped")
            runs = [r for r in runs if "YAML" not in r[0] and "libyaml" not in r[0]]
        else:
            yaml_size = size
        for label, argv in runs:
            results[label] = timed(argv, args.runs)
            seconds, peak = results[label]
            print(f"{label:52s} {seconds:9.3f} {peak:9.0f}")
            failed |= label.startswith("recommend") and peak >= 1024
    parse = next(v for k, v in results.items() if k.startswith(f"libyaml parse, {yaml_size} "))[0]
    tuned = results[f"libyaml parse tuned, {yaml_size} models"][0]
    yaml_run = results[f"recommend, YAML catalog of {yaml_size}"][0]
    json_small = next(
        v for k, v in results.items() if k.startswith(f"recommend, JSON catalog of {small} ")
    )[0]
    json_large = next(
        v for k, v in results.items() if k.startswith(f"recommend, JSON catalog of {large} ")
    )[0]
    per_model = (json_large - json_small) / (large - small) * 1e6
    ratio = yaml_run / tuned
    print()
    print(
        f"YAML: recommend / libyaml parse at {yaml_size} models = {ratio:.2f}x against the tuned "
        f"parse (target <= 1.25x), {yaml_run / parse:.2f}x against the plain parse"
    )
    print(f"JSON: {per_model:.1f} us per extra model ({small} -> {large}; target <= 50 us)")
    peak = max(v[1] for k, v in results.items() if k.startswith("recommend"))
    print(f"peak memory of llm-pick: {peak:.0f} MiB (target < 1024 MiB)")
    failed |= ratio > 1.25 or per_model > 50
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
