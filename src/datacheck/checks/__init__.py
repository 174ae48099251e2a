"""The check registry. A check is one class in a family module, decorated with `@register`;
the family modules are imported here, and nothing else needs editing to add a check."""

from __future__ import annotations

from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import REGISTRY, register
from datacheck.config import Settings
from datacheck.errors import ConfigError

# importing the families fills the registry
from datacheck.checks import consistency, evaluation, format, hygiene, labels  # noqa: F401  isort: skip
from datacheck.checks import length, outputs, semantic, spans, task, volume  # noqa: F401  isort: skip

__all__ = ["REGISTRY", "Check", "Context", "Finding", "check_severities", "register"]


def check_severities(settings: Settings) -> None:
    """Raise `ConfigError` when `[checks]` names a check that is not registered."""
    for key in settings.checks:
        if key not in REGISTRY:
            where = settings.source or "options"
            raise ConfigError(
                f"{where}: unknown check `{key}` in [checks]. See `datacheck checks`."
            )
