import ctypes
import os
import subprocess
import sys

import pytest

from datacheck import _perf


def _glibc() -> bool:
    try:
        return hasattr(ctypes.CDLL(None), "malloc_stats")
    except OSError:
        return False


SHOW = (
    "import os, sys; {before}from datacheck._perf import tune_allocator; tune_allocator(); "
    "print(os.environ.get('_RJEM_MALLOC_CONF'))"
)


def _conf(before: str = "", **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"} | env
    code = SHOW.format(before=before)
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True)
    return done.stdout.strip()


def test_polars_allocator_is_tuned_before_polars_loads():
    assert _conf() == _perf._ALLOCATOR


def test_polars_allocator_accepts_the_setting():
    environ = os.environ | {"_RJEM_MALLOC_CONF": _perf._ALLOCATOR}
    code = "import polars as pl; print(pl.DataFrame({'a': list(range(10**6))})['a'].sum())"
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.strip() == str(sum(range(10**6)))
    assert "Invalid conf" not in done.stderr  # jemalloc's word for a setting it ignores


def test_a_users_allocator_setting_is_kept():
    assert _conf(_RJEM_MALLOC_CONF="narenas:1") == "narenas:1"


def test_nothing_is_set_once_polars_is_loaded():
    assert _perf._ALLOCATOR not in _conf(before="import polars; ")


def test_cores_is_at_least_one():
    assert 1 <= _perf.cores() <= 8


ARENAS = """
import ctypes, sys, threading
{tune}
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
together = threading.Barrier(6)

def allocate():
    together.wait()
    libc.malloc(4000)  # past the thread's cache: taken from its arena
    together.wait()

threads = [threading.Thread(target=allocate) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
libc.malloc_stats()  # to stderr: one "Arena N:" section each
"""


def _arenas(tune: bool) -> int:
    environ = {
        k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")
    }
    line = "from datacheck._perf import tune_allocator; tune_allocator()" if tune else ""
    code = ARENAS.format(tune=line)
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stderr.count("Arena ")


@pytest.mark.skipif(not _glibc(), reason="glibc's allocator only")
def test_glibc_keeps_one_arena_a_core():
    """Six threads allocating at once get an arena each from glibc, which keeps what they
    free apart; tuned, they share one a core."""
    assert _arenas(tune=False) >= 6
    assert _arenas(tune=True) <= _perf.cores()
