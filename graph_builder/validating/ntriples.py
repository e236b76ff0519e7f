"""RDF terms as N-Triples strings (what the fast validation engine and the cache exchange) and from Oxigraph.

:func:`nt_term` writes a term as :class:`graph_builder.writing.serialize.TermWriter`
does (without its IRI check: a reader rejects what it cannot read, and the
caller falls back to pySHACL); :func:`nt_triples` shares one string among
equal IRIs; :func:`node_of`, :func:`literal_text` and :func:`unescape` read terms back;
:func:`to_rdflib` turns an Oxigraph term into rdflib's.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import pyoxigraph

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph_builder.building.build import Triple


_ESCAPES = str.maketrans({**{chr(c): f"\\u{c:04X}" for c in (*range(0x20), 0x7F)},
                          "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                          "\f": "\\f"})
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

NTriple = tuple[str, str, str]


def nt_term(node: Node) -> str:
    """A term in N-Triples syntax (as :class:`graph_builder.writing.serialize.TermWriter`, without its IRI check:
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


def node_of(term: str) -> Node | None:
    """The IRI or blank node of an N-Triples term (None for a literal)."""
    if term.startswith("<"):
        return URIRef(unescape(term[1:-1]))
    if term.startswith("_:"):
        return BNode(term[2:])
    return None


_LITERAL = re.compile(r'^"(.*)"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?$', re.S)
_UESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_ECHAR_BACK = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _UESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if (m.group(1) or m.group(2))
                        else _ECHAR_BACK.get(m.group(3), m.group(3)), text)


def literal_text(term: str) -> str | None:
    """The text of an N-Triples literal (None when ``term`` is not a literal)."""
    match = _LITERAL.match(term)
    return unescape(match.group(1)) if match else None


def to_rdflib(term: Any) -> Node | None:
    """An rdflib term for an Oxigraph term; ``xsd:string`` literals become plain literals (the same RDF 1.1 term)."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        # normalize=False: the lexical form stays exactly as stored
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"unsupported Oxigraph term {term!r}")


def is_oxigraph(obj: object) -> bool:
    """Whether ``obj`` is an Oxigraph store."""
    return isinstance(obj, pyoxigraph.Store)
