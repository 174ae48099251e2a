"""Apache Parquet files."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from datacheck.errors import InputError
from datacheck.load._base import SOURCE_LINE, Loaded, file_sha256


def load_parquet(path: Path) -> Loaded:
    try:
        digest = file_sha256(path)
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars/OS errors: the file cannot be used at all
        raise InputError(f"{path}: cannot be read as Parquet ({exc}).") from exc
    frame = frame.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(SOURCE_LINE))
    return Loaded(
        frame=frame,
        path=str(path),
        format="parquet",
        position="row",
        sha256=digest,
        files=(path,),
    )
