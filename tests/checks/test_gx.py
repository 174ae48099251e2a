import gc
import os
import subprocess
import sys
import weakref

import polars as pl

import datacheck
from datacheck.checks import _gx as gx
from datacheck.checks._tables import Table
from tests.conftest import NETGUARD, ROOT, SAMPLES


def test_validated_tables_are_not_kept_alive_by_great_expectations(monkeypatch):
    """GX's context keeps every batch it has seen; on 1M rows that is hundreds of MB held
    through the rest of the audit, so each batch is let go once validated."""
    handed: list[weakref.ref] = []
    to_pandas = gx._to_pandas

    def recorded(frame, key):
        out = to_pandas(frame, key)
        handed.append(weakref.ref(out))
        return out

    monkeypatch.setattr(gx, "_to_pandas", recorded)
    result = datacheck.audit(SAMPLES / "tickets.jsonl", tokenizers="cl100k_base")
    gc.collect()
    assert len(handed) >= 3
    assert [ref() for ref in handed if ref() is not None] == []
    assert result.checks


def test_great_expectations_runs_without_executing_scipy_stats():
    """GX imports `scipy.stats` only for an expectation our suites never use; deferring it
    takes a third off GX's import. The audit must still never need it, and code that does use
    it must find it whole."""
    ran = "'scipy.stats._stats_py' in sys.modules"
    code = (
        "import sys, datacheck; "
        f"r = datacheck.audit({str(SAMPLES / 'tickets.jsonl')!r}, tokenizers='cl100k_base'); "
        f"print(r.verdict, {ran}); "
        "from scipy import stats; "
        f"print(round(float(stats.entropy([1, 1], [1, 3])), 4), {ran})"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(NETGUARD), str(ROOT / "src")])}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["not_ready False", "0.1438 True"]


def test_deferring_a_module_leaves_imported_and_missing_ones_alone(monkeypatch):
    monkeypatch.delitem(sys.modules, "datacheck_no_such_module", raising=False)
    gx._defer("datacheck_no_such_module.sub")
    gx._defer("datacheck_no_such_module")
    assert "datacheck_no_such_module" not in sys.modules
    before = sys.modules["json"]
    gx._defer("json")
    assert sys.modules["json"] is before


def _bounded(frame: str) -> dict:
    return {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "x", "min_value": 0, "max_value": 10},
        "meta": {"check": f"test.{frame}", "frame": frame},
    }


def test_each_table_is_validated_on_its_own_rows():
    """The tables share one GX asset, each batch bringing its own frame: a batch must never
    be validated with another table's rows."""
    suite = gx.Suite("test", "test.json", (_bounded("a"), _bounded("b")))
    tables = {
        "a": Table(pl.DataFrame({"id": [10, 11, 12], "x": [1, 2, 30]}), "id"),
        "b": Table(pl.DataFrame({"id": [20, 21], "x": [40, 5]}), "id"),
    }
    together = gx.validate([suite], tables, {})
    alone = {name: gx.validate([suite], {name: tables[name]}, {}) for name in tables}
    assert together["test.a"][0].unexpected_keys == (12,)
    assert together["test.b"][0].unexpected_keys == (20,)
    assert together == {**alone["a"], **alone["b"]}


def test_batches_are_not_fingerprinted_and_the_setting_is_restored(monkeypatch):
    """GX hashes every row of each batch for a marker nothing reads (1.3 s of 1.8 s on 1M
    rows); it is off while datacheck validates, and as it was for anyone else after."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    hashed = []
    fingerprint = engine.hash_pandas_dataframe
    monkeypatch.setattr(
        engine, "hash_pandas_dataframe", lambda df: hashed.append(len(df)) or fingerprint(df)
    )
    bound = engine.HASH_THRESHOLD
    suite = gx.Suite("test", "test.json", (_bounded("a"),))
    table = Table(pl.DataFrame({"id": [1, 2], "x": [3, 40]}), "id")
    outcomes = gx.validate([suite], {"a": table}, {})
    assert outcomes["test.a"][0].unexpected_keys == (2,)
    assert hashed == []
    assert engine.HASH_THRESHOLD == bound
