"""How far datacheck reads before it stops: the bounds that turn a hostile or broken input (a
gzip bomb, an endless device, a silent pipe, a whole file pasted into one cell) into a clear
message instead of a hang or an out-of-memory kill.

Each bound has a default that fits a laptop and is set in `[limits]` of the configuration.
The loaders read the bounds in effect with `current()`; `load()` puts them in effect.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Limits:
    """The bounds of one audit. Sizes are bytes unless named otherwise."""

    #: content of a stream or a compressed file once decompressed (a plain file's size is
    #: known before it is read, and the memory guard weighs it)
    max_bytes: int = 16 * 2**30
    #: decompressed bytes per compressed byte, weighed once 64 MiB have come out: real text
    #: compresses 3-20x, a gzip bomb of zeros about 1,000x
    max_ratio: float = 200.0
    #: one line of a stream or of a file sampled while it is read
    max_line_bytes: int = 64 * 2**20
    #: one text value of one example: 1M characters is some 250k tokens, past any context window
    max_field_chars: int = 1_000_000
    #: categories listed per finding and in the label table of reports (counts stay whole)
    max_labels_shown: int = 200
    #: how long a pipe, FIFO or standard input may stay silent before reading gives up
    stream_wait_seconds: float = 60.0

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Limits:
        return cls(**values)


#: the `[limits]` keys and what each must be
LIMIT_KEYS = {f.name: f.type for f in fields(Limits)}
#: decompressed bytes before the ratio is weighed: a small file may compress very well
RATIO_FLOOR = 64 * 2**20

_current: ContextVar[Limits] = ContextVar("datacheck_limits", default=Limits())  # noqa: B039 (frozen)


def current() -> Limits:
    """The bounds in effect for the load under way."""
    return _current.get()


@contextmanager
def in_effect(limits: Limits) -> Iterator[Limits]:
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def size_text(size: float) -> str:
    """`size` bytes for a message: 16 GiB, 64 MiB, 900 bytes."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{int(size):,} bytes"
