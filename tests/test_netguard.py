"""The guard itself must work, or every 'no network' claim of the suite is hollow."""

import socket

import pytest

from tests.conftest import NetworkBlocked, _attempts


def test_outbound_connection_is_blocked_and_recorded():
    before = len(_attempts)
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    assert len(_attempts) == before + 1
    del _attempts[before:]  # this test tried on purpose


def test_subprocess_guard_kills_the_process(run_cli, tmp_path):
    import subprocess
    import sys

    from tests.conftest import NETGUARD

    env = {"PYTHONPATH": str(NETGUARD), "PATH": "/usr/bin:/bin"}
    code = "import socket; socket.create_connection(('192.0.2.1', 80), timeout=0.1)"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 99
    assert "NETWORK ACCESS BLOCKED" in proc.stderr
