"""`customs-kg build` again: nothing changed leaves the output alone; a one-file edit patches it into a clean build's bytes.

Every case runs the command as a user does, on a copy of generated facts, with
an incremental cache of its own: a first build, an edit (or none, or damage
to the output), a second build, and a clean build (``--no-cache``) of the
same facts into another folder to compare with, byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, cli_env

OUTPUTS = ("customs-kg.ttl", "customs-kg.trig", "manifest.json")


def build(facts: Path, out: Path, cache: Path, *extra: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "graph_builder", "build", str(facts), "-o", str(out), "--no-reason",
                           *extra], capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env=cli_env(CUSTOMS_KG_CACHE=str(cache)))
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def assert_as_a_clean_build(facts: Path, out: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The files in ``out`` are byte for byte those of a clean build (``--no-cache``) of ``facts``; its run."""
    clean = tmp_path / "clean"
    clean_run = build(facts, clean, tmp_path / "unused-cache", "--no-cache")
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    return clean_run


@pytest.fixture
def facts(synth_10k, tmp_path):
    folder = tmp_path / "facts"
    shutil.copytree(synth_10k[0], folder)
    return folder


def _report(facts: Path) -> Path:
    """A meeting report (not a press release) of the generated facts."""
    return sorted(p for p in (facts / "sources").glob("synthetic-org-0001-council-session-*.yaml")
                  if not p.stem.endswith("press-release"))[0]


def _replace_line(path: Path, start: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if line.startswith(start))
    assert lines[i] != new
    lines[i] = new
    path.write_text("".join(lines), encoding="utf-8")


def edit_headline(facts: Path) -> None:
    _replace_line(_report(facts), "  headline: ", '  headline: "Council of the CCO-1 meets again"\n')


def edit_date(facts: Path) -> None:
    _replace_line(_report(facts), "  published: ", '  published: "2024-02"\n')


def add_membership(facts: Path) -> None:
    """A new membership statement (a new subject), quoting the first sentence the report quotes."""
    path = _report(facts)
    text = path.read_text(encoding="utf-8")
    quote = next(line.split('"')[1] for line in text.splitlines() if line.strip().startswith('- "')
                 or line.startswith('  - quote: "'))
    path.write_text(text.rstrip("\n") + f'\n\n  - quote: "{quote}"\n    membership: customs-fr-member-added\n'
                    "    member: customs-fr\n    organization: org-0001-council\n    role: member\n", encoding="utf-8")


def remove_statement(facts: Path) -> None:
    """The report's last statement taken out."""
    path = _report(facts)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("  - quote:"))
    path.write_text("".join(lines[:last]).rstrip("\n") + "\n", encoding="utf-8")


def remove_elected_membership(facts: Path) -> None:
    """A membership an election of the report resulted in, taken out (the election no longer lists it)."""
    import re

    path = _report(facts)
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    # not one a handover names (its statement would then name a membership no source states)
    handed = {m for f in (facts / "sources").iterdir()
              for m in re.findall(r"(?:outgoing|incoming): (\S+)", f.read_text(encoding="utf-8"))}
    gone = next(i for i, block in enumerate(blocks) if "\n    generated_by: " in block and "\n    membership: " in block
                and re.search(r"\n    membership: (\S+)", block).group(1) not in handed)
    path.write_text("\n\n".join(blocks[:gone] + blocks[gone + 1:]), encoding="utf-8")


def add_entity(facts: Path) -> None:
    """A new organization in an entities file, and a statement that names it."""
    orgs = facts / "entities" / "organizations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8").rstrip("\n") + "\n  - id: org-0001-working-group\n"
                    "    type: Committee\n    name: {en: \"Working Group of the CCO-1\"}\n", encoding="utf-8")
    path = _report(facts)
    text = path.read_text(encoding="utf-8")
    quote = next(line.split('"')[1] for line in text.splitlines() if line.strip().startswith('- "')
                 or line.startswith('  - quote: "'))
    path.write_text(text.rstrip("\n") + f'\n\n  - quote: "{quote}"\n    membership: customs-fr-member-working-group\n'
                    "    member: customs-fr\n    organization: org-0001-working-group\n    role: member\n",
                    encoding="utf-8")


def rename_entity(facts: Path) -> None:
    """An entity's English name changed: its labels in the default graph and in every source that names it."""
    orgs = facts / "entities" / "organizations.yaml"
    text = orgs.read_text(encoding="utf-8")
    assert '"Council of the CCO-1"' in text
    orgs.write_text(text.replace('"Council of the CCO-1"', '"General Council of the CCO-1"', 1), encoding="utf-8")


def relabel_entity(facts: Path) -> None:
    """One label of an entity changed (its Russian name, which only the default graph holds)."""
    orgs = facts / "entities" / "organizations.yaml"
    text = orgs.read_text(encoding="utf-8")
    assert '"Совет ОТС-1"' in text
    orgs.write_text(text.replace('"Совет ОТС-1"', '"Совет ОТС-1 (новый)"', 1), encoding="utf-8")


def add_entity_alone(facts: Path) -> None:
    """A new person in an entities file, which no statement names yet."""
    people = sorted((facts / "entities").glob("people*.yaml"))[0]
    people.write_text(people.read_text(encoding="utf-8").rstrip("\n") + "\n  - id: person-added-alone\n"
                      "    type: Person\n    name: {en: \"Added Alone\", ru: \"Добавлен Один\"}\n", encoding="utf-8")


EDITS = {"headline": edit_headline, "date": edit_date, "new membership": add_membership,
         "removed statement": remove_statement, "removed elected membership": remove_elected_membership,
         "new entity": add_entity, "renamed entity": rename_entity, "relabelled entity": relabel_entity,
         "new entity named by nothing": add_entity_alone}


def _summary(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The counts a build printed (its timings and the files it wrote left out)."""
    return [line for line in proc.stdout.splitlines() if not line.startswith(("seconds", "wrote ", "patched "))]


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_a_one_file_edit_patches_the_output_into_a_clean_builds_bytes(facts, tmp_path, kind):
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = build(facts, out, cache)
    assert "wrote " in first.stdout
    before = {name: (out / name).read_bytes() for name in OUTPUTS}
    EDITS[kind](facts)
    again = build(facts, out, cache)
    assert f"patched {out / 'customs-kg.ttl'}" in again.stdout and f"patched {out / 'customs-kg.trig'}" in again.stdout
    clean_run = assert_as_a_clean_build(facts, out, tmp_path)
    assert _summary(again) == _summary(clean_run)
    assert (out / "customs-kg.ttl").read_bytes() != before["customs-kg.ttl"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["built_from"] != json.loads(before["manifest.json"])["built_from"]


def test_edits_in_a_row_and_back_keep_a_clean_builds_bytes(facts, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(facts, out, cache)
    original = {name: (out / name).read_bytes() for name in OUTPUTS}
    report = _report(facts)
    kept = report.read_bytes()
    for edit in (edit_headline, remove_statement, add_membership):
        edit(facts)
        assert "patched " in build(facts, out, cache).stdout
    assert_as_a_clean_build(facts, out, tmp_path)
    report.write_bytes(kept)  # every edit undone: the first build's bytes again
    assert "patched " in build(facts, out, cache).stdout
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == original


def test_a_no_change_build_says_so_and_rewrites_nothing(facts, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = build(facts, out, cache)
    status = {name: os.stat(out / name) for name in OUTPUTS}
    again = build(facts, out, cache)
    assert "up to date: nothing changed since the last build" in again.stdout
    assert not [line for line in again.stdout.splitlines() if line.startswith(("wrote ", "patched "))]
    for name in OUTPUTS:
        now = os.stat(out / name)
        assert (now.st_mtime_ns, now.st_ino, now.st_size) == \
            (status[name].st_mtime_ns, status[name].st_ino, status[name].st_size), name
    # the summary of the build that wrote the output is shown again
    assert next(l for l in first.stdout.splitlines() if l.startswith("triples ")) in again.stdout.splitlines()


@pytest.mark.parametrize("damage", ["altered", "truncated", "deleted"])
def test_a_damaged_output_is_rebuilt(facts, tmp_path, damage):
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(facts, out, cache)
    good = {name: (out / name).read_bytes() for name in OUTPUTS}
    ttl = out / "customs-kg.ttl"
    st = os.stat(ttl)
    if damage == "altered":  # same size, same modification time: only its content (and change time) differ
        data = bytearray(good["customs-kg.ttl"])
        data[-3:-2] = b"X"
        ttl.write_bytes(bytes(data))
        os.utime(ttl, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif damage == "truncated":
        ttl.write_bytes(good["customs-kg.ttl"][: len(good["customs-kg.ttl"]) // 2])
    else:
        ttl.unlink()
    again = build(facts, out, cache)
    assert "up to date" not in again.stdout and f"wrote {ttl}" in again.stdout
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == good


def test_a_damaged_output_is_written_whole_after_an_edit(facts, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(facts, out, cache)
    trig = out / "customs-kg.trig"
    trig.write_bytes(trig.read_bytes().replace(b"CCO-1", b"CCO-2", 1))
    edit_headline(facts)
    again = build(facts, out, cache)
    assert f"wrote {trig}" in again.stdout
    assert_as_a_clean_build(facts, out, tmp_path)


def test_changed_options_or_a_failed_build_in_between_do_not_leave_a_stale_output(facts, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(facts, out, cache)
    # --store is not a no-change build: the store is written too
    store = tmp_path / "store"
    assert "up to date" not in build(facts, out, cache, "--store", str(store)).stdout
    assert (store / "customs-kg-store.json").is_file()
    # a build that fails validation writes nothing (but its graphs are validated and cached); the next good
    # build still gives a clean build's bytes
    edit_date(facts)
    roles = facts / "vocab" / "roles.yaml"
    good = roles.read_text(encoding="utf-8")
    assert 'en: "Chair",' in good  # a role whose English name is not in the controlled list breaks a shape
    roles.write_text(good.replace('en: "Chair",', 'en: "Chairwoman",', 1), encoding="utf-8")
    proc = build(facts, out, cache, ok=False)
    assert proc.returncode == 1 and "nothing was written" in proc.stderr
    roles.write_text(good, encoding="utf-8")
    edit_headline(facts)
    build(facts, out, cache)
    assert_as_a_clean_build(facts, out, tmp_path)


def test_a_facts_file_moved_out_and_linked_back_is_refused_as_a_clean_build_refuses_it(facts, tmp_path):
    """An unchanged file is known by its remembered hash, but only where the loader would read it as it is."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(facts, out, cache)
    report = _report(facts)
    outside = tmp_path / "elsewhere.yaml"
    report.rename(outside)
    report.symlink_to(outside)
    proc = subprocess.run([sys.executable, "-m", "graph_builder", "build", str(facts), "-o", str(out), "--no-reason"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env=cli_env(CUSTOMS_KG_CACHE=str(cache)))
    assert proc.returncode == 2 and "outside the facts folder" in proc.stderr, proc.stderr
