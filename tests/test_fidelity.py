"""Lexical fidelity: literals are written and read back exactly as written, never silently normalized.

- Facts (``make_facts``-style strings) with dates at year, month and day
  precision, Cyrillic and right-to-left (Arabic, Hebrew) text, quotes,
  backslashes, newlines and tabs, and a 100 kB literal: the built literals are
  the facts' strings, and every export format gives the same quads back.
- Quads built directly, for what the facts format cannot say: dates and
  date-times with time zones (``"2021-03-01Z"^^xsd:date``,
  ``"2021-03-01T10:00:00+03:00"^^xsd:dateTime``) and non-canonical lexical
  forms (``"0101"^^xsd:integer``, ``"+5"``, ``"20.50"``, ``"1"^^xsd:boolean``):
  the project's writers keep them and pyoxigraph and rapper read them back.
- Every format round-trips to an identical set of quads through two
  independent parsers: pyoxigraph and rapper (Turtle, TriG, N-Triples,
  N-Quads); pyoxigraph and rdflib (JSON-LD).
- The largest generated graph: ``graph_builder.synth`` writes ~100k triples of
  facts; their build round-trips as N-Quads (pyoxigraph and rapper) and Turtle
  (pyoxigraph).

Readers are configured not to normalize: rdflib is read with
``rdflib.NORMALIZE_LITERALS = False`` (otherwise rdflib itself rewrites
``"0101"^^xsd:integer`` to ``"101"`` and drops the ``Z`` of a date).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from conftest import SYNTH_TRIPLES
import rdflib
from rdflib import Literal, URIRef

from graph_builder.building.build import Build, source_graph_iri
from graph_builder.building.build import build as build_facts
from graph_builder.loading.facts import load_facts
from graph_builder.namespaces import ID, SCHEMA, SKOS, XSD
from graph_builder.writing import export as ex
from graph_builder.writing.serialize import nquads, ntriples, turtle
from test_export import read_pyoxigraph, read_rapper, read_rdflib
from test_facts_errors import ENTITIES, ROLES

DATASET_FORMATS = ("trig", "nquads")
GRAPH_FORMATS = ("turtle", "ntriples")
PARSERS = {fmt: ("pyoxigraph", "rapper") for fmt in DATASET_FORMATS + GRAPH_FORMATS}
PARSERS["jsonld"] = ("pyoxigraph", "rdflib")

BIG = 100 * 1024


def _big_text() -> str:
    unit = 'Таможня «RILO» — الجمارك מכס "quoted" back\\slash\ttab\nline; '
    text = (unit * (BIG // len(unit) + 1))[:BIG]
    assert len(text) == BIG
    return text


# -- reading ------------------------------------------------------------------

def read(parser: str, path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    if parser == "pyoxigraph":
        return read_pyoxigraph(path.read_bytes(), fmt)
    if parser == "rapper":
        return read_rapper(path, fmt)
    with monkeypatch.context() as m:
        m.setattr(rdflib, "NORMALIZE_LITERALS", False)
        return read_rdflib(path.read_bytes(), fmt)


def expected(built: Build, fmt: str, graph_per_source: bool) -> set[str]:
    if fmt in DATASET_FORMATS or (fmt == "jsonld" and graph_per_source):
        return set(nquads(built.quads()).splitlines())
    return set(ntriples(built.merged()).splitlines())


def round_trip(tmp_path: Path, built: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every format, every parser of that format, gives the builder's quads back (as a set)."""
    for fmt in ex.FORMATS:
        for graph_per_source in ((False, True) if fmt == "jsonld" else (False,)):
            path = tmp_path / f"out-{int(graph_per_source)}{ex.EXTENSIONS[fmt]}"
            ex.export(built, fmt, path, graph_per_source)
            want = expected(built, fmt, graph_per_source)
            for parser in PARSERS[fmt]:
                got = read(parser, path, fmt, monkeypatch)
                assert got == want, (f"{parser} on {fmt}: missing {sorted(want - got)[:2]}, "
                                     f"extra {sorted(got - want)[:2]}")


# -- facts with every kind of text and date ----------------------------------------

TEXT = ("Заседание «Комитета» состоялось в Казани. "
        "عقد الاجتماع في \"قازان\" يوم 3 مارس. "
        "הישיבה התקיימה ב'קאזאן'. "
        "It said: \"the C:\\customs\\path\" is fine. "
        "Ivan Petrov was elected Chair of the Example Committee.")

FACT_ENTITIES = ENTITIES + """\
  - id: tamozhnya
    type: Committee
    name: {en: "Committee \\"Customs\\" \\\\ C:\\\\path", ru: "Комитет «Таможня»", ar: "لجنة الجمارك", he: "ועדת המכס"}
    aliases: {en: ["Tab\\tSeparated", "Two\\nLines"], ru: ["ТАМОЖНЯ"]}
"""

FACT_SOURCE = f"""\
source:
  id: example-source
  text: example.txt
  headline: "Example: \\"quotes\\", 'single', «guillemets» and a back\\\\slash"
  publisher: example-committee
  published: "2021-03"
  language: en
statements:
  - quote: "Заседание «Комитета» состоялось в Казани."
    event: example-meeting-7
    series: example-meetings
    number: "7"
    date: "2021-03-03"
    place: kazan
  - quote: "Ivan Petrov was elected Chair of the Example Committee."
    membership: petrov-chair
    member: ivan-petrov
    organization: example-committee
    role: chair
    start: "2021"
    end: "2022-06"
  - quote: "عقد الاجتماع في \\"قازان\\" يوم 3 مارس."
    founded: {{org: tamozhnya, date: "1991-12-25"}}
  - quote: "הישיבה התקיימה ב'קאזאן'."
    alias: {{entity: tamozhnya, text: "המכס", lang: he}}
  - quote: "It said: \\"the C:\\\\customs\\\\path\\" is fine."
    description: {{entity: tamozhnya, text: "{{BIG}}"}}
"""


def make_fidelity_facts(tmp_path: Path) -> tuple[Path, str]:
    big = _big_text()
    escaped = big.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    root = tmp_path / "facts"
    files = {"vocab/roles.yaml": ROLES, "entities/main.yaml": FACT_ENTITIES,
             "sources/example-source.yaml": FACT_SOURCE.replace("{BIG}", escaped), "texts/example.txt": TEXT}
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root, big


@pytest.fixture(scope="module")
def facts_build(tmp_path_factory) -> tuple[Build, str]:  # type: ignore[no-untyped-def]
    root, big = make_fidelity_facts(tmp_path_factory.mktemp("fidelity"))
    return build_facts(load_facts(root)), big


def _objects(built: Build, s: URIRef, p: URIRef) -> set[Literal]:
    return {o for ss, pp, o in built.merged() if ss == s and pp == p and isinstance(o, Literal)}


def test_facts_literals_are_kept_as_written(facts_build):
    built, big = facts_build
    tam = ID["tamozhnya"]
    assert _objects(built, tam, SKOS.prefLabel) == {
        Literal('Committee "Customs" \\ C:\\path', lang="en"), Literal("Комитет «Таможня»", lang="ru"),
        Literal("لجنة الجمارك", lang="ar"), Literal("ועדת המכס", lang="he")}
    assert {str(o) for o in _objects(built, tam, SKOS.altLabel)} == {"Tab\tSeparated", "Two\nLines", "ТАМОЖНЯ", "המכס"}
    assert _objects(built, tam, SCHEMA.foundingDate) == {Literal("1991-12-25", datatype=XSD.date)}
    (description,) = _objects(built, tam, SCHEMA.description)
    assert str(description) == big and len(str(description)) == BIG and description.language == "en"
    src = ID["example-source"]
    assert {str(o) for o in _objects(built, src, SCHEMA.headline)} == {
        "Example: \"quotes\", 'single', «guillemets» and a back\\slash"}
    assert _objects(built, src, SCHEMA.datePublished) == {Literal("2021-03", datatype=XSD.gYearMonth)}
    meeting = ID["example-meeting-7"]
    assert _objects(built, meeting, SCHEMA.startDate) == {Literal("2021-03-03", datatype=XSD.date)}
    assert _objects(built, meeting, SCHEMA.position) == {Literal("7", datatype=XSD.integer)}
    instants = {str(o): o.datatype for s, _p, o in built.merged()
                if isinstance(o, Literal) and str(s).startswith(str(ID["petrov-chair/interval/"]))}
    assert instants == {"2021": XSD.gYear, "2022-06": XSD.gYearMonth}
    # all three precisions are present, each with its own datatype
    types = {o.datatype for _s, _p, o in built.merged() if isinstance(o, Literal)}
    assert {XSD.gYear, XSD.gYearMonth, XSD.date} <= types


def test_facts_round_trip_through_two_parsers_per_format(tmp_path, facts_build, monkeypatch):
    built, _big = facts_build
    round_trip(tmp_path, built, monkeypatch)


# -- quads built directly: time zones and non-canonical lexical forms -----------------

N = ID["fidelity/node"]
AS_WRITTEN = [
    ("2021", XSD.gYear), ("2021-03", XSD.gYearMonth), ("2021-03-01", XSD.date),
    ("2021-03-01Z", XSD.date), ("2021-03-01+03:00", XSD.date), ("2021-03Z", XSD.gYearMonth), ("2021-05:00", XSD.gYear),
    ("2021-03-01T10:00:00+03:00", XSD.dateTime), ("2021-03-01T10:00:00Z", XSD.dateTime),
    ("2021-03-01T10:00:00.500-05:00", XSD.dateTime),
    ("0101", XSD.integer), ("+5", XSD.integer), ("-0", XSD.integer), ("20.50", XSD.decimal), ("007", XSD.nonNegativeInteger),
    ("1", XSD.boolean), ("1E3", XSD.double), ("P1Y", XSD.duration),
]
TEXTS = [
    ("Федеральная таможенная служба", "ru"), ("المنظمة العالمية للجمارك", "ar"), ("ארגון המכס העולמי", "he"),
    ("WCO (ארגון המכס) 2021 — «ВТамО»", "en"), ('a "quoted" \'single\' back\\slash', "en"),
    ("new\nline, tab\tand carriage\rreturn", "en"), ("\\n is not a newline, \\\" not a quote", None),
    ("  leading and trailing spaces  ", None), ("", None), ("emoji 🛃 and U+1F6C3", "en"),
]


def _lit(lex: str, datatype: URIRef | None = None, lang: str | None = None) -> Literal:
    lit = Literal(lex, datatype=datatype, lang=lang, normalize=False)
    assert str(lit) == lex  # the literal under test is what we wrote, not rdflib's normal form
    return lit


@pytest.fixture(scope="module")
def direct_build() -> Build:
    b = Build()
    graph = source_graph_iri("fidelity")
    b.graphs[graph] = set()
    for i, (lex, dt) in enumerate(AS_WRITTEN):
        b.graphs[graph].add((N, SCHEMA[f"typed{i:02d}"], _lit(lex, dt)))
    for i, (lex, lang) in enumerate(TEXTS):
        b.default.add((N, SCHEMA[f"text{i:02d}"], _lit(lex, lang=lang)))
    b.default.add((N, SCHEMA.description, _lit(_big_text(), lang="ru")))
    b.graphs[graph].add((N, SCHEMA.text, _lit(_big_text())))
    return b


def test_writers_keep_lexical_forms(direct_build):
    nq = nquads(direct_build.quads())
    for lex, dt in AS_WRITTEN:
        assert f'"{lex}"^^<{dt}>' in nq
    ttl = turtle(direct_build.merged())
    for lex, dt in AS_WRITTEN:
        assert f'"{lex}"^^xsd:{str(dt).rsplit("#", 1)[1]}' in ttl
    assert "\\n" in ttl and "\\t" in ttl and "\\r" in ttl and '\\"' in ttl and "\\\\" in ttl


def test_pyoxigraph_keeps_lexical_forms_term_by_term(direct_build):
    data = nquads(direct_build.quads()).encode("utf-8")
    got = {(q.object.value, q.object.datatype.value) for q in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_QUADS)
           if isinstance(q.object, pyoxigraph.Literal)}
    for lex, dt in AS_WRITTEN:
        assert (lex, str(dt)) in got


def test_direct_quads_round_trip_through_two_parsers_per_format(tmp_path, direct_build, monkeypatch):
    round_trip(tmp_path, direct_build, monkeypatch)


def _lower_tag(line: str) -> str:
    return re.sub(r"@([A-Za-z0-9-]+) \.$", lambda m: "@" + m.group(1).lower() + " .", line)


def test_language_tags_with_a_region_are_read_back_case_insensitively(tmp_path, monkeypatch):
    """RDF language tags are case-insensitive and pyoxigraph lower-cases them ("en-GB" -> "en-gb");
    rapper and rdflib keep the case. The facts loader accepts ``en-GB`` and ``sr-Latn`` (its
    LANG_RE), so a source in such a language is read back equal only up to the tag's case."""
    b = Build()
    b.default.add((N, SCHEMA.name, _lit("Customs", lang="en-GB")))
    b.default.add((N, SCHEMA.alternateName, _lit("Царина", lang="sr-Cyrl-RS")))
    want = {_lower_tag(line) for line in ntriples(b.merged()).splitlines()}
    assert '"Customs"@en-gb .' in "\n".join(want)
    for fmt in ex.FORMATS:
        path = tmp_path / f"lang{ex.EXTENSIONS[fmt]}"
        ex.export(b, fmt, path)
        for parser in PARSERS[fmt]:
            got = read(parser, path, fmt, monkeypatch)
            assert {_lower_tag(line) for line in got} == want, (parser, fmt, got)


@pytest.mark.parametrize("suffix", [".ttl", ".trig", ".nt", ".nq", ".jsonld"])
def test_strict_reader_keeps_the_builders_literals(tmp_path, facts_build, suffix):
    """``rdfinput.read_rdf`` (``--data FILE``, ``validate FILE``) gives the merged graph back."""
    from graph_builder.answering.rdfinput import read_rdf

    built, _big = facts_build
    fmt = {v: k for k, v in ex.EXTENSIONS.items()}[suffix]
    path = tmp_path / f"kg{suffix}"
    ex.export(built, fmt, path)
    got = set(ntriples(set(read_rdf(path))).splitlines())
    assert got == set(ntriples(built.merged()).splitlines())


def test_strict_reader_keeps_lexical_forms_as_written(tmp_path, direct_build):
    from graph_builder.answering.rdfinput import read_rdf

    path = tmp_path / "direct.nq"
    path.write_text(nquads(direct_build.quads()), encoding="utf-8")
    got = {(str(o), o.datatype) for o in read_rdf(path).objects() if isinstance(o, Literal)}
    missing = [(lex, dt) for lex, dt in AS_WRITTEN if (lex, dt) not in got]
    assert missing == []


# -- the largest generated graph ------------------------------------------------------

@pytest.fixture(scope="module")
def large_build(built_100k) -> Build:
    return built_100k


def test_largest_graph_round_trips(tmp_path, large_build):
    quads = list(large_build.quads())
    merged = large_build.merged()
    assert len(merged) >= 0.8 * SYNTH_TRIPLES, len(merged)
    nq_path = tmp_path / "large.nq"
    nq_path.write_text(nquads(quads), encoding="utf-8")
    want_quads = set(nquads(quads).splitlines())
    assert len(want_quads) == len(quads)
    assert read_pyoxigraph(nq_path.read_bytes(), "nquads") == want_quads
    assert read_rapper(nq_path, "nquads") == want_quads
    ttl = turtle(merged).encode("utf-8")
    assert read_pyoxigraph(ttl, "turtle") == set(ntriples(merged).splitlines())
