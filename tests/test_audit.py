import json

import polars as pl
import pytest

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


def test_an_empty_dataframe_is_a_clear_error():
    empty = pl.DataFrame(schema={"text": pl.String, "label": pl.String})
    with pytest.raises(datacheck.InputError, match=r"contains no examples \(the frame has no rows"):
        datacheck.audit(empty)


def test_public_names_stay_callable_after_submodules_load():
    import datacheck._audit  # noqa: F401
    import datacheck.cli  # noqa: F401

    assert callable(datacheck.audit) and callable(datacheck.estimate_cost)
    assert datacheck.AuditResult.__name__ == "AuditResult"


def test_importing_the_package_and_cli_loads_no_heavy_library():
    import subprocess
    import sys

    code = (
        "import sys, datacheck, datacheck.cli; "
        "print(sorted(m for m in ('polars', 'great_expectations', 'tiktoken', 'plotly', 'numpy')"
        " if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def test_a_file_with_no_readable_row_says_why(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('[1, 2]\n"text"\n')
    with pytest.raises(datacheck.InputError) as raised:
        datacheck.audit(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: no row could be read (2 problems; line 1: ")
    assert "line 2: expected a JSON object, found a string" in message


@pytest.mark.parametrize(
    ("train", "evals", "says"),
    [
        ("tickets.jsonl", "orders_chat.jsonl", "has no `department` or `text` column"),
        ("orders_chat.jsonl", "tickets.jsonl", "has no `messages` column"),
    ],
)
def test_eval_data_of_another_shape_is_a_clear_error(train, evals, says):
    with pytest.raises(datacheck.InputError) as raised:
        datacheck.audit(SAMPLES / train, eval_source=SAMPLES / evals)
    assert f"{evals} (the eval data): {says}" in str(raised.value)


def test_eval_instructions_may_lack_the_context_column(tmp_path):
    rows = [
        {"instruction": f"do {i}", "input": f"ctx {i}", "output": f"done {i}"} for i in range(8)
    ]
    evals = [{"instruction": "do it", "output": "done"}]
    report = datacheck.audit(
        write_jsonl(tmp_path / "t.jsonl", rows),
        eval_source=write_jsonl(tmp_path / "e.jsonl", evals),
    ).to_dict()
    assert report["detected"]["schema"] == "instruction"
    assert report["eval_source"]["rows"] == 1


def test_a_fix_shared_by_every_listed_problem_is_said_once(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes("".join(f'{{"text": "caf\u00e9 {i}"}}\n' for i in range(5)).encode("latin-1"))
    with pytest.raises(datacheck.InputError) as raised:
        datacheck.audit(path)
    message = str(raised.value)
    assert "no row could be read (5 problems; line 1: not valid UTF-8 (byte 0xe9" in message
    assert message.count("iconv") == 1 and message.endswith(
        "To fix: re-save the file as UTF-8, e.g. `iconv -f cp1252 -t utf-8`."
    )


def test_an_audit_whose_inputs_are_all_missing_reports_them_instead_of_crashing():
    frame = pl.DataFrame(
        {"text": [None] * 6, "label": ["a", "b"] * 3},
        schema={"text": pl.String, "label": pl.String},
    )
    checks = {c["id"]: c for c in datacheck.audit(frame).to_dict()["checks"]}
    assert checks["format.empty_text"]["status"] == "fail"
    assert checks["format.length_outliers"]["message"] == "no input text to measure"


def test_an_input_field_holding_lists_is_read_as_text(tmp_path):
    rows = [
        {"instruction": f"do {i}", "input": ["a", "b"], "output": f"done {i}"} for i in range(8)
    ]
    report = datacheck.audit(write_jsonl(tmp_path / "d.jsonl", rows)).to_dict()
    assert report["detected"]["schema"] == "instruction"


def test_a_completion_holding_nested_lists_is_read_as_json_text(tmp_path):
    rows = [{"prompt": f"list things {i}", "completion": [[i, "a"], [2]]} for i in range(8)]
    report = datacheck.audit(write_jsonl(tmp_path / "d.jsonl", rows)).to_dict()
    assert report["detected"]["schema"] == "prompt_completion"
    assert report["tokens"]["cl100k_base"]["target_total"] > 0


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("d.csv", "text,label\n", "it has columns (text, label) but no rows"),
        ("d.json", "[]", "it holds no records"),
        ("d.jsonl", "\n  \n", "it holds no records"),
        ("d.jsonl", "", "the file is empty"),
    ],
)
def test_a_source_without_rows_says_what_it_holds(tmp_path, name, content, why):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(datacheck.InputError) as raised:
        datacheck.audit(path)
    assert str(raised.value) == f"{path}: contains no examples ({why})."


def test_findings_on_a_pretty_printed_document_give_the_lines_records_start_on(tmp_path):
    """Issue 19: 'record 5' alone does not find a record in an indented file."""
    import json as _json

    rows = [{"text": f"ticket {i} about a thing", "label": "ab"[i % 2]} for i in range(8)]
    rows.append(dict(rows[2]))  # record 9 repeats record 3
    text = _json.dumps(rows, indent=2)
    (tmp_path / "d.json").write_text(text)
    report = _json.loads(datacheck.audit(tmp_path / "d.json", tokenizers=["cl100k_base"]).to_json())
    duplicates = next(c for c in report["checks"] if c["id"] == "hygiene.exact_duplicates")
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line == "  {"]
    assert duplicates["rows"] == [9]
    assert duplicates["row_lines"] == [starts[8]]
    compact = tmp_path / "c.json"
    compact.write_text(_json.dumps(rows))  # one line: nothing to point at
    report = _json.loads(datacheck.audit(compact, tokenizers=["cl100k_base"]).to_json())
    assert all("row_lines" not in c for c in report["checks"])
