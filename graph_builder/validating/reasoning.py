"""OWL 2 DL consistency: the ontology, its local imports and a data graph, checked by HermiT.

The ontology (``ontology/customs.ttl``) names its import modules with
``owl:imports``; ``ontology/catalog-v001.xml`` maps each import IRI to a file
in ``ontology/imports/``. Nothing is ever fetched: an import the catalog does
not map is an error, and every ``owl:imports`` triple is removed before the
graphs reach owlready2 (which would otherwise download them).

Data flow: ontology + imports + data → one N-Triples file in a private
temporary directory (owlready2 cannot read Turtle) → an owlready2 ``World`` →
HermiT (owlready2's ``sync_reasoner``, with ``ignore_unsupported_datatypes``
because the graph's dates are ``xsd:date`` / ``xsd:gYearMonth`` /
``xsd:gYear``, which are outside the OWL 2 datatype map). owlready2 writes its
HermiT input to ``tempfile``'s directory and leaves it behind when HermiT
finds an inconsistency, so ``tempfile.tempdir`` points into the private
directory while the reasoner runs; the directory is removed afterwards. It is
named and locked by graph_builder.writing.publish's rule for temporary folders
(``.customs-kg-reasoner.tmp-PID-*`` in the system's temporary folder), so the
next run removes one that a killed run left.

Reified statements (``rdf:Statement`` with ``rdf:subject`` /
``rdf:predicate`` / ``rdf:object``) are RDF-level provenance that OWL 2 DL
cannot express (the RDF reification vocabulary is reserved); they are left out
of the reasoner's input. Everything else in the data is kept.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable, Iterator

from rdflib import Graph, Literal
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import OWL, RDF, XSD
from rdflib.term import Node

from graph_builder.atomic import private_folder, sweep
from graph_builder.errors import CustomsKGError
from graph_builder.paths import data_dir

Triple = tuple[Node, Node, Node]

CATALOG_NAME = "catalog-v001.xml"
ONTOLOGY_NAME = "customs.ttl"
_CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
_REIFICATION = frozenset({RDF.subject, RDF.predicate, RDF.object})
_TYPE, _STATEMENT, _IMPORTS = frozenset({RDF.type}), frozenset({RDF.Statement}), frozenset({OWL.imports})
# The lines of Pellet's explanation kept in a message (it can be long).
_EXPLANATION_LINES = 40


class ReasoningError(CustomsKGError):
    """The ontology's imports cannot be resolved locally, or the reasoner could not run."""


def read_catalog(ontology_dir: Path) -> dict[str, Path]:
    """Import IRI → local file, from the folder's OASIS XML catalog (Protégé style)."""
    catalog = ontology_dir / CATALOG_NAME
    try:
        root = ET.parse(catalog).getroot()
    except (OSError, ET.ParseError) as exc:
        raise ReasoningError(f"{catalog}: cannot read the import catalog: {exc}") from None
    mapping: dict[str, Path] = {}
    for el in root.iter(f"{_CATALOG_NS}uri"):
        name, uri = el.get("name"), el.get("uri")
        if not name or not uri:
            raise ReasoningError(f"{catalog}: a <uri> entry needs both 'name' and 'uri'")
        mapping[name] = (ontology_dir / uri).resolve()
    return mapping


def ontology_graph(ontology_dir: Path | None = None) -> Graph:
    """``customs.ttl`` and every module it imports (transitively), read from local files only.

    The result keeps the ``owl:imports`` triples as written; :func:`check_consistency`
    removes them before reasoning.
    """
    folder = ontology_dir or data_dir("ontology")
    catalog = read_catalog(folder)
    graph = Graph()
    todo: list[tuple[Path, str]] = [(folder / ONTOLOGY_NAME, "the ontology")]
    seen: set[Path] = set()
    while todo:
        path, why = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        part = Graph()
        try:
            part.parse(path, format="turtle")
        except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds
            raise ReasoningError(f"{path}: cannot parse {why}: {exc}") from None
        for iri in sorted(str(o) for o in part.objects(None, OWL.imports)):
            local = catalog.get(iri)
            if local is None:
                raise ReasoningError(f"{path}: owl:imports <{iri}> has no local copy in {folder / CATALOG_NAME}"
                                     " (imports are never fetched)")
            todo.append((local, f"the import module <{iri}>"))
        graph += part
    return graph


def _triples(graph: Graph | Iterable[Triple]) -> Iterator[Triple]:
    """Every triple of a graph; for a Dataset or ConjunctiveGraph, of all its graphs; or the triples given."""
    if isinstance(graph, ConjunctiveGraph):
        for s, p, o, _ in graph.quads((None, None, None, None)):
            yield s, p, o
    elif isinstance(graph, Graph):
        yield from graph.triples((None, None, None))
    else:
        yield from graph


def reasoner_input(graph: Graph | Iterable[Triple], ontology_dir: Path | None = None) -> Graph:
    """The graph HermiT reads: ontology, imports and data, without imports or reification.

    Only the main ontology header is kept as an ``owl:Ontology``; the import
    modules' headers are dropped (their axioms are merged in).
    """
    merged = Graph()
    for t in _input_triples(graph, ontology_dir):
        merged.add(t)
    return merged


def _input_triples(graph: Graph | Iterable[Triple], ontology_dir: Path | None) -> Iterator[Triple]:
    """The triples of :func:`reasoner_input` (with repeats)."""
    ontology, data = _input_parts(graph, ontology_dir)
    yield from ontology
    yield from data


def _input_parts(graph: Graph | Iterable[Triple], ontology_dir: Path | None) -> tuple[list[Triple], list[Triple]]:
    """The ontology's and the data's triples of :func:`reasoner_input`."""
    ontology = ontology_graph(ontology_dir)
    modules = set(ontology.objects(None, OWL.imports))
    triples = graph if isinstance(graph, (set, frozenset, list)) else list(_triples(graph))
    statements = {s for s, p, o in triples if p in _TYPE and o in _STATEMENT}
    return ([(s, p, o) for s, p, o in ontology if p != OWL.imports and s not in modules],
            [(s, p, o) for s, p, o in triples
             if not (p in _IMPORTS or (s in statements and (p in _REIFICATION or (p in _TYPE and o in _STATEMENT))))])


_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT64 = range(-(2 ** 63), 2 ** 63)


def _storable(data: list[Triple]) -> tuple[list[Triple], str | None]:
    """The data as owlready2 can store it for HermiT, or why it cannot be checked.

    owlready2 reads the numeric literals into Python numbers and keeps integers as 64-bit in
    SQLite: an integer outside that range (``"10000000000000000000"^^xsd:integer``) would stop
    the reasoner's input from loading. Such an integer reaches HermiT as an ``xsd:decimal`` of
    the same lexical form, which OWL 2 gives the same value (integers and decimals share the
    value space owl:real; owlready2 rounds it to a float, which keeps its sign and, above 2^53,
    its being whole: what the ontology's integer ranges test; a number beyond a double's range
stands as 10^300 of its sign). A numeric literal that is not in
    its datatype's lexical space (``"12a"^^xsd:integer``) makes the graph inconsistent in OWL 2;
    it is reported instead (the second value), without running HermiT.
    """
    from owlready2.driver import FLOAT_DATATYPES, INT_DATATYPES

    out: list[Triple] = []
    for s, p, o in data:
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) in INT_DATATYPES | FLOAT_DATATYPES:
            lexical = str(o).strip()
            if str(o.datatype) in INT_DATATYPES:
                if not _INTEGER.fullmatch(lexical):
                    return out, _ill_typed(s, p, o)
                digits = lexical.lstrip("+-").lstrip("0")
                if len(digits) > 19 or int(lexical) not in _INT64:
                    o = Literal(lexical.lstrip("+"), datatype=XSD.decimal)
            elif not _is_float(lexical):
                return out, _ill_typed(s, p, o)
            if math.isinf(float(str(o))):
                # Beyond a double's range owlready2 stores inf, whose "inf" HermiT refuses as
                # malformed: 10^300 of the same sign and datatype stands for it (whole, like
                # every double above 2^53, and outside every bounded range the ontology has).
                sign = "-" if str(o).lstrip().startswith("-") else ""
                o = Literal(f"{sign}1{'0' * 300}", datatype=o.datatype)
        out.append((s, p, o))
    return out, None


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _ill_typed(s: Node, p: Node, o: Literal) -> str:
    lexical = str(o) if len(str(o)) <= 40 else str(o)[:40] + "..."
    return (f"the literal \"{lexical}\"^^<{o.datatype}> of <{s}> <{p}> is not a valid value of its datatype "
            "(an ill-typed literal makes the graph inconsistent)")


def _explain(path: Path) -> str:
    """Pellet's explanation of an inconsistency, cut to a readable length ('' if it fails)."""
    import subprocess

    import owlready2
    from owlready2 import reasoning

    command = [owlready2.JAVA_EXE, f"-Xmx{reasoning.JAVA_MEMORY}M", "-cp", reasoning._PELLET_CLASSPATH,
               "pellet.Pellet", "explain", "--ignore-imports", str(path)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=path.parent)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = [line.rstrip() for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        return ""
    cut = lines[:_EXPLANATION_LINES]
    more = f"\n  ... ({len(lines) - len(cut)} more lines)" if len(lines) > len(cut) else ""
    return "\n".join("  " + line for line in cut) + more


def check_consistency(graph: Graph | Iterable[Triple], *, ontology_dir: Path | None = None,
                      explain: bool = True, cache_dir: Path | None = None,
                      version: str | None = None) -> tuple[bool, str]:
    """Whether the ontology, its imports and ``graph`` are consistent (and coherent) for HermiT.

    Returns ``(True, summary)`` when HermiT finds the union consistent and no
    named class unsatisfiable; otherwise ``(False, reason)``, with Pellet's
    explanation of an inconsistency when ``explain`` is true. ``graph`` may be
    a Graph, a Dataset (all its graphs are used) or the triples themselves.
    Nothing is fetched; the reasoner's files live in a private temporary
    directory that is removed before returning. Raises :class:`ReasoningError`
    when an import has no local copy or Java/HermiT cannot run.

    HermiT reads the whole graph: consistency is not local (a new statement can
    contradict any other one it is linked to, and the graph is one connected
    whole), so no part of it can be left out soundly. With ``cache_dir`` the
    verdict is kept under the digest of the reasoner's input and reused, without
    running HermiT, while the input is the same; ``version``, when given, stands
    for the data (a digest that changes whenever the graph does, such as
    ``Stats.graph_versions`` of an incremental build), so that an unchanged
    input is known without writing it out.
    """
    import owlready2

    from graph_builder.validating.ntriples import nt_lines

    folder = ontology_dir or data_dir("ontology")
    sources = b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())  # blank nodes: not the parse
    code = Path(__file__).read_bytes() + str(owlready2.VERSION).encode() + sources
    key = None if version is None else hashlib.sha256(code + b"version " + version.encode("utf-8")).hexdigest()
    kept = _cached_verdict(cache_dir, key) if key is not None else None
    if kept is not None:
        return kept
    ontology, data = _input_parts(graph, ontology_dir)
    data, ill_typed = _storable(data)
    if ill_typed is not None:
        return False, f"HermiT: not run: {ill_typed}"
    data_lines = sorted(set(nt_lines(data)))
    lines = sorted(set(nt_lines(ontology)) | set(data_lines))
    text = "".join(lines).encode("utf-8")
    if f" <{OWL.imports}> ".encode() in text:  # pragma: no cover - defensive
        raise ReasoningError("owl:imports left in the reasoner's input; refusing to let owlready2 fetch it")
    if key is None:
        key = hashlib.sha256(code + "".join(data_lines).encode("utf-8")).hexdigest()
        kept = _cached_verdict(cache_dir, key)
        if kept is not None:
            return kept
    verdict = _run_hermit(text, len(lines), explain)
    _keep_verdict(cache_dir, key, verdict)
    return verdict


_VERDICT_FILE = "hermit-verdict.json"


def _cached_verdict(cache_dir: Path | None, key: str) -> tuple[bool, str] | None:
    if cache_dir is None:
        return None
    try:
        kept = json.loads((cache_dir / _VERDICT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("key") != key or not isinstance(kept.get("consistent"), bool) \
            or not isinstance(kept.get("detail"), str):
        return None  # another input's verdict, or a damaged file: HermiT runs again
    return kept["consistent"], kept["detail"]


def _keep_verdict(cache_dir: Path | None, key: str, verdict: tuple[bool, str]) -> None:
    if cache_dir is None:
        return
    from graph_builder.atomic import write_atomic
    from graph_builder.building.cache import cache_unusable

    try:
        kept = {"key": key, "consistent": verdict[0], "detail": verdict[1]}
        write_atomic(cache_dir / _VERDICT_FILE, json.dumps(kept))
    except OSError as exc:  # a read-only or full cache: the verdict stands, it is just not kept
        cache_unusable(cache_dir, exc)


def _run_hermit(text: bytes, n_triples: int, explain: bool) -> tuple[bool, str]:
    """HermiT on N-Triples ``text`` (see :func:`check_consistency`), in a private temporary folder (mode 0700)."""
    base = Path(tempfile.gettempdir()) / "customs-kg-reasoner"
    sweep(base.parent, base.name)
    with private_folder(base, "tmp") as workdir:
        return _hermit_in(workdir, text, n_triples, explain)


def _hermit_in(workdir: Path, text: bytes, n_triples: int, explain: bool) -> tuple[bool, str]:
    import owlready2

    saved_tempdir = tempfile.tempdir
    world = None
    try:
        path = workdir / "input.nt"
        path.write_bytes(text)
        world = owlready2.World()
        with open(path, "rb") as fileobj:
            world.get_ontology("urn:customs-kg:reasoner-input").load(fileobj=fileobj, format="ntriples")
        tempfile.tempdir = str(workdir)
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0,
                                           ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            why = _explain(path) if explain else ""
            return False, "HermiT: inconsistent" + (f"; Pellet's explanation:\n{why}" if why else "")
        except owlready2.OwlReadyJavaError as exc:
            raise ReasoningError(f"HermiT could not run: {str(exc).strip()[:2000]}") from None
        except OSError as exc:
            raise ReasoningError(f"HermiT could not run (is Java installed and on PATH?): {exc}") from None
        finally:
            tempfile.tempdir = saved_tempdir
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if hasattr(c, "iri"))
        if unsatisfiable:
            return False, "HermiT: unsatisfiable classes: " + ", ".join(unsatisfiable)
        return True, f"consistent (HermiT, {n_triples} triples)"
    finally:
        tempfile.tempdir = saved_tempdir
        if world is not None:
            world.close()
