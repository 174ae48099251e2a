"""Reports list at most `[limits] max_labels_shown` categories and cut long texts, but every
count stays whole: 100,000 distinct labels made an 18 MB JSON report, a 10 MB label 34 MB."""

import json
from collections import Counter
from pathlib import Path

import jsonschema

import datacheck
from datacheck._shown import MAX_CHARS, cut, shown_labels

SCHEMA = json.loads(
    (Path(datacheck.__file__).parent / "report" / "schema.json").read_text(encoding="utf-8")
)


def test_many_labels_list_the_most_frequent_and_count_the_rest(tmp_path):
    rows = [
        {"text": f"ticket {i} about item {i * 7919 % 1000}", "label": f"c{i % 300}"}
        for i in range(900)
    ]
    rows += [{"text": f"printer {i} jams", "label": "printer"} for i in range(40)]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = datacheck.audit(path, tokenizers=["cl100k_base"], limits={"max_labels_shown": 20})
    report = json.loads(result.to_json())
    jsonschema.validate(report, SCHEMA)
    counts = Counter(r["label"] for r in rows)
    assert list(report["labels"]) == ["printer", *sorted(k for k in counts if k != "printer")[:19]]
    assert report["labels_not_shown"] == {"labels": 301 - 20, "examples": 940 - 40 - 19 * 3}
    per_category = next(c for c in report["checks"] if c["id"] == "volume.per_category")
    assert len(per_category["details"]["short"]) == 20
    assert per_category["details"]["not_shown"]["details.short"] == 301


def test_a_long_label_is_cut_in_the_report_but_counted(tmp_path):
    long_label = "L" * 5_000
    rows = [{"text": f"ticket {i}", "label": long_label if i % 2 else "short"} for i in range(30)]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = datacheck.audit(path, tokenizers=["cl100k_base"])
    text = result.to_json()
    assert long_label not in text
    report = json.loads(text)
    jsonschema.validate(report, SCHEMA)
    assert sorted(report["labels"].values()) == [15, 15]
    assert cut(long_label) in report["labels"]
    assert len(text) < 60_000


def test_cut_and_shown_labels():
    assert cut("abc", 5) == "abc"
    assert cut("abcdefgh", 5) == "abcde… (3 more characters)"
    assert len(cut("x" * 10_000)) < MAX_CHARS + 40
    assert shown_labels({"b": 2, "a": 2, "c": 9}, 2) == (
        {"c": 9, "a": 2},
        {"labels": 1, "examples": 2},
    )
    assert shown_labels({"a": 1}, 2) == ({"a": 1}, None)
    assert shown_labels(None, 2) == (None, None)
