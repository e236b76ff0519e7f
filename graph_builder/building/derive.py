"""What the graph derives by a rule from stated facts, kept apart from them.

Every derived item is a node of its own in the named graph ``id:derived/graph``, never a plain triple beside
the stated ones: it has ``ckg:basis ckg:Derived``, ``ckg:derivedBy`` the rule (a ``ckg:DerivationRule``,
described in the ontology) and ``prov:wasDerivedFrom`` each stated node it was derived from. A query, card or
drawing that shows it can say "derived" and why; one that reads only the stated predicates never sees it.

The rules:

* ``ckg:ChairDuringTerm``: a meeting of a series that names no chair of its own, held (as far as the dates
  can tell, at their own precision) within a dated chair term on the series, or on the body whose meetings
  the series are (``series_of``), is derived to have been chaired by the holder of that term: a
  ``ckg:DerivedAssociation`` linked by ``ckg:derivedAssociation``. A meeting only scheduled, planned,
  postponed or cancelled gets none.
* ``ckg:EndFromTerm``: a membership with a start and a fixed term (``term: P4Y``) and no stated end ends, at
  its start's precision, when the term runs out: ``ckg:derivedEnd`` on the membership.
* ``ckg:EndWhenSuccessorTookOffice``: a membership with a ``successor`` and no stated end ends when the
  successor's membership starts.
"""

from __future__ import annotations

import re
from collections import defaultdict

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph_builder.building.terms import date_literal, instant_property
from graph_builder.iris import iri, role_iri
from graph_builder.loading.dates import PartialDate, add_years_months, definitely_within
from graph_builder.loading.facts import Facts, Loc, Statement
from graph_builder.namespaces import CKG, ID, PROV, RDF, RDFS, TIME

DERIVED_GRAPH = ID["derived/graph"]
NOT_HELD = ("scheduled", "planned", "announced", "postponed", "cancelled")


def _years_months(term: str) -> tuple[int, int]:
    found = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?", term)
    assert found, term  # checked by the loader
    return int(found.group(1) or 0), int(found.group(2) or 0)


class _Deriver:
    def __init__(self, facts: Facts):
        self.facts = facts
        self.graph: set[tuple[Node, Node, Node]] = set()
        self.origins: dict[Node, set[Loc]] = defaultdict(set)
        self.memberships: dict[str, list[Statement]] = facts.claim_keys("membership")

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def derived(self, node: URIRef, rule: URIRef, inputs: list[URIRef], sts: list[Statement]) -> None:
        self.add(node, CKG.basis, CKG.Derived)
        self.add(node, CKG.derivedBy, rule)
        for i in inputs:
            self.add(node, PROV.wasDerivedFrom, i)
        for st in sts:
            self.origins[node].add(st.loc)

    def membership_value(self, key: str, name: str) -> PartialDate | None:
        for st in self.memberships.get(key, ()):
            if name in st.values:
                return st.values.date(name)
        return None

    def membership_text(self, key: str, name: str) -> str | None:
        for st in self.memberships.get(key, ()):
            if name in st.values:
                return st.values.text(name)
        return None

    # -- ckg:EndFromTerm, ckg:EndWhenSuccessorTookOffice ----------------------------------------------
    def ends(self) -> None:
        for key, sts in sorted(self.memberships.items()):
            if self.membership_value(key, "end") is not None:
                continue
            start = self.membership_value(key, "start")
            term = self.membership_text(key, "term")
            successor = self.membership_text(key, "successor")
            end: PartialDate | None = None
            if successor is not None:
                end = self.membership_value(successor, "start")
                rule, inputs = CKG.EndWhenSuccessorTookOffice, [iri(key), iri(successor)]
                why = f"when the successor took office ({end})"
            if end is None and term is not None and start is not None:
                end = add_years_months(start, *_years_months(term))
                rule, inputs = CKG.EndFromTerm, [iri(key)]
                why = f"a term of {term} from {start}"
            if end is None:
                continue
            instant = ID[key + "/interval/derived-end"]
            self.add(iri(key), CKG.derivedEnd, instant)
            self.add(instant, RDF.type, TIME.Instant)
            self.add(instant, instant_property(end), date_literal(end))
            self.add(instant, RDFS.label, Literal(f"end derived from {why}", lang="en"))
            self.derived(instant, rule, inputs, sts)

    # -- ckg:ChairDuringTerm ---------------------------------------------------------------------------
    def chairs_during_terms(self) -> None:
        series_of: dict[str, set[str]] = defaultdict(set)  # body -> its series
        events: dict[str, list[Statement]] = defaultdict(list)
        for st in self.facts.statements:
            if st.kind == "series_of":
                series_of[st.values.text("body")].add(st.values.text("series"))
            elif st.kind == "event":
                events[st.subject].append(st)
        meetings_of: dict[str, list[tuple[str, PartialDate]]] = defaultdict(list)
        for key, sts in events.items():
            values = [st.values for st in sts]
            series = next((v.text("series") for v in values if "series" in v), None)
            start = next((v.optional_date("start") or v.optional_date("date") for v in values
                          if "start" in v or "date" in v), None)
            chaired = any(r.text("role") == "chair" and "status" not in r for v in values for r in v.records("roles"))
            not_held = any(v.optional_text("status") in NOT_HELD for v in values)
            if series and start and not chaired and not not_held:
                meetings_of[series].append((key, start))
        for key, sts in sorted(self.memberships.items()):
            v = sts[0].values
            if v.text("role") != "chair":
                continue
            start, end = self.membership_value(key, "start"), self.membership_value(key, "end")
            body = v.text("organization")
            agent = v.text("member")
            for series in sorted({body} | series_of.get(body, set())):
                for meeting, held in sorted(meetings_of.get(series, ())):
                    if not definitely_within(held, start, end):
                        continue
                    node = ID[f"{meeting}/derived-role/chair/{agent}"]
                    self.add(iri(meeting), CKG.derivedAssociation, node)
                    self.add(node, RDF.type, CKG.DerivedAssociation)
                    self.add(node, RDF.type, PROV.Association)
                    self.add(node, PROV.agent, iri(agent))
                    self.add(node, PROV.hadRole, role_iri("chair"))
                    self.add(node, RDFS.label, Literal(
                        f"{self.name(agent)}: chair of {self.name(meeting)} (derived: within the chair's term)",
                        lang="en"))
                    self.derived(node, CKG.ChairDuringTerm, [iri(key), iri(meeting)], sts + events[meeting])

    def name(self, key: str) -> str:
        entity = self.facts.entities.get(key)
        return entity.names.pref["en"] if entity else key


def derive(facts: Facts) -> tuple[set[tuple[Node, Node, Node]], dict[Node, set[Loc]]]:
    """The triples of the derived named graph of a loaded facts folder (see the module's rules), and the
    statements each derived node was derived from."""
    d = _Deriver(facts)
    d.ends()
    d.chairs_during_terms()
    return d.graph, d.origins
