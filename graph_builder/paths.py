"""Where the project's data folders are: one place that resolves them.

In a source checkout the folders sit at the top of the repository; in an
installed package they are shipped as ``graph_builder/resources/<folder>``.
``CUSTOMS_KG_FACTS`` overrides the default facts folder; inside a checkout its ``facts/`` is the default.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _root() -> Path:
    shipped = _PACKAGE / "resources"
    if (shipped / "ontology").is_dir():
        return shipped
    return _PACKAGE.parent


def data_dir(name: str) -> Path:
    """The folder ``ontology``, ``shapes``, ``queries`` or ``facts``."""
    return _root() / name


def ontology_file() -> Path:
    """The project ontology, ``ontology/customs.ttl``."""
    return data_dir("ontology") / "customs.ttl"


def ontology_files() -> list[Path]:
    """The ontology and its local import modules, in a stable order."""
    folder = data_dir("ontology")
    return [folder / "customs.ttl"] + sorted((folder / "imports").glob("*.ttl"))


def shapes_files() -> list[Path]:
    """The SHACL shapes (SHACL-for-SHACL excluded)."""
    return sorted(p for p in data_dir("shapes").glob("*.ttl") if p.name != "shacl-shacl.ttl")


def queries_dir() -> Path:
    """The named queries' folder."""
    return data_dir("queries")


def checkout_facts(start: Path) -> Path | None:
    """The ``facts/`` folder of the checkout ``start`` lies in (``start`` or a folder above it), if any: a
    folder named ``facts`` holding ``sources/`` and ``entities/`` or ``vocab/``."""
    for folder in (start, *start.parents):
        candidate = folder / "facts"
        if (candidate / "sources").is_dir() and ((candidate / "entities").is_dir() or (candidate / "vocab").is_dir()):
            return candidate
    return None


def facts_folder() -> tuple[Path, str]:
    """The facts folder a command reads when none is given, and why that one.

    ``$CUSTOMS_KG_FACTS``; else the ``facts/`` folder of the checkout the working
    directory lies in (so a curator's edits take effect whatever copy of the
    package is installed); else the facts the package runs from (the
    repository's in an editable install, the copy installed with it otherwise).
    """
    env = os.environ.get("CUSTOMS_KG_FACTS")
    if env:
        return Path(env), "$CUSTOMS_KG_FACTS"
    here = checkout_facts(Path.cwd())
    if here is not None:
        return here, "the facts folder of this checkout"
    installed = _root() != _PACKAGE.parent
    return data_dir("facts"), ("the copy installed with customs-kg" if installed
                               else "the facts folder of the checkout customs-kg runs from")


def default_facts_dir() -> Path:
    """The facts folder a command reads when none is given (see :func:`facts_folder`)."""
    return facts_folder()[0]
