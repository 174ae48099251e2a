"""Volume and label checks on one handmade file whose every figure is counted by hand.

Lines 1-40 are `Billing`, 41-45 `billing ` (a variant), 46-57 `Account`, 58-61 `Tech`, 62 `Rare`,
63-65 have no label (two missing, one blank), and 66-68 repeat lines 1-3 exactly. So there are
65 unique examples; the categories, counted on unique labelled examples with variants merged,
are Billing 45, Account 12, Tech 4, Rare 1.
"""

import json

import pytest

import datacheck
from tests.conftest import write_jsonl

DECLARED = ["Billing", "Account", "Tech", "Legal"]


def _rows():
    rows = [{"text": f"billing question {i}", "label": "Billing"} for i in range(40)]
    rows += [{"text": f"billing variant {i}", "label": "billing "} for i in range(5)]
    rows += [{"text": f"account issue {i}", "label": "Account"} for i in range(12)]
    rows += [{"text": f"tech issue {i}", "label": "Tech"} for i in range(4)]
    rows += [{"text": "rare thing", "label": "Rare"}]
    rows += [{"text": "no label 0", "label": None}, {"text": "no label 1", "label": None}]
    rows += [{"text": "blank label", "label": "  "}]
    rows += rows[:3]
    return rows


@pytest.fixture
def checks(tmp_path):
    # one audit per test, not per module: mutation testing credits a shared audit only to
    # the first test that ran it
    path = write_jsonl(tmp_path / "tickets.jsonl", _rows())
    result = datacheck.audit(
        path, labels=DECLARED, thresholds={"min_per_category": 10}, tokenizers=["phi-2"]
    )
    return {c["id"]: c for c in result.to_dict()["checks"]}


def test_volume_total_counts_unique_examples(checks):
    check = checks["volume.total"]
    assert (check["status"], check["observed"], check["required"]) == ("pass", 65, 40)
    assert check["message"] == (
        "65 unique examples (3 duplicate rows not counted); domain-specific classification needs 40"
    )
    assert check["fix"] == "collect or annotate more examples before training"
    # short categories with enough in total: two findings, two causes
    assert checks["volume.per_category"]["status"] == "fail"
    assert check["same_cause_as"] is None and checks["volume.per_category"]["same_cause_as"] is None


def test_volume_per_category_lists_each_short_category_with_its_shortfall(checks):
    check = checks["volume.per_category"]
    assert check["status"] == "fail" and check["required"] == 10
    assert check["observed"] == {"Billing": 45, "Account": 12, "Tech": 4, "Rare": 1}
    assert check["message"] == (
        "Rare has 1 (needs 10, 9 short); Tech has 4 (needs 10, 6 short) (unique examples)"
    )
    assert (
        check["fix"] == "collect or label 9 more Rare examples, or merge Rare into another category"
    )
    assert check["details"]["short"] == [
        {"category": "Rare", "count": 1, "shortfall": 9},
        {"category": "Tech", "count": 4, "shortfall": 6},
    ]


def test_volume_imbalance_is_largest_over_smallest(checks):
    check = checks["volume.imbalance"]
    assert (check["status"], check["observed"], check["required"]) == ("fail", 45.0, 10.0)
    assert check["message"] == (
        "largest/smallest = 45.0x (Billing 45 vs Rare 1 unique examples, spellings merged); "
        "bound 10x; too small next to Billing: Rare, Tech"
    )


def test_labels_missing_names_the_unlabelled_lines(checks):
    check = checks["labels.missing"]
    assert (check["status"], check["observed"], check["rows"]) == ("fail", 3, [63, 64, 65])
    assert check["message"] == "3 examples without a label"
    assert check["required"] == 0


def test_labels_variants_names_both_spellings_and_every_variant_line(checks):
    check = checks["labels.variants"]
    assert check["status"] == "fail"
    assert check["observed"] == {"billing ": "Billing"}
    assert check["rows"] == [41, 42, 43, 44, 45] and check["row_count"] == 5
    # the same unit as the label table: rows as written (Billing's 40 and 3 repeats)
    assert check["message"] == "'billing ' (5 rows) looks like 'Billing' (43 rows)"
    assert check["required"] == "one spelling per label"
    assert check["fix"] == "rename 'billing ' to 'Billing' (strip spaces, one spelling per label)"


def test_labels_undeclared_and_unused_against_the_declared_set(checks):
    undeclared, unused = checks["labels.undeclared"], checks["labels.unused"]
    assert (undeclared["status"], undeclared["observed"], undeclared["rows"]) == (
        "fail", ["Rare"], [62],
    )  # fmt: skip
    assert undeclared["message"] == "not declared: 'Rare' (1)"
    assert undeclared["required"] == DECLARED
    assert (unused["status"], unused["observed"]) == ("fail", ["Legal"])
    assert unused["message"] == "no examples: 'Legal'"
    assert unused["required"] == "at least 1 example each"


def test_labels_singleton(checks):
    check = checks["labels.singleton"]
    assert (check["status"], check["observed"], check["rows"]) == ("fail", 1, [62])
    assert check["message"] == "1 label with one example: 'Rare'"
    assert check["required"] == "2+ examples per label"


def test_passing_figures_and_words(tmp_path):
    rows = [{"text": f"question {i} about {w}", "label": w} for w in ("A", "B") for i in range(20)]
    result = datacheck.audit(
        write_jsonl(tmp_path / "ok.jsonl", rows),
        labels=["A", "B"],
        thresholds={"min_per_category": 20, "max_imbalance_ratio": 1},
        tokenizers=["phi-2"],
    )
    checks = {c["id"]: c for c in result.to_dict()["checks"]}
    assert (
        checks["volume.total"]["message"] == "40 examples; domain-specific classification needs 40"
    )
    assert checks["volume.per_category"]["message"] == "all 2 categories have 20+ examples"
    assert (
        checks["volume.imbalance"]["message"]
        == "largest/smallest = 1.0x (A 20 vs B 20 unique examples, spellings merged); bound 1x"
    )
    expected = {
        "labels.missing": "0 examples without a label",
        "labels.variants": "every label has one spelling",
        "labels.undeclared": "all labels are declared",
        "labels.unused": "every declared label has examples",
        "labels.singleton": "no label has a single example",
    }
    for check_id, message in expected.items():
        assert (checks[check_id]["status"], checks[check_id]["message"]) == ("pass", message)
    assert all(checks[i]["status"] == "pass" for i in ("volume.total", "volume.per_category"))
    assert checks["volume.imbalance"]["status"] == "pass"  # a ratio at the bound passes


def test_one_short_of_the_bar_fails_and_the_bar_passes(tmp_path):
    def audit(n):
        rows = [{"text": f"q {i} {w}", "label": w} for w in "AB" for i in range(n)]
        path = write_jsonl(tmp_path / f"{n}.jsonl", rows)
        result = datacheck.audit(path, thresholds={"min_per_category": 5}, tokenizers=["phi-2"])
        return {c["id"]: c for c in result.to_dict()["checks"]}

    short, enough = audit(4), audit(5)
    assert short["volume.per_category"]["status"] == "fail"
    assert short["volume.total"]["message"] == (
        "8 examples; domain-specific classification needs 10 (2 short) — the same shortfall "
        "as volume.per_category (2 examples across the short categories)"
    )
    assert short["volume.total"]["fix"] == "collect or annotate 2 more examples"
    assert enough["volume.per_category"]["status"] == "pass"
    assert enough["volume.total"]["status"] == "pass"


def _outputs():
    """58 extraction rows. issue_type: refund 25, Refund 3 (a variant), delivery 25, damage 5
    (rare); priority: high 30, low 28; order_id is unique (an id, not a label); tag holds 3
    values in 4 rows (more than half its rows differ: not a label either)."""
    issues = ["refund"] * 25 + ["Refund"] * 3 + ["delivery"] * 25 + ["damage"] * 5
    rows = []
    for i, issue in enumerate(issues):
        output = {"issue_type": issue, "priority": "high" if i % 2 else "low", "order_id": f"A{i}"}
        if i < 4:
            output["tag"] = "xyzx"[i]
        rows.append({"email": f"customer mail number {i} about an order", "output": output})
    rows[20]["output"]["priority"] = "high"  # 30 high, 28 low
    return [{"email": r["email"], "output": json.dumps(r["output"])} for r in rows]


def test_labels_in_outputs_finds_rare_values_and_spelling_variants(tmp_path):
    path = write_jsonl(tmp_path / "extract.jsonl", _outputs())
    result = datacheck.audit(path, task="extraction", tokenizers=["phi-2"])
    check = {c["id"]: c for c in result.to_dict()["checks"]}["labels.in_outputs"]
    assert check["status"] == "fail"
    assert check["message"] == (
        "issue_type: 'damage' has 5 (needs 20); issue_type: 'Refund' (3) looks like 'refund'"
    )
    assert check["observed"] == {
        "issue_type": {"damage": 5, "delivery": 25, "refund": 25, "Refund": 3},
        "priority": {"high": 30, "low": 28},
    }
    assert list(check["observed"]) == ["issue_type", "priority"]
    assert check["required"] == {"min_per_value": 20, "spellings": 1}
    assert check["details"] == {"fields": ["issue_type", "priority"]}
    assert check["rows"] == [26, 27, 28, 54, 55, 56, 57, 58]


def test_labels_in_outputs_reads_only_the_named_fields(tmp_path):
    path = write_jsonl(tmp_path / "extract.jsonl", _outputs())
    result = datacheck.audit(
        path, task="extraction", label_fields=["priority"], tokenizers=["phi-2"]
    )
    check = {c["id"]: c for c in result.to_dict()["checks"]}["labels.in_outputs"]
    assert (check["status"], check["rows"]) == ("pass", [])
    assert check["message"] == "fields priority: every value has 20+ examples, one spelling"
    assert check["observed"] == {"priority": {"high": 30, "low": 28}}


def test_labels_in_outputs_passing_names_every_field(tmp_path):
    rows = [
        r for r in _outputs() if '"damage"' not in r["output"] and '"Refund"' not in r["output"]
    ]
    path = write_jsonl(tmp_path / "extract.jsonl", rows)
    result = datacheck.audit(path, task="extraction", tokenizers=["phi-2"])
    check = {c["id"]: c for c in result.to_dict()["checks"]}["labels.in_outputs"]
    assert check["status"] == "pass"
    assert check["message"] == (
        "fields issue_type, priority: every value has 20+ examples, one spelling"
    )


def test_imbalance_ratio_is_rounded_to_two_places(tmp_path):
    rows = [{"text": f"q {i} a", "label": "A"} for i in range(10)]
    rows += [{"text": f"q {i} b", "label": "B"} for i in range(3)]
    path = write_jsonl(tmp_path / "r.jsonl", rows)
    result = datacheck.audit(path, thresholds={"min_per_category": 1}, tokenizers=["phi-2"])
    check = {c["id"]: c for c in result.to_dict()["checks"]}["volume.imbalance"]
    assert (check["status"], check["observed"]) == ("pass", 3.33)
    assert (
        check["message"]
        == "largest/smallest = 3.3x (A 10 vs B 3 unique examples, spellings merged); bound 10x"
    )


def test_one_category_is_named_in_the_singular(tmp_path):
    path = write_jsonl(tmp_path / "one.jsonl", [{"text": f"q {i}", "label": "A"} for i in range(5)])
    result = datacheck.audit(path, thresholds={"min_per_category": 5}, tokenizers=["phi-2"])
    check = {c["id"]: c for c in result.to_dict()["checks"]}["volume.per_category"]
    assert check["message"] == "all 1 category have 5+ examples"


def test_a_sample_reports_category_counts_scaled_to_the_whole_file(tmp_path):
    rows = [{"text": f"question {i}", "label": "AB"[i % 2]} for i in range(200)]
    path = write_jsonl(tmp_path / "s.jsonl", rows)
    result = datacheck.audit(
        path, sample=100, seed=3, thresholds={"min_per_category": 150}, tokenizers=["phi-2"]
    )
    checks = {c["id"]: c for c in result.to_dict()["checks"]}
    sampled = result.sample
    assert sampled["scale"] == 2.0 and sampled["size"] == 100
    observed = checks["volume.per_category"]["observed"]
    assert sum(observed.values()) == 200 and all(n % 2 == 0 for n in observed.values())
    assert checks["volume.total"]["observed"] == 200
    assert checks["volume.total"]["message"].startswith("≈200 examples")


def test_equally_common_spellings_take_the_first_name_and_every_variant_is_listed(tmp_path):
    rows = [{"text": f"q {i}", "label": label} for i, label in enumerate(
        ["billing", "Billing", "billing", "Billing", "ACCOUNT", "account", "Account", "Account"]
    )]  # fmt: skip
    path = write_jsonl(tmp_path / "v.jsonl", rows)
    result = datacheck.audit(path, thresholds={"min_per_category": 1}, tokenizers=["phi-2"])
    checks = {c["id"]: c for c in result.to_dict()["checks"]}
    variants = checks["labels.variants"]
    assert variants["observed"] == {
        "ACCOUNT": "Account",
        "account": "Account",
        "billing": "Billing",
    }
    assert variants["message"] == (
        "'ACCOUNT' (1 row) looks like 'Account' (2 rows); 'account' (1 row) looks like "
        "'Account' (2 rows); 'billing' (2 rows) looks like 'Billing' (2 rows)"
    )
    assert variants["fix"] == "rename 'ACCOUNT' to 'Account' (strip spaces, one spelling per label)"
    assert checks["volume.per_category"]["observed"] == {"Account": 4, "Billing": 4}


def test_declared_label_checks_are_skipped_without_a_declared_set(tmp_path):
    path = write_jsonl(
        tmp_path / "d.jsonl", [{"text": f"q {i}", "label": "AB"[i % 2]} for i in range(6)]
    )
    checks = {c["id"]: c for c in datacheck.audit(path, tokenizers=["phi-2"]).to_dict()["checks"]}
    for check_id in ("labels.undeclared", "labels.unused"):
        assert checks[check_id]["status"] == "skip"
        assert checks[check_id]["message"] == "skipped: no label set declared (config `labels`)"


def test_too_few_examples_is_one_cause_presented_once(tmp_path):
    """Defaults ask 1,000 per category: all four categories are short (1,000 - 45 + 1,000 - 12
    + 1,000 - 4 + 1,000 - 1 = 3,938 across them), and so is the total (4,000 - 65 = 3,935).
    Both findings stay in the report; the total names the per-category one, and the verdict
    line counts the cause once."""
    path = write_jsonl(tmp_path / "d.jsonl", _rows())
    result = datacheck.audit(path)
    checks = {c["id"]: c for c in result.to_dict()["checks"]}
    total, per = checks["volume.total"], checks["volume.per_category"]
    assert total["status"] == per["status"] == "fail"
    assert total["same_cause_as"] == "volume.per_category" and per["same_cause_as"] is None
    assert "(3,935 short)" in total["message"]
    assert "the same shortfall as volume.per_category (3,938 examples" in total["message"]
    answers = {a["question"]: a["answer"] for a in result.to_dict()["assessment"]}
    assert answers["Is your data ready?"] == "no"
    evidence = next(a["evidence"] for a in result.to_dict()["assessment"] if a["answer"] == "no")
    assert "examples; " not in evidence  # the total's message is not repeated there

    from click.testing import CliRunner

    from datacheck.cli import cli

    out = CliRunner().invoke(cli, ["audit", str(path), "--no-html", "--verbose"]).output
    errors = sum(c["status"] == "fail" and c["severity"] == "error" for c in checks.values())
    assert f"NOT READY — {errors - 1} errors" in out
    assert "volume.total" not in out.split("Quick assessment")[0]


def test_a_label_has_one_count_in_the_message_the_table_and_the_assessment(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", _rows())
    result = datacheck.audit(path, thresholds={"min_per_category": 1}, tokenizers=["phi-2"])
    report = result.to_dict()
    assert report["labels"]["Billing"] == 43 and report["labels"]["billing "] == 5
    variants = next(c for c in report["checks"] if c["id"] == "labels.variants")
    assert "'billing ' (5 rows) looks like 'Billing' (43 rows)" in variants["message"]
    metric = report["assessment"][0]
    assert "a fixed set of 4 labels (5 as written)" in metric["evidence"]
    assert "fixed label set: 5 distinct values in `label`" in report["detected"]["reasons"]
    assert len(report["labels"]) == 5  # the blank label is a missing one, not a sixth
