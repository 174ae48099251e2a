"""Text values too long to be a training example: a whole file pasted into one cell, or a
runaway export. Such a row is reported and left out, so the checks, the tokenizers and the
report do not each spend minutes and gigabytes on it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from datacheck.limits import current
from datacheck.load._base import SOURCE_LINE, SPLIT, Loaded, LoadError

if TYPE_CHECKING:
    from polars._typing import PolarsDataType


def with_long_fields(loaded: Loaded) -> Loaded:
    """`loaded` without the rows holding a text value longer than `max_field_chars`, each
    reported as a load error naming its field."""
    limit = current().max_field_chars
    frame = loaded.frame
    longest = {
        name: expr
        for name, dtype in frame.schema.items()
        if name not in (SOURCE_LINE, SPLIT) and (expr := _longest(pl.col(name), dtype)) is not None
    }
    if not longest or frame.is_empty():
        return loaded
    sizes = frame.select(*(expr.alias(name) for name, expr in longest.items()))
    over = sizes.select(
        pl.any_horizontal(pl.col(name).fill_null(0) > limit for name in longest)
    ).to_series()
    if not over.any():
        return loaded
    long_rows = sizes.with_columns(frame[SOURCE_LINE]).filter(over)
    errors = list(loaded.errors)
    for row in long_rows.iter_rows(named=True):
        field, size = max(((name, row[name] or 0) for name in longest), key=lambda item: item[1])
        errors.append(
            LoadError(
                row[SOURCE_LINE],
                f"field `{field}` holds {size:,} characters, more than the {limit:,} one "
                "example may hold ([limits] max_field_chars); shorten or split it, or "
                "remove the row",
            )
        )
    errors.sort(key=lambda error: error.line)
    return replace(loaded, frame=frame.filter(~over), errors=tuple(errors))


def _longest(expr: pl.Expr, dtype: PolarsDataType) -> pl.Expr | None:
    """The length in characters of the longest text in `expr`, however deep it is nested."""
    if dtype == pl.String:
        return expr.str.len_chars()
    if isinstance(dtype, pl.List):
        inner = _longest(pl.element(), dtype.inner)
        return None if inner is None else expr.list.eval(inner).list.max()
    if isinstance(dtype, pl.Struct):
        parts = [
            part
            for field in dtype.fields
            if (part := _longest(expr.struct.field(field.name), field.dtype)) is not None
        ]
        return pl.max_horizontal(parts) if parts else None
    return None
