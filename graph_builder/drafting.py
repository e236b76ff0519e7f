"""Draft the claims of a new article: ``customs-kg draft SOURCE_KEY`` proposes, the curator decides.

The draft reads the source's text sentence by sentence (split as ``customs-kg
sentences`` splits it) and proposes, under each sentence, the claims it can
read there with rules, from the facts folder's names:

* mentions of known entities by any name: key, preferred names in every
  language, aliases (declared, or stated by a source), acronyms (matched with
  their case), and small misspellings (:mod:`rapidfuzz`, never across a
  different number: "29th" is not "28th");
* numbered meetings ("the 28th Global RILO Meeting", "the 41st session of the
  WCO Enforcement Committee", "the Council's 7th Meeting", "its 3rd Meeting":
  a short reference is the body last named so) with their series and
  organizer, and the candidate new entities a sentence names (a numbered
  meeting and its series, a person "Mr. A. B.", a body or programme by its
  type word "... Department", "RILO ...", "... Plan", an operation or project
  in guillemets or quotes, a town a meeting was held in, a customs service);
* dates and ranges at the precision the text gives ("19-20 January, 2021",
  "in March 2021", "in 2024"), places, online or hybrid form, chairs ("under
  the chairmanship of", "chaired by"), hosts, opening speakers, presenters and
  roles ("attended as an observer"), participant lists (a country's customs
  administration for the country) and counts, elections and re-elections with
  their posts and periods, posts ("Mr. A. B., Deputy Head of the X", "had been
  Secretary of the Council since 2021"), founding dates, quantities with their
  bounds ("over 20 kg"), topics, outcomes ("agreed on the X"), planned wording
  ("will be held": scheduled with a day or month, planned without; "is
  planned to");
* structure read from names and wording: a unit named after its body ("WCO
  Secretariat", "... Department of the X"), "part of", "under the direction
  of", "with the administrative support of", a plan "for" a series, a body's
  headquarters, what a body "is" or "is for", acronyms defined in brackets
  and names other than the English one (aliases the source states).

Nothing is invented: every proposal carries a ``draft:`` field quoting what it
read, and a file with such a field is refused by the loader until the curator
accepts the proposal (deletes its ``draft:`` line) or rejects it (deletes the
claim). Candidate new entities are listed in a comment at the top of the
drafted statements, written as an entities file declares them. The same text
and facts give the same draft, byte for byte.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence, Union

from rapidfuzz import fuzz, process

from graph_builder.atomic import write_atomic
from graph_builder.curate import yaml_string
from graph_builder.errors import FactsError, InputError, Problem
from graph_builder.loading.facts import Facts, pending_proposals, proposals_message
from graph_builder.loading.quotes import text_sentences
from graph_builder.loading.schema import EVENT_TYPES, ORG_TYPES, THING_TYPES, UNIT_TYPES

# How alike (0-100, rapidfuzz's ratio of the folded names) a misspelt name must be to a known one.
FUZZY_CUTOFF = 90
FUZZY_MIN_CHARS = 10     # shorter names are matched exactly only
ACRONYM_MAX_CHARS = 6    # names this short with a capital letter are matched with their case

Scalar = Union[str, int]
FieldValue = Union[Scalar, list[str], list[dict[str, Scalar]]]

_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                         "september", "october", "november", "december"), 1)}
_MONTH = "(?:" + "|".join(m.capitalize() for m in _MONTHS) + ")"
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
_YEAR = r"(?P<{}>(?:19|20)\d\d)"
_MON = rf"(?P<m>{_MONTH})"
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("day-range", re.compile(rf"\b{_DAY.format('d')}\s*(?:-|–|and|to)\s*{_DAY.format('d2')}\s+{_MON},?\s+"
                             rf"{_YEAR.format('y')}\b")),
    ("day", re.compile(rf"\b{_DAY.format('d')}\s+{_MON},?\s+{_YEAR.format('y')}\b")),
    ("day", re.compile(rf"\b{_MON}\s+{_DAY.format('d')},?\s+{_YEAR.format('y')}\b")),
    ("day", re.compile(r"\b(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>(?:19|20)\d\d)\b")),
    ("month", re.compile(rf"\b{_MON},?\s+{_YEAR.format('y')}\b")),
    ("period", re.compile(rf"\b{_YEAR.format('y')}\s*[-–]\s*{_YEAR.format('y2')}\b")),
    ("year", re.compile(rf"\b{_YEAR.format('y')}\b")),
)
_ORDINAL = re.compile(r"\b(\d{1,5})(?:st|nd|rd|th)\b")
_MEETING_WORD = re.compile(r"\b(meeting|session|conference|forum|assembly)\b", re.I)
_CONNECTOR = {"of", "the", "and", "for", "on", "in"}
_STOP = {"the", "of", "and", "for", "on", "in", "a", "an", "at", "by", "to", "with", "as", "its", "their", "his",
         "her", "this", "that", "from"}
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+((?:[A-Z][\w’'\-]*\.?\s?){1,4})")
_NAME_BEFORE_POST = re.compile(r"\b([A-Z][a-z’'\-]+(?:\s+[A-Z][a-z’'\-]+){1,2}),\s+")
_HELD = re.compile(r"\b(was held|were held|held (?:its|their|the)|took place|has taken place|met|was hosted|hosted|was conducted|"
                   r"was organized|was organised|gathered|convened|was attended|participated|took part)\b", re.I)
_FUTURE = re.compile(r"\bwill (?:be held|take place|meet|be approved|be adopted|be considered)\b|\bis to be held\b",
                     re.I)
_PLANNED = (("scheduled", re.compile(r"\b(is|are) scheduled (to|for)\b", re.I)),
            ("planned", re.compile(r"\b(is|are) planned (to|for)\b|\b(is|are) to be held\b", re.I)),
            ("planned", _FUTURE),  # "scheduled" instead when the text gives its day or month
            ("postponed", re.compile(r"\b(was|has been|were) postponed\b", re.I)),
            ("cancelled", re.compile(r"\b(was|has been|were) cancell?ed\b", re.I)))
_ATTENDANCE = (("mixed", re.compile(r"\bhybrid\b|\bmixed format\b|\bboth in person and online\b", re.I)),
               ("online", re.compile(r"\bvirtually\b|\bonline\b|\bvideo ?conferenc\w*|\bvideo ?link\b|"
                                     r"\bvirtual (meeting|format|mode)\b|\bweb-?mode\b", re.I)),
               ("offline", re.compile(r"\bin person\b|\bface-to-face\b", re.I)))
_CHAIR = re.compile(r"\bunder the (?:chairmanship|chairpersonship|presidency) of\b|\bchaired by\b|\bpresided "
                    r"(?:over )?by\b", re.I)
_CHAIRED = re.compile(r"\b(chaired|presided over)\b", re.I)
_HOSTED = re.compile(r"\bhosted\b", re.I)
_OPENING = re.compile(r"\b(opening (remarks|speech|address|statement)|welcom(ing|e) (speech|address|remarks)|"
                      r"opened the (meeting|session|event))\b", re.I)
_PRESENTED = re.compile(r"\bpresented\b", re.I)
_PARTICIPATION = re.compile(r"\b(participated|took part|attended|attendance of|brought together|represented|"
                            r"representatives|delegations?|participants)\b", re.I)
_TOPIC = re.compile(r"\b(discuss\w*|consider\w*|review\w*|learn\w* about|present\w*|address\w*|focus\w*|"
                    r"exchange\w*|devoted to|dedicated to|topics?|issues?|results of)\b", re.I)
_ELECTED = re.compile(r"\b(was|were|has been|have been|had been|is)\s+(re-?elected|elected|appointed|nominated)"
                      r"\s+(?:as\s+)?(?:an?\s+|the\s+)?", re.I)
_FOUNDED = re.compile(r"\b(established|founded|created|set up)\s+(?:on|in)\s+", re.I)
_ANNUAL = re.compile(r"\bannual(ly)?\b|\bon an annual basis\b|\bevery year\b|\beach year\b", re.I)
_OUTCOME = re.compile(r"\b(agreed (?:on|upon)|approved|adopted|established|endorsed)\s+(?:the\s+|a\s+|an\s+)")
_DISCUSSED = re.compile(r"\b(?:were|was) discussed\b")
_FOLLOWED = re.compile(r"\b(?:was|is)\s+(?:immediately\s+)?followed by\b", re.I)
_SEIZED = re.compile(r"\b(seiz\w*|confiscat\w*|detain\w*|intercept\w*)\b", re.I)
_QUANTITY = re.compile(r"\b(?:(over|more than|above|at least|in excess of|up to|less than|under|about|around|"
                       r"approximately|almost|nearly)\s+)?(\d+(?:[.,]\d+)?)\s+(kg|kilograms?|tons?|tonnes?|t|grams?|g)"
                       r"\s+of\s+([\w\-]+(?:\s+[\w\-]+){0,3}?)(?=[,.;]|\s+(?:were|was|from|in|during|and|by)\b|$)", re.I)
_UNITS = {"kg": "KGM", "kilogram": "KGM", "kilograms": "KGM", "ton": "TNE", "tons": "TNE", "tonne": "TNE",
          "tonnes": "TNE", "t": "TNE", "gram": "GRM", "grams": "GRM", "g": "GRM"}
_LOWER = {"over": "min", "more than": "min", "above": "min", "at least": "min", "in excess of": "min"}
_UPPER = {"up to": "max", "less than": "max", "under": "max"}
# An operation, project or programme named in guillemets or quotes, and the word that says which it is.
_QUOTED_NAME = re.compile(r"(?:\b(operation|project|programme|program|exercise),?\s+)?[«“\"]([^«»“”\"]{2,80})[»”\"]"
                          r"(?:\s+(operation|project|programme|program))?", re.I)
_THING_TYPE = {"operation": "Operation", "exercise": "Operation", "project": "Project", "programme": "Programme",
               "program": "Programme"}
_MEETING_REF = re.compile(r"\b(the|this|that) (meeting|session|event|conference|forum)\b|\b(participants|attendees|"
                          r"delegates)\b", re.I)


def fold(text: str) -> str:
    """A name as it is compared: accents, case, quotes, brackets and dashes folded, white space single."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[’‘`´]", "'", text)
    text = re.sub(r"[‐‑‒–—]", "-", text)
    text = re.sub(r"[«»\"“”()\[\]]", " ", text)
    return " ".join(text.split())


def slug(text: str) -> str:
    """A key made from a name as read (lower-case ASCII words joined by hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))[:80].strip("-") or "entity"


@dataclass(frozen=True)
class Mention:
    """A stretch of a sentence that names an entity (``key``) by one of its names."""

    start: int
    end: int
    text: str
    key: str
    type: str
    how: str  # "name" (its English name), "alias" (any other name), "misspelt" (fuzzy), "new" (a candidate)
    name: str = ""  # a candidate's name, when it is not the text as read ("Matrix" for "«Matrix» project")


@dataclass(frozen=True)
class NewEntity:
    """A candidate new entity the text names: the curator declares it (or changes the key)."""

    key: str
    type: str
    name: str


@dataclass
class Proposal:
    """A proposed claim: its kind, the key it is about (empty for a mapping kind), its fields, what it read."""

    kind: str
    subject: str
    fields: dict[str, FieldValue]
    read: list[str]


@dataclass
class Draft:
    """The proposals for each sentence (by its number, from 1), and the candidate new entities."""

    sentences: list[str]
    proposals: dict[int, list[Proposal]]
    new_entities: dict[str, NewEntity]

    @property
    def count(self) -> int:
        return sum(len(p) for p in self.proposals.values())


class NameIndex:
    """Every name the facts give an entity, folded, with the keys it names."""

    def __init__(self, facts: Facts):
        self.types = {k: e.type for k, e in facts.entities.items()}
        self.english = {k: e.names.pref.get("en", k) for k, e in facts.entities.items()}
        self.country_admin: dict[str, str] = {}
        admins: dict[str, list[str]] = {}
        for k, e in sorted(facts.entities.items()):
            if e.type == "NationalCustomsAdministration" and e.country:
                admins.setdefault(e.country, []).append(k)
        self.country_admin = {c: ks[0] for c, ks in admins.items() if len(ks) == 1}
        names: dict[str, set[str]] = {}
        for k, e in facts.entities.items():
            for text in list(e.names.pref.values()) + [a for alist in e.names.aliases.values() for a in alist]:
                names.setdefault(text, set()).add(k)
        self.series_of: dict[str, str] = {}
        for st in facts.statements:
            if st.kind == "alias":
                names.setdefault(st.values.text("text"), set()).add(st.values.text("entity"))
            if st.kind == "event" and "series" in st.values:
                self.series_of[st.subject] = st.values.text("series")
        self.exact: dict[str, set[str]] = {}
        self.cased: dict[str, set[str]] = {}
        for text, keys in names.items():
            if len(text) <= ACRONYM_MAX_CHARS and any(c.isupper() for c in text):
                self.cased.setdefault(text, set()).update(keys)
            else:
                self.exact.setdefault(fold(text), set()).update(keys)
        self.fuzzy_names = sorted(n for n in self.exact if len(n) >= FUZZY_MIN_CHARS)
        self.max_words = max((len(n.split()) for n in self.exact), default=1) + 1
        self.series = {k: [fold(n) for n in self._names_of(k, names)] for k, t in self.types.items()
                       if t == "MeetingSeries"}

    @staticmethod
    def _names_of(key: str, names: Mapping[str, set[str]]) -> list[str]:
        return sorted(text for text, keys in names.items() if key in keys)

    def lookup(self, text: str) -> set[str]:
        if "-" in text and text in self.types:
            return {text}  # a key written in the text ("fcs-russia"; a one-word key is a word)
        return self.cased.get(text, set()) if len(text) <= ACRONYM_MAX_CHARS and any(
            c.isupper() for c in text) and text in self.cased else self.exact.get(fold(text), set())

    def fuzzy(self, text: str) -> set[str]:
        folded = fold(text)
        if len(folded) < FUZZY_MIN_CHARS:
            return set()
        found = process.extractOne(folded, self.fuzzy_names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if found is None or re.findall(r"\d+", found[0]) != re.findall(r"\d+", folded):
            return set()
        return self.exact[found[0]]


_WORD = re.compile(r"\w+(?:[-’'.]\w+)*")


def mentions(sentence: str, index: NameIndex) -> list[Mention]:
    """The known entities a sentence names, leftmost longest first, never overlapping."""
    words = list(_WORD.finditer(sentence))
    out: list[Mention] = []
    i = 0
    while i < len(words):
        found = _mention_at(sentence, words, i, index)
        if found is None:
            i += 1
            continue
        mention, used = found
        out.append(mention)
        i += used
    return out


def _mention_at(sentence: str, words: Sequence[re.Match[str]], i: int,
                index: NameIndex) -> tuple[Mention, int] | None:
    top = min(index.max_words, len(words) - i)
    for how in ("exact", "misspelt"):
        for n in range(top, 0, -1):
            start, end = words[i].start(), words[i + n - 1].end()
            if end < len(sentence) and sentence[end] == ")" and "(" in sentence[start:end]:
                end += 1
            text = sentence[start:end]
            if how == "exact":
                keys = index.lookup(text)
            else:
                first, last = words[i].group().lower(), words[i + n - 1].group().lower()
                if n < 2 or first in _STOP or last in _STOP or not words[i].group()[0].isupper():
                    continue
                keys = index.fuzzy(text)
            if len(keys) != 1:
                continue
            key = next(iter(keys))
            if start > 0 and sentence[start - 1] == "«" and end < len(sentence) and sentence[end] == "»":
                start, end = start - 1, end + 1
                text = sentence[start:end]
            kind = "misspelt" if how == "misspelt" else "name" if text in (index.english.get(key), key) else "alias"
            return Mention(start, end, text, key, index.types[key], kind), n
    return None


@dataclass(frozen=True)
class DateRead:
    """A date or range read from a sentence, at the precision the text gives."""

    start: int
    end: int
    text: str
    first: str
    last: str
    form: str


def dates(sentence: str) -> list[DateRead]:
    """Every date, range or period a sentence gives, leftmost first, never overlapping."""
    taken: list[DateRead] = []
    for form, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(sentence):
            if any(m.start() < d.end and d.start < m.end() for d in taken):
                continue
            read = _date_of(form, m)
            if read is not None:
                taken.append(DateRead(m.start(), m.end(), m.group(), read[0], read[1], form))
    return sorted(taken, key=lambda d: d.start)


def _date_of(form: str, m: re.Match[str]) -> tuple[str, str] | None:
    """The first and last day, month or year a date or range read gives, at its precision."""
    g = m.groupdict()
    if form == "period":
        return (g["y"], g["y2"]) if g["y"] < g["y2"] else None
    if form == "year":
        return g["y"], g["y"]
    month = int(g["m"]) if g["m"].isdigit() else _MONTHS[g["m"].lower()]
    if not 1 <= month <= 12:
        return None
    if form == "month":
        return f"{g['y']}-{month:02d}", f"{g['y']}-{month:02d}"
    days = [int(g["d"]), int(g.get("d2") or g["d"])]
    if not all(1 <= d <= 31 for d in days):
        return None
    first, last = (f"{g['y']}-{month:02d}-{d:02d}" for d in days)
    return first, last


@dataclass
class Meeting:
    """A numbered meeting a sentence names."""

    key: str
    number: int
    series: str | None
    text: str
    start: int
    end: int
    new: NewEntity | None
    new_series: NewEntity | None = None
    body: str | None = None  # the body named by a short reference ("the Council", "its") resolved to its name


def numbered_meetings(sentence: str, index: NameIndex, known: Sequence[Mention],
                      resolve: Callable[[str], str | None] = lambda _word: None) -> list[Meeting]:
    """"The 28th Global RILO Meeting", "the 41st session of the WCO Enforcement Committee (EC)": the number,
    the series whose name the rest is, and the meeting (known by its name, else a candidate new one)."""
    out: list[Meeting] = []
    for m in _ORDINAL.finditer(sentence):
        rest = sentence[m.end():]
        word = _MEETING_WORD.search(rest)
        if word is None:
            continue
        before = rest[:word.start()].split()
        if any(w[0].islower() and w not in _CONNECTOR for w in before) or len(before) > 8:
            continue
        end = m.end() + word.end()
        tail = re.match(r"\s+of\s+(?:the\s+)?((?:(?:[A-Z][\w’'\-]*|of|the|and|for|on|in)\s?)+)(\s*\([^()]{1,20}\))?",
                        sentence[end:])
        if tail is not None:
            body = tail.group(1).rstrip()
            while body.split() and body.split()[-1] in _CONNECTOR:
                body = body.rsplit(" ", 1)[0]
            end += tail.group(0).index(tail.group(1)) + len(body)
            if tail.group(2) and sentence[end:].startswith(tail.group(2)):
                end += len(tail.group(2))
        inside = [k for k in known if m.end() + word.end() <= k.start < end]
        if tail is not None and inside and inside[-1].end < end and re.fullmatch(
                r"\s+[A-Z][a-z’'\-]+(?:\s+[A-Z][a-z’'\-]+){1,2}", sentence[inside[-1].end:end]) and \
                re.match(r",|\s+(?:was|were|has|had|is)\b", sentence[end:]):
            end = inside[-1].end  # "the 41st session of the WCO EC Oleg Bakanov, ...": the name is not the body's
        text = sentence[m.start():end]
        phrase = text[m.end() - m.start():].strip()
        short = re.fullmatch(r"(?:the\s+)?([A-Z][\w\-]*)", _ACRONYM.sub("", tail.group(1)).strip()) if tail else None
        before_word = re.search(r"(?:\b[Tt]he\s+)?\b([A-Z][\w\-]*)['’]s\s+$|\b(its|their)\s+$", sentence[:m.start()])
        body = resolve(short.group(1)) if short else \
            resolve(before_word.group(1) or before_word.group(2)) if before_word and tail is None else None
        if body is not None:
            phrase = f"{word.group(1)} of the {body}"  # "the 5th Meeting of the Council", "the Council's 7th Meeting"
        series = _series(phrase, index)
        owner = next((k for k in reversed(known) if k.end <= m.start() and k.type in ORG_TYPES), None)
        if series is None and tail is None and owner is not None and re.search(r"\b(its|their)\s+$",
                                                                                sentence[:m.start()]):
            series = _series(f"{word.group(1)} of the {owner.text}", index)  # "X holds its 9th Meeting"
        named = [k for k in (index.lookup(text) or index.fuzzy(text)) if index.types.get(k) in EVENT_TYPES]
        number = int(m.group(1))
        if len(named) == 1:
            out.append(Meeting(named[0], number, series or index.series_of.get(named[0]), text, m.start(), end, None,
                               None, body))
            continue
        new_series = None
        if series is None and (tail is not None or len(before) >= 2 or body is not None):
            new_series = _new_series(phrase, word.group(1), body or (tail.group(1) if tail else None))
            series = new_series.key
        key = f"{series.removesuffix('s')}-{number}" if series else slug(re.sub(r"^the\s+", "", text, flags=re.I))
        kind = "Session" if word.group(1).lower() == "session" else "Meeting"
        name = f"{text.split()[0]} {word.group(1).capitalize()} of the {body}" if body else text
        out.append(Meeting(key, number, series, text, m.start(), end, NewEntity(key, kind, name), new_series, body))
    return out


def _new_series(phrase: str, word: str, body: str | None) -> NewEntity:
    """A candidate meeting series for a numbered meeting of no known series: "the 41st session of the WCO
    Enforcement Committee (EC)" is one of the "Session of the WCO Enforcement Committee"."""
    phrase = _ACRONYM.sub("", phrase).strip()
    if body is not None:
        body = _ACRONYM.sub("", phrase.split(" of ", 1)[1]).strip().removeprefix("the ").strip() if " of " in phrase \
            else body
        return NewEntity(f"{slug(body)}-{word.lower()}s", "MeetingSeries", f"{word.capitalize()} of the {body}")
    return NewEntity(f"{slug(phrase)}s", "MeetingSeries", phrase)


def _series(phrase: str, index: NameIndex) -> str | None:
    """The meeting series a phrase ("Global RILO Meeting", "meeting of the X (ACR)") names, if one does."""
    folded = fold(re.sub(r"\s*\([^()]{1,20}\)$", "", phrase))
    best: tuple[float, str] | None = None
    for key, names in sorted(index.series.items()):
        for name in names:
            score = fuzz.token_sort_ratio(folded, name)
            if score >= 88 and (best is None or score > best[0]):
                best = (score, key)
    return best[1] if best else None


def _person_mentions(sentence: str, taken: Sequence[Mention], roles: Mapping[str, str]) -> list[Mention]:
    """People a sentence names with a title ("Mr. A. B.") or before their post ("Oleg Gubaidulin, Deputy
    Head"), not already known: candidate new persons."""
    out: list[Mention] = []
    found = [(m.start(1), m.group(1).strip().rstrip(",")) for m in _TITLE.finditer(sentence)]
    for m in _NAME_BEFORE_POST.finditer(sentence):
        after = sentence[m.end():]
        if _role_at(after, roles) is not None:
            found.append((m.start(1), m.group(1)))
    for start, name in found:
        name = re.sub(r"\s+(?:of|the)$", "", name).strip()
        end = start + len(name)
        if len(name.split()) < 2 or any(t.start < end and start < t.end for t in [*taken, *out]):
            continue
        out.append(Mention(start, end, name, slug(name), "Person", "new"))
    return out


def _role_at(text: str, roles: Mapping[str, str]) -> tuple[str, str] | None:
    """The role a text starts with (its longest name), and the name as read."""
    folded = fold(text)
    for name in sorted(roles, key=len, reverse=True):
        if folded.startswith(name) and (len(folded) == len(name) or not folded[len(name)].isalnum()):
            return roles[name], text[:len(name)]
    return None


def _role_names(facts: Facts) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, role in facts.roles.items():
        for name in [role.names.pref.get("en", "")] + list(role.names.aliases.get("en", ())):
            if name:
                out[fold(name)] = key
    return out


def _quoted_things(sentence: str, index: NameIndex, taken: Sequence[Mention]) -> list[Mention]:
    """Operations, projects and programmes named in guillemets or quotes ("the operation «Barrier-2024»"),
    not already known: candidate new entities."""
    out: list[Mention] = []
    for m in _QUOTED_NAME.finditer(sentence):
        word = (m.group(1) or m.group(3) or "").lower()
        if not word or any(t.start < m.end(2) and m.start(2) < t.end for t in taken):
            continue
        kind = _THING_TYPE[word]
        name = sentence[m.start(2) - 1:m.end(2) + 1]
        text = name + (" " + m.group(3) if m.group(3) else "")
        key = slug(m.group(2)) if kind == "Operation" and m.group(1) else slug(text)
        if kind == "Operation" and not key.startswith("operation"):
            key = "operation-" + key
        out.append(Mention(m.start(2) - 1, m.end(), text, key, kind, "new", m.group(2).strip()))
    return out


# The word of a name that says what it names ("... Department", "RILO ...", "... Programme"), for a candidate.
_TYPE_WORDS = {
    "department": "Department", "directorate": "Directorate", "sub-directorate": "Directorate",
    "secretariat": "Secretariat", "committee": "Committee", "council": "Council", "commission": "Commission",
    "center": "Unit", "centre": "Unit", "office": "Unit", "unit": "Unit", "group": "WorkingGroup",
    "network": "Network", "delegation": "Delegation", "organization": "IntergovernmentalOrganization",
    "organisation": "IntergovernmentalOrganization", "board": "IntergovernmentalOrganization", "rilo": "RILO",
    "programme": "Programme", "program": "Programme", "project": "Project", "plan": "Plan",
    "agreement": "Agreement", "platform": "InformationPlatform", "operation": "Operation", "report": "Document",
    "survey": "Document", "questionnaire": "Document", "strategy": "Document", "declaration": "Document",
    "service": "Unit", "agency": "Unit", "forum": "Network", "representation": "Representation", "representatives": "Representation",
    "system": "InformationPlatform", "database": "InformationPlatform",
}
_PEOPLE = {"representatives", "heads", "members", "experts", "delegates", "officials", "participants", "delegations"}
_LEADING = {"the", "in", "on", "during", "as", "at", "this", "these", "a", "an", "its", "their", "for", "by", "with",
            "from", "after", "before", "following"}
_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9\-]{0,9}(?: [A-Z][A-Z0-9\-]{1,9})?)\)")


def _phrases(sentence: str) -> list[tuple[int, int]]:
    """Runs of capitalized words (with "of", "the", "and", "for", "on" between them, and a bracketed acronym),
    trimmed of a sentence's leading function words."""
    words = list(re.finditer(r"\(?[\w«»][\w’'\-.«»]*\)?", sentence))
    out: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        while run and run[-1].group().strip("()").lower() in _CONNECTOR:
            run.pop()
        while run and (run[0].group().lower() in _LEADING or run[0].group().isdigit()):
            run.pop(0)
        if run:
            out.append((run[0].start(), run[-1].end() - (1 if run[-1].group().endswith(".") else 0)))
        run.clear()

    for i, w in enumerate(words):
        text = w.group().strip("()«»")
        gap = sentence[run[-1].end():w.start()] if run else " "
        capital = bool(text) and (text[0].isupper() or (text[0].isdigit() and bool(run)))
        if gap.strip() not in ("",) or not (capital or (run and text.lower() in _CONNECTOR - {"and"})):
            close()
            if not capital:
                continue
        run.append(w)
        if w.group().endswith(".") and not re.fullmatch(r"[A-Z]\.", w.group()):
            close()
    close()
    return out


def _type_of(text: str) -> str | None:
    """What a name names, by its head word: the last type word before "of", else the last one."""
    if re.search(r"\bcustoms (service|administration|authorit)", text, re.I) and not re.search(r"\bof\b", text):
        return "NationalCustomsAdministration"
    head = re.split(r"\s+(?:of|for)\s+", text, maxsplit=1)
    for part in (head[0], text):
        for word in reversed(re.findall(r"[^\W\d_]+", part.lower())):
            if word in _TYPE_WORDS:
                return _TYPE_WORDS[word]
    return None


class _Drafter:
    """The rules, applied to one article sentence by sentence."""

    def __init__(self, facts: Facts):
        self.index = NameIndex(facts)
        self.codes = {k: e.code for k, e in facts.entities.items() if e.code}
        self.roles = _role_names(facts)
        self.current: Meeting | None = None
        self.new: dict[str, NewEntity] = {}
        self.seen: set[str] = set()  # what was proposed already, so each reading is proposed once
        self.numbered: dict[int, tuple[str, str | None]] = {}
        self.aliased: set[tuple[str, str]] = set()
        self.subject: Mention | None = None  # the body the last sentence was about, for "It ..."
        self.bodies: list[str] = []
        self.here: list[str] = []  # the bodies a sentence names before its first ordinal  # the names of the bodies named so far, last last, for "the Council", "its"  # candidate meetings without a known series, by number
        self.names: dict[str, Mention] = {}  # candidate new entities by folded name (persons also by surname)

    def sentence(self, sentence: str) -> list[Proposal]:
        known = mentions(sentence, self.index)
        ordinal = _ORDINAL.search(sentence)
        upto = ordinal.start() if ordinal is not None else 0
        self.here = [" ".join(_ACRONYM.sub("", k.text).split()) for k in known if k.type in ORG_TYPES and k.end <= upto]
        self.here += [" ".join(_ACRONYM.sub("", sentence[a:b]).split()) for a, b in _phrases(sentence)
                      if b <= upto and _type_of(sentence[a:b]) in ORG_TYPES and len(sentence[a:b].split()) > 1]
        meetings = numbered_meetings(sentence, self.index, known, self._resolve_body)
        for meeting in meetings:
            if meeting.new is not None and (meeting.series is None or meeting.new_series is not None):
                first, series = self.numbered.setdefault(meeting.number, (meeting.key, meeting.series))
                meeting.key, meeting.series = first, series  # one article, one meeting of that number
                meeting.new = NewEntity(first, meeting.new.type, meeting.new.name)
                if meeting.new_series is not None and series is not None:
                    self.new.setdefault(series, NewEntity(series, "MeetingSeries", meeting.new_series.name))
        inner = [k for k in known if any(m.start <= k.start < m.end for m in meetings)]
        known = [k for k in known if k not in inner]
        known += self._seen_before(sentence, known + inner, meetings)
        people = _person_mentions(sentence, known, self.roles)
        things = _quoted_things(sentence, self.index, known + people)
        named = self._named(sentence, known + people + things, meetings)
        named += self._services(sentence, known + people + things + named)
        known = [k for k in known if not any(n.start <= k.start and k.end <= n.end for n in named)]
        agents = sorted(known + people + things + named, key=lambda x: x.start)
        for mention in people + things + named:
            self.new.setdefault(mention.key, NewEntity(mention.key, mention.type, mention.name or mention.text))
            self.names.setdefault(fold(mention.text), mention)
            if mention.type == "Person":
                self.names.setdefault(fold(mention.text.split()[-1]), mention)
        for meeting in meetings:
            if meeting.new is not None and len(meeting.new.name) > len(self.new.get(meeting.key, meeting.new).name):
                self.new[meeting.key] = meeting.new  # the fullest name the text gives it
            elif meeting.new is not None:
                self.new.setdefault(meeting.key, meeting.new)
        read_dates = [d for d in dates(sentence) if not any(a.start <= d.start < a.end for a in agents)
                      and not any(m.start <= d.start < m.end for m in meetings)]
        out: list[Proposal] = []
        event = self._event(sentence, meetings, agents, read_dates)
        if event is not None:
            out.append(event)
        out += self._elections(sentence, agents, read_dates)
        out += self._posts(sentence, agents) + self._held_posts(sentence, agents, read_dates)
        out += self._founded(sentence, agents, read_dates)
        out += self._operations(sentence, agents, meetings, read_dates)
        out += self._recurs(sentence, agents, meetings)
        out += self._structure(sentence, agents, inner)
        out += self._aliases(sentence, agents) + self._series_names(meetings)
        for a in agents:
            if a.type in ORG_TYPES and a.type not in ("MeetingSeries", "NationalCustomsAdministration") \
                    and len(a.text.split()) > 1:
                name = " ".join(_ACRONYM.sub("", a.name or a.text).split())
                self.bodies = [b for b in self.bodies if b != name] + [name]
        return self._once(out)

    def _services(self, sentence: str, taken: list[Mention]) -> list[Mention]:
        """"The customs services of Eastmarsh and Westfen": a candidate customs administration for each place the
        facts do not know (a known country's is its administration already)."""
        out: list[Mention] = []
        listed = re.search(r"\bcustoms (?:services|administrations|authorities) of ((?:[A-Z][\w\-]*(?:,\s+|,?\s+and\s+"
                           r"|\s+(?=[A-Z]))?)+)", sentence)
        if listed is None:
            return out
        for m in re.finditer(r"[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*", listed.group(1)):
            start, end = listed.start(1) + m.start(), listed.start(1) + m.end()
            if any(t.start < end and start < t.end for t in taken) or self.index.lookup(m.group()):
                continue
            name = f"Customs Service of {m.group()}"
            out.append(Mention(start, end, m.group(), f"{slug(m.group())}-customs", "NationalCustomsAdministration",
                               "new", name))
        return out

    def _resolve_body(self, word: str) -> str | None:
        """The body a short reference names: "Council" the last named "... Council", "its" the last named body."""
        for name in reversed(self.bodies + self.here):
            if word.lower() in ("its", "their") or (name.lower().endswith(" " + word.lower()) and word[:1].isupper()):
                return name
        return None

    def _seen_before(self, sentence: str, taken: list[Mention], meetings: list[Meeting]) -> list[Mention]:
        """The candidate new entities of earlier sentences, named again ("Mr. Rendel" for "Ivo Rendel")."""
        out: list[Mention] = []
        for name, earlier in sorted(self.names.items(), key=lambda x: -len(x[0])):
            for m in re.finditer(r"\b" + re.escape(earlier.text if fold(earlier.text) == name else
                                                    earlier.text.split()[-1]) + r"\b", sentence):
                if any(t.start < m.end() and m.start() < t.end for t in taken + out) or \
                        any(x.start <= m.start() < x.end for x in meetings):
                    continue
                out.append(Mention(m.start(), m.end(), m.group(), earlier.key, earlier.type, "new"))
        return out

    def _named(self, sentence: str, taken: list[Mention], meetings: list[Meeting]) -> list[Mention]:
        """Candidate new bodies and things: a run of capitalized words with a word that says what it names
        ("RILO South America", "WCO Strategic Plan") that no known name covers."""
        out: list[Mention] = []
        for start, end in _phrases(sentence):
            common = re.match(r"»?(?:\s+[a-z]+)?\s+(network|platform|project|programme|system|database|operation)\b",
                              sentence[end:])
            if common is not None:
                end += common.end()  # "the CEN network", "the CENcomm communication platform"
            for w in list(re.finditer(r"\b\w", sentence[start:end])):
                role = _role_at(sentence[start + w.start():end], self.roles)
                if role is not None:
                    cut = re.match(r"\s+(?:of|for)\s+(?:the\s+)?", sentence[start + w.start() + len(role[1]):end])
                    start = start + w.start() + len(role[1]) + (cut.end() if cut else 0) if cut else end
                    break
            text = sentence[start:end]
            if not text or any(m.start < end and start < m.end for m in meetings):
                continue
            if common is not None and common.group(1) in ("network", "platform", "system", "database") and \
                    not any(t.start <= start and end <= t.end for t in taken):
                out.append(Mention(start, end, text, slug(text), "InformationPlatform", "new"))
                continue  # "the CEN network": a network of computers, not a body
            if any(t.start <= start and end <= t.end for t in taken):
                continue
            kind = _type_of(text)
            head_part = re.split(r"\s+(?:of|for)\s+", text, maxsplit=1)[0]
            head = [w for w in re.finditer(r"[^\W\d_]+", head_part) if w.group().lower() in _TYPE_WORDS] or \
                [w for w in re.finditer(r"[^\W\d_]+", text) if w.group().lower() in _TYPE_WORDS]
            if any(_role_at(w.group()[:-1], self.roles) for w in re.finditer(r"\w+s\b", text)):
                continue  # "RILO Heads": people by their post, not a body
            if kind is None or any(t.start <= start + h.start() < t.end for t in taken for h in head[-1:]):
                continue
            if re.search(r"\b(Mr|Mrs|Ms|Dr)\b", text) or len(text.split()) < 2 and "-" not in text or \
                    text.split()[0].lower() in _PEOPLE:
                continue  # "Representatives of the Customs Service of X": people, not a body
            out.append(Mention(start, end, text, slug(_ACRONYM.sub("", text)), kind, "new"))
        return out

    def _once(self, proposals: list[Proposal]) -> list[Proposal]:
        """Each field read once in the article: the first sentence that states it carries the proposal."""
        out: list[Proposal] = []
        for p in proposals:
            kept: dict[str, FieldValue] = {}
            for name, value in p.fields.items():
                seen = f"{p.kind} {p.subject} {name} {value!r}"
                if p.subject and seen not in self.seen:
                    kept[name] = value
                self.seen.add(seen)
            whole = f"{p.kind} {p.subject} {p.fields!r}"
            if not p.subject:
                if whole not in self.seen:
                    self.seen.add(whole)
                    out.append(p)
            elif kept:
                out.append(Proposal(p.kind, p.subject, kept, p.read))
        return out

    # --- events -----------------------------------------------------------------------------------

    def _event(self, sentence: str, meetings: list[Meeting], agents: list[Mention],
               read_dates: list[DateRead]) -> Proposal | None:
        held = _HELD.search(sentence)
        if meetings and (self.current is None or (held and read_dates)):
            self.current = meetings[0]
        follows = _FOLLOWED.search(sentence)
        dated = [d for d in read_dates if d.form != "period"]
        meeting: Meeting | None = meetings[0] if meetings else None
        if len(meetings) > 1 and dated:
            meeting = min(meetings, key=lambda x: min(abs(x.start - d.end) for d in dated))
        cues = (_MEETING_REF, _OPENING, _CHAIR, _PRESENTED, _PARTICIPATION, _HOSTED, _OUTCOME, _DISCUSSED)
        if meeting is None and any(c.search(sentence) for c in cues):
            meeting = self.current
        if meeting is None:
            return None
        fields: dict[str, FieldValue] = {}
        read: list[str] = []
        if meetings and meeting in meetings:
            read.append(meeting.text)
            if meeting.series:
                fields["series"] = meeting.series
            fields["number"] = meeting.number
        if meetings and meeting in meetings:
            of = re.search(r"\s+of\s+(?:the\s+)?", meeting.text)
            body = self._org_named(_ACRONYM.sub("", meeting.text[of.end():]).strip(), meeting.key) if of else None
            if meeting.body is not None:
                body = self._org_named(meeting.body, meeting.key) or (slug(meeting.body) if slug(meeting.body) in self.new
                                                                       else None)
            if body is None and of is not None and _type_of(re.split(r"\s+of\s+", meeting.text[of.end():])[0]) in ORG_TYPES:
                name = " ".join(_ACRONYM.sub("", meeting.text[of.end():]).split())
                new_body = Mention(meeting.start + of.end(), meeting.end, meeting.text[of.end():], slug(name),
                                   _type_of(name) or "Unit", "new", name)
                self.new.setdefault(new_body.key, NewEntity(new_body.key, new_body.type, name))
                agents.append(new_body)  # its acronym and structure are read too
                body = new_body.key
            if body is not None:  # "the 9th Meeting of the X": X organized it
                fields["organizer"] = [body]
        if follows and meetings and self.current is not None and self.current.key != meeting.key \
                and meeting.start > follows.start():
            fields["follows"] = self.current.key
            read.append(follows.group())
        status = next(((s, p.search(sentence)) for s, p in _PLANNED if p.search(sentence)), None)
        event_dates = [d for d in read_dates if d.form != "period" and not _FOUNDED.search(sentence[:d.start][-30:])]
        if status is not None and status[1] is not None and status[1].re is _FUTURE and \
                any(len(d.first) >= 7 for d in event_dates):
            status = ("scheduled", status[1])  # "will be held ... on 14 October 2025": a date is set
        if event_dates and (held or status or meetings):
            d = event_dates[0]
            if d.first == d.last and len(d.first) == 10:
                fields["date"] = d.first
            else:
                fields["start"], fields["end"] = d.first, d.last
            read.append(d.text)
        places = [a for a in agents if a.type in ("City", "Country") and (held or meetings or status)
                  and re.search(r"(?:^|\b(?:held|place|met|hosted|meeting|session))\s*(?:\w+\s+){0,4}(?:in|at)"
                                r"\s+(?:its\s+\w+\s+in\s+)?$", sentence[:a.start], re.I)]
        cities = [p for p in places if p.type == "City"] or places
        if not cities and (held or meetings):
            city = self._new_city(sentence, agents)
            cities = [city] if city else []
        if cities:
            fields["place"] = cities[0].key
            read.append(cities[0].text)
        for mode, pattern in _ATTENDANCE:
            found = pattern.search(sentence)
            if found:
                fields["attendance"] = mode
                read.append(found.group())
                break
        if status is not None and status[1] is not None:
            fields["status"] = status[0]
            read.append(status[1].group())
        else:
            cue = held or (follows if meetings else None)
            if cue is not None:
                fields["status"] = "took-place"
                read.append(cue.group())
        roles: list[dict[str, Scalar]] = []
        chair = _CHAIR.search(sentence)
        if chair:
            agent = next((a for a in agents if a.start >= chair.end() and a.type not in EVENT_TYPES), None)
            if agent is not None:
                roles.append({"agent": agent.key, "role": "chair"})
                read.append(sentence[chair.start():agent.end])
        else:
            chaired = _CHAIRED.search(sentence)
            agent = next((a for a in reversed(agents) if a.end <= chaired.start()), None) if chaired else None
            if chaired and agent is not None and agent.type not in EVENT_TYPES:
                roles.append({"agent": agent.key, "role": "chair"})
                read.append(sentence[agent.start:chaired.end()])
        hosted = _HOSTED.search(sentence)
        if hosted:
            host = next((a for a in reversed(agents) if a.end <= hosted.start() and a.type in ORG_TYPES), None)
            if host is not None:
                fields["organizer"] = [host.key]
                roles.append({"agent": host.key, "role": "host"})
                read.append(sentence[host.start:hosted.end()])
        opening = _OPENING.search(sentence)
        people = [a for a in agents if a.type == "Person"]
        if opening and people:
            roles.append({"agent": people[0].key, "role": "opening-speaker"})
            read.append(opening.group())
        presented = _PRESENTED.search(sentence)
        if presented and not opening:
            speaker = next((a for a in reversed(agents) if a.end <= presented.start() and (
                a.type == "Person" or a.type in ORG_TYPES)), None)
            if speaker is not None:
                roles.append({"agent": speaker.key, "role": "presenter"})
                read.append(sentence[speaker.start:presented.end()])
        as_role = re.search(r"\b(?:attended|participated|took part)\s+(?:\w+\s+){0,4}?as\s+(?:an?\s+|the\s+)?", sentence)
        role_read = _role_at(sentence[as_role.end():], self.roles) if as_role else None
        if as_role is not None and role_read is not None:
            agent = next((a for a in reversed(agents) if a.end <= as_role.start() and a.type not in EVENT_TYPES
                          and a.type not in ("City", "Country", "MeetingSeries")), None)
            if agent is not None:
                roles.append({"agent": agent.key, "role": role_read[0]})
                read.append(sentence[agent.start:as_role.end() + len(role_read[1])])
        if roles:
            fields["roles"] = list(roles)
        attendees = self._attendees(sentence, [a for a in agents if not any(m.start <= a.start < m.end for m in meetings)],
                                    roles, meeting)
        if attendees:
            fields["attendees"] = attendees
        counted = re.search(r"\b(?<![.,\-–])(\d{1,3})\s+(?:of\s+\d{1,3}\s+)?([A-Z][\w\-]*(?:\s+(?:[A-Z][\w\-]*|of|the))*)",
                            sentence) if _PARTICIPATION.search(sentence) or held else None
        if counted is not None and not any(d.start <= counted.start() < d.end for d in read_dates):
            what = re.sub(r"(?:\s+(?:of|the))+$", "", counted.group(2))
            stated: list[dict[str, Scalar]] = [{"count": int(counted.group(1)), "of": what}]
            fields["stated_counts"] = stated
            read.append(counted.group())
        outcomes = self._outcomes(sentence, agents)
        if outcomes:
            records: list[dict[str, Scalar]] = [{"action": action, "object": obj.key} for action, obj in outcomes]
            fields["outcomes"] = records
            read += [obj.text for _action, obj in outcomes]
        made = {obj.key for _action, obj in outcomes}
        topics = [a.key for a in agents if a.type in THING_TYPES | {"Operation"} and a.key != meeting.key
                  and a.key not in made]
        if topics and (_TOPIC.search(sentence) or meetings):
            fields["about"] = sorted(set(topics), key=topics.index)
            read += [a.text for a in agents if a.key in topics]
        if not fields:
            return None
        if not meetings and not read:
            return None
        return Proposal("event", meeting.key, fields, read or [meeting.text])

    def _outcomes(self, sentence: str, agents: list[Mention]) -> list[tuple[str, Mention]]:
        """"The RILOs agreed on the Action Plan ...", "The Meeting then established a map of ...": what a
        meeting agreed, approved, adopted or established (a known thing, else a candidate new one)."""
        out: list[tuple[str, Mention]] = []
        for m in _OUTCOME.finditer(sentence):
            action = {"agreed on": "agreed", "agreed upon": "agreed", "endorsed": "approved"}.get(m.group(1), m.group(1))
            obj = next((a for a in agents if a.start == m.end() and a.type in THING_TYPES), None)
            if obj is None:
                phrase = re.match(r"[\w\-]+(?:\s+(?:of|on)\s+)?(?:[\w\-]+\s*){0,5}?(?=,|\.|;|\s+(?:in|for|to|at|"
                                  r"and|which|that|with)\b|$)", sentence[m.end():])
                if phrase is None or len(phrase.group().split()) < 2:
                    continue
                text = phrase.group().strip()
                kind = _type_of(text) or "Document"
                if kind not in THING_TYPES:
                    continue
                obj = Mention(m.end(), m.end() + len(text), text, slug(text), kind, "new")
                self.new.setdefault(obj.key, NewEntity(obj.key, kind, text))
            out.append((action, obj))
        return out

    def _new_city(self, sentence: str, agents: list[Mention]) -> Mention | None:
        """A town the text names where a meeting was held and no known name covers: "In Kazan, the 24th
        meeting ...", "in Sochi, Russian Federation": a candidate new City."""
        hq = re.search(r"\b(?:headquarters|seat|head office) in ([A-Z][^\W\d_]+(?:-[A-Z][^\W\d_]+)?)\b", sentence, re.I)
        if hq is not None and not any(a.start <= hq.start(1) < a.end for a in agents):
            city = Mention(hq.start(1), hq.end(1), hq.group(1), slug(hq.group(1)), "City", "new")
            self.new.setdefault(city.key, NewEntity(city.key, "City", city.text))
            agents.append(city)
            agents.sort(key=lambda x: x.start)
            return city
        held = re.search(r"\b(?:held|took place|met|convened|will meet)\s+in\s+([A-Z][^\W\d_]+)\b(?!\s+[A-Z])", sentence)
        if held is not None and held.group(1).lower() not in _MONTHS and \
                not any(a.start <= held.start(1) < a.end for a in agents) and not self.index.lookup(held.group(1)):
            city = Mention(held.start(1), held.end(1), held.group(1), slug(held.group(1)), "City", "new")
            self.new.setdefault(city.key, NewEntity(city.key, "City", city.text))
            return city
        for m in re.finditer(r"(?:^|\b)[Ii]n ([A-Z][^\W\d_]+(?:-[A-Z][^\W\d_]+)?),", sentence):
            if m.group(1).lower() in _MONTHS or any(a.start <= m.start(1) < a.end for a in agents):
                continue
            after = next((a for a in agents if a.start == m.end() + 1), None)
            if m.start() == 0 or (after is not None and after.type == "Country"):
                city = Mention(m.start(1), m.end(1), m.group(1), slug(m.group(1)), "City", "new")
                self.new.setdefault(city.key, NewEntity(city.key, "City", city.text))
                return city
        return None

    def _attendees(self, sentence: str, agents: list[Mention], roles: list[dict[str, Scalar]],
                   meeting: Meeting) -> list[str]:
        found = _PARTICIPATION.search(sentence)
        if not found:
            return []
        taken = {str(r["agent"]) for r in roles}
        out: list[str] = []
        posts = "|".join(re.escape(n) for n in sorted(self.roles, key=len, reverse=True))
        for i, a in enumerate(agents):
            if re.search(r"\b(in|at)\s+$", sentence[:a.start]) or \
                    re.search(rf"\b(?:{posts})\s+(?:of|for)\s+(?:the\s+)?$", sentence[:a.start], re.I):
                continue  # a place, or the body of someone's post
            if a.type == "Country":
                before = sentence[agents[i - 1].end:a.start] if i > 0 else ""
                after = sentence[a.end:agents[i + 1].start] if i + 1 < len(agents) else ""
                if not any(re.fullmatch(r",?\s*(?:and\s+)?(?:the\s+)?", gap) for gap in (before, after) if gap):
                    continue
            key = self.index.country_admin.get(a.key, a.key) if a.type == "Country" else a.key
            if a.type == "City" or a.type in EVENT_TYPES or a.type in THING_TYPES or a.type == "MeetingSeries" \
                    or a.type == "Person" or key in taken or key in out or key == meeting.key:
                continue
            if a.type == "Country" and key == a.key:
                key = self._new_administration(a.key)
            out.append(key)
        return out

    def _new_administration(self, country: str) -> str:
        """A candidate customs administration for a country the facts give none (named as the facts name them)."""
        code = self.codes.get(country)
        key = f"customs-{code.lower()}" if code else f"customs-{country.removeprefix('country-')}"
        self.new.setdefault(key, NewEntity(key, "NationalCustomsAdministration",
                                           f"Customs administration of {self.index.english[country]}"))
        return key

    # --- posts and elections ------------------------------------------------------------------------

    def _elections(self, sentence: str, agents: list[Mention], read_dates: list[DateRead]) -> list[Proposal]:
        found = _ELECTED.search(sentence)
        if not found:
            return []
        role = _role_at(sentence[found.end():], self.roles)
        candidate = next((a for a in reversed(agents) if a.end <= found.start() and a.type not in EVENT_TYPES
                          and a.type not in ("City", "MeetingSeries")), None)
        if role is None or candidate is None:
            return []
        after = found.end() + len(role[1])
        org = next((a for a in agents if a.start >= after and a.type in ORG_TYPES), None)
        if org is None:
            return []
        verb = found.group(2).lower()
        kind = "re-election" if verb.startswith("re") else "appointment" if verb == "appointed" else \
            "candidacy" if verb == "nominated" else "election"
        key = f"{kind}-{candidate.key}-{role[0]}-{org.key}"
        fields: dict[str, FieldValue] = {"kind": kind}
        read = [sentence[candidate.start:org.end]]
        period = next((d for d in read_dates if d.form == "period"), None)
        when = next((d for d in read_dates if d.form != "period" and d.end <= found.start()), None)
        if when is not None:
            fields["date"] = when.first
            read.append(when.text)
        elif self.current is not None:
            fields["at"] = self.current.key
        fields.update({"role": role[0], "organization": org.key, "candidate": candidate.key})
        term: dict[str, FieldValue] = {"member": candidate.key, "organization": org.key, "role": role[0]}
        if period is not None:
            term["start"], term["end"] = period.first, period.last
            read.append(period.text)
        term["generated_by"] = key
        membership = f"{candidate.key}-{role[0]}-{org.key}" + (f"-{period.first}-{period.last}" if period else "")
        return [Proposal("election", key, fields, read), Proposal("membership", membership, term, read)]

    def _posts(self, sentence: str, agents: list[Mention]) -> list[Proposal]:
        """"Mr. A. B., Deputy Head of the X", "the X Deputy Secretary General Mr. A. B.": a post."""
        out: list[Proposal] = []
        for person in (a for a in agents if a.type == "Person"):
            after = sentence[person.end:]
            post = re.match(r",\s+(?:the\s+)?", after)
            if post:
                start = person.end + post.end()
                org_first = next((a for a in agents if a.start == start and a.type in ORG_TYPES), None)
                if org_first is not None:
                    start = org_first.end + 1
                role = _role_at(sentence[start:], self.roles)
                if role is None:
                    continue
                org = org_first
                tail = re.match(r"\s+(?:of|for|at)\s+(?:the\s+)?", sentence[start + len(role[1]):])
                if tail:
                    at = start + len(role[1]) + tail.end()
                    org = next((a for a in agents if a.start == at and a.type in ORG_TYPES), None) or \
                        self._org_by_short_name(sentence[at:])
                if org is None:
                    continue
                out.append(self._post(person, role[0], org, sentence[person.start:max(org.end, start + len(role[1]))]
                                      if org in agents else sentence[person.start:start + len(role[1])]))
                continue
            before = sentence[:person.start]
            lead = re.search(r"(?:the\s+)?(\S.*?)\s+(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+$", before)
            if lead:
                org = next((a for a in reversed(agents) if a.end <= person.start and a.type in ORG_TYPES
                            and a.start >= lead.start(1)), None)
                if org is not None:
                    role = _role_at(sentence[org.end:].lstrip(), self.roles)
                    if role is not None:
                        out.append(self._post(person, role[0], org, sentence[org.start:person.end]))
        return out

    def _org_by_short_name(self, text: str) -> Mention | None:
        """The one body whose name begins with the words a text starts with ("Compliance and Facilitation"
        for the "Compliance and Facilitation Directorate")."""
        words = re.match(r"((?:[A-Z][\w’'\-]*|and|of|the)(?:\s+(?:[A-Z][\w’'\-]*|and|of|the))+)", text)
        if words is None:
            return None
        phrase = fold(words.group(1).rstrip())
        keys = {k for name, ks in self.index.exact.items() if name.startswith(phrase + " ") for k in ks
                if self.index.types[k] in ORG_TYPES}
        if len(keys) != 1:
            return None
        key = next(iter(keys))
        return Mention(0, len(words.group(1)), words.group(1), key, self.index.types[key], "alias")

    def _held_posts(self, sentence: str, agents: list[Mention], read_dates: list[DateRead]) -> list[Proposal]:
        """"Mr. Rendel had been Secretary of the Council since 2021": a post and when it began."""
        out: list[Proposal] = []
        for m in re.finditer(r"\s+(?:has|had|have)\s+been\s+(?:the\s+|a\s+)?", sentence):
            holder = next((a for a in reversed(agents) if a.end == m.start() and a.type not in EVENT_TYPES
                           and a.type not in ("City", "Country", "MeetingSeries")), None)
            role = _role_at(sentence[m.end():], self.roles)
            if holder is None or role is None:
                continue
            after = re.match(r"\s+(?:of|for)\s+(?:the\s+)?([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*)", sentence[m.end() + len(role[1]):])
            if after is None:
                continue
            name = self._resolve_body(after.group(1)) if len(after.group(1).split()) == 1 else after.group(1)
            org = self._org_named(name, holder.key) if name else None
            if org is None and name and slug(name) in self.new:
                org = slug(name)
            if org is None:
                continue
            fields: dict[str, FieldValue] = {"member": holder.key, "organization": org, "role": role[0]}
            since = next((d for d in read_dates if re.search(r"\bsince\s+$", sentence[:d.start])), None)
            read = [sentence[holder.start:m.end() + len(role[1]) + after.end()]]
            if since is not None:
                fields["start"] = since.first
                read.append(sentence[since.start - 6:since.end])
            out.append(Proposal("membership", f"{holder.key}-{role[0]}-{org}", fields, read))
        return out

    def _post(self, person: Mention, role: str, org: Mention, read: str) -> Proposal:
        return Proposal("membership", f"{person.key}-{role}-{org.key}",
                        {"member": person.key, "organization": org.key, "role": role}, [read])

    # --- other claims ----------------------------------------------------------------------------------

    def _founded(self, sentence: str, agents: list[Mention], read_dates: list[DateRead]) -> list[Proposal]:
        found = _FOUNDED.search(sentence)
        if not found:
            return []
        when = next((d for d in read_dates if d.start == found.end()), None)
        org = next((a for a in reversed(agents) if a.end <= found.start() and a.type in ORG_TYPES | THING_TYPES),
                   None)
        if when is None or org is None or when.first != when.last or not re.fullmatch(
                r"(?:\s*\([^()]*\))?(?:,[^,]*,)?\s*(?:(?:was|were|is|has been)\s+)?", sentence[org.end:found.start()]):
            return []  # "The WCO EC was established": not the WCO
        return [Proposal("founded", "", {"org": org.key, "date": when.first},
                         [sentence[org.start:org.end], sentence[found.start():when.end]])]

    def _operations(self, sentence: str, agents: list[Mention], meetings: list[Meeting],
                    read_dates: list[DateRead]) -> list[Proposal]:
        """Quantities ("over 3 tons of controlled substances were seized") of the operation a sentence names."""
        operation = next((a for a in agents if a.type == "Operation"), None)
        out: list[Proposal] = []
        quantities: list[dict[str, Scalar]] = []
        read: list[str] = []
        for m in _QUANTITY.finditer(sentence):
            unit = _UNITS[m.group(3).lower()]
            what = " ".join(m.group(4).split())
            name = what + (" seized" if _SEIZED.search(sentence) else "")
            record: dict[str, Scalar] = {"id": "", "name": name}
            bound = _LOWER.get((m.group(1) or "").lower()) or _UPPER.get((m.group(1) or "").lower()) or "value"
            record[bound] = m.group(2).replace(",", ".")
            record["unit"] = unit
            quantities.append(record)
            read.append(m.group())
        if operation is None:
            return out
        for q in quantities:
            q["id"] = f"{operation.key}-{slug(str(q['name']))}"
        fields: dict[str, FieldValue] = {}
        ran = re.search(r"\b(ran|conducted|organi[sz]ed|carried out|launched|led)\b", sentence[:operation.start])
        runner = next((a for a in reversed(agents) if ran and a.end <= ran.start() and a.type in ORG_TYPES), None)
        if runner is not None and ran is not None:
            fields["organizer"] = [runner.key]
            read.append(sentence[runner.start:ran.end()])
        when = next((d for d in read_dates if d.form != "period"), None)
        if when is not None:
            if when.first == when.last and len(when.first) == 10:
                fields["date"] = when.first
            else:
                fields["start"], fields["end"] = when.first, when.last
            read.append(when.text)
        planned = next(((state, p.search(sentence)) for state, p in _PLANNED if p.search(sentence)), None)
        if planned is not None and planned[1] is not None:
            fields["status"] = planned[0]
            read.append(planned[1].group())
        elif _SEIZED.search(sentence) or _HELD.search(sentence) or ran is not None:
            fields["status"] = "took-place"
        if quantities:
            fields["quantities"] = quantities
        if not fields:
            return out
        return [Proposal("event", operation.key, fields, [operation.text] + read)]

    def _recurs(self, sentence: str, agents: list[Mention], meetings: list[Meeting]) -> list[Proposal]:
        found = _ANNUAL.search(sentence)
        if not found:
            return []
        series = next((a.key for a in agents if a.type == "MeetingSeries"), None)
        if series is None and meetings:
            series = meetings[0].series
        if series is None and (_MEETING_REF.search(sentence) or re.search(r"\b(?:meetings|sessions) are held\b", sentence)) \
                and self.current is not None:
            series = self.current.series
        if series is None:
            return []
        return [Proposal("recurs", "", {"series": series, "frequency": "annual"}, [found.group()])]

    def _aliases(self, sentence: str, agents: list[Mention]) -> list[Proposal]:
        """A known entity named otherwise than by its English name, a name no source states yet; an acronym
        given in brackets after a name ("World Customs Organization (WCO)"). Not from a line of a few words (a
        site's banner or a title states nothing)."""
        out: list[Proposal] = []
        if len(sentence.split()) < 5:
            return out
        for a in agents:
            text = re.sub(r"['’]s$", "", a.text)
            acronym_alone = re.fullmatch(r"[A-Z][A-Z0-9\-]{1,5}", text) is not None
            if a.how in ("alias", "misspelt") and not acronym_alone \
                    and a.type != "City" and text != self.index.english.get(a.key):
                out.append(Proposal("alias", "", {"entity": a.key, "text": text, "lang": "en"},
                                    [text + (" (a misspelling?)" if a.how == "misspelt" else "")]))
            if a.how == "new" and (a.type in ORG_TYPES | {"InformationPlatform"} or "«" in a.text) and \
                    (a.key, "new") not in self.aliased and not (a.name and a.name.endswith(" " + a.text)):
                self.aliased.add((a.key, "new"))  # a new body's name as the source writes it, once
                name = " ".join(_ACRONYM.sub("", text).split())
                out.append(Proposal("alias", "", {"entity": a.key, "text": name, "lang": "en"}, [a.text]))
            for acronym in _ACRONYM.finditer(sentence[a.start:a.end + 12]):
                if a.start + acronym.start() > a.end + 1:
                    continue
                if acronym.group(1) != a.text:
                    out.append(Proposal("alias", "", {"entity": a.key, "text": acronym.group(1), "lang": "en"},
                                        [sentence[a.start:a.start + acronym.end()]]))
        return out

    def _series_names(self, meetings: list[Meeting]) -> list[Proposal]:
        """A known series named otherwise than by its English name ("the 30th Global Regional Intelligence Liaison
        Offices (RILO) Meeting" of the "Global RILO Meeting")."""
        out: list[Proposal] = []
        for m in meetings:
            if m.series is None or m.series not in self.index.english or m.new_series is not None:
                continue
            phrase = " ".join(m.text.split()[1:])
            if fold(_ACRONYM.sub("", phrase)) != fold(self.index.english[m.series]) and phrase[:1].isupper() \
                    and len(phrase.split()) >= 3:
                out.append(Proposal("alias", "", {"entity": m.series, "text": phrase, "lang": "en"}, [m.text]))
        return out

    def _owner_by_name(self, a: Mention) -> Mention | None:
        """The body a name ends with ("... Department of the Federal Customs Service of Russia", in the text or in
        the entity's declared name), a candidate new one ("Coordination Service of CIS Council of Commanders of
        Border Troops"), or the body it begins with ("WCO Secretariat", "CIS Anti-Terrorism Center")."""
        texts = [_ACRONYM.sub("", a.text).strip()]
        if a.key in self.index.english and fold(self.index.english[a.key]) != fold(texts[0]):
            texts.append(self.index.english[a.key])
        for text in texts:
            for m in re.finditer(r"\s+of\s+(?:the\s+)?", text):
                tail = self._org_named(text[m.end():], a.key)
                if tail is not None:
                    return Mention(a.start, a.end, text[m.end():], tail, self.index.types[tail], "name")
        text = texts[0]
        of = re.search(r"\s+of\s+(?:the\s+)?", text)
        kind = _type_of(text[of.end():]) if of is not None else None
        if of is not None and kind in ORG_TYPES and _type_of(text[:of.start()]) is not None and \
                not self.index.lookup(text[of.end():]):
            body = " ".join(text[of.end():].split())
            self.new.setdefault(slug(body), NewEntity(slug(body), kind, body))
            return Mention(a.start, a.end, body, slug(body), kind, "new")
        words = list(re.finditer(r"[\w’'\-]+", text))
        for n in range(len(words) - 1, 0, -1):
            head = text[:words[n - 1].end()].rstrip("-")
            key = self._org_named(head, a.key)
            if key is not None:
                return Mention(a.start, a.end, head, key, self.index.types[key], "name")
            if "-" in words[0].group() and n == 1:
                key = self._org_named(words[0].group().split("-")[0], a.key)
                if key is not None:
                    return Mention(a.start, a.end, words[0].group(), key, self.index.types[key], "name")
        return None

    def _org_named(self, text: str, other_than: str) -> str | None:
        keys = {k for k in (self.index.lookup(text) or self.index.fuzzy(text)) if k != other_than
                and self.index.types[k] in ORG_TYPES and self.index.types[k] != "MeetingSeries"}
        return next(iter(keys)) if len(keys) == 1 else None

    def _thing_links(self, sentence: str, a: Mention, agents: list[Mention]) -> list[Proposal]:
        """A plan or programme named after a body ("WCO Strategic Plan"), or "by" one, is run by it; one named
        "for" a known entity ("Action Plan 2023-2024 for the Global RILO Meeting") is linked to it."""
        owner = self._owner_by_name(a)
        by = re.match(r"\s+(?:by|of)\s+(?:the\s+)?", sentence[a.end:])
        if owner is None and by is not None:
            owner = next((m for m in agents if m.start == a.end + by.end() and m.type in ORG_TYPES), None)
        out: list[Proposal] = []
        if owner is not None and owner.how != "new":
            out.append(Proposal("run_by", "", {"thing": a.key, "by": [owner.key]},
                                [sentence[a.start:max(a.end, owner.end if owner in agents else a.end)]]))
        purpose = re.search(r"\bfor\s+(?:the\s+)?(.+)$", _ACRONYM.sub("", a.text))
        keys = self.index.lookup(purpose.group(1).strip()) if purpose else set()
        if len(keys) == 1:
            out.append(Proposal("linked_to", "", {"thing": a.key, "to": sorted(keys)}, [a.text]))
        return out

    def _structure(self, sentence: str, agents: list[Mention], inner: list[Mention]) -> list[Proposal]:
        """A unit named after its body ("WCO Secretariat", "Central Enforcement Department of the FCS") is part
        of it; a plan or programme named after a body ("WCO Strategic Plan"), or "by" one, is run by it."""
        out: list[Proposal] = []
        for a in agents + inner:
            seat = re.search(r"\s+in\s+(?:the\s+)?(.+)$", a.text) if a.how == "new" and a.type in ORG_TYPES else None
            where = [k for k in self.index.lookup(seat.group(1)) if self.index.types[k] in ("City", "Country")] \
                if seat else []
            if len(where) == 1:  # "Russian Customs Representatives in Belgium"
                out.append(Proposal("located", "", {"entity": a.key, "place": where[0]}, [a.text]))
            if a.type in THING_TYPES:
                out += self._thing_links(sentence, a, agents)
            unit = a
            for _depth in range(3):  # a unit of a unit of a body: each link once
                owner = self._owner_by_name(unit) if unit.type in UNIT_TYPES else None
                if owner is None or owner.key == unit.key:
                    break
                out.append(Proposal("part_of", "", {"unit": unit.key, "parent": owner.key},
                                    [a.text]))
                named_otherwise = owner.how != "new" and fold(owner.text) != fold(self.index.english[owner.key]) \
                    and not re.fullmatch(r"[A-Z][A-Z0-9\-]{1,5}", owner.text)
                if (owner.how == "new" and (owner.key, "new") not in self.aliased) or named_otherwise:
                    self.aliased.add((owner.key, "new"))
                    out.append(Proposal("alias", "", {"entity": owner.key, "text": owner.text, "lang": "en"},
                                        [owner.text]))
                unit = owner
        part = re.search(r"\b(?:is|are|was|as)\s+(?:\w+\s+)?(?:a\s+)?(?:part|unit|(?:working\s+)?body|division)\s+of\s+"
                         r"(?:the\s+)?", sentence)
        if part is not None:
            subject = next((a for a in agents if a.type in ORG_TYPES and re.fullmatch(r"(?:the\s+)?", sentence[:a.start],
                                                                                        re.I)), None)
            part_unit = subject or next((a for a in reversed(agents) if a.end <= part.start() and a.type in ORG_TYPES),
                                        None)
            parent = next((a for a in agents if a.start == part.end() and a.type in ORG_TYPES), None)
            if part_unit is not None and parent is not None and part_unit.key != parent.key:
                out.append(Proposal("part_of", "", {"unit": part_unit.key, "parent": parent.key},
                                    [sentence[part_unit.start:parent.end]]))
        hq = re.search(r"\b(?:its|their)\s+(?:headquarters|seat|head office)\s+in\s+", sentence, re.I)
        if hq is not None:
            body = next((a for a in reversed(agents) if a.end <= hq.start() and a.type in ORG_TYPES), None)
            place = next((a for a in agents if a.start == hq.end() and a.type in ("City", "Country")), None)
            if body is not None and place is not None:
                out.append(Proposal("located", "", {"entity": body.key, "place": place.key},
                                    [sentence[hq.start():place.end]]))
        return out + self._members(sentence, agents) + self._reporting(sentence, agents) + \
            self._descriptions(sentence, agents)

    def _descriptions(self, sentence: str, agents: list[Mention]) -> list[Proposal]:
        """What a source says a body is or is for: "The main purpose of the network is to increase ...", "X ... is a
        coordinating body in the CIS area" (the words as read)."""
        out: list[Proposal] = []
        purpose = re.match(r"The (?:main |primary |principal )?(?:purpose|aim|goal|task|mission) of the ([\w\- ]+?) is "
                           r"(to .+?)\.?$", sentence)
        if purpose is not None:
            body = next((a for a in agents if a.start == purpose.start(1) and a.type in ORG_TYPES), None)
            word = purpose.group(1).split()[-1]
            name = None if body else next((b for b in reversed(self.bodies) if b.lower().endswith(" " + word.lower())),
                                          None)
            key = body.key if body else (self._org_named(name, "") or (slug(name) if slug(name) in self.new else None)
                                         if name else None)
            if key is not None:
                out.append(Proposal("description", "", {"entity": key, "text": purpose.group(2)}, [purpose.group(2)]))
        role = re.search(r"\bis (an? (?:[a-z\-]+ ){0,3}(?:body|organ|network|forum|platform|office|unit)"
                         r"(?: (?:in|of|for) [^,.;]+)?)", sentence)
        if role is not None and agents and agents[0].type in ORG_TYPES and \
                re.fullmatch(r"(?:the\s+)?", sentence[:agents[0].start], re.I):
            out.append(Proposal("description", "", {"entity": agents[0].key, "text": role.group(1)},
                                [role.group()]))
        return out

    def _reporting(self, sentence: str, agents: list[Mention]) -> list[Proposal]:
        """"X operates under the direction of Y and Z with the administrative support of W": X reports to Y and Z
        and is supported by W ("It" is the subject of the sentence before)."""
        subject = next((a for a in agents if a.type in ORG_TYPES and re.fullmatch(r"(?:the\s+)?", sentence[:a.start],
                                                                                   re.I)
                        and not re.match(r"\s+[A-Z]", sentence[a.end:])), None)  # "The WCO EC": not the WCO
        if subject is None and re.match(r"It\b", sentence):
            subject = self.subject
        if subject is not None:
            self.subject = subject
        out: list[Proposal] = []
        clauses = (("reports_to", "to", r"\bunder the (?:direction|authority|guidance|supervision) of\b|\breports to\b|"
                                          r"\baccountable to\b"),
                   ("supported_by", "by", r"\bwith the (?:administrative |secretarial )?support of\b|"
                                          r"\b(?:administratively )?supported by\b"))
        for kind, field_name, pattern in clauses:
            found = re.search(pattern, sentence)
            if found is None or subject is None:
                continue
            stop = re.search(r"\bwith\b|[;.]", sentence[found.end():])
            end = found.end() + (stop.start() if stop else len(sentence))
            for a in agents:
                if found.end() <= a.start < end and a.type in ORG_TYPES and a.key != subject.key:
                    out.append(Proposal(kind, "", {"org": subject.key, field_name: a.key},
                                        [sentence[found.start():a.end]]))
        part = re.match(r"It is (?:a|an|the)\s+(?:\w+\s+){0,2}(?:body|unit|part|organ) of (?:the\s+)?", sentence)
        if part is not None and subject is not None:
            parent = next((a for a in agents if a.start == part.end() and a.type in ORG_TYPES), None)
            if parent is not None and parent.key != subject.key:
                out.append(Proposal("part_of", "", {"unit": subject.key, "parent": parent.key},
                                    [sentence[:parent.end]]))
        return out

    def _members(self, sentence: str, agents: list[Mention]) -> list[Proposal]:
        """"X (officially) includes national contact points of the customs services of A, B and C": each is a
        member of X in that role (a member when no role is named)."""
        verb = re.search(r"\b(includes|include|comprises|consists of|unites|brings together)\b", sentence)
        if verb is None:
            return []
        body = next((a for a in reversed(agents) if a.end <= verb.start() and a.type in ORG_TYPES), None)
        if body is None:
            return []
        role = "member"
        after = sentence[verb.end():]
        for w in re.finditer(r"\b\w", after[:60]):
            found = _role_at(re.sub(r"(\w)s\b", r"\1", after[w.start():], count=1), self.roles)
            if found is not None:
                role = found[0]
                break
        out: list[Proposal] = []
        listed = [a for a in agents if a is not body and (a.start >= verb.end() or re.search(
            r"\bin addition to\s+(?:the\s+)?$", sentence[:a.start], re.I)) and (a.type in ORG_TYPES or a.type == "Country")]
        if len(listed) < 2:
            return []
        for a in listed:
            key = a.key if a.type != "Country" else self.index.country_admin.get(a.key) or self._new_administration(a.key)
            out.append(Proposal("membership", f"{key}-{role}-{body.key}",
                                {"member": key, "organization": body.key, "role": role},
                                [sentence[body.start:verb.end()] + " … " + a.text]))
        return out


def draft_text(text: str, facts: Facts, skip: Iterable[str] = ()) -> Draft:
    """The proposals for an article's text, from the names and claims of ``facts``; sentences in ``skip``
    (already quoted) are read for context but get no proposals."""
    drafter = _Drafter(facts)
    skipped = {" ".join(s.split()) for s in skip}
    found = text_sentences(text)
    proposals: dict[int, list[Proposal]] = {}
    head = _head_sentences(text, found)
    # the body first: a headline restates what the body says in full, and gets only what the body does not say
    for n, sentence in sorted(enumerate(found, 1), key=lambda x: (x[0] <= head, x[0])):
        proposed = drafter.sentence(sentence)
        if proposed and sentence not in skipped:
            proposals[n] = proposed
    used = {k for ps in proposals.values() for p in ps for k in _keys(p)}
    new = {k: e for k, e in sorted(drafter.new.items()) if k in used and k not in drafter.index.types}
    return Draft(found, proposals, new)


def _head_sentences(text: str, found: Sequence[str]) -> int:
    """How many sentences the head of the text has: those up to its headline and the date line after it."""
    from graph_builder.curate import detect
    from graph_builder.errors import UsageError

    try:
        detected = detect(text)
    except UsageError:
        return 0
    headline = " ".join(detected.headline.split())
    if headline not in found:
        return 0
    return found.index(headline) + 1 + (1 if detected.published else 0)


def _keys(p: Proposal) -> set[str]:
    out = {p.subject} if p.subject else set()
    for value in p.fields.values():
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, list):
            for item in value:
                out |= {str(v) for v in item.values()} if isinstance(item, dict) else {item}
    return out


# --- writing the draft into the source file ------------------------------------------------------------

def _scalar(value: Scalar) -> str:
    if isinstance(value, int):
        return str(value)
    if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value) and not re.fullmatch(r"[0-9][0-9-]*", value) \
            and value not in ("true", "false", "null", "yes", "no", "on", "off", "y", "n"):
        return value
    return yaml_string(value)


def _flow(record: Mapping[str, FieldValue]) -> str:
    def shown(value: FieldValue) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(_scalar(str(v)) for v in value) + "]"
        return _scalar(value)
    return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in record.items()) + "}"


def _field_lines(name: str, value: FieldValue, indent: str) -> list[str]:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [f"{indent}{name}:"] + [f"{indent}  - {_flow(r)}" for r in value if isinstance(r, dict)]
    if isinstance(value, list):
        return [f"{indent}{name}: [{', '.join(_scalar(str(v)) for v in value)}]"]
    return [f"{indent}{name}: {_scalar(value)}"]


def proposal_yaml(p: Proposal) -> list[str]:
    """A proposal as the lines of a claim under ``claims:``, its ``draft:`` line second."""
    marker = "        draft: " + yaml_string("read " + "; ".join(f"“{r}”" for r in p.read))
    if not p.subject:
        return [f"      - {p.kind}: {_flow(p.fields)}",
                marker]
    lines = [f"      - {p.kind}: {p.subject}", marker]
    for name, value in p.fields.items():
        lines += _field_lines(name, value, "        ")
    return lines


def draft_yaml(found: Draft) -> str:
    """The sentence blocks of a draft (with the candidate new entities in a comment before them)."""
    out = [f"  # --- customs-kg draft: {found.count} proposal{'s' if found.count != 1 else ''} "
           "(accept one: delete its 'draft:' line; reject it: delete the claim) ---"]
    if found.new_entities:
        out.append("  # New entities these proposals name: declare them in an entities file (entities/*.yaml),")
        out.append("  # or change their keys to entities already declared.")
        out.append("  # entities:")
        for e in found.new_entities.values():
            out += [f"  #   - id: {e.key}", f"  #     type: {e.type}", f"  #     name: {{en: {yaml_string(e.name)}}}"]
    for n, proposals in sorted(found.proposals.items()):
        out += ["", f"  - quote: {yaml_string(found.sentences[n - 1])}  # sentence {n}", "    claims:"]
        for p in proposals:
            out += proposal_yaml(p)
    return "\n".join(out) + "\n"


def draft_source(facts_dir: Path, source_key: str) -> tuple[Path, Draft]:
    """Write the draft of a source into its file (atomically); refuse a file with proposals left in it."""
    from graph_builder.loading.factsdir import FactsDir
    from graph_builder.loading.yamlload import YMap, YSeq, YStr, load_yaml, parse_yaml
    from graph_builder.pipeline import read_facts

    path = facts_dir / "sources" / f"{source_key}.yaml"
    if not path.is_file():
        raise InputError(f"{path}: error: source: no source file '{source_key}.yaml' in {facts_dir / 'sources'} "
                         "(start one with customs-kg new-source)")
    folder = FactsDir(facts_dir)
    doc = load_yaml(path, folder)
    statements = doc.get(YStr("statements", 0)) if isinstance(doc, YMap) else None
    pending = pending_proposals(statements)
    if pending:
        raise FactsError([Problem(str(path), pending[0], "draft", proposals_message(len(pending))
                                  + "; then draft again")])
    if not isinstance(doc, YMap) or list(doc)[-1] != "statements" or not isinstance(statements, YSeq):
        raise InputError(f"{path}: error: statements: the draft is added at the end of 'statements:', which must "
                         "be the file's last key and a list")
    facts = read_facts(facts_dir)
    source = facts.sources[source_key]
    quoted = [q for st in facts.statements if st.source == source_key for q in st.quotes]
    found = draft_text(source.text, facts, skip=quoted)
    old = path.read_text(encoding="utf-8")
    if not found.proposals:
        return path, found
    addition = draft_yaml(found)
    if statements:
        new = old.rstrip("\n") + "\n\n" + addition
    else:
        flow = re.compile(r"^statements:[ \t]*\[[ \t]*\][ \t]*(#.*)?$", re.M)
        if len(flow.findall(old)) != 1:
            raise InputError(f"{path}: error: statements: write 'statements: []' or a list to draft into")
        new = flow.sub(lambda _m: "statements:\n" + addition.rstrip("\n"), old, count=1)
    written = parse_yaml(new.encode("utf-8"), path)
    kept = written.get(YStr("statements", 0)) if isinstance(written, YMap) else None
    if not isinstance(kept, YSeq) or len(kept) != len(statements) + len(found.proposals) or \
            [dict(x) if isinstance(x, YMap) else x for x in kept[:len(statements)]] != \
            [dict(x) if isinstance(x, YMap) else x for x in statements]:
        raise InputError(f"{path}: error: statements: the draft could not be added without changing what is there")
    write_atomic(path, new)
    return path, found


