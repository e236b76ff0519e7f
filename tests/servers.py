"""Real graph stores for the tests: an Oxigraph server and Virtuoso Open Source 7.

Each is started on 127.0.0.1 with free ports and a database in a temporary
folder, waited for by polling its HTTP port, and stopped by the PID of the
server process itself. A missing binary is a failure, not a skip: the message
says how to install it (``bash scripts/test.sh`` installs both).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

VIRTUOSO_INI_CANDIDATES = (
    Path("/etc/virtuoso-opensource-7/virtuoso.ini"),
    Path("/var/lib/virtuoso-opensource-7/db/virtuoso.ini"),
    Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"),
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_binary(name: str, how: str) -> str:
    # The test environment's own scripts first (pip installs `oxigraph` into the venv, which is
    # not on PATH when pytest is started as .venv/bin/python -m pytest), then PATH.
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if path is None:
        pytest.fail(f"'{name}' is not installed; the graph-store tests need it: {how}", pytrace=False)
    return path


@dataclass
class Server:
    """A running store: its base URL, process and log file."""

    kind: str
    base: str
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}:\n{_tail(log)}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"the server did not answer on {url} within {timeout:g} s:\n{_tail(log)}")


def _tail(log: Path, n: int = 30) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def start_oxigraph(folder: Path) -> Server:
    """``oxigraph serve --location DIR --bind 127.0.0.1:PORT``."""
    binary = require_binary("oxigraph", "pip install oxigraph (it is in the 'test' extra: pip install -e '.[test]')")
    port = free_port()
    log = folder / "oxigraph.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
                                stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    _wait_http(base + "/", proc, log, 30)
    return Server("oxigraph", base, proc, log)


def virtuoso_ini(template: str, folder: Path, sql_port: int, http_port: int) -> str:
    """The packaged virtuoso.ini with its database files, folders and ports moved to ``folder`` / 127.0.0.1."""
    db = folder / "db"
    settings = {
        "Database": {"DatabaseFile": db / "virtuoso.db", "ErrorLogFile": db / "virtuoso.log",
                     "LockFile": db / "virtuoso.lck", "TransactionFile": db / "virtuoso.trx",
                     "xa_persistent_file": db / "virtuoso.pxa"},
        "TempDatabase": {"DatabaseFile": db / "virtuoso-temp.db", "TransactionFile": db / "virtuoso-temp.trx"},
        "Parameters": {"ServerPort": f"127.0.0.1:{sql_port}",
                       "DirsAllowed": f"., {db}, /usr/share/virtuoso-opensource-7/vad",
                       "NumberOfBuffers": "10000", "MaxDirtyBuffers": "6000"},
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
    }
    out: list[str] = []
    section = ""
    seen: set[tuple[str, str]] = set()
    for line in template.splitlines():
        m = re.match(r"^\s*\[([^\]]+)\]", line)
        if m:
            section = m.group(1).strip()
        else:
            kv = re.match(r"^\s*([A-Za-z_]+)\s*=", line)
            if kv and kv.group(1) in settings.get(section, {}):
                key = kv.group(1)
                line = f"{key} = {settings[section][key]}"
                seen.add((section, key))
        out.append(line)
    missing = [(s, k) for s, keys in settings.items() for k in keys if (s, k) not in seen]
    for s, k in missing:  # add keys the template lacks, right after their section header
        i = next(i for i, line in enumerate(out) if re.match(rf"^\s*\[{s}\]", line))
        out.insert(i + 1, f"{k} = {settings[s][k]}")
    return "\n".join(out) + "\n"


def start_virtuoso(folder: Path) -> Server:
    """``virtuoso-t +foreground +configfile FILE`` on a fresh database (user dba, password dba)."""
    binary = require_binary("virtuoso-t", "apt-get install virtuoso-opensource-7 (bash scripts/test.sh does it)")
    template = next((p for p in VIRTUOSO_INI_CANDIDATES if p.is_file()), None)
    if template is None:
        pytest.fail("no packaged virtuoso.ini found (looked in "
                    + ", ".join(map(str, VIRTUOSO_INI_CANDIDATES)) + "); reinstall virtuoso-opensource-7",
                    pytrace=False)
    (folder / "db").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(virtuoso_ini(template.read_text(encoding="utf-8", errors="replace"), folder, sql_port, http_port),
                   encoding="utf-8")
    log = folder / "virtuoso-stdout.log"
    with open(log, "wb") as fh:
        # virtuoso-t itself (no shell in between), so its PID is the one we stop.
        proc = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=folder / "db",
                                stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_http(base + "/sparql?query=ASK%7B%7D", proc, log, 120)
    except RuntimeError:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        raise
    return Server("virtuoso", base, proc, log)


class _LocalServer:
    """A listening socket on 127.0.0.1 (``port``) whose connections go to ``_handle`` from a thread."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


class Listener(_LocalServer):
    """A TCP listener on 127.0.0.1 that records every connection made to it (and closes it at once).

    It watches the port, not Python's sockets: a connection from Oxigraph's
    own HTTP client counts as much as one from Python.
    """

    def __init__(self) -> None:
        self.connections = 0
        super().__init__()

    def _handle(self, conn: socket.socket) -> None:
        self.connections += 1
        conn.close()

    def seen(self, settle: float = 0.3) -> int:
        """The connections so far, after ``settle`` seconds for late ones."""
        time.sleep(settle)
        return self.connections


class BadHTTP(_LocalServer):
    """An HTTP server on 127.0.0.1 that misbehaves after reading the request head.

    ``stall``: never answers; ``endless``: a 200 answer whose chunked body
    never ends, as fast as it can; ``trickle``: a 200 answer that sends one
    byte every 0.2 s forever.
    """

    def __init__(self, mode: str) -> None:
        assert mode in ("stall", "endless", "trickle")
        self.mode = mode
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}/sparql"

    def _handle(self, conn: socket.socket) -> None:
        threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(1.0)
        try:
            head = b""
            while b"\r\n\r\n" not in head and not self.stop:
                try:
                    data = conn.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    return
                head += data
            if self.mode != "stall":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
            chunk = b"%x\r\n%s\r\n" % (1 << 16, b" " * (1 << 16))
            while not self.stop:
                if self.mode == "stall":
                    time.sleep(0.1)
                elif self.mode == "endless":
                    conn.sendall(chunk)
                else:
                    conn.sendall(b"1\r\n \r\n")
                    time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()
