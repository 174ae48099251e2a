"""CSV and TSV: every value read as text, exactly as written, with the line each row starts on."""

from __future__ import annotations

import csv as _csv
import io
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import polars as pl

from datacheck._perf import fast
from datacheck._words import plural
from datacheck.errors import InputError
from datacheck.load._base import SOURCE_LINE, Loaded, LoadError, file_sha256
from datacheck.load._text import (
    bad_utf8_lines,
    is_gzip,
    is_utf8,
    line_bounds,
    open_inflated,
    read_bytes,
    samples_in_stream,
    to_utf8,
)

# Python's csv module refuses fields over 128 KB by default; a pasted log or document in a
# training example can be larger, and polars' reader takes it, so the careful reader must too
_csv.field_size_limit(2**31 - 1)

#: separators a `.csv` file may use in place of commas (Excel in many locales writes `;`)
_SEPARATORS = (",", ";", "\t", "|")


def separator_of(header: str) -> str:
    """The separator a CSV header line uses: a comma if it has one outside quotes, else the
    most frequent of `;`, tab and `|`, else a comma (a single column)."""
    counts = dict.fromkeys(_SEPARATORS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    if counts[","]:
        return ","
    best = max(_SEPARATORS[1:], key=counts.__getitem__)
    return best if counts[best] else ","


def load_csv(path: Path, separator: str | None = None) -> Loaded:
    """Read a CSV file (or a TSV file, given a tab as `separator`); with no separator given,
    the header line shows which one the file uses."""
    raw, digest = read_bytes(path)
    data = to_utf8(path, raw)
    if b"\n" not in data and b"\r" in data:  # classic Mac OS ends lines with \r alone
        data = data.replace(b"\r", b"\n")
    if separator is None:
        end = data.find(b"\n")
        separator = separator_of(data[: end if end >= 0 else None].decode("utf-8", "replace"))
    errors: list[LoadError] = []
    if not is_utf8(data):
        lines = data.split(b"\n")
        bad = bad_utf8_lines(lines)
        errors.extend(bad.values())
        data = b"\n".join(b"" if i in bad else line for i, line in enumerate(lines))
    if not data.strip():
        frame = pl.DataFrame({SOURCE_LINE: pl.Series([], dtype=pl.Int64)})
    else:
        quick = _fast(data, separator) if fast() else None
        if quick is not None:
            frame = quick
        else:
            frame, row_errors = _careful(path, data, separator)
            errors.extend(row_errors)
    errors.sort(key=lambda e: e.line)
    return _loaded(path, separator, frame, errors, digest)


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
    frame = frame.with_columns(start.alias(SOURCE_LINE))
    return None if _has_short_row(data, frame, separator) else frame


#: rows with an empty last field checked one by one before the whole file is read carefully
_SUSPECTS = 100_000


def _has_short_row(data: bytes, frame: pl.DataFrame, separator: str) -> bool:
    """Whether a row has fewer fields than the header, which polars' reader fills in without a
    word (the careful reader reports it). Only a row whose last field reads as empty can be
    one, so only those rows are parsed again, each from its own lines."""
    if frame.width < 2:
        return False
    last = frame.columns[-2]  # the one before SOURCE_LINE
    spans = frame.select(
        pl.col(SOURCE_LINE).alias("first"),
        pl.col(SOURCE_LINE).shift(-1).alias("after"),
        pl.col(last).is_null().alias("suspect"),
    ).filter("suspect")
    if spans.height > _SUSPECTS:
        return True
    if spans.is_empty():
        return False
    starts, _ends = line_bounds(data)  # line n starts at starts[n - 1]
    width = frame.width - 1
    for first, after in spans.select("first", "after").iter_rows():
        stop = int(starts[after - 1]) if after is not None else len(data)
        record = data[int(starts[first - 1]) : stop].decode("utf-8")
        fields = next(_csv.reader(io.StringIO(record, newline=""), delimiter=separator), [])
        if len(fields) < width:
            return True
    return False


def _careful(path: Path, data: bytes, separator: str) -> tuple[pl.DataFrame, list[LoadError]]:
    text = data.decode("utf-8")
    reader = _csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = _header(reader, path)
    errors: list[LoadError] = []
    return _frame(header, _readable(_rows(reader, len(header)), errors)), errors


def sample_csv(path: Path, size: int, seed: int, separator: str | None = None) -> Loaded | None:
    """A seeded random sample of `size` rows, read in two streaming passes (gzip inflated as
    it is read): memory grows with the sample, not the file. Every row is checked, so the
    rows that cannot be read are all reported. None when the file has no more rows than
    `size`, or is not UTF-8 throughout (then it is read whole as usual)."""
    if not samples_in_stream(path):
        return None
    try:
        errors: list[LoadError] = []
        if separator is None:
            with _text(path) as handle:
                separator = separator_of(handle.readline())
        with _text(path) as handle:
            reader = _csv.reader(handle, delimiter=separator)
            header = _header(reader, path)
            rows = sum(1 for _ in _readable(_rows(reader, len(header)), errors))
        if rows <= size:
            return None
        chosen = set(random.Random(seed).sample(range(1, rows + 1), size))
        with _text(path) as handle:
            reader = _csv.reader(handle, delimiter=separator)
            _header(reader, path)
            readable = enumerate(_readable(_rows(reader, len(header)), []), 1)
            frame = _frame(header, (row for n, row in readable if n in chosen))
    except UnicodeDecodeError:
        return None
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot be read ({exc}).") from exc
    return _loaded(path, separator, frame, errors, file_sha256(path), sample_of=rows)


def _loaded(
    path: Path,
    separator: str,
    frame: pl.DataFrame,
    errors: list[LoadError],
    digest: str,
    sample_of: int | None = None,
) -> Loaded:
    return Loaded(
        frame=frame,
        path=str(path),
        format="tsv" if separator == "\t" else "csv",
        position="line",
        errors=tuple(errors),
        sha256=digest,
        files=(path,),
        sample_of=sample_of,
    )


def _text(path: Path) -> TextIO:
    """The file as UTF-8 text read in a stream, gzip inflated, a byte-order mark dropped."""
    return io.TextIOWrapper(open_inflated(path, is_gzip(path)), encoding="utf-8-sig", newline="")


def _header(reader: Any, path: Path) -> list[str]:
    try:
        return _unique_names(next(reader))
    except (StopIteration, _csv.Error) as exc:
        raise InputError(f"{path}: the header line cannot be read as CSV ({exc}).") from exc


def _unique_names(header: list[str]) -> list[str]:
    """The header's names as polars' reader gives them: a name met again becomes
    `name_duplicated_0`, then `_1`, skipping names the header already has."""
    taken = set(header)
    repeats: dict[str, int] = {}
    names = []
    for name in header:
        if name not in repeats:
            repeats[name] = 0
            names.append(name)
            continue
        while True:
            candidate = f"{name}_duplicated_{repeats[name]}"
            repeats[name] += 1
            if candidate not in taken:
                break
        taken.add(candidate)
        names.append(candidate)
    return names


def _rows(reader: Any, width: int) -> Iterator[tuple[int, list[str]] | LoadError]:
    """Each record with the line it starts on, or the reason it is not a row."""
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except _csv.Error as exc:
            yield LoadError(start, f"cannot be read as CSV: {exc}")
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        if not record:
            continue
        if len(record) < width and "\n" in record[-1] and last_line > start:
            yield LoadError(
                start,
                f"a quoted value that starts here runs on to line {last_line}, short of "
                f"{plural(width, 'field')}; close its quote (a quote inside a value is "
                'written twice: "")',
            )
            continue
        if len(record) != width:
            yield LoadError(
                start,
                f"has {plural(len(record), 'field')} but the header has {width}; "
                "quote values that contain the separator",
            )
            continue
        yield start, record


def _readable(
    rows: Iterable[tuple[int, list[str]] | LoadError], errors: list[LoadError]
) -> Iterator[tuple[int, list[str]]]:
    """The rows that can be read; the reasons the others cannot go to `errors`."""
    for row in rows:
        if isinstance(row, LoadError):
            errors.append(row)
        else:
            yield row


def _frame(header: list[str], rows: Iterable[tuple[int, list[str]]]) -> pl.DataFrame:
    """The rows (the line each starts on, its values) as text columns named by `header`."""
    columns: dict[str, list[str | None]] = {name: [] for name in header}
    numbers: list[int] = []
    for start, record in rows:
        for name, value in zip(header, record, strict=True):
            columns[name].append(value)
        numbers.append(start)
    frame = pl.DataFrame(columns, schema=dict.fromkeys(header, pl.String))
    return frame.with_columns(pl.Series(SOURCE_LINE, numbers, dtype=pl.Int64))
