"""Naming JSON value types, and reading many short JSON texts, in one place."""

from __future__ import annotations

import json
import json.scanner
from typing import Any

import polars as pl

_SPACE = " \t\n\r"  # JSON's white space, no other
_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # typeshed


def loads(text: str) -> Any:
    """`json.loads(text)` for a str, in half its time on short texts: the C scanner is called
    straight, without the wrapper's checks of type, options and white space. Text it cannot
    take whole goes to `json.loads`, so errors are exactly that function's."""
    if text[:1] not in _SPACE:  # no leading white space (nor empty text)
        try:
            value, end = _scan(text, 0)
        except (StopIteration, json.JSONDecodeError):
            pass
        else:
            if end == len(text) or not text[end:].strip(_SPACE):
                return value
    return json.loads(text)


def depth(value: object) -> int:
    """How many arrays and objects `value` holds inside each other (0 for a scalar)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


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
