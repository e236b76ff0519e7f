"""User-supplied SPARQL is read-only and local: refused before any connection, bounded in time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import run_cli
from servers import Listener
from graph_builder.answering.query import NamedQuery, check_safe, run
from graph_builder.errors import QueryError


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


SERVICE_FORMS = [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE <http://127.0.0.1:{port}/> {{ ?x ?p ?o }} }} }}",
    "ASK {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    "PREFIX ex: <http://example.org/ns#> SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ex:p ?o }} }}",
]


@pytest.mark.parametrize("form", SERVICE_FORMS)
def test_service_anywhere_is_refused_without_a_connection(tmp_path, listener, form):
    query = tmp_path / "q.rq"
    query.write_text(form.format(port=listener.port), encoding="utf-8")
    proc = run_cli("query", str(query))
    assert proc.returncode == 2, proc.stdout
    # (rdflib cannot parse a '#'-namespace prefix together with SERVICE; the token scan refuses it first)
    assert "SERVICE is refused: a query may only read the local graph" in proc.stderr
    assert "Traceback" not in proc.stderr
    time.sleep(0.3)
    assert listener.connections == 0


def test_service_to_port_9_is_refused_inline():
    proc = run_cli("query", "--text", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert proc.returncode == 2
    assert "SERVICE is refused" in proc.stderr


@pytest.mark.parametrize("text,word", [
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM / FROM NAMED"),
    ("SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM / FROM NAMED"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "updates"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates"),
    ("DELETE WHERE { ?s ?p ?o }", "updates"),
    ("CLEAR ALL", "updates"),
])
def test_dataset_clauses_and_updates_are_refused(text, word):
    with pytest.raises(QueryError, match=word.split()[0]):
        check_safe(text)


def test_allow_remote_lets_a_service_query_through_the_check():
    check_safe("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", allow_remote=True)


def test_last_line_guard_stops_service_evaluation_even_if_the_check_is_bypassed(listener):
    from graph_builder.answering.query import execute

    q = NamedQuery("raw", Path("raw.rq"), f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}", "raw")
    with pytest.raises(QueryError, match="SERVICE is refused"):
        execute(Graph(), q, {}, allow_remote=False)
    time.sleep(0.3)
    assert listener.connections == 0


def test_a_runaway_query_stops_at_its_timeout(built_graph):
    q = NamedQuery("runaway", Path("runaway.rq"),
                   "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", "runaway")
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"stopped after 1 s \(--timeout\)"):
        run(built_graph, q, timeout=1)
    assert time.monotonic() - started < 10


def test_timeout_cli_exit_code_and_message(tmp_path):
    proc = run_cli("query", "--timeout", "1", "--text", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert proc.returncode == 2
    assert "stopped after 1 s (--timeout)" in proc.stderr


def test_a_query_within_its_timeout_answers(built_graph):
    q = NamedQuery("small", Path("small.rq"), "SELECT ?s WHERE { ?s a <http://schema.org/Country> }", "small")
    assert len(run(built_graph, q, timeout=30).rows) == 23


def test_name_with_quotes_and_braces_is_a_plain_string():
    proc = run_cli("query", "resolve-name", "--param", 'name=x" } UNION { ?s ?p ?o } #', "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert '"bindings": []' in proc.stdout


def test_as_of_binds_the_date_parameter():
    # 000: RILO CIS chaired the Global RILO Meetings "for the period 2021-2022"
    proc = run_cli("query", "post-holder-on-date", "--param", "body=global-rilo-meetings", "--as-of", "2022-06-01", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert "rilo-cis" in proc.stdout
