"""Length: do the examples fit the model that will be trained on them?"""

from __future__ import annotations

from typing import Any

import polars as pl

from datacheck._words import plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import register
from datacheck.checks._tables import derived
from datacheck.normalize import training
from datacheck.plan.models import OPEN_MODELS
from datacheck.plan.token_counts import contexts_for

#: lines listed per model in the details (the counts are complete)
MAX_LINES = 50


@derived("context", key="example_id", when=lambda ctx: ctx.recommendation is not None)
def _context(ctx: Context) -> pl.DataFrame | None:
    """Each training example's total tokens with the recommended model's tokenizer."""
    assert ctx.recommendation is not None
    counts = ctx.token_counts.get(OPEN_MODELS[ctx.recommendation["model"]].tokenizer)
    if counts is None:
        return None
    frame = training(counts.frame)
    return frame.select("example_id", "total")


@register
class ContextWindow(Check):
    """Examples longer than the recommended model's context window, counted exactly with its
    tokenizer and chat template. A trainer silently truncates them, so the model learns
    from examples whose ending (usually the answer) was cut off. The rows over each other
    model's window (or API per-example limit) are listed too, by line.
    """

    id = "length.context_window"
    title = "Every example fits the model's context window"
    fix = "shorten or split the long examples, or choose a model with a longer window"

    def applies(self, ctx: Context) -> bool | str:
        if "context" in ctx.tables or ctx.recommendation is None:
            return "context" in ctx.tables
        model = OPEN_MODELS[ctx.recommendation["model"]]
        return (
            f"{model.tokenizer} tokens were not counted; add it to --tokenizers to measure "
            f"examples against {model.name}'s context window"
        )

    def evaluate(self, ctx: Context) -> Finding:
        assert ctx.recommendation is not None
        model = OPEN_MODELS[ctx.recommendation["model"]]
        rows = ctx.lines_of(self.failing_keys(ctx))
        over = {name: summary["over_context"] for name, summary in ctx.token_summary.items()}
        others = _over_each_model(ctx)
        message = (
            f"{plural(len(rows), 'example')} longer than {model.title}'s "
            f"{model.context:,}-token window ({ctx.where(rows)})"
            if rows
            else f"every example fits {model.title}'s {model.context:,}-token window"
        )
        elsewhere = [
            f"{entry['rows']:,} over {_title(name)}'s {entry['window']:,} "
            f"({ctx.where(entry['lines'], 3)})"
            for name, entry in others.items()
            if name != model.name
        ]
        if elsewhere:
            message += "; other models: " + "; ".join(elsewhere)
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(rows),
            required=f"at most {model.context:,} {model.tokenizer} tokens ({model.title})",
            message=message,
            rows=rows,
            fix=f"shorten or split these examples, or choose a model with a window over "
            f"{model.context:,} tokens",
            details={"over_context": over, "over_context_lines": others},
        )


def _title(model: str) -> str:
    return OPEN_MODELS[model].title if model in OPEN_MODELS else model


def _over_each_model(ctx: Context) -> dict[str, dict[str, Any]]:
    """Per model whose window (or per-example limit) some training example exceeds, counted
    with that model's own tokenizer: the window, how many rows, and their lines."""
    out: dict[str, dict[str, Any]] = {}
    for name, counts in sorted(ctx.token_counts.items()):
        frame = training(counts.frame)
        for model, window in sorted(contexts_for(name).items()):
            over = frame.filter(pl.col("total") > window)["example_id"].to_list()
            if over:
                lines = ctx.lines_of(over)
                out[model] = {"window": window, "rows": len(lines), "lines": lines[:MAX_LINES]}
    return out
