"""Frames whose strings own their memory.

polars strings are views into shared buffers: a column taken from another (a message's
content, one parsed line of a chunk) keeps the whole buffer it points into alive. A copy
through Arrow's plain string layout writes each string once into buffers of its own.
"""

from __future__ import annotations

import polars as pl


def compact(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame`, its strings copied out of whatever larger buffers they share."""
    copied = pl.from_arrow(frame.to_arrow(compat_level=pl.CompatLevel.oldest()))
    assert isinstance(copied, pl.DataFrame)
    return copied
