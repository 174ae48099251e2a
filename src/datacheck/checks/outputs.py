"""Outputs, not only inputs: replies far longer than the rest, and replies that repeat one
phrase over and over (a generation loop or a copy-paste accident kept in the data). A model
trained on them learns to ramble or to loop."""

from __future__ import annotations

import math
import zlib
from collections import Counter

import polars as pl

from datacheck._frames import number
from datacheck._words import plural
from datacheck.checks._base import JSON_TASKS, Check, Context, Finding
from datacheck.checks._registry import register
from datacheck.checks._tables import derived
from datacheck.checks.format import length_bounds

#: outputs shorter than this (bytes) are not tested for repetition: compression says little
MIN_REPETITION_BYTES = 400


def _written_outputs(ctx: Context) -> bool:
    """Whether outputs are written (not a label to pick)."""
    return ctx.task != "classification" and "target_text" in ctx.train.columns


def _prose_outputs(ctx: Context) -> bool:
    """Whether outputs are free text: a JSON list of similar records compresses as well as a
    loop does (0.1), so structured outputs are left out of the repetition test."""
    return _written_outputs(ctx) and ctx.task not in JSON_TASKS


_LOG_CHARS = (pl.col("target_chars").cast(pl.Float64) + 1).log10()


@derived("output_lengths", key="example_id", needs=("examples",), when=_written_outputs)
def _output_lengths(ctx: Context) -> pl.DataFrame:
    """Per training example with an output, its length and whether it is within the bound."""
    examples = ctx.tables["examples"].frame.filter(pl.col("target_chars") > 0)
    high = _output_bound(ctx, examples)
    return examples.select(
        "example_id", "source_line", "target_chars", (_LOG_CHARS <= high).alias("output_length_ok")
    )


def _output_bound(ctx: Context, examples: pl.DataFrame) -> float:
    """The log10(length + 1) above which an output is far longer than the rest."""
    log_lengths = examples.select(_LOG_CHARS).to_series()
    return length_bounds(log_lengths, float(ctx.threshold("length_outlier_iqr")))[1]


@register
class OutputLengthOutliers(Check):
    """Outputs far longer than the bulk of the outputs: beyond the Tukey fence on log length
    and at least ten times the median. The model learns the lengths it is shown, so a few
    pasted essays teach it to run on; they also cost the most tokens."""

    id = "format.output_length_outliers"
    config_keys = ("length_outlier_iqr",)
    title = "No extreme output lengths"
    severity = "warning"
    fix = "look at these outputs; cut pasted material, or drop them"

    def applies(self, ctx: Context) -> bool | str:
        return "output_lengths" in ctx.tables

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables["output_lengths"].frame
        bad = table.filter(pl.col("example_id").is_in(self.failing_keys(ctx)))
        lines = sorted(bad["source_line"].to_list())
        chars = table["target_chars"]
        if chars.is_empty():
            return self.result(
                ctx, passed=True, observed=0, required=None, message="no output to measure"
            )
        high = _output_bound(ctx, table)
        max_chars = int(10**high - 1) if math.isfinite(high) else None
        observed = (
            f"outputs run {int(number(chars.min())):,}-{int(number(chars.max())):,} characters "
            f"(median {int(number(chars.median())):,})"
        )
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(lines),
            required={"max_chars": max_chars},
            message=f"{plural(len(lines), 'output')} over {max_chars:,} characters "
            f"({ctx.where(lines)}); {observed}"
            if lines and max_chars is not None
            else f"{observed}; none far longer than the rest",
            rows=lines,
        )


def _compression(text: str) -> float:
    data = text.encode("utf-8", "surrogatepass")
    return len(zlib.compress(data, 6)) / len(data)


@derived("repetition", key="example_id", when=_prose_outputs)
def _repetition(ctx: Context) -> pl.DataFrame:
    """Per training example with a long output, how small it compresses (compressed / raw
    bytes, zlib): natural prose stays above 0.3, a phrase repeated many times drops far
    below. Each distinct output is compressed once."""
    limit = float(ctx.threshold("min_output_compression"))
    long = ctx.train.select("example_id", "source_line", "target_text").filter(
        pl.col("target_text").str.len_bytes() >= MIN_REPETITION_BYTES
    )
    texts = long["target_text"].unique().to_list()
    ratios = pl.DataFrame(
        {"target_text": texts, "compression": [_compression(t) for t in texts]},
        schema={"target_text": pl.String, "compression": pl.Float64},
    )
    return long.join(ratios, on="target_text", how="left").select(
        "example_id",
        "source_line",
        "compression",
        (pl.col("compression") >= limit).alias("repetition_ok"),
    )


def repeated_phrase(text: str) -> tuple[str, int]:
    """The phrase a degenerate text repeats (up to eight words) and how often: the shortest
    whose repeats cover nine tenths of the text, else the one that covers most."""
    words = text.split()
    best: tuple[float, str, int] = (0.0, "", 0)
    for size in range(1, min(8, len(words)) + 1):
        grams = Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
        gram, count = grams.most_common(1)[0]
        cover = count * size / len(words)
        if cover >= 0.9:
            return " ".join(gram), count
        best = max(best, (cover, " ".join(gram), count))
    return best[1], best[2]


@register
class OutputRepetition(Check):
    """Outputs that repeat one phrase over and over: long, and compressing to under
    `min_output_compression` of their size (0.15 by default; prose compresses to 0.3-0.5).
    This is what a generation loop looks like, and the model learns to loop. Structured
    (JSON) outputs are not tested: a list of similar records compresses as well as a loop."""

    id = "format.output_repetition"
    config_keys = ("min_output_compression",)
    title = "No output repeats itself over and over"
    severity = "warning"
    fix = "rewrite or drop these outputs: they repeat one phrase"

    def applies(self, ctx: Context) -> bool | str:
        return "repetition" in ctx.tables

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables["repetition"].frame
        bad = table.filter(pl.col("example_id").is_in(self.failing_keys(ctx))).sort("source_line")
        lines = bad["source_line"].to_list()
        examples: list[str] = []
        if lines:
            first = ctx.train.filter(pl.col("example_id") == bad["example_id"][0])
            phrase, count = repeated_phrase(first["target_text"][0])
            cut = phrase if len(phrase) <= 60 else phrase[:57] + "..."
            examples.append(f'{ctx.position} {lines[0]} repeats "{cut}" {count:,} times')
        lowest = number(bad["compression"].min()) if lines else math.nan
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(lines),
            required={"min_compression": float(ctx.threshold("min_output_compression"))},
            message=f"{plural(len(lines), 'output')} {'repeats' if len(lines) == 1 else 'repeat'} "
            "a phrase over and over "
            f"({ctx.where(lines)}); {examples[0]}"
            if lines
            else f"no output repeats itself ({table.height:,} long outputs checked)",
            rows=lines,
            details={"lowest_compression": round(lowest, 4)} if lines else {},
        )
