"""Networks of the graph as networkx graphs, for ``customs-kg viz``.

Each network comes from the named queries under ``queries/network/`` run over
the built graph:

- ``membership``: bodies and their members (administrations, RILOs, people),
  one edge member → body per ``org:Membership``, labelled with the role and
  the period;
- ``structure``: ``org:subOrganizationOf`` ("part of") and ``org:reportsTo``
  ("reports to") links, child → parent;
- ``participation``: meetings and their participants (participant → meeting),
  chairs and vice-chairs marked, and each meeting → its series;
- ``chairs``: chair and vice-chair terms (holder → body or series), the
  meetings of those series (meeting → series) and who chaired each meeting
  (holder → meeting).

``at`` (``--as-of``) applies the three-valued rule of
:func:`graph_builder.answering.temporal.holds` to every dated holding (memberships and
chair terms): what did not hold is left out, what cannot be told is kept and
marked ``uncertain``; meetings that began after the date are left out.
``focus`` and ``depth`` keep the ego graph: the nodes within ``depth`` links of
the focus, in either direction.

Every graph is a :class:`networkx.MultiDiGraph` built in a deterministic
order (nodes by key, edges by source, target and key). Node attributes:
``label`` (in the language asked, English where none), ``label_en``, ``kind``
(administration, country, rilo, organization, person, meeting, series,
other), ``types``, ``date`` (meetings). Edge attributes: ``relation`` (the
style key), ``role`` and ``role_label``, ``label``, ``begin``, ``end`` and
``attested`` (``;``-separated dates at the source's precision), ``status``
and ``reason`` (with ``at``), ``uncertain``. All values are strings or
booleans, so GraphML and GEXF writers take them as they are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Union

import networkx as nx
from rdflib import Graph, URIRef

from graph_builder.answering.cards import modality_word
from graph_builder.answering.query import NamedQuery, all_queries, run
from graph_builder.answering.temporal import Membership, Truth
from graph_builder.answering.words import word
from graph_builder.errors import QueryError
from graph_builder.iris import key_of
from graph_builder.loading.dates import PartialDate, parse_date

if TYPE_CHECKING:
    import pyoxigraph

# What the networks are read from: the merged graph, or an Oxigraph store of it (much faster at 100k triples).
Source = Union[Graph, "pyoxigraph.Store"]

KINDS = ("membership", "structure", "participation", "chairs")

# Node kinds, from the most specific type; the first that matches wins.
NODE_KINDS = (
    ("person", ("http://xmlns.com/foaf/0.1/Person", "http://schema.org/Person")),
    ("administration", ("https://w3id.org/customs-kg/ontology#NationalCustomsAdministration",)),
    ("rilo", ("https://w3id.org/customs-kg/ontology#RILO",)),
    ("country", ("http://schema.org/Country",)),
    ("series", ("http://schema.org/EventSeries",)),
    ("meeting", ("http://schema.org/Event",)),
    ("organization", ("http://www.w3.org/ns/org#Organization",)),
    ("role", ("http://www.w3.org/ns/org#Role",)),
)
CHAIR_ROLES = {"role/chair": "chair", "role/vice-chair": "vice-chair"}


def _queries() -> dict[str, NamedQuery]:
    return {q.name: q for q in all_queries().values() if q.path.parent.name == "network"}


def _rows(graph: Source, name: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    queries = _queries()
    if name not in queries:
        raise QueryError(f"the network query 'network/{name}.rq' is missing")
    result = run(graph, queries[name], params or {})
    return [{v: row[i] for i, v in enumerate(result.vars)} for row in result.rows]


@dataclass(frozen=True)
class NodeInfo:
    """What the networks draw of an entity."""

    key: str
    label: str
    label_en: str
    kind: str
    types: tuple[str, ...]


def node_infos(graph: Source, lang: str = "en") -> dict[str, NodeInfo]:
    """Every drawable entity by key, with its label in ``lang`` (``network/nodes.rq``)."""
    types: dict[str, set[str]] = defaultdict(set)
    label: dict[str, str] = {}
    label_en: dict[str, str] = {}
    for row in _rows(graph, "nodes", {"lang": lang}):
        k = key_of(row["entity"])
        types[k].add(str(row["type"]))
        if row["label"] is not None:
            label.setdefault(k, str(row["label"]))
        if row["labelEn"] is not None:
            label_en.setdefault(k, str(row["labelEn"]))
    out = {}
    for k, ts in types.items():
        kind = next((name for name, iris in NODE_KINDS if ts & set(iris)), "other")
        en = label_en.get(k, k)
        out[k] = NodeInfo(k, label.get(k, en), en, kind, tuple(sorted(t.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for t in ts)))
    return out


def span(begins: Iterable[str], ends: Iterable[str], attested: Iterable[str], lang: str = "en") -> str:
    """A period as shown on an edge: '2021 – 2022', 'from 2021-03', 'attested 2021-02-12'."""
    b, e, a = " / ".join(begins), " / ".join(ends), ", ".join(attested)
    if b and e:
        text = b if b == e else f"{b} – {e}"
    elif b:
        text = f"{word('from', lang)} {b}"
    elif e:
        text = f"{word('until', lang)} {e}"
    else:
        text = ""
    if a:
        text = (text + "; " if text else "") + f"{word('attested', lang)} {a}"
    return text or word("dates unknown", lang)


def _sorted_dates(values: Iterable[Any]) -> tuple[PartialDate, ...]:
    return tuple(sorted({parse_date(str(v)) for v in values if v is not None}, key=lambda d: (d.first_day(), d.last_day())))


def _status(begins: tuple[PartialDate, ...], ends: tuple[PartialDate, ...], attested: tuple[PartialDate, ...],
            at: PartialDate) -> tuple[Truth, str]:
    m = Membership(URIRef("urn:x"), "", "", None, None, None, begins, ends, attested)
    state = m.at(at)
    return state.truth, state.reason


def _started_after(date: str | None, at: PartialDate) -> bool:
    return date is not None and parse_date(date).first_day() > at.last_day()


class _Builder:
    def __init__(self, graph: Source, lang: str):
        self.lang = lang
        self.infos = node_infos(graph, lang)
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: list[tuple[str, str, str, dict[str, Any]]] = []

    def node(self, key: str, **extra: Any) -> str:
        info = self.infos.get(key) or NodeInfo(key, key, key, "other", ())
        attrs = self.nodes.setdefault(key, {"label": info.label, "label_en": info.label_en, "kind": info.kind,
                                            "types": ",".join(info.types), "date": ""})
        for k, v in extra.items():
            if v:
                attrs[k] = v
        return key

    def role_label(self, role: str | None) -> str:
        if not role:
            return ""
        info = self.infos.get(role)
        return info.label if info else role.rsplit("/", 1)[-1]

    def edge(self, source: str, target: str, key: str, **attrs: Any) -> None:
        base = {"relation": "", "role": "", "role_label": "", "label": "", "begin": "", "end": "", "attested": "",
                "status": "", "reason": "", "uncertain": False}
        base.update({k: v for k, v in attrs.items() if v is not None})
        self.edges.append((source, target, key, base))

    def graph(self, kind: str) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph(kind=kind)
        for key in sorted(self.nodes):
            g.add_node(key, **self.nodes[key])
        seen = set()
        for s, t, k, attrs in sorted(self.edges, key=lambda e: (e[0], e[1], e[2])):
            if (s, t, k) in seen:
                continue
            seen.add((s, t, k))
            g.add_edge(s, t, key=k, **attrs)
        return g


def _holding_edges(b: _Builder, groups: dict[tuple[str, ...], dict[str, set[str]]], at: PartialDate | None,
                   relation_of: Any) -> None:
    """Edges member → body for memberships or terms gathered with their dates."""
    for (mkey, member, role, body), dates in sorted(groups.items()):
        begins, ends, attested = (_sorted_dates(dates[x]) for x in ("from", "to", "attested"))
        status, reason, uncertain = "", "", False
        if at is not None:
            truth, reason = _status(begins, ends, attested, at)
            if truth is Truth.NOT_HELD:
                continue
            status, uncertain = str(truth), truth is Truth.UNKNOWN
        shown = span([str(d) for d in begins], [str(d) for d in ends], [str(d) for d in attested], b.lang)
        role_label = b.role_label(role)
        b.node(member)
        b.node(body)
        b.edge(member, body, mkey, relation=relation_of(role), role=role, role_label=role_label,
               label=f"{role_label} ({shown})", begin=";".join(str(d) for d in begins),
               end=";".join(str(d) for d in ends), attested=";".join(str(d) for d in attested),
               status=status, reason=reason, uncertain=uncertain)


def _membership(graph: Source, b: _Builder, at: PartialDate | None) -> None:
    groups: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _rows(graph, "membership"):
        k = (key_of(row["membership"]), key_of(row["member"]), key_of(row["role"]), key_of(row["organization"]))
        for col in ("from", "to", "attested"):
            if row[col] is not None:
                groups[k][col].add(str(row[col]))
        groups[k]  # a membership with no dates at all still gets its edge
    _holding_edges(b, groups, at, lambda role: CHAIR_ROLES.get(role, "national-contact-point"
                                                               if role == "role/national-contact-point"
                                                               else "member" if role == "role/member" else "post"))


def _structure(graph: Source, b: _Builder) -> None:
    for row in _rows(graph, "structure"):
        child, parent, relation = key_of(row["child"]), key_of(row["parent"]), str(row["relation"])
        b.node(child)
        b.node(parent)
        b.edge(child, parent, relation, relation=relation.replace(" ", "-"), label=word(relation, b.lang))


def _participation(graph: Source, b: _Builder, at: PartialDate | None) -> None:
    for row in _rows(graph, "participation"):
        meeting = key_of(row["meeting"])
        start = str(row["start"]) if row["start"] is not None else None
        if at is not None and _started_after(start, at):
            continue
        who = key_of(row["participant"])
        role = key_of(row["role"]) if row["role"] is not None else ""
        relation = CHAIR_ROLES.get(role, "participant" if role in ("", "role/participant") else "other-role")
        role_label = b.role_label(role) if role else word("participant", b.lang)
        planned = modality_word(row["planned"]) if row["planned"] is not None else ""
        if planned:  # planned, invited, announced or cancelled: not a role played
            relation, role_label = "planned", f"{role_label} ({word(planned, b.lang)})"
        b.node(meeting, date=start or "")
        if row["meetingStatus"] is not None and not b.nodes[meeting].get("status"):  # not held (yet): said on the node
            status = modality_word(row["meetingStatus"])
            b.nodes[meeting]["status"] = status
            b.nodes[meeting]["label"] += f" ({word(status, b.lang)})"
        b.node(who)
        b.edge(who, meeting, (f"{planned}-" if planned else "") + (role or "attendee"), relation=relation, role=role,
               role_label=role_label, label=role_label, begin=start or "",
               end=str(row["end"]) if row["end"] is not None else "", status=planned)
        if row["series"] is not None:
            series = b.node(key_of(row["series"]))
            b.edge(meeting, series, "in-series", relation="in-series", label=word("meeting of", b.lang))


def _chairs(graph: Source, b: _Builder, at: PartialDate | None) -> None:
    terms: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _rows(graph, "chairs"):
        body = key_of(row["body"])
        if str(row["kind"]) == "term":
            holder, role = key_of(row["holder"]), key_of(row["role"])
            k = (f"{holder}-{role.rsplit('/', 1)[-1]}-{body}", holder, role, body)
            for col in ("from", "to", "attested"):
                if row[col] is not None:
                    terms[k][col].add(str(row[col]))
            terms[k]
            continue
        meeting = key_of(row["meeting"])
        start = str(row["start"]) if row["start"] is not None else None
        if at is not None and _started_after(start, at):
            continue
        b.node(meeting, date=start or "")
        b.node(body)
        b.edge(meeting, body, "in-series", relation="in-series", label=word("meeting of", b.lang), begin=start or "")
        if row["holder"] is not None:
            holder, role = key_of(row["holder"]), key_of(row["role"])
            b.node(holder)
            label = b.role_label(role)
            derived = row["derived"] is not None
            shown = f"{label} ({start})" if start else label
            b.edge(holder, meeting, ("derived-" if derived else "") + role,
                   relation=f"{CHAIR_ROLES[role]}-of-meeting" + ("-derived" if derived else ""), role=role,
                   role_label=label, label=shown + (f" ({word('derived', b.lang)})" if derived else ""),
                   begin=start or "", end=start or "", status="derived" if derived else "")
    _holding_edges(b, terms, at, lambda role: f"{CHAIR_ROLES.get(role, 'chair')}-term")


def build_network(graph: Source, kind: str, *, at: PartialDate | None = None, focus: str | None = None,
                  depth: int = 1, lang: str = "en") -> nx.MultiDiGraph:
    """The network ``kind`` of ``graph`` (see the module docstring)."""
    if kind not in KINDS:
        raise QueryError(f"unknown network '{kind}' (use {', '.join(KINDS)})")
    b = _Builder(graph, lang)
    if kind == "membership":
        _membership(graph, b, at)
    elif kind == "structure":
        _structure(graph, b)
    elif kind == "participation":
        _participation(graph, b, at)
    else:
        _chairs(graph, b, at)
    g = b.graph(kind)
    g.graph.update({"kind": kind, "lang": lang, "as_of": str(at) if at else ""})
    if focus is not None:
        if not isinstance(graph, Graph):
            raise TypeError("build_network(focus=...) reads the names from an rdflib Graph")
        g = ego(g, focus_key(graph, focus), depth)
    return g


def focus_key(graph: Graph, name: str) -> str:
    """The key of the entity ``name`` names (any of its names; see :mod:`graph_builder.answering.resolve`)."""
    from graph_builder.answering.resolve import Resolver

    return Resolver.from_graph(graph).resolve_one(name).key


def ego(g: nx.MultiDiGraph, key: str, depth: int) -> nx.MultiDiGraph:
    """The nodes within ``depth`` links of ``key`` (either direction), in the same order."""
    if depth < 0:
        raise QueryError("--depth must be 0 or more")
    if key not in g:
        raise QueryError(f"'{key}' is not in this network (nothing to focus on)")
    keep = set(nx.single_source_shortest_path_length(g.to_undirected(as_view=True), key, cutoff=depth))
    out = nx.MultiDiGraph(**g.graph)
    out.graph["focus"] = key
    out.graph["depth"] = str(depth)
    for n, attrs in g.nodes(data=True):
        if n in keep:
            out.add_node(n, **attrs)
    for s, t, k, attrs in g.edges(keys=True, data=True):
        if s in keep and t in keep:
            out.add_edge(s, t, key=k, **attrs)
    return out
