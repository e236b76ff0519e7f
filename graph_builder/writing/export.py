"""Export the built graph as Turtle, TriG, N-Quads, N-Triples or JSON-LD.

Every writer is deterministic: the same facts give the same bytes.

- ``turtle`` and ``ntriples`` hold the merged graph (the union of all graphs);
- ``trig`` and ``nquads`` hold the dataset: the default graph (entities,
  roles, sources, quotations) and one named graph per source,
  ``id:{source}/graph``, with what that source states;
- ``jsonld`` holds the merged graph, or with ``graph_per_source`` the dataset
  (each named graph a node with its ``@id`` and ``@graph``). The JSON-LD
  context shipped in the package (``ontology/context.jsonld``) is embedded in
  the document, so no reader fetches anything. Nodes are sorted by ``@id``,
  keys and values sorted; every literal is written as a ``@value`` string
  with its ``@language`` or ``@type`` so its lexical form survives exactly.

With ``graph_per_source``, ``turtle`` and ``ntriples`` write one file per
graph into a folder: ``_default.ttl`` (the default graph) and
``{source}.ttl`` for the named graph ``id:{source}/graph``; the union of the
files is the merged graph. The folder is published as a whole with a
``manifest.json`` ("customs-kg export", see graph_builder.writing.publish), and only
an absent or empty folder or an earlier export is replaced. For ``trig`` and ``nquads`` the flag changes
nothing: they always keep one named graph per source.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph_builder.atomic import write_atomic
from graph_builder.building.build import Build
from graph_builder.errors import UsageError
from graph_builder.namespaces import RDF, XSD
from graph_builder.paths import data_dir
from graph_builder.writing.publish import check_output_file, publish, writing
from graph_builder.writing.serialize import HEADER, Quad, nquads, ntriples, trig, turtle

FORMATS = ("turtle", "trig", "nquads", "ntriples", "jsonld")
EXTENSIONS = {"turtle": ".ttl", "trig": ".trig", "nquads": ".nq", "ntriples": ".nt", "jsonld": ".jsonld"}
FORMAT_OF_EXTENSION = {**{ext: fmt for fmt, ext in EXTENSIONS.items()}, ".json": "jsonld"}  # export -o FILE
SPLIT_FORMATS = ("turtle", "ntriples")
DEFAULT_GRAPH_FILE = "_default"
CONTEXT_FILE = "context.jsonld"

_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_JSONLD_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")


def context_path() -> Path:
    """The JSON-LD context shipped in the package."""
    return data_dir("ontology") / CONTEXT_FILE


def load_context() -> dict[str, str]:
    """The ``@context`` object of the shipped context file (prefix → namespace)."""
    data = json.loads(context_path().read_text(encoding="utf-8"))
    ctx = data["@context"]
    if not isinstance(ctx, dict) or not all(isinstance(v, str) for v in ctx.values()):
        raise ValueError(f"{context_path()}: @context must map prefixes to namespace IRIs")
    return dict(ctx)


class _Compactor:
    """Compact IRIs with the context's prefixes, only where a JSON-LD reader expands them back."""

    def __init__(self, context: dict[str, str]):
        # A prefix is used for expansion only when its IRI ends with a gen-delim (JSON-LD 1.1).
        self.prefixes = sorted(((p, ns) for p, ns in context.items() if ns[-1:] in ":/?#[]@"),
                               key=lambda kv: (-len(kv[1]), kv[0]))

    def iri(self, node: Node) -> str:
        if isinstance(node, BNode):
            return f"_:{node}"
        text = str(node)
        for prefix, ns in self.prefixes:
            if text.startswith(ns):
                local = text[len(ns):]
                if _JSONLD_LOCAL.match(local):
                    return f"{prefix}:{local}"
        return text

    def value(self, node: Node) -> dict[str, str]:
        if isinstance(node, Literal):
            out = {"@value": str(node)}
            if node.language:
                out["@language"] = node.language
            elif node.datatype is not None and node.datatype != XSD.string:
                out["@type"] = self.iri(URIRef(node.datatype))
            return out
        return {"@id": self.iri(node)}


def _order(node: Node) -> tuple[int, str, str, str]:
    """Sort key: IRIs by the IRI, then blank nodes, then literals by lexical form, language, datatype."""
    if isinstance(node, Literal):
        return (2, str(node), node.language or "", str(node.datatype or ""))
    return (0 if isinstance(node, URIRef) else 1, str(node), "", "")


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _nodes(triples: Iterable[tuple[Node, Node, Node]], c: _Compactor) -> dict[Node, dict[str, Any]]:
    by_subject: dict[Node, dict[Node, set[Node]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, set()).add(o)
    nodes: dict[Node, dict[str, Any]] = {}
    for s, preds in by_subject.items():
        node: dict[str, Any] = {"@id": c.iri(s)}
        for p, objs in preds.items():
            ordered = sorted(objs, key=_order)
            if p == RDF.type and not any(isinstance(o, Literal) for o in ordered):
                node["@type"] = _one_or_many([c.iri(o) for o in ordered])
            else:
                node[c.iri(p)] = _one_or_many([c.value(o) for o in ordered])
        nodes[s] = node
    return nodes


def jsonld(quads: Iterable[Quad], context: dict[str, str] | None = None) -> str:
    """Deterministic JSON-LD with the context embedded.

    Quads in the default graph (graph ``None``) are top-level nodes; each named
    graph is a node with its ``@id`` and ``@graph``. Nodes are sorted by their
    full IRI, keys sorted, values sorted (IRIs by IRI, then literals by
    lexical form, language and datatype).
    """
    context = load_context() if context is None else context
    c = _Compactor(context)
    by_graph: dict[URIRef | None, list[tuple[Node, Node, Node]]] = {}
    for s, p, o, g in quads:
        by_graph.setdefault(g, []).append((s, p, o))
    top = _nodes(by_graph.get(None, []), c)
    for g in by_graph:
        if g is None:
            continue
        inner = _nodes(by_graph[g], c)
        holder = top.setdefault(g, {"@id": c.iri(g)})
        holder["@graph"] = [inner[s] for s in sorted(inner, key=_order)]
    doc = {"@context": dict(sorted(context.items())), "@graph": [top[s] for s in sorted(top, key=_order)]}
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render(built: Build, fmt: str, graph_per_source: bool = False) -> str:
    """The export as one document (``turtle``/``ntriples`` per source: see :func:`render_files`)."""
    if fmt == "turtle":
        return turtle(built.merged(), header=HEADER)
    if fmt == "ntriples":
        return ntriples(built.merged())
    if fmt == "trig":
        return trig(built.quads(), header=HEADER)
    if fmt == "nquads":
        return nquads(built.quads())
    if fmt == "jsonld":
        if graph_per_source:
            return jsonld(built.quads())
        return jsonld((s, p, o, None) for s, p, o in built.merged())
    raise UsageError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")


def graph_file_stem(graph: URIRef | None) -> str:
    """The file name (without extension) of a graph in a per-source export."""
    if graph is None:
        return DEFAULT_GRAPH_FILE
    from graph_builder.iris import entity_of

    key = (entity_of(graph) or "").removesuffix("/graph")
    if not _KEY.match(key) or not str(graph).endswith("/graph"):
        raise ValueError(f"named graph {graph} is not a source graph id:{{source}}/graph")
    return key


def render_files(built: Build, fmt: str) -> dict[str, str]:
    """``turtle``/``ntriples`` per source: file name → text, one file per graph."""
    if fmt not in SPLIT_FORMATS:
        raise UsageError(f"one file per graph is written for {' and '.join(SPLIT_FORMATS)} only")
    graphs: dict[URIRef | None, set[tuple[Node, Node, Node]]] = {None: set(built.default)}
    for named, triples in built.graphs.items():
        graphs[named] = set(triples)
    out: dict[str, str] = {}
    for g in sorted(graphs, key=lambda key: "" if key is None else str(key)):
        name = graph_file_stem(g) + EXTENSIONS[fmt]
        if fmt == "turtle":
            what = ("Default graph: entities, roles, sources and their metadata." if g is None
                    else f"Named graph <{g}>: what this source states, with its provenance.")
            out[name] = turtle(graphs[g], header=HEADER + "\n" + what)
        else:
            out[name] = ntriples(graphs[g])
    return out


def export(built: Build, fmt: str, out: Path | None = None, graph_per_source: bool = False) -> list[Path]:
    """Write the export atomically to ``out`` and return the paths written.

    With ``out`` None nothing is written and ``[]`` is returned: the caller
    prints :func:`render`. ``turtle``/``ntriples`` with ``graph_per_source``
    need ``out``, a folder (absent, empty or an earlier export), and publish
    one file per graph in it with a manifest; otherwise ``out`` is one file,
    never a folder (graph_builder.writing.publish.check_output_file).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    split = graph_per_source and fmt in SPLIT_FORMATS
    if out is None:
        if split:
            raise UsageError(f"--graph-per-source with --format {fmt} writes one file per graph: give a folder with -o")
        return []
    if split:
        files = render_files(built, fmt)
        publish(out, {name: text.encode("utf-8") for name, text in files.items()}, kind="export")
        return [out / name for name in files]
    check_output_file(out)
    text = render(built, fmt, graph_per_source)
    with writing(out):
        write_atomic(out, text)
    return [out]
