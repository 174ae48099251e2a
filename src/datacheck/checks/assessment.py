"""The guide's four quick-assessment questions, answered from the data where it can answer."""

from __future__ import annotations

import polars as pl

from datacheck._frames import number
from datacheck._words import plural
from datacheck.checks import Context, Finding
from datacheck.checks._json_facts import JsonFacts
from datacheck.result import Answer

QUESTIONS = (
    "Can you define success with numbers?",
    "Is your data ready?",
    "Is the task consistent?",
    "Can a human verify correctness?",
)


def _structured(ctx: Context) -> tuple[bool, str]:
    if ctx.task == "classification":
        categories = ctx.tables["categories"].frame.height if "categories" in ctx.tables else 0
        spellings = ctx.tables["spellings"].frame.height if "spellings" in ctx.tables else 0
        written = f" ({spellings:,} as written)" if spellings > categories else ""
        return True, f"outputs are a fixed set of {plural(categories, 'label')}{written}"
    if ctx.detection.schema == "spans":
        slots = ctx.train["spans"].list.eval(pl.element().struct.field("entity")).explode()
        shape = f"outputs are character spans of {plural(slots.drop_nulls().n_unique(), 'slot')}"
        if ctx.labelled:
            intents = ctx.tables["categories"].frame.height if "categories" in ctx.tables else 0
            shape += f" and one of {plural(intents, 'intent')}"
        return True, shape
    if "json_facts" in ctx.facts:
        facts = ctx.fact("json_facts", JsonFacts)
        share = number(facts.table["json_ok"].mean())
        return share >= 0.9, (
            f"{share:.0%} of outputs are JSON objects with fields "
            f"{', '.join(facts.expected_keys) or '(none)'}"
        )
    return False, "outputs are free-form text"


def answer(ctx: Context, findings: list[Finding]) -> list[Answer]:
    by_id = {f.id: f for f in findings}
    structured, shape = _structured(ctx)
    failed = [f for f in findings if f.status == "fail" and f.severity == "error"]

    metric = (
        ("yes", f"{shape}: accuracy per field or per label can be measured")
        if structured
        else ("not from the data", f"{shape}: decide how you will score an answer before training")
    )
    volume = [
        by_id[i] for i in ("volume.total", "volume.per_category", "volume.per_slot") if i in by_id
    ]
    short = [f for f in volume if f.status == "fail" and f.same_cause_as is None]
    if short:
        ready = ("no", "; ".join(f.message for f in short))
    else:
        evidence = (
            f"{plural(ctx.train.height, 'example')} meet the "
            f"{ctx.profile.use_case.lower()} profile "
            f"({ctx.profile.guide_requirement})"
        )
        ready = (
            ("not yet", f"{evidence}, but {len(failed)} error check(s) fail")
            if failed
            else ("yes", evidence)
        )
    consistency_ids = ("labels.variants", "format.json_keys", "format.json_types",
                       "format.chat_roles", "format.pc_conventions")  # fmt: skip
    broken = [by_id[i] for i in consistency_ids if i in by_id and by_id[i].status == "fail"]
    lengths = ctx.train["target_text"].fill_null("").str.len_chars().cast(pl.Float64)
    spread = float(lengths.std() or 0.0) / max(float(lengths.mean() or 0.0), 1.0)
    if broken:
        consistent = ("no", "; ".join(f"{f.id}: {f.message}" for f in broken))
    elif structured:
        consistent = ("yes", f"{shape}, used consistently")
    else:
        consistent = (
            "partly" if spread < 1.0 else "no",
            f"free-form outputs; their length varies by {spread:.0%} of the mean",
        )
    verify = (
        ("yes", f"{shape}: a reviewer can check each answer against the input")
        if structured
        else ("hard", f"{shape}: checking an answer needs judgement")
    )
    return [
        Answer(question=q, answer=a, evidence=e)
        for q, (a, e) in zip(QUESTIONS, (metric, ready, consistent, verify), strict=True)
    ]
