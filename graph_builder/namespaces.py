"""The namespaces of the graph (schema.org in its ``http://`` form)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

CKG = Namespace("https://w3id.org/customs-kg/ontology#")
ID = Namespace("https://w3id.org/customs-kg/id/")
SCHEMA = Namespace("http://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
CKGSH = Namespace("https://w3id.org/customs-kg/shapes#")
VANN = Namespace("http://purl.org/vocab/vann/")

PREFIXES: dict[str, str] = {
    "ckg": str(CKG),
    "id": str(ID),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "time": str(TIME),
    "xsd": str(XSD),
}

__all__ = ["CKG", "ID", "SCHEMA", "SH", "CKGSH", "VANN", "PREFIXES",
           "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SKOS", "TIME", "XSD"]
