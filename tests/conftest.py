"""Shared fixtures: the bundled facts built once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "facts"


@pytest.fixture(scope="session")
def facts_and_build():
    """The bundled facts, loaded and built (no validation)."""
    from graph_builder.pipeline import build_graph

    return build_graph(FACTS)


@pytest.fixture(scope="session")
def built(facts_and_build):
    """The :class:`graph_builder.build.Build` of the bundled facts."""
    return facts_and_build[1]


@pytest.fixture(scope="session")
def built_graph(built):
    """The merged graph of the bundled facts, as an rdflib Graph."""
    return built.merged_graph()


@pytest.fixture(scope="session")
def build_output(tmp_path_factory):
    """Run ``customs-kg build`` once on the bundled facts; return (process, out dir)."""
    out = tmp_path_factory.mktemp("build")
    proc = run_cli("build", "-o", str(out))
    return proc, out


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a CLI subprocess: this checkout's package first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "graph_builder", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout, env=cli_env())
