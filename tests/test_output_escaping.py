"""Hostile text in every output format: spreadsheets, terminals, Markdown, the HTML page, error messages.

A literal can hold anything when the graph comes from ``--data`` or from an
endpoint. Each test writes such a graph (Turtle, in tmp_path), runs the command
as a user does (``run_cli``) and asserts the exact output: CSV/TSV cells that a
spreadsheet would run as a formula get a leading ``'`` (``--raw`` keeps them),
terminal text shows control, bidi and invisible characters escaped, Markdown
tables stay tables, the viz page survives ``<!--<script>`` and ``</script>`` in
a name (opened in Chromium), and error messages never echo raw control or bidi
characters. A real Oxigraph server shows that rows from ``--endpoint`` go
through the same formatter. The functions of graph_builder.textsafe are tested
on their own first.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal

from conftest import ROOT, cli_env
from graph_builder.answering.checks import Finding, render as render_findings
from graph_builder.answering.query import Rows
from graph_builder.answering.results import format_rows
from graph_builder.errors import Problem
from graph_builder.loading.facts import Loc
from graph_builder.textsafe import (Numeral, delimited, html_json, markdown_text, spreadsheet_cell,
                                    terminal_lines, terminal_text)
from servers import start_oxigraph

ID = "https://w3id.org/customs-kg/id/"
NAME_QUERY = "SELECT ?s ?name WHERE { ?s <urn:x:name> ?name } ORDER BY ?s"
FORMULAS = {  # key -> literal (Turtle)
    "a": '"=HYPERLINK(\\"http://evil/\\",\\"x\\")"',
    "b": '"@SUM(1+1)"',
    "c": '"+1+2"',
    "d": '"-2+3"',
    "e": '"\\ttab"',
    "f": '"\\rcr"',
    "g": '"-5"^^<http://www.w3.org/2001/XMLSchema#integer>',
    "h": '"-5"',
    "i": '"-2.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    "j": '"plain, with a comma"',
}
TERMINAL = {  # key -> the text of the literal (written with Turtle's \\u escapes)
    "t1": "x\x1b]0;owned\x07y",
    "t2": "\x1b[2J",
    "t3": "a\u202eb",
    "t4": "l1\nl2|l3",
    "t5": "c\x9bd\x7f",
    "t6": "zw\u200bj\ufeff",
    "t7": "p\u2028q",
}


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """conftest.run_cli, with stdout and stderr decoded as they are (a CR stays a CR)."""
    proc = subprocess.run([sys.executable, "-m", "graph_builder", *args], capture_output=True, cwd=cwd or ROOT,
                          timeout=300, env=cli_env())
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"),
                                       proc.stderr.decode("utf-8"))


def ttl_string(text: str) -> str:
    """A Turtle string literal: JSON's escapes (\\n, \\", \\uXXXX) are Turtle's too, for BMP text."""
    return json.dumps(text, ensure_ascii=True)


def names_file(tmp_path: Path, literals: dict[str, str], name: str = "names.ttl") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"<{ID}{k}> <urn:x:name> {v} .\n" for k, v in literals.items()), encoding="utf-8")
    return path


def query(data: Path, *args: str):
    return run_cli("query", "--data", str(data), "--text", NAME_QUERY, *args)


# ---------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw,shown", [
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"), ("\x1b[2J", "\\x1b[2J"), ("\x00\x08\x0b\x0c\x1f", "\\x00\\x08\\x0b\\x0c\\x1f"),
    ("\t\n\r", "\\t\\n\\r"), ("\x7f", "\\x7f"), ("\x80\x85\x9b\x9f", "\\x80\\x85\\x9b\\x9f"),
    ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"), ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
    ("\u200b\u200c\u200d\u200e\u200f", "\\u200b\\u200c\\u200d\\u200e\\u200f"), ("\ufeff\u061c\u2060", "\\ufeff\\u061c\\u2060"),
    ("\u2028\u2029", "\\u2028\\u2029"), ("\udc9b", "\\udc9b"),
])
def test_terminal_text_escapes_controls_bidi_and_invisible_characters(raw, shown):
    assert terminal_text(f"<{raw}>") == f"<{shown}>"


def test_terminal_text_keeps_readable_text_and_is_idempotent():
    text = "Федеральная таможенная служба — RILO CIS «ЦТУ» (2021–2022) \\x1b é 中文 \u00a0 \u00ad"
    assert terminal_text(text) == text
    once = terminal_text("a\x1b[31mb\u202e")
    assert terminal_text(once) == once == "a\\x1b[31mb\\u202e"


def test_terminal_lines_keeps_the_line_breaks_of_a_message():
    assert terminal_lines("first \x1b[2J\nsecond \u202e\n") == "first \\x1b[2J\nsecond \\u202e\n"


@pytest.mark.parametrize("cell,safe", [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("a=1", "a=1"), ("", ""), (" =1", " =1"), ("'quoted", "'quoted"),
    (Numeral("-5"), "-5"), (Numeral("+5"), "+5"), (Numeral("-2.5"), "-2.5"), (Numeral("-1.5E3"), "-1.5E3"),
    (Numeral("-.5e-3"), "-.5e-3"), (Numeral("-2+3"), "'-2+3"), (Numeral("-INF"), "'-INF"), (Numeral("7"), "7"),
])
def test_spreadsheet_cell(cell, safe):
    assert spreadsheet_cell(cell) == safe


def test_delimited_quotes_as_rfc_4180_says():
    rows = [["=x", 'say "hi"', "a,b", "l1\nl2", "c\rr"], [Numeral("-5"), "", "", "", ""]]
    assert delimited("csv", ["h1", "h2", "h3", "h4", "h5"], rows) == (
        'h1,h2,h3,h4,h5\n\'=x,"say ""hi""","a,b","l1\nl2","c\rr"\n-5,,,,\n')
    assert delimited("tsv", ["h1", "h2"], [["a\tb", "=y"]]) == 'h1\th2\n"a\tb"\t\'=y\n'
    assert delimited("csv", ["h"], [[""], ["x"]]) == 'h\n""\nx\n'  # one empty cell: "" (not an empty line)
    assert delimited("csv", ["h"], [["=x"], [Numeral("-2+3")]], raw=True) == "h\n=x\n-2+3\n"


def test_delimited_writes_what_the_csv_module_writes_for_cells_without_cr():
    cells = ["plain", "", "a,b", 'q"q', "l1\nl2", "tab\there", " lead", "trail ", "Федерация", "x" * 50]
    rows = [cells, list(reversed(cells)), [""]]
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
        writer.writerow(["h"] * len(cells))
        writer.writerows(rows)
        assert delimited(fmt, ["h"] * len(cells), rows) == buf.getvalue()


@pytest.mark.parametrize("text,cell", [
    ("a|b", "a\\|b"), ("back\\slash", "back\\\\slash"), ("l1\nl2\r\nl3\rl4", "l1<br>l2<br>l3<br>l4"),
    ("<script>x</script>", "\\<script>x\\</script>"), ("end\\", "end\\\\"), ("\x1b[2J|\u202e", "\\x1b[2J\\|\\u202e"),
    ("# not a heading", "# not a heading"), ("-5", "-5"),
])
def test_markdown_text_in_a_table_cell(text, cell):
    assert markdown_text(text) == cell


@pytest.mark.parametrize("text,item", [
    ("# x", "\\# x"), ("> x", "\\> x"), ("- x", "\\- x"), ("+ x", "\\+ x"), ("* x", "\\* x"), ("```", "\\```"),
    ("~~~", "\\~~~"), ("1. x", "1\\. x"), ("12) x", "12\\) x"), ("2021-03 x", "2021-03 x"), ("plain", "plain"),
])
def test_markdown_text_at_the_start_of_a_list_item(text, item):
    assert markdown_text(text, line_start=True) == item


def test_html_json_cannot_end_or_change_its_script_element():
    data = {"names": ["<!--<script>", "</script><script>alert(1)</script>", "</SCRIPT>", "a & b > c",
                      "line\u2028para\u2029", "\udc9b"]}
    text = html_json(data)
    assert not set(text) & set("<>&\u2028\u2029")
    assert "\\u003c!--\\u003cscript\\u003e" in text and "\\u003c/SCRIPT\\u003e" in text
    assert "\\u0026" in text and "\\u2028" in text and "\\u2029" in text and "\\udc9b" in text
    assert json.loads(text) == data
    assert html_json({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


# ---------------------------------------------------------------------------
# CSV and TSV (query, show, timeline, check)
# ---------------------------------------------------------------------------

def test_query_csv_neutralises_formulas_but_keeps_typed_numbers(tmp_path):
    proc = query(names_file(tmp_path, FORMULAS), "-f", "csv", "--keys")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "s,name\n"
        "a,\"'=HYPERLINK(\"\"http://evil/\"\",\"\"x\"\")\"\n"
        "b,'@SUM(1+1)\n"
        "c,'+1+2\n"
        "d,'-2+3\n"
        "e,'\ttab\n"
        "f,\"'\rcr\"\n"
        "g,-5\n"
        "h,'-5\n"
        "i,-2.5\n"
        "j,\"plain, with a comma\"\n")
    assert proc.stderr == ""
    # the SPARQL 1.1 CSV results: the same cells, full IRIs, CRLF line ends
    standard = query(names_file(tmp_path, FORMULAS), "-f", "csv")
    assert standard.stdout.split("\r\n")[:3] == ["s,name", "https://w3id.org/customs-kg/id/a,\"'=HYPERLINK(\"\"http://evil/\"\","
                                                  "\"\"x\"\")\"", "https://w3id.org/customs-kg/id/b,'@SUM(1+1)"]


def test_query_tsv_neutralises_formulas(tmp_path):
    # SPARQL TSV cells are RDF terms: a literal starts with a quote, never like a formula
    standard = query(names_file(tmp_path, FORMULAS), "-f", "tsv").stdout.split("\n")
    assert standard[:3] == ["?s\t?name", '<https://w3id.org/customs-kg/id/a>\t"=HYPERLINK(\\"http://evil/\\",\\"x\\")"',
                            '<https://w3id.org/customs-kg/id/b>\t"@SUM(1+1)"']
    assert '<https://w3id.org/customs-kg/id/e>\t"\\ttab"' in standard
    proc = query(names_file(tmp_path, FORMULAS), "-f", "tsv", "--keys")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[:5] == ["s\tname", "a\t\"'=HYPERLINK(\"\"http://evil/\"\",\"\"x\"\")\"", "b\t'@SUM(1+1)",
                         "c\t'+1+2", "d\t'-2+3"]
    assert "e\t\"'\ttab\"" in lines and "g\t-5" in lines and "h\t'-5" in lines


def test_query_raw_keeps_the_values(tmp_path):
    proc = query(names_file(tmp_path, FORMULAS), "-f", "csv", "--keys", "--raw")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:5] == ["s,name", 'a,"=HYPERLINK(""http://evil/"",""x"")"', "b,@SUM(1+1)",
                                          "c,+1+2", "d,-2+3"]
    assert "e,\ttab\n" in proc.stdout and 'f,"\rcr"\n' in proc.stdout and "h,-5\n" in proc.stdout


def test_an_ill_typed_number_is_text_for_the_spreadsheet():
    from graph_builder.namespaces import XSD

    rows = Rows(["n"], [[Literal("-2+3", datatype=XSD.integer)], [Literal("-7", datatype=XSD.integer)],
                        [Literal("-1.5E3", datatype=XSD.double, normalize=False)], [Literal("=1", datatype=XSD.string)]])
    assert format_rows(rows, "csv", keys=True) == "n\n'-2+3\n-7\n-1.5E3\n'=1\n"
    assert format_rows(rows, "csv") == "n\r\n'-2+3\r\n-7\r\n-1.5E3\r\n'=1\r\n"


@pytest.mark.parametrize("option", [("-f", "table"), ("-f", "json"), ("-f", "markdown"), ()])
def test_raw_without_csv_or_tsv_is_a_usage_error(tmp_path, option):
    proc = query(names_file(tmp_path, FORMULAS), "--raw", *option)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "error: customs-kg query: --raw applies to --format csv and tsv only\n"


@pytest.mark.parametrize("command", ["query", "show", "timeline", "check"])
def test_raw_is_in_the_help(command):
    proc = run_cli(command, "--help")
    assert proc.returncode == 0
    help_text = " ".join(proc.stdout.split())
    assert "--raw with -f csv or tsv: write every cell as it is" in help_text
    assert "gets a leading ' so that a spreadsheet shows it as text" in help_text


# ---------------------------------------------------------------------------
# Terminal text (query, show, timeline, check)
# ---------------------------------------------------------------------------

def test_query_table_shows_controls_escaped(tmp_path):
    data = names_file(tmp_path, {k: ttl_string(v) for k, v in TERMINAL.items()})
    proc = query(data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "s   name\n"
        "--  ------------------\n"
        "t1  x\\x1b]0;owned\\x07y\n"
        "t2  \\x1b[2J\n"
        "t3  a\\u202eb\n"
        "t4  l1\\nl2|l3\n"
        "t5  c\\x9bd\\x7f\n"
        "t6  zw\\u200bj\\ufeff\n"
        "t7  p\\u2028q\n"
        "(7 rows)\n")


def test_query_markdown_stays_a_table(tmp_path):
    data = names_file(tmp_path, {k: ttl_string(v) for k, v in TERMINAL.items()})
    proc = query(data, "-f", "markdown")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "| s | name |\n"
        "|---|---|\n"
        "| t1 | x\\x1b]0;owned\\x07y |\n"
        "| t2 | \\x1b[2J |\n"
        "| t3 | a\\u202eb |\n"
        "| t4 | l1<br>l2\\|l3 |\n"
        "| t5 | c\\x9bd\\x7f |\n"
        "| t6 | zw\\u200bj\\ufeff |\n"
        "| t7 | p\\u2028q |\n")


def test_query_json_stays_exact(tmp_path):
    data = names_file(tmp_path, {k: ttl_string(v) for k, v in TERMINAL.items()})
    proc = query(data, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    values = {b["s"]["value"].removeprefix(ID): b["name"]["value"] for b in json.loads(proc.stdout)["results"]["bindings"]}
    assert values == TERMINAL
    assert "\x1b" not in proc.stdout and "\\u001b]0;owned\\u0007y" in proc.stdout  # JSON escapes C0 itself


CARD_TTL = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <http://schema.org/> .
@prefix ckg: <https://w3id.org/customs-kg/ontology#> .
@prefix id: <https://w3id.org/customs-kg/id/> .
id:evil-body a org:Organization ; rdfs:label "Evil \\u001b]0;owned\\u0007Body"@en ;
  skos:prefLabel "Evil \\u001b]0;owned\\u0007Body"@en ; skos:altLabel "=HYPERLINK(\\"http://evil/\\",\\"x\\")"@en ;
  schema:description "line one\\nline two \\u202eowt|" .
id:role-chair a org:Role ; rdfs:label "Chair"@en ; skos:prefLabel "Chair"@en .
id:person-x a foaf:Person ; rdfs:label "Ivan \\u001b[2J Petrov"@en ; skos:prefLabel "Ivan \\u001b[2J Petrov"@en .
id:m1 a org:Membership ; org:member id:person-x ; org:organization id:evil-body ; org:role id:role-chair ;
  prov:wasDerivedFrom id:src, id:q1 ; ckg:attestedAt "2021-02-12"^^xsd:date .
id:src a schema:NewsArticle ; schema:headline "Headline \\u001b[31mred\\u009b" ; schema:datePublished "2021-02-12"^^xsd:date .
id:q1 a ckg:Quotation ; prov:value "-1 First line.\\nSecond \\u202eline." ; prov:wasQuotedFrom id:src .
"""


@pytest.fixture
def card_data(tmp_path):
    path = tmp_path / "card.ttl"
    path.write_text(CARD_TTL, encoding="utf-8")
    return path


def test_show_table_escapes_and_continues_a_multi_line_field_under_itself(card_data):
    proc = run_cli("show", "evil-body", "--quotes", "--data", str(card_data))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "Evil \\x1b]0;owned\\x07Body  [evil-body]\n"
        "types: Organization\n"
        "\n"
        "Names\n"
        "  Evil \\x1b]0;owned\\x07Body  (en, preferred)\n"
        "  =HYPERLINK(\"http://evil/\",\"x\")  (en, also)\n"
        "\n"
        "About\n"
        "  line one\n"
        "  line two \\u202eowt|\n"
        "\n"
        "Members and post holders\n"
        "  Ivan \\x1b[2J Petrov: Chair (attested 2021-02-12)\n"
        "    source: Headline \\x1b[31mred\\x9b (2021-02-12) [src]\n"
        "      “-1 First line.\n"
        "      Second \\u202eline.”\n")


def test_show_markdown_escapes_fields(card_data):
    proc = run_cli("show", "evil-body", "--quotes", "--data", str(card_data), "-f", "markdown")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "# Evil \\x1b]0;owned\\x07Body  [evil-body]\n"
        "*types:* Organization\n"
        "\n"
        "## Names\n"
        "- Evil \\x1b]0;owned\\x07Body  (en, preferred)\n"
        "- \\=HYPERLINK(\"http://evil/\",\"x\")  (en, also)\n"
        "\n"
        "## About\n"
        "- line one<br>line two \\u202eowt\\|\n"
        "\n"
        "## Members and post holders\n"
        "- Ivan \\x1b[2J Petrov: Chair (attested 2021-02-12)\n"
        "  - source: Headline \\x1b[31mred\\x9b (2021-02-12) [src]\n"
        "    > “-1 First line.<br>Second \\u202eline.”\n")


def test_show_csv_neutralises_and_raw_keeps(card_data):
    proc = run_cli("show", "person-x", "--quotes", "--data", str(card_data), "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "entity,section,text,target,start,end,status,basis,source,published,quote\n"
        "person-x,Memberships and posts,\"Chair, Evil \x1b]0;owned\x07Body (attested 2021-02-12)\",evil-body,,,,"
        "stated,src,2021-02-12,\"'-1 First line.\nSecond \u202eline.\"\n")
    raw = run_cli("show", "person-x", "--quotes", "--data", str(card_data), "-f", "csv", "--raw")
    assert raw.returncode == 0, raw.stderr
    assert raw.stdout == proc.stdout.replace("\"'-1 First", "\"-1 First")


def test_timeline_table_and_tsv(card_data):
    proc = run_cli("timeline", "person-x", "--quotes", "--data", str(card_data))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "Ivan \\x1b[2J Petrov  [person-x]\n"
        "types: Person\n"
        "\n"
        "Timeline\n"
        "  attested 2021-02-12       Posts and memberships: Chair, Evil \\x1b]0;owned\\x07Body (attested 2021-02-12)\n"
        "    source: Headline \\x1b[31mred\\x9b (2021-02-12) [src]\n"
        "      “-1 First line.\n"
        "      Second \\u202eline.”\n")
    tsv = run_cli("timeline", "person-x", "--quotes", "--data", str(card_data), "-f", "tsv")
    assert tsv.returncode == 0, tsv.stderr
    assert tsv.stdout.endswith("\tsrc\t2021-02-12\t\"'-1 First line.\nSecond \u202eline.\"\n")


@pytest.fixture
def hostile_facts(tmp_path):
    """The bad-input corpus's valid facts in a folder whose name is a formula with a pipe and an escape."""
    from test_bad_input import CORPUS
    import shutil

    name = "=1+2|\x1b[2J"
    shutil.copytree(CORPUS / "base", tmp_path / name)
    return tmp_path, name


def test_check_report_in_every_text_format(hostile_facts):
    cwd, name = hostile_facts
    where = f"{name}/sources/example-source.yaml"
    table = run_cli("check", name, cwd=cwd)
    assert table.returncode == 0, table.stderr
    assert "\x1b" not in table.stdout
    assert "      at =1+2|\\x1b[2J/sources/example-source.yaml:13\n" in table.stdout
    csv_out = run_cli("check", name, "-f", "csv", cwd=cwd)
    assert csv_out.returncode == 0, csv_out.stderr
    assert (f"example-committee; petrov-chair,'{where}:13,example-source\n") in csv_out.stdout
    raw = run_cli("check", name, "-f", "csv", "--raw", cwd=cwd)
    assert raw.stdout == csv_out.stdout.replace(f",'{where}", f",{where}")
    md = run_cli("check", name, "-f", "markdown", cwd=cwd)
    assert md.returncode == 0, md.stderr
    assert "| example-committee<br>petrov-chair | =1+2\\|\\x1b[2J/sources/example-source.yaml:13 | example-source |\n" \
        in md.stdout
    rows = [line for line in md.stdout.splitlines() if line.startswith("|")]
    assert len(rows) == 6 and all(len(re.findall(r"(?<!\\)\|", line)) == 7 for line in rows)  # 6 cells a row


def test_check_report_escapes_a_message_and_keeps_a_markdown_table():
    finding = Finding("named-differently", "warning", "=x \x1b[2J a|b\nnext \u202e", ("e|1",), (Loc("f.yaml", 3),))
    assert render_findings([finding], "table") == (
        "Warnings (1)\n\n  named-differently\n    =x \\x1b[2J a|b\\nnext \\u202e\n      at f.yaml:3\n\n"
        "0 errors, 1 warning, 0 notes\n")
    assert render_findings([finding], "markdown").splitlines()[2] == (
        "| warning | `named-differently` | =x \\x1b[2J a\\|b<br>next \\u202e | e\\|1 | f.yaml:3 |  |")
    assert render_findings([finding], "csv") == (
        "severity,check,message,entities,locations,sources\n"
        "warning,named-differently,\"'=x \x1b[2J a|b\nnext \u202e\",e|1,f.yaml:3,\n")


# ---------------------------------------------------------------------------
# Error messages
# ---------------------------------------------------------------------------

def test_a_problem_is_one_line_with_user_text_escaped():
    problem = Problem("sources/x.yaml", 14, "membership", "'petrov\u202echair\x1b[2J' is not a valid key\nnext")
    assert str(problem) == "sources/x.yaml:14: error: membership: 'petrov\\u202echair\\x1b[2J' is not a valid key\\nnext"


def test_an_error_message_echoing_a_name_shows_it_escaped(card_data):
    proc = run_cli("show", "nothing\u202e\x1b[2J", "--data", str(card_data))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: no entity matches 'nothing\\u202e\\x1b[2J'")
    assert "\x1b" not in proc.stderr and "\u202e" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_query_error_echoing_a_parameter_shows_it_escaped():
    proc = run_cli("query", "meeting-chair", "--param", "series=global-rilo-meetings", "--param", "number=2\x1b[2J\u202e")
    assert proc.returncode == 2
    assert proc.stderr == "error: --param number: '2\\x1b[2J\\u202e' is not a whole number (of at most 18 digits)\n"


# ---------------------------------------------------------------------------
# The rows of an endpoint go through the same formatter
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


def test_rows_from_an_endpoint_are_neutralised_and_escaped(oxigraph, tmp_path):
    literals = {**FORMULAS, **{k: ttl_string(v) for k, v in TERMINAL.items()}}
    data = names_file(tmp_path, literals)
    pushed = run_cli("push", "--data", str(data), "--endpoint", oxigraph.base, "--store-type", "oxigraph")
    assert pushed.returncode == 0, pushed.stderr
    remote = ("--endpoint", oxigraph.base, "--store-type", "oxigraph")
    csv_out = run_cli("query", "--text", NAME_QUERY, *remote, "-f", "csv", "--keys")
    assert csv_out.returncode == 0, csv_out.stderr
    assert csv_out.stdout == query(data, "-f", "csv", "--keys").stdout
    assert "a,\"'=HYPERLINK(\"\"http://evil/\"\",\"\"x\"\")\"\n" in csv_out.stdout
    assert {"d,'-2+3", "g,-5", "h,'-5", "i,-2.5"} <= set(csv_out.stdout.split("\n"))
    table = run_cli("query", "--text", NAME_QUERY, *remote)
    assert table.returncode == 0, table.stderr
    assert table.stdout == query(data).stdout
    assert "t1  x\\x1b]0;owned\\x07y\n" in table.stdout and "\x1b" not in table.stdout


def test_a_card_read_from_an_endpoint_is_escaped(oxigraph, card_data):
    graph = "urn:x:cards"
    pushed = run_cli("push", "--data", str(card_data), "--endpoint", oxigraph.base, "--store-type", "oxigraph",
                     "--graph", graph)
    assert pushed.returncode == 0, pushed.stderr
    proc = run_cli("show", "evil-body", "--quotes", "--endpoint", oxigraph.base, "--store-type", "oxigraph", "--graph", graph)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == run_cli("show", "evil-body", "--quotes", "--data", str(card_data)).stdout
    assert proc.stdout.startswith("Evil \\x1b]0;owned\\x07Body  [evil-body]\n")


# ---------------------------------------------------------------------------
# The viz page, in Chromium
# ---------------------------------------------------------------------------

VIZ_NAMES = {"child": "Child <!--<script> unit", "parent": "Parent </script><script>alert(1)</script> & \u2028 body"}


@pytest.fixture
def hostile_page(tmp_path):
    lines = ["@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
             "@prefix org: <http://www.w3.org/ns/org#> ."]
    for key, name in VIZ_NAMES.items():
        lines.append(f"<{ID}{key}> a org:Organization ; rdfs:label {ttl_string(name)}@en ; "
                     f"skos:prefLabel {ttl_string(name)}@en .")
    lines.append(f"<{ID}child> org:subOrganizationOf <{ID}parent> .")
    data = tmp_path / "viz.ttl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "structure.html"
    proc = run_cli("viz", "structure", "--data", str(data), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def test_page_data_cannot_end_its_script_element(hostile_page):
    html = hostile_page.read_text(encoding="utf-8")
    data = html.split('<script type="application/json" id="ckg-data">', 1)[1].split("</script>", 1)[0]
    assert not set(data) & set("<>&\u2028\u2029")
    nodes = [e["data"] for e in json.loads(data)["elements"] if e["group"] == "nodes"]
    assert {n["id"]: n["label"] for n in nodes} == VIZ_NAMES
    assert html.lower().count("<script") == 3 and html.lower().count("</script") == 3


def test_page_script_writes_data_as_text_only():
    from graph_builder.answering.viz import asset

    script = asset("page.js")
    assert "innerHTML" not in script and "outerHTML" not in script and "insertAdjacentHTML" not in script
    assert "document.write" not in script


def test_page_with_hostile_names_renders_in_chromium(browser, hostile_page):  # noqa: F811 - the fixture
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    try:
        page.goto(hostile_page.as_uri())
        page.wait_for_function("window.ckg && window.ckg.cy", timeout=10000)
        labels = page.evaluate("Object.fromEntries(ckg.cy.nodes().map(n => [n.id(), n.data('label')]))")
        assert labels == VIZ_NAMES
        assert page.evaluate("document.scripts.length") == 3
        page.evaluate("ckg.showCard('parent')")
        assert page.locator("#card h2").text_content() == VIZ_NAMES["parent"] + "  [parent]"
        assert page.locator("#card script").count() == 0
        page.evaluate("ckg.showCard('child')")
        assert page.locator("#card h2").text_content() == VIZ_NAMES["child"] + "  [child]"
        lines = page.evaluate("[...document.querySelectorAll('#card .line')].map(e => e.textContent)")
        assert lines == [VIZ_NAMES["child"] + "  (en, preferred)", VIZ_NAMES["parent"]]
        page.fill("#search", "script unit")
        assert page.evaluate("ckg.search().map(n => n.id())") == ["child"]
        assert errors == [] and dialogs == []
    finally:
        context.close()
