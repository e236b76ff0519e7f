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
import math
import textwrap
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph

from graph_builder.answering.network import build_network
from graph_builder.answering.words import word
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
            data = figure(net, kind, suffix[1:], lang)
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
    for s, t, a in net.edges(data=True):  # an edge's ``weight`` (default 1) pulls its ends together harder
        w = float(a.get("weight", 1.0))
        if not und.has_edge(s, t) or und.edges[s, t]["weight"] < w:
            und.add_edge(s, t, weight=w)
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
            sub.add_edges_from(sorted((*sorted((s, t)), {"weight": w}) for s, t, w in und.subgraph(part).edges(data="weight")))
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
    weighted = sorted({(min(index[s], index[t]), max(index[s], index[t]), w)
                       for s, t, w in und.subgraph(part).edges(data="weight") if s != t})
    edges = [(s, t) for s, t, _ in weighted]
    start = [[math.sqrt(i) * math.cos(i * 2.39996), math.sqrt(i) * math.sin(i * 2.39996)] for i in range(len(order))]
    g = igraph.Graph(n=len(order), edges=edges)
    igraph.set_random_number_generator(random.Random(7))
    try:
        coords = g.layout_fruchterman_reingold(seed=start, niter=500, grid=False,
                                               weights=[w for _, _, w in weighted]).coords
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


# The figures are drawn in points: one unit of the axes is one point of the page (1/72 inch), so a label's
# size, measured by matplotlib's renderer, and the places of the nodes share one scale, and the labels are
# placed where they overlap no other label, node or bar (the figure grows until they fit).
NODE_FONT, EDGE_FONT, NOTE_FONT = 8.5, 7.5, 7.5  # points: legible at 100 % (about 13 and 11 pixels at 110 dpi)
NODE_AREA = 300.0                                # the marker's area in points², as matplotlib's node_size
NODE_R = NODE_AREA ** 0.5 / 2
PAD = 1.5                                        # the white box around a label, in points
DPI = 110
Box = tuple[float, float, float, float]          # x0, y0, x1, y1 in points, y up


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class _Boxes:
    """The boxes taken so far, in a grid of 60-point cells (a free place is found without comparing with all)."""

    CELL = 60.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def _keys(self, b: Box) -> list[tuple[int, int]]:
        c = self.CELL
        return [(i, j) for i in range(int(b[0] // c), int(b[2] // c) + 1) for j in range(int(b[1] // c), int(b[3] // c) + 1)]

    def free(self, b: Box) -> bool:
        return not any(_overlap(b, o) for k in self._keys(b) for o in self.cells.get(k, ()))

    def add(self, b: Box) -> None:
        for k in self._keys(b):
            self.cells.setdefault(k, []).append(b)


@dataclass
class _Label:
    text: str
    size: float
    w: float
    h: float
    spots: list[tuple[float, float]]     # the centres to try, best first
    anchor: tuple[float, float]          # what it names (a leader line joins it to a label placed far off)
    ha: str = "center"
    color: str = "#000000"
    at: tuple[float, float] | None = None  # the centre chosen
    far: bool = False

    def box(self, c: tuple[float, float]) -> Box:
        return (c[0] - self.w / 2, c[1] - self.h / 2, c[0] + self.w / 2, c[1] + self.h / 2)


def _place(labels: list[_Label], taken: _Boxes, strict: bool, rings: int = 4) -> bool:
    """Give each label the first of its spots free of everything placed before it, else the first free place on
    rings around its anchor (joined to it by a leader line). ``strict``: give up (False) after ``rings`` rings."""
    for lab in labels:
        for c in lab.spots:
            if taken.free(lab.box(c)):
                lab.at = c
                break
        else:
            step = max(lab.h, 8.0)
            ring = 1
            while lab.at is None:
                if strict and ring > rings:
                    return False
                r = NODE_R + step * ring
                for i in range(16):
                    angle = -math.pi / 2 + i * math.pi / 8
                    c = (lab.anchor[0] + (r + lab.w / 2) * math.cos(angle), lab.anchor[1] + (r + lab.h / 2) * math.sin(angle))
                    if taken.free(lab.box(c)):
                        lab.at, lab.far = c, True
                        break
                ring += 1
        assert lab.at is not None
        taken.add(lab.box(lab.at))
    return True


class _Measure:
    """Sizes of label boxes in points, from matplotlib's own text layout (its Agg renderer at 72 dpi)."""

    def __init__(self, plt: Any) -> None:
        self.fig = plt.figure(dpi=72)
        self.renderer = self.fig.canvas.get_renderer()
        self.cache: dict[tuple[str, float], tuple[float, float]] = {}

    def __call__(self, text: str, size: float) -> tuple[float, float]:
        if (text, size) not in self.cache:
            t = self.fig.text(0, 0, text, fontsize=size, family="DejaVu Sans", parse_math=False, linespacing=1.2)
            e = t.get_window_extent(self.renderer)
            t.remove()
            self.cache[text, size] = (e.width + 2 * PAD + 1.0, e.height + 2 * PAD + 1.0)
        return self.cache[text, size]

    def fit(self, text: str, size: float, width: float) -> str:
        """``text`` on one line, shortened with an ellipsis to fit ``width`` points ("" when not even a word fits)."""
        if self(text, size)[0] <= width:
            return text
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self(shorten(text, mid), size)[0] <= width:
                lo = mid
            else:
                hi = mid - 1
        return shorten(text, lo) if lo >= 6 else ""


def _draw_labels(ax: Any, labels: list[_Label], box: bool = True) -> None:
    for lab in labels:
        assert lab.at is not None
        x, y = lab.at
        if lab.far:  # a leader line from the node to the nearest side of its label
            bx = min(max(lab.anchor[0], x - lab.w / 2), x + lab.w / 2)
            by = min(max(lab.anchor[1], y - lab.h / 2), y + lab.h / 2)
            ax.plot([lab.anchor[0], bx], [lab.anchor[1], by], color="#888888", lw=0.6, zorder=2.5)
        tx = x - lab.w / 2 + PAD + 0.5 if lab.ha == "left" else x
        ax.text(tx, y, lab.text, fontsize=lab.size, family="DejaVu Sans", ha=lab.ha, va="center", color=lab.color,
                linespacing=1.2, parse_math=False, zorder=4, clip_on=False,
                bbox={"boxstyle": f"square,pad={PAD / lab.size:.3f}", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.85} if box else None)


def _bounds(labels: list[_Label], points: list[Box], min_width: float) -> Box:
    boxes = [lab.box(lab.at) for lab in labels if lab.at is not None] + points or [(0.0, 0.0, 0.0, 100.0)]
    x0, y0 = min(b[0] for b in boxes) - 6, min(b[1] for b in boxes) - 6
    x1, y1 = max(b[2] for b in boxes) + 6, max(b[3] for b in boxes) + 6
    if x1 - x0 < min_width:
        extra = (min_width - (x1 - x0)) / 2
        x0, x1 = x0 - extra, x1 + extra
    return x0, y0, x1, y1


def _canvas(plt: Any, bounds: Box) -> tuple[Any, Any]:
    """A figure whose axes span ``bounds`` at one unit per point (the axes fill the figure; title and legend
    lie outside it, and the saved figure's tight box takes them in)."""
    x0, y0, x1, y1 = bounds
    fig = plt.figure(figsize=((x1 - x0) / 72, (y1 - y0) / 72), dpi=72)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axis("off")
    return fig, ax


def edge_text(net: nx.MultiDiGraph, s: str, t: str, a: dict[str, Any], lang: str = "en") -> str:
    """What a figure writes on an edge: the role when the legend does not already say it (a post's title,
    a role at a meeting), else nothing."""
    role = (a.get("role_label") or "").strip()
    legend = EDGE_STYLES.get(a["relation"], ("", "", 0, a["relation"]))[3]
    if not role or role.lower() in (legend.lower(), word(legend, lang).lower(), a["relation"].replace("-", " ")):
        return ""
    return shorten(role, 28)


def figure(net: nx.MultiDiGraph, kind: str, fmt: str, lang: str = "en") -> bytes:
    """The network as a PNG or SVG figure, its title and legend in ``lang``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = draw(net, kind, lang)
    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {"Software": "customs-kg"}
    fig.savefig(buf, format=fmt, bbox_inches="tight", pad_inches=0.15, dpi=DPI, metadata=meta)
    plt.close(fig)
    return buf.getvalue()


def draw(net: nx.MultiDiGraph, kind: str, lang: str = "en") -> Any:
    """The matplotlib figure of :func:`figure` (labels placed apart, none beyond the figure)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.family": "DejaVu Sans", "svg.hashsalt": "customs-kg"})
    title = word(TITLES[kind], lang) + (f" ({word('As of', lang)} {net.graph['as_of']})" if net.graph.get("as_of") else "")
    measure = _Measure(plt)
    try:
        if kind == "chairs":
            return _timeline_figure(net, plt, title, measure, lang)
        return _network_figure(net, kind, plt, title, measure, lang)
    finally:
        plt.close(measure.fig)


def _node_spots(x: float, y: float, w: float, h: float) -> list[tuple[float, float]]:
    g = NODE_R + 2
    return [(x, y - g - h / 2), (x, y + g + h / 2), (x + g + w / 2, y), (x - g - w / 2, y),
            (x + g + w / 2 - 4, y - g - h / 2 + 4), (x - g - w / 2 + 4, y - g - h / 2 + 4),
            (x + g + w / 2 - 4, y + g + h / 2 - 4), (x - g - w / 2 + 4, y + g + h / 2 - 4)]


def _network_figure(net: nx.MultiDiGraph, kind: str, plt: Any, title: str, measure: _Measure, lang: str) -> Any:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    unit = layout(net, kind)
    n = max(1, net.number_of_nodes())
    if kind == "structure":  # a tree: a column per leaf, a level per depth
        columns = max(1, len({round(x, 6) for x, _ in unit.values()}) - 1)
        levels = max(1, len({round(y, 6) for _, y in unit.values()}) - 1)
        width, height = 125.0 * columns, 95.0 * levels
    else:
        width, height = 150.0 * n ** 0.5 * 1.4, 150.0 * n ** 0.5
    order = sorted(net.nodes, key=lambda k: (-net.degree(k), k))
    texts = {k: wrap_label(net.nodes[k]["label"], 22, 3) for k in order}
    edges = [(s, t, edge_text(net, s, t, a, lang)) for s, t, a in net.edges(data=True)]
    for attempt in range(12):
        scale = 1.25 ** attempt
        pos = {k: (x * width * scale, y * height * scale) for k, (x, y) in unit.items()}
        taken = _Boxes()
        for x, y in pos.values():
            taken.add((x - NODE_R, y - NODE_R, x + NODE_R, y + NODE_R))
        labels = []
        for k in order:
            w, h = measure(texts[k], NODE_FONT)
            labels.append(_Label(texts[k], NODE_FONT, w, h, _node_spots(*pos[k], w, h), pos[k]))
        for s, t, text in edges:
            if not text or s == t:
                continue
            w, h = measure(text, EDGE_FONT)
            (xs, ys), (xt, yt) = pos[s], pos[t]
            spots = [(xs + (xt - xs) * f, ys + (yt - ys) * f) for f in (0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75)]
            labels.append(_Label(text, EDGE_FONT, w, h, spots, ((xs + xt) / 2, (ys + yt) / 2), color="#333333"))
        if _place(labels, taken, strict=attempt < 11):
            break
    nodes = [(x - NODE_R, y - NODE_R, x + NODE_R, y + NODE_R) for x, y in pos.values()]
    fig, ax = _canvas(plt, _bounds(labels, nodes, measure(title, 12)[0] + 20))
    kinds = sorted({a["kind"] for _, a in net.nodes(data=True)})
    for k in kinds:
        nx.draw_networkx_nodes(net, pos, nodelist=[x for x, a in net.nodes(data=True) if a["kind"] == k],
                               node_color=NODE_COLORS.get(k, "#999999"), node_size=NODE_AREA, ax=ax, alpha=0.9)
    relations = sorted({a["relation"] for _, _, a in net.edges(data=True)})
    for r in relations:
        color, style, lw, _ = EDGE_STYLES.get(r, ("#999999", "solid", 1, r))
        for uncertain in (False, True):
            edgelist = [(s, t) for s, t, a in net.edges(data=True) if a["relation"] == r and a["uncertain"] == uncertain]
            if edgelist:
                nx.draw_networkx_edges(net, pos, edgelist=edgelist, edge_color=color, width=lw, ax=ax,
                                       style="dashed" if uncertain or style == "dashed" else
                                       "dotted" if style == "dotted" else "solid",
                                       alpha=0.5 if uncertain else 0.9, arrows=True, arrowsize=10,
                                       node_size=NODE_AREA, connectionstyle="arc3,rad=0.05")
    _draw_labels(ax, labels)
    handles: list[Any] = [Patch(color=NODE_COLORS.get(k, "#999999"), label=word(KIND_NAMES.get(k, k), lang))
                          for k in kinds]
    styles = {r: EDGE_STYLES.get(r, ("#999999", "solid", 1, r)) for r in relations}
    handles += [Line2D([0], [0], color=styles[r][0], lw=2, ls=styles[r][1], label=word(styles[r][3], lang))
                for r in relations]
    if any(a["uncertain"] for _, _, a in net.edges(data=True)):
        handles.append(Line2D([0], [0], color="#666666", lw=2, ls="dashed",
                              label=word("cannot tell whether it held on the date", lang)))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, borderaxespad=0.8)
    ax.set_title(title, fontsize=12, pad=10)
    return fig


def _timeline_figure(net: nx.MultiDiGraph, plt: Any, title: str, measure: _Measure, lang: str) -> Any:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    tl = timeline(net)
    per_day = 190.0 / 365.25                      # points per day: a year is 190 points wide
    undated_x = (tl.hi - tl.lo) * per_day + 70.0  # a column of its own, right of the axis, for what has no date

    def X(ordinal: int) -> float:
        return (ordinal - tl.lo) * per_day

    heads = [wrap_label(label, 34, 4) for _, label in tl.rows]
    head_w = max((measure(h, NODE_FONT)[0] for h in heads), default=0.0)
    for attempt in range(12):
        row_h = 150.0 * 1.25 ** attempt

        def Y(row: int, off: float = 0.0) -> float:
            return -(row * row_h) + off

        taken = _Boxes()
        for i in range(1, len(tl.rows)):  # a label stays in its row's band (the line between rows is taken)
            taken.add((-head_w - 14, Y(i) + row_h / 2 - 0.5, undated_x + 600, Y(i) + row_h / 2 + 0.5))
        fixed: list[_Label] = []
        shapes: list[tuple[str, Any]] = []
        for i, head in enumerate(heads):  # row names at the left, right-aligned on the axis
            w, h = measure(head, NODE_FONT)
            fixed.append(_Label(head, NODE_FONT, w, h, [(-12 - w / 2, Y(i))], (-12.0, Y(i))))
        labels: list[_Label] = []
        inside: list[_Label] = []  # on their own bar (which no other label covers)
        undated = False
        for bar in tl.bars:
            color = EDGE_STYLES[bar.relation][0]
            if bar.start is not None and bar.end is not None:
                x0, x1 = X(bar.start), X(max(bar.end, bar.start + 20))
                # The chair's lane above the row's line, the vice-chair's below it; a term overlapping another
                # in its lane takes the next lane up.
                lanes = [14.0 if bar.relation == "chair-term" else -14.0] + [42.0 + 28 * i for i in range(len(tl.bars))]
                y = next(Y(bar.row, off) for off in lanes if taken.free((x0, Y(bar.row, off) - 10, x1, Y(bar.row, off) + 10)))
                shapes.append(("bar", (x0, y, x1, color)))
                taken.add((x0, y - 10, x1, y + 10))
                text = measure.fit(bar.label, NOTE_FONT, x1 - x0 - 4)
                if text:  # within its bar, shortened with an ellipsis (the page and the GraphML have it whole)
                    w, h = measure(text, NOTE_FONT)
                    inside.append(_Label(text, NOTE_FONT, w, h, [], (x0, y), ha="left", at=(x0 + 2 + w / 2, y)))
                    continue
                text = shorten(bar.label, 60)
                w, h = measure(text, NOTE_FONT)
                labels.append(_Label(text, NOTE_FONT, w, h, [(x1 + 4 + w / 2, y), (x0 - 4 - w / 2, y),
                                                             (x0 + w / 2, y + 12 + h / 2), (x0 + w / 2, y - 12 - h / 2)],
                                     (x1, y), ha="left"))
                continue
            # One date known (or none): a mark there, never a bar across the axis.
            at = bar.start if bar.start is not None else bar.end
            undated |= at is None
            x = X(at) if at is not None else undated_x
            y = Y(bar.row, 14 if bar.relation == "chair-term" else -14)
            marker = ">" if bar.start is not None else "<" if bar.end is not None else "D"
            shapes.append(("mark", (x, y, marker, color)))
            taken.add((x - 6, y - 6, x + 6, y + 6))
            text = shorten(bar.label, 60)
            w, h = measure(text, NOTE_FONT)
            labels.append(_Label(text, NOTE_FONT, w, h, [(x + 9 + w / 2, y), (x - 9 - w / 2, y),
                                                         (x, y + 9 + h / 2), (x, y - 9 - h / 2)], (x, y), ha="left"))
        for mark in tl.marks:
            undated |= mark.date is None
            x = X(mark.date) if mark.date is not None else undated_x
            y = Y(mark.row, -48)
            shapes.append(("meeting", (x, y)))
            taken.add((x - 6, y - 6, x + 6, y + 6))
            text = wrap_label(mark.label + (f"\n{'; '.join(mark.chairs)}" if mark.chairs else ""), 30, 4)
            w, h = measure(text, NOTE_FONT)
            below = y - 8 - h / 2
            labels.append(_Label(text, NOTE_FONT, w, h, [(x, below), (x + 9 + w / 2, y), (x - 9 - w / 2, y),
                                                         (x + w / 2 - 6, below), (x - w / 2 + 6, below),
                                                         (x, y + 8 + h / 2), (x, below - h - 2),
                                                         (x + w / 2 - 6, below - h - 2), (x - w / 2 + 6, below - h - 2)],
                                 (x, y)))
        bottom = Y(len(tl.rows) - 1) - row_h / 2 - 10
        ticks = [(dt.date(year, 1, 1).toordinal(), str(year)) for year in tl.years]
        for ordinal, text in ticks:
            w, h = measure(text, NODE_FONT)
            fixed.append(_Label(text, NODE_FONT, w, h, [(X(ordinal), bottom - 4 - h / 2)], (X(ordinal), bottom)))
        if undated:
            text = word("undated", lang)
            w, h = measure(text, NODE_FONT)
            fixed.append(_Label(text, NODE_FONT, w, h, [(undated_x, bottom - 4 - h / 2)], (undated_x, bottom)))
        # A label far from its mark would read as another row's: the rows grow instead (rings only at the end).
        if _place(fixed, taken, strict=True, rings=0) and _place(labels, taken, strict=attempt < 11, rings=0):
            break
    right = (undated_x + 60) if undated else X(tl.hi) + 20
    frame = [(-head_w - 14, bottom, right, Y(0) + row_h / 2)]
    fig, ax = _canvas(plt, _bounds(fixed + labels + inside, frame, measure(title, 12)[0] + 20))
    for x in [X(o) for o, _ in ticks] + ([undated_x] if undated else []):
        ax.plot([x, x], [bottom, Y(0) + row_h / 2], color="#dddddd", lw=0.8, zorder=0)
    ax.plot([0, right], [bottom, bottom], color="#555555", lw=0.8)
    for i in range(1, len(tl.rows)):
        ax.plot([-head_w - 12, right], [Y(i) + row_h / 2] * 2, color="#eeeeee", lw=0.8, zorder=0)
    for what, args in shapes:
        if what == "bar":
            x0, y, x1, color = args
            ax.add_patch(Rectangle((x0, y - 9), x1 - x0, 18, facecolor=color, alpha=0.8, edgecolor="#333333", zorder=3))
        elif what == "mark":
            x, y, marker, color = args
            ax.plot([x], [y], marker=marker, color=color, markersize=9, markeredgecolor="#333333", zorder=3)
        else:
            ax.plot([args[0]], [args[1]], marker="D", color=NODE_COLORS["meeting"], markersize=8, zorder=3)
    _draw_labels(ax, fixed + labels)
    _draw_labels(ax, inside, box=False)
    ax.set_title(title, fontsize=12, pad=10)
    ax.legend(handles=[Patch(color=EDGE_STYLES["chair-term"][0], label=word("chair term", lang)),
                       Patch(color=EDGE_STYLES["vice-chair-term"][0], label=word("vice-chair term", lang)),
                       Line2D([0], [0], marker=">", color="w", markerfacecolor="#999999", markeredgecolor="#333333",
                              markersize=9, label=word("one date known: from (>) or until (<)", lang)),
                       Line2D([0], [0], marker="D", color="w", markerfacecolor=NODE_COLORS["meeting"],
                              markersize=8, label=word("meeting", lang))],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, borderaxespad=0.8)
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
