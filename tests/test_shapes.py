"""Tests of the SHACL shapes (shapes/customs-shapes.ttl) against fixture graphs.

Fixtures live in tests/shapes/:

- ``valid/*.ttl`` must produce no violation. Warnings are allowed (they are
  advice), but each one must be announced by an ``# expect-warning:`` line.
- ``invalid/*.ttl`` each break one rule. Their leading comment names every
  result they must produce, one per line::

      # expect: ckgsh:Membership-role <https://w3id.org/customs-kg/id/m>
      # expect-warning: ckgsh:NewsArticle-publisher-missing <https://w3id.org/customs-kg/id/s>

  The validation must give exactly these (source shape, focus node) pairs:
  no more, no fewer.

Validation runs as the pipeline runs it: pyshacl with inference="none",
advanced=True, and the ontology (ontology/customs.ttl and
ontology/imports/*.ttl, whichever exist) as the ontology graph.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import BNode, Node

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "shapes" / "customs-shapes.ttl"
SHACL_SHACL = ROOT / "shapes" / "shacl-shacl.ttl"
ONTOLOGY = ROOT / "ontology" / "customs.ttl"
ONTOLOGY_IMPORTS = ROOT / "ontology" / "imports"
FIXTURES = ROOT / "tests" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))

CKGSH = Namespace("https://w3id.org/customs-kg/shapes#")
ID = Namespace("https://w3id.org/customs-kg/id/")

EXPECT_RE = re.compile(r"^#\s*(expect|expect-warning):\s*ckgsh:(\S+)\s+<([^>]+)>\s*$")

Result = tuple[URIRef, URIRef]  # (source shape, focus node)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The project's shapes graph."""
    return Graph().parse(SHAPES, format="turtle")


def ontology_files() -> list[Path]:
    """The ontology files that exist now: ontology/customs.ttl and ontology/imports/*.ttl."""
    files = [ONTOLOGY] if ONTOLOGY.is_file() else []
    if ONTOLOGY_IMPORTS.is_dir():
        files += sorted(ONTOLOGY_IMPORTS.glob("*.ttl"))
    return files


@lru_cache(maxsize=1)
def ontology_graph() -> Graph | None:
    """The ontology with its imports, or None while none of those files exists."""
    files = ontology_files()
    if not files:
        return None
    g = Graph()
    for path in files:
        g.parse(path, format="turtle")
    return g


def run_shapes(data: Graph) -> tuple[bool, set[Result], set[Result], Graph]:
    """Validate ``data``; return (conforms, violations, warnings, report graph)."""
    conforms, report, _ = validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    violations: set[Result] = set()
    warnings: set[Result] = set()
    for result in report.objects(None, SH.result):
        shape = report.value(result, SH.sourceShape)
        focus = report.value(result, SH.focusNode)
        severity = report.value(result, SH.resultSeverity)
        assert isinstance(shape, URIRef), f"a result comes from a blank-node shape: {shape!r}"
        assert isinstance(focus, URIRef), f"a result has a non-IRI focus node: {focus!r}"
        if severity == SH.Violation:
            violations.add((shape, focus))
        elif severity == SH.Warning:
            warnings.add((shape, focus))
        else:
            raise AssertionError(f"unexpected severity {severity} from {shape}")
    return bool(conforms), violations, warnings, report


def expectations(path: Path) -> tuple[set[Result], set[Result]]:
    """The (shape, focus) pairs a fixture's leading comment lines announce."""
    violations: set[Result] = set()
    warnings: set[Result] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = EXPECT_RE.match(line)
        if match:
            kind, local, focus = match.groups()
            pair = (CKGSH[local], URIRef(focus))
            (violations if kind == "expect" else warnings).add(pair)
        else:
            assert "expect" not in line, f"{path.name}: malformed expect line: {line!r}"
    return violations, warnings


def show(pairs: set[Result]) -> str:
    return "\n".join(sorted(f"  ckgsh:{s.removeprefix(str(CKGSH))} <{f}>" for s, f in pairs)) or "  (none)"


def parse_fixture(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def list_items(g: Graph, head: Node) -> list[Node]:
    return list(Collection(g, head))


def all_shapes(g: Graph) -> set[Node]:
    """Every node used as a shape in ``g`` (targets, sh:property, sh:node, logical lists...)."""
    shapes: set[Node] = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path, SH.sparql):
        shapes |= set(g.subjects(p, None))
    for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        shapes |= set(g.objects(None, p))
    for p in (SH["or"], SH["and"], SH.xone):
        for head in g.objects(None, p):
            shapes |= set(list_items(g, head))
    return shapes


def rule_shapes(g: Graph) -> set[URIRef]:
    """Shapes that can appear as sh:sourceShape in a report: targeted shapes with their own
    constraints, and the property shapes of targeted node shapes."""
    own_constraints = (SH.sparql, SH["or"], SH.xone, SH["and"], SH["not"], SH["class"], SH.datatype,
                       SH["in"], SH.pattern, SH.nodeKind, SH.node)
    rules: set[URIRef] = set()
    for shape in set(g.subjects(SH.targetClass, None)):
        assert isinstance(shape, URIRef)
        if any(g.value(shape, p) is not None for p in own_constraints) or (shape, SH.path, None) in g:
            rules.add(shape)
        for prop in g.objects(shape, SH.property):
            assert isinstance(prop, URIRef)
            rules.add(prop)
    return rules


# --------------------------------------------------------------------------
# The shapes themselves
# --------------------------------------------------------------------------

def test_shapes_parse() -> None:
    g = shapes_graph()
    assert len(g) > 0
    assert (None, SH.targetClass, None) in g


def test_shapes_conform_to_shacl_shacl() -> None:
    meta = Graph().parse(SHACL_SHACL, format="turtle")
    conforms, _, text = validate(shapes_graph(), shacl_graph=meta, inference="none")
    assert conforms, text


def test_every_shape_has_an_iri_a_name_and_a_message() -> None:
    g = shapes_graph()
    problems = []
    for shape in sorted(all_shapes(g), key=str):
        if isinstance(shape, BNode):
            problems.append(f"blank-node shape: {g.cbd(shape).serialize(format='turtle')}")
            continue
        if not str(shape).startswith(str(CKGSH)):
            problems.append(f"{shape}: not in the ckgsh: namespace")
        if g.value(shape, SH.name) is None:
            problems.append(f"{shape}: no sh:name")
        if g.value(shape, SH.message) is None:
            problems.append(f"{shape}: no sh:message")
    assert not problems, "\n".join(problems)


def test_every_rule_states_its_severity() -> None:
    g = shapes_graph()
    missing = sorted(str(s) for s in rule_shapes(g) if g.value(s, SH.severity) not in (SH.Violation, SH.Warning))
    assert not missing, "rules without sh:severity sh:Violation or sh:Warning:\n" + "\n".join(missing)


def test_country_codes_are_the_249_of_iso_3166_1() -> None:
    g = shapes_graph()
    codes = [str(c) for c in list_items(g, g.value(CKGSH["Country-notation-iso"], SH["in"]))]
    assert len(codes) == 249
    assert len(set(codes)) == 249
    assert codes == sorted(codes)
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
    assert {"RU", "BE", "GB", "US", "XK"} & set(codes) == {"RU", "BE", "GB", "US"}  # XK is user-assigned


def test_role_list_matches_the_data_model() -> None:
    g = shapes_graph()
    labels = {str(c) for c in list_items(g, g.value(CKGSH.ControlledRoleLabel, SH["in"]))}
    assert labels == {
        "Chair", "Vice-Chair", "Head", "Deputy Head", "Director", "Deputy Director",
        "Secretary General", "Deputy Secretary General", "Member", "National Contact Point",
        "Head of Delegation", "Host", "Organizer", "Opening Speaker", "Presenter", "Participant",
        "Secretary", "Observer", "Guest", "Invited Expert",
    }


def test_date_pattern_accepts_exactly_the_real_calendar_dates() -> None:
    pattern = re.compile(str(shapes_graph().value(CKGSH.DateLiteral, SH.pattern)))
    for year in (1900, 1999, 2000, 2004, 2021, 2023, 2024, 2100, 2400):
        for month in range(0, 14):
            for day in range(0, 33):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                try:
                    datetime.date(year, month, day)
                    real = True
                except ValueError:
                    real = False
                assert bool(pattern.search(text)) == real, text


def test_every_rule_is_exercised_by_an_invalid_fixture() -> None:
    named: set[URIRef] = set()
    for path in INVALID + VALID:
        violations, warnings = expectations(path)
        named |= {shape for shape, _ in violations | warnings}
    untested = sorted(str(s) for s in rule_shapes(shapes_graph()) - named)
    assert not untested, "rules no fixture expects:\n" + "\n".join(untested)


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

def test_there_are_enough_fixtures() -> None:
    assert len(VALID) >= 6
    assert len(INVALID) >= 25


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_conforms(path: Path) -> None:
    expected_violations, expected_warnings = expectations(path)
    assert not expected_violations, f"{path.name}: a valid fixture cannot expect violations"
    conforms, violations, warnings, _ = run_shapes(parse_fixture(path))
    assert not violations, f"{path.name} should conform but gives:\n{show(violations)}"
    assert conforms
    assert warnings == expected_warnings, (
        f"{path.name} warnings\nexpected:\n{show(expected_warnings)}\ngot:\n{show(warnings)}")


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_gives_exactly_the_expected_results(path: Path) -> None:
    expected_violations, expected_warnings = expectations(path)
    assert expected_violations, f"{path.name}: an invalid fixture must name at least one '# expect:' line"
    conforms, violations, warnings, _ = run_shapes(parse_fixture(path))
    assert not conforms
    assert violations == expected_violations, (
        f"{path.name}\nmissing:\n{show(expected_violations - violations)}\n"
        f"unexpected:\n{show(violations - expected_violations)}")
    assert warnings == expected_warnings, (
        f"{path.name} warnings\nmissing:\n{show(expected_warnings - warnings)}\n"
        f"unexpected:\n{show(warnings - expected_warnings)}")


def test_results_carry_the_shape_message() -> None:
    """The report repeats each rule's sh:message, so the error translator can show it as is."""
    path = FIXTURES / "invalid" / "membership-role-missing.ttl"
    _, violations, _, report = run_shapes(parse_fixture(path))
    assert violations
    g = shapes_graph()
    for result in report.objects(None, SH.result):
        shape = report.value(result, SH.sourceShape)
        messages = {str(m) for m in report.objects(result, SH.resultMessage)}
        assert str(g.value(shape, SH.message)) in messages


# --------------------------------------------------------------------------
# The check query of docs/interop.md
# --------------------------------------------------------------------------

INTEROP_DOC = ROOT / "docs" / "interop.md"

CONTRACT_PREFIXES = """\
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
"""

# The query with a plain comparison of language-tagged labels: the common mistake the
# page warns about.
CONTRACT_QUERY = """\
SELECT ?who ?body ?roleLabel ?from ?to WHERE {
  ?m a org:Membership ; org:member ?who ; org:organization ?body ;
     org:role/skos:prefLabel ?roleLabel .
  FILTER(lang(?roleLabel) = "en" && ?roleLabel IN ("Chair", "Vice-Chair"))
  OPTIONAL { ?m org:memberDuring/time:hasBeginning/
             (time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?from }
  OPTIONAL { ?m org:memberDuring/time:hasEnd/
             (time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?to }
}
"""

# The query of docs/interop.md ("How to check it"): compare the labels' text,
# STR(?roleLabel), with the plain strings (test_interop_doc_query_is_current keeps it so).
CONTRACT_QUERY_FIXED = CONTRACT_QUERY.replace(
    '?roleLabel IN ("Chair", "Vice-Chair")', 'STR(?roleLabel) IN ("Chair", "Vice-Chair")')

EXPECTED_CHAIRS = {
    (ID["rilo-cis"], ID["global-rilo-meeting"], Literal("Chair", lang="en"),
     Literal("2021", datatype=XSD.gYear), Literal("2021-03-01", datatype=XSD.date)),
    (ID["rilo-south-america"], ID["global-rilo-meeting"], Literal("Vice-Chair", lang="en"),
     Literal("2021-01", datatype=XSD.gYearMonth), None),
}


def chairs(query: str) -> set[tuple[Node | None, ...]]:
    data = parse_fixture(FIXTURES / "valid" / "memberships.ttl")
    assert not run_shapes(data)[1], "the fixture must be valid"
    return {tuple(row) for row in data.query(CONTRACT_PREFIXES + query)}  # type: ignore[arg-type]


def test_interop_doc_query_is_current() -> None:
    text = INTEROP_DOC.read_text(encoding="utf-8")
    section = text[text.index("## How to check it"):]
    query = section[section.index("```sparql\n") + len("```sparql\n"):]
    query = query[:query.index("```")]
    assert query == CONTRACT_QUERY_FIXED


def test_contract_query_as_written_finds_no_row_because_of_its_filter() -> None:
    # Role names are @en literals, and in SPARQL 1.1 "Chair"@en = "Chair" is false: a
    # filter ?roleLabel IN ("Chair", "Vice-Chair") returns no row in any engine (rdflib
    # and Oxigraph alike), as docs/interop.md warns; its query compares STR(?roleLabel).
    assert chairs(CONTRACT_QUERY) == set()


def test_contract_query_with_str_answers_on_a_valid_fixture() -> None:
    assert chairs(CONTRACT_QUERY_FIXED) == EXPECTED_CHAIRS


# --------------------------------------------------------------------------
# The fast validator (graph_builder.validating.validate_engine.fast_validate) against pySHACL
# --------------------------------------------------------------------------

def _pyshacl_results(data: Graph) -> set[tuple[str, str, str, str, str]]:
    """pySHACL's top-level results: (focus, path, constraint component, severity, source shape), in N-Triples."""
    from graph_builder.validating.ntriples import nt_term

    _c, report, _t = validate(data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none",
                              advanced=True, allow_warnings=True)
    out = set()
    for result in report.objects(None, SH.result):
        path = report.value(result, SH.resultPath)
        out.add((nt_term(report.value(result, SH.focusNode)), nt_term(path) if isinstance(path, URIRef) else "",
                 nt_term(report.value(result, SH.sourceConstraintComponent)),
                 nt_term(report.value(result, SH.resultSeverity)), nt_term(report.value(result, SH.sourceShape))))
    return out


def _fast_results(data: Graph) -> set[tuple[str, str, str, str, str]]:
    """The fast validator's top-level results, in the same form: the engine for the core shapes, Oxigraph
    for the sh:sparql constraints."""
    from graph_builder.validating.ntriples import nt_lines
    from graph_builder.validating.validate_engine import prepare, validation_store

    prep = _prepared()
    assert prep.engine is not None, "the project's shapes are no longer all run by the fast engine"
    report = prep.engine.validate_text("".join(nt_lines(data)) + "".join(prep.ontology_lines), format="ntriples",
                                       allow_warnings=True)
    out = {(r.focus_node, r.path if r.path and re.fullmatch(r"<[^<>]*>", r.path) else "", f"<{r.component_iri}>",
            f"<{r.severity_iri}>", r.source_shape or "") for r in report.results}
    store = validation_store(data, prep.ontology)
    for check in prep.checks:
        for row in store.query(check.query):
            out.add((str(row["this"]), "", f"<{SH.SPARQLConstraintComponent}>", f"<{SH[check.severity]}>",
                     f"<{check.shape}>"))
    return out


@lru_cache(maxsize=1)
def _prepared():  # type: ignore[no-untyped-def]
    from graph_builder.validating.validate_engine import prepare

    return prepare(shapes_graph(), ontology_graph())


@pytest.mark.parametrize("path", VALID + INVALID, ids=[f"{p.parent.name}/{p.stem}" for p in VALID + INVALID])
def test_fast_validator_gives_pyshacls_results_on_every_fixture(path: Path) -> None:
    """Same (focus, path, component, severity, shape) top-level results, and the same located results with
    pySHACL's nested sh:detail results, messages and values (graph_builder.validating.validate.shacl_validate)."""
    from graph_builder.validating.validate import shacl_validate
    from graph_builder.validating.validate_engine import fast_validate

    data = parse_fixture(path)
    assert _fast_results(data) == _pyshacl_results(data)
    prep = _prepared()
    assert fast_validate(data, prepared=prep) == shacl_validate(data, shapes=prep.shapes, ontology=prep.ontology)
