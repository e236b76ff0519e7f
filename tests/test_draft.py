"""`customs-kg draft SOURCE_KEY`: proposed claims under each sentence, refused until the curator decides.

The invented article ``tests/articles/delta-ports`` (a fictional committee, customs services, town, operation and
people) goes through ``new-source``, ``draft``, a curator's edits and ``build`` with the installed command, and
``query`` and ``show`` answer from it. Its entities file holds only what the graph knows before the article: the
committee (with its acronym), its meeting series, three customs services and the town.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BUNDLED_FACTS, ROOT, cli_env
from graph_builder.loading.factsdir import FactsDir
from graph_builder.loading.yamlload import YMap, YSeq, load_yaml

ARTICLE = ROOT / "tests" / "articles" / "delta-ports"
TEXT = ARTICLE / "texts" / "delta-ports-2025-09-18.txt"
KEY = "2025-09-18-delta-ports-customs-committee-holds-its-9th-meeting"
CUSTOMS_KG = Path(sys.executable).parent / "customs-kg"
REFUSAL = ("error: draft: {n} proposals to accept or delete (written by customs-kg draft): delete a proposal's "
           "'draft:' line to accept it, or the whole claim to reject it")


def customs_kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command, as a curator runs it."""
    return subprocess.run([str(CUSTOMS_KG), *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=300,
                          env=cli_env())


@pytest.fixture()
def facts(tmp_path: Path) -> Path:
    """The bundled facts with the names the graph knows of the article's bodies, and the article's new source."""
    folder = tmp_path / "facts"
    shutil.copytree(BUNDLED_FACTS, folder)
    shutil.copy(ARTICLE / "entities" / "delta-ports.yaml", folder / "entities" / "delta-ports.yaml")
    proc = customs_kg("new-source", str(TEXT), "--facts", str(folder), "--url", "https://example.org/dpcc/9")
    assert proc.returncode == 0, proc.stderr
    assert (folder / "sources" / f"{KEY}.yaml").is_file()
    return folder


def drafted(facts: Path) -> Path:
    proc = customs_kg("draft", KEY, "--facts", str(facts))
    assert proc.returncode == 0, proc.stderr
    return facts / "sources" / f"{KEY}.yaml"


def claims_under(path: Path, facts: Path) -> dict[str, list[dict[str, object]]]:
    """Each drafted sentence and its claims, as plain data."""
    def plain(value: object) -> object:
        if isinstance(value, YMap):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, YSeq):
            return [plain(v) for v in value]
        return str(value)

    doc = load_yaml(path, FactsDir(facts))
    assert isinstance(doc, YMap)
    out: dict[str, list[dict[str, object]]] = {}
    statements = plain(doc["statements"])
    assert isinstance(statements, list)
    for block in statements:
        out[block["quote"]] = block["claims"]
    return out


def accept(path: Path, entities: Path) -> None:
    """What a curator does with the draft: reject the alias read from a misspelling (delete the claim), accept every
    other proposal (delete its `draft:` line), and declare the new entities the comment lists."""
    lines = path.read_text(encoding="utf-8").split("\n")
    kept: list[str] = []
    rejecting = False
    for i, line in enumerate(lines):
        if line.startswith("      - "):
            rejecting = "(a misspelling?)" in lines[i + 1]
        elif not line.startswith("        "):
            rejecting = False
        if not rejecting and not line.startswith("        draft: "):
            kept.append(line)
    text = "\n".join(kept)
    listed = re.search(r"^  # entities:\n((?:  #   .*\n)+)", text, re.M)
    assert listed is not None, text
    entities.write_text("entities:\n" + "".join(line[4:] + "\n" for line in listed.group(1).splitlines()),
                        encoding="utf-8")
    path.write_text(text, encoding="utf-8")


def rows(facts: Path, name: str, **params: str) -> list[dict[str, str]]:
    bound = [arg for key, value in params.items() for arg in ("--param", f"{key}={value}")]
    proc = customs_kg("query", name, "--facts", str(facts), "-f", "csv", "--keys", *bound)
    assert proc.returncode == 0, proc.stderr
    return list(csv.DictReader(io.StringIO(proc.stdout)))


def test_an_invented_article_goes_from_its_text_to_answers(facts, tmp_path):
    proc = customs_kg("draft", KEY, "--facts", str(facts))
    assert proc.returncode == 0, proc.stderr
    source = facts / "sources" / f"{KEY}.yaml"
    assert re.match(rf"wrote {re.escape(str(source))}: (\d+) proposals under (\d+) sentences, naming 6 new entities",
                    proc.stdout), proc.stdout
    # pending proposals: the build refuses the file, naming it, the first proposal's line and how many there are
    n = source.read_text(encoding="utf-8").count("\n        draft: ")
    first = next(i for i, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1)
                 if line.startswith("        draft: ")) - 1
    refused = customs_kg("build", str(facts), "-o", str(tmp_path / "out"), "--no-reason")
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-2:] == [f"{source}:{first}: {REFUSAL.format(n=n)}",
                                                "1 problem(s) in the facts; nothing was written"]
    accept(source, facts / "entities" / "delta-ports-new.yaml")
    built = customs_kg("build", str(facts), "-o", str(tmp_path / "out"), "--no-reason")
    assert built.returncode == 0, built.stderr
    assert re.search(r"^SHACL violations +0$", built.stdout, re.M)
    # "The meeting was chaired by Ms. Orla Vance, Head of the DPCC Secretariat."
    chair = rows(facts, "meeting-chair", series="delta-ports-committee-meetings", number="9")
    assert [(r["meeting"], r["chair"], r["capacity"]) for r in chair] == [
        ("delta-ports-committee-meeting-9", "orla-vance", "Head, DPCC Secretariat")]
    # "... was held in Saltmere on 15-16 September 2025 in a hybrid format." "Representatives of the Customs Service of
    # Amberland, the Customs Service of Brenmoor and the Customs Service of Corvale took part in the meeting."
    # "The 10th Meeting of the Delta Ports Customs Committee will be held in Saltmere in 2026."
    meetings = rows(facts, "series-meetings", series="delta-ports-committee-meetings")
    ninth = {(r["start"], r["end"], r["attendance"], r["status"], r["participant"]) for r in meetings
             if r["meeting"] == "delta-ports-committee-meeting-9"}
    assert ninth == {("2025-09-15", "2025-09-16", "mixed", "", p)
                     for p in ("amberland-customs", "brenmoor-customs", "corvale-customs")}
    assert {(r["meeting"], r["start"], r["placeLabel"], r["status"]) for r in meetings
            if r["number"] == "10"} == {("delta-ports-committee-meeting-10", "2026", "Saltmere", "planned")}
    card = customs_kg("show", "Orla Vance", "--facts", str(facts))
    assert card.returncode == 0, card.stderr
    assert "  Head, DPCC Secretariat (dates unknown)\n" in card.stdout
    assert "  Chair of 9th Meeting of the Delta Ports Customs Committee (2025-09-15 – 2025-09-16)\n" in card.stdout
    # "During the meeting, the Customs Service of Brenmoor was re-elected as Vice-Chair of the Delta Ports Customs
    # Comittee for the period 2025-2027." (the committee's name misspelt: matched, and its alias rejected above)
    brenmoor = customs_kg("show", "Customs Service of Brenmoor", "--facts", str(facts), "--quotes")
    assert brenmoor.returncode == 0, brenmoor.stderr
    assert re.search(r"Vice-Chair, Delta Ports Customs Committee \(2025 – 2027; re-elected at 9th Meeting", brenmoor.stdout), brenmoor.stdout
    assert "Comittee\"" not in (facts / "sources" / f"{KEY}.yaml").read_text(encoding="utf-8")


def test_each_proposal_quotes_what_it_read(facts):
    path = drafted(facts)
    found = claims_under(path, facts)
    held = found["The 9th Meeting of the Delta Ports Customs Committee was held in Saltmere on 15-16 September 2025 "
                 "in a hybrid format."]
    assert held == [{"event": "delta-ports-committee-meeting-9", "series": "delta-ports-committee-meetings",
                     "number": "9", "draft": "read “9th Meeting of the Delta Ports Customs Committee”; “15-16 September 2025”; "
                              "“Saltmere”; “hybrid”; “was held”",
                     "start": "2025-09-15", "end": "2025-09-16", "place": "saltmere", "attendance": "mixed",
                     "status": "took-place", "organizer": ["delta-ports-committee"]}]
    elected = found["During the meeting, the Customs Service of Brenmoor was re-elected as Vice-Chair of the Delta Ports "
                    "Customs Comittee for the period 2025-2027."]
    assert {c.get("election") or c.get("membership") or "alias": {k: v for k, v in c.items() if k != "draft"}
            for c in elected} == {
        "re-election-brenmoor-customs-vice-chair-delta-ports-committee": {
            "election": "re-election-brenmoor-customs-vice-chair-delta-ports-committee", "kind": "re-election",
            "at": "delta-ports-committee-meeting-9", "role": "vice-chair", "organization": "delta-ports-committee",
            "candidate": "brenmoor-customs"},
        "brenmoor-customs-vice-chair-delta-ports-committee-2025-2027": {
            "membership": "brenmoor-customs-vice-chair-delta-ports-committee-2025-2027", "member": "brenmoor-customs",
            "organization": "delta-ports-committee", "role": "vice-chair", "start": "2025", "end": "2027",
            "generated_by": "re-election-brenmoor-customs-vice-chair-delta-ports-committee"},
        "alias": {"alias": {"entity": "delta-ports-committee", "text": "Delta Ports Customs Comittee", "lang": "en"}},
    }
    seized = found["During the joint operation «Grey Heron» in August 2025, over 120 kg of cocaine were seized."]
    assert seized[0] == {"event": "operation-grey-heron",
                         "draft": "read “«Grey Heron»”; “over 120 kg of cocaine”; “August 2025”",
                         "start": "2025-08", "end": "2025-08", "status": "took-place",
                         "quantities": [{"id": "operation-grey-heron-cocaine-seized", "name": "cocaine seized",
                                         "min": "120", "unit": "KGM"}]}
    planned = found["The 10th Meeting of the Delta Ports Customs Committee will be held in Saltmere in 2026."]
    assert planned[0]["status"] == "planned" and planned[0]["start"] == planned[0]["end"] == "2026"
    # every proposal says what it read, and what it read is in its sentence
    for sentence, claims in found.items():
        for claim in claims:
            for part in re.findall(r"“(.*?)(?: \(a misspelling\?\))?”", str(claim["draft"])):
                assert part in sentence, (part, sentence)


def test_draft_is_deterministic(tmp_path, facts):
    other = tmp_path / "again"
    shutil.copytree(facts, other)
    assert drafted(facts).read_bytes() == drafted(other).read_bytes()


def test_pending_proposals_are_refused_by_check_and_by_a_second_draft(facts):
    path = drafted(facts)
    n = path.read_text(encoding="utf-8").count("\n        draft: ")
    first = path.read_text(encoding="utf-8").splitlines().index(
        next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("        draft: ")))
    check = customs_kg("check", str(facts))
    assert check.returncode == 2
    assert f"{path}:{first}: {REFUSAL.format(n=n)}" in check.stderr.splitlines()
    before = path.read_bytes()
    again = customs_kg("draft", KEY, "--facts", str(facts))
    assert again.returncode == 2
    assert again.stderr.splitlines()[0] == f"{path}:{first}: {REFUSAL.format(n=n)}; then draft again"
    assert path.read_bytes() == before


def test_draft_keeps_curated_claims_and_drafts_only_sentences_not_yet_quoted(facts):
    path = facts / "sources" / f"{KEY}.yaml"
    curated = path.read_text(encoding="utf-8").replace("statements: []\n", (
        "statements:\n"
        "  # curated by hand\n"
        "  - quote: \"The meeting was chaired by Ms. Orla Vance, Head of the DPCC Secretariat.\"\n"
        "    claims:\n"
        "      - alias: {entity: delta-ports-committee, text: \"DPCC\", lang: en}\n"))
    path.write_text(curated, encoding="utf-8")
    drafted(facts)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(curated.rstrip("\n") + "\n")
    assert text.count("The meeting was chaired by Ms. Orla Vance") == 1
    assert "15-16 September 2025" in text


def test_draft_of_an_unknown_source_is_a_clear_error(facts):
    proc = customs_kg("draft", "no-such-source", "--facts", str(facts))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"{facts / 'sources' / 'no-such-source.yaml'}: error: source: no source file "
                                   f"'no-such-source.yaml' in {facts / 'sources'} (start one with customs-kg new-source)")


# Sentences of an invented article about the fictional committee, each with the claim it must propose (read
# with the names the graph knows: the bundled facts and tests/articles/delta-ports/entities).
RULES = [
    # a range of days at day precision, online form, a numbered meeting of a known series not yet declared
    ("The 11th Meeting of the Delta Ports Customs Committee took place online on 3-4 March 2027.",
     {"event": "delta-ports-committee-meeting-11", "series": "delta-ports-committee-meetings", "number": "11",
      "start": "2027-03-03", "end": "2027-03-04", "attendance": "online", "status": "took-place",
      "organizer": ["delta-ports-committee"]}),
    # a month keeps its precision; the 12th is not the 11th, however alike their names
    ("The 12th Meeting of the Delta Ports Customs Committee was held in March 2028.",
     {"event": "delta-ports-committee-meeting-12", "series": "delta-ports-committee-meetings", "number": "12",
      "start": "2028-03", "end": "2028-03", "status": "took-place", "organizer": ["delta-ports-committee"]}),
    # planned wording with a year only: planned; with a day: scheduled
    ("The 13th Meeting of the Delta Ports Customs Committee is planned for 2029.",
     {"event": "delta-ports-committee-meeting-13", "series": "delta-ports-committee-meetings", "number": "13",
      "start": "2029", "end": "2029", "status": "planned", "organizer": ["delta-ports-committee"]}),
    ("The 14th Meeting of the Delta Ports Customs Committee will be held on 9 May 2030.",
     {"event": "delta-ports-committee-meeting-14", "series": "delta-ports-committee-meetings", "number": "14",
      "date": "2030-05-09", "status": "scheduled", "organizer": ["delta-ports-committee"]}),
    # an upper bound, in tonnes, of an operation in guillemets
    ("During the operation «Salt Wind», up to 3 tons of tobacco were seized.",
     {"event": "operation-salt-wind", "status": "took-place",
      "quantities": [{"id": "operation-salt-wind-tobacco-seized", "name": "tobacco seized", "max": "3",
                      "unit": "TNE"}]}),
    # a chair under the chairmanship of a body named with a misspelling
    ("The 15th Meeting of the Delta Ports Customs Comittee was held under the chairmanship of the Customs Service "
     "of Corvale.",
     {"event": "delta-ports-committee-meeting-15", "series": "delta-ports-committee-meetings", "number": "15",
      "status": "took-place", "roles": [{"agent": "corvale-customs", "role": "chair"}],
      "organizer": ["delta-ports-committee"]}),
]


@pytest.mark.parametrize("sentence, claim", RULES, ids=[f"rule-{n}" for n in range(len(RULES))])
def test_a_rule_proposes_what_its_sentence_states(tmp_path, sentence, claim):
    from graph_builder.drafting import draft_text
    from graph_builder.loading.facts import load_facts

    folder = tmp_path / "facts"
    shutil.copytree(BUNDLED_FACTS, folder)
    shutil.copy(ARTICLE / "entities" / "delta-ports.yaml", folder / "entities" / "delta-ports.yaml")
    found = draft_text(f"Delta Ports news\n\n{sentence}\n", load_facts(folder))
    proposals = [p for ps in found.proposals.values() for p in ps if p.kind == "event"]
    assert len(proposals) == 1, proposals
    p = proposals[0]
    got = {"event": p.subject, **{k: v if isinstance(v, list) else str(v) for k, v in p.fields.items()}}
    if "quantities" in got:
        got["quantities"] = [{k: str(v) for k, v in q.items()} for q in got["quantities"]]
    assert got == claim
