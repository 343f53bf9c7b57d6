"""--min-bits above 16 (up to its own limit of 32) says no format has that many bits (issue 17,
section 4), instead of an internal error."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("bits", ["16.01", "17", "24", "32"])
def test_more_bits_than_any_format_is_one_error(cli, bits):
    for command in ("recommend", "explain"):
        args = [command, "--vram", "24", "--min-bits", bits]
        if command == "explain":
            args.insert(1, "llama-3-8b")
        result = cli(*args)
        assert result.code == 1, (command, result.stderr)
        assert result.stderr.startswith(f"Error: --min-bits {float(bits):g}: no format has")
        assert "internal error" not in result.stderr


def test_sixteen_bits_still_recommends_fp16(cli):
    result = cli("recommend", "--vram", "80", "--min-bits", "16", "--format", "json")
    assert result.code == 0, result.stderr
    picks = result.json()["ranking"]
    assert picks and {p["quant"] for p in picks} == {"fp16"}


def test_above_the_option_limit_is_still_refused(cli):
    result = cli("recommend", "--vram", "24", "--min-bits", "33")
    assert result.code == 1 and "implausibly large" in result.stderr
