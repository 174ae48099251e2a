"""Writing report files safely: atomically, and never over the data being audited."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from datacheck.errors import DatacheckError


def write_atomic(path: Path, content: str, *, inputs: Iterable[object] = ()) -> None:
    """Write `content` to `path` through a temporary file and a rename.

    Refuses to write over any of `inputs`, so a mistyped option cannot destroy the data.
    """
    target = path.resolve()
    for source in inputs:
        if source is None or not isinstance(source, (str, os.PathLike)):
            continue
        candidate = Path(source)
        if candidate.exists() and candidate.resolve() == target:
            raise DatacheckError(f"{path}: refusing to write a report over the input data.")
    if target.is_dir():
        raise DatacheckError(f"{path}: is a folder; give a file name for the report.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a report is for sharing
        os.replace(tmp, target)
    except OSError as exc:
        raise DatacheckError(f"{path}: cannot write the report ({exc.strerror or exc}).") from exc


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
