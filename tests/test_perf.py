import os
import subprocess
import sys

from datacheck import _perf

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
