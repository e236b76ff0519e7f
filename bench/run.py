"""Benchmark: the project's pipeline against the rdflib + pyshacl baseline, on synthetic facts.

    python bench/run.py [--sizes 10k,100k,1M] [--runs 3] [--with-10m] [--out bench/RESULTS.md]

For each size it generates facts with ``customs-kg synth`` (seed 0), then runs
each measured step in its own child process (``python bench/run.py --step
...``), side by side for the project and the baseline, and reads the child's
peak memory (max RSS) from ``os.wait4`` (the per-child form of
``getrusage(RUSAGE_CHILDREN)``, which only gives the maximum over all children
so far). Times are medians of ``--runs`` runs, measured inside the child (the
interpreter start and imports are not counted, except for the cold-start
step, which is wall-clock from the parent). The report goes to
``bench/RESULTS.md`` (see ``bench/README.md``).

Project   = what the ``customs-kg`` commands run (``build --no-reason``,
            ``validate.shacl_validate``, ``export``, ``query`` on the graph the
            CLI's ``query`` reads; Oxigraph from ``graph_builder.writing.store`` as an
            extra column when that module offers ``memory_store``).
Baseline  = the same facts mapped by the project's builder into an rdflib
            memory ``Graph``, rdflib SPARQL, rdflib's Turtle serializer, pyshacl.
Floor     = ``pyoxigraph.parse`` streaming through the same triples as N-Triples.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
SHOW_NAME = "RILO CIS"
STEP_TIMEOUT = 3600.0


# ---------------------------------------------------------------------------
# Steps, run in child processes. Each prints one JSON object on stdout.
# ---------------------------------------------------------------------------

def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _shapes_and_ontology() -> tuple[Any, Any]:
    from graph_builder.validating.validate import ontology_graph, shapes_graph

    return shapes_graph(), ontology_graph()


def step_full_project(facts: Path, work: Path) -> dict[str, Any]:
    """`customs-kg build FACTS -o OUT --no-reason --no-cache`: load, build, validate, write Turtle + TriG,
    from scratch (the incremental cache is the `incremental` step's)."""
    import contextlib
    import io

    from graph_builder import cli
    from graph_builder.cli import main

    cli.ENDS_AT_ONCE = True  # as the installed command: the result is freed by the child's end, not timed
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        seconds, code = _timed(lambda: main(["build", str(facts), "-o", str(work / "out-project"), "--no-reason",
                                             "--no-cache"]))
    triples = next((line.split()[-1] for line in buf.getvalue().splitlines() if line.startswith("triples ")), "?")
    return {"seconds": seconds, "exit": code, "triples": triples}


def step_full_baseline(facts: Path, work: Path) -> dict[str, Any]:
    """Load + map (the project's builder), rdflib Graph, pyshacl, rdflib Turtle serializer."""
    import pyshacl

    from graph_builder.building.build import build
    from graph_builder.loading.facts import load_facts

    def run() -> int:
        built = build(load_facts(facts))
        graph = built.merged_graph()
        shapes, onto = _shapes_and_ontology()
        pyshacl.validate(graph, shacl_graph=shapes, ont_graph=onto, inference="none", advanced=True,
                         allow_warnings=True)
        (work / "baseline.ttl").write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
        return len(graph)

    seconds, n = _timed(run)
    return {"seconds": seconds, "triples": n}


def step_build(facts: Path, work: Path, impl: str) -> dict[str, Any]:
    """Facts -> graph. Project: load_facts + build (+ Oxigraph store when the CLI's query reads one);
    baseline: load_facts + build + rdflib memory Graph."""
    from graph_builder.pipeline import build_graph

    if impl == "project":
        seconds, (_f, built) = _timed(lambda: build_graph(facts))
        return {"seconds": seconds}
    seconds, g = _timed(lambda: build_graph(facts)[1].merged_graph())
    return {"seconds": seconds, "triples": len(g)}


def step_validate(facts: Path, work: Path, impl: str) -> dict[str, Any]:
    """SHACL validation of the built graph (the build itself is not timed)."""
    from graph_builder.pipeline import build_graph

    _f, built = build_graph(facts)
    if impl == "project":
        from graph_builder.validating.validate_engine import fast_validate  # the validator `customs-kg build` uses

        triples = built.merged()
        seconds, out = _timed(lambda: fast_validate(triples, built.origins))
        return {"seconds": seconds, "violations": sum(1 for v in out if v.severity == "Violation")}
    import pyshacl

    graph = built.merged_graph()
    shapes, onto = _shapes_and_ontology()

    seconds, (conforms, _r, _t) = _timed(lambda: pyshacl.validate(
        graph, shacl_graph=shapes, ont_graph=onto, inference="none", advanced=True, allow_warnings=True))
    return {"seconds": seconds, "conforms": bool(conforms)}


def step_export(facts: Path, work: Path, impl: str) -> dict[str, Any]:
    """Turtle export of the built graph (the build itself is not timed)."""
    from graph_builder.pipeline import build_graph

    _f, built = build_graph(facts)
    if impl == "project":
        from graph_builder.writing.export import export

        seconds, _ = _timed(lambda: export(built, "turtle", work / "project.ttl", False))
        return {"seconds": seconds, "bytes": (work / "project.ttl").stat().st_size}
    graph = built.merged_graph()
    seconds, data = _timed(lambda: graph.serialize(format="turtle", encoding="utf-8"))
    return {"seconds": seconds, "bytes": len(data)}


def step_ntriples(facts: Path, work: Path) -> dict[str, Any]:
    """Write the merged graph as N-Triples (input of the parse floor and the baseline's query graph)."""
    from graph_builder.pipeline import build_graph
    from graph_builder.writing.export import export

    _f, built = build_graph(facts)
    export(built, "ntriples", work / "graph.nt", False)
    return {"seconds": 0.0, "triples": len(built.merged())}


def step_floor(facts: Path, work: Path) -> dict[str, Any]:
    """pyoxigraph.parse streaming through the N-Triples: the parse floor."""
    import pyoxigraph

    def run() -> int:
        n = 0
        for _t in pyoxigraph.parse(path=str(work / "graph.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES):
            n += 1
        return n

    seconds, n = _timed(run)
    return {"seconds": seconds, "triples": n}


def _queries() -> dict[str, Any]:
    from graph_builder.answering.query import iter_named

    return {q.name: q for q in sorted(iter_named("cq"), key=lambda q: q.name)}


def _params(work: Path, q: Any) -> dict[str, str]:
    from graph_builder.synth import MANIFEST, query_params

    manifest = json.loads((work / "facts" / MANIFEST).read_text(encoding="utf-8"))
    required = tuple(p.name for p in q.params if not p.doc.startswith("optional"))
    return query_params(manifest, q.name, required)


def project_query_graph(facts: Path) -> Any:
    """The graph `customs-kg query NAME --facts FACTS` evaluates queries on."""
    from graph_builder.pipeline import open_facts
    from graph_builder.writing.store import memory_store

    return memory_store(open_facts(facts)[1].quads())


def step_queries(facts: Path, work: Path, impl: str, runs: int, query_limit: float) -> dict[str, Any]:
    """Every named query (queries/cq), `runs` times each; loading is not timed."""
    from rdflib import Graph

    if impl == "project":
        graph = project_query_graph(facts)
        engine = type(graph).__module__.split(".")[0]
    else:
        graph = Graph()
        graph.parse(str(work / "graph.nt"), format="nt")
        engine = "rdflib"
    import signal

    class Slow(Exception):
        pass

    fired: list[bool] = []

    def alarm(_sig: int, _frame: Any) -> None:
        fired.append(True)
        raise Slow()

    signal.signal(signal.SIGALRM, alarm)
    out: dict[str, Any] = {"engine": engine, "queries": {}}
    for name, q in _queries().items():
        params = _params(work, q)
        times: list[Any] = []
        for _ in range(runs):
            fired.clear()
            signal.alarm(int(query_limit))
            try:
                times.append(_one(graph, q, params, impl))
            except Slow:
                times.append(None)
                break
            except Exception as exc:  # reported in the table; the other queries still run
                if fired:  # stopped by the alarm inside the engine, which wrapped it in its own error
                    times.append(None)
                    break
                times.append(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
                break
            finally:
                signal.alarm(0)
        failed = next((t for t in times if isinstance(t, str)), None)
        if failed:
            out["queries"][name] = {"median": None, "rows": -1, "params": params, "note": failed}
            continue
        if None in times:
            out["queries"][name] = {"median": None, "rows": -1, "params": params, "note": f"> {query_limit:.0f} s",
                                    "lower": query_limit}
            continue
        out["queries"][name] = {"median": statistics.median(t for t, _r in times), "rows": times[-1][1], "params": params}
    return out


def _one(graph: Any, q: Any, params: dict[str, str], impl: str) -> tuple[float, int]:
    from rdflib.term import Variable

    from graph_builder.answering.query import bind_value, run
    from graph_builder.namespaces import PREFIXES

    if impl == "baseline":  # rdflib's engine as a user calls it: Graph.query with initBindings
        declared = {p.name: p for p in q.params}
        bindings = {Variable(k): bind_value(declared[k], v) for k, v in params.items()}
        t, res = _timed(lambda: list(graph.query(q.text, initBindings=bindings, initNs=PREFIXES)))
        return t, len(res)
    t, res = _timed(lambda: run(graph, q, params))  # the project's query function, as `customs-kg query`
    return t, len(res.rows)


EDITS = {"headline": "one-file edit: a headline", "date": "one-file edit: a publication date",
         "membership": "one-file edit: a new membership", "removal": "one-file edit: a removed statement",
         "entity": "one-file edit: an entity's name"}
REBUILDS = {"nochange": "no-change build", **EDITS}


def _edit_target(facts: Path, kind: str = "headline") -> Path:
    """The facts file an edit of ``kind`` changes: the first meeting's report, or (``entity``) the first
    entities file of people."""
    if kind == "entity":
        return sorted((facts / "entities").glob("people*.yaml"))[0]
    return sorted(p for p in (facts / "sources").glob("synthetic-org-0001-council-session-*.yaml")
                  if not p.stem.endswith("press-release"))[0]


def edited(text: str, kind: str) -> str:
    """The text of a source file after one edit of ``kind`` (see EDITS)."""
    lines = text.splitlines(keepends=True)
    if kind == "headline":
        i = next(i for i, line in enumerate(lines) if line.startswith("  headline: "))
        lines[i] = lines[i].rstrip()[:-1] + ' (revised)"\n'
    elif kind == "date":
        i = next(i for i, line in enumerate(lines) if line.startswith("  published: "))
        lines[i] = '  published: "2024"\n' if '"2024"' not in lines[i] else '  published: "2023"\n'
    elif kind == "membership":  # a new membership (a new entity) of an agent the file names, quoting the file
        quote = next(line.split('"')[1] for line in lines if line.strip().startswith('- "') or
                     line.startswith("  - quote: \""))
        member = next((line.split("[", 1)[1].split(",")[0].strip(" ]\n") for line in lines
                       if line.startswith("    attendees: [")), None) or \
            next(line.split(":", 1)[1].strip() for line in lines if line.startswith("  publisher: "))
        lines.append(f'\n  - quote: "{quote}"\n    membership: {member}-member-bench-added\n'
                     f"    member: {member}\n    organization: org-0001-council\n    role: member\n")
    elif kind == "entity":  # the English name of the file's first entity (an entities file)
        i = next(i for i, line in enumerate(lines) if line.startswith("    name: {en: \""))
        before, name, after = lines[i].split('"', 2)
        lines[i] = f'{before}"{name} (revised)"{after}'
    elif kind == "removal":  # the file's last statement
        last = max(i for i, line in enumerate(lines) if line.startswith("  - quote:"))
        lines = lines[:last]
        while lines and not lines[-1].strip():
            lines.pop()
    else:
        raise ValueError(kind)
    return "".join(lines)


def step_rebuild(facts: Path, work: Path, impl: str, kind: str) -> dict[str, Any]:
    """`customs-kg build FACTS -o OUT --no-reason` with its incremental cache, on a copy of the facts: the file
    the edits change is put back as generated and built (not timed), then edited (``kind``: one of EDITS, or
    ``nochange``: left as it is) and built again (timed). The build's own `seconds:` rows are kept."""
    import contextlib
    import io

    from graph_builder import cli
    from graph_builder.cli import main

    cli.ENDS_AT_ONCE = True  # as the installed command: the result is freed by the child's end, not timed
    facts = work / "facts-edits"
    originals = work / "edited-files"  # each edited file as generated
    os.environ["XDG_CACHE_HOME"] = str(work / "cache-edits")
    argv = ["build", str(facts), "-o", str(work / "out-edits"), "--no-reason"]
    printed = io.StringIO()
    if kind == "prepare":  # run in a child of its own, neither timed nor counted in the peak memory
        originals.mkdir(exist_ok=True)
        for edit in EDITS:
            target = _edit_target(facts, edit)
            original = originals / f"{target.parent.name}-{target.name}"
            if original.exists():
                target.write_bytes(original.read_bytes())
            else:
                original.write_bytes(target.read_bytes())
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return {"seconds": 0.0, "exit": main(argv)}
    if kind != "nochange":
        target = _edit_target(facts, kind)
        original = originals / f"{target.parent.name}-{target.name}"
        target.write_text(edited(original.read_text(encoding="utf-8"), kind), encoding="utf-8")
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        seconds, code = _timed(lambda: main(argv))
    text = printed.getvalue()
    said = {line.split("  ")[0].strip(): line.split()[-1] for line in text.splitlines() if line.startswith("seconds: ")}
    validated = said.get("seconds: load, build, validate")
    how = "up to date" if "up to date: " in text else "patched" if "\npatched " in "\n" + text else \
        "written whole" if "\nwrote " in "\n" + text else "failed"
    return {"seconds": seconds, "exit": code, "how": how,
            "validated": None if validated is None else float(validated)}


def step_identical(facts: Path, work: Path) -> dict[str, Any]:
    """A clean build (`--no-cache`) of the edited copy of the facts, compared byte for byte with the output the
    rebuilds left (the last edit applied)."""
    import contextlib
    import io

    from graph_builder.cli import main

    clean = work / "out-edits-clean"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["build", str(work / "facts-edits"), "-o", str(clean), "--no-reason", "--no-cache"])
    names = ("customs-kg.ttl", "customs-kg.trig", "manifest.json")
    same = all((clean / n).read_bytes() == (work / "out-edits" / n).read_bytes() for n in names)
    return {"seconds": 0.0, "exit": code, "identical": same}


def child_main(args: argparse.Namespace) -> None:
    facts, work = Path(args.facts), Path(args.work)
    step = args.step
    if step == "full":
        out = step_full_project(facts, work) if args.impl == "project" else step_full_baseline(facts, work)
    elif step in ("build", "validate", "export"):
        out = globals()[f"step_{step}"](facts, work, args.impl)
    elif step in REBUILDS or step == "prepare":
        out = step_rebuild(facts, work, args.impl, step)
    elif step == "queries":
        out = step_queries(facts, work, args.impl, args.runs, args.query_timeout)
    else:
        out = globals()[f"step_{step}"](facts, work)
    print(json.dumps(out))


# ---------------------------------------------------------------------------
# The parent: generate, run children, report.
# ---------------------------------------------------------------------------

def run_child(argv: list[str], timeout: float = STEP_TIMEOUT) -> tuple[dict[str, Any], float, float]:
    """Run a child; return (its JSON, wall seconds, peak RSS in MiB) from os.wait4's rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT)
        deadline = t + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return ({"error": f"stopped after {timeout:.0f} s", "lower": timeout}, time.perf_counter() - t,
                        usage.ru_maxrss / 1024)
            time.sleep(0.01)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read().decode("utf-8", "replace").strip().splitlines()
        if proc.returncode != 0 or not text:
            return {"error": err.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]}, wall, usage.ru_maxrss / 1024
        return json.loads(text[-1]), wall, usage.ru_maxrss / 1024


def measure(step: str, impl: str, facts: Path, work: Path, runs: int, timeout: float) -> dict[str, Any]:
    """Median time and peak memory of a step over `runs` child processes (a rebuild's each after a `prepare`
    child: the edited file put back and built)."""
    results = []
    for _ in range(runs):
        if step in REBUILDS:
            prepared, _w, _r = run_child([sys.executable, __file__, "--step", "prepare", "--impl", impl, "--facts",
                                          str(facts), "--work", str(work)], timeout)
            if prepared.get("exit") != 0:
                return {"error": f"preparing the rebuild failed: {prepared}"}
        data, wall, rss = run_child([sys.executable, __file__, "--step", step, "--impl", impl, "--facts", str(facts),
                                     "--work", str(work)], timeout)
        data["rss"] = rss
        results.append(data)
        if "error" in data or data.get("seconds") is None:
            return data
    return {"seconds": statistics.median(r["seconds"] for r in results), "rss": max(r["rss"] for r in results),
            **{k: v for k, v in results[-1].items() if k not in ("seconds", "rss")}}


def cold_show(runs: int) -> dict[str, Any]:
    """Wall-clock of `customs-kg show NAME` on the bundled graph, a new process each time."""
    import shutil

    exe = shutil.which("customs-kg")
    argv = [exe] if exe else [sys.executable, "-m", "graph_builder"]
    times, rss = [], 0.0
    for _ in range(runs):
        data, wall, peak = run_child_raw(argv + ["show", SHOW_NAME])
        times.append(wall)
        rss = max(rss, peak)
    return {"seconds": statistics.median(times), "rss": rss, "command": " ".join(["customs-kg" if exe else "python -m graph_builder", "show", repr(SHOW_NAME)])}


def run_child_raw(argv: list[str]) -> tuple[int, float, float]:
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - t, usage.ru_maxrss / 1024


def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass

    def ver(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    libs = ", ".join(f"{p} {ver(p)}" for p in ("rdflib", "pyshacl", "pyoxigraph", "ruamel.yaml"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    return [f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem}; load average when the report was written "
            f"(1, 5, 15 min): {load}",
            f"- {platform.system()} {platform.release()}; Python {platform.python_version()}; {libs}",
            f"- customs-kg at commit {commit}"]


def seconds_cell(data: dict[str, Any]) -> str:
    """A step's time, "> N s" when it was stopped, else its note or error."""
    if data.get("seconds") is not None:
        return fmt_s(data["seconds"])
    if data.get("lower") is not None:
        return f"> {fmt_s(data['lower'])}"
    return str(data.get("note") or data.get("error") or "n/a")


def step_ratio(base: dict[str, Any], mine: dict[str, Any]) -> str:
    """Baseline time / project time; "≥ r×" when the baseline was stopped before it finished."""
    if mine.get("seconds") is None:
        return "n/a"
    if base.get("seconds") is None and base.get("lower") is not None:
        return f"≥ {base['lower'] / mine['seconds']:.1f}×"
    return ratio(base.get("seconds"), mine["seconds"])


def query_ratio(base: dict[str, Any], mine: dict[str, Any]) -> str:
    """Baseline median / project median of one query; "≥ r×" when the baseline query was stopped."""
    return step_ratio({"seconds": base.get("median"), "lower": base.get("lower")}, {"seconds": mine.get("median")})


def fmt_s(x: Any, note: str = "n/a") -> str:
    if x is None:
        return note
    if x >= 100:
        return f"{x:.0f} s"
    if x >= 1:
        return f"{x:.2f} s"
    return f"{x * 1000:.0f} ms" if x >= 0.01 else f"{x * 1000:.1f} ms"


def mib(data: dict[str, Any]) -> str:
    return f"{data['rss']:.0f} MiB" if "rss" in data else "n/a"


def ratio(base: Any, mine: Any) -> str:
    if not base or not mine:
        return "n/a"
    return f"{base / mine:.1f}×"


def run_size(label: str, triples: int, runs: int, root: Path, timeout: float, query_timeout: float,
             log: Callable[[str], None], baseline_runs: int, baseline_timeout: float) -> dict[str, Any]:
    from graph_builder.synth import generate

    work = root / label
    facts = work / "facts"
    work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    generate(facts, triples, 0)
    res: dict[str, Any] = {"label": label, "target": triples, "generate": time.perf_counter() - t}
    log(f"[{label}] generated in {res['generate']:.1f} s")
    nt, _w, _r = run_child([sys.executable, __file__, "--step", "ntriples", "--impl", "project", "--facts", str(facts),
                            "--work", str(work)], timeout)
    res["triples"] = nt.get("triples")
    log(f"[{label}] {res['triples']} triples")
    res["floor"] = measure("floor", "project", facts, work, runs, timeout)
    for step in ("build", "validate", "export", "full"):
        for impl in ("project", "baseline"):
            key = f"{step}:{impl}"
            stopped = res.get("validate:baseline", {}).get("lower")
            if key == "full:baseline" and stopped is not None:
                # the baseline's full build contains its validation, which was already stopped
                res[key] = {"lower": stopped, "error": "not run: its SHACL validation alone was stopped"}
            elif impl == "baseline":
                res[key] = measure(step, impl, facts, work, baseline_runs, baseline_timeout)
            else:
                res[key] = measure(step, impl, facts, work, runs, timeout)
            log(f"[{label}] {step} {impl}: {seconds_cell(res[key])}")
    for impl in ("project", "baseline"):
        n, limit = (runs, timeout) if impl == "project" else (baseline_runs, baseline_timeout)
        # each query has its own stop time; the child as a whole gets all of them, plus the graph's loading
        limit = max(limit, len(_queries()) * n * query_timeout + 900)
        data, _w, rss = run_child([sys.executable, __file__, "--step", "queries", "--impl", impl, "--facts", str(facts),
                                   "--work", str(work), "--runs", str(n), "--query-timeout", str(query_timeout)], limit)
        data["rss"] = rss
        res[f"queries:{impl}"] = data
        log(f"[{label}] queries {impl}: {data.get('error', 'done')}")
    import shutil

    shutil.rmtree(work / "facts-edits", ignore_errors=True)
    shutil.rmtree(work / "edited-files", ignore_errors=True)
    shutil.copytree(facts, work / "facts-edits")
    for step in REBUILDS:
        res[f"{step}:project"] = measure(step, "project", facts, work, runs, timeout)
        log(f"[{label}] {step}: {seconds_cell(res[f'{step}:project'])} ({res[f'{step}:project'].get('how')})")
    res["identical"] = measure("identical", "project", facts, work, 1, timeout)
    log(f"[{label}] rebuilt outputs identical to a clean build: {res['identical'].get('identical')}")
    return res


def report(results: list[dict[str, Any]], show: dict[str, Any], command: str, runs: int, baseline_runs: int,
           timeouts: str) -> str:
    out = ["# Benchmark results", "",
           f"Written by `{command}` on {time.strftime('%Y-%m-%d')}, all sizes in one run. Each step runs in its "
           f"own child process; times are medians of {runs} runs for the project and {baseline_runs} for the "
           f"baseline; {timeouts}. Peak memory is the child's max RSS (`os.wait4`). See `bench/README.md` for "
           "what each step does.", "", "Machine:", ""] + machine() + [""]
    for r in results:
        floor = r["floor"].get("seconds")
        out += [f"## {r['label']} (target {r['target']:,} triples; built graph {r['triples']:,} triples; "
                f"facts generated in {r['generate']:.1f} s)", "",
                "| step | project | baseline (rdflib + pyshacl) | project vs baseline | project / parse floor | "
                "peak memory project | peak memory baseline |", "|---|---|---|---|---|---|---|"]
        out.append(f"| parse floor: `pyoxigraph.parse` of the N-Triples | {fmt_s(floor)} | | | 1.0× | "
                   f"{r['floor'].get('rss', 0):.0f} MiB | |")
        names = {"full": "full build: facts → validated graph → Turtle (+TriG for the project)",
                 "build": "build from facts", "validate": "SHACL validation", "export": "Turtle export"}
        for step in ("full", "build", "validate", "export"):
            p, b = r[f"{step}:project"], r[f"{step}:baseline"]
            ps = p.get("seconds")
            out.append(f"| {names[step]} | {seconds_cell(p)} | {seconds_cell(b)} | {step_ratio(b, p)} | "
                       f"{(f'{ps / floor:.0f}×' if ps and floor else 'n/a')} | "
                       f"{mib(p) if ps is not None else 'n/a'} | {mib(b) if b.get('seconds') is not None else 'n/a'} |")
        clean = r["full:project"].get("seconds")
        same = r.get("identical", {}).get("identical")
        out += ["", "Rebuilds (`customs-kg build FACTS -o OUT --no-reason` with its incremental cache, on a copy of "
                "the same facts, after a build of the unedited facts; the clean build is the full build above, "
                "`--no-cache`; the outputs the last edit left were "
                + ("byte-identical to a clean build of the edited facts" if same else
                   "NOT identical to a clean build of the edited facts" if same is False else "not compared")
                + "):", "",
                "| rebuild | time | clean build / this | load, build, validate (as the build printed) | "
                "what the build did | peak memory |", "|---|---|---|---|---|---|"]
        for step, name in REBUILDS.items():
            d = r.get(f"{step}:project", {})
            sec = d.get("seconds")
            out.append(f"| {name} | {seconds_cell(d)} | {ratio(clean, sec)} | "
                       f"{fmt_s(d.get('validated'), '–')} | {d.get('how', 'n/a')} | {mib(d)} |")
        qp, qb = r["queries:project"], r["queries:baseline"]
        out += ["", f"Queries (`queries/cq`; project engine: {qp.get('engine', '?')}; peak memory: project "
                f"{qp.get('rss', 0):.0f} MiB, baseline {qb.get('rss', 0):.0f} MiB; rows as the project returns "
                "them, with the baseline's count where it differs):", "",
                "| query | parameters | rows | project | baseline (rdflib) | project vs baseline |",
                "|---|---|---|---|---|---|"]
        for name, pq in sorted(qp.get("queries", {}).items()):
            bq = qb.get("queries", {}).get(name, {})
            params = ", ".join(f"{k}={v}" for k, v in pq["params"].items()) or "none"
            rows = str(pq["rows"]) if pq["rows"] >= 0 else "?"
            if bq.get("rows", -1) >= 0 and bq["rows"] != pq["rows"]:
                rows += f" (baseline: {bq['rows']})"
            out.append(f"| {name} | {params} | {rows} | {fmt_s(pq['median'], pq.get('note', 'n/a'))} | "
                       f"{fmt_s(bq.get('median'), bq.get('note', 'n/a'))} | {query_ratio(bq, pq)} |")
        for impl, q in (("project", qp), ("baseline", qb)):
            if "error" in q:
                out.append(f"\n{impl} queries failed: {q['error']}")
        out.append("")
    out += ["## Cold start", "", f"`{show['command']}` on the bundled graph, wall-clock from a new process: "
            f"median {fmt_s(show['seconds'])}, peak memory {show['rss']:.0f} MiB.", ""]
    out += targets(results, show)
    return "\n".join(out) + "\n"


def targets(results: list[dict[str, Any]], show: dict[str, Any]) -> list[str]:
    """The issue's targets (at 1M triples), each met or missed; a miss names what the time went to."""
    at = next((r for r in results if r["label"] == "1M"), None)
    lines = ["## Targets (issues 6 and 19, at 1M triples)", ""]
    if at is None:
        largest = results[-1] if results else None
        lines.append(f"Not measured at 1M in this run (largest size: {largest['label'] if largest else 'none'}); "
                     "the verdicts below are read at that size and marked so.")
        lines.append("")
        at = largest
    if at is None:
        return lines
    tag = "" if at["label"] == "1M" else f" (at {at['label']})"
    lines += ["| target | measured | verdict |", "|---|---|---|"]

    def verdict(ok: bool | None, why: str) -> str:
        return "not measured" if ok is None else ("met" if ok else "missed: " + why)

    parts = {step: at[f"{step}:project"].get("seconds") for step in ("build", "validate", "export")}
    breakdown = "; ".join(f"{name} {fmt_s(parts[step])}" for step, name in
                          (("build", "loading and mapping the facts"), ("validate", "SHACL validation"),
                           ("export", "Turtle export")) if parts[step] is not None)
    full_p, full_b = at["full:project"], at["full:baseline"]
    fp = full_p.get("seconds")
    lines.append(f"| full build with validation and Turtle export ≥ 10× faster than the baseline{tag} | "
                 f"{step_ratio(full_b, full_p)} | "
                 f"{verdict(None if fp is None else _at_least(full_b, fp, 10), 'the project spends ' + breakdown)} |")
    lines.append(f"| full build ≤ 60 s{tag} | {seconds_cell(full_p)} | "
                 f"{verdict(None if fp is None else fp <= 60, 'the project spends ' + breakdown)} |")
    qp = at["queries:project"].get("queries", {})
    qb = at["queries:baseline"].get("queries", {})
    if qp:
        slow = sorted((n for n, v in qp.items() if v["median"] is None or v["median"] > 0.5),
                      key=lambda n: -(qp[n]["median"] or 1e9))
        worst = max(qp, key=lambda n: qp[n]["median"] if qp[n]["median"] is not None else 1e9)
        too_slow = ", ".join(f"{n} {fmt_s(qp[n]['median'], qp[n].get('note', 'n/a'))}" for n in slow)
        lines.append(f"| every library query ≤ 0.5 s median{tag} | slowest: {worst} "
                     f"{fmt_s(qp[worst]['median'], qp[worst].get('note', 'n/a'))} | "
                     f"{verdict(not slow, too_slow + ' over 0.5 s')} |")
        under = [n for n in sorted(qp) if not _at_least({"seconds": qb.get(n, {}).get("median"),
                                                          "lower": qb.get(n, {}).get("lower")},
                                                         qp[n]["median"], 10)]
        least = min(qp, key=lambda n: _speedup(qb.get(n, {}), qp[n]))
        quick = [n for n in under if (qb.get(n, {}).get("median") or 1e9) <= 0.5]
        slow_too = [n for n in under if n not in quick]
        too_close = "; ".join(part for part in (
            ", ".join(f"{n} {query_ratio(qb.get(n, {}), qp[n])}" for n in slow_too) + " under 10×" if slow_too else "",
            ", ".join(f"{n} {query_ratio(qb.get(n, {}), qp[n])}" for n in quick) + " under 10×, where rdflib "
            "answers within 0.5 s as well (selective lookups: both engines are near the fixed cost of a query, "
            "parsing it and converting its rows)" if quick else "") if part)
        lines.append(f"| every library query ≥ 10× faster than rdflib's memory store{tag} | least: {least} "
                     f"{query_ratio(qb.get(least, {}), qp[least])} | {verdict(not under, too_close)} |")
    nochange = at.get("nochange:project", {})
    ns = nochange.get("seconds")
    lines.append(f"| no-change build ≤ 1 s{tag} | {seconds_cell(nochange)} ({nochange.get('how', 'n/a')}) | "
                 f"{verdict(None if ns is None else ns <= 1 and nochange.get('how') == 'up to date', 'it took longer')} |")
    for kind, name in EDITS.items():
        d = at.get(f"{kind}:project", {})
        sec, validated = d.get("seconds"), d.get("validated")
        why = (f"loading, building and revalidating take {fmt_s(validated)}, summing up, patching, re-reading "
               f"the changed parts and publishing {fmt_s(sec - validated)}" if sec is not None and validated is not None
               else "it took longer")
        lines.append(f"| {name} ≤ 5 s{tag} | {seconds_cell(d)} ({d.get('how', 'n/a')}) | "
                     f"{verdict(None if sec is None else sec <= 5, why)} |")
    steps = {k.split(":")[0]: at[k].get("rss", 0) for k in at if k.endswith(":project") and isinstance(at[k], dict)}
    top = max(steps, key=lambda k: steps[k])
    limit = 1.5 * 1000 ** 3 / 1024 ** 2
    over = ", ".join(f"{k} {v:.0f} MiB" for k, v in steps.items() if v > limit)
    lines.append(f"| peak memory ≤ 1.5 GB{tag} | {steps[top]:.0f} MiB ({top} step) | "
                 f"{verdict(steps[top] <= limit, over + ' over 1.5 GB (1431 MiB)')} |")
    lines.append(f"| `customs-kg show NAME` on the bundled graph ≤ 1 s from a cold start | {fmt_s(show['seconds'])} | "
                 f"{verdict(show['seconds'] <= 1, 'wall-clock includes the interpreter start and imports')} |")
    return lines


def _at_least(base: dict[str, Any], mine: float | None, factor: float) -> bool:
    """Is the baseline at least `factor` times slower (a stopped baseline counts at its stop time)?"""
    if mine is None:
        return False
    b = base.get("seconds") if base.get("seconds") is not None else base.get("lower")
    return b is not None and b / mine >= factor


def _speedup(base: dict[str, Any], mine: dict[str, Any]) -> float:
    b = base.get("median") if base.get("median") is not None else base.get("lower")
    m = mine.get("median")
    return b / m if b and m else 0.0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10k,100k", help="comma-separated sizes among 10k,100k,1M,10M (default: 10k,100k)")
    p.add_argument("--runs", type=int, default=3, help="runs per step; medians are reported (default: 3)")
    p.add_argument("--with-10m", action="store_true", help="also run 10M triples (hours with the baseline)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md", help="the Markdown report")
    p.add_argument("--workdir", type=Path, help="where to generate the facts (default: a temporary folder)")
    p.add_argument("--query-timeout", type=float, default=300.0,
                   help="seconds after which one query is stopped and reported as slower (default: 300)")
    p.add_argument("--timeout", type=float, default=STEP_TIMEOUT, help="seconds before a child step is stopped")
    p.add_argument("--baseline-runs", type=int, help="runs per baseline step (default: --runs)")
    p.add_argument("--baseline-timeout", type=float,
                   help="seconds before a baseline step is stopped and reported as '> N s', its ratio as a lower "
                        "bound (default: --timeout)")
    # child mode
    p.add_argument("--step", help=argparse.SUPPRESS)
    p.add_argument("--impl", default="project", help=argparse.SUPPRESS)
    p.add_argument("--facts", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.step:
        child_main(args)
        return 0
    labels = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if args.with_10m and "10M" not in labels:
        labels.append("10M")
    bad = [s for s in labels if s not in SIZES]
    if bad or args.runs < 1:
        p.error(f"unknown size(s) {', '.join(bad)}; use {', '.join(SIZES)}" if bad else "--runs must be at least 1")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    root = args.workdir or Path(tempfile.mkdtemp(prefix="customs-kg-bench-"))
    results = [run_size(label, SIZES[label], args.runs, root, args.timeout, args.query_timeout, log,
                        args.baseline_runs or args.runs, args.baseline_timeout or args.timeout) for label in labels]
    show = cold_show(max(args.runs, 3))
    log(f"cold show: {fmt_s(show['seconds'])}")
    command = " ".join(["python bench/run.py", *sys.argv[1:]])
    timeouts = (f"a baseline step is stopped after {fmt_s(args.baseline_timeout or args.timeout)} and a query after "
                f"{fmt_s(args.query_timeout)}, shown as \"> N s\" with the ratio as a lower bound (\"≥\")")
    tmp = args.out.with_name(f".{args.out.name}.{os.getpid()}.tmp")
    tmp.write_text(report(results, show, command, args.runs, args.baseline_runs or args.runs, timeouts),
                   encoding="utf-8")
    os.replace(tmp, args.out)
    (root / "results.json").write_text(json.dumps({"results": results, "show": show}, indent=1, default=str), encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
