"""RDF literals of the values a curator writes: dates at their precision."""

from __future__ import annotations

from rdflib import Literal, URIRef

from graph_builder.loading.dates import PartialDate
from graph_builder.namespaces import TIME, XSD


def date_literal(d: PartialDate) -> Literal:
    """A literal of the date's own precision (xsd:gYear, xsd:gYearMonth or xsd:date)."""
    return Literal(str(d), datatype=XSD[d.xsd])


def instant_property(d: PartialDate) -> URIRef:
    """``time:inXSDDate``, ``time:inXSDgYearMonth`` or ``time:inXSDgYear``."""
    return {"day": TIME.inXSDDate, "month": TIME.inXSDgYearMonth, "year": TIME.inXSDgYear}[d.precision]
