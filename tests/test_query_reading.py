"""One reading of a query, and the limits of time and size around it.

The safety check (rdflib's parser and the token scan) and the engines are
given the same text, so a form that one reads as a comment and another as
code cannot get SERVICE past the check. The listener watches the port, so
a connection from Oxigraph's own HTTP client is seen as well as Python's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph

from conftest import run_cli
from servers import BadHTTP, Listener
from graph_builder.answering.query import NamedQuery, all_queries, check_safe, run
from graph_builder.answering.sparqltext import read_query, scan
from graph_builder.errors import QueryError
from graph_builder.limits import MAX_NESTING, QUERY_TIMEOUT
from graph_builder.writing.store import graph_store

URL = "http://127.0.0.1:{port}/s"
# Every way found of hiding SERVICE from one reader of the text; {url} is the listener's.
HIDDEN = {
    "cr-in-comment": "SELECT * WHERE { ?a ?b ?c # x\r SERVICE <{url}> { ?s ?p ?o } \n}",
    "cr-in-comment-silent-minus": "SELECT * WHERE { ?a ?b ?c MINUS { ?a ?b ?c # x\r SERVICE SILENT <{url}> { ?a ?p ?o } \n} }",
    "cr-in-comment-silent-optional": "SELECT * WHERE { ?a ?b ?c OPTIONAL { # x\r SERVICE SILENT <{url}> { ?a ?p ?o } \n} }",
    "cr-in-comment-silent-subquery": "SELECT * WHERE { { SELECT ?a WHERE { ?a ?b ?c # x\r SERVICE SILENT <{url}> { ?a ?p ?o } \n} } }",
    "cr-in-comment-filter-exists": "SELECT * WHERE { ?a ?b ?c FILTER EXISTS { # x\r SERVICE SILENT <{url}> { ?a ?p ?o } \n} }",
    "cr-in-comment-union": "SELECT * WHERE { { ?a ?b ?c } UNION { # x\r SERVICE SILENT <{url}> { ?a ?p ?o } \n} }",
    "cr-lf-in-comment": "SELECT * WHERE { ?a ?b ?c # x\r\nSERVICE <{url}> { ?s ?p ?o } }",
    "escaped-cr-in-comment": "SELECT * WHERE { ?a ?b ?c # x\\u000d SERVICE <{url}> { ?s ?p ?o } \n}",
    "escaped-cr-long-form": "SELECT * WHERE { ?a ?b ?c # x\\U0000000D SERVICE <{url}> { ?s ?p ?o } \n}",
    "escaped-keyword": "SELECT * WHERE { ?a ?b ?c \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    "nested-escape": "SELECT * WHERE { ?a ?b ?c # x\\u005Cu000d SERVICE <{url}> { ?s ?p ?o } \n}",
    "line-separator-in-comment": "SELECT * WHERE { ?a ?b ?c # x\u2028 SERVICE <{url}> { ?s ?p ?o } \n}",
    "paragraph-separator-in-comment": "SELECT * WHERE { ?a ?b ?c # x\u2029 SERVICE <{url}> { ?s ?p ?o } \n}",
    "next-line-in-comment": "SELECT * WHERE { ?a ?b ?c # x\u0085 SERVICE <{url}> { ?s ?p ?o } \n}",
    "lower-case-no-spaces": "SELECT * WHERE { ?a ?b ?c .service<{url}>{?s ?p ?o} }",
    "after-a-number": "SELECT * WHERE { ?a ?b 1SERVICE <{url}> { ?s ?p ?o } }",
    "cr-in-string": "SELECT * WHERE { ?a ?b \"x\r\" SERVICE <{url}> { ?s ?p ?o } }",
    "from-after-cr": "SELECT * # x\r FROM <{url}> \nWHERE { ?s ?p ?o }",
    "from-named-after-cr": "SELECT * # x\r FROM NAMED <{url}> \nWHERE { GRAPH ?g { ?s ?p ?o } }",
}
# What the user is told, where it is not "SERVICE (or FROM) is refused".
TOLD = {
    "nested-escape": "the query's escapes spell another escape",
    "cr-in-string": "the query does not parse",  # a short string cannot hold a line end
}


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def engines():
    graph = Graph()
    graph.parse(data="<urn:a> <urn:b> <urn:c> .", format="turtle")
    return {"rdflib": graph, "oxigraph": graph_store(list(graph))}


def test_the_listener_sees_oxigraphs_own_client(listener):
    """The hazard is real and the listener sees it: Oxigraph itself, given the raw text, connects."""
    text = HIDDEN["cr-in-comment-silent-optional"].replace("{url}", URL.format(port=listener.port))
    list(pyoxigraph.Store().query(text))
    assert listener.seen() >= 1


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_a_hidden_service_or_from_is_refused_and_nothing_connects(engines, listener, engine, name):
    text = HIDDEN[name].replace("{url}", URL.format(port=listener.port))
    told = TOLD.get(name, ("FROM / FROM NAMED" if "from" in name else "SERVICE") + " is refused")
    with pytest.raises(QueryError) as refused:
        run(engines[engine], NamedQuery("inline", Path("<inline>"), text, "(inline)"))
    assert told in str(refused.value)
    with pytest.raises(QueryError) as refused:
        run(engines[engine], NamedQuery("inline", Path("<inline>"), text, "(inline)"), timeout=10)
    assert told in str(refused.value)
    assert listener.seen() == 0


@pytest.mark.parametrize("name", ["cr-in-comment", "cr-in-comment-silent-minus", "escaped-cr-in-comment",
                                  "line-separator-in-comment"])
def test_the_cli_refuses_them_from_text_and_from_a_file(tmp_path, listener, name):
    text = HIDDEN[name].replace("{url}", URL.format(port=listener.port))
    data = tmp_path / "g.nt"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    rq = tmp_path / "q.rq"
    rq.write_bytes(text.encode("utf-8"))  # the bytes as they are: a \r stays a \r
    for how in (["--text", text], [str(rq)]):
        for engine in ("oxigraph", "rdflib"):
            proc = run_cli("query", *how, "--data", str(data), "--engine", engine)
            assert proc.returncode == 2, (how, engine, proc.stdout)
            assert "refused: a query may only read the local graph" in proc.stderr
            assert "Traceback" not in proc.stderr
    assert listener.seen() == 0


def test_allow_remote_never_lets_oxigraph_reach_out(engines, listener):
    """Oxigraph's HTTP client bypasses the project's network controls: SERVICE is refused even when allowed."""
    text = HIDDEN["cr-in-comment-silent-optional"].replace("{url}", URL.format(port=listener.port))
    with pytest.raises(QueryError, match="not run by Oxigraph"):
        run(engines["oxigraph"], NamedQuery("inline", Path("<inline>"), text, "(inline)"), allow_remote=True)
    assert listener.seen() == 0


@pytest.mark.parametrize("text", [
    'SELECT ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "Federal Customs Service")) }',
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX service: <urn:> SELECT ?o WHERE { ?s ?p ?o FILTER(?s != service:from) }",
    "SELECT ?o WHERE { ?s ?p ?o FILTER(?s != <urn:SERVICE>) }",
    "# comment: SERVICE FROM\nSELECT ?o WHERE { ?s ?p ?o }",
    "SELECT ?o WHERE { ?s ?p ?o FILTER(?o != '''a long\nSERVICE string''') }",
    'SELECT ?o WHERE { ?s ?p ?o FILTER(LANG(?o) != "service"@en-service) }',
])
def test_service_in_a_string_iri_name_or_comment_is_not_a_keyword(engines, text):
    q = NamedQuery("inline", Path("<inline>"), text, "(inline)")
    assert run(engines["oxigraph"], q).rows == run(engines["rdflib"], q).rows


def test_every_named_query_reads_as_it_is_written_and_nests_little():
    for q in all_queries().values():
        raw = q.path.read_text(encoding="utf-8")
        assert q.text == raw, q.name  # no named query needs escapes or carriage returns
        found = scan(q.text)
        assert found.keywords == () and found.depth <= MAX_NESTING // 2, (q.name, found)
        check_safe(q.text)


def test_escapes_are_expanded_once_and_line_ends_made_one():
    assert read_query("SELECT ?\\u0061 WHERE { ?a ?b ?c }") == "SELECT ?a WHERE { ?a ?b ?c }"
    assert read_query("SELECT *\r\nWHERE {\r?s ?p ?o }") == "SELECT *\nWHERE {\n?s ?p ?o }"
    assert read_query(read_query("a\\u000db")) == "a\nb"
    with pytest.raises(QueryError, match=r"spell another escape \('\\u000d'"):
        read_query("# \\u005Cu000d")
    with pytest.raises(QueryError, match="not a Unicode character"):
        read_query('SELECT * { ?s ?p "\\uD800" }')
    with pytest.raises(QueryError, match="undecodable byte"):
        read_query("SELECT * { ?s ?p \udcff }")


def test_the_engines_get_the_text_that_was_checked(engines):
    """A string with an escaped CR: both engines answer the same, from the one reading."""
    q = NamedQuery("inline", Path("<inline>"), 'SELECT (STRLEN("""a\\u000d\\u000ab""") AS ?n) WHERE {}', "(inline)")
    assert [str(r[0]) for r in run(engines["oxigraph"], q).rows] == ["3"]  # CR LF read as one line end
    assert run(engines["rdflib"], q).rows == run(engines["oxigraph"], q).rows


def test_deep_nesting_is_refused_before_any_parser_recurses(tmp_path):
    depth = MAX_NESTING + 30
    text = "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth
    proc = run_cli("query", "--text", text, "--data", str(_tiny(tmp_path)))
    assert proc.returncode == 2
    assert f"the query nests groups or brackets {depth} deep; at most {MAX_NESTING} are read" in proc.stderr
    assert "recursion" not in proc.stderr and "Traceback" not in proc.stderr
    ok = "SELECT * WHERE " + "{" * 10 + " ?s ?p ?o " + "}" * 10
    assert run_cli("query", "--text", ok, "--data", str(_tiny(tmp_path))).returncode == 0


def _tiny(tmp_path: Path) -> Path:
    data = tmp_path / "g.nt"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    return data


def test_a_query_file_that_is_not_utf8_or_not_a_file_is_named(tmp_path):
    rq = tmp_path / "bad.rq"
    rq.write_bytes(b"SELECT * WHERE {\n ?s ?p \"\xff\" }\n")
    proc = run_cli("query", str(rq), "--data", str(_tiny(tmp_path)))
    assert proc.returncode == 2
    assert f"{rq}:2: not UTF-8 text (byte 0xFF at offset 25); save the query as UTF-8" in proc.stderr
    fifo = tmp_path / "fifo.rq"
    os.mkfifo(fifo)
    proc = run_cli("query", str(fifo), "--data", str(_tiny(tmp_path)), timeout=30)
    assert proc.returncode == 2 and f"{fifo}: not a regular file" in proc.stderr


def test_validate_of_a_fifo_says_it_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "fifo.ttl"
    os.mkfifo(fifo)
    proc = run_cli("validate", str(fifo), timeout=30)
    assert proc.returncode == 2
    assert f"{fifo}: error: file: not a regular file (a folder, FIFO, device or socket is not read)" in proc.stderr


@pytest.mark.parametrize("value, message", [
    ("id:a b", "--param body: no meeting series or organization matches 'id:a b'"),
    ("ivan-petrov\n", "--param body: no meeting series or organization matches 'ivan-petrov\\n'"),
    ("http://x/a b", "--param body: no meeting series or organization matches 'http://x/a b'"),
])
def test_a_bad_iri_parameter_is_a_clear_error(tmp_path, value, message):
    proc = run_cli("query", "post-holder-on-date", "--param", f"body={value}", "--param", "post=chair", "--as-of", "2024",
                   "--data", str(_tiny(tmp_path)))
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr


def test_a_parameter_that_spells_an_escape_is_refused(engines):
    q = NamedQuery("p", Path("<p>"), "# Question: x?\n# Parameters:\n#   name  string  a name\n"
                   "SELECT ?s WHERE { ?s ?p ?name }", "x?")
    from graph_builder.answering.query import parse_header

    q = parse_header(Path("p.rq"), q.text)
    for engine in engines.values():
        with pytest.raises(QueryError, match=r"holds '\\u0041', which SPARQL reads as an escape"):
            run(engine, q, {"name": "a\\u0041"})


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300", "-1", "604801", "soon"])
def test_a_timeout_that_is_not_a_time_is_a_usage_error(tmp_path, value):
    proc = run_cli("query", "--text", "ASK {}", "--data", str(_tiny(tmp_path)), "--timeout", value)
    assert proc.returncode == 2 and "argument --timeout:" in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr


def test_the_default_timeout_is_documented_and_zero_means_none(tmp_path):
    help_text = run_cli("query", "--help").stdout
    assert f"(default: {QUERY_TIMEOUT:g}; 0: no limit)" in " ".join(help_text.split())
    proc = run_cli("query", "--text", "ASK {}", "--data", str(_tiny(tmp_path)), "--timeout", "0", "-f", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout), proc.stderr


def test_a_runaway_query_without_timeout_stops_at_the_default(tmp_path, monkeypatch, capsys):
    """No --timeout: the default applies (lowered to 1 s here so the test need not wait a minute)."""
    from graph_builder import cli

    monkeypatch.setattr(cli, "QUERY_TIMEOUT", 1.0)
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    data = tmp_path / "g.nt"
    data.write_text("".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\n" for i in range(115)), encoding="utf-8")
    assert cli.main(["query", "--text", cartesian, "--data", str(data)]) == 2
    assert "query 'inline' stopped after 1 s (--timeout)" in capsys.readouterr().err


def test_the_timeout_covers_reading_and_checking_the_query(tmp_path):
    """A 200,000-row VALUES takes rdflib's parser (the safety check) far longer than a second."""
    rows = " ".join(f'"{i}"' for i in range(200_000))
    rq = tmp_path / "big.rq"
    rq.write_text(f"SELECT ?v WHERE {{ VALUES ?v {{ {rows} }} }}\n", encoding="utf-8")
    for engine in ("oxigraph", "rdflib"):
        proc = run_cli("query", str(rq), "--data", str(_tiny(tmp_path)), "--engine", engine, "--timeout", "1",
                       timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert "query 'big' stopped after 1 s (--timeout)" in proc.stderr


def test_push_to_a_server_that_never_answers_stops_at_its_timeout(tmp_path):
    server = BadHTTP("stall")
    try:
        proc = run_cli("push", "--data", str(_tiny(tmp_path)), "--gsp-url", server.url, "--timeout", "1", timeout=120)
    finally:
        server.close()
    assert proc.returncode == 2
    assert f"push: {server.url} did not answer within 1 s (--timeout)" in proc.stderr
    assert "it holds the previous graph or the new one" in proc.stderr


def _query_a_bad_server(mode: str, *options: str) -> tuple[str, str]:
    """Run a query against a misbehaving server (see servers.BadHTTP): its URL and the command's stderr."""
    server = BadHTTP(mode)
    try:
        proc = run_cli("query", "--text", "SELECT * WHERE { ?s ?p ?o }", "--query-url", server.url, *options,
                       timeout=120)
    finally:
        server.close()
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    return server.url, proc.stderr


def test_an_endless_answer_is_refused_at_the_size_limit():
    url, stderr = _query_a_bad_server("endless", "--max-answer", "4")
    assert f"the answer of {url} is larger than 4 MiB (--max-answer); it was not read further" in stderr


def test_a_trickling_answer_is_stopped_at_the_timeout():
    url, stderr = _query_a_bad_server("trickle", "--timeout", "1.5")
    assert f"query 'inline': {url} did not answer within 1.5 s (--timeout)" in stderr


def _card_from_a_bad_server(command: str, mode: str, *options: str) -> tuple[str, str]:
    server = BadHTTP(mode)
    try:
        proc = run_cli(command, "RILO CIS", "--query-url", server.url, *options, timeout=120)
    finally:
        server.close()
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    return server.url, proc.stderr


@pytest.mark.parametrize("command", ["show", "timeline"])
def test_show_and_timeline_keep_to_max_answer_and_timeout(command):
    url, stderr = _card_from_a_bad_server(command, "endless", "--max-answer", "4")
    assert f"reading the graph: the answer of {url} is larger than 4 MiB (--max-answer); it was not read further" \
        in stderr
    url, stderr = _card_from_a_bad_server(command, "stall", "--timeout", "1")
    assert f"reading the graph: {url} did not answer within 1 s (--timeout)" in stderr


def test_a_parameter_of_undecodable_bytes_or_thousands_of_digits_is_named_briefly():
    proc = run_cli("query", "resolve-name", "--param", "name=ab\udcff")
    assert proc.returncode == 2
    assert proc.stderr == ("error: --param name: the value is not Unicode text: character 3 is an undecodable byte "
                           "(U+DCFF); give it in UTF-8\n")
    proc = run_cli("query", "meeting-chair", "--param", "series=global-rilo-meetings", "--param", "number=" + "7" * 5001)
    assert proc.returncode == 2
    assert proc.stderr == ("error: --param number: '777777777777...777777777777 (5001 characters)' is not a whole "
                           "number (of at most 18 digits)\n")


def test_query_list_follows_the_format_and_marks_optional_parameters():
    """`query --list -f json` used to print the table; every format says which parameters are required."""
    import json

    listed = json.loads(run_cli("query", "--list", "-f", "json").stdout)
    post = next(q for q in listed if q["name"] == "post-holder-on-date")
    assert [(p["name"], p["required"]) for p in post["parameters"]] == [("body", True), ("date", True),
                                                                        ("post", False)]
    table = run_cli("query", "--list").stdout
    assert "post-holder-on-date  body=<Organization|MeetingSeries> date=<date> [post=<Role>]\n" in table
    assert [p["classes"] for p in post["parameters"]] == [["org:Organization", "ckg:MeetingSeries"], [], ["org:Role"]]
    csv_text = run_cli("query", "--list", "-f", "csv").stdout
    assert csv_text.startswith("name,parameters,question\n")
    assert 'post-holder-on-date,body=<Organization|MeetingSeries> date=<date> [post=<Role>],"Who held post P' in csv_text
    # In Markdown "<Role>" would be read as an HTML tag and vanish: it is escaped.
    assert "| `post-holder-on-date` | body=\\<Organization\\|MeetingSeries> date=\\<date> [post=\\<Role>] |" in run_cli(
        "query", "--list", "-f", "markdown").stdout
