"""Naming JSON value types, in one place."""

from __future__ import annotations

import polars as pl


def kind(value: object) -> str:
    """The JSON type of a parsed value: null, boolean, number, string, array or object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def dtype_kind(dtype: pl.DataType) -> str:
    """The JSON type polars read into a column of `dtype` (null for a column of nulls)."""
    if dtype == pl.Null:
        return "null"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_numeric():
        return "number"
    if dtype == pl.String:
        return "string"
    return "array" if isinstance(dtype, (pl.List, pl.Array)) else "object"


def kind_with_article(value: object) -> str:
    """`kind` as a phrase for messages: "an array", "a number", "null"."""
    name = kind(value)
    if name == "null":
        return name
    return ("an " if name[0] in "aeiou" else "a ") + name
