"""Check a built graph against the SHACL shapes and report in curators' terms.

pySHACL is the validator. Its report graph is translated into
:class:`~graph_builder.errors.Problem` records that name the facts file and
line where the offending node was stated, the entity, the property and the
rule in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph_builder.errors import Problem
from graph_builder.iris import entity_of
from graph_builder.loading.facts import Loc
from graph_builder.namespaces import PREFIXES, RDF, SH
from graph_builder.paths import shapes_files
from graph_builder.validating.reasoning import ontology_graph


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result, with the rule's name and the facts it comes from."""

    severity: str
    focus: str
    path: str
    shape: str
    message: str
    value: str
    locations: tuple[Loc, ...]

    def problem(self) -> Problem:
        """The violation as a located problem a curator can act on."""
        loc = self.locations[0] if self.locations else Loc("(graph)", 0)
        where = f" (also at {', '.join(str(l) for l in self.locations[1:])})" if len(self.locations) > 1 else ""
        value = f" [value: {self.value}]" if self.value else ""
        rule = f" (rule {self.shape})" if self.shape else ""
        sev = "error" if self.severity == "Violation" else self.severity.lower()
        return Problem(loc.file, loc.line, f"{self.focus}{'.' + self.path if self.path else ''}",
                       f"{self.message}{value}{rule}{where}", sev)


def short(node: Node | None) -> str:
    """A compact name for a node: a curated key, a prefixed name or the IRI."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node)
    text = str(node)
    key = entity_of(text)
    if key is not None:
        return key
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    if text.startswith("https://w3id.org/customs-kg/shapes#"):
        return "ckgsh:" + text.split("#", 1)[1]
    return text


def load_graph(paths: Iterable[Path]) -> Graph:
    """Parse local Turtle files into one graph (nothing is fetched)."""
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def shapes_graph() -> Graph:
    """The project's SHACL shapes."""
    return load_graph(shapes_files())


def shacl_validate(data: Graph, origins: Mapping[Node, Iterable[Loc]] | None = None,
                   shapes: Graph | None = None, ontology: Graph | None = None) -> list[Violation]:
    """Run pySHACL; return every result (violations, warnings, infos), sorted."""
    import pyshacl

    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none",
        advanced=True, allow_warnings=True, abort_on_first=False,
    )
    return sorted(set(translate_report(report, origins or {})))


def report_graph(data: Graph, shapes: Graph | None = None, ontology: Graph | None = None) -> Graph:
    """pySHACL's SHACL validation report graph (``sh:ValidationReport``) for ``data``, its blank nodes
    labelled canonically (the same data gives the same labels)."""
    import pyshacl
    from rdflib.compare import to_canonical_graph

    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none",
        advanced=True, allow_warnings=True, abort_on_first=False,
    )
    return to_canonical_graph(report)


def locations_of(origins: Mapping[Node, Iterable[Loc]], focus: Node | None) -> tuple[Loc, ...]:
    """The facts locations where ``focus`` was stated, sorted."""
    return tuple(sorted(set(origins.get(focus, ())))) if focus is not None else ()


def translate_report(report: Graph, origins: Mapping[Node, Iterable[Loc]]) -> list[Violation]:
    """pySHACL's report graph as :class:`Violation` records located in the facts."""
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        shape = report.value(result, SH.sourceShape)
        severity = report.value(result, SH.resultSeverity)
        value = report.value(result, SH.value)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        out.append(Violation(
            severity=short(severity).split("#")[-1].replace("sh:", "") if severity is not None else "Violation",
            focus=short(focus), path=short(path) if isinstance(path, URIRef) else "",
            shape=short(shape) if isinstance(shape, URIRef) else "",
            message=messages[0] if messages else "breaks a shape",
            value=short(value) if value is not None and value != focus else "",
            locations=locations_of(origins, focus)))
    return out
