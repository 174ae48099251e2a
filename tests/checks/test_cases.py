"""Every registered check has a passing and a failing case, and each case holds."""

import pytest

import datacheck
from datacheck import semantic
from datacheck.checks import REGISTRY
from tests.checks.cases import CASES
from tests.conftest import write_jsonl


def _find(result, check_id):
    found = [c for c in result.to_dict()["checks"] if c["id"] == check_id]
    assert found, f"{check_id} did not run; ran: {[c['id'] for c in result.to_dict()['checks']]}"
    return found[0]


@pytest.mark.parametrize(
    ("check_id", "name", "rows", "options", "status", "lines"),
    CASES,
    ids=[f"{c[0]}:{c[1]}" for c in CASES],
)
def test_case(tmp_path, monkeypatch, check_id, name, rows, options, status, lines):
    if options.get("semantic"):
        if semantic.missing() is not None:
            pytest.skip(f"the semantic extra is not installed: {semantic.INSTALL}")
        monkeypatch.setenv("DATACHECK_CACHE", str(tmp_path / "cache"))
    path = write_jsonl(tmp_path / "data.jsonl", rows)
    options = dict(options)
    if "eval_rows" in options:
        options["eval_source"] = write_jsonl(tmp_path / "eval.jsonl", options.pop("eval_rows"))
    check = _find(datacheck.audit(path, **options), check_id)
    assert check["status"] == status, check
    if status == "fail":
        assert check["message"] and check["fix"]
    if lines is not None:
        assert check["rows"] == lines
        assert check["row_count"] == len(lines)


def test_every_check_has_both_sides():
    sides = {(c[0], c[4]) for c in CASES}
    for check_id in REGISTRY:
        assert (check_id, "pass") in sides, f"{check_id} has no passing case"
        assert (check_id, "fail") in sides, f"{check_id} has no failing case"


def test_every_check_is_documented():
    for check_id, cls in REGISTRY.items():
        doc = cls.describe()
        assert len(doc.split()) >= 10, f"{check_id} needs a docstring that explains it"
        assert cls.fix and cls.title


def test_output_label_variants_use_the_same_normalization_as_categories(tmp_path):
    """'very  high' (two spaces) is a spelling of 'very high', as the category tables say."""
    import json

    outputs = [{"order_id": str(i), "priority": "very high"} for i in range(6)]
    outputs += [{"order_id": str(i), "priority": "low"} for i in range(6, 12)]
    outputs.append({"order_id": "12", "priority": "very  high"})
    rows = [{"email": f"customer mail {i} about an order", "output": json.dumps(o)}
            for i, o in enumerate(outputs)]  # fmt: skip
    result = datacheck.audit(
        write_jsonl(tmp_path / "d.jsonl", rows),
        thresholds={"min_examples": 3, "min_per_output_value": 1},
    )
    check = _find(result, "labels.in_outputs")
    assert check["status"] == "fail" and check["rows"] == [13]
    assert "'very  high' (1) looks like 'very high'" in check["message"]


def test_json_types_reports_null_shares_and_a_fix_naming_a_real_field(tmp_path):
    """Issue 20: 'date is string in 1,721 (elsewhere null)' on optional fields, and a fix
    naming `priority`, which the data did not have."""
    import json

    outputs = [{"date": None, "amount": 5}] * 6 + [{"date": "2026-01-02", "amount": 7}] * 3
    outputs.append({"date": "2026-01-03", "amount": "7 euros"})
    rows = [{"email": f"mail {i} about an order", "output": json.dumps(o)}
            for i, o in enumerate(outputs)]  # fmt: skip
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    options = {"thresholds": {"min_examples": 3}, "tokenizers": ["cl100k_base"]}
    result = datacheck.audit(path, task="extraction", **options)
    check = _find(result, "format.json_types")
    assert check["status"] == "fail"
    assert check["rows"] == [10]
    assert "date" not in check["message"]
    assert check["fix"] == "use one type per field, e.g. always number for amount"
    assert check["details"]["null_shares"] == {"date": 0.6}


def test_a_conflict_across_splits_names_both_sides(tmp_path):
    """Issue 20: an eval text labelled otherwise than the same text in training hid behind
    hygiene.conflicting_labels: pass."""
    train = [{"text": f"ticket {i} about the printer", "label": "AB"[i % 2]} for i in range(6)]
    evals = [{"text": "Ticket 2  about the printer", "label": "B"},  # training line 3 says A
             {"text": "ticket 9 about the printer", "label": "A"}]  # fmt: skip
    result = datacheck.audit(
        write_jsonl(tmp_path / "t.jsonl", train),
        eval_source=write_jsonl(tmp_path / "e.jsonl", evals),
        thresholds={"min_per_category": 1},
        tokenizers=["cl100k_base"],
    )
    check = _find(result, "hygiene.conflicting_labels")
    assert check["status"] == "fail"
    assert check["details"]["across_splits"] == [
        {"eval_line": 1, "eval_label": "B", "train": {"A": [3]}}
    ]
    assert "eval line 1 'B' vs 'A' (training line 3)" in check["message"]
    assert result.to_dict()["hygiene"]["conflicting_labels"]["across_splits"]["rows"] == 1


def test_duplicates_inside_the_eval_set_are_found(tmp_path):
    """Issue 20: with --eval, only the training rows were looked at for duplicates."""
    train = [{"text": f"ticket {i} about the printer", "label": "AB"[i % 2]} for i in range(6)]
    evals = [{"text": "the vpn drops", "label": "A"}, {"text": "a new laptop", "label": "B"},
             {"text": "The VPN  drops", "label": "A"}]  # fmt: skip
    result = datacheck.audit(
        write_jsonl(tmp_path / "t.jsonl", train),
        eval_source=write_jsonl(tmp_path / "e.jsonl", evals),
        thresholds={"min_per_category": 1},
        tokenizers=["cl100k_base"],
    )
    check = _find(result, "hygiene.exact_duplicates")
    assert check["status"] == "fail"
    assert check["rows"] == []  # training is clean
    assert check["eval_rows"] == [3] and check["eval_rows_file"].endswith("e.jsonl")
    assert "1 redundant row in 1 group (line 3)" in check["message"]
    assert result.to_dict()["hygiene"]["exact_duplicates"]["eval"]["groups"] == [
        {"size": 2, "lines": [1, 3]}
    ]
