"""The real ``facts/`` folder, checked by invariants only, and the golden tests' independence of it.

The golden tests pin answers read from the seed articles and run on the frozen
copy ``tests/seed_facts``. ``facts/`` grows with every article a curator
adds, so here it is only held to what must be true of any facts folder: it
builds, it is valid and consistent, every claim has a source, every quote is
in its text, and ``customs-kg check`` finds no error.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from conftest import BUNDLED_FACTS, FACTS, ROOT, cli_env, run_cli

# The invented articles with a curated source (tests/articles/delta-ports has none: tests/test_draft.py drafts it).
ARTICLES = sorted(p for p in (ROOT / "tests" / "articles").iterdir() if (p / "sources").is_dir())
PROV = "http://www.w3.org/ns/prov#"
CKG = "https://w3id.org/customs-kg/ontology#"
SCHEMA = "http://schema.org/"


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def bundled_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled") / "out"
    proc = run_cli("build", str(BUNDLED_FACTS), "-o", str(out))
    return proc, out


def test_the_bundled_facts_build_valid_and_consistent(bundled_build):
    proc, out = bundled_build
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^SHACL violations +0$", proc.stdout, re.M), proc.stdout
    assert re.search(r"^OWL consistency \(HermiT\) +consistent$", proc.stdout, re.M), proc.stdout
    assert (out / "customs-kg.ttl").stat().st_size > 0 and (out / "customs-kg.trig").stat().st_size > 0


def test_every_claim_of_the_bundled_facts_has_a_source_and_every_quote_is_in_its_text(bundled_build):
    _proc, out = bundled_build
    g = Graph().parse(out / "customs-kg.ttl", format="turtle")
    articles = set(g.subjects(RDF.type, URIRef(SCHEMA + "NewsArticle")))
    assert articles
    # Every reified statement and every quotation names a source article.
    statements = set(g.subjects(RDF.type, RDF.Statement))
    assert statements
    for node in statements:
        assert set(g.objects(node, URIRef(PROV + "wasDerivedFrom"))) & articles, node
    quotations = set(g.subjects(RDF.type, URIRef(CKG + "Quotation")))
    assert quotations
    texts: dict[URIRef, str] = {}
    for article in articles:
        (name,) = g.objects(article, URIRef(CKG + "sourceFile"))
        texts[article] = _words((BUNDLED_FACTS / "texts" / str(name)).read_text(encoding="utf-8"))
    for quote in quotations:
        (article,) = g.objects(quote, URIRef(PROV + "wasQuotedFrom"))
        (sentence,) = g.objects(quote, URIRef(PROV + "value"))
        assert _words(str(sentence)) in texts[article], (quote, sentence)
    # Every node that something was derived from is a quotation or an article.
    for _claim, source in g.subject_objects(URIRef(PROV + "wasDerivedFrom")):
        assert source in articles or source in quotations, source


def test_the_bundled_facts_quote_each_sentence_once():
    """Claims stated by the same sentence (or the same sentences together) sit under one sentence block."""
    from graph_builder.loading.yamlload import parse_yaml

    for path in sorted((BUNDLED_FACTS / "sources").glob("*.yaml")):
        entries = parse_yaml(path.read_bytes(), path)["statements"]
        seen: dict[tuple[str, ...], int] = {}
        for entry in entries:
            quote = entry["quote"]
            key = tuple(_words(q) for q in (quote if isinstance(quote, list) else [quote]))
            assert key not in seen, f"{path.name}:{entry.line}: quotes what the entry at line {seen[key]} quotes"
            seen[key] = entry.line


def test_check_finds_no_error_in_the_bundled_facts():
    proc = run_cli("check", str(BUNDLED_FACTS))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^0 errors, \d+ warnings?, \d+ notes?$", proc.stdout, re.M), proc.stdout


def test_the_golden_tests_read_the_frozen_seed_copy():
    """Every command a test runs reads tests/seed_facts unless the test names another folder."""
    import os

    assert FACTS == ROOT / "tests" / "seed_facts"
    assert os.environ["CUSTOMS_KG_FACTS"] == str(FACTS)
    from graph_builder.paths import default_facts_dir

    assert default_facts_dir() == FACTS


def _copy_checkout(dest: Path) -> None:
    """The project's tracked and new files (no virtual environment, caches or outputs)."""
    ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", "output",
                                    "build", "viz", "*.egg-info")
    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)


def test_a_new_article_in_facts_leaves_the_golden_tests_green(tmp_path):
    """Add the invented articles to facts/ of a copy of the project: it builds, and golden tests still pass there."""
    checkout = tmp_path / "checkout"
    _copy_checkout(checkout)
    facts = checkout / "facts"
    for article, part in ((a, p) for a in ARTICLES for p in ("sources", "texts", "entities")):
        for path in (article / part).iterdir():
            assert not (facts / part / path.name).exists()
            shutil.copy2(path, facts / part / path.name)

    built = subprocess.run([sys.executable, "-m", "graph_builder", "build", "facts", "-o", str(tmp_path / "out"),
                            "--no-reason"], cwd=checkout, capture_output=True, text=True, env=cli_env(), timeout=300)
    assert built.returncode == 0, built.stderr
    added = sum(1 for a in ARTICLES for _ in (a / "sources").iterdir())
    assert re.search(rf"^sources +{5 + added}$", built.stdout, re.M), built.stdout
    assert re.search(r"^SHACL violations +0$", built.stdout, re.M), built.stdout

    answer = subprocess.run([sys.executable, "-m", "graph_builder", "query", "series-meetings", "--facts", "facts",
                             "--param", "series=coastal-forum-meetings", "-f", "csv"],
                            cwd=checkout, capture_output=True, text=True, env=cli_env(), timeout=300)
    assert answer.returncode == 0, answer.stderr
    assert "coastal-forum-meeting-3" in answer.stdout and "2025-03-10" in answer.stdout

    # Golden tests run in the grown copy: the build summary, every named query's rows (tests/goldens) and
    # the answers of the query tests read from the seed texts.
    env = cli_env()
    env["PYTHONPATH"] = env["PYTHONPATH"].replace(str(ROOT), str(checkout))
    env.pop("CUSTOMS_KG_FACTS", None)
    golden = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                             "tests/test_build.py::test_build_prints_summary_and_writes_turtle_and_trig",
                             "tests/test_goldens.py", "tests/test_queries.py::test_competency_question_answer",
                             "-k", "summary or q- or competency"],
                            cwd=checkout, capture_output=True, text=True, env=env, timeout=900)
    assert golden.returncode == 0, golden.stdout[-3000:] + golden.stderr[-2000:]
    passed = re.match(r"(\d+) passed", golden.stdout.splitlines()[-1])
    assert passed and int(passed.group(1)) >= 60, golden.stdout[-500:]
