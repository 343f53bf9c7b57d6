"""Compiled bytecode for test runs where the environment forbids writing it beside the sources.

With PYTHONDONTWRITEBYTECODE=1 (set on the shared development machine) every run compiles the
package and assertion-rewrites every test module and pytest plugin package (hypothesis, ~200
modules) from source, in each process: the run itself, each xdist worker and each `python`
child a test starts. That was about 3 s of CPU per process before the first test. Here the
run instead keeps bytecode in a private folder outside the checkout (Python's
PYTHONPYCACHEPREFIX, read and written as by any Python run; a stale file is recompiled by its
source's size and time as usual), and passes it to the workers and children it starts.
Nothing is written beside the sources. A folder that is not a directory owned by this user
and closed to others is never used (bytecode in it would run as test code)."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path


def use_private_pycache() -> Path | None:
    """Switch this process, and what it starts, to the private bytecode folder; None (nothing
    changed) unless PYTHONDONTWRITEBYTECODE is set and no prefix is chosen already."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return None
    if sys.pycache_prefix or not hasattr(os, "getuid"):
        return None
    folder = Path(tempfile.gettempdir()) / f"llm-pick-tests-pycache-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    sys.pycache_prefix = str(folder)
    sys.dont_write_bytecode = False
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    return folder
