"""Regenerate the generated parts of the docs; `--check` fails when any is stale.

    python tools/gendocs.py          # rewrite
    python tools/gendocs.py --check  # exit 1 and name the stale files

Generated:
- docs/cli.md: the --help of every command;
- docs/catalog.md, docs/catalog.schema.json: the catalog reference from its JSON Schema;
- docs/recommend.schema.json: the schema of `recommend --format json`;
- blocks `<!-- llm-pick ARGS -->` ... `<!-- end -->` in README.md and docs/*.md: the real
  output of that command (run in-process, 100 columns, no colour, bundled catalog only);
- the `<!-- calibration -->` block of docs/methodology.md: bench/calibration.py's summary;
- docs/report.png: a screenshot of `recommend --format html` in headless Chromium (only when
  a browser is installed; the PNG is not part of --check, as browsers draw fonts differently).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    ["recommend"],
    ["memory"],
    ["explain"],
    ["compare"],
    ["list"],
    ["show"],
    ["hardware"],
    ["local"],
    ["gpus"],
    ["import"],
    ["calibrate"],
    ["catalog", "validate"],
    ["catalog", "schema"],
    ["schema", "recommend"],
]
BLOCK = re.compile(r"(<!-- (llm-pick [^>]*?) -->\n)(.*?)(<!-- end -->)", re.S)
# the same, run with a folder of stand-in tools first on PATH (e.g. a recorded nvidia-smi)
TOOLS_BLOCK = re.compile(r"(<!-- tools (\S+): (llm-pick [^>]*?) -->\n)(.*?)(<!-- end -->)", re.S)
# the same, with environment variables set (paths relative to the checkout), e.g. the stores of
# `llm-pick local` pointed at docs/examples/stores instead of the user's own
ENV_BLOCK = re.compile(r"(<!-- env ([^:>]+): (llm-pick [^>]*?) -->\n)(.*?)(<!-- end -->)", re.S)
STORE_VARS = ("OLLAMA_MODELS", "HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "LLAMA_CACHE")
CALIBRATION = re.compile(r"(<!-- calibration -->\n)(.*?)(<!-- end -->)", re.S)
BUFFERS = re.compile(r"(<!-- buffers -->\n)(.*?)(<!-- end -->)", re.S)
SPEED_BENCH = re.compile(r"(<!-- speed-bench -->\n)(.*?)(<!-- end -->)", re.S)


# a home folder shared by the blocks of one file (calibrate, then an estimate that uses it);
# never the user's own config
HOME: list[str] = []


@contextlib.contextmanager
def clean_env(extra: dict[str, str] | None = None) -> Iterator[None]:
    saved, cwd = dict(os.environ), os.getcwd()
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as cache:
        os.environ.update(
            {"XDG_CACHE_HOME": cache, "COLUMNS": "100", "NO_COLOR": "1", "LINES": "50"}
        )
        os.environ["HOME"] = HOME[-1] if HOME else cache
        for name in (
            "LLM_PICK_CATALOG",
            "LLM_PICK_DEBUG",
            "FORCE_COLOR",
            "TERM",
            "XDG_CONFIG_HOME",
            *STORE_VARS,
        ):
            os.environ.pop(name, None)
        os.environ.update(extra or {})
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)
            os.chdir(cwd)


def run(args: list[str], extra: dict[str, str] | None = None) -> tuple[int, str]:
    import typer

    from llm_pick.cli.app import app

    out, err = io.StringIO(), io.StringIO()
    with clean_env(extra), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = typer.main.get_command(app).main(
            args=args, prog_name="llm-pick", standalone_mode=False
        )
    # the checkout's own folder (in paths `import` records) is shown as <checkout>, so that the
    # docs read the same wherever they are generated
    text = (out.getvalue() + err.getvalue()).replace(str(ROOT), "<checkout>")
    return int(code or 0), "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def cli_reference() -> str:
    parts = [
        "# CLI reference",
        "",
        "Generated from `--help` by `python tools/gendocs.py`; do not edit by hand.",
        "",
    ]
    for path in [[], *COMMANDS]:
        _, text = run([*path, "--help"])
        title = " ".join(["llm-pick", *path])
        parts += [f"## {title}", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(parts)


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    if "enum" in prop:
        return " | ".join(json.dumps(v) for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object" and "additionalProperties" in prop:
        return f"map of {_type(prop['additionalProperties'])}"
    return str(kind)


def catalog_reference(schema: dict[str, Any]) -> str:
    parts = [
        "# Catalog reference",
        "",
        "Generated from the catalog's JSON Schema (`llm-pick catalog schema`, also in",
        "`docs/catalog.schema.json`) by `python tools/gendocs.py`; do not edit by hand.",
        "",
        "A catalog file is YAML (or JSON) holding `schema_version: 1` and `models: [...]`. Unknown",
        "fields are errors. `llm-pick catalog validate FILE` reports every problem with its file,",
        "line and field path. Add `# yaml-language-server: $schema=<path to catalog.schema.json>`",
        "at the top of a YAML file for completion in editors.",
        "",
        "Rules beyond the field types: ids are unique within a file and match",
        "`^[a-z0-9][a-z0-9.-]*$`; `kv_heads` divides `attention_heads`; `active` <= `total`",
        "parameters and a mixture-of-experts model has `active` < `total`; `conditions` are",
        "required unless commercial use is `allowed`; `base_model` names a catalog id, lineage",
        "never loops, and a derivative's `commercial_use` is",
        "never freer than its base's (prohibited < conditional < allowed). A later file's entry",
        "replaces an earlier one with the same id (bundled catalog, then `LLM_PICK_CATALOG`, then",
        "`--catalog`).",
        "",
    ]
    defs = schema.get("$defs", {})
    for name in ("CatalogFile", "Model", "Parameters", "Architecture", "License", "Benchmark"):
        block = schema if name == "CatalogFile" else defs.get(name)
        if block is None:
            continue
        required = set(block.get("required", []))
        parts += [
            f"## {name}",
            "",
            "| field | type | required | description |",
            "| --- | --- | --- | --- |",
        ]
        for field, prop in block.get("properties", {}).items():
            description = prop.get("description", "").replace("|", "\\|").replace("\n", " ")
            default = "" if "default" not in prop else f" Default: `{json.dumps(prop['default'])}`."
            parts.append(
                f"| `{field}` | {_type(prop)} | {'yes' if field in required else 'no'} | "
                f"{description}{default} |"
            )
        parts.append("")
    return "\n".join(parts)


def bench_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def buffers_block() -> str:
    rows = bench_module("buffers").rows()
    lines = ["| log | n_ctx | flash attn | logged MiB | estimate MiB | error | set |"]
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['n_ctx']} | {'on' if r['flash_attn'] else 'off'} | "
            f"{r['mib']:.1f} | {r['estimate']:.1f} | {100 * r['error']:+.1f}% | {r['set']} |"
        )
    return "\n".join(lines) + "\n"


def calibration_block() -> str:
    rows = bench_module("calibration").errors_by_source(heldout=True)
    lines = [
        "| published files | model | points | mean abs. error | max abs. error |",
        "| --- | --- | --- | --- | --- |",
    ]
    for source, model, values in rows:
        lines.append(
            f"| {source} | {model} | {len(values)} | {sum(values) / len(values):.2f}% | "
            f"{max(values):.2f}% |"
        )
    return "\n".join(lines) + "\n"


def speed_block() -> str:
    spec = importlib.util.spec_from_file_location("speed_bench", ROOT / "bench" / "speed.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["speed_bench"] = module
    spec.loader.exec_module(module)
    lines = [
        "| kind | set | hardware | points | median abs. error | max abs. error |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in module.summary():
        lines.append(
            f"| {row.kind} | {row.set} | {row.hardware} | {row.points} | "
            f"{row.median:.1%} | {row.maximum:.1%} |"
        )
    return "\n".join(lines) + "\n"


def fill_blocks(text: str) -> str:
    with tempfile.TemporaryDirectory() as home:
        HOME.append(home)
        try:
            return _fill_blocks(text)
        finally:
            HOME.pop()


def _fill_blocks(text: str) -> str:
    def command(match: re.Match[str]) -> str:
        args = shlex.split(match.group(2))[1:]
        code, output = run(args)
        status = f"[exit code {code}]\n" if code else ""
        return f"{match.group(1)}```text\n$ {match.group(2)}\n{output}{status}```\n{match.group(4)}"

    text = BLOCK.sub(command, text)

    def with_tools(match: re.Match[str]) -> str:
        from llm_pick.estimate import detect

        folder = ROOT / match.group(2)
        saved, meminfo = os.environ.get("PATH", ""), detect.MEMINFO
        os.environ["PATH"] = str(folder) + os.pathsep + saved
        detect.MEMINFO = Path(match.group(2)) / "meminfo"  # a stand-in machine (relative)
        try:
            code, output = run(shlex.split(match.group(3))[1:])
        finally:
            os.environ["PATH"], detect.MEMINFO = saved, meminfo
        status = f"[exit code {code}]\n" if code else ""
        return f"{match.group(1)}```text\n$ {match.group(3)}\n{output}{status}```\n{match.group(5)}"

    text = TOOLS_BLOCK.sub(with_tools, text)

    def with_env(match: re.Match[str]) -> str:
        pairs = dict(item.split("=", 1) for item in match.group(2).split())
        code, output = run(shlex.split(match.group(3))[1:], pairs)
        status = f"[exit code {code}]\n" if code else ""
        return f"{match.group(1)}```text\n$ {match.group(3)}\n{output}{status}```\n{match.group(5)}"

    text = ENV_BLOCK.sub(with_env, text)
    if CALIBRATION.search(text):
        text = CALIBRATION.sub(lambda m: m.group(1) + calibration_block() + m.group(3), text)
    if BUFFERS.search(text):
        text = BUFFERS.sub(lambda m: m.group(1) + buffers_block() + m.group(3), text)
    if SPEED_BENCH.search(text):
        text = SPEED_BENCH.sub(lambda m: m.group(1) + speed_block() + m.group(3), text)
    return text


def outputs() -> dict[Path, str]:
    from llm_pick.catalog.load import catalog_json_schema
    from llm_pick.reports.report import to_json
    from llm_pick.reports.schemas import recommend_schema

    schema = catalog_json_schema()
    files = {
        ROOT / "docs" / "cli.md": cli_reference(),
        ROOT / "docs" / "catalog.md": catalog_reference(schema),
        ROOT / "docs" / "catalog.schema.json": to_json(schema),
        ROOT / "docs" / "recommend.schema.json": to_json(recommend_schema()),
    }
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        if path in files:
            continue
        files[path] = fill_blocks(path.read_text())
    return files


def stale() -> list[str]:
    return [
        str(path.relative_to(ROOT))
        for path, text in outputs().items()
        if not path.exists() or path.read_text() != text
    ]


SCREENSHOT = ROOT / "docs" / "report.png"
SCREENSHOT_KEY = ROOT / "docs" / "report.png.sha256"  # of the HTML the screenshot shows
SCREENSHOT_ARGS = ["recommend", "--gpu", "4090", "--commercial", "--top", "5"]


def screenshot() -> str:
    """docs/report.png from the HTML report, or why it was not made."""
    spec = importlib.util.spec_from_file_location("chromium", ROOT / "tools" / "chromium.py")
    assert spec and spec.loader
    chromium = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(chromium)
    browser = chromium.find()
    if browser is None:
        return f"skipped {SCREENSHOT.relative_to(ROOT)}: no Chromium (apt-get install chromium)"
    import hashlib

    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        code, _ = run([*SCREENSHOT_ARGS, "--format", "html", "--output", str(page)])
        if code != 0:
            raise SystemExit(f"{SCREENSHOT_ARGS} exited {code}")
        key = hashlib.sha256(page.read_bytes()).hexdigest() + "\n"
        if SCREENSHOT.exists() and SCREENSHOT_KEY.exists() and SCREENSHOT_KEY.read_text() == key:
            return f"kept {SCREENSHOT.relative_to(ROOT)}: the report has not changed"
        chromium.screenshot(browser, page, SCREENSHOT, 1100, 1900)
        SCREENSHOT_KEY.write_text(key)
    return f"wrote {SCREENSHOT.relative_to(ROOT)}"


def main() -> int:
    if "--check" in sys.argv[1:]:
        names = stale()
        for name in names:
            print(f"stale: {name} (run: python tools/gendocs.py)")
        return 1 if names else 0
    for path, text in outputs().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    print(screenshot())
    return 0


if __name__ == "__main__":
    sys.exit(main())
