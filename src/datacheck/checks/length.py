"""Length: do the examples fit the model that will be trained on them?"""

from __future__ import annotations

import polars as pl

from datacheck._words import plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import register
from datacheck.checks._tables import derived
from datacheck.normalize import EVAL_SPLITS
from datacheck.plan.models import OPEN_MODELS


@derived("context", key="example_id", when=lambda ctx: ctx.recommendation is not None)
def _context(ctx: Context) -> pl.DataFrame | None:
    """Each training example's total tokens with the recommended model's tokenizer."""
    assert ctx.recommendation is not None
    counts = ctx.token_counts.get(OPEN_MODELS[ctx.recommendation["model"]].tokenizer)
    if counts is None:
        return None
    frame = counts.frame.filter(pl.col("split").is_in(EVAL_SPLITS).not_())
    return frame.select("example_id", "total")


@register
class ContextWindow(Check):
    """Examples longer than the recommended model's context window, counted exactly with its
    tokenizer and chat template. A trainer silently truncates them, so the model learns
    from examples whose ending (usually the answer) was cut off.
    """

    id = "length.context_window"
    title = "Every example fits the model's context window"
    fix = "shorten or split the long examples, or choose a model with a longer window"

    def applies(self, ctx: Context) -> bool | str:
        return "context" in ctx.tables

    def evaluate(self, ctx: Context) -> Finding:
        assert ctx.recommendation is not None
        model = OPEN_MODELS[ctx.recommendation["model"]]
        rows = ctx.lines_of(self.failing_keys(ctx))
        over = {name: summary["over_context"] for name, summary in ctx.token_summary.items()}
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(rows),
            required=f"at most {model.context:,} {model.tokenizer} tokens ({model.title})",
            message=f"{plural(len(rows), 'example')} longer than {model.title}'s "
            f"{model.context:,}-token window"
            if rows
            else f"every example fits {model.title}'s {model.context:,}-token window",
            rows=rows,
            fix=f"shorten or split these examples, or choose a model with a window over "
            f"{model.context:,} tokens",
            details={"over_context": over},
        )
