"""The incremental cache: a rebuild parses and builds only what changed.

The cache keeps, in a folder per facts folder (:func:`cache_folder`): per
facts file, its :class:`~graph_builder.loading.facts.ParsedFile` keyed by the file's
SHA-256 (and its article text's); per source, the graph
:func:`graph_builder.building.build.build_source` made; per graph, its triples as last
validated, and the last validation's results by focus node (see
:mod:`graph_builder.validating.validate_reach`). :func:`load_facts_cached` and
:func:`build_cached` join cached and new parts with the same public functions
a clean build uses (:func:`graph_builder.loading.facts.resolve`,
:func:`graph_builder.building.build.merge`), so the result equals a clean build's.
Entries are keyed by their content and by the schema's version, the release
and :data:`CACHE_VERSION`; an entry of another layout is ignored. A cache
that cannot be written is left with one warning and the command goes on.
"""

from __future__ import annotations

import copyreg
import errno
import hashlib
import io
import json
import os
import pickle
import stat
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable

from rdflib import Literal, URIRef

from graph_builder import __version__
from graph_builder.building.build import (SHARED_PARTS, Build, FactsReader, build_derived, build_shared, build_source,
                                          memberships_by_election, merge, source_graph_iri)
from graph_builder.errors import FactsError, Problem
from graph_builder.loading.facts import (Declared, Entity, Facts, Loc, Names, ParsedFile, Ref, Role, Source, Statement, check_folder, loading_order,
                    parse_file, resolve)
from graph_builder.atomic import describe_os_error, private_file, sweep, write_atomic
from graph_builder.loading.factsdir import TEXT_MAX_BYTES, YAML_MAX_BYTES, FactsDir
from graph_builder.loading.schema import SCHEMA_VERSION
from graph_builder.loading.yamlload import YStr


CACHE_VERSION = 7  # 7: the records' digests kept with their parse, the entities' part by file; 6: the default graph in parts; 5: a source's graph is kept with what it read (FactsReader)
copyreg.pickle(YStr, lambda s: (YStr, (str(s), s.line, s.quoted)))



def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# What a cached parse or build depends on: the schema of the statement kinds (its version changes with a
# kind, a field or the RDF a kind produces), the release, the layout of the cache itself, and the fields of
# the records it pickles (a record that gained a field is never read from an older entry).
_LAYOUT = repr([(cls.__name__, [f.name for f in fields(cls)])
                for cls in (ParsedFile, Statement, Entity, Source, Role, Names, Loc, Ref, Build)])  # Declared's too
_CODE_SHA = sha256_hex(f"schema {SCHEMA_VERSION}; customs-kg {__version__}; cache {CACHE_VERSION}; {_LAYOUT}".encode())


def validation_sha() -> str:
    """The code behind the cached validation results (and the engine's version)."""
    try:
        import shacl

        engine = f"shacl {shacl.__version__}"
    except ImportError:  # pragma: no cover - a declared dependency
        engine = "none"
    return sha256_hex(_CODE_SHA.encode() + engine.encode())


@dataclass
class Stats:
    """What an incremental build did (for tests and the curious)."""

    parsed: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)
    default_built: list[str] = field(default_factory=list)  # the parts of the default graph built, not read (below)
    # build_cached: the parts of the default graph by key (DEFAULT_PART + the part's name: roles, sources, or entities
    # and an entities file's path), each validated and compared with its previous triples as a graph of its own
    # (validate_incremental)
    default_parts: dict[str, set[Any]] = field(default_factory=dict)
    validated: str = "none"   # "full", "incremental" or "reused"
    focus_nodes: int = 0      # incremental: the focus nodes validated
    triples_validated: int = 0  # incremental: the triples they were validated over
    versions: dict[str, str] = field(default_factory=dict)  # graph -> digest of its inputs (build_cached)
    graph_versions: dict[str, str] = field(default_factory=dict)  # graph -> version validated (validate_incremental)
    # validate_incremental, when it compared the graphs with the previous ones: their versions, and the subjects
    # (N-Triples text) of the triples added or removed since (what graph_builder.writing.patch rewrites)
    previous_versions: dict[str, str] | None = None
    changed_subjects: set[str] | None = None
    changed_triples: list[Any] | None = None  # with changed_subjects: the merged graph's triples of those subjects

    def version(self) -> str | None:
        """A digest of the validated graph's versions (None before validate_incremental)."""
        return _digest(sorted(self.graph_versions.items())) if self.graph_versions else None


DEFAULT_PART = "default graph: "  # the key of a part of the default graph (Stats.default_parts)
HASHES_VERSION = 1
_RACY_NS = 1_000_000_000  # a file changed within this long before it was hashed is hashed again


def _status(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class Hashes:
    """SHA-256 of files, remembered with their status in the JSON file ``path`` (None: nothing remembered).

    As git's index and ninja's log do, a file is hashed again only when its status (size, modification and
    change times, inode) differs from the one remembered, or when it had changed less than a second before
    it was hashed (a change within the same tick of the clock could keep its times)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.files: dict[str, list[Any]] = {}
        self.report: list[list[str]] = []
        self.warnings: list[str] = []  # the warnings the build gave (stderr), given again when nothing changed
        self.hashed = 0  # files read and hashed (their status was not remembered or changed)
        if path is None:
            return
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("version") == HASHES_VERSION:
            files, report, warnings = data.get("files"), data.get("report"), data.get("warnings")
            self.files = files if isinstance(files, dict) else {}
            self.report = report if isinstance(report, list) else []
            self.warnings = [str(w) for w in warnings] if isinstance(warnings, list) else []

    def known(self, path: Path | str) -> str | None:
        """The remembered SHA-256 of the file ``path`` when its status is the one remembered and it had not
        changed within a second before it was hashed; else None (nothing is read)."""
        key = str(path)
        try:
            st = os.stat(key)
        except OSError:
            return None
        return self._known(key, st)

    def _known(self, key: str, st: os.stat_result) -> str | None:
        known = self.files.get(key)
        if stat.S_ISREG(st.st_mode) and isinstance(known, list) and len(known) == 6 and known[:4] == _status(st) \
                and isinstance(known[4], str) and isinstance(known[5], int) and st.st_mtime_ns < known[5] - _RACY_NS:
            return known[4]
        return None

    def sha256(self, path: Path | str) -> str:
        """The SHA-256 of the file ``path`` (OSError when it cannot be read or is not a regular file)."""
        key = str(path)
        st = os.stat(key)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", key)
        known = self._known(key, st)
        if known is not None:
            return known
        status = _status(st)
        now = time.time_ns()
        with open(key, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        self.hashed += 1
        self.files[key] = [*status, digest, now]
        return digest

    def remember(self, path: Path, sha256: str) -> None:
        """Remember the SHA-256 of a file just written (it was computed from the bytes written)."""
        now = time.time_ns()
        try:
            self.files[str(path)] = [*_status(os.stat(path)), sha256, now]
        except OSError:
            self.files.pop(str(path), None)

    def save(self, report: Iterable[tuple[str, object]] | None = None, warnings: Iterable[str] | None = None) -> None:
        """Remember the hashes (and the rows and warnings a build printed, to print them again when nothing
        changed)."""
        if self.path is None:
            return
        if report is not None:
            self.report = [[str(k), str(v)] for k, v in report]
        if warnings is not None:
            self.warnings = list(warnings)
        data = {"version": HASHES_VERSION, "files": self.files, "report": self.report, "warnings": self.warnings}
        try:
            write_atomic(self.path, json.dumps(data, separators=(",", ":")), durable=False)
        except OSError:
            pass  # a cache that cannot be written: the next build hashes again


@dataclass
class _Parsed:
    """A cached parse: the file's :class:`~graph_builder.loading.facts.ParsedFile`, its source text's name and
    SHA-256, and the digests of its records (:func:`record_digests`), computed once when it was parsed."""

    file: ParsedFile
    text_file: str | None = None
    text_sha: str | None = None
    digests: dict[str, str] = field(default_factory=dict)


def source_digest(src: Source, statements: Iterable[Statement]) -> str:
    """A digest of a source's record and its statements' (what its graph is built from, with what they read)."""
    # the records' texts one a line (a record's repr has no line break: its strings' are escaped)
    return sha256_hex("\n".join([repr(src), *map(repr, statements)]).encode("utf-8"))


def _part_name(name: str, key: str) -> str:
    return f"{name} {key}"


def record_digests(file: Declared) -> dict[str, str]:
    """The digests of the records a file declares, by :func:`_part_name`: each role's, entity's and source's
    (of its repr), and each source's with its statements (``graph``, :func:`source_digest`; a source file's
    statements are all of its one source). :func:`build_cached` keys the graphs by them."""
    out = {_part_name(name, key): _digest(value) for name in SHARED_PARTS for key, value in getattr(file, name).items()}
    by_source: dict[str, list[Statement]] = defaultdict(list)
    for st in file.statements:
        by_source[st.source].append(st)
    for key, src in file.sources.items():
        out[_part_name("graph", key)] = source_digest(src, by_source.get(key, ()))
    return out


def _known_digest(facts: Facts, name: str, key: str, record: Any) -> str:
    """The digest :func:`record_digests` gave the record ``key`` of ``name`` when it was parsed, or (facts not
    loaded through the cache) its repr's."""
    found = facts.digests.get(_part_name(name, key))
    return found if found is not None else _digest(record)


_UNUSABLE: set[str] = set()  # cache folders found unusable in this process (warned once each)


def cache_unusable(folder: Path, exc: OSError) -> None:
    """Stop using the cache ``folder`` for the rest of this process, with one warning on stderr.

    A read-only, full or damaged cache never fails a command: the command goes
    on without it (``PATH: warning: cache: why; building without the cache``).
    """
    if str(folder) in _UNUSABLE:
        return
    _UNUSABLE.add(str(folder))
    warning = Problem(str(folder), 0, "cache", f"cannot use it: {describe_os_error(exc)}; building without the cache",
                      "warning")
    print(warning, file=sys.stderr)


def cache_usable(folder: Path) -> bool:
    """Whether the cache ``folder`` has not been found unusable in this process."""
    return str(folder) not in _UNUSABLE


class Cache:
    """A folder of pickled entries, each checked by its key (a corrupt or stale entry is a miss).

    The folder is opened when the cache is made: created, cleared of the
    temporary files killed runs left (graph_builder.atomic.sweep) and probed
    for writing. A folder that cannot be used (read-only, full, not a folder)
    is left alone, with one warning (:func:`cache_unusable`): the build goes
    on without the cache and gives the same result.
    """

    def __init__(self, folder: Path | None):
        self.folder = folder if folder is not None and self._open(folder) else None

    @staticmethod
    def _open(folder: Path) -> bool:
        if not cache_usable(folder):
            return False
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for sub in [folder, *(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())]:
                sweep(sub)
            fd, probe = private_file(folder / "probe")
            try:
                os.write(fd, b"probe")
            finally:
                os.close(fd)
                probe.unlink()
        except OSError as exc:
            cache_unusable(folder, exc)
            return False
        return True

    def _path(self, kind: str, name: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / kind / (sha256_hex(name.encode("utf-8"))[:32] + ".pickle")

    def get(self, kind: str, name: str, key: str) -> Any:
        path = self._path(kind, name)
        if path is None:
            return None
        try:  # an absent entry, or any other than a regular file (opened without waiting on a pipe), is a miss
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
            try:
                regular = stat.S_ISREG(os.fstat(fd).st_mode)
            except OSError:
                regular = False
            if not regular:
                os.close(fd)
                return None
            with open(fd, "rb") as fh:
                data = fh.read()
            stored_key, value = pickle.loads(data)  # our own cache
        except Exception:  # noqa: BLE001 - a damaged or unreadable entry is a miss
            return None
        return value if stored_key == key else None

    def put(self, kind: str, name: str, key: str, value: Any) -> None:
        path = self._path(kind, name)
        if path is None or self.folder is None:
            return
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((key, value))
        try:
            write_atomic(path, buffer.getvalue(), durable=False)
        except OSError as exc:
            cache_unusable(self.folder, exc)
            self.folder = None


# IRIs read back from the cache, one object per IRI: the graphs of thousands of cache entries name
# the same IRIs, and set and dict lookups that find the same object skip rdflib's equality test
# (a Python call); writing the Turtle of a 1M-triple incremental build took 14 s instead of 20 s
_IRIS: dict[str, URIRef] = {}


def _uriref(value: str) -> URIRef:
    iri = _IRIS.get(value)
    if iri is None:
        iri = _IRIS[value] = str.__new__(URIRef, value)  # checked when it was first made
    return iri


def _literal(lexical: str, language: str | None, datatype: URIRef | None, value: Any, ill_typed: bool | None) -> Literal:
    lit = str.__new__(Literal, lexical)
    lit._language, lit._datatype, lit._value, lit._ill_typed = language, datatype, value, ill_typed
    return lit


class _Pickler(pickle.Pickler):
    """Pickles IRIs and literals as they are, to be read back without rdflib's checks and conversions
    (which make reading a large graph several times slower)."""

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is URIRef:
            return _uriref, (str(obj),)
        if kind is Literal:
            return _literal, (str(obj), obj._language, obj._datatype, obj._value, obj._ill_typed)
        return NotImplemented


def _parse_file(path: Path, holds: str, folder: FactsDir) -> _Parsed:
    parsed = _Parsed(parse_file(path, holds, folder))
    parsed.digests = record_digests(parsed.file)
    for src in parsed.file.sources.values():
        text_sha = _text_sha(folder, src.text_file)
        if text_sha is not None:
            parsed.text_file, parsed.text_sha = src.text_file, text_sha
    return parsed


def _text_sha(folder: FactsDir, name: str) -> str | None:
    """The SHA-256 of a source's text as the loader read it (None when it cannot be read)."""
    try:
        return sha256_hex(folder.read(folder.root / "texts" / name, TEXT_MAX_BYTES))
    except FactsError:
        return None


class _Known:
    """The remembered SHA-256 of the facts folder's files that the loader would read as they are: regular files,
    not symbolic links, in folders inside the facts folder (None for any other, read by the loader)."""

    def __init__(self, root: Path, hashes: Hashes):
        self.hashes = hashes
        self.real_root = os.path.realpath(root)
        self.folders: dict[str, str] = {}

    def sha256(self, path: Path) -> str | None:
        try:
            if os.path.islink(path):
                return None
            parent = os.path.dirname(path)
            real = self.folders.get(parent)
            if real is None:
                real = self.folders[parent] = os.path.realpath(parent)
            if real != self.real_root and not real.startswith(self.real_root + os.sep):
                return None
            return self.hashes.sha256(path)
        except OSError:
            return None


def load_facts_cached(root: Path, cache: Cache, stats: Stats | None = None, hashes: Hashes | None = None) -> Facts:
    """Like :func:`graph_builder.loading.facts.load_facts`, parsing only the files that changed since the cached parse.

    The files are listed and read as the full load reads them (:class:`graph_builder.loading.factsdir.FactsDir`);
    a file is parsed from the very bytes its cache key was computed from, and the parses, cached or new,
    are joined by :func:`graph_builder.loading.facts.resolve` as in a full load (so the same problems are
    reported). A parse with problems is not cached. With ``hashes``, a file (or its article's text) whose
    status is unchanged is known by its remembered SHA-256 and not read at all, when it is a regular file
    (not a symbolic link) in a folder that lies inside the facts folder."""
    stats = stats if stats is not None else Stats()
    check_folder(root)
    folder = FactsDir(root)
    listing = folder.listing()
    known = _Known(root, hashes) if hashes is not None else None
    files: list[ParsedFile] = []
    digests: dict[str, str] = {}
    for path, holds in loading_order(listing):
        sha = known.sha256(path) if known is not None else None
        try:
            key = _CODE_SHA + (sha or sha256_hex(folder.read(path, YAML_MAX_BYTES)))
        except FactsError:
            files.append(parse_file(path, holds, folder))  # reports the read error as a full load does
            continue
        parsed = cache.get("parse", str(path), key)
        if not isinstance(parsed, _Parsed) or not isinstance(getattr(parsed, "file", None), ParsedFile):
            parsed = None  # absent, or written by another layout of the cache
        if parsed is not None and parsed.text_file is not None:
            text_sha = known.sha256(root / "texts" / parsed.text_file) if known is not None else None
            if (text_sha or _text_sha(folder, parsed.text_file)) != parsed.text_sha:
                parsed = None
        if parsed is None:
            try:  # the key of the very bytes parsed (the file may have changed since it was hashed)
                key = _CODE_SHA + sha256_hex(folder.read(path, YAML_MAX_BYTES))
            except FactsError:
                files.append(parse_file(path, holds, folder))
                continue
            parsed = _parse_file(path, holds, folder)
            stats.parsed.append(str(path))
            if not parsed.file.problems:
                cache.put("parse", str(path), key, parsed)
        files.append(parsed.file)
        digests.update(parsed.digests)
    facts = resolve(root, files, listing)
    facts.digests = digests
    return facts


def _digest(obj: object) -> str:
    return sha256_hex(repr(obj).encode("utf-8"))


def reads_digest(reader: FactsReader, reads: Iterable[tuple[str, str]]) -> str:
    """A digest of what the reads ``reads`` (recorded by :func:`graph_builder.building.build.build_source`) give
    in the facts of ``reader`` now."""
    return _digest([(method, key, reader.value(method, key)) for method, key in sorted(reads)])


def build_cached(facts: Facts, cache: Cache, stats: Stats | None = None) -> Build:
    """Like :func:`graph_builder.building.build.build`, rebuilding only the sources whose inputs changed.

    A source's graph is a function of the source, its statements and what they read of the rest of the facts
    (the names, types and memberships :class:`graph_builder.building.build.FactsReader` records). It is cached
    under the first two, with the reads and their digest; it is kept while the reads give the same, so that
    an edit of an entity rebuilds only the graphs that read it (and its version, which says when the
    validation and the written files must follow, changes with the reads)."""
    stats = stats if stats is not None else Stats()
    _IRIS.clear()  # shared within one build, not kept from the previous one
    # the default graph (build_shared), in its parts: each is made from the declared records of its name alone,
    # so that an edit of a source's headline neither rebuilds nor revalidates the entities' part
    # (the entities' part in one part per entities file, so that an edit of one rebuilds that file's alone)
    out = Build()
    for name in SHARED_PARTS:
        records = getattr(facts, name)
        groups: dict[str, list[str]] = {name: list(records)}
        if name == "entities":  # one part per entities file
            groups = defaultdict(list)
            for key, record in records.items():
                groups[f"{name} {record.loc.file}"].append(key)
        for part_name, keys in sorted(groups.items()):
            part_key = _CODE_SHA + _digest(sorted((k, _known_digest(facts, name, k, records[k])) for k in keys))
            cached = cache.get("graph", DEFAULT_PART + part_name, part_key)
            if cached is None:
                shared_part = build_shared(facts, (name,), keys)
                cached = (set(shared_part.default), {g: set(t) for g, t in shared_part.graphs.items()},
                          {n: set(l) for n, l in shared_part.origins.items()})
                cache.put("graph", DEFAULT_PART + part_name, part_key, cached)
                stats.default_built.append(DEFAULT_PART + part_name)
            default, shared_graphs, shared_origins = cached
            stats.default_parts[DEFAULT_PART + part_name] = default
            stats.versions[DEFAULT_PART + part_name] = part_key
            merge(out, Build(default=default, graphs=defaultdict(set, shared_graphs),
                             origins=defaultdict(set, shared_origins)))
    mbe = memberships_by_election(facts)
    reader = FactsReader(facts, mbe)
    by_source: dict[str, list[Any]] = defaultdict(list)
    for st in facts.statements:
        by_source[st.source].append(st)
    for key, sts in by_source.items():
        src = facts.sources[key]
        known = facts.digests.get(_part_name("graph", key))
        entry_key = _CODE_SHA + (known if known is not None else source_digest(src, sts))
        entry = cache.get("graph", key, entry_key)
        if entry is not None and reads_digest(reader, entry[2]) != entry[3]:
            entry = None  # something it read of the rest of the facts changed
        if entry is None:
            reads: set[tuple[str, str]] = set()
            part = build_source(facts, sts, mbe, reads)
            entry = ({g: set(t) for g, t in part.graphs.items()}, {n: set(l) for n, l in part.origins.items()},
                     sorted(reads), reads_digest(reader, reads))
            cache.put("graph", key, entry_key, entry)
            stats.built.append(key)
        graphs, origins, _reads, read = entry
        stats.versions[str(source_graph_iri(key))] = _digest((entry_key, read))
        merge(out, Build(graphs=defaultdict(set, graphs), origins=defaultdict(set, origins)))
    merge(out, build_derived(facts))  # cheap, and it reads every source: rebuilt each time
    return out


def cache_folder(facts_dir: Path) -> Path:
    """The incremental cache of a facts folder: ``$XDG_CACHE_HOME/customs-kg/<hash of its path>`` (default
    ``~/.cache``), used by every command that reads the folder.

    Neither inside the facts folder nor inside an output folder (a build
    replaces the output folder as a whole, see graph_builder.writing.publish).
    ``CUSTOMS_KG_CACHE=DIR`` puts the cache in DIR instead.
    """
    import os

    explicit = os.environ.get("CUSTOMS_KG_CACHE")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "customs-kg" / sha256_hex(str(facts_dir.absolute()).encode("utf-8"))[:24]
