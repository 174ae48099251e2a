"""The machine-readable JSON report (the contract in DESIGN.md)."""

from __future__ import annotations

from datacheck.result import AuditResult


def render_json(result: AuditResult) -> str:
    return result.to_json()
