"""JSON Lines (`.jsonl`, `.ndjson`, `.jsonl.gz`): one object per line, bad lines collected."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import random
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from polars._typing import PolarsDataType

from datacheck._frames import compact
from datacheck._json import depth, dtype_kind
from datacheck._json import kind as value_kind
from datacheck._json import kind_with_article as json_kind
from datacheck._perf import cores, fast, in_order, release_freed_memory
from datacheck.errors import InputError
from datacheck.load._base import (
    MAX_NESTING,
    SOURCE_LINE,
    TOO_DEEP,
    Loaded,
    LoadError,
    file_sha256,
    line_too_long,
    repeated_key,
    too_large,
)
from datacheck.load._stream import bounded_lines
from datacheck.load._text import (
    LONE_SURROGATE,
    SURROGATE_ESCAPE,
    bad_utf8_lines,
    has_lone_surrogate,
    is_gzip,
    line_bounds,
    open_inflated,
    read_bytes,
    samples_in_stream,
    to_utf8,
    utf16_codec,
)


def load_jsonl(path: Path) -> Loaded:
    parsed, digest = _stream(path) if fast() and _plain(path) else (None, "")
    frame = parsed.frame if parsed is not None else None
    errors = list(parsed.errors) if parsed is not None else []
    if frame is None:
        raw, digest = read_bytes(path)
        data = to_utf8(path, raw)
        del raw
        if fast():
            if parsed is None:  # gzip or UTF-16: now in memory, chunks not tried yet
                parsed = _combine(_memory_chunks(data), again=lambda: _memory_chunks(data))
                frame, errors = parsed.frame, list(parsed.errors)
            if frame is None and parsed.disagree:
                frame = _whole(data)
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
    """A seeded random sample of `size` lines, read in two streaming passes (gzip files
    inflated as they are read): memory grows with the sample, not the file. None when the
    file has no more non-empty lines than `size` (then the whole file is read as usual)."""
    if not samples_in_stream(path):
        return None
    compressed = is_gzip(path)
    try:
        with open_inflated(path, compressed) as handle:
            lines = enumerate(bounded_lines(handle), 1)
            numbers = array("q", (n for n, line in lines if line is None or line.strip()))
        if len(numbers) <= size:
            return None
        chosen = set(random.Random(seed).sample(numbers, size))
        picked: list[bytes] = []
        long_lines: list[int] = []
        digest = hashlib.sha256()
        with open_inflated(path, compressed) as handle:
            for number, line in enumerate(bounded_lines(handle, None if compressed else digest), 1):
                if line is None:
                    long_lines.append(number)
                    line = b""
                picked.append(line.rstrip(b"\r\n") if number in chosen else b"")
    except (OSError, EOFError) as exc:
        problem = "the gzip stream is damaged" if compressed else "cannot read the file"
        raise InputError(f"{path}: {problem} ({exc}).") from exc
    sha256 = file_sha256(path) if compressed else digest.hexdigest()  # of the bytes on disk
    if picked and picked[0].startswith(b"\xef\xbb\xbf"):
        picked[0] = picked[0][3:]
    frame, errors = _line_by_line(picked)
    errors = sorted([*errors, *map(line_too_long, long_lines)], key=lambda error: error.line)
    loaded = Loaded(
        frame=frame,
        path=str(path),
        format="jsonl",
        position="line",
        errors=tuple(errors),
        sha256=sha256,
        files=(path,),
        sample_of=len(numbers),
    )
    return loaded


#: bytes per parse: polars' JSON reader needs about 12x its input while it works, and with it
#: 4 MB chunks read a 392 MB file fastest (4.5 s, 670 MB peak; 32 MB: 5.4 s, 1,250 MB)
_CHUNK_BYTES = 4 * 2**20
#: what a line holds when it is blank, and the codes of the white space among them
_BLANK = b" \t\r\f\v"
_BLANK_CODES = np.frombuffer(_BLANK, dtype=np.uint8)


class _Parsed(NamedTuple):
    frame: pl.DataFrame | None
    #: every chunk read, but they disagree on the kinds of fields nested in their values
    disagree: bool = False
    errors: tuple[LoadError, ...] = ()


def _plain(path: Path) -> bool:
    """Neither gzip nor UTF-16: the bytes on disk can be parsed as they are read."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    return head[:2] != b"\x1f\x8b" and utf16_codec(head) is None


def _stream(path: Path) -> tuple[_Parsed, str]:
    """Parse a plain UTF-8 file chunk by chunk as it is read, so the whole file is never in
    memory at once; and the sha256 of its bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        parsed = _combine(_file_chunks(handle, digest), again=lambda: _reread(path))
    return parsed, digest.hexdigest()


def _reread(path: Path) -> Iterator[bytes]:
    """The same chunks as the first read gave, for a second look at a few of them."""
    with path.open("rb") as handle:
        yield from _file_chunks(handle, hashlib.sha256())


def _file_chunks(handle: BinaryIO, digest: Any) -> Iterator[bytes]:
    """Whole lines, about `_CHUNK_BYTES` at a time; trailing newlines of the file dropped."""
    carry, pending, first = b"", b"", True
    while block := handle.read(_CHUNK_BYTES):
        digest.update(block)
        if first and block.startswith(codecs.BOM_UTF8):
            block = block[len(codecs.BOM_UTF8) :]
        first = False
        buffer = carry + block
        cut = buffer.rfind(b"\n") + 1
        if cut == 0:
            carry = buffer
            continue
        if pending:
            yield pending
        pending, carry = buffer[:cut], buffer[cut:]
    tail = (pending + carry).rstrip(b"\n")
    if tail:
        yield tail


def _memory_chunks(data: bytes) -> Iterator[bytes]:
    end = len(data.rstrip(b"\n")) if data.endswith(b"\n") else len(data)
    start = 0
    while start < end:
        stop = data.find(b"\n", start + _CHUNK_BYTES, end)
        stop = end if stop < 0 else stop + 1
        yield data[start:stop]
        start = stop


def _combine(chunks: Iterable[bytes], again: Callable[[], Iterable[bytes]]) -> _Parsed:
    """One frame from the chunks, each read on its own (lines polars cannot take are read
    one by one, so a bad line costs its chunk, not the file). Fields whose JSON kind differs
    between chunks become JSON text, as `frame_from_rows` makes them; `again` yields the
    chunks anew for the few that must be read a second time to write theirs."""
    parts: list[pl.DataFrame] = []
    errors: list[LoadError] = []
    for part, bad in _read_in_threads(_with_line_numbers(chunks)):
        parts.append(part)
        errors.extend(bad)
    if "pyarrow.json" in sys.modules:  # what Arrow's reads freed, kept by the threads' arenas
        release_freed_memory()
    if not parts:
        return _Parsed(None)
    if any(part.schema != parts[0].schema for part in parts):
        varying = _varying([part.schema for part in parts])
        converted = _as_json_text(parts, varying, again) if varying else parts
        if converted is None or not _only_gaps([part.schema for part in converted]):
            return _Parsed(None, disagree=True)
        frame = pl.concat(converted, how="diagonal_relaxed")  # the gaps filled with nulls
    else:
        # one chunk, as the diagonal concat gives: else a later step copies it all at a worse
        # moment (1M chat rows peaked 280 MB higher)
        frame = pl.concat(parts, rechunk=True)
    return _Parsed(frame.select(pl.exclude(SOURCE_LINE), SOURCE_LINE), errors=tuple(errors))


def _read_in_threads(
    chunks: Iterable[tuple[bytes, int]],
) -> Iterator[tuple[pl.DataFrame, list[LoadError]]]:
    """`_read_chunk` of each chunk, in order, a few chunks at a time in threads (Arrow and
    polars parse without holding the GIL); only a few chunks are ever read ahead."""
    return in_order(lambda chunk: _read_chunk(*chunk), chunks, cores(), ahead=1)


def _with_line_numbers(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """Each chunk with the 1-based number of its first line."""
    first = 1
    for chunk in chunks:
        yield chunk, first
        first += chunk.count(b"\n")


def _varying(schemas: list[pl.Schema]) -> set[str]:
    """The fields read as different JSON kinds in different chunks (nulls aside)."""
    kinds: dict[str, set[str]] = {}
    for schema in schemas:
        for name, dtype in schema.items():
            kinds.setdefault(name, set()).add(dtype_kind(dtype))
    return {name for name, seen in kinds.items() if len(seen - {"null"}) > 1}


def _as_json_text(
    parts: list[pl.DataFrame], fields: set[str], again: Callable[[], Iterable[bytes]]
) -> list[pl.DataFrame] | None:
    """`parts` with `fields` as text: strings as they are, other values as JSON. Numbers of
    one kind and booleans are cast; chunks holding floats, arrays or objects there are parsed
    again with those fields read as text (polars writes the JSON then); None if that fails."""
    exact = (pl.String, pl.Null, pl.Boolean, pl.Int64)
    parts = list(parts)
    redo: dict[int, frozenset[str]] = {}
    for index, part in enumerate(parts):
        present = [name for name in part.columns if name in fields]
        if all(part.schema[name] in exact for name in present):
            parts[index] = part.with_columns(pl.col(present).cast(pl.String))
        else:
            redo[index] = frozenset(present)
    if redo:
        last = max(redo)
        for index, (chunk, first) in enumerate(_with_line_numbers(again())):
            if index in redo:
                part, _bad = _read_chunk(chunk, first, text_fields=redo[index])
                if part.height != parts[index].height:
                    return None
                parts[index] = part
            if index == last:
                break  # the rest of the file need not be read again
    return parts


def _only_gaps(schemas: list[pl.Schema]) -> bool:
    """Whether chunks differ only where one lacks what another has (a field it never saw,
    or one that was null throughout it), by whole against fractional numbers, or, inside
    objects and lists, by text against numbers or booleans (read as text): then a parse of
    the whole file agrees with theirs joined."""
    merged: dict[str, PolarsDataType | None] = {}
    for schema in schemas:
        for name, dtype in schema.items():
            merged[name] = _merge(merged[name], dtype) if name in merged else dtype
    return all(dtype is not None for dtype in merged.values())


def _merge(a: PolarsDataType | None, b: PolarsDataType) -> PolarsDataType | None:
    """The type a parse of the whole file gives values read as `a` in some chunks and `b` in
    others; None when it has none (or may have none: it is not re-read whole for these)."""
    if a is None:
        return None
    if a == pl.Null or a == b:
        return b
    if b == pl.Null:
        return a
    if a.is_numeric() and b.is_numeric():  # integers in one chunk, fractions in another
        return pl.Float64
    if (a == pl.String or b == pl.String) and all(t == pl.String or _scalar(t) for t in (a, b)):
        return pl.String  # text in one chunk, numbers or booleans in another: "1", "2.5", "true"
    if isinstance(a, pl.List) and isinstance(b, pl.List):
        inner = _merge(a.inner, b.inner)
        return pl.List(inner) if inner is not None else None
    if isinstance(a, pl.Struct) and isinstance(b, pl.Struct):
        fields: dict[str, PolarsDataType | None] = {f.name: f.dtype for f in a.fields}
        for field in b.fields:
            fields[field.name] = (
                _merge(fields[field.name], field.dtype) if field.name in fields else field.dtype
            )
            if fields[field.name] is None:
                return None
        return pl.Struct({name: kind for name, kind in fields.items() if kind is not None})
    return None


def _scalar(dtype: PolarsDataType) -> bool:
    return dtype.is_numeric() or dtype == pl.Boolean


def _numbered(frame: pl.DataFrame, first: int = 1) -> pl.DataFrame:
    return frame.with_columns(
        pl.int_range(first, first + pl.len(), dtype=pl.Int64).alias(SOURCE_LINE)
    )


def _read_chunk(
    chunk: bytes, first: int, text_fields: frozenset[str] = frozenset()
) -> tuple[pl.DataFrame, list[LoadError]]:
    """The chunk's rows numbered from line `first`, and its bad lines; `text_fields` are
    read as text (JSON for what is not a string)."""
    part = _parse_chunk(chunk, text_fields)
    if part is not None:
        return _numbered(part, first), []
    return _line_by_line(chunk.split(b"\n"), first=first, text_fields=text_fields)


def _parse_chunk(chunk: bytes, text_fields: frozenset[str] = frozenset()) -> pl.DataFrame | None:
    """Whole lines as a compact frame, by polars; None for a blank line (line numbers would
    shift), bad UTF-8, or anything else it does not read one row per line."""
    bounds = line_bounds(chunk)
    if _has_blank_line(chunk, *bounds):
        return None
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _maybe_too_deep(chunk, bounds):
        return None
    if text_fields and SURROGATE_ESCAPE.search(chunk):
        return None  # no Arrow to tell a lone half from a pair
    try:
        part = None if text_fields else _by_arrow(chunk)
    except _CarefulOnly:  # the careful reader names the line
        return None
    if part is None:
        overrides = dict.fromkeys(text_fields, pl.String) or None
        try:
            part = pl.read_ndjson(
                io.BytesIO(chunk), infer_schema_length=None, schema_overrides=overrides
            )
        except Exception:  # polars raises several kinds; all mean "read it line by line"
            return None
    if part.height != len(bounds[0]) - chunk.endswith(b"\n"):
        return None
    if part.width and part.select(pl.all_horizontal(pl.all().is_null()).any()).item():
        return None  # a `null` line reads as a row of nulls: the careful reader names it
    floats = [c for c, kind in part.schema.items() if kind.is_float()]
    odd = [pl.col(c).is_nan() | pl.col(c).is_infinite() for c in floats]
    if odd and part.select(pl.any_horizontal(odd).any()).item():
        return None  # NaN or Infinity, which the bulk readers take but JSON has not
    if part.schema.get("messages") in (pl.String, pl.List(pl.String)) and b"\\" in chunk:
        return None  # lists kept as text, which polars writes with escapes undone: not JSON
    return compact(part)  # else its strings would keep the parser's buffers alive


def _by_arrow(chunk: bytes) -> pl.DataFrame | None:
    """The chunk read by Arrow's JSON reader, which is several times faster than polars' on
    nested data, when its frame is the one polars would read; else None. Unlike polars,
    Arrow reads strings that look like dates as timestamps (such fields are read again, as
    text), integers past 64 bits as floats (so only top-level floats below 2^63 pass) and
    renames a key "" (so none may be empty). Objects whose keys come in varying orders may
    list their fields in another order, which nothing downstream depends on: fields are read
    by name, and chunks are joined by name."""
    import pyarrow.json

    options = pyarrow.json.ReadOptions(use_threads=False, block_size=len(chunk) + 1)
    # the C library's allocator, not Arrow's default (mimalloc): that one kept 40-75 MiB of
    # what the reads freed, under everything after the load (1M rows of real utterances:
    # the audit's peak 1,030-1,038 MiB with it, 971-979 without); glibc's hands it back
    # on `release_freed_memory`
    pool = pyarrow.system_memory_pool()
    try:
        table = pyarrow.json.read_json(io.BytesIO(chunk), read_options=options, memory_pool=pool)
        wanted = _as_polars_reads(table.schema)
        if wanted is not None and wanted != table.schema:
            parse = pyarrow.json.ParseOptions(explicit_schema=wanted)
            table = pyarrow.json.read_json(
                io.BytesIO(chunk), read_options=options, parse_options=parse, memory_pool=pool
            )
    except Exception as exc:  # pyarrow raises several kinds; most mean "let polars read it"
        if "was specified twice" in str(exc) or "surrogate pair" in str(exc):
            raise _CarefulOnly(str(exc)) from exc  # which polars reads without a word
        return None
    if wanted is None or table.schema != wanted:
        return None
    try:
        part = pl.DataFrame(table)
    except pl.exceptions.PolarsError:  # polars 2.1 cannot take some, e.g. a list of nulls
        return None
    floats = [name for name, dtype in part.schema.items() if dtype == pl.Float64]
    if floats and part.select(pl.max_horizontal(pl.col(floats).abs().max()) >= 2.0**63).item():
        return None
    return part


def _as_polars_reads(schema: Any) -> Any:
    """The Arrow schema of the types polars infers for JSON values that Arrow inferred as
    `schema`; None when they may differ."""
    import pyarrow as pa

    def kind(of: Any, top: bool) -> Any:
        if pa.types.is_list(of):
            inner = kind(of.value_type, False)
            return None if inner is None else pa.list_(inner)
        if pa.types.is_struct(of):
            fields = [(f.name, kind(f.type, False)) for f in of]
            ok = all(name and inner is not None for name, inner in fields)
            return pa.struct(fields) if ok else None
        if pa.types.is_timestamp(of):
            return pa.string()
        plain = pa.types.is_string(of) or pa.types.is_int64(of) or pa.types.is_boolean(of)
        if plain or pa.types.is_null(of) or (top and pa.types.is_float64(of)):
            return of
        return None

    fields = [(f.name, kind(f.type, True)) for f in schema]
    if not all(name and inner is not None for name, inner in fields):
        return None
    return pa.schema(fields)


def _whole(data: bytes) -> pl.DataFrame | None:
    """One parse of the whole file: what decides when its chunks disagree on kinds."""
    if _maybe_too_deep(data) or SURROGATE_ESCAPE.search(data):
        return None
    try:
        frame = pl.read_ndjson(io.BytesIO(data), infer_schema_length=None)
    except Exception:  # polars raises several kinds; all mean "go slow"
        return None
    return _numbered(frame) if frame.height == data.rstrip(b"\n").count(b"\n") + 1 else None


def _has_blank_line(data: bytes, starts: np.ndarray, ends: np.ndarray) -> bool:
    """Whether a line of `data` that a newline ends holds nothing but white space. Only a
    line that is empty or starts with white space can, so first bytes clear most chunks
    (a regex that tried at every newline took as long as hashing the chunk)."""
    if not data:
        return False
    first = np.frombuffer(data, dtype=np.uint8)[np.minimum(starts, len(data) - 1)]
    maybe = (ends < len(data)) & ((ends == starts) | np.isin(first, _BLANK_CODES))
    return any(not data[int(starts[i]) : int(ends[i])].strip(_BLANK) for i in np.flatnonzero(maybe))


def _maybe_too_deep(data: bytes, bounds: tuple[np.ndarray, np.ndarray] | None = None) -> bool:
    """Whether a line of `data` may nest deeper than MAX_NESTING, or is broken JSON holding
    enough brackets that the bulk parsers could recurse that deep before they notice. Only a
    line with more opening brackets than that can, so line lengths clear most chunks, and
    only lines with that many brackets are parsed here. `bounds`: the lines' `line_bounds`,
    when known."""
    starts, ends = bounds if bounds is not None else line_bounds(data)
    for index in np.flatnonzero(ends - starts > 2 * MAX_NESTING):
        start, end = int(starts[index]), int(ends[index])
        if not _may_nest_too_deep(data, start, end):
            continue
        try:
            if depth(json.loads(data[start:end])) > MAX_NESTING:
                return True
        except (ValueError, RecursionError):  # broken JSON, or deeper than Python reads
            return True
    return False


def _may_nest_too_deep(data: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether the line `data[start:end]` has enough opening brackets to nest deeper than
    MAX_NESTING (which also takes a line of more than twice that many bytes)."""
    end = len(data) if end is None else end
    return (
        end - start > 2 * MAX_NESTING
        and data.count(b"[", start, end) + data.count(b"{", start, end) > MAX_NESTING
    )


class _HugeNumber(ValueError):
    """A whole number beyond 128 bits, which no column type holds."""


def _whole_number(text: str) -> int:
    problem = too_large(text)
    if problem is not None:
        raise _HugeNumber(problem)
    return int(text)


def _line_by_line(
    lines: list[bytes], *, first: int = 1, text_fields: frozenset[str] = frozenset()
) -> tuple[pl.DataFrame, list[LoadError]]:
    encoding_errors = bad_utf8_lines(lines, first=first)
    errors: list[LoadError] = []
    rows: list[dict[str, object]] = []
    numbers: list[int] = []
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if index in encoding_errors:
            errors.append(encoding_errors[index])
            continue
        number = first + index
        try:
            value = json.loads(
                line,
                parse_constant=_not_json,
                parse_int=_whole_number,
                object_pairs_hook=_unique_keys,
            )
        except json.JSONDecodeError as exc:
            errors.append(LoadError(number, f"invalid JSON: {_where(exc)}; fix or delete the line"))
            continue
        except _RepeatedKey as exc:
            errors.append(LoadError(number, repeated_key(exc.args[0])))
            continue
        except _HugeNumber as exc:
            errors.append(LoadError(number, str(exc)))
            continue
        except ValueError as exc:  # NaN or Infinity, which Python writes but JSON has not
            errors.append(LoadError(number, f"invalid JSON: {exc}; write null or a number"))
            continue
        except RecursionError:
            errors.append(LoadError(number, TOO_DEEP))
            continue
        if _may_nest_too_deep(line) and depth(value) > MAX_NESTING:
            errors.append(LoadError(number, TOO_DEEP))
            continue
        if SURROGATE_ESCAPE.search(line) and has_lone_surrogate(value):
            errors.append(LoadError(number, LONE_SURROGATE))
            continue
        if not isinstance(value, dict):
            errors.append(LoadError(number, f"expected a JSON object, found {json_kind(value)}"))
            continue
        rows.append(value)
        numbers.append(number)
    return frame_from_rows(rows, numbers, text_fields=text_fields), errors


def frame_from_rows(
    rows: list[dict[str, object]],
    numbers: list[int],
    *,
    text_fields: frozenset[str] = frozenset(),
) -> pl.DataFrame:
    """Build a frame from parsed objects; a field whose JSON kind varies from row to row, or
    one of `text_fields`, is kept as JSON text (its strings as they are), as the chunked
    reader keeps it."""
    if not rows:
        return pl.DataFrame({SOURCE_LINE: pl.Series([], dtype=pl.Int64)})
    varying = _varying_in_rows(rows) | text_fields
    if varying:
        rows = [{k: _json_text(v) if k in varying else v for k, v in row.items()} for row in rows]
    mixed = _mixed_inside(rows)
    if mixed:
        rows = [{k: _as_text_at(v, (k,), mixed) for k, v in row.items()} for row in rows]
    try:
        frame = pl.from_dicts(rows, infer_schema_length=None)
    except Exception:  # kinds that vary deeper down, inside lists or objects
        flattened = [
            {k: _json_text(v) if isinstance(v, (dict, list)) else v for k, v in row.items()}
            for row in rows
        ]
        frame = pl.from_dicts(flattened, infer_schema_length=None)
    return frame.with_columns(pl.Series(SOURCE_LINE, numbers, dtype=pl.Int64))


def _varying_in_rows(rows: list[dict[str, object]]) -> set[str]:
    kinds: dict[str, set[str]] = {}
    for row in rows:
        for key, value in row.items():
            if value is not None:
                kinds.setdefault(key, set()).add(value_kind(value))
    return {key for key, seen in kinds.items() if len(seen) > 1}


def _mixed_inside(rows: list[dict[str, object]]) -> set[tuple[str, ...]]:
    """Places inside objects (a path of keys, "[]" for a list's items) that hold an object or
    a list in some rows and something else in others. polars would write such an object as
    `{1}` (its values only) or drop a number beside it; a parse of the whole file keeps it as
    JSON text, and so does `_as_text_at`."""
    kinds: dict[tuple[str, ...], set[str]] = {}

    def walk(value: object, path: tuple[str, ...]) -> None:
        if value is None:
            return
        if len(path) > 1:
            kinds.setdefault(path, set()).add(
                "object" if isinstance(value, dict) else "list" if isinstance(value, list) else "x"
            )
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, (*path, key))
        elif isinstance(value, list):
            for inner in value:
                walk(inner, (*path, "[]"))

    for row in rows:
        for key, value in row.items():
            if isinstance(value, (dict, list)):
                walk(value, (key,))
    return {path for path, seen in kinds.items() if len(seen) > 1 and seen & {"object", "list"}}


def _as_text_at(value: object, path: tuple[str, ...], mixed: set[tuple[str, ...]]) -> object:
    """`value` with what is found at `mixed` places written as text: objects and lists as JSON,
    numbers and booleans as polars spells them (`[{...}, 5]` reads as two texts there too)."""
    if path in mixed:
        return _json_text(value)
    if isinstance(value, dict):
        return {k: _as_text_at(v, (*path, k), mixed) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text_at(v, (*path, "[]"), mixed) for v in value]
    return value


def _json_text(value: object) -> object:
    """A value of a field read as text: strings as they are, anything else as the JSON polars
    writes when it reads such a field, so that a chunk read here and one read by polars spell
    a value alike (a label 1.0 is "1" in both, not "1" in one and "1.0" in the other)."""
    if value is None or isinstance(value, str):
        return value
    return _as_polars_writes(value)


def _as_polars_writes(value: object) -> str:
    if isinstance(value, float):  # positional, shortest digits: 3.0 -> 3, 1e-07 -> 0.0000001
        return np.format_float_positional(value, unique=True, trim="-")
    if isinstance(value, dict):
        items = (
            f"{json.dumps(k, ensure_ascii=False)}: {_as_polars_writes(v)}" for k, v in value.items()
        )
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_as_polars_writes(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


class _CarefulOnly(Exception):
    """Arrow refused a chunk for what polars would read without a word (a repeated key, half
    a surrogate pair): only the careful reader may read it."""


class _RepeatedKey(ValueError):
    """An object names a key twice: polars keeps the first value, Python's json the last, and
    Arrow refuses the line, so what the line holds depends on who reads it."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return value


def _where(exc: json.JSONDecodeError) -> str:
    message = exc.msg[0].lower() + exc.msg[1:]
    joiner = " column" if message.endswith(" at") else " at column"
    return f"{message}{joiner} {exc.colno}"
