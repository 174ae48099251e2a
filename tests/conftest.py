"""Shared fixtures. Every test runs with the network guard on: reaching any non-loopback
address fails the test, even when the code under test swallows the error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
NETGUARD = Path(__file__).resolve().parent / "netguard"
SAMPLES = ROOT / "sample_data"

_LOOPBACK = ("127.", "::1", "localhost")
_attempts: list[str] = []


def _blocked(host: object) -> bool:
    return isinstance(host, str) and not host.startswith(_LOOPBACK)


class NetworkBlocked(RuntimeError):
    pass


def _guard(original, describe):
    def guarded(*args, **kwargs):
        target = describe(*args, **kwargs)
        if target is not None:
            _attempts.append(target)
            raise NetworkBlocked(f"network access attempted: {target}")
        return original(*args, **kwargs)

    return guarded


def _connect_target(sock, address, *rest, **kw):
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0] if isinstance(address, tuple) else address
        if _blocked(host):
            return f"connect {address}"
    return None


def _lookup_target(host, *rest, **kw):
    return f"getaddrinfo {host}" if host is not None and _blocked(host) else None


socket.socket.connect = _guard(socket.socket.connect, _connect_target)
socket.socket.connect_ex = _guard(socket.socket.connect_ex, _connect_target)
socket.getaddrinfo = _guard(socket.getaddrinfo, _lookup_target)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _no_network():
    """Fail the test if anything tried to reach the network while it ran."""
    start = len(_attempts)
    yield
    tried = _attempts[start:]
    assert not tried, f"the test tried to reach the network: {tried}"


@pytest.fixture
def run_cli(tmp_path):
    """Run the real `datacheck` entry point in a subprocess with the network guard loaded."""

    def run(*args: str, cwd: Path | None = None, input: str | None = None, env: dict | None = None):
        env = {
            **os.environ,
            **(env or {}),
            "PYTHONPATH": os.pathsep.join([str(NETGUARD), str(ROOT / "src")]),
        }
        env.pop("FORCE_COLOR", None)
        return subprocess.run(
            [sys.executable, "-m", "datacheck", *args],
            cwd=cwd or tmp_path,
            env=env,
            input=input,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def stored_bytes(series) -> int:
    """Bytes in the buffers behind a polars string column (a string of 12 bytes or fewer lives
    in its view, outside them): what shows whether repeats share one copy."""
    import polars as pl
    import pyarrow as pa

    exported = series.rechunk().to_arrow(compat_level=pl.CompatLevel.newest())
    if isinstance(exported, pa.ChunkedArray):
        exported = exported.combine_chunks()
    return sum(buffer.size for buffer in exported.buffers()[2:] if buffer is not None)


def pytest_collection_modifyitems(config, items):
    """Under mutation testing (`mutmut run` copies the project to `mutants/`), tests that
    start Python in a subprocess are skipped: the mutated modules run only in mutmut's own
    processes. They test exit codes and imports, not the figures mutants change."""
    if ROOT.name != "mutants":
        return
    import inspect

    skip = pytest.mark.skip(reason="starts a subprocess, which mutmut's mutants cannot enter")
    for item in items:
        function = getattr(item, "function", None)
        source = inspect.getsource(function) if function is not None else ""
        if "run_cli" in getattr(item, "fixturenames", ()) or "subprocess." in source:
            item.add_marker(skip)


if ROOT.name == "mutants":  # mutmut's fork server: load Great Expectations once, not per mutant
    from datacheck.checks._gx import _import_gx

    _import_gx()
