import json

import polars as pl

import datacheck
from tests.conftest import SAMPLES, write_jsonl


def _stable(result):
    report = json.loads(result.to_json())
    report.pop("generated_at")
    report.pop("timings")
    return json.dumps(report, sort_keys=False)


def test_same_input_gives_byte_identical_report():
    first = datacheck.audit(SAMPLES / "tickets.jsonl")
    second = datacheck.audit(SAMPLES / "tickets.jsonl")
    assert _stable(first) == _stable(second)


def test_report_has_the_contract_keys():
    report = datacheck.audit(SAMPLES / "orders_chat.jsonl").to_dict()
    for key in ("schema_version", "datacheck_version", "generated_at", "source", "detected",
                "labels", "checks", "verdict"):  # fmt: skip
        assert key in report
    assert report["schema_version"] == 1
    assert set(report["source"]) >= {"path", "format", "sha256", "rows", "load_errors"}
    assert set(report["detected"]) == {
        "schema", "task", "confidence", "reasons", "text_field", "label_field",
    }  # fmt: skip


def test_eval_rows_are_kept_apart_from_training_counts(tmp_path):
    train = write_jsonl(tmp_path / "t.jsonl", [{"text": "a", "label": "x"}] * 3)
    evals = write_jsonl(tmp_path / "e.jsonl", [{"text": "b", "label": "y"}])
    result = datacheck.audit(train, eval_source=evals)
    assert result.labels == {"x": 3}
    assert result.eval_source is not None and result.eval_source.rows == 1


def test_dataframe_in_memory():
    frame = pl.DataFrame({"text": ["a", "b", "c"], "label": ["x", "y", "x"]})
    assert datacheck.audit(frame).labels == {"x": 2, "y": 1}
