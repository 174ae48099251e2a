"""The regression gate: `datacheck audit --baseline` and `datacheck diff` fail only on what got
worse than an earlier report. The changed data is built here, and what changed in it is counted
from the rows themselves, not from datacheck's figures."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from datacheck.cli import cli
from datacheck.diff import compare, read_report
from datacheck.errors import InputError
from tests.conftest import SAMPLES

FAST = ("--tokenizers", "cl100k_base", "--no-html")


def _check(id, status="fail", severity="error", **extra):
    return {"id": id, "title": id, "severity": severity, "status": status, "row_count": 0,
            "impact": 0, "failing": [], **extra}  # fmt: skip


def _report(*checks):
    return {"checks": list(checks)}


# --- compare, on reports written by hand -----------------------------------------------------


def test_a_check_failing_only_now_is_new_and_fails_the_gate():
    diff = compare(_report(_check("a", "pass")), _report(_check("a", message="broken")))
    assert [(c.id, c.kind, c.reasons) for c in diff.changes] == [("a", "new", ("broken",))]
    assert [c.id for c in diff.regressions] == ["a"] and diff.exit_code == 1


def test_a_check_failing_alike_in_both_is_no_change():
    same = _check("a", row_count=4, impact=4, failing=["x"])
    diff = compare(_report(same), _report(dict(same, message="reworded")))
    assert diff.changes == () and diff.exit_code == 0


@pytest.mark.parametrize(
    ("before", "after", "kind", "reason"),
    [
        ({"row_count": 4, "impact": 4}, {"row_count": 9, "impact": 9}, "worse", "rows affected 4 → 9"),
        ({"row_count": 9, "impact": 9}, {"row_count": 4, "impact": 4}, "better", "rows affected 9 → 4"),
        ({"impact": 100, "failing": ["A"]}, {"impact": 150, "failing": ["A"]}, "worse", "shortfall 100 → 150"),
        ({"impact": 100, "failing": ["A"]}, {"impact": 90, "failing": ["A", "B"]}, "worse", "newly failing: 'B'"),
        ({"impact": 100, "failing": ["A", "B"]}, {"impact": 100, "failing": ["A"]}, "better", "no longer failing: 'B'"),
    ],
)  # fmt: skip
def test_failing_in_both_is_worse_or_better_by_rows_shortfall_and_names(
    before, after, kind, reason
):
    diff = compare(_report(_check("a", **before)), _report(_check("a", **after)))
    (change,) = diff.changes
    assert change.kind == kind and reason in change.reasons
    assert diff.exit_code == (1 if kind == "worse" else 0)


def test_a_fixed_check_is_reported_and_passes_the_gate():
    diff = compare(_report(_check("a", message="was bad")), _report(_check("a", "pass")))
    assert [(c.kind, c.reasons) for c in diff.changes] == [
        ("fixed", ("passes now (was: was bad)",))
    ]
    assert diff.exit_code == 0


def test_warnings_fail_the_gate_only_with_fail_on_warning():
    old, new = _report(_check("w", "pass", "warning")), _report(_check("w", severity="warning"))
    assert compare(old, new).exit_code == 0
    assert [c.kind for c in compare(old, new).changes] == ["new"]
    assert compare(old, new, fail_on="warning").exit_code == 1


def test_a_finding_of_the_same_cause_as_another_is_counted_once():
    old = _report(_check("total", "pass"), _check("per", "pass"))
    new = _report(_check("total", same_cause_as="per"), _check("per"))
    diff = compare(old, new)
    assert [c.id for c in diff.regressions] == ["per"]
    assert {c.id: c.same_cause_as for c in diff.changes} == {"total": "per", "per": None}


def test_a_check_not_run_in_the_baseline_that_fails_now_is_new():
    diff = compare(_report(), _report(_check("a")))
    assert [(c.kind, c.before) for c in diff.changes] == [("new", "not run")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: not JSON"),
        ("[1, 2]", "not a datacheck JSON report"),
        ('{"checks": [{"id": "a"}]}', "not a datacheck JSON report"),
    ],
)
def test_a_baseline_that_is_no_report_is_refused_by_name(tmp_path, text, message):
    path = tmp_path / "old.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as caught:
        read_report(path)
    assert str(path) in str(caught.value)


# --- end to end: audit v1, change the data, audit against v1 ---------------------------------


def _rows():
    """The sample's readable records, with the raw line each came from."""
    rows = []
    for raw in (SAMPLES / "tickets.jsonl").read_bytes().splitlines(keepends=True):
        try:
            rows.append((raw, json.loads(raw)))
        except ValueError:
            continue
    return rows


def _loose(text):
    return " ".join(text.casefold().split())


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """v1: the sample; v2: one well-stocked label cut below the bar, and 30 rows repeated."""
    folder = tmp_path_factory.mktemp("versions")
    rows = _rows()
    counts = Counter(r["department"] for _, r in rows)
    label = max((k for k in counts if k.strip() == k), key=counts.__getitem__)
    assert counts[label] >= 1000  # a label above the guide's bar, to cut below it
    # only rows whose text no other row shares (even loosely) are cut or repeated, so that
    # the duplicate groups already there stay as they were
    loose = Counter(_loose(r["text"]) for _, r in rows)
    alone = [(raw, r) for raw, r in rows if loose[_loose(r["text"])] == 1]
    cut = {id(raw) for raw, r in alone if r["department"] == label}
    cut = set(list(cut)[: counts[label] - 900])
    assert len(cut) == counts[label] - 900
    kept = [raw for raw, _ in rows if id(raw) not in cut]
    unique = [raw for raw, r in alone if id(raw) not in cut]
    v1 = folder / "v1.jsonl"
    v1.write_bytes((SAMPLES / "tickets.jsonl").read_bytes())
    v2 = folder / "v2.jsonl"
    v2.write_bytes(b"".join(kept + unique[:30]))
    report = folder / "v1.json"
    done = CliRunner().invoke(cli, ["audit", str(v1), *FAST, "--json", str(report)])
    assert done.exit_code == 1, done.output
    return {"v1": v1, "v2": v2, "report": report, "label": label}


def test_the_same_data_against_its_own_report_passes_the_gate(versions, tmp_path):
    """The sample is not ready (exit 1 on its own); against its own report nothing is worse."""
    out = tmp_path / "again.json"
    args = ["audit", str(versions["v1"]), *FAST, "--baseline", str(versions["report"])]
    done = CliRunner().invoke(cli, [*args, "--json", str(out)])
    assert done.exit_code == 0, done.output
    assert "No change against the baseline" in done.output
    report = json.loads(out.read_text())
    assert report["verdict"] == "not_ready"
    assert report["baseline"]["regressions"] == [] and report["baseline"]["changes"] == []


def test_changed_data_fails_naming_exactly_what_got_worse(versions, tmp_path):
    out = tmp_path / "v2.json"
    args = ["audit", str(versions["v2"]), *FAST, "--baseline", str(versions["report"])]
    done = CliRunner().invoke(cli, [*args, "--json", str(out), "--fail-on", "warning"])
    assert done.exit_code == 1, done.output
    baseline = json.loads(out.read_text())["baseline"]
    assert baseline["regressions"] == ["volume.per_category", "hygiene.exact_duplicates"]
    changes = {c["id"]: c for c in baseline["changes"]}
    assert f"newly failing: '{versions['label']}'" in changes["volume.per_category"]["reasons"]
    # 30 rows repeated: the redundant rows grow by 30 from the baseline's count
    old = {c["id"]: c for c in json.loads(versions["report"].read_text())["checks"]}
    before = old["hygiene.exact_duplicates"]["row_count"]
    assert (
        f"rows affected {before:,} → {before + 30:,}"
        in changes["hygiene.exact_duplicates"]["reasons"]
    )
    assert "✗ worse  volume.per_category (error): newly failing" in done.output


def test_at_the_default_gate_only_errors_that_got_worse_fail(versions, tmp_path):
    args = ["audit", str(versions["v2"]), *FAST, "--baseline", str(versions["report"]), "-q"]
    out = tmp_path / "r.json"
    done = CliRunner().invoke(cli, [*args, "--json", str(out)])
    assert done.exit_code == 1
    assert json.loads(out.read_text())["baseline"]["regressions"] == ["volume.per_category"]


def test_the_html_report_shows_what_got_worse_and_escapes_it(versions, tmp_path):
    from markupsafe import escape

    page = tmp_path / "r.html"
    args = ["audit", str(versions["v2"]), *FAST[:2], "--baseline", str(versions["report"])]
    done = CliRunner().invoke(cli, [*args, "--html", str(page), "-q"])
    assert done.exit_code == 1
    text = page.read_text()
    assert '<h2 id="baseline">Against the baseline</h2>' in text
    assert '<a href="#baseline">Baseline</a>' in text
    row = text[text.index('<table id="baseline-table">') :].split("</table>")[0]
    label = escape(f"'{versions['label']}'")  # quotes escaped, as every text in the report
    assert '<td>worse (fails the gate)</td><td><a href="#check-volume.per_category">' in row
    assert f"newly failing: {label}" in row


def test_diff_command_prints_text_markdown_and_json(versions, tmp_path, run_cli):
    new = tmp_path / "v2.json"
    CliRunner().invoke(cli, ["audit", str(versions["v2"]), *FAST, "--json", str(new), "-q"])
    old = str(versions["report"])
    text = run_cli("diff", old, str(new))
    assert text.returncode == 1, text.stderr
    assert "✗ worse  volume.per_category" in text.stdout
    markdown = run_cli("diff", old, str(new), "--markdown")
    assert "| ❌ | worse | `volume.per_category` | error |" in markdown.stdout
    data = json.loads(run_cli("diff", old, str(new), "--json").stdout)
    assert data["regressions"] == ["volume.per_category"]
    same = run_cli("diff", old, old)
    assert (same.returncode, same.stdout.strip()) == (0, f"No change against the baseline ({old}).")


def test_a_missing_baseline_is_bad_usage_before_any_audit(tmp_path):
    done = CliRunner().invoke(
        cli, ["audit", str(SAMPLES / "tickets.jsonl"), "--baseline", str(tmp_path / "no.json")]
    )
    assert done.exit_code == 2
    assert "no.json: no such file" in done.output


def test_a_baseline_read_as_another_task_is_noted():
    old = {
        **_report(_check("a", "pass")),
        "detected": {"task": "classification", "schema": "text_label"},
    }
    new = {
        **_report(_check("a", "pass")),
        "detected": {"task": "extraction", "schema": "text_label"},
    }
    diff = compare(old, new)
    assert diff.notes == (
        "the baseline read the data as task 'classification', this audit as 'extraction': "
        "findings may differ for that reason",
    )
    assert diff.lines()[1].startswith("  note: the baseline read the data as task")
    assert compare(old, old).notes == ()
