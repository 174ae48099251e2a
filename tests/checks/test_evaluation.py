"""Eval readiness: the Wilson figures against scipy's, and the messages people read."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

import datacheck
from datacheck.checks.evaluation import rows_for_margin, wilson_margin
from tests.checks.cases import tl
from tests.conftest import write_jsonl


@pytest.mark.parametrize(("k", "n"), [(162, 180), (90, 100), (45, 50), (900, 1000), (7, 10)])
def test_wilson_half_width_matches_scipy(k, n):
    interval = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_margin(k / n, n) == pytest.approx((interval.high - interval.low) / 2, rel=1e-9)


def test_the_guides_example_and_the_rows_for_a_margin():
    assert round(wilson_margin(0.9, 180) * 100, 1) == 4.4  # "±4.4 points with 180 rows"
    needed = rows_for_margin(0.9, 0.02)
    assert wilson_margin(0.9, needed) <= 0.02 < wilson_margin(0.9, needed - 1)


def test_messages_say_what_the_eval_set_can_measure(tmp_path):
    train = write_jsonl(tmp_path / "t.jsonl", tl(*"AAABBBCCC"))
    evals = write_jsonl(tmp_path / "e.jsonl", tl(*("AB" * 90), text="eval {i}"))
    result = datacheck.audit(
        train, eval_source=evals, thresholds={"min_per_category": 3}, tokenizers=["cl100k_base"]
    )
    checks = {c.id: c for c in result.checks}
    size = checks["eval.size"]
    assert size.message.startswith("with 180 eval rows, 90% accuracy is known to ±4.4 points")
    assert f"~{rows_for_margin(0.9, 0.02):,} rows" in size.message
    coverage = checks["eval.label_coverage"]
    assert coverage.status == "fail" and "missing from eval: 'C'" in coverage.message
    assert coverage.observed == {"C": 0, "A": 90, "B": 90}


def test_no_eval_set_is_a_warning_whose_fix_is_the_split_command(tmp_path):
    path = write_jsonl(tmp_path / "t.jsonl", tl(*"AAABBB"))
    check = next(c for c in datacheck.audit(path).checks if c.id == "eval.present")
    assert (check.status, check.severity) == ("fail", "warning")
    assert "datacheck split PATH --eval-size 0.1" in check.fix


def test_the_evaluation_section_in_json_and_html(tmp_path):
    train = write_jsonl(tmp_path / "t.jsonl", tl(*"AAABBBCCC"))
    evals = write_jsonl(tmp_path / "e.jsonl", tl(*("AB" * 90), text="eval {i}"))
    result = datacheck.audit(
        train, eval_source=evals, thresholds={"min_per_category": 3}, tokenizers=["cl100k_base"]
    )
    section = result.to_dict()["evaluation"]
    assert section["rows"] == 180 and section["margin"] == round(wilson_margin(0.9, 180), 4)
    assert section["labels"] == {
        "A": {"train": 3, "eval": 90}, "B": {"train": 3, "eval": 90}, "C": {"train": 3, "eval": 0},
    }  # fmt: skip
    html = result.to_html(plotly_js="cdn")
    assert '<h2 id="evaluation">Evaluation</h2>' in html and "±4.4 points" in html
    assert "evaluation" not in datacheck.audit(train).to_dict()


def test_eval_readiness_on_the_published_snips_slice():
    """The slice's training and validation files, counted here with plain json."""
    import json
    from collections import Counter

    from tests.conftest import DATA

    folder = DATA / "real" / "snips2017"
    evals = Counter()
    for path in sorted(folder.glob("validate_*.json")):
        ((intent, utterances),) = json.loads(path.read_text(encoding="utf-8")).items()
        evals[intent] += len(utterances)
    result = datacheck.audit(folder, tokenizers=["cl100k_base"])
    section = result.to_dict()["evaluation"]
    assert section["rows"] == sum(evals.values())
    assert {name: n["eval"] for name, n in section["labels"].items()} == dict(evals)
    size = next(c for c in result.checks if c.id == "eval.size")
    margin = wilson_margin(0.9, sum(evals.values()))
    assert f"±{margin * 100:.1f} points" in size.message


def test_field_values_of_structured_outputs_need_eval_rows(tmp_path):
    import json

    def rows(priorities):
        return [
            {
                "email": f"mail {i} about order {i}",
                "output": json.dumps({"order_id": str(i), "priority": p}),
            }
            for i, p in enumerate(priorities)
        ]

    train = write_jsonl(tmp_path / "t.jsonl", rows(["low", "high"] * 10))
    evals = write_jsonl(tmp_path / "e.jsonl", rows(["low"] * 4))
    result = datacheck.audit(
        train, eval_source=evals, task="extraction", tokenizers=["cl100k_base"],
        thresholds={"min_eval_per_label": 3},
    )  # fmt: skip
    check = next(c for c in result.checks if c.id == "eval.field_coverage")
    assert check.status == "fail" and check.message == "missing from eval: priority=high"
    assert check.observed == {"priority=high": 0, "priority=low": 4}

    section = result.to_dict()["evaluation"]
    assert section["fields"] == {
        "priority": {"eval_rows": 4, "margin": round(wilson_margin(0.9, 4), 4)}
    }
    assert "<strong>priority</strong> ±" in result.to_html(plotly_js="cdn")
