"""`customs-kg sentences TEXT`: an article's numbered sentences, as a curator quotes them."""

from __future__ import annotations

import json

from conftest import ROOT, run_cli

ARTICLE = ROOT / "tests" / "articles" / "coastal-forum"
TEXT = ARTICLE / "texts" / "coastal-forum-2025-03-12.txt"

# Read from the invented article: a headline and a date line are sentences of their own (a blank line ends
# them), and "Ms." does not end a sentence.
EXPECTED = [
    "Coastal Enforcement Forum holds its 3rd meeting",
    "12 March 2025",
    "This article is invented for the tests of customs-kg: the forum, its secretariat and every person named "
    "here are fictional.",
    "The Coastal Enforcement Forum, a network of customs intelligence units, held its 3rd Meeting on 10 March 2025 "
    "by videoconference.",
    "The meeting was chaired by Ms. Mira Olenko, Head of the Forum Secretariat.",
    "The Coastal Enforcement Forum was established in 2019, and its meetings are held on an annual basis.",
]


def test_the_sentences_of_an_article_are_numbered_one_a_line():
    proc = run_cli("sentences", str(TEXT))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "".join(f"{n}  {s}\n" for n, s in enumerate(EXPECTED, 1))


def test_json_gives_the_same_sentences_and_every_quote_of_the_article_is_one_of_them():
    proc = run_cli("sentences", str(TEXT), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found == [{"n": n, "text": s} for n, s in enumerate(EXPECTED, 1)]
    source = (ARTICLE / "sources" / "coastal-forum-2025-03-12-3rd-meeting.yaml").read_text(encoding="utf-8")
    quoted = [line.split('"')[1] for line in source.splitlines() if line.strip().startswith(('- quote: "', '- "'))]
    assert quoted and all(q in EXPECTED for q in quoted)


def test_a_missing_or_unreadable_text_is_a_clear_error(tmp_path):
    proc = run_cli("sentences", str(tmp_path / "nothing.txt"))
    assert proc.returncode == 2
    assert proc.stderr == f"{tmp_path / 'nothing.txt'}: error: text: no such file\n"
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 society met.".encode("latin-1"))
    proc = run_cli("sentences", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{bad}:1: error:"), proc.stderr


# The bad-input corpus's valid folder, with a second claim on the meeting's sentence, written one statement
# per quote (the sentence pasted twice) and as sentence blocks (each quote once, its claims under it): the same
# graph, byte for byte.
ALIAS = """  - quote: The 7th Meeting of the Example Committee was held in Kazan on 3 March 2021.
    alias: {entity: example-committee, text: "Committee", lang: en}
"""
BLOCKS = """source:
  id: example-source
  text: example.txt
  headline: Example
  language: en
statements:
  - quote: The 7th Meeting of the Example Committee was held in Kazan on 3 March 2021.
    claims:
      - event: example-meeting-7
        series: example-meetings
        number: "7"
        date: "2021-03-03"
        place: kazan
      - alias: {entity: example-committee, text: "Committee", lang: en}
  - quote: Ivan Petrov was elected Chair of the Example Committee.
    claims:
      - membership: petrov-chair
        member: ivan-petrov
        organization: example-committee
        role: chair
        start: "2021-03"
"""


def test_a_sentence_block_states_what_one_statement_per_quote_states(tmp_path):
    import shutil

    base = ROOT / "tests" / "bad_input" / "base"
    single, blocks = tmp_path / "single", tmp_path / "blocks"
    shutil.copytree(base, single)
    shutil.copytree(base, blocks)
    source = single / "sources" / "example-source.yaml"
    source.write_text(source.read_text(encoding="utf-8") + ALIAS, encoding="utf-8")
    (blocks / "sources" / "example-source.yaml").write_text(BLOCKS, encoding="utf-8")
    outputs = []
    for name, folder in (("single", single), ("blocks", blocks)):
        proc = run_cli("build", str(folder), "-o", str(tmp_path / f"out-{name}"), "--no-reason")
        assert proc.returncode == 0, proc.stderr
        outputs.append([(tmp_path / f"out-{name}" / f).read_bytes() for f in ("customs-kg.ttl", "customs-kg.trig")])
    assert outputs[0] == outputs[1]
    assert b"Ivan Petrov was elected Chair of the Example Committee." in outputs[1][0]
    assert b'skos:altLabel "Committee"@en' in outputs[1][0]
