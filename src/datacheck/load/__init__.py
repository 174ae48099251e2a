"""Load a dataset from a path, a Hugging Face folder or cache id, or a DataFrame.

Every loader returns a `Loaded`: a polars frame with a provenance column, plus the lines that
could not be read. A bad line never stops loading; a source that cannot be read at all raises
`InputError`.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from datacheck.errors import InputError
from datacheck.load._base import SOURCE_LINE, SPLIT, Loaded, LoadError
from datacheck.load.delimited import load_csv
from datacheck.load.hf import find_in_hub_cache, is_saved_dataset, load_hub_snapshot, load_saved
from datacheck.load.jsondoc import load_json
from datacheck.load.jsonl import load_jsonl
from datacheck.load.parquet import load_parquet

__all__ = ["SOURCE_LINE", "SPLIT", "Loaded", "LoadError", "load", "load_path", "FORMATS"]

FORMATS = ("jsonl", "json", "csv", "tsv", "parquet", "hf_disk", "hf_hub_cache", "dataframe")

_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def load(source: str | Path | pl.DataFrame) -> Loaded:
    """Load any supported source."""
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
        return load_path(path)
    text = str(source)
    if _HUB_ID.match(text) and not Path(text).suffix:
        folder = find_in_hub_cache(text)
        if folder is not None:
            return load_hub_snapshot(text, folder)
        raise InputError(
            f"{text}: no such file, and no dataset of that id in the local Hugging Face cache. "
            "Check the path, or download the dataset once with `datasets` while online."
        )
    raise InputError(f"{text}: no such file or folder.")


def load_path(path: Path) -> Loaded:
    if path.is_dir():
        if is_saved_dataset(path):
            return load_saved(path)
        raise InputError(
            f"{path}: is a folder. Give a data file, or a folder written by a Hugging Face "
            "dataset's `save_to_disk()`."
        )
    kind = _kind(path)
    if kind == "jsonl":
        return load_jsonl(path)
    if kind == "json":
        return load_json(path)
    if kind in ("csv", "tsv"):
        return load_csv(path, separator="\t" if kind == "tsv" else ",")
    return load_parquet(path)


def _kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    return _sniff(path)


def _sniff(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc}).") from exc
    if head.startswith(b"PAR1"):
        return "parquet"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "jsonl"
    if stripped.startswith(b"["):
        return "json"
    if b"\t" in head.split(b"\n", 1)[0]:
        return "tsv"
    if b"," in head.split(b"\n", 1)[0]:
        return "csv"
    raise InputError(
        f"{path}: unknown format. datacheck reads .jsonl, .json, .csv, .tsv, .parquet "
        "(optionally .gz) and Hugging Face dataset folders; rename the file with one of these "
        "endings."
    )
