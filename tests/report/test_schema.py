"""Every JSON report validates against the published schema, and the schema is strict enough
to notice a report that drifts from it."""

import json
from importlib import resources

import jsonschema
import polars as pl
import pytest

import datacheck
from datacheck.report.json import SCHEMA_VERSION
from tests.conftest import SAMPLES, write_jsonl

SCHEMA = json.loads(resources.files("datacheck").joinpath("report/schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def _problems(report):
    return [f"{list(e.path)}: {e.message}" for e in VALIDATOR.iter_errors(report)]


def test_the_schema_is_valid_2020_12_and_names_the_report_version():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["properties"]["schema_version"]["const"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("tickets.jsonl", {}),
        ("tickets.jsonl", {"eval_source": SAMPLES / "tickets_eval.jsonl"}),
        ("tickets.csv", {}),
        ("orders_chat.jsonl", {}),
        ("troubleshooting_prompt_completion.jsonl", {}),
        ("tickets.jsonl", {"sample": 200, "seed": 1, "tokenizers": ["cl100k_base"]}),
    ],
)
def test_sample_reports_validate(name, options):
    report = json.loads(datacheck.audit(SAMPLES / name, **options).to_json())
    assert _problems(report) == []


def test_reports_of_generated_inputs_validate(tmp_path):
    instructions = write_jsonl(
        tmp_path / "alpaca.jsonl",
        [{"instruction": f"Say {i}", "input": "", "output": f"{i} said"} for i in range(30)],
    )
    records = tmp_path / "records.json"
    records.write_text(json.dumps([{"text": f"t {i}", "label": "ab"[i % 2]} for i in range(20)]))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "a", "label": "x"}\n{"text": \n{"text": "b", "label": "y"}\n')
    frame = pl.DataFrame({"text": ["a b", "c d", "a b"] * 4, "label": ["x", "y", "z"] * 4})
    sources = [
        (instructions, {}),
        (records, {}),
        (broken, {"labels": ["x", "y"]}),
        (frame, {"eval_source": frame.head(3), "tokenizers": ["phi-2"]}),
    ]
    for source, options in sources:
        report = json.loads(datacheck.audit(source, **options).to_json())
        assert _problems(report) == [], source


def test_a_report_that_drifts_from_the_schema_is_refused():
    report = json.loads(datacheck.audit(SAMPLES / "tickets.jsonl", tokenizers=["phi-2"]).to_json())
    checks = report.pop("checks")
    renamed = {**report, "checkz": checks}
    assert "[]: 'checks' is a required property" in _problems(renamed)
    assert any("'checkz' was unexpected" in p for p in _problems(renamed))
    report["checks"] = checks
    report["checks"][0]["status"] = "failed"
    assert any("'failed' is not one of ['pass', 'fail', 'skip']" in p for p in _problems(report))
    report["checks"][0]["status"] = "fail"
    report["source"]["rows"] = "3,081"
    assert _problems(report) == ["['source', 'rows']: '3,081' is not of type 'integer'"]
