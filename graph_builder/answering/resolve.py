"""Find entities by any of their names: labels, aliases, spellings, keys and codes.

A :class:`Resolver` indexes, once, every name of every entity of a graph:
``rdfs:label``, ``skos:prefLabel``, ``foaf:name`` and ``schema:name`` (its
*preferred* names), ``skos:altLabel`` (aliases: acronyms and the spellings the
sources use, such as "RILO-Koln"), ``skos:notation`` (country codes) and the
curated key itself (``rilo-cis``). Names are compared after :func:`normalize`
(case, accents, hyphens, dots, quotes and spacing do not matter), so
"rilo koln", "RILO Köln" and "RILO-Koln" are the same name.

An *entity* is a curated entity of ``docs/data-model.md`` (organization,
person, place, country, series, meeting, operation, programme, platform, plan,
document) or a role of the controlled list: a node with an ``rdfs:label`` and
an ``rdf:type``, except the nodes the builder generates around them
(reified statements, quotations, associations, OWL-Time intervals and
instants, memberships, elections, outcomes, quantities, stated counts,
schedules, online locations, source articles, the role scheme), whose labels
are made from the entities' names and would only compete with them. Roles are
entities too, but rank below the other entities.

Ranking (a score from 0 to 1; best first, then by label, then by key):

=========  =====  ==========================================================
kind       score  the normalized query ...
=========  =====  ==========================================================
exact      1.0    equals a preferred name
exact      0.95   equals an alias, the key or a code
word       0.85   has only words that are whole words of a name ("Bakanov")
prefix     0.75   has only words that begin words of a name ("Baka")
fuzzy      0.7·r  is similar to a whole name (difflib ratio r ≥ 0.85);
                  tried only when nothing matched exactly or by words
=========  =====  ==========================================================
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from rdflib import Graph, Literal, URIRef

from graph_builder.errors import QueryError
from graph_builder.iris import key_of, local_name
from graph_builder.namespaces import CKG, FOAF, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SH, SKOS, TIME

PREFERRED_PREDICATES = (RDFS.label, SKOS.prefLabel, FOAF.name, SCHEMA.name)
ALIAS_PREDICATES = (SKOS.altLabel, SKOS.hiddenLabel)  # hiddenLabel: an edition number written the other way (III / 3)
CODE_PREDICATES = (SKOS.notation,)
# Every predicate a Resolver reads: the types and the names.
NAME_PREDICATES = (RDF.type, *PREFERRED_PREDICATES, *ALIAS_PREDICATES, *CODE_PREDICATES)
# The names ambiguous_names() compares: those a curator writes.
CURATED_NAME_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)

# Nodes of these types are not entities (see the module docstring).
NOT_ENTITY_TYPES = frozenset({
    RDF.Statement, CKG.Quotation, PROV.Association,
    ORG.Membership, CKG.Tenure,
    CKG.Election, CKG.ReElection, CKG.Appointment, CKG.CandidacyAgreement,
    CKG.Outcome, CKG.StatedCount, SCHEMA.QuantitativeValue, SCHEMA.Schedule, SCHEMA.VirtualLocation,
    SCHEMA.NewsArticle, SKOS.ConceptScheme,
})
# Nor are nodes typed in these vocabularies (time:Interval, time:Instant, and
# ontology or shapes terms when a graph carries them).
NOT_ENTITY_NAMESPACES: tuple[str, ...] = tuple(
    str(ns) for ns in (TIME, OWL, RDFS, SH))

SCORE_PREFERRED = 1.0
SCORE_ALIAS = 0.95
SCORE_WORD = 0.85
SCORE_PREFIX = 0.75
FUZZY_WEIGHT = 0.7
FUZZY_THRESHOLD = 0.85
SUGGEST_THRESHOLD = 0.6
# A run of words cut out of a longer name must be closer: "nobody here" is 0.6 like "of border".
SUGGEST_PIECE_THRESHOLD = 0.7
MAX_SUGGESTIONS = 3
MAX_LISTED = 10

# Tiers: entities before roles at the same score.
_TIER_ENTITY = 0
_TIER_ROLE = 1

# Characters read as a word separator besides Unicode punctuation (category P):
# apostrophe-like modifier letters and symbols.
_EXTRA_SEPARATORS = frozenset("`´ʹʻʼʽˈ")


def normalize(text: str) -> str:
    """A name as compared: NFKC, casefolded, without accents, punctuation as single spaces.

    Accents are removed by NFKD decomposition minus the combining marks (so
    "Köln" is "koln", "Treviño" is "trevino", and Cyrillic "ё" is "е");
    hyphens, dots, apostrophes, quotes (« » " ' and their typographic forms),
    brackets and other punctuation, and runs of whitespace become one space;
    the result is trimmed.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    stripped = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    stripped = unicodedata.normalize("NFC", stripped)
    spaced = "".join(" " if unicodedata.category(c).startswith("P") or c in _EXTRA_SEPARATORS else c
                     for c in stripped)
    return " ".join(spaced.split())


@dataclass(frozen=True)
class Match:
    """An entity found for a query, with the name that matched and how well."""

    iri: URIRef
    key: str
    label: str      # the entity's English rdfs:label
    matched: str    # the name that matched, as written in the graph
    lang: str | None  # the matched name's language tag (None for keys, codes, plain names)
    kind: str       # "exact", "word", "prefix" or "fuzzy"
    score: float
    types: tuple[str, ...]  # the local names of its rdf:types, sorted

    def describe(self, types: Iterable[str] | None = None) -> str:
        """One line for messages: label, key, types (``types`` if given) and the name that matched."""
        lang = f"@{self.lang}" if self.lang else ""
        shown = ", ".join(self.types if types is None else types) or "untyped"
        return f"{self.key}: {self.label} ({shown}), matched '{self.matched}'{lang}"


class NoMatch(QueryError):
    """No entity (of the kind asked for) has a name that matches the text."""

    def __init__(self, text: str, suggestions: list[Match], kind: str = "entity"):
        self.text = text
        self.suggestions = suggestions
        message = f"no {kind} matches '{text}'"
        if suggestions:
            message += "; did you mean " + ", ".join(f"{m.label} [{m.key}]" for m in suggestions) + "?"
        super().__init__(message)


class AmbiguousName(QueryError):
    """Several entities match the text equally well."""

    def __init__(self, text: str, candidates: list[Match], shown_types: dict[str, tuple[str, ...]] | None = None):
        self.text = text
        self.candidates = candidates
        shown = shown_types or {}
        lines = [f"'{text}' is ambiguous: it matches {len(candidates)} entities equally well:"]
        lines += [f"  {m.describe(shown.get(m.key))}" for m in candidates[:MAX_LISTED]]
        if len(candidates) > MAX_LISTED:
            lines.append(f"  ... and {len(candidates) - MAX_LISTED} more")
        lines.append(f"use a key to choose one (for example '{candidates[0].key}')")
        super().__init__("\n".join(lines))




@dataclass(frozen=True)
class _Entity:
    iri: URIRef
    key: str
    label: str
    types: tuple[str, ...]
    shown_types: tuple[str, ...]
    tier: int
    type_iris: frozenset[URIRef] = frozenset()


@dataclass(frozen=True)
class _Name:
    entity: URIRef
    text: str
    norm: str
    lang: str | None
    source: str  # "preferred", "alias", "key" or "code"
    predicate: URIRef | None = None  # None for keys


@dataclass(frozen=True)
class _Candidate:
    match: Match
    tier: int
    decisive: bool  # an exact match of a preferred name or of the key

    def rank(self) -> tuple[float, int, str, str]:
        return (-self.match.score, self.tier, self.match.label, self.match.key)


# Which of an entity's equally good names a match shows.
_SOURCE_ORDER = {"preferred": 0, "alias": 1, "code": 2, "key": 3}


def _ratio(a: str, b: str, cutoff: float = 0.0) -> float:
    """difflib's similarity of two normalized names (0 when cheaply known to be below ``cutoff``)."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
        return 0.0
    return matcher.ratio()


def _intersect(sets: Iterable[set[int]]) -> set[int]:
    """The indexes in every one of ``sets`` (empty when there are none)."""
    out: set[int] | None = None
    for s in sets:
        out = set(s) if out is None else out & s
        if not out:
            return set()
    return out or set()


def _is_entity(types: set[URIRef]) -> bool:
    if not types or types & NOT_ENTITY_TYPES:
        return False
    return not any(str(t).startswith(NOT_ENTITY_NAMESPACES) for t in types)


def _english_label(g: Graph, node: URIRef) -> str | None:
    labels = sorted((lit for lit in g.objects(node, RDFS.label) if isinstance(lit, Literal)),
                    key=lambda lit: (lit.language != "en", lit.language or "", str(lit)))
    return str(labels[0]) if labels else None


def entities(g: Graph) -> list[URIRef]:
    """The entities of a graph (see the module docstring), sorted."""
    out = []
    for node in set(g.subjects(RDFS.label, None)):
        if not isinstance(node, URIRef):
            continue
        types = {t for t in g.objects(node, RDF.type) if isinstance(t, URIRef)}
        if _is_entity(types):
            out.append(node)
    return sorted(out)


class Resolver:
    """An index of every entity's names; build once with :meth:`from_graph`, then resolve."""

    def __init__(self, entity_records: Iterable[_Entity], names: Iterable[_Name]):
        self._entities: dict[URIRef, _Entity] = {e.iri: e for e in entity_records}
        self._names: list[_Name] = sorted(set(names), key=lambda n: (str(n.entity), _SOURCE_ORDER[n.source],
                                                                   n.lang or "", n.text, str(n.predicate)))
        self._exact: dict[str, list[_Name]] = defaultdict(list)
        self._by_word: dict[str, set[int]] = defaultdict(set)
        self._by_norm: dict[str, list[int]] = defaultdict(list)
        for i, name in enumerate(self._names):
            self._exact[name.norm].append(name)
            self._by_norm[name.norm].append(i)
            for word in name.norm.split():
                self._by_word[word].add(i)
        self._words: list[str] = sorted(self._by_word)
        self._iris: dict[str, URIRef] = {str(iri): iri for iri in self._entities}

    @classmethod
    def from_graph(cls, g: Graph) -> Resolver:
        """Index the names of every entity of ``g``."""
        records: list[_Entity] = []
        names: list[_Name] = []
        for node in entities(g):
            types = {t for t in g.objects(node, RDF.type) if isinstance(t, URIRef)}
            key = key_of(node)
            local = sorted({local_name(str(t)) for t in types})
            own = sorted({local_name(str(t)) for t in types if str(t).startswith(str(CKG))})
            tier = _TIER_ROLE if ORG.Role in types else _TIER_ENTITY
            records.append(_Entity(node, key, _english_label(g, node) or key, tuple(local),
                                   tuple(own or local), tier, frozenset(types)))
            for source, predicates in (("preferred", PREFERRED_PREDICATES), ("alias", ALIAS_PREDICATES),
                                       ("code", CODE_PREDICATES)):
                for p in predicates:
                    for lit in g.objects(node, p):
                        if isinstance(lit, Literal):
                            norm = normalize(str(lit))
                            if norm:
                                names.append(_Name(node, str(lit), norm, lit.language, source, p))
            if key != str(node):
                names.append(_Name(node, key, normalize(key), None, "key"))
        return cls(records, names)

    # -- queries ------------------------------------------------------------
    def resolve(self, text: str, limit: int = 10) -> list[Match]:
        """The entities whose names match ``text``, best first (at most ``limit``)."""
        return [c.match for c in self._candidates(text)[:limit]]

    def resolve_one(self, text: str, classes: Iterable[URIRef] = ()) -> Match:
        """The one entity ``text`` names; :class:`NoMatch` or :class:`AmbiguousName` otherwise.

        With ``classes``, only entities of one of these types count (and are
        suggested). A tie at the top score is ambiguous, except that a unique
        exact match of a preferred name or of a key wins; roles never tie with
        other entities (they rank below them).
        """
        wanted = frozenset(classes)
        candidates = [c for c in self._candidates(text) if self._is_a(c.match.iri, wanted)]
        if not candidates:
            raise NoMatch(text, self.suggest(text, classes=wanted), kind_of(wanted))
        top = candidates[0]
        tied = [c for c in candidates if c.match.score == top.match.score and c.tier == top.tier]
        if len(tied) == 1:
            return top.match
        decisive = [c for c in tied if c.decisive]
        if len(decisive) == 1:
            return decisive[0].match
        raise AmbiguousName(text, [c.match for c in tied],
                            {c.match.key: self._entities[c.match.iri].shown_types for c in tied})

    def suggest(self, text: str, limit: int = MAX_SUGGESTIONS, classes: Iterable[URIRef] = ()) -> list[Match]:
        """Near misses for a "did you mean": names similar to ``text`` (of an entity of one of ``classes``, if given).

        Compares the query with each whole name (ratio ≥ 0.6) and with each
        run of as many consecutive words of it as the query has (ratio ≥ 0.7;
        keys only whole), so "Bakanof" suggests "Oleg Bakanov" and "nobody
        here" suggests nothing.
        """
        query = normalize(text)
        if not query:
            return []
        wanted = frozenset(classes)
        width = len(query.split())
        best: dict[URIRef, tuple[float, _Name]] = {}
        for name in self._names:
            if not self._is_a(name.entity, wanted):
                continue
            words = [] if name.source == "key" else name.norm.split()
            pieces = {" ".join(words[i:i + width]) for i in range(len(words) - width + 1)} - {name.norm}
            ratio = max([_ratio(query, name.norm)] + [r for r in (_ratio(query, piece) for piece in pieces)
                                                      if r >= SUGGEST_PIECE_THRESHOLD])
            if ratio >= SUGGEST_THRESHOLD and (name.entity not in best or ratio > best[name.entity][0]):
                best[name.entity] = (ratio, name)
        found = [_Candidate(self._match(name, "fuzzy", round(FUZZY_WEIGHT * ratio, 4)),
                            self._entities[name.entity].tier, False)
                 for ratio, name in best.values()]
        return [c.match for c in sorted(found, key=_Candidate.rank)[:limit]]

    def ambiguous_names(self) -> list[tuple[str, list[str]]]:
        """Every normalized curated name (label, prefLabel, altLabel) of more than one entity."""
        owners: dict[str, set[str]] = defaultdict(set)
        for name in self._names:
            if name.predicate in CURATED_NAME_PREDICATES:
                owners[name.norm].add(self._entities[name.entity].key)
        return sorted((norm, sorted(keys)) for norm, keys in owners.items() if len(keys) > 1)

    def is_entity(self, iri: str) -> bool:
        """Whether ``iri`` is an entity of the index."""
        return iri in self._iris

    # -- internals ----------------------------------------------------------
    def _is_a(self, iri: URIRef, classes: frozenset[URIRef]) -> bool:
        return not classes or bool(self._entities[iri].type_iris & classes)

    def _match(self, name: _Name, kind: str, score: float) -> Match:
        e = self._entities[name.entity]
        return Match(e.iri, e.key, e.label, name.text, name.lang, kind, score, e.types)

    def _candidates(self, text: str) -> list[_Candidate]:
        query = normalize(text)
        raw = text.strip()
        if not query and not raw:
            return []
        best: dict[URIRef, tuple[tuple[float, bool, bool, int, bool, str, str], _Name, str, float]] = {}
        decisive: set[URIRef] = set()

        def offer(name: _Name, kind: str, score: float) -> None:
            if kind == "exact" and name.source in ("preferred", "key"):
                decisive.add(name.entity)
            preference = (-score, name.text != raw, name.text.casefold() != raw.casefold(),
                          _SOURCE_ORDER[name.source], name.lang != "en", name.lang or "", name.text)
            old = best.get(name.entity)
            if old is None or preference < old[0]:
                best[name.entity] = (preference, name, kind, score)

        if raw in self._iris:  # a full IRI of an entity
            iri = self._iris[raw]
            offer(_Name(iri, raw, query, None, "key"), "exact", SCORE_ALIAS)
        for name in self._exact.get(query, ()):
            offer(name, "exact", SCORE_PREFERRED if name.source == "preferred" else SCORE_ALIAS)
        words = query.split()
        if words:
            for i in _intersect(self._by_word.get(w, set()) for w in words):
                offer(self._names[i], "word", SCORE_WORD)
            for i in _intersect(self._prefixed(w) for w in words):
                offer(self._names[i], "prefix", SCORE_PREFIX)
        if query and not any(kind in ("exact", "word") for _, _, kind, _ in best.values()):
            for norm, indexes in self._by_norm.items():
                ratio = _ratio(query, norm, FUZZY_THRESHOLD)
                if ratio >= FUZZY_THRESHOLD:
                    for i in indexes:
                        offer(self._names[i], "fuzzy", round(FUZZY_WEIGHT * ratio, 4))
        found = [_Candidate(self._match(name, kind, score), self._entities[name.entity].tier, name.entity in decisive)
                 for _, name, kind, score in best.values()]
        return sorted(found, key=_Candidate.rank)

    def _prefixed(self, word: str) -> set[int]:
        out: set[int] = set()
        start = bisect.bisect_left(self._words, word)
        for w in self._words[start:]:
            if not w.startswith(word):
                break
            out |= self._by_word[w]
        return out


def kind_of(classes: Iterable[URIRef]) -> str:
    """The kind of entity a set of classes names, for messages: ``meeting series``, ``organization or person``."""
    words = sorted({re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local_name(str(c))).lower() for c in classes})
    return " or ".join(words) or "entity"


def approximate(match: Match) -> bool:
    """Whether a match is not by one of the entity's own names or its key (said to the user)."""
    return match.kind != "exact"


def ambiguous_names(g: Graph) -> list[tuple[str, list[str]]]:
    """Every normalized name (label, prefLabel, altLabel) of more than one entity of ``g``, with their keys.

    Sorted by name; used by the quality checks, since such a name cannot be
    resolved without a key.
    """
    return Resolver.from_graph(g).ambiguous_names()
