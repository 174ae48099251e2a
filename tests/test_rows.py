"""`--rows FILE`: every affected row, one line each, with its file, group and text."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import datacheck
from datacheck.cli import cli
from datacheck.report.pii import mask
from tests.conftest import SAMPLES, write_jsonl

CASES = [
    ("tickets.jsonl", "tickets_eval.jsonl"),
    ("tickets.csv", None),
    ("orders_chat.jsonl", None),
    ("troubleshooting_prompt_completion.jsonl", None),
]


@pytest.mark.parametrize(("data", "evals"), CASES)
def test_one_line_per_affected_row_of_every_sample(run_cli, tmp_path, data, evals):
    args = ["audit", str(SAMPLES / data), "--rows", "rows.csv", "--json", "out.json"]
    args += ["--eval", str(SAMPLES / evals)] if evals else []
    proc = run_cli(*args)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads((tmp_path / "out.json").read_text())
    rows = pl.read_csv(tmp_path / "rows.csv", infer_schema_length=0)
    assert report["rows_export"] == {"path": "rows.csv", "rows": rows.height}
    affected = rows.filter(pl.col("role") == "affected")
    for check in report["checks"]:
        if check["status"] == "skip":
            continue
        listed = affected.filter(pl.col("check") == check["id"])
        assert listed.height == check["row_count"] + check.get("eval_row_count", 0), check["id"]
        if check["rows"]:
            mine = listed.filter(pl.col("file") == check["rows_file"])["line"].cast(int)
            assert set(check["rows"]) <= set(mine), check["id"]
    assert "Affected rows: rows.csv" in proc.stdout


def test_groups_come_whole_and_eval_rows_name_the_eval_file(run_cli, tmp_path):
    train, evals = SAMPLES / "tickets.jsonl", SAMPLES / "tickets_eval.jsonl"
    proc = run_cli("audit", str(train), "--eval", str(evals), "--rows", "rows.jsonl", "--no-html")
    assert proc.returncode == 1, proc.stderr
    rows = pl.read_ndjson(tmp_path / "rows.jsonl")
    dupes = rows.filter(pl.col("check") == "hygiene.exact_duplicates")
    per_group = dupes.group_by("group").agg(
        (pl.col("role") == "kept").sum().alias("kept"), pl.len().alias("size")
    )
    assert (
        per_group.height == 24 and (per_group["kept"] == 1).all() and (per_group["size"] == 2).all()
    )
    texts = dupes.group_by("group").agg(
        pl.col("text").str.to_lowercase().str.strip_chars().n_unique()
    )
    assert (texts["text"] == 1).all()  # a group's rows say the same thing
    leaks = rows.filter(pl.col("check") == "hygiene.leakage")
    assert leaks.height == 12 and (leaks["file"] == str(evals)).all()
    source = [json.loads(line) for line in evals.read_text().splitlines()]
    for line, text in leaks.select("line", "text").iter_rows():
        assert mask(source[line - 1]["text"]) == text  # the line is the eval file's line


def test_personal_data_is_masked_unless_asked(tmp_path):
    rows = [{"text": f"mail me at jane.doe{i}@example.com", "label": "AB"[i % 2]} for i in range(6)]
    rows.append({"text": "", "label": "A"})
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    runner = CliRunner()
    for extra, shown in (([], False), (["--show-pii"], True)):
        out = tmp_path / f"rows{len(extra)}.csv"
        result = runner.invoke(cli, ["audit", str(path), "--rows", str(out), "--no-html", *extra])
        assert result.exit_code in (0, 1), result.output
        text = out.read_text()
        assert ("jane.doe0@example.com" in text) is shown
    assert path.read_text().count("@example.com") == 6  # the input is untouched


def test_a_rows_file_with_another_ending_or_over_the_data_is_refused(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "a b", "label": "A"}] * 3)
    before = path.read_bytes()
    runner = CliRunner()
    wrong = runner.invoke(cli, ["audit", str(path), "--rows", str(tmp_path / "rows.xlsx")])
    assert wrong.exit_code == 2 and ".csv or .jsonl" in wrong.output
    over = runner.invoke(cli, ["audit", str(path), "--rows", str(tmp_path / "d.jsonl")])
    assert over.exit_code == 2 and path.read_bytes() == before


def test_the_api_needs_to_be_asked_for_the_rows(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "a b", "label": "A"}] * 3)
    with pytest.raises(ValueError, match="affected_rows=True"):
        datacheck.audit(path).save_rows(tmp_path / "r.csv")
    saved = datacheck.audit(path, affected_rows=True).save_rows(tmp_path / "r.csv")
    dupes = pl.read_csv(saved).filter(pl.col("check") == "hygiene.exact_duplicates")
    assert dupes["role"].to_list() == ["kept", "affected", "affected"]
    assert dupes["line"].to_list() == [1, 2, 3] and dupes["group"].to_list() == [1, 1, 1]
    assert dupes["text_chars"].to_list() == [3, 3, 3] and dupes["output_chars"].to_list() == [1] * 3


def test_a_folders_rows_name_their_own_file_and_record(tmp_path):
    """SNIPS files in a folder: each exported row's text is that file's record, rebuilt
    here with plain json; the report's rows per file agree, and so does GitHub."""
    from datacheck.report import render
    from tests.conftest import DATA

    folder = DATA / "real" / "snips2017"
    result = datacheck.audit(folder, affected_rows=True, tokenizers=["cl100k_base"])
    rows = pl.read_csv(result.save_rows(tmp_path / "rows.csv", show_pii=True))
    edges = rows.filter(pl.col("check") == "format.edge_whitespace")
    assert edges.height > 0 and edges["file"].n_unique() > 1
    for file, line, text in edges.select("file", "line", "text").iter_rows():
        raw = Path(file).read_bytes().decode("utf-8", "surrogateescape")
        document = json.loads(raw)
        ((_, utterances),) = document.items()
        rebuilt = "".join(piece["text"] for piece in utterances[line - 1]["data"])
        assert rebuilt == text, (file, line)
    check = next(c for c in result.to_dict()["checks"] if c["id"] == "format.edge_whitespace")
    by_file = {p["file"]: p for p in check["rows_by_file"]}
    expected = edges.group_by("file").agg(pl.col("line").sort())
    assert {f: p["count"] for f, p in by_file.items()} == dict(
        zip(expected["file"], expected["line"].list.len(), strict=True)
    )
    annotations = [a for a in render(result, "github").splitlines() if "edge_whitespace" in a]
    assert annotations and f"file={check['rows_by_file'][0]['file']}" in annotations[0]
