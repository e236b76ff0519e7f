"""Oxigraph, the embedded query engine, and the persistent on-disk graph (``--store DIR``).

The store holds the merged graph (the union of all graphs, what rdflib's
memory store holds after a build) in its default graph, and each source's
named graph ``id:{source}/graph`` as in the TriG. Queries read the default
graph, so a query gives the same rows as on the merged rdflib graph, with no
duplicates from a union of graphs.

An on-disk store is written atomically: it is built in a private staging
folder beside ``DIR`` and renamed into place (an existing store is swapped
with one ``renameat2(RENAME_EXCHANGE)`` on Linux), so a reader opens the old
store or the new one. ``DIR`` must be absent, empty or an earlier store (its
marker ``customs-kg-store.json`` proves it); any other folder is left alone
(graph_builder.writing.publish.check_output_folder).
"""

from __future__ import annotations

import io
import itertools
import json
import os
from pathlib import Path
from typing import Any, Iterable, Iterator

import pyoxigraph
from rdflib import Graph

from graph_builder.atomic import private_folder, swap_in, sweep, write_synced
from graph_builder.errors import InputError
from graph_builder.writing.publish import STORE_MARKER, check_output_folder, store_marker_ok, writing
from graph_builder.writing.serialize import Quad, TermWriter, Triple

MARKER = STORE_MARKER
STORE_FORMAT = 1


def _nquad_lines(quads: Iterable[Quad]) -> Iterator[str]:
    """Every quad in its named graph and its triple in the default graph (unsorted N-Quads).

    A triple that several graphs hold is written once for each: the store is a
    set and keeps one, so the merged graph is never held in Python.
    """
    nt = TermWriter()
    for s, p, o, g in quads:
        triple = f"{nt.term(s)} {nt.term(p)} {nt.term(o)}"
        if g is not None:
            yield f"{triple} {nt.term(g)} .\n"
        yield f"{triple} .\n"


class LinesReader(io.RawIOBase):
    """A binary file over lines of text, encoded as the reader asks for them.

    One document for the parser (blank node labels keep their meaning across
    it, unlike separate loads), never more than a few thousand lines in memory.
    """

    def __init__(self, lines: Iterable[str], batch: int = 4096):
        self._lines = iter(lines)
        self._batch = batch
        self._chunk = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._chunk:
            self._chunk = memoryview("".join(itertools.islice(self._lines, self._batch)).encode("utf-8"))
        n = min(len(buffer), len(self._chunk))
        buffer[:n] = self._chunk[:n]
        self._chunk = self._chunk[n:]
        return n


def _nquad_stream(quads: Iterable[Quad]) -> io.BufferedReader:
    """The store's N-Quads for the builder's quads, as a binary file read as the parser goes."""
    return io.BufferedReader(LinesReader(_nquad_lines(quads)), 1 << 20)


def memory_store(quads: Iterable[Quad]) -> pyoxigraph.Store:
    """An in-memory Oxigraph store of the builder's quads (see the module doc for its layout).

    The N-Quads are streamed into the parser: held whole (text, then bytes)
    they added about 0.5 GB to the peak of ``query --facts`` at a million triples.
    """
    store = pyoxigraph.Store()
    store.load(_nquad_stream(quads), pyoxigraph.RdfFormat.N_QUADS)
    return store


def graph_store(graph: Graph | Iterable[Triple]) -> pyoxigraph.Store:
    """An in-memory Oxigraph store holding ``graph``'s triples in its default graph."""
    return memory_store((s, p, o, None) for s, p, o in graph)


def _write_marker(folder: Path, count: int) -> None:
    write_synced(folder / MARKER, (json.dumps({"format": STORE_FORMAT, "quads": count}) + "\n").encode("utf-8"))


def is_store(folder: Path) -> bool:
    """Whether ``folder`` holds a store written by :func:`write_store` (its marker, well formed)."""
    return store_marker_ok(folder)


def write_store(quads: Iterable[Quad], folder: Path) -> Path:
    """Load the quads into an on-disk Oxigraph store at ``folder``, atomically.

    The store is built in a staging folder beside ``folder`` and swapped into
    place; an earlier store at ``folder`` is replaced. Refuses (exit 2) a
    folder that is not absent, empty or a customs-kg store; a failed write
    (a full disk, a read-only folder) leaves the earlier store as it was.
    """
    check_output_folder(folder, "store")
    shown, folder = folder, Path(os.path.abspath(folder))
    with writing(shown):
        folder.parent.mkdir(parents=True, exist_ok=True)
        sweep(folder.parent, folder.name)
        with private_folder(folder) as staging:
            store = pyoxigraph.Store(str(staging))
            # streamed into the bulk loader, as into a memory store: held whole (as text, then bytes)
            # the N-Quads doubled the peak memory of `build --store` at a million triples
            store.bulk_load(_nquad_stream(quads), pyoxigraph.RdfFormat.N_QUADS)
            store.flush()
            count = len(store)
            del store
            _write_marker(staging, count)
            swap_in(staging, folder)
    return Path(shown)


def open_store(folder: Path) -> pyoxigraph.Store:
    """Open a store written by ``customs-kg build --store DIR``, read-only."""
    folder = Path(folder)
    if not is_store(folder):
        raise InputError(f"--store {folder}: no customs-kg store there (write one with 'customs-kg build --store {folder}')")
    try:
        return pyoxigraph.Store.read_only(str(folder))
    except OSError as exc:
        raise InputError(f"--store {folder}: cannot open the store: {exc}") from None
