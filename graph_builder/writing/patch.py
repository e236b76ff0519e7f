"""Write the Turtle and TriG of a build whole, or patch the previous ones where the graph changed.

Both files are a head (the comment and the ``@prefix`` lines) and blocks: the
Turtle one block per subject of the merged graph, the TriG one block per
subject of the default graph, then one block per named graph, each in the
order of its N-Triples text (graph_builder.writing.serialize). A
:class:`Layout`, kept in the incremental cache, records each block's key and
length in bytes, the version of each graph the files were written from and
the prefixes each graph uses.

After an edit (:func:`render_patch`), the blocks of the subjects and graphs
the edit changed are written again, the head is written from the prefixes
of every graph, and every other block is copied as bytes from the previous
files, which must be the files that layout describes (their SHA-256 is
checked). The export gate re-reads only the new blocks and the blocks they
replace, and the triple counts of the manifest follow from the previous
ones. The result is byte for byte the file a clean build writes, because a
block is a function of its subject's triples (or its graph's) alone, and
the files are these blocks in order.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import os
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import compress
from operator import itemgetter
from array import array
from pathlib import Path
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from rdflib import URIRef
from rdflib.term import Node

from graph_builder.building.build import Build, Triple
from graph_builder.building.cache import Cache, sha256_hex
from graph_builder.namespaces import PREFIXES
from graph_builder.writing.publish import MANIFEST, MANIFEST_TITLES, ManifestError, gate_count, publish, read_manifest
from graph_builder.writing.serialize import (HEADER, Chunk, TermWriter, document, graph_chunk, head, subject_chunks,
                                             used_prefixes)

TURTLE_NAME = "customs-kg.ttl"
TRIG_NAME = "customs-kg.trig"
LAYOUT_VERSION = 1
DEFAULT = "default"  # the default graph's key, as graph_builder.validating.incremental names it


@dataclass
class Section:
    """A run of blocks: their keys (N-Triples text of the subject or graph), sorted, and their lengths in bytes."""

    keys: list[str] = field(default_factory=list)
    lengths: array[int] = field(default_factory=lambda: array("q"))

    def size(self) -> int:
        return sum(self.lengths)

    # kept in the cache as one text, a key a line (N-Triples terms have no line break): pickled and read back
    # many times faster than a list of a million strings
    def __getstate__(self) -> tuple[str, array[int]]:
        return "\n".join(self.keys), self.lengths

    def __setstate__(self, state: tuple[str, array[int]]) -> None:
        text, self.lengths = state
        self.keys = text.split("\n") if text else []


@dataclass
class Layout:
    """Where the blocks of the written Turtle and TriG lie, and what they were written from."""

    versions: dict[str, str]           # graph key -> its version (graph_builder.building.cache.Stats.graph_versions)
    prefixes: dict[str, frozenset[str]]  # graph key -> the prefixes its triples use
    turtle_head: int
    turtle: Section
    trig_head: int
    trig_default: Section
    trig_graphs: Section
    sha256: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256 of the file as published


Piece = bytes | memoryview  # a part of a file: the files are written from their parts, never joined in memory


@dataclass
class Rendered:
    """The bytes of the two files, their layout, and the triple counts the gate found (None: count them all)."""

    files: dict[str, bytes | list[Piece]]  # a file's bytes, or its parts
    layout: Layout
    counted: dict[str, int] | None = None


def _byte_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _section(chunks: Sequence[Chunk]) -> Section:
    return Section([k for k, _t in chunks], array("q", (_byte_length(t) for _k, t in chunks)))


def _graph_prefixes(built: Build, writer: TermWriter, keys: Iterable[str] | None = None) -> dict[str, frozenset[str]]:
    """The prefixes each graph's triples use (of the graphs ``keys``, or all)."""
    wanted = None if keys is None else set(keys)
    out: dict[str, frozenset[str]] = {}
    if wanted is None or DEFAULT in wanted:
        out[DEFAULT] = frozenset(used_prefixes(built.default, writer))
    for g, triples in built.graphs.items():
        if triples and (wanted is None or str(g) in wanted):
            out[str(g)] = frozenset(used_prefixes(triples, writer))
    return out


def _heads(prefixes: Mapping[str, frozenset[str]], graphs: Iterable[URIRef], writer: TermWriter) -> tuple[str, str]:
    """The heads of the Turtle (the prefixes of every triple) and of the TriG (and of the graphs' names)."""
    used: set[str] = set().union(*prefixes.values()) if prefixes else set()
    names = used_prefixes([(g, g, g) for g in graphs], writer)
    return head(used, PREFIXES, HEADER), head(used | names, PREFIXES, HEADER)


def render_full(built: Build, merged: Iterable[Triple], versions: Mapping[str, str]) -> Rendered:
    """Both files written whole, with their layout (the gate re-reads them all when they are published)."""
    writer = TermWriter(PREFIXES)
    prefixes = _graph_prefixes(built, writer)
    graphs = sorted((g for g, t in built.graphs.items() if t), key=writer.sort_key)
    turtle_head, trig_head = _heads(prefixes, graphs, writer)
    turtle_chunks = subject_chunks(merged, writer)
    default_chunks = subject_chunks(built.default, writer)
    graph_chunks = [(writer.sort_key(g)[1], graph_chunk(g, subject_chunks(built.graphs[g], writer, "    "), writer))
                    for g in graphs]
    files: dict[str, bytes | list[Piece]] = {TURTLE_NAME: document(turtle_head, "".join(t for _k, t in turtle_chunks)).encode("utf-8"),
                                             TRIG_NAME: document(trig_head, "".join(
        t for _k, t in itertools.chain(default_chunks, graph_chunks))).encode("utf-8")}
    layout = Layout(dict(versions), prefixes, _byte_length(turtle_head), _section(turtle_chunks),
                    _byte_length(trig_head), _section(default_chunks), _section(graph_chunks))
    return Rendered(files, layout)


class _Body:
    """The blocks of a previous file: the bytes after its head, and a newline (the last block of a file has
    one newline less than a block before others), without copying them."""

    def __init__(self, view: memoryview, end: bytes = b"\n"):
        self.view, self.end = view, end

    def __len__(self) -> int:
        return len(self.view) + len(self.end)

    def sub(self, start: int, stop: int) -> "_Body":
        if stop <= len(self.view):
            return _Body(self.view[start:stop], b"")
        return _Body(self.view[start:], self.end[:stop - len(self.view)])

    def pieces(self, start: int, stop: int | None = None) -> list[Piece]:
        part = self.sub(start, len(self) if stop is None else stop)
        return [p for p in (part.view, part.end) if len(p)]


def _splice(body: _Body, section: Section, redo: Mapping[str, bytes | None],
            ) -> tuple[list[Piece], Section, list[bytes]]:
    """The blocks of ``section`` (lying in ``body``) with those of ``redo`` replaced, added (a new key) or dropped
    (None); return the parts of the new run, its section and the old blocks replaced or dropped."""
    starts = [0, *itertools.accumulate(section.lengths)]
    keys, lengths = section.keys, section.lengths
    parts: list[Piece] = []
    out = Section()
    replaced: list[bytes] = []
    cursor = 0
    for key in sorted(redo):
        i = bisect.bisect_left(keys, key, lo=cursor)
        if i > cursor:
            parts += body.pieces(starts[cursor], starts[i])
            out.keys.extend(keys[cursor:i])
            out.lengths.extend(lengths[cursor:i])
        cursor = i
        if i < len(keys) and keys[i] == key:
            replaced.append(b"".join(body.pieces(starts[i], starts[i + 1])))
            cursor = i + 1
        new = redo[key]
        if new is not None:
            parts.append(new)
            out.keys.append(key)
            out.lengths.append(len(new))
    if cursor < len(keys):
        parts += body.pieces(starts[cursor])
        out.keys.extend(keys[cursor:])
        out.lengths.extend(lengths[cursor:])
    return parts, out, replaced


def _blocks(triples: Iterable[Triple], writer: TermWriter, keys: Iterable[str], indent: str = "") -> dict[str, bytes | None]:
    """The new block of each subject of ``keys`` (None for a subject that has no triple any more)."""
    redo: dict[str, bytes | None] = dict.fromkeys(keys)
    for key, text in subject_chunks(triples, writer, indent):
        redo[key] = text.encode("utf-8")
    return redo


def _of_subjects(triples: Iterable[Triple], subjects: set[Node]) -> list[Triple]:
    everything = triples if isinstance(triples, list) else list(triples)
    return list(compress(everything, map(subjects.__contains__, map(itemgetter(0), everything))))  # C loops


def _gated(suffix: str, head_bytes: bytes, pieces: Sequence[Piece], shown: str) -> int:
    return gate_count(head_bytes + b"".join(pieces), suffix, shown) if pieces else 0


def _joined(head_text: str, parts: Sequence[Piece]) -> list[Piece]:
    """The parts of a file: its head, then the blocks but for the last block's final newline."""
    pieces = [p for p in parts if len(p)]
    if not pieces:
        return [(head_text.rstrip("\n") + "\n").encode("utf-8")]
    pieces[-1] = pieces[-1][:-1]
    return [head_text.encode("utf-8"), *pieces]


def render_patch(built: Build, merged: Iterable[Triple], versions: Mapping[str, str], layout: Layout,
                 old: Mapping[str, bytes], old_counts: Mapping[str, int], changed_subjects: Mapping[str, Node],
                 ) -> Rendered:
    """The files of ``built`` made from the previous files ``old`` (described by ``layout``, counted
    ``old_counts`` by the gate): the blocks of the graphs whose version changed and of the subjects of
    ``changed_subjects`` (their N-Triples text, and their nodes) are written again.

    ``changed_subjects`` must hold the subject of every triple added to or removed from a graph since the
    versions of ``layout`` (graph_builder.validating.incremental records them); ``merged``: the merged graph's
    triples, or those of the changed subjects at least."""
    writer = TermWriter(PREFIXES)
    keys_now = {DEFAULT} | {str(g) for g, t in built.graphs.items() if t}
    changed_graphs = {k for k in keys_now | set(layout.versions) if versions.get(k) != layout.versions.get(k)}
    prefixes = {k: v for k, v in layout.prefixes.items() if k in keys_now and k not in changed_graphs}
    prefixes.update(_graph_prefixes(built, writer, changed_graphs & keys_now))
    graphs = sorted((g for g, t in built.graphs.items() if t), key=writer.sort_key)
    turtle_head, trig_head = _heads(prefixes, graphs, writer)
    subjects = sorted(changed_subjects)
    nodes = set(changed_subjects.values())
    files: dict[str, bytes | list[Piece]] = {}
    counted: dict[str, int] = {}

    # the Turtle: the blocks of the changed subjects
    old_turtle = old[TURTLE_NAME]
    body = _Body(memoryview(old_turtle)[layout.turtle_head:] if layout.turtle.keys else memoryview(b""),
                 b"\n" if layout.turtle.keys else b"")
    redo = _blocks(_of_subjects(merged, nodes), writer, subjects)
    parts, turtle, replaced = _splice(body, layout.turtle, redo)
    files[TURTLE_NAME] = _joined(turtle_head, parts)
    new_pieces = [b for b in redo.values() if b is not None]
    counted[TURTLE_NAME] = old_counts[TURTLE_NAME] \
        - _gated(".ttl", old_turtle[:layout.turtle_head], replaced, f"{TURTLE_NAME} (the previous build)") \
        + _gated(".ttl", turtle_head.encode("utf-8"), new_pieces, TURTLE_NAME)

    # the TriG: the default graph's blocks of the changed subjects, and the changed named graphs whole
    old_trig = old[TRIG_NAME]
    empty = not layout.trig_default.keys and not layout.trig_graphs.keys
    body = _Body(memoryview(b"" if empty else old_trig)[layout.trig_head:], b"" if empty else b"\n")
    split = layout.trig_default.size()
    default_redo: dict[str, bytes | None] = {}
    if DEFAULT in changed_graphs:
        default_redo = _blocks(_of_subjects(built.default, nodes), writer, subjects)
    default_parts, trig_default, default_replaced = _splice(body.sub(0, split), layout.trig_default,
                                                                default_redo)
    graph_redo: dict[str, bytes | None] = {}
    for key in changed_graphs - {DEFAULT}:
        g = URIRef(key)
        triples = built.graphs.get(g)
        nt = writer.sort_key(g)[1]
        graph_redo[nt] = graph_chunk(g, subject_chunks(triples, writer, "    "), writer).encode("utf-8") \
            if triples else None
    graph_parts, trig_graphs, graph_replaced = _splice(body.sub(split, len(body)), layout.trig_graphs,
                                                          graph_redo)
    files[TRIG_NAME] = _joined(trig_head, default_parts + graph_parts)
    new_pieces = [b for b in (*default_redo.values(), *graph_redo.values()) if b is not None]
    counted[TRIG_NAME] = old_counts[TRIG_NAME] \
        - _gated(".trig", old_trig[:layout.trig_head], default_replaced + graph_replaced,
                 f"{TRIG_NAME} (the previous build)") \
        + _gated(".trig", trig_head.encode("utf-8"), new_pieces, TRIG_NAME)
    new_layout = Layout(dict(versions), prefixes, _byte_length(turtle_head), turtle, _byte_length(trig_head),
                        trig_default, trig_graphs)
    return Rendered(files, new_layout, counted)


def _code_key() -> str:
    """What a layout depends on: this module and the writers (a layout written by other code is not used)."""
    from graph_builder.writing import serialize

    code = b"".join(Path(m).read_bytes() for m in (__file__, serialize.__file__))
    return f"layout {LAYOUT_VERSION} {hashlib.sha256(code).hexdigest()}"


def _previous(out_dir: Path, layout: Layout, known: Callable[[Path], str | None] | None, pool: ThreadPoolExecutor,
              ) -> tuple[dict[str, bytes], dict[str, int], Callable[[], bool]] | None:
    """The previous files and their triple counts, when they are the ones ``layout`` describes (by the manifest),
    and a check that they are unaltered: that their SHA-256 is the manifest's (``known``: the SHA-256 remembered
    for a file whose status has not changed since, see graph_builder.building.cache.Hashes; else the bytes read
    are hashed, in ``pool`` while the caller goes on)."""
    try:
        files = read_manifest(out_dir / MANIFEST, (MANIFEST_TITLES["build"],))["files"]
        if set(files) != {TURTLE_NAME, TRIG_NAME}:
            return None
        old = {name: (out_dir / name).read_bytes() for name in files}
    except (ManifestError, OSError):
        return None
    pending: list[tuple[str, Future[str]]] = []
    for name, entry in files.items():
        if layout.sha256.get(name) != entry["sha256"] or "triples" not in entry or len(old[name]) != entry["bytes"]:
            return None
        # checked after the read: a file changed since then has another status, and its bytes are hashed
        digest = known(out_dir / name) if known is not None else None
        if digest is None:
            pending.append((entry["sha256"], pool.submit(sha256_hex, old[name])))  # the GIL is let go meanwhile
        elif digest != entry["sha256"]:
            return None
    return old, {name: entry["triples"] for name, entry in files.items()}, \
        lambda: all(future.result() == want for want, future in pending)


def write_build(built: Build, merged: Iterable[Triple], out_dir: Path, *, cache: Cache | None,
                versions: Mapping[str, str] | None = None, previous_versions: Mapping[str, str] | None = None,
                changed_subjects: Iterable[str] | None = None, changed_triples: list[Triple] | None = None,
                built_from: Mapping[str, object] | None = None,
                known: Callable[[Path], str | None] | None = None) -> tuple[bool, dict[str, object]]:
    """Publish the Turtle and TriG of ``built`` in ``out_dir`` (graph_builder.writing.publish); return whether
    they were patched, and the manifest.

    They are patched (:func:`render_patch`) when the incremental ``cache`` holds the layout of the files in
    ``out_dir``, those files are unaltered (their SHA-256 is the manifest's), and they were written from
    ``previous_versions``, the graphs' versions ``changed_subjects`` (N-Triples text) are counted from; else
    they are written whole. ``versions``: the graphs' versions now (graph_builder.building.cache.Stats);
    ``known``: the SHA-256 remembered for a previous file whose status is unchanged
    (graph_builder.building.cache.Hashes.known); the other previous files are hashed. ``changed_triples``: the
    triples of ``merged`` whose subject is one of ``changed_subjects``, when at hand (else they are found)."""
    from graph_builder.validating.ntriples import node_of

    name, key = str(Path(os.path.abspath(out_dir))), _code_key()
    versions = dict(versions or {})
    layout = cache.get("output", name, key) if cache is not None else None
    rendered: Rendered | None = None
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashes while the main thread renders and writes
        if isinstance(layout, Layout) and changed_subjects is not None and previous_versions is not None \
                and dict(previous_versions) == layout.versions and versions:
            previous = _previous(out_dir, layout, known, pool)
            nodes = {k: node_of(k) for k in changed_subjects}
            if previous is not None and all(n is not None for n in nodes.values()):
                old, counts, unaltered = previous
                try:
                    rendered = render_patch(built, merged if changed_triples is None else changed_triples,
                                            versions, layout, old, counts,
                                            {k: n for k, n in nodes.items() if n is not None})
                except Exception:
                    if unaltered():
                        raise
                if rendered is not None and not unaltered():
                    rendered = None  # a previous file was altered since its build: written whole
        if rendered is None:
            rendered = render_full(built, merged, versions)
        manifest = publish(out_dir, rendered.files, counted=rendered.counted, built_from=built_from, pool=pool)
    if cache is not None:
        files = manifest["files"]
        assert isinstance(files, dict)
        rendered.layout.sha256 = {n: str(files[n]["sha256"]) for n in (TURTLE_NAME, TRIG_NAME)}
        cache.put("output", name, key, rendered.layout)
    return rendered.counted is not None, manifest
