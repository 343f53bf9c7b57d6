"""catalog/lateinspect.py: the console entry imports dataclasses without inspect, which is
imported (the real module) only when dataclasses uses it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

_CHECK = """
import sys
from llm_pick.catalog.lateinspect import dataclasses_first
dataclasses_first()
assert "dataclasses" in sys.modules and "inspect" not in sys.modules
import dataclasses

@dataclasses.dataclass
class Undocumented:
    size: int

assert Undocumented.__doc__ == "Undocumented(size: int)", Undocumented.__doc__
import inspect
assert sys.modules["inspect"] is inspect and type(inspect).__name__ == "module"
assert inspect.signature(Undocumented).parameters["size"].annotation is int
print("ok")
"""

_RUN = """
import sys
sys.argv = ["llm-pick", "recommend", "--vram", "24", "--commercial", "--format", "json"]
from llm_pick.__main__ import main
try:
    main()
finally:
    sys.stderr.write("MODULES " + repr(sorted(sys.modules)) + "\\n")
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LLM_PICK_CATALOG"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_dataclasses_still_documents_a_class_with_the_real_inspect() -> None:
    done = _python(_CHECK)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr


def test_a_recommendation_imports_no_inspect() -> None:
    done = _python(_RUN)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    loaded = set(ast.literal_eval(line.removeprefix("MODULES ")))
    assert "dataclasses" in loaded and '"ranking"' in done.stdout
    assert not loaded & {"inspect", "ast", "dis", "tokenize"}


def test_nothing_changes_once_dataclasses_is_imported() -> None:
    import dataclasses

    from llm_pick.catalog.lateinspect import dataclasses_first

    before = dataclasses.__dict__.get("inspect")
    dataclasses_first()
    assert dataclasses.__dict__.get("inspect") is before
