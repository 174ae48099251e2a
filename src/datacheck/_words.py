"""How counts and short lists read in messages, so every front end words them alike."""

from __future__ import annotations

from collections.abc import Sequence


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 row`, `2 rows`, `1,000 examples` (`many` for irregular plurals)."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"


def listing(items: Sequence[object], limit: int = 5) -> str:
    """The first `limit` items, then how many more. Only the items shown are made text (a
    message about 265,000 repeated rows of a million made 265,000 strings for five)."""
    shown = ", ".join(str(item) for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
