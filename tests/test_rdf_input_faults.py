"""RDF files handed to `--data` and `validate`: hostile shapes give a located error, never a crash."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

ASK = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _query(data: Path) -> tuple[int, str]:
    proc = run_cli("query", "--text", ASK, "--data", str(data), timeout=120)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stderr


def test_a_literal_larger_than_the_readers_buffer_is_a_located_error(tmp_path):
    data = tmp_path / "big.nt"
    data.write_text('<http://a> <http://b> "' + "x" * (17 << 20) + '" .\n', encoding="utf-8")
    code, stderr = _query(data)
    assert code == 2
    assert f"{data}: error: size: a term is larger than the reader takes" in stderr


def test_json_ld_nested_a_hundred_thousand_deep_is_a_located_error(tmp_path):
    data = tmp_path / "deep.jsonld"
    data.write_text('{"@id": "http://a", "http://b": ' + "[" * 100_000 + "1" + "]" * 100_000 + "}", encoding="utf-8")
    code, stderr = _query(data)
    assert code == 2
    assert f"{data}: error: nesting: the JSON-LD document is nested too deeply to be read" in stderr


def test_an_ill_typed_literal_is_read_without_a_traceback(tmp_path):
    data = tmp_path / "ill.nt"
    data.write_text('<http://a> <http://b> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', encoding="utf-8")
    code, stderr = _query(data)
    assert code == 0 and stderr == ""
