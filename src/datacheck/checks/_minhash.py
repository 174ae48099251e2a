"""Near-duplicate search: MinHash with locality-sensitive hashing, in polars and numpy.

Texts (already normalized) lose punctuation, are cut into word bigrams hashed by
polars, and are summarised by 32 affine permutations (numpy's `minimum.reduceat` over the
shingles of each text). 8 bands of 4 rows put texts with Jaccard 0.8 in a shared bucket with
probability 1 - (1 - 0.8^4)^8 = 0.985; every candidate is then verified with the exact Jaccard
of its shingle sets, so reported similarities are not estimates. A per-document Python MinHash
(datasketch's) spends most of its time in the Python loop over documents, which this avoids;
`bench/hygiene.py` prints recall, false-positive rate and speed.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import polars as pl

PERMUTATIONS = 32
BANDS = 8
ROWS_PER_BAND = PERMUTATIONS // BANDS
#: orderings of each bucket whose neighbours become candidates (besides the bucket's first id)
NEIGHBOUR_KEYS = 2
#: texts per signature batch: bounds memory at about 60 shingles x 8 bytes x this
CHUNK = 50_000
#: candidate pairs verified at a time: bounds memory at about 2 x 60 shingles x 16 bytes x this
PAIR_CHUNK = 100_000


def fuzzy(expr: pl.Expr, *, numbers: bool = True) -> pl.Expr:
    """The looser form near-duplicate search uses, from an already normalized text: letters
    and numbers survive, punctuation does not. Numbers stay words because they are often
    what an example is about ("4pm" and "11 pm" are different times to extract); with
    `numbers=False` each becomes `0`, for data where they are incidental (order numbers in
    tickets to route)."""
    text = expr.str.replace_all(r"[^\p{L}\p{N}\s]+", " ")
    return text if numbers else text.str.replace_all(r"\p{N}+", "0")


def _coefficients() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261125)
    a = rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
    return a, b


def _shingles(texts: pl.DataFrame) -> pl.DataFrame:
    """Word-bigram hashes per normalized text (the word itself for one-word texts)."""
    words = (
        texts.select("id", fuzzy(pl.col("text")).str.split(" ").alias("w"))
        .explode("w")
        .filter(pl.col("w").is_not_null() & (pl.col("w") != ""))
        .with_columns(pl.col("w").hash(seed=7).alias("h"))
    )
    nxt_same = pl.col("id").shift(-1) == pl.col("id")
    first = pl.col("id").shift(1) != pl.col("id")
    bigram = pl.struct(pl.col("h"), pl.col("h").shift(-1).alias("n")).hash(seed=11)
    return (
        words.with_columns(
            pl.when(nxt_same).then(bigram).otherwise(None).alias("s"),
            (first.fill_null(True) & ~nxt_same.fill_null(False)).alias("alone"),
        )
        .with_columns(pl.when(pl.col("alone")).then(pl.col("h")).otherwise(pl.col("s")).alias("s"))
        .filter(pl.col("s").is_not_null())
        .select("id", "s")
    )  # repeats are harmless: a minimum ignores them and Jaccard uses sets


class _Sets(NamedTuple):
    """Each text's distinct shingles, packed: `values[starts[i] : starts[i] + sizes[i]]`
    belong to text `ids[i]` (ids ascending)."""

    ids: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray
    values: np.ndarray


def _signatures(shingles: pl.DataFrame) -> tuple[np.ndarray, _Sets]:
    """MinHash signatures (texts x PERMUTATIONS) and the texts' packed shingle sets."""
    ordered = shingles.unique().sort("id", "s")
    ids = ordered["id"].to_numpy()
    values = ordered["s"].to_numpy()
    if ids.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return np.empty((0, PERMUTATIONS), dtype=np.uint64), _Sets(empty, empty, empty, values)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    a, b = _coefficients()
    signature = np.empty((starts.size, PERMUTATIONS), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(PERMUTATIONS):
            signature[:, k] = np.minimum.reduceat(values * a[k] + b[k], starts)
    sizes = np.diff(np.r_[starts, ids.size])
    return signature, _Sets(ids[starts], starts, sizes, values)


def _sets(shingles: pl.DataFrame) -> _Sets:
    """The texts' packed shingle sets, without signatures (for pairs known in advance)."""
    ordered = shingles.unique().sort("id", "s")
    ids = ordered["id"].to_numpy()
    values = ordered["s"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if ids.size else ids
    sizes = np.diff(np.r_[starts, ids.size])
    return _Sets(ids[starts], starts, sizes, values)


def verified_pairs(texts: pl.DataFrame, candidates: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Of the given candidate pairs of text ids (`a` < `b`), those whose exact shingle
    Jaccard, `sim`, reaches `threshold`: no hashing, for when the candidates are few."""
    none = pl.DataFrame(schema={"a": pl.Int64, "b": pl.Int64, "sim": pl.Float64})
    if candidates.is_empty():
        return none
    parts = [_sets(_shingles(texts.slice(i, CHUNK))) for i in range(0, texts.height, CHUNK)]
    sets = _pack(parts)
    known = pl.Series(sets.ids)
    candidates = candidates.filter(
        pl.col("a").is_in(known.implode()) & pl.col("b").is_in(known.implode())
    )
    if candidates.is_empty():
        return none
    return _jaccard(candidates.sort("a", "b"), sets, threshold)


def _pack(parts: list[_Sets]) -> _Sets:
    """The packed sets of consecutive slices of texts, as one."""
    sizes = np.concatenate([p.sizes for p in parts])
    return _Sets(
        np.concatenate([p.ids for p in parts]),
        np.cumsum(sizes) - sizes,
        sizes,
        np.concatenate([p.values for p in parts]),
    )


def _gather(sets: _Sets, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position in `ids`, shingle) for every shingle of every text in `ids`."""
    where = np.searchsorted(sets.ids, ids)
    sizes = sets.sizes[where]
    owner = np.repeat(np.arange(ids.size), sizes)
    offsets = np.repeat(sets.starts[where] - np.cumsum(sizes) + sizes, sizes)
    return owner, sets.values[offsets + np.arange(offsets.size)]


def _jaccard(candidates: pl.DataFrame, sets: _Sets, threshold: float) -> pl.DataFrame:
    """Candidate pairs whose exact shingle Jaccard, `sim`, reaches `threshold`: each slice of
    pairs lists both texts' distinct shingles, and the repeats are the shared ones."""
    kept = []
    for start in range(0, candidates.height, PAIR_CHUNK):
        part = candidates.slice(start, PAIR_CHUNK)
        owner_a, values_a = _gather(sets, part["a"].to_numpy())
        owner_b, values_b = _gather(sets, part["b"].to_numpy())
        counts = (
            pl.DataFrame({"p": np.r_[owner_a, owner_b], "s": np.r_[values_a, values_b]})
            .group_by("p")
            .agg(pl.len().alias("all"), pl.col("s").n_unique().alias("union"))
        )
        kept.append(
            part.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("p"))
            .join(counts, on="p")
            .with_columns(((pl.col("all") - pl.col("union")) / pl.col("union")).alias("sim"))
            .filter(pl.col("sim") >= threshold)
            .select("a", "b", "sim")
        )
    return pl.concat(kept).sort("a", "b")


def near_pairs(texts: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Pairs of text ids (a < b) whose exact shingle Jaccard, `sim`, reaches `threshold`."""
    none = pl.DataFrame(schema={"a": pl.Int64, "b": pl.Int64, "sim": pl.Float64})
    if texts.height < 2:
        return none
    parts = [_signatures(_shingles(texts.slice(i, CHUNK))) for i in range(0, texts.height, CHUNK)]
    signature = np.concatenate([signature for signature, _ in parts])
    sets = _pack([sets for _, sets in parts])
    owner = sets.ids
    if owner.size < 2:
        return none
    pairs = []
    for band in range(BANDS):
        key = signature[:, band * ROWS_PER_BAND].copy()
        with np.errstate(over="ignore"):
            for column in range(band * ROWS_PER_BAND + 1, (band + 1) * ROWS_PER_BAND):
                key = (key * np.uint64(0x9E3779B97F4A7C15)) ^ signature[:, column]
        # In a bucket, each member is paired with the bucket's lowest id and with its
        # neighbours when the bucket is ordered by the other bands' hashes, which puts the
        # most alike next to each other: a large bucket mixing several templates would
        # otherwise compare each text only with one that may belong to another template.
        other = [c for c in range(PERMUTATIONS) if c // ROWS_PER_BAND != band][:NEIGHBOUR_KEYS]
        bucket = pl.DataFrame({"key": key, "b": owner, **{f"o{c}": signature[:, c] for c in other}})
        pairs.append(
            bucket.with_columns(pl.col("b").min().over("key").alias("a"))
            .filter(pl.col("a") != pl.col("b"))
            .select("a", "b")
        )
        for column in other:
            ordered = bucket.sort("key", f"o{column}", "b")
            pairs.append(
                ordered.select(pl.col("b").shift(1).alias("a"), "b").filter(
                    pl.col("a").is_not_null() & (ordered["key"].shift(1) == ordered["key"])
                )
            )
    candidates = (
        pl.concat(pairs)
        .select(pl.min_horizontal("a", "b").alias("a"), pl.max_horizontal("a", "b").alias("b"))
        .unique()
        .sort("a", "b")
    )
    if candidates.is_empty():
        return none
    return _jaccard(candidates, sets, threshold)
