"""No command reaches the network: the guard is in place and a hostile query cannot get out."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from conftest import ROOT, cli_env, run_cli


def test_the_guard_refuses_an_outside_address_in_this_process(network_guard):
    sock = socket.socket()
    try:
        with pytest.raises(ConnectionRefusedError, match="network guard"):
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed
    finally:
        sock.close()
    # the attempt was recorded; clear it so the session check stays meaningful
    network_guard.write_text("", encoding="utf-8")


def test_the_guard_is_loaded_in_cli_subprocesses():
    code = "import socket; s = socket.socket(); s.connect(('192.0.2.1', 80))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(CUSTOMS_KG_NETGUARD_LOG=""),
                          cwd=ROOT)
    assert proc.returncode != 0
    assert "network guard: connection to ('192.0.2.1', 80) refused" in proc.stderr


@pytest.mark.parametrize("args", [
    ["build", "--no-reason", "-o", "{tmp}/out"],
    ["validate", "--no-reason"],
    ["query", "members-of-body", "--param", "body=rilo-cis"],
    ["show", "RILO-Koln", "--quotes"],
    ["timeline", "Global RILO Meeting"],
    ["check"],
    ["export", "--format", "jsonld"],
])
def test_commands_run_under_the_guard(tmp_path, args):
    proc = run_cli(*[a.replace("{tmp}", str(tmp_path)) for a in args], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_allowed_service_call_is_still_stopped_by_the_guard(tmp_path):
    # with --allow-remote the user lets SERVICE through the check, so rdflib tries to
    # connect: the guard refuses, the command fails cleanly, and the attempt is logged
    log = tmp_path / "connections.log"
    query = "SELECT * WHERE { SERVICE <http://192.0.2.1/sparql> { ?s ?p ?o } }"
    proc = subprocess.run([sys.executable, "-m", "graph_builder", "query", "--allow-remote", "--text", query],
                          capture_output=True, text=True, cwd=tmp_path, env=cli_env(CUSTOMS_KG_NETGUARD_LOG=str(log)))
    assert proc.returncode == 2
    assert "network guard" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "('192.0.2.1', 80)" in log.read_text(encoding="utf-8")
