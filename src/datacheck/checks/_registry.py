"""The one place checks are registered."""

from __future__ import annotations

import re

from datacheck.checks._base import Check
from datacheck.profiles import threshold_names

REGISTRY: dict[str, type[Check]] = {}
_ID = re.compile(r"^[a-z]+(\.[a-z_]+)+$")


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: add a check to the registry (ids are unique and dotted)."""
    if not _ID.match(cls.id):
        raise ValueError(f"check id {cls.id!r} must be dotted lower case, like volume.total")
    if cls.id in REGISTRY and REGISTRY[cls.id] is not cls:
        raise ValueError(f"check id {cls.id!r} is registered twice")
    if cls.severity not in ("error", "warning", "info"):
        raise ValueError(f"{cls.id}: severity must be error, warning or info")
    if not (cls.__doc__ and cls.title and cls.fix):
        raise ValueError(f"{cls.id}: a check needs a docstring, a title and a fix")
    unknown = set(cls.config_keys) - threshold_names()
    if unknown:
        raise ValueError(f"{cls.id}: config_keys names no threshold: {', '.join(sorted(unknown))}")
    REGISTRY[cls.id] = cls
    return cls
