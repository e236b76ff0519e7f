"""Deterministic RDF writers and atomic file output.

rdflib's serializers reorder and sometimes rewrite terms between versions, so
the project writes Turtle, TriG, N-Triples and N-Quads itself: subjects
sorted, ``rdf:type`` first, then predicates and objects sorted, literals
written with their lexical form exactly as built. The same quads always give
the same bytes.
"""

from __future__ import annotations

import re
from typing import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph_builder.namespaces import PREFIXES, RDF, XSD

# The comment at the top of every Turtle and TriG file the project writes.
HEADER = ("customs-kg: customs enforcement bodies, officials, meetings and operations.\n"
          "Generated from the curated facts; do not edit by hand.")

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]

_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_TYPE = str(RDF.type)
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group()
    return _ECHAR.get(ch) or f"\\u{ord(ch):04X}"


def escape_string(text: str) -> str:
    return _NEEDS_ESCAPE.sub(_escape_char, text)


def iri_ref(iri: str) -> str:
    """``<iri>``; raises ValueError for an IRI that no reader would accept."""
    if _IRI_BAD.search(iri):
        raise ValueError(f"IRI {iri!r} contains a character that is not allowed in an IRI")
    return f"<{iri}>"


class TermWriter:
    """Writes terms as N-Triples, or as Turtle with prefixed names.

    Each IRI is written once per writer and then looked up: a graph names the
    same few thousand IRIs millions of times.
    """

    def __init__(self, prefixes: dict[str, str] | None = None):
        self.prefixes = sorted((prefixes or {}).items(), key=lambda kv: -len(kv[1]))
        self._iris: dict[str, str] = {}
        # sort keys are N-Triples text, whatever this writer's prefixes
        self._plain: TermWriter = TermWriter() if self.prefixes else self

    def iri(self, node: URIRef | str) -> str:
        text = str(node)
        out = self._iris.get(text)
        if out is None:
            out = self._iris[text] = self._write_iri(text)
        return out

    def _write_iri(self, text: str) -> str:
        for prefix, ns in self.prefixes:
            if text.startswith(ns):
                local = text[len(ns):]
                if local and _LOCAL.fullmatch(local):
                    return f"{prefix}:{local}"
        return iri_ref(text)

    def predicate(self, node: Node) -> str:
        """A predicate: ``a`` for ``rdf:type`` in Turtle, else its IRI."""
        if self.prefixes and str(node) == _TYPE:
            return "a"
        return self.term(node)

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return self.iri(node)
        if isinstance(node, BNode):
            return f"_:{node}"
        if isinstance(node, Literal):
            body = '"' + escape_string(str(node)) + '"'
            if node.language:
                return f"{body}@{node.language}"
            if node.datatype is not None and node.datatype != XSD.string:
                return f"{body}^^{self.iri(node.datatype)}"
            return body
        raise TypeError(f"cannot write {node!r}")

    def sort_key(self, node: Node) -> tuple[int, str]:
        """IRIs, then blank nodes, then literals, each in the order of their N-Triples text."""
        if isinstance(node, URIRef):
            return (0, self._plain.iri(node))
        return (1 if isinstance(node, BNode) else 2, self._plain.term(node))


def ntriples(triples: Iterable[Triple]) -> str:
    """Sorted N-Triples."""
    nt = TermWriter()
    lines = sorted(f"{nt.term(s)} {nt.term(p)} {nt.term(o)} .\n" for s, p, o in triples)
    return "".join(lines)


def nquads(quads: Iterable[Quad]) -> str:
    """Sorted N-Quads; the default graph's quads have no graph term."""
    nt = TermWriter()
    lines = []
    for s, p, o, g in quads:
        graph = "" if g is None else " " + nt.term(g)
        lines.append(f"{nt.term(s)} {nt.term(p)} {nt.term(o)}{graph} .\n")
    return "".join(sorted(lines))


def used_prefixes(triples: Iterable[Triple], writer: TermWriter) -> set[str]:
    """The prefixes the Turtle of ``triples`` uses (for the IRIs and the literals' datatypes)."""
    iris: set[Node] = set()
    datatypes: set[object] = set()
    for s, p, o in triples:
        iris.add(s)
        iris.add(p)
        if isinstance(o, Literal):
            datatypes.add(o.datatype)
        else:
            iris.add(o)
    used: set[str] = set()
    for iri in (*iris, *datatypes):
        if isinstance(iri, URIRef):
            text = writer.iri(iri)
            if not text.startswith("<"):
                used.add(text.split(":", 1)[0])
    return used


Chunk = tuple[str, str]  # a subject's N-Triples text (the sort key) and its block of Turtle


def subject_chunks(triples: Iterable[Triple], writer: TermWriter, indent: str = "") -> list[Chunk]:
    """One block per subject, in the subjects' order: the subject, its predicates (``rdf:type`` first) and their
    objects, sorted, and a blank line. Joined, they are the body of the Turtle (the last newline dropped)."""
    by_subject: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    chunks: list[Chunk] = []
    key = writer.sort_key
    for s in sorted(by_subject, key=key):
        preds = by_subject[s]
        order = sorted(preds, key=lambda p: (str(p) != _TYPE, key(p)))
        lines = [f"{indent}{writer.term(s)}"]
        for i, p in enumerate(order):
            objs = sorted(set(preds[p]), key=key)
            end = " ;" if i < len(order) - 1 else " ."
            head = f"{indent}    {writer.predicate(p)} "
            if len(objs) == 1:
                lines.append(head + writer.term(objs[0]) + end)
            else:
                lines.append(head + writer.term(objs[0]) + " ,")
                pad = " " * len(head)
                for j, o in enumerate(objs[1:], 1):
                    lines.append(pad + writer.term(o) + (" ," if j < len(objs) - 1 else end))
        lines.append("\n")
        chunks.append((key(s)[1], "\n".join(lines)))
    return chunks


def graph_chunk(graph: URIRef, chunks: list[Chunk], writer: TermWriter) -> str:
    """A named graph of the TriG: ``<g> {``, its subjects' blocks (indented), ``}`` and a blank line."""
    return f"{writer.term(graph)} {{\n" + "".join(text for _k, text in chunks)[:-1] + "}\n\n"


def head(used: set[str], prefixes: dict[str, str] = PREFIXES, header: str = "") -> str:
    """The comment lines of ``header`` and the ``@prefix`` lines of the prefixes ``used``, each block followed
    by a blank line."""
    lines = [f"# {h}" if h else "#" for h in header.splitlines()] if header else []
    if lines:
        lines.append("")
    names = sorted(used)
    width = max((len(n) for n in names), default=0)
    lines += [f"@prefix {(n + ':').ljust(width + 1)} <{prefixes[n]}> ." for n in names] + [""]
    return "\n".join(lines) + "\n"


def document(head_text: str, body: str) -> str:
    """A Turtle or TriG document: its head and the blocks, with one newline at the end."""
    return head_text + body[:-1] if body else head_text.rstrip("\n") + "\n"


def turtle(triples: Iterable[Triple], prefixes: dict[str, str] = PREFIXES, header: str = "") -> str:
    """Readable, sorted Turtle: aligned prefixes, one block per subject."""
    triples = list(triples)
    writer = TermWriter(prefixes)
    body = "".join(text for _k, text in subject_chunks(triples, writer))
    return document(head(used_prefixes(triples, writer), prefixes, header), body)


def trig(quads: Iterable[Quad], prefixes: dict[str, str] = PREFIXES, header: str = "") -> str:
    """Sorted TriG: the default graph first, then each named graph in IRI order."""
    writer = TermWriter(prefixes)
    by_graph: dict[URIRef | None, list[Triple]] = {}
    for s, p, o, g in quads:
        by_graph.setdefault(g, []).append((s, p, o))
    used: set[str] = set()
    for g, triples in by_graph.items():
        used |= used_prefixes(triples if g is None else [*triples, (g, g, g)], writer)
    parts = [text for _k, text in subject_chunks(by_graph.get(None, ()), writer)]
    for g in sorted((g for g in by_graph if g is not None), key=writer.sort_key):
        parts.append(graph_chunk(g, subject_chunks(by_graph[g], writer, indent="    "), writer))
    return document(head(used, prefixes, header), "".join(parts))
