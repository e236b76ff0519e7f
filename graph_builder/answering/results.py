"""Query results as text: a table for the terminal, CSV, TSV, JSON (SPARQL 1.1 results) or Markdown.

``csv``, ``tsv`` and ``json`` are the SPARQL 1.1 Query Results formats (full
IRIs; CSV lines end in CRLF; TSV cells are RDF terms, ``<IRI>`` and quoted
literals); ``keys=True`` writes CSV and TSV in the readable key form instead
(``rilo-cis`` for our IRIs), as the table and Markdown are. The answer of a
``CONSTRUCT`` or ``DESCRIBE`` is a graph, written as Turtle, N-Triples or
JSON-LD (:func:`format_graph`).

Local and remote answers (``--endpoint``) are both :class:`~graph_builder.answering.query.Rows`
and go through :func:`format_rows`; what makes each format safe (terminal
escapes, spreadsheet formulas, Markdown cells) is :mod:`graph_builder.textsafe`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph_builder.iris import key_of
from graph_builder.namespaces import XSD
from graph_builder.textsafe import Cell, Numeral, delimited, markdown_text, terminal_text
from graph_builder.writing.serialize import TermWriter

if TYPE_CHECKING:
    from graph_builder.answering.query import Rows

# xsd:decimal, xsd:double, xsd:float and xsd:integer with the types derived from it
NUMERIC_TYPES = frozenset(XSD[name] for name in (
    "decimal", "double", "float", "integer", "long", "int", "short", "byte", "nonNegativeInteger",
    "nonPositiveInteger", "positiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte"))


def _cell(node: Node | None) -> str:
    if node is None:
        return ""
    return key_of(node) if isinstance(node, URIRef) else str(node)


def _delimited_cell(node: Node | None) -> Cell:
    """A CSV/TSV cell: a typed numeric literal is a :class:`Numeral` (a plain number is kept as it is)."""
    if isinstance(node, Literal) and node.datatype in NUMERIC_TYPES:
        return Numeral(str(node))
    return _cell(node)


def format_rows(rows: Rows, fmt: str, *, raw: bool = False, keys: bool = False, width: int | None = None) -> str:
    """Render rows as a table, CSV, TSV, JSON (SPARQL 1.1 results) or Markdown.

    ``raw`` (CSV and TSV only) writes cells that a spreadsheet would run as a
    formula as they are, without the leading ``'`` (SPARQL TSV cells are RDF
    terms, which never start like a formula). ``keys``: CSV and TSV in the
    key form. ``width``: the table's line width at most, the widest columns
    shortened with an ellipsis to fit (None: nothing is shortened).
    """
    if fmt == "json":
        return json.dumps(_sparql_json(rows), ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv") and keys:
        return delimited(fmt, rows.vars, ([_delimited_cell(c) for c in r] for r in rows.rows), raw=raw)
    if fmt == "csv":
        return delimited(fmt, rows.vars, ([_sparql_csv_cell(c) for c in r] for r in rows.rows), raw=raw,
                         line_end="\r\n")
    if fmt == "tsv":
        writer = TermWriter()
        return "".join("\t".join(line) + "\n" for line in (
            [f"?{v}" for v in rows.vars], *([writer.term(c) if c is not None else "" for c in r] for r in rows.rows)))
    if fmt == "markdown":
        head = "| " + " | ".join(markdown_text(v) for v in rows.vars) + " |\n|" + "---|" * len(rows.vars) + "\n"
        return head + "".join("| " + " | ".join(markdown_text(_cell(c)) for c in r) + " |\n" for r in rows.rows)
    names = [terminal_text(v) for v in rows.vars]
    cells = [[terminal_text(_cell(c)) for c in r] for r in rows.rows]
    widths = [len(v) for v in names]
    for r in cells:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(c))
    if width is not None:
        widths = fit_widths(widths, width)

    def clip(c: str, w: int) -> str:
        return c if len(c) <= w else c[: w - 1] + "…"

    lines = ["  ".join(v.ljust(w) for v, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(clip(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


MIN_COLUMN = 8  # a column is never shortened below this many characters


def fit_widths(widths: list[int], width: int, gap: int = 2) -> list[int]:
    """Column widths whose table (columns ``gap`` apart) fits ``width`` characters: the widest column is
    shortened a character at a time, none below :data:`MIN_COLUMN` (or its own width); unchanged when it fits."""
    out = list(widths)
    over = sum(out) + gap * max(len(out) - 1, 0) - width
    while over > 0:
        widest = max(range(len(out)), key=lambda i: (out[i], -i))
        if out[widest] <= min(MIN_COLUMN, widths[widest]):
            break  # as narrow as columns get: the lines run on
        out[widest] -= 1
        over -= 1
    return out


def _sparql_csv_cell(node: Node | None) -> Cell:
    """A SPARQL 1.1 CSV cell: an IRI in full, a literal's lexical form, a blank node as ``_:label``."""
    if node is None:
        return ""
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal) and node.datatype in NUMERIC_TYPES:
        return Numeral(str(node))
    return str(node)


def format_graph(triples: Iterable[tuple[Node, Node, Node]], fmt: str) -> str:
    """The answer of a CONSTRUCT or DESCRIBE as ``turtle`` (``ttl``), ``ntriples`` (``nt``) or ``jsonld``."""
    from graph_builder.namespaces import PREFIXES
    from graph_builder.writing.export import jsonld
    from graph_builder.writing.serialize import Quad, ntriples, turtle

    found = sorted(set(triples))
    if fmt in ("nt", "ntriples"):
        return ntriples(found)
    if fmt == "jsonld":
        quads: list[Quad] = [(s, p, o, None) for s, p, o in found]
        return jsonld(quads)
    return turtle(found, PREFIXES)


def _sparql_json(rows: Rows) -> dict[str, Any]:
    bindings = []
    for r in rows.rows:
        b: dict[str, Any] = {}
        for name, node in zip(rows.vars, r):
            if node is None:
                continue
            if isinstance(node, URIRef):
                b[name] = {"type": "uri", "value": str(node)}
            elif isinstance(node, BNode):
                b[name] = {"type": "bnode", "value": str(node)}
            else:
                assert isinstance(node, Literal)
                entry: dict[str, str] = {"type": "literal", "value": str(node)}
                if node.language:
                    entry["xml:lang"] = node.language
                elif node.datatype is not None:
                    entry["datatype"] = str(node.datatype)
                b[name] = entry
        bindings.append(b)
    return {"head": {"vars": rows.vars}, "results": {"bindings": bindings}}


def rows_as_strings(rows: Rows) -> list[tuple[str, ...]]:
    """Rows as tuples of display strings (keys for our IRIs), for tests and scripts."""
    return [tuple(_cell(c) for c in r) for r in rows.rows]
