"""The result of an audit: plain, frozen data that every renderer reads.

`AuditResult` holds typed findings and sections; `datacheck.report.json` is the one place
that turns them into the JSON report (its contract: `report/schema.json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from datacheck.diff import Diff


@dataclass(frozen=True)
class SourceInfo:
    """Where the data came from, and what could not be read of it."""

    path: str
    format: str
    sha256: str | None
    rows: int
    position: str
    load_errors: tuple[dict[str, Any], ...]
    load_error_count: int
    #: a folder's files and the records each holds (`datacheck._parts`)
    parts: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Finding:
    """The result of one check: what it observed against what it requires, the rows (line
    numbers) it concerns, and how to fix them."""

    id: str
    title: str
    severity: str
    status: str
    observed: Any
    required: Any
    message: str
    fix: str
    rows: tuple[int, ...] = ()
    row_count: int = 0
    #: which file `rows` number lines of: "train" (the source) or "eval"
    rows_split: str = "train"
    #: eval lines a finding about training rows also concerns (repeats inside eval,
    #: eval rows labelled otherwise than in training)
    eval_rows: tuple[int, ...] = ()
    expectation: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: a failing check that reports the same cause with the larger shortfall: this one is
    #: counted and shown once, as that one (e.g. too few examples in total, because
    #: categories are short)
    same_cause_as: str | None = None
    #: how much it holds training back, to order fixes: rows affected, or examples short
    impact: int = 0
    #: the named things that fail it (categories, labels, slots, output values), sorted; a
    #: baseline comparison tells a category newly short from one short all along
    failing: tuple[str, ...] = ()
    #: time spent evaluating the check (its expectations run in one batch beforehand); for
    #: JUnit, not in the JSON report, which is the same for the same input
    seconds: float = field(default=0.0, compare=False)


@dataclass(frozen=True)
class Answer:
    """One of the guide's quick-assessment questions, answered from the data."""

    question: str
    answer: str
    evidence: str


@dataclass(frozen=True, repr=False)
class AuditResult:
    """Everything an audit found. `to_dict()` is the JSON report."""

    source: SourceInfo
    detected: dict[str, Any]
    config: dict[str, Any]
    profile: dict[str, Any]
    labels: dict[str, int] | None
    checks: tuple[Finding, ...]
    assessment: tuple[Answer, ...]
    verdict: str
    generated_at: str
    eval_source: SourceInfo | None = None
    #: when `labels` lists only the most frequent: how many labels and examples it leaves out
    labels_not_shown: dict[str, int] | None = None
    #: set when a random sample was audited (`--sample`)
    sample: dict[str, Any] | None = None
    hygiene: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    cost: list[dict[str, Any]] = field(default_factory=list)
    recommendation: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: for the HTML report only (not in the JSON): a few affected rows per failing check,
    #: unmasked (renderers mask them), and binned token-length distributions
    samples: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict, repr=False)
    distributions: dict[str, Any] = field(default_factory=dict, repr=False)
    #: a pretty-printed JSON document's: the line each record starts on (record N at N - 1)
    record_lines: tuple[int, ...] | None = field(default=None, repr=False)
    #: every affected row with its text (`datacheck.rows`), when the audit was asked for it
    affected: pl.DataFrame | None = field(default=None, repr=False, compare=False)
    #: where the rows export was written and how many rows it holds (in the JSON report)
    rows_export: dict[str, Any] | None = None
    #: the eval set's size, what it can measure, and each category's rows on both sides
    evaluation: dict[str, Any] | None = None
    #: what changed since a baseline report (`compare`); the gate then fails only on that
    baseline: Diff | None = None

    @property
    def ready(self) -> bool:
        return self.verdict != "not_ready"

    @property
    def exit_code(self) -> int:
        """What a CI gate exits with: 1 when not ready, or, against a baseline, when anything
        got worse that the gate fails on; else 0."""
        if self.baseline is not None:
            return self.baseline.exit_code
        return 0 if self.ready else 1

    def compare(
        self, baseline: Mapping[str, Any] | str | Path, *, name: str | None = None
    ) -> AuditResult:
        """This result with what changed since `baseline` (a JSON report, or its path): the
        gate then fails only on findings that are new or worse."""
        from datacheck.diff import compare, read_report

        if not isinstance(baseline, Mapping):
            name = name or str(baseline)
            baseline = read_report(baseline)
        fail_on = str(self.config.get("fail_on") or "error")
        diff = compare(
            baseline, self.to_dict(), fail_on=fail_on, names=(name or "baseline", self.source.path)
        )
        return replace(self, baseline=diff)

    @property
    def failed_checks(self) -> list[Finding]:
        return [c for c in self.checks if c.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        """The JSON report as Python data."""
        from datacheck.report.json import report_dict

        return report_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON report; identical input and options give identical text but for
        `generated_at` and `timings`."""
        from datacheck.report.json import encode

        return encode(self.to_dict(), indent)

    def to_html(self, *, plotly_js: str = "inline", show_pii: bool = False) -> str:
        """The self-contained HTML readiness report."""
        from datacheck.report import RenderOptions, render

        return render(self, "html", RenderOptions(plotly_js=plotly_js, show_pii=show_pii))

    def save_html(self, path: str | Path, **options: Any) -> Path:
        """Write the HTML report to `path` (atomically) and return the path."""
        from datacheck.report import RenderOptions, write_reports

        target = Path(path)
        write_reports(self, html=target, options=RenderOptions(**options))
        return target

    def save_rows(self, path: str | Path, *, show_pii: bool = False) -> Path:
        """Write every affected row to `path` (`.csv`, or `.jsonl`), personal data masked
        unless `show_pii`; the audit must have been run with `affected_rows=True`."""
        from datacheck.report._write import write_atomic
        from datacheck.rows import SUFFIXES, write_rows

        target = Path(path)
        if self.affected is None:
            raise ValueError("run the audit with affected_rows=True to export its rows")
        if target.suffix.lower() not in SUFFIXES:
            raise ValueError(f"{target}: the rows export is .csv or .jsonl")
        inputs = [self.source.path] + ([self.eval_source.path] if self.eval_source else [])
        write_atomic(target, write_rows(self.affected, target, show_pii=show_pii),
                     inputs=inputs, what="the rows export")  # fmt: skip
        return target

    def _repr_html_(self) -> str:
        """Notebooks show the report inline: a fragment whose styles stay inside it and that
        needs no script or network (the charts' figures are in its tables)."""
        from datacheck.report.html import fragment

        return fragment(self)

    def __repr__(self) -> str:
        failed = [c for c in self.checks if c.status == "fail" and c.same_cause_as is None]
        errors = sum(c.severity == "error" for c in failed)
        warnings = sum(c.severity == "warning" for c in failed)
        return (
            f"<AuditResult {self.verdict}: {errors} error{'s' * (errors != 1)}, {warnings} "
            f"warning{'s' * (warnings != 1)} — {self.source.path} ({self.source.rows:,} rows)>"
        )
