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
            return json_text(pl.col(column)).alias(column)
        return pl.col(column).cast(pl.List(pl.String), strict=False).list.join(",")
    return pl.col(column).cast(pl.String, strict=False)


def json_text(value: pl.Expr) -> pl.Expr:
    """Any value (an object, a list, a list of lists) as its JSON text; null stays null."""
    # polars encodes objects only: wrap the value in one ({"v":…}) and cut the wrapper off
    wrapped = pl.struct(value.alias("v")).struct.json_encode()
    return pl.when(value.is_not_null()).then(wrapped.str.slice(5).str.head(-1))


def with_paths(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every field of its object columns also a column named by its dotted path
    (`userInput.text`, however deep), so a nested field is found, named and read like any
    column. A name the frame already has is left alone."""
    added: list[pl.Expr] = []
    taken = set(frame.columns)

    def walk(expr: pl.Expr, dtype: pl.Struct, path: str) -> None:
        for field in dtype.fields:
            name = f"{path}.{field.name}"
            inner = expr.struct.field(field.name)
            if name not in taken:
                taken.add(name)
                added.append(inner.alias(name))
            if isinstance(field.dtype, pl.Struct):
                walk(inner, field.dtype, name)

    for column, dtype in frame.schema.items():
        if isinstance(dtype, pl.Struct):
            walk(pl.col(column), dtype, column)
    return frame.with_columns(added) if added else frame
