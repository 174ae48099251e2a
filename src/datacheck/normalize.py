"""Turn any detected shape into one canonical frame the checks and tokenizers share.

Columns: `example_id` (0-based, load order), `source_line` (1-based line or row in the source),
`split` (train / eval / a dataset's own split names), `input_text` (what the model reads; for
chat, the user turns without the fixed system prompt), `target_text` (what it must write),
`label` (classification only, as written), and for chat data `messages` (the message list).
"""

from __future__ import annotations

import polars as pl

from datacheck._columns import as_text
from datacheck._frames import kept
from datacheck.chat import content_text, last_assistant
from datacheck.detect import Detection
from datacheck.load import SOURCE_LINE, SPLIT

#: Which splits count as held-out data; everything else is training data.
EVAL_SPLITS = ("eval", "test", "validation", "valid", "dev")


def training(frame: pl.DataFrame) -> pl.DataFrame:
    """The training rows (all of them, without a copy, when there is no held-out split)."""
    return kept(frame, ~pl.col("split").is_in(EVAL_SPLITS))


def normalize(frame: pl.DataFrame, detection: Detection, *, split: str = "train") -> pl.DataFrame:
    """Return the canonical frame for `frame` as `detection` describes it."""
    split_expr = (
        pl.col(SPLIT).cast(pl.String).fill_null(split) if SPLIT in frame.columns else pl.lit(split)
    )
    inputs, targets = _texts(frame, detection)
    label: pl.Expr = targets if detection.task == "classification" else pl.lit(None)
    if detection.schema in ("text_label", "spans") and detection.label_field is not None:
        label = as_text(frame, detection.label_field)
    out = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("example_id"),
        pl.col(SOURCE_LINE).alias("source_line"),
        split_expr.alias("split"),
        inputs.alias("input_text"),
        targets.alias("target_text"),
        label.cast(pl.String).alias("label"),
    )
    if detection.schema == "chat" and detection.target_field is not None:
        out = out.with_columns(frame[detection.target_field].alias("messages"))
    if detection.schema == "spans":
        out = out.with_columns(frame.select(_spans(frame, detection)).to_series().alias("spans"))
    return out


def _spans(frame: pl.DataFrame, d: Detection) -> pl.Expr:
    """The span lists as `{start, end, entity, value}`; `value` is the text the offsets cut
    where the format states none."""
    assert d.target_field is not None and d.text_field is not None
    dtype = frame.schema[d.target_field]
    assert isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)
    names = {f.name for f in dtype.inner.fields}
    span = pl.element().struct
    value = span.field("value").cast(pl.String) if "value" in names else pl.lit(None, pl.String)
    return pl.col(d.target_field).list.eval(
        pl.struct(
            span.field("start").cast(pl.Int64).alias("start"),
            span.field("end").cast(pl.Int64).alias("end"),
            span.field("entity").cast(pl.String).alias("entity"),
            value.alias("value"),
        )
    )


def _texts(frame: pl.DataFrame, d: Detection) -> tuple[pl.Expr, pl.Expr]:
    if d.schema == "chat" and d.target_field is not None:
        messages = pl.col(d.target_field)
        role = pl.element().struct.field("role")
        dtype = frame.schema[d.target_field]
        content = content_text(pl.element(), dtype)
        # the system prompt is usually one fixed instruction: leave it out of the text compared
        turns = messages.list.eval(content.filter(~role.is_in(["assistant", "system"])))
        single = turns.list.first()
        # one turn (the usual case) is taken as it is, sharing its string with the messages
        inputs = (
            pl.when((turns.list.len() == 1) & single.is_not_null())
            .then(single)
            .otherwise(turns.list.join("\n"))
        )
        return inputs, last_assistant(messages, dtype)
    assert d.text_field is not None
    inputs = as_text(frame, d.text_field)
    if d.schema == "instruction" and d.context_field in frame.columns:
        context = as_text(frame, d.context_field)
        inputs = (
            pl.when(context.str.strip_chars().str.len_chars() > 0)
            .then(pl.concat_str([inputs, context], separator="\n\n"))
            .otherwise(inputs)
        )
    if d.schema == "spans":
        return inputs, _span_target(frame, d)
    target = as_text(frame, d.target_field) if d.target_field else pl.lit(None, pl.String)
    return inputs, target


def _span_target(frame: pl.DataFrame, d: Detection) -> pl.Expr:
    """What the model must write for span data, as JSON: the intent (if any) and the (slot,
    value) pairs in the order given; no pairs is a valid answer, `"slots":[]`."""
    pair = pl.struct(
        pl.element().struct.field("entity").alias("slot"), pl.element().struct.field("value")
    )
    pairs = _spans(frame, d).list.eval(pair)
    pairs = pl.when(pairs.is_null()).then(pairs.list.head(0)).otherwise(pairs)
    fields = [pairs.alias("slots")]
    if d.label_field is not None:
        fields.insert(0, pl.col(d.label_field).cast(pl.String).alias("intent"))
    return pl.struct(fields).struct.json_encode()
