"""Validation that scales, and incremental rebuilds.

Fast validation (:func:`fast_validate`) gives the same results as
:func:`graph_builder.validate.shacl_validate` (pySHACL, the reference): pySHACL
runs every shape except the ``sh:sparql`` constraints, and each ``sh:sparql``
constraint is compiled to one SPARQL query over the whole graph in Oxigraph
(the shape's targets joined with the constraint's ``SELECT`` as a subquery)
instead of one query per focus node in rdflib.

Incremental rebuild (:func:`build_incremental`) keeps a cache in a folder
(:func:`cache_folder`): per facts file, the parsed records keyed by the file's
SHA-256 (and its article text's); per source, the built named graph and where
its nodes were stated; and the last validation's results. After one source
file changes, only that file is parsed, only its graph is rebuilt, and SHACL
runs only on the focus nodes the change can reach (the nodes of the changed
triples and the nodes that reach them within the shapes' path depth); the
``sh:sparql`` checks run again over the whole graph (one query each). A change
to an entities or vocabulary file, to the shapes, the ontology or the code
invalidates everything. The results equal a clean full build's.
"""

from __future__ import annotations

import copyreg
import hashlib
import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from . import build as build_mod
from . import facts as facts_mod
from .build import Build, Triple, _Builder, _Statement
from .errors import FactsError
from .facts import Facts, Loc
from .namespaces import RDF, RDFS, SH
from .validate import Violation, locations_of, ontology_graph, shapes_graph, short, translate_report
from .yamlload import YStr

CACHE_VERSION = 1
MAX_FOCUS_NODES = 1000  # above this, revalidating everything is faster (measured at 100k triples)
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


def run_sparql_checks(store: Any, checks: Iterable[SparqlCheck], origins: Mapping[Node, Iterable[Loc]]) -> list[Violation]:
    """Evaluate the compiled ``sh:sparql`` checks over an Oxigraph store (data + ontology in the default graph)."""
    from .store import to_rdflib

    out = []
    for check in checks:
        for row in store.query(check.query):
            focus = to_rdflib(row["this"])
            value = to_rdflib(row["value"]) if row["value"] is not None else focus
            messages = sorted(_substitute(m, row) for m in check.messages)
            out.append(Violation(
                severity=check.severity, focus=short(focus), path="", shape=short(check.shape),
                message=messages[0] if messages else "breaks a shape",
                value=short(value) if value is not None and value != focus else "",
                locations=locations_of(origins, focus)))
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
    from .store import graph_store

    return graph_store(list(triples) + list(ontology))


def fast_validate(data: Graph, origins: Mapping[Node, Iterable[Loc]] | None = None, *,
                  shapes: Graph | None = None, ontology: Graph | None = None, store: Any = None) -> list[Violation]:
    """The same results as ``shacl_validate(data, origins)``, faster on large graphs (see the module doc)."""
    origins = origins or {}
    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    rest, checks = split_shapes(shapes)
    found = pyshacl_results(data, origins, rest, ontology)
    store = store if store is not None else validation_store(data, ontology)
    found += run_sparql_checks(store, checks, origins)
    return sorted(set(found))


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


def _file_sha(path: Path) -> str:
    return _sha(path.read_bytes())


_CODE_SHA = _sha(b"".join(Path(m.__file__ or "").read_bytes() for m in (facts_mod, build_mod))
                 + str(CACHE_VERSION).encode())


@dataclass
class Stats:
    """What an incremental build did (for tests and the curious)."""

    parsed: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)
    validated: str = "none"   # "full", "incremental" or "reused"
    focus_nodes: int = 0


@dataclass
class _Parsed:
    roles: dict[str, Any]
    entities: dict[str, Any]
    sources: dict[str, Any]
    statements: list[Any]
    refs: list[Any]
    problems: list[Any]
    seen: dict[str, Loc]
    text_file: str | None = None
    text_sha: str | None = None


class Cache:
    """A folder of pickled entries, each checked by its key (a corrupt or stale entry is a miss)."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def _path(self, kind: str, name: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / kind / (_sha(name.encode("utf-8"))[:32] + ".pickle")

    def get(self, kind: str, name: str, key: str) -> Any:
        path = self._path(kind, name)
        if path is None or not path.is_file():
            return None
        try:
            stored_key, value = pickle.loads(path.read_bytes())  # our own cache in the output folder
        except Exception:  # noqa: BLE001 - a damaged entry is a miss
            return None
        return value if stored_key == key else None

    def put(self, kind: str, name: str, key: str, value: Any) -> None:
        path = self._path(kind, name)
        if path is None:
            return
        from .serialize import write_atomic

        write_atomic(path, pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL))


def _parse_file(path: Path, loader: Callable[..., None], root: Path, texts_dir: Path | None) -> _Parsed:
    f = Facts(root=root)
    out = facts_mod._Collector()
    seen: dict[str, Loc] = {}
    try:
        if texts_dir is None:
            loader(path, f, out, seen)
        else:
            loader(path, f, out, seen, texts_dir)
    except FactsError as exc:
        out.problems.extend(exc.problems)
    parsed = _Parsed(dict(f.roles), dict(f.entities), dict(f.sources), list(f.statements),
                     list(f.__dict__.get("_refs", [])), list(out.problems), seen)
    for src in f.sources.values():
        text = texts_dir / src.text_file if texts_dir is not None else None
        if text is not None and text.is_file():
            parsed.text_file, parsed.text_sha = src.text_file, _file_sha(text)
    return parsed


def load_facts_cached(root: Path, cache: Cache, stats: Stats | None = None) -> Facts:
    """Like :func:`graph_builder.facts.load_facts`, parsing only the files that changed since the cached parse."""
    stats = stats if stats is not None else Stats()
    roles = root / "vocab" / "roles.yaml"
    if not root.is_dir() or not roles.is_file():
        return facts_mod.load_facts(root)
    texts = root / "texts"
    jobs: list[tuple[Path, Callable[..., None], Path | None]] = [(roles, facts_mod._load_roles, None)]
    jobs += [(p, facts_mod._load_entities, None) for p in sorted((root / "entities").glob("*.yaml"))]
    jobs += [(p, facts_mod._load_source, texts) for p in sorted((root / "sources").glob("*.yaml"))]
    facts = Facts(root=root)
    out = facts_mod._Collector()
    seen: dict[str, Loc] = {}
    refs: list[Any] = []
    for path, loader, texts_dir in jobs:
        facts.files.append(path)
        key = _CODE_SHA + _file_sha(path)
        parsed: _Parsed | None = cache.get("parse", str(path), key)
        if parsed is not None and parsed.text_file is not None:
            text = texts / parsed.text_file
            if not text.is_file() or _file_sha(text) != parsed.text_sha:
                parsed = None
        if parsed is None:
            parsed = _parse_file(path, loader, root, texts_dir)
            stats.parsed.append(str(path))
            if not parsed.problems:
                cache.put("parse", str(path), key, parsed)
        if parsed.problems or any(k in seen for k in parsed.seen):
            return facts_mod.load_facts(root)  # reports every problem exactly as a full load does
        seen.update(parsed.seen)
        facts.roles.update(parsed.roles)
        facts.entities.update(parsed.entities)
        facts.sources.update(parsed.sources)
        facts.statements.extend(parsed.statements)
        refs.extend(parsed.refs)
    facts.__dict__["_refs"] = refs
    if any(root.rglob("*.yml")):
        return facts_mod.load_facts(root)
    facts_mod._resolve_refs(facts, out)
    if out.problems or not facts.sources:
        return facts_mod.load_facts(root)
    return facts


def _digest(obj: object) -> str:
    return _sha(repr(obj).encode("utf-8"))


def build_cached(facts: Facts, cache: Cache, stats: Stats | None = None) -> Build:
    """Like :func:`graph_builder.build.build`, rebuilding only the sources whose inputs changed."""
    stats = stats if stats is not None else Stats()
    b = _Builder(facts)
    b.roles()
    b.entities()
    b.sources()
    mbe: dict[str, set[str]] = defaultdict(set)
    for st in facts.statements:
        if st.kind == "membership" and "generated_by" in st.values:
            mbe[st.values["generated_by"]].add(st.subject)
    b.memberships_by_election = mbe
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
            sb = _Builder(facts)
            sb.memberships_by_election = mbe
            for st in sts:
                _Statement(sb, st).build()
            entry = ({g: set(t) for g, t in sb.out.graphs.items()}, {n: set(l) for n, l in sb.out.origins.items()})
            cache.put("graph", key, entry_key, entry)
            stats.built.append(key)
        graphs, origins = entry
        for g, triples in graphs.items():
            b.out.graphs[g] |= triples
        for node, locs in origins.items():
            b.out.origins[node] |= locs
    return b.out


# --- Incremental validation ---------------------------------------------------------

def _affected(changed: set[Triple], merged: Iterable[Triple], depth: int, free: frozenset[URIRef]) -> set[URIRef]:
    """The nodes of the changed triples and every node that reaches one of them within ``depth`` links
    (links with a free predicate not counted)."""
    incoming: dict[Node, list[tuple[Node, bool]]] = defaultdict(list)
    for s, p, o in merged:
        if not isinstance(o, Literal):
            incoming[o].append((s, p in free))
    budget: dict[Node, int] = {n: depth for t in changed for n in (t[0], t[2]) if not isinstance(n, Literal)}
    todo = list(budget)
    while todo:
        node = todo.pop()
        left = budget[node]
        for s, is_free in incoming.get(node, ()):
            rest = left if is_free else left - 1
            if rest >= 0 and budget.get(s, -1) < rest:
                budget[s] = rest
                todo.append(s)
    return {n for n in budget if isinstance(n, URIRef)}


def validate_incremental(built: Build, data: Graph, cache: Cache, stats: Stats | None = None, *,
                         store: Any = None) -> list[Violation]:
    """Validate ``built`` (``data`` is its merged graph), reusing the cached results of the previous build."""
    stats = stats if stats is not None else Stats()
    shapes, ontology = shapes_graph(), ontology_graph()
    rest, checks = split_shapes(shapes)
    from .paths import ontology_files, shapes_files

    env = _CODE_SHA + _sha(b"".join(p.read_bytes() for p in [*shapes_files(), *ontology_files()] if p.is_file()))
    reach = shapes_depth(rest)
    previous = cache.get("validation", "last", env)
    current = {g: frozenset(t) for g, t in built.graphs.items()}
    default = frozenset(built.default)
    store = store if store is not None else validation_store(data, ontology)
    sparql = run_sparql_checks(store, checks, built.origins)
    if previous is None or reach is None or previous["default"] != default:
        raw = pyshacl_results(data, built.origins, rest, ontology)
        stats.validated = "full"
    else:
        changed: set[Triple] = set()
        for g in set(current) | set(previous["graphs"]):
            changed |= set(current.get(g, frozenset())) ^ set(previous["graphs"].get(g, frozenset()))
        if not changed:
            raw = previous["raw"]
            stats.validated = "reused"
        else:
            affected = _affected(changed, data, *reach)
            if len(affected) > MAX_FOCUS_NODES:  # pySHACL filters focus nodes through a list: full run is faster
                raw = pyshacl_results(data, built.origins, rest, ontology)
                stats.validated, stats.focus_nodes = "full", len(affected)
                cache.put("validation", "last", env, {"default": default, "graphs": current,
                                                      "raw": [replace(v, locations=()) for v in raw]})
                return sorted(set(raw) | set(sparql))
            names = {short(n) for n in affected}
            kept = [v for v in previous["raw"] if v.focus not in names]
            fresh = pyshacl_results(data, built.origins, rest, ontology, sorted(affected))
            raw = kept + fresh
            stats.validated, stats.focus_nodes = "incremental", len(affected)
    cache.put("validation", "last", env, {"default": default, "graphs": current,
                                          "raw": [replace(v, locations=()) for v in raw]})
    by_name = {short(n): n for n in built.origins}
    relocated = [replace(v, locations=locations_of(built.origins, by_name.get(v.focus))) for v in raw]
    return sorted(set(relocated) | set(sparql))



def cache_folder(out_dir: Path) -> Path:
    """The incremental cache of builds into ``out_dir``: ``$XDG_CACHE_HOME/customs-kg/<hash of OUT>`` (default ``~/.cache``).

    Neither inside ``out_dir`` (a build replaces the output folder as a whole,
    see graph_builder.publish, and a failed build leaves it untouched) nor
    beside it. ``CUSTOMS_KG_CACHE=DIR`` puts the cache in DIR instead.
    """
    import os

    explicit = os.environ.get("CUSTOMS_KG_CACHE")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "customs-kg" / _sha(str(out_dir.absolute()).encode("utf-8"))[:24]
