"""--sample, and the performance paths giving exactly the results of the plain ones."""

import json
import subprocess
import sys

from click.testing import CliRunner

import datacheck
from datacheck.cli import cli
from tests.conftest import NETGUARD, ROOT, SAMPLES


def _stable(report: dict) -> str:
    report = dict(report)
    report.pop("generated_at")
    report.pop("timings")
    return json.dumps(report, sort_keys=True)


def test_sample_is_reported_scaled_and_deterministic():
    first = datacheck.audit(SAMPLES / "tickets.jsonl", sample=1000, seed=7).to_dict()
    again = datacheck.audit(SAMPLES / "tickets.jsonl", sample=1000, seed=7).to_dict()
    other = datacheck.audit(SAMPLES / "tickets.jsonl", sample=1000, seed=8).to_dict()
    assert _stable(first) == _stable(again)
    assert _stable(first) != _stable(other)
    # of the file's 3,082 non-empty lines (one malformed), 1,000 were picked while reading
    assert first["sample"]["of_rows"] == 3082
    assert first["sample"]["size"] + first["source"]["load_error_count"] == 1000
    assert abs(sum(first["labels"].values()) - 3081) <= 4  # scaled back to the whole file
    assert all(t["estimated_from_sample"] for t in first["tokens"].values())
    assert all("estimated from a sample" in c["assumptions"] for c in first["cost"])
    volume = next(c for c in first["checks"] if c["id"] == "volume.total")
    assert volume["message"].startswith("≈")


def test_sample_is_shown_in_terminal_and_html(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "audit",
            str(SAMPLES / "tickets.jsonl"),
            "--sample",
            "500",
            "--seed",
            "2",
            "--html",
            str(tmp_path / "r.html"),
            "--plotly-js",
            "cdn",
        ],  # fmt: skip
    )
    assert "Sample: 500 of 3,082 rows (seed 2)" in result.output
    assert "random sample of 500 of 3,082 rows" in (tmp_path / "r.html").read_text()


def test_sample_larger_than_the_data_is_the_whole_data():
    report = datacheck.audit(SAMPLES / "orders_chat.jsonl", sample=10_000).to_dict()
    assert report["sample"] is None


def _generated(tmp_path, rows: int = 1500) -> list:
    """Files of the benchmark's generators (joined real utterances, one template, every text
    distinct), each a different kind of repetition, written here from their seeds."""
    import random

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from _generators import GENERATORS
    finally:
        sys.path.remove(str(ROOT / "bench"))
    paths = []
    for kind, make in GENERATORS.items():
        path = tmp_path / f"{kind}.jsonl"
        path.write_text("\n".join(make(rows, random.Random(kind))) + "\n", "utf-8")
        paths.append(path)
    return paths


def test_performance_paths_change_nothing(tmp_path):
    """The same JSON report with the performance paths on or off (polars' bulk readers,
    once-per-text tokenizing, tables built beside the tokenizers), on the samples and on
    each benchmark generator's data."""
    samples = [SAMPLES / n for n in ("tickets.jsonl", "tickets.csv", "orders_chat.jsonl")]
    generated = _generated(tmp_path)
    reports = {}
    for mode in ("fast", "slow"):
        env = {"PYTHONPATH": f"{NETGUARD}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin"}
        if mode == "slow":
            env["DATACHECK_SLOW_PATHS"] = "1"
        for path in [*samples, *generated]:
            out = tmp_path / f"{mode}-{path.name}.json"
            one = ["--tokenizers", "cl100k_base"] if path in generated else []
            proc = subprocess.run(
                [sys.executable, "-m", "datacheck", "audit", str(path), "--json",
                 str(out), "-q", *one],
                env=env, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert proc.returncode in (0, 1), proc.stderr
            reports[mode, path.name] = json.loads(out.read_text())
    for path in [*samples, *generated]:
        fast, slow = reports["fast", path.name], reports["slow", path.name]
        assert _stable(fast) == _stable(slow), path.name
    clusters = {p.stem: reports["fast", p.name]["hygiene"]["near_duplicates"] for p in generated}
    assert clusters["real"]["cluster_count"] > 0  # the near-duplicate search had work


def test_sample_streams_a_file_too_large_for_memory(tmp_path, monkeypatch):
    """The way out the memory guard suggests really works: --sample reads only the sample."""
    import datacheck.load as loader
    from tests.conftest import write_jsonl

    rows = [{"text": f"ticket {i} about thing {i % 7}", "label": "AB"[i % 2]} for i in range(5000)]
    path = write_jsonl(tmp_path / "big.jsonl", rows)
    monkeypatch.setattr(loader, "available_memory", lambda: 1024)
    try:
        datacheck.audit(path)
    except datacheck.InputError as exc:
        assert "--sample" in str(exc)
    else:
        raise AssertionError("the memory guard should have stopped the full read")
    report = datacheck.audit(path, sample=200, seed=4).to_dict()
    assert report["sample"]["size"] == 200 and report["sample"]["of_rows"] == 5000
