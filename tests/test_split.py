"""`datacheck split`: no exact or near-duplicate leakage, labels in proportion, the input's
own fields; checked by re-auditing the two sides and by counting here."""

from __future__ import annotations

import json

import polars as pl
import pytest
from click.testing import CliRunner

import datacheck
from datacheck.cli import cli
from tests.conftest import DATA, SAMPLES


def _audit_sides(folder):
    result = datacheck.audit(
        folder / "train.jsonl", eval_source=folder / "eval.jsonl", tokenizers=["cl100k_base"]
    )
    return {c.id: c for c in result.checks}


@pytest.mark.parametrize("seed", [0, 7])
def test_the_sample_splits_without_leakage_and_in_proportion(tmp_path, seed):
    out = tmp_path / "split"
    result = CliRunner().invoke(
        cli, ["split", str(SAMPLES / "tickets.jsonl"), "-o", str(out), "--seed", str(seed)]
    )
    assert result.exit_code == 0, result.output
    checks = _audit_sides(out)
    for check_id in (
        "hygiene.leakage",
        "hygiene.near_leakage",
        "eval.present",
        "eval.label_coverage",
    ):
        assert checks[check_id].status == "pass", (check_id, checks[check_id].message)
    assert (
        "across_splits" not in checks["hygiene.conflicting_labels"].details
        or not (checks["hygiene.conflicting_labels"].details["across_splits"])
    )
    train = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    evals = [json.loads(line) for line in (out / "eval.jsonl").read_text().splitlines()]
    assert set(train[0]) == {"department", "id", "text"}  # the input's own fields
    assert not {r["id"] for r in train} & {r["id"] for r in evals}
    share = len(evals) / (len(train) + len(evals))
    for label in {r["department"].strip().lower() for r in train}:
        n_train = sum(r["department"].strip().lower() == label for r in train)
        n_eval = sum(r["department"].strip().lower() == label for r in evals)
        assert abs(n_eval - share * (n_train + n_eval)) <= 1, label  # one row's worth at most
    assert f"{len(evals):,} rows" in result.output


def test_split_refuses_to_overwrite(tmp_path):
    out = tmp_path / "split"
    runner = CliRunner()
    args = ["split", str(SAMPLES / "tickets.jsonl"), "-o", str(out)]
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code == 2 and "already exists" in again.output


def test_snips_split_keeps_near_duplicates_on_one_side(tmp_path):
    from datacheck.split import split

    done = split(DATA / "real" / "snips2017", eval_size=0.2, seed=3)
    done.save(tmp_path)
    checks = _audit_sides(tmp_path)
    assert checks["hygiene.leakage"].status == "pass"
    assert checks["hygiene.near_leakage"].status == "pass"
    assert sum(s["eval"] for s in done.counts.values()) == done.eval.height
    assert set(done.counts) == {
        name.lower() for name in pl.read_ndjson(tmp_path / "train.jsonl")["intent"].unique()
    }


def test_snips_split_then_fix_round_trip_is_clean(tmp_path):
    from datacheck.fix import fix
    from datacheck.split import split

    split(DATA / "real" / "snips2017", eval_size=0.2, seed=5).save(tmp_path / "s")
    cleaned = fix(tmp_path / "s" / "train.jsonl", dedupe=True, normalize_labels=True)
    cleaned.save(tmp_path / "train.jsonl", inputs=[])
    again = datacheck.audit(
        tmp_path / "train.jsonl",
        eval_source=tmp_path / "s" / "eval.jsonl",
        tokenizers=["cl100k_base"],
    )
    checks = {c.id: c for c in again.checks}
    for check_id in (
        "hygiene.exact_duplicates",
        "labels.variants",
        "hygiene.leakage",
        "hygiene.near_leakage",
    ):
        assert checks[check_id].status == "pass", (check_id, checks[check_id].message)
    assert checks["eval.present"].status == "pass"


def test_structured_outputs_are_stratified_by_a_label_field(tmp_path):
    from collections import Counter

    from datacheck.split import split

    split(SAMPLES / "orders_chat.jsonl", eval_size=0.1, seed=3).save(tmp_path)

    def issue_types(name):
        found = Counter()
        for line in (tmp_path / name).read_text().splitlines():
            reply = json.loads(line)["messages"][-1]["content"]
            try:
                found[str(json.loads(reply).get("issue_type", "")).strip().lower()] += 1
            except (json.JSONDecodeError, AttributeError):
                found[""] += 1
        return found

    train, evals = issue_types("train.jsonl"), issue_types("eval.jsonl")
    share = sum(evals.values()) / (sum(train.values()) + sum(evals.values()))
    for value in train:
        assert abs(evals[value] - share * (train[value] + evals[value])) <= 1, value
    checks = _audit_sides(tmp_path)
    assert checks["hygiene.leakage"].status == "pass"
    assert "eval.field_coverage" in checks
