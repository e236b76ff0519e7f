"""Three-valued point-in-time semantics of memberships and tenures (docs/time.md).

Each rule is tried at every precision of the query date (day, month, year)
and of the recorded dates, then on the bundled graph with the questions a
user asks: who chaired the Global RILO Meetings on a date, was Oleg Bakanov
Vice-Chair of the WCO Enforcement Committee yet, were the national contact
points of RILO CIS members then.
"""

from __future__ import annotations

from itertools import product

import pytest
from rdflib import Graph, Literal

from graph_builder.answering.temporal import Truth, holds, memberships_as_of, read_memberships
from graph_builder.errors import InputError
from graph_builder.loading.dates import PartialDate, parse_date
from graph_builder.namespaces import ID, ORG, RDF, TIME, XSD

HELD, NOT_HELD, UNKNOWN = Truth.HELD, Truth.NOT_HELD, Truth.UNKNOWN


def d(text: str | None) -> PartialDate | None:
    return parse_date(text) if text is not None else None


# (begin, end, attested, at, expected truth, a fragment of the reason)
RULES = [
    # -- A recorded beginning is an event somewhere inside its period ------------------------
    # begin of month precision, asked on a day, a month and a year
    ("2021-03", None, [], "2021-02-28", NOT_HELD, "began 2021-03, after 2021-02-28"),
    ("2021-03", None, [], "2021-03-01", UNKNOWN, "cannot tell whether it had begun by 2021-03-01"),
    ("2021-03", None, [], "2021-03-15", UNKNOWN, "began 2021-03; cannot tell whether it had begun by 2021-03-15"),
    ("2021-03", None, [], "2021-03-31", HELD, "no end recorded"),
    ("2021-03", None, [], "2021-04-01", HELD, "began 2021-03; no end recorded"),
    ("2021-03", None, [], "2021-02", NOT_HELD, "after 2021-02"),
    ("2021-03", None, [], "2021-03", HELD, "no end recorded"),
    ("2021-03", None, [], "2020", NOT_HELD, "after 2020"),
    ("2021-03", None, [], "2021", HELD, "no end recorded"),
    # begin of day precision
    ("2021-03-10", None, [], "2021-03-09", NOT_HELD, "after 2021-03-09"),
    ("2021-03-10", None, [], "2021-03-10", HELD, "no end recorded"),
    ("2021-03-10", None, [], "2021-03", HELD, "no end recorded"),
    # begin of year precision: inside the year we cannot tell, except at its very end
    ("2021", None, [], "2020-12-31", NOT_HELD, "after 2020-12-31"),
    ("2021", None, [], "2021-06-01", UNKNOWN, "cannot tell whether it had begun by 2021-06-01"),
    ("2021", None, [], "2021-11", UNKNOWN, "cannot tell whether it had begun by the end of 2021-11"),
    ("2021", None, [], "2021-12", HELD, "no end recorded"),
    ("2021", None, [], "2021-12-31", HELD, "no end recorded"),
    ("2021", None, [], "2021", HELD, "no end recorded"),
    # -- No end recorded: ongoing once begun -------------------------------------------------
    ("2021-03", None, [], "2030-01-01", HELD, "taken as ongoing"),
    # -- A recorded end runs through its period ----------------------------------------------
    ("2021", "2022", [], "2022-06-01", HELD, "began 2021 and ran through 2022"),
    ("2021", "2022", [], "2022-12-31", HELD, "ran through 2022"),
    ("2021", "2022", [], "2022-12", HELD, "ran through 2022"),
    ("2021", "2022", [], "2022", HELD, "ran through 2022"),
    ("2021", "2022", [], "2023-01-01", NOT_HELD, "ended 2022, before 2023-01-01"),
    ("2021", "2022", [], "2023-01", NOT_HELD, "ended 2022"),
    ("2021", "2022", [], "2023", NOT_HELD, "ended 2022, before 2023"),
    ("2021", "2022", [], "2021-06-01", UNKNOWN, "began 2021; cannot tell"),
    ("2021", "2022", [], "2020", NOT_HELD, "began 2021, after 2020"),
    ("2020-01-15", "2021-03", [], "2021-03-31", HELD, "ran through 2021-03"),
    ("2020-01-15", "2021-03", [], "2021-04-01", NOT_HELD, "ended 2021-03"),
    ("2020-01-15", "2021-03-10", [], "2021-03-10", HELD, "ran through 2021-03-10"),
    ("2020-01-15", "2021-03-10", [], "2021-03-11", NOT_HELD, "ended 2021-03-10, before 2021-03-11"),
    ("2020-01-15", "2021-03-10", [], "2021-03", HELD, "ran through 2021-03-10"),
    # -- No beginning recorded: cannot tell when it started ----------------------------------
    (None, "2022", [], "2022-06-01", UNKNOWN, "no beginning recorded (ended 2022)"),
    (None, "2022", [], "2015", UNKNOWN, "no beginning recorded"),
    (None, "2022", [], "2023-01-01", NOT_HELD, "ended 2022, before 2023-01-01"),
    (None, "2022", ["2021-05"], "2021", HELD, "attested 2021-05"),
    (None, "2022", ["2021-05"], "2021-05-10", UNKNOWN, "no beginning recorded"),
    # -- Attested only -------------------------------------------------------------------------
    (None, None, ["2021-02-12"], "2021-02-12", HELD, "attested 2021-02-12; no term recorded"),
    (None, None, ["2021-02-12"], "2021-02", HELD, "attested 2021-02-12"),
    (None, None, ["2021-02-12"], "2021", HELD, "attested 2021-02-12"),
    (None, None, ["2021-02-12"], "2021-02-13", UNKNOWN, "attested 2021-02-12 only"),
    (None, None, ["2021-02-12"], "2020-01-01", UNKNOWN, "attested 2021-02-12 only"),
    (None, None, ["2021-01"], "2021-01-19", UNKNOWN, "attested in 2021-01; cannot tell whether on 2021-01-19"),
    (None, None, ["2021-01"], "2021-01", HELD, "attested 2021-01"),
    (None, None, ["2021-01"], "2021", HELD, "attested 2021-01"),
    (None, None, ["2021"], "2021-01", UNKNOWN, "attested in 2021; cannot tell whether in 2021-01"),
    (None, None, ["2021-01", "2023-01"], "2022", UNKNOWN, "attested 2021-01, 2023-01 only"),
    (None, None, ["2021-01", "2023-01"], "2023", HELD, "attested 2023-01"),
    # -- Both a term and attestations ----------------------------------------------------------
    # an attestation decides where the beginning cannot ...
    ("2021-03", None, ["2021-03-20"], "2021-03-20", HELD, "attested 2021-03-20"),
    ("2021", "2022", ["2021-02"], "2021-02", HELD, "attested 2021-02"),
    # ... but not for a day inside its month ...
    ("2021-03", None, ["2021-03"], "2021-03-15", UNKNOWN, "began 2021-03; cannot tell"),
    ("2021", "2022", ["2021-02"], "2021-02-10", UNKNOWN, "began 2021; cannot tell"),
    # ... it never makes "not held" ...
    ("2021", "2022", ["2021-02"], "2023", NOT_HELD, "ended 2022, before 2023"),
    # ... and a source that saw it after its recorded end wins, saying that the sources disagree.
    ("2021", "2022", ["2023-01"], "2023-01", HELD, "the sources disagree"),
    # where the term already says held, its reason stands
    ("2021", "2022", ["2022-02"], "2022-02", HELD, "ran through 2022"),
    # -- Neither dates nor attestations --------------------------------------------------------
    (None, None, [], "2021-03-15", UNKNOWN, "no dates recorded"),
    (None, None, [], "2021-03", UNKNOWN, "no dates recorded"),
    (None, None, [], "2021", UNKNOWN, "no dates recorded"),
]


@pytest.mark.parametrize("begin,end,attested,at,truth,reason", RULES,
                         ids=[f"{b}..{e}+{'/'.join(a) or '-'}@{at}" for b, e, a, at, _, _ in RULES])
def test_rule(begin, end, attested, at, truth, reason):
    got, why = holds(d(begin), d(end), [parse_date(a) for a in attested], parse_date(at))
    assert (got, reason in why) == (truth, True), why


def test_truth_reads_as_the_query_status_column():
    assert [str(t) for t in Truth] == ["held", "not held", "cannot tell"]


# -- Properties over a grid ------------------------------------------------------------------------

GRID_DATES = [None, "2020", "2021", "2021-02", "2021-02-28", "2021-03-15", "2022", "2022-12-31"]
GRID_ATTESTED = [[], ["2021-02"], ["2021-02-12"], ["2021"]]
GRID_AT = ["2020", "2021", "2021-02", "2021-02-12", "2021-02-28", "2021-03", "2021-03-15", "2022-12", "2023-01-01"]


def _grid():
    for begin, end, attested in product(GRID_DATES, GRID_DATES, GRID_ATTESTED):
        if begin and end and parse_date(end).last_day() < parse_date(begin).first_day():
            continue
        yield d(begin), d(end), [parse_date(a) for a in attested]


def _periods_containing(at: PartialDate) -> list[PartialDate]:
    out = [PartialDate(at.year)]
    if at.month is not None:
        out.append(PartialDate(at.year, at.month))
    return out


def test_held_on_a_day_is_held_in_its_month_and_year_and_not_held_in_a_year_is_not_held_on_its_days():
    for begin, end, attested in _grid():
        for at in map(parse_date, GRID_AT):
            truth, _ = holds(begin, end, attested, at)
            for period in _periods_containing(at):
                wider, _ = holds(begin, end, attested, period)
                if truth is HELD:
                    assert wider is HELD, (begin, end, attested, at, period)
                if wider is NOT_HELD:
                    assert truth is NOT_HELD, (begin, end, attested, at, period)


def test_attestations_never_make_not_held_and_never_undo_held():
    for begin, end, attested in _grid():
        for at in map(parse_date, GRID_AT):
            without, _ = holds(begin, end, [], at)
            with_them, _ = holds(begin, end, attested, at)
            assert with_them is not NOT_HELD or without is NOT_HELD
            assert without is not HELD or with_them is HELD


# -- The bundled graph ------------------------------------------------------------------------------

def state(graph: Graph, key: str, at: str):
    found = [s for s in memberships_as_of(graph, parse_date(at)) if s.membership.key == key]
    assert len(found) == 1, key
    return found[0]


RILO_CIS_CHAIR = "rilo-cis-chair-global-rilo-meetings-2021-2022"
BAKANOV_VICE_CHAIR = "oleg-bakanov-vice-chair-wco-ec"
NATIONAL_CONTACT_POINTS = [f"customs-{c}-national-contact-point-rilo-cis" for c in
                           ("am", "az", "by", "kg", "kz", "tj", "uz")] + ["fcs-russia-national-contact-point-rilo-cis"]


def chairs_of_global_rilo_meetings(graph: Graph, at: str) -> dict[str, Truth]:
    return {str(s.membership.member).removeprefix(str(ID)): s.truth
            for s in memberships_as_of(graph, parse_date(at))
            if s.membership.organization == ID["global-rilo-meetings"] and s.membership.role == ID["role/chair"]}


@pytest.mark.parametrize("at,truth", [
    # 000: "In 2020 RILO CIS was elected Chairman of the Global RILO Meetings for the period 2021-2022"
    ("2022-06-01", HELD),
    ("2022", HELD),
    ("2023", NOT_HELD),
    ("2023-01-24", NOT_HELD),   # the 30th meeting (001), which names no chair
    ("2021-06-01", UNKNOWN),   # the term began some time in 2021
    ("2020", NOT_HELD),        # elected in 2020, for 2021-2022
])
def test_who_chaired_the_global_rilo_meetings(built_graph, at, truth):
    assert chairs_of_global_rilo_meetings(built_graph, at) == {"rilo-cis": truth}


@pytest.mark.parametrize("at,truth,reason", [
    # 003: "In March 2021 ... 41st session of the WCO Enforcement Committee"; he was elected
    # Vice-Chair there; no end of the term is stated.
    ("2021-03-15", UNKNOWN, "began 2021-03; cannot tell whether it had begun by 2021-03-15"),
    ("2021-06-01", HELD, "began 2021-03; no end recorded, so taken as ongoing"),
    ("2021-03", HELD, "began 2021-03; no end recorded, so taken as ongoing"),
    ("2021-02-28", NOT_HELD, "began 2021-03, after 2021-02-28"),
])
def test_bakanov_vice_chair_of_the_wco_enforcement_committee(built_graph, at, truth, reason):
    s = state(built_graph, BAKANOV_VICE_CHAIR, at)
    assert (s.truth, s.reason) == (truth, reason)
    assert s.membership.begin == parse_date("2021-03") and s.membership.end is None


@pytest.mark.parametrize("at,truth", [
    # 000 (published 2021-02-12) lists them in the present tense: attested on that day.
    ("2021-02-12", HELD),
    ("2021-02", HELD),
    ("2021", HELD),
    ("2021-02-13", UNKNOWN),
    ("2020-01-01", UNKNOWN),
])
def test_rilo_cis_national_contact_points(built_graph, at, truth):
    states = {s.membership.key: s.truth for s in memberships_as_of(built_graph, parse_date(at))}
    assert {k: states[k] for k in NATIONAL_CONTACT_POINTS} == {k: truth for k in NATIONAL_CONTACT_POINTS}


@pytest.mark.parametrize("at", ["2021-03-15", "2023", "1990-01"])
def test_gubaidulin_chair_of_chleu_has_no_dates(built_graph, at):
    # 004: "Oleg Gubaidulin was re-elected as the Chairman of CHLEU." (no date in the article)
    s = state(built_graph, "oleg-gubaidulin-chair-chleu", at)
    assert (s.truth, s.reason) == (UNKNOWN, "no dates recorded")


def test_memberships_as_of_reads_every_membership_with_its_parts(built_graph):
    states = memberships_as_of(built_graph, parse_date("2021-03"))
    assert len(states) == len(set(built_graph.subjects(RDF.type, ORG.Membership))) == 23
    assert [s.membership.key for s in states] == sorted(s.membership.key for s in states)
    chair = next(s.membership for s in states if s.membership.key == RILO_CIS_CHAIR)
    assert (chair.member, chair.organization, chair.role) == (ID["rilo-cis"], ID["global-rilo-meetings"],
                                                              ID["role/chair"])
    assert (chair.begins, chair.ends, chair.attested) == ((PartialDate(2021),), (PartialDate(2022),), ())
    trevino = next(s.membership for s in states if s.membership.key == "ricardo-trevino-wco-deputy-secretary-general")
    assert (trevino.begin, trevino.end, trevino.attested) == (None, None, (PartialDate(2021, 1),))
    assert trevino.label == "Ricardo Treviño: Deputy Secretary General, World Customs Organization"


# -- Graphs the bundled facts do not provide ----------------------------------------------------------

def _membership(g: Graph, key: str, begins: list[str], ends: list[str]) -> None:
    m = ID[key]
    g.add((m, RDF.type, ORG.Membership))
    g.add((m, ORG.member, ID["someone"]))
    g.add((m, ORG.organization, ID["body"]))
    g.add((m, ORG.role, ID["role/chair"]))
    interval = ID[key + "/interval"]
    g.add((m, ORG.memberDuring, interval))
    for part, texts, prop in (("begin", begins, TIME.hasBeginning), ("end", ends, TIME.hasEnd)):
        for text in texts:
            instant = ID[f"{key}/interval/{part}"]
            g.add((interval, prop, instant))
            p = parse_date(text)
            pred = {"day": TIME.inXSDDate, "month": TIME.inXSDgYearMonth, "year": TIME.inXSDgYear}[p.precision]
            g.add((instant, pred, Literal(text, datatype=XSD[p.xsd])))


def test_sources_giving_different_beginnings_answer_only_where_they_agree():
    g = Graph()
    _membership(g, "m", ["2019", "2021"], ["2022"])
    assert state(g, "m", "2022-06-01").truth is HELD          # begun either way
    assert state(g, "m", "2023").truth is NOT_HELD             # over either way
    s = state(g, "m", "2020-06-01")                             # begun by one source, not by the other
    assert (s.truth, s.reason) == (UNKNOWN, "the sources give different dates (began 2019 or 2021, ended 2022)")


def test_a_date_that_is_not_a_date_is_refused_with_the_membership_named():
    g = Graph()
    _membership(g, "m", [], [])
    instant = ID["m/interval/begin"]
    g.add((ID["m/interval"], TIME.hasBeginning, instant))
    g.add((instant, TIME.inXSDDate, Literal("15.03.2021")))
    with pytest.raises(InputError, match=r"id/m: beginning: '15.03.2021' is ambiguous"):
        read_memberships(g)


# -- The docs ---------------------------------------------------------------------------------------------

def _docs_examples() -> list[tuple[str, str, str, str, str]]:
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "time.md").read_text(encoding="utf-8")
    section = text.split("## Examples", 1)[1].split("\n\n", 2)[1]
    rows = []
    for line in section.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append((cells[0], cells[1], cells[2], cells[3], cells[4]))
    return rows


DOCS_EXAMPLES = _docs_examples()


@pytest.mark.parametrize("term,attested,at,answer,reason", DOCS_EXAMPLES)
def test_the_examples_in_docs_time_md_are_what_holds_says(term, attested, at, answer, reason):
    begin, _, end = (part.strip() for part in term.partition("–")) if term else ("", "", "")
    dates = ["2021-03-15", "2021", "1999-01"] if at == "any" else [at.split(" ")[0]]
    for date in dates:
        truth, why = holds(d(begin or None), d(end or None), [parse_date(attested)] if attested else [],
                           parse_date(date))
        assert (str(truth), why) == (answer, reason)


def test_the_docs_have_examples():
    assert len(DOCS_EXAMPLES) >= 20
