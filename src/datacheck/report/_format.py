"""The one interface every output format implements, and the options they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from datacheck.result import AuditResult


@dataclass(frozen=True)
class RenderOptions:
    """How to render a result. Each format reads the options that concern it."""

    #: html: "inline" bundles plotly.js (works offline), "cdn" loads it (a small file)
    plotly_js: str = "inline"
    #: html: show e-mails, phone, card and IBAN numbers in sample rows instead of masking them
    show_pii: bool = False
    #: junit: whether failing warnings fail too; None takes the audit's own `fail_on`
    fail_on: str | None = None
    #: terminal: list every failing check, not just the top ones
    verbose: bool = False
    #: terminal: ANSI colours and styles
    color: bool = False

    def __post_init__(self) -> None:
        if self.plotly_js not in ("inline", "cdn"):
            raise ValueError("plotly_js must be 'inline' or 'cdn'")
        if self.fail_on not in (None, "error", "warning"):
            raise ValueError("fail_on must be 'error' or 'warning'")


_SEVERITY = {"error": 0, "warning": 1, "info": 2}


def presented(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The failing checks of a report a reader is shown, each cause once (a check whose
    `same_cause_as` names another failing check is part of that one), in the order to fix
    them: errors first, then by impact (rows affected, examples short)."""
    failing = [c for c in checks if c["status"] == "fail" and not c.get("same_cause_as")]
    return sorted(
        failing, key=lambda c: (_SEVERITY.get(c["severity"], 3), -c.get("impact", 0), c["id"])
    )


class Format(Protocol):
    """An output format: a module with this function (see `datacheck.report.FORMATS`)."""

    def render(self, result: AuditResult, options: RenderOptions) -> str: ...
