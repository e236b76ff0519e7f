"""The statement kinds of a source file, declared once, as data.

A statement of a source file (``facts/sources/*.yaml``) has one *kind*:
``event``, ``membership``, ``part_of``, ... Each :class:`Kind` below says,
in one place a reader can see whole:

* how it is written: a keyed claim (``membership: KEY`` with its fields beside
  it), a statement about an entity (``event: KEY``), or a mapping
  (``part_of: {unit, parent}``);
* its :class:`Field`\\ s: name, type, whether required, what a key must name,
  the allowed choices, and the fields of nested records;
* the RDF it produces and its row of the docs table (``docs/data-model.md``
  is checked against :func:`docs_table` by a test);
* the SHACL shapes that check what it produces, and the card section where
  ``customs-kg show`` prints it (both checked by tests).

The loader (:mod:`graph_builder.loading.facts`) reads fields by these declarations;
the builder (:mod:`graph_builder.building.build`) has one function per kind, checked
against :data:`KINDS` when it is imported. Adding a kind is a change to three
places, listed in ``docs/architecture.md``: this module, the builder function,
and the shapes.

:data:`SCHEMA_VERSION` changes whenever a kind, a field or the RDF a kind
produces changes; the incremental cache is keyed by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

SCHEMA_VERSION = "2026-12-07.8"

# --- Entity types --------------------------------------------------------------------

ORG_TYPES = frozenset({
    "IntergovernmentalOrganization", "NationalCustomsAdministration", "Council",
    "Committee", "Commission", "Secretariat", "Department", "Directorate",
    "Representation", "WorkingGroup", "Unit", "RILO", "Network", "Delegation",
    "MeetingSeries",
})
UNIT_TYPES = frozenset({
    "Council", "Committee", "Commission", "Secretariat", "Department",
    "Directorate", "Representation", "WorkingGroup", "Unit", "RILO",
})
EVENT_TYPES = frozenset({"Meeting", "Session", "Phase", "Operation"})
THING_TYPES = frozenset({"Programme", "Project", "InformationPlatform", "Plan", "Agreement", "Document"})
PLACE_TYPES = frozenset({"Country", "City"})
PERSON_TYPES = frozenset({"Person"})
TOPIC_TYPES = frozenset({"Topic"})  # a subject matter (skos:Concept of the topics scheme)
OPERATION_SERIES_TYPES = frozenset({"OperationSeries"})  # numbered editions of an operation
ENTITY_TYPES = (ORG_TYPES | EVENT_TYPES | THING_TYPES | PLACE_TYPES | PERSON_TYPES | TOPIC_TYPES
                | OPERATION_SERIES_TYPES)
AGENT_TYPES = ORG_TYPES | PERSON_TYPES | {"Country"}
SERIES_TYPES = frozenset({"MeetingSeries"}) | OPERATION_SERIES_TYPES

# --- Choices -----------------------------------------------------------------------------

ATTENDANCE = ("online", "offline", "mixed")
EVENT_STATUS = ("took-place", "scheduled", "planned", "announced", "postponed", "cancelled")
PARTICIPATION_STATUS = ("planned", "invited", "announced", "cancelled")  # a role not (yet) played
ELECTION_KINDS = ("election", "re-election", "appointment", "candidacy")
OUTCOME_ACTIONS = ("agreed", "approved", "adopted", "established", "reached", "proposed", "to-be-approved", "appointed")
COUNT_RELATIONS = ("attendee", "member")
FREQUENCIES = ("annual",)
PROGRAMME_STATUS = ("in-force", "planned", "announced", "cancelled")  # in-force: adopted or being implemented
SAYING_VERBS = ("said", "stressed", "noted", "announced", "proposed", "called-for", "reported")
ROLE_HOLDERS = ("one", "several")  # a role's `holders` (facts/vocab/roles.yaml): one at a time, or several


class FieldType(Enum):
    """What a field's value is, and so how the loader reads it."""

    REF = "key"                  # a key declared elsewhere (see Field.refers_to)
    REFS = "keys"                # one key or a list of distinct keys
    OWN_KEY = "own key"          # a key this record mints (a quantity's id)
    TEXT = "text"                # NFC text without invisible or control characters
    DATE = "date"                # YYYY, YYYY-MM or YYYY-MM-DD, kept at that precision
    DATES = "dates"              # one date or a list of dates
    DURATION = "duration"        # an ISO 8601 duration of years and months: P4Y, P2Y6M, P18M
    MEETING_NUMBER = "meeting number"  # a whole number from 1
    COUNT = "count"              # a whole number from 0
    NUMBER = "number"            # a decimal numeral, kept as written
    BOOLEAN = "boolean"          # true or false
    CHOICE = "choice"            # one of Field.choices
    LANGUAGE = "language"        # an ISO 639-1 language tag
    UNIT = "unit"                # a UN/CEFACT unit code
    TYPE_NAME = "type name"      # an entity type (ENTITY_TYPES)
    RECORDS = "records"          # a list of mappings with the fields of Field.record


class Written(Enum):
    """How a kind is written in a statement."""

    CLAIM = "claim"        # `membership: KEY`: a claim of its own, keyed; its fields beside it
    ABOUT = "about"        # `event: KEY`: about a declared entity; its fields beside it
    MAPPING = "mapping"    # `part_of: {unit, parent}`: the fields in one mapping


@dataclass(frozen=True)
class Field:
    """One field of a kind (or of a nested record)."""

    name: str
    type: FieldType
    required: bool = False
    # REF / REFS: the entity types a key may name, or "role", "election", "membership", "any".
    refers_to: frozenset[str] | str = frozenset()
    choices: tuple[str, ...] = ()
    record: tuple[Field, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Kind:
    """One statement kind: how it is written, its fields, and what shows it."""

    name: str
    written: Written
    fields: tuple[Field, ...]
    rdf: str                      # the RDF it produces (the docs table's last column)
    doc: str = ""                 # what the docs table adds about its fields
    subject_types: frozenset[str] = frozenset()   # Written.ABOUT: what the key names
    shapes: tuple[str, ...] = ()  # the ckgsh: shapes that check what it produces
    card: str = ""                # the section of `customs-kg show` that prints it
    card_of: str = ""             # whose card: "" for the statement's own key, else a field's key

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def written_as(self) -> str:
        """The kind as a curator writes it, e.g. ``event: KEY`` or ``part_of: {unit, parent}``."""
        if self.written is Written.MAPPING:
            shown = (f"{f.name}: [keys]" if f.type is FieldType.REFS else f.name for f in self.fields)
            return f"{self.name}: {{{', '.join(shown)}}}"
        return f"{self.name}: KEY"


def _ref(name: str, refers_to: frozenset[str] | str, required: bool = False, doc: str = "") -> Field:
    return Field(name, FieldType.REF, required, refers_to, doc=doc)


def _refs(name: str, refers_to: frozenset[str] | str, required: bool = False, doc: str = "") -> Field:
    return Field(name, FieldType.REFS, required, refers_to, doc=doc)


def _choice(name: str, choices: tuple[str, ...], required: bool = False, doc: str = "") -> Field:
    return Field(name, FieldType.CHOICE, required, choices=choices, doc=doc)


_COUNT_FIELDS = (
    Field("count", FieldType.COUNT, True),
    Field("of", FieldType.TEXT, True, doc="what is counted, in the source's words"),
    Field("counted_type", FieldType.TYPE_NAME, doc="an entity type name"),
    _choice("relation", COUNT_RELATIONS, doc="attendee (default) or member"),
    Field("enumerated", FieldType.BOOLEAN, doc="true when the source also lists them"),
    Field("out_of", FieldType.COUNT, doc="the whole the count is part of: 10 `out_of` 11"),
    Field("as_of", FieldType.DATE, doc="when the count holds, if the source says"),
)

QUANTITY = (
    Field("id", FieldType.OWN_KEY, True), Field("name", FieldType.TEXT, True),
    Field("value", FieldType.NUMBER), Field("min", FieldType.NUMBER), Field("max", FieldType.NUMBER),
    Field("unit", FieldType.UNIT, True),
)
ROLE_IN_EVENT = (_ref("agent", AGENT_TYPES, True), _ref("role", "role", True), _ref("on_behalf_of", AGENT_TYPES),
                 _choice("status", PARTICIPATION_STATUS, doc="planned / invited / announced / cancelled: not played"))
OUTCOME = (_choice("action", OUTCOME_ACTIONS, True), _ref("object", "any", True))

_PLAIN = ("Statement",)  # a plain fact triple is reified and needs its source

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("event", Written.ABOUT, (
        _ref("series", SERIES_TYPES), Field("number", FieldType.MEETING_NUMBER, doc="int > 0"),
        Field("start", FieldType.DATE), Field("end", FieldType.DATE),
        Field("date", FieldType.DATE, doc="= start = end"),
        _ref("place", PLACE_TYPES, doc="City or Country key"),
        _choice("attendance", ATTENDANCE, doc="online / offline / mixed"),
        _choice("status", EVENT_STATUS, doc="took-place / scheduled / planned / announced / postponed / cancelled"),
        _refs("organizer", AGENT_TYPES), _refs("attendees", AGENT_TYPES),
        Field("roles", FieldType.RECORDS, record=ROLE_IN_EVENT),
        _refs("about", "any"),
        _ref("super_event", EVENT_TYPES | SERIES_TYPES, doc="for a Phase: the meeting it is a phase of"),
        _ref("follows", EVENT_TYPES, doc="key of the event it immediately follows"),
        _ref("platform", frozenset({"InformationPlatform"}), doc="the software it ran on"),
        Field("quantities", FieldType.RECORDS, record=QUANTITY),
        Field("stated_counts", FieldType.RECORDS, record=_COUNT_FIELDS),
        Field("outcomes", FieldType.RECORDS, record=OUTCOME),
    ), "see below", subject_types=EVENT_TYPES,
        shapes=("Event", "Association", "Quantity", "StatedCount"), card="Event"),
    Kind("membership", Written.CLAIM, (
        _ref("member", AGENT_TYPES, True, doc="not the organization itself"), _ref("organization", ORG_TYPES, True),
        _ref("role", "role", True), Field("start", FieldType.DATE), Field("end", FieldType.DATE),
        Field("attested", FieldType.DATES), _ref("generated_by", "election", doc="election key"),
        _ref("on_behalf_of", AGENT_TYPES, doc="agent key"),
        Field("term", FieldType.DURATION, doc="a fixed term, e.g. P4Y: the end is derived from it"),
        _ref("successor", "membership", doc="the next holder's membership key: ends when it starts"),
    ), "org:Membership (+ ckg:Tenure if the member is a person); `term`: `time:hasXSDDuration`; "
       "`successor`: `ckg:succeededBy`",
        shapes=("Membership", "Interval", "Instant"), card="Memberships and posts", card_of="member"),
    Kind("election", Written.CLAIM, (
        _choice("kind", ELECTION_KINDS, True, doc="election / re-election / appointment / candidacy"),
        _ref("at", EVENT_TYPES, doc="meeting key"), Field("date", FieldType.DATE),
        _ref("role", "role", True), _ref("organization", ORG_TYPES, True), _ref("candidate", AGENT_TYPES),
        _refs("nominated_by", AGENT_TYPES, doc="who put the candidate forward"),
        _ref("by", ORG_TYPES, doc="the body that elected or appointed"),
    ), "ckg:Election / ckg:ReElection / ckg:Appointment / ckg:CandidacyAgreement; `nominated_by`: "
       "`ckg:nominatedBy`; `by`: `ckg:electedBy` (+ `prov:wasAssociatedWith`)",
        doc="the term goes on the membership", shapes=("Event",), card="Elections", card_of="candidate"),
    Kind("part_of", Written.MAPPING, (_ref("unit", ORG_TYPES, True), _ref("parent", ORG_TYPES, True)),
         "`unit org:subOrganizationOf parent` (+ `org:unitOf` when unit is an org:OrganizationalUnit; + "
         "`org:hasSubOrganization`/`org:hasUnit` inverses)",
         doc="no body is part of itself, and part-of has no cycle (`part-of cycle: a -> b -> a`, reported at the "
             "cycle's first statement)",
         shapes=_PLAIN + ("Organization-subOrganizationOf",), card="Part of (up to the top)", card_of="unit"),
    Kind("reports_to", Written.MAPPING, (_ref("org", ORG_TYPES, True), _ref("to", ORG_TYPES, True)),
         "`org org:reportsTo to`", shapes=_PLAIN, card="Reports to", card_of="org"),
    Kind("supported_by", Written.MAPPING, (_ref("org", ORG_TYPES, True), _ref("by", ORG_TYPES, True)),
         "`org ckg:administrativelySupportedBy by`", shapes=_PLAIN, card="Reports to", card_of="org"),
    Kind("founded", Written.MAPPING, (_ref("org", ORG_TYPES | THING_TYPES, True), Field("date", FieldType.DATE, True)),
         "`org schema:foundingDate date`", shapes=_PLAIN, card="About", card_of="org"),
    Kind("located", Written.MAPPING, (_ref("entity", ORG_TYPES | THING_TYPES, True), _ref("place", PLACE_TYPES, True)),
         "`entity schema:location place`", shapes=_PLAIN, card="Place", card_of="entity"),
    Kind("alias", Written.MAPPING, (_ref("entity", "any", True), Field("text", FieldType.TEXT, True),
                                    Field("lang", FieldType.LANGUAGE, True)),
         "`entity skos:altLabel \"text\"@lang`", shapes=_PLAIN, card="Names", card_of="entity"),
    Kind("run_by", Written.MAPPING, (_ref("thing", THING_TYPES | EVENT_TYPES, True), _refs("by", AGENT_TYPES, True)),
         "events: `schema:organizer`; others: `schema:provider`", shapes=_PLAIN, card="Run by", card_of="thing"),
    Kind("linked_to", Written.MAPPING, (_ref("thing", THING_TYPES, True), _refs("to", "any", True)),
         "`thing ckg:linkedTo to` (programme/platform used by a body)", shapes=_PLAIN, card="Linked to",
         card_of="thing"),
    Kind("recurs", Written.MAPPING, (_ref("series", SERIES_TYPES, True), _choice("frequency", FREQUENCIES, True)),
         "`series schema:eventSchedule id:{series}/schedule`, a `schema:Schedule` with "
         "`schema:repeatFrequency \"P1Y\"^^xsd:duration`",
         doc="`frequency: annual`", shapes=_PLAIN + ("Claim-reachesSource",), card="About", card_of="series"),
    Kind("description", Written.MAPPING, (_ref("entity", "any", True), Field("text", FieldType.TEXT, True)),
         "`entity schema:description \"text\"@lang`", doc="what a source says a body is or is for",
         shapes=_PLAIN, card="About", card_of="entity"),
    Kind("stated_count", Written.MAPPING, (_ref("entity", "any", True),) + _COUNT_FIELDS,
         "a ckg:StatedCount node (`ckg:countedRelation` schema:attendee or org:hasMember)",
         doc="`relation` is `attendee` (default) or `member`; `counted_type` an entity type name; "
             "`enumerated: true` when the source also lists them",
         shapes=("StatedCount",), card="About", card_of="entity"),
    Kind("programme", Written.ABOUT, (
        Field("start", FieldType.DATE), Field("end", FieldType.DATE),
        _choice("status", PROGRAMME_STATUS, doc="in-force / planned / announced / cancelled"),
        _refs("implemented_by", AGENT_TYPES), _refs("adopted_by", AGENT_TYPES), Field("adopted", FieldType.DATE),
        _refs("about", "any"),
    ), "the period: `ckg:period` a `time:Interval`; `body ckg:implements programme`; `programme ckg:adoptedBy "
       "body`; `ckg:adoptionDate`; `schema:about`; planned / announced / cancelled: `ckg:modality`",
        subject_types=frozenset({"Programme", "Project", "Plan", "Agreement", "Document"}),
        doc="a programme, strategy or plan with its own period; what implements it is attested at the "
            "source's date", shapes=("Interval", "Instant"), card="Programmes and plans"),
    Kind("series_of", Written.MAPPING, (_ref("series", SERIES_TYPES, True), _ref("body", ORG_TYPES, True)),
         "`series ckg:seriesOf body` (+ `schema:organizer`)",
         doc="the meetings (or operations) of a body: its chairs are the chairs of its meetings",
         shapes=_PLAIN, card="About", card_of="series"),
    Kind("handover", Written.CLAIM, (
        _ref("outgoing", "membership", True), _ref("incoming", "membership", True),
        Field("date", FieldType.DATE), _ref("place", PLACE_TYPES),
    ), "ckg:Handover (a `schema:Event`) with `ckg:outgoingTenure`, `ckg:incomingTenure`; outgoing "
       "`ckg:succeededBy` incoming",
        doc="a post handed from one holder to the next (membership keys)", shapes=("Event", "Handover"),
        card="Handovers"),
    Kind("said", Written.CLAIM, (
        _ref("speaker", AGENT_TYPES, True), _choice("verb", SAYING_VERBS, True), Field("text", FieldType.TEXT, True),
        _ref("at", EVENT_TYPES, doc="the occasion"), _refs("about", "any"),
    ), "ckg:AttributedStatement (a `schema:Quotation`): `schema:creator` / `prov:wasAttributedTo` the speaker, "
       "`schema:text`, `schema:recordedAt` the occasion; not asserted as a fact",
        doc="what a person or body said, kept as theirs", shapes=("AttributedStatement",), card="Said"),
)}


def _field_doc(f: Field) -> str:
    if f.type is FieldType.RECORDS:
        inner = ", ".join(g.name + ("" if g.required else "?") for g in f.record)
        return f"`{f.name}: [{{{inner}}}]`"
    lists = {FieldType.REFS: "keys", FieldType.DATES: "dates"}
    shown = f"`{f.name}: [{lists[f.type]}]`" if f.type in lists else f"`{f.name}`"
    return shown + (f" ({f.doc})" if f.doc else "")


def docs_table() -> str:
    """The table of kinds in ``docs/data-model.md`` (between its ``kinds`` markers)."""
    rows = ["| kind | fields | RDF |", "|---|---|---|"]
    for k in KINDS.values():
        if k.written is Written.MAPPING:
            fields = k.doc
        else:
            fields = ", ".join(_field_doc(f) for f in k.fields) + (f"; {k.doc}" if k.doc else "")
        rows.append(f"| `{k.written_as}` | {fields} | {k.rdf} |")
    return "\n".join(rows) + "\n"
