"""Semantic: label errors and paraphrases that no exact check can see, found from what the
texts mean (sentence embeddings, `datacheck.semantic`). They run when asked for (`--semantic`,
or `semantic = true`) with the `datacheck[semantic]` extra installed; otherwise the report
lists them as skipped, with the reason and what to install."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from datacheck._words import plural
from datacheck.checks._base import JSON_TASKS, Check, Context, Finding
from datacheck.checks._graph import components
from datacheck.checks._registry import register
from datacheck.checks._tables import derived
from datacheck.checks.labels import spelling_table
from datacheck.normalize import EVAL_SPLITS

#: folds of the out-of-fold predictions; a label needs this many examples to be judged
FOLDS = 5
#: examples each fold's regression is fitted on at most, sampled per label: every example
#: still gets out-of-fold probabilities, and at 1M rows the five fits stay minutes, not hours
#: (a fit grows with examples x labels x dimensions, and 40,000 examples give each of a
#: hundred labels hundreds)
FIT_AT_MOST = 40_000
#: listed in a finding's details (the rows list them all)
MAX_LISTED = 50
#: similarities computed per block of the all-pairs search (floats): memory stays bounded
_BLOCK_CELLS = 20_000_000
#: beyond this many texts searched against as many (the square: similarities computed), an
#: HNSW index (usearch) replaces the exact all-pairs search: measured here at 30k texts,
#: exact 13 s and HNSW 8 s (99.6% of the pairs); at 50k, 42 s and 15 s. A few eval rows
#: against a million training rows stay exact: 0.03% of the cells, and no index to build
EXACT_UP_TO = 50_000
#: neighbours an HNSW search returns per text
NEIGHBOURS = 32


def _asked(ctx: Context) -> bool:
    return ctx.settings.semantic


def _why_not(ctx: Context) -> str | None:
    """Why the semantic checks do not run on this audit, or None when they do."""
    if not _asked(ctx):
        return "not asked for: give --semantic (needs the datacheck[semantic] extra)"
    from datacheck.semantic import missing

    return missing()


@dataclass(frozen=True)
class Units:
    """Distinct (input, target) pairs of one side, each with its lines and its embedding."""

    frame: pl.DataFrame  # unit, input, target, loose, lines
    vectors: np.ndarray

    @property
    def size(self) -> int:
        return self.frame.height


@dataclass(frozen=True)
class Semantic:
    train: Units
    evals: Units | None


def _units(rows: pl.DataFrame, target: str) -> pl.DataFrame:
    return (
        rows.filter(pl.col("input_text").str.strip_chars() != "")
        .group_by("input_text", target, maintain_order=True)
        .agg(pl.col("source_line").sort().alias("lines"))
        .select(
            pl.int_range(pl.len()).alias("unit"),
            pl.col("input_text").alias("input"),
            pl.col(target).fill_null("").alias("target"),
            pl.col("input_text")
            .str.to_lowercase()
            .str.replace_all(r"\s+", " ")
            .str.strip_chars()
            .alias("loose"),
            "lines",
        )
    )


@derived("semantic", when=lambda ctx: _why_not(ctx) is None)
def _semantic(ctx: Context) -> Semantic:
    """Every distinct training (and eval) input with its output, embedded."""
    from datacheck.semantic.embed import embed

    frame, target = ctx.frame, "target_text"
    if ctx.labelled and ctx.task not in JSON_TASKS:
        # spellings of one label are one category here (`labels.variants` reports them)
        spellings = spelling_table(frame.filter(pl.col("label").is_not_null()), "label")
        frame = frame.join(spellings.select("label", "category"), on="label", how="left")
        target = "category"
    in_eval = pl.col("split").is_in(EVAL_SPLITS)
    train = _units(frame.filter(~in_eval), target)
    evals = _units(frame.filter(in_eval), target)
    step = ctx.step
    vectors = embed(
        [*train["input"].to_list(), *evals["input"].to_list()],
        step=(lambda done, total: step("embed", done, total)) if step is not None else None,
    )
    return Semantic(
        train=Units(train, vectors[: train.height]),
        evals=Units(evals, vectors[train.height :]) if evals.height else None,
    )


def _s(ctx: Context) -> Semantic:
    return ctx.fact("semantic", Semantic)


def pairs_above(
    a: np.ndarray, b: np.ndarray, bound: float, *, upper: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, similarity) of every row pair of `a` and `b` whose cosine reaches `bound`
    (unit vectors); with `upper`, `a` is `b` and only i < j. Exact, block by block, up to
    `EXACT_UP_TO` squared similarities; above, each row's nearest `NEIGHBOURS` in an HNSW
    index."""
    if len(a) * len(b) > EXACT_UP_TO**2:
        return _hnsw_pairs(a, b, bound, upper=upper)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    step = max(1, _BLOCK_CELLS // max(len(b), 1))
    for start in range(0, len(a), step):
        block = a[start : start + step] @ b.T
        if upper:
            block[np.tril_indices(block.shape[0], start, block.shape[1])] = -1.0
        i, j = np.nonzero(block >= bound)
        found.append((i + start, j, block[i, j]))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    return tuple(np.concatenate(p) for p in zip(*found, strict=True))  # type: ignore[return-value]


def _hnsw_pairs(
    a: np.ndarray, b: np.ndarray, bound: float, *, upper: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`pairs_above` through usearch's HNSW index of `b`: approximate, in n·log n. One thread,
    so that the same data gives the same index and the same report."""
    from usearch.index import Index

    index = Index(ndim=b.shape[1], metric="cos", dtype="f32", connectivity=16,
                  expansion_add=128, expansion_search=64)  # fmt: skip
    index.add(np.arange(len(b), dtype=np.uint64), b, threads=1)
    found = index.search(a, min(NEIGHBOURS, len(b)), threads=1)
    i = np.repeat(np.arange(len(a)), found.keys.shape[1])
    j = found.keys.ravel().astype(np.int64)
    sim = (1.0 - found.distances.ravel()).astype(np.float32)
    keep = (sim >= bound) & (j >= 0) & (j < len(b))
    i, j, sim = i[keep], j[keep], sim[keep]
    if upper:
        i, j = np.minimum(i, j), np.maximum(i, j)
        pairs = np.unique(np.stack([i, j], axis=1)[i < j], axis=0, return_index=True)
        chosen = np.flatnonzero(i < j)[pairs[1]]
        return pairs[0][:, 0], pairs[0][:, 1], sim[chosen]
    return i, j, sim


class _SemanticCheck(Check):
    severity = "warning"

    def applies(self, ctx: Context) -> bool | str:
        why = _why_not(ctx)
        return True if why is None else why


@register
class LabelsSuspect(_SemanticCheck):
    """Examples whose label the rest of the data contradicts: a logistic regression on the
    sentence embeddings, trained on the other folds (at most 40,000 of their examples,
    sampled per label), gives each example's label a low
    probability and another label a high one. cleanlab's confident learning
    (`find_label_issues`) picks them out, ranked by the probability of the given label.
    A wrong label teaches the model the wrong answer outright; published audits of popular
    intent datasets find them in the percent range. A warning above `max_suspect_share` of
    the examples, information below. Labels with fewer than 5 distinct examples are not judged.
    """

    id = "labels.suspect"
    config_keys = ("max_suspect_share",)
    title = "No example whose label its neighbours contradict"
    fix = "review the listed rows first to last: relabel those the likely label fits better"

    def applies(self, ctx: Context) -> bool | str:
        if ctx.task != "classification":
            return False
        return super().applies(ctx)

    def evaluate(self, ctx: Context) -> Finding:
        units = _s(ctx).train
        suspects = _suspects(units)
        rows = sorted(line for s in suspects for line in s["lines"])
        total = int(units.frame["lines"].list.len().sum() or 0)
        share = len(rows) / total if total else 0.0
        bound = float(ctx.threshold("max_suspect_share"))
        shown = "; ".join(
            f"{ctx.where(s['lines'][:1])} {s['label']!r} looks like {s['likely']!r} "
            f"({s['score']:.2f})"
            for s in suspects[:3]
        )
        finding = self.result(
            ctx,
            passed=not suspects,
            observed={"rows": len(rows), "share": round(share, 4)},
            required={"rows": 0, "warning_above_share": bound},
            message=(
                f"{plural(len(rows), 'row')} ({share:.1%}) whose label the other examples "
                f"contradict, most suspect first: {shown}"
                if suspects
                else f"no label is contradicted by the other examples ({total:,} rows judged)"
            ),
            rows=rows,
            details={"suspects": suspects[:MAX_LISTED]},
        )
        if suspects and share <= bound:
            return replace(finding, severity="info")
        return finding


def _suspects(units: Units) -> list[dict[str, Any]]:
    """The units cleanlab finds mislabelled, most suspect first: lines, given label, likely
    label, and the probability out-of-fold predictions give the given label."""
    from cleanlab.filter import find_label_issues

    counts = units.frame.group_by("target").len()
    judged = counts.filter(pl.col("len") >= FOLDS)["target"].sort().to_list()
    if len(judged) < 2:
        return []
    keep = units.frame["target"].is_in(judged).to_numpy()
    frame = units.frame.filter(pl.Series(keep))
    codes = {label: n for n, label in enumerate(judged)}
    y = np.array([codes[t] for t in frame["target"]])
    probs = _out_of_fold(units.vectors[keep], y, len(judged))
    ranked = find_label_issues(
        labels=y, pred_probs=probs, return_indices_ranked_by="self_confidence", n_jobs=1
    )
    lines, inputs = frame["lines"].to_list(), frame["target"].to_list()
    return [
        {
            "lines": lines[i],
            "label": inputs[i],
            "likely": judged[int(np.argmax(probs[i]))],
            "score": round(float(probs[i, y[i]]), 4),
        }
        for i in ranked
    ]


def _out_of_fold(x: np.ndarray, y: np.ndarray, classes: int) -> np.ndarray:
    """Each example's label probabilities from a logistic regression fitted on the other
    folds (at most `FIT_AT_MOST` of their examples, sampled per label)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    probs = np.zeros((len(y), classes))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    for number, (fit, held) in enumerate(folds.split(x, y)):
        fit = _per_label_sample(fit, y, FIT_AT_MOST, seed=number)
        model = LogisticRegression(C=10.0, max_iter=2000).fit(x[fit], y[fit])
        probs[np.ix_(held, model.classes_)] = model.predict_proba(x[held])
    return probs


def _per_label_sample(rows: np.ndarray, y: np.ndarray, size: int, *, seed: int) -> np.ndarray:
    """`rows` when they are at most `size`; else about `size` of them, each label keeping its
    share (and at least `FOLDS` rows, or all it has), in their order."""
    if len(rows) <= size:
        return rows
    rng = np.random.default_rng(seed)
    labels = y[rows]
    chosen = []
    for label in np.unique(labels):
        mine = rows[labels == label]
        take = max(min(len(mine), FOLDS), round(len(mine) * size / len(rows)))
        chosen.append(rng.choice(mine, size=take, replace=False))
    return np.sort(np.concatenate(chosen))


@register
class Paraphrases(_SemanticCheck):
    """Inputs that say the same thing in other words but carry different labels (or different
    structured outputs): cosine similarity of their sentence embeddings at or above
    `paraphrase_similarity`. The model is taught two answers to one request. Pairs of the same
    input written alike are left to `hygiene.conflicting_labels`. Groups are clusters of such
    pairs, with every line.
    """

    id = "hygiene.paraphrases"
    config_keys = ("paraphrase_similarity",)
    title = "No request phrased two ways under two labels"
    fix = "decide which label each group of paraphrases should carry, and fix the others"

    def evaluate(self, ctx: Context) -> Finding:
        units = _s(ctx).train
        bound = float(ctx.threshold("paraphrase_similarity"))
        i, j, sim = pairs_above(units.vectors, units.vectors, bound, upper=True)
        frame = units.frame
        targets, loose = frame["target"].to_list(), frame["loose"].to_list()
        best: dict[int, float] = {}
        joined: list[tuple[int, int]] = []
        for a, b, s in zip(i.tolist(), j.tolist(), sim.tolist(), strict=True):
            if targets[a] != targets[b] and loose[a] != loose[b]:
                joined.append((a, b))
                best[a], best[b] = max(best.get(a, 0.0), s), max(best.get(b, 0.0), s)
        ends = np.array(joined, dtype=np.int64).reshape(-1, 2)
        root = components(ends[:, 0], ends[:, 1], frame.height)
        groups: dict[int, list[int]] = {}
        for unit in sorted(best):
            groups.setdefault(int(root[unit]), []).append(unit)
        lines = frame["lines"].to_list()
        clusters: list[dict[str, Any]] = sorted(
            (
                {
                    "lines": sorted(line for u in members for line in lines[u]),
                    "labels": _by_label(members, targets, lines),
                    "similarity": round(min(best[u] for u in members), 3),
                }
                for members in groups.values()
            ),
            key=lambda c: c["lines"][0],
        )
        rows = sorted(line for c in clusters for line in c["lines"])
        first = clusters[0] if clusters else None
        example = (
            " vs ".join(f"{label!r} ({ctx.where(ls, 2)})" for label, ls in first["labels"].items())
            if first
            else ""
        )
        return self.result(
            ctx,
            passed=not clusters,
            observed={"groups": len(clusters), "rows": len(rows)},
            required={"groups": 0, "similarity": bound},
            message=(
                f"{plural(len(clusters), 'group')} of paraphrases under different labels "
                f"({plural(len(rows), 'row')}, similarity ≥ {bound:g}): {example}"
                if clusters
                else f"no paraphrases under different labels (similarity ≥ {bound:g})"
            ),
            rows=rows,
            details={"groups": clusters[:MAX_LISTED]},
        )


def _by_label(
    members: list[int], targets: list[str], lines: list[list[int]]
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for unit in members:
        out.setdefault(targets[unit], []).extend(lines[unit])
    return {label: sorted(found) for label, found in sorted(out.items())}


@register
class SemanticLeakage(_SemanticCheck):
    """Eval rows whose nearest training input means the same: cosine similarity of their
    sentence embeddings at or above `paraphrase_similarity`. Such an eval row measures
    memory, not generalisation. Inputs written alike are left to `hygiene.leakage`.
    """

    id = "hygiene.semantic_leakage"
    config_keys = ("paraphrase_similarity",)
    title = "No eval row a paraphrase of a training one"
    fix = "move the listed eval rows (or their training paraphrases) so one side holds both"

    def applies(self, ctx: Context) -> bool | str:
        why = super().applies(ctx)
        if why is not True:
            return why
        return True if _s(ctx).evals is not None else "no eval data"

    def evaluate(self, ctx: Context) -> Finding:
        semantic = _s(ctx)
        assert semantic.evals is not None
        train, evals = semantic.train, semantic.evals
        bound = float(ctx.threshold("paraphrase_similarity"))
        i, j, sim = pairs_above(evals.vectors, train.vectors, bound)
        eval_loose, train_loose = evals.frame["loose"].to_list(), train.frame["loose"].to_list()
        nearest: dict[int, tuple[float, int]] = {}
        for e, t, s in zip(i.tolist(), j.tolist(), sim.tolist(), strict=True):
            if eval_loose[e] != train_loose[t] and s > nearest.get(e, (-1.0, 0))[0]:
                nearest[e] = (s, t)
        eval_lines, train_lines = evals.frame["lines"].to_list(), train.frame["lines"].to_list()
        pairs = sorted(
            (
                {"eval_lines": eval_lines[e], "train_lines": train_lines[t],
                 "similarity": round(s, 3)}
                for e, (s, t) in nearest.items()
            ),
            key=lambda p: p["eval_lines"][0],
        )  # fmt: skip
        rows = sorted(line for p in pairs for line in p["eval_lines"])
        total = int(evals.frame["lines"].list.len().sum() or 0)
        first = pairs[0] if pairs else None
        return self.result(
            ctx,
            passed=not pairs,
            observed={"rows": len(rows), "eval_rows": total},
            required={"rows": 0, "similarity": bound},
            message=(
                f"{plural(len(rows), 'eval row')} of {total:,} paraphrase a training input "
                f"(similarity ≥ {bound:g}): eval "
                f"{ctx.where(first['eval_lines'][:1], eval_side=True)} ~ training "
                f"{ctx.where(first['train_lines'][:2])} ({first['similarity']:.2f})"
                if first
                else f"no eval row paraphrases a training input (similarity ≥ {bound:g})"
            ),
            rows=rows,
            rows_split="eval",
            details={"pairs": pairs[:MAX_LISTED]},
        )
