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
from functools import cached_property
from typing import Callable, Collection, Iterable, Mapping, TypeVar

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from graph_builder.building.derive import DERIVED_GRAPH, derive
from graph_builder.building.terms import date_literal, instant_property
from graph_builder.iris import iri, key_of, role_iri
from graph_builder.loading.facts import Facts, Loc, Statement, Values
from graph_builder.loading.schema import KINDS, UNIT_TYPES, Written
from graph_builder.namespaces import CKG, FOAF, ID, ORG, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS, TIME, XSD

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]

ROLE_SCHEME = ID["role"]
TOPIC_SCHEME = ID["topic"]

TYPE_CLASSES: dict[str, tuple[URIRef, ...]] = {
    "IntergovernmentalOrganization": (CKG.IntergovernmentalOrganization, ORG.FormalOrganization, ORG.Organization),
    "NationalCustomsAdministration": (CKG.NationalCustomsAdministration, ORG.FormalOrganization, ORG.Organization, SCHEMA.GovernmentOrganization),
    **{t: (CKG[t], ORG.OrganizationalUnit, ORG.Organization) for t in sorted(UNIT_TYPES)},
    "Network": (CKG.Network, ORG.Organization),
    "Delegation": (CKG.Delegation, ORG.Organization),
    "MeetingSeries": (CKG.MeetingSeries, SCHEMA.EventSeries, ORG.Organization),
    "Meeting": (CKG.Meeting, SCHEMA.Event, PROV.Activity),
    "Session": (CKG.Session, CKG.Meeting, SCHEMA.Event, PROV.Activity),
    "Phase": (CKG.Phase, SCHEMA.Event, PROV.Activity),
    "Operation": (CKG.Operation, SCHEMA.Event, PROV.Activity),
    "Programme": (CKG.Programme, SCHEMA.Project),
    "Project": (CKG.Project, SCHEMA.Project),
    "InformationPlatform": (CKG.InformationPlatform, SCHEMA.SoftwareApplication),
    "Plan": (CKG.Plan, SCHEMA.CreativeWork, PROV.Entity, PROV.Plan),
    "Agreement": (CKG.Agreement, SCHEMA.CreativeWork, PROV.Entity),
    "Document": (CKG.Document, SCHEMA.CreativeWork, PROV.Entity),
    "OperationSeries": (CKG.OperationSeries, SCHEMA.EventSeries),
    "Topic": (CKG.Topic, SKOS.Concept),
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
# An event's status other than took-place: its schema:eventStatus, beside ckg:modality.
EVENT_STATUSES = {
    "scheduled": SCHEMA.EventScheduled, "planned": SCHEMA.EventScheduled, "announced": SCHEMA.EventScheduled,
    "postponed": SCHEMA.EventPostponed, "cancelled": SCHEMA.EventCancelled,
}
COUNT_RELATIONS = {"attendee": SCHEMA.attendee, "member": ORG.hasMember}
NO_GENERATION = ("proposed", "to-be-approved")
FREQUENCY_DURATIONS = {"annual": "P1Y"}


def modality_iri(status: str) -> URIRef:
    """The ckg:Modality individual of a status word: ``planned`` -> ``ckg:Planned``."""
    return CKG[status.capitalize()]


_ROMAN = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90), ("L", 50), ("XL", 40),
          ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))


def roman(n: int) -> str:
    """4 -> "IV"."""
    out = ""
    for letters, value in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def numeral_variant(name: str, number: int) -> str | None:
    """The name of a numbered edition with its number written the other way: "Operation Lantern III" (number
    3) -> "Operation Lantern 3", "Lantern 4" -> "Lantern IV"; None when the name does not end with its number."""
    head, _, last = name.rpartition(" ")
    if not head:
        return None
    if last == roman(number):
        return f"{head} {number}"
    if last == str(number):
        return f"{head} {roman(number)}"
    return None


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


class FactsReader:
    """What the statements of one source read of the rest of the facts: names, entity types, the memberships a
    handover names, the memberships an election resulted in. With ``reads``, each read is recorded there as
    ``(method, key)`` (the methods below), so that a cached graph can be kept while what it read is unchanged
    (graph_builder.building.cache: :func:`reads_digest`)."""

    def __init__(self, facts: Facts, memberships_by_election: Mapping[str, set[str]],
                 reads: set[tuple[str, str]] | None = None):
        self.facts = facts
        self.memberships_by_election = memberships_by_election
        self.reads = reads
        self._values: dict[tuple[str, str], str] = {}  # value()'s answers

    @cached_property
    def memberships(self) -> dict[str, list[Statement]]:
        """The membership statements by key (a handover names the posts it passes on by them)."""
        return self.facts.claim_keys("membership")

    def _read(self, method: str, key: str) -> None:
        if self.reads is not None:
            self.reads.add((method, key))

    def name(self, key: str) -> str:
        """The English name of an entity or role (the key itself when it names neither)."""
        self._read("name", key)
        if key in self.facts.entities:
            return self.facts.entities[key].names.pref["en"]
        if key in self.facts.roles:
            return self.facts.roles[key].names.pref["en"]
        return key

    def entity_type(self, key: str) -> str:
        """The type of an entity."""
        self._read("entity_type", key)
        return self.facts.entities[key].type

    def membership(self, key: str) -> Values:
        """The values of the (first) membership statement of ``key``."""
        self._read("membership", key)
        return self.memberships[key][0].values

    def resulting(self, election: str) -> list[str]:
        """The memberships the election ``election`` resulted in, sorted."""
        self._read("resulting", election)
        return sorted(self.memberships_by_election.get(election, ()))

    def value(self, method: str, key: str) -> str:
        """What the read ``(method, key)`` gives now, as text (a read recorded by another layout gives "?"); the
        facts are not to change after the first call (the values are kept)."""
        known = self._values.get((method, key))
        if known is None:
            known = self._values[(method, key)] = self._value(method, key)
        return known

    def _value(self, method: str, key: str) -> str:
        if method not in ("name", "entity_type", "membership", "resulting"):
            return "?"
        reads, self.reads = self.reads, None
        try:
            found: object = getattr(self, method)(key)
        except (KeyError, IndexError):
            found = None
        finally:
            self.reads = reads
        return repr(found)


R = TypeVar("R")


def _chosen(records: Mapping[str, R], only: Collection[str] | None) -> Iterable[R]:
    """The records of the keys ``only`` (all when None), in their order."""
    return records.values() if only is None else (r for k, r in records.items() if k in only)


class _Builder(FactsReader):
    def __init__(self, facts: Facts, memberships_by_election: Mapping[str, set[str]],
                 reads: set[tuple[str, str]] | None = None):
        super().__init__(facts, memberships_by_election, reads)
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

    # -- vocabularies, entities, sources ---------------------------------
    def roles(self, only: Collection[str] | None = None) -> None:
        self.base(ROLE_SCHEME, RDF.type, SKOS.ConceptScheme)
        self.base(ROLE_SCHEME, SKOS.prefLabel, Literal("Roles", lang="en"))
        self.base(ROLE_SCHEME, RDFS.label, Literal("Roles", lang="en"))
        for role in _chosen(self.facts.roles, only):
            node = role_iri(role.key)
            self.base(node, RDF.type, ORG.Role)
            self.base(node, RDF.type, SKOS.Concept)
            self.base(node, SKOS.inScheme, ROLE_SCHEME)
            if role.single_holder:
                self.base(node, RDF.type, CKG.SingleHolderRole)
            self.labels(node, role.names, role.loc, kind="Role")

    def entities(self, only: Collection[str] | None = None) -> None:
        for entity in _chosen(self.facts.entities, only):
            node = iri(entity.key)
            for cls in TYPE_CLASSES[entity.type]:
                self.base(node, RDF.type, cls)
            if entity.type == "Topic":
                self.base(TOPIC_SCHEME, RDF.type, SKOS.ConceptScheme)
                self.base(TOPIC_SCHEME, SKOS.prefLabel, Literal("Topics", lang="en"))
                self.base(TOPIC_SCHEME, RDFS.label, Literal("Topics", lang="en"))
                self.base(node, SKOS.inScheme, TOPIC_SCHEME)
            self.labels(node, entity.names, entity.loc, kind=entity.type)
            if entity.code:
                self.base(node, SKOS.notation, Literal(entity.code))
            if entity.country:
                pred = SCHEMA.containedInPlace if entity.type == "City" else SCHEMA.areaServed
                self.base(node, pred, iri(entity.country))

    def sources(self, only: Collection[str] | None = None) -> None:
        for src in _chosen(self.facts.sources, only):
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
            if src.publisher and src.publisher_inferred:  # not stated by the article: an inference, with its reason
                st = statement_iri(node, SCHEMA.publisher, iri(src.publisher))
                for p, o in ((RDF.type, RDF.Statement), (RDF.subject, node), (RDF.predicate, SCHEMA.publisher),
                             (RDF.object, iri(src.publisher)), (PROV.wasDerivedFrom, node), (CKG.basis, CKG.Inferred),
                             (CKG.inferenceReason, Literal(src.publisher_inferred, lang="en"))):
                    self.base(st, p, o)
            if src.url:
                self.base(node, SCHEMA.url, URIRef(src.url))
            for cited in src.citing:  # reported via: the article relays what this agent said
                self.base(node, CKG.citing, iri(cited))
                self.base(node, PROV.wasInfluencedBy, iri(cited))
            self.out.origins[node].add(src.loc)

    # -- statements -------------------------------------------------------
    def statements(self, statements: Iterable[Statement]) -> None:
        for st in statements:
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
        """Mark ``node`` as a claim of this statement: link it to quote and source (and, for a curator's
        inference, to its reason; the entity an ``event:`` or ``programme:`` statement is about is not
        itself inferred)."""
        for q in self.quotes:
            self.add(node, PROV.wasDerivedFrom, q)
        self.add(node, PROV.wasDerivedFrom, self.source)
        if self.st.inferred and not (KINDS[self.st.kind].written is Written.ABOUT and node == iri(self.st.subject)):
            self.add(node, CKG.basis, CKG.Inferred)
            self.add(node, CKG.inferenceReason, Literal(self.st.inferred, lang="en"))
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
        KIND_BUILDERS[self.st.kind](self, self.st.values)

    # -- kinds ------------------------------------------------------------
    def k_event(self, v: Values) -> None:
        e = iri(self.st.subject)
        key = self.st.subject
        self.claim(e)
        if "series" in v:
            self.fact(e, SCHEMA.superEvent, iri(v.text("series")))
            self.add(iri(v.text("series")), SCHEMA.subEvent, e)
        if "super_event" in v:
            self.fact(e, SCHEMA.superEvent, iri(v.text("super_event")))
            self.add(iri(v.text("super_event")), SCHEMA.subEvent, e)
        if "number" in v:
            self.fact(e, SCHEMA.position, Literal(str(v.number("number")), datatype=XSD.integer))
            variant = numeral_variant(self.b.name(key), v.number("number"))
            if variant:  # "Operation Lantern III" is also found as "Operation Lantern 3", and the reverse
                self.add(e, SKOS.hiddenLabel, Literal(variant, lang="en"))
        start = v.optional_date("start") or v.optional_date("date")
        end = v.optional_date("end") or v.optional_date("date")
        if start:
            self.fact(e, SCHEMA.startDate, date_literal(start))
        if end:
            self.fact(e, SCHEMA.endDate, date_literal(end))
        if "place" in v:
            self.fact(e, SCHEMA.location, iri(v.text("place")))
        if "attendance" in v:
            mode = v.text("attendance")
            if mode in ("online", "mixed"):
                virtual = ID[key + "/online"]
                self.add(virtual, RDF.type, SCHEMA.VirtualLocation)
                self.add(virtual, RDFS.label, Literal("Online", lang="en"))
                self.add(virtual, SCHEMA.name, Literal("Online", lang="en"))
                self.fact(e, SCHEMA.location, virtual)
            self.fact(e, SCHEMA.eventAttendanceMode, ATTENDANCE_MODES[mode])
        status = v.optional_text("status")
        if status in EVENT_STATUSES:
            self.fact(e, SCHEMA.eventStatus, EVENT_STATUSES[status])
            self.fact(e, CKG.modality, modality_iri(status))
        for org in v.keys_of("organizer"):
            self.fact(e, SCHEMA.organizer, iri(org))
        for who in v.keys_of("attendees"):
            self.fact(e, SCHEMA.attendee, iri(who))
        for r in v.records("roles"):
            planned = r.optional_text("status")
            if planned is not None:
                # Planned, invited, announced or cancelled: kept apart from the roles played.
                assoc = ID[f"{key}/{planned}-role/{r.text('role')}/{r.text('agent')}"]
                self.add(e, CKG.plannedAssociation, assoc)
                self.add(assoc, RDF.type, CKG.PlannedAssociation)
                self.add(assoc, CKG.modality, modality_iri(planned))
            else:
                assoc = ID[f"{key}/role/{r.text('role')}/{r.text('agent')}"]
                self.add(e, PROV.qualifiedAssociation, assoc)
                self.add(e, PROV.wasAssociatedWith, iri(r.text("agent")))
            self.add(assoc, RDF.type, PROV.Association)
            self.add(assoc, PROV.agent, iri(r.text("agent")))
            self.add(assoc, PROV.hadRole, role_iri(r.text("role")))
            planned_word = f" ({planned})" if planned is not None else ""
            self.add(assoc, RDFS.label, Literal(f"{self.b.name(r.text('agent'))}: {self.b.name(r.text('role'))}{planned_word} of {self.b.name(key)}", lang="en"))
            if "on_behalf_of" in r:
                self.add(assoc, CKG.onBehalfOf, iri(r.text("on_behalf_of")))
            self.claim(assoc)
        for thing in v.keys_of("about"):
            self.fact(e, SCHEMA.about, iri(thing))
        if "follows" in v:
            self.fact(e, CKG.immediatelyFollows, iri(v.text("follows")))
        if "platform" in v:
            self.fact(e, CKG.platform, iri(v.text("platform")))
        for q in v.records("quantities"):
            node = iri(q.text("id"))
            self.add(e, CKG.hasQuantity, node)
            self.add(node, RDF.type, SCHEMA.QuantitativeValue)
            self.add(node, SCHEMA.name, Literal(q.text("name"), lang=self.lang))
            self.add(node, RDFS.label, Literal(q.text("name"), lang=self.lang))
            for field_name, pred in (("value", SCHEMA.value), ("min", SCHEMA.minValue), ("max", SCHEMA.maxValue)):
                if field_name in q:
                    self.add(node, pred, number_literal(q.text(field_name)))
            self.add(node, SCHEMA.unitCode, Literal(q.text("unit")))
            self.claim(node)
        for c in v.records("stated_counts"):
            self.stated_count(e, c)
        for o in v.records("outcomes"):
            node = ID[f"{key}/outcome/{o.text('object')}"]
            obj = iri(o.text("object"))
            self.add(node, RDF.type, CKG.Outcome)
            self.add(node, CKG.outcomeOf, e)
            self.add(node, CKG.outcomeObject, obj)
            self.add(node, CKG.action, Literal(o.text("action")))
            self.add(node, RDFS.label, Literal(f"{self.b.name(o.text('object'))}: {o.text('action')} at {self.b.name(key)}", lang="en"))
            self.claim(node)
            if o.text("action") not in NO_GENERATION:
                self.add(obj, PROV.wasGeneratedBy, e)
                self.add(e, PROV.generated, obj)

    def stated_count(self, subject: URIRef, c: Values) -> None:
        key = key_of(subject)
        node = ID[f"{key}/stated-count/{_sha(self.st.source + str(c.number('count')) + c.text('of'), 8)}"]
        self.add(node, RDF.type, CKG.StatedCount)
        self.add(node, CKG.countOf, subject)
        self.add(node, CKG["count"], Literal(str(c.number("count")), datatype=XSD.nonNegativeInteger))
        self.add(node, CKG.countDescription, Literal(c.text("of"), lang=self.lang))
        whole = f" out of {c.number('out_of')}" if "out_of" in c else ""
        when = f" (as of {c.date('as_of')})" if "as_of" in c else ""
        self.add(node, RDFS.label, Literal(f"{c.number('count')}{whole} {c.text('of')}{when}", lang=self.lang))
        if "counted_type" in c:
            self.add(node, CKG.countedClass, TYPE_CLASSES[c.text("counted_type")][0])
        relation = c.optional_text("relation") or "attendee"
        self.add(node, CKG.countedRelation, COUNT_RELATIONS[relation])
        if "enumerated" in c:
            self.add(node, CKG.enumerated, Literal("true" if c.flag("enumerated") else "false", datatype=XSD.boolean))
        if "out_of" in c:
            self.add(node, CKG.outOf, Literal(str(c.number("out_of")), datatype=XSD.nonNegativeInteger))
        if "as_of" in c:
            self.add(node, CKG.asOf, date_literal(c.date("as_of")))
        self.claim(node)

    def k_stated_count(self, v: Values) -> None:
        self.stated_count(iri(v.text("entity")), v)

    def k_membership(self, v: Values) -> None:
        m = iri(self.st.subject)
        self.add(m, RDF.type, ORG.Membership)
        if self.b.entity_type(v.text("member")) == "Person":
            self.add(m, RDF.type, CKG.Tenure)
        self.add(m, ORG.member, iri(v.text("member")))
        self.add(m, ORG.organization, iri(v.text("organization")))
        self.add(m, ORG.role, role_iri(v.text("role")))
        self.add(iri(v.text("member")), ORG.hasMembership, m)
        self.add(m, RDFS.label, Literal(f"{self.b.name(v.text('member'))}: {self.b.name(v.text('role'))}, {self.b.name(v.text('organization'))}", lang="en"))
        self.claim(m)
        if "start" in v or "end" in v:
            interval = self.interval(v, ID[self.st.subject + "/interval"])
            self.add(m, ORG.memberDuring, interval)
        for d in v.dates("attested"):
            self.add(m, CKG.attestedAt, date_literal(d))
        if "generated_by" in v:
            self.add(m, PROV.wasGeneratedBy, iri(v.text("generated_by")))
        if "on_behalf_of" in v:
            self.add(m, CKG.onBehalfOf, iri(v.text("on_behalf_of")))
        if "term" in v:
            interval = ID[self.st.subject + "/interval"]
            self.add(m, ORG.memberDuring, interval)
            self.add(interval, RDF.type, TIME.Interval)
            self.add(interval, TIME.hasXSDDuration, Literal(v.text("term"), datatype=XSD.duration))
            self.claim(interval)
        if "successor" in v:
            self.fact(m, CKG.succeededBy, iri(v.text("successor")))

    def interval(self, v: Values, node: URIRef) -> URIRef:
        """A time:Interval from the statement's ``start`` and ``end``, each a time:Instant at its precision."""
        self.add(node, RDF.type, TIME.Interval)
        self.claim(node)
        for name, pred, suffix in (("start", TIME.hasBeginning, "begin"), ("end", TIME.hasEnd, "end")):
            if name in v:
                instant = URIRef(f"{node}/{suffix}")
                self.add(node, pred, instant)
                self.add(instant, RDF.type, TIME.Instant)
                self.add(instant, instant_property(v.date(name)), date_literal(v.date(name)))
                self.claim(instant)
        return node

    def k_election(self, v: Values) -> None:
        e = iri(self.st.subject)
        for cls in ELECTION_CLASSES[v.text("kind")] + (SCHEMA.Event, PROV.Activity):
            self.add(e, RDF.type, cls)
        who = self.b.name(v.text("candidate")) if "candidate" in v else "the " + self.b.name(v.text("role"))
        label = f"{ELECTION_WORDS[v.text('kind')]} of {who} as {self.b.name(v.text('role'))} of {self.b.name(v.text('organization'))}"
        if "candidate" not in v:
            label = f"{ELECTION_WORDS[v.text('kind')]}: {self.b.name(v.text('role'))} of {self.b.name(v.text('organization'))}"
        self.add(e, SKOS.prefLabel, Literal(label, lang="en"))
        self.add(e, RDFS.label, Literal(label, lang="en"))
        self.add(e, CKG.electedTo, role_iri(v.text("role")))
        self.add(e, CKG.electedIn, iri(v.text("organization")))
        if "candidate" in v:
            self.add(e, CKG.candidate, iri(v.text("candidate")))
        for by in v.keys_of("nominated_by"):
            self.add(e, CKG.nominatedBy, iri(by))
        if "by" in v:
            self.add(e, CKG.electedBy, iri(v.text("by")))
            self.add(e, PROV.wasAssociatedWith, iri(v.text("by")))
        if "at" in v:
            self.fact(e, SCHEMA.superEvent, iri(v.text("at")))
            self.add(iri(v.text("at")), SCHEMA.subEvent, e)
        if "date" in v:
            self.fact(e, SCHEMA.startDate, date_literal(v.date("date")))
        for m in self.b.resulting(self.st.subject):
            self.add(e, CKG.resultingMembership, iri(m))
        self.claim(e)

    def k_part_of(self, v: Values) -> None:
        unit, parent = iri(v.text("unit")), iri(v.text("parent"))
        self.fact(unit, ORG.subOrganizationOf, parent)
        self.add(parent, ORG.hasSubOrganization, unit)
        if self.b.entity_type(v.text("unit")) in UNIT_TYPES:
            self.fact(unit, ORG.unitOf, parent)
            self.add(parent, ORG.hasUnit, unit)

    def k_reports_to(self, v: Values) -> None:
        self.fact(iri(v.text("org")), ORG.reportsTo, iri(v.text("to")))

    def k_supported_by(self, v: Values) -> None:
        self.fact(iri(v.text("org")), CKG.administrativelySupportedBy, iri(v.text("by")))

    def k_founded(self, v: Values) -> None:
        self.fact(iri(v.text("org")), SCHEMA.foundingDate, date_literal(v.date("date")))

    def k_located(self, v: Values) -> None:
        self.fact(iri(v.text("entity")), SCHEMA.location, iri(v.text("place")))

    def k_alias(self, v: Values) -> None:
        self.fact(iri(v.text("entity")), SKOS.altLabel, Literal(v.text("text"), lang=v.text("lang")))

    def k_run_by(self, v: Values) -> None:
        pred = SCHEMA.organizer if self.b.entity_type(v.text("thing")) in ("Meeting", "Session", "Phase", "Operation") else SCHEMA.provider
        for by in v.keys_of("by"):
            self.fact(iri(v.text("thing")), pred, iri(by))

    def k_recurs(self, v: Values) -> None:
        series = iri(v.text("series"))
        schedule = ID[v.text("series") + "/schedule"]
        self.fact(series, SCHEMA.eventSchedule, schedule)
        self.add(schedule, RDF.type, SCHEMA.Schedule)
        self.add(schedule, RDFS.label, Literal(f"{v.text('frequency').capitalize()} schedule of {self.b.name(v.text('series'))}", lang="en"))
        self.add(schedule, SCHEMA.repeatFrequency, Literal(FREQUENCY_DURATIONS[v.text("frequency")], datatype=XSD.duration))
        self.claim(schedule)

    def k_description(self, v: Values) -> None:
        self.fact(iri(v.text("entity")), SCHEMA.description, Literal(v.text("text"), lang=self.lang))

    def k_linked_to(self, v: Values) -> None:
        for to in v.keys_of("to"):
            self.fact(iri(v.text("thing")), CKG.linkedTo, iri(to))

    def k_programme(self, v: Values) -> None:
        p = iri(self.st.subject)
        self.claim(p)
        if "start" in v or "end" in v:
            self.fact(p, CKG.period, self.interval(v, ID[self.st.subject + "/period"]))
        status = v.optional_text("status")
        if status is not None and status != "in-force":
            self.fact(p, CKG.modality, modality_iri(status))
        for body in v.keys_of("implemented_by"):
            self.fact(iri(body), CKG.implements, p)
        for body in v.keys_of("adopted_by"):
            self.fact(p, CKG.adoptedBy, iri(body))
        if "adopted" in v:
            self.fact(p, CKG.adoptionDate, date_literal(v.date("adopted")))
        for thing in v.keys_of("about"):
            self.fact(p, SCHEMA.about, iri(thing))

    def k_series_of(self, v: Values) -> None:
        series, body = iri(v.text("series")), iri(v.text("body"))
        self.fact(series, CKG.seriesOf, body)
        self.fact(series, SCHEMA.organizer, body)

    def k_handover(self, v: Values) -> None:
        h = iri(self.st.subject)
        out_key, in_key = v.text("outgoing"), v.text("incoming")
        for cls in (CKG.Handover, SCHEMA.Event, PROV.Activity):
            self.add(h, RDF.type, cls)
        label = f"Handover: {self._holder(out_key)} to {self._holder(in_key)}, {self._post(in_key)}"
        self.add(h, SKOS.prefLabel, Literal(label, lang="en"))
        self.add(h, RDFS.label, Literal(label, lang="en"))
        self.add(h, CKG.outgoingTenure, iri(out_key))
        self.add(h, CKG.incomingTenure, iri(in_key))
        if "date" in v:
            self.fact(h, SCHEMA.startDate, date_literal(v.date("date")))
            self.fact(h, SCHEMA.endDate, date_literal(v.date("date")))
        if "place" in v:
            self.fact(h, SCHEMA.location, iri(v.text("place")))
        self.claim(h)
        self.fact(iri(out_key), CKG.succeededBy, iri(in_key))

    def _holder(self, membership: str) -> str:
        return self.b.name(self.b.membership(membership).text("member"))

    def _post(self, membership: str) -> str:
        v = self.b.membership(membership)
        return f"{self.b.name(v.text('role'))} of {self.b.name(v.text('organization'))}"

    def k_said(self, v: Values) -> None:
        node = iri(self.st.subject)
        speaker = iri(v.text("speaker"))
        for cls in (CKG.AttributedStatement, SCHEMA.Quotation, PROV.Entity):
            self.add(node, RDF.type, cls)
        label = f"{self.b.name(v.text('speaker'))} {v.text('verb').replace('-', ' ')}: {v.text('text')}"
        self.add(node, RDFS.label, Literal(label, lang=self.lang))
        self.add(node, SCHEMA.creator, speaker)
        self.add(node, PROV.wasAttributedTo, speaker)
        self.add(node, SCHEMA.text, Literal(v.text("text"), lang=self.lang))
        self.add(node, CKG.speechVerb, Literal(v.text("verb")))
        if "at" in v:
            self.add(node, SCHEMA.recordedAt, iri(v.text("at")))
        for thing in v.keys_of("about"):
            self.add(node, SCHEMA.about, iri(thing))
        self.claim(node)


# The builder of each statement kind of graph_builder.loading.schema (one function per kind).
KIND_BUILDERS: dict[str, Callable[[_Statement, Values], None]] = {
    "event": _Statement.k_event, "membership": _Statement.k_membership, "election": _Statement.k_election,
    "part_of": _Statement.k_part_of, "reports_to": _Statement.k_reports_to,
    "supported_by": _Statement.k_supported_by, "founded": _Statement.k_founded, "located": _Statement.k_located,
    "alias": _Statement.k_alias, "run_by": _Statement.k_run_by, "linked_to": _Statement.k_linked_to,
    "recurs": _Statement.k_recurs, "description": _Statement.k_description,
    "stated_count": _Statement.k_stated_count, "programme": _Statement.k_programme,
    "series_of": _Statement.k_series_of, "handover": _Statement.k_handover, "said": _Statement.k_said,
}
if set(KIND_BUILDERS) != set(KINDS):  # pragma: no cover - a kind declared without its builder, or the reverse
    raise ImportError(f"graph_builder.building.build: the builders {sorted(KIND_BUILDERS)} do not match the kinds of "
                      f"graph_builder.loading.schema {sorted(KINDS)}")


def memberships_by_election(facts: Facts) -> dict[str, set[str]]:
    """The memberships each election resulted in (``generated_by``), by election key."""
    out: dict[str, set[str]] = defaultdict(set)
    for st in facts.statements:
        if st.kind == "membership" and "generated_by" in st.values:
            out[st.values.text("generated_by")].add(st.subject)
    return out


SHARED_PARTS = ("roles", "entities", "sources")
"""The parts of the default graph: each is built from the facts' declared records of its name alone."""


def build_shared(facts: Facts, parts: Iterable[str] = SHARED_PARTS, keys: Iterable[str] | None = None) -> Build:
    """The part every source shares: the roles, the entities and the source articles (the default graph), or
    some of those ``parts`` of it (see :data:`SHARED_PARTS`); ``keys``: of those records only."""
    b = _Builder(facts, {})
    only = None if keys is None else set(keys)
    for part in parts:
        {"roles": b.roles, "entities": b.entities, "sources": b.sources}[part](only)
    return b.out


def build_source(facts: Facts, statements: Iterable[Statement], elections: Mapping[str, set[str]],
                 reads: set[tuple[str, str]] | None = None) -> Build:
    """The named graph(s) of some statements, all of one source article, with where each node was stated.

    ``elections`` is :func:`memberships_by_election` of the whole facts folder (an election's statement
    names the memberships that statements elsewhere say it resulted in). With ``reads``, what the statements
    read of the rest of the facts is recorded there (see :class:`FactsReader`)."""
    b = _Builder(facts, elections, reads)
    b.statements(statements)
    return b.out


def merge(into: Build, part: Build) -> None:
    """Add ``part``'s quads and origins to ``into``, which takes over ``part``'s sets of the graphs and nodes
    it has not (``part`` is not to be used afterwards)."""
    into.default |= part.default
    for g, triples in part.graphs.items():
        mine = into.graphs.get(g)
        if mine is None:
            into.graphs[g] = triples
        else:
            mine |= triples
    origins = into.origins
    for node, locs in part.origins.items():
        known = origins.get(node)
        if known is None:
            origins[node] = locs
        else:
            known |= locs


def build_derived(facts: Facts) -> Build:
    """The derived named graph (``graph_builder.building.derive``): what rules derive from the stated facts."""
    graph, origins = derive(facts)
    return Build(graphs=defaultdict(set, {DERIVED_GRAPH: graph} if graph else {}), origins=origins)


def build(facts: Facts) -> Build:
    """Build the quads of a loaded facts folder: the shared part, then each source's statements, then what
    rules derive from them."""
    out = build_shared(facts)
    elections = memberships_by_election(facts)
    by_source: dict[str, list[Statement]] = defaultdict(list)
    for st in facts.statements:
        by_source[st.source].append(st)
    for statements in by_source.values():
        merge(out, build_source(facts, statements, elections))
    merge(out, build_derived(facts))
    return out

