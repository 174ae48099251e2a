"""format.readable covers the eval file too: an upload of a broken eval file fails as well."""

import json

import datacheck
from tests.conftest import write_jsonl

ROWS = [{"text": f"ticket number {i} about problem {i}", "label": "AB"[i % 2]} for i in range(40)]
OPTIONS = {"thresholds": {"min_per_category": 5}, "tokenizers": ["phi-2"]}


def _readable(result):
    return next(c for c in result.to_dict()["checks"] if c["id"] == "format.readable")


def _eval(tmp_path, broken: str) -> str:
    path = tmp_path / "eval.jsonl"
    rows = [{"text": f"held out question {i}", "label": "AB"[i % 2]} for i in range(4)]
    path.write_text(
        "".join(json.dumps(r) + "\n" for r in rows[:2]) + broken + json.dumps(rows[2]) + "\n"
    )
    return str(path)


def test_a_broken_eval_line_fails_the_gate_and_names_its_file(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", ROWS)
    evals = _eval(tmp_path, '{"text": \n')
    result = datacheck.audit(train, eval_source=evals, **OPTIONS)
    check = _readable(result)
    assert (check["status"], check["severity"], check["rows"], check["observed"]) == (
        "fail", "error", [], 1,
    )  # fmt: skip
    assert check["message"] == (
        f"eval file {evals}: line 3 could not be read: invalid JSON: expecting value at "
        "column 10; fix or delete the line"
    )
    assert check["details"] == {"eval_lines": [3], "eval_path": evals}
    assert result.verdict == "not_ready"
    assert result.eval_source.load_errors[0]["line"] == 3


def test_both_files_broken_are_both_reported(tmp_path):
    train = tmp_path / "train.jsonl"
    lines = [json.dumps(r) for r in ROWS]
    lines[4] = "{nope"
    lines[9] = "{nope"
    train.write_text("\n".join(lines) + "\n")
    evals = _eval(tmp_path, "oops\n")
    check = _readable(datacheck.audit(train, eval_source=evals, **OPTIONS))
    assert check["rows"] == [5, 10] and check["observed"] == 3
    assert check["message"].startswith("2 lines could not be read; the first, line 5: invalid JSON")
    assert f"; eval file {evals}: line 3 could not be read: invalid JSON" in check["message"]


def test_clean_files_pass_without_details(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", ROWS)
    evals = write_jsonl(tmp_path / "eval.jsonl", ROWS[:3])
    check = _readable(datacheck.audit(train, eval_source=evals, **OPTIONS))
    assert (check["status"], check["message"], check["details"]) == (
        "pass", "every line was read", {},
    )  # fmt: skip
