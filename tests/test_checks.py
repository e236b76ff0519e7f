"""The quality report (``customs-kg check``): every seeded defect is found, with its file and line.

Each folder of ``tests/checks/`` is a small, complete facts folder with one
seeded defect, described in its ``entities/main.yaml`` header. The report on
each must name the defect with the exact facts file and line, and report no
other error. On the bundled facts the report must list the real issues of the
five articles.
"""

from __future__ import annotations

import csv
import io
import json
import os
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph

from graph_builder.building.build import build
from graph_builder.iris import iri
from graph_builder.answering.checks import (FORMATS, Finding, exit_code, render, run_checks,
                                  summary_line)
from graph_builder.errors import UsageError
from graph_builder.loading.facts import Loc, load_facts
from graph_builder.namespaces import PROV
from graph_builder.pipeline import check_facts

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "tests" / "seed_facts"
FIXTURES = Path(__file__).resolve().parent / "checks"

S000 = "fcs-2021-02-12-28th-global-rilo-meeting"
S001 = "wco-2023-02-03-30th-global-rilo-meeting"
S002 = "wco-2016-01-07-european-region-enforcement-cooperation"
S004 = "chleu-24th-meeting-kazan"


# --- Helpers ------------------------------------------------------------------------

@cache
def fixture_findings(name: str) -> tuple[Finding, ...]:
    """The report on one fixture folder (computed once)."""
    facts = load_facts(FIXTURES / name)
    built = build(facts)
    return tuple(run_checks(facts, built, built.merged_graph()))


def at(fixture: str, rel: str, line: int) -> Loc:
    """A location in a fixture folder, as the loader writes it."""
    return Loc(str(FIXTURES / fixture / rel), line)


def line_with(path: Path, text: str) -> int:
    """The (only) line of ``path`` containing ``text``: expected lines follow the facts files."""
    lines = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    assert len(lines) == 1, f"{text!r} occurs on lines {lines} of {path}"
    return lines[0]


def source_file(key: str) -> Path:
    return FACTS / "sources" / f"{key}.yaml"


def only(findings: tuple[Finding, ...] | list[Finding], check: str, **where: object) -> Finding:
    """The one finding of ``check`` whose entities include every given entity."""
    entities = where.get("entities", ())
    assert isinstance(entities, tuple)
    found = [f for f in findings if f.check == check and set(entities) <= set(f.entities)]
    assert len(found) == 1, f"expected one {check} finding with {entities}, got: {found}"
    return found[0]


def errors(findings: tuple[Finding, ...] | list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


@pytest.fixture(scope="module")
def bundled(facts_and_build, built_graph) -> list[Finding]:
    """The report on the bundled facts."""
    facts, built = facts_and_build
    return run_checks(facts, built, built_graph)


# --- Each seeded defect, with its file and line ---------------------------------------

def test_two_chairs_at_once_is_an_error_and_a_possible_overlap_a_warning() -> None:
    findings = fixture_findings("overlapping-tenures")
    definite = only(findings, "overlapping-tenures", entities=("anna-berg", "boris-chen"))
    assert definite.severity == "error"
    assert definite.locations == (at("overlapping-tenures", "sources/posts.yaml", 9),
                                  at("overlapping-tenures", "sources/posts.yaml", 16))
    assert definite.sources == ("posts-article",)
    assert "Chair of Example Committee" in definite.message
    assert "2021-03-01 to 2021-12-31" in definite.message and "2021-06 to 2022" in definite.message

    # Head 2020-2021 and Head 2021-2023: they may share 2021, or may not.
    possible = only(findings, "overlapping-tenures", entities=("clara-diaz", "dmitri-egorov"))
    assert possible.severity == "warning"
    assert possible.locations == (at("overlapping-tenures", "sources/posts.yaml", 23),
                                  at("overlapping-tenures", "sources/posts.yaml", 30))
    assert "can overlap" in possible.message

    # A body has several Vice-Chairs at once: not reported.
    assert [f for f in findings if "anna-berg-vice-chair" in f.entities and f.check != "single-source"] == []
    assert errors(findings) == [definite]


def test_memberships_without_a_term_are_warnings() -> None:
    findings = fixture_findings("undated-membership")
    undated = only(findings, "undated-membership", entities=("anna-berg-member", "boris-chen-member"))
    assert undated.severity == "warning"
    assert undated.locations == (at("undated-membership", "sources/members.yaml", 9),
                                 at("undated-membership", "sources/members.yaml", 14))
    assert undated.sources == ("members-article",)
    assert "boris-chen (attested at 2021-03-03)" in undated.message
    # The chair has a start date: it is not undated.
    assert not any("clara-diaz-chair" in f.entities for f in findings if f.check == "undated-membership")
    assert errors(findings) == []


def test_a_membership_without_a_source_is_an_error() -> None:
    facts = load_facts(FIXTURES / "undated-membership")
    built = build(facts)
    graph: Graph = built.merged_graph()
    graph.remove((iri("anna-berg-member"), PROV.wasDerivedFrom, None))
    findings = run_checks(facts, built, graph)
    # Reported once, by the shape; the rule query that restates it (# Shape: ckgsh:Claim-reachesSource) stays silent.
    assert [f for f in findings if f.check == "membership-without-source"] == []
    found = [f for f in findings if f.check == "shacl-violation" and "(rule ckgsh:Claim-reachesSource)" in f.message]
    assert len(found) == 1 and found[0].entities == ("anna-berg-member",)
    assert found[0].severity == "error"
    assert found[0].locations == (at("undated-membership", "sources/members.yaml", 9),)
    assert found[0].sources == ("members-article",)


def test_a_defect_a_shape_and_a_rule_query_both_see_is_reported_once() -> None:
    """An association without its role breaks ckgsh:Association-role and the rule query that restates it."""
    facts = load_facts(FACTS)
    built = build(facts)
    graph: Graph = built.merged_graph()
    association = iri("global-rilo-meeting-28/role/chair/rilo-cis")
    assert (association, PROV.hadRole, None) in graph
    clean = run_checks(facts, built, graph)
    graph.remove((association, PROV.hadRole, None))
    new = [f for f in run_checks(facts, built, graph) if f not in clean]
    assert len(new) == 1, new
    assert new[0].check == "shacl-violation" and new[0].entities == ("global-rilo-meeting-28/role/chair/rilo-cis",)
    assert "(rule ckgsh:Association-role)" in new[0].message
    # The rule query still finds it when it runs on its own (for stores without SHACL).
    from graph_builder.answering.query import all_queries, run

    rows = run(graph, all_queries()["association-incomplete-violation"]).rows
    assert [str(r[0]) for r in rows] == [str(association)]


def test_two_sources_giving_different_start_dates_is_a_warning() -> None:
    # The graph records both claims as the sources give them: an analyst must
    # weigh them, but nothing in the facts is wrong, so it is not an error.
    findings = fixture_findings("conflicting-dates")
    conflict = only(findings, "conflicting-values", entities=("example-meeting-7",))
    assert conflict.severity == "warning"
    assert "start date" in conflict.message
    assert "2021-03-03 (first-article)" in conflict.message and "2021-03-02 (second-article)" in conflict.message
    assert conflict.locations == (at("conflicting-dates", "sources/first.yaml", 13),
                                  at("conflicting-dates", "sources/second.yaml", 13))
    assert conflict.sources == ("first-article", "second-article")
    term = only(findings, "conflicting-values", entities=("anna-berg-chair",))
    assert term.message == ("sources disagree on the term start of anna-berg-chair: "
                            "2019 (first-article); 2020 (second-article)")
    assert term.locations == (at("conflicting-dates", "sources/first.yaml", 23),
                              at("conflicting-dates", "sources/second.yaml", 23))
    # The same end date, number and place, and founding dates that differ only
    # in precision (1990, 1990-05-05), are not contradictions.
    assert [f for f in findings if f.check == "conflicting-values"] == [term, conflict]
    # The shapes see the two values where the graph allows one (each defect once: the rule query
    # instant-without-single-date restates ckgsh:Instant-precision and leaves it to the shape).
    assert sorted((f.check, f.entities[0]) for f in errors(findings)) == [
        ("shacl-violation", "anna-berg-chair/interval/begin"),
        ("shacl-violation", "example-meeting-7"),
    ]


def test_a_count_that_differs_from_the_list_the_source_gives_is_a_warning() -> None:
    findings = fixture_findings("stated-count")
    mismatch = only(findings, "stated-count-mismatch", entities=("example-meeting-7",))
    assert mismatch.severity == "warning"
    assert mismatch.locations[0] == at("stated-count", "sources/count.yaml", 16)  # the stated count
    assert at("stated-count", "sources/count.yaml", 14) in mismatch.locations    # the list
    assert mismatch.sources == ("count-article",)
    assert "says 3 customs administrations attended" in mismatch.message
    assert "lists 4" in mismatch.message
    # "2 members", with the 2 memberships listed, agrees.
    assert [f for f in findings if f.check == "stated-count-mismatch"] == [mismatch]
    assert errors(findings) == []


def test_gaps_in_a_series_numbering_are_warnings_listed_compactly() -> None:
    findings = fixture_findings("numbering-gap")
    gap = only(findings, "meeting-number-gap", entities=("example-meetings",))
    assert gap.severity == "warning"
    assert "meetings 3–4, 6 (known: 1–2, 5, 7)" in gap.message
    # The number lines of the meetings around the gaps (2, 5, 7).
    assert gap.locations == tuple(at("numbering-gap", "sources/history.yaml", n) for n in (17, 22, 27))
    assert errors(findings) == []


def test_a_name_of_two_entities_is_a_warning() -> None:
    findings = fixture_findings("ambiguous-name")
    ambiguous = only(findings, "ambiguous-name", entities=("example-committee", "enforcement-council"))
    assert ambiguous.severity == "warning"
    assert "“EC”" in ambiguous.message
    assert set(ambiguous.locations) == {at("ambiguous-name", "entities/main.yaml", 7),
                                        at("ambiguous-name", "entities/main.yaml", 11),
                                        at("ambiguous-name", "sources/bodies.yaml", 10)}
    assert ambiguous.sources == ("bodies-article",)
    assert errors(findings) == []


def test_a_name_mixing_scripts_and_names_that_only_look_alike_are_warnings() -> None:
    findings = fixture_findings("lookalike-names")
    main = FIXTURES / "lookalike-names" / "entities" / "main.yaml"
    mixed = only(findings, "mixed-script-name", entities=("ivan-petrov-2",))
    assert mixed.severity == "warning"
    assert mixed.message == ("the name “Ivan Реtrov” of ivan-petrov-2 mixes scripts in the word “Реtrov” "
                             "(Cyrillic Р, Cyrillic е); retype it in one script")
    assert mixed.locations == (at("lookalike-names", "entities/main.yaml", line_with(main, "id: ivan-petrov-2")),)
    people = only(findings, "confusable-names", entities=("ivan-petrov", "ivan-petrov-2"))
    assert people.severity == "warning"
    assert people.message == (
        "the names “Ivan Petrov” of ivan-petrov and “Ivan Реtrov” of ivan-petrov-2 look the same but are written "
        "with different letters (Cyrillic Р (U+0420) for Latin P, Cyrillic е (U+0435) for Latin e); "
        "a reader cannot tell them apart")
    first = main.read_text(encoding="utf-8").splitlines().index("  - id: ivan-petrov") + 1
    assert people.locations == (at("lookalike-names", "entities/main.yaml", first),
                                at("lookalike-names", "entities/main.yaml", line_with(main, "id: ivan-petrov-2")))
    # a name all in Cyrillic letters that pass for Latin ones: not mixed, but confusable
    bodies = only(findings, "confusable-names", entities=("example-committee", "eurasian-council"))
    assert "“EC” of example-committee and “ЕС” of eurasian-council" in bodies.message
    assert "Cyrillic Е (U+0415) for Latin E, Cyrillic С (U+0421) for Latin C" in bodies.message
    assert [f.check for f in findings if f.severity == "warning"] == ["confusable-names", "confusable-names",
                                                                       "mixed-script-name"]
    assert errors(findings) == []


def test_the_bundled_names_are_neither_mixed_nor_confusable(bundled: list[Finding]) -> None:
    assert [f for f in bundled if f.check in ("mixed-script-name", "confusable-names")] == []


def test_a_source_without_publisher_or_date_is_a_shacl_warning() -> None:
    findings = fixture_findings("no-publisher")
    warnings = {f.message.split(":")[0]: f for f in findings if f.check == "shacl-warning"}
    assert set(warnings) == {"anonymous-article schema"}
    publisher = [f for f in findings if f.check == "shacl-warning" and "publisher" in f.message]
    published = [f for f in findings if f.check == "shacl-warning" and "publication date" in f.message]
    assert len(publisher) == 1 and len(published) == 1
    for f in publisher + published:
        assert f.severity == "warning"
        assert f.entities == ("anonymous-article",)
        assert f.locations == (at("no-publisher", "sources/anonymous.yaml", 3),)
        assert f.sources == ("anonymous-article",)
    assert errors(findings) == []


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_every_finding_points_at_real_lines(name: str) -> None:
    findings = fixture_findings(name)
    assert findings, f"{name}: the seeded defect was not found"
    for f in findings:
        assert f.severity in ("error", "warning", "info")
        assert f.locations, f"{f.check}: no location"
        for loc in f.locations:
            lines = Path(loc.file).read_text(encoding="utf-8").splitlines()
            assert 1 <= loc.line <= len(lines), f"{f.check}: {loc} is not a line of the file"


def test_facts_resting_on_one_source_are_notes_grouped_by_body() -> None:
    findings = fixture_findings("numbering-gap")
    note = only(findings, "single-source", entities=("example-meetings",))
    assert note.severity == "info"
    assert note.message.startswith("4 facts about example-meetings rest on a single source (history-article)")
    assert len(note.locations) == 4


# --- The bundled facts: the real issues of the five articles ----------------------------

def test_bundled_stated_count_22_differs_from_the_23_countries_listed(bundled: list[Finding]) -> None:
    mismatch = only(bundled, "stated-count-mismatch", entities=("wco-europe-heads-of-investigation-meeting-21",))
    assert mismatch.severity == "warning"
    assert "says 22 WCO Members of the European Region attended" in mismatch.message
    assert "lists 23" in mismatch.message
    path = source_file(S002)
    assert mismatch.locations[0] == Loc(str(path), line_with(path, "{count: 22,"))
    assert mismatch.sources == (S002,)


def test_bundled_gaps_in_meeting_numbers(bundled: list[Finding]) -> None:
    rilo = only(bundled, "meeting-number-gap", entities=("global-rilo-meetings",))
    assert "meeting 29 (known: 28, 30)" in rilo.message
    assert rilo.locations == (Loc(str(source_file(S000)), line_with(source_file(S000), "number: 28")),
                              Loc(str(source_file(S001)), line_with(source_file(S001), "number: 30")))
    assert rilo.sources == (S000, S001)
    chleu = only(bundled, "meeting-number-gap", entities=("chleu-meetings",))
    assert "meetings 13–23 (known: 12, 24)" in chleu.message
    assert set(chleu.locations) == {Loc(str(source_file(S002)), line_with(source_file(S002), "number: 12")),
                                    Loc(str(source_file(S004)), line_with(source_file(S004), "number: 24"))}
    assert [f.severity for f in bundled if f.check == "meeting-number-gap"] == ["warning", "warning"]


def test_bundled_cis_council_names_are_known_variants_not_a_warning(bundled: list[Finding]) -> None:
    """Each name is an alias the curator recorded from the source that uses it: listed for review (info)."""
    council = only(bundled, "name-variants", entities=("cis-council-of-heads-of-customs-services",))
    assert council.severity == "info"
    assert "each name an alias stated by its source (known variants)" in council.message
    assert "“Council of Heads of Customs Services of the CIS” (chleu-24th-meeting-kazan)" in council.message
    assert ("“Council of Heads of National Customs Authorities of the Commonwealth of Independent States” "
            f"({S002})") in council.message
    assert set(council.locations) == {
        Loc(str(source_file(S004)), line_with(source_file(S004), 'text: "Council of Heads of Customs Services of the CIS"')),
        Loc(str(source_file(S002)), line_with(source_file(S002), 'text: "Council of Heads of National Customs Authorities')),
    }
    # "Global RILO Meetings" and "Global Regional Intelligence Liaison Offices
    # (RILO) Meeting" are one name, spelled out: not reported.
    assert [f.entities[0] for f in bundled if f.check == "name-variants"] == [
        "cis-council-of-heads-of-customs-services"]
    assert not any(f.check == "named-differently" for f in bundled)


def test_bundled_missing_publishers_and_date(bundled: list[Finding]) -> None:
    no_publisher = sorted(f.entities[0] for f in bundled if f.check == "shacl-warning" and "no publisher" in f.message)
    assert no_publisher == [S004, S002, S001]
    no_date = [f.entities[0] for f in bundled if f.check == "shacl-warning" and "no publication date" in f.message]
    assert no_date == [S004]
    for f in bundled:
        if f.check == "shacl-warning":
            assert f.locations == (Loc(str(source_file(f.entities[0])), line_with(source_file(f.entities[0]), "  id: ")),)
            assert f.sources == f.entities


def test_bundled_undated_memberships(bundled: list[Finding]) -> None:
    keys = [f"{who}-national-contact-point-rilo-cis" for who in
            ("fcs-russia", "customs-az", "customs-am", "customs-by", "customs-kz", "customs-kg", "customs-tj", "customs-uz")]
    contact_points = only(bundled, "undated-membership", entities=("rilo-cis", *keys))
    assert contact_points.severity == "warning"
    assert "8 National Contact Point memberships of rilo-cis have no term" in contact_points.message
    assert "all are only attested at 2021-02-12" in contact_points.message
    assert contact_points.locations == tuple(
        Loc(str(source_file(S000)), line_with(source_file(S000), f"membership: {k}")) for k in keys)
    only(bundled, "undated-membership", entities=("oleg-gubaidulin-chair-chleu",))
    # Dated tenures are not listed.
    assert not any("rilo-cis-chair-global-rilo-meetings-2021-2022" in f.entities
                   for f in bundled if f.check == "undated-membership")


def test_bundled_single_source_facts_are_notes(bundled: list[Finding]) -> None:
    notes = [f for f in bundled if f.check == "single-source"]
    assert notes and all(f.severity == "info" for f in notes)
    rilo_cis = only(bundled, "single-source", entities=("rilo-cis",))
    assert rilo_cis.message.startswith(f"8 facts about rilo-cis rest on a single source ({S000})")


def test_bundled_facts_have_no_errors(bundled: list[Finding]) -> None:
    # No rule is broken, no tenures overlap, no two sources disagree, no name
    # is ambiguous: the 21st meeting's article contradicting itself is a
    # warning, recorded as the source states it.
    assert errors(bundled) == []
    assert only(bundled, "stated-count-mismatch", entities=("wco-europe-heads-of-investigation-meeting-21",)).severity == "warning"
    for check in ("overlapping-tenures", "repeated-tenure", "conflicting-values", "ambiguous-name"):
        assert [f for f in bundled if f.check == check] == []


def test_report_is_deterministic_and_ordered(bundled: list[Finding]) -> None:
    facts = load_facts(FIXTURES / "conflicting-dates")
    assert run_checks(facts, build(facts), build(facts).merged_graph()) == list(fixture_findings("conflicting-dates"))
    ranks = [("error", "warning", "info").index(f.severity) for f in bundled]
    assert ranks == sorted(ranks)


# --- Rendering ------------------------------------------------------------------------

def test_table_groups_by_severity_and_check_with_locations(bundled: list[Finding], monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    text = render(bundled, "table")
    lines = text.splitlines()
    assert lines[0].startswith("Warnings (") and not any(l.startswith("Errors (") for l in lines)
    assert next(i for i, l in enumerate(lines) if l.startswith("Warnings (")) \
        < next(i for i, l in enumerate(lines) if l.startswith("Notes ("))
    line = line_with(source_file(S002), "{count: 22,")
    block = text[text.index("  stated-count-mismatch"):]
    assert f"      at tests/seed_facts/sources/{S002}.yaml:{line}\n" in block
    assert f"      sources: {S002}\n" in block
    assert lines[-1] == summary_line(bundled)
    assert lines[-1].startswith("0 errors, ") and lines[-1].endswith(" notes")


def test_summary_line_counts() -> None:
    findings = [Finding("a", "error", "m"), Finding("b", "warning", "m"), Finding("c", "warning", "m")]
    assert summary_line(findings) == "1 error, 2 warnings, 0 notes"
    assert summary_line([]) == "0 errors, 0 warnings, 0 notes"
    assert render([], "table").splitlines() == ["No findings.", "", "0 errors, 0 warnings, 0 notes"]


def test_json_is_a_list_of_objects(bundled: list[Finding]) -> None:
    data = json.loads(render(bundled, "json"))
    assert isinstance(data, list) and len(data) == len(bundled)
    first = next(f for f in data if f["check"] == "stated-count-mismatch")
    assert set(first) == {"check", "severity", "message", "entities", "locations", "sources"}
    assert first["locations"][0]["line"] == line_with(source_file(S002), "{count: 22,")
    assert first["locations"][0]["file"].endswith(f"facts/sources/{S002}.yaml")


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_have_a_header_and_one_row_per_finding(bundled: list[Finding], fmt: str, delimiter: str) -> None:
    rows = list(csv.reader(io.StringIO(render(bundled, fmt)), delimiter=delimiter))
    assert rows[0] == ["severity", "check", "message", "entities", "locations", "sources"]
    assert len(rows) == len(bundled) + 1
    row = next(r for r in rows if r[1] == "stated-count-mismatch")
    assert row[0] == "warning"
    assert f"{S002}.yaml:{line_with(source_file(S002), '{count: 22,')}" in row[4]


def test_markdown_is_a_table_then_the_summary(bundled: list[Finding]) -> None:
    lines = render(bundled, "markdown").splitlines()
    assert lines[0] == "| severity | check | message | entities | locations | sources |"
    assert lines[1] == "|---|---|---|---|---|---|"
    assert len([l for l in lines if l.startswith("| ")]) == len(bundled) + 1
    assert all(l.count(" | ") - l.count("\\|") >= 5 for l in lines[2:len(bundled) + 2])
    assert lines[-1] == summary_line(bundled)


def test_every_format_renders_and_an_unknown_one_is_refused(bundled: list[Finding]) -> None:
    for fmt in FORMATS:
        assert render(bundled, fmt).endswith("\n")
    with pytest.raises(UsageError):
        render(bundled, "xml")


# --- Exit codes (--fail-on) -----------------------------------------------------------

@pytest.mark.parametrize("severities, on_error, on_warning", [
    ((), 0, 0),
    (("info",), 0, 0),
    (("warning", "info"), 0, 1),
    (("error",), 1, 1),
    (("error", "warning", "info"), 1, 1),
])
def test_fail_on(severities: tuple[str, ...], on_error: int, on_warning: int) -> None:
    findings = [Finding("some-check", sev, "message") for sev in severities]
    assert exit_code(findings, "error") == on_error
    assert exit_code(findings, "warning") == on_warning
    assert exit_code(findings, "never") == 0
    with pytest.raises(UsageError):
        exit_code(findings, "sometimes")


def test_main_check_returns_exit_code_and_report() -> None:
    code, text = check_facts(FIXTURES / "stated-count", "warning", "json")
    assert code == 1
    assert "stated-count-mismatch" in [f["check"] for f in json.loads(text) if f["severity"] == "warning"]
    assert check_facts(FIXTURES / "stated-count", "error", "json")[0] == 0
    with pytest.raises(UsageError):
        check_facts(FIXTURES / "stated-count", "always", "table")
    with pytest.raises(UsageError):
        check_facts(FIXTURES / "stated-count", "error", "yaml")


@pytest.mark.parametrize("fail_on, expected", [("error", 0), ("warning", 1), ("never", 0)])
def test_main_check_fail_on_warnings(fail_on: str, expected: int, monkeypatch) -> None:
    # numbering-gap has warnings and notes, no error (its report is computed once).
    monkeypatch.setattr("graph_builder.answering.checks.run_checks", lambda *args: list(fixture_findings("numbering-gap")))
    code, text = check_facts(FIXTURES / "numbering-gap", fail_on, "table")
    assert code == expected
    assert text.splitlines()[-1] == "0 errors, 1 warning, 1 note"


def test_main_check_defaults_to_the_bundled_facts(monkeypatch) -> None:
    monkeypatch.setenv("CUSTOMS_KG_FACTS", os.fspath(FIXTURES / "numbering-gap"))
    code, text = check_facts(None, "warning", "table")
    assert code == 1 and "example-meetings: no source tells of meetings 3–4, 6" in text
