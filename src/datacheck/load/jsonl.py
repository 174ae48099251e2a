"""JSON Lines (`.jsonl`, `.ndjson`, `.jsonl.gz`): one object per line, bad lines collected."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
from pathlib import Path

import polars as pl

from datacheck._json import kind_with_article as json_kind
from datacheck._perf import fast
from datacheck.load._base import SOURCE_LINE, Loaded, LoadError
from datacheck.load._text import bad_utf8_lines, read_bytes, to_utf8


def load_jsonl(path: Path) -> Loaded:
    raw, digest = read_bytes(path)
    data = to_utf8(path, raw)
    del raw
    frame, errors = _fast(data) if fast() else (None, [])
    if frame is None:
        frame, errors = _line_by_line(data.split(b"\n"))
    return Loaded(
        frame=frame,
        path=str(path),
        format="jsonl",
        position="line",
        errors=tuple(errors),
        sha256=digest,
        files=(path,),
    )


def sample_jsonl(path: Path, size: int, seed: int) -> Loaded | None:
    """A seeded random sample of `size` lines, read in one streaming pass: memory grows with
    the sample, not the file. None when the file has no more non-empty lines than `size`
    (then the whole file is read as usual), or when it is compressed."""
    with path.open("rb") as handle:
        if handle.read(2) == b"\x1f\x8b":
            return None
        handle.seek(0)
        numbers = [n for n, line in enumerate(handle, 1) if line.strip()]
    if len(numbers) <= size:
        return None
    chosen = set(random.Random(seed).sample(numbers, size))
    picked: list[bytes] = []
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            digest.update(line)
            picked.append(line.rstrip(b"\r\n") if number in chosen else b"")
    if picked and picked[0].startswith(b"\xef\xbb\xbf"):
        picked[0] = picked[0][3:]
    frame, errors = _line_by_line(picked)
    loaded = Loaded(
        frame=frame,
        path=str(path),
        format="jsonl",
        position="line",
        errors=tuple(errors),
        sha256=digest.hexdigest(),
        files=(path,),
        sample_of=len(numbers),
    )
    return loaded


#: bytes per polars parse: its JSON reader needs about 12x its input while it works
_CHUNK_BYTES = 32 * 2**20
_BLANK_LINE = re.compile(rb"\n[ \t\r\f\v]*\n")  # a literal start keeps the scan fast
_BLANK_FIRST = re.compile(rb"[ \t\r\f\v]*\n")


def _fast(data: bytes) -> tuple[pl.DataFrame | None, list[LoadError]]:
    """Let polars parse a clean file, a chunk of whole lines at a time; any surprise (bad
    UTF-8, a bad line, blank lines, kinds that disagree) sends us down the careful path."""
    end = len(data)
    while end and data[end - 1] == 0x0A:
        end -= 1
    last = data[data.rfind(b"\n", 0, end) + 1 : end]
    if not last.strip() or _BLANK_FIRST.match(data) or _BLANK_LINE.search(data, 0, end):
        return None, []  # blank lines shift line numbers: the careful path counts them
    lines = data.count(b"\n", 0, end) + 1
    parts = []
    start = 0
    while start < len(data):
        stop = data.find(b"\n", start + _CHUNK_BYTES)
        stop = len(data) if stop < 0 else stop + 1
        chunk = data[start:stop]
        start = stop
        try:
            chunk.decode("utf-8")
            part = pl.read_ndjson(io.BytesIO(chunk), infer_schema_length=None)
        except Exception:  # polars raises several kinds; all mean "go slow"
            return None, []
        # a copy through Arrow drops the parse buffers the string views still point into
        parts.append(pl.from_arrow(part.to_arrow(compat_level=pl.CompatLevel.oldest())))
    try:
        if all(part.schema == parts[0].schema for part in parts):
            frame = pl.concat(parts)
        else:  # chunks disagree; one parse of the whole file decides, as it always did
            del parts
            frame = pl.read_ndjson(io.BytesIO(data), infer_schema_length=None)
    except Exception:
        return None, []
    if frame.height != lines:
        return None, []
    return frame.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(SOURCE_LINE)), []


def _line_by_line(lines: list[bytes]) -> tuple[pl.DataFrame, list[LoadError]]:
    encoding_errors = bad_utf8_lines(lines)
    errors: list[LoadError] = []
    rows: list[dict[str, object]] = []
    numbers: list[int] = []
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if index in encoding_errors:
            errors.append(encoding_errors[index])
            continue
        number = index + 1
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(LoadError(number, f"invalid JSON: {_where(exc)}; fix or delete the line"))
            continue
        if not isinstance(value, dict):
            errors.append(LoadError(number, f"expected a JSON object, found {json_kind(value)}"))
            continue
        rows.append(value)
        numbers.append(number)
    return frame_from_rows(rows, numbers), errors


def frame_from_rows(rows: list[dict[str, object]], numbers: list[int]) -> pl.DataFrame:
    """Build a frame from parsed objects; fields whose JSON kind varies are kept as JSON text."""
    if not rows:
        return pl.DataFrame({SOURCE_LINE: pl.Series([], dtype=pl.Int64)})
    try:
        frame = pl.from_dicts(rows, infer_schema_length=None)
    except Exception:  # mixed struct/list/scalar kinds in one field
        flattened = [
            {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in row.items()}
            for row in rows
        ]
        frame = pl.from_dicts(flattened, infer_schema_length=None)
    return frame.with_columns(pl.Series(SOURCE_LINE, numbers, dtype=pl.Int64))


def _where(exc: json.JSONDecodeError) -> str:
    message = exc.msg[0].lower() + exc.msg[1:]
    joiner = " column" if message.endswith(" at") else " at column"
    return f"{message}{joiner} {exc.colno}"
