"""Naming JSON value types, in one place."""

from __future__ import annotations


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


def kind_with_article(value: object) -> str:
    """`kind` as a phrase for messages: "an array", "a number", "null"."""
    name = kind(value)
    if name == "null":
        return name
    return ("an " if name[0] in "aeiou" else "a ") + name
