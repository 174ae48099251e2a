"""Hygiene: duplicates inflate volume, conflicting labels teach noise, leaked eval rows make
every metric a lie. These run in polars (see `checks._hygiene`) and report like every check."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from datacheck._words import listing, plural
from datacheck.checks._base import JSON_TASKS, Check, Context, Finding
from datacheck.checks._hygiene import Hygiene, analyse
from datacheck.checks._registry import register
from datacheck.checks._tables import derived


@derived("hygiene", prefetch=True)
def _hygiene(ctx: Context) -> Hygiene:
    threshold = float(ctx.threshold("near_duplicate_threshold"))
    return analyse(
        ctx.frame,
        task=ctx.task,
        threshold=threshold,
        labelled=ctx.labelled,
        same_target=ctx.task in JSON_TASKS,
        numbers=ctx.task != "classification",  # a category rarely hangs on an order number
        near=any(ctx.settings.checks.get(c) != "off" for c in _NEAR_CHECKS),
        alone=ctx.waiting.is_set,
    )


_NEAR_CHECKS = ("hygiene.near_duplicates", "hygiene.near_leakage")


def _h(ctx: Context) -> Hygiene:
    return ctx.fact("hygiene", Hygiene)


_NO_EVAL = "no eval data (give --eval, a split column, or `eval` in the config)"


@register
class ExactDuplicates(Check):
    """Examples that repeat another example exactly, after Unicode NFKC normalization,
    case-folding and collapsing white space. Repeats inflate the apparent volume (the volume
    checks count unique examples only) and over-weight those examples in training.
    """

    id = "hygiene.exact_duplicates"
    title = "No duplicate examples"
    severity = "warning"
    fix = "drop the repeated rows, keeping the first of each group"

    def evaluate(self, ctx: Context) -> Finding:
        h = _h(ctx)
        rows = ctx.lines_of(h.redundant_ids)
        parts = []
        if rows:
            parts.append(
                f"{plural(h.redundant_rows, 'redundant row')} in "
                f"{plural(h.duplicate_group_count, 'group')} ({ctx.where(rows)})"
            )
        details: dict[str, Any] = {"groups": h.duplicate_groups[:10]}
        evals = h.eval_duplicates
        if evals:  # a repeated eval example counts twice in every score
            where = f"eval file {ctx.eval_path}" if ctx.eval_path else "eval split"
            parts.append(
                f"{where}: {plural(evals['redundant_rows'], 'redundant row')} in "
                f"{plural(evals['group_count'], 'group')} "
                f"({ctx.where(h.eval_redundant_lines, eval_side=True)})"
            )
            details |= {"eval_groups": evals["groups"][:10]}
        return self.result(
            ctx,
            passed=h.redundant_rows == 0 and not evals,
            observed={
                "groups": h.duplicate_group_count,
                "redundant_rows": h.redundant_rows,
                "eval_redundant_rows": evals["redundant_rows"] if evals else 0,
            },
            required=0,
            message="; ".join(parts) or "no example repeats another",
            rows=rows,
            details=details,
            eval_rows=h.eval_redundant_lines,
        )


@register
class NearDuplicates(Check):
    """Examples that differ only by punctuation, case or a few words (word-bigram Jaccard at
    or above `near_duplicate_threshold`, 0.8 by default). Numbers count as words, except in
    classification, where tickets that differ only by an order number teach the same thing.
    Texts under four words are compared by exact match only, and for extraction only
    examples with the same output count. A few are normal for templated data; many mean the
    set is less varied than its size suggests.
    """

    id = "hygiene.near_duplicates"
    config_keys = ("near_duplicate_threshold", "max_near_duplicate_share")
    title = "Few near-duplicate examples"
    severity = "warning"
    fix = "keep one example per cluster, or vary them so each teaches something new"

    def evaluate(self, ctx: Context) -> Finding:
        h = _h(ctx)
        bound = float(ctx.threshold("max_near_duplicate_share"))
        share = h.near_rows / h.rows if h.rows else 0.0
        redundant = len(h.near_redundant_lines)
        first = h.near_clusters[0] if h.near_clusters else None
        message = (
            f"{plural(h.near_rows, 'row')} ({share:.1%}) in "
            f"{plural(h.near_cluster_count, 'cluster')} of near duplicates, "
            f"{plural(redundant, 'redundant row')} beyond one per cluster; bound {bound:.0%}"
        )
        if first:
            message += (
                f"; largest: {ctx.where(first['lines'], 4)} "
                f"(similarity ≥ {first['similarity']:.2f})"
            )
        rows = h.near_redundant_lines
        return self.result(
            ctx,
            passed=share <= bound,
            observed={
                "clusters": h.near_cluster_count,
                "rows": h.near_rows,
                "share": round(share, 4),
            },
            required={"max_share": bound, "similarity": h.settings["near_threshold"]},
            message=message if h.near_rows else "no near duplicates",
            rows=rows,
            row_count=redundant,
            details={"clusters": h.near_clusters[:10]},
        )


@register
class ConflictingLabels(Check):
    """The same input (after normalization) with two or more different labels or outputs.
    The model is taught both answers and learns neither. An error above
    `max_conflict_share` of the examples, a warning below.
    """

    id = "hygiene.conflicting_labels"
    config_keys = ("max_conflict_share",)
    title = "No input with conflicting labels"
    fix = "decide the right label for each conflicting input and fix or drop the others"

    def evaluate(self, ctx: Context) -> Finding:
        h = _h(ctx)
        bound = float(ctx.threshold("max_conflict_share"))
        share = h.conflict_rows / h.rows if h.rows else 0.0
        examples = [
            " vs ".join(
                f"{label!r} ({ctx.where(lines, 2)})" for label, lines in g["labels"].items()
            )
            for g in h.conflicts[:2]
        ]
        cross = h.cross_conflicts or {"rows": 0, "pairs": []}
        if cross["rows"]:
            first = cross["pairs"][0]
            other = " / ".join(
                f"{label!r} (training {ctx.where(lines, 2)})"
                for label, lines in first["train"].items()
            )
            at = ctx.where([first["eval_line"]], eval_side=True)
            examples.append(
                f"{plural(cross['rows'], 'eval row')} labelled otherwise than the same input in "
                f"training: eval {at} {first['eval_label']!r} vs {other}"
            )
        finding = self.result(
            ctx,
            passed=h.conflict_count == 0 and not cross["rows"],
            observed={
                "groups": h.conflict_count,
                "rows": h.conflict_rows,
                "share": round(share, 4),
            },
            required={"groups": 0, "error_above_share": bound},
            message=(
                f"{plural(h.conflict_count, 'input')} with conflicting labels "
                f"({plural(h.conflict_rows, 'row')}): "
                if h.conflict_count
                else ""
            )
            + "; ".join(examples)
            if h.conflict_count or cross["rows"]
            else "no input has two different labels",
            rows=h.conflict_lines,
            details={"groups": h.conflicts[:10], "across_splits": cross["pairs"]},
            eval_rows=cross.get("eval_lines", []),
        )
        if h.conflict_count and share <= bound and not cross["rows"]:
            return replace(finding, severity="warning")
        return finding


class _LeakCheck(Check):
    """Shared shape of the two leakage checks: eval rows matched to training rows."""

    field: str
    clean: str
    verb: str

    def applies(self, ctx: Context) -> bool | str:
        return True if getattr(_h(ctx), self.field) is not None else _NO_EVAL

    def pair(self, p: dict) -> str:
        raise NotImplementedError

    def evaluate(self, ctx: Context) -> Finding:
        leak = getattr(_h(ctx), self.field)
        assert leak is not None
        pairs = "; ".join(self.pair(p) for p in leak["pairs"][:3])
        return self.result(
            ctx,
            passed=leak["rows"] == 0,
            observed={"rows": leak["rows"], "share": leak["share"]},
            required=0,
            message=f"{plural(leak['rows'], 'eval row')} ({leak['share']:.1%}) {self.verb}: {pairs}"
            if leak["rows"]
            else self.clean,
            rows=leak["eval_lines"],
            rows_split="eval",
            details={"pairs": leak["pairs"][:10]},
        )


@register
class Leakage(_LeakCheck):
    """Eval examples whose input also appears in the training data (after normalization).
    The model has seen the answer, so every eval metric on those rows is inflated.
    """

    id = "hygiene.leakage"
    title = "No eval example is in the training data"
    fix = "remove these examples from the eval set (or from training)"
    field, verb, clean = "leakage", "also in training", "no eval row is in the training data"

    def pair(self, p: dict) -> str:
        return f"eval {p['eval_line']} = train {listing(p['train_lines'], 2)}"


@register
class NearLeakage(_LeakCheck):
    """Eval examples that nearly repeat a training example (same near-duplicate threshold).
    Softer than exact leakage, but eval scores on them still overstate what the model learned.
    """

    id = "hygiene.near_leakage"
    config_keys = ("near_duplicate_threshold",)
    title = "No eval example nearly repeats a training one"
    severity = "warning"
    fix = "replace these eval examples with ones unlike the training data"
    field, verb = "near_leakage", "nearly repeat training rows"
    clean = "no eval row nearly repeats a training row"

    def pair(self, p: dict) -> str:
        return (
            f"eval {p['eval_line']} ~ train {listing(p['train_lines'], 2)} ({p['similarity']:.2f})"
        )


@register
class LabelDrift(Check):
    """Whether the eval set's labels look like the training set's: labels missing from eval
    cannot be measured, and shares that differ by more than `max_label_drift` (0.10) make the
    eval score a poor guide to production.
    """

    id = "hygiene.label_drift"
    config_keys = ("max_label_drift",)
    title = "Eval labels match the training mix"
    severity = "warning"
    fix = "re-sample the eval set so every label appears in about its training share"

    def applies(self, ctx: Context) -> bool | str:
        if not ctx.labelled:
            return False
        return True if _h(ctx).drift is not None else _NO_EVAL

    def evaluate(self, ctx: Context) -> Finding:
        drift = _h(ctx).drift
        assert drift is not None
        bound = float(ctx.threshold("max_label_drift"))
        worst = max(drift["differences"].items(), key=lambda kv: abs(kv[1]), default=(None, 0.0))
        parts = []
        if drift["missing_from_eval"]:
            parts.append(f"missing from eval: {listing(drift['missing_from_eval'])}")
        if worst[0] is not None and abs(worst[1]) > bound:
            parts.append(
                f"{worst[0]!r} is {drift['eval_share'].get(worst[0], 0):.0%} of eval vs "
                f"{drift['train_share'].get(worst[0], 0):.0%} of training"
            )
        return self.result(
            ctx,
            passed=not parts,
            observed={
                "largest_difference": drift["largest_difference"],
                "missing_from_eval": drift["missing_from_eval"],
            },  # fmt: skip
            required={"max_difference": bound},
            message="; ".join(parts) if parts else f"label shares within {bound:.0%} of training",
            details=drift,
        )
