"""Chat `messages` that the reader had to keep as text, turned back into message lists."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from datacheck.load._base import SOURCE_LINE, Loaded, LoadError

_LIST = r"^\s*\["
_SLICE = 100_000


def messages_as_lists(loaded: Loaded) -> Loaded:
    """When some rows' `messages` hold text, a number or an object instead of a list, the
    readers keep the whole column as text, and the file no longer looks like chat data.
    Decode the lists back and report each other row as unreadable, so a bad row costs that
    row and not the audit. Columns that are mostly not lists are left as they are."""
    frame = loaded.frame
    if "messages" not in frame.columns or frame.schema["messages"] != pl.String:
        return loaded
    text = frame["messages"]
    is_list = text.str.contains(_LIST).fill_null(True)  # a missing list is not malformed
    if text.drop_nulls().is_empty() or is_list.mean() < 0.5:
        return loaded
    lists = text.set(~is_list, None)
    try:  # a slice at a time: decoding a whole column at once held 3x its size (+1.2 GB at 1M)
        parts = [
            lists.slice(start, _SLICE).str.json_decode(infer_schema_length=None).to_frame()
            for start in range(0, len(lists), _SLICE)
        ]
        decoded = pl.concat(parts, how="vertical_relaxed").to_series()  # unions struct fields
    except pl.exceptions.PolarsError:  # the lists' messages differ too much to share a type
        return loaded
    if not isinstance(decoded.dtype, pl.List):
        return loaded
    bad = frame.filter(~is_list).select(SOURCE_LINE, "messages")
    errors = [
        LoadError(line, f"`messages` holds {_what(value)} instead of a list of messages")
        for line, value in bad.iter_rows()
    ]
    return replace(
        loaded,
        frame=frame.with_columns(decoded.alias("messages")).filter(is_list),
        errors=tuple(sorted([*loaded.errors, *errors], key=lambda e: e.line)),
    )


def _what(value: str) -> str:
    stripped = value.strip()
    if stripped.startswith("{"):
        return "an object"
    shown = stripped if len(stripped) <= 40 else stripped[:37] + "..."
    return f"the value {shown!r}"
