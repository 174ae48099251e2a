"""Apache Parquet files."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl

from datacheck.errors import InputError
from datacheck.load._base import SOURCE_LINE, Loaded, file_sha256
from datacheck.load.hf import parquet_features, with_class_names


def load_parquet(path: Path) -> Loaded:
    try:
        digest = file_sha256(path)
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars/OS errors: the file cannot be used at all
        raise InputError(f"{path}: cannot be read as Parquet ({exc}).") from exc
    frame = frame.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(SOURCE_LINE))
    return _loaded(path, frame, digest)


def sample_parquet(path: Path, size: int, seed: int) -> Loaded | None:
    """A seeded random sample of `size` rows, read by polars' streaming engine a row group at
    a time: memory grows with the sample, not the file. None when the file has no more
    rows than `size` (then it is read whole as usual)."""
    try:
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
        if rows <= size:
            return None
        chosen = pl.Series(sorted(random.Random(seed).sample(range(1, rows + 1), size)))
        frame = (
            pl.scan_parquet(path)
            .with_row_index(SOURCE_LINE, offset=1)
            .filter(pl.col(SOURCE_LINE).is_in(chosen))
            .collect(engine="streaming")
        )
        digest = file_sha256(path)
    except Exception as exc:  # polars/OS errors: the file cannot be used at all
        raise InputError(f"{path}: cannot be read as Parquet ({exc}).") from exc
    frame = frame.select(pl.exclude(SOURCE_LINE), pl.col(SOURCE_LINE).cast(pl.Int64))
    return _loaded(path, frame, digest, sample_of=rows)


def _loaded(path: Path, frame: pl.DataFrame, digest: str, sample_of: int | None = None) -> Loaded:
    return Loaded(
        frame=with_class_names(frame, parquet_features(path)),  # a file `datasets` wrote
        path=str(path),
        format="parquet",
        position="row",
        sha256=digest,
        files=(path,),
        sample_of=sample_of,
    )
