"""The summary a person reads in a terminal: verdict first, then what to fix."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from datacheck._version import __version__
from datacheck._words import plural
from datacheck.diff import text_lines
from datacheck.report._format import RenderOptions, presented
from datacheck.report._visible import visible_all
from datacheck.report.json import report_dict
from datacheck.tasks import SCHEMA_NAMES

if TYPE_CHECKING:
    from datacheck.result import AuditResult

#: how many failing checks the summary spells out before "and N more"
TOP_FINDINGS = 5
_VERDICT_TEXT = {
    "ready": ("READY", "bold green"),
    "ready_with_warnings": ("READY WITH WARNINGS", "bold yellow"),
    "not_ready": ("NOT READY", "bold red"),
}
_MARK = {"error": ("✗", "red"), "warning": ("!", "yellow"), "info": ("i", "cyan")}


def render(result: AuditResult, options: RenderOptions) -> str:
    """The summary as text (with ANSI styles when `options.color`)."""
    buffer = io.StringIO()
    print_summary(result, _console(buffer, options), verbose=options.verbose)
    return buffer.getvalue()


def render_brief(result: AuditResult, options: RenderOptions) -> str:
    """One file's verdict and its failing checks, a line each, with their fixes: what a
    pre-commit hook prints per file (`datacheck lint`)."""
    buffer = io.StringIO()
    console = _console(buffer, options)
    data = visible_all(report_dict(result))
    failed = presented(data["checks"])
    console.print(Text(f"{data['source']['path']}: ") + _verdict(result.verdict, failed))
    for check in failed:
        _print_check(console, check)
    return buffer.getvalue()


def _console(buffer: io.StringIO, options: RenderOptions) -> Console:
    return Console(
        file=buffer, force_terminal=options.color, no_color=not options.color,
        highlight=False, soft_wrap=True,
    )  # fmt: skip


def _verdict(verdict: str, failed: list[dict[str, Any]]) -> Text:
    """ "NOT READY — 2 errors, 1 warning": the verdict and the failing checks it counts."""
    errors = sum(c["severity"] == "error" for c in failed)
    warnings = sum(c["severity"] == "warning" for c in failed)
    label, style = _VERDICT_TEXT[verdict]
    return Text(label, style=style) + Text(
        f" — {plural(errors, 'error')}, {plural(warnings, 'warning')}"
    )


def print_summary(result: AuditResult, console: Console, *, verbose: bool = False) -> None:
    """Print the summary to `console`."""
    data = visible_all(report_dict(result))
    source, detected = data["source"], data["detected"]
    console.print(Text(f"datacheck {__version__} — {source['path']}", style="bold"))
    console.print(_shape_line(source, detected))
    if data.get("sample"):
        sample = data["sample"]
        console.print(
            Text(
                f"Sample: {sample['size']:,} of {plural(sample['of_rows'], 'row')} "
                f"(seed {sample['seed']}); counts are scaled estimates",
                style="bold yellow",
            )
        )
    _print_load_errors(console, source)
    if result.eval_source is not None:
        ev = data["eval_source"]
        console.print(f"eval: {ev['path']} · {plural(ev['rows'], 'row')}")
        _print_load_errors(console, ev)
    console.print()
    failed = presented(data["checks"])
    passed = sum(c["status"] == "pass" for c in data["checks"])
    console.print(_verdict(result.verdict, failed) + Text(f", {passed} checks passed"))
    shown = failed if verbose else failed[:TOP_FINDINGS]
    for check in shown:
        _print_check(console, check)
    if len(failed) > len(shown):
        console.print(f"  … and {len(failed) - len(shown)} more (see the report, or --verbose)")
    uninstalled = [
        c for c in data["checks"] if c["status"] == "skip" and "pip install" in c["message"]
    ]
    if uninstalled:
        reason = uninstalled[0]["message"].removeprefix("skipped: ")
        ids = ", ".join(c["id"] for c in uninstalled)
        console.print(Text(f"Not run: {ids} — {reason}", style="yellow"))
    if data.get("baseline"):
        console.print()
        first, *rest = text_lines(data["baseline"])
        style = "bold red" if data["baseline"]["regressions"] else "bold green"
        console.print(Text(first, style=style))
        for change in rest:
            console.print(Text(change))
    if data.get("assessment"):
        console.print()
        console.print(Text("Quick assessment (from the fine-tuning starter guide)", style="bold"))
        for item in data["assessment"]:
            line = Text(f"  {item['question']} ") + Text(item["answer"], style="bold")
            console.print(line + Text(f" — {_clip(item['evidence'], 110)}", style="dim"))
    if data.get("labels"):
        console.print()
        _print_labels(console, data["labels"])
    if data.get("tokens"):
        console.print()
        _print_tokens(console, data["tokens"])
        _print_cost_line(console, data["cost"])
        _print_recommendation(console, data["recommendation"])


def render_cost(report: dict[str, Any], console: Console) -> None:
    """The `datacheck cost` table: every estimate with its assumptions."""
    report = visible_all(report)
    console.print(Text(f"datacheck {__version__} — {report['source']['path']}", style="bold"))
    console.print(_shape_line(report["source"], report["detected"]))
    _print_tokens(console, report["tokens"])
    console.print()
    console.print(Text("API fine-tuning (OpenAI)", style="bold"))
    for row in (r for r in report["cost"] if r["method"] == "api"):
        mark = "" if row["exact"] else " (estimate)"
        console.print(f"  {row['model']:<26} ${row['usd']:>10,.2f}{mark}   {row['assumptions']}")
    console.print(Text("Open models (GPU hours and memory)", style="bold"))
    for row in (r for r in report["cost"] if r["method"] != "api"):
        console.print(
            f"  {row['model']:<14} {row['method']:<6} {row['gpu_hours']:>9,.2f} GPU-h on "
            f"{row['gpu']:<12} ~${row['usd']:>9,.2f}  {row['memory_gb']:>6,.1f} GB"
        )
        console.print(Text(f"      {row['assumptions']}", style="dim"))
    _print_recommendation(console, report["recommendation"])


def _print_tokens(console: Console, tokens: dict[str, Any]) -> None:
    exact = all(t["exact"] for t in tokens.values())
    parts = [
        f"{name} {t['total'] / 1e6:.2f}M" if t["total"] >= 1e5 else f"{name} {t['total']:,}"
        for name, t in tokens.items()
    ]
    label = "Tokens (exact)" if exact else "Tokens (some estimated)"
    console.print(Text(f"{label}: ", style="bold") + Text(" · ".join(parts)))
    for name, t in tokens.items():
        if not t["exact"]:
            console.print(f"  {name}: estimate — {t['source']}")
        over = {m: n for m, n in t["over_context"].items() if n}
        for model, n in over.items():
            line = f"  {plural(n, 'example')} exceed {model}'s context"
            console.print(Text(line, style="yellow"))


def _print_cost_line(console: Console, cost: list[dict[str, Any]]) -> None:
    api = next((r for r in cost if r["method"] == "api"), None)
    lora = next((r for r in cost if r["method"] == "lora"), None)
    parts = []
    if api:
        parts.append(f"{api['model']} {api['epochs']} epochs ${api['usd']:,.2f}")
    if lora:
        parts.append(
            f"{lora['model']} LoRA ~{lora['gpu_hours']:,.2f} GPU-h on {lora['gpu']} "
            f"(~${lora['usd']:,.2f})"
        )
    if parts:
        console.print(
            Text("Cost: ", style="bold")
            + Text(" · ".join(parts))
            + Text("  (datacheck cost PATH for all models and assumptions)", style="dim")
        )


def _print_recommendation(console: Console, rec: dict[str, Any]) -> None:
    steps = " → ".join(
        f"{step['question'].rstrip('?').lower()}: {'yes' if step['answer'] else 'no'}"
        for step in rec["path"]
    )
    console.print(
        Text("Start with: ", style="bold")
        + Text(f"{rec['title']} {rec['variant']}")
        + Text(f" — {steps} ({rec['path'][-1]['evidence']})", style="dim")
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shape_line(source: dict[str, Any], detected: dict[str, Any]) -> str:
    schema = SCHEMA_NAMES[detected["schema"]]
    sure = "sure" if detected["confidence"] >= 0.9 else "likely"
    first_reason = detected["reasons"][-1] if detected["reasons"] else ""
    rows = plural(source["rows"], "row")
    return f"{rows} · {schema} · {detected['task']} ({sure}: {first_reason})"


def _print_load_errors(console: Console, source: dict[str, Any]) -> None:
    count = source["load_error_count"]
    if not count:
        return
    unit = source["position"]
    noun = f"{unit} could" if count == 1 else f"{unit}s could"
    console.print(Text(f"{count:,} {noun} not be read:", style="yellow"))
    for error in source["load_errors"][:5]:
        console.print(f"  {unit} {error['line']}: {error['message']}")
    if count > 5:
        console.print(f"  … and {count - 5:,} more (all in the JSON report)")


def _print_check(console: Console, check: dict[str, Any]) -> None:
    mark, style = _MARK[check["severity"]]
    line = Text(f"  {mark} ", style=style) + Text(f"{check['id']:<26}", style="bold")
    line += Text(" " + _clip(str(check.get("message") or check["title"]), 200))
    console.print(line)
    if check.get("row_lines") and check["status"] == "fail":
        starts = ", ".join(str(n) for n in check["row_lines"][:5])
        more = " …" if len(check["row_lines"]) > 5 else ""
        console.print(Text(f"  {'':<28}  records start at lines {starts}{more}", style="dim"))
    if check.get("fix"):
        console.print(Text(f"  {'':<28}→ {check['fix']}", style="dim"))


#: labels listed in the terminal; the reports list them all
MAX_LABELS = 25


def _print_labels(console: Console, labels: dict[str, int]) -> None:
    console.print(Text("Rows per label, as written", style="bold"))
    shown = list(labels.items())[:MAX_LABELS]
    width = max(len(repr(k)) for k, _ in shown)
    for label, count in shown:
        console.print(f"  {label!r:<{width}}  {count:>8,}")
    if len(labels) > MAX_LABELS:
        more = len(labels) - MAX_LABELS
        console.print(f"  … and {plural(more, 'more label')} (all in the JSON and HTML reports)")
