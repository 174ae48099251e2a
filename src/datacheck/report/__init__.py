"""Renderers: each turns an `AuditResult` into one output format."""

from __future__ import annotations

from datacheck.report.json import render_json
from datacheck.report.terminal import render_terminal

__all__ = ["render_json", "render_terminal"]
