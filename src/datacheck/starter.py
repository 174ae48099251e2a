"""The commented starter configuration `datacheck init` writes."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import polars as pl

from datacheck.checks import REGISTRY
from datacheck.limits import Limits
from datacheck.profiles import COMMON, PROFILES


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def starter_config(path: str | Path | None) -> str:
    """A datacheck.toml with every key explained; filled in from the data when a path is given."""
    task, text_field, label_field, labels = "classification", None, None, None
    header = "# datacheck configuration. Every key is optional; delete what you do not need."
    if path is not None:
        from datacheck._audit import require_rows
        from datacheck.detect import detect
        from datacheck.load import load
        from datacheck.normalize import normalize

        loaded = load(path)
        require_rows(loaded)
        detection = detect(loaded.frame)
        task, label_field = detection.task, detection.label_field
        text_field = detection.text_field if detection.schema != "chat" else None
        if task == "classification":
            from datacheck.checks.labels import spelling_table

            written = normalize(loaded.frame, detection).select(pl.col("label").cast(pl.String))
            written = written.filter(pl.col("label").str.strip_chars().fill_null("") != "")
            spellings = spelling_table(written, "label")
            # one spelling per label, the most common, as labels.variants asks
            labels = sorted({str(v).strip() for v in spellings["category"].to_list()})
        header += f"\n# Written for {path}: {detection.schema} data, {task}."
    profile = PROFILES[task]
    lines = [
        header,
        "",
        "# The fine-tuning task: " + ", ".join(PROFILES) + ".",
        f"task = {_toml(task)}",
        "",
        "# Columns holding the input text and the label (or JSON output); detected if left out.",
        f"{'' if text_field else '# '}text_field = {_toml(text_field or 'text')}",
        f"{'' if label_field else '# '}label_field = {_toml(label_field or 'label')}",
        "",
        "# The labels you mean to train on; any other label in the data is reported.",
        f"{'' if labels else '# '}labels = {_toml(labels or ['Billing', 'Technical', 'Account'])}",
        "",
        "# Extraction: fields inside the JSON output that act as labels, and fields every",
        "# output must have.",
        '# label_fields = ["issue_type", "priority"]',
        '# required_fields = ["order_id", "issue_type", "priority"]',
        "",
        "# One of the guide's hard-to-verify use cases, if yours is one: open_chat,",
        "# creative_writing, general_qa, complex_decisions, realtime_generation.",
        '# use_case = "general_qa"',
        "",
        "# Held-out data to audit alongside (relative to this file).",
        '# eval = "data/eval.jsonl"',
        "",
        '# Exit 1 on failing errors only ("error"), or on warnings too ("warning").',
        'fail_on = "error"',
        "",
        "# The meaning-level checks (suspect labels, paraphrases under two labels, eval rows",
        "# that paraphrase training ones): pip install 'datacheck[semantic]' first.",
        "# semantic = true",
        "",
        f"# Thresholds. The {task} profile follows the guide: {profile['guide_requirement']}.",
        "[thresholds]",
    ]
    for key, value in [
        *((k, v) for k, v in profile.items() if isinstance(v, (int, float))),
        *COMMON.items(),
    ]:
        lines.append(f"# {key} = {_toml(value)}")
    lines += [
        "",
        '# Severity per check: "error", "warning", "info" or "off". List them: datacheck checks',
        "[checks]",
    ]
    lines += [f'# "{cid}" = "{cls.severity}"' for cid, cls in sorted(REGISTRY.items())]
    lines += [
        "",
        "# Report files written on every run.",
        "[output]",
        '# json = "datacheck-report.json"',
        "",
        "# How far reading goes before it stops with a message (see the README's Limits).",
        "[limits]",
    ]
    lines += [f"# {f.name} = {_toml(f.default)}" for f in fields(Limits)]
    lines.append("")
    return "\n".join(lines)
