"""What every loader returns: the rows, where each came from, and what could not be read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

#: Column added to every loaded frame: the 1-based line (text files) or row (tables)
#: each example came from.
SOURCE_LINE = "__source_line__"
#: Column added when the source has named splits (Hugging Face DatasetDict, --eval files).
SPLIT = "__split__"
#: How deep a record may nest arrays and objects. Deeper ones are reported, not read: Arrow's
#: JSON parser recurses once per level and crashes the process some 16,000 levels down, and
#: polars' slows with the cube of the depth (5 s for one record 700 levels deep).
MAX_NESTING = 256


def repeated_key(key: str) -> str:
    """Why an object that names `key` twice is not read: polars keeps the first value,
    Python's json the last, and Arrow refuses it, so its meaning depends on the reader."""
    return (
        f"the key {key!r} appears twice in one object, and JSON readers disagree on which "
        "value counts; keep only one"
    )


def too_large(text: str) -> str | None:
    """Why the JSON whole number `text` cannot be read (no 128-bit column holds it), or None."""
    if -(2**127) <= int(text) < 2**127:
        return None
    return (
        f"a whole number of {len(text.lstrip('-'))} digits is larger than a 128-bit column "
        "holds; write it as a string (in quotes) or fix the line"
    )


TOO_DEEP = (
    f"nested more than {MAX_NESTING} levels deep (arrays and objects inside each other); "
    "flatten the record or delete it"
)


def line_too_long(line: int) -> LoadError:
    """The error for a line past `max_line_bytes`, which was skipped unread."""
    from datacheck.limits import current, size_text

    limit = size_text(current().max_line_bytes)
    return LoadError(
        line,
        f"longer than {limit} ([limits] max_line_bytes) and skipped; split the line, or "
        "raise the limit if such lines are meant",
    )


@dataclass(frozen=True)
class LoadError:
    """One line or row that could not be read, and why."""

    line: int
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class Loaded:
    """A loaded source: a polars frame with a provenance column, plus per-line errors."""

    frame: pl.DataFrame
    path: str
    format: str
    #: "line" for line-oriented text files, "row" for tables and datasets.
    position: str = "line"
    errors: tuple[LoadError, ...] = field(default_factory=tuple)
    sha256: str | None = None
    files: tuple[Path, ...] = field(default_factory=tuple)
    #: when the frame is a random sample: how many rows the whole source has
    sample_of: int | None = None
    #: a pretty-printed JSON document's: the line each record starts on (record N at N - 1)
    record_lines: tuple[int, ...] | None = None
    #: a folder's files and the records each holds (see `datacheck._parts`)
    parts: tuple[dict[str, Any], ...] = ()


def file_sha256(path: Path) -> str:
    """The sha256 of the file's bytes on disk, read a block at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()
