"""`llm-pick local`: the models already on this machine, each with its exact memory from the
file at the asked context, whether it fits, its speed, and the command that runs that copy."""

from __future__ import annotations

from typing import Any

from llm_pick.estimate.assess import assess_model
from llm_pick.estimate.hardware import Hardware
from llm_pick.estimate.installed import Found
from llm_pick.estimate.sizing import Sizing
from llm_pick.reports.report import Report
from llm_pick.reports.run import installed_commands, sized_from

COLUMNS = (
    "store",
    "name",
    "path",
    "quant",
    "parameters",
    "context",
    "total_bytes",
    "fit",
    "decode_tps_expected",
    "run",
    "problem",
)


def _item(
    found: Found, sizing: Sizing, hardware: Hardware | None
) -> tuple[dict[str, Any], list[Any]]:
    file = found.file
    data: dict[str, Any] = {
        "store": file.store,
        "name": file.name,
        "path": str(file.path),
        "mmproj": str(file.mmproj) if file.mmproj else None,
        "ollama_tag": file.ollama_tag,
    }
    if found.model is None:
        data["problem"] = found.problem
        return data, [file.store, file.name, str(file.path), *[None] * 7, found.problem]
    model = found.model.model
    # a file trained for fewer tokens than asked is sized at its own context
    sized = sizing.at(min(sizing.tokens(model), model.context_length))
    result = assess_model(found.model, found.model.quant, sized, hardware)
    gpus = hardware.gpus if hardware else 1
    run = installed_commands(file, sized_from(model, result, gpus))
    est, fit, speed = result
    data |= result.as_dict() | {
        "quant": found.model.quant,
        "parameters": model.parameters.total,
        "weights_exact": True,
        "sized_from": f"file: the exact bytes of its {found.model.weights.tensors} tensors",
        "run": run,
        "problem": None,
    }
    expected = speed.decode_expected if speed else None
    row = [
        *(file.store, file.name, str(file.path), found.model.quant),
        *(model.parameters.total, est.context, est.total_bytes),
        fit.verdict if fit else None,
        None if expected is None else round(expected, 1),
        run[0]["command"],
        None,
    ]
    return data, row


def local_report(found: list[Found], sizing: Sizing, hardware: Hardware | None) -> Report:
    """One row per file found; a file that cannot be read says why."""
    pairs = [_item(f, sizing, hardware) for f in found]
    rows = [row for _, row in pairs]
    data = {
        "hardware": hardware.describe() if hardware else None,
        "estimated": True,
        "models": [item for item, _ in pairs],
    }

    def table() -> Any:
        from llm_pick.render.local import local_table

        return local_table(rows, hardware.label if hardware else None)

    notes = [] if pairs else ["No GGUF model found in the known stores (llm-pick local --help)."]
    return Report(data=data, columns=COLUMNS, rows=rows, table=table, notes=notes)
