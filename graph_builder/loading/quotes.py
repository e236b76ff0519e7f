"""A quote that is not in its source text, explained in the curator's terms.

:func:`nearest_sentence` finds the sentence of the text the quote is nearest
to, and says where the two differ, word by word: "where the quote has
“named”, the text has “elected”". Characters that look alike but differ (a
straight ' and a curly ’, a hyphen and a dash) are named with their code
points, since they cannot be told apart on screen.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata

# A sentence ends at . ! ? or … (and any closing quotes or brackets), before a space.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+")
# Below this likeness the text has no sentence near the quote.
MIN_LIKENESS = 0.6
_SHOWN_DIFFERENCES = 3


def sentences(text: str) -> list[str]:
    """The sentences of a text whose white space is already one space each."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


# Words whose full stop does not end a sentence ("Mr. Pranab Kumar Das"), and single initials ("A. Smith").
_ABBREVIATION = re.compile(r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|St|No|Nos|Art|para|e\.g|i\.e|etc|vs|"
                           r"г|гг|им|т\.е|т\.д|[A-ZА-Я])\.$")


def text_sentences(text: str) -> list[str]:
    """The sentences of an article's text as a curator quotes them: a paragraph break (a blank line) ends a
    sentence too (a headline or a date line has no full stop), a title's or an initial's full stop does not,
    and white space is folded to one space."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for sentence in sentences(re.sub(r"\s+", " ", paragraph).strip()):
            if out and out[-1].endswith(".") and _ABBREVIATION.search(out[-1]):
                out[-1] += " " + sentence
            else:
                out.append(sentence)
        out.append("")  # a paragraph's end: nothing joins across it
    return [s for s in out if s]


@functools.lru_cache(maxsize=4)
def _sentences_of(text: str) -> tuple[str, ...]:
    """:func:`sentences`, kept for the text whose quotes are being checked (a file may miss many)."""
    return tuple(sentences(text))


def _char(c: str) -> str:
    return f"{c} U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}"


def _lookalikes(ours: str, theirs: str) -> str:
    """`` (’ U+2019 ..., not ' U+0027 ...)`` when two words of one length differ only in characters that look alike."""
    if len(ours) != len(theirs):
        return ""
    pairs = [(a, b) for a, b in zip(ours, theirs) if a != b]
    if not pairs or any(unicodedata.normalize("NFKD", a).isalnum() and unicodedata.normalize("NFKD", b).isalnum()
                        for a, b in pairs):
        return ""
    named = dict.fromkeys(f"{_char(b)}, not {_char(a)}" for a, b in pairs)
    return " (" + "; ".join(named) + ")"


def _differences(quote: str, sentence: str) -> list[str]:
    ours, theirs = quote.split(" "), sentence.split(" ")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = " ".join(ours[i1:i2]), " ".join(theirs[j1:j2])
        if tag == "replace":
            out.append(f"where the quote has “{a}”, the text has “{b}”{_lookalikes(a, b)}")
        elif tag == "delete":
            out.append(f"the quote adds “{a}”")
        elif tag == "insert":
            out.append(f"the quote leaves out “{b}”")
    return out


def nearest_sentence(quote: str, text: str) -> str:
    """What to tell a curator whose quote (white space folded) is not in the text (white space folded)."""
    # The nearest sentence by words (a sentence is tens of words but hundreds of characters, and the
    # comparison is quadratic); how alike it is, by characters.
    words = quote.split(" ")
    best, best_words = "", 0.0
    for candidate in _sentences_of(text):
        matcher = difflib.SequenceMatcher(None, words, candidate.split(" "), autojunk=False)
        if matcher.real_quick_ratio() <= best_words or matcher.quick_ratio() <= best_words:
            continue
        ratio = matcher.ratio()
        if ratio > best_words:
            best, best_words = candidate, ratio
    likeness = difflib.SequenceMatcher(None, quote, best, autojunk=False).ratio() if best else 0.0
    if likeness < MIN_LIKENESS:
        return ("this sentence does not occur in the source text, and no sentence of the text is near it "
                "(is the quote from this article?)")
    diffs = _differences(quote, best)
    more = len(diffs) - _SHOWN_DIFFERENCES
    shown = "; ".join(diffs[:_SHOWN_DIFFERENCES]) + (f"; and {more} more" if more > 0 else "")
    return (f"this sentence does not occur in the source text; the nearest sentence of the text "
            f"({round(likeness * 100)}% alike) is “{best}”" + (f": {shown}" if shown else ""))
