"""Run the pinned commands of ``commands.txt`` on the seed facts and record what they print and write.

A record is the command, its exit code, its standard output and error and
every file it wrote below ``{out}``. The folder the test gives as ``{out}`` is
written ``OUT``; the build's timing lines (``seconds: ...``) are left out; a
text of more than 64 KiB is recorded by its size and SHA-256 instead of in
full. Used by ``tests/test_goldens.py`` (compare) and ``update.py`` (write).
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SEED = ROOT / "tests" / "seed_facts"
RECORDS = HERE / "out"
INLINE_LIMIT = 64 * 1024
_TIMING = re.compile(r"^seconds[^\n]*\n", re.M)


def commands() -> dict[str, list[str]]:
    """The pinned commands by name, as argument lists."""
    out: dict[str, list[str]] = {}
    for line in (HERE / "commands.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, *words = shlex.split(line)
        assert name not in out, f"commands.txt: {name} twice"
        out[name] = words
    return out


def _text(label: str, data: bytes) -> str:
    if len(data) > INLINE_LIMIT:
        return f"--- {label}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}\n"
    text = data.decode("utf-8")
    return f"--- {label}\n{text}" + ("" if text.endswith("\n") or not text else "\n(no final newline)\n")


def record(words: list[str], out: Path, env: dict[str, str] | None = None) -> str:
    """Run ``customs-kg WORDS`` in the repository on the seed facts; the record of what it did."""
    out.mkdir(parents=True, exist_ok=True)
    argv = [w.replace("{out}", str(out)) for w in words]
    environment = dict(os.environ if env is None else env)
    environment["CUSTOMS_KG_FACTS"] = str(SEED)
    environment["XDG_CACHE_HOME"] = str(out.parent / "cache")  # a record never depends on a cache left by other code
    environment.pop("CUSTOMS_KG_CACHE", None)
    environment["COLUMNS"] = "100"
    proc = subprocess.run([sys.executable, "-m", "graph_builder", *argv], cwd=ROOT, capture_output=True,
                          env=environment, timeout=300)
    shown = str(out)
    stdout = _TIMING.sub("", proc.stdout.decode("utf-8")).replace(shown, "OUT").encode("utf-8")
    stderr = proc.stderr.decode("utf-8").replace(shown, "OUT").encode("utf-8")
    parts = [f"$ customs-kg {shlex.join(words)}\n", f"exit {proc.returncode}\n", _text("stdout", stdout),
             _text("stderr", stderr)]
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        parts.append(_text(f"file OUT/{path.relative_to(out).as_posix()}", path.read_bytes()))
    return "".join(parts)


def record_path(name: str) -> Path:
    return RECORDS / f"{name}.txt"
