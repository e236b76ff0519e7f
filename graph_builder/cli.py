"""The ``customs-kg`` command line: a thin layer over :mod:`graph_builder.pipeline`.

Exit codes: 0 ok, 1 validation failed, 2 usage or input error, 3 internal error
(a bug: please report it).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping, NoReturn, Sequence, TextIO, Union

from graph_builder.errors import CustomsKGError, FactsError, InputError, Problem, UsageError, display_path
from graph_builder.limits import MAX_ANSWER_MB, MAX_TIMEOUT, PUSH_TIMEOUT, QUERY_TIMEOUT, check_timeout
from graph_builder.textsafe import terminal_lines

if TYPE_CHECKING:  # the heavy modules are imported by the command that needs them
    import pyoxigraph
    from rdflib import Graph

    from graph_builder.answering.query import NamedQuery
    from graph_builder.answering.remote import Endpoint
    from graph_builder.building.build import Triple
    from graph_builder.loading.dates import PartialDate
    from graph_builder.validating.validate import Violation

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXPORT_FORMATS = ("turtle", "trig", "nquads", "ntriples", "jsonld")  # = graph_builder.writing.export.FORMATS
LABEL_LANGUAGES = ("en", "ru", "fr")  # the languages of the curated names (facts/entities, facts/vocab)
VIZ_KINDS = ("membership", "structure", "participation", "chairs")  # = graph_builder.answering.network.KINDS
SITE_LANGUAGES = ("en", "ru")  # = graph_builder.answering.site.SITE_LANGUAGES
RDF_SUFFIXES = (".ttl", ".nt", ".trig", ".nq", ".jsonld", ".rdf", ".owl", ".xml")  # = rdfinput.FORMATS and REFUSED
STORE_TYPES = ("generic", "oxigraph", "virtuoso")  # = graph_builder.answering.remote's conventions
RESULT_FORMATS = ("table", "csv", "tsv", "json", "markdown")
GRAPH_FORMATS = ("ttl", "turtle", "nt", "ntriples", "jsonld")  # the answer of a CONSTRUCT or DESCRIBE
STDIN = "-"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="customs-kg", description="Build, validate and query the customs enforcement knowledge graph.",
                epilog="Exit codes: 0 ok, 1 validation failed, 2 usage or input error, 3 internal error.")
    from graph_builder import __version__

    p.add_argument("--version", action="version", version=f"customs-kg {__version__}",
                   help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    b = sub.add_parser("build", help="facts -> validated graph (Turtle + TriG)")
    b.add_argument("facts", nargs="?", type=Path, help="facts folder (default: the bundled facts)")
    b.add_argument("-o", "--out", type=Path, default=Path("output"), help="output folder: new, empty or an earlier "
                   "build (default: ./output)")
    b.add_argument("--no-reason", action="store_true", help="skip the OWL consistency check (HermiT)")
    b.add_argument("--store", type=Path, metavar="DIR", help="also load the graph into an on-disk Oxigraph store "
                   "in DIR (written atomically), for 'customs-kg query --store DIR'")
    b.add_argument("--no-cache", action="store_true", help="a clean full build: ignore and do not write the "
                   "incremental cache ($XDG_CACHE_HOME/customs-kg/, or $CUSTOMS_KG_CACHE)")

    v = sub.add_parser("validate", help="check a facts folder or an RDF file against shapes and ontology")
    v.add_argument("path", nargs="?", type=Path, help="facts folder, .ttl/.trig/.nt/.nq/.jsonld file, or - (RDF on "
                   "standard input) (default: the bundled facts)")
    v.add_argument("--no-reason", action="store_true", help="skip the OWL consistency check (HermiT)")
    v.add_argument("--format", "-f", choices=("text", "json", "turtle"), default="text",
                   help="the report: text (one line a result, on stderr, and a summary), json (the results and the "
                        "summary) or turtle (the SHACL validation report graph) (default: text)")

    q = sub.add_parser("query", help="run a named query (or a .rq file, or --text) over the graph")
    q.add_argument("name", nargs="?", help="query name (see --list), path to a .rq file, or - (the query on "
                   "standard input)")
    q.add_argument("--text", help="a SPARQL query given inline")
    q.add_argument("--param", "-p", action="append", metavar="KEY=VALUE",
                   help="bind a parameter (repeatable); an entity by any name show accepts (key, label, alias, IRI)")
    q.add_argument("--as-of", metavar="DATE", help="bind the query's one date parameter (YYYY, YYYY-MM or YYYY-MM-DD)")
    q.add_argument("--timeout", type=_seconds, metavar="SECONDS", default=QUERY_TIMEOUT,
                   help=f"stop the query after this many seconds, reading and checking it included "
                        f"(default: {QUERY_TIMEOUT:g}; 0: no limit)")
    q.add_argument("--allow-remote", action="store_true", help="allow SERVICE and FROM / FROM NAMED (off by default)")
    q.add_argument("--list", action="store_true", help="list the named queries")
    q.add_argument("--engine", choices=("oxigraph", "rdflib"), default="oxigraph",
                   help="the query engine for a local graph (default: oxigraph; same answers)")
    q.add_argument("--store", type=Path, metavar="DIR", help="query the on-disk Oxigraph store DIR written by "
                   "'customs-kg build --store DIR' (with --endpoint, a store type: deprecated, use --store-type)")
    _graph_options(q)
    _format_option(q, GRAPH_FORMATS)
    q.add_argument("--keys", action="store_true", help="with -f csv or tsv: the readable key form of the table "
                   "(rilo-cis for our IRIs) instead of the SPARQL 1.1 CSV/TSV results format")
    _remote_options(q, push=False, old_store=False)

    u = sub.add_parser("push", help="replace a named graph in a graph store with the graph (Graph Store Protocol PUT)")
    _graph_options(u)
    _remote_options(u, push=True)

    for name, helptext in (("show", "the card of an entity: names, parents, units, posts, meetings, with sources"),
                           ("timeline", "the chronological story of a person, a body or a meeting series")):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("name", help="any name, alias, acronym or key of the entity")
        c.add_argument("--quotes", action="store_true", help="print the quoted sentence under each source")
        c.add_argument("--as-of", metavar="DATE", help="only what held (or cannot be told) at DATE")
        c.add_argument("--lang", default="en", choices=LABEL_LANGUAGES,
                       help="language of the labels: en, ru or fr, the languages the facts name things in (default: en)")
        _graph_options(c)
        _remote_options(c, push=False)
        c.add_argument("--timeout", type=_seconds, metavar="SECONDS", default=PUSH_TIMEOUT,
                       help=f"with --endpoint: how long the server may take to send the graph "
                            f"(default: {PUSH_TIMEOUT:g}; 0: no limit)")
        _format_option(c)

    k = sub.add_parser("check", help="data-quality report: contradictions, gaps, undated or single-source facts")
    k.add_argument("facts", nargs="?", type=Path, help="facts folder (default: the bundled facts)")
    k.add_argument("--fail-on", choices=("error", "warning", "never"), default="error",
                   help="exit 1 when findings of this severity or worse exist (default: error)")
    _format_option(k)

    x = sub.add_parser("export", help="write the graph as Turtle, TriG, N-Quads, N-Triples or JSON-LD")
    x.add_argument("--format", "-f", type=_export_format, metavar="FORMAT",
                   help="turtle (ttl) / ntriples (nt): the merged graph; trig / nquads (nq): one named graph per "
                        "source; jsonld: the merged graph (default: from -o's extension, else turtle)")
    x.add_argument("-o", "--out", type=Path, help="output file (default: standard output); "
                   "a folder with --graph-per-source for turtle/ntriples")
    x.add_argument("--graph-per-source", action="store_true",
                   help="turtle/ntriples: one file per graph in the -o folder; jsonld: the dataset with "
                        "one @graph per source; trig/nquads: no change (always per source)")
    x.add_argument("--facts", type=Path, help="build this facts folder (default: the bundled facts)")

    y = sub.add_parser("synth", help="write synthetic facts of about N triples (for benchmarks and scale tests)")
    y.add_argument("--triples", type=int, required=True, metavar="N",
                   help="target size of the built graph in triples (approximate: within 20%%; at least 1000)")
    y.add_argument("-o", "--out", type=Path, required=True, help="facts folder to write (vocab, entities, sources, texts)")
    y.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same bytes (default: 0)")

    n = sub.add_parser("new-source", help="start curating an article: copy its text into the facts folder and "
                                          "write its source file (headline, date and language as the text shows "
                                          "them), never overwriting")
    n.add_argument("text", type=Path, help="the article's text (UTF-8)")
    n.add_argument("--facts", type=Path, help="the facts folder to add it to (default: the checkout's facts/)")
    n.add_argument("--url", help="the article's address")
    n.add_argument("--publisher", metavar="KEY", help="the publisher's entity key (omitted when not given)")
    n.add_argument("--published", metavar="DATE", help="the publication date (YYYY, YYYY-MM or YYYY-MM-DD), "
                                                       "when the text does not show it")
    n.add_argument("--language", metavar="LANG", help="the article's language (ISO 639-1), instead of the detected one")
    n.add_argument("--key", help="the source's key (default: publisher, date and the headline's first words)")

    d = sub.add_parser("draft", help="propose the claims of a source's sentences (known names, meetings, dates, "
                                     "places, chairs, elections, posts, quantities) for the curator to accept")
    d.add_argument("source", metavar="SOURCE_KEY", help="the source's key (its file sources/SOURCE_KEY.yaml)")
    d.add_argument("--facts", type=Path, help="the facts folder (default: the checkout's facts/)")

    t = sub.add_parser("sentences", help="the numbered sentences of an article's text, as they are quoted")
    t.add_argument("text", type=Path, help="the text file (UTF-8), e.g. facts/texts/NAME.txt")
    t.add_argument("--format", "-f", choices=("table", "json"), default="table",
                   help="table: one numbered sentence a line; json: a list of {n, text} (default: table)")

    z = sub.add_parser("viz", help="draw a network (membership, structure, participation, chairs) as HTML, "
                                   "PNG, SVG, GraphML or GEXF")
    z.add_argument("kind", choices=VIZ_KINDS, help="membership: bodies and their members; structure: part-of "
                   "and reporting lines; participation: meetings and participants; chairs: a timeline of chairs")
    z.add_argument("-o", "--out", type=Path, help="output file; its suffix picks the format: .html (interactive, "
                   "offline), .png, .svg, .graphml, .gexf (default: viz/KIND.html, beside the build folder, never inside it)")
    z.add_argument("--as-of", metavar="DATE", help="the network as of DATE: what did not hold is left out, what "
                   "cannot be told is marked uncertain (the page's date control starts at DATE)")
    z.add_argument("--focus", metavar="NAME", help="only the entity NAME (any of its names) and its neighbours")
    z.add_argument("--depth", type=int, default=1, help="with --focus: how many links away (default: 1)")
    z.add_argument("--lang", default="en", choices=LABEL_LANGUAGES,
                   help="language of the labels: en, ru or fr, the languages the facts name things in (default: en)")
    _graph_options(z)

    w = sub.add_parser("site", help="write a static site of the graph: search, entity pages with sources and quotes, "
                                    "timelines, networks and SPARQL in the browser (works from file://, no network)")
    w.add_argument("-o", "--out", type=Path, default=Path("site"),
                   help="the site's folder: new, empty or an earlier site, replaced whole (default: site)")
    w.add_argument("--lang", default="en", choices=SITE_LANGUAGES,
                   help="language of the pages and of the names shown: en or ru (default: en)")
    _graph_options(w)
    return p


def _graph_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, help="read this RDF file (- : from standard input) instead of building "
                   "the bundled facts")
    p.add_argument("--facts", type=Path, help="build this facts folder")


def _format_option(p: argparse.ArgumentParser, graph_formats: Sequence[str] = ()) -> None:
    choices = RESULT_FORMATS + tuple(graph_formats)
    p.add_argument("--format", "-f", choices=choices, default=None,
                   help="output format: " + ", ".join(RESULT_FORMATS) + " (default: a table or card for the "
                        "terminal; csv, tsv and json: the SPARQL 1.1 results formats)"
                        + (f"; a CONSTRUCT or DESCRIBE: {', '.join(graph_formats)} (default: Turtle)"
                           if graph_formats else ""))
    p.add_argument("--raw", action="store_true",
                   help="with -f csv or tsv: write every cell as it is (by default a cell starting with = + - @, "
                        "a tab or a CR gets a leading ' so that a spreadsheet shows it as text, not as a formula)")


def _check_raw(args: argparse.Namespace) -> None:
    if getattr(args, "raw", False) and args.format not in ("csv", "tsv"):
        raise UsageError(f"customs-kg {args.command}: --raw applies to --format csv and tsv only")
    if getattr(args, "keys", False) and args.format not in ("csv", "tsv"):
        raise UsageError(f"customs-kg {args.command}: --keys applies to --format csv and tsv only")


def _store_type(args: argparse.Namespace) -> None:
    """``--store`` with a store type (the old spelling, with --endpoint): read as ``--store-type``, with a warning."""
    old = getattr(args, "store", None)
    remote = getattr(args, "endpoint", None) or getattr(args, "query_url", None) or getattr(args, "gsp_url", None)
    if getattr(args, "store_type", None) is not None and not remote:
        raise UsageError(f"customs-kg {args.command}: --store-type is the kind of the store at --endpoint URL; "
                         "give --endpoint too")
    if old is None or not (remote or args.command in ("push", "show", "timeline")):
        return
    if str(old) not in STORE_TYPES:
        raise UsageError(f"customs-kg {args.command}: --store {old}: with --endpoint, give the store type as "
                         f"--store-type {'|'.join(STORE_TYPES)}; --store DIR is a local store folder")
    if args.store_type is not None and args.store_type != str(old):
        raise UsageError(f"customs-kg {args.command}: --store {old} and --store-type {args.store_type} disagree")
    _err(f"warning: --store {old} is deprecated: write --store-type {old} (--store DIR names a local store folder)")
    args.store_type, args.store = str(old), None


def _remote_options(p: argparse.ArgumentParser, push: bool, old_store: bool = True) -> None:
    """Options of the commands that talk to a graph store (see graph_builder.answering.remote); ``old_store``:
    also ``--store KIND``, the old spelling of ``--store-type`` (query has ``--store DIR`` of its own)."""
    p.add_argument("--endpoint", metavar="URL", required=False,
                   help="the store: its base URL with --store-type oxigraph|virtuoso, else (generic) the Graph "
                        "Store URL for push and the SPARQL query URL for query")
    p.add_argument("--store-type", choices=STORE_TYPES, default=None,
                   help="with --endpoint: the kind of graph store, which says how to find its Graph Store and query "
                        "URLs (default: generic)")
    if old_store:
        p.add_argument("--store", choices=STORE_TYPES, help=argparse.SUPPRESS)
    if push:
        p.add_argument("--gsp-url", metavar="URL", help="the Graph Store Protocol URL (overrides --store-type)")
    p.add_argument("--query-url", metavar="URL", help="the SPARQL query URL (overrides --store-type)")
    p.add_argument("--graph", metavar="IRI", default=None,
                   help="the named graph (default: https://w3id.org/customs-kg/graph; with query, '' means the "
                        "endpoint's default graph)")
    p.add_argument("--user", help="user name for the store")
    p.add_argument("--password", help="password (or set CUSTOMS_KG_PASSWORD)")
    p.add_argument("--auth", choices=("basic", "digest"), help="authentication scheme (default: digest for "
                   "virtuoso, basic otherwise)")
    if push:
        p.add_argument("--timeout", type=_seconds, metavar="SECONDS", default=PUSH_TIMEOUT,
                       help=f"how long the server may take to answer (default: {PUSH_TIMEOUT:g}; 0: no limit)")
    else:
        p.add_argument("--max-answer", type=_mebibytes, metavar="MIB", default=MAX_ANSWER_MB,
                       help=f"with --endpoint: refuse an answer larger than this many MiB (default: {MAX_ANSWER_MB})")


def _seconds(text: str) -> float | None:
    """``--timeout``: a number of seconds; 0 means no limit (None)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if value == 0:
        return None
    try:
        check_timeout(value)
    except CustomsKGError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--timeout ")) from None
    return value


def _mebibytes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of MiB") from None
    if not (0 < value <= 1 << 20):
        raise argparse.ArgumentTypeError(f"must be above 0 and at most {1 << 20} MiB, not {text}")
    return value


def _endpoint(args: argparse.Namespace) -> Endpoint:
    from graph_builder.answering.remote import endpoint

    password = args.password if args.password is not None else (
        os.environ.get("CUSTOMS_KG_PASSWORD") if args.user is not None else None)
    return endpoint(args.endpoint, args.store_type or "generic", gsp_url=getattr(args, "gsp_url", None), query_url=args.query_url,
                    user=args.user, password=password, auth_scheme=args.auth)


def _err(message: str) -> None:
    """A message on stderr: its lines kept, control, bidi and invisible characters shown escaped."""
    print(terminal_lines(message), file=sys.stderr)


def _load_rdf(path: Path) -> Graph:
    from graph_builder.answering.rdfinput import read_rdf, read_rdf_stdin

    return read_rdf_stdin(sys.stdin.buffer) if str(path) == STDIN else read_rdf(path)


def _table_width() -> int | None:
    """The width a table must fit on a terminal: $COLUMNS if set, else the terminal's; None (nothing is
    shortened) when the output goes to a pipe or a file."""
    import shutil

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _resolve(graph: Graph, name: str, what: str) -> str:
    """The IRI of the entity ``name`` names (any of its names); an approximate match is said on stderr."""
    from graph_builder.answering.resolve import Resolver, approximate

    match = Resolver.from_graph(graph).resolve_one(name)
    if approximate(match):
        _err(f"{what}: matched '{name}' as {match.label} ({match.key})")
    return str(match.iri)


def _report_violations(violations: Iterable[Violation], stream: TextIO = sys.stderr) -> None:
    for v in violations:
        print(v.problem(), file=stream)


def _report_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        _err(str(problem))


def _reason(graph: Graph | Iterable[Triple], cache_dir: Path | None = None,
            version: str | None = None) -> tuple[bool, str]:
    from graph_builder.validating.reasoning import check_consistency

    return check_consistency(graph, cache_dir=cache_dir, version=version)


def _facts(args: argparse.Namespace) -> Path:
    """The facts folder a command reads: the one given, else ``$CUSTOMS_KG_FACTS``, the checkout's or the
    installed copy, said on stderr (a curator sees which copy their edits went to)."""
    from graph_builder.paths import facts_folder

    given = getattr(args, "facts", None)
    if given is not None:
        return Path(given)
    folder, why = facts_folder()
    _err(f"reading the facts in {display_path(str(folder))} ({why})")
    return folder


def _reading(args: argparse.Namespace) -> list[Path]:
    """What a command reads (its facts folder, or its --data file): no output may replace or lie inside it."""
    if getattr(args, "data", None):
        return [args.data]
    from graph_builder.paths import default_facts_dir

    return [getattr(args, "facts", None) or default_facts_dir()]


def _check_build_outputs(args: argparse.Namespace) -> None:
    """Refuse, before anything is built, an output folder or store folder that a build may not replace."""
    from graph_builder.writing.publish import check_output_folder

    check_output_folder(args.out, "build", _reading(args))
    if args.store is not None:
        check_output_folder(args.store, "store", _reading(args))
        out, store = (Path(os.path.abspath(p)) for p in (args.out, args.store))
        if out.is_relative_to(store) or store.is_relative_to(out):
            raise UsageError(f"{args.store}: error: output: the store folder must be neither the -o folder, "
                             "nor inside it, nor hold it")


def cmd_build(args: argparse.Namespace) -> int:
    import time

    from graph_builder.building.cache import Cache, Hashes, cache_folder, cache_usable
    from graph_builder.writing.uptodate import inputs_digest, state_file, up_to_date

    started = time.perf_counter()
    _check_build_outputs(args)
    facts = _facts(args)
    cache = None if args.no_cache else cache_folder(facts)
    # what the build is made from, hashed before anything is read (a file changed while it runs is seen next time)
    hashes = Hashes(state_file(cache, args.out) if cache is not None and Cache(cache).folder is not None else None)
    try:
        built_from: dict[str, object] | None = inputs_digest(facts, {"reason": not args.no_reason}, hashes)
    except OSError:
        built_from = None  # an unreadable file: the build says which
    if built_from is not None and hashes.path is not None and args.store is None \
            and up_to_date(args.out, built_from, hashes):
        hashes.save()
        for line in hashes.warnings:  # what the facts still warn of
            _err(line)
        for label, value in hashes.report:
            print(f"{label}  {value}")
        print(f"up to date: nothing changed since the last build in {args.out} (the same facts, ontology, shapes "
              f"and options; its files as that build wrote them); nothing was written")
        print(f"seconds: in all  {time.perf_counter() - started:.1f}")
        return EXIT_OK
    from graph_builder.pipeline import build_and_validate, publish_result, summary
    from graph_builder.writing.patch import TRIG_NAME, TURTLE_NAME

    result = build_and_validate(facts, cache_dir=cache, hashes=hashes)
    validated = time.perf_counter()
    _report_problems(result.facts.warnings)
    _report_violations(result.violations)
    version = result.stats.version() if result.stats is not None else None
    if cache is not None and not cache_usable(cache):
        cache = None
    consistent, detail = (True, "skipped") if args.no_reason else _reason(result.build.merged(), cache, version)
    reasoned = time.perf_counter()
    rows: list[tuple[str, int | str]] = list(summary(result, cache))
    rows.append(("OWL consistency (HermiT)",
                 "consistent" if consistent and detail != "skipped" else detail if consistent else "INCONSISTENT"))
    report = list(rows)
    rows.append(("seconds: load, build, validate", f"{validated - started:.1f}"))
    if not args.no_reason:
        rows.append(("seconds: OWL consistency", f"{reasoned - validated:.1f}"))
    width = max(len(k) for k, _ in rows)
    for k, val in rows:
        print(f"{k.ljust(width)}  {val}")
    if result.errors or not consistent:
        if not consistent:
            _err(f"error: the graph is inconsistent with the ontology: {detail}")
        _err(f"build failed: {len(result.errors)} violation(s); nothing was written")
        return EXIT_INVALID
    patched, manifest = publish_result(result, args.out, cache, built_from, hashes.known)
    files = manifest["files"]
    assert isinstance(files, dict)
    for name in (TURTLE_NAME, TRIG_NAME):
        print(f"{'patched' if patched else 'wrote'} {args.out / name}")
        hashes.remember(args.out / name, files[name]["sha256"])
    hashes.save([(k.ljust(width), val) for k, val in report],
                [str(p) for p in result.facts.warnings] + [str(v.problem()) for v in result.violations])
    if args.store is not None:
        from graph_builder.pipeline import write_store

        print(f"wrote {write_store(result.build, args.store)} (Oxigraph store)")
    print(f"seconds: in all  {time.perf_counter() - started:.1f}")
    if ENDS_AT_ONCE:
        KEPT.append(result)  # freed by the process's end, not object by object (see run)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    import dataclasses

    from graph_builder.loading.facts import Loc
    from graph_builder.validating.validate_engine import fast_validate

    path: Path | None = args.path
    graph: Graph | set[Triple]
    rdf_file = path is not None and (str(path) == STDIN or path.is_file()
                                     or (path.suffix.lower() in RDF_SUFFIXES and not path.is_dir()))
    if rdf_file:
        assert path is not None
        name = "<stdin>" if str(path) == STDIN else str(path)
        graph = _load_rdf(path)
        # a result on an RDF file names the file it was read from (the facts files locate the others)
        violations = [v if v.locations else dataclasses.replace(v, locations=(Loc(name, 0),))
                      for v in fast_validate(graph)]
    else:
        from graph_builder.pipeline import build_and_validate

        folder = path if path is not None else _facts(args)
        name = display_path(str(folder))
        result = build_and_validate(folder)
        _report_problems(result.facts.warnings)
        graph, violations = result.build.merged(), result.violations
    errors = [v for v in violations if v.severity == "Violation"]
    consistent, detail = (True, "skipped") if args.no_reason else _reason(graph)
    owl = "skipped" if detail == "skipped" else "consistent" if consistent else "INCONSISTENT"
    if args.format == "turtle":
        from rdflib import Graph

        from graph_builder.namespaces import PREFIXES, SH
        from graph_builder.validating.validate import report_graph
        from graph_builder.writing.serialize import turtle

        data = graph if isinstance(graph, Graph) else _as_graph(graph)
        sys.stdout.write(turtle(list(report_graph(data)), {**PREFIXES, "sh": str(SH)},
                                header=f"SHACL validation report of {name}"))
    elif args.format == "json":
        import json

        results = [{"severity": v.severity, "focus": v.focus, "path": v.path, "shape": v.shape,
                    "message": v.message, "value": v.value,
                    "locations": [{"file": loc.file, "line": loc.line} for loc in v.locations]} for v in violations]
        print(json.dumps({"file": name, "conforms": not errors, "triples": len(graph), "violations": len(errors),
                          "warnings": len(violations) - len(errors), "owl": owl if consistent else detail,
                          "results": results}, ensure_ascii=False, indent=2))
    else:
        _report_violations(violations)
        print(f"{name}: {len(graph)} triples; {len(errors)} violation(s), {len(violations) - len(errors)} "
              f"warning(s); OWL consistency: {owl}")
    if not consistent:
        _err(f"error: inconsistent with the ontology: {detail}")
    return EXIT_INVALID if errors or not consistent else EXIT_OK


def _as_graph(triples: Iterable[Triple]) -> Graph:
    import rdflib

    graph = rdflib.Graph()
    for t in triples:
        graph.add(t)
    return graph


def _graph(args: argparse.Namespace) -> Graph:
    if args.command in ("show", "timeline") and (args.endpoint or args.query_url):
        from graph_builder.answering.remote import DEFAULT_GRAPH, fetch_graph

        if args.data or args.facts:
            raise UsageError(f"customs-kg {args.command}: --endpoint reads the store, not --data / --facts")
        return fetch_graph(_endpoint(args), DEFAULT_GRAPH if args.graph is None else args.graph,
                           max_answer_mb=args.max_answer, timeout=args.timeout)
    if getattr(args, "data", None):
        return _load_rdf(args.data)
    from graph_builder.pipeline import open_facts

    return open_facts(_facts(args))[1].merged_graph()


def _as_of(text: str | None) -> PartialDate | None:
    if text is None:
        return None
    from graph_builder.loading.dates import DateFormatError, parse_date

    try:
        return parse_date(text)
    except DateFormatError as exc:
        raise UsageError(f"--as-of: {exc}") from None


def cmd_query(args: argparse.Namespace) -> int:
    from graph_builder.answering.query import all_queries, check_params, names_to_resolve, run
    from graph_builder.answering.results import format_graph, format_rows

    if args.list:
        if args.format in GRAPH_FORMATS:
            raise UsageError(f"customs-kg query --list: -f {args.format} is for the answer of a CONSTRUCT or DESCRIBE")
        sys.stdout.write(_query_list(all_queries(), args.format or "table", args.raw))
        return EXIT_OK
    if bool(args.name) == bool(args.text):
        raise UsageError("customs-kg query: give a query name, a .rq file, - (standard input) or --text (or --list)")
    q = _the_query(args)
    params = _query_params(args, q)
    check_params(q, params)  # a parameter at fault is said before the facts are read
    if args.endpoint or args.query_url:
        from graph_builder.answering.remote import DEFAULT_GRAPH, run_remote

        if args.data or args.facts:
            raise UsageError("customs-kg query: --endpoint reads the store, not --data / --facts")
        ep, named = _endpoint(args), DEFAULT_GRAPH if args.graph is None else args.graph
        if names_to_resolve(q, params):
            from graph_builder.answering.remote import fetch_names

            params = _resolved(q, params, fetch_names(ep, named, timeout=args.timeout, max_answer_mb=args.max_answer))
        rows = run_remote(ep, q, params, graph=named, timeout=args.timeout, allow_remote=args.allow_remote,
                          max_answer_mb=args.max_answer)
    else:
        graph = _local_graph(args)
        params = _resolved(q, params, graph)
        rows = run(graph, q, params, timeout=args.timeout, allow_remote=args.allow_remote)
    if rows.triples is not None:
        if args.format not in (None, *GRAPH_FORMATS):
            raise UsageError(f"query '{q.name}' is a CONSTRUCT or DESCRIBE: its answer is RDF; use --format "
                             f"{'|'.join(GRAPH_FORMATS)} (default: Turtle)")
        sys.stdout.write(format_graph(rows.triples, args.format or "turtle"))
        return EXIT_OK
    if args.format in GRAPH_FORMATS:
        raise UsageError(f"query '{q.name}' is not a CONSTRUCT or DESCRIBE: -f {args.format} is for RDF answers; "
                         f"use {'|'.join(RESULT_FORMATS)}")
    fmt = args.format or "table"
    sys.stdout.write(format_rows(rows, fmt, raw=args.raw, keys=args.keys,
                                 width=_table_width() if fmt == "table" else None))
    return EXIT_OK


def _resolved(q: NamedQuery, params: dict[str, str], graph: Union[Graph, pyoxigraph.Store]) -> dict[str, str]:
    """The parameters with each entity named by its IRI; an approximate match said on stderr."""
    from graph_builder.answering.query import resolve_params

    resolved, notes = resolve_params(q, params, graph)
    for note in notes:
        _err(note)
    return resolved


def _the_query(args: argparse.Namespace) -> NamedQuery:
    """The query asked for: inline (--text), from standard input (-), a .rq file or a named query."""
    from graph_builder.answering.query import NamedQuery, find_query, parse_header
    from graph_builder.errors import QueryError

    if args.text is not None:
        return NamedQuery("inline", Path("<inline>"), args.text, "(inline query)")
    if args.name != STDIN:
        return find_query(args.name)
    if args.data is not None and str(args.data) == STDIN:
        raise UsageError("customs-kg query: the query and --data cannot both be read from standard input")
    from graph_builder.limits import MAX_QUERY_BYTES

    data = sys.stdin.buffer.read(MAX_QUERY_BYTES + 1)
    if len(data) > MAX_QUERY_BYTES:
        raise QueryError(f"<stdin>: a query of more than {MAX_QUERY_BYTES // (1 << 20)} MiB is not read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise QueryError(f"<stdin>:{line}: not UTF-8 text (byte 0x{data[exc.start]:02X} at offset {exc.start})") from None
    path = Path("<stdin>")
    try:
        return parse_header(path, text)  # a query with a header has its parameters
    except QueryError:
        return NamedQuery("stdin", path, text, "(query from standard input)")


def _query_params(args: argparse.Namespace, q: NamedQuery) -> dict[str, str]:
    """--param pairs, and --as-of as the value of the query's one date parameter."""
    from graph_builder.answering.query import parse_params

    params = parse_params(args.param)
    if args.as_of is not None:
        _as_of(args.as_of)
        dated = [p.name for p in q.params if p.type == "date"]
        if len(dated) != 1:
            has = ", ".join(f"{p.name} ({p.type})" for p in q.params) or "none"
            raise UsageError(f"query '{q.name}' has {'no date parameter' if not dated else 'more than one date parameter'}"
                             f" for --as-of to bind (its parameters: {has})"
                             + ("; give each with --param NAME=DATE" if dated else ""))
        params.setdefault(dated[0], args.as_of)
    return params


def _local_graph(args: argparse.Namespace) -> Union[Graph, pyoxigraph.Store]:
    """The graph ``query`` reads: an Oxigraph store (default) or an rdflib Graph (``--engine rdflib``)."""
    if args.store is not None:
        from graph_builder.writing.store import open_store

        if args.data or args.facts:
            raise UsageError("customs-kg query: --store DIR reads the store, not --data / --facts")
        if args.engine == "rdflib":
            raise UsageError("customs-kg query: --store DIR is queried with Oxigraph; leave out --engine rdflib")
        return open_store(args.store)
    if args.engine == "rdflib" or args.allow_remote or args.data:
        graph = _graph(args)
        if args.engine == "rdflib" or args.allow_remote:  # SERVICE goes through rdflib's guarded client
            return graph
        from graph_builder.writing.store import graph_store

        return graph_store(graph)
    from graph_builder.pipeline import open_facts
    from graph_builder.writing.store import memory_store

    return memory_store(open_facts(_facts(args))[1].quads())


def cmd_push(args: argparse.Namespace) -> int:
    from graph_builder.answering.remote import DEFAULT_GRAPH, push

    if not (args.endpoint or args.gsp_url):
        raise UsageError("customs-kg push: give --endpoint URL (or --gsp-url URL)")
    ep = _endpoint(args)
    graph = _graph(args)
    push(ep, list(graph), args.graph or DEFAULT_GRAPH, timeout=args.timeout or MAX_TIMEOUT)
    return EXIT_OK


def _card(args: argparse.Namespace, kind: str) -> int:
    from graph_builder.answering.cards import entity_card, render, timeline

    at = _as_of(args.as_of)
    graph = _graph(args)
    from rdflib import URIRef

    node = URIRef(_resolve(graph, args.name, kind))
    card = (entity_card if kind == "show" else timeline)(graph, node, at=at, lang=args.lang)
    sys.stdout.write(render(card, args.format, quotes=args.quotes, raw=args.raw))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    return _card(args, "show")


def cmd_timeline(args: argparse.Namespace) -> int:
    return _card(args, "timeline")


def cmd_check(args: argparse.Namespace) -> int:
    from graph_builder.pipeline import check_facts

    code, report = check_facts(_facts(args), args.fail_on, args.format, args.raw)
    sys.stdout.write(report)
    return code


# Export formats by their names and the short names rdflib and Oxigraph use.
EXPORT_NAMES = {**{f: f for f in EXPORT_FORMATS}, "ttl": "turtle", "nt": "ntriples", "nq": "nquads",
                "json-ld": "jsonld"}


def _export_format(name: str) -> str:
    """An export format named in full or short (ttl, nt, nq, trig, jsonld); any other name is refused."""
    found = EXPORT_NAMES.get(name.lower())
    if found is None:
        raise argparse.ArgumentTypeError(f"'{name}' is not an export format (use {', '.join(EXPORT_NAMES)})")
    return found


def _export_format_of(args: argparse.Namespace, by_extension: Mapping[str, str]) -> str | None:
    """The format asked for: --format, else the extension of -o, else (no -o, or no extension) Turtle;
    None for an extension that names no format."""
    if args.format is not None:
        return str(args.format)
    if args.out is None or not args.out.suffix:
        return "turtle"
    return by_extension.get(args.out.suffix.lower())


def _query_list(queries: Mapping[str, NamedQuery], fmt: str, raw: bool) -> str:
    """`query --list` in the chosen format: each query, its question and its parameters, optional ones marked."""
    import json

    from graph_builder.textsafe import delimited, markdown_text

    items = sorted(queries.items())
    if fmt == "json":
        return json.dumps([{"name": name, "question": q.question,
                            "parameters": [{"name": p.name, "type": p.type, "classes": list(p.classes),
                                            "required": p.required, "doc": p.doc}
                                           for p in q.params]} for name, q in items], ensure_ascii=False, indent=2) + "\n"
    synopsis = {name: " ".join(f"{p.name}=<{p.shown_type}>" if p.required else f"[{p.name}=<{p.shown_type}>]"
                               for p in q.params)
                for name, q in items}
    if fmt in ("csv", "tsv"):
        return delimited(fmt, ("name", "parameters", "question"), ((name, synopsis[name], q.question)
                                                                   for name, q in items), raw=raw)
    if fmt == "markdown":
        return "| query | parameters | question |\n|---|---|---|\n" + "".join(
            f"| `{name}` | {markdown_text(synopsis[name]) or 'none'} | {markdown_text(q.question)} |\n"
            for name, q in items)
    return "".join(f"{name}  {synopsis[name]}\n    {q.question}\n" for name, q in items)


def cmd_export(args: argparse.Namespace) -> int:
    from graph_builder.pipeline import open_facts
    from graph_builder.writing.export import FORMAT_OF_EXTENSION, SPLIT_FORMATS, export, render
    from graph_builder.writing.publish import check_output_file, check_output_folder

    fmt = _export_format_of(args, FORMAT_OF_EXTENSION)
    if args.out is not None and args.graph_per_source and fmt in SPLIT_FORMATS:
        check_output_folder(args.out, "export", _reading(args))
    elif args.out is not None:
        check_output_file(args.out, _reading(args))
    if fmt is None:
        raise UsageError(f"-o {args.out}: cannot tell the format from the extension '{args.out.suffix}' "
                         f"(use {', '.join(FORMAT_OF_EXTENSION)}, or give --format)")
    args.format = fmt
    _loaded, built = open_facts(_facts(args))
    if args.out is None:
        export(built, args.format, None, args.graph_per_source)  # refuses a split without a folder
        sys.stdout.buffer.write(render(built, args.format, args.graph_per_source).encode("utf-8"))
        sys.stdout.flush()
        return EXIT_OK
    for path in export(built, args.format, args.out, args.graph_per_source):
        print(f"wrote {path}")
    return EXIT_OK


def cmd_viz(args: argparse.Namespace) -> int:
    from graph_builder.answering.viz import render_file
    from graph_builder.writing.publish import check_output_file

    at = _as_of(args.as_of)
    if args.depth < 0:
        raise UsageError("--depth must be 0 or more")
    if args.depth != 1 and args.focus is None:
        raise UsageError("--depth needs --focus NAME")
    out = args.out or Path("viz") / f"{args.kind}.html"
    check_output_file(out, _reading(args))
    graph = _graph(args)
    focus = None if args.focus is None else _resolve(graph, args.focus, "--focus")
    print(f"wrote {render_file(graph, args.kind, out, at=at, focus=focus, depth=args.depth, lang=args.lang)}")
    return EXIT_OK


def cmd_site(args: argparse.Namespace) -> int:
    from graph_builder.answering.site import write_site
    from graph_builder.writing.publish import check_output_folder

    check_output_folder(args.out, "site", _reading(args))
    graph = _graph(args)
    manifest = write_site(graph, args.out, lang=args.lang)
    files = manifest["files"]
    assert isinstance(files, dict)
    pages = sum(1 for name in files if name.endswith(".html"))
    print(f"wrote {args.out}: {pages} pages, {len(files)} files; open {args.out / 'index.html'}")
    return EXIT_OK


def cmd_sentences(args: argparse.Namespace) -> int:
    import json

    from graph_builder.loading.factsdir import TEXT_MAX_BYTES, FactsDir
    from graph_builder.loading.quotes import text_sentences
    from graph_builder.loading.yamlload import decode_utf8
    from graph_builder.textsafe import terminal_text

    path = Path(args.text)
    if not os.path.lexists(path):
        raise InputError(f"{path}: error: text: no such file")
    try:
        text = decode_utf8(path, FactsDir(path.parent).read(path, TEXT_MAX_BYTES))
    except FactsError as exc:
        raise InputError("\n".join(str(problem) for problem in exc.problems)) from None
    found = text_sentences(text)
    if args.format == "json":
        print(json.dumps([{"n": n, "text": t} for n, t in enumerate(found, 1)], ensure_ascii=False, indent=2))
    else:
        width = len(str(len(found)))
        for n, sentence in enumerate(found, 1):
            print(f"{n:>{width}}  {terminal_text(sentence)}")
    return EXIT_OK


def cmd_new_source(args: argparse.Namespace) -> int:
    from graph_builder.curate import new_source
    from graph_builder.errors import display_path

    facts = _facts(args)
    text_path, source_path, found = new_source(facts, args.text, url=args.url, publisher=args.publisher,
                                               published=args.published, language=args.language, key=args.key)
    _err(f"headline: line {found.headline_line} of the text; "
         + (f"published: line {found.published_line}" if found.published else "published: not shown in the text")
         + f"; language: {found.language} ({found.language_why})")
    print(f"wrote {display_path(str(text_path))}")
    print(f"wrote {display_path(str(source_path))}")
    print(f"next: customs-kg sentences {display_path(str(text_path))}, then write each sentence's claims under it")
    return EXIT_OK


def cmd_draft(args: argparse.Namespace) -> int:
    from graph_builder.drafting import draft_source
    from graph_builder.errors import display_path

    path, found = draft_source(_facts(args), args.source)
    shown = display_path(str(path))
    if not found.proposals:
        print(f"nothing to propose: every sentence of {args.source} with something to read is quoted already")
        return EXIT_OK
    print(f"wrote {shown}: {found.count} proposal{'s' if found.count != 1 else ''} under {len(found.proposals)} "
          f"sentence{'s' if len(found.proposals) != 1 else ''}"
          + (f", naming {len(found.new_entities)} new entities (listed in a comment there)" if found.new_entities
             else ""))
    print(f"next: in {shown}, accept a proposal by deleting its 'draft:' line, reject it by deleting the claim; "
          "declare the new entities in entities/; then customs-kg build")
    return EXIT_OK


def cmd_synth(args: argparse.Namespace) -> int:
    from graph_builder.synth import generate

    if args.triples < 1000:
        raise UsageError("customs-kg synth: --triples must be at least 1000")
    manifest = generate(args.out, args.triples, args.seed)
    print(f"wrote {manifest['sources']} sources and {manifest['entities']} entities to {args.out} "
          f"(about {args.triples} triples, seed {args.seed})")
    return EXIT_OK


@contextlib.contextmanager
def _batch(command: str) -> Iterator[None]:
    """Pause the cyclic garbage collector for the commands that read the whole graph.

    Building a large graph allocates millions of long-lived objects and no
    cycles worth collecting; the collector's repeated passes over them took
    about a fifth of a build at a million triples (peak memory unchanged).
    When the command ends, the objects it made are moved out of the
    collector's reach (``gc.freeze``) before it is enabled again: the full
    pass the collector would otherwise start over them took a second more
    at a million triples, for no memory that the process's end does not give back.
    """
    import gc

    paused = command in ("build", "validate", "export") and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.freeze()
            gc.enable()


ENDS_AT_ONCE = False  # set by run(): the process ends when the command does
KEPT: list[object] = []  # what a command built, left for the process's end to give back


def run() -> NoReturn:
    """The ``customs-kg`` program: :func:`main`, then the process ends at once.

    A build holds millions of small objects; freeing them one by one when the
    command returned took about 0.4 s at a million triples, for memory that the
    end of the process gives back in one step. So ``build`` leaves its result in
    :data:`KEPT` and the process ends with ``os._exit`` once the standard streams
    are flushed: every file a command writes is closed (and synced) before
    :func:`main` returns, and the command line registers no exit handler.
    """
    global ENDS_AT_ONCE
    ENDS_AT_ONCE = True
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    # rdflib logs an ill-typed literal ("abc"^^xsd:integer) with a traceback; the shapes report it, located.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    try:
        args = build_parser().parse_args(argv)
        if args.command in ("show", "timeline", "check") and args.format is None:
            args.format = "table"
        _check_raw(args)
        _store_type(args)
        handler = {"build": cmd_build, "validate": cmd_validate, "query": cmd_query, "show": cmd_show,
                   "timeline": cmd_timeline, "check": cmd_check, "push": cmd_push,
                   "export": cmd_export, "viz": cmd_viz, "site": cmd_site, "synth": cmd_synth,
                   "sentences": cmd_sentences, "new-source": cmd_new_source,
                   "draft": cmd_draft}[args.command]
        with _batch(args.command):
            return handler(args)
    except FactsError as exc:
        _report_problems(exc.problems)
        _err(f"{len(exc.problems)} problem(s) in the facts; nothing was written")
        return EXIT_USAGE
    except CustomsKGError as exc:
        message = str(exc)
        # located messages ("file:line: error: field: ...") are printed as they are
        _err(message if re.match(r"^\S.*?: error: ", message) else f"error: {message}")
        return exc.exit_code
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        _err(f"internal error: {type(exc).__name__}: {exc}")
        _err("this is a bug in customs-kg; run with CUSTOMS_KG_DEBUG=1 for the traceback")
        if os.environ.get("CUSTOMS_KG_DEBUG"):
            raise
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
