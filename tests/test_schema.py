"""The statement kinds are declared once (graph_builder/loading/schema.py) and everything else follows them.

A kind without its builder, its shapes, its row in the docs or its card line
fails here; docs/architecture.md's list of places to touch for a new kind is
checked against the code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graph_builder.answering.cards import entity_card
from graph_builder.building.build import KIND_BUILDERS
from graph_builder.iris import iri
from graph_builder.loading.facts import load_facts
from graph_builder.loading.schema import KINDS, SCHEMA_VERSION, FieldType, Written, docs_table
from graph_builder.namespaces import CKGSH, SH

from conftest import ARTICLES, FACTS, ROOT, with_articles

SHAPES = ROOT / "shapes" / "customs-shapes.ttl"


def test_the_docs_table_of_kinds_is_the_schemas():
    model = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- kinds:[^\n]*-->\n(.*?)<!-- /kinds -->", model, re.S)
    assert found, "docs/data-model.md has no kinds table between its markers"
    assert found.group(1) == docs_table()


def test_every_kind_has_its_builder_and_nothing_else_has_one():
    assert set(KIND_BUILDERS) == set(KINDS)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_names_shapes_that_exist(kind, shapes):
    assert KINDS[kind].shapes, f"{kind} names no shape"
    for name in KINDS[kind].shapes:
        node = CKGSH[name]
        kinds = set(shapes.objects(node, RDF.type))
        assert kinds & {SH.NodeShape, SH.PropertyShape}, f"{kind}: ckgsh:{name} is not a shape of {SHAPES.name}"


def test_every_field_is_well_declared():
    for kind in KINDS.values():
        names = [f.name for f in kind.fields]
        assert len(names) == len(set(names)), kind.name
        for f in kind.fields:
            assert (f.type in (FieldType.REF, FieldType.REFS)) == bool(f.refers_to), (kind.name, f.name)
            assert (f.type is FieldType.CHOICE) == bool(f.choices), (kind.name, f.name)
            assert (f.type is FieldType.RECORDS) == bool(f.record), (kind.name, f.name)
        assert (kind.written is Written.ABOUT) == bool(kind.subject_types), kind.name
        assert not kind.card_of or kind.card_of in names, kind.name
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.\d+", SCHEMA_VERSION)


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """The seed facts with every invented article: together they state every kind."""
    from graph_builder.pipeline import build_graph

    articles = sorted(p.name for p in ARTICLES.iterdir() if p.is_dir())
    facts, built = build_graph(with_articles(tmp_path_factory.mktemp("kinds") / "facts", FACTS, articles))
    return facts, built.merged_graph()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_shows_on_the_card_it_names_with_its_source(kind, seed):
    """`customs-kg show` prints every seed statement of each kind, citing its source, on the card of the
    entity the kind names (a statement whose field naming that entity is absent is not shown there); and at
    least one of them in the kind's own section."""
    facts, graph = seed
    declared = KINDS[kind]
    statements = [st for st in facts.statements if st.kind == kind
                  and (not declared.card_of or declared.card_of in st.values)]
    assert statements, f"no seed statement of kind {kind}: add one to an invented test article"
    in_section = False
    for st in statements:
        key = st.subject if not declared.card_of else st.values.text(declared.card_of)
        card = entity_card(graph, iri(key))
        if declared.card == "Names":
            assert st.values.text("text") in {name for _kind, _lang, name in card.names}, (kind, key)
            in_section = True
            continue
        cited = [line for line in card.lines if any(ev.source == st.source for ev in line.evidence)]
        assert cited, f"{kind}: no line of {key}'s card cites {st.source}"
        in_section = in_section or any(line.section == declared.card for line in cited)
    assert in_section, f"{kind}: no card shows a '{declared.card}' line citing its statement's source"


def test_architecture_lists_the_places_to_touch_for_a_new_kind():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    found = re.search(r"## Adding a statement kind\n(.*?)(?:\n## |\Z)", text, re.S)
    assert found, "docs/architecture.md has no 'Adding a statement kind' section"
    places = re.findall(r"^\d+\. `([^`]+)`", found.group(1), re.M)
    assert 1 <= len(places) <= 3 and places[0] == "graph_builder/loading/schema.py", places
    for place in places:
        path = ROOT / place.split("::")[0]
        assert path.is_file(), place
        if "::" in place:
            assert place.split("::")[1] in path.read_text(encoding="utf-8"), place
    assert "graph_builder/building/build.py::KIND_BUILDERS" in places
    assert "shapes/customs-shapes.ttl" in places
