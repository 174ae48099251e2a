"""The issue's acceptance figures, end to end through Great Expectations."""

import json
import random
import shutil

import polars as pl

import datacheck
from datacheck.checks import _gx as gx
from tests.conftest import SAMPLES

_WORDS = (
    "invoice refund charge account password login error crash sync export upload order "
    "delivery payment card billing plan team admin email phone settings update version help "
    "urgent yesterday again still cannot after before broken missing wrong late slow"
).split()


def _frame(counts: dict[str, int]) -> pl.DataFrame:
    """Varied tickets (random word sequences), so only the volume differs between cases."""
    rng = random.Random(5)
    texts, labels = [], []
    for label, count in counts.items():
        texts += [" ".join(rng.choices(_WORDS, k=rng.randint(12, 20))) for _ in range(count)]
        labels += [label] * count
    return pl.DataFrame({"text": texts, "label": labels})


#: these frames come without an eval set, which eval.present reports; the tests are about the rest
NO_EVAL = {"checks": {"eval.present": "off"}}


def _failing(result):
    return {c["id"] for c in result.to_dict()["checks"] if c["status"] == "fail"}


def test_five_labels_of_2000_pass_and_999_fails_exactly_one_check():
    full = {f"L{i}": 2000 for i in range(5)}
    assert _failing(datacheck.audit(_frame(full), **NO_EVAL)) == set()
    short = {**full, "L3": 999}
    result = datacheck.audit(_frame(short), **NO_EVAL)
    assert _failing(result) == {"volume.per_category"}
    check = next(c for c in result.to_dict()["checks"] if c["id"] == "volume.per_category")
    assert check["details"]["short"] == [{"category": "L3", "count": 999, "shortfall": 1}]
    assert result.verdict == "not_ready"


def test_changing_the_suite_changes_the_verdict(tmp_path, monkeypatch):
    """GX decides: raising the threshold inside the suite JSON flips the outcome."""
    frame = _frame({"A": 1200, "B": 1100})
    assert datacheck.audit(frame, **NO_EVAL).verdict == "ready"
    suites = tmp_path / "expectations"
    shutil.copytree(gx.suites_folder(), suites)
    volume = json.loads((suites / "volume.json").read_text())
    for expectation in volume["expectations"]:
        if expectation["meta"]["check"] == "volume.per_category":
            expectation["kwargs"]["min_value"] = 1150
    (suites / "volume.json").write_text(json.dumps(volume))
    monkeypatch.setattr(gx, "suites_folder", lambda: suites)
    result = datacheck.audit(frame, **NO_EVAL)
    assert result.verdict == "not_ready"
    assert _failing(result) == {"volume.per_category"}


def test_unknown_expectation_type_is_an_error_not_silence(tmp_path, monkeypatch):
    suites = tmp_path / "expectations"
    shutil.copytree(gx.suites_folder(), suites)
    volume = json.loads((suites / "volume.json").read_text())
    volume["expectations"][0]["type"] = "expect_table_row_count_to_be_frobbed"
    (suites / "volume.json").write_text(json.dumps(volume))
    monkeypatch.setattr(gx, "suites_folder", lambda: suites)
    try:
        datacheck.audit(_frame({"A": 5, "B": 5}))
    except datacheck.ConfigError as exc:
        assert "expect_table_row_count_to_be_frobbed" in str(exc)
    else:
        raise AssertionError("an unknown expectation type must not be dropped silently")


def test_tickets_sample_finds_every_planted_volume_label_and_format_defect():
    result = datacheck.audit(SAMPLES / "tickets.jsonl")
    checks = {c["id"]: c for c in result.to_dict()["checks"]}
    assert result.verdict == "not_ready"
    per_category = checks["volume.per_category"]
    assert per_category["status"] == "fail"
    # volume counts unique examples: the generator's Account texts, repeats removed
    rows = [json.loads(x) for x in (SAMPLES / "tickets.jsonl").read_text().splitlines()
            if x.endswith("}")]  # fmt: skip
    unique = {" ".join(r["text"].lower().split()) for r in rows if r["department"] == "Account"}
    short = 1000 - len(unique)
    assert per_category["details"]["short"] == [
        {"category": "Account", "count": len(unique), "shortfall": short}
    ]
    assert f"Account has {len(unique)}" in per_category["message"]
    assert f"{short} short" in per_category["message"]
    variants = checks["labels.variants"]
    assert variants["status"] == "fail" and variants["row_count"] == 37
    assert "'billing '" in variants["message"] and "'Billing'" in variants["message"]
    lines = (SAMPLES / "tickets.jsonl").read_text().splitlines()
    empty = [
        i for i, line in enumerate(lines, 1)
        if line.startswith("{") and line.endswith("}") and not json.loads(line)["text"].strip()
    ]  # fmt: skip
    assert checks["format.empty_text"]["rows"] == empty and len(empty) == 5
    assert result.source.load_errors[0]["line"] == 1207


def test_orders_chat_sample_finds_its_planted_format_defects():
    checks = {
        c["id"]: c for c in datacheck.audit(SAMPLES / "orders_chat.jsonl").to_dict()["checks"]
    }
    assert checks["format.json_parse"]["row_count"] == 3
    assert checks["format.json_keys"]["row_count"] == 3
    assert checks["format.json_keys"]["observed"]["missing"] == {"priority": 3}
    assert checks["format.json_types"]["row_count"] == 2
    assert checks["format.chat_roles"]["row_count"] == 4  # 2 out of order + 2 empty messages
    assert checks["labels.in_outputs"]["status"] == "fail"
    assert "'Refund '" in checks["labels.in_outputs"]["message"]


def test_clean_sample_is_ready():
    result = datacheck.audit(SAMPLES / "troubleshooting_prompt_completion.jsonl")
    # ready but for the eval set it does not come with (a warning: exit 0)
    assert result.verdict == "ready_with_warnings" and result.ready
    failing = {c.id for c in result.checks if c.status == "fail" and c.severity != "info"}
    assert failing == {"eval.present"}
