"""Outputs: every format behind one interface, and the writing of report files.

    >>> from datacheck.report import RenderOptions, render, write_reports
    >>> text = render(result, "terminal")
    >>> write_reports(result, html="report.html", json="report.json", junit="datacheck.xml")

Each format is a module with `render(result, options) -> str` (the `Format` protocol):
terminal, html, json, junit, github (annotations; its step summary is `github.summary`).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, cast

from datacheck.errors import DatacheckError
from datacheck.report._format import Format, RenderOptions
from datacheck.report._write import check_output, write_atomic

if TYPE_CHECKING:
    from datacheck.result import AuditResult

__all__ = [
    "DEFAULT_HTML", "FORMATS", "Format", "RenderOptions", "check_outputs", "render",
    "write_reports",
]  # fmt: skip

#: format name -> the module that renders it (imported when first used)
FORMATS = {
    "terminal": "datacheck.report.terminal",
    "html": "datacheck.report.html",
    "json": "datacheck.report.json",
    "junit": "datacheck.report.junit",
    "github": "datacheck.report.github",
}
#: the report written when no output is named
DEFAULT_HTML = "datacheck-report.html"


def get_format(name: str) -> Format:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    return cast(Format, importlib.import_module(FORMATS[name]))


def render(result: AuditResult, format: str, options: RenderOptions | None = None) -> str:
    """`result` in one output format, as text."""
    return get_format(format).render(result, options or RenderOptions())


def planned_outputs(
    configured: dict[str, str],
    *,
    html: str | Path | Literal[False] | None = None,
    json: str | Path | None = None,
    junit: str | Path | None = None,
    github: bool = False,
    default_html: bool = True,
) -> tuple[str | Path | None, str | Path | None, str | Path | None]:
    """The JSON, HTML and JUnit paths `write_reports` will write: those given, else the
    configuration's `[output]`, else the default HTML report when nothing else is asked."""
    json = json or configured.get("json")
    junit = junit or configured.get("junit")
    chosen = None if html is False else html or configured.get("html")
    if html is not False and chosen is None and default_html and not (json or junit or github):
        chosen = DEFAULT_HTML
    return json, chosen, junit


def check_outputs(
    configured: dict[str, str], *, inputs: Iterable[object] = (), **outputs: Any
) -> None:
    """Raise `DatacheckError` now, before any work, for an output that could not be written
    where asked (a folder, or the data itself); `outputs` as `write_reports` takes them."""
    for path in planned_outputs(configured, **outputs):
        if path is not None and str(path) != "-":
            check_output(Path(path), inputs=inputs)


def write_reports(
    result: AuditResult,
    *,
    html: str | Path | Literal[False] | None = None,
    json: str | Path | None = None,
    junit: str | Path | None = None,
    github: bool = False,
    default_html: bool = True,
    options: RenderOptions | None = None,
    stdout: IO[str] | None = None,
) -> list[tuple[str, str]]:
    """Write every output asked for, as `datacheck audit` does; return (what, where) pairs.

    Paths not given fall back to the configuration's `[output]`; with none at all (and
    `default_html`), the HTML report goes to `datacheck-report.html`; `html=False` writes
    no HTML at all. `json="-"` writes to
    `stdout`. `github` prints annotations to `stdout` and appends the step summary to
    `$GITHUB_STEP_SUMMARY` when it is set. Files are written atomically and never over the
    audited data.
    """
    options = options or RenderOptions()
    stdout = stdout or sys.stdout
    configured = result.config.get("output") or {}
    json, html, junit = planned_outputs(
        configured, html=html, json=json, junit=junit, github=github, default_html=default_html
    )
    inputs = [result.source.path]
    if result.eval_source is not None:
        inputs.append(result.eval_source.path)
    written: list[tuple[str, str]] = []
    if str(json) == "-":
        stdout.write(render(result, "json", options))
        json = None
    for what, format, path in (
        ("JSON report", "json", json), ("HTML report", "html", html), ("JUnit XML", "junit", junit),
    ):  # fmt: skip
        if path:
            write_atomic(Path(path), render(result, format, options), inputs=inputs)
            written.append((what, str(path)))
    if github:
        from datacheck.report.github import summary

        stdout.write(render(result, "github", options))
        summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            try:
                with open(summary_path, "a", encoding="utf-8") as handle:
                    handle.write(summary(result, str(html) if html else None))
            except OSError as exc:
                raise DatacheckError(
                    f"{summary_path} ($GITHUB_STEP_SUMMARY): cannot append the summary "
                    f"({exc.strerror or exc})."
                ) from exc
            written.append(("GitHub summary", summary_path))
    return written
