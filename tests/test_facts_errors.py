"""Curators' mistakes are reported with file, line and field, exit code 2, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from graph_builder.errors import FactsError
from graph_builder.loading.facts import load_facts

TEXT = ("The 7th Meeting of the Example Committee was held in Kazan on 3 March 2021. "
        "Ivan Petrov was elected Chair of the Example Committee.")

ROLES = """\
roles:
  - id: chair
    name: {en: Chair}
  - id: member
    name: {en: Member}
"""

ENTITIES = """\
entities:
  - id: example-committee
    type: Committee
    name: {en: Example Committee}
  - id: example-meetings
    type: MeetingSeries
    name: {en: Example Committee meetings}
  - id: example-meeting-7
    type: Meeting
    name: {en: 7th Meeting of the Example Committee}
  - id: ivan-petrov
    type: Person
    name: {en: Ivan Petrov}
  - id: country-ru
    type: Country
    code: "RU"
    name: {en: Russia}
  - id: kazan
    type: City
    country: country-ru
    name: {en: Kazan}
"""

SOURCE = """\
source:
  id: example-source
  text: example.txt
  headline: Example
  language: en
statements:
  - quote: The 7th Meeting of the Example Committee was held in Kazan on 3 March 2021.
    event: example-meeting-7
    series: example-meetings
    number: "7"
    date: "2021-03-03"
    place: kazan
  - quote: Ivan Petrov was elected Chair of the Example Committee.
    membership: petrov-chair
    member: ivan-petrov
    organization: example-committee
    role: chair
    start: "2021-03"
"""


def make_facts(tmp_path: Path, *, source: str = SOURCE, entities: str = ENTITIES, extra: dict[str, str] | None = None) -> Path:
    root = tmp_path / "facts"
    for rel, content in {"vocab/roles.yaml": ROLES, "entities/main.yaml": entities,
                         "sources/example-source.yaml": source, "texts/example.txt": TEXT, **(extra or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(FactsError) as info:
        load_facts(root)
    return [str(p) for p in info.value.problems]


def test_minimal_facts_load(tmp_path):
    facts = load_facts(make_facts(tmp_path))
    assert len(facts.statements) == 2
    assert str(facts.statements[1].values["start"]) == "2021-03"


def src(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SOURCE
    return make_facts(tmp_path, source=SOURCE.replace(old, new))


SRC = "sources/example-source.yaml"


@pytest.mark.parametrize("old,new,expected", [
    ('date: "2021-03-03"', 'date: "2021-02-30"', f"{SRC}:11: error: event.date: '2021-02-30': February 2021 has 28 days"),
    ('date: "2021-03-03"', 'date: "2021-13-01"', f"{SRC}:11: error: event.date: '2021-13-01': there is no month 13"),
    ('date: "2021-03-03"', 'date: "03/03/21"', f"{SRC}:11: error: event.date: '03/03/21' is ambiguous; write YYYY, YYYY-MM or YYYY-MM-DD"),
    ('date: "2021-03-03"', "date: 1:30", f"{SRC}:11: error: event.date: '1:30' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD"),
    ("member: ivan-petrov", "member: ivan-petroff", f"{SRC}:15: error: membership.member: 'ivan-petroff' is not declared in any entities file"),
    ("place: kazan", "place: ivan-petrov", f"{SRC}:12: error: event.place: 'ivan-petrov' is a Person; expected City or Country"),
    ('start: "2021-03"', 'start: "2021-03"\n    end: "2020"', f"{SRC}:19: error: membership.end: ends (2020) before it starts (2021-03)"),
    ("role: chair", "role: Chair", f"{SRC}:17: error: membership.role: 'Chair' is not a valid key: use lower-case ASCII letters and digits joined by single '-'"),
    ("role: chair", "role: president", f"{SRC}:17: error: membership.role: unknown role 'president' (the controlled roles are: chair, member)"),
    ('number: "7"', "number: 0101", f"{SRC}:10: error: event.number: '0101' is not a positive whole number (a leading zero reads as octal in YAML 1.1; write the plain number)"),
    ("  - quote: Ivan Petrov was elected Chair of the Example Committee.\n", "  - note: no quote\n",
     f"{SRC}:13: error: quote: missing quote: every statement quotes the sentence of its source that states it"),
    ("Ivan Petrov was elected Chair", "Ivan Petrov was chosen as Chair",
     f"{SRC}:13: error: quote: this sentence does not occur in the source text; the nearest sentence of the text "
     "(89% alike) is “Ivan Petrov was elected Chair of the Example Committee.”: where the quote has “chosen as”, "
     "the text has “elected”"),
    ("Ivan Petrov was elected Chair of the Example", "Ivan Petrov was elected Chair of the Exmple",
     f"{SRC}:13: error: quote: this sentence does not occur in the source text; the nearest sentence of the text "
     "(99% alike) is “Ivan Petrov was elected Chair of the Example Committee.”: where the quote has “Exmple”, "
     "the text has “Example”"),
    ("Ivan Petrov was elected Chair of the Example Committee.", "Customs officers seized forty tonnes of tea.",
     f"{SRC}:13: error: quote: this sentence does not occur in the source text, and no sentence of the text is "
     "near it (is the quote from this article?)"),
    ("membership: petrov-chair", "membership: Petrov Chair", f"{SRC}:14: error: membership: 'Petrov Chair' is not a valid key: use lower-case ASCII letters and digits joined by single '-'"),
    ("headline: Example", "headline: Exam\u202eple", f"{SRC}:4: error: source.headline: contains the invisible character U+202E; remove it"),
    ("headline: Example", "headline: Cafe\u0301", f"{SRC}:4: error: source.headline: is not in Unicode NFC form; re-type it or normalize it to NFC"),
    ("language: en", "language: xx", f"{SRC}:5: error: source.language: 'xx' is not a known language tag (use ISO 639-1, e.g. en, ru, fr)"),
])
def test_located_problem(tmp_path, old, new, expected):
    root = src(tmp_path, old, new)
    found = [p.replace(str(root) + "/", "") for p in problems(root)]
    assert expected in found, "\n".join(found)


def test_missing_source_block(tmp_path):
    root = make_facts(tmp_path, source=SOURCE.split("statements:")[0].replace("source:\n", "header:\n", 1) + "statements: []\n")
    found = [p.replace(str(root) + "/", "") for p in problems(root)]
    assert f"{SRC}:1: error: source: missing 'source:' block: every statement needs its source article" in found


@pytest.mark.parametrize("yaml_text,expected", [
    ("source:\n  id: a\n  id: b\n", f"{SRC}:3: error: id: duplicate key 'id' (first at line 2)"),
    ("source: &s\n  id: a\nother: *s\n", f"{SRC}:1: error: anchor: anchors (&s) are not allowed in facts files"),
    ("source: !!python/object:os.system\n  id: a\n", f"{SRC}:1: error: tag: tags (tag:yaml.org,2002:python/object:os.system) are not allowed in facts files"),
    ("source:\n  id: a\n---\nsource: {}\n", f"{SRC}:3: error: document: only one YAML document per file (remove the '---' separator)"),
    ("source:\n\tid: a\n", f"{SRC}:2: error: syntax: "),
    ("source:\n  id: 'unclosed\n", f"{SRC}:3: error: syntax: "),
])
def test_yaml_strictness(tmp_path, yaml_text, expected):
    root = make_facts(tmp_path, source=yaml_text)
    found = [p.replace(str(root) + "/", "") for p in problems(root)]
    assert any(f.startswith(expected) for f in found), "\n".join(found)


def test_bom_and_non_utf8(tmp_path):
    root = make_facts(tmp_path)
    path = root / SRC
    path.write_bytes(b"\xef\xbb\xbf" + SOURCE.encode())
    assert f"{path}:1: error: encoding: the file starts with a byte-order mark; save it as UTF-8 without BOM" in problems(root)
    path.write_bytes(SOURCE.encode().replace(b"Example", b"Ex\xffample", 1))
    assert f"{path}:4: error: encoding: byte 0xff is not valid UTF-8; save the file as UTF-8" in problems(root)


def test_duplicate_id_across_files_cites_both(tmp_path):
    root = make_facts(tmp_path, extra={"entities/more.yaml": "entities:\n  - id: kazan\n    type: City\n    name: {en: Kazan again}\n"})
    found = problems(root)
    main = root / "entities/main.yaml"
    more = root / "entities/more.yaml"
    assert f"{more}:2: error: id: duplicate entity id 'kazan' (also declared at {main}:18)" in found


def test_all_problems_reported_at_once(tmp_path):
    bad = SOURCE.replace('date: "2021-03-03"', 'date: "2021-02-30"').replace("member: ivan-petrov", "member: nobody")
    found = problems(make_facts(tmp_path, source=bad))
    assert len(found) == 2


def test_cli_validate_reports_each_defect_and_exits_2(tmp_path):
    bad = (SOURCE.replace('date: "2021-03-03"', 'date: "2021-02-30"')
           .replace("member: ivan-petrov", "member: nobody")
           .replace('start: "2021-03"', 'start: "2021-03"\n    end: "2021-01"'))
    root = make_facts(tmp_path, source=bad, extra={"sources/no-source.yaml": "statements:\n  - quote: x\n    founded: {org: example-committee, date: \"2000\"}\n"})
    proc = run_cli("validate", str(root))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert f"{root}/sources/example-source.yaml:11: error: event.date: '2021-02-30': February 2021 has 28 days" in lines
    assert f"{root}/sources/example-source.yaml:15: error: membership.member: 'nobody' is not declared in any entities file" in lines
    assert f"{root}/sources/example-source.yaml:19: error: membership.end: ends (2021-01) before it starts (2021-03)" in lines
    assert f"{root}/sources/no-source.yaml:1: error: source: missing 'source:' block: every statement needs its source article" in lines
    assert proc.stdout == ""



# --- The structure of the bodies ------------------------------------------------------------

BODIES = ENTITIES + "".join(f"  - id: unit-{c}\n    type: Unit\n    name: {{en: Unit {c.upper()}}}\n" for c in "abcd")
SAID = "  - quote: Ivan Petrov was elected Chair of the Example Committee.\n"


def stating(*bodies: str) -> str:
    return SOURCE + "".join(SAID + "    " + body + "\n" for body in bodies)


def test_a_part_of_cycle_of_any_length_is_spelled_out_at_its_first_statement(tmp_path):
    source = stating("part_of: {unit: unit-c, parent: unit-a}", "part_of: {unit: unit-a, parent: unit-b}",
                     "part_of: {unit: unit-b, parent: unit-c}", "part_of: {unit: unit-d, parent: unit-a}",
                     "part_of: {unit: unit-d, parent: example-committee}")
    root = make_facts(tmp_path, source=source, entities=BODIES)
    assert [p.replace(str(root) + "/", "") for p in problems(root)] == [
        f"{SRC}:19: error: part_of: part-of cycle: unit-c -> unit-a -> unit-b -> unit-c "
        "(a body cannot be part of a body below it)"]


def test_two_cycles_are_two_problems_and_a_tree_with_shared_parents_none(tmp_path):
    source = stating("part_of: {unit: unit-a, parent: unit-b}", "part_of: {unit: unit-b, parent: unit-a}",
                     "part_of: {unit: unit-c, parent: unit-d}", "part_of: {unit: unit-d, parent: unit-c}")
    root = make_facts(tmp_path, source=source, entities=BODIES)
    assert [p.replace(str(root) + "/", "") for p in problems(root)] == [
        f"{SRC}:19: error: part_of: part-of cycle: unit-a -> unit-b -> unit-a (a body cannot be part of a body below it)",
        f"{SRC}:23: error: part_of: part-of cycle: unit-c -> unit-d -> unit-c (a body cannot be part of a body below it)"]
    diamond = stating("part_of: {unit: unit-a, parent: unit-b}", "part_of: {unit: unit-a, parent: unit-c}",
                      "part_of: {unit: unit-b, parent: unit-d}", "part_of: {unit: unit-c, parent: unit-d}")
    assert len(load_facts(make_facts(tmp_path / "diamond", source=diamond, entities=BODIES)).statements) == 6


def test_a_body_reporting_to_or_supported_by_itself(tmp_path):
    source = stating("reports_to: {org: unit-a, to: unit-a}", "supported_by: {org: unit-b, by: unit-b}")
    root = make_facts(tmp_path, source=source, entities=BODIES)
    assert [p.replace(str(root) + "/", "") for p in problems(root)] == [
        f"{SRC}:20: error: reports_to.to: 'unit-a' cannot be reporting to itself",
        f"{SRC}:22: error: supported_by.by: 'unit-b' cannot be supported by itself"]


# --- Keys across kinds ---------------------------------------------------------------------

def test_a_key_names_one_thing_across_kinds(tmp_path):
    source = (SOURCE.replace("membership: petrov-chair", "membership: kazan")
              + SAID + "    election: example-source\n    kind: election\n    role: chair\n"
              "    organization: example-committee\n")
    root = make_facts(tmp_path, source=source)
    assert [p.replace(str(root) + "/", "") for p in problems(root)] == [
        f"{SRC}:13: error: membership: key 'kazan' is already an entity (declared at entities/main.yaml:18)",
        f"{SRC}:19: error: election: key 'example-source' is already a source (declared at {SRC}:2)"]


# --- YAML files the loader does not read ----------------------------------------------------

def test_stray_yaml_files_are_warned_of_by_build_validate_and_check_the_cached_build_too(tmp_path):
    root = make_facts(tmp_path, extra={"source/typo.yaml": SOURCE, "entities/more/extra.yaml": "entities: []\n",
                                       "notes.yaml": "todo: ask\n", "texts/old.yaml": "x: 1\n"})
    expected = [f"{root}/entities/more/extra.yaml: warning: file: not read: facts files go in entities/, sources/ or "
                "vocab/roles.yaml (subfolders of entities/ are not read)",
                f"{root}/notes.yaml: warning: file: not read: facts files go in entities/, sources/ or vocab/roles.yaml",
                f"{root}/source/typo.yaml: warning: file: not read: facts files go in entities/, sources/ or "
                "vocab/roles.yaml; did you mean sources/?",
                f"{root}/texts/old.yaml: warning: file: not read: facts files go in entities/, sources/ or "
                "vocab/roles.yaml"]
    assert [str(p) for p in load_facts(root).warnings] == expected
    out = tmp_path / "out"
    for _ in range(2):  # the second build reads the parse cache
        proc = run_cli("build", str(root), "-o", str(out), "--no-reason")
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.splitlines()[:4] == expected
    proc = run_cli("check", str(root), "--format", "json", "--fail-on", "warning")
    assert proc.returncode == 1
    found = [f for f in json.loads(proc.stdout) if f["check"] == "file-not-read"]
    assert sorted((f["severity"], f["message"], f["locations"][0]["file"]) for f in found) == sorted(
        ("warning", line.split(": warning: file: ")[1], line.split(": warning: ")[0]) for line in expected)


def test_an_upper_case_suffix_is_an_error_like_yml(tmp_path):
    root = make_facts(tmp_path, extra={"entities/MORE.YAML": "entities: []\n", "sources/other.yml": "x: 1\n"})
    assert problems(root) == [
        f"{root}/entities/MORE.YAML: error: file: facts files end in .yaml (lower case); rename it (it would be ignored)",
        f"{root}/sources/other.yml: error: file: facts files end in .yaml (lower case); rename it (it would be ignored)"]


# --- Texts ------------------------------------------------------------------------------------

def test_a_text_that_is_not_utf8_is_located_in_the_text(tmp_path):
    root = make_facts(tmp_path)
    (root / "texts" / "example.txt").write_bytes(TEXT.encode().replace(b"Kazan", b"Kaz\xe0n"))
    assert problems(root) == [f"{root}/texts/example.txt:1: error: encoding: byte 0xe0 is not valid UTF-8; "
                              "save the file as UTF-8"]


def test_a_quote_that_differs_in_a_lookalike_character_names_both(tmp_path):
    """A straight apostrophe against the text's curly one cannot be seen: the message names both."""
    sentence = "Ivan Petrov was elected Chair of the Example Committee."
    text = TEXT.replace(sentence, "Ivan Petrov was elected the Committee\u2019s Chair \u2014 a first.")
    source = SOURCE.replace(sentence, "Ivan Petrov was elected the Committee's Chair - a first.")
    root = make_facts(tmp_path, source=source, extra={"texts/example.txt": text})
    found = [p.replace(str(root) + "/", "") for p in problems(root)]
    assert found == [
        f"{SRC}:13: error: quote: this sentence does not occur in the source text; the nearest sentence of the text "
        "(96% alike) is “Ivan Petrov was elected the Committee\u2019s Chair \u2014 a first.”: where the quote has "
        "“Committee's”, the text has “Committee\u2019s” (\u2019 U+2019 RIGHT SINGLE QUOTATION MARK, not ' U+0027 "
        "APOSTROPHE); where the quote has “-”, the text has “\u2014” (\u2014 U+2014 EM DASH, not - U+002D "
        "HYPHEN-MINUS)"]
