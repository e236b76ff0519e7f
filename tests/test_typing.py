"""The library type-checks under ``mypy --strict``."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_mypy_strict_on_the_library():
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports", "graph_builder"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
