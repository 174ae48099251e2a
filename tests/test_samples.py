"""The sample data is what the README promises: regenerable byte for byte, defects where said."""

import hashlib
import importlib.util
import json
import random
from collections import Counter

import datacheck
from tests.conftest import SAMPLES


def _generator():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_reproduces_the_committed_files(tmp_path, monkeypatch):
    module = _generator()
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    written = sorted(p.name for p in tmp_path.iterdir())
    data = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".jsonl", ".csv"))
    assert written == data and len(data) == 5, "make_samples.py writes every sample file"
    for path in sorted(tmp_path.iterdir()):
        committed = SAMPLES / path.name
        assert (
            hashlib.sha256(path.read_bytes()).digest()
            == hashlib.sha256(committed.read_bytes()).digest()
        ), f"{path.name} differs from what make_samples.py writes"


def test_label_counts_match_the_generator():
    module = _generator()
    tickets, _eval = module.make_tickets(random.Random(module.SEED))
    expected = Counter(t["department"] for t in tickets)
    result = datacheck.audit(SAMPLES / "tickets.jsonl")
    assert result.labels == dict(expected)
    assert result.source.load_errors[0]["line"] == module.MALFORMED_AFTER + 1


def test_malformed_line_is_really_at_the_reported_line():
    line = (SAMPLES / "tickets.jsonl").read_text().splitlines()[1206]
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return
    raise AssertionError("line 1,207 should be the malformed one")
