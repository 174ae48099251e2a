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

    def recorded(frame, key, columns=None):
        out = to_pandas(frame, key, columns)
        handed.append(weakref.ref(out))
        return out

    monkeypatch.setattr(gx, "_to_pandas", recorded)
    result = datacheck.audit(SAMPLES / "tickets.jsonl", tokenizers="cl100k_base")
    gc.collect()
    assert len(handed) >= 3
    assert [ref() for ref in handed if ref() is not None] == []
    assert result.checks


def test_great_expectations_runs_without_executing_scipy_stats_or_altair():
    """GX imports `scipy.stats` and `altair` only for an expectation our suites never use;
    deferring `scipy.stats` took a third off GX's import, `altair` a fifth of the rest and
    22 MiB. The audit must still never need them, and code that does use them must find
    them whole."""
    ran = "'scipy.stats._stats_py' in sys.modules, 'altair.vegalite' in sys.modules"
    code = (
        "import sys, datacheck; "
        f"r = datacheck.audit({str(SAMPLES / 'tickets.jsonl')!r}, tokenizers='cl100k_base'); "
        f"print(r.verdict, {ran}); "
        "from scipy import stats; "
        f"print(round(float(stats.entropy([1, 1], [1, 3])), 4), {ran}); "
        "import altair as alt; "
        f"print(type(alt.Chart()).__name__, {ran})"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(NETGUARD), str(ROOT / "src")])}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:3] == [
        "not_ready False False",
        "0.1438 True False",
        "Chart True True",
    ]


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


def test_only_the_columns_an_expectation_reads_are_made_pandas(monkeypatch):
    """A text column becomes a Python object per row in pandas, which neither pandas nor GX
    gives back whole: the suites' tables go over with only the columns their expectations
    name, and their key."""
    handed: list[list[str]] = []
    to_pandas = gx._to_pandas

    def recorded(frame, key, columns=None):
        out = to_pandas(frame, key, columns)
        handed.append(list(out.columns))
        return out

    monkeypatch.setattr(gx, "_to_pandas", recorded)
    suite = gx.Suite("test", "test.json", (_bounded("a"),))
    table = Table(pl.DataFrame({"id": [1, 2], "x": [3, 40], "note": ["a", "b"]}), "id")
    outcomes = gx.validate([suite], {"a": table}, {})
    assert outcomes["test.a"][0].unexpected_keys == (2,)
    assert handed == [["id", "x"]]


def test_an_expectation_on_the_whole_table_sees_every_column():
    columns = {
        "type": "expect_table_columns_to_match_set",
        "kwargs": {"column_set": ["id", "x", "note"], "exact_match": True},
        "meta": {"check": "test.a", "frame": "a"},
    }
    on_note = {"type": "comparison", "column": {"name": "note"}, "operator": "==", "parameter": "b"}
    conditional = {
        **_bounded("a"),
        "kwargs": {"column": "x", "max_value": 10, "row_condition": on_note},
    }
    table = Table(pl.DataFrame({"id": [1, 2], "x": [3, 40], "note": ["a", "b"]}), "id")
    for expectation, keys in ((columns, ()), (conditional, (2,))):
        outcome = gx.validate([gx.Suite("t", "t.json", (expectation,))], {"a": table}, {})
        assert outcome["test.a"][0].unexpected_keys == keys
        assert outcome["test.a"][0].success is (keys == ())


def test_the_columns_read_are_named_by_the_expectations_or_unknown():
    between = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a"}}
    pair = {
        "type": "expect_column_pair_values_to_be_equal",
        "kwargs": {"column_A": "b", "column_B": "c"},
    }
    compound = {
        "type": "expect_compound_columns_to_be_unique",
        "kwargs": {"column_list": ["d", "e"]},
    }
    rows = {"type": "expect_table_row_count_to_equal", "kwargs": {"value": 0}}
    shape = {"type": "expect_table_column_count_to_equal", "kwargs": {"value": 3}}
    placed = {"type": "expect_column_to_exist", "kwargs": {"column": "a", "column_index": 0}}
    assert gx._columns_read([between, pair, compound, rows]) == {"a", "b", "c", "d", "e"}
    assert gx._columns_read([rows]) == set()
    assert gx._columns_read([between, shape]) is None
    assert gx._columns_read([placed]) is None
