"""Facts of structured (JSON) outputs: per example, whether the output parses, has the usual
keys and keeps each field's type; and the values of low-cardinality fields (labels that live
inside outputs)."""

from __future__ import annotations

import json
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from datacheck._frames import counted_texts, join_on_text
from datacheck._json import kind as _kind
from datacheck._json import loads as _loads


@dataclass(frozen=True)
class JsonFacts:
    """What the JSON targets look like: per example flags, and the expected shape."""

    table: pl.DataFrame
    expected_keys: tuple[str, ...]
    key_types: dict[str, str]
    missing: dict[str, int]
    extra: dict[str, int]
    type_breaks: dict[str, dict[str, int]]
    #: per field, the share of JSON outputs where it is null: an optional field, not a break
    null_shares: dict[str, float]
    #: per example (`source_line`), each key's value as text where it has the key's usual
    #: scalar kind (null otherwise): the raw material of labels that live inside outputs
    values: pl.DataFrame


_SCALARS = ("boolean", "number", "string")


def _usual(kinds: Counter[str]) -> str:
    """A field's usual type: its commonest one but null, which an optional field takes when
    the value is absent (null only when it is never anything else)."""
    typed = [kind for kind, _ in kinds.most_common() if kind != "null"]
    return typed[0] if typed else "null"


#: an object's keys, and the types of its values, in its order
_Typed = tuple[tuple[str, ...], tuple[type, ...]]
#: an object's keys, each with the kind of its value, sorted
_Shape = tuple[tuple[str, str], ...]
_KIND_OF_TYPE = {str: "string", int: "number", float: "number", bool: "boolean"}


class _Values:
    """Text of the scalar values of each (key, kind), per distinct target; a pair stops being
    kept once it has more than `limit` distinct values, unless its key is in `keep`. Each
    value is stored once, and each row as two 4-byte numbers (its index and its value's):
    a label inside a million outputs costs 8 MB, not a Python string per row."""

    def __init__(self, keep: tuple[str, ...] | None, limit: int) -> None:
        self.keep = set(keep or ())
        self.limit = limit
        self.dead: set[tuple[str, str]] = set()
        self.kept: dict[tuple[str, str], tuple[dict[str, int], array[int], array[int]]] = {}
        self._live: dict[_Typed, list[tuple[tuple[str, str], dict[str, int], Any, Any]]] = {}

    def add(self, index: int, obj: dict[str, Any], typed: _Typed) -> None:
        """Record `obj`'s values; `typed` (its keys and value types) picks the live pairs."""
        live = self._live.get(typed)
        if live is None:
            live = self._live[typed] = self._slots(typed)
        for pair, codes, add_row, add_value in live:
            text = str(obj[pair[0]])
            code = codes.get(text)
            if code is None:
                code = codes[text] = len(codes)
                if code >= self.limit and pair[0] not in self.keep:
                    self.dead.add(pair)
                    del self.kept[pair]
                    self._live.clear()  # every cached list may name the pair that just died
                    continue
            add_row(index)
            add_value(code)

    def _slots(self, typed: _Typed) -> list[tuple[tuple[str, str], dict[str, int], Any, Any]]:
        """Where the values of an object of this key and type list go: per live pair, its
        codes and the appends of its two arrays."""
        slots = []
        for key, kind in zip(typed[0], map(_KIND_OF_TYPE.get, typed[1]), strict=True):
            if kind is None or (key, kind) in self.dead:
                continue
            kept = self.kept.get((key, kind))
            if kept is None:
                kept = self.kept[(key, kind)] = ({}, array("I"), array("I"))
            slots.append(((key, kind), kept[0], kept[1].append, kept[2].append))
        return slots

    def column(self, key: str, kind: str) -> pl.DataFrame | None:
        kept = self.kept.get((key, kind))
        if kept is None:
            return None
        codes, rows, values = kept
        texts = pl.Series(list(codes), dtype=pl.String)  # in order of their codes
        return pl.DataFrame(
            {
                "_row": pl.Series(np.frombuffer(rows, dtype=np.uint32)),
                f"value:{key}": texts.gather(np.frombuffer(values, dtype=np.uint32)),
            }
        )


def json_facts(
    train: pl.DataFrame,
    required: tuple[str, ...] | None,
    value_fields: tuple[str, ...] | None = None,
    max_values: int = 50,
) -> JsonFacts:
    """Parse each distinct target once; derive parse, key-set and type flags per example.

    Python touches each distinct text once; flags and problem texts are computed once per
    distinct shape (the sorted keys and the kind of each value), of which there are few, and
    reach the rows through a join. Values are kept for `value_fields`, and for other keys only
    while they have at most `max_values` distinct values (labels inside outputs): an id-like
    field stops costing memory after its first few values.
    """
    distinct = counted_texts(train, "target_text")
    number_of: dict[_Typed, int] = {}  # per keys-and-types, the number of its shape
    known: dict[tuple[tuple[str, str], ...] | None, int] = {None: 0}  # shape -> its number
    numbers: list[int] = []
    values = _Values(value_fields, max_values)
    index = 0
    for part in distinct.select("target_text").iter_slices(100_000):  # few Python strings at once
        for text in part["target_text"].to_list():
            try:
                value = _loads(text) if text is not None else None
            except (json.JSONDecodeError, RecursionError):  # nested deeper than Python reads
                value = None
            if type(value) is not dict:
                numbers.append(0)
                index += 1
                continue
            typed = (tuple(value), tuple(map(type, value.values())))
            number = number_of.get(typed)
            if number is None:
                shape: _Shape | None = tuple(sorted((k, _kind(v)) for k, v in value.items()))
                number = number_of[typed] = known.setdefault(shape, len(known))
            numbers.append(number)
            values.add(index, value, typed)
            index += 1
    shape_ids = pl.Series("shape", numbers, dtype=pl.UInt32)
    counted = (
        pl.DataFrame({"shape": shape_ids, "n": distinct["n"]})
        .group_by("shape")
        .agg(pl.col("n").sum())
    )
    per_shape = dict(zip(counted["shape"].to_list(), counted["n"].to_list(), strict=True))
    shape_counts: dict[tuple[tuple[str, str], ...] | None, int] = {
        shape: per_shape[number] for shape, number in known.items() if number in per_shape
    }  # in order of first appearance, which breaks ties between equally common shapes
    signatures: Counter[tuple[str, ...]] = Counter()
    kinds: dict[str, Counter[str]] = {}
    for shape, n in shape_counts.items():
        if shape is None:
            continue
        signatures[tuple(k for k, _ in shape)] += n
        for key, kind in shape:
            kinds.setdefault(key, Counter())[kind] += n
    if required:
        expected: tuple[str, ...] = tuple(sorted(required))
    else:
        expected = signatures.most_common(1)[0][0] if signatures else ()
    key_types = {k: _usual(c) for k, c in sorted(kinds.items())}
    outputs = sum(n for shape, n in shape_counts.items() if shape is not None)
    expected_set = set(expected)
    verdicts: dict[tuple[tuple[str, str], ...] | None, tuple[bool, bool, bool, str | None]] = {
        None: (False, True, True, None)
    }
    missing: Counter[str] = Counter()
    extra: Counter[str] = Counter()
    type_breaks: dict[str, Counter[str]] = {}
    for shape, n in shape_counts.items():
        if shape is None:
            continue
        present = {k for k, _ in shape}
        absent = expected_set - present
        surplus = set() if required else present - expected_set
        breaks = [(k, kind) for k, kind in shape if kind not in (key_types[k], "null")]
        for key in absent:
            missing[key] += n
        for key in surplus:
            extra[key] += n
        for key, kind in breaks:
            type_breaks.setdefault(key, Counter())[kind] += n
        problem = "; ".join(
            [f"missing {', '.join(sorted(absent))}"] * bool(absent)
            + [f"unexpected {', '.join(sorted(surplus))}"] * bool(surplus)
            + [f"{k} is {kind}, elsewhere {key_types[k]}" for k, kind in sorted(breaks)]
        )
        verdicts[shape] = (True, not absent and not surplus, not breaks, problem or None)
    flags = [verdicts[shape] for shape in known]
    verdict_table = pl.DataFrame(
        {
            "shape": pl.Series(list(known.values()), dtype=pl.UInt32),
            "json_ok": pl.Series([f[0] for f in flags], dtype=pl.Boolean),
            "keys_ok": pl.Series([f[1] for f in flags], dtype=pl.Boolean),
            "types_ok": pl.Series([f[2] for f in flags], dtype=pl.Boolean),
            "json_problem": pl.Series([f[3] for f in flags], dtype=pl.String),
        }
    )
    per_text = (
        distinct.select("target_text")
        .with_columns(shape_ids)
        .join(verdict_table, on="shape", how="left", maintain_order="left")
        .drop("shape")
        .with_row_index("_row")
    )
    for key, usual in key_types.items():
        kept = values.column(key, usual)
        if kept is not None:
            per_text = per_text.join(kept, on="_row", how="left", maintain_order="left")
    joined = join_on_text(
        train.select("example_id", "source_line", "target_text"),
        per_text.drop("_row"),
        "target_text",
        nulls_equal=True,
    )
    return JsonFacts(
        table=joined.select(
            "example_id", "source_line", "json_ok", "keys_ok", "types_ok", "json_problem"
        ),
        expected_keys=expected,
        key_types=key_types,
        missing=dict(sorted(missing.items())),
        extra=dict(sorted(extra.items())),
        type_breaks={k: dict(sorted(v.items())) for k, v in sorted(type_breaks.items())},
        null_shares={
            k: round(c["null"] / outputs, 4) for k, c in sorted(kinds.items()) if c["null"]
        },
        values=joined.select(
            "source_line",
            *[
                pl.col(c).alias(c.removeprefix("value:"))
                for c in per_text.columns
                if c.startswith("value:")
            ],
        ),
    )
