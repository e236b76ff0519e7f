"""Synthetic facts (customs-kg synth): deterministic, of the asked size, valid, queryable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import run_cli
from graph_builder.synth import MANIFEST, generate, query_params


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def validated_10k(synth_10k):
    from graph_builder.pipeline import build_and_validate

    return build_and_validate(synth_10k[0])


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = tree_of(tmp_path / "a", 1), tree_of(tmp_path / "b", 1), tree_of(tmp_path / "c", 2)
    assert a == b
    assert a.keys() & c.keys() and a != c


def tree_of(folder: Path, seed: int) -> dict[str, bytes]:
    generate(folder, 10_000, seed)
    return tree(folder)


def test_the_folder_has_the_curated_layout(synth_10k):
    folder, manifest = synth_10k
    assert (folder / "vocab" / "roles.yaml").read_bytes() == (Path(__file__).parent.parent / "facts" / "vocab" / "roles.yaml").read_bytes()
    sources = sorted((folder / "sources").glob("*.yaml"))
    assert sources and all((folder / "texts" / (p.stem + ".txt")).is_file() for p in sources)
    assert len(list((folder / "entities").glob("*.yaml"))) >= 5
    assert json.loads((folder / MANIFEST).read_text(encoding="utf-8")) == manifest


def test_10k_is_within_20_percent_and_validates_with_no_violations(validated_10k):
    assert 8_000 <= len(validated_10k.graph) <= 12_000
    assert validated_10k.errors == []


def test_10k_has_the_realistic_shape(validated_10k):
    facts = validated_10k.facts
    types: dict[str, int] = {}
    for e in facts.entities.values():
        types[e.type] = types.get(e.type, 0) + 1
    assert types["Country"] == 180 and types["NationalCustomsAdministration"] == 180
    assert {"IntergovernmentalOrganization", "Council", "Committee", "Department", "RILO", "MeetingSeries",
            "Session", "Person", "City"} <= set(types)
    memberships = [st for st in facts.statements if st.kind == "membership"]
    precisions = {st.values[k].precision for st in memberships for k in ("start", "end") if k in st.values}
    assert precisions == {"year", "month", "day"}
    assert any("end" not in st.values and "start" in st.values for st in memberships)  # open-ended
    assert any("attested" in st.values and "start" not in st.values for st in memberships)  # undated, attested
    langs = {lang for e in facts.entities.values() for lang in (*e.names.pref, *e.names.aliases)}
    assert {"en", "ru", "fr"} <= langs
    units = {q["unit"] for st in facts.statements for q in st.values.get("quantities", ())}
    assert units and units <= {"KGM", "TNE", "C62"}
    per_event: dict[str, set[str]] = {}
    for st in facts.statements:
        if st.kind == "event":
            per_event.setdefault(st.subject, set()).add(st.source)
    assert any(len(s) > 1 for s in per_event.values())  # facts resting on several sources


def test_every_named_query_runs_on_10k(validated_10k, synth_10k):
    # In Oxigraph, parameters bound by VALUES as for a graph store (rdflib's engine
    # takes minutes for some of them at this size: see bench/RESULTS.md).
    import pyoxigraph

    from graph_builder.answering.query import iter_named
    from graph_builder.answering.query import bind_with_values
    from graph_builder.writing.serialize import TermWriter

    nt = TermWriter()
    store = pyoxigraph.Store()
    store.load("".join(f"{nt.term(s)} {nt.term(p)} {nt.term(o)} .\n" for s, p, o in validated_10k.graph),
               pyoxigraph.RdfFormat.N_TRIPLES)
    manifest = synth_10k[1]
    answered = []
    for q in iter_named("cq"):
        required = tuple(p.name for p in q.params if not p.doc.startswith("optional"))
        params = query_params(manifest, q.name, required)
        assert set(required) <= set(params), q.name
        if list(store.query(bind_with_values(q, params))):
            answered.append(q.name)
    assert len(answered) >= 20, answered  # the parameters exist in the data: most queries have answers


def test_100k_loads_and_builds(synth_100k, built_100k):
    assert synth_100k[1]["target_triples"] == 100_000
    assert 80_000 <= len(built_100k.merged()) <= 120_000


def test_cli_synth_writes_facts(tmp_path):
    proc = run_cli("synth", "--triples", "2000", "-o", str(tmp_path / "f"), "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout and (tmp_path / "f" / "sources").is_dir()
    again = run_cli("synth", "--triples", "2000", "-o", str(tmp_path / "f"), "--seed", "3")  # an earlier synth folder is replaced
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("args", [
    ["--triples", "lots", "-o", "OUT"],
    ["--triples", "999", "-o", "OUT"],
    ["--triples", "5000"],
    ["-o", "OUT"],
    ["--triples", "5000", "-o", "OUT", "--seed", "x"],
    ["--triples", "5000", "-o", "FOREIGN"],
])
def test_cli_synth_rejects_bad_arguments(tmp_path, args):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    argv = [str(tmp_path / "out") if a == "OUT" else str(foreign) if a == "FOREIGN" else a for a in args]
    proc = run_cli("synth", *argv)
    assert proc.returncode == 2, proc.stderr
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "out").exists()


def test_synthetic_facts_state_every_kind_of_the_schema(synth_10k):
    from graph_builder.loading.facts import load_facts
    from graph_builder.loading.schema import KINDS

    facts = load_facts(synth_10k[0])
    assert {st.kind for st in facts.statements} == set(KINDS)


@pytest.mark.parametrize("body,error", [
    (["founded: {org: x, date: \"1990\", where: y}"], "['where'] unknown"),
    (["membership: m", "member: a", "organization: b"], "['role'] missing"),
    (["meeting: m"], "'meeting' is not a statement kind"),
])
def test_synth_writes_only_what_the_schema_declares(body, error):
    from graph_builder.synth import Article

    with pytest.raises(ValueError, match=re.escape(error)):
        Article("a", "A", None, None).state(["One sentence of the article."], body)
