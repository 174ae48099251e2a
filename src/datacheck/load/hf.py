"""Hugging Face datasets: a folder written by `save_to_disk`, or a dataset in the local hub cache.

Both are opened strictly offline: the hub cache is resolved with `local_files_only=True`, and the
`datasets` library is imported with its offline switches set.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from datacheck.errors import InputError
from datacheck.load._base import SOURCE_LINE, SPLIT, Loaded, LoadError

_SAVED_MARKERS = ("dataset_dict.json", "state.json", "dataset_info.json")
_DATA_SUFFIXES = (".parquet", ".jsonl", ".json", ".csv", ".tsv", ".arrow")


def is_saved_dataset(path: Path) -> bool:
    return path.is_dir() and any((path / marker).exists() for marker in _SAVED_MARKERS)


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def load_saved(path: Path) -> Loaded:
    """Open a dataset written by `Dataset.save_to_disk` / `DatasetDict.save_to_disk`."""
    _offline()
    import datasets

    try:
        dataset = datasets.load_from_disk(str(path))
    except Exception as exc:  # datasets raises many kinds for a damaged folder
        raise InputError(
            f"{path}: cannot be opened as a saved Hugging Face dataset ({exc})."
        ) from exc
    if isinstance(dataset, datasets.DatasetDict):
        parts = {name: dataset[name] for name in sorted(dataset)}
    else:
        parts = {None: dataset}
    frames = []
    for split, part in parts.items():
        frame = pl.from_arrow(part.with_format("arrow")[:])
        assert isinstance(frame, pl.DataFrame)
        frame = with_class_names(frame, part.features.to_dict())
        frame = frame.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(SOURCE_LINE))
        if split is not None:
            frame = frame.with_columns(pl.lit(split).alias(SPLIT))
        frames.append(frame)
    frame = pl.concat(frames, how="diagonal_relaxed")
    return Loaded(
        frame=frame,
        path=str(path),
        format="hf_disk",
        position="row",
        sha256=_folder_digest(path),
        files=(path,),
    )


def find_in_hub_cache(repo_id: str) -> Path | None:
    """Return the cached snapshot folder of a hub dataset, or None; never touches the network.

    The cache is `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`,
    read at call time.
    """
    _offline()
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        return None
    cache = os.environ.get("HF_HUB_CACHE") or str(
        Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub"
    )
    try:
        folder = snapshot_download(
            repo_id=repo_id, repo_type="dataset", local_files_only=True, cache_dir=cache
        )
    except Exception:  # not cached, bad id, or an incomplete snapshot: all mean "not here"
        return None
    return Path(folder)


def load_hub_snapshot(repo_id: str, folder: Path, load_path: Callable[[Path], Loaded]) -> Loaded:
    """Load the data files of a cached hub snapshot with `load_path`; split names come from
    the file names."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name.endswith(_DATA_SUFFIXES))
    if not files:
        raise InputError(
            f"{repo_id}: the local Hugging Face cache holds this dataset but no data files "
            f"(looked in {folder})."
        )
    frames = []
    errors: list[LoadError] = []
    for file in files:
        loaded = load_path(file)
        split = _split_of(file)
        frames.append(loaded.frame.with_columns(pl.lit(split).alias(SPLIT)))
        errors.extend(loaded.errors)
    return Loaded(
        frame=pl.concat(frames, how="diagonal_relaxed"),
        path=repo_id,
        format="hf_hub_cache",
        position="row",
        errors=tuple(errors),
        sha256=_folder_digest(folder),
        files=tuple(files),
    )


def with_class_names(frame: pl.DataFrame, features: dict[str, Any]) -> pl.DataFrame:
    """ClassLabel columns (labels stored as numbers, their names in the dataset's features)
    with each number replaced by its name, as the model will see it; -1 (no label) is null.
    A list of ClassLabels (multi-label data) has each of its numbers replaced."""
    changed = []
    for column, spec in features.items():
        if column not in frame.columns or not isinstance(spec, dict):
            continue
        kind = frame.schema[column]
        inner = spec.get("feature")
        if spec.get("_type") == "ClassLabel" and kind.is_integer() and _names(spec):
            changed.append(_named(pl.col(column), spec["names"]))
        elif (
            spec.get("_type") in ("List", "Sequence", "LargeList")
            and isinstance(inner, dict)
            and inner.get("_type") == "ClassLabel"
            and _names(inner)
            and isinstance(kind, pl.List)
            and kind.inner.is_integer()
        ):
            changed.append(pl.col(column).list.eval(_named(pl.element(), inner["names"])))
    return frame.with_columns(changed)


def _names(spec: dict[str, Any]) -> bool:
    """Whether a ClassLabel's `names` are a list of texts (metadata written by hand may not be)."""
    names = spec.get("names")
    return isinstance(names, list) and all(isinstance(name, str) for name in names)


def _named(numbers: pl.Expr, names: list[str]) -> pl.Expr:
    """Each number's name; -1 (no label) null; a number with no name stays as its digits."""
    return numbers.replace_strict(
        {**dict(enumerate(names)), -1: None},
        default=numbers.cast(pl.String),
        return_dtype=pl.String,
    )


def parquet_features(file: Path) -> dict[str, Any]:
    """The features `datasets` records in the Parquet files it writes (none in others)."""
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(file).metadata or {}
        info = json.loads(metadata.get(b"huggingface", b"{}"))
    except (OSError, ValueError):
        return {}
    section = info.get("info") if isinstance(info, dict) else None
    features = section.get("features") if isinstance(section, dict) else None
    return features if isinstance(features, dict) else {}


def _split_of(file: Path) -> str:
    name = file.name.lower()
    for split in ("train", "validation", "valid", "test", "eval", "dev"):
        if name.startswith(split) or f"/{split}" in file.as_posix().lower():
            return split
    return "train"


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(file.relative_to(folder).as_posix().encode())
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()
