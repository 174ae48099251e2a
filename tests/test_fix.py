"""`datacheck fix`: a cleaned copy whose re-audit has the fixed findings gone, and a changes
file that lists exactly the rows removed or changed (checked against the input here)."""

from __future__ import annotations

import json
import unicodedata

from click.testing import CliRunner

import datacheck
from datacheck.cli import cli
from tests.conftest import SAMPLES, write_jsonl


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def test_dedupe_and_normalize_labels_on_the_sample(tmp_path):
    source = SAMPLES / "tickets.jsonl"
    out = tmp_path / "clean.jsonl"
    result = CliRunner().invoke(
        cli, ["fix", str(source), "-o", str(out), "--dedupe", "--normalize-labels"]
    )
    assert result.exit_code == 0, result.output
    checks = {c.id: c for c in datacheck.audit(out, tokenizers=["cl100k_base"]).checks}
    assert checks["hygiene.exact_duplicates"].status == "pass"
    assert checks["labels.variants"].status == "pass"

    lines = {}
    for number, line in enumerate(source.read_text().splitlines(), 1):
        try:
            lines[number] = json.loads(line)
        except json.JSONDecodeError:
            continue
    seen, repeats = set(), set()
    for number, row in lines.items():
        if not row["text"].strip():
            continue  # empty inputs are format.empty_text's finding, not duplicates
        key = (_normal(row["text"]), _normal(row["department"]))
        (repeats.add(number) if key in seen else seen.add(key))
    variants = {n for n, row in lines.items() if row["department"] == "billing "}
    changes = [
        json.loads(line)
        for line in (tmp_path / "clean.jsonl.changes.jsonl").read_text().splitlines()
    ]
    dropped = {
        c["line"]
        for c in changes
        if c["action"] == "dropped" and c["reason"] != "could not be read"
    }
    relabelled = {c["line"] for c in changes if c["action"] == "relabelled"}
    assert dropped == repeats and len(dropped) == 24
    assert relabelled == variants - repeats and all(
        c["to"] == "Billing" for c in changes if c["action"] == "relabelled"
    )
    assert [c["line"] for c in changes if c["reason"] == "could not be read"] == [1207]
    kept = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(kept) == len(lines) - len(dropped)
    assert [r["id"] for r in kept] == [row["id"] for n, row in lines.items() if n not in dropped]


def test_drop_invalid_and_a_label_map(tmp_path):
    rows = [{"text": f"ticket {i} about billing", "label": "bill"} for i in range(4)]
    rows += [{"text": "  ", "label": "bill"}, {"text": "ticket 9 about login", "label": "acct"}]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"bill": "Billing", "acct": "Account"}))
    out = tmp_path / "clean.jsonl"
    result = CliRunner().invoke(
        cli, ["fix", str(path), "-o", str(out), "--drop-invalid", "--map-labels", str(mapping)]
    )
    assert result.exit_code == 0, result.output
    kept = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["label"] for r in kept] == ["Billing"] * 4 + ["Account"]
    changes = [
        json.loads(line)
        for line in (tmp_path / "clean.jsonl.changes.jsonl").read_text().splitlines()
    ]
    assert {"line": 5, "action": "dropped", "reason": "format.empty_text"} in changes
    assert sum(c["action"] == "relabelled" for c in changes) == 5


def test_fix_never_writes_over_the_input_or_an_existing_file(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "a b", "label": "A"}] * 3)
    before = path.read_bytes()
    runner = CliRunner()
    over = runner.invoke(cli, ["fix", str(path), "-o", str(path), "--dedupe"])
    assert over.exit_code == 2 and path.read_bytes() == before
    nothing = runner.invoke(cli, ["fix", str(path), "-o", str(tmp_path / "x.jsonl")])
    assert nothing.exit_code == 2 and "--dedupe" in nothing.output
    first = runner.invoke(cli, ["fix", str(path), "-o", str(tmp_path / "c.jsonl"), "--dedupe"])
    assert first.exit_code == 0
    again = runner.invoke(cli, ["fix", str(path), "-o", str(tmp_path / "c.jsonl"), "--dedupe"])
    assert again.exit_code == 2 and "already exists" in again.output
