"""Whether a build's outputs are up to date, decided as make and ninja decide it: by the files' status, with
their content's SHA-256 when a status changed.

A build's manifest records what its files were built from (``built_from``:
:func:`inputs_digest`, a digest of the name and SHA-256 of every file under
the facts folder, of the ontology and shapes files, and of the schema's
version, the release and the build's options). A later build with the same
digest whose output files still have the SHA-256 the manifest gives would
write the same bytes, so it leaves them alone (:func:`up_to_date`).

Hashing a million triples' worth of facts and outputs takes a while, so the
SHA-256 of each file is remembered beside its status (size, modification and
change times, inode) in a JSON file of the incremental cache
(:class:`Hashes`), as git's index does; a file whose status differs, or that
changed less than a second before it was hashed (a later change could keep
its times), is hashed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

from graph_builder import __version__
from graph_builder.atomic import write_atomic
from graph_builder.loading.schema import SCHEMA_VERSION
from graph_builder.paths import ontology_files, shapes_files
from graph_builder.writing.publish import MANIFEST, MANIFEST_TITLES, ManifestError, read_manifest

STATE_VERSION = 1
_RACY_NS = 1_000_000_000  # a file changed within this long before it was hashed is hashed again


def _status(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class Hashes:
    """SHA-256 of files, remembered with their status in the JSON file ``path`` (None: nothing remembered)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.files: dict[str, list[Any]] = {}
        self.report: list[list[str]] = []
        self.hashed = 0  # files read and hashed (their status was not remembered or changed)
        if path is None:
            return
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("version") == STATE_VERSION:
            files, report = data.get("files"), data.get("report")
            self.files = files if isinstance(files, dict) else {}
            self.report = report if isinstance(report, list) else []

    def sha256(self, path: Path | str) -> str:
        """The SHA-256 of the file ``path`` (OSError when it cannot be read)."""
        key = str(path)
        st = os.stat(key)
        known = self.files.get(key)
        status = _status(st)
        if isinstance(known, list) and len(known) == 6 and known[:4] == status and isinstance(known[4], str) \
                and isinstance(known[5], int) and st.st_mtime_ns < known[5] - _RACY_NS:
            return known[4]
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

    def save(self, report: Iterable[tuple[str, object]] | None = None) -> None:
        """Remember the hashes (and the rows a build printed, to print them again when nothing changed)."""
        if self.path is None:
            return
        if report is not None:
            self.report = [[str(k), str(v)] for k, v in report]
        data = {"version": STATE_VERSION, "files": self.files, "report": self.report}
        try:
            write_atomic(self.path, json.dumps(data, separators=(",", ":")), durable=False)
        except OSError:
            pass  # a cache that cannot be written: the next build hashes again


def state_file(cache_dir: Path, out_dir: Path) -> Path:
    """Where the hashes and the report of the builds of ``out_dir`` are remembered, in the cache ``cache_dir``."""
    name = hashlib.sha256(os.path.abspath(out_dir).encode("utf-8")).hexdigest()[:32]
    return cache_dir / "builds" / f"{name}.json"


def input_files(facts_dir: Path) -> list[str]:
    """Every file under the facts folder (a superset of what the loader reads), by its path inside the folder."""
    found: list[str] = []
    root = str(facts_dir)
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        inside = os.path.relpath(folder, root)
        found.extend(name if inside == "." else f"{inside}/{name}" for name in files)
    return sorted(found)


def inputs_digest(facts_dir: Path, options: Mapping[str, object], hashes: Hashes) -> dict[str, object]:
    """What a build of ``facts_dir`` is made from, for the manifest's ``built_from`` (OSError when a file
    cannot be read: the build itself then says what is wrong with it)."""
    root = os.path.abspath(facts_dir)
    facts = input_files(facts_dir)
    parts = [["facts", name, hashes.sha256(os.path.join(root, name))] for name in facts]
    for kind, paths in (("ontology", ontology_files()), ("shapes", shapes_files())):
        parts.extend([kind, p.name, hashes.sha256(str(p))] for p in paths if p.is_file())
    described = {"schema": SCHEMA_VERSION, "release": __version__, "options": dict(sorted(options.items())),
                 "files": parts}
    digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode("utf-8")).hexdigest()
    return {"inputs": digest, "facts files": len(facts)}


def up_to_date(out_dir: Path, built_from: Mapping[str, object], hashes: Hashes) -> bool:
    """Whether ``out_dir`` holds a build made from ``built_from`` whose files are as that build wrote them."""
    try:
        manifest = read_manifest(out_dir / MANIFEST, (MANIFEST_TITLES["build"],))
    except ManifestError:
        return False
    recorded = manifest.get("built_from")
    if not isinstance(recorded, dict) or recorded.get("inputs") != built_from.get("inputs"):
        return False
    try:
        for name, entry in manifest["files"].items():
            path = out_dir / name
            if os.path.islink(path) or os.stat(path).st_size != entry["bytes"] \
                    or hashes.sha256(path) != entry["sha256"]:
                return False
    except OSError:
        return False
    return True
