"""Reports for `recommend` and `explain`: the documented JSON shape, flat rows, renderables.
Builds data only; prints nothing. The JSON Schema of the recommend output is here too."""

from __future__ import annotations

from typing import Any

from llm_pick.catalog.load import Catalog, bundled_location
from llm_pick.catalog.types import License, Model
from llm_pick.estimate.advice import memory_reason
from llm_pick.estimate.assess import longest_context
from llm_pick.estimate.hardware import GIB
from llm_pick.estimate.memory import DEFAULT_CONTEXT
from llm_pick.ranking.pipeline import lineage
from llm_pick.ranking.result import Candidate, Exclusion, Option, Recommendation, licence_said
from llm_pick.ranking.serve import choose_runtime
from llm_pick.ranking.topn import excluded_reasons
from llm_pick.reports.headline_json import headline_fields, with_assumed
from llm_pick.reports.reasons_more import reasons_of, vllm_short
from llm_pick.reports.report import Report
from llm_pick.reports.runtime_pick import in_runtime_order, runtime_info
from llm_pick.reports.sizing_notes import footnotes, sizing_notes
from llm_pick.scoring.constraints import evaluate as evaluate_constraints

SCHEMA_VERSION = 1


def catalog_info(catalog: Catalog) -> dict[str, Any]:
    bundled = bundled_location()
    return {
        "sources": ["bundled" if s.path == bundled else s.path for s in catalog.sources],
        "sha256": catalog.sha256,
        "models": len(catalog),
        "as_of": catalog.as_of.isoformat() if catalog.as_of else None,
    }


def query_info(rec: Recommendation) -> dict[str, Any]:
    query, sizing = rec.query, rec.query.sizing
    default = f"min({DEFAULT_CONTEXT}, the model's context)"
    return {
        "constraints": query.constraints.describe(),
        "hardware": query.hardware.describe() if query.hardware else None,
        "context": sizing.context,
        "context_default": default if sizing.context is None else None,
        "required_context": query.required_context,
        "batch": sizing.batch,
        "runtime": runtime_info(*choose_runtime(query)),
        "kv_dtype": sizing.kv_dtype,
        "kv_dtype_fixed": query.kv_fixed,
        **({"v_dtype": sizing.v_dtype} if sizing.v_dtype else {}),
        "flash_attn": sizing.flash_attn,
        "quant": query.quant,
        "min_bits": query.min_bits,
        "candidate_quants": [q.name for q in query.candidates()],
        "profile": query.profile.name if query.profile else "balanced",
        "weights": {name: round(w, 6) for name, w in rec.weights.items()},
        "top": query.top,
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def run_commands_for(cand: Candidate, rec: Recommendation) -> list[dict[str, Any]]:
    """The commands that run this pick as sized (reports/run.py): [{runtime, command,
    source?, note?}] for llama.cpp, and Ollama and vLLM when they serve it."""
    from llm_pick.reports.run import (
        installed_commands,
        not_loaded,
        run_commands,
        serving_command,
        sized_from,
    )

    gpus = rec.query.hardware.gpus if rec.query.hardware else 1
    sized = sized_from(cand.model, cand.assessment, gpus, rec.query.sizing.batch)
    if rec.query.hardware and rec.query.hardware.threads:  # --threads: llama.cpp -t
        sized = sized._replace(threads=rec.query.hardware.threads)
    copy = rec.query.installed.get(cand.model.id)
    if copy:
        return installed_commands(copy, sized)
    served = None
    if cand.serving:  # a vLLM plan: the serving module is loaded only then
        from llm_pick.estimate.serving import fp8_mode

        hardware = rec.query.hardware
        served = serving_command(
            cand.model, cand.serving, None if hardware is None else fp8_mode(hardware)
        )
    commands = run_commands(cand.model, sized)
    if served is not None:
        commands = [served, *(c for c in commands if c["runtime"] != "vllm")]
    loads = not_loaded(cand.model, "ollama") is None
    return in_runtime_order(commands, choose_runtime(rec.query).name, loads)


def candidate_dict(rank: int, cand: Candidate, rec: Recommendation) -> dict[str, Any]:
    est, lic = cand.assessment.estimate, cand.model.license
    return (
        {
            "rank": rank,
            "model": cand.model.id,
            "name": cand.model.name,
            "score": round(cand.score, 6),
            **headline_fields(cand, rec),  # under the runtime assumed for it
            "context_length": cand.model.context_length,
            "context": est.context,
            "kv_dtype": est.kv_dtype,
            **({"v_dtype": est.v_dtype} if est.v_dtype and est.v_dtype != est.kv_dtype else {}),
            "flash_attn": est.flash_attn,
            "license": license_dict(lic),
            "criteria": {name: c.as_dict() for name, c in cand.criteria.items()},
            "reasons": reasons_of(cand, rec),
            "serving": cand.serving.as_dict() if cand.serving else None,
            "run": run_commands_for(cand, rec),
        }
        | _weights_note(cand)
        | effective_context(cand.model)
        | sizing_notes(cand, rec)
    )


def effective_context(model: Model) -> dict[str, Any]:
    """Beside max_context: published evaluations of the context the model really uses."""
    import dataclasses

    from llm_pick.catalog.longctx import effective_note

    rows = model.effective_context
    if not rows:
        return {}
    return {
        "effective_context": {
            "note": effective_note(rows),
            "evaluations": [dataclasses.asdict(r) for r in rows],
        }
    }


def _weights_note(cand: Candidate) -> dict[str, str]:
    """A weight-diff release: how the weights are obtained (reports/run.py)."""
    from llm_pick.reports.run import weights_note

    note = weights_note(cand.model)
    return {} if note is None else {"weights_note": note}


def recommend_data(rec: Recommendation, catalog: Catalog) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "query": query_info(rec),
        "catalog": catalog_info(catalog),
        "estimated": True,
        "ranking": [candidate_dict(i, c, rec) for i, c in enumerate(rec.shown, 1)],
        "excluded": [{"model": m.id, "reasons": list(r)} for m, r in excluded_reasons(rec)],
    }
    if not rec.ranking:
        data["closest"] = list(rec.hints)
        data["closest_changes"] = [fix.as_dict() for fix in rec.fixes]
    return data


def recommend_report(
    rec: Recommendation, catalog: Catalog, show_excluded: bool, chart: str | None = None
) -> Report:
    def extras() -> tuple[list[dict[str, Any]], str | None, str | None]:
        top = run_commands_for(rec.shown[0], rec) if rec.shown else []
        as_of = catalog.as_of.isoformat() if catalog.as_of else None
        weights = _weights_note(rec.shown[0]).get("weights_note") if rec.shown else None
        return top, as_of, weights

    def table() -> Any:
        from llm_pick.render.results import recommendation

        view = recommendation(rec, show_excluded, *extras())
        if chart is None:
            return view
        from llm_pick.render.chart import below

        return below(view, rec, lineage(catalog), chart)

    def plain(width: int) -> str | None:
        if chart is not None or (show_excluded and rec.excluded):
            return None  # the chart and the excluded table are rich's
        from llm_pick.render.plain import write
        from llm_pick.render.recparts import recommendation_parts

        return write(recommendation_parts(rec, show_excluded, *extras()), width)

    def page() -> str:
        from llm_pick.reports.html import recommend_page

        return recommend_page(rec, recommend_data(rec, catalog), lineage(catalog))

    from llm_pick.reports.sheet import COLUMNS, LazyRows, rows

    return Report(
        data=lambda: recommend_data(rec, catalog),
        columns=COLUMNS,
        rows=LazyRows(lambda: rows(rec, run_commands_for)),
        table=table,
        html=page,
        notes=footnotes(rec),
        plain=plain,
    )


# ---- explain --------------------------------------------------------------------------


def explain_data(model: Model, rec: Recommendation) -> dict[str, Any]:
    """Each constraint passed or failed, and each criterion's value, weight and contribution."""
    query = rec.query
    checks = [
        {"constraint": name, "passed": passed, "detail": detail}
        for name, passed, detail in evaluate_constraints(model, query.wanted())
    ]
    outcome = rec.outcome(model.id)
    chosen = outcome.assessment if isinstance(outcome, Candidate) else None
    smallest = None
    if isinstance(outcome, Exclusion):
        chosen, smallest = outcome.chosen, outcome.smallest
    memory: dict[str, Any] | None = None
    if chosen is not None:
        fit = chosen.fit
        detail = f"{chosen.estimate.total_bytes / GIB:.1f} GiB at {chosen.estimate.quant}"
        if fit is not None:
            detail += f", {fit.available_bytes / GIB:.1f} GiB available ({fit.verdict})"
        checks.append({"constraint": "memory", "passed": True, "detail": detail})
        memory = chosen.as_dict()
        if isinstance(block := memory.get("speed"), dict):
            memory["speed"] = with_assumed(block, chosen, query.hardware)
        if fit is not None:  # how far this format's context goes here, as recommend and memory say
            memory["max_context"] = (
                outcome.max_context
                if isinstance(outcome, Candidate)
                else longest_context(model, chosen, query.hardware)
            )
    elif smallest is not None and query.hardware is not None:
        checks.append(
            {
                "constraint": "memory",
                "passed": False,
                "detail": memory_reason(smallest, query.hardware),
            }
        )
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "model": model.id,
        "query": query_info(rec),
        "constraints": checks,
        "passed": all(c["passed"] for c in checks),
        "memory": memory,
        "license": license_dict(model.license),
    }
    if isinstance(outcome, Candidate):
        cand = outcome
        data["formats"] = [
            option_dict(cand, option, option.assessment is cand.assessment)
            for option in cand.options
        ]
        data |= {
            "rank": rec.rank(model.id),
            "of": len(rec.ranking),
            "score": round(cand.score, 6),
            "criteria": {n: c.as_dict() for n, c in cand.criteria.items()},
            "reasons": reasons_of(cand, rec),
            "run": run_commands_for(cand, rec),
            "as_run": headline_fields(cand, rec),  # the figures recommend headlines
            "serving": cand.serving.as_dict() if cand.serving else None,  # the vLLM plan
        }
    else:
        data |= {"rank": None, "of": len(rec.ranking), "score": None, "criteria": None}
        # why the memory block's format, and the licence's conditions as a ranked pick says them
        choice = list(outcome.choice) if isinstance(outcome, Exclusion) else []
        said = choice + list(licence_said(model)) + vllm_short(outcome, rec)
        if said:
            data["reasons"] = said
        data |= _one_change(outcome, rec)
    # ranked or left out, how its weights are obtained and the context it really uses
    from llm_pick.reports.run import weights_note

    note = weights_note(model)
    return data | ({"weights_note": note} if note else {}) | effective_context(model)


def _one_change(outcome: Any, rec: Recommendation) -> dict[str, Any]:
    """For a model the query leaves out: the one option that admits it (ranking/deadend.py,
    checked by ranking it again with that option), when one does."""
    if not isinstance(outcome, Exclusion):
        return {}
    from llm_pick.ranking.deadend import one_change
    from llm_pick.ranking.pipeline import admits

    fixes = one_change((outcome,), rec.query, lambda m, q: admits(m, q, {m.id: m}))
    return {"one_change": fixes[0].option} if fixes else {}


def license_dict(lic: License) -> dict[str, Any]:
    return {
        "id": lic.id,
        "name": lic.name,
        "commercial_use": lic.commercial_use,
        "conditions": lic.conditions,
        "key_conditions": list(lic.key_conditions or ()),
    }


def option_dict(cand: Candidate, option: Option, chosen: bool) -> dict[str, Any]:
    """One candidate format of an explained model: memory, max context, speed, quality."""
    est, speed = option.assessment.estimate, option.assessment.speed
    quality = option.values["quality"]
    return {
        "quant": est.quant,
        "kv_dtype": est.kv_dtype,
        "total_bytes": option.assessment.total_bytes,  # every card's overhead
        "fit": option.assessment.fit.verdict if option.assessment.fit else None,
        "max_context": longest_context(cand.model, option.assessment, cand.hardware),
        "tokens_per_second": _round(speed.decode_mid if speed else None),
        "quality_value": round(quality.value, 6),
        "speed_value": round(option.values["speed"].value, 6),
        "score": round(option.score, 6),
        "chosen": chosen,
    }


def explain_report(model: Model, rec: Recommendation, catalog: Catalog | None = None) -> Report:
    data = explain_data(model, rec)
    flat: list[list[Any]] = [
        ["constraint", c["constraint"], "pass" if c["passed"] else "FAIL", c["detail"]]
        for c in data["constraints"]
    ]
    for name, c in (data["criteria"] or {}).items():
        flat.append(
            [
                "criterion",
                name,
                f"{c['value']:.3f} x {c['weight']:.3f} = {c['contribution']:.3f}",
                c["note"],
            ]
        )
    for command in data.get("run", []):
        flat.append(["run", command["runtime"], command["command"], command.get("note", "")])
    for f in data.get("formats", []):
        speed = "-" if f["tokens_per_second"] is None else f"{f['tokens_per_second']} tok/s"
        flat.append(
            [
                "format",
                f["quant"] + ("" if f["kv_dtype"] == "fp16" else f" +kv {f['kv_dtype']}"),
                f"{f['score']:.3f}" + (" chosen" if f["chosen"] else ""),
                f"{f['total_bytes'] / GIB:.1f} GiB, {f['fit']}, max context "
                f"{f['max_context']:,}, {speed}, quality {f['quality_value']:.3f}",
            ]
        )

    def table() -> Any:
        from llm_pick.render.results import explanation

        return explanation(model, data)

    def page() -> str:
        from llm_pick.reports.html import explain_page

        models = {} if catalog is None else lineage(catalog)
        return explain_page(model, rec, data, models)

    return Report(
        data=data,
        columns=("kind", "name", "result", "detail"),
        rows=flat,
        table=table,
        html=page,
        title=f"llm-pick: explain {model.id}",
    )
