import threading

import pytest

import datacheck
from datacheck.checks import format as features
from tests.conftest import SAMPLES


@pytest.mark.parametrize(("slow", "where"), [("", "datacheck-tables"), ("1", "MainThread")])
def test_json_facts_are_built_beside_the_tokenizers(monkeypatch, slow, where):
    """Built once, in a helper thread while tokenizing; in the caller's thread on slow paths."""
    threads = []
    real = features.json_facts

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(features, "json_facts", recording)
    monkeypatch.setenv("DATACHECK_SLOW_PATHS", slow)
    result = datacheck.audit(SAMPLES / "orders_chat.jsonl").to_dict()
    assert len(threads) == 1 and threads[0].startswith(where)
    assert any(c["id"].startswith("format.json") for c in result["checks"])


def test_no_helper_thread_for_tasks_without_json_outputs(monkeypatch):
    calls = []
    monkeypatch.setattr(features, "json_facts", lambda *a, **k: calls.append(a))
    datacheck.audit(SAMPLES / "tickets.jsonl")
    assert calls == []


def test_tables_are_built_after_what_they_need():
    from datacheck.checks._tables import DERIVED, build_order

    order = [d.name for d in build_order()]
    assert sorted(order) == sorted(DERIVED)
    for item in DERIVED.values():
        assert all(order.index(need) < order.index(item.name) for need in item.needs), item
    # a table that lets go of columns comes before every table that does not
    releasing = [i for i, name in enumerate(order) if DERIVED[name].releases]
    assert releasing == list(range(len(releasing)))


def test_a_table_that_needs_an_undeclared_one_is_refused(monkeypatch):
    from datacheck.checks import _tables

    monkeypatch.setattr(_tables, "DERIVED", dict(_tables.DERIVED))
    _tables.derived("orphan", needs=("nowhere",))(lambda ctx: None)
    with pytest.raises(ValueError, match="'orphan' needs 'nowhere', which is not declared"):
        _tables.build_order()


def test_tables_that_need_each_other_are_refused(monkeypatch):
    from datacheck.checks import _tables

    monkeypatch.setattr(_tables, "DERIVED", dict(_tables.DERIVED))
    _tables.derived("a", needs=("b",))(lambda ctx: None)
    _tables.derived("b", needs=("a",))(lambda ctx: None)
    with pytest.raises(ValueError, match="tables need each other: a -> b -> a"):
        _tables.build_order()


def test_a_table_declared_twice_is_refused():
    from datacheck.checks._tables import derived

    with pytest.raises(ValueError, match="table 'examples' is declared twice"):
        derived("examples", key="example_id")(lambda ctx: None)


def test_a_fact_of_the_wrong_kind_is_refused():
    from datacheck.checks import Context

    ctx = Context.__new__(Context)
    ctx.facts = {"hygiene": 3}
    with pytest.raises(TypeError, match="table 'hygiene' is a int, not a str"):
        ctx.fact("hygiene", str)
