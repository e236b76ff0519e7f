"""Network guard for the test suite: any socket connection off this machine is fatal.

Put this folder on PYTHONPATH (tests/conftest.py does, for the suite itself and
for every CLI subprocess it starts) and Python imports it at start-up. A
connection to anything but the loopback range (127.0.0.0/8, ::1) or a Unix
socket raises ``ConnectionRefusedError`` and is recorded in the file named by
``CUSTOMS_KG_NETGUARD_LOG``, which the suite checks at the end.
"""

from __future__ import annotations

import ipaddress
import os
import socket

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


def _allowed(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _record(address: object) -> None:
    log = os.environ.get("CUSTOMS_KG_NETGUARD_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {address!r}\n")


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _allowed(address):
        _record(address)
        raise ConnectionRefusedError(f"network guard: connection to {address!r} refused (tests stay on this machine)")
    return _original_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _allowed(address):
        _record(address)
        raise ConnectionRefusedError(f"network guard: connection to {address!r} refused (tests stay on this machine)")
    return _original_connect_ex(self, address)  # type: ignore[arg-type]


def install() -> None:
    """Replace socket.connect / connect_ex with the guarded versions (idempotent)."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


install()
