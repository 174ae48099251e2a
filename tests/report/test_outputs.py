"""JSON, JUnit, GitHub and HTML outputs without a browser: structure, masking, safety."""

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import polars as pl
from click.testing import CliRunner

import datacheck
from datacheck.cli import cli
from datacheck.report import RenderOptions, render
from datacheck.report.pii import mask
from tests.conftest import SAMPLES, write_jsonl


def test_junit_parses_back_with_one_testcase_per_check():
    result = datacheck.audit(SAMPLES / "tickets.jsonl")
    root = ET.fromstring(render(result, "junit"))
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(result.checks) == int(suite.get("tests"))
    failures = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures")) == len(failures) == 4
    readable = next(c for c in cases if c.get("name").startswith("format.readable"))
    assert "line 1207 could not be read: invalid JSON" in readable.find("failure").get("message")
    per_category = next(c for c in cases if c.get("name").startswith("volume.per_category"))
    assert "Account has " in per_category.find("failure").get("message")
    variants = next(c for c in cases if c.get("name").startswith("labels.variants"))
    expected = next(c for c in result.to_dict()["checks"] if c["id"] == "labels.variants")["rows"]
    assert f"lines {expected[0]}, {expected[1]}, " in variants.find("failure").text
    assert variants.get("file") == str(SAMPLES / "tickets.jsonl")
    assert float(variants.get("time")) >= 0
    assert 'observed: {"billing ": "Billing"}' in variants.find("failure").text  # JSON, not repr
    assert int(suite.get("skipped")) == len([c for c in cases if c.find("skipped") is not None])


def test_junit_fails_warnings_only_with_fail_on_warning():
    result = datacheck.audit(SAMPLES / "orders_chat.jsonl")
    warnings = sum(c.status == "fail" and c.severity == "warning" for c in result.checks)
    assert warnings >= 1
    relaxed = ET.fromstring(render(result, "junit")).find("testsuite")
    strict = ET.fromstring(render(result, "junit", RenderOptions(fail_on="warning"))).find(
        "testsuite"
    )
    assert int(strict.get("failures")) == int(relaxed.get("failures")) + warnings


def test_github_annotations_and_summary(tmp_path):
    data = SAMPLES / "tickets.jsonl"
    summary = tmp_path / "summary.md"
    result = CliRunner().invoke(
        cli,
        ["audit", str(data), "--github", "--no-html"],
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("::")]
    empty = next(
        c for c in datacheck.audit(data).to_dict()["checks"] if c["id"] == "format.empty_text"
    )
    first = f"::error file={data},line={empty['rows'][0]},title=format.empty_text%3A"
    assert any(line.startswith(first) for line in lines)
    assert any(line.startswith("::error") and "labels.variants" in line for line in lines)
    text = summary.read_text()
    assert text.startswith("## datacheck: ❌ Not ready")
    assert "`volume.per_category`" in text


def test_github_escapes_workflow_command_characters():
    frame = pl.DataFrame({"text": ["a", ""] * 20, "label": ["x", "y"] * 20})
    commands = render(datacheck.audit(frame), "github")
    assert "\n::" in "\n" + commands and "%0A" not in commands.split("::", 2)[1]


def test_pii_is_masked_unless_asked(tmp_path):
    rows = [{"text": f"ticket {i} about billing", "label": "A"} for i in range(30)]
    rows.append({"text": "", "label": "A"})
    rows.append({"text": "mail maria.1@example.com or call +1 555 123 4567", "label": "A "})
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    result = datacheck.audit(data)
    masked = result.to_html(plotly_js="cdn")
    assert "[email]" in masked and "maria.1@example.com" not in masked
    assert "[phone]" in masked and "555 123 4567" not in masked
    shown = result.to_html(plotly_js="cdn", show_pii=True)
    assert "maria.1@example.com" in shown


def test_mask_keeps_ordinary_numbers():
    text = "Order ORD-12345 on 2026-01-02 for $655.39, version 2.3.1, 3464 records"
    assert mask(text) == text
    assert mask("card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00") == (
        "card [card], IBAN [iban]"
    )


def test_cli_writes_several_outputs_and_default_html(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = write_jsonl(
        tmp_path / "d.jsonl", [{"text": f"t {i}", "label": "AB"[i % 2]} for i in range(8)]
    )
    runner = CliRunner()
    assert runner.invoke(cli, ["audit", str(data), "-q"]).exit_code == 1
    assert (tmp_path / "datacheck-report.html").exists()
    result = runner.invoke(
        cli, ["audit", str(data), "--json", "r.json", "--junit", "r.xml", "--html", "r.html"]
    )
    assert json.loads((tmp_path / "r.json").read_text())["verdict"] == "not_ready"
    ET.parse(tmp_path / "r.xml")
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")
    assert "HTML report: r.html" in result.output


def test_html_is_never_written_over_the_input(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"text": "a", "label": "x"}])
    before = data.read_bytes()
    result = CliRunner().invoke(cli, ["audit", str(data), "--html", str(data)])
    assert result.exit_code == 2 and data.read_bytes() == before


def test_notebook_repr_and_unrendered_parts_say_not_computed():
    frame = pl.DataFrame({"text": ["a b", "c d"] * 5, "label": ["x", "y"] * 5})
    result = datacheck.audit(frame)
    assert result._repr_html_().startswith('<div class="datacheck-report">')
    bare = replace(result, tokens={}, cost=[], recommendation={}, distributions={})
    html = bare.to_html(plotly_js="cdn")
    assert "Token counts: not computed." in html and "Training cost: not computed." in html


def test_reports_get_ordinary_file_permissions(tmp_path):
    import os
    import stat

    from datacheck.report._write import write_atomic

    previous = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.html", "<p>ok</p>")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "r.html").stat().st_mode) == 0o644


def test_counts_of_one_read_in_the_singular(tmp_path):
    path = write_jsonl(tmp_path / "one.jsonl", [{"text": "where is my order?", "label": "ship"}])
    result = CliRunner().invoke(cli, ["audit", str(path), "--no-html"])
    assert result.exit_code == 1
    assert "1 row · text + label" in result.output
    assert "1 example; " in result.output and "1 examples" not in result.output
    assert "fixed set of 1 label:" in result.output


def test_control_characters_in_the_data_are_shown_not_obeyed(tmp_path):
    """An escape sequence in a label must not reach the terminal raw, nor break JUnit XML."""
    labels = ["Bill\x1b[2Jing", "Tech\x00", "Acc\u0085ount"]
    rows = [{"text": f"ticket {i} about things", "label": labels[i % 3]} for i in range(30)]
    path = write_jsonl(tmp_path / "ctrl.jsonl", rows)
    result = datacheck.audit(path)
    ET.fromstring(render(result, "junit"))  # well-formed despite NUL and ESC in the messages
    shown = CliRunner().invoke(cli, ["audit", str(path), "--no-html", "--github"]).output
    assert "\\x1b[2J" in shown and "\\x00" in shown and "\\x85" in shown
    assert not any(c in shown for c in "\x1b\x00\x85")
    assert "Bill\x1b[2Jing" in result.labels  # the data itself is untouched


def test_many_labels_are_summed_up_not_all_printed(tmp_path):
    rows = [
        {"text": f"ticket {i} on subject {i % 40}", "label": f"q{i % 40:02d}"} for i in range(80)
    ]
    path = write_jsonl(tmp_path / "many.jsonl", rows)
    output = CliRunner().invoke(cli, ["audit", str(path), "--no-html"]).output
    assert "'q24'" in output and "'q25'" not in output
    assert "… and 15 more labels (all in the JSON and HTML reports)" in output
    report = datacheck.audit(path).to_dict()
    per_category = next(c for c in report["checks"] if c["id"] == "volume.per_category")
    assert per_category["message"].count(" has 2 ") == 5
    assert per_category["message"].endswith("; and 35 more short categories")
    assert len(per_category["details"]["short"]) == 40 and len(report["labels"]) == 40


def test_an_unwritable_step_summary_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "summary.md"))
    result = CliRunner().invoke(cli, ["audit", str(SAMPLES / "tickets.jsonl"), "--github", "-q"])
    assert result.exit_code == 2
    assert "($GITHUB_STEP_SUMMARY): cannot append the summary" in result.output
    assert not isinstance(result.exception, OSError)


def test_the_python_api_writes_what_the_cli_writes(tmp_path):
    frame = pl.DataFrame({"text": ["a b", "c d"] * 5, "label": ["x", "y"] * 5})
    result = datacheck.audit(frame, tokenizers=["phi-2"])
    written = datacheck.write_reports(
        result, json=tmp_path / "r.json", junit=tmp_path / "r.xml", html=tmp_path / "r.html"
    )
    assert written == [
        ("JSON report", str(tmp_path / "r.json")),
        ("HTML report", str(tmp_path / "r.html")),
        ("JUnit XML", str(tmp_path / "r.xml")),
    ]
    assert json.loads((tmp_path / "r.json").read_text())["verdict"] == result.verdict
    ET.parse(tmp_path / "r.xml")
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")


def test_the_default_html_report_and_no_html_at_all(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = pl.DataFrame({"text": ["a b", "c d"] * 5, "label": ["x", "y"] * 5})
    result = datacheck.audit(frame, tokenizers=["phi-2"])
    assert datacheck.write_reports(result) == [("HTML report", "datacheck-report.html")]
    assert (tmp_path / "datacheck-report.html").is_file()
    (tmp_path / "datacheck-report.html").unlink()
    assert datacheck.write_reports(result, html=False) == []
    assert not (tmp_path / "datacheck-report.html").exists()


def test_a_result_has_a_short_repr():
    result = datacheck.audit(SAMPLES / "tickets.jsonl")
    assert repr(result) == (
        f"<AuditResult not_ready: 4 errors, 4 warnings — {SAMPLES / 'tickets.jsonl'} (3,081 rows)>"
    )


def test_cdn_mode_names_the_bundled_plotly_js_version():
    from plotly.offline import get_plotlyjs_version

    html = datacheck.audit(SAMPLES / "orders_chat.jsonl").to_html(plotly_js="cdn")
    assert f'src="https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"' in html


def test_every_rule_of_the_fragment_is_scoped():
    import re

    from datacheck.report.html import scoped

    css = "body { a:1 } * { b:2 } h2, td.num { c:3 } @media (max-width: 9px) { th { d:4 } }"
    out = scoped(css, ".s")
    selectors = [
        s.strip() for head in re.findall(r"([^{}]+)\{[^{}]*\}", out) for s in head.split(",")
    ]
    assert selectors and all(s.startswith(".s") or s.startswith("@media") for s in selectors), out
    assert (
        ".s h2" in out
        and ".s td.num" in out
        and ".s th" in out
        and "@media (max-width: 9px)" in out
    )


def test_conflicting_rows_are_shown_whole_side_by_side():
    import re

    result = datacheck.audit(SAMPLES / "tickets.jsonl")
    html = result.to_html(plotly_js="cdn")
    table = html.split('<table class="conflicts">')[1].split("</table>")[0]
    groups = result.hygiene["conflicting_labels"]["groups"]
    rows = re.findall(r"<tr><td class=\"sample\">", table)
    assert len(rows) == len(groups) == 3
    for group in groups:
        for label, lines in group["labels"].items():
            shown = f'<span class="label">{label}</span>'
            assert shown in table
            assert ", ".join(map(str, lines)) in table
