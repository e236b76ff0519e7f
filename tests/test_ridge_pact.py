"""New kinds of facts on two invented articles (tests/articles/ridge-pact: fictional bodies, people and topics).

Each expected answer is read from the articles' text, quoted beside the test. The articles are added to a copy
of the bundled facts: a change to facts/ only.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph
import pytest

from conftest import BUNDLED_FACTS, query_rows, run_cli, with_articles


@pytest.fixture(scope="module")
def facts(tmp_path_factory) -> Path:
    return with_articles(tmp_path_factory.mktemp("ridge-pact") / "facts", BUNDLED_FACTS, ["ridge-pact"])


@pytest.fixture(scope="module")
def trig(facts, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ridge-pact-out")
    proc = run_cli("build", str(facts), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "SHACL violations                            0" in proc.stdout, proc.stdout
    assert "OWL consistency (HermiT)                    consistent" in proc.stdout, proc.stdout
    return out / "customs-kg.trig"


rows = query_rows


def show(facts: Path, *args: str) -> str:
    proc = run_cli("show", *args, "--facts", str(facts))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_articles_build_valid_and_consistent(trig):
    assert trig.exists()


# "The Council adopted the Ridge Pact Enforcement Programme for 2024-2027, which the Council's Secretariat is
# currently implementing." (20 November 2024) "A customs strategy on e-commerce is planned for 2026."

def test_programmes_of_a_body_with_their_period_attestation_and_status(facts):
    got = {(r["body"], r["relation"], r["programme"]): r for r in rows(facts, "programmes-of-body")}
    implements = got[("ridge-pact-secretariat", "implements", "ridge-enforcement-programme")]
    assert (implements["periodStart"], implements["periodEnd"], implements["attested"], implements["status"]) == \
        ("2024", "2027", "2024-11-20", "stated")
    adopted = got[("ridge-pact-council", "adopted", "ridge-enforcement-programme")]
    assert adopted["basis"] == "stated"
    strategy = got[("ridge-pact-council", "runs", "ridge-ecommerce-strategy")]
    assert (strategy["status"], strategy["basis"]) == ("planned", "inferred")
    card = show(facts, "ridge-ecommerce-strategy")
    assert "status: planned (not stated as in force)" in card


# "The session discussed new psychoactive substances and cross-border e-commerce."

def test_meetings_and_plans_by_topic(facts):
    found = [(r["thing"], r["kind"], r["status"]) for r in rows(facts, "about-topic", topic="e-commerce")]
    assert found == [("ridge-ecommerce-strategy", "programme or plan", "planned"),
                     ("ridge-pact-session-14", "meeting", "stated")]
    assert [r["thing"] for r in rows(facts, "about-topic", topic="new-psychoactive-substances")] == \
        ["ridge-pact-session-14"]
    card = show(facts, "new-psychoactive-substances")
    assert "NPS  (en, also)" in card and "Discussed at" in card


# "has been chaired by the Customs Service of Northvale since 2023." The 14th Session (18-19 November 2024) names
# no chair; "The 15th Session of the Council will be held online on the RidgeLink platform in May 2025."

def test_a_session_in_the_chair_term_is_derived_not_stated_and_a_scheduled_one_not_at_all(facts):
    by_chair = {r["chair"]: r for r in rows(facts, "meetings-per-chairing-organization")}
    assert (by_chair["northvale-customs"]["meetings"], by_chair["northvale-customs"]["withinTerm"]) == ("0", "1")
    succession = [(r["kind"], r["chair"], r["meeting"], r["basis"])
                  for r in rows(facts, "chair-succession", body="ridge-pact-council")]
    assert succession == [("tenure", "northvale-customs", "", "stated"),
                          ("meeting", "northvale-customs", "ridge-pact-session-14", "derived: within the chair's term")]
    card = show(facts, "ridge-pact-session-14")
    assert "Derived roles (not stated)\n  Chair: Customs Service of Northvale [derived: within the chair's term]" in card
    session_15 = show(facts, "ridge-pact-session-15")
    assert "status: scheduled" in session_15 and "platform: RidgeLink" in session_15
    assert "Derived roles" not in session_15


# "the Council elected Ms. Mira Stenholt, nominated by the Customs Service of Westridge, as Secretary General of the
# Council for a term of four years; she will take office on 6 January 2025. She will succeed Mr. Aldo Ferrin, who
# has been Secretary General since 2017."

def test_an_election_effective_later_with_a_fixed_term_and_a_successor(facts):
    stenholt = show(facts, "mira-stenholt")
    assert ("Secretary General, Ridge Pact Customs Council (2025-01-06 – ?; elected at 14th Session of the Ridge "
            "Pact Customs Council; term of 4 years; until 2029-01-06 (derived: end of the fixed term, not stated); "
            "succeeded Aldo Ferrin)") in stenholt
    assert "nominated by Customs Service of Westridge; elected by Ridge Pact Customs Council" in stenholt
    ferrin = show(facts, "aldo-ferrin")
    assert ("Secretary General, Ridge Pact Customs Council (2017 – ?; until 2025-01-06 (derived: when the successor "
            "took office, not stated); succeeded by Mira Stenholt)") in ferrin


# "On 6 January Mr. Aldo Ferrin handed over the post of Secretary General of the Ridge Pact Customs Council to
# Ms. Mira Stenholt in Highmoor." (14 March 2025: the year is the curator's inference.)

def test_a_handover_dated_by_inference_is_marked_so(facts):
    card = show(facts, "ridge-pact-secretary-general-handover-2025")
    assert ("Secretary General, Ridge Pact Customs Council: Aldo Ferrin handed over to Mira Stenholt "
            "(2025-01-06; Highmoor) [inferred: the article, of 14 March 2025, gives the day without a year") in card
    proc = run_cli("show", "aldo-ferrin", "--facts", str(facts), "-f", "csv")
    handovers = [r for r in csv.DictReader(io.StringIO(proc.stdout)) if r["section"] == "Handovers"]
    assert [r["basis"][:8] for r in handovers] == ["inferred"]
    memberships = [r for r in csv.DictReader(io.StringIO(proc.stdout)) if r["section"] == "Memberships and posts"]
    assert {r["basis"] for r in memberships} == {"stated"}


def test_the_council_timeline_orders_holders_by_term(facts):
    proc = run_cli("timeline", "ridge-pact-council", "--facts", str(facts), "-f", "json")
    dated = [line["text"] for line in json.loads(proc.stdout)["dated"]]
    ferrin = next(i for i, t in enumerate(dated) if t.startswith("Aldo Ferrin: Secretary General"))
    stenholt = next(i for i, t in enumerate(dated) if t.startswith("Mira Stenholt: Secretary General"))
    assert ferrin < stenholt
    assert any("15th Session" in t and "scheduled" in t for t in dated)


# "Ms. Stenholt stressed that the exchange of intelligence between the services must become faster."

def test_what_a_person_stressed_is_kept_as_theirs(facts, trig):
    card = show(facts, "mira-stenholt")
    assert ("Said\n  Mira Stenholt stressed: “the exchange of intelligence between the services must become faster” "
            "(at 14th Session of the Ridge Pact Customs Council) — the speaker's words, not a fact of the graph") in card
    store = pyoxigraph.Store()
    store.load(path=str(trig), format=pyoxigraph.RdfFormat.TRIG)
    ask = """PREFIX schema: <http://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#>
             ASK { GRAPH ?g { ?s ?p ?o . FILTER (isLiteral(?o) && CONTAINS(STR(?o), "must become faster"))
                              FILTER (?p NOT IN (schema:text, prov:value, <http://www.w3.org/2000/01/rdf-schema#label>)) } }"""
    assert not bool(store.query(ask))


# "10 of the 11 regional offices of the Ridge Intelligence Network took part in the session." (20 November 2024)
# "The Ridge Intelligence Network now has 12 regional offices." (14 March 2025)

def test_counts_keep_their_whole_and_a_change_is_reported_for_review(facts):
    assert "stated: 10 out of 11 regional offices of the Ridge Intelligence Network" in show(facts, "ridge-pact-session-14")
    found = [(r["kind"], r["valueA"], r["valueB"]) for r in rows(facts, "contradictions")
             if r["subject"] in ("ridge-intelligence-network", "ridge-pact-session-14")]
    assert found == [("count changed (review)", "11 (2024-11-20)", "12 (2025-03-14)")]


# "The third edition of Operation Lantern, «Lantern III», was run ... in October 2024, after «Lantern I» in 2022."

def test_an_operation_series_with_a_missing_edition(facts):
    gaps = [(r["firstMissing"], r["lastMissing"]) for r in rows(facts, "missing-meeting-numbers", series="operation-lantern")]
    assert gaps == [("2", "2")]
    proc = run_cli("show", "Operation Lantern 3", "--facts", str(facts))
    assert proc.returncode == 0 and proc.stdout.startswith("Operation Lantern III  [operation-lantern-3]")
    assert "matched" not in proc.stderr  # the Arabic form is a known variant, not an approximate match
    timeline = run_cli("timeline", "operation-lantern", "--facts", str(facts)).stdout
    assert "Operation Lantern: no edition numbered 2 is recorded (the graph knows 1, 3)" in timeline


def test_another_engine_sees_the_new_kinds_in_standard_terms_and_derived_apart(trig):
    """pyoxigraph, no inference: modality, succession, terms, attribution and topics in standard vocabularies; the
    derived chair only in the derived graph, never as a prov:qualifiedAssociation."""
    store = pyoxigraph.Store()
    store.load(path=str(trig), format=pyoxigraph.RdfFormat.TRIG)
    id_ = "https://w3id.org/customs-kg/id/"

    def ask(body: str) -> bool:
        prefixes = ("PREFIX schema: <http://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#> "
                    "PREFIX time: <http://www.w3.org/2006/time#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                    f"PREFIX id: <{id_}> ")
        return bool(store.query(prefixes + "ASK { " + body + " }"))

    assert ask("GRAPH ?g { id:ridge-pact-session-15 schema:eventStatus schema:EventScheduled }")
    assert ask("GRAPH ?g { ?i time:hasXSDDuration \"P4Y\"^^<http://www.w3.org/2001/XMLSchema#duration> }")
    assert ask("GRAPH ?g { ?q prov:wasAttributedTo id:mira-stenholt ; a schema:Quotation }")
    assert ask("GRAPH ?g { id:ridge-pact-session-14 schema:about id:e-commerce } id:e-commerce a skos:Concept")
    assert not ask("GRAPH ?g { id:ridge-pact-session-14 prov:qualifiedAssociation ?a }")
    assert ask(f"GRAPH <{id_}derived/graph> {{ ?a prov:agent id:northvale-customs ; prov:wasDerivedFrom ?input }}")


# Ferrin "has been Secretary General since 2017"; Stenholt "will take office on 6 January 2025" for four years: the
# end of Ferrin's term and of hers are derived, and the post never shows two holders.

def test_a_post_held_in_succession_has_one_holder_at_a_time(facts):
    assert rows(facts, "overlapping-tenures", body="ridge-pact-council") == []
    holders = [(r["holder"], r["status"], r["to"], r["derivedTo"], r["basis"])
               for r in rows(facts, "post-holder-on-date", body="ridge-pact-council", date="2026-06-01",
                             post="role/secretary-general")]
    assert holders == [("mira-stenholt", "held", "", "2029-01-06", "term, end derived")]
    on_the_day = {r["holder"]: r["status"] for r in rows(facts, "post-holder-on-date", body="ridge-pact-council",
                                                          date="2025-01-06", post="role/secretary-general")}
    assert on_the_day == {"aldo-ferrin": "handed over", "mira-stenholt": "held"}
