"""Exactness against published references: ids and counts from the models' own tokenizer
test suites and documentation, never from our own code."""

import gzip
import threading
import time

import polars as pl
import pytest

from datacheck.plan import tokenizers as tokens

# Meta's llama-models test suite (llama3/tests/api/test_tokenizer.py).
LLAMA = [("This is a test sentence.", [2028, 374, 264, 1296, 11914, 13])]
# The CodeGen test vectors of dotnet/machinelearning (CodeGenTests.cs), which that suite also
# runs against Phi-2's own vocab.json and merges.txt.
PHI2 = [
    ("Hello World", [15496, 2159]),
    (" Hello World", [18435, 2159]),
    ("  Hello World", [50286, 15496, 2159]),
    ("the brown fox jumped over the lazy dog!\r\n",
     [1169, 7586, 21831, 11687, 625, 262, 16931, 3290, 0, 201, 198]),
    ("The quick brown fox jumps over the lazy dog.",
     [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13]),
    ("Some Greek letters ΣΦΩ αβγδε.",
     [4366, 8312, 7475, 7377, 96, 138, 99, 138, 102, 26367, 26638, 42063, 138, 112, 30950, 13]),
]  # fmt: skip
# tiktoken's own test suite and README.
OPENAI = [("cl100k_base", "hello world", [15339, 1917])]


@pytest.mark.parametrize(("text", "ids"), LLAMA)
def test_llama31_matches_metas_test_suite(text, ids):
    assert tokens.get("llama-3.1").encode(text) == ids


@pytest.mark.parametrize(("text", "ids"), PHI2)
def test_phi2_matches_published_vectors(text, ids):
    assert tokens.get("phi-2").encode(text) == ids


def test_phi2_whitespace_runs_are_single_tokens():
    phi2 = tokens.get("phi-2")
    code = "def f(x):\n    return x\n\t\tpass"
    ids = phi2.encode(code)
    assert 50257 + (31 - 4) in ids  # four spaces of indentation: one token
    assert 50294 in ids  # two tabs: one token
    assert phi2.count(code) == len(ids)


@pytest.mark.parametrize(("name", "text", "ids"), OPENAI)
def test_openai_encodings(name, text, ids):
    assert tokens.get(name).encode(text) == ids


def test_o200k_round_trips_and_differs_from_cl100k():
    text = "Where is my refund for order ORD-12345?"
    o200k, cl100k = tokens.get("o200k_base"), tokens.get("cl100k_base")
    assert o200k._tiktoken.decode(o200k.encode(text)) == text
    assert o200k.encode(text) != cl100k.encode(text)


def test_mistral_matches_mistral_commons_own_tokenizer():
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    reference = MistralTokenizer.v3().instruct_tokenizer.tokenizer
    ours = tokens.get("mistral-7b-v0.3")
    for text in ("Hello world", "Refund order ORD-12345, please!", "  indented\n\tcode"):
        assert ours.encode(text) == reference.encode(text, bos=False, eos=False)


def test_all_registered_tokenizers_are_exact_and_offline():
    for name in tokens.NAMES:
        tokenizer = tokens.get(name)
        assert tokenizer.exact, tokenizer.problem
        assert tokenizer.spec.sha256[:8] in tokenizer.source


def test_count_all_equals_count():
    texts = ["a b c", "", "Über 9000 tokens?", "  two spaces"]
    for name in tokens.NAMES:
        tokenizer = tokens.get(name)
        assert tokenizer.count_all(texts) == [tokenizer.count(t) for t in texts]


# texts a joined count could get wrong: separators inside a text, empty texts, whitespace runs
# (split out before Phi-2's BPE), a trailing space before the joint, other special tokens
AWKWARD = [
    "",
    "<|endoftext|>",
    "before <|endoftext|> after",
    "<|begin_of_text|>x<|end_of_text|>",
    "ends with spaces   ",
    "   starts with spaces",
    "tab\t\tand\n\nnewlines\r\n",
    "Ünïcödé ✓ 漢字 🙂",
    "123456789",
    "'s 't",
]


def _tickets(n: int) -> list[str]:
    return [f"ticket {i}: " + "word " * (i % 7) + "  x" * (i % 3) for i in range(n)]


def test_count_all_in_threads_keeps_order_and_matches_count(monkeypatch):
    monkeypatch.setattr(tokens, "cores", lambda: 2)
    monkeypatch.setattr(tokens, "_CHUNK", 64)
    texts = _tickets(40 * 64) + AWKWARD * 3
    for name in tokens.NAMES:
        tokenizer = tokens.get(name)
        expected = [tokenizer.count(t) for t in texts]
        assert tokenizer.count_all(texts) == expected, name
        assert tokenizer.count_all(pl.Series(texts)) == expected, name
        assert len(set(expected)) > 5


def test_count_all_of_a_few_texts_matches_count():
    for name in tokens.NAMES:
        tokenizer = tokens.get(name)
        texts = AWKWARD
        if tokenizer.spec.kind == "tiktoken":  # rejects the slice, so each text is counted alone
            texts = [*AWKWARD, "a\ud800lone surrogate"]
        expected = [tokenizer.count(t) for t in texts]
        assert tokenizer.count_all(texts) == expected, name
        assert tokenizer.count_all(pl.Series(AWKWARD)) == expected[: len(AWKWARD)], name


def test_threads_do_not_share_a_tiktoken_engine(monkeypatch):
    """Each thread counts with an engine of its own (shared, tiktoken ran at 60% speed)."""
    monkeypatch.setattr(tokens, "cores", lambda: 2)
    monkeypatch.setattr(tokens, "_CHUNK", 32)
    users: dict[int, set[int]] = {}
    count = tokens._JoinedCounter.__call__

    def recording(self, texts):
        users.setdefault(id(self._encoding), set()).add(threading.get_ident())
        time.sleep(0.001)  # give the helper thread its turn
        return count(self, texts)

    monkeypatch.setattr(tokens._JoinedCounter, "__call__", recording)
    tokens.get("o200k_base").count_all(_tickets(64 * 32))
    assert len(users) == 2
    assert all(len(threads) == 1 for threads in users.values())


def test_missing_package_falls_back_to_a_labelled_estimate():
    spec = tokens.SPECS["llama-3.1"]
    broken = tokens.TokenizerSpec(**{**spec.__dict__, "package": "no_such_package_here"})
    tokenizer = tokens.Tokenizer(broken)
    assert not tokenizer.exact
    assert "estimate" in tokenizer.source
    assert tokenizer.count("abcdefgh") == 2


def test_tampered_vocabulary_is_not_trusted(tmp_path, monkeypatch):
    fake = tmp_path / "gpt2.tiktoken.gz"
    fake.write_bytes(gzip.compress(b"IQ== 0\n"))
    spec = tokens.TokenizerSpec(**{**tokens.SPECS["phi-2"].__dict__, "path": "x"})
    monkeypatch.setattr(tokens, "_package_file", lambda package, relative: fake)
    tokenizer = tokens.Tokenizer(spec)
    assert not tokenizer.exact and "sha256" in tokenizer.problem


def test_helpers_stand_back_while_background_work_holds_their_core(monkeypatch):
    """With two cores and one piece of background work running, the calling thread counts
    every slice, and the helper, which takes none, builds no engine (21 MiB held for
    nothing); once it ends, the helper takes slices again. The counts are the same."""
    from datacheck import _perf

    monkeypatch.setattr(tokens, "cores", lambda: 2)
    monkeypatch.setattr(tokens, "_CHUNK", 32)
    texts = _tickets(64 * 32)
    tokenizer = tokens.get("o200k_base")
    expected = [tokenizer.count(t) for t in texts]
    count = tokens._JoinedCounter.__call__
    threads: list[int] = []

    def recording(self, slice_):
        threads.append(threading.get_ident())
        time.sleep(0.001)  # give a helper thread its turn
        return count(self, slice_)

    monkeypatch.setattr(tokens._JoinedCounter, "__call__", recording)
    built: list[int] = []
    build = tokenizer._new_tiktoken
    monkeypatch.setattr(tokenizer, "_new_tiktoken", lambda: built.append(1) or build())
    release = threading.Event()
    started = threading.Event()

    def background():
        started.set()
        release.wait(10)

    holder = threading.Thread(target=_perf.in_background, args=(background,))
    holder.start()
    started.wait(10)
    try:
        assert tokenizer.count_all(texts) == expected
        assert set(threads) == {threading.get_ident()}
        assert built == []
    finally:
        release.set()
        holder.join(10)
    assert _perf.background_work() == 0
    threads.clear()
    assert tokenizer.count_all(texts) == expected
    assert len(set(threads)) == 2
