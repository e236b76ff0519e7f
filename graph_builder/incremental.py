"""Validation that scales, and incremental rebuilds.

Fast validation (:func:`fast_validate`) gives the same results as
:func:`graph_builder.validate.shacl_validate` (pySHACL, the reference):

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
  name all of theirs, see :func:`_query_reach`).

Incremental rebuild keeps a cache in a folder (:func:`cache_folder`): per
facts file, the parsed records keyed by the file's SHA-256 (and its article
text's); per source, the built named graph and where its nodes were stated;
per graph, its triples as last validated; and the last validation's results,
by focus node. After one source file changes, only that file is parsed, only
its graph is rebuilt, and only the focus nodes whose results the change can
reach are validated (:func:`validate_incremental`): the nodes that reach the
subject of a changed triple within the shapes' depth (:func:`shapes_depth`,
and the compiled queries' depth), validated over the triples within that
depth of them. A change to an entities or vocabulary file, to the shapes, the
ontology or the code invalidates everything. The results equal a clean full
build's.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import __version__
from .build import Build, Triple, build_shared, build_source, memberships_by_election, merge, source_graph_iri
from .errors import FactsError, Problem
from .facts import Facts, Loc, ParsedFile, check_folder, loading_order, parse_file, resolve
from .factsdir import TEXT_MAX_BYTES, YAML_MAX_BYTES, FactsDir
from .namespaces import RDF, RDFS, SH
from .publish import describe_os_error, private_file, sweep, write_atomic
from .schema import SCHEMA_VERSION
from .reasoning import ontology_graph
from .validate import Violation, locations_of, shapes_graph, short, translate_report
from .yamlload import YStr

CACHE_VERSION = 2
copyreg.pickle(YStr, lambda s: (YStr, (str(s), s.line, s.quoted)))


# --- Fast validation ----------------------------------------------------------------

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


_NOT_LOCAL = ("Slice", "Graph", "Service", "Group", "Aggregate", "OrderBy", "Load", "Describe", "Construct")


def _query_reach(query: str) -> tuple[int, frozenset[URIRef], frozenset[str]] | None:
    """How far from ``?this`` a compiled check looks: (links, free predicates, every predicate in N-Triples).

    The check's result for a focus node then depends only on the triples within that many
    links of it (links whose predicate is free, under ``*`` or ``+``, not counted), and only on
    triples with one of its predicates. None when the query is not such a tree of patterns
    rooted at ``?this`` (a variable or blank predicate, an inverse path, a pattern not connected
    to ``?this``, LIMIT, GROUP BY, GRAPH, SERVICE, ...).
    """
    from rdflib.paths import AlternativePath, MulPath, SequencePath
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception:  # noqa: BLE001 - a query rdflib cannot read is not analysed
        return None
    patterns: list[tuple[Any, Any, Any]] = []
    free: set[URIRef] = set()
    preds: set[str] = set()

    def walk(node: Any) -> bool:
        if isinstance(node, CompValue):
            if any(node.name.startswith(n) for n in _NOT_LOCAL):
                return False
            if node.name == "BGP":
                patterns.extend(node.triples)
            return all(walk(v) for v in node.values())
        if isinstance(node, (list, tuple)):
            return all(walk(v) for v in node)
        return True

    def length(path: Any) -> int | None:
        if isinstance(path, URIRef):
            preds.add(nt_term(path))
            return 1
        if isinstance(path, SequencePath):
            parts = [length(a) for a in path.args]
            return None if any(n is None for n in parts) else sum(n for n in parts if n is not None)
        if isinstance(path, AlternativePath):
            parts = [length(a) for a in path.args]
            return None if any(n is None for n in parts) else max(n for n in parts if n is not None)
        if isinstance(path, MulPath):
            inner = length(path.path)
            if inner is None:
                return None
            if path.mod == "?":
                return inner
            inner_preds = path.path.args if isinstance(path.path, AlternativePath) else [path.path]
            iris = [a for a in inner_preds if isinstance(a, URIRef)]
            if len(iris) != len(inner_preds):
                return None
            free.update(iris)
            return 0
        return None  # inverse or negated path

    if not walk(algebra):
        return None
    hops = []
    for s, p, o in patterns:
        n = length(p)
        if n is None or not isinstance(s, Variable):
            return None
        hops.append((str(s), n, str(o) if isinstance(o, Variable) else None))
    dist = {"this": 0}
    changed = True
    while changed:
        changed = False
        for s, n, o in hops:
            if s in dist and o is not None and dist.get(o, 1 << 30) > dist[s] + n:
                dist[o] = dist[s] + n
                changed = True
    if any(s not in dist for s, _n, _o in hops):
        return None
    return max([0, *(dist[s] + n for s, n, _o in hops)]), frozenset(free), frozenset(preds)


def run_sparql_checks(store: Any, checks: Iterable[SparqlCheck], origins: Mapping[Node, Iterable[Loc]]) -> list[Violation]:
    """Evaluate the compiled ``sh:sparql`` checks over an Oxigraph store (data + ontology in the default graph)."""
    return [v for _focus, v in _sparql_pairs(store, checks, origins)]


def _sparql_pairs(store: Any, checks: Iterable[SparqlCheck],
                  origins: Mapping[Node, Iterable[Loc]]) -> list[tuple[Node, Violation]]:
    from .store import to_rdflib

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
    from .store import to_rdflib

    def sub(m: re.Match[str]) -> str:
        try:
            term = row[m.group(1)]
        except (KeyError, ValueError):
            return m.group(0)
        return str(to_rdflib(term)) if term is not None else m.group(0)

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", sub, message)


def pyshacl_results(data: Graph, origins: Mapping[Node, Iterable[Loc]], shapes: Graph, ontology: Graph,
                    focus_nodes: list[URIRef] | None = None) -> list[Violation]:
    """pySHACL's results (as :func:`graph_builder.validate.shacl_validate`), optionally only for some focus nodes."""
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


# --- N-Triples, fast ----------------------------------------------------------------

_ESCAPES = str.maketrans({**{chr(c): f"\\u{c:04X}" for c in (*range(0x20), 0x7F)},
                          "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                          "\f": "\\f"})
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

NTriple = tuple[str, str, str]


def nt_term(node: Node) -> str:
    """A term in N-Triples syntax (as :class:`graph_builder.serialize.TermWriter`, without its IRI check:
    a reader rejects what it cannot read, and the caller falls back to pySHACL)."""
    if type(node) is URIRef:
        return f"<{node}>"
    if isinstance(node, Literal):
        body = '"' + str(node).translate(_ESCAPES) + '"'
        if node.language:
            return f"{body}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{body}^^<{node.datatype}>"
        return body
    if isinstance(node, URIRef):
        return f"<{node}>"
    return f"_:{node}"


def nt_triples(triples: Iterable[Triple], iris: dict[str, str] | None = None) -> list[NTriple]:
    """The triples with their terms in N-Triples syntax (equal IRIs share one string, kept in ``iris``)."""
    iris = {} if iris is None else iris

    def term(node: Node) -> str:
        if type(node) is URIRef:
            key = str.__str__(node)  # a plain string: compared in C, not by rdflib's __eq__
            text = iris.get(key)
            if text is None:
                text = iris[key] = f"<{key}>"
            return text
        return nt_term(node)

    return [(term(s), term(p), term(o)) for s, p, o in triples]


def nt_lines(triples: Iterable[Triple]) -> list[str]:
    """N-Triples lines, unsorted."""
    return [f"{s} {p} {o} .\n" for s, p, o in nt_triples(triples)]


def _node_of(term: str) -> Node | None:
    """The IRI or blank node of an N-Triples term (None for a literal)."""
    if term.startswith("<"):
        return URIRef(_unescape(term[1:-1]))
    if term.startswith("_:"):
        return BNode(term[2:])
    return None


_LITERAL = re.compile(r'^"(.*)"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?$', re.S)
_UESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_ECHAR_BACK = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _UESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if (m.group(1) or m.group(2))
                        else _ECHAR_BACK.get(m.group(3), m.group(3)), text)


def _short_term(term: str) -> str:
    """:func:`graph_builder.validate.short` of an N-Triples term."""
    node = _node_of(term)
    if node is not None:
        return short(node)
    match = _LITERAL.match(term)
    return _unescape(match.group(1)) if match else term


# --- The core engine ----------------------------------------------------------------

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
    untargeted: str = ""            # ``rest`` as N-Triples without targets (for sh:detail runs)
    nested: dict[str, tuple[str, ...]] = field(default_factory=dict)    # shape -> its sh:node shapes
    members: dict[str, frozenset[str]] = field(default_factory=dict)    # node shape -> itself and its properties
    check_predicates: frozenset[str] | None = None  # the predicates the checks read; None: any
    reach: tuple[int, frozenset[URIRef]] | None = None  # how far results look (see shapes_depth)


def prepare(shapes: Graph | None = None, ontology: Graph | None = None) -> Prepared:
    """Split and compile the shapes (default: the project's) for the fast validator."""
    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    rest, checks = split_shapes(shapes)
    prep = Prepared(shapes, ontology, rest, checks, nt_lines(ontology))
    reaches = [_query_reach(c.query) for c in checks]
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
    if not _engine_ready(rest):
        return prep
    try:
        import shacl
    except ImportError:  # pragma: no cover - a declared dependency
        return prep
    rest_lines = nt_lines(rest)
    prep.engine = shacl.Shapes.from_text("".join(rest_lines), format="ntriples")
    targets = {nt_term(p) for p in _TARGETS}
    prep.untargeted = "".join(line for line in rest_lines if line.split(" ", 2)[1] not in targets)
    for shape in _shape_nodes(rest):
        prep.nested[nt_term(shape)] = tuple(sorted(nt_term(n) for n in rest.objects(shape, SH.node)))
        prep.members[nt_term(shape)] = frozenset({nt_term(shape), *(nt_term(p) for p in rest.objects(shape, SH.property))})
    return prep


def _violation(result: Any, origins: Mapping[Node, Iterable[Loc]]) -> Violation:
    """One result of the engine as pySHACL's translated result (see validate.translate_report)."""
    path = result.path or ""
    value = result.value
    shape = result.source_shape or ""
    return Violation(
        severity=short(URIRef(result.severity_iri)).split("#")[-1].replace("sh:", ""),
        focus=_short_term(result.focus_node),
        path=_short_term(path) if re.fullmatch(r"<[^<>]*>", path) else "",
        shape=_short_term(shape) if shape.startswith("<") else "",
        message=sorted(result.messages)[0] if result.messages else "breaks a shape",
        value=_short_term(value) if value is not None and value != result.focus_node else "",
        locations=locations_of(origins, _node_of(result.focus_node)))


def core_results(prep: Prepared, data: list[str], origins: Mapping[Node, Iterable[Loc]]) -> dict[str, list[Violation]]:
    """The results of the shapes without sh:sparql over ``data`` (N-Triples lines), by top-level focus node.

    pySHACL reports, under a ``sh:node`` result, the results of the value node against the
    nested shape (``sh:detail``), and graph_builder.validate counts them as results too: the
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
    groups, _exact = _validate_nt(prep, nt_triples(triples), triples, origins or {}, store)
    return sorted({v for group in groups.values() for v in group})


def _validate_nt(prep: Prepared, nt: list[NTriple], triples: Iterable[Triple], origins: Mapping[Node, Iterable[Loc]],
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


# --- Dependency depth of the shapes -------------------------------------------------

_NESTING = (SH.node, SH.qualifiedValueShape, SH["not"])
_LISTS = (SH["or"], SH["and"], SH.xone)


def shapes_depth(shapes: Graph) -> tuple[int, frozenset[URIRef]] | None:
    """How far from a focus node a shape can look: (links, free predicates); None when not understood.

    A result depends on nodes reached by at most ``links`` links, not counting
    links whose predicate is one of the free predicates (those under
    ``sh:zeroOrMorePath`` / ``sh:oneOrMorePath``, which may be followed any
    number of times).
    """
    memo: dict[Node, int | None] = {}
    free: set[URIRef] = set()

    def star(path: Node) -> bool:
        """Record the predicates of a repeated path (plain predicates or their alternatives)."""
        if isinstance(path, URIRef):
            free.add(path)
            return True
        alt_list = shapes.value(path, SH.alternativePath)
        if alt_list is None:
            return False
        alts = list(shapes.items(alt_list))
        if not all(isinstance(a, URIRef) for a in alts):
            return False
        free.update(a for a in alts if isinstance(a, URIRef))
        return True

    def path_len(path: Node) -> int | None:
        if isinstance(path, URIRef):
            return 1
        for repeat in (SH.oneOrMorePath, SH.zeroOrMorePath):
            inner = shapes.value(path, repeat)
            if inner is not None:
                return 0 if star(inner) else None
        if (path, SH.alternativePath, None) in shapes:
            alt_list = shapes.value(path, SH.alternativePath)
            alts = list(shapes.items(alt_list)) if alt_list is not None else []
            lens = [path_len(a) for a in alts]
            return None if any(n is None for n in lens) else max(n for n in lens if n is not None)
        if (path, RDF.first, None) in shapes:
            lens = [path_len(a) for a in shapes.items(path)]
            return None if any(n is None for n in lens) else sum(n for n in lens if n is not None)
        return None  # inverse, zero-or-more, ...: not bounded in the forward direction

    def depth(shape: Node, stack: frozenset[Node]) -> int | None:
        if shape in memo:
            return memo[shape]
        if shape in stack:
            return None
        stack = stack | {shape}
        here = 0
        nested: list[Node] = []
        for p in _NESTING:
            nested += list(shapes.objects(shape, p))
        for p in _LISTS:
            for lst in shapes.objects(shape, p):
                nested += list(shapes.items(lst))
        if (shape, SH["class"], None) in shapes:
            here = 1  # the value node's rdf:type
        best: int | None = here
        for inner in nested:
            d = depth(inner, stack)
            best = None if d is None or best is None else max(best, d)
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            length = path_len(path) if path is not None else None
            d = depth(prop, stack)
            best = None if length is None or d is None or best is None else max(best, length + d)
        memo[shape] = best
        return best

    worst = 0
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape)):
        d = depth(shape, frozenset())
        own = shapes.value(shape, SH.path)
        if own is not None:
            n = path_len(own)
            d = None if n is None or d is None else n + d
        if d is None:
            return None
        worst = max(worst, d)
    return worst, frozenset(free)


# --- Cached loading and building ----------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# What a cached parse or build depends on: the schema of the statement kinds (its version changes with a
# kind, a field or the RDF a kind produces), the release, and the layout of the cache itself.
_CODE_SHA = _sha(f"schema {SCHEMA_VERSION}; customs-kg {__version__}; cache {CACHE_VERSION}".encode())


def _validation_sha() -> str:
    """The code behind the cached validation results (and the engine's version)."""
    try:
        import shacl

        engine = f"shacl {shacl.__version__}"
    except ImportError:  # pragma: no cover - a declared dependency
        engine = "none"
    return _sha(_CODE_SHA.encode() + engine.encode())


@dataclass
class Stats:
    """What an incremental build did (for tests and the curious)."""

    parsed: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)
    validated: str = "none"   # "full", "incremental" or "reused"
    focus_nodes: int = 0      # incremental: the focus nodes validated
    triples_validated: int = 0  # incremental: the triples they were validated over
    versions: dict[str, str] = field(default_factory=dict)  # graph -> digest of its inputs (build_cached)
    graph_versions: dict[str, str] = field(default_factory=dict)  # graph -> version validated (validate_incremental)

    def version(self) -> str | None:
        """A digest of the validated graph's versions (None before validate_incremental)."""
        return _digest(sorted(self.graph_versions.items())) if self.graph_versions else None


@dataclass
class _Parsed:
    """A cached parse: the file's :class:`~graph_builder.facts.ParsedFile`, and its source text's name and SHA-256."""

    file: ParsedFile
    text_file: str | None = None
    text_sha: str | None = None


_UNUSABLE: set[str] = set()  # cache folders found unusable in this process (warned once each)


def cache_unusable(folder: Path, exc: OSError) -> None:
    """Stop using the cache ``folder`` for the rest of this process, with one warning on stderr.

    A read-only, full or damaged cache never fails a command: the command goes
    on without it (``PATH: warning: cache: why; building without the cache``).
    """
    if str(folder) in _UNUSABLE:
        return
    _UNUSABLE.add(str(folder))
    warning = Problem(str(folder), 0, "cache", f"cannot use it: {describe_os_error(exc)}; building without the cache",
                      "warning")
    print(warning, file=sys.stderr)


def cache_usable(folder: Path) -> bool:
    """Whether the cache ``folder`` has not been found unusable in this process."""
    return str(folder) not in _UNUSABLE


class Cache:
    """A folder of pickled entries, each checked by its key (a corrupt or stale entry is a miss).

    The folder is opened when the cache is made: created, cleared of the
    temporary files killed runs left (graph_builder.publish.sweep) and probed
    for writing. A folder that cannot be used (read-only, full, not a folder)
    is left alone, with one warning (:func:`cache_unusable`): the build goes
    on without the cache and gives the same result.
    """

    def __init__(self, folder: Path | None):
        self.folder = folder if folder is not None and self._open(folder) else None

    @staticmethod
    def _open(folder: Path) -> bool:
        if not cache_usable(folder):
            return False
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for sub in [folder, *(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())]:
                sweep(sub)
            fd, probe = private_file(folder / "probe")
            try:
                os.write(fd, b"probe")
            finally:
                os.close(fd)
                probe.unlink()
        except OSError as exc:
            cache_unusable(folder, exc)
            return False
        return True

    def _path(self, kind: str, name: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / kind / (_sha(name.encode("utf-8"))[:32] + ".pickle")

    def get(self, kind: str, name: str, key: str) -> Any:
        path = self._path(kind, name)
        if path is None or not path.is_file():
            return None
        try:
            stored_key, value = pickle.loads(path.read_bytes())  # our own cache
        except Exception:  # noqa: BLE001 - a damaged or unreadable entry is a miss
            return None
        return value if stored_key == key else None

    def put(self, kind: str, name: str, key: str, value: Any) -> None:
        path = self._path(kind, name)
        if path is None or self.folder is None:
            return
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((key, value))
        try:
            write_atomic(path, buffer.getvalue(), durable=False)
        except OSError as exc:
            cache_unusable(self.folder, exc)
            self.folder = None


# IRIs read back from the cache, one object per IRI: the graphs of thousands of cache entries name
# the same IRIs, and set and dict lookups that find the same object skip rdflib's equality test
# (a Python call); writing the Turtle of a 1M-triple incremental build took 14 s instead of 20 s
_IRIS: dict[str, URIRef] = {}


def _uriref(value: str) -> URIRef:
    iri = _IRIS.get(value)
    if iri is None:
        iri = _IRIS[value] = str.__new__(URIRef, value)  # checked when it was first made
    return iri


def _literal(lexical: str, language: str | None, datatype: URIRef | None, value: Any, ill_typed: bool | None) -> Literal:
    lit = str.__new__(Literal, lexical)
    lit._language, lit._datatype, lit._value, lit._ill_typed = language, datatype, value, ill_typed
    return lit


class _Pickler(pickle.Pickler):
    """Pickles IRIs and literals as they are, to be read back without rdflib's checks and conversions
    (which make reading a large graph several times slower)."""

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is URIRef:
            return _uriref, (str(obj),)
        if kind is Literal:
            return _literal, (str(obj), obj._language, obj._datatype, obj._value, obj._ill_typed)
        return NotImplemented


def _parse_file(path: Path, holds: str, folder: FactsDir) -> _Parsed:
    parsed = _Parsed(parse_file(path, holds, folder))
    for src in parsed.file.sources.values():
        text_sha = _text_sha(folder, src.text_file)
        if text_sha is not None:
            parsed.text_file, parsed.text_sha = src.text_file, text_sha
    return parsed


def _text_sha(folder: FactsDir, name: str) -> str | None:
    """The SHA-256 of a source's text as the loader read it (None when it cannot be read)."""
    try:
        return _sha(folder.read(folder.root / "texts" / name, TEXT_MAX_BYTES))
    except FactsError:
        return None


def load_facts_cached(root: Path, cache: Cache, stats: Stats | None = None) -> Facts:
    """Like :func:`graph_builder.facts.load_facts`, parsing only the files that changed since the cached parse.

    The files are listed and read as the full load reads them (:class:`graph_builder.factsdir.FactsDir`);
    a file is parsed from the very bytes its cache key was computed from, and the parses, cached or new,
    are joined by :func:`graph_builder.facts.resolve` as in a full load (so the same problems are
    reported). A parse with problems is not cached."""
    stats = stats if stats is not None else Stats()
    check_folder(root)
    folder = FactsDir(root)
    listing = folder.listing()
    files: list[ParsedFile] = []
    for path, holds in loading_order(listing):
        try:
            key = _CODE_SHA + _sha(folder.read(path, YAML_MAX_BYTES))
        except FactsError:
            files.append(parse_file(path, holds, folder))  # reports the read error as a full load does
            continue
        parsed = cache.get("parse", str(path), key)
        if not isinstance(parsed, _Parsed) or not isinstance(getattr(parsed, "file", None), ParsedFile):
            parsed = None  # absent, or written by another layout of the cache
        if parsed is not None and parsed.text_file is not None:
            if _text_sha(folder, parsed.text_file) != parsed.text_sha:
                parsed = None
        if parsed is None:
            parsed = _parse_file(path, holds, folder)
            stats.parsed.append(str(path))
            if not parsed.file.problems:
                cache.put("parse", str(path), key, parsed)
        files.append(parsed.file)
    return resolve(root, files, listing)


def _digest(obj: object) -> str:
    return _sha(repr(obj).encode("utf-8"))


def build_cached(facts: Facts, cache: Cache, stats: Stats | None = None) -> Build:
    """Like :func:`graph_builder.build.build`, rebuilding only the sources whose inputs changed."""
    stats = stats if stats is not None else Stats()
    _IRIS.clear()  # shared within one build, not kept from the previous one
    out = build_shared(facts)
    mbe = memberships_by_election(facts)
    shared = _CODE_SHA + _digest((sorted((k, repr(v)) for k, v in facts.entities.items()),
                                  sorted((k, repr(v)) for k, v in facts.roles.items()),
                                  sorted((k, sorted(v)) for k, v in mbe.items())))
    by_source: dict[str, list[Any]] = defaultdict(list)
    for st in facts.statements:
        by_source[st.source].append(st)
    for key, sts in by_source.items():
        src = facts.sources[key]
        entry_key = shared + _digest((repr(src), [repr(st) for st in sts]))
        entry = cache.get("graph", key, entry_key)
        if entry is None:
            part = build_source(facts, sts, mbe)
            entry = ({g: set(t) for g, t in part.graphs.items()}, {n: set(l) for n, l in part.origins.items()})
            cache.put("graph", key, entry_key, entry)
            stats.built.append(key)
        stats.versions[str(source_graph_iri(key))] = entry_key
        graphs, origins = entry
        merge(out, Build(graphs=defaultdict(set, graphs), origins=defaultdict(set, origins)))
    return out


# --- Incremental validation ---------------------------------------------------------

def _walk(links: list[Triple], start: Mapping[Node, int], free: frozenset[URIRef], forward: bool) -> dict[Node, int]:
    """Nodes reached from ``start`` (node -> links left) along ``links`` (triples whose object is not a
    literal), forwards or backwards; a link costs one, a link with a free predicate nothing. Returns
    the most links left at each node reached. One pass over the links per step away from ``start``."""
    best = {n: left for n, left in start.items() if left >= 0}
    frontier = dict(best)
    here_at, there_at = (0, 2) if forward else (2, 0)
    while frontier:
        step: dict[Node, int] = {}
        for t in [t for t in links if t[here_at] in frontier]:
            rest = frontier[t[here_at]] - (0 if t[1] in free else 1)
            there = t[there_at]
            if rest >= 0 and best.get(there, -1) < rest:
                best[there] = step[there] = rest
        frontier = step
    return best


def _version(triples: Iterable[NTriple]) -> str:
    """A digest of a graph's content."""
    return _sha("".join(sorted(f"{s} {p} {o}\n" for s, p, o in triples)).encode("utf-8"))


def _graph_key(graph: URIRef | None) -> str:
    return "default" if graph is None else str(graph)


def _relocate(groups: Mapping[str, list[Violation]], origins: Mapping[Node, Iterable[Loc]]) -> list[Violation]:
    by_name = {short(n): n for n in origins}
    return sorted({replace(v, locations=locations_of(origins, by_name.get(v.focus)))
                   for group in groups.values() for v in group})


def validate_incremental(built: Build, data: Graph | Iterable[Triple] | None, cache: Cache,
                         stats: Stats | None = None, *, store: Any = None,
                         versions: Mapping[str, str] | None = None) -> list[Violation]:
    """Validate ``built`` (``data``: its merged triples, if at hand), reusing the cached results of the previous build.

    Each graph (the default graph and one per source) is known by a version: ``versions[key]``
    when given (:func:`build_cached` records the digest of a source graph's inputs in
    ``Stats.versions``), else a digest of its content. When some graphs changed, their triples
    are compared with the cached copy of the previous ones; the focus nodes whose results can
    change are the nodes that reach a changed triple's subject within the shapes' depth (see
    :func:`shapes_depth` and :func:`_query_reach`), and only they are validated, over the
    triples within that depth of them. The results equal a full validation's.
    """
    stats = stats if stats is not None else Stats()
    prep = prepare()
    from .paths import ontology_files, shapes_files

    env = _validation_sha() + _sha(b"".join(p.read_bytes() for p in [*shapes_files(), *ontology_files()] if p.is_file()))
    merged = data if isinstance(data, (set, frozenset, list, Graph)) else built.merged() if data is None else list(data)
    graphs: dict[str, set[Triple]] = {"default": built.default}
    graphs.update((_graph_key(g), t) for g, t in built.graphs.items())
    nt_graphs: dict[str, list[NTriple]] = {}
    iris: dict[str, str] = {}

    def nt_of(key: str) -> list[NTriple]:
        if key not in nt_graphs:
            nt_graphs[key] = nt_triples(graphs.get(key, ()), iris)
        return nt_graphs[key]

    given = versions or {}
    current = {k: given.get(k) or _version(nt_of(k)) for k in graphs}
    stats.graph_versions = dict(current)
    previous = cache.get("validation", "last", env)

    def save(groups: Mapping[str, list[Violation]], exact: bool, keys: Iterable[str]) -> None:
        for key in keys:
            cache.put("vgraph", key, current[key], nt_of(key))
        cache.put("validation", "last", env, {"versions": current, "exact": exact, "groups": {
            k: [replace(v, locations=()) for v in vs] for k, vs in groups.items()}})

    def full() -> list[Violation]:
        everything = set().union(*(nt_of(k) for k in graphs))
        groups, exact = _validate_nt(prep, list(everything), merged, built.origins, store)
        save(groups, exact, list(graphs))
        stats.validated = "full"
        return _relocate(groups, built.origins)

    if previous is None or not previous["exact"] or prep.reach is None or prep.engine is None:
        return full()
    changed_keys = sorted(k for k in set(current) | set(previous["versions"])
                          if current.get(k) != previous["versions"].get(k))
    if not changed_keys:
        stats.validated = "reused"
        return _relocate(previous["groups"], built.origins)
    changed: set[NTriple] = set()
    for key in changed_keys:
        old: list[NTriple] | None = [] if key not in previous["versions"] else \
            cache.get("vgraph", key, previous["versions"][key])
        if old is None:
            return full()
        changed |= set(old) ^ set(nt_of(key))
    depth, free = prep.reach
    touched = [(s, p, o) for s, p, o in ((_node_of(s), _node_of(p), _node_of(o)) for s, p, o in changed)
               if s is not None and p is not None]
    start: dict[Node, int] = {}
    for s, p, _o in touched:
        start[s] = max(start.get(s, -1), depth - (0 if p in free else 1))
    links = [t for t in merged if type(t[2]) is not Literal]
    gone = [(s, p, o) for s, p, o in touched if o is not None]  # removed links still lead to what they reached
    affected = _walk(links + gone, start, free, forward=False)
    ahead = _walk(links, {n: depth for n in affected}, free, forward=True)
    part = [t for t in merged if t[0] in ahead and (ahead[t[0]] >= 1 or t[1] in free)]
    wanted = {nt_term(n) for n in affected}
    fresh, exact = _validate_nt(prep, nt_triples(part), part, built.origins)
    if not exact:
        return full()
    groups = {k: vs for k, vs in previous["groups"].items() if k not in wanted}
    groups.update((k, vs) for k, vs in fresh.items() if k in wanted)
    save(groups, True, [k for k in changed_keys if k in graphs])
    stats.validated, stats.focus_nodes, stats.triples_validated = "incremental", len(affected), len(part)
    return _relocate(groups, built.origins)


def cache_folder(facts_dir: Path) -> Path:
    """The incremental cache of a facts folder: ``$XDG_CACHE_HOME/customs-kg/<hash of its path>`` (default
    ``~/.cache``), used by every command that reads the folder.

    Neither inside the facts folder nor inside an output folder (a build
    replaces the output folder as a whole, see graph_builder.publish).
    ``CUSTOMS_KG_CACHE=DIR`` puts the cache in DIR instead.
    """
    import os

    explicit = os.environ.get("CUSTOMS_KG_CACHE")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "customs-kg" / _sha(str(facts_dir.absolute()).encode("utf-8"))[:24]
