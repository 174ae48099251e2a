"""Issue 19's first acceptance point, end to end through the CLI: span data with nested text,
`valueSpan` offsets (a 0 left out), requested slots, and rows with nothing to extract."""

import json

import pytest
from click.testing import CliRunner

from datacheck.cli import cli


def _rows() -> list[dict]:
    rows = []
    for i in range(30):
        text = f"book a table for {i % 7 + 2} people at {i % 5 + 6} pm"
        labels = [
            {"slot": "people", "valueSpan": {"startIndex": 17, "endIndex": 25}},
            {"slot": "time", "valueSpan": {"startIndex": 29, "endIndex": 33}},
        ]
        row = {"userInput": {"text": text}, "context": {"requestedSlots": ["people", "time"]}}
        if i % 3:  # a third of such data has nothing to extract
            row["labels"] = labels
        rows.append(row)
    rows[4]["context"]["requestedSlots"] = ["people", "people"]  # record 5
    six = [{"slot": "people", "valueSpan": {"endIndex": 8}}]  # startIndex 0 left out
    rows[7] = {"userInput": {"text": "6 people"}, "labels": six}  # record 8
    rows[10]["labels"][1]["valueSpan"]["endIndex"] = 90  # record 11: past the end
    return rows


@pytest.mark.parametrize("how", ["option", "config", "detected"])
def test_span_data_audits_as_extraction_with_its_real_problems(tmp_path, monkeypatch, how):
    (tmp_path / "train.json").write_text(json.dumps(_rows()))
    args = ["audit", "train.json", "--no-html", "--json", "r.json", "--tokenizers", "cl100k_base"]
    if how == "option":
        args += ["--text-field", "userInput.text"]
    elif how == "config":
        (tmp_path / "datacheck.toml").write_text('text_field = "userInput.text"\n')
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 1, done.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["detected"]["schema"] == "spans"
    assert report["detected"]["task"] == "extraction"
    assert report["source"]["position"] == "record"
    checks = {c["id"]: c for c in report["checks"]}
    failing = {i for i, c in checks.items() if c["status"] == "fail"}
    for quiet in ("format.empty_text", "labels.missing", "volume.per_category",
                  "labels.singleton", "volume.imbalance", "hygiene.label_drift"):  # fmt: skip
        assert quiet not in failing, checks.get(quiet)
    assert checks["format.repeated_list_items"]["rows"] == [5]
    assert checks["format.span_omitted_offsets"]["rows"] == [8]
    assert checks["format.span_offsets"]["rows"] == [11]
    assert "records 11" in checks["format.span_offsets"]["message"]
    per_slot = checks["volume.per_slot"]
    with_spans = [r for r in _rows() if r.get("labels")]
    assert per_slot["observed"] == {
        "people": sum(1 for r in with_spans if any(s["slot"] == "people" for s in r["labels"])),
        "time": sum(1 for r in with_spans if any(s["slot"] == "time" for s in r["labels"])),
    }
    assert per_slot["details"]["examples_without_spans"] == 30 - len(with_spans)
