"""Map loaded facts to RDF, following ``docs/data-model.md`` and ``docs/interop.md``.

The result is a set of quads: the default graph holds entities, roles,
sources and their metadata; one named graph per source holds what that source
states, with its provenance. The union of all graphs is the merged graph.
Every node has an IRI minted from curated keys (no blank nodes), so the same
facts always give the same quads.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from .dates import PartialDate
from .facts import UNIT_TYPES, Facts, Loc, Statement
from .namespaces import CKG, FOAF, ID, ORG, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS, TIME, XSD

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]

ROLE_SCHEME = ID["role"]

TYPE_CLASSES: dict[str, tuple[URIRef, ...]] = {
    "IntergovernmentalOrganization": (CKG.IntergovernmentalOrganization, ORG.FormalOrganization, ORG.Organization),
    "NationalCustomsAdministration": (CKG.NationalCustomsAdministration, ORG.FormalOrganization, ORG.Organization, SCHEMA.GovernmentOrganization),
    **{t: (CKG[t], ORG.OrganizationalUnit, ORG.Organization) for t in sorted(UNIT_TYPES)},
    "Network": (CKG.Network, ORG.Organization),
    "Delegation": (CKG.Delegation, ORG.Organization),
    "MeetingSeries": (CKG.MeetingSeries, SCHEMA.EventSeries, ORG.Organization),
    "Meeting": (CKG.Meeting, SCHEMA.Event, PROV.Activity),
    "Session": (CKG.Session, CKG.Meeting, SCHEMA.Event, PROV.Activity),
    "Operation": (CKG.Operation, SCHEMA.Event, PROV.Activity),
    "Programme": (CKG.Programme, SCHEMA.Project),
    "Project": (CKG.Project, SCHEMA.Project),
    "InformationPlatform": (CKG.InformationPlatform, SCHEMA.SoftwareApplication),
    "Plan": (CKG.Plan, SCHEMA.CreativeWork, PROV.Entity, PROV.Plan),
    "Agreement": (CKG.Agreement, SCHEMA.CreativeWork, PROV.Entity),
    "Document": (CKG.Document, SCHEMA.CreativeWork, PROV.Entity),
    "Person": (FOAF.Person, SCHEMA.Person),
    "Country": (SCHEMA.Country, SCHEMA.Place),
    "City": (SCHEMA.City, SCHEMA.Place),
}

ELECTION_CLASSES = {
    "election": (CKG.Election,),
    "re-election": (CKG.ReElection, CKG.Election),
    "appointment": (CKG.Appointment,),
    "candidacy": (CKG.CandidacyAgreement,),
}
ELECTION_WORDS = {"election": "Election", "re-election": "Re-election", "appointment": "Appointment", "candidacy": "Agreed candidacy"}
ATTENDANCE_MODES = {
    "online": SCHEMA.OnlineEventAttendanceMode,
    "offline": SCHEMA.OfflineEventAttendanceMode,
    "mixed": SCHEMA.MixedEventAttendanceMode,
}
COUNT_RELATIONS = {"attendee": SCHEMA.attendee, "member": ORG.hasMember}
NO_GENERATION = ("proposed", "to-be-approved")
FREQUENCY_DURATIONS = {"annual": "P1Y"}


def iri(key: str) -> URIRef:
    """The IRI of a curated key."""
    return ID[key]


def role_iri(key: str) -> URIRef:
    """The IRI of a role of the controlled list."""
    return ID["role/" + key]


def date_literal(d: PartialDate) -> Literal:
    """A literal of the date's own precision (xsd:gYear, xsd:gYearMonth or xsd:date)."""
    return Literal(str(d), datatype=XSD[d.xsd])


def instant_property(d: PartialDate) -> URIRef:
    """``time:inXSDDate``, ``time:inXSDgYearMonth`` or ``time:inXSDgYear``."""
    return {"day": TIME.inXSDDate, "month": TIME.inXSDgYearMonth, "year": TIME.inXSDgYear}[d.precision]


def number_literal(text: str) -> Literal:
    """An xsd:integer or xsd:decimal literal, exactly as written."""
    return Literal(text, datatype=XSD.decimal if "." in text else XSD.integer)


def _sha(text: str, n: int = 16) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def statement_iri(s: Node, p: Node, o: Node) -> URIRef:
    """The IRI of the reified statement of a plain fact triple."""
    return ID["statement/" + _sha(f"{s.n3()} {p.n3()} {o.n3()}")]


def source_graph_iri(source_key: str) -> URIRef:
    """The named graph holding what one source states."""
    return ID[source_key + "/graph"]


@dataclass
class Build:
    """The built graph: quads by graph, and where each node was stated."""

    default: set[Triple] = field(default_factory=set)
    graphs: dict[URIRef, set[Triple]] = field(default_factory=lambda: defaultdict(set))
    origins: dict[Node, set[Loc]] = field(default_factory=lambda: defaultdict(set))

    def quads(self) -> Iterable[Quad]:
        """Every quad; the default graph's graph is ``None``."""
        for t in self.default:
            yield (*t, None)
        for g, triples in self.graphs.items():
            for t in triples:
                yield (*t, g)

    def merged(self) -> set[Triple]:
        """The union of all graphs."""
        out = set(self.default)
        for triples in self.graphs.values():
            out |= triples
        return out

    def merged_graph(self) -> Graph:
        """The merged graph as an rdflib Graph with the project's prefixes."""
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns, override=True, replace=True)
        for t in self.merged():
            g.add(t)
        return g

    def dataset(self) -> Dataset:
        """The quads as an rdflib Dataset with the project's prefixes."""
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns, override=True, replace=True)
        for t in self.default:
            ds.add(t)
        for g, triples in self.graphs.items():
            graph = ds.graph(g)
            for t in triples:
                graph.add(t)
        return ds


class _Builder:
    def __init__(self, facts: Facts):
        self.facts = facts
        self.out = Build()

    # -- helpers ----------------------------------------------------------
    def base(self, s: Node, p: Node, o: Node) -> None:
        self.out.default.add((s, p, o))

    def labels(self, node: URIRef, entity_names: object, loc: Loc, *, kind: str) -> None:
        names = entity_names  # Names
        pref = getattr(names, "pref")
        aliases = getattr(names, "aliases")
        self.base(node, RDFS.label, Literal(pref["en"], lang="en"))
        for lang in sorted(pref):
            self.base(node, SKOS.prefLabel, Literal(pref[lang], lang=lang))
        for lang in sorted(aliases):
            for alias in aliases[lang]:
                self.base(node, SKOS.altLabel, Literal(alias, lang=lang))
        if kind == "Person":
            self.base(node, FOAF.name, Literal(pref["en"]))
        if kind in ("Country", "City"):
            self.base(node, SCHEMA.name, Literal(pref["en"], lang="en"))
        self.out.origins[node].add(loc)

    def name(self, key: str) -> str:
        if key in self.facts.entities:
            return self.facts.entities[key].names.pref["en"]
        if key in self.facts.roles:
            return self.facts.roles[key].names.pref["en"]
        return key

    # -- vocabularies, entities, sources ---------------------------------
    def roles(self) -> None:
        self.base(ROLE_SCHEME, RDF.type, SKOS.ConceptScheme)
        self.base(ROLE_SCHEME, SKOS.prefLabel, Literal("Roles", lang="en"))
        self.base(ROLE_SCHEME, RDFS.label, Literal("Roles", lang="en"))
        for role in self.facts.roles.values():
            node = role_iri(role.key)
            self.base(node, RDF.type, ORG.Role)
            self.base(node, RDF.type, SKOS.Concept)
            self.base(node, SKOS.inScheme, ROLE_SCHEME)
            self.labels(node, role.names, role.loc, kind="Role")

    def entities(self) -> None:
        for entity in self.facts.entities.values():
            node = iri(entity.key)
            for cls in TYPE_CLASSES[entity.type]:
                self.base(node, RDF.type, cls)
            self.labels(node, entity.names, entity.loc, kind=entity.type)
            if entity.code:
                self.base(node, SKOS.notation, Literal(entity.code))
            if entity.country:
                pred = SCHEMA.containedInPlace if entity.type == "City" else SCHEMA.areaServed
                self.base(node, pred, iri(entity.country))

    def sources(self) -> None:
        for src in self.facts.sources.values():
            node = iri(src.key)
            self.base(node, RDF.type, SCHEMA.NewsArticle)
            self.base(node, RDF.type, PROV.Entity)
            self.base(node, RDFS.label, Literal(src.headline, lang=src.language))
            self.base(node, SCHEMA.headline, Literal(src.headline, lang=src.language))
            self.base(node, SCHEMA.inLanguage, Literal(src.language))
            self.base(node, CKG.sourceFile, Literal(src.text_file))
            if src.published:
                self.base(node, SCHEMA.datePublished, date_literal(src.published))
            if src.publisher:
                self.base(node, SCHEMA.publisher, iri(src.publisher))
            if src.url:
                self.base(node, SCHEMA.url, URIRef(src.url))
            self.out.origins[node].add(src.loc)

    # -- statements -------------------------------------------------------
    def statements(self) -> None:
        memberships_by_election: dict[str, set[str]] = defaultdict(set)
        for st in self.facts.statements:
            if st.kind == "membership" and "generated_by" in st.values:
                memberships_by_election[st.values["generated_by"]].add(st.subject)
        self.memberships_by_election = memberships_by_election
        for st in self.facts.statements:
            _Statement(self, st).build()


class _Statement:
    """Builds the triples of one statement into its source's graph."""

    def __init__(self, builder: _Builder, st: Statement):
        self.b = builder
        self.st = st
        self.source = iri(st.source)
        self.graph = builder.out.graphs[source_graph_iri(st.source)]
        self.lang = builder.facts.sources[st.source].language
        self.quotes = []
        for text in st.quotes:
            q = ID["quote/" + _sha(st.source + "\n" + text)]
            self.quotes.append(q)
            self.add(q, RDF.type, CKG.Quotation)
            self.add(q, RDF.type, PROV.Entity)
            self.add(q, PROV.value, Literal(text, lang=self.lang))
            self.add(q, PROV.wasQuotedFrom, self.source)
            builder.out.origins[q].add(st.loc)

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.graph.add((s, p, o))

    def claim(self, node: URIRef) -> None:
        """Mark ``node`` as a claim of this statement: link it to quote and source."""
        for q in self.quotes:
            self.add(node, PROV.wasDerivedFrom, q)
        self.add(node, PROV.wasDerivedFrom, self.source)
        self.b.out.origins[node].add(self.st.loc)

    def fact(self, s: Node, p: Node, o: Node) -> None:
        """A plain fact triple, asserted and reified with its provenance."""
        self.add(s, p, o)
        node = statement_iri(s, p, o)
        self.add(node, RDF.type, RDF.Statement)
        self.add(node, RDF.subject, s)
        self.add(node, RDF.predicate, p)
        self.add(node, RDF.object, o)
        self.claim(node)

    def build(self) -> None:
        getattr(self, "k_" + self.st.kind)(self.st.values)

    # -- kinds ------------------------------------------------------------
    def k_event(self, v: dict[str, Any]) -> None:
        e = iri(self.st.subject)
        key = self.st.subject
        self.claim(e)
        if "series" in v:
            self.fact(e, SCHEMA.superEvent, iri(v["series"]))
            self.add(iri(v["series"]), SCHEMA.subEvent, e)
        if "super_event" in v:
            self.fact(e, SCHEMA.superEvent, iri(v["super_event"]))
            self.add(iri(v["super_event"]), SCHEMA.subEvent, e)
        if "number" in v:
            self.fact(e, SCHEMA.position, Literal(str(v["number"]), datatype=XSD.integer))
        start = v.get("start", v.get("date"))
        end = v.get("end", v.get("date"))
        if start:
            self.fact(e, SCHEMA.startDate, date_literal(start))
        if end:
            self.fact(e, SCHEMA.endDate, date_literal(end))
        if "place" in v:
            self.fact(e, SCHEMA.location, iri(v["place"]))
        if "attendance" in v:
            mode = v["attendance"]
            if mode in ("online", "mixed"):
                virtual = ID[key + "/online"]
                self.add(virtual, RDF.type, SCHEMA.VirtualLocation)
                self.add(virtual, RDFS.label, Literal("Online", lang="en"))
                self.add(virtual, SCHEMA.name, Literal("Online", lang="en"))
                self.fact(e, SCHEMA.location, virtual)
            self.fact(e, SCHEMA.eventAttendanceMode, ATTENDANCE_MODES[mode])
        if v.get("status") == "scheduled":
            self.fact(e, SCHEMA.eventStatus, SCHEMA.EventScheduled)
        for org in v.get("organizer", ()):
            self.fact(e, SCHEMA.organizer, iri(org))
        for who in v.get("attendees", ()):
            self.fact(e, SCHEMA.attendee, iri(who))
        for r in v.get("roles", ()):
            assoc = ID[f"{key}/role/{r['role']}/{r['agent']}"]
            self.add(e, PROV.qualifiedAssociation, assoc)
            self.add(e, PROV.wasAssociatedWith, iri(r["agent"]))
            self.add(assoc, RDF.type, PROV.Association)
            self.add(assoc, PROV.agent, iri(r["agent"]))
            self.add(assoc, PROV.hadRole, role_iri(r["role"]))
            self.add(assoc, RDFS.label, Literal(f"{self.b.name(r['agent'])}: {self.b.name(r['role'])} of {self.b.name(key)}", lang="en"))
            if "on_behalf_of" in r:
                self.add(assoc, CKG.onBehalfOf, iri(r["on_behalf_of"]))
            self.claim(assoc)
        for thing in v.get("about", ()):
            self.fact(e, SCHEMA.about, iri(thing))
        if "follows" in v:
            self.fact(e, CKG.immediatelyFollows, iri(v["follows"]))
        for q in v.get("quantities", ()):
            node = iri(q["id"])
            self.add(e, CKG.hasQuantity, node)
            self.add(node, RDF.type, SCHEMA.QuantitativeValue)
            self.add(node, SCHEMA.name, Literal(q["name"], lang=self.lang))
            self.add(node, RDFS.label, Literal(q["name"], lang=self.lang))
            for field_name, pred in (("value", SCHEMA.value), ("min", SCHEMA.minValue), ("max", SCHEMA.maxValue)):
                if field_name in q:
                    self.add(node, pred, number_literal(q[field_name]))
            self.add(node, SCHEMA.unitCode, Literal(q["unit"]))
            self.claim(node)
        for c in v.get("stated_counts", ()):
            self.stated_count(e, c)
        for o in v.get("outcomes", ()):
            node = ID[f"{key}/outcome/{o['object']}"]
            obj = iri(o["object"])
            self.add(node, RDF.type, CKG.Outcome)
            self.add(node, CKG.outcomeOf, e)
            self.add(node, CKG.outcomeObject, obj)
            self.add(node, CKG.action, Literal(o["action"]))
            self.add(node, RDFS.label, Literal(f"{self.b.name(o['object'])}: {o['action']} at {self.b.name(key)}", lang="en"))
            self.claim(node)
            if o["action"] not in NO_GENERATION:
                self.add(obj, PROV.wasGeneratedBy, e)
                self.add(e, PROV.generated, obj)

    def stated_count(self, subject: URIRef, c: dict[str, Any]) -> None:
        key = str(subject).removeprefix(str(ID))
        node = ID[f"{key}/stated-count/{_sha(self.st.source + str(c['count']) + c['of'], 8)}"]
        self.add(node, RDF.type, CKG.StatedCount)
        self.add(node, CKG.countOf, subject)
        self.add(node, CKG["count"], Literal(str(c["count"]), datatype=XSD.nonNegativeInteger))
        self.add(node, CKG.countDescription, Literal(c["of"], lang=self.lang))
        self.add(node, RDFS.label, Literal(f"{c['count']} {c['of']}", lang=self.lang))
        if "counted_type" in c:
            self.add(node, CKG.countedClass, TYPE_CLASSES[c["counted_type"]][0])
        relation = c.get("relation", "attendee")
        self.add(node, CKG.countedRelation, COUNT_RELATIONS[relation])
        if "enumerated" in c:
            self.add(node, CKG.enumerated, Literal("true" if c["enumerated"] else "false", datatype=XSD.boolean))
        self.claim(node)

    def k_stated_count(self, v: dict[str, Any]) -> None:
        self.stated_count(iri(v["entity"]), v)

    def k_membership(self, v: dict[str, Any]) -> None:
        m = iri(self.st.subject)
        member = self.b.facts.entities[v["member"]]
        self.add(m, RDF.type, ORG.Membership)
        if member.type == "Person":
            self.add(m, RDF.type, CKG.Tenure)
        self.add(m, ORG.member, iri(v["member"]))
        self.add(m, ORG.organization, iri(v["organization"]))
        self.add(m, ORG.role, role_iri(v["role"]))
        self.add(iri(v["member"]), ORG.hasMembership, m)
        self.add(m, RDFS.label, Literal(f"{self.b.name(v['member'])}: {self.b.name(v['role'])}, {self.b.name(v['organization'])}", lang="en"))
        self.claim(m)
        if "start" in v or "end" in v:
            interval = ID[self.st.subject + "/interval"]
            self.add(m, ORG.memberDuring, interval)
            self.add(interval, RDF.type, TIME.Interval)
            self.claim(interval)
            for name, pred, suffix in (("start", TIME.hasBeginning, "begin"), ("end", TIME.hasEnd, "end")):
                if name in v:
                    instant = ID[f"{self.st.subject}/interval/{suffix}"]
                    self.add(interval, pred, instant)
                    self.add(instant, RDF.type, TIME.Instant)
                    self.add(instant, instant_property(v[name]), date_literal(v[name]))
                    self.claim(instant)
        for d in v.get("attested", ()):
            self.add(m, CKG.attestedAt, date_literal(d))
        if "generated_by" in v:
            self.add(m, PROV.wasGeneratedBy, iri(v["generated_by"]))
        if "on_behalf_of" in v:
            self.add(m, CKG.onBehalfOf, iri(v["on_behalf_of"]))

    def k_election(self, v: dict[str, Any]) -> None:
        e = iri(self.st.subject)
        for cls in ELECTION_CLASSES[v["kind"]] + (SCHEMA.Event, PROV.Activity):
            self.add(e, RDF.type, cls)
        who = self.b.name(v["candidate"]) if "candidate" in v else "the " + self.b.name(v["role"])
        label = f"{ELECTION_WORDS[v['kind']]} of {who} as {self.b.name(v['role'])} of {self.b.name(v['organization'])}"
        if "candidate" not in v:
            label = f"{ELECTION_WORDS[v['kind']]}: {self.b.name(v['role'])} of {self.b.name(v['organization'])}"
        self.add(e, SKOS.prefLabel, Literal(label, lang="en"))
        self.add(e, RDFS.label, Literal(label, lang="en"))
        self.add(e, CKG.electedTo, role_iri(v["role"]))
        self.add(e, CKG.electedIn, iri(v["organization"]))
        if "candidate" in v:
            self.add(e, CKG.candidate, iri(v["candidate"]))
        if "at" in v:
            self.fact(e, SCHEMA.superEvent, iri(v["at"]))
            self.add(iri(v["at"]), SCHEMA.subEvent, e)
        if "date" in v:
            self.fact(e, SCHEMA.startDate, date_literal(v["date"]))
        for m in sorted(self.b.memberships_by_election.get(self.st.subject, ())):
            self.add(e, CKG.resultingMembership, iri(m))
        self.claim(e)

    def k_part_of(self, v: dict[str, Any]) -> None:
        unit, parent = iri(v["unit"]), iri(v["parent"])
        self.fact(unit, ORG.subOrganizationOf, parent)
        self.add(parent, ORG.hasSubOrganization, unit)
        if self.b.facts.entities[v["unit"]].type in UNIT_TYPES:
            self.fact(unit, ORG.unitOf, parent)
            self.add(parent, ORG.hasUnit, unit)

    def k_reports_to(self, v: dict[str, Any]) -> None:
        self.fact(iri(v["org"]), ORG.reportsTo, iri(v["to"]))

    def k_supported_by(self, v: dict[str, Any]) -> None:
        self.fact(iri(v["org"]), CKG.administrativelySupportedBy, iri(v["by"]))

    def k_founded(self, v: dict[str, Any]) -> None:
        self.fact(iri(v["org"]), SCHEMA.foundingDate, date_literal(v["date"]))

    def k_located(self, v: dict[str, Any]) -> None:
        self.fact(iri(v["entity"]), SCHEMA.location, iri(v["place"]))

    def k_alias(self, v: dict[str, Any]) -> None:
        self.fact(iri(v["entity"]), SKOS.altLabel, Literal(v["text"], lang=v["lang"]))

    def k_run_by(self, v: dict[str, Any]) -> None:
        thing = self.b.facts.entities[v["thing"]]
        pred = SCHEMA.organizer if thing.type in ("Meeting", "Session", "Operation") else SCHEMA.provider
        for by in v["by"]:
            self.fact(iri(v["thing"]), pred, iri(by))

    def k_recurs(self, v: dict[str, Any]) -> None:
        series = iri(v["series"])
        schedule = ID[v["series"] + "/schedule"]
        self.fact(series, SCHEMA.eventSchedule, schedule)
        self.add(schedule, RDF.type, SCHEMA.Schedule)
        self.add(schedule, RDFS.label, Literal(f"{v['frequency'].capitalize()} schedule of {self.b.name(v['series'])}", lang="en"))
        self.add(schedule, SCHEMA.repeatFrequency, Literal(FREQUENCY_DURATIONS[v["frequency"]], datatype=XSD.duration))
        self.claim(schedule)

    def k_description(self, v: dict[str, Any]) -> None:
        self.fact(iri(v["entity"]), SCHEMA.description, Literal(v["text"], lang=self.lang))

    def k_linked_to(self, v: dict[str, Any]) -> None:
        for to in v["to"]:
            self.fact(iri(v["thing"]), CKG.linkedTo, iri(to))


def build(facts: Facts) -> Build:
    """Build the quads of a loaded facts folder."""
    b = _Builder(facts)
    b.roles()
    b.entities()
    b.sources()
    b.statements()
    return b.out


def entity_of(node: Node) -> str | None:
    """The curated key behind an IRI of ours, or None."""
    text = str(node)
    if not text.startswith(str(ID)):
        return None
    return text[len(str(ID)):]
