"""catalog/digest.py: the digest hashlib gives, without loading OpenSSL where CPython's own
SHA-256 module is there."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from llm_pick.catalog import digest


@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 1000])
def test_the_digest_is_hashlibs(data: bytes) -> None:
    assert digest.hexdigest(data) == hashlib.sha256(data).hexdigest()
    made = digest.sha256()
    made.update(data[:7])
    made.update(data[7:])
    assert made.hexdigest() == hashlib.sha256(data).hexdigest()


def test_without_the_builtin_module_hashlib_gives_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "_sha256", None)  # import fails as if it were not built
    monkeypatch.setitem(sys.modules, "_sha2", None)
    assert digest.hexdigest(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_a_json_recommendation_loads_no_openssl() -> None:
    code = (
        "import sys; sys.argv = ['llm-pick', 'recommend', '--vram', '24', '--format', 'json']\n"
        "from llm_pick.cli.fastpath import run\n"
        "import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()): run(sys.argv[1:])\n"
        "print('_hashlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("False")
