"""A JSON document: an array of objects, an object holding one such array, or one per split."""

from __future__ import annotations

import json as _json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from datacheck._json import depth
from datacheck._json import kind_with_article as json_kind
from datacheck.errors import InputError
from datacheck.load._base import (
    MAX_NESTING,
    SOURCE_LINE,
    SPLIT,
    TOO_DEEP,
    Loaded,
    LoadError,
    repeated_key,
    too_large,
)
from datacheck.load._text import (
    LONE_SURROGATE,
    SURROGATE_ESCAPE,
    has_lone_surrogate,
    read_bytes,
    to_utf8,
)
from datacheck.load.exports import export_records, snips_split
from datacheck.load.jsonl import frame_from_rows, load_jsonl


def load_json(path: Path) -> Loaded:
    raw, digest = read_bytes(path)
    data = to_utf8(path, raw)
    if not data.strip():
        raise InputError(f"{path}: contains no examples (the file is empty or only blank).")
    marked: list[object] = []  # the NaNs and objects with a repeated key met while parsing
    try:
        text = data.decode("utf-8")
        escaped = False
    except UnicodeDecodeError:  # bad bytes cost their record: each becomes a lone \udcXX
        text = data.decode("utf-8", "surrogateescape")
        escaped = True
    try:
        document = _json.loads(
            text,
            parse_constant=lambda name: _Constant(name, marked),
            parse_int=lambda text: _whole_number(text, marked),
            object_pairs_hook=lambda pairs: _object(pairs, marked),
        )
    except RecursionError as exc:
        raise InputError(
            f"{path}: a record is nested more than {sys.getrecursionlimit()} levels deep "
            f"(arrays and objects inside each other); datacheck reads up to {MAX_NESTING}. "
            "Flatten or delete it."
        ) from exc
    except _json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and exc.lineno > 1:
            # one object per line in a file named .json: read it as JSON Lines
            loaded = load_jsonl(path)
            return Loaded(**{**loaded.__dict__, "format": "jsonl"})
        raise InputError(
            f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}. "
            "Fix the file, or save one object per line as .jsonl so one bad line "
            "does not stop the audit."
        ) from exc
    surrogates = SURROGATE_ESCAPE.search(data) is not None
    deep = _may_nest_too_deep(data)
    exported = export_records(document)
    splits = {None: exported[1]} if exported is not None else _records(path, document)
    frames: list[pl.DataFrame] = []
    errors: list[LoadError] = []
    for split, records in splits.items():
        rows: list[dict[str, object]] = []
        numbers: list[int] = []
        for number, record in enumerate(records, 1):
            if exported is not None and isinstance(record, str):
                errors.append(LoadError(number, record))
                continue
            problem = _problem_in(record) if marked else None
            if problem is None and escaped and _BAD_BYTES.search(_json.dumps(record)):
                problem = NOT_UTF8
            if problem is None and surrogates and has_lone_surrogate(record):
                problem = LONE_SURROGATE
            if problem is None and deep and depth(record) > MAX_NESTING:
                problem = TOO_DEEP  # polars takes seconds per level past a few hundred
            if problem is not None:
                errors.append(LoadError(number, problem))
            elif isinstance(record, dict):
                rows.append(record)
                numbers.append(number)
            else:
                errors.append(
                    LoadError(number, f"expected a JSON object, found {json_kind(record)}")
                )
        frame = frame_from_rows(rows, numbers)
        if split is not None:
            frame = frame.with_columns(pl.lit(split).alias(SPLIT))
        frames.append(frame)
    starts: dict[int, int] = {}
    if None in splits and "\n" in text.strip():  # pretty-printed: say where records start
        starts = _record_lines(text, document, len(splits[None]))
    if errors and starts:
        errors = [
            LoadError(e.line, f"{e.message} (the record starts at line {starts[e.line]})")
            if e.line in starts
            else e
            for e in errors
        ]
    frame = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    if SOURCE_LINE not in frame.columns:
        frame = frame.with_columns(pl.Series(SOURCE_LINE, [], dtype=pl.Int64))
    return Loaded(
        frame=frame,
        path=str(path),
        format=exported[0] if exported is not None else "json",
        position="record",
        errors=tuple(errors),
        sha256=digest,
        files=(path,),
        record_lines=tuple(starts.values()) if len(starts) == len(splits.get(None, ())) else None,
    )


#: a byte that is not UTF-8, as `surrogateescape` decodes it (json.dumps writes it escaped)
_BAD_BYTES = re.compile(r"\\udc[89a-f][0-9a-f]")
NOT_UTF8 = (
    "holds bytes that are not valid UTF-8 (an emoji written as two halves, CESU-8, or another "
    "encoding); re-save the file as UTF-8, e.g. `iconv -f cp1252 -t utf-8`"
)


class _Constant:
    """NaN or Infinity where the document has one: Python reads them, JSON has no such values
    (and a fine-tuning upload refuses them), so the record that holds one is reported."""

    def __init__(self, name: str, seen: list[object]) -> None:
        self.name = name
        seen.append(self)


class _TooLarge:
    """A whole number beyond 128 bits where the document has one: its record is reported."""

    def __init__(self, problem: str, seen: list[object]) -> None:
        self.problem = problem
        seen.append(self)


def _whole_number(text: str, seen: list[object]) -> object:
    problem = too_large(text)
    return int(text) if problem is None else _TooLarge(problem, seen)


class _Repeated(dict[str, Any]):
    """An object that names `key` twice: its record is reported, as in JSON Lines."""

    key: str


def _object(pairs: list[tuple[str, object]], seen: list[object]) -> dict[str, object]:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    marked = _Repeated(value)
    names: set[str] = set()
    for key, _ in pairs:
        if key in names:
            marked.key = key
            break
        names.add(key)
    seen.append(marked)
    return marked


def _may_nest_too_deep(data: bytes) -> bool:
    """Whether brackets in `data` open deeper than a record may nest (plus the document's
    own array and object); brackets inside strings count too, so a yes is checked again."""
    level = peak = 0
    for start in range(0, len(data), _SCAN_BYTES):
        codes = np.frombuffer(data, np.uint8, min(_SCAN_BYTES, len(data) - start), start)
        opening = (codes == ord("[")) | (codes == ord("{"))
        closing = (codes == ord("]")) | (codes == ord("}"))
        levels = np.cumsum(opening.astype(np.int32) - closing) + level
        peak, level = max(peak, int(levels.max())), int(levels[-1])
    return peak > MAX_NESTING + 2


_SCAN_BYTES = 4 * 2**20


def _problem_in(record: object) -> str | None:
    """Why `record` cannot be read: the first NaN or Infinity, repeated key or whole number
    too large, inside it."""
    stack = [record]
    while stack:
        value = stack.pop()
        if isinstance(value, _Constant):
            return f"invalid JSON: {value.name} is not a JSON value; write null or a number"
        if isinstance(value, _Repeated):
            return repeated_key(value.key)
        if isinstance(value, _TooLarge):
            return value.problem
        if isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return None


def _records(path: Path, document: object) -> dict[str | None, list[object]]:
    if isinstance(document, list):
        return {None: document}
    if isinstance(document, dict):
        arrays = {k: v for k, v in document.items() if isinstance(v, list)}
        if len(arrays) == 1:
            return {None: next(iter(arrays.values()))}
        split_names = {"train", "test", "validation", "valid", "eval", "dev"}
        if arrays and set(arrays) <= split_names:
            return dict(arrays)
        if arrays:
            raise InputError(
                f"{path}: the top-level object holds several arrays ({', '.join(sorted(arrays))}); "
                "keep the examples in one array, or in arrays named after splits (train, test)."
            )
    if isinstance(document, dict):
        raise InputError(
            f"{path}: holds one object and no array of examples. Put the examples in an array "
            "(`[{...}, {...}]`), or write one example per line as JSON Lines (.jsonl)."
        )
    raise InputError(
        f"{path}: expected an array of objects (or an object holding one), "
        f"found {json_kind(document)}."
    )


def _record_lines(text: str, document: object, last: int) -> dict[int, int]:
    """The line each of the first `last` records starts on, for a document whose records
    are one array (top-level, or the one array of an object, or Rasa's `common_examples`);
    empty when the array cannot be found."""
    if isinstance(document, list):
        start = text.find("[")
    else:
        keys = (
            [k for k, v in document.items() if isinstance(v, list)]
            if isinstance(document, dict)
            else []
        )
        if isinstance(document, dict) and "rasa_nlu_data" in document:
            keys = ["common_examples"]
        if len(keys) != 1:
            return {}
        found = re.search(re.escape(_json.dumps(keys[0], ensure_ascii=False)) + r"\s*:\s*\[", text)
        if found is None:
            return {}
        start = found.end() - 1
    decoder = _json.JSONDecoder()
    lines: dict[int, int] = {}
    at, line, counted = start + 1, 1, 0
    for number in range(1, last + 1):
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        if at >= len(text) or text[at] == "]":
            break
        line += text.count("\n", counted, at)
        counted = at
        lines[number] = line
        try:
            at = decoder.raw_decode(text, at)[1]
        except (ValueError, RecursionError):
            break
    return lines


def is_export_folder(path: Path) -> bool:
    """A folder of SNIPS files (`train_<Intent>_full.json`, `validate_<Intent>.json`)."""
    files = sorted(path.glob("*.json"))
    return bool(files) and all(snips_split(f.name) is not None for f in files)


def load_export_folder(path: Path) -> Loaded:
    """Every SNIPS file of the folder, its split from its name. Records are numbered through
    each split's files in name order, so each number names one record; a load error names
    its file too."""
    frames: list[pl.DataFrame] = []
    errors: list[LoadError] = []
    files = sorted(path.glob("*.json"))
    seen: dict[str, int] = {}
    parts: list[dict[str, Any]] = []
    for file in files:
        split = snips_split(file.name) or "train"
        loaded = load_json(file)
        if loaded.format != "snips":
            raise InputError(
                f"{file}: is not in the SNIPS format the other files of {path} are; audit the "
                "files one by one, or move it out."
            )
        offset = seen.get(split, 0)
        frame = loaded.frame.with_columns(pl.col(SOURCE_LINE) + offset, pl.lit(split).alias(SPLIT))
        frames.append(frame)
        errors += [LoadError(e.line + offset, f"{file.name}: {e.message}") for e in loaded.errors]
        seen[split] = offset + frame.height + len(loaded.errors)
        count = frame.height + len(loaded.errors)
        parts.append({"split": split, "first": offset + 1, "count": count, "file": str(file)})
    return Loaded(
        frame=pl.concat(frames, how="diagonal_relaxed"),
        path=str(path),
        format="snips",
        position="record",
        errors=tuple(sorted(errors, key=lambda e: e.line)),
        sha256=None,
        files=tuple(files),
        parts=tuple(parts),
    )
