"""Facts files that are not plain files of the folder: links out of it, FIFOs, devices, sockets,
folders named x.yaml, files too large, unreadable, or changed or deleted while they are read.

Each case goes through ``customs-kg build`` and ``validate`` (exit 2, the exact located message, no
traceback, the previous build untouched) and through the library's ``load_facts``; the races
and the permission errors are made in-process (as root, a mode of 000 does not stop reading, so
the unreadable cases also run in a child process that has become the user nobody).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import cli_env, run_cli
from graph_builder.building.cache import Cache, load_facts_cached
from graph_builder.errors import FactsError
from graph_builder.loading import factsdir
from graph_builder.loading.facts import load_facts
from graph_builder.loading.factsdir import TEXT_MAX_BYTES, FactsDir
from test_bad_input import CORPUS, digest, previous_build

LIMIT = TEXT_MAX_BYTES
OUTSIDE = "outside the facts folder; copy the file into the folder instead"


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    """A copy of the corpus's valid facts folder."""
    root = tmp_path / "facts"
    shutil.copytree(CORPUS / "base", root)
    return root


def use_text(facts: Path, name: str) -> None:
    """Point the source at ``texts/NAME``."""
    src = facts / "sources" / "example-source.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("text: example.txt", f"text: {name}"), encoding="utf-8")


def shown(facts: Path, line: str) -> str:
    """A diagnostic with its paths relative to the facts folder (the CLI runs beside it)."""
    line = line.replace(str(facts) + "/", "")
    return line.removeprefix("facts/")


def assert_refused(tmp_path: Path, facts: Path, expected: list[str], timeout: float = 60) -> None:
    """build and validate exit 2 with exactly ``expected`` (paths relative to the facts folder),
    no traceback, and the previous build untouched; load_facts raises the same problems."""
    out, before = previous_build(tmp_path)
    for args in (("build", str(facts), "-o", str(out), "--no-reason"),
                 ("validate", str(facts), "--no-reason")):
        proc = run_cli(*args, cwd=tmp_path, timeout=timeout)
        lines = [shown(facts, line) for line in proc.stderr.splitlines()]
        assert lines == expected + [f"{len(expected)} problem(s) in the facts; nothing was written"], proc.stderr
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
        assert digest(out) == before
    with pytest.raises(FactsError) as info:
        load_facts(facts)
    assert [shown(facts, str(p)) for p in info.value.problems] == expected


# --- Symbolic links --------------------------------------------------------------------

def test_a_text_linked_to_etc_passwd_is_refused_and_never_cached(tmp_path, facts):
    (facts / "texts" / "x.txt").symlink_to("/etc/passwd")
    use_text(facts, "x.txt")
    assert_refused(tmp_path, facts, [f"texts/x.txt: error: file: is a symbolic link to /etc/passwd, {OUTSIDE}"])
    cache = tmp_path / "cache"
    with pytest.raises(FactsError):
        load_facts_cached(facts, Cache(cache))
    secret = Path("/etc/passwd").read_bytes()[:40]
    assert not any(secret in p.read_bytes() for p in cache.rglob("*") if p.is_file())


def test_a_yaml_file_linked_to_dev_zero_is_refused_at_once(tmp_path, facts):
    (facts / "entities" / "zero.yaml").symlink_to("/dev/zero")
    assert_refused(tmp_path, facts, [f"entities/zero.yaml: error: file: is a symbolic link to /dev/zero, {OUTSIDE}"],
                   timeout=30)


def test_a_linked_texts_folder_that_leads_outside_is_refused(tmp_path, facts):
    elsewhere = tmp_path / "elsewhere"
    (facts / "texts").rename(elsewhere)
    (facts / "texts").symlink_to(elsewhere)
    assert_refused(tmp_path, facts, [f"texts/example.txt: error: file: leads through a symbolic link to "
                                     f"{elsewhere}/example.txt, {OUTSIDE}"])


def test_links_inside_the_folder_to_files_inside_it_are_read(tmp_path, facts):
    (facts / "texts" / "link.txt").symlink_to("example.txt")
    use_text(facts, "link.txt")
    (facts / "vocab" / "roles.yaml").rename(facts / "roles-file")
    (facts / "vocab" / "roles.yaml").symlink_to("../roles-file")
    loaded = load_facts(facts)
    assert loaded.sources["example-source"].text.startswith("The 7th Meeting")
    assert set(loaded.roles) == {"chair", "member"}
    proc = run_cli("validate", str(facts), "--no-reason", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_dangling_and_looping_links(tmp_path, facts):
    (facts / "entities" / "gone.yaml").symlink_to("missing.yaml")
    (facts / "entities" / "loop.yaml").symlink_to("loop.yaml")
    assert_refused(tmp_path, facts, [
        "entities/gone.yaml: error: file: is a symbolic link to a missing file (missing.yaml)",
        "entities/loop.yaml: error: file: is a symbolic link that loops (it leads back to itself)",
    ])


# --- Files that are not regular files ---------------------------------------------------

def test_a_fifo_named_like_a_facts_file_does_not_hang_the_build(tmp_path, facts):
    os.mkfifo(facts / "entities" / "x.yaml")
    assert_refused(tmp_path, facts, ["entities/x.yaml: error: file: is a FIFO, not a regular file"], timeout=30)


def test_a_device_and_a_socket_are_refused_by_type(tmp_path, facts):
    os.mknod(facts / "entities" / "zero.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero's numbers
    import socket

    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(facts / "sources" / "sock.yaml"))
        assert_refused(tmp_path, facts, [
            "entities/zero.yaml: error: file: is a character device, not a regular file",
            "sources/sock.yaml: error: file: is a socket, not a regular file",
        ], timeout=30)
    finally:
        sock.close()


def test_a_folder_named_like_a_facts_file_is_an_error_naming_it(tmp_path, facts):
    (facts / "entities" / "more.yaml").mkdir()
    (facts / "sources" / "draft.yaml").mkdir()
    (facts / "texts" / "example.txt").unlink()
    (facts / "texts" / "example.txt").mkdir()
    assert_refused(tmp_path, facts, [
        "entities/more.yaml: error: file: is a folder, not a regular file",
        "sources/draft.yaml: error: file: is a folder, not a regular file",
        "texts/example.txt: error: file: is a folder, not a regular file",
    ])


def test_a_facts_folder_that_is_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "facts")
    proc = run_cli("validate", str(tmp_path / "facts"), "--no-reason", cwd=tmp_path, timeout=30)
    assert proc.stderr.splitlines()[0] == "facts: error: facts: is a FIFO, not a folder"
    assert proc.returncode == 2


# --- Size limits --------------------------------------------------------------------------

def test_a_huge_sparse_text_is_refused_by_its_size_without_reading_it(tmp_path, facts):
    text = facts / "texts" / "example.txt"
    os.truncate(text, 425 * 1024 * 1024)  # sparse: no 425 MB written
    assert_refused(tmp_path, facts, [f"texts/example.txt:1: error: file: the file is {425 * 1024 * 1024} bytes; "
                                     f"the limit is {LIMIT}; split it"])


def test_a_text_one_byte_over_the_limit_is_refused_and_one_at_the_limit_is_read(tmp_path, facts):
    text = facts / "texts" / "example.txt"
    body = text.read_bytes()
    text.write_bytes(body + b" " * (LIMIT - len(body)))
    assert load_facts(facts).sources["example-source"].text.startswith("The 7th")
    text.write_bytes(body + b" " * (LIMIT + 1 - len(body)))
    assert_refused(tmp_path, facts, [f"texts/example.txt:1: error: file: the file is {LIMIT + 1} bytes; "
                                     f"the limit is {LIMIT}; split it"])


def test_the_limit_is_counted_while_reading_not_taken_from_the_size(facts, monkeypatch):
    # a file whose size reads small (as /proc files and growing files do) is cut at the limit + 1
    text = facts / "texts" / "example.txt"
    text.write_bytes(text.read_bytes() + b" " * LIMIT)
    real_stat, real_fstat = os.stat, os.fstat

    def small(result: os.stat_result) -> os.stat_result:
        fields = list(result)
        fields[stat.ST_SIZE] = 10
        return os.stat_result(fields)

    monkeypatch.setattr(factsdir.os, "stat", lambda *a, **k: small(real_stat(*a, **k)))
    monkeypatch.setattr(factsdir.os, "fstat", lambda fd: small(real_fstat(fd)))
    read: list[int] = []
    real_read = os.read
    monkeypatch.setattr(factsdir.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    with pytest.raises(FactsError) as info:
        FactsDir(facts).read(text, LIMIT)
    assert [str(p) for p in info.value.problems] == [
        f"{text}:1: error: file: the file is more than {LIMIT} bytes; the limit is {LIMIT}; split it"]
    assert sum(read) == LIMIT + 1


# --- Unreadable files and folders ---------------------------------------------------------

def test_permission_denied_is_a_located_problem(facts, monkeypatch):
    real_open = os.open
    main = facts / "entities" / "main.yaml"

    def denied(path, flags, *args):  # type: ignore[no-untyped-def]
        if Path(path) == main:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(factsdir.os, "open", denied)
    with pytest.raises(FactsError) as info:
        load_facts(facts)
    assert str(info.value.problems[0]) == f"{main}: error: file: cannot read: Permission denied"


@pytest.fixture
def shared_facts() -> Iterator[Path]:
    """A copy of the valid facts in a folder the user nobody can enter; removed afterwards."""
    top = Path(tempfile.mkdtemp(prefix="customs-kg-faults-"))
    try:
        root = top / "facts"
        shutil.copytree(CORPUS / "base", root)
        for p in [top, root, *root.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        yield root
    finally:
        for p in top.rglob("*"):
            if not p.is_symlink():
                os.chmod(p, 0o755 if p.is_dir() else 0o644)
        shutil.rmtree(top)


NOBODY = 65534


def as_nobody(work: Callable[[], tuple[int, str]]) -> tuple[int, str]:
    """Run ``work`` in a child process that has become the user nobody; its (code, output)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = work()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            result = (-1, f"{type(exc).__name__}: {exc}")
        with os.fdopen(write_end, "w", encoding="utf-8") as pipe:
            json.dump(result, pipe)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    code, text = json.loads(data)
    return int(code), str(text)


def cli_as_nobody(*args: str) -> tuple[int, str]:
    """``customs-kg ARGS`` run by the user nobody: its exit code and standard error."""
    from graph_builder.cli import main

    def work() -> tuple[int, str]:
        sys.stderr, sys.stdout = io.StringIO(), io.StringIO()
        code = main(list(args))
        return code, sys.stderr.getvalue()

    return as_nobody(work)


def load_as_nobody(root: Path) -> tuple[int, str]:
    def work() -> tuple[int, str]:
        try:
            load_facts(root)
        except FactsError as exc:
            return 2, str(exc)
        return 0, ""

    return as_nobody(work)


@pytest.fixture
def warm(shared_facts: Path) -> Path:
    """Import everything the commands need while root can still read the interpreter's files (the
    user nobody cannot read them), by the library calls behind ``validate`` and ``build``."""
    import graph_builder.cli  # noqa: F401
    from graph_builder.pipeline import build_and_validate

    assert not build_and_validate(shared_facts).errors
    return shared_facts


def test_a_file_nobody_may_read(warm):
    main = warm / "entities" / "main.yaml"
    os.chmod(main, 0)
    expected = f"{main}: error: file: cannot read: Permission denied"
    code, text = load_as_nobody(warm)
    assert code == 2 and text.splitlines()[0] == expected
    for args in (("validate", str(warm), "--no-reason"), ("build", str(warm), "-o", str(warm.parent / "out"),
                                                         "--no-reason", "--no-cache")):
        code, stderr = cli_as_nobody(*args)
        assert code == 2, stderr
        assert stderr.splitlines()[0] == expected
        assert "Traceback" not in stderr and "internal error" not in stderr
    assert not (warm.parent / "out").exists()


def test_a_sources_folder_nobody_may_read_says_so(warm):
    os.chmod(warm / "sources", 0)
    code, stderr = cli_as_nobody("validate", str(warm), "--no-reason")
    assert code == 2
    assert stderr.splitlines() == [f"{warm / 'sources'}: error: sources: cannot read the folder: Permission denied",
                                   "1 problem(s) in the facts; nothing was written"]


def test_a_texts_folder_nobody_may_enter(warm):
    os.chmod(warm / "texts", 0)
    code, text = load_as_nobody(warm)
    assert code == 2
    assert text.splitlines() == [f"{warm / 'texts'}: error: folder: cannot read the folder: Permission denied",
                                 f"{warm / 'texts' / 'example.txt'}: error: file: cannot read: Permission denied"]


# --- Changed or deleted while read ---------------------------------------------------------

def delete_after_listing(victim: Path) -> Callable[[FactsDir], factsdir.Listing]:
    real = FactsDir.listing

    def listing(self: FactsDir) -> factsdir.Listing:
        out = real(self)
        victim.unlink()
        return out

    return listing


GONE = "error: file: cannot read: the file is gone (deleted or renamed while the facts were read)"


def test_a_file_deleted_between_listing_and_reading(facts, monkeypatch):
    extra = facts / "entities" / "extra.yaml"
    extra.write_text("entities: []\n", encoding="utf-8")
    monkeypatch.setattr(FactsDir, "listing", delete_after_listing(extra))
    with pytest.raises(FactsError) as info:
        load_facts(facts)
    assert [str(p) for p in info.value.problems] == [f"{extra}: {GONE}"]


def test_a_file_deleted_between_listing_and_reading_through_the_cli(tmp_path, facts):
    extra = facts / "entities" / "extra.yaml"
    extra.write_text("entities: []\n", encoding="utf-8")
    out, before = previous_build(tmp_path)
    script = (
        "import sys\nfrom pathlib import Path\nfrom graph_builder.loading.factsdir import FactsDir\n"
        "real = FactsDir.listing\n"
        "def listing(self):\n    out = real(self)\n    Path(sys.argv[1]).unlink(missing_ok=True)\n    return out\n"
        "FactsDir.listing = listing\nfrom graph_builder.cli import main\nsys.exit(main(sys.argv[2:]))\n")
    proc = subprocess.run([sys.executable, "-c", script, str(extra), "build", str(facts), "-o", str(out),
                           "--no-reason", "--no-cache"], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env=cli_env())
    assert proc.stderr.splitlines() == ["facts/entities/extra.yaml: " + GONE,
                                        "1 problem(s) in the facts; nothing was written"]
    assert proc.returncode == 2
    assert digest(out) == before


def swap_before_open(target: Path, swap: Callable[[], None]) -> Callable[..., int]:
    real_open = os.open

    def opened(path, flags, *args):  # type: ignore[no-untyped-def]
        if Path(path) == target:
            swap()
        return real_open(path, flags, *args)

    return opened


def test_a_file_replaced_between_its_check_and_its_opening(facts, monkeypatch):
    main = facts / "entities" / "main.yaml"
    other = facts / "other"
    other.write_bytes(main.read_bytes())
    monkeypatch.setattr(factsdir.os, "open", swap_before_open(main, lambda: os.replace(other, main)))
    with pytest.raises(FactsError) as info:
        load_facts(facts)
    assert str(info.value.problems[0]) == (f"{main}: error: file: was replaced while it was read (it is now a "
                                           "regular file); run the command again")


def test_a_file_replaced_by_a_link_before_its_opening_is_not_followed(facts, monkeypatch):
    text = facts / "texts" / "example.txt"

    def to_link() -> None:
        text.unlink()
        text.symlink_to("/etc/passwd")

    monkeypatch.setattr(factsdir.os, "open", swap_before_open(text, to_link))
    with pytest.raises(FactsError) as info:
        load_facts(facts)
    assert [str(p) for p in info.value.problems] == [
        f"{text}: error: file: became a symbolic link while it was read; run the command again"]


# --- Graphs read from a file (no loader in between) -----------------------------------------

def test_viz_structure_draws_a_part_of_cycle_of_a_data_file(tmp_path):
    org = "http://www.w3.org/ns/org#"
    data = tmp_path / "cycle.ttl"
    data.write_text(
        f"@prefix org: <{org}> .\n@prefix id: <https://w3id.org/customs-kg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "id:a a org:Organization ; rdfs:label \"A\"@en ; org:subOrganizationOf id:b .\n"
        "id:b a org:Organization ; rdfs:label \"B\"@en ; org:subOrganizationOf id:c .\n"
        "id:c a org:Organization ; rdfs:label \"C\"@en ; org:subOrganizationOf id:a .\n"
        "id:d a org:Organization ; rdfs:label \"D\"@en ; org:subOrganizationOf id:d , id:a .\n"
        "id:e a org:Organization ; rdfs:label \"E\"@en ; org:subOrganizationOf id:f .\n"
        "id:f a org:Organization ; rdfs:label \"F\"@en .\n", encoding="utf-8")
    for suffix in ("svg", "graphml"):
        out = tmp_path / f"structure.{suffix}"
        proc = run_cli("viz", "structure", "--data", str(data), "-o", str(out), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == f"wrote {out}\n"
        assert out.stat().st_size > 0


def test_the_tree_layout_places_every_node_of_cycles_and_long_chains():
    import networkx as nx

    from graph_builder.answering.viz import tree_layout

    net = nx.MultiDiGraph()
    chain = [f"n{i:05d}" for i in range(5000)]  # deeper than Python's recursion limit
    for n in chain + ["x", "y", "z"]:
        net.add_node(n, label=n)
    for a, b in zip(chain, chain[1:]):
        net.add_edge(a, b, relation="part-of")
    for a, b in (("x", "y"), ("y", "z"), ("z", "x"), ("z", "z")):
        net.add_edge(a, b, relation="part-of")
    pos = tree_layout(net)
    assert set(pos) == set(net.nodes)
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in pos.values())
    assert pos[chain[-1]][1] == 1.0 and pos[chain[0]][1] == 0.0  # the top of the chain above its bottom


def test_hermit_reads_integers_beyond_64_bits_of_a_data_file(tmp_path):
    data = tmp_path / "big.ttl"
    data.write_text(
        "@prefix ckg: <https://w3id.org/customs-kg/ontology#> .\n@prefix id: <https://w3id.org/customs-kg/id/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "id:c a ckg:StatedCount ; ckg:count \"10000000000000000000\"^^xsd:nonNegativeInteger .\n", encoding="utf-8")
    proc = run_cli("validate", str(data), cwd=tmp_path)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert proc.stdout.strip().endswith("OWL consistency: consistent"), proc.stdout + proc.stderr
    data.write_text(data.read_text(encoding="utf-8").replace('"10000000000000000000"', '"-10000000000000000000"'),
                    encoding="utf-8")
    proc = run_cli("validate", str(data), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.strip().endswith("OWL consistency: INCONSISTENT"), proc.stdout + proc.stderr


def test_hermit_reads_numbers_beyond_a_doubles_range(tmp_path):
    """A count or value of 309 digits or more overflows a double (owlready2 stored inf, HermiT refused it)."""
    huge = "7" * 5001
    data = tmp_path / "huge.ttl"
    data.write_text(
        "@prefix ckg: <https://w3id.org/customs-kg/ontology#> .\n@prefix id: <https://w3id.org/customs-kg/id/> .\n"
        "@prefix schema: <http://schema.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f'id:c a ckg:StatedCount ; ckg:count "{huge}"^^xsd:nonNegativeInteger .\n'
        f'id:q schema:value "-{huge}.5"^^xsd:decimal ; schema:maxValue "1e400"^^xsd:double .\n', encoding="utf-8")
    proc = run_cli("validate", str(data), cwd=tmp_path)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr and "Exception" not in proc.stderr
    assert proc.stdout.strip().endswith("OWL consistency: consistent"), proc.stdout + proc.stderr
    data.write_text(data.read_text(encoding="utf-8").replace(f'"{huge}"', f'"-{huge}"'), encoding="utf-8")
    proc = run_cli("validate", str(data), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.strip().endswith("OWL consistency: INCONSISTENT"), proc.stdout + proc.stderr


def test_an_ill_typed_number_of_a_data_file_is_an_inconsistency_not_a_crash(tmp_path):
    data = tmp_path / "bad.nt"
    data.write_text('<https://w3id.org/customs-kg/id/q> <https://schema.org/value> '
                    '"12a"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', encoding="utf-8")
    from graph_builder.answering.rdfinput import read_rdf
    from graph_builder.validating.reasoning import check_consistency

    consistent, detail = check_consistency(read_rdf(data), explain=False)
    assert not consistent
    assert detail == ('HermiT: not run: the literal "12a"^^<http://www.w3.org/2001/XMLSchema#integer> of '
                      "<https://w3id.org/customs-kg/id/q> <https://schema.org/value> is not a valid value of its "
                      "datatype (an ill-typed literal makes the graph inconsistent)")

