"""The check registry. A check is one class in a family module, decorated with `@register`;
the family modules are imported here, and nothing else needs editing to add a check."""

from __future__ import annotations

from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import REGISTRY, register

# importing the families fills the registry
from datacheck.checks import format, hygiene, labels, length, task, volume  # noqa: E402,F401  isort: skip

__all__ = ["REGISTRY", "Check", "Context", "Finding", "all_checks", "check_ids", "register"]


def all_checks() -> list[Check]:
    return [cls() for _id, cls in sorted(REGISTRY.items())]


def check_ids() -> set[str]:
    return set(REGISTRY)
