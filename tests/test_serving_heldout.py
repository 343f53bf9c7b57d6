"""The serving bench's held-out rule and checks (bench/serving.py, methodology 7b): sources a
listed pass added are held out whole; a row's figure must agree with what its own table prints
besides it; the timing table tells a decode-step miss from a prefill one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from conftest import script

from llm_pick.catalog.gpus import load_gpus

ROOT = Path(__file__).resolve().parents[1]


def _bench() -> Any:
    load_gpus()
    return script("bench/serving.py", "bench_serving_heldout")


def _row(source: str, added: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"id": source, "source": f"https://{source}.example/t (a quote)"}
    if added is not None:
        row["added"] = added
    return row


def test_a_listed_pass_holds_out_its_sources_whatever_their_hash() -> None:
    bench = _bench()
    old = [_row(f"old{i}") for i in range(6)]
    hashed = bench.held_out_sources({bench.source_key(r["source"]) for r in old})
    assert len(hashed) == 2  # a third of the six earlier sources
    new = [_row("new1", "serve20"), _row("new2", "serve20"), _row("later", "serve21")]
    held = bench.split_sources(old + new, ["serve20"])
    assert held == hashed | {"https://new1.example/t", "https://new2.example/t"}
    # a pass not listed adds fit sources; the earlier split does not move for new sources
    assert "https://later.example/t" not in held
    assert bench.split_sources(old, []) == hashed


def test_serve20_rows_quote_their_figures() -> None:
    """Every row serve20 added names its source and quotes the figure it was read from."""
    data = yaml.safe_load((ROOT / "bench" / "data" / "serving_rows.yaml").read_text())
    assert data["held_out_passes"] == ["serve20"]
    added = [r for r in data["rows"] if r.get("added") == "serve20"]
    assert len(added) == 12
    for row in added:
        assert row["source"].startswith("https://"), row["id"]
        figure = row["output_tokens_per_second"]
        if row["note"].startswith("derived"):  # batch x output / the mean latency it quotes
            latency = row["note"].split("latency_ms_mean (")[1].split(" ms")[0]
            assert f" {latency} " in row["source"], row["id"]
            assert round(8 * 128 / float(latency) * 1000, 2) == figure, row["id"]
        else:
            assert f"{figure:g}" in row["source"], row["id"]


def test_a_figure_that_disagrees_with_its_runs_duration_is_set_aside() -> None:
    bench = _bench()
    rows = bench.load_rows()
    timed = [r for r in rows if r.duration_s is not None]
    assert len(timed) == 3  # the FP8 KV blog's two rows and the Ministral 14B's full output
    for row in timed:  # output x duration / requests: 2,019 of ~2,000 and 1,024 of 1,024
        carried = bench.output_per_request(row)
        assert carried is not None and abs(carried / row.output - 1) < 0.02, row.id
        assert bench.consistent(row)
    short = timed[0]._replace(duration_s=timed[0].duration_s / 2)
    assert not bench.consistent(short) and bench.split(short) == "set aside"
    assert bench.output_per_request(short._replace(duration_s=None)) is None


def test_medium_3_5_misses_in_the_decode_step_once_split_across_cards() -> None:
    """The recipes' Mistral Medium 3.5 table: at TP 1 the model's decode step is within 2%
    of the published mean TPOT (55.2 ms), at TP 2-8 it is 22-37% under it, and the
    round-start first token 65-81% under the published mean TTFT (methodology 7b)."""
    bench = _bench()
    rows = {r.hardware.gpus: r for r in bench.load_rows() if "mistral-medium-3.5" in r.id}
    assert sorted(rows) == [1, 2, 4, 8]
    step, _ = bench.timing(rows[1])
    assert abs(step / (rows[1].tpot_ms or 1) - 1) < 0.02
    for tp in (2, 4, 8):
        step, first = bench.timing(rows[tp])
        assert 0.60 < step / (rows[tp].tpot_ms or 1) < 0.80, tp
        assert first / (rows[tp].ttft_ms or 1) < 0.40, tp
