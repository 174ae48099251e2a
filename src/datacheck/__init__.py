"""datacheck: is this labeled data ready to fine-tune an LLM, and if not, what holds it back?

    >>> import datacheck
    >>> result = datacheck.audit("tickets.jsonl")
    >>> result.verdict
    'not_ready'

The heavy parts (polars, Great Expectations, tokenizers) load on first use, so importing the
package and running `datacheck --help` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datacheck._version import __version__
from datacheck.errors import ConfigError, DatacheckError, InputError

if TYPE_CHECKING:
    from datacheck._audit import audit, estimate_cost
    from datacheck.report import write_reports
    from datacheck.result import AuditResult

__all__ = [
    "AuditResult",
    "ConfigError",
    "DatacheckError",
    "InputError",
    "__version__",
    "audit",
    "estimate_cost",
    "write_reports",
]

_LAZY = {
    "audit": ("datacheck._audit", "audit"),
    "estimate_cost": ("datacheck._audit", "estimate_cost"),
    "AuditResult": ("datacheck.result", "AuditResult"),
    "write_reports": ("datacheck.report", "write_reports"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'datacheck' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
