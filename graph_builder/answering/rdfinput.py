"""Read an RDF file a user hands to a command, strictly and without side effects.

Oxigraph's parsers do the reading: they reject relative IRIs (no base is
assumed), IRIs with spaces and other malformed terms, and never fetch
anything (a JSON-LD remote ``@context`` is an error, not a download). RDF/XML
is refused outright: it can carry DTDs and entity expansions. Input must be
UTF-8. Every problem is an :class:`~graph_builder.errors.InputError` naming
the file and, where the parser says, the line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, BinaryIO

from rdflib import Graph
from rdflib.term import Node

from graph_builder.errors import InputError

MAX_BYTES = 4 * 1024 * 1024 * 1024

FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".trig": "TRIG", ".nq": "N_QUADS", ".jsonld": "JSON_LD"}
REFUSED = {
    ".rdf": "RDF/XML is not read (it can carry DTDs and entity expansions); convert it to Turtle or N-Triples",
    ".owl": "RDF/XML is not read (it can carry DTDs and entity expansions); convert it to Turtle or N-Triples",
    ".xml": "RDF/XML is not read (it can carry DTDs and entity expansions); convert it to Turtle or N-Triples",
}

_LINE = re.compile(r"line (\d+)")


def _remote_contexts(value: Any) -> list[str]:
    """Every ``@context`` given as a reference (a string) anywhere in a JSON-LD document."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                contexts = item if isinstance(item, list) else [item]
                found += [c for c in contexts if isinstance(c, str)]
                found += [r for c in contexts if isinstance(c, dict) for r in _remote_contexts(c)]
            else:
                found += _remote_contexts(item)
    elif isinstance(value, list):
        for item in value:
            found += _remote_contexts(item)
    return found


def _to_rdflib(term: Any) -> Node:
    from graph_builder.validating.ntriples import to_rdflib

    node = to_rdflib(term)
    assert node is not None
    return node


def read_rdf(path: Path) -> Graph:
    """The triples of every graph in an RDF file, as one rdflib Graph."""
    suffix = path.suffix.lower()
    if suffix in REFUSED:
        raise InputError(f"{path}: error: format: {REFUSED[suffix]}")
    if suffix not in FORMATS:
        raise InputError(f"{path}: error: format: unsupported RDF file type '{path.suffix}' (use {', '.join(FORMATS)})")
    if not path.exists():
        raise InputError(f"{path}: error: file: no such file")
    if not path.is_file():
        raise InputError(f"{path}: error: file: not a regular file (a folder, FIFO, device or socket is not read)")
    from graph_builder.writing.publish import verify

    verify(path)
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path}: error: file: the file is larger than {MAX_BYTES} bytes")
    return _read(path.read_bytes(), str(path), suffix)


STDIN_NAME = "<stdin>"


def read_rdf_stdin(stream: BinaryIO) -> Graph:
    """The triples of RDF read from standard input: JSON-LD when it starts with ``{`` or ``[``, else
    TriG (which reads Turtle and N-Triples too), else N-Quads; the same checks as a file."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"{STDIN_NAME}: error: file: the input is larger than {MAX_BYTES} bytes")
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        return _read(data, STDIN_NAME, ".jsonld")
    try:
        return _read(data, STDIN_NAME, ".trig")
    except InputError as trig_error:
        try:
            return _read(data, STDIN_NAME, ".nq")
        except InputError:
            raise trig_error from None


def _read(data: bytes, path: str, suffix: str) -> Graph:
    """Parse ``data`` (named ``path`` in messages) as the RDF format of ``suffix``."""
    import pyoxigraph as ox

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}:1: error: encoding: the file is UTF-16; RDF input must be UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: error: encoding: byte 0x{data[exc.start]:02x} is not valid UTF-8") from None
    if suffix == ".jsonld":
        try:
            document = json.loads(text)
            remote = _remote_contexts(document)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: error: syntax: {exc.msg}") from None
        except RecursionError:  # Python's JSON reader and the context search recurse per level
            raise InputError(f"{path}: error: nesting: the JSON-LD document is nested too deeply to be read") from None
        if remote:
            raise InputError(f"{path}: error: @context: remote contexts are not fetched ({remote[0]}); "
                             "embed the context in the document")
    graph = Graph()
    try:
        for quad in ox.parse(data, getattr(ox.RdfFormat, FORMATS[suffix])):
            graph.add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
    except SyntaxError as exc:
        message = str(exc)
        match = _LINE.search(message)
        where = f"{path}:{match.group(1)}" if match else str(path)
        raise InputError(f"{where}: error: syntax: {message}") from None
    except MemoryError as exc:  # Oxigraph's reader holds one term in a buffer of at most 16 MiB
        raise InputError(f"{path}: error: size: a term is larger than the reader takes ({exc}); "
                         "split or shorten it") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: error: file: {exc}") from None
    return graph
