"""The library API behind the CLI: load, build, validate, write."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from rdflib import Graph, URIRef

from graph_builder.building.build import Build, build
from graph_builder.errors import UsageError
from graph_builder.loading.facts import Facts, load_facts
from graph_builder.namespaces import CKG, FOAF, ORG, PROV, RDF, SCHEMA
from graph_builder.paths import default_facts_dir
from graph_builder.validating.validate import Violation, shacl_validate
from graph_builder.writing.patch import TRIG_NAME, TURTLE_NAME

VALIDATORS = ("fast", "pyshacl")


@dataclass
class Result:
    """A built and validated graph."""

    facts: Facts
    build: Build
    merged_graph: Graph | None = None  # made from ``build`` when first asked for (see ``graph``)
    violations: list[Violation] = field(default_factory=list)
    stats: Any = None  # graph_builder.building.cache.Stats after an incremental build
    merged_triples: set[Any] | None = None  # build.merged(), once made

    def merged(self) -> set[Any]:
        """The union of the built graphs (made once: at a million triples it takes a while)."""
        if self.merged_triples is None:
            self.merged_triples = self.build.merged()
        return self.merged_triples

    @property
    def graph(self) -> Graph:
        """The merged graph as an rdflib Graph (made on first use: at a million triples it takes a while)."""
        if self.merged_graph is None:
            self.merged_graph = self.build.merged_graph()
        return self.merged_graph

    @property
    def errors(self) -> list[Violation]:
        """Violations of severity Violation (warnings excluded)."""
        return [v for v in self.violations if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        """Results of severity Warning or Info."""
        return [v for v in self.violations if v.severity != "Violation"]


def build_graph(facts_dir: Path | None = None, *, cache_dir: Path | None = None) -> tuple[Facts, Build]:
    """Load and build, without validation; with ``cache_dir``, through the incremental cache (same result)."""
    if cache_dir is not None:
        from graph_builder.building.cache import Cache, build_cached, load_facts_cached

        cache = Cache(cache_dir)
        facts = load_facts_cached(facts_dir or default_facts_dir(), cache)
        return facts, build_cached(facts, cache)
    facts = load_facts(facts_dir or default_facts_dir())
    return facts, build(facts)


def read_facts(facts_dir: Path) -> Facts:
    """Load (without building) a facts folder as every command reads it: through its incremental cache, so
    only the files changed since the last command are parsed again."""
    from graph_builder.building.cache import Cache, cache_folder, load_facts_cached

    return load_facts_cached(facts_dir, Cache(cache_folder(facts_dir)))


def open_facts(facts_dir: Path | None = None, *, cached: bool = True) -> tuple[Facts, Build]:
    """Load and build the facts folder (the default one when None) as every command reads it: through the
    folder's incremental cache (:func:`graph_builder.building.cache.cache_folder`) unless ``cached`` is false."""
    from graph_builder.building.cache import cache_folder

    folder = facts_dir or default_facts_dir()
    return build_graph(folder, cache_dir=cache_folder(folder) if cached else None)


def build_and_validate(facts_dir: Path | None = None, *, validator: str = "fast",
                       cache_dir: Path | None = None, hashes: Any = None) -> Result:
    """Load the facts, build the graph and validate it against the shapes.

    ``validator``: ``"fast"`` (the default: the ``shacl`` package's engine for
    the shapes it is verified on, pySHACL for the others, and each
    ``sh:sparql`` constraint as one Oxigraph query; the same results, see
    :mod:`graph_builder.validating.incremental`) or ``"pyshacl"`` (the reference). With ``cache_dir`` the build is
    incremental (:mod:`graph_builder.validating.incremental`): only the facts files that
    changed are parsed, only their sources' graphs rebuilt, and only what the
    change can reach revalidated; the result equals a clean full build's. ``hashes``
    (graph_builder.building.cache.Hashes): the facts files' remembered SHA-256, so
    that the unchanged ones are not read.
    """
    if validator not in VALIDATORS:
        raise ValueError(f"validator must be one of {', '.join(VALIDATORS)}")
    if cache_dir is not None and validator == "fast":
        from graph_builder.building.cache import Cache, Stats, build_cached, load_facts_cached
        from graph_builder.validating.incremental import validate_incremental

        cache, stats = Cache(cache_dir), Stats()
        facts = load_facts_cached(facts_dir or default_facts_dir(), cache, stats, hashes)
        built = build_cached(facts, cache, stats)
        merged = built.merged()
        violations = validate_incremental(built, merged, cache, stats, versions=stats.versions)
        return Result(facts, built, None, violations, stats, merged)
    facts, built = build_graph(facts_dir)
    if validator == "pyshacl":
        graph = built.merged_graph()
        return Result(facts, built, graph, shacl_validate(graph, built.origins))
    from graph_builder.validating.validate_engine import fast_validate

    return Result(facts, built, None, fast_validate(built.merged(), built.origins))


def write_store(built: Build, folder: Path) -> Path:
    """Load the built quads into an on-disk Oxigraph store at ``folder``, atomically (see graph_builder.writing.store)."""
    from graph_builder.writing.store import write_store as _write_store

    return _write_store(built.quads(), folder)


def write_outputs(built: Build, out_dir: Path) -> list[Path]:
    """Publish the merged Turtle and the per-source TriG as one build (see :mod:`publish`)."""
    from graph_builder.writing.patch import write_build

    write_build(built, built.merged(), out_dir, cache=None)
    return [out_dir / TURTLE_NAME, out_dir / TRIG_NAME]


def publish_result(result: Result, out_dir: Path, cache_dir: Path | None, built_from: dict[str, object] | None,
                   known: Callable[[Path], str | None] | None = None) -> tuple[bool, dict[str, object]]:
    """Publish a validated build in ``out_dir``, recording ``built_from`` in its manifest; with ``cache_dir``
    (the incremental cache the result was built through), the previous files are patched where the graph
    changed (graph_builder.writing.patch); ``known``: the SHA-256 remembered for a previous file whose status is
    unchanged (graph_builder.building.cache.Hashes.known). Return whether they were patched, and the manifest."""
    from graph_builder.building.cache import Cache
    from graph_builder.writing.patch import write_build

    stats = result.stats
    cache = Cache(cache_dir) if cache_dir is not None else None
    return write_build(result.build, result.merged(), out_dir, cache=cache,
                       versions=stats.graph_versions if stats is not None else None,
                       previous_versions=stats.previous_versions if stats is not None else None,
                       changed_subjects=stats.changed_subjects if stats is not None else None,
                       changed_triples=stats.changed_triples if stats is not None else None,
                       built_from=built_from, known=known)


SUMMARY_CLASSES = (
    ("organizations", ORG.Organization),
    ("persons", FOAF.Person),
    ("countries", SCHEMA.Country),
    ("places (cities)", SCHEMA.City),
    ("meeting series", SCHEMA.EventSeries),
    ("meetings", CKG.Meeting),
    ("elections and appointments", PROV.Activity),
    ("operations", CKG.Operation),
    ("programmes and projects", SCHEMA.Project),
    ("platforms", CKG.InformationPlatform),
    ("plans, agreements, documents", SCHEMA.CreativeWork),
    ("memberships and tenures", ORG.Membership),
    ("quantities", SCHEMA.QuantitativeValue),
    ("roles", ORG.Role),
    ("sources", SCHEMA.NewsArticle),
    ("quotations", CKG.Quotation),
    ("reified fact statements", RDF.Statement),
)


# one graph's part of the summary: its subjects of each class counted, and its subjects with a source, each
# subject by its N-Triples text (plain strings: read back from the cache many times faster than rdflib's terms)
Piece = tuple[dict[str, frozenset[str]], frozenset[str]]
_COUNTED = frozenset({str(c) for _l, c in SUMMARY_CLASSES} | {str(CKG.Election), str(CKG.Appointment),
                                                               str(CKG.CandidacyAgreement)})


def _summary_piece(triples: Iterable[Any]) -> Piece:
    """What one graph adds to the summary."""
    typed: dict[str, set[str]] = defaultdict(set)
    derived = set()
    # predicates are IRIs: compared as strings (C), not through rdflib's equality (Python)
    same: Any = str.__eq__
    rdf_type, was_derived_from = str(RDF.type), str(PROV.wasDerivedFrom)
    for s, p, o in triples:
        if same(p, rdf_type):
            cls = str.__str__(o)  # a plain string: found in _COUNTED (a URIRef equals no plain string)
            if cls in _COUNTED:
                typed[cls].add(f"<{s}>" if type(s) is URIRef else f"_:{s}")
        elif same(p, was_derived_from):
            derived.add(f"<{s}>" if type(s) is URIRef else f"_:{s}")
    return {k: frozenset(v) for k, v in typed.items()}, frozenset(derived)


def summary(result: Result, cache_dir: Path | None = None) -> list[tuple[str, int]]:
    """Counts a user wants to see after a build. With ``cache_dir`` (the incremental cache the result was built
    through), each graph's part of the counts is kept there by the graph's version, so only the graphs that
    changed are read again."""
    graphs: dict[str, Iterable[Any]] = {"default": result.build.default}
    graphs.update((str(g), t) for g, t in result.build.graphs.items())
    versions = result.stats.graph_versions if result.stats is not None else {}
    cache = None
    if cache_dir is not None and versions and set(versions) >= set(graphs):
        from graph_builder.building.cache import Cache

        cache = Cache(cache_dir)
    kept = cache.get("summary", "pieces", "1") if cache is not None else None
    known: dict[str, Piece] = kept if isinstance(kept, dict) else {}
    pieces: dict[str, Piece] = {}
    for key, triples in graphs.items():
        version = versions.get(key) if cache is not None else None
        piece = known.get(version) if version is not None else None
        if piece is None:
            piece = _summary_piece(triples)
        if version is not None:
            pieces[version] = piece
    if cache is not None and set(pieces) != set(known):
        cache.put("summary", "pieces", "1", pieces)
    if cache is None:
        pieces = {key: _summary_piece(triples) for key, triples in graphs.items()}
    typed: dict[str, set[str]] = defaultdict(set)
    derived: set[str] = set()
    for part_typed, part_derived in pieces.values():
        for cls, subjects in part_typed.items():
            typed[cls] |= subjects
        derived |= part_derived
    rows = [("statements in facts files", len(result.facts.statements)),
            ("triples", len(result.merged()))]
    seen_activity = typed[str(CKG.Election)] | typed[str(CKG.Appointment)] | typed[str(CKG.CandidacyAgreement)]
    for label, cls in SUMMARY_CLASSES:
        if cls == PROV.Activity:
            rows.append((label, len(seen_activity)))
            continue
        rows.append((label, len(typed[str(cls)])))
    rows.append(("claims with a source (prov:wasDerivedFrom)", len(derived)))
    rows.append(("SHACL violations", len(result.errors)))
    rows.append(("SHACL warnings", len(result.warnings)))
    return rows


def check_facts(facts_dir: Path | None = None, fail_on: str = "error", fmt: str = "table",
               raw: bool = False) -> tuple[int, str]:
    """Load and build a facts folder (the bundled facts by default), run every
    check; return the exit code for ``--fail-on`` and the rendered report
    (``raw``: CSV and TSV cells as they are, see :func:`render`)."""
    from graph_builder.answering.checks import FAIL_ON, FORMATS, exit_code, render, run_checks

    if fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on: '{fail_on}' is not one of {', '.join(FAIL_ON)}")
    if fmt not in FORMATS:
        raise UsageError(f"--format: '{fmt}' is not one of {', '.join(FORMATS)}")
    facts, built = open_facts(facts_dir)
    findings = run_checks(facts, built, built.merged_graph())
    return exit_code(findings, fail_on), render(findings, fmt, raw)
