"""The docs say what the program does: every command and option is in the README."""

from __future__ import annotations

import argparse
import re

from conftest import ROOT
from graph_builder.cli import build_parser


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_option_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, sub in subcommands().items():
        assert f"customs-kg {name}" in readme, name
        for action in sub._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"{name} {opt}"


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [l for l in first_block.splitlines() if l and not l.startswith("#")]
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/customs-kg build",
        "bash scripts/test.sh",
    ]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_exit_codes_are_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in readme


def test_every_facts_kind_is_documented():
    from graph_builder.loading.schema import KINDS

    model = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert re.search(rf"`{kind}[:` ]", model), kind


def test_version_is_printed_from_the_package():
    from conftest import run_cli
    from graph_builder import __version__

    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout == f"customs-kg {__version__}\n"
