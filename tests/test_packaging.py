"""The package as a user gets it: the wheel carries the data, the console script runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_catalog_and_gpu_data(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("llm_pick-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "llm_pick/data/models.yaml" in names
    assert "llm_pick/data/gpus.yaml" in names
    assert "llm_pick/catalog/compiled.json" in names  # the bundled data, validated at build time
    for name in ("models", "gpus", "profiles", "runtimes"):  # its parts (catalog/compiled.py)
        assert f"llm_pick/catalog/compiled_{name}.json" in names
    assert "llm_pick/cli/app.py" in names
    assert "llm_pick/cli/fastspec.json" in names  # the fast path's spec (tools/cli_spec.py)
    assert not any("cli_spec" in name for name in names)  # its builder stays out
    assert "llm_pick/py.typed" in names  # type checkers read the library's annotations
    assert not any("compile_data" in name for name in names)  # the builder stays out


def test_installed_console_script_runs_from_another_directory(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "llm-pick"
    if not script.exists():
        script = Path(shutil.which("llm-pick") or "llm-pick")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("LLM_PICK_CATALOG", None)
    done = subprocess.run(
        [str(script), "list", "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["models"]) >= 40
    module = subprocess.run(
        [sys.executable, "-m", "llm_pick", "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert module.returncode == 0 and module.stdout.startswith("llm-pick ")


def test_installed_package_reads_its_shipped_data() -> None:
    import llm_pick
    from llm_pick.catalog.load import bundled_path

    package_dir = Path(llm_pick.__file__).resolve().parent
    if ROOT / "src" in package_dir.parents:
        pytest.skip("running from a source checkout (editable install)")
    assert bundled_path() == package_dir / "data" / "models.yaml"
