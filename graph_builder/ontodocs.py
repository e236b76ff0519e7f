"""Ontology documentation: ``docs/ontology.html`` and ``docs/ontology.md``.

Both files are generated from ``ontology/customs.ttl`` and committed; a test
fails when they drift from the ontology. Regenerate them with::

    python -m graph_builder.ontodocs          # rewrite both files
    python -m graph_builder.ontodocs --check  # exit 1 naming each stale file

The HTML is one self-contained page (inline CSS, no scripts, nothing fetched).
Output is deterministic: terms are ordered by kind, then by local name; RDF
lists (``owl:unionOf`` ...) keep their order; no dates are added.

pyLODE was tried and not used: 3.3.4 runs offline, but its output changes from
run to run (it collects the members of ``owl:unionOf`` / ``owl:intersectionOf``
in a set of HTML element objects, so their order follows memory addresses, even
with ``PYTHONHASHSEED`` fixed) and it does not show ``skos:altLabel``.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from graph_builder.atomic import write_atomic
from graph_builder.namespaces import CKG, PREFIXES, VANN
from graph_builder.paths import ontology_file

HTML_NAME = "ontology.html"
MD_NAME = "ontology.md"
COMMAND = "python -m graph_builder.ontodocs"

ONTOLOGY_IRI = URIRef("https://w3id.org/customs-kg/ontology")

_DOC_PREFIXES: dict[str, str] = {**PREFIXES, "vann": str(VANN)}

# (rdf:type, heading, anchor of the section), in the order the documents list them.
KINDS: tuple[tuple[URIRef, str, str], ...] = (
    (OWL.Class, "Classes", "classes"),
    (OWL.ObjectProperty, "Object properties", "object-properties"),
    (OWL.DatatypeProperty, "Datatype properties", "datatype-properties"),
    (OWL.AnnotationProperty, "Annotation properties", "annotation-properties"),
)

_CHARACTERISTICS: tuple[tuple[URIRef, str], ...] = (
    (OWL.FunctionalProperty, "functional"),
    (OWL.InverseFunctionalProperty, "inverse functional"),
    (OWL.TransitiveProperty, "transitive"),
    (OWL.SymmetricProperty, "symmetric"),
    (OWL.AsymmetricProperty, "asymmetric"),
    (OWL.ReflexiveProperty, "reflexive"),
    (OWL.IrreflexiveProperty, "irreflexive"),
)

_RESTRICTIONS: tuple[tuple[URIRef, str], ...] = (
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.hasValue, "value"),
    (OWL.minCardinality, "min"),
    (OWL.maxCardinality, "max"),
    (OWL.cardinality, "exactly"),
    (OWL.minQualifiedCardinality, "min"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.qualifiedCardinality, "exactly"),
)


@dataclass(frozen=True)
class Term:
    """One ckg: class or property, with what the documents show about it."""

    iri: URIRef
    kind: URIRef
    local: str
    label: str
    comment: str
    alt_labels: tuple[tuple[str, str], ...]  # (language, text)
    characteristics: tuple[str, ...] = ()
    supers: tuple[Node, ...] = ()  # rdfs:subClassOf / rdfs:subPropertyOf
    equivalents: tuple[Node, ...] = ()
    subs: tuple[URIRef, ...] = ()  # ckg: terms below this one
    domains: tuple[Node, ...] = ()
    ranges: tuple[Node, ...] = ()
    inverses: tuple[Node, ...] = ()
    see_also: tuple[Node, ...] = ()


@dataclass(frozen=True)
class OntologyDoc:
    """The ontology header and its terms, ordered as the documents list them."""

    iri: URIRef
    title: str
    version_iri: str
    version: str
    description: str
    license: str
    created: str
    prefix: str
    namespace: str
    imports: tuple[str, ...]
    terms: tuple[Term, ...]
    disjoint_sets: tuple[tuple[Node, ...], ...] = field(default=())


def load_graph(path: Path | None = None) -> Graph:
    """The project ontology (its import modules are not needed for the docs)."""
    graph = Graph()
    graph.parse(path or ontology_file(), format="turtle")
    return graph


def _one(graph: Graph, s: Node, p: URIRef, lang: str | None = "en") -> str:
    values = sorted(graph.objects(s, p), key=lambda o: (getattr(o, "language", None) != lang, str(o)))
    return str(values[0]) if values else ""


def _sorted_nodes(graph: Graph, nodes: set[Node]) -> tuple[Node, ...]:
    """Named terms by IRI, then class expressions by their wording (blank-node ids are random)."""
    def key(n: Node) -> tuple[bool, str]:
        if isinstance(n, BNode):
            return (True, render_expression(graph, n, curie, lambda w: w, lambda t: t))
        return (False, str(n))
    return tuple(sorted(nodes, key=key))


def _sort_key(term: Term) -> tuple[int, str, str]:
    order = [k for k, _, _ in KINDS].index(term.kind)
    return (order, term.local.casefold(), term.local)


def collect(graph: Graph) -> OntologyDoc:
    """What the documents show, read from the ontology graph."""
    terms: list[Term] = []
    for kind, _, _ in KINDS:
        for s in set(graph.subjects(RDF.type, kind)):
            if not isinstance(s, URIRef) or not str(s).startswith(str(CKG)):
                continue
            is_class = kind == OWL.Class
            sup = RDFS.subClassOf if is_class else RDFS.subPropertyOf
            alts = sorted(
                ((o.language or "", str(o)) for o in graph.objects(s, SKOS.altLabel) if isinstance(o, Literal)),
                key=lambda lt: (lt[0] != "ru", lt[0], lt[1]),
            )
            subs = sorted(
                (x for x in graph.subjects(sup, s) if isinstance(x, URIRef) and str(x).startswith(str(CKG))),
                key=str,
            )
            inverses = set(graph.objects(s, OWL.inverseOf)) | set(graph.subjects(OWL.inverseOf, s))
            terms.append(Term(
                iri=s,
                kind=kind,
                local=str(s)[len(str(CKG)):],
                label=_one(graph, s, RDFS.label),
                comment=_one(graph, s, RDFS.comment),
                alt_labels=tuple(alts),
                characteristics=tuple(n for t, n in _CHARACTERISTICS if (s, RDF.type, t) in graph),
                supers=_sorted_nodes(graph, set(graph.objects(s, sup))),
                equivalents=_sorted_nodes(graph, set(graph.objects(s, OWL.equivalentClass))
                                          | set(graph.objects(s, OWL.equivalentProperty))),
                subs=tuple(subs),
                domains=_sorted_nodes(graph, set(graph.objects(s, RDFS.domain))),
                ranges=_sorted_nodes(graph, set(graph.objects(s, RDFS.range))),
                inverses=_sorted_nodes(graph, inverses),
                see_also=_sorted_nodes(graph, set(graph.objects(s, RDFS.seeAlso))),
            ))
    disjoint: list[tuple[Node, ...]] = []
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in graph.objects(axiom, OWL.members):
            disjoint.append(tuple(Collection(graph, members)))
    ont = ONTOLOGY_IRI
    return OntologyDoc(
        iri=ont,
        title=_one(graph, ont, DCTERMS.title),
        version_iri=_one(graph, ont, OWL.versionIRI),
        version=_one(graph, ont, OWL.versionInfo),
        description=_one(graph, ont, DCTERMS.description),
        license=_one(graph, ont, DCTERMS.license),
        created=_one(graph, ont, DCTERMS.created),
        prefix=_one(graph, ont, VANN.preferredNamespacePrefix),
        namespace=_one(graph, ont, VANN.preferredNamespaceUri),
        imports=tuple(sorted(str(o) for o in graph.objects(ont, OWL.imports))),
        terms=tuple(sorted(terms, key=_sort_key)),
        disjoint_sets=tuple(sorted(disjoint, key=lambda m: [str(x) for x in m])),
    )


def curie(iri: Node) -> str:
    """``prefix:local`` for a known namespace, else the IRI."""
    text = str(iri)
    for prefix, ns in sorted(_DOC_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", text[len(ns):]):
            return f"{prefix}:{text[len(ns):]}"
    return text


def render_expression(graph: Graph, node: Node, ref: Callable[[URIRef], str],
                      word: Callable[[str], str], text: Callable[[str], str]) -> str:
    """A class expression in Manchester-like words: ``A or B``, ``p some C``.

    ``ref`` writes a named term, ``word`` a keyword, ``text`` a literal.
    """
    if isinstance(node, URIRef):
        return ref(node)
    if isinstance(node, Literal):
        return text(str(node))
    for p, joiner in ((OWL.unionOf, "or"), (OWL.intersectionOf, "and")):
        lst = graph.value(node, p)
        if lst is not None:
            parts = [render_expression(graph, m, ref, word, text) for m in Collection(graph, lst)]
            members = list(Collection(graph, lst))
            wrapped = [f"({x})" if isinstance(m, BNode) else x for x, m in zip(parts, members)]
            return f" {word(joiner)} ".join(wrapped)
    one_of = graph.value(node, OWL.oneOf)
    if one_of is not None:
        return "{" + ", ".join(render_expression(graph, m, ref, word, text) for m in Collection(graph, one_of)) + "}"
    prop = graph.value(node, OWL.onProperty)
    if prop is not None:
        for p, kw in _RESTRICTIONS:
            value = graph.value(node, p)
            if value is None:
                continue
            head = f"{render_expression(graph, prop, ref, word, text)} {word(kw)} "
            if isinstance(value, Literal) and p not in (OWL.hasValue,):
                qualifier = graph.value(node, OWL.onClass) or graph.value(node, OWL.onDataRange)
                tail = text(str(value))
                if qualifier is not None:
                    tail += " " + render_expression(graph, qualifier, ref, word, text)
                return head + tail
            return head + render_expression(graph, value, ref, word, text)
    complement = graph.value(node, OWL.complementOf)
    if complement is not None:
        return f"{word('not')} " + render_expression(graph, complement, ref, word, text)
    return text("(anonymous)")


# -- HTML ---------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5;
       color: #1d1d1f; margin: 0; display: flex; }
nav { position: sticky; top: 0; height: 100vh; overflow-y: auto; width: 17rem; flex: none;
      padding: 1rem; box-sizing: border-box; background: #f5f5f7; border-right: 1px solid #ddd;
      font-size: 0.9rem; }
nav ul { list-style: none; padding-left: 0.8rem; margin: 0.2rem 0; }
nav > ul { padding-left: 0; }
main { max-width: 60rem; padding: 1rem 2rem 4rem; }
h1 { margin-top: 0.5rem; }
h2 { border-bottom: 2px solid #3a6ea5; padding-bottom: 0.2rem; margin-top: 2.5rem; }
section.term { border: 1px solid #ddd; border-radius: 6px; padding: 0.3rem 1rem 0.6rem;
               margin: 1rem 0; }
section.term h3 { margin: 0.4rem 0; }
section.term h3 .kind { font-size: 0.75rem; font-weight: normal; color: #fff; background: #3a6ea5;
                        border-radius: 3px; padding: 0.05rem 0.35rem; vertical-align: middle; }
dl { display: grid; grid-template-columns: 11rem 1fr; gap: 0.25rem 1rem; margin: 0.4rem 0; }
dt { font-weight: 600; color: #555; }
dd { margin: 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; }
.kw { font-style: italic; color: #8a3b12; }
a { color: #23579a; text-decoration: none; }
a:hover { text-decoration: underline; }
table.meta td { padding: 0.1rem 0.8rem 0.1rem 0; vertical-align: top; }
""".strip()


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _html_ref(iri: URIRef) -> str:
    text = str(iri)
    if text.startswith(str(CKG)):
        return f'<a href="#{_esc(text[len(str(CKG)):])}"><code>{_esc(curie(iri))}</code></a>'
    return f'<a href="{_esc(text)}"><code>{_esc(curie(iri))}</code></a>'


def _html_expr(graph: Graph, node: Node) -> str:
    return render_expression(graph, node, _html_ref, lambda w: f'<span class="kw">{_esc(w)}</span>', _esc)


def _html_alt(alts: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f'<span lang="{_esc(lang)}">{_esc(t)}</span> ({_esc(lang)})' if lang else _esc(t)
                     for lang, t in alts)


def _rows(graph: Graph, term: Term) -> list[tuple[str, str]]:
    """(field name, HTML value) rows for a term, in a fixed order."""
    is_class = term.kind == OWL.Class
    rows = [("IRI", f"<code>{_esc(str(term.iri))}</code>")]
    rows.append(("Label", f'<span lang="en">{_esc(term.label)}</span>'))
    if term.alt_labels:
        rows.append(("Alternative labels", _html_alt(term.alt_labels)))
    rows.append(("Comment", f"<p>{_esc(term.comment)}</p>"))
    if term.characteristics:
        rows.append(("Characteristics", _esc(", ".join(term.characteristics))))

    def many(nodes: Sequence[Node]) -> str:
        return "<br>".join(_html_expr(graph, n) for n in nodes)

    for name, nodes in (
        ("Superclasses" if is_class else "Superproperties", term.supers),
        ("Equivalent to", term.equivalents),
        ("Subclasses" if is_class else "Subproperties", term.subs),
        ("Domain", term.domains),
        ("Range", term.ranges),
        ("Inverse of", term.inverses),
        ("See also", term.see_also),
    ):
        if nodes:
            rows.append((name, many(nodes)))
    return rows


def render_html(graph: Graph) -> str:
    """The ontology as one self-contained HTML page."""
    doc = collect(graph)
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(doc.title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        f"<!-- Generated from ontology/customs.ttl by `{COMMAND}`; do not edit by hand. -->",
        '<nav aria-label="Contents">',
        f'<p><strong><a href="#top">{_esc(doc.title)}</a></strong></p>',
        "<ul>",
        '<li><a href="#overview">Overview</a></li>',
    ]
    for kind, heading, anchor in KINDS:
        terms = [t for t in doc.terms if t.kind == kind]
        if not terms:
            continue
        out.append(f'<li><a href="#{anchor}">{_esc(heading)}</a> ({len(terms)})<ul>')
        for t in terms:
            out.append(f'<li><a href="#{_esc(t.local)}">{_esc(t.label or t.local)}</a></li>')
        out.append("</ul></li>")
    if doc.disjoint_sets:
        out.append('<li><a href="#disjointness">Disjoint classes</a></li>')
    out += ["</ul>", "</nav>", '<main id="top">', f"<h1>{_esc(doc.title)}</h1>",
            '<section id="overview">', '<table class="meta">']
    meta = [
        ("IRI", f"<code>{_esc(str(doc.iri))}</code>"),
        ("Version IRI", f"<code>{_esc(doc.version_iri)}</code>"),
        ("Version", _esc(doc.version)),
        ("Created", _esc(doc.created)),
        ("License", f'<a href="{_esc(doc.license)}">{_esc(doc.license)}</a>'),
        ("Preferred prefix", f"<code>{_esc(doc.prefix)}:</code> <code>{_esc(doc.namespace)}</code>"),
        ("Imports", "<br>".join(f"<code>{_esc(i)}</code>" for i in doc.imports)),
    ]
    out += [f"<tr><td><strong>{k}</strong></td><td>{v}</td></tr>" for k, v in meta if v]
    out.append("</table>")
    out += [f"<p>{_esc(p.strip())}</p>" for p in doc.description.split("\n\n") if p.strip()]
    out.append("</section>")
    for kind, heading, anchor in KINDS:
        terms = [t for t in doc.terms if t.kind == kind]
        if not terms:
            continue
        out += [f'<section id="{anchor}">', f"<h2>{_esc(heading)}</h2>"]
        for t in terms:
            out.append(f'<section class="term" id="{_esc(t.local)}">')
            out.append(f'<h3>{_esc(t.label or t.local)} <span class="kind">{_esc(curie(kind))}</span></h3>')
            out.append("<dl>")
            out += [f"<dt>{name}</dt><dd>{value}</dd>" for name, value in _rows(graph, t)]
            out += ["</dl>", "</section>"]
        out.append("</section>")
    if doc.disjoint_sets:
        out += ['<section id="disjointness">', "<h2>Disjoint classes</h2>",
                "<p>No two classes in each list below share a member (<code>owl:AllDisjointClasses</code>).</p>"]
        for members in doc.disjoint_sets:
            out.append("<p>" + ", ".join(_html_expr(graph, m) for m in members) + "</p>")
        out.append("</section>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# -- Markdown -----------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _md_ref(iri: URIRef) -> str:
    text = str(iri)
    if text.startswith(str(CKG)):
        return f"[`{curie(iri)}`](#{_slug(curie(iri))})"
    return f"`{curie(iri)}`"


def _md_expr(graph: Graph, node: Node) -> str:
    return render_expression(graph, node, _md_ref, lambda w: f"*{w}*", _md)


def render_markdown(graph: Graph) -> str:
    """The ontology as a Markdown reference."""
    doc = collect(graph)
    out = [
        f"<!-- Generated from ontology/customs.ttl by `{COMMAND}`; do not edit by hand. -->",
        "",
        f"# {_md(doc.title)}",
        "",
        f"- IRI: `{doc.iri}`",
        f"- Version IRI: `{doc.version_iri}`",
        f"- Version: {_md(doc.version)}",
        f"- Created: {_md(doc.created)}",
        f"- License: <{doc.license}>",
        f"- Preferred prefix: `{doc.prefix}:` = `{doc.namespace}`",
        "- Imports: " + ", ".join(f"`{i}`" for i in doc.imports),
        "",
    ]
    for p in doc.description.split("\n\n"):
        if p.strip():
            out += [_md(p.strip()), ""]
    out += ["## Contents", ""]
    for kind, heading, _ in KINDS:
        terms = [t for t in doc.terms if t.kind == kind]
        if terms:
            out.append(f"- [{heading}](#{_slug(heading)}) ({len(terms)}): "
                       + ", ".join(f"[`{curie(t.iri)}`](#{_slug(curie(t.iri))})" for t in terms))
    if doc.disjoint_sets:
        out.append("- [Disjoint classes](#disjoint-classes)")
    out.append("")
    for kind, heading, _ in KINDS:
        terms = [t for t in doc.terms if t.kind == kind]
        if not terms:
            continue
        out += [f"## {heading}", ""]
        is_class = kind == OWL.Class
        for t in terms:
            out += [f"### {curie(t.iri)}", ""]
            out.append(f"- IRI: `{t.iri}`")
            out.append(f"- Label: {_md(t.label)}")
            if t.alt_labels:
                out.append("- Alternative labels: "
                           + "; ".join(f"{_md(x)} ({lang})" if lang else _md(x) for lang, x in t.alt_labels))
            out.append(f"- Comment: {_md(t.comment)}")
            if t.characteristics:
                out.append("- Characteristics: " + ", ".join(t.characteristics))
            for name, nodes in (
                ("Superclasses" if is_class else "Superproperties", t.supers),
                ("Equivalent to", t.equivalents),
                ("Subclasses" if is_class else "Subproperties", t.subs),
                ("Domain", t.domains),
                ("Range", t.ranges),
                ("Inverse of", t.inverses),
                ("See also", t.see_also),
            ):
                if nodes:
                    out.append(f"- {name}: " + "; ".join(_md_expr(graph, n) for n in nodes))
            out.append("")
    if doc.disjoint_sets:
        out += ["## Disjoint classes", "",
                "No two classes in each list below share a member (`owl:AllDisjointClasses`):", ""]
        for members in doc.disjoint_sets:
            out += ["- " + ", ".join(_md_expr(graph, m) for m in members), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# -- Files --------------------------------------------------------------------

def default_docs_dir() -> Path:
    """``docs/`` of the source checkout, or of the current directory for an installed package."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "docs"
    return Path.cwd() / "docs"


def generate(graph: Graph | None = None) -> dict[str, str]:
    """File name → content, for every generated documentation file."""
    graph = graph if graph is not None else load_graph()
    return {HTML_NAME: render_html(graph), MD_NAME: render_markdown(graph)}


def stale_files(docs_dir: Path, generated: dict[str, str] | None = None) -> list[Path]:
    """The files in ``docs_dir`` that are missing or differ from what would be generated."""
    generated = generated if generated is not None else generate()
    stale = []
    for name, text in generated.items():
        path = docs_dir / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            stale.append(path)
    return stale


def write_docs(docs_dir: Path, generated: dict[str, str] | None = None) -> list[Path]:
    """Regenerate every file in ``docs_dir`` (each written atomically); return their paths."""
    generated = generated if generated is not None else generate()
    written = []
    for name, text in generated.items():
        write_atomic(docs_dir / name, text)
        written.append(docs_dir / name)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=COMMAND, description="Generate docs/ontology.html and docs/ontology.md from the ontology.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming each file that differs from what would be generated")
    parser.add_argument("--docs-dir", type=Path, default=None, help="the docs folder (default: the checkout's docs/)")
    args = parser.parse_args(argv)
    docs_dir: Path = args.docs_dir or default_docs_dir()
    if args.check:
        stale = stale_files(docs_dir)
        for path in stale:
            print(f"{path}: out of date with ontology/customs.ttl; run `{COMMAND}`", file=sys.stderr)
        return 1 if stale else 0
    for path in write_docs(docs_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
