"""Eval readiness: the guide's first question is whether success can be measured, which needs
an eval set that covers every category and is big enough to tell a real gain from noise."""

from __future__ import annotations

import math

import polars as pl

from datacheck._words import listing, plural
from datacheck.checks._base import Check, Context, Finding
from datacheck.checks._registry import register
from datacheck.checks._tables import derived
from datacheck.checks.labels import normalize_label
from datacheck.normalize import EVAL_SPLITS

#: the normal quantile of a two-sided 95% interval
Z95 = 1.959963984540054
_SPLIT_FIX = "make one: datacheck split PATH --eval-size 0.1 -o OUTDIR (stratified, leakage-free)"


def wilson_margin(p: float, n: int, z: float = Z95) -> float:
    """Half the width of the Wilson score interval for a proportion `p` seen in `n` trials:
    how far the true accuracy may be from the measured one."""
    if n <= 0:
        return math.inf
    centre_shift = 1 + z * z / n
    return z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / centre_shift


def rows_for_margin(p: float, margin: float, z: float = Z95) -> int:
    """The fewest eval rows whose Wilson half-width at `p` is at most `margin`."""
    low, high = 1, 1
    while wilson_margin(p, high, z) > margin:
        high *= 2
    while low < high:
        middle = (low + high) // 2
        low, high = (middle + 1, high) if wilson_margin(p, middle, z) > margin else (low, middle)
    return low


def _evals(ctx: Context) -> pl.DataFrame:
    return ctx.frame.filter(pl.col("split").is_in(EVAL_SPLITS))


def _has_eval(ctx: Context) -> bool:
    return bool(ctx.frame.select(pl.col("split").is_in(EVAL_SPLITS).any()).item())


@derived("eval_presence", key="what")
def _eval_presence(ctx: Context) -> pl.DataFrame:
    """One row: whether held-out data was given (or found as a split)."""
    return pl.DataFrame({"what": ["eval set"], "present": [_has_eval(ctx)]})


@register
class EvalPresent(Check):
    """Whether there is held-out data to measure the fine-tuned model on (`--eval`, a split
    column, or a dataset's validation/test split). Without it, "can you define success with
    numbers?" has no answer, and nothing tells a better model from a worse one."""

    id = "eval.present"
    title = "An eval set to measure success on"
    severity = "warning"
    fix = _SPLIT_FIX

    def evaluate(self, ctx: Context) -> Finding:
        rows = _evals(ctx).height
        where = f"eval file {ctx.eval_path}" if ctx.eval_path else "eval split"
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=rows,
            required="an eval set",
            message=f"{where}: {plural(rows, 'row')}"
            if rows
            else "no eval data was given or found",
        )


@derived("eval_labels", key="category", needs=("categories",), when=_has_eval)
def _eval_labels(ctx: Context) -> pl.DataFrame:
    """Per training category, its eval rows (spellings merged as in training), and whether
    that is at least `min_eval_per_label`."""
    least = int(ctx.threshold("min_eval_per_label"))
    counts = (
        _evals(ctx)
        .filter(pl.col("label").str.strip_chars().fill_null("") != "")
        .group_by(normalize_label(pl.col("label")).alias("normalized"))
        .len()
    )
    return (
        ctx.tables["categories"]
        .frame.select("category", "normalized")
        .join(counts, on="normalized", how="left")
        .select("category", pl.col("len").fill_null(0).cast(pl.Int64).alias("eval_count"))
        .with_columns((pl.col("eval_count") >= least).alias("eval_label_ok"))
        .sort("eval_count", "category")
    )


class _Coverage(Check):
    """Shared shape of the eval coverage checks: a table of keys (`key`) with their eval rows
    (`eval_count`), failing where under `min_eval_per_label`."""

    table_name: str
    key: str
    noun: tuple[str, str]

    def named(self, key: str) -> str:
        return key

    def evaluate(self, ctx: Context) -> Finding:
        table = ctx.tables[self.table_name].frame
        least = int(ctx.threshold("min_eval_per_label"))
        short = table.filter(pl.col(self.key).is_in(self.failing_keys(ctx)))
        missing = [self.named(k) for k in short.filter(pl.col("eval_count") == 0)[self.key]]
        thin = [
            f"{self.named(k)} {n:,}"
            for k, n in short.filter(pl.col("eval_count") > 0)
            .select(self.key, "eval_count")
            .iter_rows()
        ]
        parts = [f"missing from eval: {listing(missing)}"] if missing else []
        if thin:
            parts.append(f"under {least:,} eval rows: {listing(thin)}")
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed=dict(table.select(self.key, "eval_count").iter_rows()),
            required=least,
            message="; ".join(parts)
            if parts
            else f"all {plural(table.height, *self.noun)} have {least:,}+ eval rows",
            impact=int((least - short["eval_count"]).sum()) if short.height else 0,
        )


@register
class EvalLabelCoverage(_Coverage):
    """Every category of the training data in the eval set, with at least
    `min_eval_per_label` rows (10 by default). A category the eval set lacks cannot be
    measured, and one with a handful of rows is measured by chance."""

    id = "eval.label_coverage"
    config_keys = ("min_eval_per_label",)
    title = "Every category in the eval set"
    severity = "warning"
    fix = "add eval rows for these categories (or re-split: datacheck split PATH --eval-size 0.1)"

    def applies(self, ctx: Context) -> bool | str:
        if "eval_labels" in ctx.tables:
            return True
        return "no eval data" if ctx.labelled else False

    table_name, key, noun = "eval_labels", "category", ("category", "categories")

    def named(self, key: str) -> str:
        return repr(key)


def evaluation_section(ctx: Context) -> dict[str, object] | None:
    """The report's Evaluation section: the eval set's size and what it can measure, and per
    category its training and eval rows. None without an eval set."""
    if "eval_size" not in ctx.tables:
        return None
    row = ctx.tables["eval_size"].frame.row(0, named=True)
    p = float(ctx.threshold("expected_accuracy"))
    out: dict[str, object] = {
        "rows": row["rows"],
        "expected_accuracy": p,
        "margin": round(row["margin"], 4),
        "rows_for_2_point_gain": rows_for_margin(p, 0.02),
    }
    if "eval_labels" in ctx.tables:
        train = dict(ctx.tables["categories"].frame.select("category", "count").iter_rows())
        out["labels"] = {
            category: {"train": int(train.get(category, 0)), "eval": int(n)}
            for category, n in ctx.tables["eval_labels"]
            .frame.sort("category")
            .select("category", "eval_count")
            .iter_rows()
        }
    if "eval_field_values" in ctx.tables:  # field-level accuracy is measured on each field's rows
        per_field = (
            ctx.tables["eval_field_values"]
            .frame.group_by("field")
            .agg(pl.col("eval_count").sum())
            .sort("field")
        )
        out["fields"] = {
            field: {"eval_rows": int(n), "margin": round(wilson_margin(p, int(n)), 4)}
            for field, n in per_field.iter_rows()
        }
    return out


@derived("eval_size", key="what", when=_has_eval)
def _eval_size(ctx: Context) -> pl.DataFrame:
    """One row: the eval rows, and whether they measure accuracy at `expected_accuracy` to
    within `max_eval_margin` (the Wilson interval's half-width)."""
    rows = _evals(ctx).height
    p = float(ctx.threshold("expected_accuracy"))
    margin = wilson_margin(p, rows)
    ok = margin <= float(ctx.threshold("max_eval_margin"))
    return pl.DataFrame(
        {"what": ["eval set"], "rows": [rows], "margin": [margin], "eval_size_ok": [ok]}
    )


@register
class EvalSize(Check):
    """Whether the eval set is big enough to measure accuracy: the half-width of the 95%
    Wilson interval at `expected_accuracy` (0.9 by default) must be at most `max_eval_margin`
    (0.05, five points). With fewer rows, a real improvement and noise look alike."""

    id = "eval.size"
    config_keys = ("expected_accuracy", "max_eval_margin")
    title = "An eval set big enough to measure accuracy"
    severity = "warning"
    fix = "add eval rows (or re-split: datacheck split PATH --eval-size 0.1)"

    def applies(self, ctx: Context) -> bool | str:
        return True if "eval_size" in ctx.tables else "no eval data"

    def evaluate(self, ctx: Context) -> Finding:
        row = ctx.tables["eval_size"].frame.row(0, named=True)
        p = float(ctx.threshold("expected_accuracy"))
        bound = float(ctx.threshold("max_eval_margin"))
        gain = 0.02
        needed, for_gain = rows_for_margin(p, bound), rows_for_margin(p, gain)
        message = (
            f"with {plural(row['rows'], 'eval row')}, {p:.0%} accuracy is known to "
            f"±{row['margin'] * 100:.1f} points (95% Wilson interval); to see a "
            f"{gain * 100:.0f}-point gain you need ~{for_gain:,} rows"
        )
        return self.result(
            ctx,
            passed=self.gx_passed(ctx),
            observed={"rows": row["rows"], "margin": round(row["margin"], 4)},
            required={"max_margin": bound, "rows_needed": needed},
            message=message,
            fix=f"grow the eval set to {needed:,} rows, which measure {p:.0%} accuracy to "
            f"±{bound * 100:.0f} points",
            impact=max(needed - row["rows"], 0),
            details={"rows_for_2_point_gain": for_gain, "expected_accuracy": p},
        )


def _eval_values_wanted(ctx: Context) -> bool:
    return ctx.json_outputs and _has_eval(ctx)


@derived("eval_field_values", key="value_key", needs=("output_values",), when=_eval_values_wanted)
def _eval_field_values(ctx: Context) -> pl.DataFrame | None:
    """Per value of each label-like field inside the training outputs (spellings merged),
    its eval rows, and whether that is at least `min_eval_per_label`: field-level precision
    and recall need each value in eval."""
    from datacheck.checks._json_facts import json_facts
    from datacheck.checks.labels import output_value_table

    train = ctx.tables["output_values"].frame.filter(~pl.col("is_variant"))
    if train.is_empty():
        return None
    fields = tuple(train["field"].unique().sort())
    evals = _evals(ctx)
    facts = json_facts(evals, None, fields, int(ctx.threshold("max_output_field_values")))
    seen = (
        output_value_table(facts, fields, int(ctx.threshold("max_output_field_values")))
        .group_by("field", normalize_label(pl.col("value")).alias("_norm"))
        .agg(pl.col("count").sum().alias("eval_count"))
    )
    least = int(ctx.threshold("min_eval_per_label"))
    return (
        train.select("value_key", "field", "value", normalize_label(pl.col("value")).alias("_norm"))
        .join(seen, on=["field", "_norm"], how="left")
        .select(
            "value_key",
            "field",
            "value",
            pl.col("eval_count").fill_null(0).cast(pl.Int64),
        )  # fmt: skip
        .with_columns((pl.col("eval_count") >= least).alias("eval_value_ok"))
        .sort("field", "eval_count", "value")
    )


@register
class EvalFieldCoverage(_Coverage):
    """For structured outputs: every value of each label-like field (like `issue_type`) in
    the eval set, with at least `min_eval_per_label` rows. Field-level precision and recall
    need support for each value; one the eval set lacks cannot be measured."""

    id = "eval.field_coverage"
    config_keys = ("min_eval_per_label", "max_output_field_values")
    title = "Every output field value in the eval set"
    severity = "warning"
    fix = "add eval rows with these values (or re-split: datacheck split PATH --eval-size 0.1)"

    def applies(self, ctx: Context) -> bool | str:
        if "eval_field_values" in ctx.tables:
            return True
        return "no eval data" if ctx.json_outputs and not _has_eval(ctx) else False

    table_name, key, noun = "eval_field_values", "value_key", ("field value", "field values")
