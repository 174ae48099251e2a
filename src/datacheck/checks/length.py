"""Length: do the examples fit the model that will be trained on them?"""

from __future__ import annotations

from datacheck._words import plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import register
from datacheck.plan.models import OPEN_MODELS


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
        model = OPEN_MODELS[ctx.extras["recommendation"]["model"]]
        rows = ctx.lines_of(self.failing_keys(ctx))
        over = {
            name: summary["over_context"] for name, summary in ctx.extras["token_summary"].items()
        }
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
