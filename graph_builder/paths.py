"""Where the project's data folders are: one place that resolves them.

In a source checkout the folders sit at the top of the repository; in an
installed package they are shipped as ``graph_builder/resources/<folder>``.
``CUSTOMS_KG_FACTS`` overrides the default facts folder.
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


def default_facts_dir() -> Path:
    """The bundled facts, or ``$CUSTOMS_KG_FACTS``."""
    env = os.environ.get("CUSTOMS_KG_FACTS")
    return Path(env) if env else data_dir("facts")
