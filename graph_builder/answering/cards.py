"""Entity cards (``customs-kg show``) and timelines (``customs-kg timeline``).

Both read the merged graph with rdflib's triple API and attach to every line
the evidence behind it: for a membership, an association or a quantity, the
node's own ``prov:wasDerivedFrom`` links; for a plain fact triple, the links
of its reified ``rdf:Statement``. Evidence is a source article (headline,
publication date) and, on request, the quoted sentence.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Sequence, TypedDict

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph_builder import iris
from graph_builder.answering.words import duration_words, say, term, word
from graph_builder.building.build import statement_iri
from graph_builder.iris import local_name
from graph_builder.loading.dates import PartialDate, parse_date
from graph_builder.loading.numbering import missing_numbers, number_ranges
from graph_builder.namespaces import CKG, FOAF, ID, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, TIME
from graph_builder.textsafe import delimited, markdown_text, terminal_lines

_DATE_PROPS = (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear)
_HIDDEN_TYPES = {str(RDF.Statement)}


def key_of(node: Node | None) -> str:
    """The curated key of one of our IRIs (or the IRI itself); ``?`` for nothing."""
    return "?" if node is None else iris.key_of(node)


@dataclass(frozen=True, order=True)
class Evidence:
    """One source behind a line: the article and, if asked for, the sentence."""

    source: str
    headline: str
    published: str | None
    quote: str | None = None
    citing: str | None = None  # the agents the article cites as the origin of what it reports

    def text(self, quotes: bool) -> str:
        """``source: headline (date)``, the agent it reports for, and the quote on request."""
        when = self.published or "undated"
        out = f"source: {self.headline} ({when}) [{self.source}]"
        if self.citing:
            out += f", citing {self.citing}"
        if quotes and self.quote:
            out += f"\n      “{self.quote}”"
        return out


@dataclass
class Line:
    """One statement on a card or a timeline."""

    section: str
    text: str
    target: str | None = None
    start: str | None = None
    end: str | None = None
    status: str | None = None
    reason: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    basis: str | None = None  # "derived: <rule>" or "inferred: <reason>" (in the card's words); None when stated
    basis_kind: str | None = None  # "derived" or "inferred" (ckg:Derived, ckg:Inferred), whatever the words
    attested: str | None = None  # the first date a source saw it, for a holding with no term recorded
    modality: str | None = None  # "planned", "cancelled", ...: the line's fact is not stated as done
    derived_part: str | None = None  # a part of the line computed by a rule (its words), the rest stated
    seen: list[str] = field(default_factory=list)  # every date a source saw it (ckg:attestedAt)


class Basis(TypedDict):
    """A line's ``basis`` and ``basis_kind`` (see :class:`Line`)."""

    basis: str | None
    basis_kind: str | None


@dataclass
class Card:
    """Everything the graph says about one entity, with its evidence."""

    key: str
    label: str
    types: list[str]
    names: list[tuple[str, str, str]]
    lines: list[Line]
    as_of: str | None = None
    undated: list[Line] = field(default_factory=list)
    kind: str = "card"
    notes: list[str] = field(default_factory=list)


class _Reader:
    """Graph access shared by cards and timelines."""

    def __init__(self, graph: Graph, lang: str = "en", words: str = "en"):
        self.g = graph
        self.lang = lang  # of the labels
        self.words = words  # of the lines' own words
        self._sources: dict[Node, Evidence] = {}

    def say(self, template: str, **values: str) -> str:
        return say(self.words, template, **values)

    def word(self, text: str) -> str:
        return word(text, self.words)

    def span(self, start: str | None, end: str | None) -> str:
        return _span(start, end) if start or end else self.word("dates unknown")

    def label(self, node: Node | None) -> str:
        if node is None:
            return "?"
        if isinstance(node, Literal):
            return str(node)
        best = None
        for lit in self.g.objects(node, SKOS.prefLabel):
            if isinstance(lit, Literal) and lit.language == self.lang:
                return str(lit)
            if isinstance(lit, Literal) and lit.language == "en":
                best = str(lit)
        if best:
            return best
        for lit in self.g.objects(node, RDFS.label):
            return str(lit)
        return key_of(node)

    def types(self, node: Node) -> list[str]:
        return sorted({local_name(t) for t in self.g.objects(node, RDF.type) if str(t) not in _HIDDEN_TYPES})

    def basis(self, node: Node | None) -> str | None:
        """"derived: <rule>" for a node a rule derived, "inferred: <reason>" for a curator's inference, None
        for what a source states."""
        if node is None:
            return None
        if (node, CKG.basis, CKG.Derived) in self.g:
            rule = self.g.value(node, CKG.derivedBy)
            known = RULE_WORDS.get(rule) if isinstance(rule, URIRef) else None
            return self.say("derived: {rule}", rule=self.word(known) if known else
                            local_name(rule) if isinstance(rule, URIRef) else self.word("by a rule"))
        reason = self.g.value(node, CKG.inferenceReason)
        if (node, CKG.basis, CKG.Inferred) in self.g:
            return self.say("inferred: {reason}", reason=str(reason)) if reason is not None else self.word("inferred")
        return None

    def basis_of(self, node: Node | None) -> Basis:
        """A line's ``basis`` and ``basis_kind`` for a node (``Line(..., **r.basis_of(node))``)."""
        kind = None if node is None else "derived" if (node, CKG.basis, CKG.Derived) in self.g else \
            "inferred" if (node, CKG.basis, CKG.Inferred) in self.g else None
        return {"basis": self.basis(node) if kind else None, "basis_kind": kind}

    def fact_basis(self, s: Node, p: Node, o: Node | None) -> Basis:
        """:meth:`basis_of` the statement of a fact triple."""
        return self.basis_of(None if o is None else statement_iri(s, p, o))

    def evidence_of(self, node: Node) -> list[Evidence]:
        if (node, CKG.basis, CKG.Derived) in self.g:  # the sources of what it was derived from
            inputs = set(self.g.objects(node, PROV.wasDerivedFrom))
            return sorted({ev for i in inputs for ev in self.evidence_of(i)},
                          key=lambda e: (e.published or "9999", e.source, e.quote or ""))
        out: set[Evidence] = set()
        for d in self.g.objects(node, PROV.wasDerivedFrom):
            if (d, RDF.type, SCHEMA.NewsArticle) in self.g:
                quoted = [q for q in self.g.objects(node, PROV.wasDerivedFrom) if (q, PROV.wasQuotedFrom, d) in self.g]
                if not quoted:
                    out.add(self._ev(d, None))
                for q in quoted:
                    out.add(self._ev(d, q))
            elif (d, PROV.wasQuotedFrom, None) in self.g:
                for src in self.g.objects(d, PROV.wasQuotedFrom):
                    out.add(self._ev(src, d))
        return sorted(out, key=lambda e: (e.published or "9999", e.source, e.quote or ""))

    def _ev(self, source: Node, quote: Node | None) -> Evidence:
        text = str(self.g.value(quote, PROV.value)) if quote is not None else None
        return replace(self._source(source), quote=text)

    def _source(self, source: Node) -> Evidence:
        """A source's headline, date and the agents it cites, read once per card."""
        found = self._sources.get(source)
        if found is None:
            headline = self.g.value(source, SCHEMA.headline)
            published = self.g.value(source, SCHEMA.datePublished)
            cited = ", ".join(sorted(self.label(a) for a in self.g.objects(source, CKG.citing))) or None
            found = self._sources[source] = Evidence(key_of(source), str(headline) if headline else key_of(source),
                                                     str(published) if published else None, None, cited)
        return found

    def fact_evidence(self, s: Node, p: Node, o: Node | None) -> list[Evidence]:
        if o is None:
            return []
        return self.evidence_of(statement_iri(s, p, o))

    def instant(self, instant: Node | None) -> str | None:
        if instant is None:
            return None
        for prop in _DATE_PROPS:
            value = self.g.value(instant, prop)
            if value is not None:
                return str(value)
        return None

    def interval(self, membership: Node) -> tuple[str | None, str | None]:
        interval = self.g.value(membership, ORG.memberDuring)
        if interval is None:
            return None, None
        return (self.instant(self.g.value(interval, TIME.hasBeginning)),
                self.instant(self.g.value(interval, TIME.hasEnd)))

    def event_dates(self, event: Node) -> tuple[str | None, str | None]:
        start = self.g.value(event, SCHEMA.startDate)
        end = self.g.value(event, SCHEMA.endDate)
        return (str(start) if start is not None else None, str(end) if end is not None else None)


def _span(start: str | None, end: str | None) -> str:
    if start is None and end is None:
        return "dates unknown"
    if start == end:
        return str(start)
    return f"{start or '?'} – {end or '?'}"


def _as_of_status(start: str | None, end: str | None, attested: Sequence[str], at: PartialDate | None) -> tuple[str | None, str | None]:
    if at is None:
        return None, None
    from graph_builder.answering.temporal import Truth, holds

    truth, reason = holds(parse_date(start) if start else None, parse_date(end) if end else None,
                          [parse_date(a) for a in attested], at)
    return {Truth.HELD: "held", Truth.NOT_HELD: "not held", Truth.UNKNOWN: "cannot tell"}[truth], reason


def membership_lines(r: _Reader, node: Node, *, as_member: bool, at: PartialDate | None) -> list[Line]:
    """Lines for the memberships an entity holds (as_member) or that others hold in it."""
    out = []
    pred = ORG.member if as_member else ORG.organization
    for m in sorted(r.g.subjects(pred, node), key=str):
        if (m, RDF.type, ORG.Membership) not in r.g:
            continue
        role = r.g.value(m, ORG.role)
        other = r.g.value(m, ORG.organization if as_member else ORG.member)
        start, end = r.interval(m)
        attested = sorted(str(a) for a in r.g.objects(m, CKG.attestedAt))
        status, reason = _as_of_status(start, end, attested, at)
        if status == "not held":
            continue
        role_label = r.label(role) if role is not None else "?"
        if as_member:
            text = f"{role_label}, {r.label(other)}"
        else:
            text = f"{r.label(other)}: {role_label}"
        detail = []
        if start or end or not attested:
            detail.append(r.span(start, end))
        if attested:
            detail.append(r.say("attested {dates}", dates=", ".join(attested)))
        behalf = r.g.value(m, CKG.onBehalfOf)
        if behalf is not None:
            detail.append(r.say("on behalf of {who}", who=r.label(behalf)))
        gen = r.g.value(m, PROV.wasGeneratedBy)
        if gen is not None:
            where = r.g.value(gen, SCHEMA.superEvent)
            when = r.g.value(gen, SCHEMA.startDate)
            how = "re-elected" if (gen, RDF.type, CKG.ReElection) in r.g else "appointed" if (gen, RDF.type, CKG.Appointment) in r.g else "elected"
            detail.append(" ".join([r.word(how)] + ([r.say("at {where}", where=r.label(where))] if where is not None else [])
                                   + ([r.say("in {when}", when=str(when))] if when is not None else [])))
        term = r.g.value(r.g.value(m, ORG.memberDuring), TIME.hasXSDDuration)
        if term is not None:
            detail.append(r.say("term of {length}", length=duration_words(str(term), r.words)))
        derived_end = r.g.value(m, CKG.derivedEnd)
        if derived_end is not None:
            detail.append(r.say("until {date} ({basis}, not stated)", date=str(r.instant(derived_end)),
                                basis=str(r.basis(derived_end))))
        for nxt in r.g.objects(m, CKG.succeededBy):
            detail.append(r.say("succeeded by {who}", who=r.label(r.g.value(nxt, ORG.member))))
        for prev in r.g.subjects(CKG.succeededBy, m):
            detail.append(r.say("succeeded {who}", who=r.label(r.g.value(prev, ORG.member))))
        out.append(Line("Memberships and posts" if as_member else "Members and post holders",
                        text + (f" ({'; '.join(sorted(set(detail), key=detail.index))})" if detail else ""),
                        key_of(other) if other is not None else None,
                        start, end, status, reason, r.evidence_of(m), **r.basis_of(m),
                        attested=attested[0] if attested and not (start or end) else None, seen=attested))
    return out


def _chain_up(r: _Reader, node: Node) -> list[list[Node]]:
    """Every path from ``node`` up the org:subOrganizationOf links to a top body."""
    paths: list[list[Node]] = []

    def walk(n: Node, path: list[Node]) -> None:
        parents = sorted(set(r.g.objects(n, ORG.subOrganizationOf)) - set(path), key=str)
        if not parents:
            if path:
                paths.append(path)
            return
        for p in parents:
            walk(p, path + [p])

    walk(node, [])
    return paths


_FREQUENCY_WORDS = {"P1Y": "held annually"}  # schema:repeatFrequency (xsd:duration) in words
RULE_WORDS = {CKG.ChairDuringTerm: "within the chair's term", CKG.EndFromTerm: "end of the fixed term",
              CKG.EndWhenSuccessorTookOffice: "when the successor took office"}


def entity_card(graph: Graph, node: URIRef, *, at: PartialDate | None = None, lang: str = "en",
                words: str = "en") -> Card:
    """The card of one entity: names in ``lang`` (where the graph has them), its own words in ``words``."""
    r = _Reader(graph, lang, words)
    g = graph
    lines: list[Line] = []
    names = []
    for p, kind in ((SKOS.prefLabel, "preferred"), (SKOS.altLabel, "also"), (SKOS.notation, "code")):
        for lit in g.objects(node, p):
            names.append((kind, getattr(lit, "language", None) or "", str(lit)))
    names.sort(key=lambda n: (n[0] != "preferred", n[1] != "en", n[1], n[2]))

    def fact(section: str, p: URIRef, o: Node, text: str, target: Node | None = None) -> None:
        lines.append(Line(section, text, key_of(target) if target is not None else None,
                          evidence=r.fact_evidence(node, p, o), **r.fact_basis(node, p, o)))

    for o in g.objects(node, SCHEMA.description):
        fact("About", SCHEMA.description, o, str(o))
    for o in g.objects(node, SCHEMA.foundingDate):
        fact("About", SCHEMA.foundingDate, o, r.say("founded {date}", date=str(o)))
    for schedule in sorted(g.objects(node, SCHEMA.eventSchedule), key=str):
        every = str(g.value(schedule, SCHEMA.repeatFrequency))
        fact("About", SCHEMA.eventSchedule, schedule,
             r.word(_FREQUENCY_WORDS[every]) if every in _FREQUENCY_WORDS else r.say("held every {every}", every=every))
    if (node, RDF.type, SCHEMA.Event) not in g:  # an event's counts are under its participants
        for count in sorted(g.subjects(CKG.countOf, node), key=str):
            relation = "members" if (count, CKG.countedRelation, ORG.hasMember) in g else "attendees"
            lines.append(Line("About", r.say(f"stated count of {relation}: {{count}}", count=r.label(count)),
                              evidence=r.evidence_of(count)))
    for o in sorted(g.objects(node, SCHEMA.areaServed), key=str):
        lines.append(Line("About", r.say("serves {place}", place=r.label(o)), key_of(o)))
    for path in _chain_up(r, node):
        first = path[0]
        text = " → ".join(r.label(p) for p in path)
        chain_basis = r.say("derived: {rule}", rule=r.word("up the part-of links")) if len(path) > 1 else None
        lines.append(Line("Part of (up to the top)", text, key_of(first),
                          evidence=r.fact_evidence(node, ORG.subOrganizationOf, first), derived_part=chain_basis))
    for p, section, template in ((ORG.reportsTo, "Reports to", "{x}"), (CKG.administrativelySupportedBy, "Reports to", "administrative support: {body}"),
                                 (SCHEMA.location, "Place", "{x}"), (SCHEMA.provider, "Run by", "{x}"), (CKG.linkedTo, "Linked to", "{x}"),
                                 (CKG.seriesOf, "About", "the meetings of {body}"), (CKG.adoptedBy, "Programmes and plans", "adopted by {body}"),
                                 (CKG.adoptionDate, "Programmes and plans", "adopted {date}"), (CKG.implements, "Programmes and plans", "implements {programme}")):
        for o in sorted(g.objects(node, p), key=str):
            if p == SCHEMA.location and (o, RDF.type, SCHEMA.VirtualLocation) in g:
                fact("Place", p, o, r.word("online"), o)
                continue
            country = g.value(o, SCHEMA.containedInPlace) if p == SCHEMA.location else None
            name = r.label(o) if country is None else r.say("{place}, {country}", place=r.label(o), country=r.label(country))
            fact(section, p, o, name if template == "{x}" else r.say(template, **{template[template.index("{") + 1:-1]: name}), o)
    lines += _programme_lines(r, node)
    if (node, RDF.type, SCHEMA.EventSeries) in g:
        lines += _edition_lines(r, node)
    for series in sorted(g.subjects(CKG.seriesOf, node), key=str):
        lines.append(Line("About", r.say("its meetings: {series}", series=r.label(series)), key_of(series),
                          evidence=r.fact_evidence(series, CKG.seriesOf, node)))
    for programme in sorted(g.objects(node, CKG.implements), key=str):
        lines.append(_implementation_line(r, node, programme, "Programmes and plans"))
    for handover in sorted({h for m in g.subjects(ORG.member, node) for p in (CKG.outgoingTenure, CKG.incomingTenure)
                            for h in g.subjects(p, m)} | ({node} if (node, RDF.type, CKG.Handover) in g else set()), key=str):
        lines.append(_handover_line(r, handover))
    for said in sorted(set(g.subjects(SCHEMA.creator, node)) | set(g.subjects(SCHEMA.recordedAt, node))
                       | ({node} if (node, RDF.type, CKG.AttributedStatement) in g else set()), key=str):
        if (said, RDF.type, CKG.AttributedStatement) in g:
            lines.append(_said_line(r, said))
    for child in sorted(g.subjects(ORG.subOrganizationOf, node), key=lambda n: r.label(n)):
        lines.append(Line("Units and bodies below", r.label(child), key_of(child),
                          evidence=r.fact_evidence(child, ORG.subOrganizationOf, node)))
    lines += membership_lines(r, node, as_member=True, at=at)
    lines += membership_lines(r, node, as_member=False, at=at)
    if (node, RDF.type, SCHEMA.Event) in g and (node, RDF.type, CKG.Handover) not in g:
        lines += _event_lines(r, node)
    for assoc in sorted(g.subjects(PROV.agent, node), key=str):
        role = g.value(assoc, PROV.hadRole)
        for link, section in ((PROV.qualifiedAssociation, "Roles at meetings"), (CKG.plannedAssociation, PLANNED)):
            for event in g.subjects(link, assoc):
                start, end = r.event_dates(event)
                lines.append(Line(section, r.say("{role} of {event} ({span})", role=r.label(role) + _planned(r, assoc),
                                                 event=r.label(event), span=r.span(start, end)), key_of(event), start, end,
                                  evidence=r.evidence_of(assoc), modality=_modality(g, assoc) or ("planned" if section == PLANNED else None)))
    for event in sorted(g.subjects(SCHEMA.attendee, node), key=lambda n: r.label(n)):
        start, end = r.event_dates(event)
        lines.append(Line("Attended", f"{r.label(event)} ({r.span(start, end)})", key_of(event), start, end,
                          evidence=r.fact_evidence(event, SCHEMA.attendee, node)))
    for event in sorted(g.subjects(SCHEMA.organizer, node), key=lambda n: r.label(n)):
        if (event, RDF.type, SCHEMA.EventSeries) in g:
            continue  # a body's series of meetings: "About: its meetings"
        start, end = r.event_dates(event)
        lines.append(Line("Organized", f"{r.label(event)} ({r.span(start, end)})", key_of(event), start, end,
                          evidence=r.fact_evidence(event, SCHEMA.organizer, node)))
    for election in sorted(g.subjects(CKG.candidate, node), key=str):
        meeting = g.value(election, SCHEMA.superEvent)
        when = g.value(election, SCHEMA.startDate)
        extra = (" " + r.say("at {where}", where=r.label(meeting)) if meeting is not None else "") + (f" ({when})" if when is not None else "")
        extra += "".join("; " + r.say("nominated by {who}", who=r.label(n)) for n in sorted(g.objects(election, CKG.nominatedBy), key=str))
        extra += "".join("; " + r.say("elected by {who}", who=r.label(b)) for b in g.objects(election, CKG.electedBy))
        lines.append(Line("Elections", r.label(election) + extra, key_of(election),
                          str(when) if when is not None else None, evidence=r.evidence_of(election)))
    for event in sorted(g.subjects(SCHEMA.about, node), key=lambda n: r.label(n)):
        if (event, RDF.type, CKG.AttributedStatement) in g:
            continue
        lines.append(Line("Discussed at" if (event, RDF.type, SCHEMA.Event) in g else "Subject of", r.label(event),
                          key_of(event), evidence=r.fact_evidence(event, SCHEMA.about, node)))
    for outcome in sorted(g.subjects(CKG.outcomeObject, node), key=str):
        of = g.value(outcome, CKG.outcomeOf)
        action = g.value(outcome, CKG.action)
        lines.append(Line("Outcome of", r.say("{action} at {event}", action=term("action", str(action), r.words), event=r.label(of)),
                          key_of(of), evidence=r.evidence_of(outcome)))
    types = r.types(node)
    return Card(key_of(node), r.label(node), types, names, lines, str(at) if at else None)


PLANNED = "Planned roles (not stated as played)"
DERIVED_ROLES = "Derived roles (not stated)"


def _edition_lines(r: _Reader, series: Node) -> list[Line]:
    """The numbered meetings or editions of a series, in order, with their dates and status."""
    g = r.g
    out = []
    editions = [e for e in g.subjects(SCHEMA.superEvent, series) if (e, RDF.type, CKG.Phase) not in g]
    for e in sorted(editions, key=lambda n: (int(str(g.value(n, SCHEMA.position) or 0)), str(n))):
        start, end = r.event_dates(e)
        pos = g.value(e, SCHEMA.position)
        status = "; ".join(modality_word(m, r.words) for m in g.objects(e, CKG.modality))
        text = (r.say("No. {number}", number=str(pos)) + ": " if pos is not None else "") + f"{r.label(e)} ({r.span(start, end)}" + \
            (f"; {status}" if status else "") + ")"
        out.append(Line("Editions and meetings", text, key_of(e), start, end,
                        evidence=r.fact_evidence(e, SCHEMA.superEvent, series), modality=_modality(g, e)))
    return out


def _programme_lines(r: _Reader, p: Node) -> list[Line]:
    """A programme's, strategy's or plan's own period and status."""
    g = r.g
    out = []
    for period in g.objects(p, CKG.period):
        start = r.instant(g.value(period, TIME.hasBeginning))
        end = r.instant(g.value(period, TIME.hasEnd))
        out.append(Line("Programmes and plans", r.say("period: {span}", span=r.span(start, end)), None, start, end,
                        evidence=r.fact_evidence(p, CKG.period, period)))
    for modality in g.objects(p, CKG.modality):
        out.append(Line("Programmes and plans", r.say("status: {status} (not stated as in force)",
                                                      status=modality_word(modality, r.words)),
                        evidence=r.fact_evidence(p, CKG.modality, modality), modality=modality_word(modality)))
    for body in sorted(g.subjects(CKG.implements, p), key=str):
        out.append(_implementation_line(r, body, p, "Programmes and plans", of_programme=True))
    return out


def _implementation_line(r: _Reader, body: Node, programme: Node, section: str, of_programme: bool = False) -> Line:
    """"implemented by X (attested 2024-11-20)": a body carries out a programme as of its source's date."""
    evidence = r.fact_evidence(body, CKG.implements, programme)
    attested = sorted({e.published for e in evidence if e.published})
    when = " (" + r.say("attested {dates}", dates=", ".join(attested)) + ")" if attested else ""
    text = (r.say("implemented by {body}", body=r.label(body)) if of_programme
            else r.say("implements {programme}", programme=r.label(programme))) + when
    return Line(section, text, key_of(programme if not of_programme else body), evidence=evidence,
                **r.fact_basis(body, CKG.implements, programme))


def _handover_line(r: _Reader, h: Node) -> Line:
    g = r.g
    out_m, in_m = g.value(h, CKG.outgoingTenure), g.value(h, CKG.incomingTenure)
    role, body = g.value(in_m, ORG.role), g.value(in_m, ORG.organization)
    when = g.value(h, SCHEMA.startDate)
    where = g.value(h, SCHEMA.location)
    detail = "; ".join(x for x in (str(when) if when is not None else r.word("date unknown"),
                                   r.label(where) if where is not None else "") if x)
    text = r.say("{role}, {body}: {outgoing} handed over to {incoming} ({detail})", role=r.label(role), body=r.label(body),
                 outgoing=r.label(g.value(out_m, ORG.member)), incoming=r.label(g.value(in_m, ORG.member)), detail=detail)
    return Line("Handovers", text, key_of(h), str(when) if when is not None else None,
                str(when) if when is not None else None, evidence=r.evidence_of(h), **r.basis_of(h))


def _said_line(r: _Reader, said: Node) -> Line:
    g = r.g
    verb = str(g.value(said, CKG.speechVerb) or "said").replace("-", " ")
    at = g.value(said, SCHEMA.recordedAt)
    where = " (" + r.say("at {where}", where=r.label(at)) + ")" if at is not None else ""
    text = r.say("{speaker} {verb}: “{text}”{where} — the speaker's words, not a fact of the graph",
                 speaker=r.label(g.value(said, SCHEMA.creator)), verb=term("verb", verb, r.words),
                 text=str(g.value(said, SCHEMA.text)), where=where)
    return Line("Said", text, key_of(said), evidence=r.evidence_of(said), **r.basis_of(said))


def modality_word(modality: Node, lang: str = "en") -> str:
    """"planned", "cancelled", ...: a ckg:Modality as a word (the queries' status column says the same)."""
    return word(local_name(modality).lower(), lang)


def _modality(g: Graph, node: Node) -> str | None:
    """The modalities of an event or a role ("planned", "cancelled; postponed"), None for one stated as done."""
    return "; ".join(sorted(modality_word(m) for m in g.objects(node, CKG.modality))) or None


def _planned(r: _Reader, assoc: Node) -> str:
    """" (planned)" for a role only planned, invited, announced or cancelled; "" for a role played."""
    return "".join(f" ({modality_word(m, r.words)})" for m in r.g.objects(assoc, CKG.modality))


def _mode_word(mode: Node, lang: str) -> str:
    """schema:OnlineEventAttendanceMode -> "online"."""
    return word(local_name(mode).replace("EventAttendanceMode", "").lower(), lang)


def _event_lines(r: _Reader, e: Node) -> list[Line]:
    g = r.g
    out: list[Line] = []
    for series in g.objects(e, SCHEMA.superEvent):
        pos = g.value(e, SCHEMA.position)
        text = (r.say("No. {number} of {series}", number=str(pos), series=r.label(series)) if pos is not None
                else r.say("part of {series}", series=r.label(series)))
        out.append(Line("Event", text, key_of(series), evidence=r.fact_evidence(e, SCHEMA.superEvent, series)))
    start, end = r.event_dates(e)
    if start or end:
        ev = r.fact_evidence(e, SCHEMA.startDate, g.value(e, SCHEMA.startDate)) if start else []
        out.append(Line("Event", r.say("dates: {span}", span=_span(start, end)), None, start, end, evidence=ev))
    else:
        out.append(Line("Event", r.word("dates: unknown (no source gives them)")))
    for mode in g.objects(e, SCHEMA.eventAttendanceMode):
        out.append(Line("Event", r.say("format: {mode}", mode=_mode_word(mode, r.words)),
                        evidence=r.fact_evidence(e, SCHEMA.eventAttendanceMode, mode)))
    for phase in sorted(g.subjects(SCHEMA.superEvent, e), key=lambda n: (r.event_dates(n)[0] or "", str(n))):
        if (phase, RDF.type, CKG.Phase) not in g:
            continue
        start, end = r.event_dates(phase)
        modes = [_mode_word(m, r.words) for m in g.objects(phase, SCHEMA.eventAttendanceMode)]
        out.append(Line("Phases", f"{r.label(phase)} ({'; '.join([r.span(start, end)] + modes)})", key_of(phase),
                        start, end, evidence=r.fact_evidence(phase, SCHEMA.superEvent, e)))
    for modality in g.objects(e, CKG.modality):
        out.append(Line("Event", r.say("status: {status} (not stated as having taken place)",
                                       status=modality_word(modality, r.words)),
                        evidence=r.fact_evidence(e, CKG.modality, modality), modality=modality_word(modality)))
    for platform in g.objects(e, CKG.platform):
        out.append(Line("Event", r.say("platform: {platform}", platform=r.label(platform)), key_of(platform),
                        evidence=r.fact_evidence(e, CKG.platform, platform)))
    for topic in sorted(g.objects(e, SCHEMA.about), key=lambda n: r.label(n)):
        out.append(Line("Discussed", r.label(topic), key_of(topic), evidence=r.fact_evidence(e, SCHEMA.about, topic)))
    for assoc in sorted(g.objects(e, CKG.derivedAssociation), key=str):
        agent = g.value(assoc, PROV.agent)
        out.append(Line(DERIVED_ROLES, f"{r.label(g.value(assoc, PROV.hadRole))}: {r.label(agent)}", key_of(agent),
                        evidence=r.evidence_of(assoc), **r.basis_of(assoc)))
    for link, section in ((PROV.qualifiedAssociation, "Roles"), (CKG.plannedAssociation, PLANNED)):
        for assoc in sorted(g.objects(e, link), key=str):
            agent = g.value(assoc, PROV.agent)
            role = g.value(assoc, PROV.hadRole)
            out.append(Line(section, f"{r.label(role)}{_planned(r, assoc)}: {r.label(agent)}", key_of(agent),
                            evidence=r.evidence_of(assoc), modality=_modality(g, assoc) or ("planned" if section == PLANNED else None)))
    for who in sorted(g.objects(e, SCHEMA.attendee), key=lambda n: r.label(n)):
        out.append(Line("Participants", r.label(who), key_of(who), evidence=r.fact_evidence(e, SCHEMA.attendee, who)))
    for count in sorted(g.subjects(CKG.countOf, e), key=str):
        out.append(Line("Participants", r.say("stated: {count}", count=r.label(count)), evidence=r.evidence_of(count)))
    for q in sorted(g.objects(e, CKG.hasQuantity), key=str):
        amount = g.value(q, SCHEMA.value)
        low, high = g.value(q, SCHEMA.minValue), g.value(q, SCHEMA.maxValue)
        unit = g.value(q, SCHEMA.unitCode)
        if amount is not None:
            how = r.say("exactly {n}", n=str(amount))
        else:
            how = f" {r.word('and')} ".join(x for x in (r.say("over {n}", n=str(low)) if low is not None else "",
                                                       r.say("up to {n}", n=str(high)) if high is not None else "") if x)
        out.append(Line("Quantities", f"{r.label(q)}: {how} {unit}", key_of(q), evidence=r.evidence_of(q)))
    for outcome in sorted(g.subjects(CKG.outcomeOf, e), key=str):
        obj = g.value(outcome, CKG.outcomeObject)
        out.append(Line("Outcomes", f"{term('action', str(g.value(outcome, CKG.action)), r.words)}: {r.label(obj)}", key_of(obj),
                        evidence=r.evidence_of(outcome)))
    for sub in sorted(g.objects(e, SCHEMA.subEvent), key=str):
        if (sub, RDF.type, CKG.Election) in g or (sub, RDF.type, CKG.Appointment) in g or (sub, RDF.type, CKG.CandidacyAgreement) in g:
            out.append(Line("Outcomes", r.label(sub), key_of(sub), evidence=r.evidence_of(sub)))
    for prev in g.objects(e, CKG.immediatelyFollows):
        out.append(Line("Event", r.say("immediately after {event}", event=r.label(prev)), key_of(prev),
                        evidence=r.fact_evidence(e, CKG.immediatelyFollows, prev)))
    return out


# ---------------------------------------------------------------------------
# Timelines
# ---------------------------------------------------------------------------

def _sort_key(line: Line) -> tuple[tuple[int, int, int], str]:
    d = parse_date(line.start or line.end or line.attested or "9999")
    return (d.first_day(), line.text)


def _later(start: str | None, at: PartialDate | None) -> bool:
    """Whether an event that began at ``start`` began after ``at`` (never, without ``at``)."""
    from graph_builder.answering.temporal import Truth, happened

    return at is not None and happened(parse_date(start) if start else None, at)[0] is Truth.NOT_HELD


def _as_of_events(lines: list[Line], at: PartialDate | None) -> list[Line]:
    """Events (not holdings: they carry their status already) as of ``at``: those that began later left
    out, the others marked held or cannot tell, as ``show --as-of`` does for holdings."""
    if at is None:
        return lines
    from graph_builder.answering.temporal import Truth, happened

    out = []
    for line in lines:
        if line.status is None:
            truth, reason = happened(parse_date(line.start) if line.start else None, at)
            if truth is Truth.NOT_HELD:
                continue
            line.status, line.reason = str(truth), reason
        out.append(line)
    return out


def timeline(graph: Graph, node: URIRef, *, at: PartialDate | None = None, lang: str = "en", words: str = "en") -> Card:
    """The chronological story of a person, a body or a meeting series (names in ``lang``, its words in ``words``)."""
    r = _Reader(graph, lang, words)
    g = graph
    lines: list[Line] = []
    if (node, RDF.type, FOAF.Person) in g:
        for line in membership_lines(r, node, as_member=True, at=at):
            line.section = "Posts and memberships"
            lines.append(line)
        for assoc in g.subjects(PROV.agent, node):
            for event in g.subjects(PROV.qualifiedAssociation, assoc):
                start, end = r.event_dates(event)
                lines.append(Line("Meeting roles", r.say("{role} of {event}", role=r.label(g.value(assoc, PROV.hadRole)),
                                                         event=r.label(event)),
                                  key_of(event), start, end, evidence=r.evidence_of(assoc)))
        for election in g.subjects(CKG.candidate, node):
            meeting = g.value(election, SCHEMA.superEvent)
            when = g.value(election, SCHEMA.startDate)
            start, end = (str(when), str(when)) if when is not None else r.event_dates(meeting) if meeting is not None else (None, None)
            lines.append(Line("Elections", r.label(election) + (" " + r.say("at {where}", where=r.label(meeting)) if meeting is not None else ""),
                              key_of(election), start, end, evidence=r.evidence_of(election)))
    else:
        lines += _body_timeline(r, node, at)
    lines = _as_of_events(lines, at)
    dated = sorted((l for l in lines if l.start or l.end or l.attested), key=_sort_key)
    undated = sorted((l for l in lines if not (l.start or l.end or l.attested)), key=lambda l: (l.section, l.text))
    return Card(key_of(node), r.label(node), r.types(node), [], dated, str(at) if at else None, undated,
                kind="timeline", notes=_numbering_gaps(r, node))


def _numbering_gaps(r: _Reader, node: Node) -> list[str]:
    """Numbers missing between the numbered meetings of a series (or of the series a body organizes)."""
    notes = []
    by_series: dict[Node, set[int]] = {}
    for meeting in _meetings_of(r, node):
        for series in r.g.objects(meeting, SCHEMA.superEvent):
            for pos in r.g.objects(meeting, SCHEMA.position):
                by_series.setdefault(series, set()).add(int(str(pos)))
    for series, numbers in sorted(by_series.items(), key=lambda kv: str(kv[0])):
        missing = missing_numbers(numbers)
        if not missing:
            continue
        what = "edition" if (series, RDF.type, CKG.OperationSeries) in r.g else "meeting"
        notes.append(r.say(f"{{series}}: no {what} numbered {{missing}} is recorded (the graph knows {{known}})",
                           series=r.label(series), missing=number_ranges(missing),
                           known=", ".join(str(n) for n in sorted(numbers))))
    return notes


def _meetings_of(r: _Reader, node: Node) -> list[Node]:
    """The meetings (or a series' operations) of a body or series: of the series it is, the series whose
    meetings are its own (ckg:seriesOf), the series of the meetings it organizes, and those it organizes."""
    g = r.g
    series = {node} if (node, RDF.type, SCHEMA.EventSeries) in g else set()
    series |= set(g.subjects(CKG.seriesOf, node))
    for event in g.subjects(SCHEMA.organizer, node):
        series |= set(g.objects(event, SCHEMA.superEvent))
    kinds = (CKG.Meeting, CKG.Operation)
    meetings = set()
    for s in series:
        for m in g.subjects(SCHEMA.superEvent, s):
            if any((m, RDF.type, k) in g for k in kinds):
                meetings.add(m)
    for m in g.subjects(SCHEMA.organizer, node):
        if (m, RDF.type, CKG.Meeting) in g:
            meetings.add(m)
    return sorted(meetings, key=str)


def _within(start: str | None, end: str | None, term_start: str | None, term_end: str | None) -> bool:
    """A meeting falls in a term when its dates cannot lie outside the term's possible span."""
    if start is None and end is None:
        return False
    first = parse_date(start or end or "").first_day()
    last = parse_date(end or start or "").last_day()
    if term_start is not None and first < parse_date(term_start).first_day():
        return False
    if term_end is not None and last > parse_date(term_end).last_day():
        return False
    return True


def _body_timeline(r: _Reader, node: Node, at: PartialDate | None) -> list[Line]:
    g = r.g
    lines: list[Line] = []
    meetings = _meetings_of(r, node)
    chair_roles = {ID["role/chair"], ID["role/vice-chair"]}
    for line in membership_lines(r, node, as_member=False, at=at):
        m = next((m for m in g.subjects(ORG.organization, node) if key_of(g.value(m, ORG.member)) == line.target
                  and r.label(g.value(m, ORG.role)) in line.text), None)
        role = g.value(m, ORG.role) if m is not None else None
        if role in chair_roles:
            line.section = "Chairs and vice-chairs"
            under = [mt for mt in meetings if (line.start or line.end) and _within(*r.event_dates(mt), line.start, line.end)
                     and not _later(r.event_dates(mt)[0], at)]
            if under:
                line.text += "; " + r.say("meetings in this term: {meetings}", meetings=", ".join(
                    r.label(mt) + "".join(f" ({modality_word(m, r.words)})" for m in g.objects(mt, CKG.modality)) for mt in under))
                line.derived_part = r.say("derived: {rule}", rule=r.word("meetings in this term, from the term's dates"))
        else:
            line.section = "Members and post holders"
        lines.append(line)
    for mt in meetings:
        start, end = r.event_dates(mt)
        chairs = [r.label(g.value(a, PROV.agent)) for a in g.objects(mt, PROV.qualifiedAssociation)
                  if g.value(a, PROV.hadRole) == ID["role/chair"]]
        derived = [a for a in g.objects(mt, CKG.derivedAssociation) if g.value(a, PROV.hadRole) == ID["role/chair"]]
        derived_chairs = [f"{r.label(g.value(a, PROV.agent))} ({r.basis(a)})" for a in derived]
        place = [(r.word("online") if (p, RDF.type, SCHEMA.VirtualLocation) in g else r.label(p)) for p in g.objects(mt, SCHEMA.location)]
        operation = (mt, RDF.type, CKG.Operation) in g
        every_chair = sorted(chairs + derived_chairs)
        detail = [r.span(start, end)] + (place or []) + ([r.say("chaired by {who}", who=", ".join(every_chair))] if every_chair else
                                                         [] if operation else [r.word("chair not recorded")])
        detail += [modality_word(m, r.words) for m in g.objects(mt, CKG.modality)]
        evidence = r.evidence_of(mt)
        lines.append(Line("Operations" if operation else "Meetings", f"{r.label(mt)} ({'; '.join(detail)})", key_of(mt),
                          start, end, evidence=evidence, modality=_modality(g, mt),
                          derived_part=r.basis(derived[0]) if derived and not chairs else None))
    for handover in sorted({h for m in g.subjects(ORG.organization, node) for h in g.subjects(CKG.incomingTenure, m)},
                           key=str):
        lines.append(_handover_line(r, handover))
    for founded in g.objects(node, SCHEMA.foundingDate):
        lines.append(Line("Founded", r.say("founded {date}", date=str(founded)), None, str(founded), str(founded),
                          evidence=r.fact_evidence(node, SCHEMA.foundingDate, founded)))
    return lines


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

def render(card: Card, fmt: str = "table", quotes: bool = False, raw: bool = False) -> str:
    """A card or timeline for a terminal (table), or as json, markdown, csv or tsv.

    The table's text is shown as :func:`~graph_builder.textsafe.terminal_text`
    (a field's own line breaks continue under it); Markdown fields are
    :func:`~graph_builder.textsafe.markdown_text`; CSV and TSV cells are
    neutralised for spreadsheets unless ``raw``.
    """
    if fmt == "json":
        return json.dumps(_as_dict(card, quotes), ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        return delimited(fmt, CSV_COLUMNS, _csv_rows(card, quotes), raw=raw)
    md = fmt == "markdown"
    out: list[str] = []

    def put(prefix: str, value: str, lead: str = "") -> None:
        """``prefix``, then ``lead`` and ``value`` as Markdown or as they are; in a table
        each further line of ``value`` starts under its first."""
        if md:
            out.append(prefix + markdown_text(lead + value, line_start=True))
        else:
            out.append(prefix + lead + value.replace("\n", "\n" + " " * len(prefix + lead)))

    put("# " if md else "", f"{card.label}  [{card.key}]")
    put("*types:* " if md else "types: ", ", ".join(card.types))
    if card.as_of:
        out.append(f"as of {card.as_of} (held / cannot tell; what was not held is left out)")
    if card.names:
        out.append("")
        out.append("## Names" if md else "Names")
        for kind, lang, name in card.names:
            put("- " if md else "  ", f"{name}  ({lang or '-'}, {kind})")
    sections: dict[str, list[Line]] = {}
    for line in card.lines:
        sections.setdefault(line.section if card.kind == "card" else "Timeline", []).append(line)
    if card.kind == "timeline" and card.undated:
        sections["Undated (the sources give no date)"] = card.undated
    for section, items in sections.items():
        out.append("")
        out.append(f"## {section}" if md else section)
        for line in items:
            prefix = "- " if md else "  "
            when = ""
            if card.kind == "timeline" and section == "Timeline":
                span = _span(line.start, line.end) if line.start or line.end else f"attested {line.attested}"
                when = f"{span:<25} "
            status = f" [{line.status}{': ' + line.reason if line.reason and line.status != 'held' else ''}]" if line.status else ""
            label = f"{line.section}: " if card.kind == "timeline" else ""
            basis = "".join(f" [{b}]" for b in (line.basis, line.derived_part) if b and b not in line.text)
            put(prefix, line.text + basis + status, lead=when + label)
            for head, sentences in _grouped(line.evidence):
                put("    " if not md else "  - ", head)
                if quotes:
                    for q in sentences:
                        put("      " if not md else "    > ", f"“{q}”")
    if card.notes:
        out.append("")
        out.append("## Notes" if md else "Notes")
        for note in card.notes:
            put("- " if md else "  ", note)
    if not card.lines and not card.undated:
        out.append("")
        out.append("(the graph records nothing else about it)")
    return "".join(terminal_lines(entry) + "\n" for entry in out)


CSV_COLUMNS = ("entity", "section", "text", "target", "start", "end", "status", "basis", "source", "published", "quote")


def _csv_rows(card: Card, quotes: bool) -> list[list[str]]:
    """One CSV/TSV row per line (fact): its sources and their publication dates joined by "; " in the same
    order, and with ``quotes`` its quoted sentences, each once, one a line of the cell."""
    rows = []
    for line in card.lines + card.undated:
        sources = list(dict.fromkeys((ev.source, ev.published or "") for ev in line.evidence))
        said = list(dict.fromkeys(ev.quote for ev in line.evidence if ev.quote)) if quotes else []
        rows.append([card.key, line.section, line.text, line.target or "", line.start or "", line.end or "",
                     line.status or "", line.basis or "stated", "; ".join(s for s, _ in sources),
                     "; ".join(p for _, p in sources), "\n".join(said)])
    return rows


def _grouped(evidence: Sequence[Evidence]) -> list[tuple[str, list[str]]]:
    """Evidence grouped by source: one ``source:`` line, then its quoted sentences."""
    groups: dict[str, list[str]] = {}
    for ev in evidence:
        sentences = groups.setdefault(ev.text(False), [])
        if ev.quote and ev.quote not in sentences:
            sentences.append(ev.quote)
    return list(groups.items())


def _as_dict(card: Card, quotes: bool) -> dict[str, Any]:
    def line(l: Line) -> dict[str, Any]:
        d = asdict(l)
        d["evidence"] = [{k: v for k, v in asdict(e).items() if k != "quote" or quotes} for e in l.evidence]
        return {k: v for k, v in d.items() if v not in (None, [])}

    out: dict[str, Any] = {"entity": card.key, "iri": str(ID[card.key]), "label": card.label, "types": card.types}
    if card.as_of:
        out["as_of"] = card.as_of
    if card.names:
        out["names"] = [{"kind": k, "lang": l, "text": t} for k, l, t in card.names]
    out["lines" if card.kind == "card" else "dated"] = [line(l) for l in card.lines]
    if card.kind == "timeline":
        out["undated"] = [line(l) for l in card.undated]
        out["notes"] = card.notes
    return out

