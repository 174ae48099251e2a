"""One switch for the performance paths, so tests can prove they change nothing.

With `DATACHECK_SLOW_PATHS=1` in the environment: JSON Lines and CSV are read line by line
instead of by polars' bulk readers, every text is tokenized on its own instead of once per
distinct text, and the facts of JSON outputs are built after tokenizing rather than beside it.
Results must be identical either way.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

_T = TypeVar("_T")


def fast() -> bool:
    return os.environ.get("DATACHECK_SLOW_PATHS", "") not in ("1", "true", "yes")


def cores() -> int:
    """The cores this process may run on (at most 8: more buys the audit little)."""
    available = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return min(len(available) if available else os.cpu_count() or 1, 8)


_background = 0
_background_lock = threading.Lock()


def in_background(work: Callable[[], _T]) -> _T:
    """Run `work` (in a thread of its own) as background work, which holds one core while it
    runs: helpers that only speed up the foreground (tokenizing) stand back for it (see
    `background_work`)."""
    global _background
    with _background_lock:
        _background += 1
    try:
        return work()
    finally:
        with _background_lock:
            _background -= 1


def background_work() -> int:
    """How many pieces of background work run now, each holding a core. At 1M rows the
    hygiene analysis, run beside tokenizing, was the audit's longest chain, sharing two cores
    with two tokenizer threads; with one tokenizer thread until it ended, a 12.2 s audit took
    11.0 s."""
    return _background


def in_order(
    work: Callable[[Any], _T],
    items: Iterable[Any],
    workers: int,
    threads: Callable[[], int] | None = None,
    ahead: int = 0,
) -> Iterator[_T]:
    """`work(item)` of each of `items`, in order, on `workers` threads, or as many of them as
    `threads()` says (asked before each item is taken; with one, in the caller's thread),
    holding at most `ahead` items beyond those running: what is read ahead is bounded (each
    item may hold a block of memory)."""
    with ThreadPoolExecutor(workers, thread_name_prefix="datacheck") as pool:
        waiting: deque[Future[_T]] = deque()
        for item in items:
            count = threads() if threads is not None else workers
            if count < 2:
                while waiting:
                    yield waiting.popleft().result()
                yield work(item)
                continue
            waiting.append(pool.submit(work, item))
            while len(waiting) > count - 1 + ahead:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()


def release_freed_memory() -> None:
    """Hand memory that threads freed back to the system. glibc keeps it in each thread's
    arena for reuse, where it still counts in the process's size; elsewhere this does
    nothing."""
    _glibc("malloc_trim", 0)


def _glibc(function: str, *args: int) -> None:
    """Call one of glibc's allocator functions; without glibc, do nothing."""
    import ctypes

    try:
        getattr(ctypes.CDLL(None), function)(*args)
    except (OSError, AttributeError, TypeError):  # no glibc, or (Windows) no process handle
        pass


#: polars asks its allocator (jemalloc) to keep freed pages 0.5 s, then 1 s more marked
#: "muzzy", which Linux still counts in the process's size. Releasing them at once after
#: 0.25 s lowered the peak of a 1M-row audit by 40-50 MB (of ~1.1 GB), at no measured cost;
#: after 0.05 s, 41-68 MB lower on support tickets, 17 on average on real utterances, the
#: same on template rows (what polars frees just before the near-duplicate search was still
#: resident as numpy, which allocates elsewhere, made its first arrays), for 2% more time
#: (median of 18 interleaved pairs at 1M; returning pages at once cost 8-15%).
#: It also asks Linux for 2 MB pages, for its arenas (`thp:always`) and its own bookkeeping
#: (`metadata_thp:auto`), where the kernel grants them on request: a 1M-row audit took 1.1M
#: page faults -> 0.42M, 0.8-1.3 s less system time, and ran 3-12% faster in each of 6
#: interleaved pairs, its peak within 6%
#: One arena for every thread (`narenas:1`; jemalloc makes four a core), so memory one thread
#: frees (the tokenizer's, Great Expectations' import) serves the next that asks (the
#: hygiene analysis), and threads keep fewer freed blocks of their own (`tcache_max:1024`,
#: was 32 KiB): at 1M rows of real utterances the peak fell 30-60 MiB in interleaved runs,
#: no slower; on template rows it stayed within the noise
_ALLOCATOR = (
    "dirty_decay_ms:50,muzzy_decay_ms:0,thp:always,metadata_thp:auto,narenas:1,tcache_max:1024"
)


#: glibc's `mallopt` parameter for the most arenas its allocator makes (numpy's and the
#: tokenizers' memory): 8 a core by default, each keeping what its threads freed for them.
#: The near-duplicate search's threads each took one of their own, holding what the block
#: before had freed: at 1M template rows the audit's peak rose 40-50 MB (to 2.98x the
#: file); with one arena a core, it stayed where one thread had it
_M_ARENA_MAX = -8


def tune_allocator() -> None:
    """Have polars' allocator return freed memory sooner, and ask for huge pages; have
    glibc's keep one arena a core. Only works before polars loads (polars adds this setting
    to its own) and before threads have made their arenas, and never replaces the user's
    `_RJEM_MALLOC_CONF` or `MALLOC_ARENA_MAX`."""
    if "polars" not in sys.modules:
        os.environ.setdefault("_RJEM_MALLOC_CONF", _ALLOCATOR)
    if "MALLOC_ARENA_MAX" not in os.environ and "arena" not in os.environ.get("GLIBC_TUNABLES", ""):
        _glibc("mallopt", _M_ARENA_MAX, cores())
