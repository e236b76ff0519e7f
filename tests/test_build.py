"""``customs-kg build`` on the bundled facts: summary, outputs, determinism, installability."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from conftest import FACTS, ROOT, run_cli
from graph_builder.building.build import build
from graph_builder.loading.facts import load_facts
from graph_builder.writing.publish import publish
from graph_builder.writing.serialize import nquads, trig, turtle


def test_build_prints_summary_and_writes_turtle_and_trig(build_output):
    proc, out = build_output
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = dict(line.rsplit(None, 1) if line.count("  ") else (line, "") for line in proc.stdout.splitlines())
    summary = {k.strip(): v for k, v in lines.items()}
    assert summary["sources"] == "5"
    assert summary["SHACL violations"] == "0"
    assert int(summary["memberships and tenures"]) >= 20
    assert summary["OWL consistency (HermiT)"] == "consistent"
    assert (out / "customs-kg.ttl").stat().st_size > 10_000
    assert (out / "customs-kg.trig").stat().st_size > 10_000
    assert sorted(p.name for p in out.iterdir()) == ["customs-kg.trig", "customs-kg.ttl", "manifest.json"]
    # the atomic writer's temporary file is private; the published file is not
    mask = os.umask(0)
    os.umask(mask)
    assert (out / "customs-kg.ttl").stat().st_mode & 0o777 == 0o666 & ~mask


def test_turtle_and_trig_hold_the_same_triples(build_output):
    _proc, out = build_output
    g = Graph().parse(out / "customs-kg.ttl", format="turtle")
    ds = Dataset()
    ds.parse(out / "customs-kg.trig", format="trig")
    union = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    assert isomorphic(g, union), "\n".join(str(t) for t in list(graph_diff(to_isomorphic(g), to_isomorphic(union))[1])[:20])


def test_trig_keeps_one_named_graph_per_source(build_output):
    _proc, out = build_output
    ds = Dataset()
    ds.parse(out / "customs-kg.trig", format="trig")
    names = sorted(str(c.identifier) for c in ds.graphs() if str(c.identifier).endswith("/graph"))
    assert len(names) == 5
    assert "https://w3id.org/customs-kg/id/fcs-2021-02-12-28th-global-rilo-meeting/graph" in names


def test_no_blank_nodes(built):
    from rdflib import BNode

    assert not [t for t in built.merged() if any(isinstance(x, BNode) for x in t)]


def test_same_facts_give_byte_identical_exports(tmp_path):
    first = build(load_facts(FACTS))
    # a copy of the facts in another folder, loaded in another order of calls
    copy = tmp_path / "facts"
    shutil.copytree(FACTS, copy)
    second = build(load_facts(copy))
    assert turtle(first.merged()) == turtle(second.merged())
    assert trig(first.quads()) == trig(second.quads())
    assert nquads(first.quads()) == nquads(second.quads())


def test_two_cli_builds_are_byte_identical(tmp_path, build_output):
    _proc, out = build_output
    proc = run_cli("build", "--no-reason", "-o", str(tmp_path / "again"))
    assert proc.returncode == 0, proc.stderr
    for name in ("customs-kg.ttl", "customs-kg.trig"):
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes()


def test_turtle_export_is_readable(build_output):
    _proc, out = build_output
    text = (out / "customs-kg.ttl").read_text(encoding="utf-8")
    assert text.startswith("# customs-kg:")
    assert "@prefix org:" in text and "@prefix schema: <http://schema.org/> ." in text
    assert "https://schema.org/" not in text
    assert "id:rilo-cis\n    a " in text


def test_invalid_graph_is_not_written(tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(FACTS, facts)
    roles = facts / "vocab" / "roles.yaml"
    # a role whose English name is not in the controlled list breaks a shape
    text = roles.read_text(encoding="utf-8")
    assert 'en: "Chair",' in text
    roles.write_text(text.replace('en: "Chair",', 'en: "Chairwoman",', 1), encoding="utf-8")
    out = tmp_path / "out"
    publish(out, {"customs-kg.ttl": b"# previous build\n"})
    proc = run_cli("build", str(facts), "-o", str(out), "--no-reason")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "role/chair" in proc.stderr and "vocab/roles.yaml" in proc.stderr
    assert "nothing was written" in proc.stderr
    assert (out / "customs-kg.ttl").read_text(encoding="utf-8") == "# previous build\n"


def test_usage_errors_exit_2_without_traceback():
    for args in (["frobnicate"], ["build", "--no-such-option"], ["query"], ["query", "no-such-query"],
                 ["validate", "/no/such/file.ttl"]):
        proc = run_cli(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stderr.strip()


def test_non_editable_install_finds_its_data_from_any_directory(tmp_path):
    """``pip install .`` ships ontology, shapes, queries and facts as package data."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    # the dependencies come from this environment's site-packages (no download);
    # its .pth files are not processed, so an editable checkout does not leak in
    inner = subprocess.run([str(py), "-c", "import site; print(site.getsitepackages()[0])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    import site
    Path(inner, "outer-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "__pycache__", "*.egg-info", ".pytest_cache"))
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(src)],
                   check=True, capture_output=True, text=True, timeout=600)
    shutil.rmtree(src)  # the installed package must not depend on the source tree
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CUSTOMS_KG_FACTS")}
    proc = subprocess.run([str(env_dir / "bin" / "customs-kg"), "build", "--no-reason", "-o", "out"], cwd=work,
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (work / "out" / "customs-kg.ttl").is_file()
    assert re.search(r"^reading the facts in \S+/site-packages/graph_builder/resources/facts "
                     r"\(the copy installed with customs-kg\)$", proc.stderr, re.M), proc.stderr
    proc = subprocess.run([str(py), "-c", "import graph_builder.paths as p; print(p.ontology_file())"], cwd=work,
                          capture_output=True, text=True, env=env)
    assert "site-packages/graph_builder/resources/ontology/customs.ttl" in proc.stdout

    # In a checkout, the installed command reads the checkout's facts/: a curator's edit takes effect.
    checkout = tmp_path / "checkout"
    shutil.copytree(FACTS, checkout / "facts")
    (checkout / "notes").mkdir()
    source = checkout / "facts" / "sources" / "fcs-2021-04-08-russia-vice-chair-wco-ec.yaml"
    text = source.read_text(encoding="utf-8")
    assert 'published: "2021-04-08"' in text
    source.write_text(text.replace('published: "2021-04-08"', 'published: "2021-04-31"'), encoding="utf-8")
    for where in (checkout, checkout / "notes"):
        proc = subprocess.run([str(env_dir / "bin" / "customs-kg"), "build", "--no-reason", "-o", str(tmp_path / "o")],
                              cwd=where, capture_output=True, text=True, timeout=600, env=env)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        shown = "facts" if where == checkout else str(checkout / "facts")  # paths above the working folder stay whole
        assert proc.stderr.startswith(f"reading the facts in {shown} (the facts folder of this checkout)\n"), proc.stderr
        assert f"{shown}/sources/fcs-2021-04-08-russia-vice-chair-wco-ec.yaml:6: error: source.published:" in proc.stderr


def test_build_in_process_restores_the_garbage_collector(tmp_path, capsys):
    # build pauses the cyclic collector while it works; a program calling main() gets it back,
    # after a good build and after a failed one
    import gc

    from graph_builder.cli import main

    assert gc.isenabled()
    assert main(["build", str(FACTS), "-o", str(tmp_path / "out"), "--no-reason"]) == 0
    assert gc.isenabled()
    assert main(["build", str(tmp_path / "no-such-facts"), "-o", str(tmp_path / "out2"), "--no-reason"]) != 0
    assert gc.isenabled()
    gc.disable()  # and leaves it paused when the caller had paused it
    try:
        assert main(["build", str(FACTS), "-o", str(tmp_path / "out"), "--no-reason"]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
