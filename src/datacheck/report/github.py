"""GitHub Actions: a Markdown job summary and `::error` / `::warning` annotations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datacheck._words import plural
from datacheck.diff import markdown
from datacheck.report._format import RenderOptions, presented
from datacheck.report._refs import RowRefs, row_refs
from datacheck.report._visible import visible_all
from datacheck.report.json import report_dict

if TYPE_CHECKING:
    from datacheck.result import AuditResult

_ICON = {"fail": {"error": "❌", "warning": "⚠️", "info": "ℹ️"}, "pass": "✅", "skip": "⏭️"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: AuditResult, options: RenderOptions) -> str:
    """Workflow commands, one per failing check: GitHub shows ten of each type per step, so
    one per row would hide the other checks. Each points at the first affected line of the
    file it belongs to (an eval line at the eval file) and says how many rows there are."""
    report = visible_all(report_dict(result))
    lines = []
    for check in presented(report["checks"]):
        level = "error" if check["severity"] == "error" else "warning"
        title = _escape_property(f"{check['id']}: {check['title']}")
        refs = row_refs(check, report)
        rows = "".join(f" ({plural(ref.count, 'row')}: {ref.where(3)})" for ref in refs)
        message = _escape_data(f"{check['message']} → {check['fix']}{rows}")
        where = f"file={_escape_property(refs[0].file if refs else report['source']['path'])}"
        line = _first_line(refs[0]) if refs else None
        if line is not None:
            where += f",line={line}"
        lines.append(f"::{level} {where},title={title}::{message}")
    return "\n".join(lines) + ("\n" if lines else "")


def _first_line(ref: RowRefs) -> int | None:
    """The file line of the first affected row: the row itself in a line-per-row file, where
    its record starts in a pretty-printed document, nothing for table rows."""
    if ref.position == "line":
        return ref.lines[0]
    return ref.starts[0] if ref.starts else None


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary(result: AuditResult, html: str | None = None) -> str:
    """The Markdown job summary: the verdict and its counts first, then every check; `html`
    names the HTML report (upload it as an artifact to read it)."""
    report = visible_all(report_dict(result))
    verdict = {"ready": "✅ Ready", "ready_with_warnings": "⚠️ Ready, with warnings",
               "not_ready": "❌ Not ready"}[report["verdict"]]  # fmt: skip
    failed = presented(report["checks"])
    errors = sum(c["severity"] == "error" for c in failed)
    warnings = sum(c["severity"] == "warning" for c in failed)
    passed = sum(c["status"] == "pass" for c in report["checks"])
    out = [
        f"## datacheck: {verdict} — {plural(errors, 'error')}, {plural(warnings, 'warning')}, "
        f"{plural(passed, 'check')} passed",
        "",
        f"`{_cell(report['source']['path'])}` · {plural(report['source']['rows'], 'example')} · "
        f"{report['detected']['schema']} · {report['detected']['task']}",
        "",
        *(
            [f"The full report is `{_cell(html)}`: upload it as a workflow artifact.", ""]
            if html
            else []
        ),
        *([markdown(report["baseline"]), ""] if report.get("baseline") else []),
        "| | Check | Finding | Fix |",
        "|---|---|---|---|",
    ]
    for check in report["checks"]:
        icon = _ICON[check["status"]]
        if isinstance(icon, dict):
            icon = icon[check["severity"]]
        out.append(
            f"| {icon} | `{check['id']}` | {_cell(check['message'])} | "
            f"{_cell(check['fix']) if check['status'] == 'fail' else ''} |"
        )
    if report.get("recommendation"):
        rec = report["recommendation"]
        out += ["", f"**Start with:** {rec['title']} ({rec['variant']})"]
    return "\n".join(out) + "\n"
