"""Finding entities by any name: labels, aliases, spellings, keys and country codes.

The names are those a user meets in the five source articles ("RILO-Koln",
"ФТС России", "Oleg Gubaydulin", "Ricardo Trevino") and the keys and codes
of the graph. Ambiguity and near misses are tried on tiny graphs built here.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal

from graph_builder.answering.resolve import AmbiguousName, NoMatch, Resolver, ambiguous_names, normalize
from graph_builder.errors import QueryError
from graph_builder.namespaces import FOAF, ID, ORG, RDF, RDFS, SKOS


@pytest.fixture(scope="module")
def resolver(built_graph):
    return Resolver.from_graph(built_graph)


@pytest.mark.parametrize("text,key", [
    ("RILO-Koln", "rilo-western-europe"),          # 002: "RILO-Warsaw, RILO-Koln"
    ("RILO Cologne", "rilo-western-europe"),
    ("rilo koln", "rilo-western-europe"),
    ("RILO Köln", "rilo-western-europe"),
    ("ФТС России", "fcs-russia"),
    ("фтс россии", "fcs-russia"),
    ("ФТС РОССИИ", "fcs-russia"),
    ("Gubaydulin", "oleg-gubaidulin"),             # an alias spelling, matched by a whole word
    ("Oleg Gubaidulin", "oleg-gubaidulin"),
    ("Олег Губайдулин", "oleg-gubaidulin"),
    ("Bakanov", "oleg-bakanov"),
    ("Trevino", "ricardo-trevino"),                # 000 spells him without the tilde
    ("Treviño", "ricardo-trevino"),
    ("WCO", "wco"),
    ("wco", "wco"),
    ("OMD", "wco"),
    ("Global RILO Meeting", "global-rilo-meetings"),
    ("Global RILO Meetings", "global-rilo-meetings"),
    ("Global Regional Intelligence Liaison Offices (RILO) Meeting", "global-rilo-meetings"),
    ("rilo-cis", "rilo-cis"),
    ("RILO CIS", "rilo-cis"),
    ("РИЛО СНГ", "rilo-cis"),
    ("RU", "country-ru"),
    ("ru", "country-ru"),
    ("Russia", "country-ru"),
    ("«Barrier-2024»", "operation-barrier-2024"),
    ("https://w3id.org/customs-kg/id/chleu", "chleu"),
    ("Chairman", "role/chair"),
])
def test_name_resolves_to_its_entity(resolver, text, key):
    assert resolver.resolve_one(text).key == key


@pytest.mark.parametrize("text,kind,score,matched,lang", [
    ("Oleg Gubaidulin", "exact", 1.0, "Oleg Gubaidulin", "en"),
    ("RILO-Koln", "exact", 0.95, "RILO-Koln", "en"),
    ("rilo koln", "exact", 0.95, "RILO Köln", "en"),
    ("фтс россии", "exact", 0.95, "ФТС России", "ru"),
    ("rilo-cis", "exact", 0.95, "rilo-cis", None),
    ("RU", "exact", 0.95, "RU", None),
    ("Bakanov", "word", 0.85, "Oleg Bakanov", "en"),
    ("Gubaydulin", "word", 0.85, "Oleg Gubaydulin", "en"),
    ("Baka", "prefix", 0.75, "Oleg Bakanov", "en"),
    ("Oleg Baka", "prefix", 0.75, "Oleg Bakanov", "en"),
])
def test_how_a_name_matched(resolver, text, kind, score, matched, lang):
    m = resolver.resolve_one(text)
    assert (m.kind, m.score, m.matched, m.lang) == (kind, score, matched, lang)


def test_a_match_carries_the_english_label_and_the_types(resolver):
    m = resolver.resolve_one("ФТС России")
    assert m.iri == ID["fcs-russia"]
    assert m.label == "Federal Customs Service of Russia"
    assert m.types == ("FormalOrganization", "GovernmentOrganization", "NationalCustomsAdministration", "Organization")
    assert resolver.resolve_one("Bakanov").types == ("Person",)


def test_spelling_variants_resolve_by_similarity_when_no_alias_records_them(resolver):
    # No alias "Oleg Bakanof", "RILO Koeln" or "Ricardo Trevinyo": difflib ratio >= 0.85 on
    # the normalized names, scored 0.7 * ratio.
    for text, key in [("Oleg Bakanof", "oleg-bakanov"), ("RILO Koeln", "rilo-western-europe"),
                      ("Ricardo Trevinyo", "ricardo-trevino")]:
        m = resolver.resolve_one(text)
        assert (m.key, m.kind) == (key, "fuzzy")
        assert 0.7 * 0.85 <= m.score <= 0.7


def test_spelling_variant_of_a_whole_name_without_its_alias():
    # Without the alias "Oleg Gubaydulin", the variant still resolves, by similarity.
    g = Graph()
    person = ID["oleg-gubaidulin"]
    g.add((person, RDF.type, FOAF.Person))
    g.add((person, RDFS.label, Literal("Oleg Gubaidulin", lang="en")))
    m = Resolver.from_graph(g).resolve_one("Oleg Gubaydulin")
    assert (m.key, m.kind, m.score) == ("oleg-gubaidulin", "fuzzy", round(0.7 * 14 / 15, 4))


def test_ranking_is_by_score_then_label_then_key(resolver):
    found = resolver.resolve("Russia")
    assert [(m.key, m.kind, m.score) for m in found[:4]] == [
        ("country-ru", "exact", 1.0),
        ("fcs-central-enforcement-department", "word", 0.85),   # "... Federal Customs Service of Russia"
        ("fcs-customs-risk-management-department", "word", 0.85),
        ("fcs-russia", "word", 0.85),
    ]
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert len(resolver.resolve("Russia", limit=2)) == 2
    assert resolver.resolve("Russia") == resolver.resolve("Russia")


def test_generated_nodes_are_not_entities(resolver):
    # Memberships, sources and online locations have labels, but made from the entities' names.
    assert all(m.key == "oleg-bakanov" for m in resolver.resolve("Oleg Bakanov"))
    with pytest.raises(NoMatch):
        resolver.resolve_one("Online")
    with pytest.raises(NoMatch):
        resolver.resolve_one("oleg-bakanov-vice-chair-wco-ec")


# -- Normalization ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,normal", [
    ("RILO-Koln", "rilo koln"),
    ("RILO Köln", "rilo koln"),
    ("  RILO   Cologne ", "rilo cologne"),
    ("Ricardo Treviño", "ricardo trevino"),
    ("ФТС России", "фтс россии"),
    ("Ёлка", "елка"),
    ("«Barrier-2024»", "barrier 2024"),
    ('Working group "Legal basis"', "working group legal basis"),
    ("Secrétariat de l'OMD", "secretariat de l omd"),
    ("Secrétariat de l’OMD", "secretariat de l omd"),
    ("WCO E.C.", "wco e c"),
    ("Global Regional Intelligence Liaison Offices (RILO) Meeting",
     "global regional intelligence liaison offices rilo meeting"),
    ("ﬁnance", "finance"),     # NFKC: the ligature is two letters
    ("STRASSE", "strasse"),
    ("Straße", "strasse"),     # casefold
    ("-", ""),
])
def test_normalize(text, normal):
    assert normalize(text) == normal


# -- Ambiguity, near misses, nonsense ---------------------------------------------------------------------

def tiny_graph() -> Graph:
    """Two committees that sources both call "EC", a role named like one of them, and a person."""
    g = Graph()
    for key, label in [("wco-enforcement-committee", "WCO Enforcement Committee"),
                       ("european-commission", "European Commission")]:
        g.add((ID[key], RDF.type, ORG.Organization))
        g.add((ID[key], RDFS.label, Literal(label, lang="en")))
        g.add((ID[key], SKOS.prefLabel, Literal(label, lang="en")))
        g.add((ID[key], SKOS.altLabel, Literal("EC", lang="en")))
    g.add((ID["ec"], RDF.type, ORG.Organization))
    g.add((ID["ec"], RDFS.label, Literal("Economic Council", lang="en")))
    g.add((ID["role/head"], RDF.type, ORG.Role))
    g.add((ID["role/head"], RDFS.label, Literal("Head", lang="en")))
    g.add((ID["head"], RDF.type, ORG.Organization))
    g.add((ID["head"], RDFS.label, Literal("HEAD", lang="en")))
    g.add((ID["oleg-bakanov"], RDF.type, FOAF.Person))
    g.add((ID["oleg-bakanov"], RDFS.label, Literal("Oleg Bakanov", lang="en")))
    return g


def test_a_shared_alias_is_ambiguous_and_the_message_lists_both():
    g = tiny_graph()
    g.remove((ID["ec"], None, None))
    with pytest.raises(AmbiguousName) as err:
        Resolver.from_graph(g).resolve_one("ec")
    assert [m.key for m in err.value.candidates] == ["european-commission", "wco-enforcement-committee"]
    assert str(err.value) == (
        "'ec' is ambiguous: it matches 2 entities equally well:\n"
        "  european-commission: European Commission (Organization), matched 'EC'@en\n"
        "  wco-enforcement-committee: WCO Enforcement Committee (Organization), matched 'EC'@en\n"
        "use a key to choose one (for example 'european-commission')")
    assert Resolver.from_graph(g).resolve_one("wco-enforcement-committee").key == "wco-enforcement-committee"


def test_a_unique_exact_key_wins_over_aliases_of_other_entities():
    # "EC" is the key of one entity and an alias of two others, all scored 0.95.
    r = Resolver.from_graph(tiny_graph())
    assert [m.key for m in r.resolve("EC")] == ["ec", "european-commission", "wco-enforcement-committee"]
    assert r.resolve_one("EC").key == "ec"


def test_roles_rank_below_entities_of_the_same_name():
    r = Resolver.from_graph(tiny_graph())
    assert [m.key for m in r.resolve("head")] == ["head", "role/head"]
    assert r.resolve_one("Head").key == "head"


def test_a_near_miss_gives_no_match_with_a_suggestion(resolver):
    with pytest.raises(NoMatch) as err:
        resolver.resolve_one("Bakanof")
    assert [m.key for m in err.value.suggestions] == ["oleg-bakanov"]
    assert str(err.value) == "no entity matches 'Bakanof'; did you mean Oleg Bakanov [oleg-bakanov]?"


def test_nonsense_gives_no_match_without_suggestions(resolver):
    with pytest.raises(NoMatch) as err:
        resolver.resolve_one("Qwxz Plughtarn")
    assert str(err.value) == "no entity matches 'Qwxz Plughtarn'"
    assert resolver.resolve("Qwxz Plughtarn") == []
    with pytest.raises(NoMatch):
        resolver.resolve_one("   ")


def test_suggestions_are_at_most_three_and_entities_before_roles(resolver):
    with pytest.raises(NoMatch) as err:
        resolver.resolve_one("Olek")
    assert str(err.value) == ("no entity matches 'Olek'; did you mean Oleg Bakanov [oleg-bakanov], "
                              "Oleg Gubaidulin [oleg-gubaidulin]?")
    with pytest.raises(NoMatch) as err:
        resolver.resolve_one("Customs of Narnia")
    assert [m.key for m in err.value.suggestions] == ["customs-fi", "customs-fr", "customs-am"]


def test_prefixes_of_every_word_match_every_name_that_has_them(resolver):
    # Each query word begins a word of the name: four entities share "Global RILO Meet...".
    assert [(m.key, m.kind) for m in resolver.resolve("Global RILO Meet")] == [
        ("global-rilo-meeting-28", "prefix"), ("global-rilo-meeting-30", "prefix"),
        ("global-rilo-action-plan-2023-2024", "prefix"), ("global-rilo-meetings", "prefix")]
    with pytest.raises(AmbiguousName):
        resolver.resolve_one("Global RILO Meet")


def test_both_errors_are_query_errors_with_exit_code_2():
    for cls in (NoMatch, AmbiguousName):
        assert issubclass(cls, QueryError) and cls.exit_code == 2
        assert cls.__doc__ and "\n" not in cls.__doc__.strip()


# -- Names shared by several entities (used by the quality checks) --------------------------------------

def test_ambiguous_names_of_the_bundled_graph(built_graph):
    # None. The names that recur all belong to one entity each: "OLAF" is an English and a
    # French alias of olaf, "France" the English and French name of country-fr, "RILO-Koln"
    # and "RILO Köln" normalize to one alias of rilo-western-europe, "Russian Federation"
    # names only country-ru (the FCS is "Federal Customs Service of the Russian
    # Federation"). Two labels are shared only with generated nodes, which are not
    # entities: "Online" (the virtual locations of global-rilo-meeting-28 and
    # wco-ec-session-41) and "30th Global RILO Meeting" (the meeting, and the headline of
    # the source wco-2023-02-03-30th-global-rilo-meeting).
    assert ambiguous_names(built_graph) == []


def test_ambiguous_names_lists_each_shared_name_with_its_entities():
    assert ambiguous_names(tiny_graph()) == [
        ("ec", ["european-commission", "wco-enforcement-committee"]),
        ("head", ["head", "role/head"]),
    ]
