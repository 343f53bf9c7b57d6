"""The package's layers import one way: errors < catalog < estimate < scoring < ranking <
render < reports < cli. Every import is checked, those inside functions included, and the
module graph must have no cycle."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "llm_pick"
LAYERS = ["errors", "catalog", "estimate", "scoring", "ranking", "render", "reports", "cli"]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    return imports_in(path.read_text(), module_name(path), path.name == "__init__.py")


def imports_in(source: str, name: str, is_package: bool) -> set[str]:
    """Every llm_pick module the source imports, at any depth of its code."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("llm_pick")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if not target.startswith("llm_pick"):
                continue
            found.add(target)
            for alias in node.names:  # `from llm_pick.catalog import load` names a module
                if (
                    (PACKAGE.parent / (target + "." + alias.name).replace(".", "/"))
                    .with_suffix(".py")
                    .exists()
                ):
                    found.add(f"{target}.{alias.name}")
    return found - {name}


@cache
def graph() -> dict[str, set[str]]:
    """Each module's imports of the package's modules (parsed once per run; callers read it)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports(path) if m in modules} for name, path in modules.items()}


def layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in ("__main__",):
        return None  # the package root and __main__ sit above every layer
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else -1


def test_every_module_sits_in_a_layer() -> None:
    stray = [m for m in graph() if layer(m) == -1]
    assert stray == [], f"modules outside the layers: {stray}"


def test_no_upward_import() -> None:
    upward = []
    for module, targets in graph().items():
        mine = layer(module)
        for target in targets:
            theirs = layer(target)
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{module} -> {target}")
    assert upward == [], "upward imports:\n" + "\n".join(sorted(upward))


def test_no_import_cycle() -> None:
    edges = {m: {t for t in ts if t != "llm_pick"} for m, ts in graph().items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_subpackage_inits_are_empty() -> None:
    for init in PACKAGE.glob("*/__init__.py"):
        assert init.read_text().strip() == "", f"{init} must stay empty (start-up cost)"


def test_the_checker_sees_function_level_and_relative_imports() -> None:
    source = "import os\n\ndef f():\n    from ..cli.app import app\n    from . import fit\n"
    found = imports_in(source, "llm_pick.estimate.memory", is_package=False)
    assert found == {"llm_pick.cli.app", "llm_pick.estimate", "llm_pick.estimate.fit"}
    assert layer("llm_pick.estimate.memory") == 2 and layer("llm_pick.cli.app") == 7


MAX_LINES = 400


def test_every_module_is_at_most_400_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines (split them): {long}"
