"""GitHub Actions output: annotations for failing checks only, escaped, capped; the summary."""

from datacheck.report import render
from datacheck.report.github import summary
from tests.report.conftest import finding


def test_one_annotation_per_failing_check_at_its_first_line_with_the_count(make_result):
    result = make_result(
        [
            finding("format.empty_text", rows=(3, 17), row_count=2),
            finding("labels.singleton", severity="warning", rows=(9,), row_count=1),
            finding("volume.total", status="pass", rows=(4,)),
            finding("labels.undeclared", status="skip"),
        ]
    )
    assert render(result, "github").splitlines() == [
        "::error file=data/train.jsonl,line=3,title=format.empty_text%3A title of "
        "format.empty_text::message of format.empty_text → fix of format.empty_text "
        "(2 rows: lines 3, 17 of data/train.jsonl)",
        "::warning file=data/train.jsonl,line=9,title=labels.singleton%3A title of "
        "labels.singleton::message of labels.singleton → fix of labels.singleton "
        "(1 row: line 9 of data/train.jsonl)",
    ]


def test_info_findings_are_warnings_and_a_check_without_rows_gets_one_annotation(make_result):
    result = make_result([finding("task.hard_to_verify", severity="info")])
    assert render(result, "github") == (
        "::warning file=data/train.jsonl,title=task.hard_to_verify%3A title of "
        "task.hard_to_verify::message of task.hard_to_verify → fix of task.hard_to_verify\n"
    )


def test_many_rows_make_one_annotation_not_one_per_row(make_result):
    rows = tuple(range(1, 30))
    lines = render(make_result([finding(rows=rows, row_count=29)]), "github").splitlines()
    assert len(lines) == 1
    assert lines[0].split(",")[1] == "line=1"
    assert lines[0].endswith("(29 rows: lines 1, 2, 3 and 26 more of data/train.jsonl)")


def test_eval_rows_point_at_the_eval_file(make_result):
    from datacheck.result import SourceInfo

    evals = SourceInfo(
        path="data/eval.jsonl", format="jsonl", sha256=None, rows=10, position="line",
        load_errors=(), load_error_count=0,
    )  # fmt: skip
    leak = finding("hygiene.leakage", rows=(6, 8), row_count=2, rows_split="eval")
    dupes = finding(
        "hygiene.exact_duplicates", severity="warning", rows=(), eval_rows=(4,), row_count=0
    )
    lines = render(make_result([leak, dupes], eval_source=evals), "github").splitlines()
    assert lines[0].startswith("::error file=data/eval.jsonl,line=6,title=hygiene.leakage")
    assert lines[0].endswith("(2 rows: lines 6, 8 of data/eval.jsonl)")
    assert lines[1].startswith("::warning file=data/eval.jsonl,line=4,")


def test_rows_of_a_table_are_not_lines_of_a_file(make_result):
    result = make_result([finding(rows=(2, 3))], path="data.parquet", position="row")
    assert render(result, "github") == (
        "::error file=data.parquet,title=volume.total%3A title of volume.total::"
        "message of volume.total → fix of volume.total (2 rows: rows 2, 3 of data.parquet)\n"
    )


def test_nothing_to_say_when_nothing_fails(make_result):
    assert render(make_result([finding(status="pass")], verdict="ready"), "github") == ""


def test_data_and_properties_are_escaped(make_result):
    result = make_result(
        [finding("labels.variants", title="a, b: c", message="100%\nnext", fix="x,y:z")],
        path="dir,1/a:b%.jsonl",
    )
    assert render(result, "github") == (
        "::error file=dir%2C1/a%3Ab%25.jsonl,title=labels.variants%3A a%2C b%3A c::"
        "100%25%0Anext → x,y:z\n"
    )


def test_summary_starts_with_the_verdict_and_lists_every_check(make_result):
    checks = [
        finding("format.empty_text", message="5 empty | inputs"),
        finding("labels.singleton", severity="warning"),
        finding("task.hard_to_verify", severity="info"),
        finding("volume.total", status="pass", message="ok\nfine"),
        finding("labels.unused", status="skip", message="skipped: none declared"),
    ]
    text = summary(make_result(checks, recommendation={"title": "Llama 3.1 8B", "variant": "base"}))
    assert text.splitlines() == [
        "## datacheck: ❌ Not ready — 1 error, 1 warning, 1 check passed",
        "",
        "`data/train.jsonl` · 1,234 examples · text_label · classification",
        "",
        "| | Check | Finding | Fix |",
        "|---|---|---|---|",
        "| ❌ | `format.empty_text` | 5 empty \\| inputs | fix of format.empty_text |",
        "| ⚠️ | `labels.singleton` | message of labels.singleton | fix of labels.singleton |",
        "| ℹ️ | `task.hard_to_verify` | message of task.hard_to_verify | "
        "fix of task.hard_to_verify |",
        "| ✅ | `volume.total` | ok fine |  |",
        "| ⏭️ | `labels.unused` | skipped: none declared |  |",
        "",
        "**Start with:** Llama 3.1 8B (base)",
    ]


def test_summary_names_each_verdict(make_result):
    for verdict, words in [
        ("ready", "## datacheck: ✅ Ready — 0 errors"),
        ("ready_with_warnings", "## datacheck: ⚠️ Ready, with warnings — 0 errors"),
        ("not_ready", "## datacheck: ❌ Not ready — 0 errors"),
    ]:
        text = summary(make_result(verdict=verdict))
        assert text.startswith(words)
        assert "Start with" not in text


def test_carriage_returns_and_newlines_in_data_are_escaped():
    from datacheck.report.github import _escape_data, _escape_property

    assert _escape_data("a\rb\nc%") == "a%0Db%0Ac%25"
    assert _escape_property("a:b,c\r") == "a%3Ab%2Cc%0D"


def test_a_failing_check_listed_after_a_passing_one_is_still_annotated(make_result):
    result = make_result([finding("volume.total", status="pass"), finding("labels.missing")])
    assert render(result, "github").startswith("::error file=data/train.jsonl,title=labels.missing")


def test_the_summary_names_the_html_report(make_result):
    text = summary(make_result(), "reports/data.html")
    assert "The full report is `reports/data.html`: upload it as a workflow artifact." in text


def test_fixes_come_in_order_of_impact_errors_first(make_result):
    from datacheck.report._format import presented
    from datacheck.report.json import report_dict

    result = make_result(
        [
            finding("format.empty_text", rows=(1,), row_count=1, impact=1),
            finding("hygiene.exact_duplicates", severity="warning", impact=900),
            finding("volume.per_category", impact=586),
            finding("labels.variants", impact=37),
        ]
    )
    order = [c["id"] for c in presented(report_dict(result)["checks"])]
    assert order == [
        "volume.per_category", "labels.variants", "format.empty_text", "hygiene.exact_duplicates",
    ]  # fmt: skip
    lines = render(result, "github").splitlines()
    assert [line.split("title=")[1].split("%3A")[0] for line in lines] == order
