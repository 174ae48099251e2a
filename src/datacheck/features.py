"""Derived columns and small aggregate tables, computed in polars, that the suites validate.

Great Expectations never sees the raw texts: it gets per-example flags and lengths, and
per-label counts. Each table has a key column, so a failing expectation names its rows.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from datacheck._frames import counted_texts, join_on_text, kept
from datacheck._json import kind as _kind
from datacheck._json import loads as _loads
from datacheck.chat import call_keys, content_as_text, is_parts

#: Which splits count as held-out data; everything else is training data.
EVAL_SPLITS = ("eval", "test", "validation", "valid", "dev")

KNOWN_ROLES = ("system", "user", "assistant", "tool", "function")
OPENAI_MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "weight", "function_call", "tool_calls", "tool_call_id"}
)
#: a user turn, answered by the assistant, perhaps after tool calls (whose results, in `tool`
#: or `function` messages, are left out of the sequence)
_TURN = r"user,(assistant:call,)*assistant(:call)?"
_ORDER = re.compile(rf"^(system,)?{_TURN}(,{_TURN})*$")


@dataclass(frozen=True)
class Table:
    """A frame handed to Great Expectations, and the column that identifies its rows."""

    frame: pl.DataFrame
    key: str


def normalize_label(expr: pl.Expr) -> pl.Expr:
    """The form two spellings of one label share: case-folded, white space collapsed."""
    return expr.str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


def training(frame: pl.DataFrame) -> pl.DataFrame:
    """The training rows (all of them, without a copy, when there is no held-out split)."""
    return kept(frame, ~pl.col("split").is_in(EVAL_SPLITS))


def stripped_length(text: pl.Expr) -> pl.Expr:
    """Characters of `text` without its leading and trailing white space (0 for null),
    counted without writing the stripped copy of every text."""
    text = text.fill_null("")
    leading = text.str.extract(r"^(\s*)").str.len_chars().fill_null(0).cast(pl.Int64)
    trailing = text.str.extract(r"(\s*)$").str.len_chars().fill_null(0).cast(pl.Int64)
    # an all-blank text is counted as leading and as trailing: it strips to nothing
    return pl.max_horizontal(text.str.len_chars().cast(pl.Int64) - leading - trailing, 0)


def examples_table(train: pl.DataFrame) -> pl.DataFrame:
    """One row per training example: lengths and the label as written."""
    input_chars = stripped_length(pl.col("input_text"))
    return train.select(
        "example_id",
        "source_line",
        input_chars.alias("input_chars"),
        stripped_length(pl.col("target_text")).alias("target_chars"),
        # empty inputs are format.empty_text's business, not a length outlier
        pl.when(input_chars > 0)
        .then((input_chars.cast(pl.Float64) + 1).log10())
        .alias("input_log_len"),
        pl.col("label"),
        (pl.col("label").is_null() | (pl.col("label").str.strip_chars() == "")).alias(
            "label_missing"
        ),
    )


def length_bounds(log_lengths: pl.Series, iqr_factor: float) -> tuple[float, float]:
    """Tukey fences on log10 length: far outside the bulk of the data, in either direction."""
    values = log_lengths.drop_nulls()
    if values.is_empty():
        return 0.0, math.inf
    q1 = float(values.quantile(0.25, "linear") or 0.0)
    q3 = float(values.quantile(0.75, "linear") or 0.0)
    spread = max(q3 - q1, 0.15)  # about a 1.4x length ratio, so uniform data has no outliers
    return q1 - iqr_factor * spread, q3 + iqr_factor * spread


def label_tables(
    examples: pl.DataFrame, declared: tuple[str, ...] | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """Per-category counts (spellings merged), per-spelling counts, and declared-label counts."""
    labelled = examples.filter(~pl.col("label_missing"))
    spellings = (
        labelled.group_by("label")
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .with_columns(normalize_label(pl.col("label")).alias("normalized"))
        .sort(["normalized", "count", "label"], descending=[False, True, False])
    )
    # a category is named by its most common spelling
    majority = spellings.group_by("normalized", maintain_order=True).agg(
        pl.col("label").first().alias("category"),
        pl.col("count").sum().alias("category_count"),
        pl.len().alias("spelling_count"),
    )
    spellings = spellings.join(majority, on="normalized", how="left").with_columns(
        (pl.col("label") != pl.col("category")).alias("is_variant")
    )
    declared_norm = (
        dict(
            zip(
                pl.Series(declared, dtype=pl.String)
                .to_frame("d")
                .select(normalize_label(pl.col("d")))["d"],
                declared,
                strict=True,
            )
        )
        if declared
        else None
    )
    if declared_norm is not None:
        spellings = spellings.with_columns(
            pl.col("normalized").is_in(list(declared_norm)).alias("declared")
        )
    largest = majority["category_count"].max() if majority.height else 0
    categories = (
        majority.select(
            "category",
            pl.col("category_count").alias("count"),
            "spelling_count",
            "normalized",
        )
        .with_columns(
            (pl.lit(largest, dtype=pl.Float64) / pl.col("count").cast(pl.Float64)).alias(
                "imbalance_ratio"
            )
        )
        .sort(["count", "category"], descending=[True, False])
    )
    declared_table = None
    if declared_norm is not None:
        counts = dict(zip(categories["normalized"], categories["count"], strict=True))
        declared_table = pl.DataFrame(
            {
                "label": list(declared_norm.values()),
                "count": [counts.get(n, 0) for n in declared_norm],
            },
            schema={"label": pl.String, "count": pl.Int64},
        )
    return categories, spellings, declared_table


# --- chat structure -------------------------------------------------------------------------


def chat_table(train: pl.DataFrame) -> pl.DataFrame:
    """Per chat example: whether roles, order and content make sense, and whether the
    OpenAI chat fine-tuning format accepts it; the first problem of each kind, in words."""
    struct = train.schema["messages"]
    struct = struct.inner if isinstance(struct, pl.List) else struct
    fields = {f.name: f.dtype for f in struct.fields} if isinstance(struct, pl.Struct) else {}
    keys = list(fields)
    # one row per message, made and checked a batch at a time (polars' streaming engine)
    m = (
        train.lazy()
        .select(
            "example_id",
            "messages",
            pl.int_ranges(pl.col("messages").list.len()).alias("pos"),
        )
        .explode("messages", "pos")
        .unnest("messages")
    )
    role = pl.col("role").cast(pl.String)
    content = pl.col("content")
    calls = call_keys(struct)
    has_calls = pl.any_horizontal([pl.col(c).is_not_null() for c in calls] or [pl.lit(False)])
    empty = content.is_null() | ~content_as_text(content, fields.get("content")).str.contains(r"\S")
    where = pl.format("message {} ({})", pl.col("pos") + 1, role.fill_null("no role"))
    # (condition, message) pairs; the first that holds is the message's problem
    roles_rules = [
        (role.is_null(), pl.format("message {} has no role", pl.col("pos") + 1)),
        (
            ~role.is_in(KNOWN_ROLES),
            pl.format("message {} has unknown role '{}'", pl.col("pos") + 1, role),
        ),
        (empty & ~has_calls, pl.format("{} is empty", where)),
    ]
    openai_rules = [
        (
            role.is_null() | ~role.is_in(KNOWN_ROLES),
            pl.format("{}: role must be one of {}", where, pl.lit(", ".join(KNOWN_ROLES))),
        )
    ]
    openai_rules += [
        (
            pl.col(key).is_not_null(),
            pl.format("{}: key '{}' is not allowed in a message", where, pl.lit(key)),
        )
        for key in keys
        if key not in OPENAI_MESSAGE_KEYS
    ]
    if "weight" in keys:
        weight = pl.col("weight")
        openai_rules += [
            (
                weight.is_not_null() & (role != "assistant"),
                pl.format("{}: 'weight' is only allowed on assistant messages", where),
            ),
            (
                weight.is_not_null() & ~weight.cast(pl.Float64, strict=False).is_in([0.0, 1.0]),
                pl.format("{}: 'weight' must be 0 or 1", where),
            ),
        ]
    kind = fields.get("content")
    if is_parts(kind):  # OpenAI takes content parts (vision fine-tuning), images only as input
        not_text = content.list.eval(pl.element().struct.field("type") != "text").list.any()
        openai_rules.append(
            (
                (role == "assistant") & not_text,
                pl.format("{}: an assistant's content parts must all be text", where),
            )
        )
    elif kind is not None and kind != pl.String:
        openai_rules.append(
            (
                content.is_not_null(),
                pl.format("{}: content must be text, or a list of content parts", where),
            )
        )
    openai_rules.append(
        (content.is_null() & ~has_calls, pl.format("{}: content is missing", where))
    )

    def flagged(rules: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
        return pl.any_horizontal([condition.fill_null(False) for condition, _ in rules])

    def first_problem(rules: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
        chain = pl.when(rules[0][0].fill_null(False)).then(rules[0][1])
        for condition, text in rules[1:]:
            chain = chain.when(condition.fill_null(False)).then(text)
        return chain

    # problem texts are written only for the few messages that have one
    problems = (
        m.filter(flagged(roles_rules) | flagged(openai_rules))
        .select(
            "example_id",
            first_problem(roles_rules).alias("roles_problem"),
            first_problem(openai_rules).alias("openai_problem"),
        )
        .collect(engine="streaming")
        .group_by("example_id", maintain_order=True)
        .agg(
            pl.col("roles_problem").drop_nulls().first(),
            pl.col("openai_problem").drop_nulls().first(),
        )
    )
    # per example, from the unexploded lists: a group-by over every message costs 3x the memory
    element_role = pl.element().struct.field("role").cast(pl.String)
    calling = pl.any_horizontal(
        [pl.element().struct.field(c).is_not_null() for c in calls] or [pl.lit(False)]
    )
    turn = pl.when((element_role == "assistant") & calling).then(pl.lit("assistant:call"))
    listed = pl.col("messages")
    per_example = train.select(
        "example_id",
        "source_line",
        listed.list.eval(
            turn.otherwise(element_role).filter(~element_role.is_in(["tool", "function"]))
        )
        .list.join(",")
        .fill_null("")
        .alias("sequence"),
        listed.list.eval(element_role == "assistant").list.sum().fill_null(0).alias("assistants"),
        listed.list.eval(pl.element().is_null()).list.all().fill_null(True).alias("no_messages"),
    ).join(problems, on="example_id", how="left", maintain_order="left")
    order_ok = pl.col("sequence").str.contains(_ORDER.pattern)
    return (
        per_example.with_columns(
            pl.when(pl.col("no_messages"))
            .then(pl.lit("no messages"))
            .when(pl.col("roles_problem").is_not_null())
            .then(pl.col("roles_problem"))
            .when(~order_ok)
            .then(
                pl.format(
                    "order is {}; expected optional system, then user/assistant turns "
                    "ending with assistant",
                    pl.col("sequence"),
                )
            )
            .alias("roles_problem"),
            pl.when(pl.col("no_messages"))
            .then(pl.lit("'messages' is empty"))
            .when(pl.col("openai_problem").is_not_null())
            .then(pl.col("openai_problem"))
            .when(pl.col("assistants") == 0)
            .then(pl.lit("no assistant message: there is nothing to learn from"))
            .alias("openai_problem"),
        )
        .with_columns(
            pl.col("roles_problem").is_null().alias("roles_ok"),
            pl.col("openai_problem").is_null().alias("openai_ok"),
        )
        .select(
            "example_id", "source_line", "roles_ok", "roles_problem", "openai_ok", "openai_problem"
        )
    )


# --- structured (JSON) targets --------------------------------------------------------------


@dataclass(frozen=True)
class JsonFacts:
    """What the JSON targets look like: per example flags, and the expected shape."""

    table: pl.DataFrame
    expected_keys: tuple[str, ...]
    key_types: dict[str, str]
    missing: dict[str, int]
    extra: dict[str, int]
    type_breaks: dict[str, dict[str, int]]
    #: per example (`source_line`), each key's value as text where it has the key's usual
    #: scalar kind (null otherwise): the raw material of labels that live inside outputs
    values: pl.DataFrame


_SCALARS = ("boolean", "number", "string")
#: an object's keys, and the types of its values, in its order
_Typed = tuple[tuple[str, ...], tuple[type, ...]]
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
                shape = tuple(sorted((k, _kind(v)) for k, v in value.items()))
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
    key_types = {k: c.most_common(1)[0][0] for k, c in sorted(kinds.items())}
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
        breaks = [(k, kind) for k, kind in shape if kind != key_types[k]]
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
        values=joined.select(
            "source_line",
            *[
                pl.col(c).alias(c.removeprefix("value:"))
                for c in per_text.columns
                if c.startswith("value:")
            ],
        ),
    )


def output_value_table(
    facts: JsonFacts,
    fields: tuple[str, ...] | None,
    max_values: int,
) -> pl.DataFrame:
    """Counts of each value of the low-cardinality fields inside JSON outputs (labels that
    live inside the output, e.g. `issue_type`), with spelling variants marked."""
    parts: list[pl.DataFrame] = []
    for field in facts.values.columns[1:]:
        column = facts.values[field]
        if fields is not None:
            if field not in fields:
                continue
        else:
            present = column.len() - column.null_count()
            distinct = column.drop_nulls().n_unique()
            if not (1 < distinct <= max_values and distinct <= present // 2):
                continue
        if column.null_count() == column.len():
            continue
        parts.append(
            facts.values.filter(pl.col(field).is_not_null())
            .group_by(field, maintain_order=True)
            .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("source_line").alias("lines"))
            .select(pl.lit(field).alias("field"), pl.col(field).alias("value"), "count", "lines")
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "value_key": pl.String, "field": pl.String, "value": pl.String,
                "count": pl.Int64, "lines": pl.List(pl.Int64), "is_variant": pl.Boolean,
                "canonical": pl.String,
            }
        )  # fmt: skip
    table = pl.concat(parts).with_columns(pl.col("lines").cast(pl.List(pl.Int64)))
    table = table.with_columns(normalize_label(pl.col("value")).alias("_norm")).sort(
        ["field", "_norm", "count", "value"], descending=[False, False, True, False]
    )
    table = table.with_columns(
        pl.col("value").first().over(["field", "_norm"]).alias("canonical"),
        (pl.col("value") != pl.col("value").first().over(["field", "_norm"])).alias("is_variant"),
        pl.format("{}={}", pl.col("field"), pl.col("value")).alias("value_key"),
    )
    return table.select("value_key", "field", "value", "count", "lines", "is_variant", "canonical")


# --- prompt/completion conventions ----------------------------------------------------------


def _common_affix(texts: list[str], suffix: bool, min_share: float = 0.9) -> str | None:
    """The longest separator/ending (up to 12 characters) that at least `min_share` of the
    texts share; a convention needs 3+ characters, so plain punctuation does not count."""
    best = None
    for size in range(1, 13):
        pieces = Counter((t[-size:] if suffix else t[:size]) for t in texts if len(t) >= size)
        if not pieces:
            break
        piece, count = pieces.most_common(1)[0]
        if count / len(texts) < min_share:
            break
        best = piece
    return best if best is not None and len(best) >= 3 else None


def affix_table(train: pl.DataFrame) -> tuple[pl.DataFrame, str | None, str | None]:
    """Per example: does the prompt end with the common separator and the completion with the
    common ending? (The prompt/completion convention of fine-tuning APIs.)"""
    prompts = train["input_text"].fill_null("").to_list()
    completions = train["target_text"].fill_null("").to_list()
    separator = _common_affix(prompts, suffix=True)
    ending = _common_affix(completions, suffix=True)
    ok = [
        (separator is None or p.endswith(separator)) and (ending is None or c.endswith(ending))
        for p, c in zip(prompts, completions, strict=True)
    ]
    table = train.select("example_id", "source_line").with_columns(
        pl.Series("affix_ok", ok, dtype=pl.Boolean)
    )
    return table, separator, ending
