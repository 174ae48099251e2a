"""Character-span annotations in the forms labeling tools write them, read as one shape:
`{start, end, entity, value, omitted}`.

Rasa writes `{start, end, value, entity}`; others name the slot `label`, `slot` or `type`
(spaCy and Prodigy `spans`, doccano `entities` with `start_offset`), doccano's older JSONL
writes `[start, end, label]` triples, and some put the offsets in an object of their own
(`{"slot": ..., "valueSpan": {"startIndex": .., "endIndex": ..}}`). Exports of protobuf
messages leave out an offset that is 0, so a span at the start of the text has no
`startIndex`: it is read as 0, and `omitted` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

_START = ("start", "startindex", "start_offset", "start_char", "begin")
_END = ("end", "endindex", "end_offset", "end_char")
_NAME = ("entity", "slot", "label", "type", "tag")
_VALUE = ("value", "text")
_WRAPPERS = ("valuespan", "span", "offsets")


@dataclass(frozen=True)
class SpanFields:
    """Where a span object keeps each part: paths of field names."""

    name: str
    start: tuple[str, ...] | None
    end: tuple[str, ...] | None
    value: str | None
    #: spans written as `[start, end, label]` lists rather than objects
    triples: bool = False


def span_fields(dtype: object) -> SpanFields | None:
    """How the span objects of a list column of type `dtype` are laid out, or None when they
    are not spans (no slot name, or no offset)."""
    if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.List):
        if dtype.inner.inner in (pl.String, pl.Int64):  # [[0, 5, "PER"], ...]
            return SpanFields(name="2", start=("0",), end=("1",), value=None, triples=True)
        return None
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return None
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    name = _first(fields, _NAME, pl.String)
    if name is None:
        return None
    value = _first({k: v for k, v in fields.items() if k != name}, _VALUE, pl.String)
    places: list[tuple[tuple[str, ...], Mapping[str, object]]] = [((), fields)]
    for wrapper in (k for k in fields if k.lower() in _WRAPPERS):
        inner = fields[wrapper]
        if isinstance(inner, pl.Struct):
            places.append(((wrapper,), {f.name: f.dtype for f in inner.fields}))
    for prefix, place in places:
        start, end = _first(place, _START, "integer"), _first(place, _END, "integer")
        if start is not None or end is not None:
            return SpanFields(
                name=name,
                start=(*prefix, start) if start is not None else None,
                end=(*prefix, end) if end is not None else None,
                value=value,
            )
    return None


def _first(fields: Mapping[str, object], names: tuple[str, ...], kind: object) -> str | None:
    by_lower = {k.lower(): k for k in fields}
    for name in names:
        key = by_lower.get(name)
        if key is None:
            continue
        dtype = fields[key]
        if kind == "integer" and getattr(dtype, "is_integer", lambda: False)():
            return key
        if kind != "integer" and dtype == kind:
            return key
    return None


def canonical_spans(column: str, fields: SpanFields) -> pl.Expr:
    """The spans of `column` as `{start, end, entity, value, omitted}`: an offset the
    export left out is 0, as protobuf writes it, with `omitted` true."""
    span = pl.element()
    if fields.triples:
        start, end = (
            span.list.get(i, null_on_oob=True).cast(pl.Int64, strict=False) for i in (0, 1)
        )
        return pl.col(column).list.eval(
            pl.struct(
                start.fill_null(0).alias("start"),
                end.fill_null(0).alias("end"),
                span.list.get(2, null_on_oob=True).cast(pl.String).alias("entity"),
                pl.lit(None, pl.String).alias("value"),
                (start.is_null() | end.is_null()).alias("omitted"),
            )
        )

    def at(path: tuple[str, ...] | None) -> pl.Expr:
        if path is None:
            return pl.lit(None, pl.Int64)
        expr = span
        for part in path:
            expr = expr.struct.field(part)
        return expr.cast(pl.Int64)

    start, end = at(fields.start), at(fields.end)
    value = (
        span.struct.field(fields.value).cast(pl.String) if fields.value else pl.lit(None, pl.String)
    )
    return pl.col(column).list.eval(
        pl.struct(
            start.fill_null(0).alias("start"),
            end.fill_null(0).alias("end"),
            span.struct.field(fields.name).cast(pl.String).alias("entity"),
            value.alias("value"),
            (start.is_null() | end.is_null()).alias("omitted"),
        )
    )
