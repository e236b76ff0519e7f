"""Load curated facts (``facts/``) into typed, checked, located records.

The format is described in ``docs/data-model.md``. Loading never stops at the
first problem: it collects every problem it can find, each naming the file,
line and field, and raises :class:`~graph_builder.errors.FactsError` with all
of them.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, TypeVar, Union

from graph_builder.errors import FactsError, Problem, display_path
from graph_builder.loading.dates import DateFormatError, PartialDate, definitely_before, parse_date
from graph_builder.loading.factsdir import TEXT_MAX_BYTES, FactsDir, Listing, file_kind
from graph_builder.loading.quotes import nearest_sentence
from graph_builder.loading.schema import (AGENT_TYPES, ENTITY_TYPES, EVENT_TYPES, KINDS, ORG_TYPES, ROLE_HOLDERS, Field,
                                          FieldType, Kind, Written)
from graph_builder.loading.yamlload import YMap, YSeq, YStr, YValue, decode_utf8, line_of, load_yaml

# Whole-value patterns: always applied with fullmatch ('$' also matches before a final newline).
KEY_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
LANG_RE = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?")
UNIT_RE = re.compile(r"[A-Z0-9]{2,3}")
COUNTRY_CODE_RE = re.compile(r"[A-Z]{2}")
_WHOLE_NUMBER = re.compile(r"[1-9][0-9]*")
_OCTAL_LOOKING = re.compile(r"0[0-9]+")
_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")
_HTTP_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
# Bounds of the numbers a source states (see docs/data-model.md): far above any real meeting
# number, head count or seized amount, and inside what every consumer reads (a 64-bit integer:
# owlready2, the reasoner's store, keeps integers as 64-bit; Python converts at most 4300 digits).
MAX_MEETING_NUMBER = 100_000
MAX_COUNT = 999_999_999
QUANTITY_DIGITS = 15
# A quote is evidence: a sentence, not a letter or a full stop that any text contains.
MIN_QUOTE_LETTERS = 10
# A key whose IRI the builder mints for something else: id:role is the concept scheme of the roles.
RESERVED_KEYS = frozenset({"role"})
# Characters a label must never carry: bidi overrides and isolates, zero-width
# and other invisible format characters.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")


@dataclass(frozen=True, order=True)
class Loc:
    """Where a record or field was written."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Names:
    """Preferred names by language and aliases by language."""

    pref: Mapping[str, str]
    aliases: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Role:
    """A role of the controlled list (``facts/vocab/roles.yaml``)."""

    key: str
    names: Names
    loc: Loc
    single_holder: bool = False  # `holders: one`: one holder at a time (Chair, Head, ...)


@dataclass(frozen=True)
class Entity:
    """A curated entity: identity, type and names."""

    key: str
    type: str
    names: Names
    loc: Loc
    code: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Source:
    """A source article and its text."""

    key: str
    text_file: str
    text: str
    headline: str
    language: str
    loc: Loc
    publisher: str | None = None
    published: PartialDate | None = None
    url: str | None = None
    citing: tuple[str, ...] = ()  # agents the article cites as the origin of what it reports
    publisher_inferred: str = ""  # why the publisher is taken to be so, when the article does not say it


class Values(Mapping[str, "Value"]):
    """The fields of a statement, or of one record in a list (``roles``, ``quantities``), as read.

    A mapping from field name to value, with accessors that say the type a
    field has by its declaration (:mod:`graph_builder.loading.schema`): ``text`` for
    keys, choices and texts, ``keys`` for lists of keys, ``date``, ``dates``,
    ``number``, ``flag`` and ``records``. ``line`` is where a record starts.
    """

    __slots__ = ("_fields", "line")

    def __init__(self, fields: dict[str, Value], line: int = 0):
        self._fields = fields  # the loader's own new dict: kept, not copied (one per statement)
        self.line = line

    def __getitem__(self, name: str) -> Value:
        return self._fields[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Values) and (self._fields, self.line) == (other._fields, other.line)

    __hash__ = None  # type: ignore[assignment]  # a mapping is not hashable

    def __repr__(self) -> str:
        return f"Values({self._fields!r}, line={self.line})"

    def __reduce__(self) -> tuple[type[Values], tuple[dict[str, Value], int]]:
        return (Values, (self._fields, self.line))

    def _typed(self, name: str, kind: type[_T]) -> _T:
        value = self._fields[name]
        if not isinstance(value, kind):
            raise TypeError(f"field '{name}' holds {type(value).__name__}, not {kind.__name__}")
        return value

    def text(self, name: str) -> str:
        """A key, a choice, a text, a number written as text."""
        return self._typed(name, str)

    def number(self, name: str) -> int:
        """A meeting number or a count."""
        value = self._fields[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"field '{name}' holds {type(value).__name__}, not int")
        return value

    def optional_text(self, name: str) -> str | None:
        """:meth:`text`, or None when the field is absent."""
        return self.text(name) if name in self._fields else None

    def optional_date(self, name: str) -> PartialDate | None:
        """:meth:`date`, or None when the field is absent."""
        return self.date(name) if name in self._fields else None

    def flag(self, name: str) -> bool:
        return self._typed(name, bool)

    def date(self, name: str) -> PartialDate:
        return self._typed(name, PartialDate)

    def keys_of(self, name: str) -> tuple[str, ...]:
        """A list of keys (empty when the field is absent)."""
        return self._items(name, str)

    def dates(self, name: str) -> tuple[PartialDate, ...]:
        """A list of dates (empty when the field is absent)."""
        return self._items(name, PartialDate)

    def records(self, name: str) -> tuple[Values, ...]:
        """A list of records (empty when the field is absent)."""
        return self._items(name, Values)

    def _items(self, name: str, kind: type[_T]) -> tuple[_T, ...]:
        value = self._fields.get(name, ())
        if not isinstance(value, tuple) or not all(isinstance(v, kind) for v in value):
            raise TypeError(f"field '{name}' is not a list of {kind.__name__}")
        return tuple(v for v in value if isinstance(v, kind))


_T = TypeVar("_T")
Value = Union[str, int, bool, PartialDate, tuple[str, ...], tuple[PartialDate, ...], tuple[Values, ...]]


@dataclass(frozen=True)
class Statement:
    """One quoted statement of a source: a kind, a subject and typed values."""

    source: str
    kind: str
    subject: str
    quotes: tuple[str, ...]
    values: Values
    lines: Mapping[str, int]
    loc: Loc
    inferred: str = ""  # the curator's reason when the claim is an editorial inference, not stated by the source

    def line(self, name: str) -> int:
        """The line a field was written on (the statement's line if unknown)."""
        return self.lines.get(name, self.loc.line)


@dataclass(kw_only=True)
class Declared:
    """What facts files declare: roles, entities, sources and their statements."""

    roles: dict[str, Role] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)


@dataclass(kw_only=True)
class Facts(Declared):
    """Everything loaded from a facts folder."""

    root: Path
    files: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # e.g. YAML files the loader does not read
    # the digests of the records, computed when their files were parsed (graph_builder.building.cache, which
    # keys the graphs it keeps by them; empty when the facts were not loaded through it): not part of the facts
    digests: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def claim_keys(self, kind: str) -> dict[str, list[Statement]]:
        """Statements that define keyed claims (``membership``, ``election``), by key."""
        out: dict[str, list[Statement]] = {}
        for st in self.statements:
            if st.kind == kind:
                out.setdefault(st.subject, []).append(st)
        return out


@dataclass(kw_only=True)
class ParsedFile(Declared):
    """What one facts file says, read and checked on its own (:func:`parse_file`); :func:`resolve` joins them."""

    path: Path
    refs: list[Ref] = field(default_factory=list)          # the keys it uses, checked when all files are read
    problems: list[Problem] = field(default_factory=list)
    declared: dict[str, tuple[Loc, str]] = field(default_factory=dict)  # keys it declares: where, and as what
    failed: set[str] = field(default_factory=set)  # keys of its statements that failed (their errors are given)


# --------------------------------------------------------------------------
# Field parsers. Each takes (value, ctx) and returns a typed value or raises
# _Bad with a message; ctx collects deferred reference checks.
# --------------------------------------------------------------------------

class _Bad(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class Ref:
    """A key used in a field, with what it must name (entity types, or "role" / "election" / "any")."""

    key: str
    allowed: frozenset[str] | str  # entity types, or "role" / "election" / "membership" / "any"
    file: str
    line: int
    field: str


class _Ctx:
    def __init__(self, file: str):
        self.file = file
        self.refs: list[Ref] = []
        self.field = ""


def _hidden_character(text: str, allowed: str = "") -> str | None:
    """The problem of a text holding an invisible or a control character (other than ``allowed``), if any."""
    invisible = INVISIBLE.search(text)
    if invisible is not None:
        return f"contains the invisible character U+{ord(invisible.group(0)):04X}; remove it"
    control = next((c for c in text if unicodedata.category(c) == "Cc" and c not in allowed), None)
    if control is not None:
        return f"contains the control character U+{ord(control):04X}; remove it"
    return None


def _text(value: YValue, ctx: _Ctx) -> str:
    if not isinstance(value, YStr):
        raise _Bad("expected text")
    text = str(value)
    hidden = _hidden_character(text, "\n\t")
    if hidden is not None:
        raise _Bad(hidden)
    if unicodedata.normalize("NFC", text) != text:
        raise _Bad("is not in Unicode NFC form; re-type it or normalize it to NFC")
    if not text.strip():
        raise _Bad("is empty")
    return text


def _quote(value: YValue, ctx: _Ctx) -> str:
    text = _text(value, ctx)
    letters = sum(c.isalnum() for c in text)
    if letters < MIN_QUOTE_LETTERS:
        raise _Bad(f"'{_shown(text)}' is too short to be evidence (a quote has at least {MIN_QUOTE_LETTERS} letters "
                   f"or digits, this one {letters}): quote the whole sentence of the source that states the fact")
    return text


def _key_syntax(value: YValue) -> str:
    if not isinstance(value, YStr):
        raise _Bad("expected a key (lower-case words joined by '-')")
    hidden = _hidden_character(value)
    if hidden is not None:
        raise _Bad(f"'{value}' is not a valid key: it {hidden}")
    if not KEY_RE.fullmatch(value):
        raise _Bad(f"'{value}' is not a valid key: use lower-case ASCII letters and digits joined by single '-'")
    if value in RESERVED_KEYS:
        raise _Bad(f"'{value}' is reserved (id:{value} is the list of roles); choose another key")
    return str(value)


def _ref(allowed: frozenset[str] | str) -> Callable[[YValue, _Ctx], str]:
    def parse(value: YValue, ctx: _Ctx) -> str:
        key = _key_syntax(value)
        ctx.refs.append(Ref(key, allowed, ctx.file, line_of(value), ctx.field))
        return key
    return parse


def _refs(allowed: frozenset[str] | str) -> Callable[[YValue, _Ctx], tuple[str, ...]]:
    one = _ref(allowed)

    def parse(value: YValue, ctx: _Ctx) -> tuple[str, ...]:
        if isinstance(value, YStr):
            return (one(value, ctx),)
        if not isinstance(value, YSeq):
            raise _Bad("expected a list of keys")
        out = tuple(one(v, ctx) for v in value)
        dupes = sorted({k for k in out if out.count(k) > 1})
        if dupes:
            raise _Bad(f"lists {', '.join(dupes)} more than once")
        return out
    return parse


def _date(value: YValue, ctx: _Ctx) -> PartialDate:
    if not isinstance(value, YStr):
        raise _Bad("expected a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    try:
        return parse_date(value)
    except DateFormatError as exc:
        raise _Bad(str(exc)) from None


def _dates(value: YValue, ctx: _Ctx) -> tuple[PartialDate, ...]:
    if isinstance(value, YStr):
        return (_date(value, ctx),)
    if not isinstance(value, YSeq):
        raise _Bad("expected a list of dates")
    return tuple(_date(v, ctx) for v in value)


def _shown(value: object) -> str:
    """A value as quoted in a message: a long one cut to its first and last digits."""
    text = str(value)
    return text if len(text) <= 40 else f"{text[:12]}...{text[-12:]} ({len(text)} characters)"


def _whole(value: YValue, what: str, top: int) -> int:
    """A whole number from 1 to ``top`` (checked by its digits before it is converted)."""
    if not isinstance(value, YStr) or not _WHOLE_NUMBER.fullmatch(value):
        hint = " (a leading zero reads as octal in YAML 1.1; write the plain number)" if isinstance(value, YStr) and _OCTAL_LOOKING.fullmatch(value) else ""
        raise _Bad(f"'{_shown(value)}' is not a positive whole number{hint}")
    if len(value) > len(str(top)) or int(value) > top:
        raise _Bad(f"'{_shown(value)}' is too large for {what} (at most {top})")
    return int(value)


def _meeting_number(value: YValue, ctx: _Ctx) -> int:
    return _whole(value, "a meeting number", MAX_MEETING_NUMBER)


def _count(value: YValue, ctx: _Ctx) -> int:
    if isinstance(value, YStr) and value == "0":
        return 0
    return _whole(value, "a count", MAX_COUNT)


def _number(value: YValue, ctx: _Ctx) -> str:
    if not isinstance(value, YStr) or not _DECIMAL.fullmatch(value):
        raise _Bad(f"'{_shown(value)}' is not a number (digits, optionally a '.' and decimals)")
    if len(value.split(".")[0]) > QUANTITY_DIGITS:
        raise _Bad(f"'{_shown(value)}' is too large for a quantity (at most {QUANTITY_DIGITS} digits before the "
                   "decimal point); check the unit (e.g. TNE for tonnes instead of KGM)")
    return str(value)


def _bool(value: YValue, ctx: _Ctx) -> bool:
    if isinstance(value, YStr) and value in ("true", "false"):
        return value == "true"
    raise _Bad(f"'{value}' is not true or false (write exactly true or false)")


def _choice(options: Iterable[str]) -> Callable[[YValue, _Ctx], str]:
    opts = tuple(options)

    def parse(value: YValue, ctx: _Ctx) -> str:
        if not isinstance(value, YStr) or value not in opts:
            raise _Bad(f"'{value}' is not one of: {', '.join(opts)}")
        return str(value)
    return parse


_DURATION = re.compile(r"P(?=\d)(?:(\d{1,3})Y)?(?:(\d{1,4})M)?")


def _duration(value: YValue, ctx: _Ctx) -> str:
    """An ISO 8601 duration in years and months (P4Y, P2Y6M, P18M): a term's length as the source gives it."""
    found = _DURATION.fullmatch(value) if isinstance(value, YStr) else None
    if not found or not any(found.groups()):
        raise _Bad(f"'{_shown(value)}' is not a duration of years and months (write P4Y for four years, P2Y6M, P18M)")
    return str(value)


def _lang(value: YValue, ctx: _Ctx) -> str:
    if not isinstance(value, YStr) or not LANG_RE.fullmatch(value) or value.split("-")[0] not in LANGUAGES:
        raise _Bad(f"'{value}' is not a known language tag (use ISO 639-1, e.g. en, ru, fr)")
    return str(value)


def _url(value: YValue, ctx: _Ctx) -> str:
    text = _text(value, ctx)
    if not _HTTP_URL.fullmatch(text):
        raise _Bad(f"'{text}' is not an http(s) URL")
    return text


def _unit(value: YValue, ctx: _Ctx) -> str:
    if not isinstance(value, YStr) or not UNIT_RE.fullmatch(value):
        raise _Bad(f"'{value}' is not a UN/CEFACT unit code (e.g. KGM, TNE, C62)")
    return str(value)


def _type_name(value: YValue, ctx: _Ctx) -> str:
    if not isinstance(value, YStr) or value not in ENTITY_TYPES:
        raise _Bad(f"'{value}' is not an entity type ({', '.join(sorted(ENTITY_TYPES))})")
    return str(value)


Parser = Callable[[YValue, "_Ctx"], "Value"]


def _record(spec: Mapping[str, tuple[Parser, bool]]) -> Callable[[YValue, _Ctx], Values]:
    """A nested mapping with its own field spec (used inside lists)."""

    def parse(value: YValue, ctx: _Ctx) -> Values:
        if not isinstance(value, YMap):
            raise _Bad(f"expected a mapping with {', '.join(spec)}")
        out: dict[str, Value] = {}
        outer = ctx.field
        for key in value:
            if key not in spec:
                raise _Bad(f"unknown field '{key}' (expected {', '.join(spec)})", key.line)
        for name, (parser, required) in spec.items():
            if name not in value or value[YStr(name, 0)] is None:
                if required:
                    raise _Bad(f"missing field '{name}'", value.line)
                continue
            ctx.field = f"{outer}.{name}"
            try:
                out[name] = parser(value[YStr(name, 0)], ctx)
            except _Bad as exc:
                raise _Bad(f"{name}: {exc}", exc.line or line_of(value[YStr(name, 0)], value.line)) from None
        ctx.field = outer
        return Values(out, value.line)
    return parse


def _list_of(parser: Callable[[YValue, _Ctx], Values]) -> Parser:
    def parse(value: YValue, ctx: _Ctx) -> tuple[Values, ...]:
        if not isinstance(value, YSeq):
            raise _Bad("expected a list")
        return tuple(parser(v, ctx) for v in value)
    return parse


ANY = "any"


def _field_parser(f: Field) -> Parser:
    """How the loader reads a field, from its declaration in graph_builder.loading.schema."""
    t = f.type
    if t is FieldType.REF:
        return _ref(f.refers_to)
    if t is FieldType.REFS:
        return _refs(f.refers_to)
    if t is FieldType.CHOICE:
        return _choice(f.choices)
    if t is FieldType.RECORDS:
        return _list_of(_record(_spec(f.record)))
    return _SCALAR_PARSERS[t]


_SCALAR_PARSERS: dict[FieldType, Parser] = {
    FieldType.OWN_KEY: lambda v, c: _key_syntax(v), FieldType.TEXT: _text, FieldType.DATE: _date,
    FieldType.DATES: _dates, FieldType.MEETING_NUMBER: _meeting_number, FieldType.COUNT: _count,
    FieldType.NUMBER: _number, FieldType.BOOLEAN: _bool, FieldType.LANGUAGE: _lang, FieldType.UNIT: _unit,
    FieldType.TYPE_NAME: _type_name, FieldType.DURATION: _duration,
}


def _spec(fields: tuple[Field, ...]) -> dict[str, tuple[Parser, bool]]:
    return {f.name: (_field_parser(f), f.required) for f in fields}


# kind -> its declaration and the parser of each field
_SPECS: dict[str, tuple[Kind, dict[str, tuple[Parser, bool]]]] = {
    name: (kind, _spec(kind.fields)) for name, kind in KINDS.items()
}

# ISO 639-1 codes accepted as language tags.
LANGUAGES = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie
ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg
mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro
ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty
ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------

class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, line: int, fld: str, message: str) -> None:
        self.problems.append(Problem(file, line, fld, message))


def _get(m: YMap, name: str) -> YValue:
    return m.get(YStr(name, 0))


def _names(m: YMap, ctx: _Ctx, out: _Collector, who: str) -> Names | None:
    pref: dict[str, str] = {}
    aliases: dict[str, tuple[str, ...]] = {}
    name = _get(m, "name")
    if not isinstance(name, YMap) or YStr("en", 0) not in name:
        out.add(ctx.file, line_of(name, m.line), "name", f"{who} needs a name with an English (en) entry, e.g. name: {{en: ...}}")
        return None
    for section in ("name", "aliases"):
        value = _get(m, section)
        if value is None:
            continue
        if not isinstance(value, YMap):
            out.add(ctx.file, line_of(value, m.line), section, "expected a mapping from language tag to text")
            continue
        for lang, text in value.items():
            try:
                _lang(lang, ctx)
            except _Bad as exc:
                out.add(ctx.file, lang.line, f"{section}.{lang}", str(exc))
                continue
            try:
                if section == "name":
                    pref[str(lang)] = _text(text, ctx)
                else:
                    items = text if isinstance(text, YSeq) else YSeq([text])
                    aliases[str(lang)] = tuple(_text(t, ctx) for t in items)
            except _Bad as exc:
                out.add(ctx.file, exc.line or line_of(text, lang.line), f"{section}.{lang}", str(exc))
    return Names(pref, aliases)


def _check_fields(m: YMap, allowed: Iterable[str], file: str, out: _Collector, where: str) -> None:
    allowed = tuple(allowed)
    for k in m:
        if k not in allowed:
            out.add(file, k.line, str(k), f"unknown field in {where} (expected one of: {', '.join(allowed)})")


def _load_roles(path: Path, facts: ParsedFile, out: _Collector, folder: FactsDir) -> None:
    doc = load_yaml(path, folder)
    file = str(path)
    ctx = _Ctx(file)
    if not isinstance(doc, YMap) or not isinstance(_get(doc, "roles"), YSeq):
        out.add(file, line_of(doc, 1), "roles", "expected a top-level 'roles:' list")
        return
    for item in _get(doc, "roles") or []:
        if not isinstance(item, YMap):
            out.add(file, line_of(item, 1), "roles", "each role is a mapping with id and name")
            continue
        _check_fields(item, ("id", "name", "aliases", "holders", "note"), file, out, "a role")
        try:
            key = _key_syntax(_get(item, "id"))
        except _Bad as exc:
            out.add(file, item.line, "id", str(exc))
            continue
        names = _names(item, ctx, out, f"role '{key}'")
        holders = _get(item, "holders")
        single = False
        if holders is not None:
            try:
                single = _choice(ROLE_HOLDERS)(holders, ctx) == "one"
            except _Bad as exc:
                out.add(file, line_of(holders, item.line), "holders", str(exc))
        loc = Loc(file, item.line)
        if _claim_duplicate("role/" + key, loc, facts.declared, out, "role"):
            continue
        if names:
            facts.roles[key] = Role(key, names, loc, single)


def _claim_duplicate(key: str, loc: Loc, seen: dict[str, tuple[Loc, str]], out: _Collector, what: str) -> bool:
    if key in seen:
        first = seen[key][0]
        out.add(loc.file, loc.line, "id", f"duplicate {what} id '{key.split('/')[-1]}' (also declared at {first})")
        return True
    seen[key] = (loc, what)
    return False


def _load_entities(path: Path, facts: ParsedFile, out: _Collector, folder: FactsDir) -> None:
    doc = load_yaml(path, folder)
    file = str(path)
    ctx = _Ctx(file)
    if not isinstance(doc, YMap) or not isinstance(_get(doc, "entities"), YSeq):
        out.add(file, line_of(doc, 1), "entities", "expected a top-level 'entities:' list")
        return
    _check_fields(doc, ("entities",), file, out, "an entities file")
    for item in _get(doc, "entities") or []:
        if not isinstance(item, YMap):
            out.add(file, line_of(item, 1), "entities", "each entity is a mapping with id, type and name")
            continue
        _check_fields(item, ("id", "type", "name", "aliases", "code", "country", "note"), file, out, "an entity")
        try:
            key = _key_syntax(_get(item, "id"))
        except _Bad as exc:
            out.add(file, line_of(_get(item, "id"), item.line), "id", str(exc))
            continue
        try:
            etype = _type_name(_get(item, "type"), ctx)
        except _Bad as exc:
            out.add(file, line_of(_get(item, "type"), item.line), "type", str(exc))
            continue
        names = _names(item, ctx, out, f"entity '{key}'")
        code = None
        raw_code = _get(item, "code")
        if etype == "Country":
            if not isinstance(raw_code, YStr) or not COUNTRY_CODE_RE.fullmatch(raw_code) or raw_code not in ISO_3166_ALPHA2:
                out.add(file, line_of(raw_code, item.line), "code", f"country '{key}' needs its ISO 3166-1 alpha-2 code (two capital letters, e.g. RU); got '{raw_code}'")
            else:
                code = str(raw_code)
        elif raw_code is not None:
            out.add(file, line_of(raw_code, item.line), "code", "only a Country has a code")
        country = None
        raw_country = _get(item, "country")
        if raw_country is not None:
            if etype not in ("NationalCustomsAdministration", "City", "Representation"):
                out.add(file, line_of(raw_country, item.line), "country", f"a {etype} has no country field")
            else:
                try:
                    ctx.field = "country"
                    country = _ref(frozenset({"Country"}))(raw_country, ctx)
                except _Bad as exc:
                    out.add(file, line_of(raw_country, item.line), "country", str(exc))
        loc = Loc(file, item.line)
        if _claim_duplicate(key, loc, facts.declared, out, "entity"):
            continue
        if names:
            facts.entities[key] = Entity(key, etype, names, loc, code, country)
    _defer_refs(ctx, facts)


def _defer_refs(ctx: _Ctx, facts: ParsedFile) -> None:
    facts.refs.extend(ctx.refs)


_WS = re.compile(r"\s+")


def _norm_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _listed(path: Path) -> bool:
    """Whether a folder lists ``path`` (a folder that cannot be read may: reading it says why)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return True


def _read_text(folder: FactsDir, name: str, file: str, line: int, out: _Collector) -> str | None:
    """The text of a source (``texts/NAME``), or None after adding the problem."""
    texts_dir = folder.root / "texts"
    path = texts_dir / name
    if "/" in name or "\\" in name or not _listed(path):
        out.add(file, line, "source.text", f"no text file '{name}' in {texts_dir}")
        return None
    try:
        return decode_utf8(path, folder.read(path, TEXT_MAX_BYTES))
    except FactsError as exc:
        out.problems.extend(exc.problems)
        return None


def _load_source(path: Path, facts: ParsedFile, out: _Collector, folder: FactsDir) -> None:
    doc = load_yaml(path, folder)
    file = str(path)
    ctx = _Ctx(file)
    if not isinstance(doc, YMap):
        out.add(file, line_of(doc, 1), "source", "expected a mapping with 'source:' and 'statements:'")
        return
    _check_fields(doc, ("source", "statements"), file, out, "a source file")
    head = _get(doc, "source")
    if not isinstance(head, YMap):
        out.add(file, line_of(head, doc.line or 1), "source", "missing 'source:' block: every statement needs its source article")
        return
    _check_fields(head, ("id", "text", "headline", "publisher", "publisher_inferred", "published", "language", "url",
                         "citing", "note"), file,
                  out, "the source block")
    values: dict[str, Value] = {}
    spec: dict[str, tuple[Parser, bool]] = {
        "id": (lambda v, c: _key_syntax(v), True), "text": (_text, True), "headline": (_text, True),
        "publisher": (_ref(ORG_TYPES), False), "published": (_date, False), "language": (_lang, True), "url": (_url, False),
        "citing": (_refs(AGENT_TYPES), False), "publisher_inferred": (_text, False),
    }
    for name, (parser, required) in spec.items():
        raw = _get(head, name)
        if raw is None:
            if required:
                out.add(file, head.line, f"source.{name}", f"missing field '{name}'")
            continue
        ctx.field = f"source.{name}"
        try:
            values[name] = parser(raw, ctx)
        except _Bad as exc:
            out.add(file, exc.line or line_of(raw, head.line), f"source.{name}", str(exc))
    if not all(k in values for k in ("id", "text", "headline", "language")):
        _defer_refs(ctx, facts)
        return
    read = Values(values)
    if "publisher_inferred" in read and "publisher" not in read:
        out.add(file, line_of(_get(head, "publisher_inferred"), head.line), "source.publisher_inferred",
                "gives the reason for a publisher: write the publisher too (publisher: KEY)")
    key = read.text("id")
    text = _read_text(folder, read.text("text"), file, line_of(_get(head, "text"), head.line), out)
    loc = Loc(file, head.line)
    if _claim_duplicate(key, loc, facts.declared, out, "source/entity"):
        _defer_refs(ctx, facts)
        return
    facts.sources[key] = Source(key, read.text("text"), text or "", read.text("headline"), read.text("language"), loc,
                                read.optional_text("publisher"), read.optional_date("published"),
                                read.optional_text("url"), tuple(read.keys_of("citing")),
                                read.optional_text("publisher_inferred") or "")
    norm_text = _norm_ws(text) if text else None
    statements = _get(doc, "statements")
    if statements is None:
        statements = YSeq()
    if not isinstance(statements, YSeq):
        out.add(file, line_of(statements, 1), "statements", "expected a list of statements")
        _defer_refs(ctx, facts)
        return
    pending = pending_proposals(statements)
    if pending:
        out.add(file, pending[0], "draft", proposals_message(len(pending)))
    for item in statements:
        for claim, st in _load_item(item, key, file, ctx, out, norm_text):
            if st is not None:
                facts.statements.append(st)
            else:
                facts.failed.update(_statement_key(claim))
    _defer_refs(ctx, facts)


# A claim that `customs-kg draft` proposed and the curator has not yet accepted carries this field.
DRAFT_FIELD = "draft"


def _is_proposal(claim: YValue) -> bool:
    return isinstance(claim, YMap) and YStr(DRAFT_FIELD, 0) in claim


def pending_proposals(statements: YValue) -> list[int]:
    """The lines of the claims of a ``statements:`` list still marked as proposals (a ``draft:`` field)."""
    lines: list[int] = []
    for item in statements if isinstance(statements, YSeq) else ():
        claims = _get(item, "claims") if isinstance(item, YMap) else None
        for claim in claims if isinstance(claims, YSeq) else ():
            if _is_proposal(claim):
                lines.append(line_of(claim, line_of(item)))
    return lines


def proposals_message(count: int) -> str:
    """What a source file with proposals left in it is told (the file is refused until there are none)."""
    return (f"{count} proposal{'s' if count != 1 else ''} to accept or delete (written by customs-kg draft): "
            "delete a proposal's 'draft:' line to accept it, or the whole claim to reject it")


def _statement_key(item: YValue) -> list[str]:
    """The key a statement that failed was about (a claim's own key, or the entity of an `event:`), if readable."""
    if not isinstance(item, YMap):
        return []
    for name, kind in KINDS.items():
        head = _get(item, name)
        if kind.written is not Written.MAPPING and isinstance(head, YStr) and KEY_RE.fullmatch(head):
            return [str(head)]
    return []


def _load_item(item: YValue, source: str, file: str, ctx: _Ctx, out: _Collector,
               norm_text: str | None) -> list[tuple[YValue, Statement | None]]:
    """One entry of ``statements:``: a sentence block (``quote`` with the ``claims`` it states) or a single
    statement (``quote`` beside one kind). Returns each claim with its statement (None when it failed)."""
    if not isinstance(item, YMap):
        out.add(file, line_of(item, 1), "statement",
                "each entry is a mapping: 'quote' with its 'claims', or 'quote' and one kind")
        return [(item, None)]
    claims = _get(item, "claims")
    if claims is None:
        return [(item, _load_statement(item, source, file, ctx, out, _quotes(item, file, ctx, out, norm_text)))]
    for k in item:
        if k not in ("quote", "claims"):
            out.add(file, k.line, str(k), f"a sentence block has only 'quote' and 'claims': put '{k}' in one of its "
                                          "claims")
    quotes = _quotes(item, file, ctx, out, norm_text)
    if not isinstance(claims, YSeq) or not claims:
        out.add(file, line_of(claims, item.line), "claims",
                "expected a list of claims, each a mapping with one kind (the claims the quote states)")
        return [(item, None)]
    found: list[tuple[YValue, Statement | None]] = []
    for claim in claims:
        if _is_proposal(claim):
            continue  # refused as a whole, once (pending_proposals); not read until accepted
        own = _get(claim, "quote") if isinstance(claim, YMap) else None
        if own is not None:
            out.add(file, line_of(own, line_of(claim, item.line)), "quote",
                    "a claim under a sentence block is stated by the block's quote: give it a block of its own "
                    "to quote another sentence")
            found.append((claim, None))
            continue
        found.append((claim, _load_statement(claim, source, file, ctx, out, quotes)))
    return found


def _quotes(item: YMap, file: str, ctx: _Ctx, out: _Collector, norm_text: str | None) -> list[str]:
    """The sentences an entry quotes, each checked against the source's text (problems reported)."""
    quotes_raw = _get(item, "quote")
    quotes: list[str] = []
    if quotes_raw is None:
        out.add(file, item.line, "quote", "missing quote: every statement quotes the sentence of its source that states it")
        return quotes
    for q in (quotes_raw if isinstance(quotes_raw, YSeq) else [quotes_raw]):
        try:
            text = _quote(q, ctx)
        except _Bad as exc:
            out.add(file, line_of(q, item.line), "quote", str(exc))
            continue
        text = _norm_ws(text)
        if norm_text is not None and text not in norm_text:
            out.add(file, line_of(q, item.line), "quote", nearest_sentence(text, norm_text))
        quotes.append(text)
    return quotes


def _load_statement(item: YValue, source: str, file: str, ctx: _Ctx, out: _Collector,
                    quotes: list[str]) -> Statement | None:
    """A statement of one kind, stated by ``quotes`` (its own, or its sentence block's)."""
    if not isinstance(item, YMap):
        out.add(file, line_of(item, 1), "statement", "each claim is a mapping with one kind")
        return None
    kinds = [k for k in item if k in KINDS]
    others = [k for k in item if k not in KINDS and k not in ("quote", "inferred")]
    inferred = ""
    if _get(item, "inferred") is not None:
        ctx.field = "inferred"
        try:
            inferred = _text(_get(item, "inferred"), ctx)
        except _Bad as exc:
            out.add(file, line_of(_get(item, "inferred"), item.line), "inferred", str(exc))
            return None
    if len(kinds) != 1:
        what = "no kind" if not kinds else "several kinds (" + ", ".join(kinds) + ")"
        out.add(file, item.line, "statement", f"a statement needs exactly one kind ({', '.join(KINDS)}); this one has {what}")
        return None
    kind = kinds[0]
    declared, spec = _SPECS[kind]
    head = item[kinds[0]]
    values: dict[str, Value] = {}
    lines: dict[str, int] = {}
    ok = True
    if declared.written is Written.MAPPING:
        body = head
        if not isinstance(body, YMap):
            out.add(file, line_of(head, item.line), kind, f"'{kind}' takes a mapping of {', '.join(spec)}")
            return None
        subject = ""
        for k in others:
            out.add(file, k.line, str(k), f"unknown field (a '{kind}' statement has: quote, {kind})")
    else:
        ctx.field = kind
        try:
            if declared.written is Written.CLAIM:
                subject = _key_syntax(head)
            else:
                subject = _ref(declared.subject_types)(head, ctx)
        except _Bad as exc:
            out.add(file, line_of(head, item.line), kind, str(exc))
            return None
        body = YMap()
        for k in others:
            body[k] = item[k]
    for key in body:
        if key not in spec:
            out.add(file, key.line, f"{kind}.{key}", f"unknown field (expected one of: {', '.join(spec)})")
            ok = False
    for name, (parser, required) in spec.items():
        raw = body.get(YStr(name, 0))
        if raw is None:
            if required:
                out.add(file, body.line or item.line, f"{kind}.{name}", f"missing field '{name}'")
                ok = False
            continue
        ctx.field = f"{kind}.{name}"
        try:
            values[name] = parser(raw, ctx)
            lines[name] = line_of(raw, item.line)
        except _Bad as exc:
            out.add(file, exc.line or line_of(raw, item.line), f"{kind}.{name}", str(exc))
            ok = False
    if not ok or not quotes:
        return None
    loc = Loc(file, item.line)
    st = Statement(source, kind, subject, tuple(quotes), Values(values, item.line), lines, loc, inferred)
    _check_statement_dates(st, out)
    return st


def _check_statement_dates(st: Statement, out: _Collector) -> None:
    v = st.values
    if "start" in v and "end" in v and definitely_before(v.date("end"), v.date("start")):
        out.add(st.loc.file, st.line("end"), f"{st.kind}.end", f"ends ({v['end']}) before it starts ({v['start']})")
    if "date" in v and ("start" in v or "end" in v):
        out.add(st.loc.file, st.line("date"), f"{st.kind}.date", "give either date or start/end, not both")
    for q in v.records("quantities"):
        if "value" in q and ("min" in q or "max" in q):
            out.add(st.loc.file, q.line, f"{st.kind}.quantities", f"quantity '{q['id']}' has both an exact value and a min/max")
        if not any(k in q for k in ("value", "min", "max")):
            out.add(st.loc.file, q.line, f"{st.kind}.quantities", f"quantity '{q['id']}' needs value, min or max")
        if "min" in q and "max" in q and float(q.text("min")) > float(q.text("max")):
            out.add(st.loc.file, q.line, f"{st.kind}.quantities", f"quantity '{q['id']}' has min above max")


def _resolve_refs(facts: Facts, refs: Iterable[Ref], failed: set[str], out: _Collector) -> None:
    elections = facts.claim_keys("election")
    memberships = facts.claim_keys("membership")
    for ref in refs:
        if ref.key in failed:
            continue  # the statement of that key failed, and said why: no second error where it is used
        if ref.allowed == "membership":
            if ref.key not in memberships:
                out.add(ref.file, ref.line, ref.field, f"no membership statement has the key '{ref.key}'")
            continue
        if ref.allowed == "role":
            if ref.key not in facts.roles:
                near = [r for r in facts.roles if r == ref.key.lower()]
                hint = f"; did you mean '{near[0]}'?" if near else f" (the controlled roles are: {', '.join(sorted(facts.roles))})"
                out.add(ref.file, ref.line, ref.field, f"unknown role '{ref.key}'{hint}")
            continue
        if ref.allowed == "election":
            if ref.key not in elections:
                out.add(ref.file, ref.line, ref.field, f"no election statement has the key '{ref.key}'")
            continue
        if (ref.key in elections or ref.key in memberships) and ref.key not in facts.entities:
            if ref.allowed == ANY:
                continue
            out.add(ref.file, ref.line, ref.field, f"'{ref.key}' is a {'membership' if ref.key in memberships else 'election'}, not an entity of the right kind")
            continue
        entity = facts.entities.get(ref.key)
        if entity is None:
            if ref.key in facts.sources and ref.allowed == ANY:
                continue
            out.add(ref.file, ref.line, ref.field, f"'{ref.key}' is not declared in any entities file")
            continue
        if ref.allowed != ANY and entity.type not in ref.allowed:
            allowed = sorted(ref.allowed) if not isinstance(ref.allowed, str) else [ref.allowed]
            out.add(ref.file, ref.line, ref.field, f"'{ref.key}' is a {entity.type}; expected {' or '.join(allowed) if len(allowed) < 5 else 'one of ' + ', '.join(allowed)}")
    for key, sts in memberships.items():
        _check_same_claim(key, sts, ("member", "organization", "role"), out)
    for key, sts in elections.items():
        _check_same_claim(key, sts, ("kind", "role", "organization"), out)


def _cross_checks(facts: Facts, refs: list[Ref], failed: set[str], out: _Collector) -> None:
    """The checks that need every file loaded: references, keys across kinds, the bodies' structure."""
    _resolve_refs(facts, refs, failed, out)
    if not out.problems:  # a source that could not be read would make each of its events look unstated
        _check_events_stated(facts, refs, failed, out)
    _check_key_kinds(facts, out)
    _check_structure(facts, out)


def _check_events_stated(facts: Facts, refs: list[Ref], failed: set[str], out: _Collector) -> None:
    """A meeting, session or operation declared in an entities file needs an `event:` statement of a source:
    say which one to add, and where the event is mentioned."""
    stated = {st.subject for st in facts.statements if st.kind == "event"}
    source_files = {src.loc.file for src in facts.sources.values()}
    mentioned: dict[str, Ref] = {}
    for ref in refs:
        if ref.file in source_files:
            mentioned.setdefault(ref.key, ref)
    for key, entity in facts.entities.items():
        if entity.type not in EVENT_TYPES or key in stated or key in failed:
            continue
        where = mentioned.get(key)
        into = (f"to {display_path(where.file)}, which mentions it at line {where.line}" if where is not None
                else "to the source file of that article")
        out.add(entity.loc.file, entity.loc.line, "id",
                f"no source states the {entity.type.lower()} '{key}': add a statement 'event: {key}' quoting the "
                f"sentence that reports it {into}, or remove the entity")


_ARTICLES = {"entity": "an entity", "source": "a source", "membership": "a membership", "election": "an election",
             "quantity": "a quantity"}


def _key_declarations(facts: Facts) -> list[tuple[str, str, Loc, str]]:
    """(key, kind, where, field) of every key that mints an IRI id:KEY, in the order they are declared."""
    out = [(k, "entity", e.loc, "id") for k, e in facts.entities.items()]
    out += [(k, "source", s.loc, "id") for k, s in facts.sources.items()]
    claims: list[tuple[str, str, Loc, str]] = []
    for st in facts.statements:
        if st.kind in ("membership", "election"):
            claims.append((st.subject, st.kind, st.loc, st.kind))
        for q in st.values.records("quantities"):
            claims.append((q.text("id"), "quantity", Loc(st.loc.file, q.line), f"{st.kind}.quantities"))
    return out + sorted(claims, key=lambda c: c[2])


def _check_key_kinds(facts: Facts, out: _Collector) -> None:
    """A key names one thing: a membership, election or quantity key may not be an entity's, a source's or
    another kind's (the IRI id:KEY would get two unrelated types). Entities and sources are checked
    against each other as they are loaded."""
    first: dict[str, tuple[str, Loc]] = {}
    reported: set[tuple[str, str]] = set()
    for key, kind, loc, fld in _key_declarations(facts):
        if key not in first:
            first[key] = (kind, loc)
            continue
        kind0, loc0 = first[key]
        if kind0 != kind and kind not in ("entity", "source") and (key, kind) not in reported:
            reported.add((key, kind))
            out.add(loc.file, loc.line, fld, f"key '{key}' is already {_ARTICLES[kind0]} (declared at {loc0})")


# statement kind -> (the field that is the body itself, the field it must differ from, what it would be)
_SELF_LINKS = {
    "membership": ("member", "organization", "a member of itself"),
    "part_of": ("unit", "parent", "part of itself"),
    "reports_to": ("org", "to", "reporting to itself"),
    "supported_by": ("org", "by", "supported by itself"),
}


def _check_structure(facts: Facts, out: _Collector) -> None:
    """No body is a member, part, report or support of itself, and part-of has no cycle."""
    links: dict[tuple[str, str], Statement] = {}
    for st in facts.statements:
        spec = _SELF_LINKS.get(st.kind)
        if spec is None:
            continue
        this, other, what = spec
        if st.values[this] == st.values[other]:
            out.add(st.loc.file, st.line(other), f"{st.kind}.{other}", f"'{st.values[this]}' cannot be {what}")
        elif st.kind == "part_of":
            edge = (st.values.text("unit"), st.values.text("parent"))
            if edge not in links or st.loc < links[edge].loc:
                links[edge] = st
    for cycle in _cycles(sorted(links)):
        edges = [links[(a, b)] for a, b in zip(cycle, cycle[1:])]
        st = min(edges, key=lambda e: e.loc)
        start = cycle.index(st.values.text("unit"))
        spelled = cycle[start:-1] + cycle[:start + 1]
        out.add(st.loc.file, st.loc.line, "part_of", "part-of cycle: " + " -> ".join(spelled)
                + " (a body cannot be part of a body below it)")


def _cycles(edges: list[tuple[str, str]]) -> list[list[str]]:
    """One cycle ``[a, b, ..., a]`` for every back edge a depth-first search meets (no recursion), each set of
    nodes once; deterministic for sorted edges."""
    after: dict[str, list[str]] = {}
    for a, b in edges:
        after.setdefault(a, []).append(b)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root in sorted(after):
        if root in state:
            continue
        path, todo = [root], [iter(after.get(root, ()))]
        state[root] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    found.append(cycle)
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(after.get(nxt, ())))
    return found


def _check_same_claim(key: str, sts: list[Statement], identity: tuple[str, ...], out: _Collector) -> None:
    first = sts[0]
    for st in sts[1:]:
        for name in identity:
            if st.values.get(name) != first.values.get(name):
                out.add(st.loc.file, st.line(name), f"{st.kind}.{name}",
                        f"'{key}' is also stated at {first.loc} with {name} '{first.values.get(name)}'; one key is one {st.kind}")


_LOADERS: dict[str, Callable[[Path, ParsedFile, _Collector, FactsDir], None]] = {
    "roles": _load_roles, "entities": _load_entities, "sources": _load_source,
}


def loading_order(listing: Listing) -> list[tuple[Path, str]]:
    """The listed files with what each holds (``roles``, ``entities``, ``sources``), in the order they are read."""
    jobs: list[tuple[Path, str]] = [(listing.roles, "roles")] if listing.roles is not None else []
    jobs += [(p, "entities") for p in listing.entities]
    jobs += [(p, "sources") for p in listing.sources]
    return jobs


def parse_file(path: Path, holds: str, folder: FactsDir) -> ParsedFile:
    """Read and check one facts file of ``folder`` on its own; its problems are in the result, not raised."""
    parsed = ParsedFile(path=path)
    out = _Collector()
    try:
        _LOADERS[holds](path, parsed, out, folder)
    except FactsError as exc:
        out.problems.extend(exc.problems)
    parsed.problems = out.problems
    return parsed


def resolve(root: Path, files: Iterable[ParsedFile], listing: Listing | None = None) -> Facts:
    """Join parsed files (in :func:`loading_order`) into the facts of ``root``: keys declared once across
    files, references resolved, the structure checked. Raises FactsError with every problem of every file."""
    facts = Facts(root=root, warnings=list(listing.warnings) if listing is not None else [])
    out = _Collector()
    if listing is not None:
        out.problems.extend(listing.problems)
    seen: dict[str, tuple[Loc, str]] = {}
    refs: list[Ref] = []
    failed: set[str] = set()
    for parsed in files:
        facts.files.append(parsed.path)
        out.problems.extend(parsed.problems)
        refs.extend(parsed.refs)
        failed |= parsed.failed
        repeated = {key for key, (loc, what) in parsed.declared.items() if _claim_duplicate(key, loc, seen, out, what)}
        facts.roles.update((k, v) for k, v in parsed.roles.items() if "role/" + k not in repeated)
        facts.entities.update((k, v) for k, v in parsed.entities.items() if k not in repeated)
        facts.sources.update((k, v) for k, v in parsed.sources.items() if k not in repeated)
        facts.statements.extend(st for st in parsed.statements if st.source not in repeated)
    _cross_checks(facts, refs, failed, out)
    if not facts.sources and not out.problems:
        out.add(str(root / "sources"), 0, "sources", "no source files: every fact needs a source")
    if out.problems:
        raise FactsError(out.problems)
    return facts


def check_folder(root: Path) -> None:
    """Raise FactsError unless ``root`` is a folder."""
    if not os.path.exists(root):
        raise FactsError([Problem(str(root), 0, "facts", "no such folder")])
    if not root.is_dir():
        raise FactsError([Problem(str(root), 0, "facts", f"is {file_kind(os.stat(root).st_mode)}, not a folder")])


def load_facts(root: Path) -> Facts:
    """Load and check every facts file under ``root``; raise FactsError listing all problems."""
    check_folder(root)
    folder = FactsDir(root)
    listing = folder.listing()
    return resolve(root, (parse_file(path, holds, folder) for path, holds in loading_order(listing)), listing)


ISO_3166_ALPHA2 = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())
