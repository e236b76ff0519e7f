"""A static site of the graph (``customs-kg site``): pages a person reads, from ``file://`` or any web host.

One flat folder, written as a whole (:func:`graph_builder.writing.publish.publish`, kind ``site``):

- ``index.html``: a search over every name of every entity (preferred names,
  aliases, spellings, codes, keys, in every language; case and accents do not
  matter: the names are compared after :func:`graph_builder.answering.resolve.normalize`,
  and the page folds the query the same way) and the entities listed by kind;
- ``entity-KEY.html``: the card of :func:`graph_builder.answering.cards.entity_card`,
  each line marked *stated* (a source states it), *planned* (a modality or a
  planned role: not stated as done), *derived* (computed from stated links) or
  *no source*, followed by its sources (headline, date) with the quoted
  sentence on demand (``<details>``), and links to the related pages;
- ``timeline-KEY.html`` for a person, a body or a meeting series: the lines of
  :func:`graph_builder.answering.cards.timeline` drawn in lanes on a time axis,
  each bar spanning what the dates at their precision allow; a line with one
  date only is a mark with an arrow, never a span; the undated lines sit in a
  lane labelled as such with no bar at all; numbering gaps listed;
- ``network-KIND.html``: the four networks of :mod:`graph_builder.answering.network`
  (``?focus=KEY&depth=N`` shows the part around one entity), laid out per kind
  (a tree for ``structure``, lanes for ``chairs``, a seeded force layout for
  ``membership`` and ``participation``), with an ``as of`` date control;
- ``sparql.html``: SPARQL in the browser on the embedded graph (Oxigraph's
  WebAssembly build, vendored in ``graph_builder/assets/``), the named queries
  as examples, the same refusals as the command line (no ``SERVICE``, no
  ``FROM``, no updates).

Every page's Content-Security-Policy allows scripts and styles of the site
only and no connection (``connect-src 'none'``): no request leaves a page.
Data goes into pages as :func:`~graph_builder.textsafe.html_json` and text as
escaped HTML; the scripts write values with ``textContent``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import networkx as nx
from rdflib import Graph, Literal, URIRef

from graph_builder.answering.cards import PLANNED, Card, Evidence, Line, entity_card, timeline
from graph_builder.answering.network import KINDS, Source, build_network
from graph_builder.answering.query import all_queries, top_group_start
from graph_builder.answering.resolve import ALIAS_PREDICATES, CODE_PREDICATES, PREFERRED_PREDICATES, entities, normalize
from graph_builder.answering.viz import EDGE_STYLES, KIND_NAMES, NODE_COLORS, NODE_SHAPES, TITLES, edge_id, layout
from graph_builder.answering.viz import timeline as chairs_timeline
from graph_builder.answering.words import word
from graph_builder.iris import key_of, local_name
from graph_builder.loading.dates import parse_date
from graph_builder.namespaces import PREFIXES, RDF
from graph_builder.textsafe import html_json
from graph_builder.writing.serialize import ntriples
from graph_builder.writing.store import graph_store

SITE_LANGUAGES = ("en", "ru")

# Entity kinds of the index, by the local names of their types; the first that matches wins.
ENTITY_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("person", ("Person",)),
    ("administration", ("NationalCustomsAdministration",)),
    ("rilo", ("RILO",)),
    ("series", ("EventSeries", "MeetingSeries")),
    ("meeting", ("Meeting",)),
    ("operation", ("Operation",)),
    ("organization", ("Organization",)),
    ("country", ("Country",)),
    ("place", ("Place", "City")),
    ("programme", ("Programme", "Project")),
    ("platform", ("InformationPlatform", "SoftwareApplication")),
    ("document", ("Plan", "Agreement", "Document", "CreativeWork")),
    ("role", ("Role",)),
)
TIMELINE_KINDS = ("person", "administration", "rilo", "series", "organization")
KIND_HEADINGS = {  # the index's lists, by entity kind
    "person": "people", "administration": "national customs administrations", "rilo": "RILOs",
    "series": "meeting series", "meeting": "meetings", "operation": "operations", "organization": "bodies and units",
    "country": "countries", "place": "places", "programme": "programmes and projects", "platform": "platforms",
    "document": "plans, agreements, documents", "role": "roles", "other": "others",
}

def escaped_words(lang: str) -> Callable[[str], str]:
    """``word(text, lang)``, escaped for HTML."""
    return lambda text: escape(word(text, lang))


_KEY = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")


def page_name(key: str, prefix: str = "entity") -> str:
    """The file of an entity's page: ``entity-rilo-cis.html``, ``entity-role~chair.html``; a hash for a foreign IRI."""
    if _KEY.fullmatch(key):
        return f"{prefix}-{key.replace('/', '~')}.html"
    return f"{prefix}-x{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}.html"


def asset_bytes(name: str) -> bytes:
    return resources.files("graph_builder").joinpath("assets", name).read_bytes()


def asset_text(name: str) -> str:
    return asset_bytes(name).decode("utf-8")


@dataclass(frozen=True)
class Entity:
    """An entity of the site: its key, label in the site's language, kind and every name."""

    iri: URIRef
    key: str
    label: str
    kind: str
    types: tuple[str, ...]
    names: tuple[tuple[str, str], ...]  # (name as written, language tag or "")


def entity_kind(types: Iterable[str]) -> str:
    found = set(types)
    return next((kind for kind, names in ENTITY_KINDS if found & set(names)), "other")


def site_entities(graph: Graph, lang: str) -> dict[str, Entity]:
    """Every entity of the graph (:func:`~graph_builder.answering.resolve.entities`) by key."""
    out: dict[str, Entity] = {}
    for node in entities(graph):
        types = tuple(sorted({local_name(t) for t in graph.objects(node, RDF.type)}))
        names: set[tuple[str, str]] = set()
        for p in PREFERRED_PREDICATES + ALIAS_PREDICATES + CODE_PREDICATES:
            for lit in graph.objects(node, p):
                if isinstance(lit, Literal):
                    names.add((str(lit), lit.language or ""))
        key = key_of(node)
        label = _label(graph, node, lang) or key
        out[key] = Entity(node, key, label, entity_kind(types), types, tuple(sorted(names)))
    return out


def _label(graph: Graph, node: URIRef, lang: str) -> str | None:
    from graph_builder.namespaces import RDFS, SKOS

    by_lang: dict[str, str] = {}
    for p in (SKOS.prefLabel, RDFS.label):
        for lit in sorted(graph.objects(node, p), key=str):
            if isinstance(lit, Literal):
                by_lang.setdefault(lit.language or "", str(lit))
    return by_lang.get(lang) or by_lang.get("en") or by_lang.get("")


# ---------------------------------------------------------------------------
# Page frame
# ---------------------------------------------------------------------------

CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'none'; form-action 'self'; base-uri 'none'")


def frame(title: str, body: str, lang: str, *, scripts: Sequence[str] = (), data: Any = None, wide: bool = False) -> str:
    """A whole page: the header with the site's links, ``body``, the data (JSON) and the scripts."""
    w = escaped_words(lang)
    nav = (f'<a href="index.html">{w("Index")}</a>'
           + "".join(f' <a href="network-{k}.html">{escape(word(TITLES[k], lang).split(":")[0])}</a>' for k in KINDS)
           + f' <a href="sparql.html">{w("SPARQL")}</a>'
           + f'<form class="jump" action="index.html" method="get" role="search"><label>{w("Search")} '
             f'<input name="q" type="search" placeholder="{w("a name, alias, acronym or key")}"></label></form>')
    blob = f'<script type="application/json" id="ckg-data">{html_json(data)}</script>\n' if data is not None else ""
    tags = "".join(f'<script src="{escape(s)}"></script>\n' for s in scripts)
    body_class = ' class="wide"' if wide else ""
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<title>{escape(title)} — customs-kg</title>\n<link rel="stylesheet" href="site.css">\n</head>\n'
            f'<body{body_class}>\n<header><nav aria-label="site">{nav}</nav></header>\n'
            f'<main>\n{body}\n</main>\n{blob}{tags}</body>\n</html>\n')


# ---------------------------------------------------------------------------
# Index
# ---------------------------------------------------------------------------

def index_page(ents: dict[str, Entity], lang: str) -> str:
    w = escaped_words(lang)
    by_kind: dict[str, list[Entity]] = defaultdict(list)
    for e in ents.values():
        by_kind[e.kind].append(e)
    order = [k for k, _ in ENTITY_KINDS] + ["other"]
    lists = []
    for kind in order:
        items = sorted(by_kind.get(kind, []), key=lambda e: (normalize(e.label), e.key))
        if not items:
            continue
        entries = "".join(f'<li><a href="{page_name(e.key)}">{escape(e.label)}</a></li>' for e in items)
        lists.append(f'<details{" open" if len(items) <= 60 else ""} id="kind-{kind}"><summary>'
                     f'<h3>{w(KIND_HEADINGS[kind])} ({len(items)})</h3></summary><ul class="columns">{entries}</ul></details>')
    body = (f'<h1>customs-kg</h1>\n<section class="search" aria-labelledby="search-title">'
            f'<h2 id="search-title">{w("Search")}</h2>'
            f'<p>{w("Search every name, alias, spelling and language (case and accents do not matter).")}</p>'
            f'<input id="q" type="search" autocomplete="off" aria-label="{w("Search")}" '
            f'placeholder="{w("a name, alias, acronym or key")}">'
            f'<p id="count" role="status"></p><ol id="results"></ol></section>\n'
            f'<section aria-labelledby="lists-title"><h2 id="lists-title">{w("Lists by kind")}</h2>{"".join(lists)}</section>')
    return frame("customs-kg", body, lang, scripts=("search-index.js", "site.js"))


def search_index(ents: dict[str, Entity], lang: str) -> str:
    """``search-index.js``: every entity's page, label, kind and names, with the names as compared."""
    rows = []
    for e in sorted(ents.values(), key=lambda e: e.key):
        names = sorted({(n, l) for n, l in e.names} | {(e.key, "")})
        rows.append([page_name(e.key), e.label, word(KIND_NAMES.get(e.kind, KIND_HEADINGS[e.kind]), lang),
                     [[n, l, normalize(n)] for n, l in names if normalize(n)]])
    return "window.CKG_INDEX = " + html_json({"entities": rows, "none": word("no entity has a name containing", lang)}) + ";\n"


# ---------------------------------------------------------------------------
# Entity pages
# ---------------------------------------------------------------------------

MARKS = {
    "stated": "a source states it",
    "planned": "not stated as having taken place: a plan, an invitation, an announcement or a cancellation",
    "derived": "computed from stated links, not stated as such by a source",
    "inferred": "inferred by a curator from the source, which does not state it: the reason is given",
    "no source": "no source is recorded for it",
}


def line_mark(line: Line) -> str:
    """How a card line stands, from the graph's own marks (ckg:basis, ckg:modality) that the card carries:
    planned, derived, inferred, stated or without a source."""
    if line.modality is not None:
        return "planned"
    if line.basis is not None:
        return line.basis_kind or "derived"
    return "stated" if line.evidence else "no source"


def evidence_html(evidence: Sequence[Evidence], lang: str) -> str:
    """Each source once: headline and date, the quoted sentences behind a ``<details>``."""
    groups: dict[tuple[str, str, str | None, str | None], list[str]] = {}
    for ev in evidence:
        quotes = groups.setdefault((ev.source, ev.headline, ev.published, ev.citing), [])
        if ev.quote and ev.quote not in quotes:
            quotes.append(ev.quote)
    out = []
    for (source, headline, published, citing), quotes in groups.items():
        head = (f'<span class="src-label">{escape(word("source", lang))}:</span> <cite>{escape(headline)}</cite> '
                f'({escape(published or word("undated", lang))})'
                + (f', {escape(word("citing", lang))} {escape(citing)}' if citing else ""))
        if quotes:
            body = "".join(f"<blockquote>“{escape(q)}”</blockquote>" for q in quotes)
            out.append(f'<details class="source"><summary>{head}</summary>{body}</details>')
        else:
            out.append(f'<div class="source">{head}</div>')
    return "".join(out)


def line_html(line: Line, pages: dict[str, str], lang: str, *, when: str = "") -> str:
    mark = line_mark(line)
    derived_part = ""
    if line.derived_part:  # a part of a stated line computed by a rule: the meetings in a term, the chain above
        derived_part = (f' <span class="mark mark-derived" title="{escape(word(MARKS["derived"], lang))}">'
                        f'{escape(line.derived_part)}</span>')
    if line.basis and mark in ("derived", "inferred"):  # the rule or the curator's reason, in words
        derived_part += f' <span class="basis">({escape(line.basis)})</span>'

    text = escape(line.text)
    if line.target and line.target in pages:
        text = f'<a href="{pages[line.target]}">{text}</a>'
    badge = f'<span class="mark mark-{mark.replace(" ", "-")}" title="{escape(word(MARKS[mark], lang))}">{escape(word(mark, lang))}</span>'
    status = f' <span class="status">[{escape(line.status)}]</span>' if line.status else ""
    when_html = f'<span class="when">{escape(when)}</span> ' if when else ""
    return f'<li class="line">{badge} {when_html}{text}{status}{derived_part}{evidence_html(line.evidence, lang)}</li>'


def entity_page(card: Card, ent: Entity, pages: dict[str, str], links: dict[str, str], lang: str) -> str:
    w = escaped_words(lang)
    parts = [f'<h1>{escape(card.label)} <span class="key">[{escape(card.key)}]</span></h1>',
             f'<p class="types">{w("types")}: {escape(", ".join(card.types))}</p>']
    if links:
        parts.append('<p class="related">' + " · ".join(f'<a href="{escape(href)}">{escape(text)}</a>'
                                                         for text, href in links.items()) + "</p>")
    parts.append(f'<p class="hint">{w("Sources and quotes: open a source line to read the quoted sentence.")} '
                 + " ".join(f'<span class="mark mark-{m.replace(" ", "-")}">{w(m)}</span> {w(MARKS[m])}.' for m in MARKS)
                 + "</p>")
    if card.names:
        rows = "".join(f"<tr><td lang=\"{escape(l)}\">{escape(n)}</td><td>{escape(l or '-')}</td><td>{w(k)}</td></tr>"
                       for k, l, n in card.names)
        parts.append(f'<section><h2>{w("Names")}</h2><table class="names"><tbody>{rows}</tbody></table></section>')
    sections: dict[str, list[Line]] = {}
    for line in card.lines:
        sections.setdefault(line.section, []).append(line)
    for section, items in sections.items():
        parts.append(f'<section><h2>{w(section)}</h2><ul class="lines">'
                     + "".join(line_html(line, pages, lang) for line in items) + "</ul></section>")
    if not card.lines:
        parts.append(f'<p>{w("(the graph records nothing else about it)")}</p>')
    return frame(card.label, "\n".join(parts), lang)


# ---------------------------------------------------------------------------
# Timelines
# ---------------------------------------------------------------------------

def _days(text: str, last: bool) -> int:
    import datetime as dt

    d = parse_date(text)
    return dt.date(*(d.last_day() if last else d.first_day())).toordinal()


def timeline_page(card: Card, pages: dict[str, str], lang: str) -> str:
    """Lanes on a time axis: a bar from the first possible day of the start to the last of the end; one date: a mark."""
    import datetime as dt

    w = escaped_words(lang)
    # a line attested only at a date (no term recorded) is placed at that date, as a mark
    dated = [(l, _days(l.start or l.end or l.attested or "", False), _days(l.end or l.start or l.attested or "", True))
             for l in card.lines]
    seen_days = [_days(d, False) for l in card.undated for d in l.seen]
    lo = min([a for _, a, _ in dated] + seen_days, default=dt.date(2020, 1, 1).toordinal())
    hi = max([b for _, _, b in dated] + seen_days, default=lo + 365)
    first_year, last_year = dt.date.fromordinal(lo).year, dt.date.fromordinal(hi).year + 1
    lo, hi = dt.date(first_year, 1, 1).toordinal(), dt.date(last_year, 1, 1).toordinal()
    span = max(1, hi - lo)

    def pct(day: int) -> str:
        return f"{100 * (day - lo) / span:.2f}%"

    years = last_year - first_year
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if years / s <= 12)
    shown_years = [y for y in range(first_year, last_year + 1) if y % step == 0]
    ticks = "".join(f'<span class="tick" style="left:{pct(dt.date(y, 1, 1).toordinal())}">{y}</span>'
                    for y in shown_years)
    lanes: dict[str, list[str]] = {}
    for line, a, b in dated:
        label = escape(line.text)
        if line.target and line.target in pages:
            label = f'<a href="{pages[line.target]}">{label}</a>'
        when = _when(line.start, line.end)
        if line.start and line.end and line.start != line.end:
            shape = f'<span class="bar mark-{line_mark(line).replace(" ", "-")}" style="left:{pct(a)};width:{pct(lo + max(b - a, 2))}"></span>'
        elif line.start and line.end:
            shape = f'<span class="dot" style="left:{pct(a)};width:{pct(lo + max(b - a, 2))}"></span>'
        elif line.start and (b - lo) / span > 0.8:  # near the right edge: the note on the dot's left, inside the chart
            shape = (f'<span class="dot" style="left:{pct(a)};width:{pct(lo + max(b - a, 2))}"></span>'
                     f'<span class="open-start" style="right:calc(100% - {pct(a)})">{w("end not recorded")}:</span>')
        elif line.start:
            shape = (f'<span class="dot" style="left:{pct(a)};width:{pct(lo + max(b - a, 2))}"></span>'
                     f'<span class="open-end" style="left:{pct(b)}">→ {w("end not recorded")}</span>')
        else:
            shape = (f'<span class="open-start" style="right:calc(100% - {pct(a)})">{w("start not recorded")} →</span>'
                     f'<span class="dot" style="left:{pct(a)};width:{pct(lo + max(b - a, 2))}"></span>')
        lanes.setdefault(line.section, []).append(
            f'<div class="row"><div class="what" title="{escape(line.text)}"><span class="when">{escape(when)}</span> {label}</div>'
            f'<div class="track">{shape}</div></div>')
    undated_rows = []
    for l in card.undated:
        label = f'<a href="{pages[l.target]}">{escape(l.text)}</a>' if l.target in pages else escape(l.text)
        seen = l.seen
        marks = "".join(f'<span class="seen" style="left:{pct(_days(d, False))}" title="{w("attested")} {escape(d)}"></span>'
                        for d in seen)
        note = w("no term dates; attested on the date marked") if seen else w("undated: no date in the sources")
        undated_rows.append(f'<div class="row"><div class="what" title="{escape(l.text)}">{label}</div>'
                            f'<div class="track undated-track"><span class="undated-note">{note}</span>{marks}</div></div>')
    chart = [f'<div class="timeline" role="figure" aria-label="{w("Timeline")}"><div class="row axis"><div class="what"></div>'
             f'<div class="track">{ticks}</div></div>']
    for section, rows in lanes.items():
        chart.append(f'<div class="lane"><h3>{w(section)}</h3>{"".join(rows)}</div>')
    if undated_rows:
        chart.append(f'<div class="lane undated" id="undated"><h3>{w("Undated: no term dates in the sources")}</h3>'
                     f'{"".join(undated_rows)}</div>')
    chart.append("</div>")
    parts = [f'<h1>{w("Timeline")}: <a href="{page_name(card.key)}">{escape(card.label)}</a></h1>', "".join(chart)]
    if card.notes:
        parts.append(f'<section><h2>{w("Numbering gaps")}</h2><ul>' + "".join(f"<li>{escape(n)}</li>" for n in card.notes) + "</ul></section>")
    parts.append(f'<section><h2>{w("Sources and quotes: open a source line to read the quoted sentence.")}</h2><ul class="lines">'
                 + "".join(line_html(l, pages, lang, when=_when(l.start, l.end)) for l in card.lines + card.undated)
                 + "</ul></section>")
    return frame(f"{word('Timeline', lang)}: {card.label}", "\n".join(parts), lang)


OWN_SECTIONS = ("Memberships and posts", "Roles at meetings", PLANNED)


def body_timeline(graph: Graph, ent: Entity, card: Card, lang: str) -> Card:
    """:func:`~graph_builder.answering.cards.timeline`; for a body, also the posts it holds and its roles at meetings
    (the card's lines of those sections: a body's own chair terms belong on its timeline too)."""
    tl = timeline(graph, ent.iri, lang=lang, words=lang)
    if ent.kind == "person":
        return tl
    own = [line for line in card.lines if line.section in OWN_SECTIONS]
    seen = {(l.section, l.text) for l in tl.lines + tl.undated}
    dated = [l for l in own if (l.start or l.end) and (l.section, l.text) not in seen]
    undated = [l for l in own if not (l.start or l.end) and (l.section, l.text) not in seen]
    lines = sorted(tl.lines + dated, key=lambda l: (_days(l.start or l.end or "9999", False), l.text))
    return Card(tl.key, tl.label, tl.types, tl.names, lines, tl.as_of, tl.undated + undated, tl.kind, tl.notes)


def _when(start: str | None, end: str | None) -> str:
    if not start and not end:
        return ""
    if start == end or not end:
        return f"{start}" + ("" if end else " →")
    return f"{start or '?'} – {end}"


# ---------------------------------------------------------------------------
# Networks
# ---------------------------------------------------------------------------

GROUP_AT = 6  # a meeting with more plain participants than this shows them as one collapsible group
GROUP_PULL, GROUPED_PULL = 20.0, 0.05  # weights in the layout: a group to its meeting, a participant to its group


def network_data(source: Source, kind: str, pages: dict[str, str], lang: str) -> dict[str, Any]:
    """The elements of a network page: nodes with preset positions, edges with their dates, groups, legend."""
    net = build_network(source, kind, lang=lang)
    elements: list[dict[str, Any]] = []
    groups: dict[str, list[str]] = {}
    lay = net
    if kind == "participation":
        net, lay, groups = _grouped(net)
    scale = 170.0 * max(1.0, net.number_of_nodes() ** 0.5)

    def node(key: str, attrs: dict[str, Any], x: float, y: float, **extra: Any) -> None:
        data = {"id": key, "label": attrs["label"], "kind": attrs["kind"],
                "page": pages.get(attrs.get("card", key), "")}
        data.update(extra)
        elements.append({"group": "nodes", "data": data, "position": {"x": round(x, 1), "y": round(y, 1)}})

    if kind == "chairs":
        tl = chairs_timeline(net)
        width, row_h, left = 600.0, 150.0, 0.0
        span = max(1, tl.hi - tl.lo)

        def X(ordinal: int) -> float:
            return left + (ordinal - tl.lo) / span * width

        import datetime as dt

        for i, (key, label) in enumerate(tl.rows):
            node(key, net.nodes[key], -200.0, i * row_h, role="row", body=key)
        for year in tl.years:
            elements.append({"group": "nodes", "data": {"id": f"axis-{year}", "label": str(year), "kind": "axis",
                                                        "role": "axis", "page": ""},
                             "position": {"x": round(X(dt.date(year, 1, 1).toordinal()), 1), "y": -100.0}})
        undated_x = X(tl.hi) + 110
        if any(m.date is None for m in tl.marks):
            elements.append({"group": "nodes", "data": {"id": "axis-undated", "label": word("undated", lang),
                                                        "kind": "axis", "role": "axis", "page": ""},
                             "position": {"x": round(undated_x, 1), "y": -100.0}})
        for bar in tl.bars:
            holder = net.nodes[bar.holder]
            y = bar.row * row_h + (-50.0 if bar.relation == "chair-term" else -14.0)
            if bar.start is not None and bar.end is not None:
                x0, x1 = X(bar.start), X(max(bar.end, bar.start + 20))
                node(f"term:{bar.key}", {**holder, "card": bar.holder}, (x0 + x1) / 2, y, role="term",
                     relation=bar.relation, width=round(x1 - x0, 1), label=bar.label, temporal=True, body=bar.body, holder=bar.holder,
                     begin=bar.begin, end=bar.end_dates, attested=bar.attested)
            else:
                # One date only (or none): a mark at the date known, never a bar across the axis.
                at = bar.start if bar.start is not None else bar.end
                x = X(at) if at is not None else undated_x
                node(f"term:{bar.key}", {**holder, "card": bar.holder}, x, y, role="term-open", undated=at is None,
                     relation=bar.relation, label=bar.label + (" →" if bar.start is not None else ""),
                     temporal=True, begin=bar.begin, end=bar.end_dates, attested=bar.attested, body=bar.body,
                     holder=bar.holder)
        for mark in tl.marks:
            x = X(mark.date) if mark.date is not None else undated_x
            text = mark.label + (f" ({mark.date_text})" if mark.date_text else f" ({word('undated', lang)})")
            node(mark.key, net.nodes[mark.key], x, mark.row * row_h + 30.0, role="meeting", label=text,
                 chairs="; ".join(mark.chairs), body=mark.body)
    else:
        pos = layout(lay, kind)
        if kind == "structure":  # a tree: a column of 200 units per leaf, a level of 170 units
            columns = max(1, len({round(x, 6) for x, _ in pos.values()}) - 1)
            levels = max(1, len({round(y, 6) for _, y in pos.values()}) - 1)
            sx, sy = 200.0 * columns, 170.0 * levels
        else:
            sx, sy = scale * 1.6, scale
        placed = {key: (x * sx, (1 - y) * sy) for key, (x, y) in pos.items()}
        if kind == "structure":
            placed = pack_rows(net, placed, TREE_ROW_WIDTH)
        else:
            placed = spread(placed, NODE_SPACING)
        for key, attrs in net.nodes(data=True):
            x, y = placed[key]
            extra: dict[str, Any] = {}
            if key in groups:
                extra = {"role": "group", "members": groups[key]}
            node(key, attrs, x, y, **extra)
        for s, t, k, a in net.edges(keys=True, data=True):
            elements.append({"group": "edges", "data": {
                "id": edge_id(s, t, k), "source": s, "target": t, "relation": a["relation"], "label": a["label"],
                "temporal": kind == "membership", "grouped": bool(a.get("grouped")),
                "begin": [d for d in a["begin"].split(";") if d], "end": [d for d in a["end"].split(";") if d],
                "attested": [d for d in a["attested"].split(";") if d]}})
    kinds = sorted({a["kind"] for _, a in net.nodes(data=True)})
    relations = sorted({a["relation"] for _, _, a in net.edges(data=True)} |
                       ({"chair-term", "vice-chair-term"} if kind == "chairs" else set()))
    return {
        "kind": kind, "title": word(TITLES[kind], lang), "lang": lang, "dated": kind in ("membership", "chairs"),
        "elements": elements, "nodeColors": NODE_COLORS, "nodeShapes": NODE_SHAPES,
        "edgeStyles": {r: {"color": c, "style": s, "width": wd} for r, (c, s, wd, _) in EDGE_STYLES.items()},
        "legend": {"nodes": [[k, word(KIND_NAMES.get(k, k), lang)] for k in kinds if k != "axis"],
                   "edges": [[r, word(EDGE_STYLES.get(r, ("", "", 0, r))[3], lang)] for r in relations]},
        "words": {k: word(k, lang) for k in ("As of", "all dates", "Fit all", "Legend", "participants", "depth",
                                             "Group of participants: click to show or hide them", "around",
                                             "the whole network", "cannot tell whether it held on the date")}
        | {"partial": word("Part of the network is shown, at a readable size: drag to move, scroll to zoom, "
                           "“Fit all” shows all of it.", lang)},
    }


TREE_ROW_WIDTH = 1250.0  # the trees of the structure network side by side up to this width (a first view at 0.8)


def pack_rows(net: nx.MultiDiGraph, placed: dict[str, tuple[float, float]],
              width: float) -> dict[str, tuple[float, float]]:
    """The connected parts of ``net`` (their positions kept relative) laid left to right in rows of at most
    ``width`` units, the next row below the tallest part of the one above: trees side by side, not one long row."""
    parts = sorted((sorted(c) for c in nx.weakly_connected_components(net)),
                   key=lambda c: min(placed[n][0] for n in c))
    out: dict[str, tuple[float, float]] = {}
    x0 = y0 = row_height = 0.0
    gap = 200.0
    for part in parts:
        xs = [placed[n][0] for n in part]
        ys = [placed[n][1] for n in part]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        if x0 > 0 and x0 + w > width:
            x0, y0, row_height = 0.0, y0 + row_height + gap, 0.0
        for n in part:
            out[n] = (round(x0 + placed[n][0] - min(xs), 1), round(y0 + placed[n][1] - min(ys), 1))
        x0 += w + gap
        row_height = max(row_height, h)
    return out


NODE_SPACING = 190.0  # a label's width (170) and a margin: the typical distance from a node to its nearest one


def spread(placed: dict[str, tuple[float, float]], spacing: float) -> dict[str, tuple[float, float]]:
    """``placed`` scaled up (never down) so that the median distance from a node to its nearest neighbour is
    ``spacing``: a force layout of a thousand nodes, normalised to its outliers, would pack its centre tighter
    than its labels. The distances are those of up to 400 nodes (evenly chosen in key order) to all."""
    import numpy as np

    keys = sorted(placed)
    if len(keys) < 2:
        return placed
    points = np.array([placed[k] for k in keys], dtype=float)
    sample = points[:: max(1, len(keys) // 400)]
    dist = np.sqrt(((sample[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1))
    dist[dist == 0] = np.inf  # the node itself (and any node at the very same place)
    nearest = dist.min(axis=1)
    median = float(np.median(nearest[np.isfinite(nearest)])) if np.isfinite(nearest).any() else spacing
    factor = max(1.0, spacing / median) if median > 0 else 1.0
    return {k: (round(x * factor, 1), round(y * factor, 1)) for k, (x, y) in placed.items()}


def _grouped(net: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, nx.MultiDiGraph, dict[str, list[str]]]:
    """Meetings with many plain participants get one group node; the participants' edges are marked ``grouped``.

    Returns the network with the groups, the network the layout sees (a grouped participant linked to its
    group, so it lies next to it, not in a crowd around the meeting) and the members of each group. The
    page hides the grouped edges (and the participants only they reach) until the group is opened.
    """
    out = nx.MultiDiGraph(**net.graph)
    out.add_nodes_from(net.nodes(data=True))
    plain: dict[str, list[str]] = defaultdict(list)
    for s, t, a in net.edges(data=True):
        if a["relation"] == "participant":
            plain[t].append(s)
    groups = {f"group:{m}": sorted(members) for m, members in sorted(plain.items()) if len(members) > GROUP_AT}
    for gid, members in groups.items():
        out.add_node(gid, label=f"{len(members)} {word('participants', net.graph.get('lang', 'en'))}", label_en="",
                     kind="group", types="", date="")
    edges = []
    for s, t, k, a in net.edges(keys=True, data=True):
        edges.append((s, t, k, {**a, "grouped": a["relation"] == "participant" and f"group:{t}" in groups}))
    for gid in groups:
        edges.append((gid, gid.removeprefix("group:"), "group", {
            "relation": "participant", "role": "", "role_label": "", "label": "", "begin": "", "end": "",
            "attested": "", "status": "", "reason": "", "uncertain": False, "grouped": False}))
    lay = nx.MultiDiGraph(**net.graph)
    lay.add_nodes_from(out.nodes(data=True))
    for s, t, k, a in edges:
        out.add_edge(s, t, key=k, **a)
        # A group keeps close to its meeting, and a grouped participant (hidden until its group opens) pulls
        # only lightly: who chairs, hosts or speaks at a meeting lies around it, not a crowd of attendees.
        lay.add_edge(s, f"group:{t}" if a["grouped"] else t, key=k,
                     weight=GROUP_PULL if k == "group" else GROUPED_PULL if a["grouped"] else 1.0)
    return out, lay, groups


# ---------------------------------------------------------------------------
# SPARQL page
# ---------------------------------------------------------------------------

def sparql_data(lang: str, pages: dict[str, str]) -> dict[str, Any]:
    examples = []
    for name, q in sorted(all_queries().items()):
        if q.path.parent.name != "cq":
            continue
        try:
            at = top_group_start(q.text)
        except Exception:  # noqa: BLE001 - a query with no group is shown without parameters
            at = -1
        examples.append({"name": name, "question": q.question, "text": q.text, "groupAt": at,
                         "params": [{"name": p.name, "type": p.type, "doc": p.doc} for p in q.params]})
    return {"examples": examples, "lang": lang, "prefixes": dict(sorted(PREFIXES.items())), "pages": sorted([k, p] for k, p in pages.items() if _KEY.fullmatch(k)),
            "words": {k: word(k, lang) for k in ("Run", "rows", "Parameters", "Results")}}


def sparql_page(lang: str, pages: dict[str, str]) -> str:
    w = escaped_words(lang)
    body = (f'<h1>SPARQL</h1><p>{w("The query runs in this page on the embedded graph; nothing is sent anywhere.")}</p>'
            f'<div class="sparql"><label for="example">{w("Examples (named queries)")}</label> '
            f'<select id="example"></select><p id="question"></p><div id="params"></div>'
            f'<label for="query">{w("Query")}</label><textarea id="query" rows="14" spellcheck="false"></textarea>'
            f'<p><button id="run" type="button" disabled>{w("Run")}</button> <span id="state" role="status"></span></p>'
            f'<h2>{w("Results")}</h2><div id="results"></div></div>')
    return frame("SPARQL", body, lang, scripts=("oxigraph.js", "oxigraph-wasm.js", "graph.js", "site.js"),
                 data=sparql_data(lang, pages))


def oxigraph_script() -> str:
    """Oxigraph's web build (an ES module) as a classic script: ``window.oxigraph`` (loaded from file:// too)."""
    text = asset_text("oxigraph/web.js")
    names = sorted(set(re.findall(r"^export (?:class|function) (\w+)", text, flags=re.M)))
    text = re.sub(r"^export (class|function) ", r"\1 ", text, flags=re.M)
    text = re.sub(r"^export \{[^}]*\};?\s*$", "", text, flags=re.M)
    text = text.replace("new URL('web_bg.wasm', import.meta.url)", "undefined")
    if "import.meta" in text or re.search(r"^\s*(import|export)\b", text, flags=re.M):
        raise RuntimeError("graph_builder/assets/oxigraph/web.js: an import or export is left (see assets/README.md)")
    exported = ", ".join(names + ["initSync", "__wbg_init"])
    return f"(function () {{\n{text}\nwindow.oxigraph = {{ {exported} }};\n}})();\n"


# ---------------------------------------------------------------------------
# The whole site
# ---------------------------------------------------------------------------

def network_page(data: dict[str, Any], lang: str) -> str:
    w = escaped_words(lang)
    body = (f'<div class="netbar"><h1 id="net-title">{escape(data["title"])}</h1>'
            f'<span id="date-control"><label>{w("As of")} <input id="asof" type="text" size="11" '
            f'placeholder="YYYY-MM-DD" autocomplete="off"></label></span> '
            f'<button id="fit" type="button">{w("Fit all")}</button> <span id="status" role="status"></span> '
            f'<span id="partial" class="hint"></span></div>'
            f'<div class="netview"><div id="cy" role="img" aria-label="{escape(data["title"])}"></div>'
            f'<aside aria-label="{w("Legend")}"><div id="legend"></div><div id="info"></div></aside></div>')
    return frame(data["title"], body, lang, scripts=("cytoscape.min.js", "network-common.js", "site.js"), data=data, wide=True)


def site_files(graph: Graph, lang: str = "en", progress: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Every file of the site by name (bytes), the same for the same graph and language."""
    ents = site_entities(graph, lang)
    pages = {k: page_name(k) for k in ents}
    files: dict[str, str | bytes] = {}
    files["site.css"] = asset_bytes("site.css")
    files["site.js"] = asset_bytes("site.js")
    files["network-common.js"] = asset_bytes("network-common.js")
    files["cytoscape.min.js"] = asset_bytes("cytoscape.min.js")
    files["oxigraph.js"] = oxigraph_script()
    files["oxigraph-wasm.js"] = ("window.OXIGRAPH_WASM = \""
                                 + base64.b64encode(asset_bytes("oxigraph/web_bg.wasm")).decode("ascii") + "\";\n")
    nt = ntriples(sorted(graph))
    files["graph.js"] = "window.CKG_GRAPH = " + html_json(nt) + ";\n"
    files["index.html"] = index_page(ents, lang)
    files["search-index.js"] = search_index(ents, lang)
    files["sparql.html"] = sparql_page(lang, pages)
    in_network: dict[str, list[str]] = defaultdict(list)
    store = graph_store(graph)  # the network queries in Oxigraph: the same rows as rdflib's, much sooner
    for kind in KINDS:
        data = network_data(store, kind, pages, lang)
        files[f"network-{kind}.html"] = network_page(data, lang)
        shown = {k for el in data["elements"] if el["group"] == "nodes"
                 for k in (el["data"]["id"], el["data"].get("holder"), el["data"].get("body")) if k in ents}
        for k in sorted(shown):
            in_network[k].append(kind)
    for key, ent in sorted(ents.items()):
        links: dict[str, str] = {}
        has_timeline = ent.kind in TIMELINE_KINDS
        if has_timeline:
            links[word("Timeline", lang)] = page_name(key, "timeline")
        for kind in in_network.get(key, []):
            links[f"{word(TITLES[kind], lang).split(':')[0]} ({word('around', lang)})"] = \
                f"network-{kind}.html?focus={key}"
        card = entity_card(graph, ent.iri, lang=lang, words=lang)
        files[pages[key]] = entity_page(card, ent, pages, links, lang)
        if has_timeline:
            files[page_name(key, "timeline")] = timeline_page(body_timeline(graph, ent, card, lang), pages, lang)
    return {name: data.encode("utf-8") if isinstance(data, str) else data for name, data in sorted(files.items())}


def write_site(graph: Graph, out: Path, lang: str = "en") -> dict[str, object]:
    """Write the site into ``out`` as one whole (absent, empty or an earlier site); return its manifest."""
    from graph_builder.writing.publish import publish

    return publish(out, site_files(graph, lang), kind="site")
