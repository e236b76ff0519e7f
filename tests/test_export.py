"""``customs-kg export``: every format is deterministic and read back identically by independent parsers.

Readers per format (each output is normalized to canonical N-Quads lines and
compared, as a set, with the builder's quads; there are no blank nodes):

- turtle, ntriples, trig, nquads: pyoxigraph, Debian's raptor (``rapper``) and rdflib;
- jsonld: pyoxigraph and rdflib's JSON-LD parser, with the context embedded
  (nothing is fetched).

``rapper`` is required: a missing ``rapper`` fails the tests, it never skips them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from conftest import FACTS, run_cli
from graph_builder.building.build import Build, source_graph_iri
from graph_builder.cli import EXPORT_FORMATS
from graph_builder.namespaces import ID, PREFIXES, RDF, RDFS, SCHEMA, XSD
from graph_builder.pipeline import build_graph
from graph_builder.writing import export as ex
from graph_builder.writing.serialize import escape_string, iri_ref, nquads, ntriples

QUAD_FORMATS = ("trig", "nquads")
MERGED_FORMATS = ("turtle", "ntriples")
OXI = {"turtle": pyoxigraph.RdfFormat.TURTLE, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
       "trig": pyoxigraph.RdfFormat.TRIG, "nquads": pyoxigraph.RdfFormat.N_QUADS,
       "jsonld": pyoxigraph.RdfFormat.JSON_LD}
RAPPER = {"turtle": "turtle", "ntriples": "ntriples", "trig": "trig", "nquads": "nquads"}
RDFLIB = {"turtle": "turtle", "ntriples": "nt", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}
XSD_STRING = str(XSD.string)
RDF_LANGSTRING = str(RDF.langString)


# -- canonical N-Quads lines ------------------------------------------------

def _literal(lex: str, lang: str | None, datatype: str | None) -> str:
    body = '"' + escape_string(lex) + '"'
    if lang:
        return f"{body}@{lang}"
    if datatype and datatype not in (XSD_STRING, RDF_LANGSTRING):
        return f"{body}^^{iri_ref(datatype)}"
    return body


def _line(s: str, p: str, o: str, g: str | None) -> str:
    return f"{s} {p} {o}{'' if g is None else ' ' + g} ."


def expected_quads(built: Build) -> set[str]:
    return set(nquads(built.quads()).splitlines())


def expected_merged(built: Build) -> set[str]:
    return set(ntriples(built.merged()).splitlines())


def _oxi_term(t) -> str:  # type: ignore[no-untyped-def]
    if isinstance(t, pyoxigraph.NamedNode):
        return iri_ref(t.value)
    if isinstance(t, pyoxigraph.Literal):
        return _literal(t.value, t.language, t.datatype.value)
    raise AssertionError(f"unexpected term from pyoxigraph: {t!r}")


def read_pyoxigraph(data: bytes, fmt: str) -> set[str]:
    out = set()
    for q in pyoxigraph.parse(data, format=OXI[fmt]):
        g = None if isinstance(q.graph_name, pyoxigraph.DefaultGraph) else _oxi_term(q.graph_name)
        out.add(_line(_oxi_term(q.subject), _oxi_term(q.predicate), _oxi_term(q.object), g))
    # The store reads it the same way.
    store = pyoxigraph.Store()
    store.load(data, format=OXI[fmt])
    assert len(store) == len(out)
    return out


def _rdflib_term(t) -> str:  # type: ignore[no-untyped-def]
    if isinstance(t, URIRef):
        return iri_ref(str(t))
    if isinstance(t, Literal):
        return _literal(str(t), t.language, str(t.datatype) if t.datatype else None)
    raise AssertionError(f"unexpected term from rdflib: {t!r}")


def read_rdflib(data: bytes, fmt: str) -> set[str]:
    ds = Dataset()
    ds.parse(data=data.decode("utf-8"), format=RDFLIB[fmt], publicID="urn:x-test:base/")
    out = set()
    for s, p, o, g in ds.quads((None, None, None, None)):
        gid = g.identifier if hasattr(g, "identifier") else g
        graph = None if gid is None or gid == DATASET_DEFAULT_GRAPH_ID else _rdflib_term(gid)
        out.add(_line(_rdflib_term(s), _rdflib_term(p), _rdflib_term(o), graph))
    return out


_NQ_IRI = r"<((?:[^>\\]|\\.)*)>"
_NQ_LIT = r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<((?:[^>\\]|\\.)*)>)?'
_NQ_TERM = re.compile(rf"\s*(?:{_NQ_IRI}|{_NQ_LIT})")
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "uU":
            return chr(int(e[1:], 16))
        return _ESCAPES[e]

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tbnrf\"'\\])", one, text)


def parse_nquads_line(line: str) -> str:
    """A minimal N-Quads reader for rapper's output (which escapes non-ASCII as \\uXXXX)."""
    terms, pos = [], 0
    while True:
        m = _NQ_TERM.match(line, pos)
        if not m:
            break
        iri, lex, lang, dt = m.groups()
        if iri is not None:
            terms.append(iri_ref(_unescape(iri)))
        else:
            terms.append(_literal(_unescape(lex), lang, _unescape(dt) if dt else None))
        pos = m.end()
    assert line[pos:].strip() == ".", f"cannot read rapper's line: {line!r}"
    assert len(terms) in (3, 4), line
    return _line(*terms[:3], terms[3] if len(terms) == 4 else None)


def rapper_bin() -> str:
    path = shutil.which("rapper")
    if path is None:
        pytest.fail("rapper (Raptor RDF parser) is required by the export tests but is not installed: "
                    "install the Debian package raptor2-utils (`sudo apt-get install raptor2-utils`) "
                    "or run `bash scripts/test.sh`, which installs it")
    return path


def read_rapper(path: Path, fmt: str) -> set[str]:
    proc = subprocess.run([rapper_bin(), "-q", "-i", RAPPER[fmt], "-o", "nquads", str(path)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, f"rapper could not read {path} as {fmt}: {proc.stderr}"
    return {parse_nquads_line(line) for line in proc.stdout.splitlines() if line.strip()}


def readers(fmt: str) -> list[str]:
    return ["pyoxigraph", "rdflib"] + (["rapper"] if fmt in RAPPER else [])


def read(reader: str, path: Path, fmt: str) -> set[str]:
    if reader == "rapper":
        return read_rapper(path, fmt)
    data = path.read_bytes()
    return read_pyoxigraph(data, fmt) if reader == "pyoxigraph" else read_rdflib(data, fmt)


# -- the graphs under test ----------------------------------------------------

EDGE_GRAPH = source_graph_iri("test-edge-cases")


@pytest.fixture(scope="module")
def edge_built(built) -> Build:  # type: ignore[no-untyped-def]
    """The bundled build plus literals the bundled data lacks (a decimal, escapes, a non-BMP character)."""
    b = Build(default=set(built.default), graphs={g: set(t) for g, t in built.graphs.items()})
    node = ID["test-edge-cases/quantity"]
    b.graphs[EDGE_GRAPH] = {
        (node, RDF.type, SCHEMA.QuantitativeValue),
        (node, SCHEMA.value, Literal("2.50", datatype=XSD.decimal)),
        (node, SCHEMA.minValue, Literal("-0.125", datatype=XSD.decimal)),
        (node, SCHEMA.name, Literal('a "quoted" back\\slash,\ttab\nnew line', lang="en")),
        (node, RDFS.label, Literal("émoji 🛃 and «guillemets» — Таможня", lang="ru")),
        (node, SCHEMA.description, Literal("plain string, no language")),
    }
    b.default.add((node, RDFS.comment, Literal("in the default graph too", lang="fr")))
    return b


@pytest.fixture(scope="module", params=["bundled", "edge"])
def subject_build(request, built, edge_built) -> Build:  # type: ignore[no-untyped-def]
    return built if request.param == "bundled" else edge_built


def _write(tmp_path: Path, built: Build, fmt: str, graph_per_source: bool = False) -> Path:
    out = tmp_path / f"export{ex.EXTENSIONS[fmt]}"
    assert ex.export(built, fmt, out, graph_per_source) == [out]
    return out


# -- tests --------------------------------------------------------------------

def test_cli_formats_are_the_exporters():
    assert EXPORT_FORMATS == ex.FORMATS


def test_rapper_is_installed():
    assert subprocess.run([rapper_bin(), "--version"], capture_output=True).returncode == 0


def test_bundled_data_has_every_kind_of_literal(built):
    literals = [o for _s, _p, o, _g in built.quads() if isinstance(o, Literal)]
    langs = {o.language for o in literals if o.language}
    types = {o.datatype for o in literals if o.datatype}
    assert {"en", "ru", "fr"} <= langs
    assert {XSD.gYear, XSD.gYearMonth, XSD.date, XSD.integer, XSD.boolean} <= types
    # The bundled facts state no decimal (every quantity is a whole number);
    # the edge-case build adds decimals so that they are tested too.
    assert XSD.decimal not in types
    assert not any(isinstance(t, BNode) for q in built.quads() for t in q)  # plain sets of lines compare


def test_edge_build_has_the_extra_literals(edge_built):
    types = {o.datatype for _s, _p, o, _g in edge_built.quads() if isinstance(o, Literal)}
    assert XSD.decimal in types


@pytest.mark.parametrize("fmt", QUAD_FORMATS)
def test_dataset_formats_read_back_identically(tmp_path, subject_build, fmt):
    path = _write(tmp_path, subject_build, fmt)
    expected = expected_quads(subject_build)
    assert any(" <https://w3id.org/customs-kg/id/" in line and line.endswith("/graph> .") for line in expected)
    for reader in readers(fmt):
        got = read(reader, path, fmt)
        assert got == expected, f"{reader} on {fmt}: missing {sorted(expected - got)[:3]}, extra {sorted(got - expected)[:3]}"


@pytest.mark.parametrize("fmt", MERGED_FORMATS)
def test_graph_formats_hold_the_merged_graph(tmp_path, subject_build, fmt):
    path = _write(tmp_path, subject_build, fmt)
    expected = expected_merged(subject_build)
    for reader in readers(fmt):
        got = read(reader, path, fmt)
        assert got == expected, f"{reader} on {fmt}: missing {sorted(expected - got)[:3]}, extra {sorted(got - expected)[:3]}"


@pytest.mark.parametrize("graph_per_source", [False, True], ids=["merged", "dataset"])
def test_jsonld_reads_back_identically(tmp_path, subject_build, graph_per_source):
    path = _write(tmp_path, subject_build, "jsonld", graph_per_source)
    expected = expected_quads(subject_build) if graph_per_source else expected_merged(subject_build)
    for reader in readers("jsonld"):
        got = read(reader, path, "jsonld")
        assert got == expected, f"{reader}: missing {sorted(expected - got)[:3]}, extra {sorted(got - expected)[:3]}"


def test_jsonld_embeds_the_shipped_context_and_is_sorted(built):
    doc = json.loads(ex.render(built, "jsonld", graph_per_source=True))
    assert doc["@context"] == ex.load_context()
    text = json.dumps(doc)
    assert '"@context": "http' not in text and "@import" not in text  # nothing remote
    ids = [n["@id"] for n in doc["@graph"]]
    assert len(ids) == len(set(ids))
    named = [n for n in doc["@graph"] if "@graph" in n]
    assert {n["@id"] for n in named} == {f"id:{src}/graph" for src in ("chleu-24th-meeting-kazan",
                                                                      "fcs-2021-02-12-28th-global-rilo-meeting",
                                                                      "fcs-2021-04-08-russia-vice-chair-wco-ec",
                                                                      "wco-2016-01-07-european-region-enforcement-cooperation",
                                                                      "wco-2023-02-03-30th-global-rilo-meeting")}
    full = {p: ns for p, ns in doc["@context"].items()}

    def expand(c: str) -> str:
        prefix, _, local = c.partition(":")
        return full[prefix] + local if prefix in full else c

    for nodes in [doc["@graph"]] + [n["@graph"] for n in named]:
        keys = [expand(n["@id"]) for n in nodes]
        assert keys == sorted(keys)
        for n in nodes:
            for key, value in n.items():
                if isinstance(value, list) and key != "@graph":
                    assert len(value) > 1
    merged = json.loads(ex.render(built, "jsonld"))
    assert not any("@graph" in n for n in merged["@graph"])


def test_context_file_is_the_projects_prefixes():
    assert ex.context_path().is_file()
    assert ex.load_context() == PREFIXES
    raw = ex.context_path().read_text(encoding="utf-8")
    assert raw == json.dumps({"@context": dict(sorted(PREFIXES.items()))}, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("fmt", ex.FORMATS)
@pytest.mark.parametrize("graph_per_source", [False, True], ids=["plain", "per-source"])
def test_two_exports_are_byte_identical(tmp_path, fmt, graph_per_source):
    """Two builds of the same facts, exported through the CLI, give the same bytes."""
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run / ("split" if graph_per_source and fmt in ex.SPLIT_FORMATS else f"kg{ex.EXTENSIONS[fmt]}")
        args = ["export", "--format", fmt, "-o", str(out), "--facts", str(FACTS)]
        proc = run_cli(*args, *(["--graph-per-source"] if graph_per_source else []))
        assert proc.returncode == 0, proc.stderr
        files = sorted(out.iterdir()) if out.is_dir() else [out]
        outs.append({f.name: f.read_bytes() for f in files})
    assert outs[0] == outs[1]
    assert all(outs[0].values())


def test_stdout_equals_the_file(tmp_path):
    for fmt in ex.FORMATS:
        out = tmp_path / f"kg{ex.EXTENSIONS[fmt]}"
        assert run_cli("export", "-f", fmt, "-o", str(out)).returncode == 0
        shown = run_cli("export", "-f", fmt)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.encode("utf-8") == out.read_bytes(), fmt


def test_turtle_export_is_the_build_turtle(built):
    from graph_builder.writing.serialize import HEADER
    from graph_builder.writing.serialize import trig, turtle

    text = ex.render(built, "turtle")
    assert text == turtle(built.merged(), header=HEADER)
    assert ex.render(built, "trig") == trig(built.quads(), header=HEADER)
    assert "@prefix org:" in text and "\nid:rilo-cis\n    a " in text


@pytest.mark.parametrize("fmt", MERGED_FORMATS)
def test_graph_per_source_writes_one_file_per_graph(tmp_path, built, fmt):
    out = tmp_path / "split"
    paths = ex.export(built, fmt, out, graph_per_source=True)
    ext = ex.EXTENSIONS[fmt]
    sources = sorted(str(g).removeprefix(str(ID)).removesuffix("/graph") for g in built.graphs)
    assert sorted(p.name for p in paths) == sorted([f"_default{ext}"] + [f"{s}{ext}" for s in sources])
    assert sorted(p.name for p in out.iterdir()) == sorted([p.name for p in paths] + ["manifest.json"])
    got_quads: set[str] = set()
    for path in paths:
        stem = path.name.removesuffix(ext)
        graph = None if stem == "_default" else iri_ref(str(source_graph_iri(stem)))
        per_reader = [read(r, path, fmt) for r in readers(fmt)]
        assert all(x == per_reader[0] for x in per_reader), path.name
        got_quads |= {line[:-2] + ("" if graph is None else " " + graph) + " ." for line in per_reader[0]}
    assert got_quads == expected_quads(built)


@pytest.mark.parametrize("fmt", QUAD_FORMATS)
def test_graph_per_source_changes_nothing_for_dataset_formats(built, fmt):
    assert ex.render(built, fmt, graph_per_source=True) == ex.render(built, fmt)


def test_cli_usage_errors(tmp_path):
    proc = run_cli("export", "-f", "turtle", "--graph-per-source")
    assert proc.returncode == 2 and "give a folder with -o" in proc.stderr
    proc = run_cli("export", "-f", "turtle", "-o", str(tmp_path))
    assert proc.returncode == 2 and "is a folder" in proc.stderr
    proc = run_cli("export", "-f", "rdfxml")
    assert proc.returncode == 2 and "'rdfxml' is not an export format" in proc.stderr


def test_export_of_another_facts_folder_keeps_a_decimal(tmp_path):
    """``--facts DIR``: a copy of the facts where a quantity is a decimal; every reader keeps ``20.5``."""
    facts = tmp_path / "facts"
    shutil.copytree(FACTS, facts)
    src = facts / "sources" / "chleu-24th-meeting-kazan.yaml"
    text = src.read_text(encoding="utf-8")
    assert "min: 20, unit: KGM" in text
    src.write_text(text.replace("min: 20, unit: KGM", "min: 20.5, unit: KGM"), encoding="utf-8")
    _facts, built = build_graph(facts)
    decimal = '"20.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    for fmt in ex.FORMATS:
        out = tmp_path / f"kg{ex.EXTENSIONS[fmt]}"
        proc = run_cli("export", "-f", fmt, "-o", str(out), "--facts", str(facts),
                       *(["--graph-per-source"] if fmt == "jsonld" else []))
        assert proc.returncode == 0, proc.stderr
        expected = expected_merged(built) if fmt in MERGED_FORMATS else expected_quads(built)
        assert any(decimal in line for line in expected)
        for reader in readers(fmt):
            assert read(reader, out, fmt) == expected, (reader, fmt)


def test_rdf_type_is_written_a_only_as_a_predicate():
    # 'a' is Turtle's keyword for rdf:type in the predicate position only; as a
    # subject or an object it must stay an IRI, or the file does not read back
    from rdflib import Graph, Namespace

    from graph_builder.writing.serialize import trig, turtle

    ex = Namespace("http://example.org/")
    triples = [(ex.s, RDF.type, ex.C), (ex.s, ex.p, RDF.type), (RDF.type, ex.p, ex.o)]
    text = turtle(triples, prefixes={"ex": str(ex), "rdf": str(RDF)})
    assert "    a ex:C" in text and "ex:p rdf:type" in text and "\nrdf:type\n" in text
    assert set(Graph().parse(data=text, format="turtle")) == set(triples)
    quads = [(s, p, o, ex.g) for s, p, o in triples]
    back = Dataset().parse(data=trig(quads, prefixes={"ex": str(ex), "rdf": str(RDF)}), format="trig")
    assert {(s, p, o) for s, p, o, _g in back.quads()} == set(triples)


@pytest.mark.parametrize("name, fmt", [("graph.nt", "nt"), ("graph.nq", "nquads"), ("graph.jsonld", "json-ld"),
                                       ("graph.trig", "trig"), ("graph.ttl", "turtle")])
def test_export_takes_the_format_from_the_file_extension(tmp_path, name, fmt):
    """`-o graph.nt` writes N-Triples, as the same command with `--format nt` does (short names accepted)."""
    by_extension = run_cli("export", "-o", str(tmp_path / name))
    assert by_extension.returncode == 0, by_extension.stderr
    by_name = run_cli("export", "--format", fmt)
    assert by_name.returncode == 0, by_name.stderr
    assert (tmp_path / name).read_bytes() == by_name.stdout.encode("utf-8")
    parsed = {"nt": "N-Triples", "nquads": "N-Quads", "json-ld": "JSON-LD", "trig": "TriG", "turtle": "Turtle"}[fmt]
    formats = {"N-Triples": pyoxigraph.RdfFormat.N_TRIPLES, "N-Quads": pyoxigraph.RdfFormat.N_QUADS,
               "JSON-LD": pyoxigraph.RdfFormat.JSON_LD, "TriG": pyoxigraph.RdfFormat.TRIG,
               "Turtle": pyoxigraph.RdfFormat.TURTLE}
    assert len(list(pyoxigraph.parse(path=str(tmp_path / name), format=formats[parsed]))) > 1000


def test_an_export_format_that_cannot_be_told_is_refused(tmp_path):
    unknown = run_cli("export", "-o", str(tmp_path / "graph.xyz"))
    assert unknown.returncode == 2 and not (tmp_path / "graph.xyz").exists()
    assert "cannot tell the format from the extension '.xyz'" in unknown.stderr
    bad = run_cli("export", "--format", "xml")
    assert bad.returncode == 2 and "'xml' is not an export format" in bad.stderr
