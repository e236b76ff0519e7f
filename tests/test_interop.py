"""The exported Turtle answers the users' questions in another SPARQL engine.

The Turtle written by ``customs-kg build`` is loaded into Oxigraph (pyoxigraph),
with no inference, and queried with nothing but docs/interop.md's
vocabularies (ORG, FOAF, schema.org, PROV-O, OWL-Time, SKOS). The expected
answers were read from the five source articles.
"""

from __future__ import annotations

import pytest

import pyoxigraph

PREFIXES = """
PREFIX org:    <http://www.w3.org/ns/org#>
PREFIX foaf:   <http://xmlns.com/foaf/0.1/>
PREFIX schema: <http://schema.org/>
PREFIX prov:   <http://www.w3.org/ns/prov#>
PREFIX time:   <http://www.w3.org/2006/time#>
PREFIX skos:   <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs:   <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd:    <http://www.w3.org/2001/XMLSchema#>
"""
ID = "https://w3id.org/customs-kg/id/"


@pytest.fixture(scope="module")
def store(build_output):
    proc, out = build_output
    assert proc.returncode == 0, proc.stderr
    s = pyoxigraph.Store()
    with open(out / "customs-kg.ttl", "rb") as fh:
        s.load(fh, pyoxigraph.RdfFormat.TURTLE)
    return s


def select(store, body: str) -> list[tuple]:
    rows = []
    for sol in store.query(PREFIXES + body):
        row = []
        for v in sol:
            if v is None:
                row.append(None)
            elif isinstance(v, pyoxigraph.NamedNode):
                row.append(v.value.removeprefix(ID))
            else:
                row.append(v.value)
        rows.append(tuple(row))
    return sorted(rows, key=lambda r: tuple("" if x is None else x for x in r))


def test_who_chaired_which_meeting(store):
    rows = select(store, """
        SELECT ?meeting ?who WHERE {
          ?meeting a schema:Event ; prov:qualifiedAssociation ?a .
          ?a prov:agent ?who ; prov:hadRole/skos:prefLabel "Chair"@en .
        }""")
    assert rows == [("chleu-meeting-24", "oleg-gubaidulin"), ("global-rilo-meeting-28", "rilo-cis")]


def test_the_30th_global_rilo_meeting_has_no_known_chair(store):
    rows = select(store, """
        SELECT ?who WHERE {
          ?m schema:superEvent ?series ; schema:position 30 .
          ?series skos:prefLabel ?l . FILTER(CONTAINS(STR(?l), "Global RILO"))
          OPTIONAL { ?m prov:qualifiedAssociation [ prov:agent ?who ; prov:hadRole/skos:prefLabel "Chair"@en ] }
        }""")
    assert rows == [(None,)]


def test_contract_query_chairs_and_vice_chairs_with_terms(store):
    # The check query of docs/interop.md. Role labels are language-tagged, and a
    # tagged literal never equals a plain string in SPARQL 1.1, so the query
    # compares STR(?roleLabel) with the plain role names.
    rows = select(store, """
        SELECT ?who ?body ?roleLabel ?from ?to WHERE {
          ?m a org:Membership ; org:member ?who ; org:organization ?body ;
             org:role/skos:prefLabel ?roleLabel .
          FILTER(lang(?roleLabel) = "en" && STR(?roleLabel) IN ("Chair", "Vice-Chair"))
          OPTIONAL { ?m org:memberDuring/time:hasBeginning/
                     (time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?from }
          OPTIONAL { ?m org:memberDuring/time:hasEnd/
                     (time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?to }
        }""")
    assert rows == [
        ("oleg-bakanov", "wco-enforcement-committee", "Vice-Chair", "2021-03", None),
        ("oleg-gubaidulin", "chleu", "Chair", None, None),
        ("rilo-cis", "global-rilo-meetings", "Chair", "2021", "2022"),
        ("rilo-south-america", "global-rilo-meetings", "Vice-Chair", "2021", "2022"),
    ]


def test_term_dates_keep_the_source_precision(store):
    rows = select(store, """
        SELECT ?who ?dt WHERE {
          ?m org:member ?who ; org:memberDuring/time:hasBeginning ?b .
          ?b (time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?v .
          BIND(DATATYPE(?v) AS ?dt)
          FILTER(?who IN (<%soleg-bakanov>, <%srilo-cis>))
        }""" % (ID, ID))
    assert rows == [("oleg-bakanov", "http://www.w3.org/2001/XMLSchema#gYearMonth"),
                    ("rilo-cis", "http://www.w3.org/2001/XMLSchema#gYear")]


def test_who_was_elected_to_what_when_and_where(store):
    rows = select(store, """
        SELECT ?who ?role ?body ?meeting ?date WHERE {
          ?m a org:Membership ; org:member ?who ; org:organization ?body ;
             org:role/skos:prefLabel ?role ; prov:wasGeneratedBy ?e .
          FILTER(lang(?role) = "en")
          OPTIONAL { ?e schema:superEvent ?meeting }
          OPTIONAL { ?e schema:startDate ?date }
        }""")
    assert rows == [
        ("oleg-bakanov", "Vice-Chair", "wco-enforcement-committee", "wco-ec-session-41", None),
        ("oleg-gubaidulin", "Chair", "chleu", "chleu-meeting-24", None),
        ("rilo-cis", "Chair", "global-rilo-meetings", None, "2020"),
        ("rilo-south-america", "Vice-Chair", "global-rilo-meetings", "global-rilo-meeting-28", None),
    ]


def test_national_contact_points_of_rilo_cis(store):
    rows = select(store, """
        SELECT ?code WHERE {
          ?m org:organization <%srilo-cis> ; org:member ?admin ;
             org:role/skos:prefLabel "National Contact Point"@en .
          ?admin schema:areaServed/skos:notation ?code .
        }""" % ID)
    assert [r[0] for r in rows] == ["AM", "AZ", "BY", "KG", "KZ", "RU", "TJ", "UZ"]


def test_meetings_held_online(store):
    rows = select(store, """
        SELECT ?m WHERE {
          ?m schema:eventAttendanceMode schema:OnlineEventAttendanceMode ;
             schema:location ?loc . ?loc a schema:VirtualLocation .
        }""")
    assert rows == [("global-rilo-meeting-28",), ("wco-ec-session-41",)]


def test_where_and_when_each_meeting_took_place(store):
    rows = select(store, """
        SELECT ?m ?start ?end ?city ?country WHERE {
          ?m a schema:Event ; schema:superEvent ?series ; schema:position ?n .
          ?series a schema:EventSeries .
          OPTIONAL { ?m schema:startDate ?start }
          OPTIONAL { ?m schema:endDate ?end }
          OPTIONAL { ?m schema:location ?p . ?p a schema:City ; schema:name ?city ;
                     schema:containedInPlace/skos:notation ?country }
        }""")
    assert rows == [
        ("chleu-meeting-12", None, None, None, None),
        ("chleu-meeting-24", None, None, "Kazan", "RU"),
        ("global-rilo-meeting-28", "2021-01-19", "2021-01-20", None, None),
        ("global-rilo-meeting-30", "2023-01-24", "2023-01-25", "Brussels", "BE"),
        ("wco-council-session-138", "2021-06", "2021-06", None, None),
        ("wco-ec-session-41", "2021-03", "2021-03", None, None),
        ("wco-europe-heads-of-investigation-meeting-21", "2015-11-25", "2015-11-26", "Sochi", "RU"),
    ]


def test_what_was_seized_in_which_operation(store):
    rows = select(store, """
        SELECT ?op ?value ?min ?max ?unit WHERE {
          ?op a schema:Event ; ?p ?q . ?q a schema:QuantitativeValue ; schema:unitCode ?unit .
          OPTIONAL { ?q schema:value ?value } OPTIONAL { ?q schema:minValue ?min }
          OPTIONAL { ?q schema:maxValue ?max }
        }""")
    assert rows == [
        ("chleu-controlled-delivery-operations-2024", None, "20", None, "KGM"),
        ("chleu-controlled-delivery-operations-2024", "8", None, None, "C62"),
        ("operation-barrier-2024", None, "3", None, "TNE"),
    ]


def test_which_article_and_sentence_says_rilo_cis_chaired_the_28th(store):
    rows = select(store, """
        SELECT ?headline ?published ?sentence WHERE {
          ?m schema:position 28 ; prov:qualifiedAssociation ?a .
          ?a prov:agent ?who ; prov:hadRole/skos:prefLabel "Chair"@en ; prov:wasDerivedFrom ?q .
          ?q prov:value ?sentence ; prov:wasQuotedFrom ?article .
          ?article a schema:NewsArticle ; schema:headline ?headline ; schema:datePublished ?published .
        }""")
    assert ("The 28th Global RILO Meeting was held under the chairmanship of the RILO CIS", "2021-02-12",
            "The 28th Global RILO Meeting was held virtually under the chairmanship of the RILO CIS, for the first time, on 19-20 January, 2021.") in rows


def test_every_claim_reaches_a_source(store):
    rows = select(store, """
        SELECT ?claim WHERE {
          { ?claim a org:Membership } UNION { ?claim a schema:QuantitativeValue }
          UNION { ?claim a rdf:Statement } UNION { ?claim a prov:Association }
          UNION { ?claim schema:superEvent ?s . ?s a schema:EventSeries }
          FILTER NOT EXISTS { ?claim (prov:wasDerivedFrom|prov:wasQuotedFrom)+ ?src . ?src a schema:NewsArticle }
        }""".replace("rdf:Statement", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement>"))
    assert rows == []


def test_names_in_several_languages_and_spellings(store):
    rows = select(store, """
        SELECT ?e WHERE { ?e skos:altLabel "RILO-Koln"@en }""")
    assert rows == [("rilo-western-europe",)]
    rows = select(store, """
        SELECT ?lang WHERE { <%swco> skos:prefLabel ?l . BIND(LANG(?l) AS ?lang) }""" % ID)
    assert {"en", "fr", "ru"} <= {r[0] for r in rows}
    rows = select(store, """SELECT ?e WHERE { ?e skos:altLabel "Ricardo Trevino"@en }""")
    assert rows == [("ricardo-trevino",)]


def test_a_self_contradiction_is_kept(store):
    rows = select(store, """
        SELECT ?count (COUNT(DISTINCT ?a) AS ?listed) WHERE {
          ?c <https://w3id.org/customs-kg/ontology#countOf> ?m ;
             <https://w3id.org/customs-kg/ontology#count> ?count .
          ?m schema:position 21 ; schema:attendee ?a . ?a schema:areaServed ?country .
        } GROUP BY ?count""")
    assert rows == [("22", "23")]
