"""The fast mode of a pre-commit hook: format and label checks only, no tokenizer unless one is
configured; `datacheck lint` runs it over every file it is given."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import datacheck
from datacheck.checks._hygiene import analyse
from datacheck.cli import cli
from datacheck.normalize import normalize
from tests.conftest import SAMPLES, write_jsonl


def test_a_fast_audit_runs_only_format_and_label_checks_and_counts_no_tokens():
    result = datacheck.audit(SAMPLES / "tickets.jsonl", fast=True)
    ran = {f.id for f in result.checks}
    assert ran and all(i.startswith(("format.", "labels.")) for i in ran)
    assert result.tokens == {} and result.cost == []
    assert {f.id for f in result.failed_checks} >= {"format.readable", "labels.variants"}


def test_a_fast_audit_still_runs_what_the_config_turns_on():
    result = datacheck.audit(
        SAMPLES / "tickets.jsonl", fast=True, tokenizers="cl100k_base",
        checks={"hygiene.exact_duplicates": "warning"},
    )  # fmt: skip
    assert "hygiene.exact_duplicates" in {f.id for f in result.checks}
    assert list(result.tokens) == ["cl100k_base"]


def test_no_tokenizers_skips_the_context_window_saying_why():
    result = datacheck.audit(SAMPLES / "tickets.jsonl", tokenizers="none")
    assert result.tokens == {} and result.cost == []
    (context,) = [f for f in result.checks if f.id == "length.context_window"]
    assert context.status == "skip" and "llama-3.1 tokens were not counted" in context.message


def test_near_duplicates_are_not_searched_when_no_check_reads_them(tmp_path):
    text = "please reset the password of my account, I cannot log in since the update of last week"
    rows = [{"text": f"{text} {w}", "label": "a"} for w in ("now", "today", "again")]
    frame = normalize_rows(tmp_path, rows)
    assert analyse(frame, task="classification").near_rows == 3
    assert analyse(frame, task="classification", near=False).near_rows == 0


def normalize_rows(tmp_path, rows):
    from datacheck.detect import detect
    from datacheck.load import load

    loaded = load(write_jsonl(tmp_path / "d.jsonl", rows))
    return normalize(loaded.frame, detect(loaded.frame))


def test_lint_checks_every_file_and_exits_with_the_worst(tmp_path):
    good = write_jsonl(
        tmp_path / "good.jsonl", [{"text": f"t {i}", "label": "ab"[i % 2]} for i in range(20)]
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes((SAMPLES / "tickets.jsonl").read_bytes())
    done = CliRunner().invoke(cli, ["lint", str(good), str(bad)])
    assert done.exit_code == 1
    assert f"{good}: READY" in done.output and f"{bad}: NOT READY" in done.output
    done = CliRunner().invoke(cli, ["lint", str(tmp_path / "none.jsonl"), str(good)])
    assert done.exit_code == 2
    assert "none.jsonl: no such file" in done.output and f"{good}: READY" in done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "good.jsonl"]


def test_audit_fast_writes_the_same_json_shape(tmp_path):
    out = tmp_path / "r.json"
    done = CliRunner().invoke(
        cli, ["audit", str(SAMPLES / "tickets.jsonl"), "--fast", "--json", str(out)]
    )
    assert done.exit_code == 1
    report = json.loads(out.read_text())
    assert report["config"]["tokenizers"] == ["none"]
    assert report["config"]["checks"]["volume.per_category"] == "off"


@pytest.mark.parametrize("value", ["none", ""])
def test_tokenizers_none_is_valid_in_the_config(tmp_path, value):
    config = tmp_path / "datacheck.toml"
    config.write_text(f"tokenizers = {['none'] if value else []}\n".replace("'", '"'))
    result = datacheck.audit(SAMPLES / "tickets.jsonl", config=config)
    assert result.tokens == {}
