"""Issue 18: a large connected part of a network (the whole-network pages at 100k triples) gets a real force
layout, the same at every run: linked nodes lie near each other, not on a spiral ordered by degree."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import combinations

import networkx as nx

from conftest import ROOT
from graph_builder.answering.viz import LARGE_PART, layout

HUBS, LEAVES = 30, 20  # 630 nodes: thirty bodies in a ring, twenty members each


def ring_of_bodies() -> nx.MultiDiGraph:
    net = nx.MultiDiGraph()
    for h in range(HUBS):
        net.add_node(f"body-{h:02}", label=f"Body {h}", kind="organization")
        for m in range(LEAVES):
            member = f"member-{h:02}-{m:02}"
            net.add_node(member, label=f"Member {h}.{m}", kind="administration")
            net.add_edge(member, f"body-{h:02}", key="member", relation="member")
    for h in range(HUBS):
        net.add_edge(f"body-{h:02}", f"body-{(h + 1) % HUBS:02}", key="part-of", relation="part-of")
    return net


def test_a_large_part_is_laid_by_force_with_linked_nodes_close():
    net = ring_of_bodies()
    assert net.number_of_nodes() >= LARGE_PART
    pos = layout(net, "membership")

    def dist(a: str, b: str) -> float:
        return ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5

    linked = [dist(s, t) for s, t in net.edges()]
    pairs = list(combinations(sorted(net.nodes), 2))[::97]
    unlinked = [dist(a, b) for a, b in pairs if not net.has_edge(a, b) and not net.has_edge(b, a)]
    assert sum(linked) / len(linked) < 0.25 * sum(unlinked) / len(unlinked)
    # Each member lies nearer its own body than any other body (a spiral by degree puts the members of
    # all bodies in one ring around the bodies).
    bodies = [f"body-{h:02}" for h in range(HUBS)]
    misplaced = [m for m in net.nodes if m.startswith("member-")
                 if min(bodies, key=lambda b: dist(m, b)) != "body-" + m.split("-")[1]]
    assert len(misplaced) <= 0.05 * HUBS * LEAVES, misplaced[:10]
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in pos.values())


def test_a_large_layout_is_the_same_in_every_process():
    script = ("import json, sys; sys.path.insert(0, 'tests'); from test_layout import ring_of_bodies; "
              "from graph_builder.answering.viz import layout; "
              "print(json.dumps(sorted(layout(ring_of_bodies(), 'participation').items())))")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert json.loads(runs[0]) == json.loads(json.dumps(sorted(layout(ring_of_bodies(), "participation").items())))


def test_a_group_of_participants_lies_next_to_its_meeting(built_graph):
    """The site's participation page: each meeting's group node (its many plain participants, hidden until
    opened) is placed nearer its meeting than any other node is, however many other meetings its members attend."""
    from graph_builder.answering.site import network_data

    nodes = [e for e in network_data(built_graph, "participation", {}, "en")["elements"] if e["group"] == "nodes"]
    pos = {e["data"]["id"]: (e["position"]["x"], e["position"]["y"]) for e in nodes}
    groups = [e["data"]["id"] for e in nodes if e["data"].get("role") == "group"]
    assert groups
    for group in groups:
        gx, gy = pos[group]
        nearest = min((n for n in pos if n != group), key=lambda n: ((pos[n][0] - gx) ** 2 + (pos[n][1] - gy) ** 2, n))
        assert nearest == group.removeprefix("group:"), (group, nearest)
