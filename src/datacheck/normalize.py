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
    if detection.schema == "text_label" and detection.label_field is not None:
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
    return out


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
    target = as_text(frame, d.target_field) if d.target_field else pl.lit(None, pl.String)
    return inputs, target
