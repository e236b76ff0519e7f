"""The package's seams: no module reaches into another's private names, and imports run one way."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "graph_builder"
CODE = sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "bench").glob("*.py")) + sorted((ROOT / "tests").glob("*.py")) \
    + sorted((ROOT / "tests" / "goldens").glob("*.py"))
MODULES = {p.stem for p in PACKAGE.rglob("*.py")}
# The stages in the order data flows through them (docs/architecture.md): a module may import from its own stage,
# an earlier one and the shared modules at the package's top, never from a later stage or the orchestrators.
STAGES = ("loading", "building", "validating", "writing", "answering")
SHARED = {"errors", "limits", "textsafe", "paths", "namespaces", "iris", "atomic"}
ORCHESTRATORS = {"pipeline", "cli", "synth", "ontodocs", "curate", "drafting"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _our_module(node: ast.ImportFrom, path: Path) -> bool:
    if node.level:
        return PACKAGE in path.parents
    return (node.module or "").split(".")[0] == "graph_builder"


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    aliases: set[str] = set()  # names bound to a module of the package
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _our_module(node, path):
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {alias.name}")
                if alias.name in MODULES and (node.level or (node.module or "").startswith("graph_builder")):
                    aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("graph_builder.") and alias.asname:
                    aliases.add(alias.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases \
                and _private(node.attr):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: uses {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    found = [use for path in CODE for use in _private_uses(path)]
    assert found == []


def _module_path(module: str) -> Path:
    found = [p for p in PACKAGE.rglob(f"{module}.py")]
    assert len(found) == 1, found
    return found[0]


def _imported_modules(path: Path) -> set[str]:
    """The package's modules ``path`` imports, by dotted name under graph_builder (``answering.query``)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path.relative_to(ROOT)}:{node.lineno}: relative import; name the module in full")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("graph_builder"):
            base = node.module.removeprefix("graph_builder").lstrip(".")
            for alias in node.names:
                name = f"{base}.{alias.name}" if base else alias.name
                out.add(name if name.split(".")[-1] in MODULES or name in STAGES else base)
    return {name for name in out if name}


def _imports(module: str) -> set[str]:
    return {name.split(".")[-1] for name in _imported_modules(_module_path(module))}


def test_query_and_remote_do_not_import_each_other():
    assert not ("remote" in _imports("query") and "query" in _imports("remote"))
    assert "remote" not in _imports("query")


def _place(dotted: str) -> str:
    """A module's stage, or 'shared' / 'orchestrator' for the package's top-level modules."""
    first = dotted.split(".")[0]
    if first in STAGES:
        return first
    return "shared" if first in SHARED else "orchestrator" if first in ORCHESTRATORS else first


def test_every_module_sits_in_a_stage_or_is_shared():
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert top == SHARED | ORCHESTRATORS
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(STAGES)


def test_imports_run_one_way_through_the_stages():
    """Loading never imports building, building never validating, and so on; shared modules import no stage."""
    backwards = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        mine = _place(here)
        if mine == "orchestrator" or here in ("__init__", "__main__"):
            continue
        for target in sorted(_imported_modules(path)):
            theirs = _place(target)
            if theirs == "orchestrator" or (theirs in STAGES and (
                    mine == "shared" or (mine in STAGES and STAGES.index(theirs) > STAGES.index(mine)))):
                backwards.append(f"{here} imports {target}")
    assert backwards == []


def test_keys_are_read_from_iris_in_one_module():
    """Only graph_builder/iris.py cuts the id: namespace off an IRI."""
    offenders = [p.name for p in PACKAGE.rglob("*.py") if p.name != "iris.py"
                 and ("len(str(ID))" in p.read_text(encoding="utf-8")
                      or "removeprefix(str(ID))" in p.read_text(encoding="utf-8"))]
    assert offenders == []
