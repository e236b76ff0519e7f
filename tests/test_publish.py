"""Nothing lost: builds are published whole, concurrent builds and kills leave one complete build."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, cli_env, run_cli
from graph_builder.errors import InputError
from graph_builder.writing.publish import MANIFEST, publish, verify

WRITER = """
import sys
from pathlib import Path
from graph_builder.writing.publish import publish
out, tag, size = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
line = '<https://example.org/{t}/%d> <https://example.org/p> "{t}" .\\n'.replace("{t}", tag)
body = "".join(line % i for i in range(size)).encode()
publish(out, {"a.nt": body, "b.nt": body, "c.txt": tag.encode()})
"""


def consistent(out: Path) -> str:
    """The tag of the one complete build in ``out``; fails if the folder mixes builds or lost files."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["a.nt", "b.nt", "c.txt"]
    assert sorted(p.name for p in out.iterdir()) == ["a.nt", "b.nt", "c.txt", MANIFEST]
    for name in manifest["files"]:
        verify(out / name)
    tag = (out / "c.txt").read_text(encoding="utf-8")
    assert f'"{tag}"' in (out / "a.nt").read_text(encoding="utf-8").splitlines()[0]
    assert manifest["files"]["a.nt"]["triples"] == manifest["files"]["b.nt"]["triples"]
    return tag


def writer(out: Path, tag: str, size: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(out), tag, str(size)], env=cli_env(), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_publish_writes_files_and_manifest(tmp_path):
    out = tmp_path / "out"
    manifest = publish(out, {"g.nt": b'<https://e.org/a> <https://e.org/p> "x" .\n', "note.txt": b"hi"})
    assert manifest["files"]["g.nt"]["triples"] == 1
    assert json.loads((out / MANIFEST).read_text())["files"]["note.txt"]["bytes"] == 2
    publish(out, {"other.txt": b"second"})
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "other.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")], "no staging folder is left behind"


def test_the_export_gate_refuses_a_file_that_does_not_parse(tmp_path):
    out = tmp_path / "out"
    publish(out, {"g.nt": b'<https://e.org/a> <https://e.org/p> "x" .\n'})
    before = (out / "g.nt").read_bytes()
    with pytest.raises(InputError, match="export gate"):
        publish(out, {"g.nt": b'<https://e.org/a> <https://e.org/p> "unterminated .\n'})
    assert (out / "g.nt").read_bytes() == before


@pytest.mark.parametrize("run", range(20))
def test_two_concurrent_builds_leave_one_complete_build(tmp_path, run):
    out = tmp_path / "out"
    procs = [writer(out, f"build{i}", 20_000) for i in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert consistent(out) in ("build0", "build1")
    assert not [p for p in tmp_path.iterdir() if p.name != "out"], "no staging folder is left behind"


@pytest.mark.parametrize("run", range(20))
def test_a_build_killed_mid_write_leaves_the_previous_build(tmp_path, run):
    out = tmp_path / "out"
    first = writer(out, "previous", 2_000)
    assert first.wait(timeout=120) == 0
    victim = writer(out, "victim", 200_000)
    time.sleep(random.Random(run).uniform(0.05, 1.2))
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    assert consistent(out) in ("previous", "victim")


def test_a_truncated_export_is_refused_by_validate_and_push(tmp_path):
    out = tmp_path / "out"
    proc = run_cli("build", "--no-reason", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    ttl = out / "customs-kg.ttl"
    data = ttl.read_bytes()
    # cut at a statement boundary: the rest still parses, with half the triples
    cut = data.rfind(b" .\n", 0, len(data) // 2) + 3
    ttl.write_bytes(data[:cut])
    for args in (["validate", str(ttl), "--no-reason"], ["push", "--data", str(ttl), "--endpoint", "http://127.0.0.1:9/store"]):
        proc = run_cli(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert f"customs-kg.ttl: error: manifest: the file has {cut} bytes but the build wrote {len(data)}" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_an_altered_export_is_refused(tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", "--no-reason", "-o", str(out)).returncode == 0
    ttl = out / "customs-kg.ttl"
    ttl.write_bytes(ttl.read_bytes().replace(b"Oleg Bakanov", b"Oleg Bakanof"))
    proc = run_cli("validate", str(ttl), "--no-reason")
    assert proc.returncode == 2
    assert "error: manifest: the file's SHA-256 differs from the build's" in proc.stderr


def test_two_concurrent_cli_builds_into_one_folder(tmp_path):
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "graph_builder", "build", "--no-reason", "-o", str(out)],
                              env=cli_env(), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["customs-kg.trig", "customs-kg.ttl"]
    for name in manifest["files"]:
        verify(out / name)
    assert os.listdir(tmp_path) == ["out"]
