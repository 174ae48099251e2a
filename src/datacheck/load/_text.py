"""Reading text files as bytes: gzip, byte-order marks, and per-line UTF-8 problems."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from datacheck.errors import InputError
from datacheck.load._base import LoadError
from datacheck.load._stream import Bounded, open_bounded

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_bytes(path: Path) -> tuple[bytes, str]:
    """Return the file's bytes (gunzipped when it is gzip) and the sha256 of the bytes on disk."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc}).") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if raw[:2] == b"\x1f\x8b":
        source = io.BytesIO(raw)
        raw = Bounded(gzip.GzipFile(fileobj=source), source, str(path), "gzip").read()
        if raw[:2] == b"\x1f\x8b":
            raise InputError(
                f"{path}: is compressed twice (gzip inside gzip); decompress it once, e.g. "
                "`gunzip -c FILE > data.jsonl.gz`, and audit that."
            )
    return raw, digest


def utf16_codec(head: bytes) -> str | None:
    """The UTF-16 codec `head` (a file's first bytes) is written in, or None: by its byte-order
    mark, or without one by the zero byte that pads every character of mostly-ASCII text
    (every second byte zero, on the odd bytes for little-endian)."""
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    head = head[: min(len(head), 4096) // 2 * 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def to_utf8(path: Path, data: bytes) -> bytes:
    """Drop a UTF-8 byte-order mark and transcode UTF-16 files (with or without a byte-order
    mark) to UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    codec = utf16_codec(data[:4096])
    if codec is not None:
        try:
            return data.decode(codec).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: reads like UTF-16 but cannot be decoded ({exc}).") from exc
    return data


def bad_utf8_lines(lines: list[bytes], *, first: int = 1) -> dict[int, LoadError]:
    """Map 0-based line index to a load error for every line that is not valid UTF-8; the
    errors name lines counted from `first`."""
    errors: dict[int, LoadError] = {}
    for index, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors[index] = LoadError(
                first + index,
                f"not valid UTF-8 (byte 0x{line[exc.start]:02x} at column {exc.start + 1}); "
                "re-save the file as UTF-8, e.g. `iconv -f cp1252 -t utf-8`",
            )
    return errors


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


#: a JSON escape of half a UTF-16 surrogate pair without its other half (an escaped emoji is
#: a whole pair); one alone is not a character
SURROGATE_ESCAPE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
LONE_SURROGATE = (
    "holds an escape in \\uD800-\\uDFFF on its own (half of a surrogate pair), which is "
    "not a character; fix or remove the escape"
)


def has_lone_surrogate(value: Any) -> bool:
    """Whether parsed JSON `value` holds half a surrogate pair in a string or key."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def line_bounds(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Where each line of `data` starts, and where it ends (before its newline)."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    return np.r_[0, ends + 1], np.r_[ends, len(data)]


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def open_inflated(path: Path, gzipped: bool) -> BinaryIO:
    """The file's bytes, inflated as they are read when it is gzip, within the limits."""
    return open_bounded(path) if gzipped else path.open("rb")


def samples_in_stream(path: Path) -> bool:
    """Whether a text file can be sampled in a stream (gzip inflated as it is read): any file
    but a UTF-16 one, which is transcoded whole."""
    with open_inflated(path, is_gzip(path)) as handle:
        try:
            head = handle.read(4096)
        except (OSError, EOFError):
            return True  # damaged gzip: sampling says so, with the file's name
    return utf16_codec(head) is None
