"""Every row reference names the file its line counts in: leaked rows are eval lines, and
GitHub, JUnit, HTML and JSON all attach them to the eval file."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import datacheck
from datacheck.report import RenderOptions, render
from tests.conftest import write_jsonl


@pytest.fixture
def audited(tmp_path):
    train = [
        {"text": f"ticket {i} about an ordinary problem", "label": "AB"[i % 2]} for i in range(8)
    ]
    train += [{"text": "", "label": "A"}]  # line 9: empty, a training-file problem
    evals = [{"text": "a fresh eval ticket", "label": "A"}]
    evals += [{"text": "TICKET 3 about an ordinary problem", "label": "B"}]  # leaks line 4
    evals += [{"text": "another eval ticket", "label": "B"}] * 2  # line 4 repeats line 3
    train_path = write_jsonl(tmp_path / "train.jsonl", train)
    eval_path = write_jsonl(tmp_path / "eval.jsonl", evals)
    result = datacheck.audit(
        train_path, eval_source=eval_path, thresholds={"min_per_category": 1},
        tokenizers=["cl100k_base"],
    )  # fmt: skip
    return result, str(train_path), str(eval_path)


def test_json_names_the_file_of_every_list_of_rows(audited):
    result, train, evals = audited
    checks = {c["id"]: c for c in result.to_dict()["checks"]}
    assert (checks["hygiene.leakage"]["rows_file"], checks["hygiene.leakage"]["rows"]) == (
        evals,
        [2],
    )
    assert checks["hygiene.leakage"]["rows_split"] == "eval"
    empty = checks["format.empty_text"]
    assert (empty["rows_file"], empty["rows"], empty["rows_split"]) == (train, [9], "train")
    dupes = checks["hygiene.exact_duplicates"]
    assert (dupes["eval_rows_file"], dupes["eval_rows"], dupes["eval_row_count"]) == (evals, [4], 1)


def test_github_points_each_annotation_at_its_file(audited):
    result, train, evals = audited
    lines = {
        line.split("title=")[1].split("%3A")[0]: line
        for line in render(result, "github").splitlines()
    }
    assert lines["hygiene.leakage"].startswith(f"::error file={evals},line=2,")
    assert lines["format.empty_text"].startswith(f"::error file={train},line=9,")
    assert lines["hygiene.exact_duplicates"].startswith(f"::warning file={evals},line=4,")


def test_junit_names_the_file_of_each_testcase_and_its_rows(audited):
    result, train, evals = audited
    suite = ET.fromstring(render(result, "junit", RenderOptions(fail_on="warning")))[0]
    cases = {c.get("name").split(":")[0]: c for c in suite.findall("testcase")}
    leak = cases["hygiene.leakage"]
    assert leak.get("file") == evals and f"line 2 of {evals}" in leak.find("failure").text
    assert cases["format.empty_text"].get("file") == train
    assert f"line 4 of {evals}" in cases["hygiene.exact_duplicates"].find("failure").text


def test_html_lists_rows_under_their_file(audited):
    result, train, evals = audited
    html = render(result, "html", RenderOptions(plotly_js="cdn"))
    assert f"Line 2 of {evals}" in html
    assert f"Line 9 of {train}" in html


def test_junit_keeps_a_carriage_return_as_a_character_reference(tmp_path):
    rows = [
        {"text": f"ticket {i} text", "label": "A\rB" if i == 0 else "AB"[i % 2]} for i in range(6)
    ]
    result = datacheck.audit(write_jsonl(tmp_path / "d.jsonl", rows), tokenizers=["cl100k_base"])
    xml = render(result, "junit")
    assert "&#13;" in xml and "\\x0d" not in xml and "\r" not in xml
    assert any("\r" in (c.text or "") + str(c.attrib) for c in ET.fromstring(xml).iter())
