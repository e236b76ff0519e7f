"""Shared fixtures: the seed facts built once per test session.

The golden tests read ``tests/seed_facts``, a frozen copy of the facts curated
from the five seed articles, not ``facts/`` itself: the bundled facts grow
with every article a curator adds, and the answers pinned here are read from
the seed texts. ``CUSTOMS_KG_FACTS`` points every command run by a test (in
this process and in the CLI subprocesses) at that copy;
``tests/test_bundled_facts.py`` checks the real ``facts/`` by invariants.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "tests" / "seed_facts"
BUNDLED_FACTS = ROOT / "facts"
ARTICLES = ROOT / "tests" / "articles"  # invented articles (fictional bodies and people), one folder each


def with_articles(folder: Path, base: Path, articles: list[str]) -> Path:
    """A copy of the facts folder ``base`` at ``folder`` with the invented articles added (a change to facts only)."""
    import shutil

    shutil.copytree(base, folder)
    for article in articles:
        for part in ("sources", "texts", "entities"):
            if not (ARTICLES / article / part).is_dir():
                continue  # an article not yet curated (tests/test_draft.py drafts it)
            for path in sorted((ARTICLES / article / part).iterdir()):
                shutil.copy2(path, folder / part / path.name)
    return folder
os.environ["CUSTOMS_KG_FACTS"] = str(FACTS)
# Every run of the suite starts with empty incremental caches of its own (never the user's ~/.cache).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="customs-kg-test-cache-")


@pytest.fixture(scope="session")
def facts_and_build():
    """The bundled facts, loaded and built (no validation)."""
    from graph_builder.pipeline import build_graph

    return build_graph(FACTS)


@pytest.fixture(scope="session")
def built(facts_and_build):
    """The :class:`graph_builder.building.build.Build` of the bundled facts."""
    return facts_and_build[1]


@pytest.fixture(scope="session")
def built_graph(built):
    """The merged graph of the bundled facts, as an rdflib Graph."""
    return built.merged_graph()


@pytest.fixture(scope="session")
def synth_10k(tmp_path_factory):
    """A 10k-triple synthetic facts folder (seed 0) and its manifest."""
    from graph_builder.synth import generate

    folder = tmp_path_factory.mktemp("synth") / "facts"
    return folder, generate(folder, 10_000, 0)


SYNTH_TRIPLES = 100_000


@pytest.fixture(scope="session")
def synth_100k(tmp_path_factory, worker_id):
    """The 100k-triple synthetic facts folder (seed 1) and its manifest, written once per test run.

    Under pytest-xdist every worker asks for it: the first writes it into the
    run's shared temporary folder under a lock, the others wait and read it;
    built through an incremental cache in that folder (:func:`built_100k`), a
    worker after the first reads the build instead of redoing it.
    """
    import fcntl
    import json

    from graph_builder.synth import MANIFEST, generate

    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    folder = shared / "synth100k" / "facts"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(shared / "synth100k.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / MANIFEST).exists():  # generate writes its manifest last
            return folder, generate(folder, SYNTH_TRIPLES, seed=1)
        return folder, json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_100k(synth_100k):
    """The :class:`graph_builder.building.build.Build` of :func:`synth_100k`, through a cache shared by the workers."""
    import fcntl

    from graph_builder.pipeline import build_graph

    folder = synth_100k[0]
    with open(folder.parent / "cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return build_graph(folder, cache_dir=folder.parent / "cache")[1]


@pytest.fixture(scope="session")
def build_output(tmp_path_factory):
    """Run ``customs-kg build`` once on the bundled facts; return (process, out dir)."""
    out = tmp_path_factory.mktemp("build")
    proc = run_cli("build", "-o", str(out))
    return proc, out


NETGUARD = ROOT / "tests" / "netguard"


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a CLI subprocess: this checkout's package first on the path, and
    the network guard (tests/netguard/sitecustomize.py) loaded at start-up."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(NETGUARD), str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


@pytest.fixture(scope="session", autouse=True)
def network_guard(tmp_path_factory):
    """Make any connection off this machine fatal, here and in every CLI subprocess."""
    log = tmp_path_factory.mktemp("netguard") / "connections.log"
    log.touch()
    os.environ["CUSTOMS_KG_NETGUARD_LOG"] = str(log)
    sys.path.insert(0, str(NETGUARD))
    import sitecustomize  # noqa: F401 - the guard installs itself on import

    if getattr(sitecustomize, "install", None) is None:  # another sitecustomize was imported first
        import importlib.util

        spec = importlib.util.spec_from_file_location("customs_kg_netguard", NETGUARD / "sitecustomize.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    yield log
    attempts = log.read_text(encoding="utf-8")
    assert attempts == "", f"connections off this machine were attempted:\n{attempts}"


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "graph_builder", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout, env=cli_env())


def query_rows(facts: Path, name: str, **params: str) -> list[dict[str, str]]:
    """The rows of named query ``name`` over a facts folder, through the command line (CSV)."""
    import csv
    import io

    args = ["query", name, "--facts", str(facts), "-f", "csv", "--keys"]
    for key, value in params.items():
        args += ["-p", f"{key}={value}"]
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    return list(csv.DictReader(io.StringIO(proc.stdout)))


# --- A real browser, offline (the viz pages and the site) ------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright; required (a missing one fails)."""
    import shutil

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: run `bash scripts/test.sh` (it installs the test extra)")
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is missing (Debian package chromium): run `bash scripts/test.sh`, which installs it")
    # Playwright starts Chromium with a new, empty profile of its own (its --user-data-dir).
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=FLAGS)
        yield b
        b.close()


class Opened:
    """A page opened offline from a file, with its console errors and every request that is not file: or data:
    (refused and recorded; :meth:`close` fails on any)."""

    def __init__(self, browser, path: Path, query: str = "", ready: str = "window.ckg && window.ckg.cy"):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else self.requests.append(r.url))

        def route(r):
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                r.abort()

        self.context.route("**/*", route)
        self.page.goto(path.as_uri() + query)
        if ready:
            # A function, not an expression: an expression is evaluated with eval(), which the pages forbid.
            self.page.wait_for_function(f"() => {ready}", timeout=60000)

    def eval(self, js: str, arg=None):
        return self.page.evaluate(js, arg)

    def click_node(self, node_id: str) -> None:
        box = self.page.locator("#cy").bounding_box()
        pos = self.eval("id => { const p = ckg.cy.getElementById(id).renderedPosition(); return [p.x, p.y]; }", node_id)
        self.page.mouse.click(box["x"] + pos[0], box["y"] + pos[1])

    def close(self) -> None:
        assert not self.errors, self.errors
        assert not self.requests, f"the page asked the network for {self.requests}"
        self.context.close()
