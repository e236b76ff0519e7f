"""IRIs and keys: the one place that turns a curated key into its IRI and back.

Every curated node is ``id:{key}`` (``https://w3id.org/customs-kg/id/``); a
role is ``id:role/{key}``. The other modules read keys from IRIs only
through :func:`key_of` and :func:`entity_of`.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.term import Node

from graph_builder.namespaces import ID

_ID = str(ID)


def iri(key: str) -> URIRef:
    """The IRI of a curated key."""
    return ID[key]


def role_iri(key: str) -> URIRef:
    """The IRI of a role of the controlled list."""
    return ID["role/" + key]


def entity_of(node: Node | str) -> str | None:
    """The curated key behind an IRI of ours (``rilo-cis``, ``role/chair``), or None."""
    text = str(node)
    return text[len(_ID):] if text.startswith(_ID) else None


def key_of(node: Node | str) -> str:
    """The curated key behind an IRI of ours, else the IRI (or text) itself."""
    text = str(node)
    return text[len(_ID):] if text.startswith(_ID) else text


def local_name(node: Node | str) -> str:
    """The part of an IRI after its last ``#`` or ``/``."""
    return str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
