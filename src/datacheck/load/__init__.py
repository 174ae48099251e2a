"""Load a dataset from a path, a Hugging Face folder or cache id, or a DataFrame.

Every loader returns a `Loaded`: a polars frame with a provenance column, plus the lines that
could not be read. A bad line never stops loading; a source that cannot be read at all raises
`InputError`.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import polars as pl

from datacheck._frames import messages_stored_once, stored_once
from datacheck._perf import fast
from datacheck.errors import InputError
from datacheck.limits import Limits, in_effect
from datacheck.load._base import SOURCE_LINE, SPLIT, Loaded, LoadError
from datacheck.load._formats import checked_format, sniff_bytes, suffix_kind
from datacheck.load._long import with_long_fields
from datacheck.load._messages import content_parts, messages_as_lists
from datacheck.load._size import content_size
from datacheck.load._stream import STDIN, copied, display_name, needs_copy
from datacheck.load._text import samples_in_stream
from datacheck.load.delimited import load_csv, sample_csv
from datacheck.load.hf import find_in_hub_cache, is_saved_dataset, load_hub_snapshot, load_saved
from datacheck.load.jsondoc import is_export_folder, load_export_folder, load_json
from datacheck.load.jsonl import load_jsonl, sample_jsonl
from datacheck.load.parquet import load_parquet, sample_parquet

__all__ = ["SOURCE_LINE", "SPLIT", "Loaded", "LoadError", "load", "load_path", "FORMATS"]

FORMATS = ("jsonl", "json", "csv", "tsv", "parquet", "hf_disk", "hf_hub_cache", "dataframe")

#: formats whose `--sample` is drawn while the file is read, so it may exceed memory
_SAMPLED_WHILE_READ: dict[str, Callable[[Path, int, int], Loaded | None]] = {
    "jsonl": sample_jsonl,
    "csv": sample_csv,
    "tsv": partial(sample_csv, separator="\t"),
    "parquet": sample_parquet,
}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def load(
    source: str | Path | pl.DataFrame,
    *,
    sample: int | None = None,
    seed: int = 0,
    limits: Limits | None = None,
    format: str | None = None,
) -> Loaded:
    """Load any supported source. With `sample`, JSON Lines, CSV, TSV and Parquet files are
    sampled while they are read (so a file larger than memory can be audited); other sources
    are sampled after. `-` is standard input; `format` names the format of a source whose name
    does not tell it (`jsonl`, `json`, `csv`, `tsv`, `parquet`)."""
    with in_effect(limits or Limits()):
        loaded = _load(source, sample, seed, format)
        return _stored_once(with_long_fields(content_parts(messages_as_lists(loaded))))


def _stored_once(loaded: Loaded) -> Loaded:
    """`loaded` with the texts that repeat across rows (a system prompt, a few distinct
    answers, an instruction) held once each: every frame made from it after shares them."""
    frame = loaded.frame
    if not fast() or frame.is_empty():
        return loaded
    changed = []
    for name, dtype in frame.schema.items():
        column = frame[name]
        if dtype == pl.String:
            shared = stored_once(column)
        elif isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
            shared = messages_stored_once(column)
        else:
            continue
        if shared is not column:
            changed.append(shared)
    return replace(loaded, frame=frame.with_columns(changed)) if changed else loaded


def _load(
    source: str | Path | pl.DataFrame, sample: int | None, seed: int, format: str | None
) -> Loaded:
    if isinstance(source, str) and not source.strip():  # Path("") would be the current folder
        raise InputError("no data file given: name the file to read.")
    if not isinstance(source, pl.DataFrame) and needs_copy(Path(source)):
        original = Path(source)
        with copied(original, format) as (copy, digest):
            loaded = _load(copy, sample, seed, None)
        return replace(
            loaded,
            path=display_name(original),
            sha256=digest,
            files=() if str(source) == STDIN else (original,),
        )
    if sample is not None and not isinstance(source, pl.DataFrame) and Path(source).is_file():
        path = Path(source)
        sampler = _SAMPLED_WHILE_READ.get(_kind(path, format))
        sampled = sampler(path, sample, seed) if sampler is not None else None
        if sampled is not None:
            return sampled
    if isinstance(source, pl.DataFrame):
        return Loaded(
            frame=source.with_columns(
                pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(SOURCE_LINE)
            ),
            path="<DataFrame>",
            format="dataframe",
            position="row",
        )
    path = Path(source)
    if path.exists():
        return load_path(path, format)
    if path.is_symlink():  # a link that exists but leads nowhere, or round in a loop
        raise InputError(f"{path}: {_broken_link(path)}; point it at the data file.")
    text = str(source)
    if _HUB_ID.match(text) and not Path(text).suffix:
        folder = find_in_hub_cache(text)
        if folder is not None:
            return load_hub_snapshot(text, folder, load_path)
        raise InputError(
            f"{text}: no such file, and no dataset of that id in the local Hugging Face cache. "
            "Check the path, or download the dataset once with `datasets` while online."
        )
    raise InputError(f"{text}: no such file or folder.")


def _broken_link(path: Path) -> str:
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python before 3.13 reports a loop so
        return "is a symbolic link in a loop"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link in a loop"
    return f"is a symbolic link to {os.readlink(path)}, which does not exist"


#: peak memory of an audit per byte of content, plus a fixed base: bench/run.py measured
#: 1.60 GB (4.1x) for a 392 MB JSON Lines file of 1M chat rows with all five tokenizers (2.8x
#: with one), and a bad line or a field of varying kind does not add to it; 5x leaves room
#: for other shapes
MEMORY_PER_BYTE = 5.0
MEMORY_BASE = 700 * 2**20


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def check_fits(path: Path) -> None:
    """Fail early, with a way out, when the file will not fit in memory."""
    available = available_memory()
    if available is None:
        return
    size = content_size(path)
    needed = size * MEMORY_PER_BYTE + MEMORY_BASE
    if needed > available:
        gib = 2**30
        on_disk = path.stat().st_size
        held = f"{size / gib:.1f} GiB" + (
            f" ({on_disk / gib:.1f} GiB compressed)" if size > on_disk else ""
        )
        if _sampled_while_read(path):
            way_out = (
                "Audit a random sample instead, e.g. --sample 1000000 (read in a stream and "
                "reported as a sample everywhere), or split the file."
            )
        else:
            way_out = (
                "Only JSON Lines, CSV and TSV (not UTF-16) and Parquet files are sampled while "
                "they are read: convert it to one of them and audit a random sample, e.g. "
                "--sample 1000000, or split the file."
            )
        raise InputError(
            f"{path}: {held}; auditing it needs about {needed / gib:.1f} GiB of memory and "
            f"{available / gib:.1f} GiB is available. {way_out}"
        )


def _sampled_while_read(path: Path) -> bool:
    """Whether `--sample` draws from `path` while reading it, never holding it whole."""
    kind = _kind(path)
    return kind in _SAMPLED_WHILE_READ and (kind == "parquet" or samples_in_stream(path))


def load_path(path: Path, format: str | None = None) -> Loaded:
    if path.is_file():
        try:
            path.open("rb").close()
        except OSError as exc:
            raise InputError(
                f"{path}: cannot read the file ({exc.strerror or exc}); check its permissions."
            ) from exc
        check_fits(path)
    if path.is_dir():
        if is_saved_dataset(path):
            return load_saved(path)
        if is_export_folder(path):
            return load_export_folder(path)
        raise InputError(
            f"{path}: is a folder. Give a data file, a folder written by a Hugging Face "
            "dataset's `save_to_disk()`, or a folder of SNIPS files."
        )
    kind = _kind(path, format)
    if kind == "jsonl":
        return load_jsonl(path)
    if kind == "json":
        return load_json(path)
    if kind in ("csv", "tsv"):
        return load_csv(path, separator="\t" if kind == "tsv" else None)
    return load_parquet(path)


def _kind(path: Path, format: str | None = None) -> str:
    if format is not None and path.is_file():
        with path.open("rb") as handle:
            return checked_format(format, handle.read(4096), str(path))
    return format or suffix_kind(path) or _sniff(path)


def _sniff(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc}).") from exc
    return sniff_bytes(head, str(path))
