"""Label coverage: every example labelled, one spelling per label, only the labels you meant."""

from __future__ import annotations

import polars as pl

from datacheck._words import listing, plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import register


def _classification(ctx: Context) -> bool:
    return "categories" in ctx.tables


@register
class LabelsMissing(Check):
    """Examples with no label, or a label that is only white space.

    An unlabelled example teaches nothing, and most trainers either crash on it or train on
    an empty target.
    """

    id = "labels.missing"
    title = "Every example has a label"
    fix = "label these rows or remove them"

    def applies(self, ctx: Context) -> bool | str:
        return _classification(ctx)

    def evaluate(self, ctx: Context) -> Finding:
        rows = ctx.lines_of(self.failing_keys(ctx))
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(rows),
            required=0,
            message=f"{plural(len(rows), 'example')} without a label",
            rows=rows,
        )


@register
class LabelsVariants(Check):
    """Labels that differ only in case or white space, like `Billing` and `billing `.

    The model sees them as two categories and splits the examples between them; both halves
    end up weaker. They are counted together for the volume checks.
    """

    id = "labels.variants"
    title = "One spelling per label"
    fix = "normalise labels: strip spaces and use one spelling for each"

    def applies(self, ctx: Context) -> bool | str:
        return _classification(ctx)

    def evaluate(self, ctx: Context) -> Finding:
        spellings = ctx.tables["spellings"].frame
        variants = spellings.filter(pl.col("label").is_in(self.failing_keys(ctx)))
        pairs = [
            f"{label!r} ({count:,} rows) looks like {category!r} ({total:,})"
            for label, count, category, total in variants.select(
                "label", "count", "category", "category_count"
            ).iter_rows()
        ]
        ids = ctx.train.filter(pl.col("label").is_in(variants["label"].to_list()))["example_id"]
        rows = ctx.lines_of(ids.to_list())
        fix = self.fix
        if pairs:
            label, category = (
                variants.row(0, named=True)["label"],
                variants.row(0, named=True)["category"],
            )
            fix = f"rename {label!r} to {category!r} (strip spaces, one spelling per label)"
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed={r["label"]: r["category"] for r in variants.iter_rows(named=True)},
            required="one spelling per label",
            message="; ".join(pairs) if pairs else "every label has one spelling",
            rows=rows,
            fix=fix,
        )


@register
class LabelsUndeclared(Check):
    """Labels in the data that are not in the declared label set (`labels = [...]`).

    Usually typos or retired categories; the model would learn to produce them.
    """

    id = "labels.undeclared"
    title = "Only declared labels"
    fix = "fix or remove rows whose label is not declared, or add the label to `labels`"

    def applies(self, ctx: Context) -> bool | str:
        if not _classification(ctx):
            return False
        return True if ctx.settings.labels else "no label set declared (config `labels`)"

    def evaluate(self, ctx: Context) -> Finding:
        spellings = ctx.tables["spellings"].frame
        undeclared = spellings.filter(pl.col("label").is_in(self.failing_keys(ctx)))
        ids = ctx.train.filter(pl.col("label").is_in(undeclared["label"].to_list()))["example_id"]
        rows = ctx.lines_of(ids.to_list())
        names = [
            f"{label!r} ({n:,})" for label, n in undeclared.select("label", "count").iter_rows()
        ]
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=undeclared["label"].to_list(),
            required=list(ctx.settings.labels or ()),
            message=f"not declared: {listing(names)}" if names else "all labels are declared",
            rows=rows,
        )


@register
class LabelsUnused(Check):
    """Declared labels with no example at all: the model can never learn to produce them."""

    id = "labels.unused"
    title = "Every declared label has examples"
    severity = "warning"
    fix = "add examples for these labels, or drop them from `labels`"

    def applies(self, ctx: Context) -> bool | str:
        if not _classification(ctx):
            return False
        return True if ctx.settings.labels else "no label set declared (config `labels`)"

    def evaluate(self, ctx: Context) -> Finding:
        unused = self.failing_keys(ctx)
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=unused,
            required="at least 1 example each",
            message=f"no examples: {listing([repr(u) for u in unused])}"
            if unused
            else "every declared label has examples",
        )


@register
class LabelsSingleton(Check):
    """Categories with a single example: too few to learn, and impossible to evaluate."""

    id = "labels.singleton"
    title = "No single-example labels"
    severity = "warning"
    fix = "merge these labels into others, or collect more examples of them"

    def applies(self, ctx: Context) -> bool | str:
        return _classification(ctx)

    def evaluate(self, ctx: Context) -> Finding:
        lonely = self.failing_keys(ctx)
        spellings = ctx.tables["spellings"].frame
        labels = spellings.filter(pl.col("category").is_in(lonely))["label"]
        ids = ctx.train.filter(pl.col("label").is_in(labels.to_list()))["example_id"]
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=len(lonely),
            required="2+ examples per label",
            message=f"{plural(len(lonely), 'label')} with one example: "
            f"{listing([repr(x) for x in lonely])}"
            if lonely
            else "no label has a single example",
            rows=ctx.lines_of(ids.to_list()),
        )


@register
class LabelsInOutputs(Check):
    """Labels that live inside structured outputs, like `issue_type` or `priority` in an
    extraction answer: spelling variants and values with too few examples.

    Fields with few distinct values are found automatically (or named in `label_fields`);
    each value needs enough examples (`min_per_output_value`, 20 by default) to be learned,
    and one spelling.
    """

    id = "labels.in_outputs"
    title = "Labels inside outputs are consistent and covered"
    severity = "warning"
    fix = "normalise the spelling of output values and add examples of rare values"

    def applies(self, ctx: Context) -> bool | str:
        if "output_values" not in ctx.tables:
            return False
        if ctx.tables["output_values"].frame.is_empty():
            return "no low-cardinality fields in the outputs (name them with `label_fields`)"
        return True

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables["output_values"].frame
        failing = table.filter(pl.col("value_key").is_in(self.failing_keys(ctx)))
        minimum = int(ctx.threshold("min_per_output_value"))
        messages, rows = [], []
        for row in failing.iter_rows(named=True):
            if row["is_variant"]:
                messages.append(
                    f"{row['field']}: {row['value']!r} ({row['count']:,}) looks like "
                    f"{row['canonical']!r}"
                )
            else:
                messages.append(
                    f"{row['field']}: {row['value']!r} has {row['count']:,} (needs {minimum:,})"
                )
            rows.extend(row["lines"])
        fields = {
            f: dict(zip(g["value"].to_list(), g["count"].to_list(), strict=True))
            for (f,), g in table.group_by("field", maintain_order=True)
        }
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=fields,
            required={"min_per_value": minimum, "spellings": 1},
            message="; ".join(messages)
            if messages
            else f"fields {', '.join(fields)}: every value has {minimum}+ examples, one spelling",
            rows=sorted(set(rows)),
            details={"fields": sorted(fields)},
        )
