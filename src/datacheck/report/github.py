"""GitHub Actions: a Markdown job summary and `::error` / `::warning` annotations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datacheck._words import plural
from datacheck.report._format import RenderOptions, presented
from datacheck.report._visible import visible_all
from datacheck.report.json import report_dict

if TYPE_CHECKING:
    from datacheck.result import AuditResult

#: annotations per check: GitHub shows at most a few dozen per step anyway
MAX_ANNOTATIONS = 10
_ICON = {"fail": {"error": "❌", "warning": "⚠️", "info": "ℹ️"}, "pass": "✅", "skip": "⏭️"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: AuditResult, options: RenderOptions) -> str:
    """Workflow commands, one per affected row (capped per check), for the failing checks."""
    report = visible_all(report_dict(result))
    path = _escape_property(report["source"]["path"])
    lines = []
    for check in presented(report["checks"]):
        level = "error" if check["severity"] == "error" else "warning"
        title = _escape_property(f"{check['id']}: {check['title']}")
        message = _escape_data(f"{check['message']} → {check['fix']}")
        rows = check["rows"][:MAX_ANNOTATIONS] if report["source"]["position"] == "line" else []
        if not rows:
            lines.append(f"::{level} file={path},title={title}::{message}")
        lines.extend(f"::{level} file={path},line={row},title={title}::{message}" for row in rows)
    return "\n".join(lines) + ("\n" if lines else "")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary(result: AuditResult) -> str:
    """The Markdown job summary."""
    report = visible_all(report_dict(result))
    verdict = {"ready": "✅ Ready", "ready_with_warnings": "⚠️ Ready, with warnings",
               "not_ready": "❌ Not ready"}[report["verdict"]]  # fmt: skip
    out = [
        f"## datacheck: {verdict}",
        "",
        f"`{_cell(report['source']['path'])}` · {plural(report['source']['rows'], 'example')} · "
        f"{report['detected']['schema']} · {report['detected']['task']}",
        "",
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
