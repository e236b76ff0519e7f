"""Fast SHACL validation: the same results as :func:`graph_builder.validating.validate.shacl_validate` (pySHACL).

* every shape except the ``sh:sparql`` constraints runs in the SHACL engine of
  the ``shacl`` package (Rust), over the data and the ontology written as
  N-Triples. pySHACL also reports, under a ``sh:node`` result, the value
  node's own results against the nested shape (``sh:detail``), and they count
  as results here: the engine does not, so they are found by validating those
  value nodes against those shapes (as ``sh:targetNode``), round after round.
  The engine is used only for shapes made of the SHACL terms it has been
  checked on against pySHACL (:data:`VERIFIED_TERMS`, every shape named and
  with a ``sh:message``); other shapes, and input the engine cannot read, go to
  pySHACL;
* each ``sh:sparql`` constraint is compiled to one SPARQL query over the whole
  graph in Oxigraph (the shape's targets joined with the constraint's
  ``SELECT`` as a subquery) instead of one query per focus node in rdflib; the
  store holds only the triples whose predicate the queries name (when they
  name all of theirs, see :func:`graph_builder.validating.validate_reach.query_reach`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from rdflib import Graph, URIRef
from rdflib.term import Node

from graph_builder.building.build import Triple
from graph_builder.loading.facts import Loc
from graph_builder.namespaces import RDF, RDFS, SH
from graph_builder.validating.ntriples import (NTriple, literal_text, node_of, nt_lines, nt_term, nt_triples,
                                               to_rdflib)
from graph_builder.validating.reasoning import ontology_graph
from graph_builder.validating.validate import Violation, locations_of, shapes_graph, short, translate_report
from graph_builder.validating.validate_reach import query_reach, shapes_depth


@dataclass(frozen=True)
class SparqlCheck:
    """A ``sh:sparql`` constraint of a node shape, compiled to one query over the whole graph."""

    shape: URIRef
    query: str
    messages: tuple[str, ...]
    severity: str


def _prefix_decls(shapes: Graph, constraint: Node) -> str:
    lines = []
    for holder in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(holder, SH.declare):
            prefix = shapes.value(decl, SH.prefix)
            ns = shapes.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(sorted(set(lines)))


def _targets(shapes: Graph, shape: Node) -> str | None:
    """A SPARQL pattern binding ?this to the shape's focus nodes (None: targets we do not compile)."""
    parts = []
    for cls in shapes.objects(shape, SH.targetClass):
        parts.append(f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* <{cls}> }}")
    for node in shapes.objects(shape, SH.targetNode):
        if not isinstance(node, URIRef):
            return None
        parts.append(f"{{ VALUES ?this {{ <{node}> }} }}")
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ ?this <{p}> [] }}")
    for p in shapes.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ [] <{p}> ?this }}")
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, SH.target, None) in shapes or not parts:
        return None
    return " UNION ".join(parts)


def split_shapes(shapes: Graph) -> tuple[Graph, list[SparqlCheck]]:
    """The shapes without their ``sh:sparql`` constraints, and those constraints compiled."""
    rest = Graph()
    for prefix, ns in shapes.namespaces():
        rest.bind(prefix, ns)
    checks: list[SparqlCheck] = []
    compiled: set[tuple[Node, Node]] = set()
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        target = _targets(shapes, shape)
        if (select is None or target is None or (shape, SH.path, None) in shapes
                or (constraint, SH.deactivated, None) in shapes or (shape, SH.deactivated, None) in shapes):
            continue  # left to pySHACL
        body = re.sub(r"\$this\b", "?this", str(select))
        query = f"{_prefix_decls(shapes, constraint)}\nSELECT ?this ?value WHERE {{\n  {target}\n  {{ {body} }}\n}}"
        messages = tuple(str(m) for m in shapes.objects(constraint, SH.message)) or \
            tuple(str(m) for m in shapes.objects(shape, SH.message))
        severity = shapes.value(shape, SH.severity)
        checks.append(SparqlCheck(URIRef(str(shape)), query, messages,
                                  short(severity).split("#")[-1].replace("sh:", "") if severity is not None
                                  else "Violation"))
        compiled.add((shape, constraint))
    for s, p, o in shapes:
        if p == SH.sparql and (s, o) in compiled:
            continue
        rest.add((s, p, o))
    return rest, checks


def run_sparql_checks(store: Any, checks: Iterable[SparqlCheck], origins: Mapping[Node, Iterable[Loc]]) -> list[Violation]:
    """Evaluate the compiled ``sh:sparql`` checks over an Oxigraph store (data + ontology in the default graph)."""
    return [v for _focus, v in _sparql_pairs(store, checks, origins)]


def _sparql_pairs(store: Any, checks: Iterable[SparqlCheck],
                  origins: Mapping[Node, Iterable[Loc]]) -> list[tuple[Node, Violation]]:
    out = []
    for check in checks:
        for row in store.query(check.query):
            focus = to_rdflib(row["this"])
            if focus is None:
                continue  # ?this is always bound by the compiled target
            value = to_rdflib(row["value"]) if row["value"] is not None else focus
            messages = sorted(_substitute(m, row) for m in check.messages)
            out.append((focus, Violation(
                severity=check.severity, focus=short(focus), path="", shape=short(check.shape),
                message=messages[0] if messages else "breaks a shape",
                value=short(value) if value is not None and value != focus else "",
                locations=locations_of(origins, focus))))
    return out


def _substitute(message: str, row: Any) -> str:
    def sub(m: re.Match[str]) -> str:
        try:
            term = row[m.group(1)]
        except (KeyError, ValueError):
            return m.group(0)
        return str(to_rdflib(term)) if term is not None else m.group(0)

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", sub, message)


def pyshacl_results(data: Graph, origins: Mapping[Node, Iterable[Loc]], shapes: Graph, ontology: Graph,
                    focus_nodes: list[URIRef] | None = None) -> list[Violation]:
    """pySHACL's results (as :func:`graph_builder.validating.validate.shacl_validate`), optionally only for some focus nodes."""
    import pyshacl

    if focus_nodes is not None and not focus_nodes:
        return []
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True,
        abort_on_first=False, focus_nodes=focus_nodes)  # type: ignore[arg-type]
    return translate_report(report, origins)


def validation_store(triples: Iterable[Triple], ontology: Graph) -> Any:
    """An Oxigraph store with the data and the ontology in its default graph (pySHACL mixes the ontology in too)."""
    return _oxigraph(nt_lines(list(triples) + list(ontology)))


def _oxigraph(lines: Iterable[str]) -> Any:
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load("".join(lines).encode("utf-8"), pyoxigraph.RdfFormat.N_TRIPLES)
    return store



# The SHACL terms the engine (the `shacl` package, in Rust) has been checked on against pySHACL:
# tests/test_incremental.py compares the two on every fixture of tests/shapes and on a generated
# graph with injected violations. Shapes that use any other SHACL term are run by pySHACL.
VERIFIED_TERMS = frozenset(SH[t] for t in (
    "NodeShape", "PropertyShape", "Violation", "Warning", "IRI", "Literal", "targetClass", "path", "property",
    "node", "class", "datatype", "nodeKind", "minCount", "maxCount", "pattern", "in", "hasValue", "languageIn",
    "uniqueLang", "or", "xone", "not", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
    "minExclusive", "lessThanOrEquals", "alternativePath", "oneOrMorePath", "message", "name", "severity",
    "SPARQLConstraint", "sparql", "select", "prefixes", "declare", "prefix", "namespace"))
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_SH_TARGET_NODE = nt_term(SH.targetNode)


class _Unsupported(Exception):
    """The engine cannot give pySHACL's results here: pySHACL runs instead."""


def _shape_nodes(shapes: Graph) -> set[Node]:
    """Every node used as a shape."""
    nodes: set[Node] = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    for p in (*_TARGETS, SH.path):
        nodes |= set(shapes.subjects(p, None))
    for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        nodes |= set(shapes.objects(None, p))
    for p in (SH["or"], SH["and"], SH.xone):
        for head in shapes.objects(None, p):
            nodes |= set(shapes.items(head))
    return nodes


def _engine_ready(shapes: Graph) -> bool:
    """Whether the engine gives pySHACL's results for these shapes (sh:sparql excluded)."""
    sh = str(SH)
    for t in shapes:
        for term in t:
            if isinstance(term, URIRef) and str(term).startswith(sh) and term not in VERIFIED_TERMS:
                return False
    if (None, SH.sparql, None) in shapes:
        return False  # a sh:sparql constraint that could not be compiled
    nodes = _shape_nodes(shapes)
    # results are named by their shape and carry its sh:message (pySHACL's generic messages are its own)
    return all(isinstance(n, URIRef) and (n, SH.message, None) in shapes for n in nodes)


@dataclass
class Prepared:
    """Shapes and ontology made ready once for :func:`fast_validate` and :func:`validate_incremental`."""

    shapes: Graph
    ontology: Graph
    rest: Graph                     # the shapes without the compiled sh:sparql constraints
    checks: list[SparqlCheck]       # the compiled sh:sparql constraints
    ontology_lines: list[str]
    engine: Any = None              # shacl.Shapes of ``rest``; None: pySHACL runs ``rest``
    engine_text: str = ""           # ``rest`` as N-Triples, when the engine runs it (see start_engine)
    untargeted: str = ""            # ``rest`` as N-Triples without targets (for sh:detail runs)
    nested: dict[str, tuple[str, ...]] = field(default_factory=dict)    # shape -> its sh:node shapes
    members: dict[str, frozenset[str]] = field(default_factory=dict)    # node shape -> itself and its properties
    check_predicates: frozenset[str] | None = None  # the predicates the checks read; None: any
    reach: tuple[int, frozenset[URIRef]] | None = None  # how far results look (see shapes_depth)
    # set with reach: the predicates of the links results look along (every IRI the shapes name, every
    # predicate the checks read, rdf:type and rdfs:subClassOf): a node's results depend only on the triples of
    # the nodes it reaches along them (and on nothing when its reach is None)
    link_predicates: frozenset[URIRef] = frozenset()


def short_term(term: str) -> str:
    """:func:`graph_builder.validating.validate.short` of an N-Triples term."""
    node = node_of(term)
    if node is not None:
        return short(node)
    text = literal_text(term)
    return term if text is None else text


def prepare(shapes: Graph | None = None, ontology: Graph | None = None) -> Prepared:
    """Split and compile the shapes (default: the project's) for the fast validator."""
    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    rest, checks = split_shapes(shapes)
    prep = Prepared(shapes, ontology, rest, checks, nt_lines(ontology))
    reaches = [query_reach(c.query) for c in checks]
    if all(r is not None for r in reaches):
        preds: set[str] = {nt_term(RDF.type), nt_term(RDFS.subClassOf)}
        for r in reaches:
            if r is not None:
                preds |= r[2]
        prep.check_predicates = frozenset(preds)
    core = shapes_depth(rest)
    if core is not None and all(r is not None for r in reaches) and (None, SH.targetObjectsOf, None) not in rest \
            and (None, SH.target, None) not in rest:
        depth = max([core[0], 1, *(r[0] for r in reaches if r is not None)])
        free = set(core[1]) | {RDFS.subClassOf}
        for r in reaches:
            if r is not None:
                free |= r[1]
        prep.reach = (depth, frozenset(free))
        named = {term for t in rest for term in t if isinstance(term, URIRef)}
        prep.link_predicates = frozenset(named | {RDF.type, RDFS.subClassOf} | {
            n for n in map(node_of, prep.check_predicates or ()) if isinstance(n, URIRef)})
    if not _engine_ready(rest):
        return prep
    rest_lines = nt_lines(rest)
    prep.engine_text = "".join(rest_lines)
    start_engine(prep)
    if prep.engine is None:  # pragma: no cover - a declared dependency
        return prep
    targets = {nt_term(p) for p in _TARGETS}
    prep.untargeted = "".join(line for line in rest_lines if line.split(" ", 2)[1] not in targets)
    for shape in _shape_nodes(rest):
        prep.nested[nt_term(shape)] = tuple(sorted(nt_term(n) for n in rest.objects(shape, SH.node)))
        prep.members[nt_term(shape)] = frozenset({nt_term(shape), *(nt_term(p) for p in rest.objects(shape, SH.property))})
    return prep


def start_engine(prep: Prepared) -> Prepared:
    """Compile ``prep.engine_text`` into ``prep.engine`` (kept without it: see
    graph_builder.validating.incremental)."""
    if prep.engine is None and prep.engine_text:
        try:
            import shacl
        except ImportError:  # pragma: no cover - a declared dependency
            return prep
        prep.engine = shacl.Shapes.from_text(prep.engine_text, format="ntriples")
    return prep


def _violation(result: Any, origins: Mapping[Node, Iterable[Loc]]) -> Violation:
    """One result of the engine as pySHACL's translated result (see validate.translate_report)."""
    path = result.path or ""
    value = result.value
    shape = result.source_shape or ""
    return Violation(
        severity=short(URIRef(result.severity_iri)).split("#")[-1].replace("sh:", ""),
        focus=short_term(result.focus_node),
        path=short_term(path) if re.fullmatch(r"<[^<>]*>", path) else "",
        shape=short_term(shape) if shape.startswith("<") else "",
        message=sorted(result.messages)[0] if result.messages else "breaks a shape",
        value=short_term(value) if value is not None and value != result.focus_node else "",
        locations=locations_of(origins, node_of(result.focus_node)))


def core_results(prep: Prepared, data: list[str], origins: Mapping[Node, Iterable[Loc]]) -> dict[str, list[Violation]]:
    """The results of the shapes without sh:sparql over ``data`` (N-Triples lines), by top-level focus node.

    pySHACL reports, under a ``sh:node`` result, the results of the value node against the
    nested shape (``sh:detail``), and graph_builder.validating.validate counts them as results too: the
    engine does not, so each round validates the value nodes against their nested shapes (as
    ``sh:targetNode``) until no ``sh:node`` result is left.
    """
    text = "".join(data) + "".join(prep.ontology_lines)
    report = prep.engine.validate_text(text, format="ntriples", allow_warnings=True)
    out: dict[str, list[Violation]] = defaultdict(list)
    roots: dict[tuple[str, str], set[str]] = defaultdict(set)  # (nested shape, value node) -> top-level foci

    def nested(result: Any, tops: set[str]) -> None:
        if result.component_iri == str(SH.NodeConstraintComponent) and result.value is not None:
            if result.value.startswith("_:"):
                raise _Unsupported("a sh:node result on a blank node")
            for shape in prep.nested.get(result.source_shape or "", ()):
                roots[(shape, result.value)] |= tops

    for result in report.results:
        out[result.focus_node].append(_violation(result, origins))
        nested(result, {result.focus_node})
    done: set[tuple[str, str]] = set()
    import shacl

    while set(roots) - done:
        todo = sorted(set(roots) - done)
        done |= set(todo)
        detail = shacl.Shapes.from_text(prep.untargeted + "".join(
            f"{shape} {_SH_TARGET_NODE} {value} .\n" for shape, value in todo), format="ntriples")
        for result in detail.validate_text(text, format="ntriples", allow_warnings=True).results:
            tops: set[str] = set()
            for shape, value in todo:
                if value == result.focus_node and (result.source_shape or "") in prep.members.get(shape, ()):
                    tops |= roots[(shape, value)]
            violation = _violation(result, origins)
            for top in tops:
                out[top].append(violation)
            nested(result, tops)
    return dict(out)


def sparql_results(prep: Prepared, data: list[NTriple], origins: Mapping[Node, Iterable[Loc]],
                   store: Any = None) -> dict[str, list[Violation]]:
    """The compiled sh:sparql checks over ``data`` (only the triples with a predicate they read), by focus node."""
    if not prep.checks:
        return {}
    if store is None:
        wanted = prep.check_predicates
        store = _oxigraph([*(f"{s} {p} {o} .\n" for s, p, o in data if wanted is None or p in wanted),
                           *prep.ontology_lines])
    out: dict[str, list[Violation]] = defaultdict(list)
    for focus, v in _sparql_pairs(store, prep.checks, origins):
        out[nt_term(focus)].append(v)
    return dict(out)


def fast_validate(data: Graph | Iterable[Triple], origins: Mapping[Node, Iterable[Loc]] | None = None, *,
                  shapes: Graph | None = None, ontology: Graph | None = None, store: Any = None,
                  prepared: Prepared | None = None) -> list[Violation]:
    """The same results as ``shacl_validate(data, origins)``, faster on large graphs (see the module doc)."""
    prep = prepared if prepared is not None else prepare(shapes, ontology)
    triples = data if isinstance(data, (Graph, set, frozenset, list)) else list(data)
    groups, _exact = validate_nt(prep, nt_triples(triples), triples, origins or {}, store)
    return sorted({v for group in groups.values() for v in group})


def validate_nt(prep: Prepared, nt: list[NTriple], triples: Iterable[Triple], origins: Mapping[Node, Iterable[Loc]],
                 store: Any = None) -> tuple[dict[str, list[Violation]], bool]:
    """Every result, by top-level focus node (in N-Triples), and whether the grouping is exact.

    pySHACL runs the shapes when the engine cannot; its results are then grouped by their own
    focus node (a ``sh:detail`` result is not told apart from a top-level one), not exactly.
    """
    core: dict[str, list[Violation]] | None = None
    if prep.engine is not None:
        try:
            core = core_results(prep, [f"{s} {p} {o} .\n" for s, p, o in nt], origins)
        except (_Unsupported, ValueError, RuntimeError, OSError):
            core = None
    exact = core is not None
    if core is None:
        data = triples if isinstance(triples, Graph) else _graph(triples)
        core = defaultdict(list)
        for v in pyshacl_results(data, origins, prep.rest, prep.ontology):
            core[v.focus].append(v)
    groups: dict[str, list[Violation]] = defaultdict(list)
    for part in (core, sparql_results(prep, nt, origins, store)):
        for focus, vs in part.items():
            groups[focus] += vs
    return dict(groups), exact


def _graph(triples: Iterable[Triple]) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g
