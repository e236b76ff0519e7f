"""Start curating a new article: ``customs-kg new-source`` writes its source file and copies its text.

:func:`detect` reads what the text shows of itself: the publication date (a
line that is a date, such as "Published at: 12 February 2021 13:08", "03
февраля 2023" or "07 janvier 2016", among the first lines), the headline (the
line just before that date line; the first line when there is none) and the
language (the letters of the body: Cyrillic for Russian, French or English
function words otherwise). Nothing is guessed beyond that: a date that the
text does not show is left out, and each detected field is written with a
comment saying the line it was read from, for the curator to check.
:func:`new_source` copies the text into ``texts/`` and writes
``sources/KEY.yaml``, refusing to overwrite either, and reads the folder back
with the loader (through the folder's cache, as every command reads it) before it keeps them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from graph_builder.atomic import write_atomic
from graph_builder.errors import FactsError, InputError, UsageError
from graph_builder.loading.facts import Source
from graph_builder.pipeline import read_facts

HEAD_LINES = 25  # how far from the top a date line is looked for

_MONTHS = {
    **{m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                    "september", "october", "november", "december"), 1)},
    **{m: i for i, m in enumerate(("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                    "septembre", "octobre", "novembre", "décembre"), 1)},
    **{m: i for i, m in enumerate(("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                                    "сентября", "октября", "ноября", "декабря"), 1)},
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATES = (
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH})\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(r"\b(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{4})\b"),
)
_LEFTOVER = re.compile(r"^(?:published(?: at| on)?|date|опубликовано|publié le)?[\s:,.\-–]*(?:\d{1,2}:\d{2})?[\s.]*$",
                       re.I)
_FRENCH = {"le", "la", "les", "des", "du", "et", "une", "est", "dans", "pour", "sur", "au", "aux"}
_ENGLISH = {"the", "of", "and", "in", "to", "was", "were", "is", "for", "on", "with", "by"}
_KEY_WORDS = 8


@dataclass(frozen=True)
class Detected:
    """What the text shows of itself, each with the 1-based line it was read from (0: not shown)."""

    headline: str
    headline_line: int
    published: str | None
    published_line: int
    language: str
    language_why: str


def _date_in(line: str) -> str | None:
    """The date a line consists of (a date, perhaps with "Published at:" and a time), as YYYY-MM-DD."""
    for pattern in _DATES:
        m = pattern.search(line)
        if m is None:
            continue
        if not _LEFTOVER.match(line[:m.start()] + " " + line[m.end():]):
            continue
        month = m["m"]
        month_number = int(month) if month.isdigit() else _MONTHS[month.lower()]
        year, day = int(m["y"]), int(m["d"])
        if not (1 <= month_number <= 12 and 1 <= day <= 31):
            continue
        return f"{year:04d}-{month_number:02d}-{day:02d}"
    return None


def _language(body: str) -> tuple[str, str]:
    letters = [c for c in body if c.isalpha()]
    if not letters:
        return "en", "no letters in the text; English assumed, check it"
    cyrillic = sum(1 for c in letters if "CYRILLIC" in unicodedata.name(c, ""))
    if cyrillic / len(letters) > 0.5:
        return "ru", f"{100 * cyrillic // len(letters)}% of its letters are Cyrillic"
    words = re.findall(r"[^\W\d_]+", body.lower())
    french = sum(1 for w in words if w in _FRENCH)
    english = sum(1 for w in words if w in _ENGLISH)
    if french > english:
        return "fr", f"French function words ({french}) outnumber English ones ({english})"
    return "en", f"English function words ({english}) outnumber French ones ({french})"


def detect(text: str) -> Detected:
    """The headline, publication date and language a text shows (see the module docstring)."""
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise UsageError("the text is empty")
    published, published_line, headline_at = None, 0, 0
    for i, (n, line) in enumerate(lines[:HEAD_LINES]):
        found = _date_in(line)
        if found is not None and i > 0:
            published, published_line, headline_at = found, n, i - 1
            break
    head_n, headline = lines[headline_at]
    body = "\n".join(line for _n, line in lines[headline_at + 1:])
    language, why = _language(body or headline)
    return Detected(headline, head_n, published, published_line, language, why)


def source_key(detected: Detected, publisher: str | None) -> str:
    """A key for the source: its publisher, date and the first words of its headline."""
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", detected.headline).encode("ascii", "ignore")
                       .decode().lower())
    parts = [p for p in (publisher, detected.published) if p] + words[:_KEY_WORDS]
    key = "-".join(parts) or "source"
    return key[:120].rstrip("-")


def yaml_string(text: str) -> str:
    """A YAML double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def site_publisher(url: str | None, sources: Iterable[Source]) -> tuple[str, str] | None:
    """The publisher of the articles already curated from the same site as ``url`` (its host name), with the
    reason, when they all name one; None otherwise (a guess is never made between two)."""
    from urllib.parse import urlparse

    host = urlparse(url).hostname if url else None
    if not host:
        return None
    seen = sorted((s.publisher, s.key) for s in sources
                  if s.publisher and s.url and urlparse(s.url).hostname == host)
    if len({p for p, _ in seen}) != 1:
        return None
    publisher, example = seen[0]
    return publisher, (f"the site's address ({host}) is the one of the articles {publisher} published "
                       f"(such as {example})")


def source_yaml(key: str, text_name: str, detected: Detected, *, origin: str, url: str | None,
                publisher: str | None, published: str | None, language: str | None,
                inferred_publisher: tuple[str, str] | None = None) -> str:
    """The new source file: the source block, each detected field with the line it was read from."""
    out = [f"# Written by customs-kg new-source from {origin}: check each field against the text, then quote its",
           "# sentences (customs-kg sentences texts/" + text_name + ") and write the claims under them.",
           "source:", f"  id: {key}", f"  text: {text_name}",
           f"  headline: {yaml_string(detected.headline)}  # line {detected.headline_line} of the text"]
    if publisher:
        out.append(f"  publisher: {publisher}  # given with --publisher")
    elif inferred_publisher:
        out.append(f"  publisher: {inferred_publisher[0]}  # from the site's address: check it")
        out.append(f"  publisher_inferred: {yaml_string(inferred_publisher[1])}")
    if published:
        out.append(f'  published: "{published}"  # given with --published')
    elif detected.published:
        out.append(f'  published: "{detected.published}"  # line {detected.published_line} of the text')
    if language:
        out.append(f"  language: {language}  # given with --language")
    else:
        out.append(f"  language: {detected.language}  # detected: {detected.language_why}")
    if url:
        out.append(f"  url: {url}")
    out += ["", "statements: []", ""]
    return "\n".join(out)


def new_source(facts: Path, text_file: Path, *, url: str | None = None, publisher: str | None = None,
               published: str | None = None, language: str | None = None, key: str | None = None) -> tuple[Path, Path, Detected]:
    """Copy ``text_file`` into ``facts/texts`` and write ``facts/sources/KEY.yaml``; return both paths."""
    from graph_builder.loading.dates import DateFormatError, parse_date
    from graph_builder.loading.facts import KEY_RE
    from graph_builder.loading.factsdir import TEXT_MAX_BYTES, FactsDir
    from graph_builder.loading.yamlload import decode_utf8

    if not text_file.is_file():
        raise InputError(f"{text_file}: error: text: no such file")
    try:
        text = decode_utf8(text_file, FactsDir(text_file.parent).read(text_file, TEXT_MAX_BYTES))
    except FactsError as exc:
        raise InputError("\n".join(str(problem) for problem in exc.problems)) from None
    if published is not None:
        try:
            parse_date(published)
        except DateFormatError as exc:
            raise UsageError(f"--published: {exc}") from None
    if not (facts / "sources").is_dir() or not (facts / "texts").is_dir():
        raise InputError(f"{facts}: error: facts: not a facts folder (no sources/ or texts/ in it)")
    existing = read_facts(facts)
    if publisher is not None and publisher not in existing.entities:
        raise UsageError(f"--publisher: '{publisher}' is not declared in any entities file of {facts}")
    detected = detect(text)
    key = key or source_key(detected, publisher)
    if not KEY_RE.fullmatch(key):
        raise UsageError(f"--key: '{key}' is not a key (lower-case letters, digits and hyphens)")
    if key in existing.sources or key in existing.entities:
        raise InputError(f"{facts}: error: key: '{key}' is already declared; give another with --key")
    text_path, source_path = facts / "texts" / f"{key}.txt", facts / "sources" / f"{key}.yaml"
    for path in (text_path, source_path):
        if path.exists():
            raise InputError(f"{path}: error: output: the file exists; new-source never overwrites (give --key)")
    yaml_text = source_yaml(key, text_path.name, detected, origin=text_file.name, url=url, publisher=publisher,
                            published=published, language=language,
                            inferred_publisher=None if publisher else site_publisher(url, existing.sources.values()))
    write_atomic(text_path, text)
    try:
        write_atomic(source_path, yaml_text)
        read_facts(facts)  # the new file reads back as a valid source (the others come from the cache)
    except BaseException:
        text_path.unlink(missing_ok=True)
        source_path.unlink(missing_ok=True)
        raise
    return text_path, source_path, detected
