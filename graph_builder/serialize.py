"""Deterministic RDF writers and atomic file output.

rdflib's serializers reorder and sometimes rewrite terms between versions, so
the project writes Turtle, TriG, N-Triples and N-Quads itself: subjects
sorted, ``rdf:type`` first, then predicates and objects sorted, literals
written with their lexical form exactly as built. The same quads always give
the same bytes.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .namespaces import PREFIXES, RDF, XSD

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]

_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _escape_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ECHAR:
            out.append(_ECHAR[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def iri_ref(iri: str) -> str:
    """``<iri>``; raises ValueError for an IRI that no reader would accept."""
    if _IRI_BAD.search(iri):
        raise ValueError(f"IRI {iri!r} contains a character that is not allowed in an IRI")
    return f"<{iri}>"


class TermWriter:
    """Writes terms as N-Triples, or as Turtle with prefixed names."""

    def __init__(self, prefixes: dict[str, str] | None = None):
        self.prefixes = sorted((prefixes or {}).items(), key=lambda kv: -len(kv[1]))

    def iri(self, node: URIRef) -> str:
        text = str(node)
        for prefix, ns in self.prefixes:
            if text.startswith(ns):
                local = text[len(ns):]
                if local and _LOCAL.match(local):
                    return f"{prefix}:{local}"
        return iri_ref(text)

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            if self.prefixes and node == RDF.type:
                return "a"
            return self.iri(node)
        if isinstance(node, BNode):
            return f"_:{node}"
        if isinstance(node, Literal):
            body = '"' + _escape_string(str(node)) + '"'
            if node.language:
                return f"{body}@{node.language}"
            if node.datatype is not None and node.datatype != XSD.string:
                return f"{body}^^{self.iri(URIRef(node.datatype))}"
            return body
        raise TypeError(f"cannot write {node!r}")


_NT = TermWriter()


def _sort_key(node: Node) -> tuple[int, str]:
    kind = 0 if isinstance(node, URIRef) else 1 if isinstance(node, BNode) else 2
    return (kind, _NT.term(node))


def ntriples(triples: Iterable[Triple]) -> str:
    """Sorted N-Triples."""
    lines = sorted(f"{_NT.term(s)} {_NT.term(p)} {_NT.term(o)} .\n" for s, p, o in triples)
    return "".join(lines)


def nquads(quads: Iterable[Quad]) -> str:
    """Sorted N-Quads; the default graph's quads have no graph term."""
    lines = []
    for s, p, o, g in quads:
        graph = "" if g is None else " " + _NT.term(g)
        lines.append(f"{_NT.term(s)} {_NT.term(p)} {_NT.term(o)}{graph} .\n")
    return "".join(sorted(lines))


def _used_prefixes(triples: Iterable[Triple], writer: TermWriter) -> set[str]:
    used: set[str] = set()
    for t in triples:
        for node in t:
            nodes = [node]
            if isinstance(node, Literal) and node.datatype is not None:
                nodes.append(URIRef(node.datatype))
            for n in nodes:
                if isinstance(n, URIRef):
                    text = writer.iri(n)
                    if not text.startswith("<"):
                        used.add(text.split(":", 1)[0])
    return used


def _block(triples: Iterable[Triple], writer: TermWriter, indent: str = "") -> list[str]:
    by_subject: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    lines: list[str] = []
    for s in sorted(by_subject, key=_sort_key):
        preds = by_subject[s]
        order = sorted(preds, key=lambda p: (p != RDF.type, _sort_key(p)))
        lines.append(f"{indent}{writer.term(s)}")
        for i, p in enumerate(order):
            objs = sorted(set(preds[p]), key=_sort_key)
            end = " ;" if i < len(order) - 1 else " ."
            head = f"{indent}    {writer.term(p)} "
            if len(objs) == 1:
                lines.append(head + writer.term(objs[0]) + end)
            else:
                lines.append(head + writer.term(objs[0]) + " ,")
                pad = " " * len(head)
                for j, o in enumerate(objs[1:], 1):
                    lines.append(pad + writer.term(o) + (" ," if j < len(objs) - 1 else end))
        lines.append("")
    return lines


def _prefix_block(used: set[str], prefixes: dict[str, str], directive: str = "@prefix") -> list[str]:
    names = sorted(used)
    width = max((len(n) for n in names), default=0)
    return [f"{directive} {(n + ':').ljust(width + 1)} <{prefixes[n]}> ." for n in names] + [""]


def turtle(triples: Iterable[Triple], prefixes: dict[str, str] = PREFIXES, header: str = "") -> str:
    """Readable, sorted Turtle: aligned prefixes, one block per subject."""
    triples = list(triples)
    writer = TermWriter(prefixes)
    lines = [f"# {h}" if h else "#" for h in header.splitlines()] if header else []
    if lines:
        lines.append("")
    lines += _prefix_block(_used_prefixes(triples, writer), prefixes)
    lines += _block(triples, writer)
    return "\n".join(lines).rstrip("\n") + "\n"


def trig(quads: Iterable[Quad], prefixes: dict[str, str] = PREFIXES, header: str = "") -> str:
    """Sorted TriG: the default graph first, then each named graph in IRI order."""
    quads = list(quads)
    writer = TermWriter(prefixes)
    by_graph: dict[URIRef | None, list[Triple]] = {}
    for s, p, o, g in quads:
        by_graph.setdefault(g, []).append((s, p, o))
    used = _used_prefixes([(s, p, o) for s, p, o, _ in quads], writer)
    used |= _used_prefixes([(g, g, g) for g in by_graph if g is not None], writer)
    lines = [f"# {h}" if h else "#" for h in header.splitlines()] if header else []
    if lines:
        lines.append("")
    lines += _prefix_block(used, prefixes)
    if None in by_graph:
        lines += _block(by_graph[None], writer)
    for g in sorted((g for g in by_graph if g is not None), key=_sort_key):
        lines.append(f"{writer.term(g)} {{")
        lines += _block(by_graph[g], writer, indent="    ")
        if lines[-1] == "":
            lines.pop()
        lines.append("}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``path`` through a unique temporary file in the same folder, then rename.

    Readers see the old file or the new one, never a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
