"""Draw the networks of :mod:`graph_builder.answering.network` (``customs-kg viz``).

The output format follows the file name:

- ``.html``: one self-contained page, no network access at view time:
  cytoscape.js (vendored in ``graph_builder/assets``, MIT licence beside it)
  and the data are inlined. Nodes styled by kind with a legend, edges by
  relation, a search box, a card with the sources and quoted sentences for
  each node (the data of :func:`graph_builder.answering.cards.entity_card`), and, for
  ``membership`` and ``chairs``, a date control that evaluates the
  three-valued rule of :func:`graph_builder.answering.temporal.holds` in the page;
- ``.png`` and ``.svg``: figures for reports, drawn with matplotlib (SVG
  labels are text, in DejaVu Sans, which covers Cyrillic);
- ``.graphml`` and ``.gexf``: the networkx graph, nodes and edges in a fixed
  order.

``chairs`` is drawn as a timeline: one row per body or meeting series, a bar
per chair or vice-chair term, a mark per meeting.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import textwrap
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph

from graph_builder.answering.network import build_network
from graph_builder.atomic import write_atomic
from graph_builder.errors import UsageError
from graph_builder.loading.dates import PartialDate, parse_date
from graph_builder.textsafe import html_json
from graph_builder.writing.publish import check_output_file, writing

FORMATS = (".html", ".png", ".svg", ".graphml", ".gexf")

NODE_COLORS = {
    "administration": "#1f77b4", "country": "#17becf", "rilo": "#d62728", "organization": "#2ca02c",
    "person": "#9467bd", "meeting": "#ff7f0e", "series": "#8c564b", "role": "#bcbd22", "other": "#999999",
}
NODE_SHAPES = {"person": "ellipse", "meeting": "diamond", "series": "hexagon", "country": "ellipse"}
KIND_NAMES = {
    "administration": "national customs administration", "country": "country", "rilo": "RILO",
    "organization": "body or unit", "person": "person", "meeting": "meeting", "series": "meeting series",
    "role": "role", "other": "other",
}
EDGE_STYLES = {  # relation: (colour, line style, width, legend text)
    "chair": ("#d62728", "solid", 4, "chair"),
    "vice-chair": ("#ff9896", "solid", 3, "vice-chair"),
    "national-contact-point": ("#1f77b4", "solid", 2, "national contact point"),
    "member": ("#2ca02c", "solid", 2, "member"),
    "post": ("#9467bd", "solid", 2, "post (head, deputy, director, ...)"),
    "part-of": ("#555555", "solid", 2, "part of (org:subOrganizationOf)"),
    "reports-to": ("#e377c2", "dashed", 2, "reports to (org:reportsTo)"),
    "participant": ("#bbbbbb", "solid", 1, "participant"),
    "other-role": ("#ff7f0e", "solid", 2, "other role at the meeting (host, speaker, ...)"),
    "in-series": ("#8c564b", "dotted", 2, "meeting of the series"),
    "chair-term": ("#d62728", "solid", 4, "chair term"),
    "vice-chair-term": ("#ff9896", "solid", 4, "vice-chair term"),
    "chair-of-meeting": ("#d62728", "solid", 3, "chaired the meeting"),
    "vice-chair-of-meeting": ("#ff9896", "solid", 3, "vice-chaired the meeting"),
    "chair-of-meeting-derived": ("#d62728", "dashed", 2, "chair derived from a term (not stated)"),
    "vice-chair-of-meeting-derived": ("#ff9896", "dashed", 2, "vice-chair derived from a term (not stated)"),
    "planned": ("#7f7f7f", "dotted", 2, "planned, invited or announced (not stated as done)"),
}
TITLES = {
    "membership": "Membership network: bodies and their members",
    "structure": "Structure: part-of and reporting lines",
    "participation": "Meetings and their participants",
    "chairs": "Chairs and vice-chairs over time",
}
DATED_KINDS = ("membership", "chairs")


def render_file(graph: Graph, kind: str, out: Path, *, at: PartialDate | None = None, focus: str | None = None,
                depth: int = 1, lang: str = "en") -> Path:
    """Draw network ``kind`` of ``graph`` into ``out``, in the format its suffix names (atomically; never a folder)."""
    check_output_file(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"{out}: unknown output format '{out.suffix}' (use {', '.join(FORMATS)})")
    if suffix == ".html":
        # The page gets every edge and applies the date itself (its date control starts at --as-of).
        net = build_network(graph, kind, at=None, focus=focus, depth=depth, lang=lang)
        data: bytes | str = html_page(graph, net, kind, at=at, lang=lang)
    else:
        net = build_network(graph, kind, at=at, focus=focus, depth=depth, lang=lang)
        if suffix == ".graphml":
            data = graphml(net)
        elif suffix == ".gexf":
            data = gexf(net)
        else:
            data = figure(net, kind, suffix[1:])
    with writing(out):
        write_atomic(out, data)
    return out


# ---------------------------------------------------------------------------
# GraphML and GEXF
# ---------------------------------------------------------------------------

def edge_id(source: str, target: str, key: str) -> str:
    """An edge's id in GraphML, GEXF and the pages: unique in the network (a key such as ``in-series`` is not)."""
    return f"{source}|{target}|{key}"


def _unique_ids(net: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose edge keys are their unique ids, the relation's own key kept as the attribute ``edge_key``."""
    g = nx.MultiDiGraph(**net.graph)
    g.add_nodes_from(net.nodes(data=True))
    for s, t, k, a in net.edges(keys=True, data=True):
        g.add_edge(s, t, key=edge_id(s, t, k), **{**a, "edge_key": k})
    return g


def graphml(net: nx.MultiDiGraph) -> str:
    """The network as GraphML (networkx's writer; nodes and edges in the graph's fixed order; unique edge ids)."""
    return "\n".join(nx.generate_graphml(_unique_ids(net), encoding="utf-8", prettyprint=True)) + "\n"


def gexf(net: nx.MultiDiGraph) -> str:
    """The network as GEXF 1.2 (networkx's writer; unique edge ids), without the writer's date stamp."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(net.nodes(data=True))
    for s, t, k, a in _unique_ids(net).edges(keys=True, data=True):
        g.add_edge(s, t, key=k, id=k, **a)
    text = "\n".join(nx.generate_gexf(g, encoding="utf-8", prettyprint=True)) + "\n"
    import re

    return re.sub(r' lastmodifieddate="[^"]*"', "", text)


# ---------------------------------------------------------------------------
# Layout (shared by the page and the figures)
# ---------------------------------------------------------------------------

def layout(net: nx.MultiDiGraph, kind: str) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]² (y up): a tree for ``structure``, a seeded spring layout otherwise."""
    if not net.number_of_nodes():
        return {}
    if kind == "structure":
        return tree_layout(net)
    und = nx.Graph()
    und.add_nodes_from(net.nodes)
    und.add_edges_from((s, t) for s, t in net.edges())
    # Each connected part gets its own seeded spring layout, in a box sized by
    # its number of nodes; the boxes are laid in rows, biggest first.
    parts = sorted((sorted(c) for c in nx.connected_components(und)), key=lambda c: (-len(c), c[0]))
    biggest = len(parts[0])
    out: dict[str, tuple[float, float]] = {}
    x0 = y0 = row = 0.0
    gap, width = 0.15, 2.4
    for part in parts:
        size = max(0.3, (len(part) / biggest) ** 0.5)
        if len(part) == 1:
            local = {part[0]: (0.5, 0.5)}
        elif len(part) >= LARGE_PART:
            local = _force(und, part)
        else:
            # A graph of its own, nodes and edges in sorted order: a subgraph view iterates over a set, whose
            # order changes from run to run, and so would the seeded layout.
            sub = nx.Graph()
            sub.add_nodes_from(part)
            sub.add_edges_from(sorted(tuple(sorted(e)) for e in und.subgraph(part).edges()))
            raw = nx.spring_layout(sub, seed=7, k=1.6 / len(part) ** 0.5, iterations=200)
            local = _normalize({n: (float(x), float(y)) for n, (x, y) in raw.items()})
        if x0 > 0 and x0 + size > width:
            x0, y0, row = 0.0, y0 + row + gap, 0.0
        for n, (x, y) in local.items():
            out[n] = (x0 + x * size, -(y0 + (1 - y) * size))
        x0 += size + gap
        row = max(row, size)
    return _normalize(out)


LARGE_PART = 500  # from this many nodes networkx's spring layout needs scipy and takes minutes: igraph's lays it


def _force(und: nx.Graph, part: list[str]) -> dict[str, tuple[float, float]]:
    """A large connected part laid by igraph's Fruchterman-Reingold (in C: well under a second for a thousand
    nodes and a few thousand edges), deterministic: nodes and edges in sorted order, started from a sunflower
    spiral (the most linked nodes at its centre) and igraph's random numbers drawn from a generator of our own
    with a fixed seed (restored to Python's ``random`` afterwards, igraph's default)."""
    import math
    import random

    import igraph

    order = sorted(part, key=lambda n: (-und.degree(n), n))
    index = {n: i for i, n in enumerate(order)}
    edges = sorted({(min(index[s], index[t]), max(index[s], index[t])) for s, t in und.subgraph(part).edges() if s != t})
    start = [[math.sqrt(i) * math.cos(i * 2.39996), math.sqrt(i) * math.sin(i * 2.39996)] for i in range(len(order))]
    g = igraph.Graph(n=len(order), edges=edges)
    igraph.set_random_number_generator(random.Random(7))
    try:
        coords = g.layout_fruchterman_reingold(seed=start, niter=500, grid=False).coords
    finally:
        igraph.set_random_number_generator(random)
    return _normalize({n: (float(coords[i][0]), float(coords[i][1])) for i, n in enumerate(order)})


def _normalize(pos: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    wx, wy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {n: ((x - min(xs)) / wx, (y - min(ys)) / wy) for n, (x, y) in pos.items()}


def tree_layout(net: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Parents above their units, leaves side by side, each parent centred over its units.

    A graph read from a file may hold part-of cycles (the loader refuses them in facts): a unit
    still on the way down is not descended into again, and the nodes no root reaches (a cycle
    with nothing above it) start trees of their own, in label order, after the roots' trees.
    """
    parents: dict[str, list[str]] = {n: [] for n in net.nodes}
    children: dict[str, list[str]] = {n: [] for n in net.nodes}
    for s, t, a in net.edges(data=True):
        if a.get("relation") == "part-of":
            parents[s].append(t)
            children[t].append(s)
    label = {n: net.nodes[n].get("label", n) for n in net.nodes}
    by_label = sorted(net.nodes, key=lambda n: label[n])
    x: dict[str, float] = {}
    level: dict[str, int] = {}
    counter = [0]
    for r in [n for n in by_label if not parents[n]] + by_label:
        if r not in x:
            _place_tree(r, children, label, x, level, counter)
            counter[0] += 1  # a gap between trees
    deepest = max(level.values(), default=0) or 1
    width = max(x.values(), default=0.0) or 1.0
    return {n: (x[n] / width, 1.0 - level[n] / deepest) for n in net.nodes}


def _place_tree(root: str, children: dict[str, list[str]], label: dict[str, str], x: dict[str, float],
                level: dict[str, int], counter: list[int]) -> None:
    """Depth and x of ``root`` and of the units below it not placed yet: a leaf takes the next x, a
    parent the mean of its units'. Depth first without recursion (a long chain does not exhaust the
    stack); a unit already on the path (a cycle) is skipped."""
    frames: list[tuple[str, list[str], list[float]]] = []
    on_path: set[str] = set()

    def enter(n: str, depth: int) -> None:
        level[n] = depth
        on_path.add(n)
        frames.append((n, sorted((c for c in children[n] if c not in x), key=lambda c: label[c]), []))

    enter(root, 0)
    while frames:
        n, kids, xs = frames[-1]
        if kids:
            c = kids.pop(0)
            if c in x:
                xs.append(x[c])
            elif c not in on_path:
                enter(c, level[n] + 1)
            continue
        frames.pop()
        on_path.discard(n)
        if xs:
            x[n] = sum(xs) / len(xs)
        else:
            x[n] = float(counter[0])
            counter[0] += 1
        if frames:
            frames[-1][2].append(x[n])


# ---------------------------------------------------------------------------
# The chairs timeline (shared by the page and the figures)
# ---------------------------------------------------------------------------

@dataclass
class Bar:
    key: str
    holder: str
    body: str
    row: int
    relation: str
    label: str
    start: int | None  # ordinal of the first day it can have begun (None: unknown)
    end: int | None    # ordinal of the last day it can have lasted (None: no end recorded)
    begin: list[str] = field(default_factory=list)
    end_dates: list[str] = field(default_factory=list)
    attested: list[str] = field(default_factory=list)


@dataclass
class Mark:
    key: str
    body: str
    row: int
    date: int | None
    date_text: str
    label: str
    chairs: list[str]


@dataclass
class Timeline:
    rows: list[tuple[str, str]]  # (key, label)
    bars: list[Bar]
    marks: list[Mark]
    lo: int
    hi: int
    years: list[int]


def _ordinal(d: tuple[int, int, int]) -> int:
    return dt.date(*d).toordinal()


def timeline(net: nx.MultiDiGraph) -> Timeline:
    """Rows, term bars and meeting marks of a ``chairs`` network."""
    bodies = sorted({t for _, t, a in net.edges(data=True) if a["relation"] in ("chair-term", "vice-chair-term", "in-series")},
                    key=lambda n: net.nodes[n]["label"])
    row = {b: i for i, b in enumerate(bodies)}
    bars: list[Bar] = []
    dates: list[int] = []
    for s, t, k, a in net.edges(keys=True, data=True):
        if a["relation"] not in ("chair-term", "vice-chair-term"):
            continue
        begins = [parse_date(x) for x in a["begin"].split(";") if x]
        ends = [parse_date(x) for x in a["end"].split(";") if x]
        attested = [parse_date(x) for x in a["attested"].split(";") if x]
        start = _ordinal(begins[0].first_day()) if begins else (_ordinal(attested[0].first_day()) if attested else None)
        end = _ordinal(ends[-1].last_day()) if ends else (_ordinal(attested[-1].last_day()) if attested and not begins else None)
        dates += [d for d in (start, end) if d is not None]
        bars.append(Bar(k, s, t, row[t], a["relation"], f"{net.nodes[s]['label']}: {a['label']}", start, end,
                        [str(d) for d in begins], [str(d) for d in ends], [str(d) for d in attested]))
    marks: list[Mark] = []
    for s, t, a in net.edges(data=True):
        if a["relation"] != "in-series":
            continue
        date = net.nodes[s].get("date") or ""
        ordinal = _ordinal(parse_date(date).first_day()) if date else None
        if ordinal is not None:
            dates.append(ordinal)
        chairs = sorted(f"{net.edges[h, s2, k2]['role_label']}: {net.nodes[h]['label']}"
                        for h, s2, k2 in net.in_edges(s, keys=True) if s2 == s
                        and net.edges[h, s2, k2]["relation"] in ("chair-of-meeting", "vice-chair-of-meeting"))
        marks.append(Mark(s, t, row[t], ordinal, date, net.nodes[s]["label"], chairs))
    if not dates:
        today = dt.date(2020, 1, 1).toordinal()
        dates = [today, today + 365]
    lo, hi = min(dates), max(dates)
    lo = dt.date(dt.date.fromordinal(lo).year, 1, 1).toordinal()
    hi = dt.date(dt.date.fromordinal(hi).year + 1, 1, 1).toordinal()
    years = list(range(dt.date.fromordinal(lo).year, dt.date.fromordinal(hi).year + 1))
    return Timeline([(b, net.nodes[b]["label"]) for b in bodies], sorted(bars, key=lambda b: (b.row, b.key)),
                    sorted(marks, key=lambda m: (m.row, m.date or 0, m.key)), lo, hi, years)


# ---------------------------------------------------------------------------
# Figures (PNG, SVG)
# ---------------------------------------------------------------------------

def wrap_label(text: str, width: int = 22, lines: int = 4) -> str:
    """``text`` in lines of ``width`` characters at most, ``lines`` of them; an ellipsis ends a shortened one."""
    wrapped = textwrap.wrap(text, width) or [text]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][:width - 1].rstrip() + "…"
    return "\n".join(wrapped)


def shorten(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` characters, an ellipsis where shortened."""
    return text if len(text) <= width else text[:max(1, width - 1)].rstrip() + "…"


def figure(net: nx.MultiDiGraph, kind: str, fmt: str) -> bytes:
    """The network as a PNG or SVG figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    plt.rcParams.update({"svg.fonttype": "none", "font.family": "DejaVu Sans", "svg.hashsalt": "customs-kg"})
    title = TITLES[kind] + (f" (as of {net.graph['as_of']})" if net.graph.get("as_of") else "")
    if kind == "chairs":
        fig = _timeline_figure(net, plt, title)
    else:
        n = max(1, net.number_of_nodes())
        size = min(30.0, 8 + n * 0.25)
        fig, ax = plt.subplots(figsize=(size * 1.3, size))
        pos = layout(net, kind)
        kinds = sorted({a["kind"] for _, a in net.nodes(data=True)})
        for k in kinds:
            nodes = [x for x, a in net.nodes(data=True) if a["kind"] == k]
            nx.draw_networkx_nodes(net, pos, nodelist=nodes, node_color=NODE_COLORS.get(k, "#999999"),
                                   node_size=500, ax=ax, alpha=0.9)
        relations = sorted({a["relation"] for _, _, a in net.edges(data=True)})
        for r in relations:
            color, style, width, _ = EDGE_STYLES.get(r, ("#999999", "solid", 1, r))
            for uncertain in (False, True):
                edges = [(s, t) for s, t, a in net.edges(data=True) if a["relation"] == r and a["uncertain"] == uncertain]
                if edges:
                    nx.draw_networkx_edges(net, pos, edgelist=edges, edge_color=color, width=width, ax=ax,
                                           style="dashed" if uncertain or style == "dashed" else
                                           "dotted" if style == "dotted" else "solid",
                                           alpha=0.5 if uncertain else 0.9, arrows=True, arrowsize=12,
                                           node_size=500, connectionstyle="arc3,rad=0.05")
        nx.draw_networkx_labels(net, pos, labels={x: wrap_label(a["label"]) for x, a in net.nodes(data=True)},
                                font_size=8, font_family="DejaVu Sans", ax=ax, clip_on=False)
        if kind in ("membership",) or net.number_of_edges() <= 25:
            edge_labels = {(s, t): a["role_label"] or a["label"] for s, t, a in net.edges(data=True)}
            nx.draw_networkx_edge_labels(net, pos, edge_labels=edge_labels, font_size=6, font_family="DejaVu Sans",
                                         ax=ax, rotate=False, clip_on=False)
        handles: list[Any] = [Patch(color=NODE_COLORS.get(k, "#999999"), label=KIND_NAMES.get(k, k)) for k in kinds]
        styles = {r: EDGE_STYLES.get(r, ("#999999", "solid", 1, r)) for r in relations}
        handles += [Line2D([0], [0], color=styles[r][0], lw=2, ls=styles[r][1], label=styles[r][3]) for r in relations]
        if any(a["uncertain"] for _, _, a in net.edges(data=True)):
            handles.append(Line2D([0], [0], color="#666666", lw=2, ls="dashed", label="cannot tell (as of the date)"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
        ax.set_title(title)
        ax.margins(0.08)
        ax.axis("off")
    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {"Software": "customs-kg"}
    fig.savefig(buf, format=fmt, bbox_inches="tight", dpi=110, metadata=meta)
    plt.close(fig)
    return buf.getvalue()


def _timeline_figure(net: nx.MultiDiGraph, plt: Any, title: str) -> Any:
    tl = timeline(net)
    fig, ax = plt.subplots(figsize=(14, 2 + 1.4 * max(1, len(tl.rows))))
    undated_x = tl.hi + 120  # a column of its own, right of the axis, for what has no date
    per_char = (tl.hi - tl.lo + 300) / (14 * 110 / 4.6)  # days per character of a 7-point label
    undated = False
    for bar in tl.bars:
        color = EDGE_STYLES[bar.relation][0]
        y = bar.row + (0.15 if bar.relation == "chair-term" else -0.15)
        if bar.start is not None and bar.end is not None:
            ax.broken_barh([(bar.start, max(bar.end - bar.start, 20))], (y - 0.12, 0.24), facecolors=color,
                           alpha=0.8, edgecolor="#333333")
            # The label stays within its bar, shortened with an ellipsis (the page and the GraphML have it whole).
            ax.text(bar.start + 5, y, shorten(bar.label, max(12, int((bar.end - bar.start) / per_char))),
                    va="center", fontsize=7, family="DejaVu Sans")
            continue
        # One date known (or none): a mark there, never a bar across the axis.
        at = bar.start if bar.start is not None else bar.end
        undated |= at is None
        x = at if at is not None else undated_x
        ax.plot([x], [y], marker=">" if bar.start is not None else "<" if bar.end is not None else "D",
                color=color, markersize=9, markeredgecolor="#333333")
        ax.text(x + 15, y, shorten(bar.label, 60 if at is not None else 30), va="center", fontsize=7,
                family="DejaVu Sans")
    for mark in tl.marks:
        undated |= mark.date is None
        x = mark.date if mark.date is not None else undated_x
        ax.plot([x], [mark.row - 0.4], marker="D", color=NODE_COLORS["meeting"], markersize=8)
        text = mark.label + (f"\n{'; '.join(mark.chairs)}" if mark.chairs else "")
        ax.text(x, mark.row - 0.55, wrap_label(text, 30), ha="center", va="bottom", fontsize=6, family="DejaVu Sans")
    ax.set_yticks(range(len(tl.rows)), [wrap_label(label, 40) for _, label in tl.rows], fontsize=8)
    ticks = [dt.date(y, 1, 1).toordinal() for y in tl.years] + ([undated_x] if undated else [])
    ax.set_xticks(ticks, [str(y) for y in tl.years] + (["undated"] if undated else []))
    ax.set_xlim(tl.lo - 30, (undated_x + 150) if undated else tl.hi + 30)
    ax.set_ylim(len(tl.rows) - 0.3, -1.2)
    ax.grid(axis="x", color="#dddddd")
    ax.set_title(title)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=EDGE_STYLES["chair-term"][0], label="chair term"),
                       Patch(color=EDGE_STYLES["vice-chair-term"][0], label="vice-chair term"),
                       plt.Line2D([0], [0], marker=">", color="w", markerfacecolor="#999999", markeredgecolor="#333333",
                                  markersize=9, label="one date known: from (>) or until (<)"),
                       plt.Line2D([0], [0], marker="D", color="w", markerfacecolor=NODE_COLORS["meeting"],
                                  markersize=8, label="meeting")],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


# ---------------------------------------------------------------------------
# The interactive page
# ---------------------------------------------------------------------------

def asset(name: str) -> str:
    return resources.files("graph_builder").joinpath("assets", name).read_text(encoding="utf-8")


def _cards(graph: Graph, keys: list[str], lang: str) -> dict[str, Any]:
    from rdflib import URIRef

    from graph_builder.answering.cards import entity_card, render
    from graph_builder.namespaces import ID

    out = {}
    for key in keys:
        iri = URIRef(key) if key.startswith(("http://", "https://", "urn:")) else ID[key]
        out[key] = json.loads(render(entity_card(graph, iri, lang=lang), "json", quotes=True))
    return out


def page_data(graph: Graph, net: nx.MultiDiGraph, kind: str, *, at: PartialDate | None, lang: str) -> dict[str, Any]:
    """Everything the page shows: elements, styles, legend, cards (as JSON-ready data)."""
    cards = _cards(graph, list(net.nodes), lang)
    elements: list[dict[str, Any]] = []
    W, H = 1400.0, 1000.0

    def node_el(key: str, attrs: dict[str, Any], x: float, y: float, **extra: Any) -> dict[str, Any]:
        card = cards.get(attrs.get("card", key), {})
        names = [n["text"] for n in card.get("names", [])]
        data = {"id": key, "key": key, "label": attrs["label"], "kind": attrs["kind"],
                "card": attrs.get("card", key), "search": " ".join([attrs["label"], attrs.get("label_en", ""), key] + names)}
        data.update(extra)
        return {"group": "nodes", "data": data, "position": {"x": round(x, 1), "y": round(y, 1)}}

    if kind == "chairs":
        tl = timeline(net)
        span = max(1, tl.hi - tl.lo)
        left, width, row_h = 380.0, 1100.0, 220.0

        def X(ordinal: int) -> float:
            return left + (ordinal - tl.lo) / span * width

        for i, (key, label) in enumerate(tl.rows):
            elements.append(node_el(key, net.nodes[key], 150.0, i * row_h, role="row"))
        for year in tl.years:
            ordinal = dt.date(year, 1, 1).toordinal()
            elements.append({"group": "nodes", "data": {"id": f"axis-{year}", "label": str(year), "kind": "axis",
                                                        "role": "axis", "search": ""},
                             "position": {"x": round(X(ordinal), 1), "y": -150.0}, "selectable": False})
        for bar in tl.bars:
            start = bar.start if bar.start is not None else tl.lo
            end = bar.end if bar.end is not None else tl.hi
            x0, x1 = X(start), X(max(end, start + 20))
            y = bar.row * row_h + (-40.0 if bar.relation == "chair-term" else 40.0) - 60.0
            holder = net.nodes[bar.holder]
            elements.append(node_el(f"term:{bar.key}", {**holder, "card": bar.holder}, (x0 + x1) / 2, y,
                                    role="term", relation=bar.relation, width=round(x1 - x0, 1),
                                    label=bar.label, holder=bar.holder, body=bar.body, temporal=True,
                                    begin=bar.begin, end=bar.end_dates, attested=bar.attested,
                                    open=(bar.start is None or bar.end is None)))
        for mark in tl.marks:
            x = X(mark.date) if mark.date is not None else left + width + 60
            text = mark.label + (f" ({mark.date_text})" if mark.date_text else "") + \
                ("\n" + "; ".join(mark.chairs) if mark.chairs else "")
            elements.append(node_el(mark.key, net.nodes[mark.key], x, mark.row * row_h + 40.0, role="meeting",
                                    label=text, series=mark.body))
    else:
        pos = layout(net, kind)
        for key, attrs in net.nodes(data=True):
            x, y = pos[key]
            elements.append(node_el(key, attrs, 60 + x * W, 60 + (1 - y) * H))
        for s, t, k, a in net.edges(keys=True, data=True):
            elements.append({"group": "edges", "data": {
                "id": edge_id(s, t, k), "source": s, "target": t, "key": k, "relation": a["relation"],
                "label": a["label"], "role": a["role"], "temporal": kind in DATED_KINDS,
                "begin": [d for d in a["begin"].split(";") if d], "end": [d for d in a["end"].split(";") if d],
                "attested": [d for d in a["attested"].split(";") if d]}})
    kinds = sorted({a["kind"] for _, a in net.nodes(data=True)})
    relations = sorted({a["relation"] for _, _, a in net.edges(data=True)})
    return {
        "kind": kind, "title": TITLES[kind], "lang": lang, "asOf": str(at) if at else "",
        "dated": kind in DATED_KINDS, "focus": net.graph.get("focus", ""),
        "elements": elements, "cards": cards,
        "nodeColors": NODE_COLORS, "nodeShapes": NODE_SHAPES,
        "edgeStyles": {r: {"color": c, "style": s, "width": w, "text": txt} for r, (c, s, w, txt) in EDGE_STYLES.items()},
        "legend": {"nodes": [[k, KIND_NAMES.get(k, k)] for k in kinds],
                   "edges": [[r, EDGE_STYLES.get(r, ("", "", 0, r))[3]] for r in relations]},
    }


def html_page(graph: Graph, net: nx.MultiDiGraph, kind: str, *, at: PartialDate | None = None, lang: str = "en") -> str:
    """The self-contained interactive page.

    The data goes in as :func:`~graph_builder.textsafe.html_json` (no name can
    end its ``<script>`` element); the title and language are HTML-escaped; the
    page's script writes data values with ``textContent`` only.
    """
    from html import escape

    data = page_data(graph, net, kind, at=at, lang=lang)
    blob = html_json(data)

    page = asset("page.html").replace("{{TITLE}}", escape(data["title"])).replace("{{LANG}}", escape(lang))
    # The scripts and the data go in last, each once, so nothing in them is read as a placeholder.
    head, rest = page.split("{{DATA}}", 1)
    rest_a, rest_b = rest.split("/*CYTOSCAPE*/", 1)
    rest_b, rest_c = rest_b.split("/*APP*/", 1)
    return head + blob + rest_a + asset("cytoscape.min.js") + rest_b + asset("network-common.js") + asset("page.js") + rest_c
