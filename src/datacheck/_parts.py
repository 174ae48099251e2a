"""Where a numbered record of a folder source lives: a folder of SNIPS files numbers its
records on through each split's files, and a reader needs the file and the record in it.

A part is a dict: `split`, `first` (the folder-wide number of its first record), `count`
and `file`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any


def by_file(
    parts: Sequence[dict[str, Any]], split: str, rows: Iterable[int]
) -> list[tuple[str, list[int]]]:
    """`rows` (folder-wide numbers in `split`) as (file, numbers in that file), files in the
    order their first row comes, rows in the order given."""
    mine = sorted((p for p in parts if p["split"] == split), key=lambda p: p["first"])
    starts = [p["first"] for p in mine]
    out: dict[str, list[int]] = {}
    for row in rows:
        at = bisect_right(starts, row) - 1
        if at < 0 or row >= mine[at]["first"] + mine[at]["count"]:
            out.setdefault("", []).append(row)  # outside every part: keep its number
            continue
        out.setdefault(mine[at]["file"], []).append(row - mine[at]["first"] + 1)
    return list(out.items())
