"""Whether a build's outputs are up to date, decided as make and ninja decide it: by the files' status, with
their content's SHA-256 when a status changed.

A build's manifest records what its files were built from (``built_from``:
:func:`inputs_digest`, a digest of the name and SHA-256 of every file under
the facts folder, of the ontology and shapes files, and of the schema's
version, the release and the build's options). A later build with the same
digest whose output files still have the SHA-256 the manifest gives would
write the same bytes, so it leaves them alone (:func:`up_to_date`).

Hashing a million triples' worth of facts and outputs takes a while, so the
SHA-256 of each file is remembered beside its status in a JSON file of the
incremental cache (graph_builder.building.cache.Hashes).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Mapping

from graph_builder import __version__
from graph_builder.building.cache import Hashes
from graph_builder.loading.schema import SCHEMA_VERSION
from graph_builder.paths import ontology_files, shapes_files
from graph_builder.writing.publish import MANIFEST, MANIFEST_TITLES, ManifestError, read_manifest

def state_file(cache_dir: Path, out_dir: Path) -> Path:
    """Where the hashes and the report of the builds of ``out_dir`` are remembered, in the cache ``cache_dir``."""
    name = hashlib.sha256(os.path.abspath(out_dir).encode("utf-8")).hexdigest()[:32]
    return cache_dir / "builds" / f"{name}.json"


def input_files(facts_dir: Path) -> tuple[list[str], list[list[str]]]:
    """Every file under the facts folder (a superset of what the loader reads), by its path inside the folder,
    and every symbolic link there with its target (the loader refuses some that lead outside the folder)."""
    found: list[str] = []
    links: list[list[str]] = []
    root = str(facts_dir)
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        inside = os.path.relpath(folder, root)
        for name in (*dirs, *files):
            path = os.path.join(folder, name)
            if os.path.islink(path):
                links.append([os.path.relpath(path, root), os.readlink(path)])
        found.extend(name if inside == "." else f"{inside}/{name}" for name in files)
    return sorted(found), sorted(links)


def inputs_digest(facts_dir: Path, options: Mapping[str, object], hashes: Hashes) -> dict[str, object]:
    """What a build of ``facts_dir`` is made from, for the manifest's ``built_from`` (OSError when a file
    cannot be read: the build itself then says what is wrong with it)."""
    root = os.path.abspath(facts_dir)
    facts, links = input_files(facts_dir)
    parts = [["facts", name, hashes.sha256(os.path.join(root, name))] for name in facts]
    for kind, paths in (("ontology", ontology_files()), ("shapes", shapes_files())):
        parts.extend([kind, p.name, hashes.sha256(str(p))] for p in paths if p.is_file())
    described = {"schema": SCHEMA_VERSION, "release": __version__, "options": dict(sorted(options.items())),
                 "files": parts, "links": links}
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
