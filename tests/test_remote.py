"""Push the graph to real graph stores and query them: Oxigraph server and Virtuoso 7.

One server of each kind per module, started on 127.0.0.1 with free ports
(tests/servers.py). For each: push the bundled graph with ``customs-kg push``,
run every competency-question query with the parameter sets of
tests/test_queries.py through ``customs-kg query --endpoint`` and compare
with the local answer, push again (no duplicates), a dead port, and on
Virtuoso wrong credentials (401). Retries and "which graph does the server
hold after a failure" are tested through a small proxy in front of Oxigraph
that fails on purpose.
"""

from __future__ import annotations

import dataclasses
import http.server
import io
import json
import threading

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from conftest import run_cli
from graph_builder.answering import query as query_mod
from graph_builder.answering import remote
from graph_builder.answering.query import all_queries, run
from graph_builder.answering.results import rows_as_strings
from servers import free_port, start_oxigraph, start_virtuoso
from test_queries import EXPECTED, QUERIES_DIR

ID = "https://w3id.org/customs-kg/id/"
GRAPH = remote.DEFAULT_GRAPH
QUERIES = all_queries(QUERIES_DIR)

def display(rows) -> set[tuple[str, ...]]:
    return set(rows_as_strings(rows))


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def turtle_file(build_output):
    proc, out = build_output
    assert proc.returncode == 0, proc.stderr
    return out / "customs-kg.ttl"


def auth_args(kind: str) -> list[str]:
    return ["--user", "dba", "--password", "dba"] if kind == "virtuoso" else []


def ep(server) -> remote.Endpoint:
    return remote.endpoint(server.base, server.kind, user="dba" if server.kind == "virtuoso" else None,
                           password="dba" if server.kind == "virtuoso" else None)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def pushed(request, turtle_file, built_graph):
    """A server holding the bundled graph, pushed with the CLI."""
    server = request.getfixturevalue(request.param)
    proc = run_cli("push", "--data", str(turtle_file), "--endpoint", server.base, "--store-type", server.kind,
                   *auth_args(server.kind))
    assert proc.returncode == 0, proc.stderr
    assert "push: sent" in proc.stderr and f"<{GRAPH}>" in proc.stderr
    assert remote.graph_size(ep(server), GRAPH) == len(built_graph)
    return server


CASES = [(name, params) for name, params, _ in EXPECTED]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'all'}"[:80] for n, p in CASES]


def test_every_cq_query_is_covered():
    assert {n for n, _ in CASES} == {n for n, q in QUERIES.items() if q.path.parent.name == "cq"}


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_query_gives_the_local_rows(pushed, built_graph, name, params):
    q = QUERIES[name]
    local = display(run(built_graph, q, params))
    answer = remote.run_remote(ep(pushed), q, params)
    assert display(answer) == local


def test_query_command_with_endpoint_in_every_format(pushed):
    args = ["query", "meeting-chair", "--param", "series=global-rilo-meetings", "--param", "number=28",
            "--endpoint", pushed.base, "--store-type", pushed.kind]
    proc = run_cli(*args, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["head"]["vars"][:3] == ["meeting", "chair", "chairLabel"]
    assert [b["chair"]["value"] for b in data["results"]["bindings"]] == ["https://w3id.org/customs-kg/id/rilo-cis"]
    proc = run_cli(*args, "--format", "csv", "--keys")
    assert proc.returncode == 0 and "global-rilo-meeting-28,rilo-cis," in proc.stdout
    local = run_cli(*args[:6], "--format", "csv")  # the SPARQL CSV results: the same as locally
    assert run_cli(*args, "--format", "csv").stdout == local.stdout
    assert f"{ID}global-rilo-meeting-28,{ID}rilo-cis," in local.stdout


def test_query_parameters_are_resolved_by_name_on_the_endpoint_as_locally(pushed):
    remote_store = ("--endpoint", pushed.base, "--store-type", pushed.kind)
    local = run_cli("query", "members-of-body", "--param", "body=rilo-cis", "-f", "json")
    for name in ("RILO CIS", "RILO-CIS"):
        proc = run_cli("query", "members-of-body", "--param", f"body={name}", *remote_store, "-f", "json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == json.loads(local.stdout) and "matched" not in proc.stderr
    proc = run_cli("query", "members-of-body", "--param", "body=rilo-cs", *remote_store, "-f", "json")
    assert proc.returncode == 0 and "--param body: matched 'rilo-cs' as " in proc.stderr
    proc = run_cli("query", "members-of-body", "--param", "body=rilo-xyz", *remote_store)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "no organization matches 'rilo-xyz'; did you mean " in proc.stderr and "(rilo-cis)?" in proc.stderr


def test_construct_and_describe_on_the_endpoint_give_rdf(pushed):
    remote_store = ("--endpoint", pushed.base, "--store-type", pushed.kind)
    construct = ("CONSTRUCT { ?r a <https://w3id.org/customs-kg/ontology#RILO> } "
                 "WHERE { ?r a <https://w3id.org/customs-kg/ontology#RILO> }")
    local = run_cli("query", "--text", construct, "-f", "nt")
    answer = run_cli("query", "--text", construct, *remote_store, "-f", "nt")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == local.stdout and answer.stdout.count("\n") == 4
    described = run_cli("query", "--text", f"DESCRIBE <{ID}rilo-cis>", *remote_store)
    assert described.returncode == 0, described.stderr
    graph = Graph().parse(data=described.stdout, format="turtle")
    assert (URIRef(ID + "rilo-cis"), RDFS.label, Literal(
        "Regional Intelligence Liaison Office for the Commonwealth of Independent States", lang="en")) in graph


def test_query_with_a_hostile_string_parameter_is_a_plain_string(pushed):
    q = QUERIES["resolve-name"]
    rows = remote.run_remote(ep(pushed), q, {"name": 'x" } } ; DROP ALL ; SELECT * { "'})
    assert rows.rows == []


def test_service_is_refused_before_anything_is_sent():
    proc = run_cli("query", "--text", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                   "--endpoint", "http://127.0.0.1:9/", "--store-type", "oxigraph")
    assert proc.returncode == 2 and "SERVICE is refused" in proc.stderr and "Traceback" not in proc.stderr


def test_second_push_replaces_and_duplicates_nothing(pushed, turtle_file, built_graph):
    before = remote.graph_size(ep(pushed), GRAPH)
    proc = run_cli("push", "--data", str(turtle_file), "--endpoint", pushed.base, "--store-type", pushed.kind,
                   *auth_args(pushed.kind))
    assert proc.returncode == 0, proc.stderr
    assert remote.graph_size(ep(pushed), GRAPH) == before == len(built_graph)


def test_push_replaces_old_content(pushed, built_graph):
    from rdflib import Literal, URIRef

    extra = (URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("only in the first push"))
    remote.push(ep(pushed), [*built_graph, extra], GRAPH, stream=io.StringIO())
    assert remote.graph_size(ep(pushed), GRAPH) == len(built_graph) + 1
    remote.push(ep(pushed), list(built_graph), GRAPH, stream=io.StringIO())
    assert remote.graph_size(ep(pushed), GRAPH) == len(built_graph)


def test_push_shows_progress_in_bytes(pushed, built_graph):
    out = io.StringIO()
    result = remote.push(ep(pushed), list(built_graph), GRAPH, stream=out, progress_threshold=0)
    lines = [l for l in out.getvalue().splitlines() if "bytes sent" in l]
    assert len(lines) >= 2 and lines[-1] == f"push: {result.bytes} of {result.bytes} bytes sent (100%)"


def test_push_to_a_dead_port_is_a_clean_error():
    port = free_port()
    proc = run_cli("push", "--endpoint", f"http://127.0.0.1:{port}", "--store-type", "oxigraph", timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert f"cannot reach http://127.0.0.1:{port}/store" in proc.stderr
    assert "gave up after 4 attempts" in proc.stderr
    assert "the server still holds the previous graph" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_query_on_a_dead_port_is_a_clean_error():
    proc = run_cli("query", "rilos", "--endpoint", f"http://127.0.0.1:{free_port()}", "--store-type", "oxigraph")
    assert proc.returncode == 2 and "cannot reach" in proc.stderr and "Traceback" not in proc.stderr


def test_virtuoso_wrong_password_is_401(virtuoso, turtle_file):
    proc = run_cli("push", "--data", str(turtle_file), "--endpoint", virtuoso.base, "--store-type", "virtuoso",
                   "--user", "dba", "--password", "wrong")
    assert proc.returncode == 2, proc.stderr
    assert "refused the credentials (HTTP 401" in proc.stderr and "internal error" not in proc.stderr
    assert "attempt" not in proc.stderr  # 401 is not retried


def test_virtuoso_push_without_credentials_is_refused(virtuoso, built_graph):
    with pytest.raises(remote.RemoteError, match="HTTP 401"):
        remote.push(remote.endpoint(virtuoso.base, "virtuoso"), list(built_graph), GRAPH, stream=io.StringIO())


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_rejected_upload_leaves_the_previous_graph(request, kind, built_graph):
    """A body the server cannot parse is refused whole: the previous graph stays and the error says so."""
    server = request.getfixturevalue(kind)
    e = ep(server)
    graph = "https://example.org/atomic-" + kind
    remote.push(e, list(built_graph), graph, stream=io.StringIO())
    bad = httpx.put(e.gsp_url, params={e.graph_param: graph}, content=b'<https://e.org/s> <https://e.org/p> "bad .\n',
                    headers={"Content-Type": "text/turtle"}, auth=e.auth)
    assert bad.status_code >= 400
    assert remote.graph_size(e, graph) == len(built_graph)


# --- Retries and the state after a failure, through a proxy that fails on purpose ------------

class FlakyProxy:
    """Forwards to a real server; answers the first ``fail`` PUTs with ``status`` instead."""

    def __init__(self, target: str, fail: int, status: int = 503):
        self.target, self.fail, self.status, self.puts = target, fail, status, 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _forward(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if method == "PUT":
                    proxy.puts += 1
                    if proxy.puts <= proxy.fail:
                        self.send_response(proxy.status)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                r = httpx.request(method, proxy.target + self.path, content=body, headers=headers)
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            def do_PUT(self):  # noqa: N802
                self._forward("PUT")

            def do_POST(self):  # noqa: N802
                self._forward("POST")

            def do_GET(self):  # noqa: N802
                self._forward("GET")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_transient_503_is_retried_with_backoff(oxigraph, built_graph):
    graph = "https://example.org/retry"
    delays: list[float] = []
    out = io.StringIO()
    with FlakyProxy(oxigraph.base, fail=2, status=503) as proxy:
        result = remote.push(remote.endpoint(proxy.base, "oxigraph"), list(built_graph), graph, stream=out,
                             sleep=delays.append)
        assert proxy.puts == 3
    assert result.attempts == 3 and delays == [remote.BACKOFF, remote.BACKOFF * 2]
    assert out.getvalue().count("retrying in") == 2
    assert remote.graph_size(remote.endpoint(oxigraph.base, "oxigraph"), graph) == len(built_graph)


def test_retries_are_bounded_and_the_error_says_the_previous_graph_stays(oxigraph, built_graph):
    graph = "https://example.org/bounded"
    real = remote.endpoint(oxigraph.base, "oxigraph")
    remote.push(real, list(built_graph)[:10], graph, stream=io.StringIO())
    delays: list[float] = []
    with FlakyProxy(oxigraph.base, fail=100, status=502) as proxy:
        with pytest.raises(remote.RemoteError) as info:
            remote.push(remote.endpoint(proxy.base, "oxigraph"), list(built_graph), graph, stream=io.StringIO(),
                        sleep=delays.append)
        assert proxy.puts == remote.RETRIES + 1
    assert len(delays) == remote.RETRIES
    message = str(info.value)
    assert "HTTP 502" in message and f"gave up after {remote.RETRIES + 1} attempts" in message
    assert f"the server still holds the previous graph <{graph}> (10 triples)" in message


def test_failure_after_the_server_applied_the_put_says_it_holds_the_new_graph(oxigraph, built_graph):
    """The server stored the graph but the answer was lost (here: a 500 from the proxy after forwarding)."""
    graph = "https://example.org/applied"

    class Applying(FlakyProxy):
        pass

    with FlakyProxy(oxigraph.base, fail=0) as proxy:
        # Forward the PUT, then pretend the answer failed: wrap the handler's PUT.
        handler = proxy.server.RequestHandlerClass
        original = handler.do_PUT

        def do_put(self):  # noqa: ANN001
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            httpx.put(proxy.target + self.path, content=body, headers={"Content-Type": self.headers["Content-Type"]})
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        handler.do_PUT = do_put
        try:
            with pytest.raises(remote.RemoteError) as info:
                remote.push(remote.endpoint(proxy.base, "oxigraph"), list(built_graph), graph, stream=io.StringIO())
        finally:
            handler.do_PUT = original
    assert f"the server holds the new graph <{graph}> ({len(built_graph)} triples)" in str(info.value)


def test_values_binding_is_placed_in_the_top_level_group():
    q = QUERIES["meeting-chair"]
    text = query_mod.bind_with_values(q, {"series": "global-rilo-meetings", "number": "28"})
    # One single-variable VALUES per parameter, in name order, first in the WHERE group.
    where = text.index("WHERE {") + len("WHERE {")
    assert text[where:].startswith(
        '\n  VALUES ?number { "28"^^<http://www.w3.org/2001/XMLSchema#integer> }\n'
        '  VALUES ?series { <https://w3id.org/customs-kg/id/global-rilo-meetings> }\n')
    assert "BIND" not in text[where:where + 200]
    with pytest.raises(Exception, match="no parameter"):
        query_mod.bind_with_values(q, {"nope": "1"})


@pytest.mark.parametrize("name,params", [c for c in CASES if c[1]], ids=[i for c, i in zip(CASES, IDS) if c[1]])
def test_values_binding_gives_the_rows_of_initbindings(built_graph, name, params):
    """The text sent to a store, run by rdflib with nothing bound, gives the rows of rdflib's initBindings."""
    q = QUERIES[name]
    bound = dataclasses.replace(q, text=query_mod.bind_with_values(q, params), params=())
    assert display(run(built_graph, bound)) == display(run(built_graph, q, params))


@pytest.mark.parametrize("command,name", [("show", "Bakanov"), ("show", "RILO-Koln"), ("timeline", "Global RILO Meeting")])
def test_show_and_timeline_read_the_store(pushed, command, name):
    # the card drawn from the store's copy is the card drawn from the local build
    local = run_cli(command, name, "--quotes")
    assert local.returncode == 0, local.stderr
    remote_run = run_cli(command, name, "--quotes", "--endpoint", pushed.base, "--store-type", pushed.kind,
                         *auth_args(pushed.kind))
    assert remote_run.returncode == 0, remote_run.stderr
    assert remote_run.stdout == local.stdout


def test_show_from_an_empty_graph_is_a_clean_error(oxigraph):
    proc = run_cli("show", "Bakanov", "--endpoint", oxigraph.base, "--store-type", "oxigraph", "--graph", "urn:nothing:here")
    assert proc.returncode == 2
    assert "is empty or does not exist (push it first)" in proc.stderr
    assert "Traceback" not in proc.stderr
