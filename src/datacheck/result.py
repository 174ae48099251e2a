"""The result of an audit: plain, frozen data that every renderer reads."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datacheck._version import __version__

SCHEMA_VERSION = 1
VERDICTS = ("ready", "ready_with_warnings", "not_ready")


@dataclass(frozen=True)
class SourceInfo:
    path: str
    format: str
    sha256: str | None
    rows: int
    position: str
    load_errors: tuple[dict[str, Any], ...]
    load_error_count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "sha256": self.sha256,
            "rows": self.rows,
            "position": self.position,
            "load_errors": list(self.load_errors),
            "load_error_count": self.load_error_count,
        }


@dataclass(frozen=True)
class AuditResult:
    """Everything an audit found. `to_dict()` is the JSON report's contract."""

    source: SourceInfo
    detected: dict[str, Any]
    config: dict[str, Any]
    profile: dict[str, Any]
    labels: dict[str, int] | None
    checks: tuple[dict[str, Any], ...]
    assessment: tuple[dict[str, Any], ...]
    verdict: str
    generated_at: str
    eval_source: SourceInfo | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: for the HTML report only (not in the JSON): a few affected rows per failing check,
    #: unmasked (renderers mask them), and binned token-length distributions
    samples: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict, repr=False)
    distributions: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ready(self) -> bool:
        return self.verdict != "not_ready"

    @property
    def failed_checks(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if c["status"] == "fail"]

    def to_dict(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "datacheck_version": __version__,
            "generated_at": self.generated_at,
            "source": self.source.to_dict(),
        }
        if self.eval_source is not None:
            report["eval_source"] = self.eval_source.to_dict()
        report.update(
            {
                "detected": self.detected,
                "config": self.config,
                "profile": self.profile,
                "labels": self.labels,
                "checks": list(self.checks),
                "assessment": list(self.assessment),
            }
        )
        report.update(self.extras)
        report["timings"] = self.timings
        report["verdict"] = self.verdict
        return report

    def to_html(self, *, plotly_js: str = "inline", show_pii: bool = False) -> str:
        """The self-contained HTML readiness report."""
        from datacheck.report.html import render_html

        return render_html(self, plotly_js=plotly_js, show_pii=show_pii)

    def save_html(self, path: str | Path, **options: Any) -> Path:
        """Write the HTML report to `path` (atomically) and return the path."""
        from datacheck.report._write import write_atomic

        target = Path(path)
        write_atomic(target, self.to_html(**options), inputs=[self.source.path])
        return target

    def _repr_html_(self) -> str:
        """Notebooks show the report inline (plotly.js from the CDN keeps notebooks light)."""
        return self.to_html(plotly_js="cdn")

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON report; identical input and options give identical text but for
        `generated_at` and `timings`. Indented, except that a list of numbers (line numbers,
        mostly) stays on one line."""
        if indent is None:
            return _compact(self.to_dict()) + "\n"
        return _indented(self.to_dict(), indent) + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _indented(value: Any, indent: int, depth: int = 0) -> str:
    """`value` as JSON indented like `json.dumps(indent=...)`, but with lists of numbers on
    one line. The standard library indents in Python, a line per number: on a million rows
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
