"""Label coverage: every example labelled, one spelling per label, only the labels you meant."""

from __future__ import annotations

import polars as pl

from datacheck._words import listing, plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._json_facts import JsonFacts
from datacheck.checks._registry import register
from datacheck.checks._tables import derived

# --- tables ---------------------------------------------------------------------------------


def _classifying(ctx: Context) -> bool:
    return ctx.labelled


@derived("label_tables", needs=("unique_examples",), when=_classifying)
def _label_tables(ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    return label_tables(ctx.tables["unique_examples"].frame, ctx.settings.labels)


@derived("categories", key="category", needs=("label_tables",))
def _categories(ctx: Context) -> pl.DataFrame:
    return ctx.fact("label_tables", tuple)[0]


@derived("spellings", key="label", needs=("label_tables",))
def _spellings(ctx: Context) -> pl.DataFrame:
    return ctx.fact("label_tables", tuple)[1]


@derived("declared", key="label", needs=("label_tables",))
def _declared(ctx: Context) -> pl.DataFrame | None:
    return ctx.fact("label_tables", tuple)[2]


@derived("output_values", key="value_key", needs=("json_facts",))
def _output_values(ctx: Context) -> pl.DataFrame:
    return output_value_table(
        ctx.fact("json_facts", JsonFacts),
        ctx.settings.label_fields,
        int(ctx.threshold("max_output_field_values")),
    )


def normalize_label(expr: pl.Expr) -> pl.Expr:
    """The form two spellings of one label share: case-folded, white space collapsed."""
    return expr.str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


def spelling_table(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Each spelling in `column` with its rows, and the category it belongs to: the most
    common spelling of its normalised form (`category`, with `category_count` rows);
    `is_variant` marks the others."""
    spellings = (
        frame.group_by(column)
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .with_columns(normalize_label(pl.col(column)).alias("normalized"))
        .sort(["normalized", "count", column], descending=[False, True, False])
    )
    majority = spellings.group_by("normalized", maintain_order=True).agg(
        pl.col(column).first().alias("category"),
        pl.col("count").sum().alias("category_count"),
    )
    return spellings.join(majority, on="normalized", how="left").with_columns(
        (pl.col(column) != pl.col("category")).alias("is_variant")
    )


def label_tables(
    examples: pl.DataFrame, declared: tuple[str, ...] | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """Per-category counts (spellings merged), per-spelling counts, and declared-label counts."""
    spellings = spelling_table(examples.filter(~pl.col("label_missing")), "label")
    declared_norm = (
        dict(
            zip(
                pl.Series(declared, dtype=pl.String)
                .to_frame("d")
                .select(normalize_label(pl.col("d")))["d"],
                declared,
                strict=True,
            )
        )
        if declared
        else None
    )
    if declared_norm is not None:
        spellings = spellings.with_columns(
            pl.col("normalized").is_in(list(declared_norm)).alias("declared")
        )
    majority = spellings.filter(~pl.col("is_variant"))  # one per category: its own spelling
    largest = majority["category_count"].max() if majority.height else 0
    categories = (
        majority.select(
            "category",
            pl.col("category_count").alias("count"),
            "normalized",
        )
        .with_columns(
            (pl.lit(largest, dtype=pl.Float64) / pl.col("count").cast(pl.Float64)).alias(
                "imbalance_ratio"
            )
        )
        .sort(["count", "category"], descending=[True, False])
    )
    declared_table = None
    if declared_norm is not None:
        counts = dict(zip(categories["normalized"], categories["count"], strict=True))
        declared_table = pl.DataFrame(
            {
                "label": list(declared_norm.values()),
                "count": [counts.get(n, 0) for n in declared_norm],
            },
            schema={"label": pl.String, "count": pl.Int64},
        )
    return categories, spellings, declared_table


def output_value_table(
    facts: JsonFacts,
    fields: tuple[str, ...] | None,
    max_values: int,
) -> pl.DataFrame:
    """Counts of each value of the low-cardinality fields inside JSON outputs (labels that
    live inside the output, e.g. `issue_type`), with spelling variants marked."""
    parts: list[pl.DataFrame] = []
    for field in facts.values.columns[1:]:
        column = facts.values[field]
        if fields is not None:
            if field not in fields:
                continue
        else:
            present = column.len() - column.null_count()
            distinct = column.drop_nulls().n_unique()
            if not (1 < distinct <= max_values and distinct <= present // 2):
                continue
        parts.append(  # a kept field has a value in at least one row
            facts.values.filter(pl.col(field).is_not_null())
            .group_by(field)  # in any order: the table is sorted below
            .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("source_line").alias("lines"))
            .select(pl.lit(field).alias("field"), pl.col(field).alias("value"), "count", "lines")
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "value_key": pl.String, "field": pl.String, "value": pl.String,
                "count": pl.Int64, "lines": pl.List(pl.Int64), "is_variant": pl.Boolean,
                "canonical": pl.String,
            }
        )  # fmt: skip
    table = pl.concat(parts).with_columns(pl.col("lines").cast(pl.List(pl.Int64)))
    table = table.with_columns(normalize_label(pl.col("value")).alias("_norm")).sort(
        ["field", "_norm", "count", "value"], descending=[False, False, True, False]
    )
    table = table.with_columns(
        pl.col("value").first().over(["field", "_norm"]).alias("canonical"),
        (pl.col("value") != pl.col("value").first().over(["field", "_norm"])).alias("is_variant"),
        pl.format("{}={}", pl.col("field"), pl.col("value")).alias("value_key"),
    )
    return table.select("value_key", "field", "value", "count", "lines", "is_variant", "canonical")


# --- checks ---------------------------------------------------------------------------------


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
        written = dict(ctx.train.group_by("label").len().iter_rows())  # as the label table
        pairs = [
            f"{label!r} ({plural(ctx.scaled(written.get(label, 0)), 'row')}) looks like "
            f"{category!r} ({plural(ctx.scaled(written.get(category, 0)), 'row')})"
            for label, category in variants.select("label", "category").iter_rows()
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
    config_keys = ("min_per_output_value", "max_output_field_values")
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
