"""Task fit: is this a use case the guide calls a good starter, or a hard-to-verify one?"""

from __future__ import annotations

from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import register
from datacheck.profiles import HARD_TO_VERIFY


@register
class HardToVerify(Check):
    """Whether the use case is one the guide calls challenging to fine-tune for.

    Open-ended chat, creative writing, general knowledge QA, complex decision making and
    real-time generation are hard to measure, so you cannot tell whether a fine-tune helped.
    Detected for open chat data; set `use_case` in the configuration for the others.
    """

    id = "task.hard_to_verify"
    title = "Use case can be verified"
    severity = "warning"
    fix = "scope the task down to something with a checkable answer"

    def evaluate(self, ctx: Context) -> Finding:
        use_case = ctx.settings.use_case or (ctx.task if ctx.task in HARD_TO_VERIFY else None)
        if use_case is None:
            return self.result(
                ctx,
                passed=True,
                observed=ctx.task,
                required="a verifiable use case",
                message=f"{ctx.task.replace('_', ' ')} is one of the guide's good use cases",
            )
        why, alternative = HARD_TO_VERIFY[use_case]
        return self.result(
            ctx,
            passed=False,
            observed=use_case,
            required="a verifiable use case",
            message=why,
            fix=f"the guide suggests: {alternative}",
        )
