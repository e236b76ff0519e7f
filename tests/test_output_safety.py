"""Outputs never delete what is not ours, clean what killed runs left, and fail clearly.

Every case runs the command line as a user does and checks the exit code,
the exact message, that no traceback or "internal error" is printed, and
that what was on disk before (a listing with every file's SHA-256) is still
there byte for byte. Full disks and read-only folders are real: a small
tmpfs or a read-only bind mount in a private mount namespace
(``unshare -rm``: nothing is mounted outside the command, nothing is left
mounted if the test is killed), and a file-size limit (``RLIMIT_FSIZE``,
EFBIG) where the previous output must sit on the real disk.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import FACTS, ROOT, cli_env

BASE = ROOT / "tests" / "bad_input" / "base"  # a small valid facts folder: builds in well under a second
CLI = [sys.executable, "-m", "graph_builder"]
BUILT = ["customs-kg.trig", "customs-kg.ttl", "manifest.json"]


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, mounts: str | None = None,
        preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI as ``conftest.run_cli`` does; with ``mounts``, after those shell commands, in a private mount
    namespace."""
    command = [*CLI, *args]
    if mounts is not None:
        command = ["unshare", "-rm", "sh", "-c", f'{mounts} && exec "$@"', "sh", *command]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300,
                          env=cli_env(**(env or {})), preexec_fn=preexec_fn)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return proc


def errors(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The stderr lines that are not the facts' SHACL warnings (the small facts have two)."""
    return [line for line in proc.stderr.splitlines()
            if "(rule ckgsh:" not in line and not line.startswith("reading the facts in ")]


def listing(root: Path) -> dict[str, str]:
    """Every entry below ``root`` (hidden ones included): a file's SHA-256, 'folder', or a link's target."""
    out: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                out[rel] = "folder"
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def repository(tmp_path: Path) -> Path:
    """A repository's layout: .git/, a README, the facts."""
    repo = tmp_path / "repo"
    (repo / ".git" / "objects").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (repo / "README.md").write_text("# my project\n", encoding="utf-8")
    shutil.copytree(BASE, repo / "facts")
    return repo


def user_folder(path: Path) -> Path:
    (path / "sub").mkdir(parents=True)
    (path / "notes.txt").write_text("mine\n", encoding="utf-8")
    (path / "sub" / "draft.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    return path


def build(cwd: Path, *args: str, facts: str | Path = BASE) -> subprocess.CompletedProcess[str]:
    return cli("build", str(facts), "--no-reason", "--no-cache", *args, cwd=cwd)


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


# --- Never delete what is not ours ------------------------------------------------------------


def test_build_into_a_repository_root_refuses_and_deletes_nothing(tmp_path):
    repo = repository(tmp_path)
    before = listing(tmp_path)
    proc = build(repo, "-o", ".", facts="facts")
    assert proc.returncode == 2
    assert errors(proc) == [".: error: output: holds the facts folder being read (facts); choose an empty or new "
                            "folder"]
    assert listing(tmp_path) == before


def test_a_repository_root_is_refused_even_with_a_build_manifest_in_it(tmp_path):
    """``.git`` wins over a manifest that would otherwise prove an earlier build (facts read from elsewhere)."""
    repo = repository(tmp_path)
    assert build(tmp_path, "-o", "first").returncode == 0
    shutil.copy(tmp_path / "first" / "manifest.json", repo)
    before = listing(tmp_path)
    proc = build(repo, "-o", ".")
    assert proc.returncode == 2
    assert errors(proc) == [".: error: output: is a repository root (it holds .git); choose an empty or new folder"]
    assert listing(tmp_path) == before


@pytest.mark.parametrize("out, message", [
    ("facts", "facts: error: output: is the facts folder being read (facts); choose an empty or new folder"),
    (".", ".: error: output: holds the facts folder being read (facts); choose an empty or new folder"),
    ("facts/out", "facts/out: error: output: is inside the facts folder being read (facts); choose an empty or new "
                  "folder"),
    ("mine", "mine: error: output: holds files that are not a customs-kg build (notes.txt, sub); choose an empty or "
             "new folder"),
])
def test_build_refuses_a_folder_that_is_not_an_earlier_build(tmp_path, out, message):
    work = tmp_path / "work"
    shutil.copytree(BASE, work / "facts")
    user_folder(work / "mine")
    before = listing(tmp_path)
    proc = build(work, "-o", out, facts="facts")
    assert proc.returncode == 2
    assert errors(proc) == [message]
    assert listing(tmp_path) == before


def test_build_refuses_an_output_folder_that_is_a_file_or_a_link(tmp_path):
    (tmp_path / "file").write_text("mine\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(user_folder(tmp_path / "mine"))
    before = listing(tmp_path)
    proc = build(tmp_path, "-o", "file")
    assert proc.returncode == 2 and errors(proc) == ["file: error: output: exists and is not a folder"]
    proc = build(tmp_path, "-o", "link")
    assert proc.returncode == 2
    assert errors(proc) == ["link: error: output: is a symbolic link; give the folder itself"]
    assert listing(tmp_path) == before


def test_an_earlier_build_is_replaced_and_an_empty_folder_is_used(tmp_path):
    (tmp_path / "empty").mkdir()
    for out in ("empty", "new", "new"):
        proc = build(tmp_path, "-o", out)
        assert proc.returncode == 0, proc.stderr
        assert sorted(os.listdir(tmp_path / out)) == BUILT
    assert sorted(os.listdir(tmp_path)) == ["empty", "new"]  # nothing left beside them
    assert listing(tmp_path / "empty") == listing(tmp_path / "new")


def test_build_refuses_a_folder_with_a_malformed_manifest(tmp_path):
    assert build(tmp_path, "-o", "out").returncode == 0
    manifest = tmp_path / "out" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["files"]["customs-kg.ttl"] = 7
    manifest.write_text(json.dumps(data), encoding="utf-8")
    before = listing(tmp_path)
    proc = build(tmp_path, "-o", "out")
    assert proc.returncode == 2
    assert errors(proc) == ["out: error: output: its manifest.json is not a customs-kg build manifest "
                            "(files.customs-kg.ttl is the number 7, not an object); choose an empty or new folder"]
    assert listing(tmp_path) == before


def test_store_refuses_a_user_folder_before_anything_is_built(tmp_path):
    user_folder(tmp_path / "mine")
    before = listing(tmp_path)
    proc = build(tmp_path, "-o", "out", "--store", "mine")
    assert proc.returncode == 2
    assert errors(proc) == ["mine: error: output: holds files that are not a customs-kg store (notes.txt, sub); "
                            "choose an empty or new folder"]
    assert listing(tmp_path) == before  # not even the build folder was written


def test_store_and_build_folders_are_told_apart(tmp_path):
    assert build(tmp_path, "-o", "out", "--store", "kg").returncode == 0
    assert build(tmp_path, "-o", "out", "--store", "kg").returncode == 0  # both replaced
    before = listing(tmp_path)
    proc = build(tmp_path, "-o", "kg")
    assert proc.returncode == 2
    assert errors(proc) == ["kg: error: output: is a customs-kg store, not a customs-kg build; choose an empty or new "
                            "folder"]
    proc = build(tmp_path, "-o", "out", "--store", "out")
    assert proc.returncode == 2
    assert errors(proc) == ["out: error: output: is a customs-kg build, not a customs-kg store; choose an empty or new "
                            "folder"]
    proc = build(tmp_path, "-o", "out", "--store", "out/kg")
    assert proc.returncode == 2
    assert errors(proc) == ["out/kg: error: output: the store folder must be neither the -o folder, nor inside it, "
                            "nor hold it"]
    assert listing(tmp_path) == before


@pytest.mark.parametrize("out, message", [
    ("facts/sources/example-source.yaml", "facts/sources/example-source.yaml: error: output: is inside the facts "
                                          "folder being read (facts); give another file name"),
    ("facts/sources/new.ttl", "facts/sources/new.ttl: error: output: is inside the facts folder being read (facts); "
                              "give another file name"),
    ("mine", "mine: error: output: is a folder; give a file name with -o (a single output file never replaces a "
             "folder)"),
])
def test_export_to_one_file_refuses_folders_and_the_facts(tmp_path, out, message):
    shutil.copytree(BASE, tmp_path / "facts")
    user_folder(tmp_path / "mine")
    before = listing(tmp_path)
    proc = cli("export", "--facts", "facts", "-o", out, cwd=tmp_path)
    assert proc.returncode == 2
    assert errors(proc) == [message]
    assert listing(tmp_path) == before


def test_export_to_one_file_is_atomic_and_replaces_a_file(tmp_path):
    (tmp_path / "kg.ttl").write_text("old\n", encoding="utf-8")
    proc = cli("export", "--facts", str(BASE), "-o", "kg.ttl", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "wrote kg.ttl\n"
    shown = cli("export", "--facts", str(BASE), cwd=tmp_path)
    assert (tmp_path / "kg.ttl").read_text(encoding="utf-8") == shown.stdout
    assert os.listdir(tmp_path) == ["kg.ttl"]


def test_export_per_source_folder_rules(tmp_path):
    user_folder(tmp_path / "mine")
    assert build(tmp_path, "-o", "out").returncode == 0
    before = listing(tmp_path)
    split = ("export", "--facts", str(BASE), "--graph-per-source", "-f", "turtle", "-o")
    proc = cli(*split, "mine", cwd=tmp_path)
    assert proc.returncode == 2
    assert errors(proc) == ["mine: error: output: holds files that are not a customs-kg export (notes.txt, sub); "
                            "choose an empty or new folder"]
    proc = cli(*split, "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert errors(proc) == ["out: error: output: is a customs-kg build, not a customs-kg export; choose an empty or "
                            "new folder"]
    assert listing(tmp_path) == before
    for _run in range(2):  # a new folder, then the earlier export is replaced
        proc = cli(*split, "split", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert sorted(os.listdir(tmp_path / "split")) == ["_default.ttl", "example-source.ttl", "manifest.json"]
        manifest = json.loads((tmp_path / "split" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["manifest"] == "customs-kg export" and sorted(manifest["files"]) == ["_default.ttl",
                                                                                             "example-source.ttl"]
    # the files of an export are checked against its manifest when read back
    (tmp_path / "split" / "_default.ttl").write_bytes(b"")
    proc = cli("validate", "split/_default.ttl", "--no-reason", cwd=tmp_path)
    assert proc.returncode == 2
    assert errors(proc)[0].startswith("split/_default.ttl: error: manifest: the file has 0 bytes but the build wrote ")


@pytest.mark.parametrize("out, extra, message", [
    ("facts/x.png", (), "facts/x.png: error: output: is inside the facts folder being read (facts); give another file "
                        "name"),
    ("out.svg", (), "out.svg: error: output: is a folder; give a file name with -o (a single output file never "
                    "replaces a folder)"),
    ("kg.ttl", ("--data", "kg.ttl"), "kg.ttl: error: output: is the file being read (kg.ttl); give another file name"),
])
def test_viz_to_one_file_refuses_folders_and_what_it_reads(tmp_path, out, extra, message):
    shutil.copytree(BASE, tmp_path / "facts")
    (tmp_path / "out.svg").mkdir()
    (tmp_path / "kg.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    before = listing(tmp_path)
    proc = cli("viz", "structure", "-o", out, *(extra or ("--facts", "facts")), cwd=tmp_path)
    assert proc.returncode == 2
    assert errors(proc) == [message]
    assert listing(tmp_path) == before


def test_viz_writes_its_file_and_nothing_else(tmp_path):
    proc = cli("viz", "structure", "--facts", str(BASE), "-o", "figures/structure.svg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "wrote figures/structure.svg\n"
    assert os.listdir(tmp_path / "figures") == ["structure.svg"]
    assert (tmp_path / "figures" / "structure.svg").read_bytes().startswith(b"<?xml")



def test_a_drawing_with_no_out_lives_beside_the_build_and_survives_the_next_build(tmp_path):
    # build, draw with the defaults, build again: neither refuses, and the drawing is kept
    assert build(tmp_path).returncode == 0
    proc = cli("viz", "structure", "--facts", str(BASE), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "wrote viz/structure.html\n"
    drawing = listing(tmp_path / "viz")
    proc = build(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(tmp_path / "output")) == BUILT
    assert listing(tmp_path / "viz") == drawing

# --- Leftovers of killed runs ------------------------------------------------------------------


def _holder(path: Path) -> subprocess.Popen[str]:
    """Another process holding the lock of ``path`` until its stdin is closed."""
    code = ("import fcntl, os, sys\n"
            f"fd = os.open({str(path)!r}, os.O_RDONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    return proc


def _staging(path: Path, age: float = 0.0) -> Path:
    path.mkdir()
    (path / "customs-kg.ttl").write_bytes(b"x" * 4096)
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def test_leftovers_of_a_killed_build_are_removed_and_live_ones_kept(tmp_path):
    assert build(tmp_path, "-o", "out").returncode == 0
    dead, hour = dead_pid(), 3600.0
    stale = [_staging(tmp_path / f".out.staging-{dead}-k1lled_a"), _staging(tmp_path / f".out.old-{dead}-k1lled_b"),
             _staging(tmp_path / ".out.staging-oldnamea", age=2 * hour)]  # named by an older version, untouched long
    live = _staging(tmp_path / f".out.staging-{dead}-lockedaa")  # its pid is gone but its lock is held
    running = _staging(tmp_path / f".out.staging-{os.getpid()}-runninga")  # its process runs
    recent = _staging(tmp_path / ".out.staging-oldnameb")  # an older version's name, touched just now
    foreign = [_staging(tmp_path / f".out.staging-{dead}-notes"),  # not our naming: the random part is 8 long
               _staging(tmp_path / f".other.staging-{dead}-k1lled_c")]  # another output's
    holder = _holder(live)
    try:
        proc = build(tmp_path, "-o", "out")
        assert proc.returncode == 0, proc.stderr
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert not [p for p in stale if os.path.lexists(p)]
    assert all(p.is_dir() and (p / "customs-kg.ttl").stat().st_size == 4096 for p in [live, running, recent, *foreign])
    assert sorted(os.listdir(tmp_path / "out")) == BUILT


def test_a_temporary_file_left_beside_an_export_is_removed(tmp_path):
    dead = dead_pid()
    left = tmp_path / f".kg.nt.tmp-{dead}-k1lled_a"
    left.write_bytes(b"half an export")
    locked = tmp_path / f".kg.nt.tmp-{dead}-lockedaa"
    locked.write_bytes(b"being written")
    holder = _holder(locked)
    try:
        proc = cli("export", "--facts", str(BASE), "-f", "ntriples", "-o", "kg.nt", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert sorted(os.listdir(tmp_path)) == sorted(["kg.nt", locked.name])


def test_a_killed_store_write_is_cleaned_by_the_next(tmp_path):
    assert build(tmp_path, "-o", "out", "--store", "kg").returncode == 0
    dead = dead_pid()
    _staging(tmp_path / f".kg.staging-{dead}-k1lled_a")
    _staging(tmp_path / ".kg.abcdefgh.tmp", age=7200)  # an older version's temporary store
    assert build(tmp_path, "-o", "out", "--store", "kg").returncode == 0
    assert sorted(os.listdir(tmp_path)) == ["kg", "out"]


def test_the_reasoner_folder_a_killed_build_left_is_removed(tmp_path):
    """HermiT's private folder in the temporary folder follows the same rule (here TMPDIR is the test's own)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    left = _staging(tmp / f".customs-kg-reasoner.tmp-{dead_pid()}-k1lled_a")
    proc = cli("build", str(BASE), "-o", "out", "--no-cache", cwd=tmp_path, env={"TMPDIR": str(tmp)})
    assert proc.returncode == 0, proc.stderr
    assert "OWL consistency (HermiT)                    consistent" in proc.stdout
    assert not os.path.lexists(left) and os.listdir(tmp) == []


# --- Faults: full disks, read-only folders, caches, manifests ----------------------------------


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_file_too_large_for_the_limit_leaves_the_previous_build(tmp_path):
    """EFBIG (as ENOSPC): the write of the new, larger build fails; the previous build stays byte for byte."""
    assert build(tmp_path, "-o", "out").returncode == 0
    before = listing(tmp_path)
    proc = cli("build", str(FACTS), "-o", "out", "--no-reason", "--no-cache", cwd=tmp_path,
               preexec_fn=_file_size_limit(64 * 1024))
    assert proc.returncode == 2
    assert errors(proc) == ["out: error: output: cannot write it: the file is too large for the file system or the "
                            "file-size limit; what was there before is left as it was"]
    assert listing(tmp_path) == before


def _mounted(tmp_path: Path, name: str, how: str) -> tuple[Path, str]:
    """A folder and the shell commands that mount it in the command's namespace: a 64 KiB tmpfs or read-only."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    q = shlex.quote(str(folder))
    if how == "full":
        return folder, f"mount -t tmpfs -o size=64k tmpfs {q}"
    return folder, f"mount --bind {q} {q} && mount -o remount,bind,ro {q}"


def test_a_full_disk_names_the_output_and_leaves_the_previous_build(tmp_path):
    disk, mount = _mounted(tmp_path, "disk", "full")
    report = tmp_path / "report"
    report.mkdir()
    r = shlex.quote(str(report))
    # in the namespace: a small build fits; the bundled facts' build does not; the listings are kept outside
    script = (f"{mount} && cd {shlex.quote(str(disk))} && {shlex.join(CLI)} build {shlex.quote(str(BASE))} -o out "
              f"--no-reason --no-cache >/dev/null 2>&1 && sha256sum out/* > {r}/before && ls -A > {r}/ls-before && "
              f"{{ {shlex.join(CLI)} build {shlex.quote(str(FACTS))} -o out --no-reason --no-cache 2> {r}/err; "
              f"echo $? > {r}/rc; sha256sum out/* > {r}/after; ls -A > {r}/ls-after; }}")
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=300,
                          env=cli_env())
    assert proc.returncode == 0, proc.stderr
    err = (report / "err").read_text(encoding="utf-8")
    assert (report / "rc").read_text() == "2\n"
    assert [line for line in err.splitlines()
            if "(rule ckgsh:" not in line and not line.startswith("reading the facts in ")] == [
        "out: error: output: cannot write it: no space left on the device (the disk is full); what was there before "
        "is left as it was"]
    assert "Traceback" not in err and "internal error" not in err
    assert (report / "after").read_text() == (report / "before").read_text() != ""
    assert (report / "ls-after").read_text() == (report / "ls-before").read_text() == "out\n"  # no staging left


def test_a_full_disk_under_a_new_store_names_it(tmp_path):
    disk, mount = _mounted(tmp_path, "disk", "full")
    proc = cli("build", str(FACTS), "-o", "out", "--no-reason", "--no-cache", "--store", f"{disk.name}/kg",
               cwd=tmp_path, mounts=mount)
    assert proc.returncode == 2
    assert errors(proc) == [("disk/kg: error: output: cannot write it: no space left on the device (the disk is "
                                "full); what was there before is left as it was")]
    assert os.listdir(disk) == []  # the tmpfs is gone with the namespace; the folder beneath is untouched


def test_a_read_only_output_folder_is_named_and_left_as_it_was(tmp_path):
    ro, mount = _mounted(tmp_path, "ro", "read-only")
    assert build(ro, "-o", "out").returncode == 0
    (ro / "kg.ttl").write_text("mine\n", encoding="utf-8")
    before = listing(tmp_path)
    proc = cli("build", str(BASE), "-o", "ro/out", "--no-reason", "--no-cache", cwd=tmp_path, mounts=mount)
    assert proc.returncode == 2
    assert errors(proc) == ["ro/out: error: output: cannot write it: the file system is read-only; what was there "
                            "before is left as it was"]
    for args in (("export", "--facts", str(BASE), "-o", "ro/kg.ttl"),
                 ("viz", "structure", "--facts", str(BASE), "-o", "ro/new.svg")):
        proc = cli(*args, cwd=tmp_path, mounts=mount)
        assert proc.returncode == 2
        assert errors(proc) == [f"{args[-1]}: error: output: cannot write it: the file system is read-only; what was "
                                "there before is left as it was"]
    assert listing(tmp_path) == before


def _clean_build(tmp_path: Path, facts: Path = FACTS) -> dict[str, str]:
    assert build(tmp_path, "-o", "clean", facts=facts).returncode == 0
    return listing(tmp_path / "clean")


@pytest.mark.parametrize("how, why", [
    ("read-only", "the file system is read-only"),
    ("full", "no space left on the device (the disk is full)"),
])
def test_an_unusable_cache_is_skipped_with_one_warning(tmp_path, how, why):
    clean = _clean_build(tmp_path)
    cache, mount = _mounted(tmp_path, "cache", how)
    proc = cli("build", str(FACTS), "-o", "out", "--no-reason", cwd=tmp_path, mounts=mount,
               env={"CUSTOMS_KG_CACHE": str(cache / "c")})
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if ": warning: cache: " in line]
    assert warnings == [f"cache/c: warning: cache: cannot use it: {why}; building without the cache"]
    assert listing(tmp_path / "out") == clean


def test_a_read_only_cache_with_the_reasoner(tmp_path):
    """The reasoner's verdict is not kept in a cache that cannot be written, and the build still passes."""
    cache, mount = _mounted(tmp_path, "cache", "read-only")
    proc = cli("build", str(BASE), "-o", "out", cwd=tmp_path, mounts=mount, env={"CUSTOMS_KG_CACHE": str(cache)})
    assert proc.returncode == 0, proc.stderr
    assert [line for line in proc.stderr.splitlines() if "cache" in line] == [
        "cache: warning: cache: cannot use it: the file system is read-only; building without the cache"]
    assert "OWL consistency (HermiT)                    consistent" in proc.stdout
    assert os.listdir(cache) == []


def _damage_entries(cache: Path, damage: Callable[[Path], None]) -> int:
    entries = sorted(cache.rglob("*.pickle"))
    for entry in entries:
        damage(entry)
    return len(entries)


def _garbage(entry: Path) -> None:
    entry.write_bytes(b"\x80\x05not a pickle")


def _folder(entry: Path) -> None:
    entry.unlink()
    entry.mkdir()


@pytest.mark.parametrize("damage, warning", [
    (_garbage, None),  # a damaged entry is a miss, and is written anew
    (_folder, "cache: warning: cache: cannot use it: a folder stands where a file belongs; building without the "
              "cache"),
])
def test_a_corrupt_cache_gives_the_same_build(tmp_path, damage, warning):
    facts = tmp_path / "facts"
    shutil.copytree(BASE, facts)
    clean = _clean_build(tmp_path, facts)
    env = {"CUSTOMS_KG_CACHE": str(tmp_path / "cache")}
    assert cli("build", str(facts), "-o", "out", "--no-reason", cwd=tmp_path, env=env).returncode == 0
    assert _damage_entries(tmp_path / "cache", damage) > 0
    shutil.rmtree(tmp_path / "out")  # else nothing changed: the build is up to date and reads no cache entry
    proc = cli("build", str(facts), "-o", "out", "--no-reason", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if ": warning: cache: " in line]
    assert warnings == ([warning] if warning else [])
    assert listing(tmp_path / "out") == clean


def test_a_cache_folder_that_is_a_file_is_skipped(tmp_path):
    clean = _clean_build(tmp_path, BASE)
    (tmp_path / "cache").write_text("not a folder\n", encoding="utf-8")
    proc = cli("build", str(BASE), "-o", "out", "--no-reason", cwd=tmp_path, env={"CUSTOMS_KG_CACHE": "cache"})
    assert proc.returncode == 0, proc.stderr
    assert [line for line in proc.stderr.splitlines() if "cache" in line] == [
        "cache: warning: cache: cannot use it: a file stands where a folder belongs; building without the cache"]
    assert listing(tmp_path / "out") == clean
    assert (tmp_path / "cache").read_text(encoding="utf-8") == "not a folder\n"


def _entry(value: Any) -> Callable[[dict[str, Any]], None]:
    def change(manifest: dict[str, Any]) -> None:
        manifest["files"]["customs-kg.ttl"] = value

    return change


@pytest.mark.parametrize("change, why", [
    (_entry(5), "files.customs-kg.ttl is the number 5, not an object"),
    (_entry([1, 2]), "files.customs-kg.ttl is a list, not an object"),
    (_entry({"bytes": "12", "sha256": "0" * 64}), "files.customs-kg.ttl.bytes is a string, not a count"),
    (_entry({"bytes": 12}), "files.customs-kg.ttl.sha256 is not a SHA-256 digest"),
    (_entry({"bytes": True, "sha256": "0" * 64}), "files.customs-kg.ttl.bytes is a boolean, not a count"),
    (lambda m: m.pop("files"), "'files' is missing"),
    (lambda m: m.update(files=[]), "'files' is a list, not an object"),
    (lambda m: m.update(manifest="something else"), "'manifest' is not 'customs-kg build' or 'customs-kg export'"),
])
def test_a_malformed_manifest_is_refused_not_a_crash(tmp_path, change, why):
    assert build(tmp_path, "-o", "out").returncode == 0
    manifest = tmp_path / "out" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    change(data)
    manifest.write_text(json.dumps(data), encoding="utf-8")
    before = listing(tmp_path)
    proc = cli("validate", "out/customs-kg.ttl", "--no-reason", cwd=tmp_path)
    assert proc.returncode == 2
    assert errors(proc) == [f"out/manifest.json: error: manifest: not a customs-kg build manifest ({why})"]
    assert listing(tmp_path) == before


@pytest.mark.parametrize("text, message", [
    ("[1, 2]\n", "out/manifest.json: error: manifest: not a customs-kg build manifest (it is a list, not an object)"),
    ('{\n  "manifest": "customs-kg build",\n', "out/manifest.json:3: error: manifest: not a customs-kg build manifest "
                                              "(not JSON: Expecting property name enclosed in double quotes)"),
    ("\xff\n", "out/manifest.json: error: manifest: not a customs-kg build manifest (not JSON in UTF-8)"),
])
def test_a_manifest_that_is_not_an_object_or_not_json(tmp_path, text, message):
    assert build(tmp_path, "-o", "out").returncode == 0
    (tmp_path / "out" / "manifest.json").write_bytes(text.encode("latin-1"))
    proc = cli("validate", "out/customs-kg.ttl", "--no-reason", cwd=tmp_path)
    assert proc.returncode == 2
    assert errors(proc) == [message]


def test_the_lock_is_what_keeps_a_live_leftover(tmp_path):
    """The sweep itself: a folder named for a dead process is removed unless its lock is held."""
    from graph_builder.atomic import sweep

    dead = dead_pid()
    free = _staging(tmp_path / f".out.staging-{dead}-freeaaaa")
    held = _staging(tmp_path / f".out.staging-{dead}-heldaaaa")
    fd = os.open(held, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # held by this process: a sweep in another one must leave it
        code = ("from pathlib import Path\nfrom graph_builder.atomic import sweep\n"
                f"print([p.name for p in sweep(Path({str(tmp_path)!r}), 'out')])\n")
        proc = subprocess.run([sys.executable, "-c", code],
                              capture_output=True, text=True, env=cli_env(), cwd=ROOT, timeout=60)
    finally:
        os.close(fd)
    assert proc.stdout == f"['{free.name}']\n", proc.stderr
    assert sweep(tmp_path, "out") == [held]
    assert os.listdir(tmp_path) == []
