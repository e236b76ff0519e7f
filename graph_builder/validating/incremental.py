"""Incremental revalidation: after an edit, validate only the focus nodes the edit can reach.

The nodes that reach the subject of a changed triple within the shapes' depth
(:func:`graph_builder.validating.validate_reach.shapes_depth`, and the compiled
``sh:sparql`` queries' depth) are validated again, over the triples within
that depth of them (:func:`validate_incremental`); the other results are
taken from the cache (:mod:`graph_builder.building.cache`). A change to the shapes,
the ontology or the engine validates everything. The results equal a clean
full validation's.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from itertools import compress, repeat
from operator import and_, is_not, itemgetter
from pathlib import Path
from typing import Any, Iterable, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph_builder.building.build import Build, Triple
from graph_builder.building.cache import DEFAULT_PART, Cache, Stats, sha256_hex, validation_sha
from graph_builder.loading.facts import Loc
from graph_builder.validating.ntriples import NTriple, node_of, nt_term, nt_triples
from graph_builder.validating.validate import Violation, locations_of, short
from graph_builder.validating.validate_engine import Prepared, prepare, start_engine, validate_nt
from graph_builder.validating.validate_reach import Links, walk


def _version(triples: Iterable[NTriple]) -> str:
    """A digest of a graph's content."""
    return sha256_hex("".join(sorted(f"{s} {p} {o}\n" for s, p, o in triples)).encode("utf-8"))


def _graph_key(graph: URIRef | None) -> str:
    return "default" if graph is None else str(graph)


def _whole(versions: Mapping[str, str]) -> dict[str, str]:
    """The versions by graph, with those of the default graph's parts (Stats.default_parts) as one version of the
    default graph (what graph_builder.writing.patch and the summary know the graphs by)."""
    out = {k: v for k, v in versions.items() if not k.startswith(DEFAULT_PART)}
    parts = sorted((k, v) for k, v in versions.items() if k.startswith(DEFAULT_PART))
    if parts:
        out["default"] = sha256_hex(repr(parts).encode("utf-8"))
    return out


def _relocate(groups: Mapping[str, list[Violation]], origins: Mapping[Node, Iterable[Loc]]) -> list[Violation]:
    """The results located in the facts again: each at its focus node, which is most often the node its group
    is keyed by (in N-Triples); the others are looked up by their short name among every located node."""
    by_name: dict[str, Node] | None = None
    out = set()
    for key, group in groups.items():
        node = node_of(key)
        name = short(node) if node is not None else None
        for v in group:
            at = node
            if v.focus != name:
                if by_name is None:
                    by_name = {short(n): n for n in origins}
                at = by_name.get(v.focus)
            out.add(replace(v, locations=locations_of(origins, at)))
    return sorted(out)


def validate_incremental(built: Build, data: Graph | Iterable[Triple] | None, cache: Cache,
                         stats: Stats | None = None, *, store: Any = None,
                         versions: Mapping[str, str] | None = None) -> list[Violation]:
    """Validate ``built`` (``data``: its merged triples, if at hand), reusing the cached results of the previous build.

    Each graph (the default graph and one per source) is known by a version: ``versions[key]``
    when given (:func:`build_cached` records the digest of a source graph's inputs in
    ``Stats.versions``), else a digest of its content. When some graphs changed, their triples
    are compared with the cached copy of the previous ones; the focus nodes whose results can
    change are the nodes that reach a changed triple's subject within the shapes' depth (see
    :func:`shapes_depth` and :func:`query_reach`), and only they are validated, over the
    triples within that depth of them. The results equal a full validation's.
    """
    stats = stats if stats is not None else Stats()
    import rdflib

    from graph_builder import namespaces
    from graph_builder.paths import ontology_files, shapes_files
    from graph_builder.validating import ntriples, reasoning, validate, validate_engine, validate_reach

    # what the results are made with: the engine, the code that reads the shapes and validates, and the files
    code = validation_sha() + sha256_hex(b"".join(Path(m.__file__ or "").read_bytes() for m in (
        namespaces, ntriples, reasoning, validate, validate_engine, validate_reach, sys.modules[__name__])))
    env = code + sha256_hex(b"".join(p.read_bytes() for p in [*shapes_files(), *ontology_files()] if p.is_file()))
    # the shapes and ontology made ready (kept without the compiled engine, made again from its text; parsing
    # the checks' queries for their reach takes a while), by what they are made from and the queries' parser
    prepared_key = f"{env} rdflib {rdflib.__version__}"
    kept_prep = cache.get("prepared", "shapes", prepared_key)
    if isinstance(kept_prep, Prepared):
        prep = start_engine(kept_prep)
    else:
        prep = prepare()
        cache.put("prepared", "shapes", prepared_key, replace(prep, engine=None))
    merged = data if isinstance(data, (set, frozenset, list, Graph)) else built.merged() if data is None else list(data)
    # the default graph, or its parts when build_cached made it of parts (each compared and kept on its own)
    graphs: dict[str, set[Triple]] = dict(stats.default_parts) if stats.default_parts else {"default": built.default}
    graphs.update((_graph_key(g), t) for g, t in built.graphs.items())
    nt_graphs: dict[str, list[NTriple]] = {}
    iris: dict[str, str] = {}

    def nt_of(key: str) -> list[NTriple]:
        if key not in nt_graphs:
            nt_graphs[key] = nt_triples(graphs.get(key, ()), iris)
        return nt_graphs[key]

    given = versions or {}
    current = {k: given.get(k) or _version(nt_of(k)) for k in graphs}
    stats.graph_versions = _whole(current)
    previous = cache.get("validation", "last", env)

    def save(groups: Mapping[str, list[Violation]], exact: bool, keys: Iterable[str]) -> None:
        for key in keys:
            cache.put("vgraph", key, current[key], nt_of(key))
        cache.put("validation", "last", env, {"versions": current, "exact": exact, "groups": {
            k: [replace(v, locations=()) for v in vs] for k, vs in groups.items()}})

    def full() -> list[Violation]:
        everything = set().union(*(nt_of(k) for k in graphs))
        groups, exact = validate_nt(prep, list(everything), merged, built.origins, store)
        save(groups, exact, list(graphs))
        stats.validated = "full"
        return _relocate(groups, built.origins)

    if previous is None or not previous["exact"] or prep.reach is None or prep.engine is None:
        return full()
    changed_keys = sorted(k for k in set(current) | set(previous["versions"])
                          if current.get(k) != previous["versions"].get(k))
    if not changed_keys:
        stats.validated = "reused"
        stats.previous_versions, stats.changed_subjects, stats.changed_triples = _whole(previous["versions"]), set(), []
        return _relocate(previous["groups"], built.origins)
    changed: set[NTriple] = set()
    for key in changed_keys:
        old: list[NTriple] | None = [] if key not in previous["versions"] else \
            cache.get("vgraph", key, previous["versions"][key])
        if old is None:
            return full()
        changed |= set(old) ^ set(nt_of(key))
    depth, free = prep.reach
    touched = [(s, p, o) for s, p, o in ((node_of(s), node_of(p), node_of(o)) for s, p, o in changed)
               if s is not None and p is not None]
    start: dict[Node, int] = {}
    for s, p, _o in touched:
        start[s] = max(start.get(s, -1), depth - (0 if p in free else 1))
    # the scans of the whole graph below are C loops over columns (see Links)
    everything = merged if isinstance(merged, list) else list(merged)
    # the links results look along: a triple of another predicate is read only as a triple of its subject
    along = prep.link_predicates
    links = list(compress(everything, map(and_, map(along.__contains__, map(itemgetter(1), everything)),
                                          map(is_not, map(type, map(itemgetter(2), everything)), repeat(Literal)))))
    gone = [(s, p, o) for s, p, o in touched if o is not None and p in along]  # still lead to what they reached
    affected = walk(Links(links + gone), start, free, forward=False)
    ahead = walk(Links(links), {n: depth for n in affected}, free, forward=True)
    # in one scan: the triples of the nodes ahead (all of them one link or more from the end, their free links
    # at the end), and those of the changed subjects (which graph_builder.writing.patch writes again)
    subjects = {s for s, _p, _o in changed}
    changed_nodes = set(filter(None, map(node_of, subjects)))
    near = dict.fromkeys(changed_nodes, -1)
    near.update(ahead)
    found = list(compress(everything, map(near.__contains__, map(itemgetter(0), everything))))
    part = [t for t in found if near[t[0]] >= 1 or (near[t[0]] == 0 and t[1] in free)]
    wanted = {nt_term(n) for n in affected}
    fresh, exact = validate_nt(prep, nt_triples(part), part, built.origins)
    if not exact:
        return full()
    groups = {k: vs for k, vs in previous["groups"].items() if k not in wanted}
    groups.update((k, vs) for k, vs in fresh.items() if k in wanted)
    save(groups, True, [k for k in changed_keys if k in graphs])
    stats.validated, stats.focus_nodes, stats.triples_validated = "incremental", len(affected), len(part)
    stats.previous_versions, stats.changed_subjects = _whole(previous["versions"]), subjects
    stats.changed_triples = [t for t in found if t[0] in changed_nodes]
    return _relocate(groups, built.origins)
