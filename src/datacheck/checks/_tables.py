"""Derived tables: what the checks look at, declared beside the checks that use them.

A check family declares each table it needs with `@derived(name, key=..., needs=...,
when=...)`. A table with a `key` is a frame handed to Great Expectations (the key names its
failing rows); one without is a fact the checks read (`ctx.fact(name, Kind)`), such as the
hygiene analysis. `build_tables` builds every declared table that applies, each after the
tables it needs, so adding a table touches only the family that uses it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl

from datacheck._frames import compact
from datacheck._perf import fast, in_background
from datacheck.normalize import training

if TYPE_CHECKING:
    from datacheck.checks._base import Context


@dataclass(frozen=True)
class Table:
    """A frame handed to Great Expectations, and the column that identifies its rows."""

    frame: pl.DataFrame
    key: str


@dataclass(frozen=True)
class Derivation:
    """How one derived table is made, and what it depends on."""

    name: str
    build: Callable[[Context], Any]
    key: str | None = None
    needs: tuple[str, ...] = ()
    when: Callable[[Context], bool] | None = None
    #: columns of the canonical frame that nothing reads once this table is built
    releases: tuple[str, ...] = ()
    #: built in a helper thread while the tokenizers run (its work is mostly Python)
    prefetch: bool = False

    def applies(self, ctx: Context) -> bool:
        return self.when is None or self.when(ctx)


DERIVED: dict[str, Derivation] = {}


def derived(
    name: str,
    *,
    key: str | None = None,
    needs: tuple[str, ...] = (),
    when: Callable[[Context], bool] | None = None,
    releases: tuple[str, ...] = (),
    prefetch: bool = False,
) -> Callable[[Callable[[Context], Any]], Callable[[Context], Any]]:
    """Declare the function below as the builder of table `name` (see the module docstring).
    It returns the frame (or the fact), or None when the data gives no such table."""

    def register(build: Callable[[Context], Any]) -> Callable[[Context], Any]:
        if name in DERIVED:
            raise ValueError(f"table {name!r} is declared twice")
        if (releases or prefetch) and needs:
            raise ValueError(f"table {name!r}: only a table that needs no other may be built early")
        DERIVED[name] = Derivation(name, build, key, needs, when, releases, prefetch)
        return build

    return register


def build_order() -> list[Derivation]:
    """Every declaration, each after what it needs; tables that let go of columns first, so
    the rest of the audit runs without them."""
    early = [d for d in DERIVED.values() if d.releases]
    order: list[Derivation] = []
    done: set[str] = set()

    def visit(item: Derivation, path: tuple[str, ...]) -> None:
        if item.name in done:
            return
        if item.name in path:
            raise ValueError(f"tables need each other: {' -> '.join((*path, item.name))}")
        for need in item.needs:
            if need not in DERIVED:
                raise ValueError(f"table {item.name!r} needs {need!r}, which is not declared")
            visit(DERIVED[need], (*path, item.name))
        done.add(item.name)
        order.append(item)

    for item in [*early, *DERIVED.values()]:
        visit(item, ())
    return order


def start_tables(ctx: Context, then: Callable[[], None] | None = None) -> None:
    """Start building the tables declared with `prefetch`, each in a helper thread of its
    own, then call `then` (from the thread that ends last). Called before tokenizing:
    tiktoken lets go of the GIL, so their Python work fills the gaps between its calls. On
    1M chat rows that took 0.7 s off a 12 s audit; a thread each, so the longest (hygiene)
    need not wait for the others, 0.6-0.8 s more. `then` is for work that should take the
    core they held once their memory is freed, while tokenizing goes on (Great
    Expectations' import: 1.5 CPU-seconds that otherwise held up the checks after it)."""
    wanted = [d for d in DERIVED.values() if d.prefetch and d.applies(ctx)]
    if not wanted or not fast():
        return
    pool = ThreadPoolExecutor(len(wanted), thread_name_prefix="datacheck-tables")
    left = [len(wanted)]
    lock = threading.Lock()

    def one_done(_: Future[Any]) -> None:
        with lock:
            left[0] -= 1
            last = left[0] == 0
        if last and then is not None:
            then()

    for item in wanted:
        ctx.pending[item.name] = pool.submit(in_background, partial(item.build, ctx))
        ctx.pending[item.name].add_done_callback(one_done)
    pool.shutdown(wait=False)  # the threads end once their tasks are done


def wait_for_started(ctx: Context) -> None:
    """Wait until every table `start_tables` began is built (or has failed), saying so
    first (`Context.waiting`)."""
    ctx.waiting.set()
    wait(list(ctx.pending.values()))


def build_tables(ctx: Context) -> None:
    """Build every declared table that applies to this data, into `ctx.tables` (frames for the
    suites) and `ctx.facts` (everything else).

    Tables still being built early are waited for first: building the others beside them
    put both sets of arrays in memory at once (on 5M chat rows of real utterances, the
    format tables beside the near-duplicate search's last steps: 230 MiB more at the
    peak), and was measured no faster, the two competing for the same two cores."""
    wait_for_started(ctx)
    for item in build_order():
        built = all(n in ctx.tables or n in ctx.facts for n in item.needs)
        if not built or not item.applies(ctx):
            continue
        pending = ctx.pending.pop(item.name, None)
        value = pending.result() if pending is not None else item.build(ctx)
        if value is None:
            continue
        if item.key is None:
            ctx.facts[item.name] = value
        else:
            ctx.tables[item.name] = Table(value, item.key)
        if item.releases:
            ctx.frame = compact(ctx.frame.drop(item.releases, strict=False))
            ctx.train = training(ctx.frame)
