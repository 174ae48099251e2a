"""The self-contained HTML readiness report: one file, no network, charts by plotly.js.

Every value from the data goes through Jinja's autoescaping; chart data is embedded as JSON with
`<`, `>` and `&` escaped, and chart labels are entity-escaped because plotly.js reads a subset of
HTML in text. Sample rows are masked for personal data unless `show_pii` is set.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from datacheck._version import __version__
from datacheck.diff import headline
from datacheck.report._format import RenderOptions, presented
from datacheck.report._refs import row_refs
from datacheck.report.json import report_dict
from datacheck.report.pii import clip, mask
from datacheck.tasks import SCHEMA_NAMES

if TYPE_CHECKING:
    from datacheck.result import AuditResult

_VERDICTS = {
    "ready": ("Ready", "ready", "The data meets the guide's bar for this use case."),
    "ready_with_warnings": (
        "Ready, with warnings",
        "warn",
        "Nothing blocks training; the warnings below are worth fixing first.",
    ),
    "not_ready": (
        "Not ready",
        "bad",
        "Fix the errors below before spending GPU time on this data.",
    ),
}


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("datacheck", "report/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v: f"{v:,}" if isinstance(v, int) else v
    env.filters["money"] = lambda v: f"${v:,.2f}" if isinstance(v, (int, float)) else "—"
    env.filters["fmt"] = _fmt
    return env


def _fmt(value: Any) -> str:
    """Observed/required figures in plain words: numbers with separators, dicts as pairs."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v) for v in value) or "—"
    return str(value)


def _script_json(value: Any) -> Markup:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` survive literally."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _label(text: object) -> str:
    """A chart label plotly.js will show literally (it interprets a little HTML)."""
    return html.escape(str(text), quote=False)


def _categories(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per category, most examples first: its count and how many it is short of the bar."""
    check = next((c for c in report["checks"] if c["id"] == "volume.per_category"), None)
    if not report.get("labels") or check is None or not isinstance(check["observed"], dict):
        return []
    required = int(check["required"] or 0)
    ordered = sorted(check["observed"].items(), key=lambda item: (-item[1], item[0]))
    return [{"name": n, "count": c, "short": max(required - c, 0)} for n, c in ordered]


def _volume_chart(report: dict[str, Any]) -> dict[str, Any] | None:
    """Horizontal bars, one per category, largest at the top, full names, the guide's bar as
    a line: readable at 3 categories and at 150 (the chart grows with them)."""
    categories = _categories(report)
    if not categories:
        return None
    required = next(c["required"] for c in report["checks"] if c["id"] == "volume.per_category")
    rows = list(reversed(categories))  # plotly draws the first bar at the bottom
    names = [_label(c["name"]) for c in rows]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": [c["count"] for c in rows],
                "marker": {"color": ["#c0392b" if c["short"] else "#1f6fa5" for c in rows]},
                "text": [
                    f"{c['count']:,}" + (f" ({c['short']:,} short)" if c["short"] else "")
                    for c in rows
                ],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x:,} examples<extra></extra>",
            }  # fmt: skip
        ],
        "layout": {
            "shapes": [
                {
                    "type": "line",
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "x0": required,
                    "x1": required,
                    "line": {"color": "#444", "dash": "dash", "width": 2},
                }
            ],  # fmt: skip
            "annotations": [
                {
                    "yref": "paper",
                    "y": 1,
                    "x": required,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "text": f"guide: {required:,} per category",
                    "showarrow": False,
                }
            ],  # fmt: skip
            "margin": {"t": 30, "r": 90, "b": 40, "l": 10},
            "xaxis": {"title": {"text": "unique examples"}, "rangemode": "tozero"},
            "yaxis": {"automargin": True, "type": "category", "dtick": 1},
            "height": max(260, 22 * len(rows) + 90),
        },
    }


def _token_chart(result: AuditResult, report: dict[str, Any]) -> dict[str, Any] | None:
    dist = result.distributions
    if not dist:
        return None
    edges = dist["edges"]
    centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
    traces = [
        {"type": "bar", "name": name, "x": centres, "y": dist["bins"][key], "opacity": 0.75,
         "hovertemplate": f"{name}: %{{y:,}} examples around %{{x:,.0f}} tokens<extra></extra>"}
        for key, name in (("total", "whole example"), ("target_tokens", "target only"))
    ]  # fmt: skip
    summary = report["tokens"].get(dist["tokenizer"], {})
    shapes, notes = [], []
    from datacheck.plan.token_counts import contexts_for

    for model, window in sorted(contexts_for(dist["tokenizer"]).items()):
        if window <= dist["max"] * 1.5:
            shapes.append(
                {"type": "line", "x0": window, "x1": window, "yref": "paper", "y0": 0, "y1": 1,
                 "line": {"color": "#c0392b", "dash": "dot"}}
            )  # fmt: skip
            notes.append(
                {"x": window, "yref": "paper", "y": 1, "text": f"{_label(model)} {window:,}",
                 "showarrow": False, "yanchor": "bottom"}
            )  # fmt: skip
    return {
        "data": traces,
        "layout": {
            "barmode": "overlay",
            "shapes": shapes,
            "annotations": notes,
            "xaxis": {"title": {"text": f"{dist['tokenizer']} tokens per example"}},
            "yaxis": {"title": {"text": "examples"}},
            "margin": {"t": 30, "r": 10, "b": 50, "l": 60},
            "height": 340,
            "legend": {"orientation": "h"},
        },
        "max": summary.get("max"),
    }


def _samples(result: AuditResult, show_pii: bool) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for check, rows in result.samples.items():
        shown = []
        for row in rows:
            text_in, full_in = clip(row["input"] if show_pii else mask(row["input"]))
            text_out, full_out = clip(row["target"] if show_pii else mask(row["target"]), 160)
            shown.append(
                {
                    "line": row["line"],
                    "input": text_in,
                    "input_chars": row["input_chars"],
                    "input_cut": row["input_chars"] > len(text_in.rstrip("…")),
                    "target": text_out,
                    "target_chars": row["target_chars"],
                    "target_cut": row["target_chars"] > len(text_out.rstrip("…")),
                    **({"labels": row["labels"]} if "labels" in row else {}),
                }
            )
            del full_in, full_out
        out[check] = shown
    return out


def render(result: AuditResult, options: RenderOptions) -> str:
    """The report as one HTML document: plotly.js inline (works offline) or from the CDN."""
    return _page(result, options, fragment=False)


def fragment(result: AuditResult, *, show_pii: bool = False) -> str:
    """The report as a fragment for a notebook cell: its styles apply inside it only, and it
    needs no script (the charts' figures are in its tables), so it shows offline and light."""
    return _page(result, RenderOptions(plotly_js="cdn", show_pii=show_pii), fragment=True)


def _page(result: AuditResult, options: RenderOptions, *, fragment: bool) -> str:
    plotly_js, show_pii = options.plotly_js, options.show_pii
    report = report_dict(result)
    failed = presented(report["checks"])
    title, tone, lead = _VERDICTS[report["verdict"]]
    charts = {
        name: chart
        for name, chart in (
            ("volume", _volume_chart(report)),
            ("tokens", _token_chart(result, report)),
        )
        if chart is not None and not fragment
    }
    plotly_tag = Markup("")
    if fragment:
        pass
    elif plotly_js == "inline":  # RenderOptions allows nothing else but "cdn"
        from plotly.offline import get_plotlyjs

        plotly_tag = Markup(f"<script>{get_plotlyjs()}</script>")
    else:  # the version of the plotly.js bundled, not of the Python package
        from plotly.offline import get_plotlyjs_version

        plotly_tag = Markup(
            f'<script src="https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js" '
            'charset="utf-8"></script>'
        )
    css = _CSS_FILE.read_text(encoding="utf-8")
    template = _environment().get_template("report.html.j2")
    return template.render(
        r=report,
        version=__version__,
        schema_name=SCHEMA_NAMES[report["detected"]["schema"]],
        verdict_title=title,
        tone=tone,
        lead=lead,
        baseline_headline=headline(report["baseline"]) if report.get("baseline") else None,
        failed=failed,
        errors=sum(c["severity"] == "error" for c in failed),
        warnings=sum(c["severity"] == "warning" for c in failed),
        top_errors=[c for c in failed if c["severity"] == "error"][:5],
        top_warnings=[c for c in failed if c["severity"] != "error"][:5],
        samples=_samples(result, show_pii),
        refs={c["id"]: row_refs(c, report) for c in report["checks"]},
        categories=_categories(report),
        show_pii=show_pii,
        charts={k: _script_json(v) for k, v in charts.items()},
        chart_notes={"tokens": charts.get("tokens", {}).get("max")},
        config_json=json.dumps(report["config"], indent=2, ensure_ascii=False),
        plotly_tag=plotly_tag,
        fragment=fragment,
        css=Markup(scoped(css, ".datacheck-report") if fragment else css),
    )


_CSS_FILE = Path(__file__).resolve().parent / "templates" / "report.css"


def scoped(css: str, scope: str) -> str:
    """`css` with every selector limited to elements inside `scope`: `body` and `:root`
    become the scope itself, so the fragment never restyles the page around it."""
    out = []
    for block in re.split(r"(?<=\})", css):
        if "{" not in block:
            out.append(block)
            continue
        head, body = block.split("{", 1)
        media = ""
        if head.strip().startswith("@media"):
            media, head = head + "{", body.split("{", 1)[0]
            body = body.split("{", 1)[1]
        selectors = []
        for selector in head.split(","):
            selector = selector.strip()
            if selector in ("body", ":root", "html"):
                selectors.append(scope)
            elif selector == "*":
                selectors.append(f"{scope}, {scope} *")
            else:
                selectors.append(f"{scope} {selector}")
        out.append(f"{media}{', '.join(selectors)} {{{body}")
    return "".join(out)
