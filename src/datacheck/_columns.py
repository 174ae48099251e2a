"""How any column reads as text, for the places that compare, measure or tokenize it."""

from __future__ import annotations

import polars as pl


def as_text(frame: pl.DataFrame, column: str) -> pl.Expr:
    """`column` of `frame` as text: JSON for objects and for lists of lists or objects,
    comma-separated values for flat lists, the written form for scalars."""
    dtype = frame.schema[column]
    if isinstance(dtype, pl.Struct):
        return pl.col(column).struct.json_encode()
    if isinstance(dtype, (pl.List, pl.Array)):
        if dtype.inner is not None and dtype.inner.is_nested():  # lists of lists or objects
            wrapped = pl.struct(pl.col(column).alias("v")).struct.json_encode()  # {"v":…}
            value = pl.when(pl.col(column).is_not_null()).then(wrapped.str.slice(5).str.head(-1))
            return value.alias(column)
        return pl.col(column).cast(pl.List(pl.String), strict=False).list.join(",")
    return pl.col(column).cast(pl.String, strict=False)
