"""Inputs whose size is not known before they are read: standard input, pipes (`<(zcat ...)`,
`/dev/fd/N`), FIFOs and devices, and bz2, xz and zstd files; and the bounded reading of
compressed bytes that every loader shares.

A stream is read once, so it is copied (decompressed) into a private temporary file and read
from there like any file: no byte that format sniffing looked at is lost, and line numbers
stay those of the stream. Every read is bounded by the limits in effect.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import os
import select
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

from datacheck.errors import InputError
from datacheck.limits import RATIO_FLOOR, current, size_text
from datacheck.load._formats import checked_format, sniff_bytes, suffix_kind

#: how a compressed file starts
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
STDIN = "-"
_BLOCK = 2**20
_LINE_FORMATS = ("jsonl", "csv", "tsv")


def compression_of(head: bytes) -> str | None:
    """The compression `head` (a file's first bytes) announces, or None."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def is_stream(path: Path) -> bool:
    """Standard input (`-`), a pipe or FIFO, a character device or a socket: read once, with
    no size known before."""
    if str(path) == STDIN:
        return True
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def needs_copy(path: Path) -> bool:
    """Whether `path` is read through a temporary copy: a stream, or a bz2, xz or zstd file."""
    if is_stream(path):
        return True
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            return compression_of(handle.read(8)) in ("bz2", "xz", "zstd")
    except OSError:
        return False


def display_name(path: Path) -> str:
    return "<stdin>" if str(path) == STDIN else str(path)


@contextmanager
def copied(path: Path, format: str | None = None) -> Iterator[tuple[Path, str]]:
    """A temporary file holding `path`'s content (decompressed), named with its format's
    suffix, and the sha256 of the bytes read; the file is removed on exit. The format is
    `format`, else the one the name tells, else the one the content's first bytes show."""
    name = display_name(path)
    raw = _Raw(path)
    try:
        head = raw.peek_head()
        compression = compression_of(head)
        reader = _decompressing(raw, compression) if compression else raw
        bounded = Bounded(reader, raw, name, compression)
        first = bounded.read(4096)
        if format is not None:
            kind = checked_format(format, first, name)
        else:
            kind = _kind_by_name(path) or sniff_bytes(first, name)
        with tempfile.TemporaryDirectory(prefix="datacheck-") as folder:
            target = Path(folder) / f"input.{kind}"
            with target.open("wb") as out:
                _copy(first, bounded, out, name, lines=kind in _LINE_FORMATS)
            yield target, raw.digest.hexdigest()
    finally:
        raw.close()


def _kind_by_name(path: Path) -> str | None:
    return None if str(path) == STDIN else suffix_kind(path)


def _copy(first: bytes, source: Bounded, out: IO[bytes], name: str, *, lines: bool) -> None:
    """Write `first` and the rest of `source` to `out`; for line formats, stop at a line longer
    than the limit (an endless device has no line ends)."""
    limit = current().max_line_bytes
    line, number = 0, 1
    block = first
    while block:
        if lines:
            start = 0
            while (end := block.find(b"\n", start)) >= 0:
                if line + end - start > limit:
                    break
                line, start, number = 0, end + 1, number + 1
            line += len(block) - start
            if line > limit:
                raise InputError(
                    f"{name}: line {number:d} is longer than {size_text(limit)} and reading "
                    "stopped there (a device or stream with no line ends?). Check the input; "
                    "raise [limits] max_line_bytes if such lines are meant."
                )
        out.write(block)
        block = source.read(_BLOCK)


class _Raw(io.RawIOBase):
    """The bytes of a file, pipe or device, read as they come: a wait for data longer than the
    limit is an error (a FIFO no one writes to, a stalled pipe); the sha256 of what was read
    is kept."""

    def __init__(self, path: Path) -> None:
        self.name = display_name(path)
        self.digest = hashlib.sha256()
        self.consumed = 0
        self._head = b""
        self._own = str(path) != STDIN
        if not self._own:
            if sys.stdin is None or sys.stdin.isatty():
                raise InputError(
                    "-: standard input is a terminal. Pipe the data in, e.g. "
                    "`zcat data.jsonl.gz | datacheck audit - --format jsonl`."
                )
            self._fd = sys.stdin.fileno()
        else:
            try:
                self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            except OSError as exc:
                raise InputError(f"{path}: cannot read ({exc.strerror or exc}).") from exc
        self._poll = select.poll()
        self._poll.register(self._fd, select.POLLIN | select.POLLPRI)

    def readable(self) -> bool:
        return True

    def peek_head(self) -> bytes:
        """The first 8 bytes (fewer at the end), kept to be read again: a pipe may hand
        them over in pieces, and the magic that names a compression is up to 6 long."""
        while len(self._head) < 8 and (more := self._read(8 - len(self._head))):
            self._head += more
        return self._head

    def tell(self) -> int:
        return self.consumed

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(self._head), len(view))
            view[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._read(len(view))
        view[: len(data)] = data
        return len(data)

    def _read(self, size: int) -> bytes:
        wait = current().stream_wait_seconds
        deadline = time.monotonic() + wait
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(remaining * 1000):
                raise InputError(
                    f"{self.name}: no data arrived for {wait:g} s, and reading gave up. Is a "
                    "program writing to it? Raise [limits] stream_wait_seconds for a slow one."
                )
            try:
                data = os.read(self._fd, size)
            except BlockingIOError:
                continue
            except OSError as exc:
                raise InputError(f"{self.name}: cannot read ({exc.strerror or exc}).") from exc
            self.digest.update(data)
            self.consumed += len(data)
            return data

    def close(self) -> None:
        if self._own and not self.closed:
            os.close(self._fd)
        super().close()


def _decompressing(raw: _Raw, compression: str) -> Any:
    buffered = io.BufferedReader(raw, _BLOCK)
    if compression == "gzip":
        return gzip.GzipFile(fileobj=buffered)
    if compression == "bz2":
        return bz2.BZ2File(buffered)
    if compression == "xz":
        return lzma.LZMAFile(buffered)
    import pyarrow as pa

    return pa.CompressedInputStream(buffered, "zstd")


class Bounded(io.RawIOBase):
    """`inner`'s bytes, counted: more than `max_bytes`, or (past `RATIO_FLOOR`) more than
    `max_ratio` times the compressed bytes `counter` has been read to (its `tell()`), is an
    error naming the file and the limit.
    Damaged compressed data is an error too."""

    def __init__(self, inner: Any, counter: Any, name: str, compression: str | None) -> None:
        self._inner = inner
        self._counter = counter
        self._name = name
        self._compression = compression
        self.produced = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            if not isinstance(self._counter, _Raw):  # a file opened for this reader
                self._counter.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_BLOCK), b""))
        try:
            data = self._inner.read(size)
        except InputError:
            raise
        except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
            what = f"the {self._compression} stream is damaged" if self._compression else None
            raise InputError(f"{self._name}: {what or 'cannot read'} ({exc}).") from exc
        self.produced += len(data)
        self._check()
        return bytes(data)

    def _check(self) -> None:
        limits = current()
        if self._compression is None:
            if self.produced > limits.max_bytes:
                raise InputError(
                    f"{self._name}: more than {size_text(limits.max_bytes)} arrived and reading "
                    "stopped (an endless stream?). Raise [limits] max_bytes to read more."
                )
            return
        consumed = max(1, int(self._counter.tell()))
        if self.produced > limits.max_bytes:
            raise InputError(
                f"{self._name}: decompresses to more than {size_text(limits.max_bytes)}, and "
                "reading stopped. Audit a part of it, or raise [limits] max_bytes."
            )
        if self.produced > RATIO_FLOOR and self.produced / consumed > limits.max_ratio:
            raise InputError(
                f"{self._name}: decompresses to more than {limits.max_ratio:g} times its "
                f"compressed size ({size_text(self.produced)} from "
                f"{size_text(consumed)}), which real text does not: a compression bomb? "
                "Raise [limits] max_ratio if the data is that repetitive."
            )


def open_bounded(path: Path) -> BinaryIO:
    """A regular file's bytes, gzip inflated as it is read, within the limits in effect."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc}).") from exc
    compression = compression_of(handle.read(8))
    handle.seek(0)
    if compression != "gzip":
        return handle
    inflated = gzip.GzipFile(fileobj=handle)
    bounded = Bounded(inflated, handle, str(path), "gzip")
    return io.BufferedReader(bounded, _BLOCK)


def bounded_lines(handle: BinaryIO, digest: Any = None) -> Iterator[bytes | None]:
    """The lines of `handle` with their line ends, each fed to `digest` if given; None for a
    line longer than `max_line_bytes`, which is skipped without being held."""
    limit = current().max_line_bytes
    while line := handle.readline(limit + 1):
        if digest is not None:
            digest.update(line)
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while rest := handle.readline(_BLOCK):
            if digest is not None:
                digest.update(rest)
            if rest.endswith(b"\n"):
                break
        yield None
