"""The package's seams: no module reaches into another's private names, and imports run one way."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "graph_builder"
CODE = sorted(PACKAGE.glob("*.py")) + sorted((ROOT / "bench").glob("*.py")) + sorted((ROOT / "tests").glob("*.py")) \
    + sorted((ROOT / "tests" / "goldens").glob("*.py"))
MODULES = {p.stem for p in PACKAGE.glob("*.py")}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _our_module(node: ast.ImportFrom, path: Path) -> bool:
    if node.level:
        return path.parent == PACKAGE
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
                if alias.name in MODULES and (node.level or node.module == "graph_builder"):
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


def _imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(a.name for a in node.names)
    return out & MODULES


def test_query_and_remote_do_not_import_each_other():
    assert not ("remote" in _imports("query") and "query" in _imports("remote"))
    assert "remote" not in _imports("query")


def test_keys_are_read_from_iris_in_one_module():
    """Only graph_builder/iris.py cuts the id: namespace off an IRI."""
    offenders = [p.name for p in PACKAGE.glob("*.py") if p.name != "iris.py"
                 and ("len(str(ID))" in p.read_text(encoding="utf-8")
                      or "removeprefix(str(ID))" in p.read_text(encoding="utf-8"))]
    assert offenders == []
