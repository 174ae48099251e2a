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


#: a string this short lives inside its 16-byte view (polars' string layout): nothing to share
_INLINE_BYTES = 12
#: the share of a column's stored bytes that must repeat before repeats are made to share
#: one copy: below it, the gather costs more time than the memory is worth
_WORTH_SHARING = 0.1


def stored_once(texts: pl.Series) -> pl.Series:
    """`texts`, value for value, with each distinct string written once into fresh buffers and
    every repeat a view of that copy: a system prompt on every row is held once, not once a
    row (on a million chat rows of each bench generator, 140-220 MiB less at the audit's
    peak). Returned as it is when less than a tenth of its stored bytes repeat, or
    should two texts share a 64-bit key (then its rows would not all match their copy).
    Not built on `distinct`: its ranking made this 0.15-0.35 s slower on 3M message texts,
    and 2-3x slower on a column where nothing repeats (measured on the bench generators)."""
    lengths = texts.str.len_bytes()
    stored = lengths > _INLINE_BYTES
    total = number(lengths.filter(stored).sum())
    if not total:
        return texts
    keys = _text_keys(texts)
    first = keys.is_first_distinct()
    once = number(lengths.filter(first & stored).sum())
    if total - once < _WORTH_SHARING * total:
        return texts
    count = int(first.sum())
    position = pl.DataFrame(
        {_KEY: keys.filter(first), "i": pl.int_range(count, dtype=pl.UInt32, eager=True)}
    )
    where = keys.to_frame(_KEY).join(position, on=_KEY, how="left", maintain_order="left")["i"]
    shared = (texts.filter(first) + "").gather(where).alias(texts.name)
    return shared if shared.eq_missing(texts).all() else texts


def messages_stored_once(column: pl.Series) -> pl.Series:
    """A column of lists of structs (chat messages), value for value, with each text field of
    the structs `stored_once` across all rows; returned as it is when no field gains."""
    dtype = column.dtype
    assert isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)
    names = [f.name for f in dtype.inner.fields if f.dtype == pl.String]
    sizes = column.list.len().fill_null(0)
    if not names or not (sizes > 0).any():
        return column
    every = bool(sizes.min())  # no null or empty list: the messages line up with the offsets
    if every:
        single = column.rechunk()  # one chunk: its offsets are all `_relisted` needs
        flat = single.explode().to_frame("m")
    else:
        rows = column.to_frame("m").with_row_index("row")
        flat = rows.filter(sizes > 0).explode("m")
    fields = flat["m"].struct.unnest()
    texts = {name: fields[name] for name in names}  # each `fields[name]` is a new Series
    shared = {name: stored_once(text) for name, text in texts.items()}
    if all(shared[name] is texts[name] for name in names):
        return column
    messages = fields.with_columns(shared.values()).select(pl.struct(pl.all()).alias("m"))
    if flat["m"].has_nulls():  # a null message stays null, not a message of null fields
        messages = messages.select(pl.when(flat["m"].is_not_null()).then(pl.col("m")).alias("m"))
    if every:
        return _relisted(single, messages["m"])
    lists = messages.with_columns(flat["row"]).group_by("row", maintain_order=True).agg("m")
    joined = rows.select("row").join(lists, on="row", how="left", maintain_order="left")
    empty = pl.lit(pl.Series([[]], dtype=dtype))
    whole = joined.select(
        pl.when(column.is_null()).then(None).when(sizes == 0).then(empty).otherwise(pl.col("m"))
    )
    return whole.to_series().rechunk().alias(column.name)


def _relisted(column: pl.Series, values: pl.Series) -> pl.Series:
    """`column` (one chunk, no null list) with `values`, one per element in order, in place of
    its elements: its own list offsets put around them. A group-by of the values back into
    lists held another copy of them beside the column: at 1M chat rows, rebuilding the
    messages rose 330-349 MiB over its start that way, 240-244 this way."""
    import pyarrow as pa
    import pyarrow.compute as pc

    newest = pl.CompatLevel.newest()
    offsets = column.to_arrow(compat_level=newest).offsets
    offsets = pc.subtract(offsets, offsets[0])  # a slice's offsets start where it starts
    lists = pa.LargeListArray.from_arrays(offsets, values.to_arrow(compat_level=newest))
    return pl.Series(column.name, lists).cast(column.dtype)


def _hashes_differ(keys: pl.Series) -> bool:
    return keys.n_unique() == keys.len()
