"""The `hardware` table: what was detected, from which tool, and what it means. Returns a
renderable; prints nothing."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

from llm_pick.render.cells import text

GIB = 1024**3


def hardware_table(data: dict[str, Any]) -> Table:
    table = Table(box=box.SIMPLE, show_header=False, title=text("Detected hardware", "bold"))
    table.add_column("field", style="cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    gpu, ram = data["gpu"], data["ram"]
    if gpu["detected"]:
        table.add_row("GPU tool", text(gpu["command"]))
        for index, card in enumerate(gpu["cards"]):
            table.add_row(
                f"card {index}", text(f"{card['name']}, {card['memory_bytes'] / GIB:.1f} GiB")
            )
        table.add_row(
            "usable per card",
            text(f"{gpu['usable_gib_per_card']:.1f} GiB ({gpu['usable_rule']})"),
        )
        if gpu["preset"]:
            speed = f"{gpu['memory_bandwidth_gbs']:g} GB/s"
            if gpu["fp16_tflops"]:
                speed += f", {gpu['fp16_tflops']:g} fp16 TFLOPS"
            table.add_row("preset", text(f"{gpu['preset']} ({speed}; data/gpus.yaml)"))
        else:
            table.add_row("preset", text("none matched: tok/s needs --gpu NAME"))
        for note in gpu["notes"]:
            table.add_row("note", text(note))
    else:
        table.add_row("GPU", text(f"none detected ({gpu['problem']})"))
    if ram["detected"]:
        line = f"{ram['total_bytes'] / GIB:.1f} GiB total"
        if ram["available_bytes"] is not None:
            line += f", {ram['available_bytes'] / GIB:.1f} GiB available (used by --ram auto)"
        table.add_row("system RAM", text(f"{line}; from {ram['source']}"))
    else:
        table.add_row("system RAM", text(f"not detected ({ram['problem']})"))
    return table
