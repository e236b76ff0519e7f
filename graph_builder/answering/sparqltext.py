"""One reading of a SPARQL query text, the same for the safety check and for every engine.

rdflib's parser (the safety check) and Oxigraph (the engine) once read the
same text differently: rdflib ends a ``#`` comment at ``\\n`` only, Oxigraph
at ``\\r`` too, so ``# x\\r SERVICE <...> {...}`` was a comment to the check
and a SERVICE call to the engine. :func:`read_query` therefore rewrites the
text once into a form both read alike, and that text, not the user's, is what
the check parses and what every engine runs:

* the codepoint escapes ``\\uXXXX`` and ``\\UXXXXXXXX`` are expanded here, once
  (SPARQL 1.1 section 19.2 expands them before the grammar); an escape left in
  the result (``\\u005Cu0053`` spells ``\\u0053``) is refused, so no engine
  expands anything a second time;
* ``\\r\\n`` and ``\\r`` become ``\\n`` (a carriage return inside a string can be
  written ``\\r``);
* text that is not Unicode (a lone surrogate: undecodable bytes on the
  command line) is refused.

:func:`scan` is a second, independent reading with SPARQL's own tokens: it
finds the keywords ``SERVICE`` and ``FROM`` outside comments, strings and IRIs,
ending a comment at the first character any engine could take for a line
end, and measures how deeply groups and brackets nest, so that a deep query
is refused before a recursive parser is given it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph_builder.errors import QueryError
from graph_builder.limits import MAX_NESTING

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ESCAPE_LEFT = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
_LINE_ENDS = "\n\r\u2028\u2029\u0085\x0b\x0c"  # any character an engine might end a comment at
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?")
_NAME_CHAR = re.compile(r"[\w\-\u00B7\u0300-\u036F\u203F-\u2040]")
_LOCAL_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]")
_LANGTAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_VARNAME = re.compile(r"[\w\u00B7\u0300-\u036F\u203F-\u2040]+")
REACHING_OUT = {"SERVICE": "SERVICE", "FROM": "FROM / FROM NAMED"}


def read_query(text: str) -> str:
    """The query text as every reader of it sees it (see the module's notes); :class:`QueryError` if refused."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QueryError(f"the query is not Unicode text: character {exc.start + 1} is an undecodable byte "
                         f"(U+{ord(text[exc.start]):04X}); save it as UTF-8") from None

    def expand(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"the escape {m.group(0)} is not a Unicode character")
        return chr(code)

    expanded = _ESCAPE.sub(expand, text)
    left = _ESCAPE_LEFT.search(expanded)
    if left:
        raise QueryError(f"the query's escapes spell another escape ('{left.group(0)}' after expanding them): "
                         "escapes are expanded once; write the character itself")
    return expanded.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Scan:
    """What :func:`scan` found: the reaching-out keywords, the deepest nesting, where the first group opens."""

    keywords: tuple[str, ...]
    depth: int
    first_group: int | None


def scan(text: str) -> Scan:
    """SPARQL's tokens of ``text`` (after :func:`read_query`), read for the keywords that reach out."""
    found: set[str] = set()
    depth = deepest = 0
    first_group: int | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            while i < n and text[i] not in _LINE_ENDS:
                i += 1
        elif ch in "\"'":
            i = _string_end(text, i)
        elif ch == "<" and (m := _IRIREF.match(text, i)):
            i = m.end()
        elif ch in "?$" and (m := _VARNAME.match(text, i + 1)):
            i = m.end()
        elif ch == "@" and (m := _LANGTAG.match(text, i)):
            i = m.end()
        elif ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            i = m.end() if m else i + 1
        elif ch == "_" and text.startswith("_:", i):
            i = _name_end(text, i + 2)
        elif ch.isalpha() or ch == "_" or ch == ":":
            end = _name_end(text, i)
            word = text[i:end]
            if ":" not in word and "-" not in word and word.upper() in REACHING_OUT:
                found.add(REACHING_OUT[word.upper()])
            i = end
        else:
            if ch in "{([":
                if ch == "{" and first_group is None:
                    first_group = i
                depth += 1
                deepest = max(deepest, depth)
            elif ch in "})]":
                depth = max(depth - 1, 0)
            i += 1
    return Scan(tuple(sorted(found)), deepest, first_group)


def _string_end(text: str, i: int) -> int:
    """Where the string starting at ``i`` ends; a short string ends at a line end, as in the grammar."""
    n = len(text)
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < n:
        if text[j] == "\\":
            j += 2
        elif text.startswith(quote, j):
            return j + len(quote)
        elif len(quote) == 1 and text[j] in _LINE_ENDS:
            return j
        else:
            j += 1
    return n


def _name_end(text: str, i: int) -> int:
    """The end of a name (keyword, function, prefixed name or blank node label) starting at ``i``.

    A prefixed name's local part takes ``:``, ``%xx`` and the escapes of the
    grammar (``\\,`` and so on), nothing else; a trailing ``.`` ends the triple,
    not the name.
    """
    j, n = i, len(text)
    while j < n:
        if _NAME_CHAR.match(text, j) or text[j] in ".:":
            j += 1
        elif (m := _LOCAL_ESCAPE.match(text, j)):
            j = m.end()
        else:
            break
    while j > i + 1 and text[j - 1] == ".":
        j -= 1
    return j


def check_text(text: str, allow_remote: bool) -> None:
    """Refuse a (read) query text whose tokens reach out, or that nests deeper than :data:`MAX_NESTING`."""
    found = scan(text)
    if found.depth > MAX_NESTING:
        raise QueryError(f"the query nests groups or brackets {found.depth} deep; at most {MAX_NESTING} are read")
    if found.keywords and not allow_remote:
        refuse(found.keywords[0])


def refuse(what: str) -> None:
    raise QueryError(f"{what} is refused: a query may only read the local graph "
                     "(pass --allow-remote to let it reach other endpoints or graphs)")
