"""JSON Lines (`.jsonl`, `.ndjson`, `.jsonl.gz`): one object per line, bad lines collected."""

from __future__ import annotations

import hashlib
import io
import json
import random
from pathlib import Path

import polars as pl

from datacheck._json import kind_with_article as json_kind
from datacheck._perf import fast
from datacheck.load._base import SOURCE_LINE, Loaded, LoadError
from datacheck.load._text import bad_utf8_lines, is_utf8, read_bytes, to_utf8


def load_jsonl(path: Path) -> Loaded:
    raw, digest = read_bytes(path)
    data = to_utf8(path, raw)
    lines = data.split(b"\n")
    frame, errors = _fast(data, lines) if fast() and is_utf8(data) else (None, [])
    if frame is None:
        frame, errors = _line_by_line(lines)
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


def _fast(data: bytes, lines: list[bytes]) -> tuple[pl.DataFrame | None, list[LoadError]]:
    """Let polars parse a clean file in one go; any surprise sends us down the careful path."""
    numbers = [i for i, line in enumerate(lines, 1) if line.strip()]
    if not numbers:
        return pl.DataFrame({SOURCE_LINE: pl.Series([], dtype=pl.Int64)}), []
    try:
        frame = pl.read_ndjson(io.BytesIO(data), infer_schema_length=None)
    except Exception:  # polars raises several kinds; all mean "go slow"
        return None, []
    if frame.height != len(numbers):
        return None, []
    return frame.with_columns(pl.Series(SOURCE_LINE, numbers, dtype=pl.Int64)), []


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
