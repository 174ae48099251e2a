"""CSV and TSV: every value read as text, exactly as written, with the line each row starts on."""

from __future__ import annotations

import csv as _csv
import io
from pathlib import Path

import polars as pl

from datacheck._perf import fast
from datacheck.errors import InputError
from datacheck.load._base import SOURCE_LINE, Loaded, LoadError
from datacheck.load._text import bad_utf8_lines, is_utf8, read_bytes, to_utf8


def load_csv(path: Path, separator: str = ",") -> Loaded:
    raw, digest = read_bytes(path)
    data = to_utf8(path, raw)
    errors: list[LoadError] = []
    if not is_utf8(data):
        lines = data.split(b"\n")
        bad = bad_utf8_lines(lines)
        errors.extend(bad.values())
        data = b"\n".join(b"" if i in bad else line for i, line in enumerate(lines))
    if not data.strip():
        frame = pl.DataFrame({SOURCE_LINE: pl.Series([], dtype=pl.Int64)})
    else:
        frame = _fast(data, separator) if fast() else None
        if frame is None:
            frame, row_errors = _careful(path, data, separator)
            errors.extend(row_errors)
    errors.sort(key=lambda e: e.line)
    return Loaded(
        frame=frame,
        path=str(path),
        format="tsv" if separator == "\t" else "csv",
        position="line",
        errors=tuple(errors),
        sha256=digest,
        files=(path,),
    )


def _fast(data: bytes, separator: str) -> pl.DataFrame | None:
    if b"\n\n" in data.replace(b"\r\n", b"\n"):
        return None  # blank lines shift line numbers; let the careful reader count them
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            separator=separator,
            infer_schema=False,
            raise_if_empty=False,
        )
    except Exception:  # polars raises several kinds; all mean "read it carefully"
        return None
    string_columns = [c for c, t in frame.schema.items() if t == pl.String]
    newlines = pl.sum_horizontal(
        [pl.col(c).str.count_matches("\n").fill_null(0) for c in string_columns] or [pl.lit(0)]
    )
    # a row starts one line after the previous row ended; the header is line 1
    start = (newlines.cum_sum() - newlines + pl.int_range(pl.len()) + 2).cast(pl.Int64)
    return frame.with_columns(start.alias(SOURCE_LINE))


def _careful(path: Path, data: bytes, separator: str) -> tuple[pl.DataFrame, list[LoadError]]:
    text = data.decode("utf-8")
    reader = _csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = next(reader)
    except (StopIteration, _csv.Error) as exc:
        raise InputError(f"{path}: the header line cannot be read as CSV ({exc}).") from exc
    columns: dict[str, list[str | None]] = {name: [] for name in header}
    numbers: list[int] = []
    errors: list[LoadError] = []
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except _csv.Error as exc:
            errors.append(LoadError(start, f"cannot be read as CSV: {exc}"))
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        if not record:
            continue
        if len(record) != len(header):
            errors.append(
                LoadError(
                    start,
                    f"has {len(record)} fields but the header has {len(header)}; "
                    "quote values that contain the separator",
                )
            )
            continue
        for name, value in zip(header, record, strict=True):
            columns[name].append(value)
        numbers.append(start)
    frame = pl.DataFrame(columns, schema=dict.fromkeys(header, pl.String))
    return frame.with_columns(pl.Series(SOURCE_LINE, numbers, dtype=pl.Int64)), errors
