"""Small inconsistencies between rows that a model copies: white space at the edges of
texts and labels, and chat rows without the system message the others have."""

from __future__ import annotations

import polars as pl

from datacheck._frames import number
from datacheck._words import listing, plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import register
from datacheck.checks._tables import derived


@derived("edges", key="example_id")
def _edges(ctx: Context) -> pl.DataFrame:
    """Per training example, whether its input, output or label starts or ends in white
    space."""
    columns = [c for c in ("input_text", "target_text", "label") if c in ctx.train.columns]
    spaced = [_spaced(pl.col(c)).fill_null(False).alias(c) for c in columns]
    table = ctx.train.lazy().select("example_id", "source_line", *spaced)
    return table.with_columns((~pl.any_horizontal(columns)).alias("edges_ok")).collect(
        engine="streaming"
    )


def _spaced(text: pl.Expr) -> pl.Expr:
    """Whether `text` starts or ends with white space: whether stripping shortens it (eight
    times faster than a regex that must look at the end of every text; streamed, the
    stripped copies never exist all at once)."""
    return text.str.len_bytes() != text.str.strip_chars().str.len_bytes()


@register
class EdgeWhitespace(Check):
    """Inputs, outputs or labels that start or end with white space.

    A model copies what it sees: a trailing space or newline in the outputs comes back in its
    answers, and `billing ` is another label than `billing` for the code that reads them.
    Reported for information; strip the edges unless they are meant.
    """

    id = "format.edge_whitespace"
    title = "No white space at the edges of texts and labels"
    severity = "info"
    fix = "strip leading and trailing white space from the texts and labels"

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables["edges"].frame
        bad = table.filter(pl.col("example_id").is_in(self.failing_keys(ctx)))
        lines = sorted(bad["source_line"].to_list())
        counts = {
            name: int(bad[name].sum())
            for name in ("input_text", "target_text", "label")
            if name in bad.columns and bad[name].sum()
        }
        what = {"input_text": "inputs", "target_text": "outputs", "label": "labels"}
        parts = [f"{n:,} {what[name]}" for name, n in counts.items()]
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=counts,
            required=0,
            message=f"white space at an edge of {listing(parts)} ({ctx.where(lines)})"
            if lines
            else "no text or label starts or ends with white space",
            rows=lines,
        )


@derived("system_messages", key="example_id", needs=("chat",))
def _system_messages(ctx: Context) -> pl.DataFrame:
    """Per chat example, whether it has a system message, and whether lacking one stands
    out (when most examples have one)."""
    chat = ctx.tables["chat"].frame.select("example_id", "source_line", "has_system")
    most = number(chat["has_system"].mean()) >= 0.5
    return chat.with_columns((pl.col("has_system") | pl.lit(not most)).alias("system_ok"))


@register
class MissingSystemMessage(Check):
    """Chat examples without the system message that most examples have.

    The model learns the behaviour the system message asks for together with it; examples
    without it teach the same answers under another prompt, and at inference time the
    prompt will be there.
    """

    id = "format.chat_system"
    title = "The system message is in every chat example, or in none"
    severity = "warning"
    fix = "add the system message to these examples (or remove it from all)"

    def applies(self, ctx: Context) -> bool | str:
        return "system_messages" in ctx.tables

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables["system_messages"].frame
        bad = table.filter(pl.col("example_id").is_in(self.failing_keys(ctx)))
        lines = sorted(bad["source_line"].to_list())
        share = number(table["has_system"].mean())
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed={"without_system": bad.height, "share_with_system": round(share, 4)},
            required=0,
            message=f"{plural(bad.height, 'example')} without the system message "
            f"{share:.0%} of examples have ({ctx.where(lines)})"
            if lines
            else "the system message is used consistently",
            rows=lines,
        )
