import random

import polars as pl
import pytest

from datacheck import _frames
from datacheck._frames import compact, join_on_text
from tests.conftest import stored_bytes


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


def _random_texts(rng: random.Random, rows: int) -> list[str | None]:
    shared = ["a system prompt that every row repeats", "an answer several rows give"]
    return [
        None
        if (pick := rng.random()) < 0.05
        else rng.choice(["é", "short", ""])
        if pick < 0.2
        else rng.choice(shared)
        if pick < 0.7
        else f"a text of its own, number {rng.randrange(10**6)}"
        for _ in range(rows)
    ]


def test_stored_once_keeps_every_value_and_holds_each_repeat_once():
    rng = random.Random(5)
    for _ in range(20):
        texts = pl.Series("t", _random_texts(rng, rng.randint(40, 300))) + ""
        shared = _frames.stored_once(texts)
        assert shared.name == "t"
        assert shared.dtype == pl.String
        assert shared.to_list() == texts.to_list()
        distinct_long = {t for t in texts.to_list() if t is not None and len(t.encode()) > 12}
        assert stored_bytes(shared) == sum(len(t.encode()) for t in distinct_long)
        assert stored_bytes(texts) > stored_bytes(shared)


def test_stored_once_leaves_a_column_alone_when_little_repeats():
    unique = pl.Series([f"a text of its own, number {i}" for i in range(100)])
    assert _frames.stored_once(unique) is unique
    short = pl.Series(["yes", "no", "yes", None] * 50)  # every string lives in its view
    assert _frames.stored_once(short) is short
    nine_in_ten = pl.Series([f"a text of its own, number {i}" for i in range(91)] + ["x" * 20] * 9)
    assert _frames.stored_once(nine_in_ten) is nine_in_ten  # under a tenth repeats


def test_stored_once_gives_the_column_back_when_two_texts_share_a_key(monkeypatch):
    monkeypatch.setattr(_frames, "_text_keys", lambda t: t.str.len_bytes().cast(pl.UInt64))
    texts = pl.Series(
        ["a long text of forty bytes, number one.", "a long text of forty bytes, number two."] * 20
    )
    assert _frames.stored_once(texts) is texts


def test_messages_stored_once_keeps_lists_nulls_and_empty_ones():
    rng = random.Random(8)
    dtype = pl.List(pl.Struct({"role": pl.String, "content": pl.String, "weight": pl.Int64}))
    for _ in range(30):
        rows = []
        for _ in range(rng.randint(1, 60)):
            pick = rng.random()
            if pick < 0.05:
                rows.append(None)
            elif pick < 0.1:
                rows.append([])
            else:
                rows.append(
                    [
                        None
                        if rng.random() < 0.05
                        else {"role": rng.choice(["user", None]), "content": text, "weight": 1}
                        for text in _random_texts(rng, rng.randint(1, 4))
                    ]
                )
        column = pl.Series("messages", rows, dtype=dtype)
        shared = _frames.messages_stored_once(column)
        assert shared.dtype == column.dtype
        assert shared.name == "messages"
        assert shared.to_list() == column.to_list()
        assert shared.n_chunks() == 1


def test_messages_stored_once_keeps_lists_with_no_null_or_empty_one_and_their_slices():
    """With every row's list holding messages, the new messages go back inside the column's
    own list offsets (a slice's start where it starts), not through a group-by."""
    rng = random.Random(9)
    for _ in range(30):
        rows = [
            [{"role": rng.choice(["user", "system"]), "content": text} for text in texts]
            for texts in (_random_texts(rng, rng.randint(1, 4)) for _ in range(rng.randint(2, 60)))
        ]
        column = pl.Series("messages", rows).list.eval(pl.element())  # a copy per row
        for part in (column, column.slice(1), column.slice(rng.randint(0, len(rows) // 2), 5)):
            shared = _frames.messages_stored_once(part)
            assert shared.dtype == part.dtype
            assert shared.name == "messages"
            assert shared.to_list() == part.to_list()


def test_messages_stored_once_holds_a_repeated_system_prompt_once():
    prompt = "You route support tickets to a team. Reply with JSON only."
    column = pl.Series(
        "messages",
        [
            [{"role": "system", "content": prompt}, {"role": "user", "content": f"ticket {i:04}"}]
            for i in range(500)
        ],
    )
    column = column.list.eval(pl.element())  # fresh buffers, one prompt a row
    shared = _frames.messages_stored_once(column)
    assert shared.to_list() == column.to_list()
    before = stored_bytes(column.explode().struct.field("content"))
    after = stored_bytes(shared.explode().struct.field("content"))
    assert before >= 500 * len(prompt)
    assert after == len(prompt)  # the tickets' own texts fit in their views
    assert _frames.messages_stored_once(
        pl.Series("m", [[], None], dtype=column.dtype)
    ).to_list() == [[], None]


def test_messages_stored_once_gives_the_column_itself_back_when_nothing_repeats():
    column = pl.Series(
        "messages",
        [[{"role": "user", "content": f"a text of its own, number {i}"}] for i in range(40)],
    )
    assert _frames.messages_stored_once(column) is column
