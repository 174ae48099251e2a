"""Volume: is there enough data for the use case, in total and in every category?"""

from __future__ import annotations

import polars as pl

from datacheck._words import listing, plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._hygiene import Hygiene
from datacheck.checks._registry import register
from datacheck.checks._tables import derived


@derived("unique_examples", key="example_id", needs=("examples", "hygiene"))
def _unique_examples(ctx: Context) -> pl.DataFrame:
    """Volume counts unique examples: a repeated row adds no information."""
    redundant = ctx.fact("hygiene", Hygiene).redundant_ids
    return ctx.tables["examples"].frame.filter(~pl.col("example_id").is_in(redundant))


@register
class VolumeTotal(Check):
    """Training examples in total, against the guide's figure for the use case.

    The guide asks for 500-1,000 annotated examples for structured extraction, 500+ pairs for
    standardized response generation, 300+ documents for form parsing, 1,000+ pairs for code
    comment generation, and 1,000+ per category for classification (so at least 1,000 times
    the number of categories in total). Below that, a fine-tune rarely beats a good prompt.
    """

    id = "volume.total"
    config_keys = ("min_examples", "min_per_category")
    title = "Enough examples in total"
    fix = "collect or annotate more examples before training"

    def evaluate(self, ctx: Context) -> Finding:
        outcome = self.outcomes(ctx)[0]
        observed = ctx.scaled(int(outcome.observed_value or 0))
        required = ctx.scaled(float(outcome.kwargs["min_value"]))
        short = max(required - observed, 0)
        redundant = ctx.fact("hygiene", Hygiene).redundant_rows
        use_case = ctx.profile.use_case.lower()
        message = f"{ctx.approx}{plural(observed, 'example')}; {use_case} needs {required:,}"
        if redundant:
            message = (
                f"{ctx.approx}{plural(observed, 'unique example')} "
                f"({plural(ctx.scaled(redundant), 'duplicate row')} not counted); "
                f"{use_case} needs {required:,}"
            )
        if short:
            message += f" ({short:,} short)"
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=observed,
            required=required,
            message=message,
            fix=f"collect or annotate {short:,} more examples" if short else self.fix,
            impact=short,
        )


#: short categories named in the message; the details list them all
_LISTED = 5


@register
class VolumePerCategory(Check):
    """Examples per category, against the guide's 1,000+ per category for classification.

    Spellings of one label that differ only in case or white space count together here
    (`labels.variants` reports the split). A category with too few examples is the one the
    model will get wrong most often.
    """

    id = "volume.per_category"
    config_keys = ("min_per_category",)
    title = "Enough examples in every category"
    fix = "collect or label more examples of the short categories, or merge them into others"

    def applies(self, ctx: Context) -> bool | str:
        return "categories" in ctx.tables

    def evaluate(self, ctx: Context) -> Finding:
        categories = ctx.tables["categories"].frame
        required = ctx.min_per_category
        categories = categories.with_columns(
            pl.col("count").map_elements(ctx.scaled, return_dtype=pl.Int64)
        )
        short = categories.filter(pl.col("category").is_in(self.failing_keys(ctx))).sort(
            ["count", "category"]
        )
        parts = [
            f"{c} has {ctx.approx}{n:,} (needs {required:,}, {required - n:,} short)"
            for c, n in short.select("category", "count").iter_rows()
        ]
        message = (
            f"all {plural(categories.height, 'category', 'categories')} have {required:,}+ examples"
            if short.is_empty()
            else "; ".join(parts[:_LISTED])
        )
        if len(parts) > _LISTED:  # every one is in the details
            more = len(parts) - _LISTED
            message += f"; and {plural(more, 'more short category', 'more short categories')}"
        if ctx.fact("hygiene", Hygiene).redundant_rows:
            message += " (unique examples)"
        fix = self.fix
        if not short.is_empty():
            first, count = short.row(0)[:2]
            fix = (
                f"collect or label {required - count:,} more {first} examples, "
                f"or merge {first} into another category"
            )
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=dict(categories.select("category", "count").iter_rows()),
            required=required,
            message=message,
            fix=fix,
            impact=sum(required - n for n in short["count"]),
            details={
                "short": [
                    {"category": c, "count": n, "shortfall": required - n}
                    for c, n in short.select("category", "count").iter_rows()
                ]
            },
        )


@register
class VolumeImbalance(Check):
    """How much larger the largest category is than the smallest.

    A model trained on heavily imbalanced labels learns to favour the common ones; above the
    configured ratio (10x by default) the small categories need more data or re-weighting.
    """

    id = "volume.imbalance"
    config_keys = ("max_imbalance_ratio",)
    title = "Categories reasonably balanced"
    severity = "warning"
    fix = "add examples to the small categories, or down-sample the largest"

    def applies(self, ctx: Context) -> bool | str:
        return "categories" in ctx.tables and ctx.tables["categories"].frame.height > 1

    def evaluate(self, ctx: Context) -> Finding:
        categories = ctx.tables["categories"].frame
        bound = float(ctx.threshold("max_imbalance_ratio"))
        largest = categories.row(0, named=True)
        smallest = categories.row(categories.height - 1, named=True)
        ratio = largest["count"] / smallest["count"]
        failing = self.failing_keys(ctx)
        big, small = ctx.scaled(largest["count"]), ctx.scaled(smallest["count"])
        message = (
            f"largest/smallest = {ratio:,.1f}x ({largest['category']} {ctx.approx}{big:,} vs "
            f"{smallest['category']} {ctx.approx}{small:,} unique examples, spellings merged); "
            f"bound {bound:g}x"
        )
        if failing:
            message += f"; too small next to {largest['category']}: {listing(sorted(failing))}"
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=round(ratio, 2),
            required=bound,
            message=message,
        )
