"""The meaning-level checks, on small handmade data, with the real all-MiniLM-L6-v2 weights
(installed without their declared dependencies: see datacheck.semantic.INSTALL)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import datacheck
from datacheck import semantic
from tests.conftest import write_jsonl

needs_model = pytest.mark.skipif(
    semantic.missing() is not None,
    reason=f"the semantic extra is not installed: {semantic.INSTALL}",
)
SEMANTIC = ("labels.suspect", "hygiene.paraphrases", "hygiene.semantic_leakage")

INTENTS = {
    "weather": [
        "will it rain tomorrow", "what is the forecast for the weekend", "is it cold outside",
        "do I need an umbrella today", "how hot will it be this afternoon",
        "is snow expected tonight", "what's the weather like in paris", "will it be sunny on friday",
    ],
    "alarm": [
        "wake me up at seven", "set an alarm for 6 am", "cancel my morning alarm",
        "set a wake up call for tomorrow", "turn off all my alarms", "remind me to wake at five thirty",
        "change my alarm to eight", "create an alarm for noon",
    ],
    "music": [
        "play some jazz", "put on my workout playlist", "skip this song", "play the latest album by adele",
        "turn the music up", "shuffle my favourite songs", "play something relaxing", "pause the music",
    ],
}  # fmt: skip


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DATACHECK_CACHE", str(tmp_path / "cache"))


def _rows(flip: str | None = None, to: str = "music"):
    return [
        {"text": text, "label": to if text == flip else label}
        for label, texts in INTENTS.items()
        for text in texts
    ]


def _check(result, check_id):
    (found,) = [f for f in result.checks if f.id == check_id]
    return found


def _audit(path, **options):
    return datacheck.audit(path, tokenizers="cl100k_base", semantic=True, **options)


@needs_model
def test_the_encoder_gives_the_similarities_sentence_transformers_publishes():
    """sentence-transformers' quickstart (sbert.net, all-MiniLM-L6-v2) prints 0.6660, 0.1046
    and 0.1411 for these three sentences."""
    from datacheck.semantic.embed import model

    vectors = model().encode(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    similarity = vectors @ vectors.T
    expected = [(0, 1, 0.6660), (0, 2, 0.1046), (1, 2, 0.1411)]
    for a, b, value in expected:
        assert similarity[a, b] == pytest.approx(value, abs=0.0015)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@needs_model
def test_the_onnx_encoder_gives_the_numpy_reference_embeddings():
    """The graph built for onnxruntime is the numpy encoder's model, layer for layer: the
    same embeddings, for short and long texts and for batches with padding."""
    from datacheck.semantic import model_folder
    from datacheck.semantic._minilm import MiniLM
    from datacheck.semantic.embed import model

    texts = [text for group in INTENTS.values() for text in group]
    texts += ["word " * 300, "a", "Ünïcödé and emoji 🙂 survive the tokenizer"]
    fast = model().encode(texts, batch_size=7)
    reference = MiniLM(model_folder()).encode(texts, batch_size=7)
    assert type(model()).__name__ == "OnnxMiniLM"
    assert np.abs(fast - reference).max() < 1e-4
    assert ((fast * reference).sum(axis=1) > 0.99999).all()


def test_the_regression_is_fitted_on_a_bounded_sample_with_every_label():
    from datacheck.checks import semantic as checks

    y = np.array([0] * 900 + [1] * 90 + [2] * 7 + [3] * 3)
    rows = np.arange(len(y))
    chosen = checks._per_label_sample(rows, y, 100, seed=1)
    counts = np.bincount(y[chosen], minlength=4)
    assert abs(len(chosen) - 100) <= 10 and list(counts[2:]) == [5, 3]
    assert counts[0] == 90 and counts[1] == 9
    assert (np.diff(chosen) > 0).all()
    assert (chosen == checks._per_label_sample(rows, y, 100, seed=1)).all()
    assert (checks._per_label_sample(rows, y, 5000, seed=1) == rows).all()


@needs_model
def test_a_flipped_label_is_found_when_each_fit_sees_a_sample(tmp_path, monkeypatch):
    from datacheck.checks import semantic as checks

    monkeypatch.setattr(checks, "FIT_AT_MOST", 12)  # of the 19 rows each fold is fitted on
    path = write_jsonl(tmp_path / "d.jsonl", _rows(flip="will it rain tomorrow", to="music"))
    finding = _check(_audit(path), "labels.suspect")
    assert finding.status == "fail"
    assert finding.details["suspects"][0]["lines"] == [1]


@needs_model
def test_a_flipped_label_is_suspect_with_its_likely_label(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", _rows(flip="will it rain tomorrow", to="music"))
    finding = _check(_audit(path), "labels.suspect")
    assert finding.status == "fail"
    first = finding.details["suspects"][0]
    assert (first["lines"], first["label"], first["likely"]) == ([1], "music", "weather")
    assert 1 in finding.rows


@needs_model
def test_clean_labels_raise_no_suspicion(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", _rows())
    finding = _check(_audit(path), "labels.suspect")
    assert (finding.status, finding.rows) == ("pass", ())


@needs_model
def test_a_paraphrase_under_another_label_is_found_and_one_under_the_same_is_not(tmp_path):
    rows = _rows() + [
        {"text": "is it going to rain tomorrow", "label": "alarm"},  # weather, reworded
        {"text": "please play some jazz music", "label": "music"},  # music, same label
    ]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    finding = _check(_audit(path), "hygiene.paraphrases")
    assert finding.status == "fail"
    (group,) = finding.details["groups"]
    assert group["labels"] == {"alarm": [25], "weather": [1]}
    assert finding.rows == (1, 25)


@needs_model
def test_the_same_input_under_two_labels_is_left_to_the_exact_check(tmp_path):
    rows = _rows() + [{"text": "Will it rain  tomorrow", "label": "alarm"}]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    result = _audit(path)
    assert _check(result, "hygiene.paraphrases").status == "pass"
    assert _check(result, "hygiene.conflicting_labels").status == "fail"


@needs_model
def test_an_eval_paraphrase_of_a_training_row_is_semantic_leakage(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", _rows())
    evals = write_jsonl(
        tmp_path / "eval.jsonl",
        [
            {"text": "whats the forecast for this weekend", "label": "weather"},
            {"text": "will it rain tomorrow", "label": "weather"},  # exact: hygiene.leakage
            {"text": "order a large pizza", "label": "music"},
        ],
    )
    result = _audit(train, eval_source=evals)
    finding = _check(result, "hygiene.semantic_leakage")
    assert finding.status == "fail" and finding.rows_split == "eval"
    assert [p["eval_lines"] for p in finding.details["pairs"]] == [[1]]
    assert finding.details["pairs"][0]["train_lines"] == [2]
    assert _check(result, "hygiene.leakage").rows == (2,)


@needs_model
def test_a_rerun_reads_every_embedding_from_the_cache_and_reports_the_same(tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "d.jsonl", _rows(flip="will it rain tomorrow"))
    first = json.loads(_audit(path).to_json())
    from datacheck.semantic import _minilm

    def no_encoding(self, texts, batch_size=64):
        raise AssertionError(f"embedded {len(texts)} texts again")

    monkeypatch.setattr(_minilm.MiniLM, "encode", no_encoding)
    second = json.loads(_audit(path).to_json())
    for report in (first, second):
        report.pop("generated_at"), report.pop("timings")
    assert first == second


def test_not_asked_for_the_checks_are_skipped_saying_how_to_run_them(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", _rows())
    result = datacheck.audit(path, tokenizers="cl100k_base")
    for check_id in ("hygiene.paraphrases", "hygiene.semantic_leakage", "labels.suspect"):
        finding = _check(result, check_id)
        assert finding.status == "skip" and "--semantic" in finding.message


def test_asked_for_without_the_extra_the_audit_runs_as_before_and_says_what_to_install(
    tmp_path, monkeypatch
):
    path = write_jsonl(tmp_path / "d.jsonl", _rows())
    before = json.loads(datacheck.audit(path, tokenizers="cl100k_base").to_json())
    monkeypatch.setattr(semantic, "missing", lambda: f"cleanlab not installed: {semantic.INSTALL}")
    after = json.loads(_audit(path).to_json())
    for check_id in SEMANTIC:
        finding = next(c for c in after["checks"] if c["id"] == check_id)
        assert finding["status"] == "skip"
        assert "pip install 'datacheck[semantic]'" in finding["message"]

    def others(report):
        return [c for c in report["checks"] if c["id"] not in SEMANTIC]

    assert others(before) == others(after)
    assert before["verdict"] == after["verdict"]


@pytest.mark.skipif(semantic.missing() is not None, reason="the semantic extra is not installed")
def test_above_the_exact_bound_hnsw_finds_the_same_pairs_and_is_deterministic(monkeypatch):
    from datacheck.checks import semantic as checks

    rng = np.random.default_rng(0)
    base = rng.normal(size=(300, 384)).astype(np.float32)
    vectors = np.concatenate([base, base + rng.normal(0, 0.01, base.shape).astype(np.float32)])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = checks.pairs_above(vectors, vectors, 0.9, upper=True)
    monkeypatch.setattr(checks, "EXACT_UP_TO", 40)  # 10 x 300 similarities: above too
    first = checks.pairs_above(vectors, vectors, 0.9, upper=True)
    again = checks.pairs_above(vectors, vectors, 0.9, upper=True)
    as_set = [set(zip(p[0].tolist(), p[1].tolist(), strict=True)) for p in (exact, first, again)]
    assert len(as_set[0]) == 300 and as_set[0] == {(k, k + 300) for k in range(300)}
    assert as_set[1] == as_set[0] == as_set[2]
    eval_side = checks.pairs_above(vectors[300:310], vectors[:300], 0.9)
    assert sorted(zip(eval_side[0].tolist(), eval_side[1].tolist(), strict=True)) == [
        (k, k) for k in range(10)
    ]


@pytest.mark.skipif(semantic.missing() is not None, reason="the semantic extra is not installed")
def test_a_few_eval_rows_against_many_training_rows_are_searched_exactly(monkeypatch):
    """The exact search is bounded by the similarities it computes, not by the training
    side alone: no index is built for a handful of eval rows."""
    from datacheck.checks import semantic as checks

    rng = np.random.default_rng(1)
    train = rng.normal(size=(400, 384)).astype(np.float32)
    train /= np.linalg.norm(train, axis=1, keepdims=True)
    monkeypatch.setattr(checks, "EXACT_UP_TO", 100)  # 400 x 400 would take the index
    monkeypatch.setattr(checks, "_hnsw_pairs", lambda *a, **k: pytest.fail("index built"))
    i, j, sim = checks.pairs_above(train[[5, 17]], train, 0.99)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 5), (1, 17)]
    with pytest.raises(pytest.fail.Exception):
        checks.pairs_above(train, train, 0.99, upper=True)


def test_the_terminal_says_which_checks_an_uninstalled_extra_left_out(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from datacheck.cli import cli

    monkeypatch.setattr(semantic, "missing", lambda: f"cleanlab not installed: {semantic.INSTALL}")
    path = write_jsonl(tmp_path / "d.jsonl", _rows())
    done = CliRunner().invoke(
        cli, ["audit", str(path), "--semantic", "--tokenizers", "cl100k_base", "--no-html"]
    )
    assert done.exit_code == 1, done.output  # 8 examples per category: not ready
    assert (
        "Not run: hygiene.paraphrases, hygiene.semantic_leakage, labels.suspect — cleanlab not "
        f"installed: {semantic.INSTALL}\n" in done.output
    )


@needs_model
def test_embedding_reports_its_progress(tmp_path):
    steps = []

    class Progress:
        def __call__(self, phase):
            pass

        def step(self, phase, done, total):
            steps.append((phase, done, total))

    path = write_jsonl(tmp_path / "d.jsonl", _rows())
    datacheck.audit(path, tokenizers="cl100k_base", semantic=True, progress=Progress())
    embedded = [s for s in steps if s[0] == "embed"]
    assert embedded and embedded[-1][1] == embedded[-1][2] == 24
