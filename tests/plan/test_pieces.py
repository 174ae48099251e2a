"""Counting by pieces gives tiktoken's own count of each whole text, on any text: checked
against `encode_ordinary` of the text, never against our own counting."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from datacheck.plan import _pieces
from datacheck.plan import tokenizers as tokens
from datacheck.plan._pieces import PieceCounter

PIECEWISE = ("cl100k_base", "o200k_base", "llama-3.1")
REAL = Path(__file__).parents[1] / "data" / "real"

# what could cut a pre-token apart: whitespace of every kind before and after a space, letters,
# digits, marks, apostrophes (contractions), punctuation, the characters that were once
# whitespace, and the separator the joined count uses
_PARTS = st.sampled_from(
    [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u180e", "\u200b", "\x1f", "\u0301",
     "a", "Zoë", "the", "I", "'s", "'LL", "don't", "42", "1234567", "?!", "...", "ORD-12345",
     "漢字", "🙂", "/", "<|endoftext|>", "\\", "é", "Σ", "x1"]
)  # fmt: skip
_TEXTS = st.lists(_PARTS, max_size=12).map("".join)


def _expected(name: str, texts: list[str]) -> list[int]:
    encoding = tokens.get(name)._tiktoken
    return [len(encoding.encode_ordinary(t)) for t in texts]


def _counter(name: str) -> PieceCounter:
    return PieceCounter(tokens._JoinedCounter(tokens.get(name)._tiktoken, phi2=False))


#: one counter per tokenizer for every example: what it remembers of earlier slices is used
_REMEMBERING = {name: _counter(name) for name in PIECEWISE}


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(_TEXTS, min_size=1, max_size=8))
def test_pieces_add_up_to_each_whole_text(texts):
    for name in PIECEWISE:
        expected = _expected(name, texts)
        assert _counter(name)(pl.Series(texts, dtype=pl.String)) == expected, name
        assert _REMEMBERING[name](pl.Series(texts, dtype=pl.String)) == expected, name


def _real_texts() -> list[str]:
    rasa = json.loads((REAL / "hwu64" / "rasa_nlu_kfold1_every10.json").read_text("utf-8"))
    texts = [e["text"] for e in rasa["rasa_nlu_data"]["common_examples"]]
    for path in sorted((REAL / "snips2017").glob("*.json")):
        for examples in json.loads(path.read_text("latin-1")).values():
            texts += ["".join(part["text"] for part in e["data"]) for e in examples]
    return texts


def test_pieces_add_up_on_published_utterances():
    texts = _real_texts()
    assert len(texts) > 1_500
    assert any("  " in t for t in texts) or any(t != t.strip() for t in texts)
    for name in PIECEWISE:
        assert _counter(name)(pl.Series(texts)) == _expected(name, texts), name


def test_each_distinct_piece_is_counted_once_and_runs_of_whitespace_go_whole():
    seen: list[str] = []
    joined = tokens._JoinedCounter(tokens.get("cl100k_base")._tiktoken, phi2=False)

    def recording(texts):
        seen.extend(texts.to_list())
        return joined(texts)

    texts = ["Where is my order?", "Where is my refund?", "my order  is late", "is it?"]
    counts = PieceCounter(recording)(pl.Series(texts))
    assert counts == _expected("cl100k_base", texts)
    assert seen.count(" is") == 1 and seen.count(" my") == 1
    assert "my order  is late" in seen  # two spaces: counted whole, not cut apart
    assert "  is" not in seen and " " not in seen


def _recording(seen: list[str]):
    joined = tokens._JoinedCounter(tokens.get("cl100k_base")._tiktoken, phi2=False)

    def recording(texts):
        seen.extend(texts.to_list())
        return joined(texts)

    return recording


def test_a_piece_counted_in_one_slice_is_not_counted_again_in_the_next():
    seen: list[str] = []
    counter = PieceCounter(_recording(seen))
    first = ["Where is my order?", "Cancel my order"]
    assert counter(pl.Series(first)) == _expected("cl100k_base", first)
    seen.clear()
    second = ["Where is my refund?", "Cancel it", None]
    assert counter(pl.Series(second)) == _expected(
        "cl100k_base", ["Where is my refund?", "Cancel it", ""]
    )
    # "Where", "Cancel", " is" and " my" are remembered; the null text counts as the empty one
    assert sorted(seen) == ["", " it", " refund?"]


def test_a_counter_forgets_once_it_holds_too_many_pieces_or_bytes(monkeypatch):
    """What a counter remembers is bounded, and starting afresh changes no count."""
    texts = [f"order ORD-{n} of {n % 7} items, {'x' * (n % 50)} shipped" for n in range(3_000)]
    expected = _expected("cl100k_base", texts)
    for pieces, size in ((64, 1 << 30), (1 << 30, 2_000)):
        monkeypatch.setattr(_pieces, "_KNOWN_PIECES", pieces)
        monkeypatch.setattr(_pieces, "_KNOWN_BYTES", size)
        seen: list[str] = []
        counter = PieceCounter(_recording(seen))
        held = []
        counts = []
        for start in range(0, len(texts), 100):
            counts += counter(pl.Series(texts[start : start + 100]))
            held.append((len(counter._later._known), counter._later._bytes))
        assert counts == expected
        assert max(n for n, _ in held) <= pieces + 300  # the limit plus one slice's new pieces
        assert max(b for _, b in held) <= size + 100 * 60
        assert seen.count(" of") > 1  # forgotten, then counted again


def test_a_list_goes_to_the_whole_counter_as_it_is():
    """A polars Series cannot hold a lone surrogate, so a list is never converted to one."""
    texts = ["plain text", "a\ud800lone surrogate"]
    calls: list[object] = []

    def whole(given):
        calls.append(given)
        return [len(t) for t in given]

    assert PieceCounter(whole)(texts) == [10, 16]
    assert calls == [texts]


def test_count_all_counts_by_pieces_only_where_the_pattern_allows(monkeypatch):
    """cl100k, o200k and Llama 3 count by pieces; Phi-2, whose whitespace runs are tokens of
    their own, counts whole texts (and Mistral has its own engine)."""
    assert {n for n in tokens.NAMES if tokens.SPECS[n].pattern in tokens._PIECEWISE} == set(
        PIECEWISE
    )
    used: list[object] = []
    count = PieceCounter.__call__
    monkeypatch.setattr(PieceCounter, "__call__", lambda self, t: used.append(1) or count(self, t))
    texts = pl.Series(["Where is my order?", "my  order"])
    for name in tokens.NAMES:
        used.clear()
        tokenizer = tokens.get(name)
        assert tokenizer.count_all(texts) == [tokenizer.count(t) for t in texts], name
        assert bool(used) == (name in PIECEWISE), name
