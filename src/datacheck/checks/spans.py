"""Span annotations (character offsets over the text, each with a slot name): offsets that
point outside the text or at other words than the value says, boundaries that cut words or
take in spaces, overlapping spans of different slots, and enough examples of every slot."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from datacheck._frames import number
from datacheck._words import listing, plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import register
from datacheck.checks._tables import derived
from datacheck.checks.labels import spelling_table
from datacheck.normalize import EVAL_SPLITS

#: problems listed per check in its details, the first of each kind
_LISTED = 50


def _has_spans(ctx: Context) -> bool:
    return ctx.detection.schema == "spans" and "spans" in ctx.frame.columns


@derived("span_table", key="span_id", when=_has_spans)
def _span_table(ctx: Context) -> pl.DataFrame:
    """One row per span of every training example, with what is wrong with it."""
    spans = (
        ctx.train.select("example_id", "source_line", "split", "input_text", "spans")
        .explode("spans")
        .drop_nulls("spans")
        .unnest("spans")
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("span_id"))
    )
    text = pl.col("input_text")
    start, end = pl.col("start"), pl.col("end")
    size = text.str.len_chars().cast(pl.Int64)
    in_range = start.is_not_null() & end.is_not_null() & (start >= 0) & (end <= size)
    ordered = start < end
    cut = text.str.slice(start, (end - start).clip(0))
    before = text.str.slice((start - 1).clip(0), 1)
    first, last = cut.str.slice(0, 1), cut.str.slice(-1, 1)
    after = text.str.slice(end, 1)
    word = r"^\w$"
    spans = spans.with_columns(
        (in_range & ordered).alias("offsets_ok"),
        cut.alias("covered"),
    ).with_columns(
        (
            ~pl.col("offsets_ok")
            | pl.col("value").is_null()
            | (pl.col("covered") == pl.col("value"))
        ).alias("value_ok"),
        (~pl.col("offsets_ok") | ~(first.str.contains(r"^\s$") | last.str.contains(r"^\s$"))).alias(
            "edges_ok"
        ),
        (
            ~pl.col("offsets_ok")
            | ~(
                ((start > 0) & before.str.contains(word) & first.str.contains(word))
                | (after.str.contains(word) & last.str.contains(word))
            )
        ).alias("words_ok"),
    )
    return spans.with_columns(
        _overlap_ok(spans).alias("overlap_ok"), (~pl.col("omitted")).alias("stated_ok")
    ).drop("input_text")


def _overlap_ok(spans: pl.DataFrame) -> pl.Series:
    """False for a span that overlaps another span of a different slot in its example."""
    pairs = spans.select("example_id", "span_id", "start", "end", "entity").join(
        spans.select("example_id", "span_id", "start", "end", "entity"),
        on="example_id",
        suffix="_other",
    )
    clashing = pairs.filter(
        (pl.col("span_id") != pl.col("span_id_other"))
        & (pl.col("entity") != pl.col("entity_other"))
        & (pl.col("start") < pl.col("end_other"))
        & (pl.col("start_other") < pl.col("end"))
    )["span_id"]
    return ~spans["span_id"].is_in(clashing.implode())


@derived("slots", key="slot", needs=("unique_examples",), when=_has_spans)
def _slots(ctx: Context) -> pl.DataFrame:
    """Unique training examples with at least one span of each slot."""
    unique = ctx.tables["unique_examples"].frame.select("example_id")
    return (
        ctx.train.join(unique, on="example_id", how="semi")
        .select("example_id", pl.col("spans").list.eval(pl.element().struct.field("entity")))
        .explode("spans")
        .drop_nulls("spans")
        .unique()
        .group_by(pl.col("spans").alias("slot"))
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .with_columns((pl.col("count").max() / pl.col("count")).alias("imbalance_ratio"))
        .sort(["count", "slot"])
    )


class _SpanCheck(Check):
    """A check of span annotations: irrelevant to data without them."""

    table = "span_table"

    def applies(self, ctx: Context) -> bool | str:
        return self.table in ctx.tables


class _SpanProblems(_SpanCheck):
    """A check of single spans: the failing ones, listed with what is wrong with each."""

    #: what the failing spans do, after "N spans of M"
    summary: ClassVar[str]

    def reason(self) -> pl.Expr:
        """Why a failing span fails, in words."""
        raise NotImplementedError

    def evaluate(self, ctx: Context) -> Finding:
        bad = _bad_spans(ctx, self)
        finding = _span_result(self, ctx, bad, self.summary)
        return _with_problems(finding, _problem_rows(bad, self.reason()))


def _bad_spans(ctx: Context, check: Check) -> pl.DataFrame:
    spans = ctx.tables["span_table"].frame
    return spans.filter(pl.col("span_id").is_in(check.failing_keys(ctx))).sort("span_id")


def _problem_rows(bad: pl.DataFrame, reason: pl.Expr) -> list[dict[str, object]]:
    return (
        bad.head(_LISTED)
        .select(
            pl.col("source_line").alias("line"),
            "split",
            pl.col("entity").alias("slot"),
            "start",
            "end",
            "value",
            pl.col("covered").alias("text_at_offsets"),
            reason.alias("problem"),
        )
        .to_dicts()
    )


def _span_result(check: Check, ctx: Context, bad: pl.DataFrame, what: str) -> Finding:
    lines = sorted(set(bad["source_line"].to_list()))
    total = ctx.tables["span_table"].frame.height
    message = (
        f"{plural(bad.height, 'span')} of {total:,} {what} ({ctx.position}s {listing(lines)})"
        if bad.height
        else f"all {total:,} spans are sound"
    )
    return check.result(
        ctx,
        passed=check.gx_passed(ctx),
        observed=bad.height,
        required=0,
        message=message,
        rows=lines,
        details={},
    )


@register
class SpanOffsets(_SpanProblems):
    """Spans whose offsets fall outside the text or end before they start, and spans whose
    stated `value` is not the text their offsets cut.

    A model trained on such a span learns to extract words that are not there, or the wrong
    ones; the usual cause is offsets counted in bytes (or UTF-16 units) where the format
    counts characters, or text edited after it was annotated.
    """

    id = "format.span_offsets"
    title = "Span offsets point at their values"
    fix = "recompute the offsets from the text (in characters), or fix the stated values"
    summary = "point elsewhere than their value"

    def reason(self) -> pl.Expr:
        return (
            pl.when(~pl.col("offsets_ok"))
            .then(pl.lit("offsets outside the text, or end before start"))
            .otherwise(pl.lit("the offsets cut other text than the value"))
        )


@register
class SpanBoundaries(_SpanProblems):
    """Spans that cut a word in half, or take in a space at either end.

    A span boundary inside a word teaches the model to split words; a space inside a span
    makes the same value two different strings. Both usually come from a tokenizer-based
    annotation tool mapped back to characters, or from hand-edited offsets.
    """

    id = "format.span_boundaries"
    title = "Spans start and end at word boundaries"
    severity = "warning"
    fix = "move each boundary to the start or end of a word and out of the white space"
    summary = "with a boundary inside a word or a space"

    def reason(self) -> pl.Expr:
        return (
            pl.when(~pl.col("edges_ok"))
            .then(pl.lit("a space at the start or end of the span"))
            .otherwise(pl.lit("cuts a word in half"))
        )


@register
class SpanOverlaps(_SpanProblems):
    """Spans of different slots that overlap in one example.

    The same characters cannot be two slots at once for a model that writes each value
    once; one of the two annotations is usually a mistake.
    """

    id = "format.span_overlaps"
    title = "No overlapping spans of different slots"
    severity = "warning"
    fix = "keep one of the overlapping spans, or split the text between them"
    summary = "overlap a span of another slot"

    def reason(self) -> pl.Expr:
        return pl.lit("overlaps another slot")


@register
class SpanOmittedOffsets(_SpanProblems):
    """Spans that leave out an offset, read as 0.

    Exports of protobuf messages (JSON written by `MessageToJson`) leave out any number that
    is 0, so a span that starts at the first character has no `startIndex`. datacheck reads
    it as 0, as protobuf does; a reader that does not will drop or misplace those spans, and
    an offset left out by mistake looks the same. Each such span is listed.
    """

    id = "format.span_omitted_offsets"
    title = "Every span states its offsets"
    severity = "warning"
    fix = (
        "write both offsets in every span (0 included), or make sure the trainer reads a "
        "missing one as 0"
    )
    summary = "leave out an offset, read as 0"

    def reason(self) -> pl.Expr:
        return pl.lit("an offset left out, read as 0")


@register
class RepeatedListItems(Check):
    """Lists in the data (such as a dialogue state's `requestedSlots`) that name one item
    twice.

    A list of slots or tags is a set in the annotator's mind; a repeat is a slip of the
    export or of the annotator, and a model trained on it learns to repeat.
    """

    id = "format.repeated_list_items"
    title = "No list names an item twice"
    severity = "warning"
    fix = "keep each item once in these lists"

    def applies(self, ctx: Context) -> bool | str:
        return "repeated_items" in ctx.tables

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables["repeated_items"].frame
        bad = table.filter(pl.col("example_id").is_in(self.failing_keys(ctx)))
        lines = sorted(bad["source_line"].to_list())
        shown = bad.sort("source_line").head(_LISTED)
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=bad.height,
            required=0,
            message=(
                f"{plural(bad.height, 'example')} name an item twice in a list "
                f"({ctx.where(lines)}): "
                + "; ".join(shown["repeated"].list.join(", ").head(3).to_list())
                if bad.height
                else "no list repeats an item"
            ),
            rows=lines,
            details={
                "problems": [
                    {"line": line, "repeated": repeated}
                    for line, repeated in shown.select("source_line", "repeated").iter_rows()
                ]
            },
        )


@derived("repeated_items", key="example_id", when=lambda ctx: "repeated" in ctx.train.columns)
def _repeated_items(ctx: Context) -> pl.DataFrame:
    """Per training example, the list items it names more than once (`field: item`)."""
    return ctx.train.select(
        "example_id",
        "source_line",
        "repeated",
        pl.col("repeated").list.len().fill_null(0).eq(0).alias("unique_ok"),
    )


@derived("slot_spellings", key="slot", needs=("span_table",))
def _slot_spellings(ctx: Context) -> pl.DataFrame:
    """Each slot name as written, with its spans and the spelling most spans of its
    normalised form use (see `labels.spelling_table`)."""
    spans = ctx.tables["span_table"].frame.select(pl.col("entity").alias("slot"))
    return spelling_table(spans, "slot")


@register
class SlotVariants(_SpanCheck):
    """Slot names that differ only in case or white space (`City`, `city`, `city `).

    The model sees two slots where the annotators meant one, and learns each from half the
    examples.
    """

    id = "labels.slot_variants"
    title = "One spelling per slot name"
    table = "slot_spellings"
    fix = "rename the slots to one spelling each"

    def evaluate(self, ctx: Context) -> Finding:
        spellings = ctx.tables["slot_spellings"].frame
        variants = spellings.filter(pl.col("slot").is_in(self.failing_keys(ctx)))
        spans = ctx.tables["span_table"].frame
        lines = sorted(
            set(spans.filter(pl.col("entity").is_in(variants["slot"].implode()))["source_line"])
        )
        pairs = [
            f"{slot!r} ({plural(count, 'span')}) looks like {main!r}"
            for slot, count, main in variants.select("slot", "count", "category").iter_rows()
        ]
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed={r["slot"]: r["category"] for r in variants.iter_rows(named=True)},
            required="one spelling per slot",
            message="; ".join(pairs) if pairs else "every slot has one spelling",
            rows=lines,
        )


@derived("span_examples", key="example_id", when=_has_spans)
def _span_examples(ctx: Context) -> pl.DataFrame:
    """Per training example, whether it annotates anything (1) or nothing (0)."""
    return ctx.train.select(
        "example_id",
        "source_line",
        (pl.col("spans").list.len().fill_null(0) > 0).cast(pl.Int64).alias("has_spans"),
    )


@register
class ExamplesWithoutSpans(_SpanCheck):
    """The share of training examples with nothing to extract, against a bound.

    An example with no span is valid (the model must learn to extract nothing), and real
    data holds many: a third of a slot-filling set, two fifths of an intent set. Past the
    bound (`max_share_without_spans`, half by default) the model mostly learns to answer
    nothing, and an export that lost its annotations looks the same.
    """

    id = "volume.without_spans"
    config_keys = ("max_share_without_spans",)
    title = "Examples with nothing to extract stay a minority"
    severity = "warning"
    table = "span_examples"
    fix = "check that the annotations were exported, or annotate more examples with values"

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables["span_examples"].frame
        without = int((table["has_spans"] == 0).sum())
        share = without / max(table.height, 1)
        bound = float(ctx.threshold("max_share_without_spans"))
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed={"examples_without_spans": ctx.scaled(without), "share": round(share, 4)},
            required={"max_share": bound},
            message=f"{ctx.approx}{plural(ctx.scaled(without), 'example')} ({share:.0%}) "
            f"annotate nothing; bound {bound:.0%}",
        )


@register
class VolumePerSlot(_SpanCheck):
    """Unique training examples per slot, against the guide's 500-1,000 annotated examples
    for structured extraction.

    An example counts for a slot when it annotates at least one value of it; examples with
    no span at all are valid (nothing to extract) and count for none. A slot with few
    examples is the one the model will miss.
    """

    id = "volume.per_slot"
    config_keys = ("min_per_slot",)
    title = "Enough examples of every slot"
    table = "slots"
    fix = "annotate more examples of the short slots, or merge or drop them"

    def evaluate(self, ctx: Context) -> Finding:
        slots = ctx.tables["slots"].frame.with_columns(
            pl.col("count").map_elements(ctx.scaled, return_dtype=pl.Int64)
        )
        required = ctx.scaled(float(self.outcomes(ctx)[0].kwargs["min_value"]))
        short = slots.filter(pl.col("slot").is_in(self.failing_keys(ctx))).sort(["count", "slot"])
        empty = int(ctx.train["spans"].list.len().fill_null(0).eq(0).sum())
        parts = [
            f"{row['slot']} has {row['count']:,} (needs {required:,})"
            for row in short.head(5).iter_rows(named=True)
        ]
        if short.height > 5:
            parts.append(f"and {short.height - 5:,} more")
        message = (
            "; ".join(parts)
            if parts
            else f"every one of {plural(slots.height, 'slot')} has {required:,}+ examples"
        )
        share = empty / max(ctx.train.height, 1)
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=dict(zip(slots["slot"], slots["count"], strict=True)),
            required=required,
            message=message,
            fix=f"annotate more examples of {short['slot'][0]}" if short.height else self.fix,
            impact=sum(int(required - n) for n in short["count"]),
            details={
                "short": short.to_dicts(),
                "examples_without_spans": ctx.scaled(empty),
                "share_without_spans": round(share, 4),
            },
        )


def _with_problems(finding: Finding, problems: list[dict[str, object]]) -> Finding:
    from dataclasses import replace

    return replace(finding, details={**finding.details, "problems": problems})


@derived("slot_shares", key="slot", when=_has_spans)
def _slot_shares(ctx: Context) -> pl.DataFrame | None:
    """Per slot, the share of training and of eval examples that annotate it (None without
    eval data)."""
    evals = ctx.frame.filter(pl.col("split").is_in(EVAL_SPLITS))
    if evals.is_empty():
        return None

    def shares(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        slots = (
            frame.select(
                "example_id", pl.col("spans").list.eval(pl.element().struct.field("entity"))
            )
            .explode("spans")
            .drop_nulls("spans")
            .unique()
        )
        return slots.group_by(pl.col("spans").alias("slot")).agg(
            (pl.len() / max(frame.height, 1)).alias(name)
        )

    bound = float(ctx.threshold("max_label_drift"))
    table = shares(ctx.train, "train_share").join(
        shares(evals, "eval_share"), on="slot", how="full", coalesce=True
    )
    table = table.with_columns(pl.col("train_share", "eval_share").fill_null(0.0))
    difference = pl.col("eval_share") - pl.col("train_share")
    return table.with_columns(
        difference.round(4).alias("difference"),
        (
            (difference.abs() <= bound)
            & ((pl.col("eval_share") > 0) | (pl.col("train_share") == 0))
        ).alias("drift_ok"),
    ).sort("slot")


@register
class SlotDrift(_SpanCheck):
    """Whether the eval set annotates each slot about as often as training does: a slot
    missing from eval cannot be measured, and shares that differ by more than
    `max_label_drift` (0.10) make the eval score a poor guide.
    """

    id = "hygiene.slot_drift"
    config_keys = ("max_label_drift",)
    title = "Eval slots match the training mix"
    severity = "warning"
    table = "slot_shares"
    fix = "re-sample the eval set so every slot appears in about its training share"

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables["slot_shares"].frame
        bad = table.filter(pl.col("slot").is_in(self.failing_keys(ctx)))
        missing = bad.filter(pl.col("eval_share") == 0)["slot"].to_list()
        shifted = bad.filter(pl.col("eval_share") > 0).sort(
            pl.col("difference").abs(), descending=True
        )
        parts = [f"missing from eval: {listing(missing)}"] if missing else []
        parts += [
            f"{row['slot']!r} in {row['eval_share']:.0%} of eval vs {row['train_share']:.0%} "
            "of training"
            for row in shifted.head(3).iter_rows(named=True)
        ]
        bound = float(ctx.threshold("max_label_drift"))
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed={"drifting_slots": bad.height, "missing_from_eval": missing},
            required={"max_difference": bound},
            message="; ".join(parts) if parts else f"slot shares within {bound:.0%} of training",
            details={"slots": bad.to_dicts()},
        )


@register
class SlotImbalance(_SpanCheck):
    """How much more often the commonest slot is annotated than each other one.

    A slot the model sees ten times less often than another is the one it misses; past the
    configured ratio (`max_imbalance_ratio`, 10x) it needs more examples.
    """

    id = "volume.slot_imbalance"
    config_keys = ("max_imbalance_ratio",)
    title = "Slots reasonably balanced"
    severity = "warning"
    table = "slots"
    fix = "annotate more examples of the rare slots, or merge them into others"

    def evaluate(self, ctx: Context) -> Finding:
        slots = ctx.tables["slots"].frame
        bound = float(ctx.threshold("max_imbalance_ratio"))
        largest = slots.sort(["count", "slot"], descending=[True, False]).row(0, named=True)
        rare = slots.filter(pl.col("slot").is_in(self.failing_keys(ctx))).sort(["count", "slot"])
        message = (
            f"{plural(rare.height, 'slot')} under 1/{bound:g} of {largest['slot']} "
            f"({largest['count']:,}): "
            + ", ".join(f"{r['slot']} {r['count']:,}" for r in rare.head(5).iter_rows(named=True))
            + (f" and {rare.height - 5:,} more" if rare.height > 5 else "")
            if rare.height
            else f"every slot within {bound:g}x of {largest['slot']}"
        )
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=round(number(slots["imbalance_ratio"].max()), 2),
            required=bound,
            message=message,
            details={"rare": rare.to_dicts()},
        )
