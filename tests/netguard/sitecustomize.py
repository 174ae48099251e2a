"""Loaded by every Python subprocess the tests start (it is put first on PYTHONPATH).

Any attempt to reach a non-loopback address kills the process with exit code 99, so a test that
runs the real CLI fails when the product touches the network, even if the code would have caught
the error.
"""

import os
import socket
import sys

_LOOPBACK = ("127.", "::1", "localhost")


def _blocked(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and not host.startswith(_LOOPBACK)


def _die(what):
    sys.stderr.write(f"NETWORK ACCESS BLOCKED: {what}\n")
    sys.stderr.flush()
    os._exit(99)


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and _blocked(address):
        _die(f"connect {address}")
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and _blocked(address):
        _die(f"connect_ex {address}")
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host is not None and _blocked((host,)):
        _die(f"getaddrinfo {host}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
