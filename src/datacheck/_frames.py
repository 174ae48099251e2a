"""polars operations written to keep memory down on large frames.

polars strings are views into shared buffers: a column taken from another (a message's
content, one parsed line of a chunk) keeps the whole buffer it points into alive, and a
join on a text column copies every key to hash it. These helpers avoid both.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import polars as pl

_KEY = "_text_key"
#: seed of the 64-bit hash that stands for a text in joins, counts and `distinct`
_SEED = 5


def number(value: Any) -> float:
    """A polars aggregate (`Series.mean()` and the like, typed as any Python value) as a
    float: 0.0 for None (an empty or all-null column)."""
    return 0.0 if value is None else float(value)


def compact(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame`, its strings copied out of whatever larger buffers they share. Text columns are
    rewritten by polars (each string written once into new buffers); nested columns go
    through Arrow's plain string layout, which does the same for the strings inside them
    at the cost of a second, transient copy."""
    strings = [name for name, kind in frame.schema.items() if kind == pl.String]
    nested = [name for name, kind in frame.schema.items() if kind.is_nested()]
    copied = frame.with_columns(pl.concat_str(pl.col(name), pl.lit("")) for name in strings)
    if nested:
        try:
            inner = pl.from_arrow(
                copied.select(nested).to_arrow(compat_level=pl.CompatLevel.oldest())
            )
        except ValueError:  # Arrow refuses very deep nesting: keep the columns as they are
            return copied
        assert isinstance(inner, pl.DataFrame)
        copied = copied.with_columns(inner)
    return copied


def kept(frame: pl.DataFrame, condition: pl.Expr) -> pl.DataFrame:
    """`frame.filter(condition)`, and `frame` itself (no copy) when every row passes."""
    mask = frame.select(condition.alias("keep"))["keep"]
    return frame if mask.all() else frame.filter(mask)


def join_on_text(
    left: pl.DataFrame,
    right: pl.DataFrame,
    on: str,
    *,
    maintain_order: Literal["none", "left"] = "left",
    nulls_equal: bool = False,
    keep_text: bool = True,
) -> pl.DataFrame:
    """`left.join(right, on=on, how="left")` where `right` holds each text of `left` once;
    without the text column when `keep_text` is false.

    The join is on a 64-bit hash of the text when no two of `right`'s texts share one: as
    every text of `left` is among them, that pairs exactly the rows a join on the text
    would, for about half the memory (less without the text). Otherwise (about one
    chance in 10^7 for 2M texts) it joins on the text."""
    text, key = on, _text_key(on)
    keyed = right.with_columns(key).drop(text)
    if _hashes_differ(keyed[_KEY]):
        left = left.with_columns(key)
        left, right, on = left if keep_text else left.drop(text), keyed, _KEY
    joined = left.join(
        right, on=on, how="left", maintain_order=maintain_order, nulls_equal=nulls_equal
    )
    return joined.drop(_KEY, *([] if keep_text else [text]), strict=False)


def counted_texts(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Each distinct text of `column` once, in first-seen order, with `n`, how many rows hold
    it: `frame.group_by(column, maintain_order=True).len("n")`, counted by a 64-bit hash of
    the text when the distinct texts all hash apart (then exactly), so that no text is
    copied to be hashed."""
    key = _text_key(column)
    firsts = frame.select(column, key).filter(pl.col(column).is_first_distinct())
    if not _hashes_differ(firsts[_KEY]):
        return frame.group_by(column, maintain_order=True).len("n")
    counts = frame.select(key).group_by(_KEY).len("n")
    joined = firsts.join(counts, on=_KEY, how="left", maintain_order="left", nulls_equal=True)
    return joined.drop(_KEY)


def _text_key(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_not_null()).then(pl.col(column).hash(seed=_SEED)).alias(_KEY)


class Distinct(NamedTuple):
    """Each text of a series once (`texts`), and for each of its rows the position of its
    text there (`positions`; null for a null row)."""

    texts: pl.Series
    positions: pl.Series


def _text_keys(texts: pl.Series) -> pl.Series:
    """A 64-bit hash of each text: equal texts, equal keys."""
    return texts.hash(seed=_SEED)


def distinct(texts: pl.Series) -> Distinct:
    """The distinct texts of `texts` and where each row's is, found by a 64-bit key of each
    text, then checked: every row's text must equal the one at its position. On the 3M
    messages of 1M chat rows, keying, ranking and checking took 1.2 CPU-s, where finding
    the distinct strings took 0.8 and joining each tokenizer's counts back on the text 0.6
    more: five tokenizers' counts, 9.2-9.8 -> 7.9-8.8 CPU-s. Should two texts ever share a
    key, the texts themselves are ranked (exact, and slower)."""
    present = texts.drop_nulls() if texts.has_nulls() else texts
    keys = _text_keys(present)
    first = keys.is_first_distinct()
    unique = present.filter(first).gather(keys.filter(first).arg_sort())
    positions = keys.rank("dense") - 1
    if not (present == unique.gather(positions)).all():  # two texts share a key
        positions = present.rank("dense") - 1
        unique = present.filter(present.is_first_distinct()).sort()
    if present is not texts:
        nothing = pl.select(pl.repeat(None, texts.len(), dtype=positions.dtype)).to_series()
        positions = nothing.scatter(texts.is_not_null().arg_true(), positions)
    return Distinct(unique, positions)


def _hashes_differ(keys: pl.Series) -> bool:
    return keys.n_unique() == keys.len()
