"""The library type-checks under ``mypy --strict``."""

from __future__ import annotations

import re
import subprocess
import sys

from pathlib import Path

from conftest import ROOT


def test_mypy_strict_on_the_library():
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports", "graph_builder"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_command_line_and_the_data_model_need_no_escape_hatches():
    """cli.py type-checks without `# type: ignore`; the data model (facts, schema) has no `Any`."""
    root = Path(__file__).resolve().parent.parent / "graph_builder"
    assert "type: ignore" not in (root / "cli.py").read_text(encoding="utf-8")
    for name in ("loading/facts.py", "loading/schema.py"):
        text = (root / name).read_text(encoding="utf-8")
        assert not re.search(r"\bAny\b", text), name
