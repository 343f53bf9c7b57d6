"""The `hardware` command's report: what detection found, from which tool, and what it means
for sizing (usable memory per card, the matched preset's bandwidth). Prints nothing."""

from __future__ import annotations

from typing import Any

from llm_pick.errors import InputError
from llm_pick.estimate.detect import Detection, RamDetection, detect_gpus, detect_ram
from llm_pick.reports.report import Report

COLUMNS = ("kind", "name", "tool", "memory_bytes", "usable_bytes", "preset", "bandwidth_gbs")


def gpu_data(found: Detection | None, problem: str | None) -> dict[str, Any]:
    if found is None:
        return {"detected": False, "problem": problem}
    preset = found.gpu
    return {
        "detected": True,
        "tool": found.tool,
        "command": found.command,
        "cards": [{"name": c.name, "memory_bytes": c.memory_bytes} for c in found.cards],
        "usable_bytes_per_card": found.usable_bytes,
        "usable_gib_per_card": round(found.usable_gib, 2),
        "usable_rule": found.usable_note,
        "preset": preset.id if preset else None,
        "memory_bandwidth_gbs": preset.memory_bandwidth_gbs if preset else None,
        "fp16_tflops": preset.fp16_tflops if preset else None,
        "notes": list(found.notes),
    }


def ram_data(found: RamDetection | None, problem: str | None) -> dict[str, Any]:
    if found is None:
        return {"detected": False, "problem": problem}
    return {
        "detected": True,
        "source": found.source,
        "total_bytes": found.total_bytes,
        "available_bytes": found.available_bytes,
        "usable_bytes": found.usable_bytes,
    }


def hardware_report() -> Report:
    gpu: Detection | None = None
    ram: RamDetection | None = None
    gpu_problem = ram_problem = None
    try:
        gpu = detect_gpus()
    except InputError as error:
        gpu_problem = str(error).removeprefix("--vram auto: ")
    try:
        ram = detect_ram()
    except InputError as error:
        ram_problem = str(error).removeprefix("--ram auto: ")
    data = {"gpu": gpu_data(gpu, gpu_problem), "ram": ram_data(ram, ram_problem)}
    rows: list[list[Any]] = []
    if gpu is not None:
        preset = gpu.gpu
        for card in gpu.cards:
            rows.append(
                [
                    "gpu",
                    card.name,
                    gpu.tool,
                    card.memory_bytes,
                    gpu.usable_bytes,
                    preset.id if preset else None,
                    preset.memory_bandwidth_gbs if preset else None,
                ]
            )
    if ram is not None:
        rows.append(
            ["ram", "system RAM", ram.source, ram.total_bytes, ram.usable_bytes, None, None]
        )

    def table() -> Any:
        from llm_pick.render.hardware import hardware_table

        return hardware_table(data)

    notes = [gpu_problem] if gpu is None and gpu_problem else []  # "no GPU detected (...)"
    return Report(data=data, columns=COLUMNS, rows=rows, table=table, notes=notes)
