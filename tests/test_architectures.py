"""The 2025-26 architecture kinds (issue 18) on real shapes: MoE with shared experts and dense
layers (Llama 4), chunked / sliding local layers, hybrid and pure SSM (Falcon-H1, Falcon Mamba,
Codestral Mamba), latent attention (DeepSeek-V3 / Mistral Large 3), mmproj encoders, ternary
weights. Published figures: bench/data/architectures.yaml (bench/architectures.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import entry, script

from llm_pick.catalog.hfconfig import architecture_fields
from llm_pick.catalog.shapes import Architecture
from llm_pick.catalog.types import Model
from llm_pick.catalog.validate import load_models
from llm_pick.errors import InputError
from llm_pick.estimate.cache import kv_cache_bytes, recurrent_state_bytes
from llm_pick.estimate.memory import estimate_memory
from llm_pick.estimate.quant import get_quant
from llm_pick.estimate.tensors import inventory_of
from llm_pick.estimate.weights import weights

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = Path(__file__).resolve().parent / "data" / "configs"
MIB = 2**20


def bench_rows() -> list[dict[str, Any]]:
    module = script("bench/architectures.py", "architectures")
    rows: list[dict[str, Any]] = module.rows()
    return rows


def config_fields(name: str) -> tuple[str, dict[str, Any], int]:
    return architecture_fields(json.loads((CONFIGS / name).read_text()), name)


def make(arch: dict[str, Any], **overrides: Any) -> Model:
    """A validated catalog entry with this architecture (pydantic, as a catalog file is read)."""
    data = entry(architecture=arch, **overrides)
    data["architecture"] = arch  # replace, not merge, the base entry's shape
    doc = json.dumps({"schema_version": 1, "models": [data]}).encode()
    return load_models("test.json", doc)[0]


SCOUT = config_fields("llama-4-scout-17b-16e.json")[1]


def scout() -> Model:
    total = inventory_of(Architecture(**SCOUT), "llama").parameters
    return make(SCOUT, parameters={"total": total, "active": 17_000_000_000}, context_length=262144)


# ---- published figures -------------------------------------------------------------------


def test_every_kind_matches_its_published_figure_within_one_percent() -> None:
    rows = bench_rows()
    kinds = {r["kind"].split(" (")[0].split(";")[0] for r in rows}
    assert {
        "hybrid attention + Mamba-2",
        "pure SSM",
        "latent attention",
        "vision encoder",
        "ternary weights",
        "MoE with a shared expert",
    } <= kinds
    assert {r["set"] for r in rows} == {"fit", "test"}
    worst = max(rows, key=lambda r: abs(r["error"]))
    assert abs(worst["error"]) < 0.01, worst["model"]


def test_falcon_h1r_parameters_match_the_gguf_metadata_exactly() -> None:
    row = next(r for r in bench_rows() if r["model"] == "falcon-h1r-7b")
    assert (
        inventory_of(Architecture(**row["architecture"]), "falcon").parameters == row["parameters"]
    )


# ---- MoE with shared experts, interleaved dense layers (Llama 4) -------------------------


def test_llama4_config_reads_shared_expert_chunks_and_local_layers() -> None:
    assert SCOUT["experts"] == 16 and SCOUT["experts_per_token"] == 1
    assert SCOUT["shared_experts"] == 1 and SCOUT["moe_layers"] == 48
    assert SCOUT["attention_chunk"] == 8192 and SCOUT["local_layers"] == 36  # every 4th global
    assert SCOUT["dense_intermediate_size"] == 16384


def test_llama4_scout_counts_every_expert_and_reads_the_active_ones() -> None:
    arch = Architecture(**SCOUT)
    inv = inventory_of(arch, "llama")
    # Meta: 109B total with the vision encoder, 17B active; Hugging Face lists the GGUF as 108B
    assert inv.parameters == pytest.approx(107.8e9, rel=0.005)
    bf16 = weights(scout(), get_quant("bf16"))
    active_params = bf16.active / 2 + arch.vocab_size * arch.hidden_size  # + the looked-up row
    assert active_params == pytest.approx(17.2e9, rel=0.01)
    # per token: attention + shared expert + 1 of 16 routed experts per layer, never all
    routed = sum(inv.elements(m) for m in inv.matrices if m.routed)
    assert bf16.total - bf16.active >= 2 * routed * 15 / 16


def test_interleaved_moe_layers_hold_dense_mlps_of_their_own_width() -> None:
    maverick = dict(SCOUT, experts=128, moe_layers=24)  # Llama 4 Maverick: interleave step 2
    inv = inventory_of(Architecture(**maverick), "llama")
    dense = next(m for m in inv.matrices if m.kind == "ffn_up")
    routed = next(m for m in inv.matrices if m.kind == "ffn_up_exps")
    assert (dense.outputs, inv.layers_of(dense)) == (16384, 24)
    assert (routed.outputs, routed.copies, inv.layers_of(routed)) == (8192, 128, 24)
    # Meta: Maverick 400B total, 17B active
    assert inv.parameters == pytest.approx(400e9, rel=0.02)


# ---- chunked / sliding local layers ------------------------------------------------------


def test_only_global_layers_grow_past_the_chunk() -> None:
    model = scout()
    per_token_layer = 2 * 8 * 128 * 2  # K and V, 8 KV heads x 128, fp16
    grown = kv_cache_bytes(model, 65536) - kv_cache_bytes(model, 32768)
    assert grown == 12 * 32768 * per_token_layer  # the 12 global layers
    # below the chunk every layer holds every token
    assert kv_cache_bytes(model, 4096) == 48 * 4096 * per_token_layer
    # local layers hold the chunk plus one 512-token micro-batch (llama.cpp's SWA cache)
    assert kv_cache_bytes(model, 32768) == (12 * 32768 + 36 * 8704) * per_token_layer


def test_sliding_window_on_every_layer_keeps_the_full_cache_as_llama_cpp_does() -> None:
    arch = dict(entry()["architecture"], sliding_window=4096)
    full = make(dict(entry()["architecture"]), context_length=32768)
    windowed = make(arch, context_length=32768)
    assert kv_cache_bytes(windowed, 32768) == kv_cache_bytes(full, 32768)
    interleaved = make(dict(arch, local_layers=24), context_length=32768)
    assert kv_cache_bytes(interleaved, 32768) < kv_cache_bytes(full, 32768)


# ---- hybrid and pure SSM ----------------------------------------------------------------


def test_falcon_h1_config_is_a_parallel_hybrid() -> None:
    family, fields, _ = config_fields("falcon-h1-1.5b.json")
    arch = Architecture(**fields)
    assert family == "falcon" and arch.attention_count == 24 and arch.ssm is not None
    assert (arch.ssm.kind, arch.ssm.layers, arch.ssm.inner_size, arch.ssm.heads) == (
        "mamba2",
        24,
        3072,
        48,
    )
    kinds = {m.kind for m in inventory_of(arch, family).matrices}
    assert {"attn_q", "ssm_in", "ssm_conv1d", "ssm_out", "ffn_gate"} <= kinds
    assert "attn_qkv" not in kinds  # not the 2023 Falcon block


def test_pure_ssm_has_no_attention_and_a_constant_state() -> None:
    family, fields, context = config_fields("mamba-codestral-7b.json")
    assert fields["attention_layers"] == 0 and "attention_heads" not in fields
    model = make(
        fields,
        family=family,
        parameters={"total": 7285403648, "exact": False},
        context_length=context,
    )
    assert model.attention == "none"
    short = estimate_memory(model, "q8_0", context=1024)
    long = estimate_memory(model, "q8_0", context=262144)
    assert short.kv_cache_bytes == long.kv_cache_bytes == recurrent_state_bytes(model.architecture)
    assert long.recurrent_state_bytes == pytest.approx(263.5 * MIB)
    assert (
        estimate_memory(model, "q8_0", context=1024, batch=4).kv_cache_bytes
        == 4 * short.kv_cache_bytes
    )
    assert any("recurrent state" in note for note in long.assumptions)
    # card: 7,285,403,648 parameters
    assert inventory_of(model.architecture, family).parameters == pytest.approx(
        7285403648, rel=0.001
    )
    kinds = {m.kind for m in inventory_of(model.architecture, family).matrices}
    assert not any(k.startswith(("attn", "ffn")) for k in kinds)


def test_mamba1_tensors_and_f32_conv_and_a() -> None:
    fields: dict[str, Any] = {
        "layers": 64,
        "hidden_size": 4096,
        "intermediate_size": 8192,
        "vocab_size": 65024,
        "attention_layers": 0,
        "mlp": "none",
        "ssm": {
            "kind": "mamba1",
            "layers": 64,
            "inner_size": 8192,
            "state_size": 16,
            "conv_kernel": 4,
            "dt_rank": 256,
        },
    }
    arch = Architecture(**fields)
    inv = inventory_of(arch, "falcon")
    assert {m.kind for m in inv.matrices} >= {
        "ssm_in",
        "ssm_conv1d",
        "ssm_x",
        "ssm_dt",
        "ssm_a",
        "ssm_out",
    }
    # Falcon Mamba 7B: 7.27B parameters (model card)
    assert inv.parameters == pytest.approx(7.27e9, rel=0.01)
    model = make(fields, family="falcon", parameters={"total": inv.parameters})
    q8 = weights(model, get_quant("q8_0"))
    conv_and_a = 64 * (4 * 8192 + 16 * 8192) * 4  # kept F32
    assert q8.total > conv_and_a + 1.0625 * (inv.parameters - 64 * 20 * 8192)


# ---- latent attention -------------------------------------------------------------------


def test_mla_caches_the_latent_not_heads_times_head_dim() -> None:
    row = next(r for r in bench_rows() if r["model"].startswith("deepseek-v3"))
    model = make(
        row["architecture"],
        parameters={"total": 671_000_000_000, "active": 37_000_000_000},
        context_length=163840,
    )
    assert model.attention == "mla"
    assert kv_cache_bytes(model, 1000) == 61 * 576 * 1000 * 2
    # DeepSeek-V3 card: "685B ... includes 671B of the Main Model weights and 14B of the
    # Multi-Token Prediction (MTP) Module weights"; llama.cpp does not load the MTP module
    total = inventory_of(model.architecture, "mistral").parameters
    assert total == pytest.approx(671e9, rel=0.005)


# ---- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"local_layers": 40, "sliding_window": 4096}, "local_layers"),
        ({"attention_layers": 0}, "attention_layers is 0"),
        ({"moe_layers": 10}, "need experts"),
        (
            {"ssm": {"kind": "mamba2", "layers": 32, "inner_size": 8192, "state_size": 128}},
            "heads and groups",
        ),
        (
            {
                "ssm": {
                    "kind": "mamba1",
                    "layers": 40,
                    "inner_size": 8192,
                    "state_size": 16,
                    "dt_rank": 256,
                }
            },
            "exceeds",
        ),
        ({"local_layers": 4}, "needs sliding_window"),
    ],
)
def test_inconsistent_architectures_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Architecture(**dict(entry()["architecture"], **change))
    with pytest.raises(Exception, match="problem"):  # the catalog reader refuses it too
        make(dict(entry()["architecture"], **change))


def test_ternary_weights_run_only_from_i2s_or_float() -> None:
    arch = dict(entry()["architecture"], ternary=True)
    model = make(arch)
    assert (
        estimate_memory(model, "i2_s").weights_bytes
        < estimate_memory(model, "bf16").weights_bytes / 6
    )
    with pytest.raises(InputError, match="ternary"):
        estimate_memory(model, "q4_k_m")
    with pytest.raises(InputError, match="ternary"):
        estimate_memory(make(entry()["architecture"]), "i2_s")


# ---- expert offload (llama.cpp --n-cpu-moe) ----------------------------------------------


def test_moe_that_does_not_fit_offloads_the_fewest_expert_layers() -> None:
    from llm_pick.estimate.assess import assess
    from llm_pick.estimate.fit import check_fit
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.reports.run import run_commands, sized_from

    model = scout()
    est = estimate_memory(model, "q4_k_m", context=8192)
    hw = Hardware("24 GiB", 24.0, ram_gib=128.0, bandwidth_gbs=1008.0, ram_bandwidth_gbs=80.0)
    fit = check_fit(est, hw)
    assert fit.verdict == "offload" and fit.gpu_layers == 48 and 0 < fit.cpu_moe_layers < 48
    assert fit.needed_bytes <= hw.vram_bytes - hw.headroom_bytes
    # the fewest: one layer fewer no longer fits the card
    per_layer = est.expert_bytes / 48
    assert fit.needed_bytes + per_layer > hw.vram_bytes - hw.headroom_bytes
    assert fit.cpu_bytes >= (fit.cpu_moe_layers * per_layer)
    # only the active routed experts of those layers are read from RAM
    assert fit.cpu_read_bytes == int(est.active_expert_bytes * fit.cpu_moe_layers / 48)
    speed = assess(est, hw, model.parameters.active_count).speed
    assert speed is not None and speed.decode_expected is not None
    # physics: never faster than reading the RAM part at RAM bandwidth
    assert speed.decode_expected < 80e9 / fit.cpu_read_bytes
    layer_split = check_fit(est._replace(expert_bytes=0), hw)  # what -ngl alone would do
    slow = assess(est._replace(expert_bytes=0), hw, model.parameters.active_count).speed
    assert layer_split.gpu_layers < 48
    assert slow is not None and slow.decode_expected is not None
    assert speed.decode_expected > slow.decode_expected
    sized = sized_from(model, assess(est, hw, model.parameters.active_count), 1)
    command = run_commands(model, sized)[0]["command"]
    assert f"--n-cpu-moe {fit.cpu_moe_layers}" in command and "-ngl 49" in command


def test_expert_offload_is_a_llama_cpp_option_only() -> None:
    from llm_pick.estimate.fit import check_fit
    from llm_pick.estimate.hardware import Hardware

    est = estimate_memory(scout(), "gptq-4bit", context=8192)
    fit = check_fit(est, Hardware("24 GiB", 24.0, ram_gib=128.0))
    assert fit.cpu_moe_layers == 0 and fit.gpu_layers < 48  # plain layer offload


def test_expert_offload_needs_the_ram_for_the_experts() -> None:
    from llm_pick.estimate.fit import check_fit
    from llm_pick.estimate.hardware import Hardware

    est = estimate_memory(scout(), "q4_k_m", context=8192)
    fit = check_fit(est, Hardware("24 GiB", 24.0, ram_gib=16.0))
    assert fit.cpu_moe_layers == 0 and fit.verdict == "none"


# ---- encoders (mmproj) and run commands ----------------------------------------------------


def vision_model(**gguf: Any) -> Model:
    runtimes = {
        "gguf": {"repo": "org/Model-GGUF", "quants": ["q4_k_m"], "source": "listing", **gguf}
    }
    return make(
        dict(entry()["architecture"]),
        encoder={"kind": "vision", "parameters": 438_960_000, "source": "card"},
        runtimes=runtimes,
    )


def test_encoder_counts_its_mmproj_file_unless_text_only() -> None:
    listed = vision_model(mmproj="mmproj-F16.gguf", mmproj_bytes=878_000_000)
    full = estimate_memory(listed, "q4_k_m")
    text = estimate_memory(listed, "q4_k_m", text_only=True)
    assert full.encoder_bytes == 878_000_000 and text.encoder_bytes == 0
    assert full.total_bytes - text.total_bytes == 878_000_000
    assert estimate_memory(vision_model(), "q4_k_m").encoder_bytes == 2 * 438_960_000
    assert any("text-only use can skip it" in a for a in full.assumptions)


def test_run_command_fetches_or_skips_the_mmproj() -> None:
    from llm_pick.reports.run import Sized, run_commands

    model = vision_model(mmproj="mmproj-F16.gguf", mmproj_bytes=878_000_000)
    vision = run_commands(model, Sized("q4_k_m", 4096, None, 32))[0]
    assert "-hf org/Model-GGUF:Q4_K_M" in vision["command"] and "mmproj" not in vision["command"]
    assert "mmproj-F16.gguf" in vision["note"]  # -hf fetches it itself
    text = run_commands(model, Sized("q4_k_m", 4096, None, 32, text_only=True))[0]
    assert text["command"].endswith("--no-mmproj")
    split = vision_model(mmproj="mmproj-F16.gguf", hf_ready=False)
    local = run_commands(split, Sized("q4_k_m", 4096, None, 32))[0]
    assert "-m MODEL.gguf --mmproj mmproj-F16.gguf" in local["command"]
    plain = run_commands(make(dict(entry()["architecture"])), Sized("q4_k_m", 4096, None, 32))
    assert all("mmproj" not in item["command"] for item in plain)


def test_ternary_models_get_only_a_command_that_can_run_them() -> None:
    from llm_pick.reports.run import Sized, run_commands

    model = make(dict(entry()["architecture"], ternary=True), hf_repo="tiiuae/Falcon-E-1B-Instruct")
    items = run_commands(model, Sized("i2_s", 4096, None, 32))
    assert [i["runtime"] for i in items] == ["bitnet.cpp"]
    assert (
        "ggml-model-i2_s.gguf" in items[0]["command"] and "llama-server" not in items[0]["command"]
    )
    assert run_commands(model, Sized("bf16", 4096, None, 32)) == []


def test_a_ternary_model_with_a_published_i2s_file_downloads_it() -> None:
    """bitnet.cpp's setup_env.py conversion of a LlamaForCausalLM BitNet checkpoint (Falcon3
    1.58-bit) is reported to write F16, not I2_S (microsoft/BitNet issues #619, #621): a
    recorded I2_S file is downloaded and setup_env.py -md only builds (BitNet README)."""
    from llm_pick.reports.run import Sized, run_commands

    repo = "tiiuae/Falcon3-7B-Instruct-1.58bit"
    gguf = {"repo": f"{repo}-GGUF", "quants": ["i2_s"], "source": "test"}
    arch = dict(entry()["architecture"], ternary=True)
    (item,) = run_commands(
        make(arch, hf_repo=repo, runtimes={"gguf": gguf}), Sized("i2_s", 8192, None, 32)
    )
    local = "models/Falcon3-7B-Instruct-1.58bit"
    assert item["command"].split(" && ") == [
        f"huggingface-cli download {repo}-GGUF ggml-model-i2_s.gguf --local-dir {local}",
        f"python setup_env.py -md {local} -q i2_s",
        f"./build/bin/llama-cli -m ./{local}/ggml-model-i2_s.gguf -c 8192 -cnv",
    ]


# ---- GGUF metadata of the new kinds (files written with the gguf package's writer) ----------


def _gguf(path: Path, arch: str, meta: dict[str, Any], tensors: dict[str, tuple[int, ...]]) -> Path:
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), arch)
    for key, value in meta.items():
        if isinstance(value, bool):
            writer.add_bool(key.format(arch=arch), value)
        elif isinstance(value, int):
            writer.add_uint32(key.format(arch=arch), value)
        else:
            writer.add_float32(key.format(arch=arch), value)
    for name, shape in tensors.items():
        writer.add_tensor(name, np.zeros(shape[::-1], dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_gguf_mamba2_file_reads_the_ssm_keys(tmp_path: Path) -> None:
    from llm_pick.catalog.gguf import read_gguf
    from llm_pick.estimate.modelfile import estimate_file, file_model

    meta = {
        "{arch}.block_count": 2,
        "{arch}.context_length": 4096,
        "{arch}.embedding_length": 64,
        "{arch}.ssm.conv_kernel": 4,
        "{arch}.ssm.inner_size": 128,
        "{arch}.ssm.state_size": 16,
        "{arch}.ssm.time_step_rank": 4,  # Mamba-2: the head count
        "{arch}.ssm.group_count": 2,
    }
    tensors = {"token_embd.weight": (64, 50), "blk.0.ssm_in.weight": (64, 2 * 128 + 2 * 2 * 16 + 4)}
    found = file_model(read_gguf(_gguf(tmp_path / "m2.gguf", "mamba2", meta, tensors)))
    arch = found.model.architecture
    assert arch.attention_count == 0 and arch.ssm is not None
    assert (arch.ssm.kind, arch.ssm.heads, arch.ssm.groups, arch.ssm.inner_size) == (
        "mamba2",
        4,
        2,
        128,
    )
    est = estimate_file(found, context=4096, batch=1, kv_dtype="fp16")
    assert est.kv_cache_bytes == 4 * 2 * (3 * (128 + 2 * 2 * 16) + 16 * 128)


def test_gguf_deepseek2_file_reads_latent_attention(tmp_path: Path) -> None:
    from llm_pick.catalog.gguf import read_gguf
    from llm_pick.estimate.modelfile import file_model

    meta = {
        "{arch}.block_count": 4,
        "{arch}.context_length": 4096,
        "{arch}.embedding_length": 64,
        "{arch}.feed_forward_length": 256,
        "{arch}.expert_feed_forward_length": 32,
        "{arch}.expert_count": 8,
        "{arch}.expert_used_count": 2,
        "{arch}.expert_shared_count": 1,
        "{arch}.leading_dense_block_count": 1,
        "{arch}.attention.head_count": 4,
        "{arch}.attention.head_count_kv": 1,
        "{arch}.attention.key_length": 48,  # kv_lora_rank + rope, as the MLA converter writes it
        "{arch}.attention.value_length": 32,
        "{arch}.attention.key_length_mla": 24,
        "{arch}.attention.value_length_mla": 16,
        "{arch}.attention.kv_lora_rank": 32,
        "{arch}.rope.dimension_count": 16,
        "{arch}.rope.freq_base": 10000.0,
    }
    tensors = {
        "token_embd.weight": (64, 50),
        "blk.1.ffn_up_shexp.weight": (64, 32),
        "blk.1.ffn_up_exps.weight": (64, 32, 8),
    }
    arch = file_model(
        read_gguf(_gguf(tmp_path / "ds.gguf", "deepseek2", meta, tensors))
    ).model.architecture
    assert arch.mla is not None and arch.attention == "mla"
    assert (arch.mla.kv_lora_rank, arch.mla.qk_rope_head_dim, arch.mla.qk_nope_head_dim) == (
        32,
        16,
        8,
    )
    assert (arch.head_dim, arch.kv_heads, arch.moe_count, arch.shared_experts) == (24, 4, 3, 1)
    assert arch.dense_intermediate_size == 256 and arch.intermediate_size == 32


# ---- speed ------------------------------------------------------------------------------------


def test_speed_reads_dense_shared_and_routed_bytes_under_the_bandwidth_ceiling() -> None:
    from llm_pick.estimate.assess import assess
    from llm_pick.estimate.hardware import Hardware

    model = scout()
    est = estimate_memory(model, "q4_k_m", context=8192)
    inv = inventory_of(model.architecture, "llama")
    w = weights(model, get_quant("q4_k_m"))
    # every routed expert is stored, one in 16 is read; the rest of the blocks is read whole
    assert w.experts_active * 16 == pytest.approx(w.experts, rel=1e-9)
    embedding = next(m for m in inv.matrices if m.kind == "token_embd")
    assert est.active_weight_bytes == w.total - w.experts + w.experts_active - _bytes(
        model, embedding
    )
    hw = Hardware("2 x 80 GiB", 80.0, gpus=2, bandwidth_gbs=3350.0)
    speed = assess(est, hw, model.parameters.active_count).speed
    assert speed is not None and speed.decode_high is not None
    assert speed.decode_high < 3350e9 / (est.active_weight_bytes + est.kv_cache_bytes)


def _bytes(model: Model, matrix: Any) -> int:
    """Stored bytes of one whole-model matrix under q4_k_m (the token table)."""
    from llm_pick.estimate.quant import gguf_types
    from llm_pick.estimate.weights import ggml_bytes, shape

    ((kind, _),) = gguf_types("q4_k_m", "token_embd", shape(model.architecture, model.family))
    return ggml_bytes(kind, matrix.outputs, matrix.inputs)


def test_hybrid_ssm_weights_are_read_every_token() -> None:
    _, fields, _ = config_fields("falcon-h1-1.5b.json")
    model = make(fields, family="falcon", parameters={"total": 1_554_863_488})
    w = weights(model, get_quant("bf16"))
    table = 2 * 65537 * 2048  # the embedding table is looked up, not read
    assert w.active == w.total - table


def test_the_chunked_layers_cache_is_quantized_with_the_rest() -> None:
    """llama.cpp PR #21277 kept the SWA part in F16; PR #21332 reverted it the next day."""
    model = scout()
    per_token_layer = 2 * 8 * 128  # elements
    q8 = kv_cache_bytes(model, 32768, kv_dtype="q8_0")
    assert q8 == (12 * 32768 + 36 * 8704) * per_token_layer * 34 // 32


def test_a_ternary_model_is_ranked_at_i2s_not_dropped() -> None:
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.ranking.pipeline import recommend
    from llm_pick.ranking.query import Query

    model = make(dict(entry()["architecture"], ternary=True), hf_repo="tiiuae/Falcon-E-1B-Instruct")
    result = recommend([model], Query(hardware=Hardware("8 GiB", 8.0).with_ram(16)))
    (pick,) = result.ranking
    assert pick.assessment.estimate.quant == "i2_s"
    speed = pick.assessment.speed
    assert speed is None or "speed unknown" in speed.note
    # bitnet.cpp's llama-cli runs on the CPU (-ngl 0): placed in RAM, with no CUDA context
    fit = pick.assessment.fit
    assert fit is not None and fit.verdict == "cpu"
    assert pick.assessment.estimate.cuda_context_bytes == 0


def test_a_ternary_model_without_ram_is_left_out_for_ram() -> None:
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.ranking.pipeline import recommend
    from llm_pick.ranking.query import Query

    model = make(dict(entry()["architecture"], ternary=True), hf_repo="tiiuae/Falcon-E-1B-Instruct")
    result = recommend([model], Query(hardware=Hardware("24 GiB", 24.0)))
    assert not result.ranking
    (left,) = result.excluded
    (said,) = [r for r in left.reasons if r.startswith("does not fit")]
    assert "i2_s runs on the CPU only (bitnet.cpp)" in said and "(--ram GiB)" in said


@pytest.mark.parametrize(("k", "v"), [("q8_0", None), ("fp16", "q8_0"), ("q8_0", "q4_0")])
def test_a_quantized_kv_cache_asked_for_does_not_stop_a_ternary_model(
    k: str, v: str | None
) -> None:
    """--kv-dtype/--v-dtype are llama.cpp's: bitnet.cpp's I2_S is sized with an fp16 cache,
    V as well as K. Before, --kv-dtype fp16 --v-dtype q8_0 stopped every ranking with an
    error as soon as the catalog held a ternary model."""
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.estimate.sizing import Sizing
    from llm_pick.ranking.pipeline import recommend
    from llm_pick.ranking.query import Query

    model = make(dict(entry()["architecture"], ternary=True), hf_repo="tiiuae/Falcon-E-1B-Instruct")
    sizing = Sizing(kv_dtype=k, v_dtype=v)
    query = Query(hardware=Hardware("8 GiB", 8.0).with_ram(16), sizing=sizing, kv_fixed=True)
    (pick,) = recommend([model], query).ranking
    estimate = pick.assessment.estimate
    assert estimate.quant == "i2_s" and estimate.kv_dtype == "fp16"


@pytest.mark.parametrize("gpu", [None, "RTX 4090"])
def test_a_ternary_model_gets_no_speed_assumed_from_a_cards_bandwidth(gpu: str | None) -> None:
    """No bitnet.cpp decode measurement was collected: the speed criterion credits nothing and
    says so, rather than a rate from the median bandwidth of the cards of that memory (which
    also ignored that a known card was given)."""
    from llm_pick.estimate.advice import tokens_per_second
    from llm_pick.estimate.hardware import Hardware
    from llm_pick.ranking.pipeline import recommend
    from llm_pick.ranking.query import Query

    model = make(dict(entry()["architecture"], ternary=True), hf_repo="tiiuae/Falcon-E-1B-Instruct")
    hardware = (Hardware("8 GiB", 8.0) if gpu is None else Hardware.from_gpu(gpu)).with_ram(16)
    (pick,) = recommend([model], Query(hardware=hardware)).ranking
    assert tokens_per_second(pick.assessment, hardware)[0] is None
    speed = pick.criteria["speed"]
    assert speed.value == 0.0 and speed.missing
    assert "speed unknown" in speed.note and "tokens/s" not in speed.note


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mamba_n_groups": 0}, "mamba_n_groups is 0"),
        ({"mamba_n_heads": "48"}, "mamba_n_heads is '48'"),
        ({"mamba_d_state": 2**40}, "not a count"),
    ],
)
def test_bad_new_config_values_are_one_clear_error(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    from conftest import run

    config = json.loads((CONFIGS / "falcon-h1-1.5b.json").read_text()) | change
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = run("import", str(path))
    assert result.code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error:") and message in result.stderr


def test_new_fields_survive_the_compiled_catalog_round_trip() -> None:
    import dataclasses

    from llm_pick.catalog import compiled

    row = next(r for r in bench_rows() if r["model"].startswith("deepseek-v3"))
    arch = dict(row["architecture"], attention_chunk=8192, local_layers=30)
    model = make(
        arch,
        parameters={"total": 671_000_000_000, "active": 37_000_000_000},
        encoder={"kind": "vision", "parameters": 2_500_000_000, "source": "card"},
        capabilities={
            "input": ["text", "image"],
            "reasoning": "toggle",
            "tools": True,
            "source": "card",
        },
        runtimes={
            "gguf": {
                "repo": "o/r",
                "quants": ["q4_k_m"],
                "source": "s",
                "mmproj": "mmproj-F16.gguf",
                "mmproj_bytes": 5_000_000_000,
            }
        },
    )
    plain = _plain(dataclasses.asdict(model))
    again = compiled.model(json.loads(json.dumps(plain)))
    assert again.architecture == model.architecture
    assert again.architecture.mla == model.architecture.mla
    assert again.encoder is not None and again.encoder.parameters == 2_500_000_000
    assert again.capabilities is not None and again.capabilities.input == ["text", "image"]
    assert again.runtimes is not None and again.runtimes.gguf is not None
    assert again.runtimes.gguf.mmproj_bytes == 5_000_000_000


def test_falcon_h1_ssm_round_trips_too() -> None:
    import dataclasses

    from llm_pick.catalog import compiled

    _, fields, _ = config_fields("falcon-h1-1.5b.json")
    model = make(fields, family="falcon", parameters={"total": 1_554_863_488})
    again = compiled.model(json.loads(json.dumps(_plain(dataclasses.asdict(model)))))
    assert again.architecture == model.architecture and again.architecture.ssm is not None


def test_max_context_of_a_pure_ssm_is_the_model_s_own() -> None:
    from llm_pick.estimate.assess import assess, longest_context
    from llm_pick.estimate.hardware import Hardware

    family, fields, context = config_fields("mamba-codestral-7b.json")
    model = make(fields, family=family, parameters={"total": 7285403648}, context_length=context)
    hw = Hardware("8 GiB", 8.0)
    item = assess(estimate_memory(model, "q4_k_m", context=4096), hw, model.parameters.total)
    assert longest_context(model, item, hw) == context == 2**20
    # a dense model of the same size on the same card runs out of KV cache long before
    dense = make(dict(entry()["architecture"]), context_length=2**20)
    dense_item = assess(estimate_memory(dense, "q4_k_m", context=4096), hw, dense.parameters.total)
    assert longest_context(dense, dense_item, hw) < 2**16


def test_import_of_a_llama4_folder_prints_the_new_fields(tmp_path: Path) -> None:
    import yaml
    from conftest import run

    (tmp_path / "config.json").write_text((CONFIGS / "llama-4-scout-17b-16e.json").read_text())
    result = run("import", str(tmp_path))
    assert result.code == 0, result.stderr
    (entry_out,) = yaml.safe_load(result.stdout)["models"]
    arch = entry_out["architecture"]
    assert (arch["shared_experts"], arch["moe_layers"], arch["local_layers"]) == (1, 48, 36)
    assert entry_out["encoder"]["kind"] == "vision"
    # Meta: "17B active parameters"
    assert entry_out["parameters"]["active"] == pytest.approx(17.2e9, rel=0.01)


def test_mistral3_config_reads_its_text_model_and_rope_parameters() -> None:
    family, fields, context = config_fields("ministral-3-8b-instruct-2512.json")
    assert family == "mistral" and context == 262144
    assert (fields["layers"], fields["hidden_size"], fields["kv_heads"]) == (34, 4096, 8)
    assert fields["rope_theta"] == 1_000_000.0  # rope_parameters.rope_theta


def test_show_describes_the_new_kinds(tmp_path: Path) -> None:
    from conftest import run, write_catalog

    _, ssm_fields, _ = config_fields("mamba-codestral-7b.json")
    mamba_entry = entry(id="mamba-test", parameters={"total": 7285403648})
    mamba_entry["architecture"] = ssm_fields  # replace, not merge, the base shape
    scout_entry = entry(
        id="scout-test", parameters={"total": 107_769_861_120, "active": 17_000_000_000}
    )
    scout_entry["architecture"] = dict(SCOUT)
    entries = [mamba_entry, scout_entry]
    path = write_catalog(tmp_path / "c.yaml", *entries)
    mamba = run("show", "mamba-test", "--catalog", str(path))
    assert mamba.code == 0, mamba.stderr
    assert "no attention layer" in mamba.stdout and "mamba2 in 64 layers" in mamba.stdout
    assert "None heads" not in mamba.stdout
    scout_out = run("show", "scout-test", "--catalog", str(path), "-f", "json")
    arch = scout_out.json()["architecture"]
    assert (arch["shared_experts"], arch["attention_chunk"], arch["local_layers"]) == (1, 8192, 36)
    assert scout_out.json()["attention"] == "gqa"


def _plain(value: object) -> object:
    """The plain JSON form tools/compile_data.py writes (dates as ISO text)."""
    from test_compiled import builder

    return builder()._plain(value)
