"""Writing report files safely: atomically, and never over the data being audited."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from datacheck.errors import DatacheckError


def check_output(path: Path, *, inputs: Iterable[object] = (), what: str = "the report") -> None:
    """Raise `DatacheckError` when `path` cannot take `what`: it is a folder, or one of
    `inputs` (so a mistyped option cannot destroy the data). Cheap: call it before the work."""
    target = path.resolve()
    for source in inputs:
        if source is None or not isinstance(source, (str, os.PathLike)):
            continue
        candidate = Path(source)
        if candidate.exists() and candidate.resolve() == target:
            raise DatacheckError(f"{path}: refusing to write {what} over the input data.")
    if target.is_dir():
        raise DatacheckError(f"{path}: is a folder; give a file name for {what}.")
    if not is_special(path):
        _check_writable(path, target, what)


def _check_writable(path: Path, target: Path, what: str) -> None:
    """Fail now, not after the audit, when no file can be made where `path` would go: a
    temporary file is made and removed in the nearest folder that exists (the folders
    missing below it are made when the report is written)."""
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if target.exists() and not os.access(target, os.W_OK):
        raise DatacheckError(f"{path}: cannot write {what} (the file is read-only).")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise DatacheckError(
            f"{path}: cannot write {what} in {folder} ({exc.strerror or exc})."
        ) from exc


def is_special(path: Path) -> bool:
    """Whether `path` is a device, a pipe or a socket (`/dev/null`, `/dev/stdout`, a FIFO):
    written to as it is, never replaced by a file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_atomic(
    path: Path, content: str, *, inputs: Iterable[object] = (), what: str = "the report"
) -> None:
    """Write `content` (`what` it is, for messages) to `path` through a temporary file and a
    rename, so a failed write leaves neither a half-written file nor the temporary one; a
    device or a pipe is written to directly (renaming over `/dev/null` would replace it).

    Refuses to write over any of `inputs`, so a mistyped option cannot destroy the data.
    """
    check_output(path, inputs=inputs, what=what)
    if is_special(path):
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(content)
        except OSError as exc:
            raise DatacheckError(f"{path}: cannot write {what} ({exc.strerror or exc}).") from exc
        return
    target = path.resolve()
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
