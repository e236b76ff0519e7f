"""Did a membership or tenure hold at a date? Three answers: held, not held, cannot tell.

The sources give dates at the precision they know (a year, a month or a
day), often only a beginning, or only a date at which they saw the holding
("attested"). :func:`holds` answers for one holding and one query date by the
rules of ``docs/time.md``:

- a query date of month or year precision asks "at some time during that
  period" ("who chaired in 2022?");
- a recorded beginning is an event somewhere inside its period: before its
  first day the holding had not begun, from its last day on it had, and in
  between we cannot tell;
- a recorded end is read as "through" its period (a term 2021-2022 runs to the
  end of 2022): after its last day the holding is over;
- with no end recorded the holding is taken as ongoing once it has begun;
- with no beginning recorded we cannot tell when it started;
- an attestation at A makes the holding held at any query period that
  contains A entirely, and never makes it "not held".

:func:`memberships_as_of` reads every ``org:Membership`` of a graph and
answers for each.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from itertools import product
from typing import Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph_builder.errors import InputError
from graph_builder.iris import key_of
from graph_builder.loading.dates import DateFormatError, PartialDate, parse_date
from graph_builder.namespaces import CKG, ORG, RDF, RDFS, SKOS, TIME

INSTANT_PROPERTIES = (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear)


class Truth(enum.Enum):
    """Whether a holding held at a date: held, not held, or cannot tell."""

    HELD = "held"
    NOT_HELD = "not held"
    UNKNOWN = "cannot tell"

    def __str__(self) -> str:
        return self.value


def _chronological(d: PartialDate) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """A sort key for dates of mixed precision: by first day, then by last day."""
    return (d.first_day(), d.last_day())


def _contains(outer: PartialDate, inner: PartialDate) -> bool:
    """Every day ``inner`` can stand for lies within ``outer``."""
    return outer.first_day() <= inner.first_day() and inner.last_day() <= outer.last_day()


def _on(at: PartialDate) -> str:
    """The date as said in a reason: 'on 2021-03-15', 'in 2021-03', 'in 2021'."""
    return f"on {at}" if at.precision == "day" else f"in {at}"


def _by(at: PartialDate) -> str:
    """The deadline as said in a reason: 'by 2021-03-15', 'by the end of 2021-03'."""
    return f"by {at}" if at.precision == "day" else f"by the end of {at}"


def _by_term(begin: PartialDate | None, end: PartialDate | None, at: PartialDate) -> tuple[Truth, str]:
    """The answer of the recorded beginning and end alone (at least one is given)."""
    a0, a1 = at.first_day(), at.last_day()
    if end is not None and end.last_day() < a0:
        return Truth.NOT_HELD, f"ended {end}, before {at}"
    if begin is None:
        ended = f" (ended {end})" if end is not None else ""
        return Truth.UNKNOWN, f"no beginning recorded{ended}; cannot tell whether it had begun {_by(at)}"
    if begin.first_day() > a1:
        return Truth.NOT_HELD, f"began {begin}, after {at}"
    if begin.last_day() <= a1:
        if end is None:
            return Truth.HELD, f"began {begin}; no end recorded, so taken as ongoing"
        return Truth.HELD, f"began {begin} and ran through {end}"
    return Truth.UNKNOWN, f"began {begin}; cannot tell whether it had begun {_by(at)}"


def holds(begin: PartialDate | None, end: PartialDate | None, attested: Sequence[PartialDate],
          at: PartialDate) -> tuple[Truth, str]:
    """Whether a holding with this recorded term and these attestations held at ``at``.

    ``at`` of month or year precision asks whether it held at some time during
    that month or year. Returns the answer and a short plain-English reason.
    See ``docs/time.md`` for the rules and a table of examples.
    """
    seen = sorted((a for a in attested if _contains(at, a)), key=_chronological)
    around = sorted((a for a in attested if _contains(a, at) and a != at), key=_chronological)
    if begin is None and end is None:
        if seen:
            return Truth.HELD, f"attested {seen[0]}; no term recorded"
        if around:
            return Truth.UNKNOWN, f"attested in {around[-1]}; cannot tell whether {_on(at)}"
        if attested:
            dates = ", ".join(str(a) for a in sorted(set(attested), key=_chronological))
            return Truth.UNKNOWN, f"attested {dates} only; no term recorded, so cannot tell {_on(at)}"
        return Truth.UNKNOWN, "no dates recorded"
    truth, reason = _by_term(begin, end, at)
    if seen and truth is not Truth.HELD:
        if truth is Truth.NOT_HELD:
            return Truth.HELD, f"attested {seen[0]}, although {reason}: the sources disagree"
        return Truth.HELD, f"attested {seen[0]}"
    return truth, reason


def happened(start: PartialDate | None, at: PartialDate) -> tuple[Truth, str]:
    """Whether an event that began at ``start`` had begun by the end of ``at`` (a timeline as of ``at``):
    held (it had), not held (it began later) or cannot tell (undated, or both dates cover the same days)."""
    if start is None:
        return Truth.UNKNOWN, "no date recorded"
    if start.first_day() > at.last_day():
        return Truth.NOT_HELD, f"began {start}, after {at}"
    if start.last_day() <= at.last_day():
        return Truth.HELD, f"began {start}"
    return Truth.UNKNOWN, f"began {start}; cannot tell whether it had begun {_by(at)}"


# --------------------------------------------------------------------------
# Memberships in a graph
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Membership:
    """An ``org:Membership`` as read from a graph, with its recorded dates."""

    iri: URIRef
    key: str
    label: str
    member: Node | None
    organization: Node | None
    role: Node | None
    begins: tuple[PartialDate, ...]    # usually none or one; several when sources disagree
    ends: tuple[PartialDate, ...]
    attested: tuple[PartialDate, ...]

    @property
    def begin(self) -> PartialDate | None:
        """The recorded beginning (the earliest, when sources disagree), or None."""
        return self.begins[0] if self.begins else None

    @property
    def end(self) -> PartialDate | None:
        """The recorded end (the latest, when sources disagree), or None."""
        return self.ends[-1] if self.ends else None

    def at(self, at: PartialDate) -> MembershipState:
        """Whether it held at ``at``, with the reason.

        When sources record several beginnings or ends, the answer is the one
        every combination gives, else "cannot tell".
        """
        answers = [holds(b, e, self.attested, at)
                   for b, e in product(self.begins or (None,), self.ends or (None,))]
        truths = {t for t, _ in answers}
        if len(truths) == 1:
            truth, reason = answers[0]
        else:
            begun = " or ".join(str(b) for b in self.begins) or "?"
            ended = " or ".join(str(e) for e in self.ends) or "?"
            truth, reason = Truth.UNKNOWN, f"the sources give different dates (began {begun}, ended {ended})"
        return MembershipState(self, truth, reason)


@dataclass(frozen=True)
class MembershipState:
    """A membership and whether it held at the date asked."""

    membership: Membership
    truth: Truth
    reason: str


def _dates(g: Graph, node: Node, what: str, values: list[Node]) -> tuple[PartialDate, ...]:
    out = set()
    for lit in values:
        if not isinstance(lit, Literal):
            continue
        try:
            out.add(parse_date(str(lit)))
        except DateFormatError as exc:
            raise InputError(f"{node}: {what}: {exc}") from None
    return tuple(sorted(out, key=_chronological))


def _label(g: Graph, node: Node) -> str:
    for pred in (RDFS.label, SKOS.prefLabel):
        labels = sorted((o for o in g.objects(node, pred) if isinstance(o, Literal)),
                        key=lambda lit: (lit.language != "en", str(lit)))
        if labels:
            return str(labels[0])
    return key_of(node)


def read_memberships(graph: Graph) -> list[Membership]:
    """Every ``org:Membership`` of ``graph`` with its member, body, role and dates, sorted by key."""
    out = []
    for m in set(graph.subjects(RDF.type, ORG.Membership)):
        if not isinstance(m, URIRef):
            continue
        begin_values: list[Node] = []
        end_values: list[Node] = []
        for interval in graph.objects(m, ORG.memberDuring):
            for instant in graph.objects(interval, TIME.hasBeginning):
                begin_values += [v for p in INSTANT_PROPERTIES for v in graph.objects(instant, p)]
            for instant in graph.objects(interval, TIME.hasEnd):
                end_values += [v for p in INSTANT_PROPERTIES for v in graph.objects(instant, p)]
        key = key_of(m)
        out.append(Membership(
            m, key, _label(graph, m),
            graph.value(m, ORG.member), graph.value(m, ORG.organization), graph.value(m, ORG.role),
            _dates(graph, m, "beginning", begin_values),
            _dates(graph, m, "end", end_values),
            _dates(graph, m, "attestedAt", list(graph.objects(m, CKG.attestedAt))),
        ))
    return sorted(out, key=lambda ms: ms.key)


def memberships_as_of(graph: Graph, at: PartialDate) -> list[MembershipState]:
    """Every ``org:Membership`` of ``graph`` with whether it held at ``at`` and why (sorted by key)."""
    return [m.at(at) for m in read_memberships(graph)]
