"""Publish a multi-file build as a whole, with a manifest that catches damage later.

A build is written into a private staging folder beside the output folder,
every file flushed to disk, each RDF file re-read by a strict parser (the
export gate), and a ``manifest.json`` (file sizes, SHA-256, triple counts)
written last. The staging folder then replaces the output folder in one
atomic step (Linux ``renameat2(RENAME_EXCHANGE)``, or a plain rename when
there is no previous build), so a reader, a concurrent build or a crash never
sees a half-written build: the previous build stays intact until the new one
is complete and verified.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping

from .errors import InputError

if TYPE_CHECKING:
    import pyoxigraph

MANIFEST = "manifest.json"
_RDF_FORMATS = {".ttl": "TURTLE", ".trig": "TRIG", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".jsonld": "JSON_LD"}
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class PublishError(InputError):
    """A build could not be published; the previous build is untouched."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def gate_parse(path: Path) -> Iterator[pyoxigraph.Quad]:
    """The export gate: the quads of an RDF file, parsed strictly (Oxigraph, no base IRI).

    The format follows the file suffix; a file that does not parse raises
    :class:`PublishError` (while iterating).
    """
    import pyoxigraph as ox

    fmt = getattr(ox.RdfFormat, _RDF_FORMATS[path.suffix])
    try:
        yield from ox.parse(path=str(path), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise PublishError(f"{path}: error: export gate: the written file does not parse back: {exc}") from None


def count_triples(path: Path) -> int:
    """Parse an RDF file strictly (the export gate) and count its triples or quads."""
    return sum(1 for _ in gate_parse(path))


def manifest_for(folder: Path, names: list[str]) -> dict[str, object]:
    """The manifest of the files ``names`` in ``folder``."""
    files: dict[str, object] = {}
    for name in sorted(names):
        path = folder / name
        data = path.read_bytes()
        entry: dict[str, object] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if path.suffix in _RDF_FORMATS:
            entry["triples"] = count_triples(path)
        files[name] = entry
    return {"manifest": "customs-kg build", "files": files}


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the system cannot (then the caller falls back)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def publish(out_dir: Path, files: Mapping[str, bytes]) -> dict[str, object]:
    """Write ``files`` as one build in ``out_dir``; return the manifest.

    Any other file in a previous build is dropped: the output folder holds
    exactly one build.
    """
    out_dir = out_dir.absolute()
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    if out_dir.exists() and not out_dir.is_dir():
        raise PublishError(f"{out_dir}: error: output: exists and is not a folder")
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=parent))
    try:
        for name, data in sorted(files.items()):
            with open(staging / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        manifest = manifest_for(staging, list(files))
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        with open(staging / MANIFEST, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(staging, 0o777 & ~_umask())
        _fsync_dir(staging)
        _swap_in(staging, out_dir)
        _fsync_dir(parent)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` at ``out_dir``; afterwards ``staging`` holds the previous build (or nothing)."""
    for _attempt in range(5):
        if out_dir.exists():
            if _exchange(staging, out_dir):
                return
            # no atomic exchange here: move the old build aside, then the new one in
            aside = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.rmdir(aside)
            os.rename(out_dir, aside)
            os.rename(staging, out_dir)
            os.rename(aside, staging)
            return
        try:
            os.rename(staging, out_dir)
            staging.mkdir()  # so the caller's cleanup finds a folder
            return
        except OSError as exc:  # another build created out_dir in between: exchange instead
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    raise PublishError(f"{out_dir}: error: output: could not publish the build (the folder keeps changing)")


def verify(path: Path) -> None:
    """Refuse a file of a published build that is truncated or altered since the build.

    ``path`` is checked against the ``manifest.json`` beside it, when there is
    one that lists it; a file with no manifest is taken as the user's own.
    """
    manifest_path = path.parent / MANIFEST
    if not manifest_path.is_file():
        return
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entry = manifest["files"].get(path.name)
    except (ValueError, KeyError, AttributeError, TypeError):
        raise InputError(f"{manifest_path}: error: manifest: not a customs-kg build manifest") from None
    if entry is None:
        return
    data = path.read_bytes()
    if len(data) != entry["bytes"]:
        raise InputError(f"{path}: error: manifest: the file has {len(data)} bytes but the build wrote "
                         f"{entry['bytes']}: it was truncated or altered since the build; rebuild it")
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise InputError(f"{path}: error: manifest: the file's SHA-256 differs from the build's: it was altered "
                         "since the build; rebuild it")
