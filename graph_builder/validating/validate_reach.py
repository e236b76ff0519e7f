"""The reach of the shapes: how far from a focus node a shape or a ``sh:sparql`` query looks.

:func:`shapes_depth` and :func:`query_reach` bound the links a result can
depend on; :func:`walk` follows links that far. The fast engine
(:mod:`graph_builder.validating.validate_engine`) uses them to load only what its queries
read, and incremental revalidation (:mod:`graph_builder.validating.incremental`) to find
the focus nodes an edit can reach.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Collection, Mapping

import numpy as np
from numpy.typing import NDArray
from rdflib import Graph, URIRef
from rdflib.term import Node

from graph_builder.building.build import Triple
from graph_builder.namespaces import RDF, SH
from graph_builder.validating.ntriples import nt_term


_NOT_LOCAL = ("Slice", "Graph", "Service", "Group", "Aggregate", "OrderBy", "Load", "Describe", "Construct")


def query_reach(query: str) -> tuple[int, frozenset[URIRef], frozenset[str]] | None:
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



class Links:
    """Triples whose object is not a literal, indexed by the hash of their subject or object in sorted NumPy
    arrays, so that :func:`walk` finds the triples at a set of nodes by binary search (a Python loop or
    even a C loop over a million triples, whose terms lie all over the memory, takes a tenth of a second or
    more at each step)."""

    def __init__(self, triples: list[Triple]):
        self.triples = triples
        self._index: dict[int, tuple[NDArray[np.int64], NDArray[np.intp]]] = {}

    def at(self, position: int, nodes: Collection[Node]) -> list[int]:
        """The indexes of the triples whose term at ``position`` (0: subject, 2: object) has the hash of one of
        ``nodes`` (a superset of those whose term is one of them)."""
        if position not in self._index:
            hashes = np.fromiter(map(hash, map(itemgetter(position), self.triples)), dtype=np.int64,
                                 count=len(self.triples))
            order = np.argsort(hashes, kind="stable")
            self._index[position] = hashes[order], order
        keys, order = self._index[position]
        wanted = np.fromiter(map(hash, nodes), dtype=np.int64, count=len(nodes))
        starts = np.searchsorted(keys, wanted, "left").tolist()
        stops = np.searchsorted(keys, wanted, "right").tolist()
        found = [order[a:b] for a, b in zip(starts, stops) if b > a]
        return np.concatenate(found).tolist() if found else []


def walk(links: Links, start: Mapping[Node, int], free: frozenset[URIRef], forward: bool) -> dict[Node, int]:
    """Nodes reached from ``start`` (node -> links left) along ``links``, forwards or backwards; a link costs
    one, a link with a free predicate nothing. Returns the most links left at each node reached, one step
    away from ``start`` after another."""
    best = {n: left for n, left in start.items() if left >= 0}
    frontier = dict(best)
    here_at, there_at = (0, 2) if forward else (2, 0)
    while frontier:
        step: dict[Node, int] = {}
        for i in links.at(here_at, frontier.keys()):
            t = links.triples[i]
            left = frontier.get(t[here_at])
            if left is None:  # another node of the same hash
                continue
            rest = left - (0 if t[1] in free else 1)
            there = t[there_at]
            if rest >= 0 and best.get(there, -1) < rest:
                best[there] = step[there] = rest
        frontier = step
    return best
