"""How much data a file holds once read: what the memory guard weighs, rather than the bytes
on disk, which for gzip and Parquet can be a tenth of it."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import BinaryIO

#: compressed bytes inflated to measure a gzip file's ratio, and the output that stops it
_GZIP_PROBE = 8 * 2**20
_GZIP_OUTPUT_LIMIT = 2**30
_BLOCK = 2**20


def content_size(path: Path) -> int:
    """Bytes of `path`'s content once decompressed: Parquet's footer records it, gzip's ratio
    is measured on the file's first megabytes; any other file is its size on disk. A file
    that cannot be probed counts as its size (the loader then says what is wrong with it)."""
    size = path.stat().st_size
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
            if magic[:2] == b"\x1f\x8b":
                handle.seek(0)
                return max(size, round(size * _gzip_ratio(handle)))
        if magic == b"PAR1":
            return max(size, _parquet_size(path))
    except (OSError, zlib.error, ValueError):
        return size
    return size


def _gzip_ratio(handle: BinaryIO) -> float:
    """Inflated bytes per compressed byte over the stream's first `_GZIP_PROBE` bytes."""
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
    consumed = produced = 0
    while consumed < _GZIP_PROBE and produced < _GZIP_OUTPUT_LIMIT and not inflate.eof:
        data = handle.read(_BLOCK)
        if not data:
            break
        consumed += len(data)
        while data and not inflate.eof and produced < _GZIP_OUTPUT_LIMIT:
            produced += len(inflate.decompress(data, _BLOCK))
            data = inflate.unconsumed_tail
    return produced / consumed if consumed else 1.0


def _parquet_size(path: Path) -> int:
    import pyarrow.parquet as pq

    metadata = pq.read_metadata(path)
    return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
