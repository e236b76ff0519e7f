"""The command line behaves as analysts' tools do (issue 17), through the installed ``customs-kg``.

No silent empty answers (names resolved, suggestions, required parameters),
the SPARQL 1.1 CSV and TSV results formats (read back by rdflib's parsers),
RDF answers of CONSTRUCT and DESCRIBE, standard input, readable tables, one
CSV row per fact, ``--store`` and ``--store-type``, ``validate --format``,
``--as-of`` on timelines, and help texts that say what the commands accept.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql.results.csvresults import CSVResultParser
from rdflib.plugins.sparql.results.jsonresults import JSONResultParser
from rdflib.plugins.sparql.results.tsvresults import TSVResultParser

from conftest import ROOT, cli_env

COMMAND = Path(sys.executable).parent / "customs-kg"  # the installed command
ID = "https://w3id.org/customs-kg/id/"
RILO_CIS = "Regional Intelligence Liaison Office for the Commonwealth of Independent States"  # 79 characters


def run(*args: str, stdin: str | bytes | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    data = stdin.decode("utf-8") if isinstance(stdin, bytes) else stdin
    return subprocess.run([str(COMMAND), *args], input=data if data is not None else "", capture_output=True,
                          text=True, cwd=ROOT, timeout=300, env=cli_env(**env))


def ok(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = run(*args, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def ok_bytes(*args: str) -> str:
    """The standard output as it is written (a CR stays a CR)."""
    proc = subprocess.run([str(COMMAND), *args], capture_output=True, cwd=ROOT, timeout=300, env=cli_env())
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode("utf-8")


def refused(*args: str, stdin: str | None = None) -> str:
    """The message of a command that must fail with exit 2 and print nothing."""
    proc = run(*args, stdin=stdin)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    return proc.stderr


def test_the_installed_command_is_used():
    assert COMMAND.is_file(), "tests run the installed command (pip install -e '.[test]')"


# --- 1. No silent empty answers ----------------------------------------------------------------------------

def test_a_key_that_names_nothing_is_an_error_with_suggestions_of_the_parameters_type():
    err = refused("query", "members-of-body", "-p", "body=rilo-xyz")
    assert "error: --param body: no organization matches 'rilo-xyz'; did you mean " \
           f"{RILO_CIS} (rilo-cis)?" in err
    # a meeting series is expected: an organization is not suggested, however close its name
    err = refused("query", "meeting-chair", "-p", "series=rilo-cis", "-p", "number=28")
    assert "no meeting series matches 'rilo-cis'" in err and "did you mean" not in err
    err = refused("query", "meeting-chair", "-p", "series=Globl RILO", "-p", "number=28")
    assert "did you mean Global RILO Meeting (global-rilo-meetings)?" in err
    err = refused("query", "person-timeline", "-p", "person=Bakanof")
    assert "no person matches 'Bakanof'; did you mean Oleg Bakanov (oleg-bakanov)?" in err
    # an IRI of an entity of another kind, and one of nothing
    err = refused("query", "meeting-chair", "-p", f"series={ID}rilo-cis", "-p", "number=28")
    assert f"<{ID}rilo-cis> is not a meeting series of the graph" in err
    err = refused("query", "members-of-body", "-p", f"body={ID}no-such-body")
    assert "no organization matches" in err


def test_the_why_examples_no_longer_print_zero_rows():
    # "query meeting-chair -p series=global-rilo-meeting -p number=28" printed (0 rows): the series'
    # preferred name is "Global RILO Meeting", so it is found, silently
    proc = ok("query", "meeting-chair", "-p", "series=global-rilo-meeting", "-p", "number=28")
    assert "(1 row)" in proc.stdout and "rilo-cis" in proc.stdout and "matched" not in proc.stderr
    # "members-of-body -p body=rilo-cs": found approximately, and said so
    proc = ok("query", "members-of-body", "-p", "body=rilo-cs")
    assert f"--param body: matched 'rilo-cs' as {RILO_CIS} (rilo-cis)" in proc.stderr
    assert "(8 rows)" in proc.stdout


def test_param_takes_any_name_show_takes():
    by_key = ok("query", "meeting-chair", "-p", "series=global-rilo-meetings", "-p", "number=28", "-f", "json")
    for name in ("Global RILO Meetings", "GLOBAL RILO MEETINGS", f"{ID}global-rilo-meetings",
                 "id:global-rilo-meetings"):
        proc = ok("query", "meeting-chair", "-p", f"series={name}", "-p", "number=28", "-f", "json")
        assert proc.stdout == by_key.stdout
        assert "matched" not in proc.stderr  # exact and alias matches are silent
    by_key = ok("query", "members-of-body", "-p", "body=rilo-cis", "-f", "json")
    for name in ("RILO-CIS", "RILO CIS", "rilo cis"):
        assert ok("query", "members-of-body", "-p", f"body={name}", "-f", "json").stdout == by_key.stdout


def test_show_says_an_approximate_match_and_not_an_exact_one():
    approximate = ok("show", "Oleg Bakanv")
    assert approximate.stdout.startswith("Oleg Bakanov  [oleg-bakanov]\n")
    assert "show: matched 'Oleg Bakanv' as Oleg Bakanov (oleg-bakanov)" in approximate.stderr
    exact = ok("show", "Oleg Bakanov")
    assert exact.stdout == approximate.stdout and "matched" not in exact.stderr
    assert "matched" not in ok("show", "RILO-Koln").stderr  # an alias


def test_did_you_mean_is_consistent(tmp_path):
    err = refused("viz", "structure", "--focus", "nobody here", "-o", str(tmp_path / "s.html"))
    assert "no entity matches 'nobody here'" in err and "did you mean" not in err
    assert "Border Troops" not in err
    assert not (tmp_path / "s.html").exists()
    assert "no query named 'meting-chair'; did you mean meeting-chair?" in refused("query", "meting-chair")
    # '-' is standard input, not a name to suggest *-violation rules for
    proc = ok("query", "-", stdin="SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/customs-kg/ontology#RILO> }")
    assert proc.stdout.splitlines()[2].strip() == "4"
    err = refused("query", "-", stdin="")
    assert "violation" not in err


def test_required_parameters_are_enforced():
    err = refused("query", "members-of-body")
    assert "query 'members-of-body' needs --param body=<Organization>" in err
    err = refused("query", "meeting-chair", "-p", "series=global-rilo-meetings")
    assert "needs --param number=<integer>" in err
    ok("query", "chair-succession")  # its only parameter is optional


def test_as_of_on_a_query_without_a_date_parameter_says_so():
    err = refused("query", "rilos", "--as-of", "2022")
    assert "query 'rilos' has no date parameter for --as-of to bind (its parameters: none)" in err
    assert "use --param" not in err
    err = refused("query", "members-of-body", "-p", "body=rilo-cis", "--as-of", "2022")
    assert "(its parameters: body (iri))" in err
    ok("query", "membership-network", "--as-of", "2022-06-01")


# --- 2. Standard results ---------------------------------------------------------------------------------

STANDARD = [("meeting-chair", ("-p", "series=global-rilo-meetings", "-p", "number=28")),
            ("members-of-body", ("-p", "body=rilo-cis")),
            ("operations-and-seizures", ()),
            ("person-timeline", ("-p", "person=oleg-bakanov")),
            ("chair-evidence", ())]


@pytest.mark.parametrize("name,params", STANDARD, ids=[n for n, _ in STANDARD])
def test_csv_and_tsv_read_back_by_rdflib_give_the_json_rows(name, params):
    answer = JSONResultParser().parse(io.StringIO(ok("query", name, *params, "-f", "json").stdout))
    expected = [tuple(row.get(v) for v in answer.vars) for row in answer.bindings]
    assert expected, "a query with rows"

    csv_text = ok_bytes("query", name, *params, "-f", "csv")
    assert csv_text.endswith("\r\n") and csv_text.count("\r\n") == len(expected) + 1  # CRLF, a line a row
    from_csv = CSVResultParser().parse(io.StringIO(csv_text))
    assert [str(v) for v in from_csv.vars] == [str(v) for v in answer.vars]
    # CSV keeps no datatype or language: the same lexical forms and IRIs
    assert [tuple(None if row.get(v) in (None, Literal("")) else str(row.get(v)) for v in from_csv.vars)
            for row in from_csv.bindings] == [tuple(None if t is None else str(t) for t in r) for r in expected]
    assert all(isinstance(row[v], URIRef) for row in from_csv.bindings for v in from_csv.vars
               if str(row.get(v, "")).startswith(ID))

    tsv_text = ok_bytes("query", name, *params, "-f", "tsv")
    assert "\r" not in tsv_text and tsv_text.count("\n") == len(expected) + 1
    from_tsv = TSVResultParser().parse(io.StringIO(tsv_text))
    assert [str(v) for v in from_tsv.vars] == [str(v) for v in answer.vars]
    assert [tuple(row.get(v) for v in from_tsv.vars) for row in from_tsv.bindings] == expected  # the same terms


def test_tsv_cells_are_rdf_terms_and_the_key_form_stays_available():
    tsv = ok("query", "members-of-body", "-p", "body=rilo-cis", "-f", "tsv").stdout.split("\n")
    assert tsv[0].startswith("?member\t?memberLabel\t")
    assert tsv[1].startswith(f"<{ID}customs-am>\t\"Customs administration of Armenia\"@en\t<{ID}country-am>")
    assert '"2021-02-12"^^<http://www.w3.org/2001/XMLSchema#date>' in tsv[1]
    keys = ok_bytes("query", "members-of-body", "-p", "body=rilo-cis", "-f", "csv", "--keys")
    assert keys.split("\n")[1].startswith("customs-am,Customs administration of Armenia,country-am,Armenia,")
    assert "\r" not in keys
    assert "--keys applies to --format csv and tsv only" in refused("query", "rilos", "--keys")


def test_construct_and_describe_give_rdf():
    construct = ("CONSTRUCT { ?r a <https://w3id.org/customs-kg/ontology#RILO> } "
                 "WHERE { ?r a <https://w3id.org/customs-kg/ontology#RILO> }")
    expected = {(URIRef(ID + k), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                 URIRef("https://w3id.org/customs-kg/ontology#RILO"))
                for k in ("rilo-cis", "rilo-eastern-central-europe", "rilo-western-europe", "rilo-south-america")}
    for fmt, rdflib_format in ((None, "turtle"), ("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        out = ok("query", "--text", construct, *(("-f", fmt) if fmt else ())).stdout
        assert set(Graph().parse(data=out, format=rdflib_format)) == expected, fmt
    for engine in ("oxigraph", "rdflib"):
        described = ok("query", "--text", f"DESCRIBE <{ID}rilo-cis>", "--engine", engine).stdout
        graph = Graph().parse(data=described, format="turtle")
        assert (URIRef(ID + "rilo-cis"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                Literal(RILO_CIS, lang="en")) in graph
    err = refused("query", "--text", construct, "-f", "csv")
    assert "is a CONSTRUCT or DESCRIBE: its answer is RDF; use --format ttl|turtle|nt|ntriples|jsonld" in err
    assert "is not a CONSTRUCT or DESCRIBE" in refused("query", "rilos", "-f", "ttl")


def test_standard_input_gives_a_query_or_the_data_and_keeps_the_safety(tmp_path):
    expected = ok("query", "rilos", "-f", "json").stdout
    with open(ROOT / "queries" / "cq" / "rilos.rq", encoding="utf-8") as f:
        assert ok("query", "-", "-f", "json", stdin=f.read()).stdout == expected
    turtle = ok("export").stdout
    assert ok("query", "rilos", "--data", "-", "-f", "json", stdin=turtle).stdout == expected
    ntriples = ok("export", "-f", "nt").stdout
    assert ok("query", "rilos", "--data", "-", "-f", "json", stdin=ntriples).stdout == expected
    jsonld = ok("export", "-f", "jsonld").stdout
    assert ok("show", "rilo-cis", "--data", "-", stdin=jsonld).stdout == ok("show", "rilo-cis").stdout
    assert "SERVICE" in refused("query", "-", stdin="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert "updates" in refused("query", "-", stdin="INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert "remote contexts are not fetched" in refused(
        "query", "rilos", "--data", "-", stdin='{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "urn:x"}')
    assert "cannot both be read from standard input" in refused("query", "-", "--data", "-", stdin="")


# --- 3. Readable output ------------------------------------------------------------------------------------

def on_terminal(*args: str, columns: int) -> str:
    """The command's output on a pseudo-terminal ``columns`` wide."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([str(COMMAND), *args], stdout=follower, stderr=subprocess.DEVNULL, cwd=ROOT,
                            env=cli_env(COLUMNS=str(columns)))
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_tables_are_whole_when_piped_and_fit_a_terminal():
    args = ("query", "meeting-chair", "-p", "series=global-rilo-meetings", "-p", "number=28")
    piped = ok(*args).stdout
    assert RILO_CIS in piped and "…" not in piped  # the label is longer than 60 characters
    wide = on_terminal(*args, columns=300)
    assert wide == piped
    narrow = on_terminal(*args, columns=80)
    lines = narrow.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert "…" in narrow and RILO_CIS not in narrow
    assert lines[-1] == "(1 row)"


def test_show_and_timeline_csv_give_one_row_per_fact():
    for args in (("timeline", "chleu-meetings"), ("show", "wco"), ("timeline", "oleg-bakanov"), ("show", "rilo-cis")):
        for quotes in ((), ("--quotes",)):
            rows = list(csv.reader(io.StringIO(ok(*args, "-f", "csv", *quotes).stdout)))
            facts = [tuple(r[:7]) for r in rows[1:]]
            assert len(facts) == len(set(facts)), (args, quotes)  # never a fact twice
    # the WCO Secretariat, a unit of the WCO, is stated by two sources: one row, both sources and quotes
    rows = list(csv.DictReader(io.StringIO(ok("show", "wco", "-f", "csv", "--quotes").stdout)))
    [secretariat] = [r for r in rows if r["text"] == "WCO Secretariat"]
    assert secretariat["source"] == "fcs-2021-02-12-28th-global-rilo-meeting; fcs-2021-04-08-russia-vice-chair-wco-ec"
    assert secretariat["published"] == "2021-02-12; 2021-04-08"
    assert secretariat["quote"].split("\n") == [
        "10 of 11 RILOs located on almost all continents, as well as representatives of the WCO Secretariat "
        "participated in the Meeting.",
        "It is a working body of the WCO and operates under the direction of the WCO Council and Political "
        "Commission with the administrative support of the WCO Secretariat."]
    without = list(csv.DictReader(io.StringIO(ok("show", "wco", "-f", "csv").stdout)))
    assert len(without) == len(rows) and all(r["quote"] == "" for r in without)


# --- 4. Conventions -------------------------------------------------------------------------------------------

def test_store_type_is_its_own_option_and_the_old_spelling_warns(tmp_path):
    proc = run("query", "rilos", "--endpoint", "http://127.0.0.1:9/", "--store", "oxigraph", "--timeout", "5")
    assert "warning: --store oxigraph is deprecated: write --store-type oxigraph" in proc.stderr
    assert proc.returncode != 0  # nothing listens there
    proc = run("query", "rilos", "--endpoint", "http://127.0.0.1:9/", "--store-type", "oxigraph", "--timeout", "5")
    assert "deprecated" not in proc.stderr and "127.0.0.1:9/query" in proc.stderr
    err = refused("query", "rilos", "--endpoint", "http://127.0.0.1:9/", "--store", str(tmp_path))
    assert "give the store type as --store-type generic|oxigraph|virtuoso" in err
    assert "invalid choice: 'mysql'" in refused("push", "--endpoint", "http://127.0.0.1:9/", "--store-type", "mysql")
    assert "--store-type is the kind of the store at --endpoint URL" in refused("query", "rilos", "--store-type",
                                                                                "oxigraph")
    help_text = ok("query", "--help").stdout
    assert "--store DIR" in help_text and "--store-type {generic,oxigraph,virtuoso}" in help_text


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    path = tmp_path_factory.mktemp("validate") / "graph.ttl"
    ok("export", "-o", str(path))
    return path


def test_validate_names_the_file_and_reports_as_text_json_or_turtle(exported):
    text = run("validate", str(exported), "--no-reason")
    assert text.returncode == 0
    assert "(graph)" not in text.stderr
    warnings = [line for line in text.stderr.splitlines() if ": warning: " in line]
    assert warnings and all(line.startswith(f"{exported}: warning: ") for line in warnings)
    assert text.stdout == f"{exported}: 3067 triples; 0 violation(s), 4 warning(s); OWL consistency: skipped\n"

    report = json.loads(ok("validate", str(exported), "--no-reason", "-f", "json").stdout)
    assert report["file"] == str(exported) and report["conforms"] is True
    assert (report["triples"], report["violations"], report["warnings"]) == (3067, 0, 4)
    assert {r["shape"] for r in report["results"]} == {"ckgsh:NewsArticle-datePublished-missing",
                                                        "ckgsh:NewsArticle-publisher-missing"}

    turtle = ok("validate", str(exported), "--no-reason", "-f", "turtle").stdout
    assert turtle == ok("validate", str(exported), "--no-reason", "-f", "turtle").stdout  # deterministic
    graph = Graph().parse(data=turtle, format="turtle")
    [node] = graph.subjects(URIRef(str(SH.conforms)), None)
    assert graph.value(node, URIRef(str(SH.conforms))) == Literal(True)
    results = list(graph.objects(node, URIRef(str(SH.result))))
    assert len(results) == 4
    assert {graph.value(r, URIRef(str(SH.resultSeverity))) for r in results} == {URIRef(str(SH.Warning))}

    with open(exported, encoding="utf-8") as f:
        piped = run("validate", "-", "--no-reason", stdin=f.read())
    assert piped.stdout.startswith("<stdin>: 3067 triples;") and "<stdin>: warning: " in piped.stderr


def test_validate_fails_with_a_violation_in_every_format(tmp_path, exported):
    bad = tmp_path / "bad.ttl"
    bad.write_text(exported.read_text(encoding="utf-8").replace(
        '"Regional Intelligence Liaison Office for the Commonwealth of Independent States"@en', "", 1)
        if False else exported.read_text(encoding="utf-8") + "\n<https://w3id.org/customs-kg/id/x> a "
        "<http://schema.org/Country> .\n", encoding="utf-8")
    for fmt in ("text", "json", "turtle"):
        proc = run("validate", str(bad), "--no-reason", "-f", fmt)
        assert proc.returncode == 1, (fmt, proc.stderr)
    report = json.loads(run("validate", str(bad), "--no-reason", "-f", "json").stdout)
    assert report["conforms"] is False and report["violations"] >= 1
    turtle = run("validate", str(bad), "--no-reason", "-f", "turtle").stdout
    graph = Graph().parse(data=turtle, format="turtle")
    assert Literal(False) in set(graph.objects(None, URIRef(str(SH.conforms))))


SUBCOMMANDS = ("build", "validate", "query", "push", "show", "timeline", "check", "export", "synth",
               "new-source", "draft", "sentences", "viz", "site")
_OPTION = re.compile(r"^  (-\w, )?(--[\w-]+)(?: ([A-Z_|a-z-]+|\{[^}]*\}))?", re.M)


def _sample(metavar: str | None) -> list[str]:
    """A value the option's help promises to accept."""
    if metavar is None:
        return []
    if metavar.startswith("{"):
        return [metavar[1:-1].split(",")[0]]
    numbers = {"SECONDS": "5", "N": "1000", "MIB": "1", "DEPTH": "1", "SEED": "1", "TRIPLES": "1000"}
    if metavar in numbers:
        return [numbers[metavar]]
    return {"DATE": ["2022"], "URL": ["http://127.0.0.1:9/"], "IRI": ["urn:x"], "FORMAT": ["ttl"]}.get(metavar, ["x"])


def test_the_help_lists_every_command_and_each_has_its_help():
    listed = re.findall(r"^    ([a-z-]+)(?:  |$)", ok("--help").stdout, re.M)
    assert tuple(listed) == SUBCOMMANDS


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_option_in_the_help_is_accepted(command):
    help_text = ok(command, "--help").stdout
    options = _OPTION.findall(help_text)
    assert options, help_text
    for _short, option, metavar in options:
        if option == "--help":
            continue
        proc = run(command, option, *_sample(metavar or None), "--help")
        assert proc.returncode == 0 and proc.stdout == help_text, (command, option, proc.stderr)


def test_every_format_and_language_listed_works(exported):
    for fmt in ("table", "csv", "tsv", "json", "markdown"):
        ok("query", "rilos", "-f", fmt)
        ok("query", "--list", "-f", fmt)
        ok("show", "rilo-cis", "-f", fmt)
        ok("timeline", "global-rilo-meetings", "-f", fmt)
    for fmt in ("ttl", "turtle", "nt", "ntriples", "jsonld"):
        ok("query", "--text", f"DESCRIBE <{ID}rilo-cis>", "-f", fmt)
    for fmt, parse_as in (("turtle", "turtle"), ("ttl", "turtle"), ("ntriples", "nt"), ("nt", "nt"),
                          ("nquads", "nquads"), ("nq", "nquads"), ("trig", "trig"), ("jsonld", "json-ld"),
                          ("json-ld", "json-ld")):
        from rdflib import Dataset

        assert len(Dataset().parse(data=ok("export", "-f", fmt).stdout, format=parse_as)) > 0, fmt
    for lang in ("en", "ru", "fr"):
        ok("show", "fcs-russia", "--lang", lang)
    assert "invalid choice: 'de'" in refused("viz", "structure", "--lang", "de")
    for fmt in ("text", "json", "turtle"):
        ok("validate", str(exported), "--no-reason", "-f", fmt)
    assert ok("--version").stdout.startswith("customs-kg ")


# --- 5. --as-of everywhere ----------------------------------------------------------------------------------

def test_timeline_as_of_leaves_out_what_had_not_happened():
    whole = ok("timeline", "global-rilo-meetings").stdout
    assert "30th Global RILO Meeting (2023-01-24 – 2023-01-25" in whole
    as_of = ok("timeline", "global-rilo-meetings", "--as-of", "2022-06-01").stdout
    assert "as of 2022-06-01" in as_of
    assert "30th Global RILO Meeting" not in as_of
    assert "Meetings: 28th Global RILO Meeting (2021-01-19 – 2021-01-20; online; chaired by " in as_of
    assert re.search(r"28th Global RILO Meeting \(2021-01-19 – 2021-01-20;[^\n]*\) \[held\]", as_of)
    early = ok("timeline", "global-rilo-meetings", "--as-of", "2021").stdout
    assert "28th Global RILO Meeting (2021-01-19" in early and "30th" not in early
    assert "28th Global RILO Meeting" not in ok("timeline", "global-rilo-meetings", "--as-of", "2020-12").stdout


def test_a_post_attested_only_at_a_date_is_shown_at_that_date():
    out = ok("timeline", "oleg-bakanov").stdout
    assert "Undated" not in out
    assert ("  attested 2021-03          Posts and memberships: Deputy Head, Central Enforcement Department of "
            "the Federal Customs Service of Russia (attested 2021-03)") in out
    data = json.loads(ok("timeline", "oleg-bakanov", "-f", "json").stdout)
    assert data["undated"] == []
    assert any(line.get("attested") == "2021-03" for line in data["dated"])


def test_timeline_as_of_lists_only_the_meetings_held_by_then_under_a_term(tmp_path):
    import shutil

    from conftest import BUNDLED_FACTS

    facts = tmp_path / "facts"  # the bundled facts and an invented article (a chair's term over three meetings)
    shutil.copytree(BUNDLED_FACTS, facts)
    for part in ("sources", "texts", "entities"):
        for path in (ROOT / "tests" / "articles" / "inland-waters" / part).iterdir():
            shutil.copy2(path, facts / part / path.name)
    whole = ok("timeline", "inland-waters-council-meetings", "--facts", str(facts)).stdout
    assert ("meetings in this term: 5th Meeting of the Inland Waters Customs Council, 6th Meeting of the Inland "
            "Waters Customs Council, 7th Meeting of the Inland Waters Customs Council (scheduled) [derived: meetings in this "
            "term, from the term's dates]\n") in whole
    as_of = ok("timeline", "inland-waters-council-meetings", "--facts", str(facts), "--as-of", "2025-01").stdout
    assert "meetings in this term: 5th Meeting of the Inland Waters Customs Council [derived: meetings in this term, from the term's dates] [held" in as_of
    assert "6th Meeting" not in as_of and "7th Meeting" not in as_of
    # a month asks "by the end of it": the 6th meeting (2025-06-03) is held by 2025-06, the 7th is not
    june = ok("timeline", "inland-waters-council-meetings", "--facts", str(facts), "--as-of", "2025-06").stdout
    assert ("6th Meeting of the Inland Waters Customs Council (2025-06-03; Lakeport; chaired by Northern Lakes Customs "
            "Service (derived: within the chair's term)) [held]") in june
    assert "7th Meeting" not in june


def test_the_program_ends_at_once_with_every_word_written_and_every_file_whole(tmp_path):
    """The installed command ends with os._exit after a build (no object-by-object teardown): what it printed to a
    file is whole, its exit code is the command's, and the graph it wrote reads back with every triple."""
    from rdflib import Graph

    printed = tmp_path / "printed.txt"
    with printed.open("wb") as out:
        proc = subprocess.run([str(COMMAND), "build", "-o", str(tmp_path / "out"), "--no-reason", "--no-cache"],
                              stdout=out, stderr=subprocess.PIPE, cwd=ROOT, timeout=600, env=cli_env())
    assert proc.returncode == 0, proc.stderr
    text = printed.read_text(encoding="utf-8")
    assert text.rstrip("\n").splitlines()[-1].startswith("seconds: in all"), text
    triples = int(next(line.split()[-1] for line in text.splitlines() if line.startswith("triples ")))
    assert len(Graph().parse(tmp_path / "out" / "customs-kg.ttl", format="turtle")) == triples
    with printed.open("wb") as out:  # a long answer to a file, and a failing command's exit code
        long = subprocess.run([str(COMMAND), "query", "members-of-body", "-p", "body=rilo-cis", "-f", "json"],
                              stdout=out, stderr=subprocess.PIPE, cwd=ROOT, timeout=300, env=cli_env())
    assert long.returncode == 0 and json.loads(printed.read_text(encoding="utf-8"))["results"]["bindings"]
    assert run("show", "no such entity anywhere").returncode == 2
