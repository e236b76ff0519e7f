"""The bad-input corpus: every hostile or broken input gets its exact diagnostic.

Each case of ``tests/bad_input/cases.toml`` is placed in a copy of the valid
facts folder ``tests/bad_input/base`` (or handed to ``validate`` as an RDF
file). The command must exit 2, print exactly the expected
``file:line: error: field: message`` lines, print no traceback, answer within
a second and leave a previous build untouched. A case with ``code = 0`` is a
warning (a YAML file the loader does not read): ``validate`` succeeds and prints
exactly its lines.
"""

from __future__ import annotations

import hashlib
import shutil
import time
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from graph_builder.errors import FactsError
from graph_builder.loading.facts import load_facts
from graph_builder.writing.publish import publish

CORPUS = ROOT / "tests" / "bad_input"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]


def facts_with(tmp_path: Path, case: dict[str, object]) -> Path:
    facts = tmp_path / "facts"
    shutil.copytree(CORPUS / "base", facts)
    (facts / str(case["target"])).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / "files" / str(case["file"]), facts / str(case["target"]))
    return facts


def previous_build(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    out = tmp_path / "out"
    publish(out, {"customs-kg.ttl": b"# the previous build\n", "customs-kg.trig": b"# the previous build\n"})
    return out, digest(out)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_base_facts_are_valid():
    proc = run_cli("validate", str(CORPUS / "base"), "--no-reason")
    assert proc.returncode == 0, proc.stderr


def test_every_file_of_the_corpus_is_a_case():
    assert sorted(p.name for p in (CORPUS / "files").iterdir()) == sorted(str(c["file"]) for c in CASES)


ERRORS = [c for c in CASES if c.get("code", 2) == 2]
WARNINGS = [c for c in CASES if c.get("code", 2) == 0]


def test_every_case_is_an_error_or_a_warning():
    assert len(ERRORS) + len(WARNINGS) == len(CASES)


@pytest.mark.parametrize("case", WARNINGS, ids=[str(c["file"]) for c in WARNINGS])
def test_warning_case_is_printed_and_the_facts_still_load(tmp_path, case):
    facts = facts_with(tmp_path, case)
    proc = run_cli("validate", str(facts), "--no-reason", cwd=tmp_path)
    got = [line.replace(str(facts) + "/", "").replace("facts/", "", 1) for line in proc.stderr.splitlines()]
    assert got == list(case["expect"]), proc.stderr
    assert proc.returncode == 0
    assert load_facts(facts).warnings[0].message in case["expect"][0]


@pytest.mark.parametrize("case", ERRORS, ids=[str(c["file"]) for c in ERRORS])
def test_case_gives_its_diagnostic(tmp_path, case):
    expected = list(case["expect"])
    if case["target"]:
        facts = facts_with(tmp_path, case)
        out, before = previous_build(tmp_path)
        started = time.monotonic()
        proc = run_cli("build", str(facts), "-o", str(out), "--no-reason", cwd=tmp_path)
        elapsed = time.monotonic() - started
        got = [line.replace(str(facts) + "/", "").replace("facts/", "", 1) for line in proc.stderr.splitlines()]
        assert got[:-1] == expected, proc.stderr
        assert got[-1] == f"{len(expected)} problem(s) in the facts; nothing was written"
        assert digest(out) == before
        # the library call behind it answers well within a second
        started_lib = time.monotonic()
        with pytest.raises(FactsError):
            load_facts(facts)
        assert time.monotonic() - started_lib < 1.0
    else:
        path = CORPUS / "files" / str(case["file"])
        started = time.monotonic()
        proc = run_cli("validate", str(path), "--no-reason", cwd=tmp_path)
        elapsed = time.monotonic() - started
        assert [line.replace(str(path), "FILE") for line in proc.stderr.splitlines()] == expected
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert elapsed < 10, "a subprocess includes interpreter start-up; the library call is timed above"


def test_oversize_facts_file(tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(CORPUS / "base", facts)
    big = facts / "entities" / "big.yaml"
    big.write_text("entities:\n" + "# padding\n" * 300_000, encoding="utf-8")
    proc = run_cli("validate", str(facts), "--no-reason", cwd=tmp_path)
    assert proc.returncode == 2
    size = big.stat().st_size
    assert f"entities/big.yaml:1: error: file: the file is {size} bytes; the limit is 2097152; split it" in proc.stderr


def test_deep_nesting(tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(CORPUS / "base", facts)
    deep = facts / "entities" / "deep.yaml"
    deep.write_text("entities: " + "[" * 200 + "]" * 200 + "\n", encoding="utf-8")
    proc = run_cli("validate", str(facts), "--no-reason", cwd=tmp_path)
    assert proc.returncode == 2
    assert "entities/deep.yaml:1: error: nesting: nesting deeper than 32 levels" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    # 342 bytes that would serialize to millions of nodes: refused at the first anchor
    case = next(c for c in CASES if c["file"] == "alias-bomb.yaml")
    facts = facts_with(tmp_path, case)
    started = time.monotonic()
    with pytest.raises(FactsError) as info:
        load_facts(facts)
    assert time.monotonic() - started < 0.5
    assert [p.field for p in info.value.problems] == ["anchor"]
