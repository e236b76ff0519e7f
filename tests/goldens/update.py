"""Write the records of every pinned command (after an intended change of output).

Usage: .venv/bin/python tests/goldens/update.py [NAME ...]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from golden import RECORDS, commands, record, record_path  # noqa: E402


def main(names: list[str]) -> int:
    pinned = commands()
    unknown = [n for n in names if n not in pinned]
    if unknown:
        print(f"not in commands.txt: {', '.join(unknown)}", file=sys.stderr)
        return 2
    RECORDS.mkdir(exist_ok=True)
    if not names:
        for stale in RECORDS.glob("*.txt"):
            if stale.stem not in pinned:
                stale.unlink()
    for name in names or sorted(pinned):
        with tempfile.TemporaryDirectory() as tmp:
            text = record(pinned[name], Path(tmp) / "out")
        record_path(name).write_text(text, encoding="utf-8")
        print(f"wrote {record_path(name).relative_to(Path.cwd()) if record_path(name).is_relative_to(Path.cwd()) else record_path(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
