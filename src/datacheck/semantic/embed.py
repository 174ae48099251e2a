"""Sentence embeddings of many texts: each distinct text embedded once, in batches, and kept in
a cache keyed by the model and the text's content hash, so a re-run embeds only new texts."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from datacheck._perf import cores
from datacheck.semantic import cache_folder, model_folder
from datacheck.semantic._minilm import MiniLM
from datacheck.semantic._onnx import OnnxMiniLM

_MODEL: dict[Path, MiniLM] = {}


def model() -> MiniLM:
    """The encoder (onnxruntime's, on every core this process may use), loaded once per
    process."""
    folder = model_folder()
    if folder is None:
        raise RuntimeError("no embedding model installed (see datacheck.semantic.missing())")
    if folder not in _MODEL:
        _MODEL[folder] = OnnxMiniLM(folder, threads=cores())
    return _MODEL[folder]


def embed(
    texts: Sequence[str],
    *,
    cache: Path | None = None,
    step: Callable[[int, int], None] | None = None,
    batch: int = 1024,
) -> np.ndarray:
    """Unit-length embeddings, one row per text in order (repeated texts share one)."""
    distinct = list(dict.fromkeys(texts))
    keys = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest() for t in distinct]
    store = _Store(cache if cache is not None else cache_folder(), _model_key())
    table = np.empty((len(distinct), MiniLM.dimension), dtype=np.float32)
    found = store.fill(keys, table)
    todo = np.flatnonzero(~found)
    encoder = model() if todo.size else None  # a warm cache needs no weights in memory
    for start in range(0, todo.size, batch):
        assert encoder is not None
        chosen = todo[start : start + batch]
        # kept as the cache keeps them, so a first run and a re-run give the same report
        vectors = encoder.encode([distinct[i] for i in chosen]).astype(np.float16)
        table[chosen] = vectors
        store.put([keys[i] for i in chosen], vectors)
        if step is not None:
            step(min(start + batch, todo.size), todo.size)
    store.close()
    if len(distinct) == len(texts):
        return table
    index = {t: i for i, t in enumerate(distinct)}
    return table[[index[t] for t in texts]]


def _model_key() -> str:
    """The weights file's size and hash of its first MiB: a changed model, a fresh cache."""
    folder = model_folder()
    assert folder is not None
    weights = folder / "model.safetensors"
    with weights.open("rb") as handle:
        head = handle.read(1 << 20)
    return f"{weights.stat().st_size}-{hashlib.sha256(head).hexdigest()[:16]}"


class _Store:
    """An SQLite file of embeddings (float16, 768 bytes each). A cache that cannot be opened
    or written is skipped: the embeddings are then computed, not lost."""

    def __init__(self, folder: Path, model_key: str) -> None:
        self._db: sqlite3.Connection | None = None
        with contextlib.suppress(OSError, sqlite3.Error):
            folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(folder / f"embeddings-{model_key}.sqlite")
            self._db.execute("create table if not exists e (k blob primary key, v blob)")

    def fill(self, keys: list[bytes], table: np.ndarray) -> np.ndarray:
        """Write the cached embedding of each key into its row of `table`; which rows were."""
        found = np.zeros(len(keys), dtype=bool)
        if self._db is None:
            return found
        where = {key: n for n, key in enumerate(keys)}
        with contextlib.suppress(sqlite3.Error):
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, value in self._db.execute(
                    f"select k, v from e where k in ({marks})", chunk
                ):
                    table[where[key]] = np.frombuffer(value, dtype=np.float16)
                    found[where[key]] = True
        return found

    def put(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Keep `vectors` (float16, one row per key)."""
        if self._db is None or not keys:
            return
        rows = [(k, v.tobytes()) for k, v in zip(keys, vectors, strict=True)]
        with contextlib.suppress(sqlite3.Error):
            self._db.executemany("insert or replace into e values (?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
