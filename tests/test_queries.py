"""The named SPARQL queries: headers, safe parameters, the answers read from the sources.

Every ``.rq`` file under ``queries/`` is checked for a complete header and
parsed. Each competency-question query (``queries/cq``) is run with realistic
parameters and must give exactly the rows a reader of the five source articles
expects (the sentence each expectation comes from is quoted next to it). The
same query must give the same rows in Oxigraph, loaded with the exported
Turtle, with the parameters bound by a ``VALUES`` clause: the queries are
portable SPARQL 1.1. Each check (``queries/checks/*-violation.rq``) must return
no rows on the bundled facts, and must catch its rule broken on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery

from graph_builder.errors import QueryError
from graph_builder.loading.dates import parse_date
from graph_builder.namespaces import CKG, FOAF, ID, ORG, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS, TIME, XSD
from graph_builder.writing import serialize
from graph_builder.answering.query import (PARAM_TYPES, NamedQuery, Rows, all_queries, bind_value, check_safe, find_query,
                                 run)
from graph_builder.answering.results import rows_as_strings
from graph_builder.answering.temporal import Truth, holds, read_memberships

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
QUERIES = all_queries(QUERIES_DIR)
CQ = {name: q for name, q in QUERIES.items() if q.path.parent.name == "cq"}
CHECKS = {name: q for name, q in QUERIES.items() if q.path.parent.name == "checks"}

# Source articles, by key.
S000 = "fcs-2021-02-12-28th-global-rilo-meeting"           # texts/000: 28th Global RILO Meeting
S001 = "wco-2023-02-03-30th-global-rilo-meeting"           # texts/001: 30th Global RILO Meeting
S002 = "wco-2016-01-07-european-region-enforcement-cooperation"  # texts/002: 21st European Region meeting
S003 = "fcs-2021-04-08-russia-vice-chair-wco-ec"            # texts/003: 41st session of the WCO EC
S004 = "chleu-24th-meeting-kazan"                           # texts/004: 24th CHLEU meeting, Kazan

# Labels used in several expectations.
RILO_CIS = "Regional Intelligence Liaison Office for the Commonwealth of Independent States"
CHLEU = "Committee of Heads of Law Enforcement Units of the Council of Heads of Customs Services of the CIS"
CHLEU_24 = "24th Meeting of the Committee of Heads of Law Enforcement Units of the Council of Heads of Customs Services of the CIS"
CED = "Central Enforcement Department of the Federal Customs Service of Russia"
DELEGATION = "Russian Customs delegation to the 41st session of the WCO Enforcement Committee"
EC_41 = "41st session of the WCO Enforcement Committee"


# --- Helpers ----------------------------------------------------------------------

def rows(graph: Graph, query: str, params: dict[str, str] | None = None) -> list[tuple[str, ...]]:
    """The rows of a named query, as display strings, sorted."""
    return sorted(rows_as_strings(run(graph, QUERIES[query], params or {})))


def projected_variables(q: NamedQuery) -> list[str]:
    return [str(v) for v in prepareQuery(q.text).algebra["PV"]]


def query_body(q: NamedQuery) -> str:
    """The query without its comment lines."""
    return "\n".join(line for line in q.text.splitlines() if not line.lstrip().startswith("#"))


def with_values(q: NamedQuery, params: dict[str, str]) -> str:
    """The query with its parameters bound by a VALUES clause, first in the top-level WHERE group.

    This is how a consumer binds the parameters in a store with no
    ``initBindings``; the queries use parameters only in the top-level group,
    so the answer is the same.
    """
    text = query_body(q)
    if not params:
        return text
    declared = {p.name: p for p in q.params}
    terms = [bind_value(declared[k], v) for k, v in params.items()]
    where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
    assert where, f"{q.name}: no WHERE {{"
    values = f"\n  VALUES ({' '.join('?' + k for k in params)}) {{ ({' '.join(t.n3() for t in terms)}) }}\n"
    return text[:where.end()] + values + text[where.end():]


def oxigraph_cell(term: object) -> str:
    if term is None:
        return ""
    value = term.value  # type: ignore[attr-defined]
    if isinstance(term, pyoxigraph.NamedNode) and value.startswith(str(ID)):
        return value[len(str(ID)):]
    return value


def oxigraph_rows(store: pyoxigraph.Store, query: str, params: dict[str, str] | None = None) -> list[tuple[str, ...]]:
    """The rows of a named query in Oxigraph, parameters bound by VALUES, sorted."""
    q = QUERIES[query]
    solutions = store.query(with_values(q, params or {}))
    return sorted(tuple(oxigraph_cell(s[v]) for v in q.columns) for s in solutions)


def oxigraph_store(graph: Graph) -> pyoxigraph.Store:
    """A (modified) graph in Oxigraph, as N-Triples."""
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def copy_of(graph: Graph) -> Graph:
    g = Graph()
    for t in graph:
        g.add(t)
    return g


@pytest.fixture(scope="module")
def ox_store(built):
    """The exported Turtle of the bundled facts, loaded into Oxigraph."""
    store = pyoxigraph.Store()
    store.load(serialize.turtle(built.merged()).encode("utf-8"), pyoxigraph.RdfFormat.TURTLE)
    return store


# --- Files and headers ----------------------------------------------------------------

def test_there_are_queries_and_checks():
    assert len(CQ) >= 27 and CHECKS


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_file_has_a_complete_header(name):
    q = QUERIES[name]
    lines = q.text.splitlines()
    assert lines[0].startswith("# Question: "), f"{q.path} must start with '# Question:'"
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    assert any(line.startswith("# Parameters:") for line in header)
    assert any(line.startswith("# Columns: ") for line in header)
    assert q.question and q.columns
    # The columns are the SELECT variables, in order.
    assert list(q.columns) == projected_variables(q)
    # Each parameter has a type and a description and is a variable of the query.
    body = query_body(q)
    for p in q.params:
        assert p.type in PARAM_TYPES and p.doc, p
        assert re.search(rf"\?{re.escape(p.name)}\b", body), f"{name}: parameter ?{p.name} is not used"
    if q.path.parent.name == "checks":
        assert name.endswith("-violation") and not q.params
        assert not any(line.startswith("# Competency question:") for line in header)
    elif q.path.parent.name == "network":
        # The networks behind `customs-kg viz`: no competency question of their own.
        assert not any(line.startswith("# Competency question:") for line in header)
    else:
        numbers = [line for line in header if line.startswith("# Competency question: ")]
        assert len(numbers) == 1 and re.fullmatch(r"# Competency question: ([1-9]|1[0-9]|2[0-9])", numbers[0])


def test_each_competency_question_has_exactly_one_query():
    numbers = sorted(int(re.search(r"^# Competency question: (\d+)$", q.text, re.M).group(1)) for q in CQ.values())
    # 1-27: docs' competency questions; 28-29: new kinds of facts (queries/README.md)
    assert numbers == list(range(1, 30))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_parses_in_rdflib_and_oxigraph(name):
    q = QUERIES[name]
    check_safe(q.text)
    prepareQuery(q.text)              # no initNs: the file declares its own prefixes
    list(pyoxigraph.Store().query(q.text))  # parses and runs on an empty store


PLACEHOLDERS = [r"\{\d*\}", r"\{[A-Za-z_]\w*\}", r"%\(\w+\)[sd]", r"%[sd]\b", r"\$\{?\w+", r"\{\{|\}\}", r"<<\w+>>"]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_has_no_string_formatting_placeholders(name):
    body = query_body(QUERIES[name])
    for pattern in PLACEHOLDERS:
        assert not re.search(pattern, body), f"{name}: looks like a text placeholder ({pattern})"


def test_readme_lists_every_competency_question_and_every_query():
    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    for n in range(1, 30):
        assert re.search(rf"^\| {n} \| ", readme, re.M), f"question {n} is not in queries/README.md"
    for q in QUERIES.values():
        assert f"`{q.path.parent.name}/{q.path.name}`" in readme, f"{q.path.name} is not in queries/README.md"
    for q in CQ.values():
        number = re.search(r"^# Competency question: (\d+)$", q.text, re.M).group(1)
        assert re.search(rf"^\| {number} \|.*`cq/{q.path.name}`", readme, re.M)


# --- Expected answers, read from the sources ----------------------------------------------
#
# (query, parameters, rows). Rows are compared as sorted lists; '' is an
# unbound cell (unknown).

EXPECTED: list[tuple[str, dict[str, str], list[tuple[str, ...]]]] = [
    # 1. 000: "In 2020 RILO CIS was elected Chairman of the Global RILO Meetings for the
    #    period 2021-2022 for the first time." and "The 28th Global RILO Meeting was held
    #    virtually under the chairmanship of the RILO CIS, for the first time, on 19-20
    #    January, 2021."
    ("chair-of-series-in-year", {"body": "global-rilo-meetings", "year": "2021"}, [
        ("rilo-cis", RILO_CIS, "2021", "2022", "global-rilo-meeting-28", "28", "2021-01-19", S000, "stated"),
    ]),
    # 1. The term 2021-2022 also covers a question about 2022.
    ("chair-of-series-in-year", {"body": "global-rilo-meetings", "year": "2022-06-30"}, [
        ("rilo-cis", RILO_CIS, "2021", "2022", "global-rilo-meeting-28", "28", "2021-01-19", S000, "stated"),
    ]),
    # 1. 001 says who hosted the 30th meeting (2023) but not who chaired: unknown.
    ("chair-of-series-in-year", {"body": "global-rilo-meetings", "year": "2023"}, []),
    # 2. 004: "The meeting was chaired by Oleg Gubaidulin, Deputy Head of the Federal
    #    Customs Service of Russia." and "During the meeting, Oleg Gubaidulin was
    #    re-elected as the Chairman of CHLEU."
    ("meeting-chair", {"series": "chleu-meetings", "number": "24"}, [
        ("chleu-meeting-24", "oleg-gubaidulin", "Oleg Gubaidulin", "", "", f"Chair, {CHLEU}", S004),
        ("chleu-meeting-24", "oleg-gubaidulin", "Oleg Gubaidulin", "", "",
         "Deputy Head, Federal Customs Service of Russia", S004),
    ]),
    # 2. 000: "... held virtually under the chairmanship of the RILO CIS ..."
    ("meeting-chair", {"series": "global-rilo-meetings", "number": "28"}, [
        ("global-rilo-meeting-28", "rilo-cis", RILO_CIS, "", "", "", S000),
    ]),
    # 2. 001 names the host (WCO), the opening speaker and a presenter, not a chair.
    ("meeting-chair", {"series": "global-rilo-meetings", "number": "30"}, [
        ("global-rilo-meeting-30", "", "", "", "", "", ""),
    ]),
    # 3. 000: "RILO South America has been elected as a Vice-Chair of the Global RILO
    #    Meetings with tenure for the period of the RILO CIS chairmanship." (at the 28th
    #    meeting; the chairmanship is 2021-2022).
    ("vice-chairs-during-chairmanship", {"body": "global-rilo-meetings", "chair": "rilo-cis"}, [
        ("rilo-cis", RILO_CIS, "2021", "2022", "rilo-south-america",
         "Regional Intelligence Liaison Office for South America", "", "2021", "2022",
         "global-rilo-meeting-28", "28th Global RILO Meeting", "", S000),
    ]),
    # 3. 003: "The nomination of the representative of the Russian Federation for the post
    #    of Vice-Chair of the WCO EC ..." "During the 41st session of the WCO EC Oleg
    #    Bakanov, the Deputy Head of the Central Enforcement Department was elected to this
    #    position." The chair of the Enforcement Committee is not named: unknown.
    ("vice-chairs-during-chairmanship", {"body": "wco-enforcement-committee"}, [
        ("", "", "", "", "oleg-bakanov", "Oleg Bakanov", "country-ru", "2021-03", "", "wco-ec-session-41", EC_41,
         "", S003),
    ]),
    # 4. 004: "During the meeting, Oleg Gubaidulin was re-elected as the Chairman of
    #    CHLEU." (he succeeded himself); 000: RILO CIS chaired "for the first time" and no
    #    source names its predecessor.
    ("chair-succession", {}, [
        ("chleu", CHLEU, "tenure", "oleg-gubaidulin", "Oleg Gubaidulin", "", "", "", "", "oleg-gubaidulin",
         "Oleg Gubaidulin", "re-elected", "stated", S004),
        ("global-rilo-meetings", "Global RILO Meeting", "tenure", "rilo-cis", RILO_CIS, "2021", "2022", "", "", "", "",
         "", "stated", S000),
        # ... and the chairs of the series' meetings, each labelled (004: "The meeting was chaired by Oleg
        # Gubaidulin"; 000: "held virtually under the chairmanship of the RILO CIS ... on 19-20 January, 2021").
        ("global-rilo-meetings", "Global RILO Meeting", "meeting", "rilo-cis", RILO_CIS, "2021-01-19", "2021-01-20", "",
         "global-rilo-meeting-28", "", "", "", "stated", S000),
        ("chleu-meetings", f"Meeting of the {CHLEU}", "meeting", "oleg-gubaidulin", "Oleg Gubaidulin", "", "", "",
         "chleu-meeting-24", "", "", "", "stated", S004),
    ]),
    # 5. 000: "In his welcoming speech the WCO Deputy Secretary General Mr. Ricardo Trevino
    #    commended ..." (at the meeting of 19-20 January 2021); the holding is attested
    #    "2021-01". Held in January 2021; on the 19th itself we cannot tell from a
    #    month (docs/time.md), so he is listed as "cannot tell".
    ("post-holder-on-date", {"body": "wco", "date": "2021-01-19"}, [
        ("ricardo-trevino", "Ricardo Treviño", "role/deputy-secretary-general", "Deputy Secretary General",
         "cannot tell", "", "", "", "2021-01", "attested around D", S000),
    ]),
    ("post-holder-on-date", {"body": "wco", "date": "2021-01"}, [
        ("ricardo-trevino", "Ricardo Treviño", "role/deputy-secretary-general", "Deputy Secretary General",
         "held", "", "", "", "2021-01", "attested", S000),
    ]),
    # 5. 003: Oleg Bakanov was elected Vice-Chair of the WCO EC at the 41st session, in
    #    March 2021; no end of the term is stated, so it is taken as ongoing.
    ("post-holder-on-date", {"body": "wco-enforcement-committee", "date": "2021-06", "post": "role/vice-chair"}, [
        ("oleg-bakanov", "Oleg Bakanov", "role/vice-chair", "Vice-Chair", "held", "2021-03", "", "", "",
         "term, no end recorded", S003),
    ]),
    # 5. ... in the middle of March 2021 we cannot tell whether the session had elected him yet ...
    ("post-holder-on-date", {"body": "wco-enforcement-committee", "date": "2021-03-15"}, [
        ("oleg-bakanov", "Oleg Bakanov", "role/vice-chair", "Vice-Chair", "cannot tell", "2021-03", "", "", "",
         "began around D", S003),
    ]),
    # 5. ... and not before March 2021.
    ("post-holder-on-date", {"body": "wco-enforcement-committee", "date": "2021-02-28"}, []),
    # 5. 000: RILO CIS "was elected Chairman of the Global RILO Meetings for the period
    #    2021-2022" and RILO South America Vice-Chair "for the period of the RILO CIS
    #    chairmanship": a term through the end of 2022 ...
    ("post-holder-on-date", {"body": "global-rilo-meetings", "date": "2022-06-01"}, [
        ("rilo-cis", RILO_CIS, "role/chair", "Chair", "held", "2021", "2022", "", "", "term", S000),
        ("rilo-south-america", "Regional Intelligence Liaison Office for South America", "role/vice-chair",
         "Vice-Chair", "held", "2021", "2022", "", "", "term", S000),
    ]),
    # 5. ... and over in 2023 (001 names no chair of the 30th meeting).
    ("post-holder-on-date", {"body": "global-rilo-meetings", "date": "2023"}, []),
    # 5. 004: "Oleg Gubaidulin was re-elected as the Chairman of CHLEU" with no date: at any
    #    date we cannot tell.
    ("post-holder-on-date", {"body": "chleu", "date": "2023"}, [
        ("oleg-gubaidulin", "Oleg Gubaidulin", "role/chair", "Chair", "cannot tell", "", "", "", "", "no dates recorded",
         S004),
    ]),
    # 6. 003: "In March 2021 the Russian Customs delegation ... led by Mr. Oleg Bakanov,
    #    Deputy Head of Central Enforcement Department, took part in 41st session of the
    #    WCO Enforcement Committee (EC)." and "During the 41st session of the WCO EC Oleg
    #    Bakanov ... was elected to this position." (Vice-Chair)
    #    He led the delegation for the FCS of Russia and was nominated as "the
    #    representative of the Russian Federation".
    ("person-timeline", {"person": "oleg-bakanov"}, [
        ("meeting role", "role/head-of-delegation", "Head of Delegation", "wco-ec-session-41", EC_41, "fcs-russia",
         "2021-03", "2021-03", "", "", S003),
        ("post", "role/deputy-head", "Deputy Head", "fcs-central-enforcement-department", CED, "",
         "", "", "2021-03", "", S003),
        ("post", "role/head-of-delegation", "Head of Delegation", "fcs-delegation-wco-ec-41", DELEGATION, "",
         "", "", "2021-03", "", S003),
        ("post", "role/vice-chair", "Vice-Chair", "wco-enforcement-committee", "WCO Enforcement Committee",
         "country-ru", "2021-03", "", "", "wco-ec-session-41", S003),
    ]),
    # 7. Oleg Bakanov (003, above) and Oleg Gubaidulin, 004: "The meeting was chaired by
    #    Oleg Gubaidulin, Deputy Head of the Federal Customs Service of Russia." and "...
    #    re-elected as the Chairman of CHLEU."
    ("people-with-posts-in-several-bodies", {}, [
        ("oleg-bakanov", "Oleg Bakanov", "fcs-central-enforcement-department", CED, "role/deputy-head",
         "Deputy Head", "", "", "2021-03"),
        ("oleg-bakanov", "Oleg Bakanov", "fcs-delegation-wco-ec-41", DELEGATION, "role/head-of-delegation",
         "Head of Delegation", "", "", "2021-03"),
        ("oleg-bakanov", "Oleg Bakanov", "wco-enforcement-committee", "WCO Enforcement Committee",
         "role/vice-chair", "Vice-Chair", "2021-03", "", ""),
        ("oleg-gubaidulin", "Oleg Gubaidulin", "chleu", CHLEU, "role/chair", "Chair", "", "", ""),
        ("oleg-gubaidulin", "Oleg Gubaidulin", "fcs-russia", "Federal Customs Service of Russia",
         "role/deputy-head", "Deputy Head", "", "", ""),
    ]),
    # 8. RILO CIS chaired the 28th Global RILO Meeting (000), Oleg Gubaidulin the 24th
    #    CHLEU meeting (004); no other chair of a meeting is named.
    ("meetings-per-chairing-organization", {}, [
        ("oleg-gubaidulin", "Oleg Gubaidulin", "1", "0"),
        ("rilo-cis", RILO_CIS, "1", "0"),
    ]),
    # 9. 000: "... (RILO CIS) ... is structurally part of the Central Enforcement
    #    Department of the Federal Customs Service of Russia."
    ("parent-bodies", {"org": "rilo-cis"}, [
        ("1", "part of", "fcs-central-enforcement-department", CED, "rilo-cis", RILO_CIS),
        ("2", "part of", "fcs-russia", "Federal Customs Service of Russia", "fcs-central-enforcement-department", CED),
    ]),
    # 9. 003: "It is a working body of the WCO and operates under the direction of the WCO
    #    Council and Political Commission with the administrative support of the WCO
    #    Secretariat."
    ("parent-bodies", {"org": "wco-enforcement-committee"}, [
        ("1", "part of", "wco", "World Customs Organization", "wco-enforcement-committee", "WCO Enforcement Committee"),
        ("1", "reports to", "wco-council", "WCO Council", "wco-enforcement-committee", "WCO Enforcement Committee"),
        ("1", "reports to", "wco-policy-commission", "WCO Policy Commission", "wco-enforcement-committee",
         "WCO Enforcement Committee"),
    ]),
    # 10. 000: "In addition to Russia, RILO CIS officially includes national contact points
    #     of the customs services of Azerbaijan, Armenia, Belarus, Kazakhstan, Kyrgyzstan,
    #     Tajikistan and Uzbekistan." No term: since when is unknown; the article of
    #     2021-02-12 states it in the present tense, so it is attested on that day.
    ("members-of-body", {"body": "rilo-cis"}, [
        (f"customs-{c}", f"Customs administration of {n}", f"country-{c}", n, "role/national-contact-point",
         "National Contact Point", "", "", "2021-02-12", S000)
        for c, n in [("am", "Armenia"), ("az", "Azerbaijan"), ("by", "Belarus"), ("kz", "Kazakhstan"),
                     ("kg", "Kyrgyzstan"), ("tj", "Tajikistan"), ("uz", "Uzbekistan")]
    ] + [
        ("fcs-russia", "Federal Customs Service of Russia", "country-ru", "Russia", "role/national-contact-point",
         "National Contact Point", "", "", "2021-02-12", S000),
    ]),
    # 11. 000: RILO CIS "established on 13.09.2001 ... is structurally part of the Central
    #     Enforcement Department of the Federal Customs Service of Russia"; 002 names
    #     "RILO-Warsaw, RILO-Koln"; 000 names RILO South America, with no place or date.
    ("rilos", {}, [
        ("rilo-cis", RILO_CIS, "", "", "country-ru", "Russia", "fcs-central-enforcement-department", CED, "2001-09-13"),
        ("rilo-eastern-central-europe", "Regional Intelligence Liaison Office for Eastern and Central Europe",
         "warsaw", "Warsaw", "country-pl", "Poland", "", "", ""),
        ("rilo-south-america", "Regional Intelligence Liaison Office for South America", "", "", "", "", "", "", ""),
        ("rilo-western-europe", "Regional Intelligence Liaison Office for Western Europe",
         "cologne", "Cologne", "country-de", "Germany", "", "", ""),
    ]),
    # 12. March 2021: the Russian delegation to the 41st session of the WCO EC (003: "of
    #     officials of the Central Enforcement Department, Customs Risk Management
    #     Department, Russian Customs Representatives in Belgium and led by Mr. Oleg
    #     Bakanov, Deputy Head of Central Enforcement Department"; attested 2021-03) and
    #     his election as Vice-Chair (begun by the end of March, no end recorded) held.
    #     Every other membership may have: the Global RILO Meetings' chair and vice-chair
    #     for 2021-2022 (000) began some time in 2021; the others are attested at other
    #     dates only, or not dated at all (004).
    ("membership-network", {"date": "2021-03"}, [
        ("oleg-bakanov", "Oleg Bakanov", "role/deputy-head", "Deputy Head", "fcs-central-enforcement-department",
         CED, "held", "", "", "2021-03", "attested"),
        ("oleg-bakanov", "Oleg Bakanov", "role/head-of-delegation", "Head of Delegation", "fcs-delegation-wco-ec-41",
         DELEGATION, "held", "", "", "2021-03", "attested"),
        ("fcs-central-enforcement-department", CED, "role/member", "Member", "fcs-delegation-wco-ec-41",
         DELEGATION, "held", "", "", "2021-03", "attested"),
        ("fcs-customs-risk-management-department",
         "Customs Risk Management Department of the Federal Customs Service of Russia", "role/member", "Member",
         "fcs-delegation-wco-ec-41", DELEGATION, "held", "", "", "2021-03", "attested"),
        ("fcs-representation-belgium", "Russian Customs Representation in Belgium", "role/member", "Member",
         "fcs-delegation-wco-ec-41", DELEGATION, "held", "", "", "2021-03", "attested"),
        ("oleg-bakanov", "Oleg Bakanov", "role/vice-chair", "Vice-Chair", "wco-enforcement-committee",
         "WCO Enforcement Committee", "held", "2021-03", "", "", "term, no end recorded"),
        ("rilo-cis", RILO_CIS, "role/chair", "Chair", "global-rilo-meetings", "Global RILO Meeting",
         "cannot tell", "2021", "2022", "", "began around D"),
        ("rilo-south-america", "Regional Intelligence Liaison Office for South America", "role/vice-chair",
         "Vice-Chair", "global-rilo-meetings", "Global RILO Meeting", "cannot tell", "2021", "2022", "",
         "began around D"),
        ("oleg-gubaidulin", "Oleg Gubaidulin", "role/chair", "Chair", "chleu", CHLEU, "cannot tell", "", "", "",
         "no dates recorded"),
        ("oleg-gubaidulin", "Oleg Gubaidulin", "role/deputy-head", "Deputy Head", "fcs-russia",
         "Federal Customs Service of Russia", "cannot tell", "", "", "", "no dates recorded"),
    ] + [
        (member, label, role, role_label, org, org_label, "cannot tell", "", "", "", "attested at other dates only")
        for member, label, role, role_label, org, org_label in [
            (f"customs-{c}", f"Customs administration of {n}", "role/national-contact-point",
             "National Contact Point", "rilo-cis", RILO_CIS)
            for c, n in [("am", "Armenia"), ("az", "Azerbaijan"), ("by", "Belarus"), ("kz", "Kazakhstan"),
                         ("kg", "Kyrgyzstan"), ("tj", "Tajikistan"), ("uz", "Uzbekistan")]
        ] + [
            ("fcs-russia", "Federal Customs Service of Russia", "role/national-contact-point",
             "National Contact Point", "rilo-cis", RILO_CIS),
            ("rilo-cis", RILO_CIS, "role/member", "Member", "global-rilo-network", "Global RILO Network"),
            ("rilo-south-america", "Regional Intelligence Liaison Office for South America", "role/member",
             "Member", "global-rilo-network", "Global RILO Network"),
            ("ricardo-trevino", "Ricardo Treviño", "role/deputy-secretary-general", "Deputy Secretary General",
             "wco", "World Customs Organization"),
            ("pranab-kumar-das", "Pranab Kumar Das", "role/director", "Director",
             "wco-compliance-facilitation-directorate", "WCO Compliance and Facilitation Directorate"),
            ("stefan-kirsch", "Stefan Kirsch", "role/deputy-director", "Deputy Director",
             "wco-enforcement-compliance-subdirectorate", "WCO Enforcement and Compliance Sub-Directorate"),
        ]
    ]),
    # 13. 000: the 28th meeting "was held virtually ... on 19-20 January, 2021" under RILO
    #     CIS, with "representatives of the WCO Secretariat"; 001: "On 24th and 25th
    #     January 2023, the World Customs Organization (WCO) hosted, at its Headquarters in
    #     Brussels, the 30th ... Meeting" (no chair, no attendee list).
    ("series-meetings", {"series": "global-rilo-meetings"}, [
        ("global-rilo-meeting-28", "28", "2021-01-19", "2021-01-20", "global-rilo-meeting-28/online", "Online", "",
         "online", "", "rilo-cis", RILO_CIS, "wco-secretariat", "WCO Secretariat"),
        ("global-rilo-meeting-30", "30", "2023-01-24", "2023-01-25", "brussels", "Brussels", "country-be",
         "", "", "", "", "", ""),
    ]),
    # 13. 002: the 12th meeting (no date, no place) and 004: "In Kazan, the 24th meeting
    #     ... took place." "Representatives of the customs services of Azerbaijan, Armenia,
    #     Belarus, Kazakhstan, Kyrgyzstan, Russia, Tajikistan, and Uzbekistan participated".
    ("series-meetings", {"series": "chleu-meetings"}, [
        ("chleu-meeting-12", "12", "", "", "", "", "", "", "", "", "", "", ""),
    ] + [
        ("chleu-meeting-24", "24", "", "", "kazan", "Kazan", "country-ru", "", "", "oleg-gubaidulin",
         "Oleg Gubaidulin", key, label)
        for key, label in [("customs-am", "Customs administration of Armenia"),
                           ("customs-az", "Customs administration of Azerbaijan"),
                           ("customs-by", "Customs administration of Belarus"),
                           ("customs-kz", "Customs administration of Kazakhstan"),
                           ("customs-kg", "Customs administration of Kyrgyzstan"),
                           ("customs-tj", "Customs administration of Tajikistan"),
                           ("customs-uz", "Customs administration of Uzbekistan"),
                           ("fcs-russia", "Federal Customs Service of Russia")]
    ]),
    # 14. 003: "In March 2021 ... 41st session ..." "The meeting was conducted via
    #     videoconference"; the 28th Global RILO Meeting (virtual, January 2021) is
    #     outside February-December 2021.
    ("online-meetings-between", {"from": "2021-02", "to": "2021-12-31"}, [
        ("wco-ec-session-41", EC_41, "wco-ec-sessions", "41", "2021-03", "2021-03", "online"),
    ]),
    ("online-meetings-between", {"from": "2021"}, [
        ("global-rilo-meeting-28", "28th Global RILO Meeting", "global-rilo-meetings", "28", "2021-01-19",
         "2021-01-20", "online"),
        ("wco-ec-session-41", EC_41, "wco-ec-sessions", "41", "2021-03", "2021-03", "online"),
    ]),
    # 15. 002: "... from Armenia, Austria, Azerbaijan, Belarus, ... Kazakhstan, Kyrgyzstan,
    #     ... Russia, ... Tajikistan, United Kingdom, Uzbekistan, ..." and 004: the customs
    #     services of the eight CIS countries.
    ("common-attendees", {"meetingA": "wco-europe-heads-of-investigation-meeting-21", "meetingB": "chleu-meeting-24"}, [
        ("customs-am", "Customs administration of Armenia", "country-am", "Armenia"),
        ("customs-az", "Customs administration of Azerbaijan", "country-az", "Azerbaijan"),
        ("customs-by", "Customs administration of Belarus", "country-by", "Belarus"),
        ("customs-kg", "Customs administration of Kyrgyzstan", "country-kg", "Kyrgyzstan"),
        ("customs-kz", "Customs administration of Kazakhstan", "country-kz", "Kazakhstan"),
        ("customs-tj", "Customs administration of Tajikistan", "country-tj", "Tajikistan"),
        ("customs-uz", "Customs administration of Uzbekistan", "country-uz", "Uzbekistan"),
        ("fcs-russia", "Federal Customs Service of Russia", "country-ru", "Russia"),
    ]),
    # 16. 002: "... RILO-Warsaw, RILO-Koln, OLAF, CIS Anti-Terrorism Center and the
    #     Coordination Service of CIS Council of Commanders of Border Troops." and "The WCO
    #     shared information on recent developments ..."
    ("non-country-participants", {"meeting": "wco-europe-heads-of-investigation-meeting-21"}, [
        ("cis-anti-terrorism-center", "Anti-Terrorism Center of the Commonwealth of Independent States"),
        ("cis-ccbt-coordination-service",
         "Coordination Service of the Council of Commanders of Border Troops of the Commonwealth of Independent States"),
        ("olaf", "European Anti-Fraud Office"),
        ("rilo-eastern-central-europe", "Regional Intelligence Liaison Office for Eastern and Central Europe"),
        ("rilo-western-europe", "Regional Intelligence Liaison Office for Western Europe"),
        ("wco", "World Customs Organization"),
    ]),
    # 17. 004: "During the meeting, Oleg Gubaidulin was re-elected as the Chairman of CHLEU.
    #     New provisions on the Staff and Secretariat were approved, the candidacy of the
    #     Head of the Staff was agreed upon, and the Head of the Working Group on ... was
    #     appointed." "As a result of the meeting, agreements were reached on conducting
    #     activities in the field of personnel training ... as well as directions for the
    #     development of cooperation among canine specialists."
    ("meeting-outcomes", {"meeting": "chleu-meeting-24"}, [
        ("election", "appointed", "", "", "role/head", "Head", "chleu-wg-internet-offenses",
         "Working Group on Information and Analytical Interaction and Counteraction to Offenses in the Internet Space",
         S004),
        ("election", "candidacy agreed", "", "", "role/head", "Head", "chleu-staff",
         "Staff of the Committee of Heads of Law Enforcement Units", S004),
        ("election", "re-elected", "oleg-gubaidulin", "Oleg Gubaidulin", "role/chair", "Chair", "chleu", CHLEU, S004),
        ("outcome", "approved", "chleu-secretariat-provisions",
         "Provisions on the Secretariat of the Committee of Heads of Law Enforcement Units", "", "", "", "", S004),
        ("outcome", "approved", "chleu-staff-provisions",
         "Provisions on the Staff of the Committee of Heads of Law Enforcement Units", "", "", "", "", S004),
        ("outcome", "reached", "chleu-agreement-canine-cooperation",
         "Agreement on directions for the development of cooperation among canine specialists", "", "", "", "", S004),
        ("outcome", "reached", "chleu-agreement-personnel-training",
         "Agreement on personnel training and qualification improvement for law enforcement units of customs "
         "services in the CIS member states", "", "", "", "", S004),
    ]),
    # 17. 001: "the RILOs agreed on the Action Plan 2023-2024 for the Global RILO Meeting"
    #     and "The Meeting then established a map of RILO competencies in each region".
    ("meeting-outcomes", {"meeting": "global-rilo-meeting-30"}, [
        ("outcome", "agreed", "global-rilo-action-plan-2023-2024", "Action Plan 2023-2024 for the Global RILO Meeting",
         "", "", "", "", S001),
        ("outcome", "established", "map-of-rilo-competencies", "Map of RILO competencies", "", "", "", "", S001),
    ]),
    # 18. The sources tell of the 28th and 30th Global RILO Meetings (000, 001) and of the
    #     12th and 24th CHLEU meetings (002, 004).
    ("missing-meeting-numbers", {}, [
        ("global-rilo-meetings", "Global RILO Meeting", "28", "30", "29", "29", "1"),
        ("chleu-meetings", "Meeting of the Committee of Heads of Law Enforcement Units of the Council of Heads of "
         "Customs Services of the CIS", "12", "24", "13", "23", "11"),
    ]),
    # 19. 004: "In 2024, the customs authorities of CHLEU member countries conducted 8
    #     operations using the «controlled delivery» method, resulting in the seizure of
    #     over 20 kg of drugs ..." "As part of the international special customs operation
    #     «Barrier-2024» ... over 3 tons of controlled substances were seized." "...
    #     results of the «Matrix» project ..."; 001: "the Global Rapid Interdiction of
    #     Dangerous Substances (GRIDS) Programme by the International Narcotics Control
    #     Board (INCB)".
    ("operations-and-seizures", {}, [
        ("chleu-controlled-delivery-operations-2024",
         "Controlled delivery operations of the customs authorities of CHLEU member countries in 2024", "operation",
         "", "", "2024", "2024", "chleu-controlled-delivery-operations-2024-count",
         "operations using the controlled delivery method", "8", "exactly", "C62", "chleu-meeting-24", S004, ""),
        ("chleu-controlled-delivery-operations-2024",
         "Controlled delivery operations of the customs authorities of CHLEU member countries in 2024", "operation",
         "", "", "2024", "2024", "chleu-controlled-delivery-operations-2024-drugs-seized", "drugs seized", "20",
         "over", "KGM", "chleu-meeting-24", S004, ""),
        ("grids-programme", "Global Rapid Interdiction of Dangerous Substances Programme", "project", "incb",
         "International Narcotics Control Board", "", "", "", "", "", "", "", "global-rilo-meeting-30", S001, ""),
        ("matrix-project", "Matrix", "project", "", "", "", "", "", "", "", "", "", "chleu-meeting-24", S004, ""),
        ("operation-barrier-2024", "Barrier-2024", "operation", "", "", "", "",
         "operation-barrier-2024-controlled-substances-seized", "controlled substances seized", "3", "over", "TNE",
         "chleu-meeting-24", S004, ""),
    ]),
    # 20. 000: "The participants discussed issues of training on the CEN network in
    #     web-mode, ... using the CENcomm communication platform to exchange urgent
    #     information about smuggling. The use of this platform allows RILOs to identify
    #     channels for the smuggling ..."; GRIDS (001) and Matrix (004) as above.
    ("programmes-and-platforms", {}, [
        ("cen", "Customs Enforcement Network", "platform", "", "", "discussed at", "global-rilo-meeting-28",
         "28th Global RILO Meeting", S000),
        ("cencomm", "CENcomm", "platform", "", "", "discussed at", "global-rilo-meeting-28",
         "28th Global RILO Meeting", S000),
        ("cencomm", "CENcomm", "platform", "", "", "used by", "global-rilo-network", "Global RILO Network", S000),
        ("grids-programme", "Global Rapid Interdiction of Dangerous Substances Programme", "programme or project",
         "incb", "International Narcotics Control Board", "discussed at", "global-rilo-meeting-30",
         "30th Global RILO Meeting", S001),
        ("matrix-project", "Matrix", "programme or project", "", "", "discussed at", "chleu-meeting-24", CHLEU_24, S004),
    ]),
    # 21. 002: "... RILO-Warsaw, RILO-Koln, OLAF, ..." (the RILO in Cologne).
    ("resolve-name", {"name": "RILO-Koln"}, [
        ("rilo-western-europe", "Regional Intelligence Liaison Office for Western Europe", "RILO-Koln", "alternative", "en"),
    ]),
    # 21. 002 names the CIS customs council "Council of Heads of National Customs
    #     Authorities of the Commonwealth of Independent States (CIS)"; case is ignored.
    ("resolve-name", {"name": "council of heads of national customs authorities of the commonwealth of independent states"}, [
        ("cis-council-of-heads-of-customs-services",
         "Council of Heads of Customs Services of the Commonwealth of Independent States",
         "Council of Heads of National Customs Authorities of the Commonwealth of Independent States", "alternative", "en"),
    ]),
    # 22. The RILO in Cologne; only "RILO-Koln" is a spelling a source (002) uses.
    ("entity-names", {"entity": "rilo-western-europe"}, [
        ("RILO Cologne", "alternative", "en", ""),
        ("RILO Köln", "alternative", "en", ""),
        ("RILO Western Europe", "alternative", "en", ""),
        ("RILO-Koln", "alternative", "en", S002),
        ("Regional Intelligence Liaison Office for Western Europe", "preferred", "en", ""),
    ]),
    # 23. The exact sentences of 000 and 004 saying who chaired what.
    ("chair-evidence", {}, [
        ("oleg-gubaidulin", "Oleg Gubaidulin", "chleu", CHLEU, "chair term", "", "", S004,
         "During the meeting, Oleg Gubaidulin was re-elected as the Chairman of CHLEU."),
        ("oleg-gubaidulin", "Oleg Gubaidulin", "chleu-meeting-24", CHLEU_24, "chaired the meeting", "", "", S004,
         "The meeting was chaired by Oleg Gubaidulin, Deputy Head of the Federal Customs Service of Russia."),
        ("rilo-cis", RILO_CIS, "global-rilo-meetings", "Global RILO Meeting", "chair term", "2021", "2022", S000,
         "In 2020 RILO CIS was elected Chairman of the Global RILO Meetings for the period 2021-2022 for the first time."),
        ("rilo-cis", RILO_CIS, "global-rilo-meeting-28", "28th Global RILO Meeting", "chaired the meeting",
         "2021-01-19", "2021-01-20", S000,
         "The 28th Global RILO Meeting was held virtually under the chairmanship of the RILO CIS, for the first time, "
         "on 19-20 January, 2021."),
    ]),
    ("chair-evidence", {"chairedBy": "rilo-cis", "body": "global-rilo-meetings"}, [
        ("rilo-cis", RILO_CIS, "global-rilo-meetings", "Global RILO Meeting", "chair term", "2021", "2022", S000,
         "In 2020 RILO CIS was elected Chairman of the Global RILO Meetings for the period 2021-2022 for the first time."),
        ("rilo-cis", RILO_CIS, "global-rilo-meeting-28", "28th Global RILO Meeting", "chaired the meeting",
         "2021-01-19", "2021-01-20", S000,
         "The 28th Global RILO Meeting was held virtually under the chairmanship of the RILO CIS, for the first time, "
         "on 19-20 January, 2021."),
    ]),
    # 24. Only the Kazan article (004) tells of Oleg Gubaidulin.
    ("single-source-facts", {"about": "oleg-gubaidulin"}, [
        ("chleu-meeting-24", "event", CHLEU_24, S004),
        ("reelection-oleg-gubaidulin-chair-chleu", "event",
         f"Re-election of Oleg Gubaidulin as Chair of {CHLEU}", S004),
        ("oleg-gubaidulin-chair-chleu", "membership", f"Oleg Gubaidulin: Chair, {CHLEU}", S004),
        ("oleg-gubaidulin-deputy-head-fcs-russia", "membership",
         "Oleg Gubaidulin: Deputy Head, Federal Customs Service of Russia", S004),
        ("chleu-meeting-24/role/chair/oleg-gubaidulin", "role in an event", f"Oleg Gubaidulin: Chair of {CHLEU_24}", S004),
    ]),
    # 25. 002: "Representatives from 22 WCO Members of the European Region, RILOs and OLAF
    #     met ..." but its list names 23 countries; 004 says "Council of Heads of Customs
    #     Services of the CIS", 002 "Council of Heads of National Customs Authorities of the
    #     Commonwealth of Independent States"; 000 says "Global RILO Meetings", 001 "Global
    #     Regional Intelligence Liaison Offices (RILO) Meeting".
    ("contradictions", {}, [
        ("count differs from list", "wco-europe-heads-of-investigation-meeting-21",
         "21st Meeting of the WCO European Region Heads of Customs Investigations and Intelligence Services",
         "WCO Members of the European Region", "22", S002, "23", S002),
        ("named differently", "cis-council-of-heads-of-customs-services",
         "Council of Heads of Customs Services of the Commonwealth of Independent States", "name",
         "Council of Heads of Customs Services of the CIS", S004,
         "Council of Heads of National Customs Authorities of the Commonwealth of Independent States", S002),
        ("named differently", "global-rilo-meetings", "Global RILO Meeting", "name", "Global RILO Meetings", S000,
         "Global Regional Intelligence Liaison Offices (RILO) Meeting", S001),
    ]),
    # 26. 000 gives the RILO CIS contact points no term, only the present tense of its
    #     2021-02-12 article; 003 gives Oleg Bakanov's vice-chairmanship a beginning
    #     (March 2021) but no end.
    ("undated-or-unsourced-memberships", {"body": "rilo-cis"}, sorted(
        (f"{member}-national-contact-point-rilo-cis", member, label, "role/national-contact-point",
         "National Contact Point", "rilo-cis", RILO_CIS, "", "", "2021-02-12", "term unknown, attested only")
        for member, label in [("customs-am", "Customs administration of Armenia"),
                              ("customs-az", "Customs administration of Azerbaijan"),
                              ("customs-by", "Customs administration of Belarus"),
                              ("customs-kz", "Customs administration of Kazakhstan"),
                              ("customs-kg", "Customs administration of Kyrgyzstan"),
                              ("customs-tj", "Customs administration of Tajikistan"),
                              ("customs-uz", "Customs administration of Uzbekistan"),
                              ("fcs-russia", "Federal Customs Service of Russia")])),
    ("undated-or-unsourced-memberships", {"body": "wco-enforcement-committee"}, [
        ("oleg-bakanov-vice-chair-wco-ec", "oleg-bakanov", "Oleg Bakanov", "role/vice-chair", "Vice-Chair",
         "wco-enforcement-committee", "WCO Enforcement Committee", "2021-03", "", "", "no end"),
    ]),
    # 27. The only dated posts that could clash are the Global RILO Meetings' chair and
    #     vice-chair (different posts): no overlap. (See the test with an added tenure.)
    ("overlapping-tenures", {}, []),
    # 28. 001: "... collaborative projects such as the Global Rapid Interdiction of Dangerous Substances (GRIDS)
    #     Programme by the International Narcotics Control Board (INCB)." No period, no plan: stated, attested at
    #     the article's date.
    ("programmes-of-body", {"body": "incb"}, [
        ("incb", "International Narcotics Control Board", "runs", "grids-programme",
         "Global Rapid Interdiction of Dangerous Substances Programme", "", "", "stated", "2023-02-03", "stated", S001),
    ]),
    # 29. 000: "The participants discussed ... using the CENcomm communication platform to exchange urgent
    #     information about smuggling." (the 28th meeting, 19-20 January 2021)
    ("about-topic", {"topic": "cencomm"}, [
        ("global-rilo-meeting-28", "28th Global RILO Meeting", "meeting", "2021-01-19", "stated", "cencomm", "CENcomm",
         S000),
    ]),
]

CASE_IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in params.items()) or 'all'}"[:90] for name, params, _ in EXPECTED]


def test_every_competency_question_query_has_an_expectation():
    assert {name for name, _, _ in EXPECTED} == set(CQ)


@pytest.mark.parametrize("name,params,expected", EXPECTED, ids=CASE_IDS)
def test_competency_question_answer(built_graph, name, params, expected):
    assert rows(built_graph, name, params) == sorted(expected)


@pytest.mark.parametrize("name,params,expected", EXPECTED, ids=CASE_IDS)
def test_competency_question_answer_is_the_same_in_oxigraph(built_graph, ox_store, name, params, expected):
    assert oxigraph_rows(ox_store, name, params) == rows(built_graph, name, params)


OPTIONAL_ONLY = sorted(name for name, q in CQ.items() if all(p.doc.startswith("optional") for p in q.params))


@pytest.fixture(scope="module")
def unbound_rows(built_graph):
    """rows(built_graph, name) with no parameter, computed once per query (rdflib takes ~10 s on some)."""
    cache: dict[str, list[tuple[str, ...]]] = {}

    def get(name: str) -> list[tuple[str, ...]]:
        if name not in cache:
            cache[name] = rows(built_graph, name)
        return cache[name]
    return get


@pytest.mark.parametrize("name", OPTIONAL_ONLY)
def test_query_runs_with_its_optional_parameters_unbound(unbound_rows, ox_store, name):
    answer = unbound_rows(name)
    assert oxigraph_rows(ox_store, name) == answer


def test_optional_parameters_narrow_the_answer(built_graph):
    everything = rows(built_graph, "undated-or-unsourced-memberships")
    # 23 memberships, of which only the two 2021-2022 terms of the Global RILO Meetings
    # have both a beginning and an end; Oleg Bakanov's vice-chairmanship has no end.
    assert len(everything) == 21
    assert {r[-1] for r in everything} == {"no date", "term unknown, attested only", "no end"}
    assert rows(built_graph, "undated-or-unsourced-memberships", {"body": "rilo-cis"}) == sorted(
        r for r in everything if r[5] == "rilo-cis")


@pytest.mark.parametrize("name,param,value,column", [
    ("single-source-facts", "about", "rilo-cis", None),
    ("single-source-facts", "about", "oleg-gubaidulin", None),
    ("chair-evidence", "body", "global-rilo-meetings", None),
    ("chair-evidence", "chairedBy", "oleg-gubaidulin", 0),
])
def test_optional_parameters_of_pattern_queries_narrow_the_answer(built_graph, unbound_rows, ox_store, name, param,
                                                                  value, column):
    # single-source-facts matches its optional parameter with a property path that binds it
    # to every node when it is left out (one row per fact all the same, by its GROUP BY), and
    # chair-evidence groups its rows: with the parameter, a subset of the rows without it, in
    # both engines (and where a column gives the parameter, exactly the rows of that value).
    everything = unbound_rows(name)
    narrowed = rows(built_graph, name, {param: value})
    assert narrowed and set(narrowed) <= set(everything) and len(narrowed) < len(everything)
    if column is not None:
        assert narrowed == sorted(r for r in everything if r[column] == value)
    assert oxigraph_rows(ox_store, name, {param: value}) == narrowed
    assert oxigraph_rows(ox_store, name) == everything


# --- Parameters are bound, never spliced -------------------------------------------------

INJECTION = 'x" } UNION { ?s ?p ?o } #'


def test_string_parameter_with_quotes_and_braces_is_a_plain_string(built_graph, ox_store):
    assert rows(built_graph, "resolve-name", {"name": INJECTION}) == []
    assert oxigraph_rows(ox_store, "resolve-name", {"name": INJECTION}) == []
    # A value with quotes matches a name with those quotes, and nothing else.
    assert rows(built_graph, "resolve-name", {"name": 'Working group "Legal basis for information exchange"'}) == [
        ("wg-legal-basis-for-information-exchange", 'Working group "Legal basis for information exchange"',
         'Working group "Legal basis for information exchange"', "preferred", "en"),
    ]


@pytest.mark.parametrize("name,param", [("entity-names", "entity"), ("parent-bodies", "org"),
                                        ("membership-network", "date"), ("meeting-chair", "number")])
def test_typed_parameter_refuses_a_value_that_is_not_of_its_type(built_graph, name, param):
    params = {param: INJECTION}
    if name == "meeting-chair":
        params["series"] = "global-rilo-meetings"
    with pytest.raises(QueryError):
        run(built_graph, QUERIES[name], params)


def test_find_query_by_name():
    assert find_query("meeting-chair").path == QUERIES_DIR / "cq" / "meeting-chair.rq"


# --- Logic that the bundled facts do not exercise -------------------------------------------

def add_chair_term(g: Graph, key: str, member: str, body: str, begin: str | None, end: str | None) -> None:
    """A chair tenure as the builder writes it (docs/data-model.md), with a source."""
    m = ID[key]
    g.add((m, RDF.type, ORG.Membership))
    g.add((m, ORG.member, ID[member]))
    g.add((m, ORG.organization, ID[body]))
    g.add((m, ORG.role, ID["role/chair"]))
    g.add((m, PROV.wasDerivedFrom, ID[S000]))
    interval = ID[f"{key}/interval"]
    g.add((m, ORG.memberDuring, interval))
    g.add((interval, RDF.type, TIME.Interval))
    for part, date, prop in (("begin", begin, TIME.hasBeginning), ("end", end, TIME.hasEnd)):
        if date is not None:
            instant = ID[f"{key}/interval/{part}"]
            g.add((interval, prop, instant))
            g.add((instant, RDF.type, TIME.Instant))
            g.add((instant, TIME.inXSDgYear, Literal(date, datatype=XSD.gYear)))


def test_overlapping_chair_terms_are_found(built_graph):
    g = copy_of(built_graph)
    add_chair_term(g, "test-chair-2022-2023", "rilo-south-america", "global-rilo-meetings", "2022", "2023")
    expected = [("global-rilo-meetings", "Global RILO Meeting", "role/chair", "Chair",
                 "rilo-cis-chair-global-rilo-meetings-2021-2022", "rilo-cis", "2021", "2022",
                 "test-chair-2022-2023", "rilo-south-america", "2022", "2023", "two holders at once")]
    assert rows(g, "overlapping-tenures") == expected
    assert oxigraph_rows(oxigraph_store(g), "overlapping-tenures") == expected


def test_consecutive_chair_terms_do_not_overlap_and_succeed_each_other(built_graph):
    g = copy_of(built_graph)
    add_chair_term(g, "test-chair-2023-2024", "rilo-south-america", "global-rilo-meetings", "2023", "2024")
    assert rows(g, "overlapping-tenures") == []
    expected = sorted([
        ("global-rilo-meetings", "Global RILO Meeting", "tenure", "rilo-cis", RILO_CIS, "2021", "2022", "", "", "", "",
         "", "stated", S000),
        ("global-rilo-meetings", "Global RILO Meeting", "meeting", "rilo-cis", RILO_CIS, "2021-01-19", "2021-01-20", "",
         "global-rilo-meeting-28", "", "", "", "stated", S000),
        ("global-rilo-meetings", "Global RILO Meeting", "tenure", "rilo-south-america",
         "Regional Intelligence Liaison Office for South America", "2023", "2024", "", "", "rilo-cis", RILO_CIS,
         "earlier term", "stated", S000),
    ])
    assert rows(g, "chair-succession", {"body": "global-rilo-meetings"}) == expected
    assert oxigraph_rows(oxigraph_store(g), "chair-succession", {"body": "global-rilo-meetings"}) == expected


def test_meeting_chair_without_a_dated_term_is_reported_with_the_term_unknown(built_graph):
    g = copy_of(built_graph)
    g.remove((ID["rilo-cis-chair-global-rilo-meetings-2021-2022"], ORG.memberDuring, None))
    expected = [("rilo-cis", RILO_CIS, "", "", "global-rilo-meeting-28", "28", "2021-01-19", S000, "stated")]
    assert rows(g, "chair-of-series-in-year", {"body": "global-rilo-meetings", "year": "2021"}) == expected
    assert rows(g, "chair-of-series-in-year", {"body": "global-rilo-meetings", "year": "2022"}) == []
    assert oxigraph_rows(oxigraph_store(g), "chair-of-series-in-year",
                         {"body": "global-rilo-meetings", "year": "2021"}) == expected


def test_membership_without_source_is_reported(built_graph):
    g = copy_of(built_graph)
    g.remove((ID["rilo-cis-chair-global-rilo-meetings-2021-2022"], PROV.wasDerivedFrom, None))
    expected = [("rilo-cis-chair-global-rilo-meetings-2021-2022", "rilo-cis", RILO_CIS, "role/chair", "Chair",
                 "global-rilo-meetings", "Global RILO Meeting", "2021", "2022", "", "no source")]
    assert rows(g, "undated-or-unsourced-memberships", {"body": "global-rilo-meetings"}) == expected
    assert oxigraph_rows(oxigraph_store(g), "undated-or-unsourced-memberships",
                         {"body": "global-rilo-meetings"}) == expected


def test_two_sources_giving_different_dates_are_reported(built_graph):
    g = copy_of(built_graph)
    # A second article that dates the 28th Global RILO Meeting a day later.
    statement = ID["statement/test-other-start"]
    g.add((statement, RDF.type, RDF.Statement))
    g.add((statement, RDF.subject, ID["global-rilo-meeting-28"]))
    g.add((statement, RDF.predicate, SCHEMA.startDate))
    g.add((statement, RDF.object, Literal("2021-01-20", datatype=XSD.date)))
    g.add((statement, PROV.wasDerivedFrom, ID[S003]))
    # ... and one that only gives the month, which does not contradict.
    month = ID["statement/test-month"]
    g.add((month, RDF.type, RDF.Statement))
    g.add((month, RDF.subject, ID["global-rilo-meeting-28"]))
    g.add((month, RDF.predicate, SCHEMA.startDate))
    g.add((month, RDF.object, Literal("2021-01", datatype=XSD.gYearMonth)))
    g.add((month, PROV.wasDerivedFrom, ID[S001]))
    found = [r for r in rows(g, "contradictions") if r[0] == "different values"]
    assert found == [("different values", "global-rilo-meeting-28", "28th Global RILO Meeting", "startDate",
                      "2021-01-19", S000, "2021-01-20", S003)]
    assert [r for r in oxigraph_rows(oxigraph_store(g), "contradictions") if r[0] == "different values"] == found


# --- Dates: the two dated queries agree with graph_builder.answering.temporal ------------------------

# Days, months and years around the bundled memberships' dates: before, inside and after
# "2021-02-12", "2021-03" (the last day of the month included), "2021"-"2022", "2023-01".
AGREEMENT_DATES = ["2020", "2020-01-01", "2021", "2021-01", "2021-01-19", "2021-02", "2021-02-12",
                   "2021-03", "2021-03-15", "2021-03-31", "2021-04-01", "2022-06-01", "2022-12-31",
                   "2023", "2023-01", "2023-01-01"]


def _expected_statuses(graph: Graph, at: str) -> dict[tuple[str, str, str], str]:
    """(member, role, organization) -> "held" / "cannot tell" by temporal.holds(), NOT_HELD left out."""
    out = {}
    memberships = read_memberships(graph)
    for m in memberships:
        truth, _ = holds(m.begin, m.end, m.attested, parse_date(at))
        if truth is not Truth.NOT_HELD:
            out[(key_of(m.member), key_of(m.role), key_of(m.organization))] = truth.value
    assert len({(m.member, m.role, m.organization) for m in memberships}) == len(memberships), \
        "member, role and organization no longer identify a membership"
    return out


_PREPARED: dict[str, object] = {}


def fast_rows(graph: Graph, query: str, params: dict[str, str]) -> list[tuple[str, ...]]:
    """Like rows(), with the query parsed once: rdflib's parser, not the evaluation, takes the time."""
    q = QUERIES[query]
    if query not in _PREPARED:
        _PREPARED[query] = prepareQuery(q.text, initNs=PREFIXES)
    declared = {p.name: p for p in q.params}
    bindings = {Variable(k): bind_value(declared[k], v) for k, v in params.items()}
    result = graph.query(_PREPARED[query], initBindings=bindings)
    names = [str(v) for v in result.vars or []]
    return sorted(rows_as_strings(Rows(names, [[row[i] for i in range(len(names))] for row in result])))


def _statuses(rows_: list[tuple[str, ...]], ident: Callable[[tuple[str, ...]], tuple[str, str, str]],
              status_column: int) -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], set[str]] = {}
    for r in rows_:
        out.setdefault(ident(r), set()).add(r[status_column])
    assert all(len(v) == 1 for v in out.values()), out
    return {k: v.pop() for k, v in out.items()}


def key_of(node: object) -> str:
    text = str(node)
    return text[len(str(ID)):] if text.startswith(str(ID)) else text


def _network(r: tuple[str, ...]) -> tuple[str, str, str]:
    return (r[0], r[2], r[4])


@pytest.mark.parametrize("date", AGREEMENT_DATES)
def test_membership_network_status_agrees_with_temporal_holds(built_graph, ox_store, date):
    expected = _expected_statuses(built_graph, date)
    assert _statuses(fast_rows(built_graph, "membership-network", {"date": date}), _network, 6) == expected
    assert _statuses(oxigraph_rows(ox_store, "membership-network", {"date": date}), _network, 6) == expected


@pytest.mark.parametrize("date", AGREEMENT_DATES)
def test_post_holder_status_agrees_with_temporal_holds(built_graph, date):
    expected = _expected_statuses(built_graph, date)
    bodies = sorted({key_of(o) for o in built_graph.objects(None, ORG.organization)})
    found: dict[tuple[str, str, str], str] = {}
    for body in bodies:
        answer = fast_rows(built_graph, "post-holder-on-date", {"body": body, "date": date})
        found.update(_statuses(answer, lambda r, b=body: (r[0], r[2], b), 4))
    assert found == expected


SYNTHETIC_BEGINS = [None, "2021", "2021-02", "2021-02-28", "2021-12", "2000-02", "2024-02", "2100-02"]
SYNTHETIC_ENDS = [None, "2021-02", "2022", "2024-02-29"]
SYNTHETIC_ATTESTED = [(), ("2021-02",), ("2021-02-12", "2024")]
# Month ends in leap and common years (2000 and 2024 are leap years, 2100 is not).
SYNTHETIC_DATES = ["2000-02-28", "2000-02-29", "2020", "2021", "2021-02", "2021-02-12", "2021-02-27",
                   "2021-02-28", "2021-03-01", "2021-12-31", "2022-12", "2023-01-01", "2024",
                   "2024-02-28", "2024-02-29", "2100-02-28"]


def _instant_literal(text: str) -> tuple[URIRef, Literal]:
    d = parse_date(text)
    prop = {"day": TIME.inXSDDate, "month": TIME.inXSDgYearMonth, "year": TIME.inXSDgYear}[d.precision]
    return prop, Literal(text, datatype=XSD[d.xsd])


@pytest.fixture(scope="module")
def synthetic_memberships():
    """Every combination of a beginning, an end and attestations, as the builder writes them."""
    g = Graph()
    n = 0
    for begin in SYNTHETIC_BEGINS:
        for end in SYNTHETIC_ENDS:
            for attested in SYNTHETIC_ATTESTED:
                n += 1
                m = ID[f"m{n}"]
                g.add((m, RDF.type, ORG.Membership))
                g.add((m, ORG.member, ID[f"member-{n}"]))
                g.add((m, ORG.organization, ID["body"]))
                g.add((m, ORG.role, ID["role/member"]))
                for a in attested:
                    g.add((m, CKG.attestedAt, _instant_literal(a)[1]))
                if begin is None and end is None:
                    continue
                interval = ID[f"m{n}/interval"]
                g.add((m, ORG.memberDuring, interval))
                for part, date, prop in (("begin", begin, TIME.hasBeginning), ("end", end, TIME.hasEnd)):
                    if date is not None:
                        instant = ID[f"m{n}/interval/{part}"]
                        g.add((interval, prop, instant))
                        g.add((instant, *_instant_literal(date)))
    return g, oxigraph_store(g)


@pytest.mark.parametrize("date", SYNTHETIC_DATES)
def test_dated_queries_agree_with_temporal_holds_on_every_combination(synthetic_memberships, date):
    g, store = synthetic_memberships
    expected = _expected_statuses(g, date)
    assert _statuses(fast_rows(g, "membership-network", {"date": date}), _network, 6) == expected
    assert _statuses(oxigraph_rows(store, "membership-network", {"date": date}), _network, 6) == expected
    posts = _statuses(fast_rows(g, "post-holder-on-date", {"body": "body", "date": date}),
                      lambda r: (r[0], r[2], "body"), 4)
    assert posts == expected


# --- Checks ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_finds_nothing_in_the_bundled_facts(built_graph, ox_store, name):
    assert rows(built_graph, name) == []
    assert oxigraph_rows(ox_store, name) == []


def _quote_node(g: Graph, sentence: str) -> URIRef:
    return next(s for s, o in g.subject_objects(PROV.value) if str(o) == sentence)


def _replace(g: Graph, s: URIRef, p: URIRef, o: object) -> None:
    g.remove((s, p, None))
    g.add((s, p, o))  # type: ignore[arg-type]


# Each check, the rule broken on purpose, and the node it must then report (first column).
BREAKAGES: dict[str, tuple[Callable[[Graph], None], str]] = {
    "administration-without-country-violation": (
        lambda g: g.remove((ID["customs-mt"], SCHEMA.areaServed, None)), "customs-mt"),
    "association-incomplete-violation": (
        lambda g: g.remove((ID["chleu-meeting-24/role/chair/oleg-gubaidulin"], PROV.hadRole, None)),
        "chleu-meeting-24/role/chair/oleg-gubaidulin"),
    "blank-node-violation": (lambda g: g.add((ID["wco"], SCHEMA.address, BNode())), "wco"),
    "city-without-country-violation": (lambda g: g.remove((ID["kazan"], SCHEMA.containedInPlace, None)), "kazan"),
    "claim-without-source-violation": (
        lambda g: g.remove((ID["global-rilo-meeting-28/role/chair/rilo-cis"], PROV.wasDerivedFrom, ID[S000])),
        "global-rilo-meeting-28/role/chair/rilo-cis"),
    "country-without-iso-code-violation": (
        lambda g: _replace(g, ID["country-mt"], SKOS.notation, Literal("MLT")), "country-mt"),
    "date-with-wrong-datatype-violation": (
        lambda g: _replace(g, ID["wco-ec-session-41"], SCHEMA.startDate, Literal("March 2021")), "wco-ec-session-41"),
    "entity-without-english-label-violation": (lambda g: g.remove((ID["olaf"], RDFS.label, None)), "olaf"),
    "event-end-before-start-violation": (
        lambda g: _replace(g, ID["global-rilo-meeting-28"], SCHEMA.endDate, Literal("2020-12", datatype=XSD.gYearMonth)),
        "global-rilo-meeting-28"),
    "event-without-label-violation": (
        lambda g: g.remove((ID["global-rilo-meeting-30"], SKOS.prefLabel, None)), "global-rilo-meeting-30"),
    "fact-without-source-violation": (lambda g: g.add((ID["olaf"], ORG.subOrganizationOf, ID["wco"])), "olaf"),
    "https-schema-org-violation": (
        lambda g: g.add((ID["wco"], URIRef("https://schema.org/name"), Literal("WCO"))), "wco"),
    "instant-without-single-date-violation": (
        lambda g: g.add((ID["rilo-cis-chair-global-rilo-meetings-2021-2022/interval/begin"], TIME.inXSDDate,
                         Literal("2021-01-01", datatype=XSD.date))),
        "rilo-cis-chair-global-rilo-meetings-2021-2022/interval/begin"),
    "interval-end-before-begin-violation": (
        lambda g: _replace(g, ID["rilo-cis-chair-global-rilo-meetings-2021-2022/interval/end"], TIME.inXSDgYear,
                           Literal("2020", datatype=XSD.gYear)),
        "rilo-cis-chair-global-rilo-meetings-2021-2022/interval"),
    "meeting-number-violation": (
        lambda g: _replace(g, ID["global-rilo-meeting-30"], SCHEMA.position, Literal(28)), "global-rilo-meeting-30"),
    "membership-incomplete-violation": (
        lambda g: g.remove((ID["customs-am-national-contact-point-rilo-cis"], ORG.role, None)),
        "customs-am-national-contact-point-rilo-cis"),
    "membership-without-source-violation": (
        lambda g: g.remove((ID["oleg-bakanov-vice-chair-wco-ec"], PROV.wasDerivedFrom, None)),
        "oleg-bakanov-vice-chair-wco-ec"),
    "online-meeting-location-violation": (
        lambda g: g.remove((ID["wco-ec-session-41"], SCHEMA.location, None)), "wco-ec-session-41"),
    "organization-not-typed-violation": (
        lambda g: g.remove((ID["fcs-central-enforcement-department"], RDF.type, ORG.Organization)),
        "fcs-central-enforcement-department"),
    "person-without-name-violation": (lambda g: g.remove((ID["stefan-kirsch"], FOAF.name, None)), "stefan-kirsch"),
    "quantity-incomplete-violation": (
        lambda g: g.remove((ID["operation-barrier-2024-controlled-substances-seized"], SCHEMA.unitCode, None)),
        "operation-barrier-2024-controlled-substances-seized"),
    "quotation-without-source-violation": (
        lambda g: g.remove((_quote_node(g, "The WCO EC was established in 1983."), PROV.wasQuotedFrom, None)),
        "quote/"),
    "several-preferred-labels-in-one-language-violation": (
        lambda g: g.add((ID["wco"], SKOS.prefLabel, Literal("WCO", lang="en"))), "wco"),
    "source-incomplete-violation": (lambda g: g.remove((ID[S001], SCHEMA.headline, None)), S001),
    "tenure-generated-by-non-event-violation": (
        lambda g: _replace(g, ID["oleg-bakanov-vice-chair-wco-ec"], PROV.wasGeneratedBy, ID["wco"]),
        "oleg-bakanov-vice-chair-wco-ec"),
    "term-without-date-violation": (
        lambda g: g.add((ID["rilo-cis-member-global-rilo-network"], ORG.memberDuring, ID["test/interval"])),
        "rilo-cis-member-global-rilo-network"),
}


def test_every_check_is_tried_on_broken_data():
    assert set(BREAKAGES) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_check_catches_its_rule_broken(built_graph, name):
    g = copy_of(built_graph)
    breakage, culprit = BREAKAGES[name]
    breakage(g)
    found = rows(g, name)
    assert found, f"{name} found nothing in data that breaks its rule"
    assert any(r[0] == culprit or r[0].startswith(culprit) and culprit.endswith("/") for r in found), found
    # (Blank node labels differ between the engines: compare the reported nodes.)
    assert [r[0] for r in oxigraph_rows(oxigraph_store(g), name)] == [r[0] for r in found]


RESTATING = sorted(n for n in BREAKAGES if all_queries()[n].shapes)


def test_most_rule_queries_name_the_shapes_they_restate():
    assert len(RESTATING) >= 17


@pytest.mark.parametrize("name", RESTATING)
def test_a_rule_query_restates_the_shapes_its_header_names(built_graph, name):
    """Its rule broken, the shapes of its `# Shape:` header report the same node (so `check` leaves it to them)."""
    from graph_builder.validating.validate import shacl_validate

    g = copy_of(built_graph)
    breakage, culprit = BREAKAGES[name]
    breakage(g)
    fired = {v.shape for v in shacl_validate(g) if v.severity == "Violation"
             and (v.focus == culprit or culprit.endswith("/") and v.focus.startswith(culprit))}
    assert set(all_queries()[name].shapes) <= fired, fired


def test_a_quantity_between_two_bounds_is_complete_and_an_exact_value_with_a_bound_is_not(built_graph):
    # "between 20 and 40 kg": a lower and an upper bound together are one complete quantity ...
    quantity = ID["operation-barrier-2024-controlled-substances-seized"]
    g = copy_of(built_graph)
    g.add((quantity, SCHEMA.maxValue, Literal(6)))
    assert rows(g, "quantity-incomplete-violation") == []
    assert oxigraph_rows(oxigraph_store(g), "quantity-incomplete-violation") == []
    # ... an exact value beside a bound is not.
    g.add((quantity, SCHEMA.value, Literal(4)))
    expected = [(str(quantity).removeprefix(str(ID)), "several values")]
    assert rows(g, "quantity-incomplete-violation") == expected
    assert oxigraph_rows(oxigraph_store(g), "quantity-incomplete-violation") == expected
