import random

import polars as pl
import pytest

from datacheck import _frames
from datacheck._frames import compact, join_on_text


def test_compact_keeps_every_value_and_type():
    frame = pl.DataFrame(
        {
            "text": ["a" * 40, None, "é"],
            "n": [1, 2, 3],
            "messages": [[{"role": "user", "content": "x" * 30}], [], None],
        }
    )
    copied = compact(frame)
    assert copied.schema == frame.schema
    assert copied.equals(frame)


@pytest.mark.parametrize("by_hash", [True, False])
@pytest.mark.parametrize("nulls_equal", [True, False])
def test_join_on_text_pairs_what_a_join_on_the_text_pairs(monkeypatch, by_hash, nulls_equal):
    left = pl.DataFrame({"id": range(8), "t": ["b", "a", None, "c", "a", "", "é", "b"]})
    right = pl.DataFrame({"t": ["a", "b", "c", "", "é", None], "n": [1, 2, 3, 4, 5, 6]})
    if not by_hash:  # as if two texts shared a hash
        monkeypatch.setattr(_frames, "_hashes_differ", lambda keys: False)
    joined = join_on_text(left, right, "t", nulls_equal=nulls_equal)
    expected = left.join(right, on="t", how="left", maintain_order="left", nulls_equal=nulls_equal)
    assert joined.equals(expected)
    assert joined["n"].to_list() == [2, 1, 6 if nulls_equal else None, 3, 1, 4, 5, 2]
    counted = join_on_text(left, right, "t", nulls_equal=nulls_equal, keep_text=False)
    assert counted.equals(expected.drop("t"))


@pytest.mark.parametrize("by_hash", [True, False])
def test_counted_texts_equal_a_group_by_in_first_seen_order(monkeypatch, by_hash):
    from datacheck._frames import counted_texts

    frame = pl.DataFrame({"t": ["b", None, "a", "b", "é", None, "b", ""]})
    if not by_hash:
        monkeypatch.setattr(_frames, "_hashes_differ", lambda keys: False)
    counted = counted_texts(frame, "t")
    assert counted.equals(frame.group_by("t", maintain_order=True).len("n"))
    assert counted.rows() == [("b", 3), (None, 2), ("a", 1), ("é", 1), ("", 1)]


def test_kept_returns_the_frame_itself_when_every_row_passes():
    from datacheck._frames import kept

    frame = pl.DataFrame({"split": ["train", "train", "eval"], "n": [1, 2, 3]})
    assert kept(frame, pl.col("n") > 0) is frame
    assert kept(frame, pl.col("split") != "eval")["n"].to_list() == [1, 2]


@pytest.mark.parametrize("collide", [False, True])
def test_distinct_texts_and_each_rows_position(monkeypatch, collide):
    if collide:  # few keys, many texts to each: every check must fall back on the texts
        monkeypatch.setattr(_frames, "_text_keys", lambda t: t.str.len_bytes().cast(pl.UInt64))
    rng = random.Random(3)
    words = ["a", "b", "ab", "ba", "é", "", " a", "a "]
    for _ in range(200):
        texts = [
            None if rng.random() < 0.1 else "".join(rng.choices(words, k=rng.randint(0, 3)))
            for _ in range(rng.randint(0, 30))
        ]
        found = _frames.distinct(pl.Series(texts, dtype=pl.String))
        unique = found.texts.to_list()
        assert sorted(unique) == sorted({t for t in texts if t is not None})
        assert [None if p is None else unique[p] for p in found.positions.to_list()] == texts
