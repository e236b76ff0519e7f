"""Text made safe for where it is written: a terminal, a spreadsheet, Markdown, an HTML page.

The graph's literals come from curated facts, from any RDF file given with
``--data`` and from any endpoint given with ``--endpoint``, so a name may hold
anything. Every writer of the project goes through one function per medium:

- :func:`terminal_text` (and :func:`terminal_lines`) for text meant for a
  terminal: tables, cards, timelines, the check report, messages on stderr.
  Control characters (C0, DEL, C1), lone surrogates, bidi controls, invisible
  format characters and the Unicode line and paragraph separators are shown
  escaped (``\\x1b``, ``\\u202e``, ``\\n``), never written raw. The escapes are
  for reading, not for reversing: a backslash already in the text is left as
  it is (JSON output is the exact form).
- :func:`delimited` for CSV and TSV: every cell goes through
  :func:`spreadsheet_cell`, which neutralises a cell a spreadsheet would run
  as a formula, as OWASP recommends (a leading ``'``, and the cell quoted
  when CSV needs it); ``raw=True`` keeps the values as they are.
- :func:`markdown_text` for Markdown tables and lists.
- :func:`html_json` for JSON data embedded in an HTML ``<script>`` element.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

# C0 controls, DEL, C1 controls; lone surrogates; the Arabic letter mark, the
# zero-width characters and left-to-right / right-to-left marks, the line and
# paragraph separators, the bidi embeddings, overrides and isolates, the word
# joiner and invisible operators, and the byte-order mark / zero-width no-break space.
_UNSAFE_FOR_TERMINAL = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """``text`` as one line for a terminal: controls, bidi and invisible characters escaped.

    >>> terminal_text("a\\x1b]0;x\\x07 \\u202eb\\nc")
    'a\\\\x1b]0;x\\\\x07 \\\\u202eb\\\\nc'
    """
    return _UNSAFE_FOR_TERMINAL.sub(_escape, text)


def terminal_lines(text: str) -> str:
    """Multi-line ``text`` for a terminal: its line breaks kept, each line as :func:`terminal_text`."""
    return "\n".join(terminal_text(line) for line in text.split("\n"))


# ---------------------------------------------------------------------------
# CSV and TSV
# ---------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class Numeral:
    """A cell holding the lexical form of a typed numeric literal (``"-5"^^xsd:integer``).

    A spreadsheet reads a plain numeral such as ``-5`` or ``-1.5E3`` as a number,
    never as a formula, so :func:`spreadsheet_cell` keeps it as it is; any other
    text (an ill-typed ``"-2+3"^^xsd:integer``) is treated as text.
    """

    text: str


Cell = str | Numeral


def spreadsheet_cell(cell: Cell) -> str:
    """A cell a spreadsheet will not run: one starting with ``= + - @``, a tab or a CR gets a leading ``'``.

    A :class:`Numeral` that is a plain number stays as it is.
    """
    if isinstance(cell, Numeral):
        if _PLAIN_NUMBER.fullmatch(cell.text):
            return cell.text
        cell = cell.text
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _quoted(cell: str, delimiter: str) -> str:
    """The cell as CSV writes it: quoted (quotes doubled) when it holds the delimiter, a quote, CR or LF."""
    if delimiter in cell or '"' in cell or "\n" in cell or "\r" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def delimited(fmt: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, raw: bool = False,
              line_end: str = "\n") -> str:
    """A header and rows as ``csv`` (comma) or ``tsv`` (tab), one line each, ended by ``line_end``.

    Cells are quoted as RFC 4180 says (a CR inside a cell too, which Python's
    csv module leaves bare when lines end in LF); a line of one empty cell is
    written ``""``. Unless ``raw``, every cell goes through :func:`spreadsheet_cell`.
    """
    delimiter = "," if fmt == "csv" else "\t"
    out: list[str] = []
    for row in (header, *rows):
        cells = [(c.text if isinstance(c, Numeral) else c) if raw else spreadsheet_cell(c) for c in row]
        line = delimiter.join(_quoted(c, delimiter) for c in cells)
        out.append('""' if cells == [""] else line)
    return "".join(line + line_end for line in out)


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------

_MD_INLINE = re.compile(r"[\\|<]")
_MD_BREAK = re.compile(r"\r\n|\r|\n")
_MD_BLOCK_START = re.compile(r"[#>+\-*=`~]|[0-9]+(?=[.)])")


def markdown_text(text: str, *, line_start: bool = False) -> str:
    """``text`` for a Markdown table cell (or, ``line_start``, a heading or list item), shown as it is.

    ``\\``, ``|`` and ``<`` are backslash-escaped (a cell never ends early, no
    HTML is formed), line breaks become ``<br>``, and what remains goes through
    :func:`terminal_text`. Nothing at the start of a cell can break a table; at
    the start of a list item (``line_start``) a character that would start a
    block (a heading, a quote, a list, a code fence) is escaped too.
    """
    text = _MD_BREAK.sub("<br>", _MD_INLINE.sub(lambda m: "\\" + m.group(), text))
    start = _MD_BLOCK_START.match(text) if line_start else None
    if start is not None:  # "# x" -> "\# x"; a numbered item "1. x" -> "1\. x"
        at = start.end() if text[0].isdigit() else 0
        text = text[:at] + "\\" + text[at:]
    return terminal_text(text)


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

_HTML_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_HTML_JSON_UNSAFE = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


def html_json(data: Any) -> str:
    """``data`` as JSON text to put inside an HTML ``<script>`` element (sorted keys).

    ``<``, ``>`` and ``&`` are written ``\\u003c``, ``\\u003e``, ``\\u0026``, so
    no ``<!--``, ``<script`` or ``</script>`` (in any case) can end or change
    the element; U+2028 and U+2029 and any lone surrogate are escaped too.
    Outside strings JSON has none of these characters, and inside a string
    each escape reads back as the character, so ``JSON.parse`` gives ``data``.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return _HTML_JSON_UNSAFE.sub(lambda m: _HTML_JSON_ESCAPES.get(m.group()) or f"\\u{ord(m.group()):04x}", text)
