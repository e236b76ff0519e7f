"""New kinds of facts, on invented articles (fictional bodies, places and people) added to a copy of facts/.

Each expected answer below is read from the article's text, quoted beside it.
``tests/articles/inland-waters``: a meeting held within a chair's term that does not say who chaired it, a
meeting whose chair it does state, an observer, and a post handed over on one day.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from conftest import BUNDLED_FACTS, ROOT, run_cli

ARTICLES = ROOT / "tests" / "articles"
SOURCE = "inland-waters-2025-06-04-6th-meeting"


def with_article(tmp_path_factory, article: str) -> Path:
    """A copy of the bundled facts with an invented article added (a change to facts/ only)."""
    folder = tmp_path_factory.mktemp(article) / "facts"
    shutil.copytree(BUNDLED_FACTS, folder)
    for part in ("sources", "texts", "entities"):
        for path in (ARTICLES / article / part).iterdir():
            shutil.copy2(path, folder / part / path.name)
    return folder


@pytest.fixture(scope="module")
def facts(tmp_path_factory) -> Path:
    return with_article(tmp_path_factory, "inland-waters")


def rows(facts: Path, name: str, **params: str) -> list[dict[str, str]]:
    args = ["query", name, "--facts", str(facts), "-f", "csv", "--keys"]
    for key, value in params.items():
        args += ["-p", f"{key}={value}"]
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    return list(csv.DictReader(io.StringIO(proc.stdout)))


def test_the_article_builds_valid(facts, tmp_path):
    proc = run_cli("build", str(facts), "-o", str(tmp_path / "out"), "--no-reason")
    assert proc.returncode == 0, proc.stderr
    assert "SHACL violations                            0" in proc.stdout


# "The Northern Lakes Customs Service has chaired the Council since 2024." "The 5th Meeting of the Council, held on
# 5 June 2024, was chaired by the Northern Lakes Customs Service." The 6th meeting (3 June 2025) names no chair.

def test_a_meeting_within_a_chair_term_is_not_counted_as_chaired_by_it(facts):
    by_chair = {r["chair"]: r for r in rows(facts, "meetings-per-chairing-organization")}
    assert (by_chair["northern-lakes-customs"]["meetings"], by_chair["northern-lakes-customs"]["withinTerm"]) == \
        ("1", "1")


def test_chair_of_series_in_year_marks_the_meeting_chair_as_stated_or_derived(facts):
    in_2025 = rows(facts, "chair-of-series-in-year", body="inland-waters-council-meetings", year="2025")
    assert [(r["chair"], r["meeting"], r["meetingChair"]) for r in in_2025] == [
        ("northern-lakes-customs", "inland-waters-council-meeting-5", "stated"),
        ("northern-lakes-customs", "inland-waters-council-meeting-6", "derived: within the chair's term"),
    ]


# "On 3 June 2025 Mr. Ivo Rendel handed over the post of Secretary of the Council to Ms. Tala Moss, who took office
# the same day." "Mr. Rendel had been Secretary of the Council since 2021."

def test_a_same_day_handover_is_not_an_overlap(facts):
    import json

    assert rows(facts, "overlapping-tenures", body="inland-waters-council") == []
    proc = run_cli("check", str(facts), "-f", "json")
    findings = json.loads(proc.stdout)
    secretary = [f for f in findings if "tala-moss-secretary-inland-waters-council" in f["entities"]]
    assert secretary and {f["check"] for f in secretary} == {"single-source"}, secretary


@pytest.mark.parametrize("date, expected", [
    ("2025-06-02", [("ivo-rendel", "held")]),
    ("2025-06-03", [("ivo-rendel", "handed over"), ("tala-moss", "held")]),
    ("2025-06-04", [("tala-moss", "held")]),
])
def test_the_post_has_one_holder_on_each_day(facts, date, expected):
    found = rows(facts, "post-holder-on-date", body="inland-waters-council", date=date)
    assert [(r["holder"], r["status"]) for r in found] == expected


def test_the_timeline_lists_the_predecessor_before_the_successor(facts):
    proc = run_cli("timeline", "inland-waters-council", "--facts", str(facts))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.index("Ivo Rendel: Secretary") < proc.stdout.index("Tala Moss: Secretary")


# "The customs services of Eastmarsh and Westfen took part in the 6th Meeting, and the River Police Agency attended
# as an observer."

def test_an_observer_is_shown_as_such_with_its_own_sentence(facts):
    proc = run_cli("show", "inland-waters-council-meeting-6", "--facts", str(facts), "--quotes")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    at = lines.index("  Observer: River Police Agency")
    assert lines[at + 2].strip() == ("“The customs services of Eastmarsh and Westfen took part in the 6th Meeting, "
                                     "and the River Police Agency attended as an observer.”")
    assert not lines[at + 3].strip().startswith("“")
    assert "chair not recorded" in run_cli("timeline", "inland-waters-council", "--facts", str(facts)).stdout


# "The Council's 7th Meeting will be held in Lakeport on 14 October 2025." "In 2025 the Northern Lakes Customs
# Service ran the special operation «Silver Current», in which over 40 kg of narcotics were seized." "The customs
# services of Eastmarsh and Westfen are to join the operation next year." "A second operation, «Silver Current II»,
# is planned for 2026."

def test_a_scheduled_meeting_is_shown_and_listed_as_scheduled(facts):
    meetings = {r["meeting"]: r["status"] for r in rows(facts, "series-meetings",
                                                        series="inland-waters-council-meetings")}
    assert meetings == {"inland-waters-council-meeting-5": "", "inland-waters-council-meeting-6": "",
                        "inland-waters-council-meeting-7": "scheduled"}
    card = run_cli("show", "inland-waters-council-meeting-7", "--facts", str(facts)).stdout
    assert "status: scheduled (not stated as having taken place)" in card
    timeline = run_cli("timeline", "inland-waters-council", "--facts", str(facts)).stdout
    assert "7th Meeting of the Inland Waters Customs Council (2025-10-14; Lakeport; chair not recorded; scheduled)" \
        in timeline


def test_a_planned_operation_is_not_listed_as_done(facts):
    status = {r["thing"]: r["status"] for r in rows(facts, "operations-and-seizures")}
    assert status["operation-silver-current"] == ""
    assert status["operation-silver-current-2"] == "planned"


def test_parties_only_to_join_an_operation_are_planned_not_participants(facts):
    card = run_cli("show", "operation-silver-current", "--facts", str(facts)).stdout
    planned = card[card.index("Planned roles (not stated as played)"):]
    assert "Participant (planned): Customs Service of Eastmarsh" in planned
    assert "Participant (planned): Customs Service of Westfen" in planned
    assert "\nParticipants\n" not in card and "\nRoles\n" not in card
    eastmarsh = run_cli("show", "eastmarsh-customs", "--facts", str(facts)).stdout
    planned_part = eastmarsh[eastmarsh.index("Planned roles (not stated as played)"):eastmarsh.index("Attended")]
    assert "Participant (planned) of Operation Silver Current (2025)" in planned_part
    assert "Silver Current" not in eastmarsh[eastmarsh.index("Attended"):]


def test_another_store_sees_the_modality_in_standard_terms(facts, tmp_path):
    """Oxigraph, no inference: the scheduled meeting has schema:eventStatus schema:EventScheduled, and a planned
    participant is no prov:qualifiedAssociation or schema:attendee of the operation."""
    import pyoxigraph

    proc = run_cli("build", str(facts), "-o", str(tmp_path / "out"), "--no-reason")
    assert proc.returncode == 0, proc.stderr
    store = pyoxigraph.Store()
    store.load(path=str(tmp_path / "out" / "customs-kg.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    ask = """PREFIX schema: <http://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#>
             PREFIX id: <https://w3id.org/customs-kg/id/>
             ASK { id:inland-waters-council-meeting-7 schema:eventStatus schema:EventScheduled .
                   id:operation-silver-current-2 schema:eventStatus schema:EventScheduled .
                   FILTER NOT EXISTS { id:operation-silver-current schema:attendee|prov:wasAssociatedWith
                                       id:eastmarsh-customs } }"""
    assert store.query(ask)


# tests/articles/harbour-network: "The 12th Meeting of the Harbour Customs Network was held in two phases. A written
# phase ran from 1 to 10 February 2021, and online sessions followed on 15-16 February 2021. The 11th Meeting of the
# Network was held online on 3 March 2020."

@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> Path:
    return with_article(tmp_path_factory, "harbour-network")


def test_a_meeting_held_in_phases_is_counted_once(harbour):
    found = [(r["meeting"], r["attendance"], r["start"], r["end"])
             for r in rows(harbour, "online-meetings-between", **{"from": "2020", "to": "2021"})
             if r["meeting"].startswith("harbour")]
    assert found == [("harbour-network-meeting-11", "online", "2020-03-03", "2020-03-03"),
                     ("harbour-network-meeting-12", "online phase", "2021-02-01", "2021-02-16")]
    assert [r["meeting"] for r in rows(harbour, "series-meetings", series="harbour-network-meetings")] == [
        "harbour-network-meeting-11", "harbour-network-meeting-12"]


def test_the_meeting_card_lists_its_phases_in_order_with_their_modes(harbour):
    card = run_cli("show", "harbour-network-meeting-12", "--facts", str(harbour)).stdout
    phases = card[card.index("\nPhases\n"):]
    written = phases.index("Written phase of the 12th Meeting of the Harbour Customs Network (2021-02-01 – 2021-02-10)")
    online = phases.index("Online sessions of the 12th Meeting of the Harbour Customs Network "
                          "(2021-02-15 – 2021-02-16; online)")
    assert written < online


# "The Gulf Wire news agency reports, citing the Harbour Customs Network, the following."

def test_an_article_reporting_for_another_body_records_whom_it_cites(harbour, tmp_path):
    card = run_cli("show", "harbour-network-meeting-12", "--facts", str(harbour)).stdout
    assert ("source: Harbour Customs Network holds its 12th meeting in two phases (2021-02-20) "
            "[harbour-network-2021-02-20-12th-meeting], citing Harbour Customs Network") in card
    proc = run_cli("build", str(harbour), "-o", str(tmp_path / "out"), "--no-reason")
    assert proc.returncode == 0, proc.stderr
    import pyoxigraph

    store = pyoxigraph.Store()
    store.load(path=str(tmp_path / "out" / "customs-kg.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    assert store.query("""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX id: <https://w3id.org/customs-kg/id/>
        ASK { id:harbour-network-2021-02-20-12th-meeting prov:wasInfluencedBy id:harbour-customs-network }""")
