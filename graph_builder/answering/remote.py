"""Graph stores over HTTP: push the graph (SPARQL 1.1 Graph Store Protocol) and query it (SPARQL 1.1 Protocol).

Endpoint conventions (``--store-type``):

* ``oxigraph``: URL is the server's base URL; Graph Store at ``URL/store?graph=IRI``,
  queries at ``URL/query``.
* ``virtuoso``: URL is the server's base URL; Graph Store at
  ``URL/sparql-graph-crud-auth?graph-uri=IRI`` (digest auth), queries at ``URL/sparql``.
* ``generic`` (default): URL is the Graph Store service for ``push``
  (``URL?graph=IRI``) and the SPARQL query endpoint for ``query``.

``gsp_url`` / ``query_url`` override either. A push is one ``PUT`` of the
whole graph as Turtle, so a store that applies a request atomically holds the
old graph or the new one, never a mix; after a failure the server's graph is
read back and compared, and the error says which one it holds.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, TextIO

import httpx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph_builder.answering.query import NamedQuery, Rows, bind_with_values, check_safe
from graph_builder.errors import CustomsKGError
from graph_builder.limits import CONNECT_TIMEOUT, MAX_ANSWER_MB, PUSH_TIMEOUT, QUERY_TIMEOUT
from graph_builder.namespaces import XSD
from graph_builder.writing.serialize import TermWriter, Triple, iri_ref, turtle

DEFAULT_GRAPH = "https://w3id.org/customs-kg/graph"
STORES = ("generic", "oxigraph", "virtuoso")
RETRY_STATUS = (502, 503, 504)
RETRIES = 3               # after the first attempt: 4 attempts at most
BACKOFF = 0.5             # seconds before the first retry; doubled each time
PROGRESS_THRESHOLD = 1 << 20  # show progress for uploads larger than 1 MiB
CHUNK = 64 * 1024


class RemoteError(CustomsKGError):
    """A graph store could not be reached, refused the request or failed (exit 2)."""


@dataclass(frozen=True)
class Endpoint:
    """Where to send Graph Store requests and queries, and how to authenticate."""

    gsp_url: str | None
    query_url: str | None
    graph_param: str = "graph"
    auth: httpx.Auth | None = None
    store: str = "generic"


def endpoint(url: str | None, store: str = "generic", *, gsp_url: str | None = None, query_url: str | None = None,
             user: str | None = None, password: str | None = None, auth_scheme: str | None = None) -> Endpoint:
    """The endpoint for ``--endpoint URL --store KIND`` and the explicit URL overrides."""
    if store not in STORES:
        raise RemoteError(f"--store: '{store}' is not one of {', '.join(STORES)}")
    for name, value in (("--endpoint", url), ("--gsp-url", gsp_url), ("--query-url", query_url)):
        if value is not None and not value.startswith(("http://", "https://")):
            raise RemoteError(f"{name}: '{value}' is not an http:// or https:// URL")
    base = url.rstrip("/") if url else None
    graph_param = "graph"
    gsp: str | None
    query: str | None
    if store == "oxigraph" and base:
        gsp, query = base + "/store", base + "/query"
    elif store == "virtuoso" and base:
        gsp, query = base + "/sparql-graph-crud-auth", base + "/sparql"
        graph_param = "graph-uri"
    else:
        gsp = query = url
    scheme = auth_scheme or ("digest" if store == "virtuoso" else "basic")
    auth: httpx.Auth | None = None
    if user is not None or password is not None:
        if user is None or password is None:
            raise RemoteError("give both --user and --password (or set CUSTOMS_KG_PASSWORD)")
        auth = httpx.DigestAuth(user, password) if scheme == "digest" else httpx.BasicAuth(user, password)
    elif store == "virtuoso" and auth_scheme == "digest":
        raise RemoteError("--auth digest needs --user and --password")
    return Endpoint(gsp_url or gsp, query_url or query, graph_param, auth, store)


# --- Errors -----------------------------------------------------------------------

def _server_message(response: httpx.Response) -> str:
    text = response.text.strip()
    if "<html" in text[:200].lower() or "<!doctype" in text[:200].lower():
        import re

        pre = re.search(r"<(?:xmp|pre)>(.*?)</(?:xmp|pre)>", text, re.S | re.I)
        text = pre.group(1) if pre else re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text[:300]


def _status_error(what: str, url: str, response: httpx.Response) -> RemoteError:
    code = response.status_code
    detail = _server_message(response)
    tail = f": {detail}" if detail else ""
    if code == 401:
        return RemoteError(f"{what}: {url} refused the credentials (HTTP 401 Unauthorized); "
                           f"check --user/--password and --auth{tail}")
    if code == 403:
        return RemoteError(f"{what}: {url} forbids this (HTTP 403 Forbidden); the user lacks the rights{tail}")
    if code < 500:
        return RemoteError(f"{what}: {url} rejected the request (HTTP {code} {response.reason_phrase}){tail}")
    return RemoteError(f"{what}: {url} failed (HTTP {code} {response.reason_phrase}){tail}")


def _transport_error(what: str, url: str, exc: httpx.HTTPError, timeout: float | None = None) -> RemoteError:
    if isinstance(exc, httpx.ConnectError):
        return RemoteError(f"{what}: cannot reach {url}: {exc or 'connection refused'}")
    if isinstance(exc, httpx.ConnectTimeout):
        return RemoteError(f"{what}: {url} did not accept the connection within {CONNECT_TIMEOUT:g} s")
    if isinstance(exc, httpx.TimeoutException):
        within = f" within {timeout:g} s (--timeout)" if timeout else " in time"
        return RemoteError(f"{what}: {url} did not answer{within}")
    return RemoteError(f"{what}: the connection to {url} failed: {type(exc).__name__}: {exc}")


def _retryable(exc: httpx.HTTPError) -> bool:
    return isinstance(exc, (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError,
                            httpx.ConnectTimeout))


# --- Queries ------------------------------------------------------------------------

def term_from_json(cell: dict[str, Any]) -> Node:
    """An rdflib term from a SPARQL 1.1 JSON results binding (Virtuoso's ``typed-literal`` too)."""
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    lang = cell.get("xml:lang")
    datatype = cell.get("datatype")
    if lang:
        return Literal(value, lang=lang)
    if datatype and datatype != str(XSD.string):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def rows_from_json(data: dict[str, Any]) -> Rows:
    """Rows from a SPARQL 1.1 Query Results JSON document."""
    if "boolean" in data:
        return Rows(["ask"], [[Literal(bool(data["boolean"]))]])
    names = [str(v) for v in data.get("head", {}).get("vars", [])]
    out: list[list[Node | None]] = []
    for b in data.get("results", {}).get("bindings", []):
        out.append([term_from_json(b[v]) if v in b else None for v in names])
    return Rows(names, out)


def sparql_select(ep: Endpoint, text: str, *, graph: str | None = None, timeout: float | None = QUERY_TIMEOUT,
                  client: httpx.Client | None = None, what: str = "query",
                  max_answer_mb: float = MAX_ANSWER_MB) -> Rows:
    """POST a query (form-encoded) to the endpoint; the answer as :class:`Rows`.

    The whole answer must arrive within ``timeout`` seconds (default
    :data:`QUERY_TIMEOUT`, None for no limit; a server that trickles bytes is
    stopped too) and
    be at most ``max_answer_mb`` MiB: it is read in chunks and refused as
    soon as it is larger, never buffered whole first.
    """
    body, content_type = _post_query(ep, text, "application/sparql-results+json", graph=graph, timeout=timeout,
                                     client=client, what=what, max_answer_mb=max_answer_mb)
    try:
        return rows_from_json(json.loads(body))
    except (ValueError, RecursionError, TypeError, KeyError, AttributeError):
        raise RemoteError(f"{what}: {ep.query_url} did not answer in SPARQL JSON results "
                          f"(Content-Type {content_type})") from None


def sparql_graph(ep: Endpoint, text: str, *, graph: str | None = None, timeout: float | None = QUERY_TIMEOUT,
                 what: str = "query", max_answer_mb: float = MAX_ANSWER_MB) -> Rows:
    """POST a CONSTRUCT or DESCRIBE query; its answer (asked for as N-Triples) as the triples of :class:`Rows`."""
    import pyoxigraph

    from graph_builder.validating.ntriples import to_rdflib

    body, content_type = _post_query(ep, text, "application/n-triples", graph=graph, timeout=timeout,
                                     what=what, max_answer_mb=max_answer_mb)
    triples = []
    try:
        for t in pyoxigraph.parse(bytes(body), pyoxigraph.RdfFormat.N_TRIPLES):
            s, p, o = to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)
            if s is not None and p is not None and o is not None:
                triples.append((s, p, o))
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{what}: {ep.query_url} did not answer in N-Triples (Content-Type {content_type}): "
                          f"{exc}") from None
    return Rows([], [], triples)


def _post_query(ep: Endpoint, text: str, accept: str, *, graph: str | None, timeout: float | None,
                what: str, max_answer_mb: float, client: httpx.Client | None = None) -> tuple[bytes, str]:
    """POST a query and read its answer (within ``timeout`` and ``max_answer_mb``): its bytes and Content-Type."""
    if not ep.query_url:
        raise RemoteError(f"{what}: no SPARQL query URL: give --store-type oxigraph|virtuoso or --query-url")
    form = {"query": text}
    if graph:
        iri_ref(graph)
        form["default-graph-uri"] = graph
    headers = {"Accept": accept}
    seconds = timeout
    limit = int(max_answer_mb * (1 << 20))
    own = client is None
    c = client or httpx.Client(timeout=httpx.Timeout(seconds, connect=CONNECT_TIMEOUT))
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        try:
            with c.stream("POST", ep.query_url, data=form, headers=headers,
                          auth=ep.auth or httpx.USE_CLIENT_DEFAULT) as r:
                body = bytearray()
                for chunk in r.iter_bytes():  # as the bytes arrive: a trickle meets the deadline
                    body += chunk
                    if len(body) > limit:
                        raise RemoteError(f"{what}: the answer of {ep.query_url} is larger than {max_answer_mb:g} MiB "
                                          "(--max-answer); it was not read further")
                    if deadline is not None and time.monotonic() > deadline:
                        raise httpx.ReadTimeout("the answer did not end in time")
        except httpx.HTTPError as exc:
            raise _transport_error(what, ep.query_url, exc, seconds) from None
        if r.status_code != 200:
            raise _status_error(what, ep.query_url, httpx.Response(r.status_code, headers=r.headers, content=bytes(body)))
        return bytes(body), r.headers.get("content-type", "?")
    finally:
        if own:
            c.close()


def run_remote(ep: Endpoint, q: NamedQuery, params: dict[str, str] | None = None, *, graph: str | None = DEFAULT_GRAPH,
               timeout: float | None = QUERY_TIMEOUT, allow_remote: bool = False,
               max_answer_mb: float = MAX_ANSWER_MB) -> Rows:
    """Run a named query on a remote SPARQL 1.1 endpoint, parameters bound by ``VALUES`` (:func:`bind_with_values`).

    The query is refused first exactly as locally (:func:`check_safe`); the
    bound text is checked again before it is sent. A CONSTRUCT or DESCRIBE
    answers with triples (:func:`sparql_graph`).
    """
    check_safe(q.text, allow_remote)
    text = bind_with_values(q, params or {})
    parsed = check_safe(text, allow_remote)
    if getattr(parsed[1], "name", "") in ("ConstructQuery", "DescribeQuery"):
        return sparql_graph(ep, text, graph=graph or None, timeout=timeout, what=f"query '{q.name}'",
                            max_answer_mb=max_answer_mb)
    return sparql_select(ep, text, graph=graph or None, timeout=timeout, what=f"query '{q.name}'",
                         max_answer_mb=max_answer_mb)


# --- Push -----------------------------------------------------------------------------

def _norm(t: Triple) -> tuple[str, str, str]:
    """A triple as N-Triples term strings (xsd:string dropped, language tags lower-cased) for comparison."""
    w = TermWriter()
    s, p, o = t
    if isinstance(o, Literal) and o.language:
        o = Literal(str(o), lang=o.language.lower())
    elif isinstance(o, Literal) and o.datatype is not None and str(o.datatype) in _INTEGER_TYPES:
        # Stores may report a derived integer type as xsd:integer (Oxigraph does): the same value.
        o = Literal(str(o), datatype=XSD.integer)
    return (w.term(s), w.term(p), w.term(o))


_INTEGER_TYPES = {str(XSD[t]) for t in ("integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                                        "negativeInteger", "long", "int", "short", "byte", "unsignedLong",
                                        "unsignedInt", "unsignedShort", "unsignedByte")}


def graph_triples(ep: Endpoint, graph: str, client: httpx.Client | None = None) -> set[tuple[str, str, str]]:
    """The triples of the server's named graph, read with a SPARQL SELECT (normalized)."""
    rows = sparql_select(ep, f"SELECT ?s ?p ?o WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}",
                         client=client, what="reading the graph back")
    return {_norm((r[0], r[1], r[2])) for r in rows.rows}  # type: ignore[arg-type]


def fetch_graph(ep: Endpoint, graph: str, max_answer_mb: float = MAX_ANSWER_MB,
                timeout: float | None = PUSH_TIMEOUT) -> Graph:
    """The server's named graph (or its default graph for ``''``) as a local rdflib Graph.

    ``show`` and ``timeline`` read the graph with rdflib's triple API, so with
    ``--endpoint`` they fetch the graph once and work on the copy.
    """
    where = f"GRAPH {iri_ref(graph)} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    rows = sparql_select(ep, f"SELECT ?s ?p ?o WHERE {{ {where} }}", what="reading the graph", timeout=timeout,
                         max_answer_mb=max_answer_mb)
    g = Graph()
    for s, p, o in rows.rows:
        if s is not None and p is not None and o is not None:
            g.add((s, p, o))
    if len(g) == 0:
        raise RemoteError(f"the graph <{graph}> at {ep.query_url} is empty or does not exist (push it first)" if graph
                          else f"the default graph at {ep.query_url} is empty")
    return g


def fetch_names(ep: Endpoint, graph: str, *, timeout: float | None = QUERY_TIMEOUT,
                max_answer_mb: float = MAX_ANSWER_MB) -> Graph:
    """The triples of the server's graph that type and name entities (rdf:type, labels, aliases, codes),
    for resolving a query's parameters by name as locally."""
    from graph_builder.answering.resolve import NAME_PREDICATES

    values = " ".join(iri_ref(str(p)) for p in NAME_PREDICATES)
    where = f"GRAPH {iri_ref(graph)} {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    rows = sparql_select(ep, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} {where} }}",
                         what="reading the names in the graph", timeout=timeout, max_answer_mb=max_answer_mb)
    g = Graph()
    for s, p, o in rows.rows:
        if s is not None and p is not None and o is not None:
            g.add((s, p, o))
    return g


def graph_size(ep: Endpoint, graph: str, client: httpx.Client | None = None) -> int:
    """How many triples the server's named graph holds (0 when it does not exist)."""
    rows = sparql_select(ep, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}",
                         client=client, what="counting the graph")
    return int(str(rows.rows[0][0])) if rows.rows and rows.rows[0][0] is not None else 0


@dataclass
class PushResult:
    url: str
    graph: str
    triples: int
    bytes: int
    attempts: int
    status: int


class _Body:
    """The request body in chunks, re-iterable (digest auth sends it again after the challenge)."""

    def __init__(self, data: bytes, progress: Callable[[int], None] | None):
        self.data, self.progress = data, progress

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        for i in range(0, len(self.data), CHUNK):
            chunk = self.data[i:i + CHUNK]
            yield chunk
            sent += len(chunk)
            if self.progress:
                self.progress(sent)


class _Progress:
    """``push: N of M bytes sent (P%)`` on stderr, every 10 %."""

    def __init__(self, total: int, stream: TextIO):
        self.total, self.stream, self.next = total, stream, 10

    def __call__(self, sent: int) -> None:
        pct = 100 * sent // max(self.total, 1)
        if pct >= self.next or sent == self.total:
            print(f"push: {sent} of {self.total} bytes sent ({pct}%)", file=self.stream, flush=True)
            self.next = (pct // 10 + 1) * 10


def push(ep: Endpoint, triples: list[Triple], graph: str = DEFAULT_GRAPH, *, retries: int = RETRIES,
         backoff: float = BACKOFF, progress_threshold: int = PROGRESS_THRESHOLD, stream: TextIO = sys.stderr,
         timeout: float = PUSH_TIMEOUT, sleep: Callable[[float], None] = time.sleep) -> PushResult:
    """Replace the server's named graph ``graph`` with ``triples`` in one Graph Store ``PUT``.

    Transient failures (connection refused or reset, HTTP 502/503/504) are
    retried ``retries`` times with exponential backoff. On failure the
    server's graph is read back and the :class:`RemoteError` says whether it
    holds the previous graph or the new one.
    """
    if not ep.gsp_url:
        raise RemoteError("push: no Graph Store URL: give --endpoint (with --store) or --gsp-url")
    iri_ref(graph)
    data = turtle(triples).encode("utf-8")
    new = {_norm(t) for t in triples}
    url = ep.gsp_url
    headers = {"Content-Type": "text/turtle; charset=utf-8", "Content-Length": str(len(data))}
    client = httpx.Client(timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT))
    before: int | None = None
    try:
        if ep.query_url:
            try:
                before = graph_size(ep, graph, client)
            except RemoteError:
                before = None
        if isinstance(ep.auth, httpx.DigestAuth):
            # Get the digest challenge with a request that has no body, so the graph is sent once.
            try:
                client.head(url, params={ep.graph_param: graph}, auth=ep.auth)
            except httpx.HTTPError:
                pass
        attempt = 0
        reached = False
        error: RemoteError
        while True:
            attempt += 1
            show = _Progress(len(data), stream) if len(data) > progress_threshold else None
            try:
                r = client.put(url, params={ep.graph_param: graph}, content=_Body(data, show), headers=headers,
                               auth=ep.auth or httpx.USE_CLIENT_DEFAULT)
            except httpx.HTTPError as exc:
                reached = reached or not isinstance(exc, httpx.ConnectError)
                error = _transport_error("push", url, exc, timeout)
                if _retryable(exc) and attempt <= retries:
                    _retry_note(stream, error, attempt, retries, backoff, sleep)
                    continue
                break
            reached = True
            if r.status_code in (200, 201, 204):
                print(f"push: sent {len(data)} bytes ({len(triples)} triples) to graph <{graph}> at {url} "
                      f"(HTTP {r.status_code})", file=stream)
                return PushResult(url, graph, len(triples), len(data), attempt, r.status_code)
            error = _status_error("push", url, r)
            if r.status_code in RETRY_STATUS and attempt <= retries:
                _retry_note(stream, error, attempt, retries, backoff, sleep)
                continue
            break
        if attempt > 1:
            error = RemoteError(f"{error} (gave up after {attempt} attempts)")
        raise RemoteError(f"{error}\n{_state_after_failure(ep, graph, new, before, reached, client)}")
    finally:
        client.close()


def _retry_note(stream: TextIO, error: RemoteError, attempt: int, retries: int, backoff: float,
                sleep: Callable[[float], None]) -> None:
    delay = backoff * 2 ** (attempt - 1)
    print(f"push: attempt {attempt} of {retries + 1} failed ({error}); retrying in {delay:g} s", file=stream)
    sleep(delay)


def _state_after_failure(ep: Endpoint, graph: str, new: set[tuple[str, str, str]], before: int | None,
                         reached: bool, client: httpx.Client) -> str:
    if not reached:
        return f"nothing reached the server: the server still holds the previous graph <{graph}>"
    if not ep.query_url:
        return (f"could not check the server's graph <{graph}> (no query URL: give --query-url); "
                "it holds the previous graph or the new one")
    try:
        now = graph_triples(ep, graph, client)
    except RemoteError as exc:
        return f"could not check the server's graph <{graph}> ({exc}); it holds the previous graph or the new one"
    if now == new:
        return f"the server holds the new graph <{graph}> ({len(now)} triples)"
    if before is None or len(now) == before:
        return f"the server still holds the previous graph <{graph}> ({len(now)} triples)"
    return (f"the server's graph <{graph}> holds {len(now)} triples: neither the previous graph ({before}) "
            f"nor the new one ({len(new)}); check it")
