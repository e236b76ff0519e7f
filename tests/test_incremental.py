"""Fast validation gives pySHACL's results; incremental rebuilds give a clean full build's outputs.

* ``fast_validate`` (the Rust engine of the ``shacl`` package for every shape
  but the ``sh:sparql`` constraints, plus pySHACL's nested ``sh:detail``
  results; those constraints as one Oxigraph query each) equals
  ``shacl_validate`` (pySHACL, the reference) on the bundled graph, on a
  generated graph with violations injected, and (tests/test_shapes.py) on
  every shape fixture. Shapes the engine is not verified on go to pySHACL.
* After one source file changes, ``build_and_validate(cache_dir=...)`` parses
  that file only, rebuilds that source's graph only, revalidates only the
  focus nodes the change reaches, over the triples within the shapes' reach
  of them, and gives the same graph, bytes and violations as a clean full build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from graph_builder.building.cache import Cache, Stats, build_cached, load_facts_cached
from graph_builder.validating.incremental import validate_incremental
from graph_builder.validating.validate_engine import (fast_validate, pyshacl_results, run_sparql_checks, split_shapes,
                                           validation_store)
from graph_builder.namespaces import ID, RDFS, SCHEMA, SH, TIME, XSD
from graph_builder.pipeline import TRIG_NAME, TURTLE_NAME, build_and_validate, build_graph, write_outputs
from graph_builder.validating.reasoning import ontology_graph
from graph_builder.validating.validate import shacl_validate, shapes_graph

from conftest import FACTS, ROOT, cli_env, run_cli

FIXTURES = sorted((ROOT / "tests" / "shapes").glob("*/*.ttl"))


@pytest.fixture(scope="module")
def shapes():
    return shapes_graph()


@pytest.fixture(scope="module")
def ontology():
    return ontology_graph()


def test_fast_validation_equals_pyshacl_on_the_bundled_graph(built, built_graph):
    assert fast_validate(built_graph, built.origins) == shacl_validate(built_graph, built.origins)


def test_sparql_checks_equal_pyshacl_on_every_fixture(shapes, ontology):
    """The compiled sh:sparql checks give pySHACL's results for those shapes on every fixture."""
    _rest, checks = split_shapes(shapes)
    assert {str(c.shape) for c in checks} == {"https://w3id.org/customs-kg/shapes#Interval-order",
                                              "https://w3id.org/customs-kg/shapes#Event-dateOrder"}
    sparql_shapes = [c.shape for c in checks]
    found_any = False
    import pyshacl

    for path in FIXTURES:
        data = Graph().parse(path, format="turtle")
        fast = sorted(set(run_sparql_checks(validation_store(data, ontology), checks, {})))
        _c, report, _t = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                          advanced=True, allow_warnings=True, use_shapes=sparql_shapes)
        from graph_builder.validating.validate import translate_report

        assert fast == sorted(set(translate_report(report, {}))), path.name
        found_any = found_any or bool(fast)
    assert found_any


def _inject(graph: Graph) -> Graph:
    """Violations of several kinds, including both sh:sparql rules."""
    g = Graph()
    for t in graph:
        g.add(t)
    intervals = sorted(set(g.subjects(TIME.hasBeginning, None)))[:3]
    for i, interval in enumerate(intervals):
        begin = ID[f"injected/begin-{i}"]
        end = ID[f"injected/end-{i}"]
        for p in (TIME.hasBeginning, TIME.hasEnd):
            g.remove((interval, p, None))
        g.add((interval, TIME.hasBeginning, begin))
        g.add((interval, TIME.hasEnd, end))
        g.add((begin, TIME.inXSDDate, Literal("2020-05-01", datatype=XSD.date)))
        g.add((end, TIME.inXSDgYear, Literal("2019", datatype=XSD.gYear)))
    events = sorted(set(g.subjects(SCHEMA.startDate, None)))[:3]
    for e in events:
        g.remove((e, SCHEMA.endDate, None))
        g.add((e, SCHEMA.endDate, Literal("1900", datatype=XSD.gYear)))
    orgs = sorted(set(g.subjects(RDFS.label, None)))[:3]
    for o in orgs:
        g.remove((o, RDFS.label, None))
    g.add((ID["injected/x"], SCHEMA.startDate, Literal("not a date")))
    return g


def test_fast_validation_equals_pyshacl_on_a_generated_graph_with_violations(tmp_path):
    from graph_builder.synth import generate

    generate(tmp_path / "facts", 10_000, seed=3)
    _facts, built = build_graph(tmp_path / "facts")
    data = _inject(built.merged_graph())
    reference = shacl_validate(data, built.origins)
    assert len([v for v in reference if v.severity == "Violation"]) >= 9
    assert {"ckgsh:Interval-order", "ckgsh:Event-dateOrder"} <= {v.shape for v in reference}
    assert fast_validate(data, built.origins) == reference


# --- Incremental builds -------------------------------------------------------------

@pytest.fixture
def facts_copy(tmp_path):
    folder = tmp_path / "facts"
    shutil.copytree(FACTS, folder)
    return folder


SOURCE = "chleu-24th-meeting-kazan"


def _edit_source(folder: Path) -> Path:
    path = folder / "sources" / f"{SOURCE}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "value: 8, unit: C62" in text
    path.write_text(text.replace("value: 8, unit: C62", "value: 9, unit: C62"), encoding="utf-8")
    return path


def test_one_changed_source_file_is_the_only_one_parsed_and_the_result_is_a_full_builds(facts_copy, tmp_path):
    cache_dir = tmp_path / "out" / ".cache"
    first = build_and_validate(facts_copy, cache_dir=cache_dir)
    assert first.stats.validated == "full" and len(first.stats.parsed) == len(first.facts.files)
    again = build_and_validate(facts_copy, cache_dir=cache_dir)
    assert again.stats.parsed == [] and again.stats.built == [] and again.stats.validated == "reused"
    assert again.violations == first.violations

    changed = _edit_source(facts_copy)
    inc = build_and_validate(facts_copy, cache_dir=cache_dir)
    assert inc.stats.parsed == [str(changed)]
    assert inc.stats.built == [SOURCE]
    assert inc.stats.validated == "incremental" and 0 < inc.stats.focus_nodes < len(set(inc.graph.subjects()))
    assert 0 < inc.stats.triples_validated < len(inc.graph) / 4  # only the part of the graph the edit reaches

    full = build_and_validate(facts_copy, validator="pyshacl")
    assert inc.facts == full.facts
    assert (inc.build.default, dict(inc.build.graphs), dict(inc.build.origins)) == \
        (full.build.default, dict(full.build.graphs), dict(full.build.origins))
    assert inc.violations == full.violations
    a, b = tmp_path / "a", tmp_path / "b"
    write_outputs(inc.build, a)
    write_outputs(full.build, b)
    for name in (TURTLE_NAME, TRIG_NAME):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_an_entities_change_rebuilds_only_the_graphs_that_name_the_entity(facts_copy, tmp_path):
    cache = Cache(tmp_path / "cache")
    before = build_cached(load_facts_cached(facts_copy, cache), cache)
    people = facts_copy / "entities" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    stats = Stats()
    facts = load_facts_cached(facts_copy, cache, stats)
    assert stats.parsed == [str(people)]
    build_cached(facts, cache, stats)
    assert stats.built == []  # the entities did not change, so no graph depends on the edit
    text = people.read_text(encoding="utf-8")
    people.write_text(text.replace("Gubaidulin", "Gubaydulin", 1), encoding="utf-8")
    stats = Stats()
    facts = load_facts_cached(facts_copy, cache, stats)
    after = build_cached(facts, cache, stats)
    clean = build_graph(facts_copy)[1]
    assert (after.default, dict(after.graphs), dict(after.origins)) == \
        (clean.default, dict(clean.graphs), dict(clean.origins))
    person = next(k for k, e in facts.entities.items() if "Gubaydulin" in e.names.pref["en"])
    naming = {key for key, src in facts.sources.items() if person in Path(src.loc.file).read_text(encoding="utf-8")}
    changed = {key for key in facts.sources
               if before.graphs.get(ID[key + "/graph"]) != clean.graphs.get(ID[key + "/graph"])}
    # the graphs whose triples the new name changes are rebuilt, and no graph of a source that does not name him
    assert changed and changed <= set(stats.built) <= naming < set(facts.sources)
    # a label no statement reads (his Russian name): the default graph only, no source's graph
    text = people.read_text(encoding="utf-8")
    people.write_text(text.replace("Губайдулин", "Губайдуллин", 1), encoding="utf-8")
    stats = Stats()
    again = build_cached(load_facts_cached(facts_copy, cache, stats), cache, stats)
    clean = build_graph(facts_copy)[1]
    # only the part of the default graph made from his entities file (not from the other entities files, nor
    # the roles' or the sources')
    assert stats.built == [] and stats.default_built == [f"default graph: entities {people}"]
    assert (again.default, dict(again.graphs), dict(again.origins)) == \
        (clean.default, dict(clean.graphs), dict(clean.origins))


def test_incremental_validation_of_an_injected_change_equals_a_full_validation(tmp_path):
    cache = Cache(tmp_path / "cache")
    _facts, built = build_graph(FACTS)
    validate_incremental(built, built.merged_graph(), cache)
    g = sorted(g for g, ts in built.graphs.items() if any(p == TIME.hasBeginning for _s, p, _o in ts))[0]
    triples = built.graphs[g]
    interval = sorted(s for s, p, _o in triples if p == TIME.hasBeginning)[0]
    for t in [t for t in triples if t[0] == interval and t[1] in (TIME.hasBeginning, TIME.hasEnd)]:
        triples.discard(t)
    triples |= {(interval, TIME.hasBeginning, ID["x/begin"]), (interval, TIME.hasEnd, ID["x/end"]),
                (ID["x/begin"], TIME.inXSDDate, Literal("2020-05-01", datatype=XSD.date)),
                (ID["x/end"], TIME.inXSDgYear, Literal("2019", datatype=XSD.gYear))}
    label = next(t for t in triples if t[1] == RDFS.label)
    triples.discard(label)
    stats = Stats()
    data = built.merged_graph()
    got = validate_incremental(built, data, cache, stats)
    assert stats.validated == "incremental"
    reference = shacl_validate(data, built.origins)
    assert got == reference
    assert any(v.shape == "ckgsh:Interval-order" for v in got)


def test_cli_build_keeps_its_cache_and_rebuilds_byte_identical(facts_copy, tmp_path):
    out, clean = tmp_path / "out", tmp_path / "clean"
    cache = tmp_path / "cache"
    env = cli_env(CUSTOMS_KG_CACHE=str(cache))
    assert subprocess.run([sys.executable, "-m", "graph_builder", "build", str(facts_copy), "-o", str(out),
                           "--no-reason"], env=env, cwd=ROOT, capture_output=True).returncode == 0
    assert (cache / "parse").is_dir() and sorted(os.listdir(out)) == ["customs-kg.trig", "customs-kg.ttl",
                                                                    "manifest.json"]
    _edit_source(facts_copy)
    proc = subprocess.run([sys.executable, "-m", "graph_builder", "build", str(facts_copy), "-o", str(out),
                           "--no-reason"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("build", str(facts_copy), "-o", str(clean), "--no-reason", "--no-cache")
    assert proc.returncode == 0
    for name in (TURTLE_NAME, TRIG_NAME):
        assert (out / name).read_bytes() == (clean / name).read_bytes()


def _edit_membership_end(folder: Path) -> Path:
    """Move the first membership end year of a generated source file by one year."""
    import re

    for path in sorted((folder / "sources").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        match = re.search(r'end: "([0-9]{4})"', text)
        if match:
            path.write_text(text.replace(match.group(0), f'end: "{int(match.group(1)) + 1}"', 1), encoding="utf-8")
            return path
    raise AssertionError("no membership end year to edit")


def test_an_edit_of_a_generated_graph_revalidates_only_what_it_reaches(tmp_path):
    from graph_builder.synth import generate

    generate(tmp_path / "facts", 10_000, seed=5)
    cache_dir = tmp_path / "cache"
    first = build_and_validate(tmp_path / "facts", cache_dir=cache_dir)
    assert first.stats.validated == "full"
    _edit_membership_end(tmp_path / "facts")
    inc = build_and_validate(tmp_path / "facts", cache_dir=cache_dir)
    assert inc.stats.validated == "incremental" and len(inc.stats.parsed) == 1
    total = len(inc.build.merged())
    assert 0 < inc.stats.focus_nodes < 50 and 0 < inc.stats.triples_validated < total / 20
    assert inc.violations == build_and_validate(tmp_path / "facts", validator="pyshacl").violations


def test_incremental_validation_of_injected_violations_in_a_generated_graph_equals_pyshacl(tmp_path):
    """Violations of both sh:sparql rules, of a sh:node rule (with pySHACL's nested results) and of a
    cardinality, injected into one source graph, found by revalidating that part only."""
    from graph_builder.synth import generate

    generate(tmp_path / "facts", 10_000, seed=3)
    _facts, built = build_graph(tmp_path / "facts")
    cache = Cache(tmp_path / "cache")
    validate_incremental(built, None, cache)
    g = sorted(g for g, ts in built.graphs.items() if any(p == SCHEMA.startDate for _s, p, _o in ts))[0]
    triples = built.graphs[g]
    event = sorted(s for s, p, _o in triples if p == SCHEMA.startDate)[0]
    for t in [t for t in triples if t[0] == event and t[1] == SCHEMA.endDate]:
        triples.discard(t)
    triples |= {(event, SCHEMA.endDate, Literal("1900", datatype=XSD.gYear)),
                (event, SCHEMA.endDate, Literal("31.12.1900", datatype=XSD.date))}
    interval = sorted(s for s, p, _o in built.merged() if p == TIME.hasBeginning)[0]
    triples |= {(interval, TIME.hasBeginning, ID["x/begin"]), (interval, TIME.hasEnd, ID["x/end"]),
                (ID["x/begin"], TIME.inXSDDate, Literal("2020-05-01", datatype=XSD.date)),
                (ID["x/end"], TIME.inXSDgYear, Literal("2019", datatype=XSD.gYear))}
    stats = Stats()
    got = validate_incremental(built, None, cache, stats)
    assert stats.validated == "incremental" and stats.triples_validated < len(built.merged()) / 10
    reference = shacl_validate(built.merged_graph(), built.origins)
    assert got == reference
    shapes = {v.shape for v in got}
    assert {"ckgsh:Interval-order", "ckgsh:Event-dateOrder", "ckgsh:Event-endDate",
            "ckgsh:TemporalLiteral"} <= shapes  # TemporalLiteral: pySHACL's nested result of the sh:node rule


def test_shapes_the_engine_is_not_verified_on_go_to_pyshacl(shapes, ontology):
    from graph_builder.validating.validate_engine import prepare

    extra = Graph()
    for t in shapes:
        extra.add(t)
    shape = URIRef("https://w3id.org/customs-kg/shapes#Person-name-length")
    extra.add((shape, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SH.PropertyShape))
    extra.add((shape, SH.path, RDFS.label))
    extra.add((shape, SH.minLength, Literal(400)))
    extra.add((shape, SH.message, Literal("too short")))
    extra.add((URIRef("https://w3id.org/customs-kg/shapes#Person"), SH.property, shape))
    prep = prepare(extra, ontology)
    assert prep.engine is None and prepare(shapes, ontology).engine is not None
    data = Graph().parse(ROOT / "tests" / "shapes" / "valid" / "people-and-places.ttl", format="turtle")
    got = fast_validate(data, prepared=prep)
    assert got == shacl_validate(data, shapes=extra, ontology=ontology)
    assert any(v.shape == "ckgsh:Person-name-length" for v in got)


def test_cli_validate_of_an_rdf_file_gives_pyshacls_results(tmp_path):
    path = ROOT / "tests" / "shapes" / "invalid" / "association-role-not-controlled.ttl"
    proc = run_cli("validate", str(path), "--no-reason")
    assert proc.returncode == 1
    # the same problems, named after the file read (validate names it rather than "(graph)")
    expected = [str(v.problem()).replace("(graph): ", f"{path.relative_to(ROOT)}: ", 1)
                for v in shacl_validate(Graph().parse(path, format="turtle"))]
    assert len(expected) == 3 and proc.stderr.splitlines() == expected


def test_the_reasoners_verdict_is_reused_while_its_input_is_the_same(tmp_path, monkeypatch, built):
    from graph_builder.validating import reasoning

    runs = []
    monkeypatch.setattr(reasoning, "_run_hermit", lambda text, n, explain: runs.append(n) or (True, f"ok {n}"))
    triples = built.merged()
    assert reasoning.check_consistency(triples, cache_dir=tmp_path) == (True, f"ok {runs[0]}")
    assert reasoning.check_consistency(triples, cache_dir=tmp_path) == (True, f"ok {runs[0]}")
    assert len(runs) == 1
    fewer = set(triples)
    fewer.discard(next(t for t in sorted(triples) if t[1] == RDFS.label))
    reasoning.check_consistency(fewer, cache_dir=tmp_path)
    assert len(runs) == 2 and runs[1] == runs[0] - 1
    # a version standing for the data: the input is not even written out while it is the same
    reasoning.check_consistency(triples, cache_dir=tmp_path, version="v1")
    monkeypatch.setattr(reasoning, "_input_parts", lambda *a: (_ for _ in ()).throw(AssertionError("input made")))
    assert reasoning.check_consistency(triples, cache_dir=tmp_path, version="v1") == (True, f"ok {runs[0]}")
    assert len(runs) == 3


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_revalidated_incrementally_equal_a_full_validation(tmp_path, seed):
    """Random edits of a generated graph, each revalidated from the previous one's results: triples removed and
    links added (of predicates the shapes and checks look along, and of others, which are read only as
    triples of their subject), and type triples removed, which change the results of the nodes that link to
    theirs. Each time the results equal a full validation's."""
    import random

    from graph_builder.namespaces import RDF
    from graph_builder.synth import generate
    from graph_builder.validating.validate_engine import prepare

    generate(tmp_path / "facts", 3_000, seed=seed)
    _facts, built = build_graph(tmp_path / "facts")
    cache = Cache(tmp_path / "cache")
    validate_incremental(built, None, cache)
    along = prepare().link_predicates
    rng = random.Random(seed)
    names = sorted(built.graphs)
    nodes = sorted({t[0] for t in built.merged()})
    predicates = sorted({t[1] for t in built.merged() if type(t[2]) is not Literal})
    assert any(p in along for p in predicates) and any(p not in along for p in predicates)
    for _ in range(5):
        triples = built.graphs[rng.choice(names)]
        ordered = sorted(triples)
        for t in rng.sample(ordered, min(3, len(ordered))):
            triples.discard(t)
        typed = sorted(t for t in built.merged() if t[1] == RDF.type)
        gone = rng.choice(typed)
        for graph in [built.default, *built.graphs.values()]:
            graph.discard(gone)
        triples |= {(rng.choice(nodes), rng.choice(predicates), rng.choice(nodes)) for _ in range(4)}
        stats = Stats()
        got = validate_incremental(built, None, cache, stats)
        assert stats.validated == "incremental"
        assert got == fast_validate(built.merged(), built.origins)


def test_changed_shapes_are_read_again_not_taken_from_the_cache(facts_copy, tmp_path, monkeypatch):
    """The shapes made ready are kept in the cache by the files they are read from: a build after the shapes
    changed validates everything with the new shapes, and the next edit revalidates with them too."""
    from graph_builder import paths

    root = tmp_path / "root"
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, root / name)
    cache = tmp_path / "cache"
    first = build_and_validate(facts_copy, cache_dir=cache)
    assert first.stats.validated == "full" and not any(v.shape == "ckgsh:Person-test-nickname" for v in first.violations)
    with open(root / "shapes" / "customs-shapes.ttl", "a", encoding="utf-8") as fh:
        fh.write("""
ckgsh:Person-test-nickname a sh:PropertyShape ;
    sh:targetClass foaf:Person ;
    sh:path foaf:nick ;
    sh:minCount 1 ;
    sh:message "A person needs a nickname (a shape of this test)." .
""")
    monkeypatch.setattr(paths, "_root", lambda: root)
    stricter = build_and_validate(facts_copy, cache_dir=cache)
    persons = {v.focus for v in stricter.violations if v.shape == "ckgsh:Person-test-nickname"}
    assert stricter.stats.validated == "full" and persons
    _edit_source(facts_copy)
    edited = build_and_validate(facts_copy, cache_dir=cache)
    assert edited.stats.validated == "incremental"
    assert edited.violations == build_and_validate(facts_copy, validator="pyshacl").violations
    assert {v.focus for v in edited.violations if v.shape == "ckgsh:Person-test-nickname"} == persons


def test_a_change_to_the_validating_code_validates_everything_again(facts_copy, tmp_path, monkeypatch):
    """The results, the checks' reach and the shapes made ready are kept by the code that makes them: after a
    change to it (here: validate_reach.py, which bounds what an edit can reach) an edit is validated in full."""
    from graph_builder.validating import validate_reach

    cache = tmp_path / "cache"
    assert build_and_validate(facts_copy, cache_dir=cache).stats.validated == "full"
    _edit_source(facts_copy)
    assert build_and_validate(facts_copy, cache_dir=cache).stats.validated == "incremental"
    changed = tmp_path / "validate_reach.py"
    changed.write_text(Path(validate_reach.__file__).read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    monkeypatch.setattr(validate_reach, "__file__", str(changed))
    (facts_copy / "sources" / f"{SOURCE}.yaml").write_text(
        (facts_copy / "sources" / f"{SOURCE}.yaml").read_text(encoding="utf-8").replace(
            "value: 9, unit: C62", "value: 8, unit: C62"), encoding="utf-8")
    again = build_and_validate(facts_copy, cache_dir=cache)
    assert again.stats.validated == "full"
    assert again.violations == build_and_validate(facts_copy, validator="pyshacl").violations


def test_a_cache_entry_that_is_not_a_regular_file_is_a_miss_and_leaves_no_open_file(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.put("graph", "a source", "key", {"value": 1})
    assert cache.get("graph", "a source", "key") == {"value": 1}
    entry = next((tmp_path / "cache" / "graph").glob("*.pickle"))
    entry.unlink()
    entry.mkdir()
    before = len(os.listdir("/proc/self/fd"))
    assert all(cache.get("graph", "a source", "key") is None for _ in range(50))
    assert len(os.listdir("/proc/self/fd")) == before
