"""Tables built early, in threads of their own."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from datacheck.checks import _tables


def test_then_runs_once_after_every_early_table(monkeypatch):
    release = {name: threading.Event() for name in ("slow", "quick")}
    seen: list[list[bool]] = []
    done = threading.Event()

    def build(name):
        def table(ctx):
            release[name].wait(5)
            return name

        return table

    early = {
        name: _tables.Derivation(name, build(name), None, (), None, (), True) for name in release
    }
    monkeypatch.setattr(_tables, "DERIVED", early)
    ctx = SimpleNamespace(pending={})

    def then():
        seen.append([future.done() for future in ctx.pending.values()])
        done.set()

    _tables.start_tables(ctx, then=then)
    release["quick"].set()
    assert not done.wait(0.2)  # one table still building: not yet
    release["slow"].set()
    assert done.wait(5)
    assert seen == [[True, True]]
    assert [ctx.pending[n].result() for n in ("slow", "quick")] == ["slow", "quick"]


def test_tables_wait_for_the_early_ones_before_any_is_built(monkeypatch):
    """No table is built beside one still building early (their arrays would be held at
    once): the first in build order starts only once the early table is done."""
    release = threading.Event()
    order: list[str] = []

    def early(ctx):
        release.wait(5)
        order.append("early")
        return "hygiene-like"

    def first(ctx):
        order.append("first")
        return "fact"

    derived = {
        "first": _tables.Derivation("first", first),
        "early": _tables.Derivation("early", early, prefetch=True),
    }
    monkeypatch.setattr(_tables, "DERIVED", derived)
    ctx = SimpleNamespace(pending={}, tables={}, facts={}, waiting=threading.Event())
    _tables.start_tables(ctx)
    threading.Timer(0.2, release.set).start()
    _tables.build_tables(ctx)
    assert order == ["early", "first"]
    assert ctx.facts == {"first": "fact", "early": "hygiene-like"}


def test_early_tables_are_told_when_the_audit_waits_for_them(monkeypatch):
    """A table built beside tokenizing learns when it has the cores to itself: once the
    audit waits for it, and not before (the near-duplicate search then uses every core)."""
    seen: list[bool] = []
    started, looked = threading.Event(), threading.Event()

    def early(ctx):
        seen.append(ctx.waiting.is_set())
        started.set()
        assert looked.wait(5)
        assert ctx.waiting.wait(5)
        seen.append(ctx.waiting.is_set())
        return "done"

    derived = {"early": _tables.Derivation("early", early, prefetch=True)}
    monkeypatch.setattr(_tables, "DERIVED", derived)
    ctx = SimpleNamespace(pending={}, waiting=threading.Event())
    _tables.start_tables(ctx)
    assert started.wait(5)
    looked.set()
    _tables.wait_for_started(ctx)
    assert seen == [False, True]
    assert ctx.pending["early"].result() == "done"
