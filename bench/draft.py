"""Benchmark: how much of the curated seed facts ``customs-kg draft`` proposes, and how much of what it proposes
is curated.

    python bench/draft.py [--out bench/DRAFT.md]

Leave one out: for each source of ``facts/sources``, a copy of the facts
folder without that source's file and without the entities only it uses (no
other source and no entity declaration names them), with a source file of the
same source block and no statements; ``customs-kg draft`` (the function the
command runs) writes its proposals there. The proposals are read back from the
written file and compared with the curated claims as *facts*: one per field
value (an event's series, number, start, end, place, attendance, status, each
attendee, role, topic, organizer, quantity bound; a membership's member,
body and post, with its start and end; an election's kind, post, body and
candidate, with its meeting or date; a mapping claim as a whole). A date
``date: D`` counts as start D and end D. A new entity the draft names is the
curated one when they are of the same kind (event, series, person, place,
thing or body) and their names agree (rapidfuzz ratio of the folded names at
least 90, against the left-out entity's names and the aliases its source
states); keys of memberships and elections are not compared. Recall: curated
facts proposed; precision: proposed facts curated; over all five sources.
Each draft is also accepted as it is (``draft:`` lines deleted, the new
entities it lists declared) and built (``build --no-reason``). The invented
test articles with a curated source (``tests/articles/*``, added to the
bundled facts) are scored the same way, in a second table. The report is
``bench/DRAFT.md``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterable

import yaml
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph_builder.drafting import fold  # noqa: E402
from graph_builder.loading.factsdir import FactsDir  # noqa: E402
from graph_builder.loading.yamlload import YMap, YSeq, YValue, load_yaml  # noqa: E402

Fact = tuple[str, ...]
VERBOSE = False
SCALAR_EVENT_FIELDS = ("series", "number", "place", "attendance", "status", "follows", "super_event")


def plain(value: YValue | object) -> object:
    """A loaded YAML value as plain dicts, lists and strings."""
    if isinstance(value, YMap) or isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, YSeq) or isinstance(value, list):
        return [plain(v) for v in value]
    return str(value)


def claims_of(doc: object) -> list[dict[str, object]]:
    """Every claim of a source file, accepted or proposed (the ``draft:`` field dropped)."""
    out: list[dict[str, object]] = []
    statements = doc.get("statements") if isinstance(doc, dict) else None
    for item in statements or []:
        assert isinstance(item, dict)
        for claim in item.get("claims") or [{k: v for k, v in item.items() if k != "quote"}]:
            out.append({k: v for k, v in claim.items() if k != "draft"})
    return out


def _list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def facts_of(claim: dict[str, object], same: dict[str, str]) -> Iterable[tuple[str, Fact]]:
    """The facts a claim states, each with the kind it is scored under; ``same`` maps drafted keys to curated."""
    def k(value: object) -> str:
        return same.get(str(value), str(value))

    if "event" in claim:
        e = k(claim["event"])
        for name in SCALAR_EVENT_FIELDS:
            if name in claim:
                yield f"event.{name}", ("event", e, name, k(claim[name]))
        for name in ("start", "end"):
            if name in claim:
                yield "event.dates", ("event", e, name, str(claim[name]))
        if "date" in claim:
            yield "event.dates", ("event", e, "start", str(claim["date"]))
            yield "event.dates", ("event", e, "end", str(claim["date"]))
        for name in ("organizer", "attendees", "about"):
            for item in _list(claim.get(name, [])):
                yield f"event.{name}", ("event", e, name, k(item))
        for role in claim.get("roles", []) or []:
            assert isinstance(role, dict)
            yield "event.roles", ("event", e, "role", k(role["agent"]), str(role["role"]))
        for q in claim.get("quantities", []) or []:
            assert isinstance(q, dict)
            for bound in ("value", "min", "max"):
                if bound in q:
                    yield "event.quantities", ("event", e, "quantity", bound, str(q[bound]), str(q["unit"]))
        for c in claim.get("stated_counts", []) or []:
            assert isinstance(c, dict)
            yield "event.stated_counts", ("event", e, "count", str(c["count"]))
        for o in claim.get("outcomes", []) or []:
            assert isinstance(o, dict)
            yield "event.outcomes", ("event", e, "outcome", str(o["action"]), k(o["object"]))
    elif "membership" in claim:
        post = (k(claim["member"]), k(claim["organization"]), str(claim["role"]))
        yield "membership", ("membership",) + post
        for name in ("start", "end"):
            if name in claim:
                yield "membership", ("membership",) + post + (name, str(claim[name]))
    elif "election" in claim:
        post = (str(claim["kind"]), str(claim["role"]), k(claim["organization"]), k(claim.get("candidate", "")))
        yield "election", ("election",) + post
        for name in ("at", "date"):
            if name in claim:
                yield "election", ("election",) + post + (name, k(claim[name]))
    else:
        (kind, body), = claim.items()
        assert isinstance(body, dict)
        if kind == "description":
            yield kind, (kind, k(body["entity"]))
        elif kind == "alias":
            yield kind, (kind, k(body["entity"]), fold(str(body["text"])))
        else:
            yield kind, (kind,) + tuple(",".join(sorted(k(v) for v in _list(body[f]))) for f in sorted(body))


def referenced(claims: list[dict[str, object]]) -> set[str]:
    """Every key a list of claims names."""
    out: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            out.add(str(value))
    walk(claims)
    return out


def leave_out(facts: Path, work: Path, source_file: Path) -> tuple[Path, dict[str, list[str]], dict[str, str], str,
                                                                  dict[str, object]]:
    """A copy of ``facts`` without ``source_file`` and the entities only it uses; return the copy, the left-out
    entities' names and types, the source key and the curated source file."""
    folder = work / "facts"
    shutil.copytree(facts, folder)
    reader = FactsDir(facts)
    curated = plain(load_yaml(source_file, reader))
    assert isinstance(curated, dict)
    head = curated["source"]
    assert isinstance(head, dict)
    mine = referenced(claims_of(curated)) - referenced([head])  # the source block stays, with what it names
    others: set[str] = set()
    for path in sorted((facts / "sources").glob("*.yaml")):
        if path != source_file:
            doc = plain(load_yaml(path, reader))
            assert isinstance(doc, dict)
            others |= referenced(claims_of(doc)) | referenced([doc["source"]])
    left_out: dict[str, list[str]] = {}
    types: dict[str, str] = {}
    for path in sorted((folder / "entities").glob("*.yaml")):
        doc = plain(load_yaml(path, FactsDir(folder)))
        assert isinstance(doc, dict)
        entities = doc["entities"]
        assert isinstance(entities, list)
        declared_refs = referenced([{k: v for k, v in e.items() if k in ("country",)} for e in entities])
        kept = []
        for e in entities:
            key = e["id"]
            if key in mine and key not in others and key not in declared_refs:
                names = [n for n in e["name"].values()] + [a for al in (e.get("aliases") or {}).values() for a in al]
                left_out[key] = names
                types[key] = e["type"]
            else:
                kept.append(e)
        path.write_text(yaml.safe_dump({"entities": kept}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for claim in claims_of(curated):
        if "alias" in claim and isinstance(claim["alias"], dict) and claim["alias"]["entity"] in left_out:
            left_out[str(claim["alias"]["entity"])].append(str(claim["alias"]["text"]))
    key = str(head["id"])
    (folder / "sources" / source_file.name).unlink()
    (folder / "sources" / f"{key}.yaml").write_text(
        yaml.safe_dump({"source": head}, allow_unicode=True, sort_keys=False) + "statements: []\n", encoding="utf-8")
    return folder, left_out, types, key, curated


GROUPS = {"Meeting": "event", "Session": "event", "Phase": "event", "Operation": "event", "MeetingSeries": "series",
          "Person": "person", "City": "place", "Country": "place", "Programme": "thing", "Project": "thing",
          "InformationPlatform": "thing", "Plan": "thing", "Agreement": "thing", "Document": "thing"}


def same_entities(new: dict[str, tuple[str, str]], left_out: dict[str, list[str]],
                  types: dict[str, str]) -> dict[str, str]:
    """Drafted new keys -> left-out curated keys of the same kind (event, series, person, place, thing or body),
    where the names agree."""
    out: dict[str, str] = {}
    for key, (name, kind) in sorted(new.items()):
        group = GROUPS.get(kind, "body")
        if key in left_out and GROUPS.get(types[key], "body") == group:
            out[key] = key
            continue
        best = max(((fuzz.ratio(fold(name), fold(n)), k) for k, ns in left_out.items() for n in ns
                    if GROUPS.get(types[k], "body") == group), default=None)
        if best is not None and best[0] >= 90:
            out[key] = best[1]
    return out


def accepted_as_is(folder: Path, source: Path, work: Path) -> str:
    """Accept every proposal of a drafted file as it is (its `draft:` lines deleted, the new entities it lists
    declared) and build the folder: what the build says."""
    text = source.read_text(encoding="utf-8")
    listed = re.search(r"^  # entities:\n((?:  #   .*\n)+)", text, re.M)
    if listed is not None:
        (folder / "entities" / "drafted-new.yaml").write_text(
            "entities:\n" + "".join(line[4:] + "\n" for line in listed.group(1).splitlines()), encoding="utf-8")
    source.write_text("\n".join(line for line in text.split("\n") if not line.startswith("        draft: ")),
                      encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "graph_builder", "build", str(folder), "-o", str(work / "out"),
                           "--no-reason", "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        return f"refused ({proc.stderr.strip().splitlines()[-1]})"
    violations = re.search(r"^SHACL violations +(\d+)$", proc.stdout, re.M)
    return f"builds, {violations.group(1) if violations else '?'} SHACL violations"


Score = tuple[Counter[str], Counter[str], Counter[str], list[str]]


def score(jobs: list[tuple[Path, Path]]) -> Score:
    """Draft each (facts folder, source file) left out, and count the facts against the curated ones."""
    from graph_builder.drafting import draft_source

    curated_n: Counter[str] = Counter()
    proposed_n: Counter[str] = Counter()
    matched_n: Counter[str] = Counter()
    lines: list[str] = []
    for facts, source_file in jobs:
        with tempfile.TemporaryDirectory() as tmp:
            folder, left_out, types, key, curated = leave_out(facts, Path(tmp), source_file)
            path, found = draft_source(folder, key)
            drafted = plain(load_yaml(path, FactsDir(folder)))
            built = accepted_as_is(folder, path, Path(tmp))
        same = same_entities({k: (e.name, e.type) for k, e in found.new_entities.items()}, left_out, types)
        want = {f: kind for c in claims_of(curated) for kind, f in facts_of(c, {})}
        got = {f: kind for c in claims_of(drafted) for kind, f in facts_of(c, same)}
        hits = set(want) & set(got)
        if VERBOSE:
            print(f"== {key}: left out {sorted(left_out)}; same {same}", file=sys.stderr)
            for f in sorted(set(want) - hits):
                print("  missed", f, file=sys.stderr)
            for f in sorted(set(got) - hits):
                print("  extra ", f, file=sys.stderr)
        for f, kind in want.items():
            curated_n[kind] += 1
            matched_n[kind] += f in hits
        for f, kind in got.items():
            proposed_n[kind] += 1
        lines.append(f"| {key} | {len(want)} | {len(got)} | {len(hits)} | {_pc(len(hits), len(want))} | "
                     f"{_pc(len(hits), len(got))} | {len(left_out)} | {len(same)} | {built} |")
    return curated_n, proposed_n, matched_n, lines


def _pc(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def _table(result: Score) -> list[str]:
    curated_n, proposed_n, matched_n, per_source = result
    out = ["| kind | curated | proposed | both | recall | precision |", "|---|---|---|---|---|---|"]
    for kind in sorted(set(curated_n) | set(proposed_n)):
        out.append(f"| {kind} | {curated_n[kind]} | {proposed_n[kind]} | {matched_n[kind]} | "
                   f"{_pc(matched_n[kind], curated_n[kind])} | {_pc(matched_n[kind], proposed_n[kind])} |")
    total_c, total_p, total_m = sum(curated_n.values()), sum(proposed_n.values()), sum(matched_n.values())
    out.append(f"| **all** | {total_c} | {total_p} | {total_m} | **{_pc(total_m, total_c)}** | "
               f"**{_pc(total_m, total_p)}** |")
    out += ["", "Per source (facts; the entities left out, how many of them the draft named as new entities, and "
                "what `build --no-reason` says of the draft accepted as it is, its new entities declared):", "",
            "| source | curated | proposed | both | recall | precision | left out | named | accepted as is |",
            "|---|---|---|---|---|---|---|---|---|"] + per_source
    return out


def articles_folder(facts: Path, work: Path) -> list[tuple[Path, Path]]:
    """The bundled facts with every invented test article that has a curated source (tests/articles/*)."""
    folder = work / "facts"
    shutil.copytree(facts, folder)
    jobs: list[Path] = []
    for article in sorted((ROOT / "tests" / "articles").iterdir()):
        sources = sorted((article / "sources").glob("*.yaml")) if (article / "sources").is_dir() else []
        if not sources:
            continue
        for part in ("sources", "texts", "entities"):
            for path in sorted((article / part).iterdir()):
                shutil.copy(path, folder / part / path.name)
        jobs += [folder / "sources" / p.name for p in sources]
    return [(folder, job) for job in jobs]


def report(facts: Path) -> str:
    seeds = score([(facts, p) for p in sorted((facts / "sources").glob("*.yaml"))])
    total_c, total_m, total_p = sum(seeds[0].values()), sum(seeds[2].values()), sum(seeds[1].values())
    with tempfile.TemporaryDirectory() as tmp:
        invented = score(articles_folder(facts, Path(tmp)))
    out = ["# Draft benchmark", "",
           "Written by `python bench/draft.py` (see its docstring): each source drafted from its text with its",
           "own source file and the entities only it uses left out, the proposals scored against its curated",
           "claims as facts (one per field value). Recall: curated facts proposed. Precision: proposed facts",
           "curated. Deterministic: the same facts give the same report.", "",
           "## The five seed articles (facts/sources)", ""] + _table(seeds)
    out += ["", f"Target: recall at least 70 % and precision at least 80 % over all facts; reached: recall "
                f"{_pc(total_m, total_c)}, precision {_pc(total_m, total_p)}."]
    out += ["", "## The invented test articles (tests/articles, with the bundled facts)", "",
            "Written for the tests with fictional bodies and people; the rules were not written from them.", ""]
    out += _table(invented)
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=Path, default=ROOT / "facts")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "DRAFT.md")
    parser.add_argument("--verbose", action="store_true", help="list each source's missed and extra facts on stderr")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    text = report(args.facts)
    args.out.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
