"""Publish a multi-file build as a whole, with a manifest that catches damage later; guard every output.

A build is written into a private staging folder beside the output folder,
every file flushed to disk, each RDF file re-read by a strict parser (the
export gate), and a ``manifest.json`` (file sizes, SHA-256, triple counts)
written last. The staging folder then replaces the output folder in one
atomic step (Linux ``renameat2(RENAME_EXCHANGE)``, or a plain rename when
there is no previous build), so a reader, a concurrent build or a crash never
sees a half-written build: the previous build stays intact until the new one
is complete and verified.

Every command that writes obeys the same rules, checked here:

* a folder (``build -o``, ``build --store``, ``export --graph-per-source -o``)
  is written or replaced only when it is absent, empty, or an earlier output
  of the same kind, which its marker proves (:data:`OUTPUT_KINDS`: the
  ``manifest.json`` of a build or an export, the ``customs-kg-store.json`` of
  a store); never the facts folder being read, a folder holding it or one
  inside it, nor a repository root (a folder holding ``.git``), whatever it
  holds (:func:`check_output_folder`);
* a single output file (``export -o``, ``viz -o``) never replaces a folder,
  the file being read or a file in the facts folder being read
  (:func:`check_output_file`); it is written atomically (``write_atomic``);
* every temporary file or folder is named ``.NAME.ROLE-PID-RANDOM`` beside
  its target ``NAME`` (``ROLE``: ``staging``, ``old`` or ``tmp``) and locked
  (``flock``) while in use (:func:`private_folder`, :func:`private_file`);
  the next write of the same target removes those a killed run left
  (:func:`sweep`), never one whose process runs or whose lock is held;
* a failed write (a full disk, a read-only folder) is reported with the
  output's path and leaves what was there before (:func:`writing`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from graph_builder.atomic import (PublishError, current_umask, describe_os_error, fsync_dir, private_folder, swap_in,
                                  sweep, write_synced)
from graph_builder.errors import InputError

if TYPE_CHECKING:
    import pyoxigraph

MANIFEST = "manifest.json"
STORE_MARKER = "customs-kg-store.json"
MANIFEST_TITLES = {"build": "customs-kg build", "export": "customs-kg export", "site": "customs-kg site"}
_MANIFEST_KINDS = (MANIFEST_TITLES["build"], MANIFEST_TITLES["export"])  # the outputs holding RDF files
RDF_FORMATS = {".ttl": "TURTLE", ".trig": "TRIG", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".jsonld": "JSON_LD"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def gate_parse(path: Path) -> Iterator[pyoxigraph.Quad]:
    """The export gate: the quads of an RDF file, parsed strictly (Oxigraph, no base IRI).

    The format follows the file suffix; a file that does not parse raises
    :class:`PublishError` (while iterating).
    """
    import pyoxigraph as ox

    fmt = getattr(ox.RdfFormat, RDF_FORMATS[path.suffix])
    try:
        yield from ox.parse(path=str(path), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise PublishError(f"{path}: error: export gate: the written file does not parse back: {exc}") from None


def count_triples(path: Path) -> int:
    """Parse an RDF file strictly (the export gate) and count its triples or quads."""
    return sum(1 for _ in gate_parse(path))


def gate_count(data: bytes, suffix: str, shown: str) -> int:
    """The export gate on a part of a file (its prefixes and some of its blocks): the triples or quads it holds,
    parsed strictly; :class:`PublishError` naming ``shown`` when it does not parse."""
    import pyoxigraph as ox

    try:
        return sum(1 for _ in ox.parse(data, format=getattr(ox.RdfFormat, RDF_FORMATS[suffix])))
    except (SyntaxError, ValueError) as exc:
        raise PublishError(f"{shown}: error: export gate: the written part does not parse back: {exc}") from None


def manifest_for(folder: Path, names: list[str], kind: str = "build",
                 counted: Mapping[str, int] | None = None,
                 written: Mapping[str, tuple[int, str]] | None = None) -> dict[str, object]:
    """The manifest of the files ``names`` in ``folder``, an output of ``kind`` (``build`` or ``export``).

    Each RDF file is re-read by the export gate to count its triples, unless ``counted`` gives the count the
    gate found on the file's changed parts (see graph_builder.writing.patch). ``written``: the size and
    SHA-256 of the bytes a file was written from (else it is read and hashed)."""
    files: dict[str, object] = {}
    for name in sorted(names):
        path = folder / name
        if written is not None and name in written and os.stat(path).st_size == written[name][0]:
            size, digest = written[name]
        else:
            with open(path, "rb") as fh:
                size, digest = os.fstat(fh.fileno()).st_size, hashlib.file_digest(fh, "sha256").hexdigest()
        entry: dict[str, object] = {"bytes": size, "sha256": digest}
        if path.suffix in RDF_FORMATS:
            entry["triples"] = counted[name] if counted is not None and name in counted else count_triples(path)
        files[name] = entry
    return {"manifest": MANIFEST_TITLES[kind], "files": files}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def manifest_problem(data: object, kinds: Iterable[str] = _MANIFEST_KINDS) -> str | None:
    """What makes ``data`` (a parsed ``manifest.json``) not a manifest of one of ``kinds``; None when it is one."""
    titles = tuple(kinds)
    if not isinstance(data, dict):
        return f"it is {_json_type(data)}, not an object"
    if data.get("manifest") not in titles:
        return f"'manifest' is not {' or '.join(repr(t) for t in titles)}"
    files = data.get("files")
    if not isinstance(files, dict):
        return "'files' is missing" if "files" not in data else f"'files' is {_json_type(files)}, not an object"
    for name, entry in files.items():
        if not name or "/" in name or name in (".", ".."):
            return f"files: {name!r} is not a file name"
        if not isinstance(entry, dict):
            return f"files.{name} is {_json_type(entry)}, not an object"
        for key in ("bytes", "triples"):
            if (key == "bytes" or key in entry) and not _is_count(entry.get(key)):
                return f"files.{name}.{key} is {_json_type(entry.get(key))}, not a count"
        if not isinstance(entry.get("sha256"), str) or not _SHA256.fullmatch(entry["sha256"]):
            return f"files.{name}.sha256 is not a SHA-256 digest"
    return None


class ManifestError(PublishError):
    """A ``manifest.json`` that is not a customs-kg build manifest; ``why`` says what is wrong with it."""

    def __init__(self, path: Path, why: str, line: int = 0):
        self.why = why
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: error: manifest: not a customs-kg build manifest ({why})")


def read_manifest(path: Path, kinds: Iterable[str] = _MANIFEST_KINDS) -> dict[str, Any]:
    """The manifest in ``path``; :class:`ManifestError` when it is malformed in any way."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise ManifestError(path, f"not JSON: {exc.msg}", exc.lineno) from None
    except (ValueError, RecursionError):
        raise ManifestError(path, "not JSON in UTF-8") from None
    except OSError as exc:
        raise ManifestError(path, f"cannot read it: {describe_os_error(exc)}") from None
    problem = manifest_problem(data, kinds)
    if problem is not None:
        raise ManifestError(path, problem)
    return dict(data)


# --- Which folders an output may replace -------------------------------------------------------


@dataclass(frozen=True)
class OutputKind:
    """A kind of output folder: how it is named to a user, and the marker that proves a folder is one."""

    title: str
    proves: Callable[[Path], bool]


def _manifest_proves(title: str) -> Callable[[Path], bool]:
    def proves(folder: Path) -> bool:
        try:
            read_manifest(folder / MANIFEST, (title,))
        except ManifestError:
            return False
        return True

    return proves


def store_marker_ok(folder: Path) -> bool:
    """Whether ``folder`` holds the marker of a store written by ``build --store`` (see graph_builder.writing.store)."""
    try:
        data = json.loads((folder / STORE_MARKER).read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and _is_count(data.get("format")) and _is_count(data.get("quads"))


OUTPUT_KINDS: dict[str, OutputKind] = {
    "build": OutputKind("a customs-kg build", _manifest_proves(MANIFEST_TITLES["build"])),
    "export": OutputKind("a customs-kg export", _manifest_proves(MANIFEST_TITLES["export"])),
    "store": OutputKind("a customs-kg store", store_marker_ok),
    "site": OutputKind("a customs-kg site", _manifest_proves(MANIFEST_TITLES["site"])),
}


def _real(path: Path) -> Path:
    """The entry ``path`` names, with the folders above it resolved (the last part is not followed)."""
    absolute = Path(os.path.abspath(path))
    return absolute.parent.resolve() / absolute.name if absolute.name else absolute


def _reading_clash(target: Path, reading: Iterable[Path], folder: bool) -> str | None:
    """Why writing ``target`` would touch what the command reads (a facts folder, a data file); None if it does not."""
    for source in reading:
        real = Path(source).resolve()
        what = f"the facts folder being read ({source})" if real.is_dir() else f"the file being read ({source})"
        if target == real:
            return f"is {what}"
        if folder and real.is_relative_to(target):
            return f"holds {what}"
        if target.is_relative_to(real):
            return f"is inside {what}"
    return None


def check_output_folder(path: Path, kind: str, reading: Iterable[Path] = ()) -> None:
    """Refuse to write into or replace the folder ``path`` unless it is absent, empty or an earlier ``kind`` output.

    ``kind`` is a key of :data:`OUTPUT_KINDS`. Whatever it holds, the folder
    may not be, hold or lie inside one of ``reading`` (the facts folder or the
    file the command reads), nor be a repository root (hold ``.git``), nor be
    a symbolic link. Raises :class:`PublishError` ``PATH: error: output: why``
    (exit 2); nothing is touched.
    """
    why = _folder_refusal(Path(path), OUTPUT_KINDS[kind], reading)
    if why is not None:
        raise PublishError(f"{path}: error: output: {why}")


def _folder_refusal(path: Path, kind: OutputKind, reading: Iterable[Path]) -> str | None:
    if path.is_symlink():
        return "is a symbolic link; give the folder itself"
    if path.exists() and not path.is_dir():
        return "exists and is not a folder"
    clash = _reading_clash(_real(path), reading, folder=True)
    if clash is not None:
        return f"{clash}; choose an empty or new folder"
    try:
        entries = sorted(os.listdir(path)) if path.is_dir() else []
    except OSError as exc:
        return f"cannot read it: {describe_os_error(exc)}"
    if ".git" in entries:
        return "is a repository root (it holds .git); choose an empty or new folder"
    if not entries or kind.proves(path):
        return None
    for other in OUTPUT_KINDS.values():
        if other is not kind and other.proves(path):
            return f"is {other.title}, not {kind.title}; choose an empty or new folder"
    if MANIFEST in entries:
        try:
            read_manifest(path / MANIFEST)
        except ManifestError as exc:
            return f"its {MANIFEST} is not a customs-kg build manifest ({exc.why}); choose an empty or new folder"
    shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
    return f"holds files that are not {kind.title} ({shown}); choose an empty or new folder"


def check_output_file(path: Path, reading: Iterable[Path] = ()) -> None:
    """Refuse a single output file ``path`` that is a folder, the file being read or inside the facts folder read.

    Raises :class:`PublishError` ``PATH: error: output: why`` (exit 2).
    """
    path = Path(path)
    if path.is_dir():
        why: str | None = "is a folder; give a file name with -o (a single output file never replaces a folder)"
    else:
        clash = _reading_clash(_real(path), reading, folder=False)
        why = None if clash is None else f"{clash}; give another file name"
    if why is not None:
        raise PublishError(f"{path}: error: output: {why}")


# --- Failed writes ------------------------------------------------------------------------------

@contextlib.contextmanager
def writing(target: Path) -> Iterator[None]:
    """Report an ``OSError`` raised while writing the output ``target`` as a :class:`PublishError` naming it."""
    try:
        yield
    except OSError as exc:
        raise PublishError(f"{target}: error: output: cannot write it: {describe_os_error(exc)}; "
                           "what was there before is left as it was") from None


def _size_and_sha256(data: bytes | Sequence[bytes | memoryview]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for part in [data] if isinstance(data, bytes) else data:
        digest.update(part)  # the GIL is released while it hashes
        size += len(part)
    return size, digest.hexdigest()


def publish(out_dir: Path, files: Mapping[str, bytes | Sequence[bytes | memoryview]], kind: str = "build", *,
            counted: Mapping[str, int] | None = None, built_from: Mapping[str, object] | None = None,
            pool: Executor | None = None) -> dict[str, object]:
    """Write ``files`` (each file's bytes, or its parts in order) as one output of ``kind`` (``build`` or
    ``export``) in ``out_dir``; return the manifest.

    ``out_dir`` must be absent, empty or an earlier output of ``kind``
    (:func:`check_output_folder`); any other file of that earlier output is
    dropped: the folder holds exactly one output. A failed write leaves the
    earlier output as it was (:class:`PublishError`). ``counted``: the triple
    counts the caller's gate found (:func:`manifest_for`); ``built_from``: what
    the files were made from, recorded in the manifest (see
    graph_builder.writing.uptodate); ``pool``: where the files' bytes are hashed
    for the manifest while they are written (else they are read back and hashed).
    """
    check_output_folder(out_dir, kind)
    shown, out_dir = out_dir, Path(os.path.abspath(out_dir))
    parent = out_dir.parent
    with writing(shown):
        parent.mkdir(parents=True, exist_ok=True)
        sweep(parent, out_dir.name)
        with private_folder(out_dir) as staging:
            hashing = {name: pool.submit(_size_and_sha256, data) for name, data in files.items()} \
                if pool is not None else {}
            for name, data in sorted(files.items()):
                write_synced(staging / name, data)
            manifest = manifest_for(staging, list(files), kind, counted,
                                    {name: future.result() for name, future in hashing.items()})
            if built_from is not None:
                manifest["built_from"] = dict(built_from)
            write_synced(staging / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"))
            os.chmod(staging, 0o777 & ~current_umask())
            fsync_dir(staging)
            swap_in(staging, out_dir)
            fsync_dir(parent)
    return manifest


def verify(path: Path) -> None:
    """Refuse a file of a published build that is truncated or altered since the build.

    ``path`` is checked against the ``manifest.json`` beside it, when there is
    one that lists it; a file with no manifest is taken as the user's own. A
    malformed manifest is refused ("not a customs-kg build manifest").
    """
    manifest_path = path.parent / MANIFEST
    if not manifest_path.is_file():
        return
    entry = read_manifest(manifest_path)["files"].get(path.name)
    if entry is None:
        return
    data = path.read_bytes()
    if len(data) != entry["bytes"]:
        raise InputError(f"{path}: error: manifest: the file has {len(data)} bytes but the build wrote "
                         f"{entry['bytes']}: it was truncated or altered since the build; rebuild it")
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise InputError(f"{path}: error: manifest: the file's SHA-256 differs from the build's: it was altered "
                         "since the build; rebuild it")


