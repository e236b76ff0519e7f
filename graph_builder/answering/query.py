"""Named SPARQL queries: find them, read their headers, bind parameters, run, format.

A query file starts with a header comment::

    # Question: Who chaired meeting N of series X, and on whose behalf?
    # Parameters:
    #   series  iri(ckg:MeetingSeries)  the meeting series (any of its names, its key or IRI)
    #   number  integer                 the meeting number
    # Columns: meeting number chair chairLabel source quote

An ``iri`` parameter may name the classes its entity is one of, in brackets
(``iri(org:Organization|ckg:MeetingSeries)``): a value is then resolved among
those entities only, by any of their names (:func:`resolve_params`). A
parameter whose description starts with ``optional`` may be left unbound;
the others are required (:func:`check_required`).

Parameters are bound with ``initBindings`` (never spliced into the text).
User-supplied queries are parsed and refused when they could reach outside
the local graph (``SERVICE``, ``FROM``/``FROM NAMED``, updates). A query's
text is read once (:func:`graph_builder.answering.sparqltext.read_query`): the safety
check and every engine are given that same text.
"""

from __future__ import annotations

import contextvars
import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node, Variable

from graph_builder.answering.sparqltext import check_text, read_query, refuse, scan
from graph_builder.errors import QueryError
from graph_builder.limits import MAX_QUERY_BYTES, check_timeout
from graph_builder.loading.dates import DateFormatError, parse_date
from graph_builder.namespaces import ID, PREFIXES, XSD
from graph_builder.paths import queries_dir
from graph_builder.textsafe import terminal_text
from graph_builder.writing.serialize import TermWriter

PARAM_TYPES = ("iri", "string", "integer", "date", "lang-string")


@dataclass(frozen=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str
    doc: str
    classes: tuple[str, ...] = ()  # iri: the prefixed names of the classes its entity is one of

    @property
    def required(self) -> bool:
        """A parameter is required unless its description starts with ``optional``."""
        return not self.doc.startswith("optional")

    @property
    def shown_type(self) -> str:
        """The type as ``--list`` shows it: ``iri``, or the classes' local names (``MeetingSeries``)."""
        return "|".join(c.split(":", 1)[1] for c in self.classes) or self.type


@dataclass(frozen=True)
class NamedQuery:
    """A query file with its parsed header."""

    name: str
    path: Path
    text: str
    question: str
    params: tuple[Param, ...] = ()
    columns: tuple[str, ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)
    shapes: tuple[str, ...] = ()  # `# Shape:` the SHACL shapes (ckgsh:NAME) a rule query restates

    def __post_init__(self) -> None:
        """The text as every reader of it sees it (escapes expanded once, line ends as ``\\n``)."""
        try:
            object.__setattr__(self, "text", read_query(self.text))
        except QueryError as exc:
            raise QueryError(f"{self.path}: {exc}") from None


_HEADER_LINE = re.compile(r"^#\s?(.*)$")
_PARAM_TYPE = re.compile(r"([a-z-]+)(?:\(([^()]*)\))?")


def parse_header(path: Path, text: str) -> NamedQuery:
    """Read the header comment of a query file."""
    question = ""
    params: list[Param] = []
    columns: tuple[str, ...] = ()
    shapes: tuple[str, ...] = ()
    section = None
    for raw in text.splitlines():
        m = _HEADER_LINE.match(raw)
        if not m:
            if raw.strip():
                break
            continue
        line = m.group(1)
        if line.startswith("Question:"):
            question = line.split(":", 1)[1].strip()
            section = "question"
        elif line.startswith("Parameters:"):
            section = "params"
            rest = line.split(":", 1)[1].strip()
            if rest and rest.lower() != "none":
                raise QueryError(f"{path}: parameters go one per line under 'Parameters:'")
        elif line.startswith("Shape:"):
            shapes = tuple(line.split(":", 1)[1].split())
            section = "shape"
        elif line.startswith("Columns:"):
            columns = tuple(c.lstrip("?") for c in line.split(":", 1)[1].split())
            section = "columns"
        elif section == "params" and line.strip():
            parts = line.split(None, 2)
            typed = _PARAM_TYPE.fullmatch(parts[1]) if len(parts) >= 2 else None
            if typed is None or typed.group(1) not in PARAM_TYPES:
                raise QueryError(f"{path}: bad parameter line '{line.strip()}' (name, type in {', '.join(PARAM_TYPES)}, description)")
            classes = tuple(typed.group(2).split("|")) if typed.group(2) else ()
            bad = [c for c in classes if c.split(":", 1)[0] not in PREFIXES or ":" not in c]
            if bad or (classes and typed.group(1) != "iri"):
                raise QueryError(f"{path}: bad parameter line '{line.strip()}' (an iri's classes are prefixed "
                                 "names such as iri(org:Organization|foaf:Person))")
            params.append(Param(parts[0].lstrip("?"), typed.group(1), parts[2] if len(parts) > 2 else "", classes))
        elif section == "question" and line.strip():
            question += " " + line.strip()
    if not question:
        raise QueryError(f"{path}: the header comment has no 'Question:' line")
    return NamedQuery(path.stem, path, text, question, tuple(params), columns, shapes=shapes)


def all_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query under ``queries/`` (competency questions and checks)."""
    root = folder or queries_dir()
    out: dict[str, NamedQuery] = {}
    for path in sorted(root.rglob("*.rq")):
        q = parse_header(path, read_query_file(path))
        out[q.name] = q
    return out


def read_query_file(path: Path) -> str:
    """The text of a ``.rq`` file (UTF-8, at most 1 MiB); a :class:`QueryError` naming the file if it is not one."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens without waiting for a writer
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise QueryError(f"{path}: not a regular file")
            data = f.read(MAX_QUERY_BYTES + 1)
    except OSError as exc:
        raise QueryError(f"{path}: cannot read the query file ({exc.strerror or exc})") from None
    if len(data) > MAX_QUERY_BYTES:
        raise QueryError(f"{path}: a query file of more than {MAX_QUERY_BYTES // (1 << 20)} MiB is not read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise QueryError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02X} at offset {exc.start}); "
                         "save the query as UTF-8") from None


def find_query(name_or_file: str) -> NamedQuery:
    """A named query, or a query file given by path."""
    path = Path(name_or_file)
    if name_or_file.endswith(".rq") and path.exists():
        text = read_query_file(path)
        try:
            return parse_header(path, text)
        except QueryError:
            return NamedQuery(path.stem, path, text, "(user query)")
    queries = all_queries()
    if name_or_file in queries:
        return queries[name_or_file]
    if name_or_file.endswith(".rq"):
        raise QueryError(f"no query file {name_or_file}")
    near = similar_names(name_or_file, queries)
    hint = f"; did you mean {', '.join(near)}?" if near else "; 'customs-kg query --list' lists them"
    raise QueryError(f"no query named '{_shown(name_or_file)}'{hint}")


def similar_names(text: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """At most ``limit`` of ``names`` most similar to ``text`` (difflib ratio ≥ 0.6, case ignored), best first;
    a name holding ``text`` whole counts too when ``text`` has at least four letters."""
    import difflib

    wanted = text.strip().lower()
    scored = []
    for name in names:
        ratio = difflib.SequenceMatcher(None, wanted, name.lower(), autojunk=False).ratio()
        if len(re.sub(r"[^a-z0-9]", "", wanted)) >= 4 and wanted in name.lower():
            ratio = max(ratio, 0.6)
        if ratio >= 0.6:
            scored.append((-ratio, name))
    return [name for _, name in sorted(scored)[:limit]]


def bind_value(param: Param, raw: str) -> Node:
    """Turn a command-line value into an RDF term of the parameter's type."""
    if param.type == "iri":
        if _KEY.fullmatch(raw):
            return ID[raw]
        if ":" in raw and not raw.startswith(("http://", "https://", "urn:")):
            prefix, local = raw.split(":", 1)
            if prefix in PREFIXES and _IRI_CHARS.fullmatch(local):
                return URIRef(PREFIXES[prefix] + local)
        if re.fullmatch(r"(https?|urn):" + _IRI_CHARS.pattern, raw):
            return URIRef(raw)
        raise QueryError(f"--param {param.name}: '{_shown(raw)}' is neither a key (e.g. rilo-cis) nor an IRI")
    if param.type == "integer":
        if not re.fullmatch(r"-?[0-9]{1,18}", raw):
            raise QueryError(f"--param {param.name}: '{_shown(raw)}' is not a whole number (of at most 18 digits)")
        return Literal(raw, datatype=XSD.integer)
    if param.type == "date":
        try:
            d = parse_date(raw)
        except DateFormatError as exc:
            raise QueryError(f"--param {param.name}: {exc}") from None
        return Literal(str(d), datatype=XSD[d.xsd])
    if escape := _ESCAPE_LIKE.search(raw):
        raise QueryError(f"--param {param.name}: '{terminal_text(raw)}' holds '{escape.group(0)}', which SPARQL "
                         "reads as an escape; write the character itself")
    if param.type == "lang-string":
        return Literal(raw, lang="en")
    return Literal(raw)


_KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9-]+)*")
_IRI_CHARS = re.compile(r"[^\x00-\x20<>\"{}|\\^`]+")
_ESCAPE_LIKE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")


def check_safe(text: str, allow_remote: bool = False) -> Any:
    """Refuse a query that could read or write outside the local graph; return rdflib's parse.

    The text is read once (:func:`~graph_builder.answering.sparqltext.read_query`) and
    checked twice: by SPARQL's tokens (:func:`~graph_builder.answering.sparqltext.check_text`,
    which also refuses deep nesting) and by rdflib's parse (not a pattern
    match). Updates are always refused; ``SERVICE`` in any position and
    ``FROM`` / ``FROM NAMED`` are refused unless ``allow_remote``.
    """
    text = read_query(text)
    check_text(text, allow_remote)
    parsed = _parse(text)
    found = _reaching_out(parsed)
    if found and not allow_remote:
        refuse(found[0])
    return parsed


def _parse(text: str) -> Any:
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        return parseQuery(text)
    except RecursionError:
        raise QueryError("the query nests too deeply to be read") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises pyparsing errors
        try:
            parseUpdate(text)
        except Exception:  # noqa: BLE001
            raise QueryError(f"the query does not parse: {str(exc).splitlines()[0]}") from None
        raise QueryError("updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused: queries are read-only") from None


def _reaching_out(parsed: Any) -> tuple[str, ...]:
    """The constructs of a parsed query that reach outside the local graph (``SERVICE``, ``FROM``)."""
    from pyparsing import ParseResults

    found: list[str] = []

    def walk(node: Any) -> None:
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            found.append("SERVICE")
        if name == "DatasetClause":
            found.append("FROM / FROM NAMED")
        if isinstance(node, ParseResults):
            for v in node:
                walk(v)
            for _k, v in node.items():  # type: ignore[no-untyped-call]
                walk(v)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)

    walk(parsed)
    return tuple(sorted(set(found)))


@functools.lru_cache(maxsize=256)
def check_safe_text(text: str, allow_remote: bool = False) -> None:
    """:func:`check_safe`, its verdict remembered per query text (a refusal is not remembered: it ends the run).

    rdflib's parser takes 0.03-0.3 s for a named query, more than Oxigraph
    takes to answer most of them; the verdict depends on the text only.
    """
    check_safe(text, allow_remote)


@dataclass
class Rows:
    """Query results: variable names and rows of RDF terms (None when unbound); for a CONSTRUCT or
    DESCRIBE, its triples (and no variables or rows)."""

    vars: list[str]
    rows: list[list[Node | None]]
    triples: list[tuple[Node, Node, Node]] | None = None


_REMOTE_ALLOWED: contextvars.ContextVar[bool] = contextvars.ContextVar("remote_allowed", default=False)


def _guarded_service(ctx: Any, part: Any) -> Any:
    """Last line of defence: SERVICE is evaluated only when the user allowed it."""
    if not _REMOTE_ALLOWED.get():
        raise QueryError("SERVICE is refused: a query may only read the local graph")
    return _ORIGINAL_SERVICE(ctx, part)


def _install_service_guard() -> Any:
    from rdflib.plugins.sparql import evaluate

    original = evaluate.evalServiceQuery
    if getattr(original, "__name__", "") != "_guarded_service":
        evaluate.evalServiceQuery = _guarded_service
    return original


_ORIGINAL_SERVICE = _install_service_guard()


def run(graph: Graph | Any, q: NamedQuery, params: dict[str, str] | None = None, *,
        timeout: float | None = None, allow_remote: bool = False) -> Rows:
    """Run a named query with bound parameters over ``graph``.

    ``graph`` is an rdflib :class:`~rdflib.Graph` (rdflib's engine, parameters
    bound with ``initBindings``) or an Oxigraph store (``pyoxigraph.Store``,
    see :mod:`graph_builder.writing.store`: parameters bound by a ``VALUES`` clause of
    safely serialized terms); both give the same rows. The safety check
    (:func:`check_safe`; for Oxigraph its verdict remembered per query text,
    :func:`check_safe_text`) runs first in both cases, before anything is
    evaluated. With ``timeout`` (seconds), the check and the query run in a
    forked child process that is stopped when the time is up (a 200,000-row
    ``VALUES`` takes rdflib's parser longer than most queries take to run);
    a :class:`QueryError` says so.
    """
    params = params or {}
    check_timeout(timeout)
    oxigraph = not isinstance(graph, Graph)
    if oxigraph:
        from graph_builder.validating.ntriples import is_oxigraph

        if not is_oxigraph(graph):
            raise TypeError(f"run() needs an rdflib Graph or a pyoxigraph Store, not {type(graph).__name__}")

    def work() -> Rows:
        return _run_now(graph, q, params, allow_remote, oxigraph)

    return work() if timeout is None else _in_child(q, timeout, work)


def bind_params(q: NamedQuery, params: dict[str, str]) -> dict[Variable, Node]:
    """The parameters as RDF terms of their declared types; a :class:`QueryError` for an unknown or ill-typed one."""
    declared = {p.name: p for p in q.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise QueryError(f"query '{q.name}' has no parameter {', '.join(unknown)} (it has: {', '.join(declared) or 'none'})")
    return {Variable(name): bind_value(declared[name], raw) for name, raw in params.items()}


def _run_now(graph: Graph | Any, q: NamedQuery, params: dict[str, str], allow_remote: bool, oxigraph: bool) -> Rows:
    """:func:`run` without the time limit: check, bind, evaluate."""
    if oxigraph:
        check_safe_text(q.text, allow_remote)  # the parse itself is only needed by rdflib's engine
    else:
        parsed = check_safe(q.text, allow_remote)
    bindings = bind_params(q, params)
    if oxigraph:
        if allow_remote:
            try:
                check_safe_text(q.text, False)
            except QueryError:
                raise QueryError("SERVICE and FROM are not run by Oxigraph (its HTTP client bypasses the "
                                 "project's network controls); use rdflib's engine (--engine rdflib)") from None
        return _execute_oxigraph(graph, q, bind_with_values(q, params))
    from rdflib.plugins.sparql.algebra import translateQuery

    try:
        prepared = translateQuery(parsed, initNs=PREFIXES)
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds
        raise QueryError(f"query '{q.name}' failed: {exc}") from None
    return execute(graph, q, bindings, allow_remote, prepared)


def top_group_start(text: str) -> int:
    """Index just after the first ``{`` (comments, strings, IRIs skipped): a SELECT or ASK query's top-level group."""
    at = scan(text).first_group
    if at is None:
        raise QueryError("the query has no group pattern to bind its parameters in")
    return at + 1


def bind_with_values(q: NamedQuery, params: dict[str, str]) -> str:
    """The query text with each parameter bound by its own ``VALUES`` clause first in the top-level group.

    Each value becomes an RDF term of the parameter's declared type and is
    written by the N-Triples term writer (escaped), never pasted in as text.
    One single-variable ``VALUES ?p { term }`` per parameter, in name order,
    is the same join as one row of all of them, and the form every store
    tested compiles (Virtuoso 7.2 fails on a ``VALUES`` row of several
    variables, and gives wrong answers with ``BIND`` in some queries).
    """
    declared = {p.name: p for p in q.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise QueryError(f"query '{q.name}' has no parameter {', '.join(unknown)} "
                          f"(it has: {', '.join(declared) or 'none'})")
    if not params:
        return q.text
    writer = TermWriter()
    values = "".join(f"  VALUES ?{k} {{ {writer.term(bind_value(declared[k], params[k]))} }}\n"
                     for k in sorted(params))
    at = top_group_start(q.text)
    return q.text[:at] + "\n" + values + q.text[at:]


def _execute_oxigraph(store: Any, q: NamedQuery, text: str) -> Rows:
    """Evaluate a query (already checked by check_safe) in Oxigraph; rows of rdflib terms."""
    import pyoxigraph

    from graph_builder.validating.ntriples import to_rdflib

    try:
        result = store.query(text, prefixes=dict(PREFIXES))
        if isinstance(result, pyoxigraph.QueryBoolean):
            return Rows(["ask"], [[Literal(bool(result))]])
        if isinstance(result, pyoxigraph.QueryTriples):
            triples = []
            for t in result:
                s, p, o = to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)
                if s is not None and p is not None and o is not None:
                    triples.append((s, p, o))
            return Rows([], [], triples)
        names = [v.value for v in result.variables]
        # A term is converted once per answer (IRIs and labels repeat in many rows); a
        # solution iterates over its values in the order of the variables.
        terms: dict[Any, Node | None] = {}

        def term(value: Any) -> Node | None:
            if value is None:
                return None
            node = terms.get(value)
            if node is None:
                node = terms[value] = to_rdflib(value)
            return node

        rows = [[term(value) for value in solution] for solution in result]
        return Rows(names, rows)
    except QueryError:
        raise
    except Exception as exc:  # noqa: BLE001 - Oxigraph raises SyntaxError, OSError, ...
        raise QueryError(f"query '{q.name}' failed: {exc}") from None


def execute(graph: Graph, q: NamedQuery, bindings: dict[Variable, Node], allow_remote: bool,
             prepared: Any = None) -> Rows:
    token = _REMOTE_ALLOWED.set(allow_remote)
    try:
        result = graph.query(prepared if prepared is not None else q.text,
                             initBindings=bindings, initNs=PREFIXES)  # type: ignore[arg-type]
        if result.type == "ASK":
            return Rows(["ask"], [[Literal(bool(result.askAnswer))]])
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            answer = result.graph if result.graph is not None else Graph()
            return Rows([], [], [(s, p, o) for s, p, o in answer])
        names = [str(v) for v in result.vars or []]
        rows = [[row[i] for i in range(len(names))] for row in result]  # type: ignore[index]
        return Rows(names, rows)
    except QueryError:
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds
        raise QueryError(f"query '{q.name}' failed: {exc}") from None
    finally:
        _REMOTE_ALLOWED.reset(token)


def _in_child(q: NamedQuery, timeout: float, work: Callable[[], Rows]) -> Rows:
    """Run ``work`` in a forked child process; stop it after ``timeout`` seconds.

    Oxigraph has no query cancellation, so both engines use a child process.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            sender.send(("ok", work()))
        except QueryError as exc:
            sender.send(("error", str(exc)))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            sender.send(("error", f"query '{q.name}' failed: {exc}"))
        finally:
            sender.close()

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryError(f"query '{q.name}' stopped after {timeout:g} s (--timeout)")
        try:
            status, payload = receiver.recv()
        except EOFError:
            raise QueryError(f"query '{q.name}' failed: the query process ended unexpectedly") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receiver.close()
    if status == "error":
        raise QueryError(payload)
    assert isinstance(payload, Rows)
    return payload


def parse_params(items: Sequence[str] | None) -> dict[str, str]:
    """``key=value`` pairs from the command line."""
    out: dict[str, str] = {}
    for item in items or ():
        if "=" not in item:
            raise QueryError(f"--param '{item}': write key=value")
        k, v = item.split("=", 1)
        try:
            item.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise QueryError(f"--param {_shown(k.strip())}: the value is not Unicode text: character "
                             f"{exc.start - len(k)} is an undecodable byte (U+{ord(item[exc.start]):04X}); "
                             "give it in UTF-8") from None
        out[k.strip().lstrip("?")] = v
    return out


def _shown(raw: str) -> str:
    """A command-line value as a message quotes it: escaped for the terminal, a long one cut in the middle."""
    text = raw if len(raw) <= 40 else f"{raw[:12]}...{raw[-12:]} ({len(raw)} characters)"
    return terminal_text(text)


def iter_named(kind: str) -> Iterable[NamedQuery]:
    """Named queries of a folder role: ``cq`` or ``checks``."""
    for q in all_queries().values():
        if q.path.parent.name == kind:
            yield q


def check_required(q: NamedQuery, params: dict[str, str]) -> None:
    """Refuse, before anything runs, a query whose required parameters (see its header) are not all given."""
    missing = [p for p in q.params if p.required and p.name not in params]
    if missing:
        needs = ", ".join(f"--param {p.name}=<{p.shown_type}> ({p.doc})" for p in missing)
        raise QueryError(f"query '{q.name}' needs {needs}; 'customs-kg query --list' shows every query's parameters")


def names_graph(graph: Graph | Any) -> Graph:
    """The triples that name entities and give their types (rdf:type, labels, aliases, codes), for a
    :class:`~graph_builder.answering.resolve.Resolver`; an rdflib graph is used as it is."""
    if isinstance(graph, Graph):
        return graph
    import pyoxigraph

    from graph_builder.answering.resolve import NAME_PREDICATES
    from graph_builder.validating.ntriples import to_rdflib

    out = Graph()
    for predicate in NAME_PREDICATES:
        for quad in graph.quads_for_pattern(None, pyoxigraph.NamedNode(str(predicate)), None, None):
            subject, value = to_rdflib(quad.subject), to_rdflib(quad.object)
            if subject is not None and value is not None:
                out.add((subject, predicate, value))
    return out


def names_to_resolve(q: NamedQuery, params: dict[str, str]) -> bool:
    """Whether any given parameter is an entity to resolve by name (:func:`resolve_params` needs the names)."""
    return any(p.type == "iri" and p.name in params for p in q.params)


def resolve_params(q: NamedQuery, params: dict[str, str], graph: Graph | Any) -> tuple[dict[str, str], list[str]]:
    """The ``iri`` parameters resolved to the IRIs of the entities they name, and the notes to show.

    A value is any name ``show`` accepts (key, label, alias, spelling, code,
    IRI; case and accents ignored), of an entity of the parameter's declared
    classes. A value that names none of them is a :class:`QueryError` with up
    to three suggestions of that kind; an approximate match is kept with a
    note ("matched 'Oleg Bakanv' as Oleg Bakanov (oleg-bakanov)").
    """
    from graph_builder.answering.resolve import NoMatch, Resolver, approximate, kind_of

    declared = {p.name: p for p in q.params}
    wanted = [(name, declared[name], raw) for name, raw in sorted(params.items())
              if name in declared and declared[name].type == "iri"]
    out = dict(params)
    notes: list[str] = []
    slow: list[tuple[str, list[URIRef], str]] = []
    for name, param, raw in wanted:  # a key or an IRI of an entity of the kind asked for: no index needed
        classes = [URIRef(PREFIXES[c.split(":", 1)[0]] + c.split(":", 1)[1]) for c in param.classes]
        direct = _as_iri(raw) or (str(ID[raw]) if _KEY.fullmatch(raw) else None)
        if direct is not None and _is_a(graph, URIRef(direct), classes):
            out[name] = direct
        else:
            slow.append((name, classes, raw))
    if not slow:
        return out, notes
    resolver = Resolver.from_graph(names_graph(graph))
    for name, classes, raw in slow:
        as_iri = _as_iri(raw)
        try:
            match = resolver.resolve_one(as_iri if as_iri is not None else raw, classes)
        except NoMatch as exc:
            kind = kind_of(classes)
            what = f"<{as_iri}> is not a {kind} of the graph" if as_iri is not None and resolver.is_entity(as_iri) \
                else f"no {kind} matches '{_shown(raw)}'"
            hint = ("; did you mean " + ", ".join(f"{m.label} ({m.key})" for m in exc.suggestions) + "?"
                    if exc.suggestions else "")
            raise QueryError(f"--param {name}: {what}{hint}") from None
        except QueryError as exc:
            raise QueryError(f"--param {name}: {exc}") from None
        if approximate(match):
            notes.append(f"--param {name}: matched '{terminal_text(raw)}' as {match.label} ({match.key})")
        out[name] = str(match.iri)
    return out, notes


def _is_a(graph: Graph | Any, node: URIRef, classes: Sequence[URIRef]) -> bool:
    """Whether ``node`` has one of the types ``classes`` in ``graph`` (without classes: whether it has a label)."""
    from graph_builder.namespaces import RDF, RDFS

    patterns = [(RDF.type, c) for c in classes] if classes else [(RDFS.label, None)]
    if isinstance(graph, Graph):
        return any((node, p, o) in graph if o is not None else graph.value(node, p) is not None
                   for p, o in patterns)
    import pyoxigraph

    subject = pyoxigraph.NamedNode(str(node))
    return any(next(iter(graph.quads_for_pattern(subject, pyoxigraph.NamedNode(str(p)),
                                                  None if o is None else pyoxigraph.NamedNode(str(o)), None)),
                    None) is not None for p, o in patterns)


def _as_iri(raw: str) -> str | None:
    """The full IRI a value writes (``https://...``, ``urn:...`` or a prefixed name such as ``id:rilo-cis``), if any."""
    if re.fullmatch(r"(https?|urn):" + _IRI_CHARS.pattern, raw):
        return raw
    if ":" in raw:
        prefix, local = raw.split(":", 1)
        if prefix in PREFIXES and _IRI_CHARS.fullmatch(local):
            return PREFIXES[prefix] + local
    return None


def check_params(q: NamedQuery, params: dict[str, str]) -> None:
    """Every check of the parameters that needs no graph, before the facts are read: each one declared,
    the required ones given, the values of every type but ``iri`` (resolved by name later) well-formed."""
    declared = {p.name: p for p in q.params}
    bind_params(q, {k: v for k, v in params.items() if k not in declared or declared[k].type != "iri"})
    check_required(q, params)
