"""The generated ontology docs (docs/ontology.html, docs/ontology.md) match the ontology.

When a test here fails because the ontology changed, run
``python -m graph_builder.ontodocs`` and commit both files.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from conftest import ROOT
from graph_builder import ontodocs

DOCS = ROOT / "docs"
ONTOLOGY = ROOT / "ontology" / "customs.ttl"
CKG = "https://w3id.org/customs-kg/ontology#"
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def generated(ontology: Graph) -> dict[str, str]:
    return ontodocs.generate(ontology)


def ckg_terms(graph: Graph) -> list[URIRef]:
    """Every class and property of the ckg: namespace, read independently of ontodocs."""
    terms = {s for kind in KINDS for s in graph.subjects(RDF.type, kind)
             if isinstance(s, URIRef) and str(s).startswith(CKG)}
    return sorted(terms)


def en(graph: Graph, s: URIRef, p: URIRef) -> str:
    values = [o for o in graph.objects(s, p) if isinstance(o, Literal) and o.language == "en"]
    assert len(values) == 1, f"{s} has {len(values)} English {p}"
    return str(values[0])


@pytest.mark.parametrize("name", [ontodocs.HTML_NAME, ontodocs.MD_NAME])
def test_committed_doc_is_up_to_date(name: str, generated: dict[str, str]) -> None:
    committed = (DOCS / name).read_text(encoding="utf-8")
    if committed != generated[name]:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), generated[name].splitlines(keepends=True),
            f"docs/{name} (committed)", f"docs/{name} (from ontology/)"))[:60])
        pytest.fail(f"docs/{name} is out of date: run `python -m graph_builder.ontodocs` and commit it\n{diff}")


def test_docs_follow_the_ontology(ontology: Graph, generated: dict[str, str]) -> None:
    """The drift check can fail: a changed label changes both documents."""
    changed = Graph()
    for t in ontology:
        changed.add(t)
    council = URIRef(CKG + "Council")
    changed.set((council, RDFS.label, Literal("Governing council", lang="en")))
    regenerated = ontodocs.generate(changed)
    for name in (ontodocs.HTML_NAME, ontodocs.MD_NAME):
        assert regenerated[name] != generated[name], name
        assert "Governing council" in regenerated[name]


def test_output_does_not_depend_on_the_process() -> None:
    """Same bytes under different hash seeds (blank-node ids and set order vary between processes)."""
    for seed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-m", "graph_builder.ontodocs", "--check"],
                              capture_output=True, text=True, cwd=ROOT, timeout=120,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr


def test_check_names_the_stale_file_and_regeneration_fixes_it(tmp_path, generated, capsys) -> None:
    for name, text in generated.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert ontodocs.main(["--check", "--docs-dir", str(tmp_path)]) == 0

    (tmp_path / ontodocs.MD_NAME).write_text(generated[ontodocs.MD_NAME] + "edited by hand\n", encoding="utf-8")
    (tmp_path / ontodocs.HTML_NAME).unlink()
    capsys.readouterr()
    assert ontodocs.main(["--check", "--docs-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert str(tmp_path / ontodocs.MD_NAME) in err
    assert str(tmp_path / ontodocs.HTML_NAME) in err
    assert not (tmp_path / ontodocs.HTML_NAME).exists(), "--check must not write"

    assert ontodocs.main(["--docs-dir", str(tmp_path)]) == 0
    assert ontodocs.main(["--check", "--docs-dir", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(generated), "no temporary files left behind"


class _Page(HTMLParser):
    """Collects external references and the text of every element with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetches: list[str] = []
        self.tags: list[str] = []
        self.style = ""
        self._open: list[tuple[str, str | None]] = []
        self.text_by_id: dict[str, list[str]] = {}
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if tag in ("script", "link", "img", "iframe", "object", "embed", "source", "video", "audio"):
            ref = a.get("src") or a.get("href") or a.get("data") or ""
            self.fetches.append(f"<{tag} {ref}>")
        if a.get("style"):
            self.style += a["style"] or ""
        self._in_style = tag == "style"
        if tag not in ("br", "meta", "img", "link", "input", "hr"):
            self._open.append((tag, a.get("id")))
            if a.get("id"):
                self.text_by_id.setdefault(a["id"] or "", [])

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        for _, ident in self._open:
            if ident:
                self.text_by_id[ident].append(data)


@pytest.fixture(scope="module")
def page(generated: dict[str, str]) -> _Page:
    parser = _Page()
    parser.feed(generated[ontodocs.HTML_NAME])
    parser.close()
    return parser


def test_html_is_self_contained(page: _Page, generated: dict[str, str]) -> None:
    text = generated[ontodocs.HTML_NAME]
    assert page.fetches == [], f"the page loads external resources: {page.fetches}"
    assert "script" not in page.tags
    assert not re.search(r"@import|url\s*\(|@font-face", page.style), "CSS must not fetch anything"
    assert not re.search(r"(src|srcset|data)\s*=\s*[\"']?https?:", text, re.I)
    assert '<meta charset="utf-8">' in text


def test_html_lists_every_term_with_label_and_comment(ontology: Graph, page: _Page) -> None:
    terms = ckg_terms(ontology)
    assert len(terms) >= 50
    for term in terms:
        local = str(term)[len(CKG):]
        assert local in page.text_by_id, f"no section for ckg:{local}"
        section = " ".join("".join(page.text_by_id[local]).split())
        for p in (RDFS.label, RDFS.comment):
            assert " ".join(en(ontology, term, p).split()) in section, f"ckg:{local} {p}"
        assert str(term) in section
        for alt in ontology.objects(term, SKOS.altLabel):
            assert str(alt) in section, f"ckg:{local} altLabel {alt}"


def test_markdown_lists_every_term_with_label_and_comment(ontology: Graph, generated: dict[str, str]) -> None:
    md = generated[ontodocs.MD_NAME]
    sections = dict(re.findall(r"^### ckg:(\w+)\n(.*?)(?=^##|\Z)", md, re.M | re.S))
    names = [str(t)[len(CKG):] for t in ckg_terms(ontology)]
    assert sorted(sections) == sorted(names)

    def unescape(s: str) -> str:
        return re.sub(r"\\(.)", r"\1", s)

    for term in ckg_terms(ontology):
        local = str(term)[len(CKG):]
        body = unescape(sections[local])
        assert f"- Label: {en(ontology, term, RDFS.label)}\n" in body, local
        assert f"- Comment: {en(ontology, term, RDFS.comment)}\n" in body, local
        for alt in ontology.objects(term, SKOS.altLabel):
            assert str(alt) in body, f"ckg:{local} altLabel {alt}"


def test_markdown_order_is_by_kind_then_local_name(ontology: Graph, generated: dict[str, str]) -> None:
    headings = re.findall(r"^## (.+)$|^### ckg:(\w+)$", generated[ontodocs.MD_NAME], re.M)
    seen: dict[str, list[str]] = {}
    current = ""
    for kind, local in headings:
        if kind:
            current = kind
        else:
            seen.setdefault(current, []).append(local)
    assert list(seen) == ["Classes", "Object properties", "Datatype properties", "Annotation properties"]
    for kind, locals_ in seen.items():
        assert locals_ == sorted(locals_, key=lambda n: (n.casefold(), n)), kind
