"""Data hygiene: exact and near duplicates, conflicting labels, train/eval leakage and drift.

Exact comparisons use a normalized form computed in polars (Unicode NFKC, case-folded, white
space collapsed), held as a 128-bit key rather than as text, so group-bys on a few integer
columns find duplicates, conflicts and leakage at any size and text length.

Near duplicates come from `checks._near` (candidates from prefix filtering, or from MinHash
when those would be too many, verified by exact Jaccard). Texts with the same fuzzy form (so
the same shingles: templated e-mails that differ only in numbers) are collapsed first, so a
template used 10,000 times is searched once, and the train and eval clusterings share one
set of verified pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from datacheck._frames import compact, kept
from datacheck.checks._graph import components
from datacheck.checks._near import (
    BANDS,
    CHUNK,
    MIX,
    NO_PAIRS,
    PERMUTATIONS,
    Near,
    Shingled,
    fuzzy,
    near_pairs,
    search,
    shingled,
    text_blocks,
    text_ids,
)
from datacheck.normalize import EVAL_SPLITS

#: groups and clusters listed in the report (counts are always complete)
MAX_LISTED = 50
#: texts with fewer words are compared by exact (normalized) match only: in "yes" against
#: "yes!" or "4pm" against "5pm" every word counts, so "nearly the same" means different
MIN_NEAR_WORDS = 4


def normalized(expr: pl.Expr) -> pl.Expr:
    """The key exact comparisons use: NFKC, case-folded, white space collapsed."""
    text = expr.fill_null("")
    return _one_space(_nfkc(text).str.to_lowercase()).str.strip_chars()


def _nfkc(text: pl.Expr) -> pl.Expr:
    """`text` in NFKC form, computed only where it is not ASCII (ASCII is its own NFKC form;
    polars would rewrite every text: 0.43 s for a million short ones, against 0.07 s)."""
    plain = text.str.len_bytes() == text.str.len_chars()  # 17x faster than a regex
    return pl.coalesce(pl.when(~plain).then(text).str.normalize("NFKC"), text)


def _one_space(text: pl.Expr) -> pl.Expr:
    """Each run of white space as one space. A lone space is one already, so only longer runs
    and other white space are rewritten: the same text as replacing every `\\s+`, 5x faster."""
    return text.str.replace_all(r"\s{2,}|[\s&&[^ ]]", " ")


@dataclass(frozen=True)
class Hygiene:
    """Everything the hygiene checks report, with line numbers."""

    rows: int
    duplicate_groups: list[dict[str, Any]]
    duplicate_group_count: int
    redundant_rows: int
    redundant_ids: list[int]
    near_clusters: list[dict[str, Any]]
    near_cluster_count: int
    near_rows: int
    #: every near-duplicate cluster's rows but its first: what keeping one per cluster drops
    near_redundant_lines: list[int]
    conflicts: list[dict[str, Any]]
    conflict_count: int
    conflict_rows: int
    conflict_lines: list[int]
    leakage: dict[str, Any] | None = None
    near_leakage: dict[str, Any] | None = None
    drift: dict[str, Any] | None = None
    #: eval rows whose input is a training input given another label or output
    cross_conflicts: dict[str, Any] | None = None
    #: exact duplicates inside the eval set: the groups, and the eval lines that repeat
    eval_duplicates: dict[str, Any] | None = None
    eval_redundant_lines: list[int] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    #: every row of every duplicate, conflict and near-duplicate group (`_MEMBERS`): for the
    #: rows export, which lists groups whole
    memberships: pl.DataFrame | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "exact_duplicates": {
                "group_count": self.duplicate_group_count,
                "redundant_rows": self.redundant_rows,
                "groups": self.duplicate_groups,
                **({"eval": self.eval_duplicates} if self.eval_duplicates else {}),
            },
            "near_duplicates": {
                "cluster_count": self.near_cluster_count,
                "rows": self.near_rows,
                "clusters": self.near_clusters,
            },
            "conflicting_labels": {
                "group_count": self.conflict_count,
                "rows": self.conflict_rows,
                "groups": self.conflicts,
                **(
                    {"across_splits": _listed(self.cross_conflicts)} if self.cross_conflicts else {}
                ),
            },
            "settings": self.settings,
        }
        if self.leakage is not None:
            out["leakage"] = self.leakage
        if self.near_leakage is not None:
            out["near_leakage"] = self.near_leakage
        if self.drift is not None:
            out["label_drift"] = self.drift
        return out


def _listed(cross: dict[str, Any]) -> dict[str, Any]:
    """The cross-split conflicts as the report shows them (every eval line is on the finding)."""
    return {k: v for k, v in cross.items() if k != "eval_lines"}


def analyse(
    frame: pl.DataFrame,
    *,
    task: str,
    threshold: float = 0.8,
    labelled: bool | None = None,
    same_target: bool = False,
    numbers: bool = True,
    near: bool = True,
    alone: Callable[[], bool] | None = None,
) -> Hygiene:
    """Run every hygiene analysis on the canonical frame (training and eval splits).
    `labelled`: whether examples carry a label whose eval mix is compared (classification,
    or intents beside span annotations). `same_target`: near duplicates must also have the
    same expected output (extraction: inputs that differ in a value to extract are not
    redundant, however alike). `numbers`: whether numbers tell near duplicates apart (see
    `fuzzy`). `near`: whether to search for near duplicates at all (no check reads them when
    both near-duplicate checks are off). `alone`: whether this analysis has the cores to
    itself (it runs beside tokenizing until the audit waits for it); always, if not given."""
    target = pl.col("label") if task == "classification" else pl.col("target_text")
    labelled = task == "classification" if labelled is None else labelled
    keyed = _keyed(frame, target, labels=labelled, numbers=numbers)
    # the exact analyses first, on keys alone: their grouping then never sits on top of
    # the near-duplicate search's arrays (at a million rows, 80-90 MB at the peak)
    rows = keyed.drop("_fuzzy")  # the same columns, not a copy
    train = kept(rows, ~pl.col("_eval") & pl.col("_has_input"))
    evals = rows.filter(pl.col("_eval") & pl.col("_has_input"))
    del rows
    groups, group_count, redundant, redundant_ids, members = _exact(train)
    conflicts, conflict_count, conflict_lines, conflict_members = _conflicts(train, frame, target)
    leakage = drift = cross = eval_duplicates = None
    eval_redundant_lines: list[int] = []
    if evals.height:
        eval_groups, eval_count, eval_redundant, eval_ids, eval_members = _exact(evals, "eval")
        members = pl.concat([members, eval_members])
        if eval_redundant:
            eval_duplicates = {
                "group_count": eval_count,
                "redundant_rows": eval_redundant,
                "groups": eval_groups,
            }
            eval_redundant_lines = sorted(
                evals.filter(pl.col("example_id").is_in(eval_ids))["source_line"].to_list()
            )
        leakage = _leakage(train, evals)  # only with eval rows: every share divides by them
        cross = _cross_conflicts(train, evals, frame, target)
        if labelled:
            drift = _drift(train, evals)
    train_rows = train.height
    del train, evals

    keyed, texts, targets = _fuzzy_groups(keyed, by_target=same_target, evals_last=True)
    keyed = keyed.select(_CLUSTERED)  # the other keys go before the search (36 MB at 1M rows)
    blocks = text_blocks(texts) if near else []
    del texts  # each block is let go once shingled; the search needs only the shingles
    shingles = _shingled(blocks, targets) if near else None
    found = (
        _near(shingles, targets, threshold, alone) if shingles is not None else Near(NO_PAIRS, True)
    )
    pairs = found.pairs
    del shingles
    clusters = _clusters(keyed.filter(~pl.col("_eval")), pairs)
    near_members = _members(clusters, "hygiene.near_duplicates", "train", first_kept=True)
    near_listed = [
        {"lines": c["lines"], "similarity": c["similarity"], "size": len(c["lines"])}
        for c in _as_dicts(clusters.head(MAX_LISTED).select("lines", "similarity"))
    ]
    near_leakage = None
    if leakage is not None:  # there are eval rows
        mixed = _clusters(keyed, pairs).filter(
            (pl.col("train_lines").list.len() > 0) & (pl.col("eval_lines").list.len() > 0)
        )
        near_leakage = _near_leakage(_as_dicts(mixed), leakage["eval_rows"], leakage)
    return Hygiene(
        rows=train_rows,
        duplicate_groups=groups,
        duplicate_group_count=group_count,
        redundant_rows=redundant,
        redundant_ids=redundant_ids,
        near_clusters=near_listed,
        near_cluster_count=clusters.height,
        near_rows=int(clusters["lines"].list.len().sum()),
        near_redundant_lines=sorted(clusters["lines"].list.slice(1).explode().drop_nulls()),
        conflicts=conflicts,
        conflict_count=conflict_count,
        conflict_rows=len(conflict_lines),
        conflict_lines=conflict_lines,
        leakage=leakage,
        near_leakage=near_leakage,
        cross_conflicts=cross,
        eval_duplicates=eval_duplicates,
        eval_redundant_lines=eval_redundant_lines,
        drift=drift,
        memberships=pl.concat([members, conflict_members, near_members]),
        settings={
            "normalization": "NFKC, case-folded, white space collapsed",
            "near_threshold": threshold,
            "near_method": f"word bigrams of letters and "
            f"{'numbers' if numbers else 'numbers as 0'} (punctuation removed); candidates "
            + (
                "from prefix filtering (every pair that can reach the threshold)"
                if found.exact
                else f"from MinHash, {PERMUTATIONS} permutations in {BANDS} bands"
            )
            + ", verified by exact Jaccard; texts under "
            f"{MIN_NEAR_WORDS} words only by exact match"
            + ("; only examples with the same output" if same_target else ""),
        },
    )


#: the 128-bit keys that stand for normalized texts: input, target, near-duplicate (fuzzy) form
_INPUT = ("_i1", "_i2")
_TARGET = ("_t1", "_t2")
_FUZZY = ("_f1", "_f2")
_SEEDS = (17, 29)


def _keyed(
    frame: pl.DataFrame,
    target: pl.Expr | None = None,
    *,
    labels: bool = False,
    numbers: bool = True,
) -> pl.DataFrame:
    """One row per example with what the analyses compare: 128-bit keys of the normalized
    input, target and fuzzy form (null when it has no letters), instead of the texts.

    A key is two independent 64-bit hashes; two different texts share one with odds of
    about 2^-128 per pair, below 10^-20 for any pair among a billion texts. Holding keys
    instead of texts keeps hygiene's memory down; the texts are written a batch of rows at
    a time (polars' streaming engine) and dropped once hashed. Two texts stay: the fuzzy
    form, which near-duplicate search shingles (writing it again for each group would cost
    more time than the whole pass), and classification labels, short and few, for the
    label-drift shares."""

    def key(text: str, names: tuple[str, ...]) -> list[pl.Expr]:
        return [pl.col(text).hash(seed=s).alias(n) for s, n in zip(_SEEDS, names, strict=True)]

    long_enough = pl.col("_fuzzy").str.count_matches(" ") >= MIN_NEAR_WORDS - 1
    return (
        frame.lazy()
        .with_row_index("_row")
        .select(
            "_row",
            "example_id",
            "source_line",
            "split",
            pl.col("split").is_in(EVAL_SPLITS).alias("_eval"),
            normalized(pl.col("input_text")).alias("_input"),
            normalized(pl.lit("") if target is None else target).alias("_target"),
            *([normalized(pl.col("label")).alias("_label")] if labels else []),
        )
        .with_columns(_fuzzy_key(pl.col("_input"), numbers=numbers).alias("_fuzzy"))
        .select(
            "_row",
            "example_id",
            "source_line",
            "split",
            "_eval",
            (pl.col("_input") != "").alias("_has_input"),
            *key("_input", _INPUT),
            *key("_target", _TARGET),
            *[pl.when(long_enough).then(k) for k in key("_fuzzy", _FUZZY)],
            pl.when(long_enough).then(pl.col("_fuzzy")).alias("_fuzzy"),
            *([pl.col("_label")] if labels else []),
        )
        .collect(engine="streaming")
    )


def _repeated(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """The rows whose `columns` may repeat in another row (a few more, rarely): one 64-bit
    column is cheap to test, where a struct of several is row-encoded first."""
    key = pl.col(columns[0]).hash(seed=3)
    for seed, column in enumerate(columns[1:], start=4):
        key = key ^ pl.col(column).hash(seed=seed)
    return frame.filter(key.is_duplicated())


_MEMBERS = pl.Schema(
    {"check": pl.String, "split": pl.String, "line": pl.Int64, "group": pl.Int64, "role": pl.String}
)


def _members(grouped: pl.DataFrame, check: str, split: str, *, first_kept: bool) -> pl.DataFrame:
    """One row per line of each group (`lines`, a list column, groups in listing order): its
    group number from 1, and whether it is the one kept or an affected one."""
    exploded = grouped.select("lines").with_row_index("group", offset=1).explode("lines")
    first = pl.col("group").is_first_distinct() if first_kept else pl.lit(False)
    return exploded.select(
        pl.lit(check).alias("check"),
        pl.lit(split).alias("split"),
        pl.col("lines").alias("line"),
        pl.col("group"),
        pl.when(first).then(pl.lit("kept")).otherwise(pl.lit("affected")).alias("role"),
    ).cast(_MEMBERS)


def _exact(
    train: pl.DataFrame, split: str = "train"
) -> tuple[list[dict[str, Any]], int, int, list[int], pl.DataFrame]:
    keys = [*_INPUT, *_TARGET]
    grouped = (
        _repeated(train, *keys)
        .group_by(keys)
        .agg(pl.col("source_line").sort().alias("lines"), pl.col("example_id").sort().alias("ids"))
        .filter(pl.col("lines").list.len() > 1)
        .with_columns(pl.col("lines").list.len().alias("size"))
        .sort(["size", "lines"], descending=[True, False])
    )
    redundant_ids = sorted(
        i for ids in grouped["ids"].to_list() for i in ids[1:]
    )  # all but the first of each group
    groups = [
        {"size": size, "lines": lines}
        for size, lines in grouped.select("size", "lines").head(MAX_LISTED).iter_rows()
    ]
    members = _members(grouped, "hygiene.exact_duplicates", split, first_kept=True)
    return groups, grouped.height, len(redundant_ids), redundant_ids, members


def _conflicts(
    train: pl.DataFrame, frame: pl.DataFrame, raw: pl.Expr
) -> tuple[list[dict[str, Any]], int, list[int], pl.DataFrame]:
    """Inputs given more than one target; the listed groups show each target as written
    (`raw`, read back from `frame`)."""
    train = _repeated(train, *_INPUT)
    conflicted = (
        train.group_by(_INPUT)
        .agg(
            pl.struct(_TARGET).n_unique().alias("targets"),
            pl.col("source_line").min().alias("first"),
        )
        .filter(pl.col("targets") > 1)
    )
    rows = train.join(conflicted.select(*_INPUT, "first"), on=_INPUT, how="inner")
    lines = sorted(rows["source_line"].to_list())
    shown = conflicted.sort("first").head(MAX_LISTED).select(*_INPUT)
    shown_rows = rows.join(shown, on=_INPUT, how="semi").sort("source_line")
    written = frame.select(raw.gather(shown_rows["_row"]).fill_null("").alias("_written"))
    shown_rows = shown_rows.with_columns(written["_written"])
    listed: list[dict[str, Any]] = []
    for _key, group in shown_rows.group_by(_INPUT, maintain_order=True):
        labels: dict[str, list[int]] = {}
        for value, line in group.select("_written", "source_line").iter_rows():
            labels.setdefault(str(value), []).append(line)
        listed.append({"lines": sorted(group["source_line"].to_list()), "labels": labels})
    listed.sort(key=lambda g: g["lines"][0])
    grouped = (
        rows.group_by(_INPUT)
        .agg(pl.col("source_line").sort().alias("lines"))
        .sort(pl.col("lines").list.first())
    )
    members = _members(grouped, "hygiene.conflicting_labels", "train", first_kept=False)
    return listed[:MAX_LISTED], conflicted.height, lines, members


def _cross_conflicts(
    train: pl.DataFrame, evals: pl.DataFrame, frame: pl.DataFrame, raw: pl.Expr
) -> dict[str, Any] | None:
    """Eval rows whose input is a training input with another target: usually a label
    error on one side. Each listed with both sides' lines and targets as written."""
    columns = [*_INPUT, *_TARGET, "source_line", "_row"]
    pairs = evals.select(columns).join(train.select(columns), on=list(_INPUT), suffix="_train")
    differs = pl.any_horizontal(pl.col(t) != pl.col(f"{t}_train") for t in _TARGET)
    pairs = pairs.filter(differs).sort("source_line", "source_line_train")
    if pairs.is_empty():
        return None
    written = frame.select(raw.cast(pl.String).fill_null(""))
    eval_written = written.to_series().gather(pairs["_row"])
    train_written = written.to_series().gather(pairs["_row_train"])
    listed: dict[int, dict[str, Any]] = {}
    for line, label, train_line, train_label in zip(
        pairs["source_line"], eval_written, pairs["source_line_train"], train_written, strict=True
    ):
        entry = listed.setdefault(line, {"eval_line": line, "eval_label": label, "train": {}})
        entry["train"].setdefault(train_label, []).append(train_line)
    return {
        "rows": len(listed),
        "pairs": list(listed.values())[:MAX_LISTED],
        "eval_lines": sorted(listed),
    }


# --- near duplicates ----------------------------------------------------------------------


def _roots(pairs: pl.DataFrame, fids: pl.Series) -> np.ndarray:
    """Indexed by fuzzy group id, up to the largest of `fids` (every id `pairs` holds is
    one): the smallest id of the groups it is joined to by `pairs`, itself when it is in none.
    One name for each cluster."""
    count = int(fids.to_numpy().max()) + 1 if fids.len() else 0
    return components(pairs["a"].to_numpy(), pairs["b"].to_numpy(), count)


def _fuzzy_key(expr: pl.Expr, *, numbers: bool = True) -> pl.Expr:
    """Texts with equal keys have identical shingles: one signature serves them all."""
    return fuzzy(expr, numbers=numbers).str.strip_chars()


def _fuzzy_groups(
    rows: pl.DataFrame, *, by_target: bool = False, evals_last: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """`rows` without their fuzzy text but with its group, `fid` (null when it is too short
    to compare), and each group's text (`id`, `text`): the search runs once per group, not
    per row. Where groups are under half the rows, their texts are copied out so the rows'
    can be let go; above, copying would hold more at once than it frees (on 5M template
    rows, 97% of them groups, it cost 1.6 s). Groups are numbered in order of first
    appearance (`evals_last`: training rows' first, then eval rows'). `by_target`: a group
    also shares its target, whose keys come back per group (`id` and the target keys) for
    `_same_target`, and only groups whose target another group shares keep their text.

    Groups are found on one key column, and `fid` is added to `rows`' own columns: a copy
    of every column cost 90-150 MB at a million rows."""
    extra = list(_TARGET) if by_target else []
    keys = [*_FUZZY, *extra]
    order = None
    if evals_last and bool(rows["_eval"].any()):
        order = pl.concat([rows["_eval"].not_().arg_true(), rows["_eval"].arg_true()])
    # one 64-bit key first (half the fuzzy key, mixed with half the target's), checked
    # against every key column; should two groups share it, the whole key (at a million
    # rows a join on three columns took 410 MB, on one 200)
    one = pl.col(_FUZZY[0])
    if by_target:
        one = one ^ (pl.col(_TARGET[0]) * pl.lit(MIX, dtype=pl.UInt64))
    for on in one.alias("_key"), pl.struct(keys).alias("_key"):
        column = rows.select(on, pl.col(_FUZZY[0]).is_not_null().alias("_usable"))
        sequence = column if order is None else column[order]
        first = pl.col("_usable") & pl.col("_key").is_first_distinct()
        firsts = sequence.select(first.alias("first"))["first"].arg_true()
        del sequence
        if order is not None:
            firsts = order.gather(firsts)
        groups = rows.select(*keys)[firsts].with_row_index("fid")
        groups = groups.with_columns(pl.col("fid").cast(pl.Int64), pl.Series("_first", firsts))
        fid = column.select("_key").join(
            groups.select(on, "fid"), on="_key", how="left", maintain_order="left"
        )["fid"]
        del column
        if _same_keys(rows, groups, fid, keys):
            break
    keyed = rows.drop("_fuzzy").with_columns(fid)
    targets = groups.select(pl.col("fid").alias("id"), *extra) if by_target else None
    if by_target:  # a text whose output no other text shares has no pair: no signature
        groups = groups.filter(pl.struct(_TARGET).is_duplicated())
    texts = _group_texts(rows["_fuzzy"], groups["_first"], groups["fid"])
    if texts.height * 2 < rows.height:  # else the copy would cost more than it frees
        texts = compact(texts)
    return keyed, texts, targets


#: `CHUNK`s of texts gathered at a time: polars writes each gather's strings into buffers it
#: doubles as it fills them, and the part of the last one never written still takes memory
#: (1M distinct texts, 178 MiB of them: 275 MiB a `CHUNK` at a time, 215 four at a time,
#: 195 in one gather)
_BLOCKS = 4


def _group_texts(fuzzy: pl.Series, firsts: pl.Series, ids: pl.Series) -> pl.DataFrame:
    """Each group's text (`id`, `text`) from its first row, in chunks the shingling lets go
    one by one (see `text_blocks`). When the first rows come in row order (no eval rows
    before training ones), the rows' column is filtered: each chunk keeps the buffers of
    the chunk it came from, and no string is copied (a copy held every text twice as the
    shingling began: at 1M mostly unique rows, 200 MiB more for a third of a second, the
    audit's peak). Otherwise they are gathered `_BLOCKS` `CHUNK`s of groups at a time:
    from the several chunks the streaming engine hands over, polars copies the strings, so
    each block holds buffers of its own (one gather of all held every text until the
    shingling was done: at its end, on 1M ticket rows, 814 MiB then, 722 in blocks)."""
    if firsts.is_sorted():
        keep = np.zeros(len(fuzzy), dtype=bool)
        keep[firsts.to_numpy()] = True
        return pl.DataFrame({"id": ids, "text": fuzzy.filter(pl.Series(keep))})
    size = CHUNK * _BLOCKS
    blocks = [
        pl.DataFrame({"id": ids.slice(i, size), "text": fuzzy.gather(firsts.slice(i, size))})
        for i in range(0, len(ids), size)
    ]
    if not blocks:
        return pl.DataFrame({"id": ids, "text": fuzzy.clear()})
    return pl.concat(blocks, rechunk=False)


def _shingled(texts: pl.DataFrame | list[pl.DataFrame], targets: pl.DataFrame | None) -> Shingled:
    """The fuzzy groups' texts as the search takes them; when targets count, each grouped
    by its target. A list of blocks is taken (see `shingled`)."""
    if targets is None:
        return shingled(texts)
    ids = text_ids(texts).to_frame()
    output = ids.join(targets, on="id", how="left", maintain_order="left")
    return shingled(texts, output[_TARGET[0]].to_numpy())


def _near(
    shingles: Shingled,
    targets: pl.DataFrame | None,
    threshold: float,
    alone: Callable[[], bool] | None = None,
) -> Near:
    """Verified near-duplicate pairs of fuzzy groups; when targets count, only groups with
    the same target pair."""
    found = search(shingles, threshold, alone)
    return found._replace(pairs=_same_target(found.pairs, targets))


def _same_target(pairs: pl.DataFrame, targets: pl.DataFrame | None) -> pl.DataFrame:
    """The pairs whose two groups share one target (all of them when targets do not count)."""
    if targets is None or pairs.is_empty():
        return pairs
    ends = [targets.rename({"id": side, **{t: f"{t}_{side}" for t in _TARGET}}) for side in "ab"]
    joined = pairs.join(ends[0], on="a").join(ends[1], on="b")
    same = pl.all_horizontal(pl.col(f"{t}_a") == pl.col(f"{t}_b") for t in _TARGET)
    return joined.filter(same).select(pairs.columns).sort("a", "b")


def _same_keys(rows: pl.DataFrame, groups: pl.DataFrame, fid: pl.Series, keys: list[str]) -> bool:
    """Whether every row's `keys` are those of its group (`fid`), so that the key the
    groups were found by told no two of them apart wrongly."""
    return all(bool((rows[k] == groups[k].gather(fid)).all()) for k in keys)


_CLUSTER_SCHEMA = pl.Schema(
    {
        "lines": pl.List(pl.Int64),
        "ids": pl.List(pl.Int64),
        "splits": pl.List(pl.String),
        "similarity": pl.Float64(),
        "train_lines": pl.List(pl.Int64),
        "eval_lines": pl.List(pl.Int64),
    }
)


#: the columns of the keyed rows that `_clusters` reads
_CLUSTERED = ("fid", *_INPUT, "source_line", "example_id", "split", "_eval")


def _clusters(keyed: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Clusters of rows whose inputs are near duplicates but not all equal: rows in one fuzzy
    group with two or more distinct inputs (similarity 1.0), joined by verified pairs. A
    frame, largest first: on templated data one cluster can hold most of a million rows,
    and only the listed few become Python objects."""
    none = pl.DataFrame(schema=_CLUSTER_SCHEMA)
    keyed = keyed.select(_CLUSTERED).filter(pl.col("fid").is_not_null())
    if keyed.is_empty():
        return none
    # two distinct inputs in a group: one of the key's halves is not the same throughout
    # (cheaper than counting distinct pairs, and all that is asked)
    varied = [pl.col(half).min() != pl.col(half).max() for half in _INPUT]
    texts = keyed.group_by("fid").agg((varied[0] | varied[1]).alias("varied"))
    present = texts["fid"].implode()
    pairs = pairs.filter(pl.col("a").is_in(present) & pl.col("b").is_in(present))
    best = (
        pl.concat(
            [
                texts.filter("varied").select("fid", pl.lit(1.0).alias("best")),
                pairs.select(pl.col("a").alias("fid"), pl.col("sim").alias("best")),
                pairs.select(pl.col("b").alias("fid"), pl.col("sim").alias("best")),
            ]
        )
        .group_by("fid")
        .agg(pl.col("best").max())
    )
    if best.is_empty():
        return none
    root = _roots(pairs, texts["fid"])
    members = best.with_columns(pl.Series("root", root[best["fid"].to_numpy()]))
    rows = keyed.select("fid", "source_line", "example_id", "split", "_eval")
    in_eval = pl.col("_eval")
    grouped = (
        rows.join(members, on="fid", how="inner")
        .group_by("root")
        .agg(
            pl.col("source_line").sort().alias("lines"),
            pl.col("example_id").sort().alias("ids"),
            pl.col("split").unique().sort().alias("splits"),
            pl.col("best").min().alias("similarity"),
            pl.col("source_line").filter(~in_eval).sort().alias("train_lines"),
            pl.col("source_line").filter(in_eval).sort().alias("eval_lines"),
        )
        .with_columns(
            pl.col("lines").list.len().alias("_size"),
            pl.col("lines").list.first().alias("_first"),
            pl.col("ids").list.first().alias("_id"),  # lines of two splits can be equal
        )
        .sort(["_size", "_first", "_id"], descending=[True, False, False])
    )
    return grouped.select(*_CLUSTER_SCHEMA).cast(_CLUSTER_SCHEMA)


def _as_dicts(clusters: pl.DataFrame) -> list[dict[str, Any]]:
    listed = clusters.to_dicts()
    for cluster in listed:
        cluster["similarity"] = round(cluster["similarity"], 3)
    return listed


def near_duplicate_clusters(frame: pl.DataFrame, threshold: float = 0.8) -> list[dict[str, Any]]:
    """Near-duplicate clusters among the rows of a canonical frame (`input_text` compared)."""
    keyed, texts, _ = _fuzzy_groups(_keyed(frame).filter(pl.col("_has_input")))
    return _as_dicts(_clusters(keyed, near_pairs(texts, threshold).pairs))


def near_groups(
    frame: pl.DataFrame, threshold: float = 0.8, *, same_target: bool = False, numbers: bool = True
) -> pl.DataFrame:
    """Per row of a canonical frame (`example_id`), a `group`: rows that are exact or near
    duplicates of each other (directly or through others) share it, every other row has its
    own. What a split keeps on one side, so that no near-duplicate cluster straddles two."""
    target = pl.col("target_text") if same_target else None
    keyed = _keyed(frame, target, numbers=numbers)
    grouped, texts, targets = _fuzzy_groups(keyed, by_target=same_target)
    pairs = _near(_shingled(texts, targets), targets, threshold).pairs
    fids = grouped["fid"].drop_nulls().unique()
    roots = pl.DataFrame(
        {"fid": fids, "root": _roots(pairs, fids)[fids.to_numpy()]},
        schema={"fid": pl.Int64, "root": pl.Int64},
    )
    keys = [*_INPUT, *_TARGET] if same_target else list(_INPUT)
    exact = pl.format("e" + "-{}" * len(keys), *keys)  # the same normalized text (and output)
    return grouped.join(roots, on="fid", how="left", maintain_order="left").select(
        "example_id",
        pl.when(pl.col("root").is_not_null())
        .then(pl.format("n{}", pl.col("root")))
        .otherwise(exact)
        .alias("group"),
    )


# --- train / eval -------------------------------------------------------------------------


def _leakage(train: pl.DataFrame, evals: pl.DataFrame) -> dict[str, Any]:
    """Eval rows whose normalized input is a training input (`evals` is never empty)."""
    train_lines = train.group_by(_INPUT).agg(pl.col("source_line").sort().alias("train_lines"))
    leaked = (
        evals.join(train_lines, on=list(_INPUT), how="inner")
        .select(pl.col("source_line").alias("eval_line"), "train_lines")
        .sort("eval_line")
    )
    return {
        "rows": leaked.height,
        "eval_rows": evals.height,
        "share": round(leaked.height / evals.height, 4),
        "pairs": leaked.head(MAX_LISTED).to_dicts(),
        "eval_lines": leaked["eval_line"].to_list(),
    }


def _near_leakage(
    clusters: list[dict[str, Any]], eval_rows: int, exact: dict[str, Any]
) -> dict[str, Any]:
    """Eval rows in a near-duplicate cluster with training rows (exact leaks left out);
    `eval_rows` is never 0."""
    exact_lines = set(exact["eval_lines"])
    pairs = [
        {"eval_line": line, "train_lines": c["train_lines"], "similarity": c["similarity"]}
        for c in clusters
        if c["train_lines"]
        for line in c["eval_lines"]
        if line not in exact_lines
    ]
    pairs.sort(key=lambda p: p["eval_line"])
    return {
        "rows": len(pairs),
        "share": round(len(pairs) / eval_rows, 4),
        "pairs": pairs[:MAX_LISTED],
        "eval_lines": [p["eval_line"] for p in pairs],
    }


def _drift(train: pl.DataFrame, evals: pl.DataFrame) -> dict[str, Any]:
    def shares(frame: pl.DataFrame) -> dict[str, float]:
        counts = frame.filter(pl.col("_label") != "").group_by("_label").len()
        total = int(counts["len"].sum() or 0)
        return {k: n / total for k, n in counts.iter_rows()} if total else {}

    train_shares, eval_shares = shares(train), shares(evals)
    labels = sorted(set(train_shares) | set(eval_shares))
    differences = {
        label: round(eval_shares.get(label, 0.0) - train_shares.get(label, 0.0), 4)
        for label in labels
    }
    return {
        "missing_from_eval": [lab for lab in labels if lab not in eval_shares],
        "missing_from_train": [lab for lab in labels if lab not in train_shares],
        "train_share": {k: round(v, 4) for k, v in sorted(train_shares.items())},
        "eval_share": {k: round(v, 4) for k, v in sorted(eval_shares.items())},
        "largest_difference": max((abs(v) for v in differences.values()), default=0.0),
        "differences": differences,
    }
