"""Property tests (Hypothesis) on the facts loader and the builder.

(a) Generated VALID facts folders -- entities of several types named in
    English, Russian, Arabic and Hebrew (NFC, no invisible or bidi-control
    characters), source texts that contain every quote (quotes themselves full
    of quote characters and backslashes), statements of several kinds (events
    with series, number and dates at year/month/day precision, memberships with
    start <= end at mixed precisions, part_of, alias, founded) -- always load,
    build, validate with zero SHACL violations, and round-trip: the Turtle and
    N-Quads written by ``serialize`` and re-read by pyoxigraph are exactly the
    builder's quads (canonical N-Quads sets, lexical forms unchanged).
(b) The same folders with ONE random mutation (a broken date, a dangling
    reference, an end before its start, a missing quote, a tab, a duplicate
    key, an anchor/alias, a ``!!python`` tag, a BOM, non-UTF-8 bytes, an
    unknown field, a bad key, an unknown role) always fail with
    :class:`FactsError` -- never with another exception -- and every problem
    names a real file under the folder, a line inside it (0 only for
    whole-file problems), a field and a message. A few go through the CLI:
    exit code 2 and no traceback.

The Hypothesis profile is fixed (``derandomize=True``, no example database), so
CI runs the same examples every time.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import Literal

from conftest import run_cli
from graph_builder.building.build import build
from graph_builder.errors import FactsError
from graph_builder.loading.dates import PartialDate, definitely_before
from graph_builder.loading.facts import INVISIBLE, MIN_QUOTE_LETTERS, load_facts
from graph_builder.validating.reasoning import ontology_graph
from graph_builder.validating.validate import shacl_validate, shapes_graph
from graph_builder.writing.serialize import HEADER
from graph_builder.writing.serialize import nquads, ntriples, turtle
from test_export import read_pyoxigraph

PROFILE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# -- text ----------------------------------------------------------------------

LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüçñøå"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ"
ARABIC = "".join(chr(c) for c in range(0x0627, 0x064B))  # alef .. yeh (letters only, no marks)
HEBREW = "".join(chr(c) for c in range(0x05D0, 0x05EB))  # alef .. tav
DIGITS = "0123456789"
QUOTE_CHARS = ['"', "'", "«", "»", "„", "“", "”", "‘", "’", "‹", "›", "`", "\\"]
SCRIPTS = {"en": LATIN, "ru": CYRILLIC, "ar": ARABIC, "he": HEBREW}


def _clean(text: str) -> bool:
    return (unicodedata.normalize("NFC", text) == text and not INVISIBLE.search(text)
            and not any(unicodedata.category(c) in ("Cc", "Cf") for c in text) and bool(text.strip()))


def words(alphabet: str, min_words: int = 1, max_words: int = 4) -> st.SearchStrategy[str]:
    word = st.text(alphabet=alphabet + DIGITS, min_size=1, max_size=10)
    return st.lists(word, min_size=min_words, max_size=max_words).map(" ".join).filter(_clean)


def any_script_words() -> st.SearchStrategy[str]:
    """Words of any one script, quote characters and backslashes included."""
    return st.sampled_from(sorted(SCRIPTS.values())).flatmap(lambda a: words(a + "".join(QUOTE_CHARS)))


@st.composite
def quoted_sentence(draw: st.DrawFn, lang: str) -> str:
    """A sentence in the source's script with quote characters (and a backslash) inside it."""
    parts = draw(st.lists(st.tuples(words(SCRIPTS[lang], 1, 3), st.sampled_from(QUOTE_CHARS)), min_size=1, max_size=4))
    text = " ".join(w + q for w, q in parts) + "."
    short = MIN_QUOTE_LETTERS - sum(c.isalnum() for c in text)
    if short > 0:  # a quote is a sentence, not a letter: at least MIN_QUOTE_LETTERS letters or digits
        text = SCRIPTS[lang][0] * short + " " + text
    assume(_clean(text))
    return text


def y(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are YAML double-quoted scalars)."""
    return json.dumps(text, ensure_ascii=False)


# -- dates ---------------------------------------------------------------------

@st.composite
def partial_dates(draw: st.DrawFn, min_year: int = 1990, max_year: int = 2030) -> PartialDate:
    d = draw(st.dates(min_value=__import__("datetime").date(min_year, 1, 1),
                      max_value=__import__("datetime").date(max_year, 12, 31)))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return PartialDate(d.year)
    if precision == "month":
        return PartialDate(d.year, d.month)
    return PartialDate(d.year, d.month, d.day)


@st.composite
def ordered_dates(draw: st.DrawFn) -> tuple[PartialDate, PartialDate]:
    """(start, end) with end not definitely before start (mixed precisions allowed)."""
    a, b = draw(partial_dates()), draw(partial_dates())
    if definitely_before(b, a):
        a, b = b, a
    assert not definitely_before(b, a)
    return a, b


# -- a valid facts folder ---------------------------------------------------------

ROLES = """\
roles:
  - id: chair
    name: {en: Chair, ru: Председатель, ar: رئيس, he: יושב ראש}
  - id: vice-chair
    name: {en: Vice-Chair}
  - id: member
    name: {en: Member}
"""
COUNTRY_CODES = ["RU", "FR", "IL", "SA", "KZ", "BY", "AM"]
KEY_SUFFIX = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)


@dataclass
class Folder:
    """A generated facts folder: file texts plus what the mutations need to know."""

    files: dict[str, str]
    names: set[str] = field(default_factory=set)  # every text literal as written (names, quotes, aliases)
    keys: list[str] = field(default_factory=list)

    def write(self, root: Path) -> Path:
        for rel, content in self.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        return root


@st.composite
def names_block(draw: st.DrawFn, folder: Folder) -> str:
    langs = ["en"] + draw(st.lists(st.sampled_from(["ru", "ar", "he"]), unique=True, max_size=3))
    parts = []
    for lang in langs:
        text = draw(any_script_words() if lang == "en" else words(SCRIPTS[lang]))
        folder.names.add(text)
        parts.append(f"{lang}: {y(text)}")
    out = "    name: {" + ", ".join(parts) + "}\n"
    if draw(st.booleans()):
        alias_lang = draw(st.sampled_from(sorted(SCRIPTS)))
        alias = draw(words(SCRIPTS[alias_lang]))
        folder.names.add(alias)
        out += f"    aliases: {{{alias_lang}: [{y(alias)}]}}\n"
    return out


@st.composite
def valid_folders(draw: st.DrawFn) -> Folder:
    folder = Folder(files={"vocab/roles.yaml": ROLES})
    uniq = iter(range(10_000))

    def key(prefix: str) -> str:
        k = f"{prefix}-{next(uniq)}-{draw(KEY_SUFFIX)}"
        folder.keys.append(k)
        return k

    igo = key("org")
    committees = [key("committee") for _ in range(draw(st.integers(1, 2)))]
    series = key("series")
    meetings = [key("meeting") for _ in range(draw(st.integers(1, 3)))]
    persons = [key("person") for _ in range(draw(st.integers(1, 3)))]
    country, city = key("country"), key("city")
    decl = [(igo, "IntergovernmentalOrganization", ""), *[(c, "Committee", "") for c in committees],
            (series, "MeetingSeries", ""), *[(m, draw(st.sampled_from(["Meeting", "Session"])), "") for m in meetings],
            *[(p, "Person", "") for p in persons],
            (country, "Country", f"    code: {draw(st.sampled_from(COUNTRY_CODES))}\n"),
            (city, "City", f"    country: {country}\n")]
    entities = "entities:\n"
    for k, etype, extra in decl:
        entities += f"  - id: {k}\n    type: {etype}\n" + draw(names_block(folder)) + extra
    folder.files["entities/main.yaml"] = entities

    orgs = [igo, *committees]
    n_sources = draw(st.integers(1, 2))
    sources: list[dict[str, object]] = []
    for i in range(n_sources):
        lang = draw(st.sampled_from(sorted(SCRIPTS)))
        sources.append({"key": key("source"), "lang": lang, "statements": [], "quotes": []})

    def statement(body: str) -> None:
        src = sources[draw(st.integers(0, n_sources - 1))]
        quote = draw(quoted_sentence(str(src["lang"])))
        folder.names.add(quote)
        src["quotes"].append(quote)  # type: ignore[union-attr]
        src["statements"].append(f"  -\n    quote: {y(quote)}\n{body}")  # type: ignore[union-attr]

    # events: each meeting stated once, numbered within the series
    first = draw(st.integers(1, 400))
    steps = draw(st.lists(st.integers(1, 30), min_size=len(meetings), max_size=len(meetings)))
    numbers = [first + sum(steps[:i]) for i in range(len(meetings))]
    for m, number in zip(meetings, numbers):
        body = f"    event: {m}\n    series: {series}\n    number: \"{number}\"\n"
        shape = draw(st.sampled_from(["date", "start-end", "start", "none"]))
        if shape == "date":
            body += f"    date: \"{draw(partial_dates())}\"\n"
        elif shape == "start-end":
            a, b = draw(ordered_dates())
            body += f"    start: \"{a}\"\n    end: \"{b}\"\n"
        elif shape == "start":
            body += f"    start: \"{draw(partial_dates())}\"\n"
        if draw(st.booleans()):
            body += f"    place: {draw(st.sampled_from([city, country]))}\n"
        if draw(st.booleans()):
            body += f"    attendees: [{', '.join(draw(st.lists(st.sampled_from(orgs + persons), min_size=1, max_size=3, unique=True)))}]\n"
        statement(body)
    # memberships: the first always has start and end (the mutations need one)
    for i in range(draw(st.integers(1, 3))):
        a, b = draw(ordered_dates())
        body = (f"    membership: {key('tenure')}\n    member: {draw(st.sampled_from(persons))}\n"
                f"    organization: {draw(st.sampled_from(orgs))}\n    role: {draw(st.sampled_from(['chair', 'vice-chair', 'member']))}\n")
        which = "both" if i == 0 else draw(st.sampled_from(["both", "start", "end", "none"]))
        if which in ("both", "start"):
            body += f"    start: \"{a}\"\n"
        if which in ("both", "end"):
            body += f"    end: \"{b}\"\n"
        statement(body)
    for c in committees:
        statement(f"    part_of: {{unit: {c}, parent: {igo}}}\n")
    for org in draw(st.lists(st.sampled_from(orgs), unique=True, max_size=len(orgs))):
        statement(f"    founded: {{org: {org}, date: \"{draw(partial_dates(1900, 2020))}\"}}\n")
    for _ in range(draw(st.integers(0, 2))):
        lang = draw(st.sampled_from(sorted(SCRIPTS)))
        text = draw(words(SCRIPTS[lang]))
        folder.names.add(text)
        statement(f"    alias: {{entity: {draw(st.sampled_from(folder.keys[:len(decl)]))}, text: {y(text)}, lang: {lang}}}\n")

    for i, src in enumerate(sources):
        headline = draw(words(SCRIPTS[str(src["lang"])]))
        folder.names.add(headline)
        head = (f"source:\n  id: {src['key']}\n  text: text-{i}.txt\n  headline: {y(headline)}\n"
                f"  language: {src['lang']}\n  publisher: {draw(st.sampled_from(orgs))}\n"
                f"  published: \"{draw(partial_dates(2000, 2024))}\"\n")
        if draw(st.booleans()):
            head += f"  url: https://example.org/{src['key']}\n"
        statements = "".join(src["statements"]) if src["statements"] else ""  # type: ignore[arg-type]
        folder.files[f"sources/{src['key']}.yaml"] = head + ("statements:\n" + statements if statements else "statements: []\n")
        filler = draw(words(SCRIPTS[str(src["lang"])]))
        folder.files[f"texts/text-{i}.txt"] = (filler + ".\n" + "\n".join(src["quotes"]) + "\n")  # type: ignore[arg-type]
    return folder


# -- helpers -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shacl_graphs():
    return shapes_graph(), ontology_graph()


def _literal_forms(built) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(o) for _s, _p, o, _g in built.quads() if isinstance(o, Literal)}


# -- (a) valid folders -----------------------------------------------------------------

@settings(PROFILE, max_examples=20)
@given(folder=valid_folders())
def test_valid_facts_load_build_validate_and_round_trip(shacl_graphs, folder):
    with tempfile.TemporaryDirectory() as tmp:
        root = folder.write(Path(tmp) / "facts")
        facts = load_facts(root)
        built = build(facts)
        shapes, ontology = shacl_graphs
        violations = shacl_validate(built.merged_graph(), built.origins, shapes, ontology)
        errors = [v for v in violations if v.severity == "Violation"]
        assert errors == [], "\n".join(str(v.problem()) for v in errors)

        # every text as written is a literal's lexical form, unchanged
        assert folder.names <= _literal_forms(built), sorted(folder.names - _literal_forms(built))[:3]

        expected_merged = set(ntriples(built.merged()).splitlines())
        expected_quads = set(nquads(built.quads()).splitlines())
        ttl = turtle(built.merged(), header=HEADER).encode("utf-8")
        assert read_pyoxigraph(ttl, "turtle") == expected_merged
        nq = nquads(built.quads()).encode("utf-8")
        assert read_pyoxigraph(nq, "nquads") == expected_quads
        # and pyoxigraph's own lexical forms are the builder's, term by term
        oxi_lexical = {q.object.value for q in pyoxigraph.parse(nq, format=pyoxigraph.RdfFormat.N_QUADS)
                       if isinstance(q.object, pyoxigraph.Literal)}
        assert oxi_lexical == _literal_forms(built)


# -- (b) one mutation makes the folder invalid ---------------------------------------------------

BAD_DATES = ["2021-02-30", "2021-13-01", "21-03-01", "2021-00", "2021-04-31", "03/03/2021", "1:30", "202"]
DATE_LINE = re.compile(r'^(\s*)(date|start|end|published): "([^"]*)"$')
DATE_INLINE = re.compile(r'date: "([^"]*)"')
REF_LINE = re.compile(r"^(\s*)(member|organization|series|place|publisher|country): (\S+)$")
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х"}  # Latin -> Cyrillic


def _lines(folder: Folder, rel: str) -> list[str]:
    return folder.files[rel].split("\n")


def _yaml_files(folder: Folder) -> list[str]:
    return sorted(r for r in folder.files if r.endswith(".yaml"))


def _source_files(folder: Folder) -> list[str]:
    return sorted(r for r in folder.files if r.startswith("sources/"))


@st.composite
def _pick(draw: st.DrawFn, items: list) -> object:  # type: ignore[type-arg]
    assume(items)
    return draw(st.sampled_from(items))


def _where(folder: Folder, pattern: re.Pattern[str], files: list[str]) -> list[tuple[str, int]]:
    return [(rel, i) for rel in files for i, line in enumerate(_lines(folder, rel)) if pattern.search(line)]


def _set_line(folder: Folder, rel: str, i: int, new: str | list[str]) -> None:
    lines = _lines(folder, rel)
    lines[i:i + 1] = [new] if isinstance(new, str) else new
    folder.files[rel] = "\n".join(lines)


@st.composite
def mutated_folders(draw: st.DrawFn, kinds: tuple[str, ...] | None = None) -> tuple[str, Folder, dict[str, bytes]]:
    """(mutation name, folder, raw byte overrides) -- one mutation applied to a valid folder."""
    folder = draw(valid_folders())
    kind = draw(st.sampled_from(kinds or MUTATIONS))
    raw: dict[str, bytes] = {}
    if kind == "bad-date":
        spots = _where(folder, DATE_LINE, _source_files(folder)) + _where(folder, DATE_INLINE, _source_files(folder))
        rel, i = draw(_pick(spots))
        line = _lines(folder, rel)[i]
        bad = draw(st.sampled_from(BAD_DATES))
        m = DATE_LINE.match(line)
        _set_line(folder, rel, i, f'{m.group(1)}{m.group(2)}: "{bad}"' if m else DATE_INLINE.sub(f'date: "{bad}"', line, count=1))
    elif kind == "dangling-reference":
        rel, i = draw(_pick(_where(folder, REF_LINE, _yaml_files(folder))))
        m = REF_LINE.match(_lines(folder, rel)[i])
        _set_line(folder, rel, i, f"{m.group(1)}{m.group(2)}: {m.group(3)}-nowhere")
    elif kind == "end-before-start":
        rel, i = draw(_pick(_where(folder, re.compile(r"^    membership: "), _source_files(folder))))
        lines = _lines(folder, rel)
        j = i + 1
        while j < len(lines) and lines[j].startswith("    ") and not lines[j].startswith("    quote"):
            j += 1
        body = [ln for ln in lines[i:j] if not re.match(r"^    (start|end): ", ln)]
        folder.files[rel] = "\n".join(lines[:i] + body + ['    start: "2021-05"', '    end: "2021-03-31"'] + lines[j:])
    elif kind == "missing-quote":
        rel, i = draw(_pick(_where(folder, re.compile(r"^    quote: "), _source_files(folder))))
        _set_line(folder, rel, i, [])
    elif kind == "quote-not-in-text":
        rel, i = draw(_pick(_where(folder, re.compile(r"^    quote: "), _source_files(folder))))
        line = _lines(folder, rel)[i]
        _set_line(folder, rel, i, line[:-1] + ' (not in the text)"')
    elif kind == "tab":
        rel = draw(st.sampled_from(_yaml_files(folder)))
        lines = _lines(folder, rel)
        i = draw(_pick([k for k, ln in enumerate(lines) if ln.startswith("  ")]))
        _set_line(folder, rel, i, "\t" + lines[i].lstrip(" "))
    elif kind == "duplicate-key":
        rel, i = draw(_pick(_where(folder, re.compile(r"^    (type|name|member|role|series): "), _yaml_files(folder))))
        line = _lines(folder, rel)[i]
        _set_line(folder, rel, i, [line, line])
    elif kind == "anchor":
        rel, i = draw(_pick(_where(folder, re.compile(r"^  - id: "), ["entities/main.yaml"])))
        line = _lines(folder, rel)[i]
        _set_line(folder, rel, i, [line.replace("- id: ", "- id: &anchor "), "    note: *anchor"])
    elif kind == "python-tag":
        rel = draw(st.sampled_from(["entities/main.yaml", *_source_files(folder)]))
        lines = _lines(folder, rel)
        i = draw(_pick([k for k, ln in enumerate(lines) if re.match(r"^  (- )?id: ", ln)]))
        indent = "    " if lines[i].startswith("  - ") else "  "
        _set_line(folder, rel, i, [lines[i], indent + 'note: !!python/object/apply:os.system ["echo pwned"]'])
    elif kind == "bom":
        rel = draw(st.sampled_from(_yaml_files(folder)))
        raw[rel] = b"\xef\xbb\xbf" + folder.files[rel].encode("utf-8")
    elif kind == "non-utf8":
        rel = draw(st.sampled_from(_yaml_files(folder)))
        data = folder.files[rel].encode("utf-8")
        at = draw(st.integers(0, len(data)))
        # never split a UTF-8 sequence: move to the next character boundary
        while at < len(data) and (data[at] & 0xC0) == 0x80:
            at += 1
        raw[rel] = data[:at] + draw(st.sampled_from([b"\xff", b"\xfe", b"\xc0\xaf", b"\xe9t\xe9"])) + data[at:]
    elif kind == "unknown-field":
        rel = draw(st.sampled_from(_yaml_files(folder)))
        lines = _lines(folder, rel)
        spots = [k for k, ln in enumerate(lines) if re.match(r"^(  - id: |    quote: |  id: )", ln)]
        i = draw(_pick(spots))
        indent = "  " if lines[i].startswith("  id: ") else "    "
        _set_line(folder, rel, i, [lines[i], indent + "colour: red"])
    elif kind == "bad-key":
        rel, i = draw(_pick(_where(folder, re.compile(r"^  - id: |^    membership: "), ["entities/main.yaml", *_source_files(folder)])))
        line = _lines(folder, rel)[i]
        prefix, k = line.rsplit(" ", 1)
        if draw(st.booleans()):
            bad = y(k.replace("-", " ", 1)) if "-" in k else y(k + " x")
        else:
            letter = next((c for c in k if c in HOMOGLYPHS), None)
            bad = k.replace(letter, HOMOGLYPHS[letter], 1) if letter else "а" + k
        _set_line(folder, rel, i, f"{prefix} {bad}")
    elif kind == "unknown-role":
        rel, i = draw(_pick(_where(folder, re.compile(r"^    role: "), _source_files(folder))))
        _set_line(folder, rel, i, "    role: " + draw(st.sampled_from(["president", "chairman", "Chair", "co-chair"])))
    else:  # pragma: no cover
        raise AssertionError(kind)
    return kind, folder, raw


MUTATIONS = ["bad-date", "dangling-reference", "end-before-start", "missing-quote", "quote-not-in-text", "tab",
             "duplicate-key", "anchor", "python-tag", "bom", "non-utf8", "unknown-field", "bad-key", "unknown-role"]
WHOLE_FILE_FIELDS = {"file", "syntax", "nesting"}


def _write_mutated(root: Path, folder: Folder, raw: dict[str, bytes]) -> Path:
    folder.write(root)
    for rel, data in raw.items():
        (root / rel).write_bytes(data)
    return root


def _check_problems(root: Path, exc: FactsError) -> None:
    assert exc.problems, "a FactsError without problems"
    for p in exc.problems:
        path = Path(p.file)
        assert path.is_file(), f"problem names no real file: {p}"
        assert path.resolve().is_relative_to(root.resolve()), f"problem names a file outside the folder: {p}"
        n_lines = path.read_bytes().count(b"\n") + 1
        assert 1 <= p.line <= n_lines or (p.line == 0 and p.field in WHOLE_FILE_FIELDS), f"bad line: {p}"
        assert p.field and p.field.strip(), f"no field: {p}"
        assert p.message and p.message.strip(), f"no message: {p}"
        assert "Traceback" not in p.message


@settings(PROFILE, max_examples=60)
@given(case=mutated_folders())
def test_one_mutation_always_fails_with_located_facts_errors(case):
    kind, folder, raw = case
    with tempfile.TemporaryDirectory() as tmp:
        root = _write_mutated(Path(tmp) / "facts", folder, raw)
        try:
            load_facts(root)
        except FactsError as exc:
            _check_problems(root, exc)
        except Exception as exc:  # noqa: BLE001 - the property: nothing but FactsError
            raise AssertionError(f"mutation {kind!r} raised {type(exc).__name__}, not FactsError: {exc}") from exc
        else:
            raise AssertionError(f"mutation {kind!r} was accepted:\n" + "\n".join(
                f"--- {rel}\n{text}" for rel, text in folder.files.items() if rel.endswith(".yaml")))


@pytest.mark.parametrize("kind", MUTATIONS)
def test_every_mutation_kind_is_generated_and_rejected(kind):
    """Each mutation kind, on its own, at least once (so a bug in one kind cannot hide behind the others)."""

    @settings(PROFILE, max_examples=2)
    @given(case=mutated_folders((kind,)))
    def check(case):  # type: ignore[no-untyped-def]
        _kind, folder, raw = case
        with tempfile.TemporaryDirectory() as tmp:
            root = _write_mutated(Path(tmp) / "facts", folder, raw)
            with pytest.raises(FactsError) as info:
                load_facts(root)
            _check_problems(root, info.value)

    check()


@settings(PROFILE, max_examples=4)
@given(case=mutated_folders())
def test_cli_validate_exits_2_without_traceback(case):
    kind, folder, raw = case
    with tempfile.TemporaryDirectory() as tmp:
        root = _write_mutated(Path(tmp) / "facts", folder, raw)
        proc = run_cli("validate", str(root), "--no-reason", timeout=120)
        assert proc.returncode == 2, (kind, proc.returncode, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, (kind, proc.stderr[-2000:])
        assert re.search(r":\d+: error: |: error: ", proc.stderr), (kind, proc.stderr[-2000:])
