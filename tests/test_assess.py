"""One model in one format on given hardware (estimate/assess.py): a GGUF file and a catalog
entry of the same shapes go through the same assessment."""

from __future__ import annotations

from gguf_files import write_gguf

from llm_pick.catalog.gguf import read_gguf
from llm_pick.catalog.gpus import find_gpu
from llm_pick.estimate.assess import PLACEMENTS, assess_model, longest_context
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.modelfile import file_model
from llm_pick.estimate.sizing import Sizing


def test_a_file_and_its_shapes_in_the_catalog_get_the_same_prefill(tmp_path, cli):
    path = write_gguf(tmp_path / "tiny.gguf", layers=4, hidden=256, heads=8, kv_heads=2)
    found = file_model(read_gguf(path))
    card = find_gpu("4090")
    hardware = Hardware(
        card.name,
        card.usable_gib,
        gpu=card,
        bandwidth_gbs=card.memory_bandwidth_gbs,
        fp16_tflops=card.fp16_tflops,
    )
    as_file = assess_model(found, found.quant, Sizing(context=1024), hardware)
    as_entry = assess_model(found.model, "q8_0", Sizing(context=1024), hardware)
    assert as_file.speed is not None and as_entry.speed is not None
    assert as_file.speed.prefill_expected == as_entry.speed.prefill_expected
    printed = cli("memory", str(path), "--gpu", "4090", "--context", "1024", "-f", "json")
    assert printed.code == 0, printed.stderr
    assert printed.json()["speed"] == as_file.speed.as_dict()


def test_longest_context_keeps_the_placement_for_files_and_entries(tmp_path):
    path = write_gguf(tmp_path / "tiny.gguf", context=8192)
    found = file_model(read_gguf(path))
    for subject in (found, found.model):
        # a card that holds this model at 4096 tokens and no more, nothing kept free (the
        # token embeddings stay in RAM)
        at_4096 = assess_model(subject, found.quant, Sizing(context=4096), None).estimate
        on_card = at_4096.total_bytes - at_4096.input_bytes
        card = Hardware("exact", (on_card + 1) / 2**30, headroom_gib=0.0)
        item = assess_model(subject, found.quant, Sizing(context=1024), card)
        assert item.fit is not None and item.fit.verdict == "gpu"
        longest = longest_context(subject, item, card)
        assert 4000 <= longest <= 4096
        at_longest = assess_model(subject, found.quant, Sizing(context=longest), card)
        beyond = assess_model(subject, found.quant, Sizing(context=longest + 1), card)
        assert at_longest.fit is not None and beyond.fit is not None
        assert at_longest.fit.verdict in PLACEMENTS[item.fit.verdict]
        assert beyond.fit.verdict not in PLACEMENTS[item.fit.verdict]
