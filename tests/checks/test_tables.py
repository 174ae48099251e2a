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
