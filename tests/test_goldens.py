"""Every pinned command prints and writes the same bytes as recorded (tests/goldens).

The records are of the seed facts; a change that alters an output on purpose
regenerates them with ``.venv/bin/python tests/goldens/update.py`` and the
diff of ``tests/goldens/out/`` shows what a user will see change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "goldens"))
from golden import commands, record, record_path  # noqa: E402

from conftest import cli_env  # noqa: E402

PINNED = commands()


def test_every_record_has_its_command_and_every_command_its_record():
    recorded = {p.stem for p in record_path("x").parent.glob("*.txt")}
    assert recorded == set(PINNED)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_output_is_byte_identical_to_its_record(name, tmp_path):
    expected = record_path(name).read_text(encoding="utf-8")
    assert record(PINNED[name], tmp_path / "out", env=cli_env()) == expected
