"""A strict YAML reader for hand-edited facts files.

PyYAML and ruamel's default constructors retype plain scalars (``NO`` becomes
``False``, ``0101`` becomes 65, ``1:30`` becomes 90), keep the last of two
duplicate keys, expand aliases and honour ``!!python`` tags. Curated facts
need none of that, so this module builds the document itself from a parser's
*event* stream:

* every scalar is a :class:`YStr` (a ``str``) that remembers its line; a plain
  ``~``/``null``/empty scalar is ``None``;
* mappings are :class:`YMap` (a ``dict``), sequences :class:`YSeq` (a
  ``list``), both with ``.line``;
* anchors, aliases, tags, duplicate keys, non-string keys, several documents,
  byte-order marks, non-UTF-8 bytes, files over :data:`MAX_BYTES` and nesting
  deeper than :data:`MAX_DEPTH` are errors that name the file and line.

The events come from libyaml (PyYAML's C parser), about 40 times faster than
ruamel's pure-Python parser, which matters at thousands of files. ruamel
(YAML 1.2) stays the reference:

* a file libyaml refuses (a syntax error or a rule of this module) is read
  again by ruamel, whose reading stands and whose messages users see;
* a file with text the two read differently goes to ruamel directly (see
  ``_RUAMEL_ONLY``: tab, NEL, LS, PS, BOM, a block scalar ``|`` / ``>``, a
  document-end marker ``...``);
* where libyaml is missing, ruamel reads every file.

One difference is left: libyaml reads a few flow-style documents ruamel
refuses (``[[a], "k":]``, a JSON-like key with its ``:`` adjacent, which
YAML 1.2 allows). ``tests/test_yamlload.py`` compares the two readings.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Iterator, Union

from graph_builder.errors import FactsError, Problem
from graph_builder.loading.factsdir import YAML_MAX_BYTES, FactsDir

MAX_BYTES = YAML_MAX_BYTES
MAX_DEPTH = 32

_NULLS = {"", "~", "null", "Null", "NULL"}
# text libyaml and ruamel read differently: libyaml (YAML 1.1) breaks lines at NEL, LS and PS, skips a
# BOM anywhere, allows more tabs, is lenient with block scalar headers (``|#``) and indentation, and
# sees no second document after two document-end markers (``...``)
# characters YAML does not allow in a stream (outside its printable set); both parsers refuse them,
# libyaml and ruamel without a line, so they are found first
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RUAMEL_ONLY = re.compile("[\t\x85\u2028\u2029\ufeff|>]|^[.][.][.]", re.MULTILINE)


class YStr(str):
    """A YAML scalar: a string that knows its line (1-based)."""

    line: int
    quoted: bool

    def __new__(cls, value: str, line: int, quoted: bool = False) -> "YStr":
        obj = super().__new__(cls, value)
        obj.line = line
        obj.quoted = quoted
        return obj


class YMap(dict[YStr, "YValue"]):
    """A YAML mapping that knows its line and the line of each key."""

    line: int = 0


class YSeq(list["YValue"]):
    """A YAML sequence that knows its line."""

    line: int = 0


YValue = Union[YStr, YMap, YSeq, None]


def line_of(value: object, default: int = 0) -> int:
    """The 1-based line of a loaded value, or ``default``."""
    return int(getattr(value, "line", default) or default)


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        raise FactsError([Problem(str(path), 1, "encoding", "the file starts with a byte-order mark; save it as UTF-8 without BOM")])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FactsError([Problem(str(path), 1, "encoding", "the file is UTF-16; save it as UTF-8")])
    return decode_utf8(path, data)


def decode_utf8(path: Path, data: bytes) -> str:
    """The text of a file's bytes; a byte that is not UTF-8 is a problem located at its line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FactsError([Problem(str(path), line, "encoding", f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")]) from None


def load_yaml(path: Path, folder: FactsDir) -> YValue:
    """Read one YAML file of a facts folder strictly; raise :class:`FactsError` on any problem."""
    return parse_yaml(folder.read(path, MAX_BYTES), path)


def _libyaml_events(text: str) -> Iterator[Any] | None:
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None

    def events() -> Iterator[Any]:
        parser = CParser(text)
        try:
            while parser.check_event():
                yield parser.get_event()
        finally:
            parser.dispose()

    return events()


def _ruamel_events(text: str, typ: str = "rt") -> Iterator[Any]:
    from ruamel.yaml import YAML

    events: Iterator[Any] = YAML(typ=typ, pure=True).parse(io.StringIO(text))
    return events


def parse_yaml(data: bytes, path: Path, *, engine: str = "auto") -> YValue:
    """Parse YAML bytes strictly (see the module docstring).

    ``engine`` is ``"auto"`` (libyaml, then ruamel for a file libyaml
    refuses), ``"libyaml"`` or ``"ruamel"`` (one parser only; for tests).
    """
    text = _decode(path, data)
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise FactsError([Problem(str(path), line, "character",
                                  f"the character U+{ord(bad.group()):04X} is not allowed in a YAML file; remove it")])
    if engine == "auto" and _RUAMEL_ONLY.search(text):
        engine = "ruamel"  # see _RUAMEL_ONLY
    if engine in ("auto", "libyaml"):
        events = _libyaml_events(text)
        if events is None:
            if engine == "libyaml":
                raise RuntimeError("PyYAML with libyaml is not installed")
        else:
            import yaml

            try:
                return _build(events, str(path), (yaml.MarkedYAMLError, yaml.YAMLError))
            except FactsError:
                if engine == "libyaml":
                    raise
                # any refusal is worded and located by ruamel, the reference (errors are rare)
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return _build(_ruamel_events(text), str(path), (MarkedYAMLError, YAMLError))
    except FactsError:
        raise
    except Exception:  # noqa: BLE001 - ruamel's round-trip scanner trips over some comment placements
        # (an AssertionError in its comment bookkeeping); its plain parser reads the same events
        return _build(_ruamel_events(text, "safe"), str(path), (MarkedYAMLError, YAMLError))


def _build(events: Iterator[Any], name: str, errors: tuple[type[BaseException], type[BaseException]]) -> YValue:
    """The document of an event stream; ``errors`` are the parser's (marked, any) error classes."""
    marked_error, any_error = errors
    stack: list[tuple[Union[YMap, YSeq], list[object]]] = []
    root: YValue = None
    documents = 0

    def fail(line: int, field: str, message: str) -> FactsError:
        return FactsError([Problem(name, line, field, message)])

    def attach(value: YValue, line: int) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        container, state = stack[-1]
        if isinstance(container, YSeq):
            container.append(value)
            return
        if state[0] is None:  # expecting a key
            if not isinstance(value, YStr):
                raise fail(line, "key", "keys must be plain strings")
            if value in container:
                first = line_of(state[1].get(value), 0) if isinstance(state[1], dict) else 0
                raise fail(line, str(value), f"duplicate key '{value}' (first at line {first})")
            state[0] = value
        else:
            key = state[0]
            assert isinstance(key, YStr)
            container[key] = value
            lines = state[1]
            assert isinstance(lines, dict)
            lines[key] = key
            state[0] = None

    try:
        for event in events:
            kind = type(event).__name__
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            if kind == "DocumentStartEvent":
                documents += 1
                if documents > 1:
                    raise fail(line, "document", "only one YAML document per file (remove the '---' separator)")
                continue
            if kind == "AliasEvent":
                raise fail(line, "alias", f"aliases (*{event.anchor}) are not allowed in facts files; write the value out")
            if kind in ("ScalarEvent", "MappingStartEvent", "SequenceStartEvent"):
                if event.anchor is not None:
                    raise fail(line, "anchor", f"anchors (&{event.anchor}) are not allowed in facts files")
                tag = event.tag
                if tag is not None and str(tag) not in ("!", ""):
                    raise fail(line, "tag", f"tags ({tag}) are not allowed in facts files")
            if kind == "ScalarEvent":
                quoted = event.style in ("'", '"', "|", ">")
                value = event.value
                scalar: YValue
                if not quoted and value in _NULLS:
                    scalar = None
                else:
                    scalar = YStr(value, line, quoted)
                if stack and isinstance(stack[-1][0], YMap) and stack[-1][1][0] is None and scalar is None:
                    raise fail(line, "key", "empty key")
                attach(scalar, line)
            elif kind == "MappingStartEvent":
                mapping = YMap()
                mapping.line = line
                attach(mapping, line)
                stack.append((mapping, [None, {}]))
                if len(stack) > MAX_DEPTH:
                    raise fail(line, "nesting", f"nesting deeper than {MAX_DEPTH} levels")
            elif kind == "SequenceStartEvent":
                seq = YSeq()
                seq.line = line
                attach(seq, line)
                stack.append((seq, [None, {}]))
                if len(stack) > MAX_DEPTH:
                    raise fail(line, "nesting", f"nesting deeper than {MAX_DEPTH} levels")
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                stack.pop()
    except FactsError:
        raise
    except marked_error as error:
        exc: Any = error
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        if "\\t" in problem or "tab" in problem.lower():
            problem = "a tab character where YAML needs spaces (" + problem + ")"
        else:
            problem += " (look for an unclosed quote or a wrong indentation on this line or above it)"
        raise fail(line, "syntax", problem) from None
    except any_error as exc:
        raise fail(0, "syntax", str(exc).strip().splitlines()[0]) from None
    except RecursionError:
        raise fail(0, "nesting", "the document is nested too deeply") from None
    return root
