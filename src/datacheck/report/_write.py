"""Writing report files safely: atomically, and never over the data being audited."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from datacheck.errors import DatacheckError


def write_atomic(
    path: Path, content: str, *, inputs: Iterable[object] = (), what: str = "the report"
) -> None:
    """Write `content` (`what` it is, for messages) to `path` through a temporary file and a
    rename, so a failed write leaves neither a half-written file nor the temporary one.

    Refuses to write over any of `inputs`, so a mistyped option cannot destroy the data.
    """
    target = path.resolve()
    for source in inputs:
        if source is None or not isinstance(source, (str, os.PathLike)):
            continue
        candidate = Path(source)
        if candidate.exists() and candidate.resolve() == target:
            raise DatacheckError(f"{path}: refusing to write {what} over the input data.")
    if target.is_dir():
        raise DatacheckError(f"{path}: is a folder; give a file name for {what}.")
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a report is for sharing
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise DatacheckError(f"{path}: cannot write {what} ({exc.strerror or exc}).") from exc


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
