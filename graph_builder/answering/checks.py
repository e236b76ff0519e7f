"""The quality report behind ``customs-kg check``: what a curator should look at.

:func:`run_checks` runs every check over loaded facts, their build and the
merged graph, and returns :class:`Finding` records, each naming the check, a
severity, the entities, the facts files and lines, and the source articles
involved. :func:`render` prints them as a table, CSV, TSV, JSON or Markdown;
:func:`graph_builder.pipeline.check_facts` is the whole command.

The checks (id, severity):

========================== ========= ===============================================
``<rule>``                 error     a row of ``queries/checks/<rule>-violation.rq``
``overlapping-tenures``    error /   two holders of a single-holder post (Chair, Head,
                           warning   Director, Secretary General) at once: error when
                                     the dates make it certain, warning when the dates'
                                     precision only makes it possible; a same-day
                                     handover (one ends on the day the other begins)
                                     is not an overlap
``repeated-tenure``        warning   one holder's two tenures of one post overlap
``undated-membership``     warning   memberships with no term (neither start nor end)
``single-source``          info      memberships, events and part-of facts that rest
                                     on one source article, one finding per body
``conflicting-values``     error     sources give one subject different values of a
                                     single-valued property (dates, number, place,
                                     attendance, founding date, a term's start / end)
``name-variants``          info      sources name one entity differently, each name an
                                     alias stated by its source: known variants, listed
                                     for review, not a defect
``stated-count-mismatch``  error     a source's count differs from the list it gives
``meeting-number-gap``     warning   numbers missing between a series' known meetings
``ambiguous-name``         warning   a name that resolves to more than one entity
``mixed-script-name``      warning   a word of a name mixing Latin, Cyrillic and Greek
                                     letters ("Ivan Реtrov": Cyrillic Р and е)
``confusable-names``       warning   names of two entities that are the same once
                                     Cyrillic and Greek letters are read as the Latin
                                     ones they look like (Unicode's confusables, from
                                     ``confusable_homoglyphs``)
``file-not-read``          warning   a YAML file under the facts folder the loader does
                                     not read (see graph_builder.loading.factsdir)
``shacl-violation``,       error,    SHACL results (e.g. a source with no publisher)
``shacl-warning``,         warning,
``shacl-info``             info
========================== ========= ===============================================

A defect is reported once. A rule query whose header names the shapes it
restates (``# Shape: ckgsh:Claim-reachesSource``) reports only the nodes those
shapes do not: a membership without a source is one ``shacl-violation`` of
``ckgsh:Claim-reachesSource``, not also a row of
``queries/checks/membership-without-source-violation.rq``.

Locations point at the line to read or edit: the field at fault (a date, a
count, a number, an alias) when there is one, the statement's first line
otherwise.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator, Sequence

from rdflib import Graph, URIRef
from rdflib.term import Node

from graph_builder.building.build import TYPE_CLASSES, Build
from graph_builder.errors import UsageError, display_path
from graph_builder.iris import entity_of
from graph_builder.loading.dates import PartialDate
from graph_builder.loading.facts import Facts, Loc, Statement, Values
from graph_builder.loading.numbering import missing_numbers, number_ranges
from graph_builder.textsafe import delimited, markdown_text, terminal_text
from graph_builder.validating.validate import Violation

SEVERITIES = ("error", "warning", "info")
FORMATS = ("table", "csv", "tsv", "json", "markdown")
FAIL_ON = ("error", "warning", "never")

Day = tuple[int, int, int]
_NEVER: Day = (0, 0, 0)
_EVER: Day = (9999, 12, 31)


@dataclass(frozen=True)
class Finding:
    """One thing a curator should look at, with where it was stated and by whom."""

    check: str
    severity: str
    message: str
    entities: tuple[str, ...] = ()
    locations: tuple[Loc, ...] = ()
    sources: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The finding as plain JSON-ready data (paths as displayed)."""
        return {
            "check": self.check, "severity": self.severity, "message": self.message,
            "entities": list(self.entities),
            "locations": [{"file": display_path(loc.file), "line": loc.line} for loc in self.locations],
            "sources": list(self.sources),
        }


# --------------------------------------------------------------------------
# Helpers shared by the checks
# --------------------------------------------------------------------------

class _Context:
    """Facts, build and graph, with the look-ups the checks share."""

    def __init__(self, facts: Facts, built: Build, graph: Graph):
        self.facts = facts
        self.built = built
        self.graph = graph
        self.source_of_file = {src.loc.file: src.key for src in facts.sources.values()}
        self._shacl: list[Violation] | None = None

    @property
    def shacl(self) -> list[Violation]:
        """The SHACL results of the graph (computed once)."""
        if self._shacl is None:
            from graph_builder.validating.validate import shacl_validate

            self._shacl = shacl_validate(self.graph, self.built.origins)
        return self._shacl

    def name(self, key: str) -> str:
        entity = self.facts.entities.get(key)
        return entity.names.pref["en"] if entity else key

    def role_name(self, key: str) -> str:
        role = self.facts.roles.get(key)
        return role.names.pref["en"] if role else key

    def sources_of(self, locs: Iterable[Loc]) -> tuple[str, ...]:
        return tuple(sorted({self.source_of_file[loc.file] for loc in locs if loc.file in self.source_of_file}))

    def finding(self, check: str, severity: str, message: str, entities: Iterable[str],
                locations: Iterable[Loc], sources: Iterable[str] = ()) -> Finding:
        locs = tuple(dict.fromkeys(locations))
        srcs = tuple(sorted(set(sources) | set(self.sources_of(locs))))
        return Finding(check, severity, message, tuple(dict.fromkeys(entities)), locs, srcs)


def _loc(st: Statement, field: str | None = None) -> Loc:
    """The line of a statement's field (the statement's line when no field is named)."""
    return Loc(st.loc.file, st.line(field)) if field else st.loc


def _loc_order(loc: Loc) -> tuple[str, int]:
    return (loc.file, loc.line)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# --------------------------------------------------------------------------
# queries/checks/*-violation.rq
# --------------------------------------------------------------------------

def _check_violation_queries(ctx: _Context) -> Iterator[Finding]:
    from graph_builder.answering.query import iter_named, run

    for q in sorted(iter_named("checks"), key=lambda q: q.name):
        if not q.name.endswith("-violation"):
            continue
        rule = q.name.removesuffix("-violation")
        result = run(ctx.graph, q)
        # A query that restates shapes (its `# Shape:` header) leaves to them the nodes they report.
        reported = {v.focus for v in ctx.shacl if v.severity == "Violation" and v.shape in q.shapes}
        for row in result.rows:
            first = row[0] if row else None
            if first is not None and isinstance(first, URIRef) and entity_of(first) in reported:
                continue
            entities: list[str] = []
            locations: set[Loc] = set()
            sources: set[str] = set()
            cells: list[str] = []
            for var, node in zip(result.vars, row):
                if node is None:
                    continue
                key = entity_of(node) if isinstance(node, URIRef) else None
                if key is not None:
                    entities.append(key)
                    locations |= set(ctx.built.origins.get(node, ()))
                    if key in ctx.facts.sources:
                        sources.add(key)
                cells.append(f"{var} {key if key is not None else _short(node)}")
            message = f"{'; '.join(cells)}: breaks the rule: {q.question} ({q.path.parent.name}/{q.path.name})"
            yield ctx.finding(rule, "error", message, entities, sorted(locations, key=_loc_order), sources)


def _short(node: Node) -> str:
    from graph_builder.validating.validate import short

    return short(node)


# --------------------------------------------------------------------------
# Tenures and memberships
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Term:
    """One membership statement with its dates."""

    key: str
    member: str
    organization: str
    role: str
    start: PartialDate | None
    end: PartialDate | None
    attested: tuple[PartialDate, ...]
    st: Statement

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def possible(self) -> tuple[Day, Day]:
        """Every day the term can include (a missing end: still running)."""
        return (self.start.first_day() if self.start else _NEVER, self.end.last_day() if self.end else _EVER)

    def certain(self) -> tuple[Day, Day] | None:
        """The days the term includes whichever day its dates stand for; None if none is certain."""
        latest_start = [d.last_day() for d in ((self.start,) if self.start else ()) + self.attested]
        earliest_end = [d.first_day() for d in ((self.end,) if self.end else ()) + self.attested]
        if not latest_start or not earliest_end:
            return None
        lo, hi = min(latest_start), max(earliest_end)
        return (lo, hi) if lo <= hi else None

    def describe(self) -> str:
        start = str(self.start) if self.start else "?"
        end = str(self.end) if self.end else "?"
        attested = f", attested {', '.join(str(d) for d in self.attested)}" if self.attested else ""
        return f"{start} to {end}{attested}"


def _terms(facts: Facts) -> list[_Term]:
    out = []
    for st in facts.statements:
        if st.kind != "membership":
            continue
        v = st.values
        out.append(_Term(st.subject, v.text("member"), v.text("organization"), v.text("role"),
                         v.optional_date("start"), v.optional_date("end"),
                         v.dates("attested"), st))
    return out


def _meet(a: tuple[Day, Day], b: tuple[Day, Day]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _hands_over(a: _Term, b: _Term) -> bool:
    """Whether ``a`` ends on the day ``b`` begins, having begun before: a same-day handover, not an overlap."""
    return (a.end is not None and b.start is not None and a.end.precision == "day" and a.end == b.start
            and (a.start is None or a.start.first_day() < b.start.first_day()))


def _check_overlapping_tenures(ctx: _Context) -> Iterator[Finding]:
    posts: dict[tuple[str, str], list[_Term]] = defaultdict(list)
    for term in _terms(ctx.facts):
        posts[(term.organization, term.role)].append(term)
    for (org, role), terms in sorted(posts.items()):
        for i, a in enumerate(terms):
            for b in terms[i + 1:]:
                if a.key == b.key:
                    continue  # one tenure stated twice: conflicting-values compares its dates
                if a.member != b.member and (_hands_over(a, b) or _hands_over(b, a)):
                    continue
                ca, cb = a.certain(), b.certain()
                definite = ca is not None and cb is not None and _meet(ca, cb)
                possible = definite or (a.dated and b.dated and _meet(a.possible(), b.possible()))
                if not possible:
                    continue
                post = f"{ctx.role_name(role)} of {ctx.name(org)} ({org})"
                terms_text = f"{a.member} {a.describe()}; {b.member} {b.describe()}"
                if a.member == b.member:
                    yield ctx.finding(
                        "repeated-tenure", "warning",
                        f"{a.member} holds the post of {post} in two tenures that "
                        f"{'overlap' if definite else 'can overlap'} ({a.key}: {a.describe()}; {b.key}: {b.describe()}): "
                        "one tenure stated twice, or two sources giving it different dates?",
                        (org, a.member, a.key, b.key), (a.st.loc, b.st.loc))
                elif role in ctx.facts.roles and ctx.facts.roles[role].single_holder:
                    if definite:
                        yield ctx.finding(
                            "overlapping-tenures", "error",
                            f"two holders of the post of {post} at once: {terms_text}",
                            (org, a.member, b.member, a.key, b.key), (a.st.loc, b.st.loc))
                    else:
                        yield ctx.finding(
                            "overlapping-tenures", "warning",
                            f"the tenures of two holders of the post of {post} can overlap at the precision "
                            f"of their dates: {terms_text}",
                            (org, a.member, b.member, a.key, b.key), (a.st.loc, b.st.loc))


def _attested(t: _Term) -> str:
    return ", ".join(str(d) for d in t.attested)


def _check_undated_memberships(ctx: _Context) -> Iterator[Finding]:
    by_post: dict[tuple[str, str], list[_Term]] = defaultdict(list)
    dated_keys = {t.key for t in _terms(ctx.facts) if t.dated}
    seen: set[str] = set()
    for term in _terms(ctx.facts):
        if term.key in dated_keys or term.key in seen:
            continue
        seen.add(term.key)
        by_post[(term.organization, term.role)].append(term)
    for (org, role), terms in sorted(by_post.items()):
        if len(terms) == 1:
            seen_at = f"; it is only attested at {_attested(terms[0])}" if terms[0].attested else ""
            message = f"the {ctx.role_name(role)} membership of {terms[0].member} in {org} has no term (neither start nor end){seen_at}"
        else:
            same = len({t.attested for t in terms}) == 1
            members = ", ".join(t.member + (f" (attested at {_attested(t)})" if t.attested and not same else "") for t in terms)
            seen_at = f"; all are only attested at {_attested(terms[0])}" if same and terms[0].attested else ""
            message = (f"{len(terms)} {ctx.role_name(role)} memberships of {org} have no term (neither start nor end): "
                       f"{members}{seen_at}")
        yield ctx.finding("undated-membership", "warning", message,
                          [org] + [t.key for t in terms], [t.st.loc for t in terms])


# --------------------------------------------------------------------------
# Facts resting on a single source
# --------------------------------------------------------------------------

def _check_single_source(ctx: _Context) -> Iterator[Finding]:
    # fact id -> (group entity, description, statements)
    facts: dict[tuple[str, ...], tuple[str, str, list[Statement]]] = {}
    for st in ctx.facts.statements:
        v = st.values
        if st.kind == "membership":
            fid: tuple[str, ...] = ("membership", st.subject)
            group = v.text("organization")
            text = f"{v['member']} {ctx.role_name(v.text('role'))} ({st.subject})"
        elif st.kind == "event":
            fid = ("event", st.subject)
            group = v.optional_text("series") or v.optional_text("super_event") or st.subject
            text = f"event {st.subject}"
        elif st.kind == "part_of":
            fid = ("part_of", v.text("unit"), v.text("parent"))
            group = v.text("parent")
            text = f"{v['unit']} part of {v['parent']}"
        else:
            continue
        facts.setdefault(fid, (group, text, []))[2].append(st)
    groups: dict[str, list[tuple[str, list[Statement]]]] = defaultdict(list)
    for group, text, sts in facts.values():
        if len({st.source for st in sts}) == 1:
            groups[group].append((text, sts))
    for group, items in sorted(groups.items()):
        items.sort(key=lambda item: (item[1][0].loc.file, item[1][0].loc.line))
        listing = "; ".join(text for text, _ in items)
        sts = [st for _, group_sts in items for st in group_sts]
        sources = sorted({st.source for st in sts})
        by = f"one source each ({', '.join(sources)})" if len(sources) > 1 else f"a single source ({sources[0]})"
        yield ctx.finding(
            "single-source", "info",
            f"{_plural(len(items), 'fact')} about {group} {'rests' if len(items) == 1 else 'rest'} on {by}: {listing}",
            [group] + [st.subject for st in sts if st.subject], [st.loc for st in sts])


# --------------------------------------------------------------------------
# Contradictions between sources
# --------------------------------------------------------------------------

_PROPERTY_WORDS = {
    "startDate": "start date", "endDate": "end date", "position": "number", "location": "place",
    "attendance": "attendance mode", "foundingDate": "founding date", "begin": "term start", "end": "term end",
}


def _differ(a: object, b: object) -> bool:
    if isinstance(a, PartialDate) and isinstance(b, PartialDate):
        return a.last_day() < b.first_day() or b.last_day() < a.first_day()
    return a != b


def _check_conflicting_values(ctx: _Context) -> Iterator[Finding]:
    # (subject, property) -> [(value, statement, field)]
    values: dict[tuple[str, str], list[tuple[object, Statement, str]]] = defaultdict(list)
    for st in ctx.facts.statements:
        v = st.values
        if st.kind == "event":
            for field, prop in (("start", "startDate"), ("end", "endDate"), ("date", "startDate"), ("date", "endDate"),
                                ("number", "position"), ("place", "location"), ("attendance", "attendance")):
                if field in v:
                    values[(st.subject, prop)].append((v[field], st, field))
        elif st.kind == "founded":
            values[(v.text("org"), "foundingDate")].append((v["date"], st, "date"))
        elif st.kind == "membership":
            for field, prop in (("start", "begin"), ("end", "end")):
                if field in v:
                    values[(st.subject, prop)].append((v[field], st, field))
        elif st.kind == "election" and "date" in v:
            values[(st.subject, "startDate")].append((v["date"], st, "date"))
    # A `date` conflict shows as both a start and an end conflict: merge such pairs.
    merged: dict[tuple[str, tuple[tuple[str, Loc], ...]], list[str]] = {}
    entries: dict[tuple[str, tuple[tuple[str, Loc], ...]], list[tuple[object, Statement, str]]] = {}
    for (subject, prop), items in sorted(values.items()):
        if not any(_differ(a[0], b[0]) for i, a in enumerate(items) for b in items[i + 1:]):
            continue
        signature = (subject, tuple(sorted((str(val), _loc(st, field)) for val, st, field in items)))
        merged.setdefault(signature, []).append(prop)
        entries[signature] = items
    for signature, props in merged.items():
        subject = signature[0]
        items = entries[signature]
        words = " and ".join(_PROPERTY_WORDS[p] for p in props)
        if props == ["startDate", "endDate"]:
            words = "date"
        given = "; ".join(f"{val} ({st.source})" for val, st, _ in items)
        sources = sorted({st.source for _, st, _ in items})
        who = f"sources disagree on the {words}" if len(sources) > 1 else f"{sources[0]} gives two values of the {words}"
        yield ctx.finding("conflicting-values", "warning", f"{who} of {subject}: {given}",
                          (subject,), [_loc(st, field) for _, st, field in items])


_STOPWORDS = frozenset({"the", "of", "and", "for", "in", "on", "a", "an"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _is_abbreviation(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _norm(words: Iterable[str]) -> str:
    out = []
    for w in words:
        w = w.casefold()
        if w in _STOPWORDS:
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]  # plural and singular name the same thing
        out.append(w)
    return " ".join(out)


def _name_forms(name: str) -> set[str]:
    """Normalized forms of a name: case, punctuation, plurals and articles ignored,
    an acronym introduced in parentheses ("Liaison Offices (RILO)") read both ways."""
    forms = {_norm(_WORD.findall(name))}
    m = re.search(r"\(([A-Z]{2,})\)", name)
    if m:
        acronym = m.group(1)
        before = _WORD.findall(name[:m.start()])
        after = _WORD.findall(name[m.end():])
        forms.add(_norm(before + after))
        for k in range(1, min(len(before), len(acronym) + 3) + 1):
            initials = "".join(w[0] for w in before[-k:] if w.casefold() not in _STOPWORDS)
            if initials.upper() == acronym:
                forms.add(_norm(before[:-k] + [acronym] + after))
                break
    return forms


def _check_named_differently(ctx: _Context) -> Iterator[Finding]:
    # entity -> source -> [(alias text, statement)]
    names: dict[str, dict[str, list[tuple[str, Statement]]]] = defaultdict(lambda: defaultdict(list))
    for st in ctx.facts.statements:
        if st.kind == "alias" and not _is_abbreviation(st.values.text("text")):
            names[st.values.text("entity")][st.source].append((st.values.text("text"), st))
    for entity, by_source in sorted(names.items()):
        forms = {src: set().union(*(_name_forms(text) for text, _ in items)) for src, items in by_source.items()}
        srcs = sorted(forms)
        differ = any(
            any(not (_name_forms(t) & forms[b]) for t, _ in by_source[a]) and
            any(not (_name_forms(t) & forms[a]) for t, _ in by_source[b])
            for i, a in enumerate(srcs) for b in srcs[i + 1:])
        if not differ:
            continue
        given = "; ".join(f"“{text}” ({src})" for src in srcs for text, _ in by_source[src])
        yield ctx.finding(
            "name-variants", "info",
            f"the sources name {entity} differently, each name an alias stated by its source (known variants): "
            f"{given}",
            (entity,), [_loc(st, "text") for src in srcs for _, st in by_source[src]])


# --------------------------------------------------------------------------
# A source that contradicts itself: a count that differs from its list
# --------------------------------------------------------------------------

def _counted(facts: Facts, key: str, counted_type: str) -> bool:
    entity = facts.entities.get(key)
    return entity is not None and TYPE_CLASSES[counted_type][0] in TYPE_CLASSES[entity.type]


def _check_stated_counts(ctx: _Context) -> Iterator[Finding]:
    facts = ctx.facts
    counts: list[tuple[str, Values, Statement, Loc]] = []
    for st in facts.statements:
        if st.kind == "event":
            for c in st.values.records("stated_counts"):
                counts.append((st.subject, c, st, Loc(st.loc.file, c.line)))
        elif st.kind == "stated_count":
            counts.append((st.values.text("entity"), st.values, st, _loc(st, "count")))
    for subject, c, st, where in counts:
        if "counted_type" not in c:
            continue
        relation = c.optional_text("relation") or "attendee"
        counted_type = c.text("counted_type")
        listed: set[str] = set()
        listing: list[Loc] = []
        for other in facts.statements:
            if other.source != st.source:
                continue
            if relation == "attendee" and other.kind == "event" and other.subject == subject:
                found = [k for k in other.values.keys_of("attendees") if _counted(facts, k, counted_type)]
                if found:
                    listed |= set(found)
                    listing.append(_loc(other, "attendees"))
            elif relation == "member" and other.kind == "membership" and other.values["organization"] == subject:
                if _counted(facts, other.values.text("member"), counted_type):
                    listed.add(other.values.text("member"))
                    listing.append(other.loc)
        stated = c.number("count")
        enumerated = "enumerated" in c and c.flag("enumerated")
        if len(listed) == stated or (not enumerated and len(listed) < stated):
            continue
        verb = "attended" if relation == "attendee" else "are members"
        how = "and says its list is complete, " if enumerated else ""
        yield ctx.finding(
            "stated-count-mismatch", "warning",
            f"{st.source} says {stated} {c['of']} {verb} ({subject}) {how}but lists {len(listed)} "
            f"of type {c['counted_type']}: {', '.join(sorted(listed))}",
            (subject,), [where] + listing, (st.source,))


# --------------------------------------------------------------------------
# Gaps in a meeting series' numbering
# --------------------------------------------------------------------------

def _check_meeting_number_gaps(ctx: _Context) -> Iterator[Finding]:
    series: dict[str, dict[int, list[Statement]]] = defaultdict(lambda: defaultdict(list))
    for st in ctx.facts.statements:
        if st.kind != "event" or "number" not in st.values:
            continue
        for field in ("series", "super_event"):
            parent = st.values.optional_text(field)
            if parent and ctx.facts.entities.get(parent) and ctx.facts.entities[parent].type == "MeetingSeries":
                series[parent][st.values.number("number")].append(st)
    for key, numbered in sorted(series.items()):
        known = sorted(numbered)
        missing = missing_numbers(known)
        if not missing:
            continue
        around = [st for before, after in zip(known, known[1:]) if after > before + 1
                  for st in numbered[before] + numbered[after]]
        meetings = "meeting" if len(missing) == 1 else "meetings"
        yield ctx.finding(
            "meeting-number-gap", "warning",
            f"{key}: no source tells of {meetings} {number_ranges(missing)} (known: {number_ranges(known)})",
            [key] + [st.subject for st in around], [_loc(st, "number") for st in around])


# --------------------------------------------------------------------------
# Names that resolve to more than one entity
# --------------------------------------------------------------------------

def _check_ambiguous_names(ctx: _Context) -> Iterator[Finding]:
    from graph_builder.answering.resolve import ambiguous_names, normalize

    for name, candidates in ambiguous_names(ctx.graph):
        keys = [(entity_of(URIRef(c)) or c) if c.startswith(("http://", "https://")) else c for c in candidates]
        spellings: set[str] = set()
        locations: list[Loc] = []
        for key in keys:
            declared = ctx.facts.entities.get(key) or ctx.facts.roles.get(key.removeprefix("role/"))
            if declared is not None:
                written = [*declared.names.pref.values(), *(a for group in declared.names.aliases.values() for a in group)]
                found = [text for text in written if normalize(text) == name]
                spellings.update(found)
                if found:
                    locations.append(declared.loc)
            for st in ctx.facts.statements:
                if st.kind == "alias" and st.values["entity"] == key and normalize(st.values.text("text")) == name:
                    spellings.add(st.values.text("text"))
                    locations.append(_loc(st, "text"))
        shown = " / ".join(f"“{s}”" for s in sorted(spellings)) or f"“{name}”"
        yield ctx.finding(
            "ambiguous-name", "warning",
            f"the name {shown} refers to {len(keys)} entities: {', '.join(keys)}; "
            "a look-up by this name cannot tell them apart (use a key)",
            keys, locations)


# --------------------------------------------------------------------------
# Names that mix scripts, and names of different entities that only look alike
# --------------------------------------------------------------------------

# The scripts whose letters pass for one another (Unicode's confusables: Cyrillic а, е, о, р, с, х
# and Greek ο, ρ, ν ... look like Latin letters).
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _script(char: str) -> str:
    from confusable_homoglyphs.categories import alias

    return str(alias(char))


@lru_cache(maxsize=1)
def _latin_lookalikes() -> dict[str, str]:
    """Cyrillic and Greek letters -> the Latin letter they look like (Unicode's confusables data)."""
    from confusable_homoglyphs.confusables import confusables_data

    out: dict[str, str] = {}
    for char, glyphs in confusables_data.items():
        if len(char) != 1 or _script(char) not in _LOOKALIKE_SCRIPTS[1:]:
            continue
        latin = next((g["c"] for g in glyphs if len(g["c"]) == 1 and _script(g["c"]) == "LATIN"), None)
        if latin is not None:
            out[char] = latin
    return out


def _written_names(facts: Facts) -> list[tuple[str, str, Loc]]:
    """(key, name, where it is written) of every name and alias of the entities and roles, and of
    every alias statement."""
    out: list[tuple[str, str, Loc]] = []
    declared = [(k, e.names, e.loc) for k, e in facts.entities.items()]
    declared += [(f"role/{k}", r.names, r.loc) for k, r in facts.roles.items()]
    for key, names, loc in declared:
        written = [*names.pref.values(), *(a for group in names.aliases.values() for a in group)]
        out += [(key, text, loc) for text in written]
    out += [(st.values.text("entity"), st.values.text("text"), _loc(st, "text")) for st in facts.statements
            if st.kind == "alias"]
    return out


def _mixed_words(name: str) -> list[tuple[str, list[str]]]:
    """The words of ``name`` that mix Latin, Cyrillic and Greek letters, each with its letters of
    the scripts less used in it."""
    out = []
    for word in _WORD.findall(name):
        scripts: dict[str, list[str]] = defaultdict(list)
        for c in word:
            if c.isalpha() and _script(c) in _LOOKALIKE_SCRIPTS:
                scripts[_script(c)].append(c)
        if len(scripts) > 1:
            main = max(sorted(scripts), key=lambda s: len(scripts[s]))
            out.append((word, [f"{s.capitalize()} {c}" for s in sorted(scripts) if s != main
                               for c in dict.fromkeys(scripts[s])]))
    return out


def _check_mixed_scripts(ctx: _Context) -> Iterator[Finding]:
    for key, name, loc in _written_names(ctx.facts):
        for word, odd in _mixed_words(name):
            yield ctx.finding(
                "mixed-script-name", "warning",
                f"the name “{name}” of {key} mixes scripts in the word “{word}” ({', '.join(odd)}); "
                "retype it in one script", (key,), [loc])


def _lookalike_letters(name: str) -> list[str]:
    table = _latin_lookalikes()
    return [f"{_script(c).capitalize()} {c} (U+{ord(c):04X}) for Latin {table[c]}"
            for c in dict.fromkeys(name) if c in table]


def _check_confusable_names(ctx: _Context) -> Iterator[Finding]:
    from graph_builder.answering.resolve import normalize

    table = _latin_lookalikes()
    groups: dict[str, list[tuple[str, str, Loc]]] = defaultdict(list)
    for key, name, loc in _written_names(ctx.facts):
        groups[normalize("".join(table.get(c, c) for c in name))].append((key, name, loc))
    for items in groups.values():
        for i, (key_a, name_a, loc_a) in enumerate(items):
            for key_b, name_b, loc_b in items[i + 1:]:
                if key_a == key_b or normalize(name_a) == normalize(name_b):
                    continue  # one entity's names, or the same name (an ambiguous-name finding)
                letters = _lookalike_letters(name_a) + _lookalike_letters(name_b)
                yield ctx.finding(
                    "confusable-names", "warning",
                    f"the names “{name_a}” of {key_a} and “{name_b}” of {key_b} look the same but are written "
                    f"with different letters ({', '.join(letters)}); a reader cannot tell them apart",
                    (key_a, key_b), [loc_a, loc_b])


# --------------------------------------------------------------------------
# Files the loader warned about (YAML files it does not read)
# --------------------------------------------------------------------------

def _check_facts_warnings(ctx: _Context) -> Iterator[Finding]:
    for p in ctx.facts.warnings:
        yield ctx.finding("file-not-read", "warning", p.message, (), [Loc(p.file, p.line)])


# --------------------------------------------------------------------------
# SHACL results
# --------------------------------------------------------------------------

def _check_shacl(ctx: _Context) -> Iterator[Finding]:
    for v in ctx.shacl:
        locations = list(v.locations)
        severity = {"Violation": "error", "Warning": "warning"}.get(v.severity, "info")
        check = {"error": "shacl-violation", "warning": "shacl-warning"}.get(severity, "shacl-info")
        value = f" [value: {v.value}]" if v.value else ""
        rule = f" (rule {v.shape})" if v.shape else ""
        where = f"{v.focus}{' ' + v.path if v.path else ''}"
        sources = [v.focus] if v.focus in ctx.facts.sources else []
        yield ctx.finding(check, severity, f"{where}: {v.message}{value}{rule}", (v.focus,), locations, sources)


# --------------------------------------------------------------------------
# Running, rendering, exit codes
# --------------------------------------------------------------------------

CHECKS = (
    _check_violation_queries,
    _check_overlapping_tenures,
    _check_undated_memberships,
    _check_single_source,
    _check_conflicting_values,
    _check_named_differently,
    _check_stated_counts,
    _check_meeting_number_gaps,
    _check_ambiguous_names,
    _check_mixed_scripts,
    _check_confusable_names,
    _check_facts_warnings,
    _check_shacl,
)


def _order(f: Finding) -> tuple[int, str, tuple[str, ...], str, tuple[tuple[str, int], ...]]:
    return (SEVERITIES.index(f.severity), f.check, f.entities, f.message,
            tuple(_loc_order(loc) for loc in f.locations))


def run_checks(facts: Facts, built: Build, graph: Graph) -> list[Finding]:
    """Every check over loaded facts, their build and the merged graph; sorted by
    severity, check, entities and message."""
    ctx = _Context(facts, built, graph)
    findings: set[Finding] = set()
    for check in CHECKS:
        findings.update(check(ctx))
    return sorted(findings, key=_order)


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings of each severity."""
    return {sev: sum(1 for f in findings if f.severity == sev) for sev in SEVERITIES}


def summary_line(findings: Sequence[Finding]) -> str:
    """``"N errors, N warnings, N notes"``."""
    n = counts(findings)
    return f"{_plural(n['error'], 'error')}, {_plural(n['warning'], 'warning')}, {_plural(n['info'], 'note')}"


def exit_code(findings: Sequence[Finding], fail_on: str) -> int:
    """1 when a finding is at or above ``fail_on`` (``error`` or ``warning``), else 0;
    ``never`` always gives 0."""
    if fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on: '{fail_on}' is not one of {', '.join(FAIL_ON)}")
    if fail_on == "never":
        return 0
    failing = {"error": ("error",), "warning": ("error", "warning")}[fail_on]
    return 1 if any(f.severity in failing for f in findings) else 0


_HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "Notes"}
_COLUMNS = ("severity", "check", "message", "entities", "locations", "sources")


def _row(f: Finding, sep: str) -> list[str]:
    return [f.severity, f.check, f.message, sep.join(f.entities),
            sep.join(f"{display_path(loc.file)}:{loc.line}" for loc in f.locations), sep.join(f.sources)]


def _render_table(findings: Sequence[Finding]) -> str:
    lines: list[str] = []
    for sev in SEVERITIES:
        group = [f for f in findings if f.severity == sev]
        if not group:
            continue
        lines += [f"{_HEADINGS[sev]} ({len(group)})", ""]
        for check in sorted({f.check for f in group}):
            lines.append(f"  {check}")
            for f in (f for f in group if f.check == check):
                lines.append(f"    {f.message}")
                lines += [f"      at {display_path(loc.file)}:{loc.line}" for loc in f.locations]
                if f.sources:
                    lines.append(f"      sources: {', '.join(f.sources)}")
            lines.append("")
    if not findings:
        lines += ["No findings.", ""]
    lines.append(summary_line(findings))
    return "".join(terminal_text(line) + "\n" for line in lines)


def _render_markdown(findings: Sequence[Finding]) -> str:
    def cell(items: Iterable[str]) -> str:
        return "<br>".join(markdown_text(item) for item in items)

    lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
    for f in findings:
        values = [f"**{f.severity}**" if f.severity == "error" else f.severity, f"`{terminal_text(f.check)}`",
                  cell([f.message]), cell(f.entities),
                  cell(f"{display_path(loc.file)}:{loc.line}" for loc in f.locations), cell(f.sources)]
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n\n" + summary_line(findings) + "\n"


def render(findings: Sequence[Finding], fmt: str = "table", raw: bool = False) -> str:
    """The findings as ``table`` (grouped by severity and check, with the summary
    line), ``csv`` / ``tsv`` (a header, one row each; lists joined by "; "),
    ``json`` (a list of objects) or ``markdown`` (a table, then the summary line).

    Text for the terminal (``table``) is shown as :func:`~graph_builder.textsafe.terminal_text`;
    Markdown cells are :func:`~graph_builder.textsafe.markdown_text` (the items of
    a list joined by ``<br>``); CSV and TSV cells are neutralised for spreadsheets
    unless ``raw``.
    """
    if fmt == "table":
        return _render_table(findings)
    if fmt == "json":
        return json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        return delimited(fmt, _COLUMNS, (_row(f, "; ") for f in findings), raw=raw)
    if fmt == "markdown":
        return _render_markdown(findings)
    raise UsageError(f"--format: '{fmt}' is not one of {', '.join(FORMATS)}")
