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
from datacheck.spans import canonical_spans, span_fields

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
    if detection.schema == "spans":
        frame = frame.with_columns(_spans_with_values(frame, detection).alias(_SPANS))
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
        out = out.with_columns(frame[_SPANS].alias("spans"))
    repeated = _repeated(frame)
    if repeated is not None:
        out = out.with_columns(frame.select(repeated).to_series().alias("repeated"))
    return out


def _repeated(frame: pl.DataFrame) -> pl.Expr | None:
    """Per row, the items of its lists of text named more than once, as `field: item`."""
    lists = [name for name, dtype in frame.schema.items() if dtype == pl.List(pl.String)]
    if not lists:
        return None
    parts = [
        pl.col(name).list.eval(
            pl.format(
                "{}: {}", pl.lit(name), pl.element().filter(pl.element().is_duplicated())
            ).unique(maintain_order=True)
        )
        for name in lists
    ]
    return pl.concat_list(parts).list.drop_nulls()


#: the span lists as `{start, end, entity, value, omitted}` (see `datacheck.spans`), added
#: to the frame once so the target and the `spans` column share them
_SPANS = "__spans__"


def _spans_with_values(frame: pl.DataFrame, d: Detection) -> pl.Series:
    """The canonical spans; where the format states no value, the text the offsets cut."""
    assert d.target_field is not None and d.text_field is not None
    fields = span_fields(frame.schema[d.target_field])
    assert fields is not None
    spans = frame.select(canonical_spans(d.target_field, fields)).to_series()
    if fields.value is not None:
        return spans
    start, end = pl.col("start"), pl.col("end")
    flat = (
        pl.DataFrame({"row": pl.int_range(frame.height, eager=True), "spans": spans})
        .with_columns(frame.select(as_text(frame, d.text_field)).to_series().alias("text"))
        .explode("spans")
        .unnest("spans")
        .with_columns(pl.coalesce("value", pl.col("text").str.slice(start, (end - start).clip(0))))
    )
    rebuilt = flat.group_by("row", maintain_order=True).agg(
        pl.struct("start", "end", "entity", "value", "omitted").filter(start.is_not_null())
    )
    every_row = pl.DataFrame({"row": pl.int_range(frame.height, eager=True)})
    rebuilt = every_row.join(rebuilt, on="row", how="left", maintain_order="left")
    column = rebuilt.get_column("start")  # the aggregated structs keep the first name
    return column.fill_null(column.head(0).implode().first()).alias("spans")


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
        return inputs, _span_target(d)
    target = as_text(frame, d.target_field) if d.target_field else pl.lit(None, pl.String)
    return inputs, target


def _span_target(d: Detection) -> pl.Expr:
    """What the model must write for span data, as JSON: the intent (if any) and the (slot,
    value) pairs in the order given; no pairs is a valid answer, `"slots":[]`."""
    pair = pl.struct(
        pl.element().struct.field("entity").alias("slot"), pl.element().struct.field("value")
    )
    pairs = pl.col(_SPANS).list.eval(pair)
    pairs = pl.when(pairs.is_null()).then(pairs.list.head(0)).otherwise(pairs)
    fields = [pairs.alias("slots")]
    if d.label_field is not None:
        fields.insert(0, pl.col(d.label_field).cast(pl.String).alias("intent"))
    return pl.struct(fields).struct.json_encode()
