"""Oxigraph as the query engine: same answers as rdflib, the on-disk store, safety and timeouts.

Every library query gives the same rows (compared as sets of display
strings) in Oxigraph and in rdflib's memory store, on the bundled graph and
on a generated graph of ~100k triples (with start dates contested by a
second source added, so that every kind of contradiction is found).
Oxigraph returns plain literals as ``xsd:string`` literals;
:func:`graph_builder.validating.ntriples.to_rdflib` reads them back as plain rdflib
literals (the same RDF 1.1 term), the only normalization.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest

from graph_builder.answering.query import NamedQuery, all_queries, run
from graph_builder.answering.results import rows_as_strings
from graph_builder.errors import InputError, QueryError
from graph_builder.writing.store import (MARKER, graph_store, is_store, memory_store, open_store, write_store)

from conftest import ROOT, run_cli
from servers import Listener

sys.path.insert(0, str(Path(__file__).parent))
from test_queries import EXPECTED  # noqa: E402

QUERIES = all_queries(ROOT / "queries")


def both(graph, store, name: str, params: dict[str, str]) -> tuple[set, set]:
    q = QUERIES[name]
    return set(rows_as_strings(run(graph, q, params))), set(rows_as_strings(run(store, q, params)))


@pytest.fixture(scope="module")
def store(built):
    return memory_store(built.quads())


def test_store_holds_the_merged_graph_and_the_source_graphs(built, built_graph, store):
    default = set(store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))
    assert len(default) == len(built_graph)
    named = {g.value for g in store.named_graphs()}
    assert named == {str(g) for g in built.graphs}


@pytest.mark.parametrize("name,params", [(n, p) for n, p, _rows in EXPECTED],
                         ids=[f"{n}-{i}" for i, (n, _p, _r) in enumerate(EXPECTED)])
def test_engines_agree_on_the_bundled_graph(built_graph, store, name, params):
    a, o = both(built_graph, store, name, params)
    assert a == o


def test_engines_agree_on_parameterless_queries(built_graph, store):
    for name, q in sorted(QUERIES.items()):
        if not q.params and q.path.parent.name in ("cq", "checks"):
            a, o = both(built_graph, store, name, {})
            assert a == o, name


# Every library query (queries/cq) and a few checks, compared on a generated graph of 100k
# triples; rdflib's engine takes a few seconds on contradictions there. chair-evidence, which
# takes rdflib about 25 s at 100k, is compared on a 10k graph of the same generator: the same
# query shapes and kinds of rows, at a size where rdflib's time is reasonable.
SLOW_IN_RDFLIB = {"chair-evidence"}
LARGE_QUERIES = sorted([n for n, q in QUERIES.items() if q.path.parent.name == "cq" and n not in SLOW_IN_RDFLIB]
                       + ["administration-without-country-violation", "association-incomplete-violation", "chairs"])
# the generator's parameters give these an empty answer; every other query must answer something
EMPTY_AT_100K = {"administration-without-country-violation", "association-incomplete-violation",
                 "common-attendees", "missing-meeting-numbers", "overlapping-tenures",
                 "people-with-posts-in-several-bodies", "post-holder-on-date"}
CONTESTED = 20  # start dates a second source gives differently, added to the generated graph


def contested_start_dates(graph, count: int) -> list[tuple]:
    """Reified statements that give ``count`` meetings a start date a day earlier, from another article.

    A built graph cannot hold them (a meeting has one start date: the shapes refuse a
    second), so they are added as statements only, as a store merging two builds would.
    """
    from rdflib import Literal, URIRef
    from graph_builder.namespaces import PROV, RDF, SCHEMA, XSD

    articles = sorted(graph.subjects(RDF.type, SCHEMA.NewsArticle))
    added: list[tuple] = []
    for statement in sorted(graph.subjects(RDF.predicate, SCHEMA.startDate)):
        date = graph.value(statement, RDF.object)
        if date.datatype != XSD.date or str(date).endswith("-01"):
            continue
        other = URIRef(f"{statement}-contested")
        earlier = Literal(f"{str(date)[:-2]}{int(str(date)[-2:]) - 1:02d}", datatype=XSD.date)
        own = set(graph.objects(statement, PROV.wasDerivedFrom))
        source = next(a for a in articles[len(added) * 7 % len(articles):] + articles if a not in own)
        added += [(other, RDF.type, RDF.Statement), (other, RDF.subject, graph.value(statement, RDF.subject)),
                  (other, RDF.predicate, SCHEMA.startDate), (other, RDF.object, earlier),
                  (other, PROV.wasDerivedFrom, source)]
        if len(added) == 5 * count:
            break
    return added


@pytest.fixture(scope="module")
def generated(synth_100k, built_100k):
    manifest, built = synth_100k[1], built_100k
    graph = built.merged_graph()
    contested = contested_start_dates(graph, CONTESTED)
    for triple in contested:
        graph.add(triple)
    return graph, memory_store([*built.quads(), *((s, p, o, None) for s, p, o in contested)]), manifest


@pytest.mark.parametrize("name", LARGE_QUERIES)
def test_engines_agree_on_a_generated_graph(generated, name):
    from graph_builder.synth import query_params

    graph, store, manifest = generated
    assert len(graph) > 80_000
    q = QUERIES[name]
    params = query_params(manifest, name, tuple(p.name for p in q.params if not p.doc.startswith("optional")))
    a, o = both(graph, store, name, params)
    assert a == o, name
    assert a or name in EMPTY_AT_100K, name
    if name == "contradictions":
        # All three kinds: the generator's miscounted lists and second names, the added dates.
        kinds = {row[0] for row in a}
        assert kinds == {"count differs from list", "different values", "named differently"}, kinds
        assert len([row for row in a if row[0] == "different values"]) >= CONTESTED


@pytest.fixture(scope="module")
def generated_10k(synth_10k):
    from graph_builder.pipeline import build_graph

    built = build_graph(synth_10k[0])[1]
    return built.merged_graph(), memory_store(built.quads()), synth_10k[1]


@pytest.mark.parametrize("name", sorted(SLOW_IN_RDFLIB))
def test_engines_agree_on_a_smaller_generated_graph(generated_10k, name):
    from graph_builder.synth import query_params

    graph, store, manifest = generated_10k
    q = QUERIES[name]
    params = query_params(manifest, name, tuple(p.name for p in q.params if not p.doc.startswith("optional")))
    a, o = both(graph, store, name, params)
    assert a == o and a, name


def test_on_disk_store_is_written_atomically_and_queried(tmp_path, built, built_graph):
    folder = tmp_path / "kg"
    write_store(built.quads(), folder)
    assert is_store(folder) and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    st = open_store(folder)
    q = QUERIES["meeting-chair"]
    params = {"series": "global-rilo-meetings", "number": "28"}
    assert set(rows_as_strings(run(st, q, params))) == set(rows_as_strings(run(built_graph, q, params)))
    del st
    # Replacing it: the new store replaces the old one, nothing is left beside it.
    few = list(built.quads())[:10]
    write_store(few, folder)
    assert len(open_store(folder)) == len([q for q in few if q[3] is not None]) + len({q[:3] for q in few})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg"]


def test_a_failed_store_write_leaves_the_previous_store(tmp_path, built, monkeypatch):
    folder = tmp_path / "kg"
    write_store(built.quads(), folder)
    before = sorted(os.listdir(folder))

    def broken(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(pyoxigraph.Store, "bulk_load", broken)
    with pytest.raises(InputError, match="kg: error: output: cannot write it: disk full; what was there before"):
        write_store(built.quads(), folder)
    monkeypatch.undo()
    assert sorted(os.listdir(folder)) == before and len(open_store(folder)) > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg"]


def test_a_folder_that_is_not_a_store_is_left_alone(tmp_path, built):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(InputError):
        write_store(built.quads(), folder)
    assert (folder / "notes.txt").read_text() == "keep me"
    with pytest.raises(InputError):
        open_store(folder)


def test_cli_build_store_then_query_without_rebuilding(tmp_path):
    store_dir = tmp_path / "kg"
    proc = run_cli("build", "-o", str(tmp_path / "out"), "--no-reason", "--store", str(store_dir))
    assert proc.returncode == 0, proc.stderr
    assert (store_dir / MARKER).is_file()
    args = ("query", "meeting-chair", "--param", "series=global-rilo-meetings", "--param", "number=28", "-f", "json")
    from_store = run_cli(*args, "--store", str(store_dir), "--facts", "/nonexistent")
    assert from_store.returncode == 2 and "--store DIR reads the store" in from_store.stderr
    from_store = run_cli(*args, "--store", str(store_dir))
    rdflib_engine = run_cli(*args, "--engine", "rdflib")
    default_engine = run_cli(*args)
    for proc in (from_store, rdflib_engine, default_engine):
        assert proc.returncode == 0, proc.stderr
    rows = json.loads(from_store.stdout)["results"]["bindings"]
    assert rows and rows[0]["chair"]["value"].endswith("/rilo-cis")
    assert json.loads(from_store.stdout) == json.loads(rdflib_engine.stdout) == json.loads(default_engine.stdout)
    missing = run_cli(*args, "--store", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no customs-kg store" in missing.stderr


@pytest.fixture
def listener():
    """A local TCP port that records whether anything connected to it."""
    lst = Listener()
    yield lst
    lst.close()


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:PORT/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://127.0.0.1:PORT/sparql> { ?s ?q ?x } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:PORT/> { ?s ?p ?o } } } }",
    "SELECT * FROM <http://127.0.0.1:PORT/data.ttl> WHERE { ?s ?p ?o }",
    "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:PORT/> { ?s ?p ?o } } }",
])
def test_oxigraph_path_refuses_service_and_from_before_running(store, listener, text):
    port = listener.port
    q = NamedQuery("inline", Path("<inline>"), text.replace("PORT", str(port)), "(inline)")
    with pytest.raises(QueryError, match="refused"):
        run(store, q)
    with pytest.raises(QueryError, match="refused"):
        run(store, q, timeout=5)
    assert listener.seen() == 0


@pytest.mark.parametrize("text", ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "CLEAR ALL",
                                  "LOAD <http://127.0.0.1:9/x.ttl>"])
def test_oxigraph_path_refuses_updates(store, text):
    before = len(store)
    with pytest.raises(QueryError, match="updates"):
        run(store, NamedQuery("inline", Path("<inline>"), text, "(inline)"))
    assert len(store) == before


def test_cli_refuses_service_on_the_default_engine(listener):
    port = listener.port
    proc = run_cli("query", "--text", f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}")
    assert proc.returncode == 2 and "SERVICE is refused" in proc.stderr
    assert listener.seen() == 0


def test_parameters_are_bound_as_terms_on_the_oxigraph_path(store):
    q = QUERIES["meeting-chair"]
    with pytest.raises(QueryError):
        run(store, q, {"series": "x> } } DROP ALL #", "number": "28"})
    with pytest.raises(QueryError, match="no parameter"):
        run(store, q, {"nope": "1"})


def test_timeout_stops_a_runaway_query_on_the_oxigraph_path():
    st = graph_store([])
    many = pyoxigraph.Store()
    many.extend(pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:s{i}"), pyoxigraph.NamedNode("urn:p"),
                                pyoxigraph.Literal(str(i))) for i in range(400))
    q = NamedQuery("slow", Path("<inline>"),
                   "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", "(slow)")
    start = time.monotonic()
    with pytest.raises(QueryError, match="stopped after 1 s"):
        run(many, q, timeout=1)
    assert time.monotonic() - start < 10
    assert run(st, NamedQuery("ask", Path("<inline>"), "ASK { }", "(ask)"), timeout=5).rows[0][0].toPython() is True


def test_timeout_on_an_on_disk_store(tmp_path, built):
    write_store(built.quads(), tmp_path / "kg")
    st = open_store(tmp_path / "kg")
    q = QUERIES["meeting-chair"]
    rows = run(st, q, {"series": "global-rilo-meetings", "number": "28"}, timeout=30)
    assert rows.rows


def test_a_streamed_store_keeps_blank_nodes_and_holds_each_triple_once():
    # The N-Quads reach the parser in batches of lines: one blank node named on both
    # sides of a batch's end is still one node, and a triple of several graphs is one
    # triple of the default graph.
    from rdflib import BNode, Literal, URIRef

    from graph_builder.writing.store import LinesReader

    node, p = BNode("b0"), URIRef("http://example.org/p")
    graphs = [URIRef("http://example.org/g1"), URIRef("http://example.org/g2")]
    quads = [(node, p, Literal(i), g) for i in range(10_000) for g in graphs]
    store = memory_store(quads)
    default = list(store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))
    assert len(default) == 10_000 and len({q.subject for q in default}) == 1
    assert len(store) == 30_000 and len({q.subject for q in store}) == 1
    # the reader gives the lines' bytes whole, in any read size
    lines = [f"line {i}\n" for i in range(5000)]
    reader = LinesReader(lines, batch=7)
    chunks = []
    while chunk := reader.read(13):
        chunks.append(chunk)
    assert b"".join(chunks) == "".join(lines).encode()
