"""The machine-readable JSON report: the one place an `AuditResult` becomes plain data.

Its contract is `report/schema.json` (JSON Schema 2020-12), versioned by `schema_version`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from datacheck._parts import by_file
from datacheck._version import __version__

if TYPE_CHECKING:
    from datacheck.report._format import RenderOptions
    from datacheck.result import Answer, AuditResult, Finding, SourceInfo

#: the version of the report's contract (`report/schema.json`); a key is never renamed
SCHEMA_VERSION = 1

#: line numbers listed per check; `row_count` is always the full count
MAX_ROWS = 50


def render(result: AuditResult, options: RenderOptions) -> str:
    return encode(report_dict(result))


def report_dict(result: AuditResult) -> dict[str, Any]:
    """The JSON report as Python data, keys in the documented order."""
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "datacheck_version": __version__,
        "generated_at": result.generated_at,
        "source": source_dict(result.source),
    }
    if result.eval_source is not None:
        report["eval_source"] = source_dict(result.eval_source)
    report.update(
        {
            "detected": result.detected,
            "config": result.config,
            "profile": result.profile,
            "labels": result.labels,
            **({"labels_not_shown": result.labels_not_shown} if result.labels_not_shown else {}),
            "checks": [
                finding_dict(f, _files(result), result.record_lines, _parts(result))
                for f in result.checks
            ],
            "assessment": [answer_dict(a) for a in result.assessment],
            "sample": result.sample,
            "hygiene": result.hygiene,
            "tokens": result.tokens,
            "cost": result.cost,
            "recommendation": result.recommendation,
            "timings": result.timings,
            "verdict": result.verdict,
        }
    )
    if result.rows_export is not None:
        report["rows_export"] = result.rows_export
    if result.evaluation is not None:
        report["evaluation"] = result.evaluation
    if result.baseline is not None:
        report["baseline"] = result.baseline.to_dict()
    return report


def source_dict(source: SourceInfo) -> dict[str, Any]:
    return {
        "path": source.path,
        "format": source.format,
        "sha256": source.sha256,
        "rows": source.rows,
        "position": source.position,
        "load_errors": list(source.load_errors),
        "load_error_count": source.load_error_count,
        **({"parts": list(source.parts)} if source.parts else {}),
    }


def _files(result: AuditResult) -> dict[str, str]:
    """The file each split's line numbers count in (an eval split of the source is in it)."""
    evals = result.eval_source.path if result.eval_source is not None else result.source.path
    return {"train": result.source.path, "eval": evals}


def _parts(result: AuditResult) -> dict[str, tuple[dict[str, Any], ...]]:
    """Per split, the files of a folder source and the records each holds."""
    evals = result.eval_source if result.eval_source is not None else result.source
    return {"train": result.source.parts, "eval": evals.parts}


def _by_file(
    parts: tuple[dict[str, Any], ...], split: str, rows: tuple[int, ...]
) -> list[dict[str, Any]]:
    """A folder's rows per file: the first listed (numbered within the file) and how many."""
    listed = dict(by_file(parts, split, rows[:MAX_ROWS]))
    return [
        {"file": file, "rows": listed.get(file, []), "count": len(numbers)}
        for file, numbers in by_file(parts, split, rows)
    ]


def finding_dict(
    finding: Finding,
    files: dict[str, str],
    record_lines: tuple[int, ...] | None = None,
    parts: dict[str, tuple[dict[str, Any], ...]] | None = None,
) -> dict[str, Any]:
    """A finding as plain data, each list of rows with the file its lines count in; with
    `record_lines` (a pretty-printed JSON document), also the line where each listed
    training record starts."""
    out: dict[str, Any] = {
        "id": finding.id,
        "title": finding.title,
        "severity": finding.severity,
        "status": finding.status,
        "observed": finding.observed,
        "required": finding.required,
        "message": finding.message,
        "rows": list(finding.rows[:MAX_ROWS]),
        "row_count": finding.row_count,
        "rows_split": finding.rows_split,
        "rows_file": files[finding.rows_split],
        "fix": finding.fix,
        "expectation": finding.expectation,
        "details": finding.details,
        "same_cause_as": finding.same_cause_as,
        "impact": finding.impact,
        "failing": list(finding.failing),
    }
    if finding.eval_rows:
        out["eval_rows"] = list(finding.eval_rows[:MAX_ROWS])
        out["eval_row_count"] = len(finding.eval_rows)
        out["eval_rows_file"] = files["eval"]
    parts = parts or {}
    if finding.rows and parts.get(finding.rows_split):
        out["rows_by_file"] = _by_file(parts[finding.rows_split], finding.rows_split, finding.rows)
    if finding.eval_rows and parts.get("eval"):
        out["eval_rows_by_file"] = _by_file(parts["eval"], "eval", finding.eval_rows)
    if record_lines is not None and finding.rows_split == "train":
        out["row_lines"] = [
            record_lines[row - 1] for row in out["rows"] if 0 < row <= len(record_lines)
        ]
    return out


def answer_dict(answer: Answer) -> dict[str, Any]:
    return {"question": answer.question, "answer": answer.answer, "evidence": answer.evidence}


def encode(value: Any, indent: int | None = 2) -> str:
    """`value` as JSON text ending in a newline: indented like `json.dumps(indent=...)`, except
    that a list of numbers (line numbers, mostly) stays on one line."""
    if indent is None:
        return _compact(value) + "\n"
    return _indented(value, indent) + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _indented(value: Any, indent: int, depth: int = 0) -> str:
    """The standard library indents in Python, a line per number: on a million rows
    near-duplicate clusters made that 20 MB and 0.28 s; its C encoder writes such a list."""
    if isinstance(value, dict) and value:
        inner = "\n" + " " * (indent * (depth + 1))
        items = [f"{_compact(str(k))}: {_indented(v, indent, depth + 1)}" for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + "\n" + " " * (indent * depth) + "}"
    if isinstance(value, (list, tuple)) and value and not _numbers(value):
        inner = "\n" + " " * (indent * (depth + 1))
        items = [_indented(v, indent, depth + 1) for v in value]
        return "[" + inner + ("," + inner).join(items) + "\n" + " " * (indent * depth) + "]"
    return _compact(value)


def _numbers(values: list[Any] | tuple[Any, ...]) -> bool:
    return set(map(type, values)) <= {int, float}
