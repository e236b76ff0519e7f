"""Issue 5: the networks behind `customs-kg viz`, and the figure files.

The networks come from the queries under queries/network/ over the built
graph; --as-of follows graph_builder.answering.temporal.holds (not held: left out;
cannot tell: kept, marked uncertain); --focus/--depth keep an ego graph. The
files are read back: GraphML and GEXF with networkx, PNG with Pillow, SVG as
XML with its labels as text.
"""

from __future__ import annotations

import re

import io
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from conftest import run_cli
from graph_builder.answering.network import KINDS, build_network
from graph_builder.answering.viz import figure, gexf, graphml, render_file
from graph_builder.errors import CustomsKGError
from graph_builder.loading.dates import parse_date

RILO_CIS = "Regional Intelligence Liaison Office for the Commonwealth of Independent States"
NCP_MEMBERS = {"customs-am", "customs-az", "customs-by", "customs-kg", "customs-kz", "customs-tj", "customs-uz",
               "fcs-russia"}


def edges(net, **attrs):
    return {(s, t, k) for s, t, k, a in net.edges(keys=True, data=True) if all(a[x] == v for x, v in attrs.items())}


@pytest.fixture(scope="module")
def nets(built_graph):
    return {kind: build_network(built_graph, kind) for kind in KINDS}


def test_membership_network_has_the_rilo_cis_national_contact_points(nets):
    net = nets["membership"]
    ncp = {s for s, t, _ in edges(net, relation="national-contact-point") if t == "rilo-cis"}
    assert ncp == NCP_MEMBERS
    assert net.nodes["rilo-cis"]["kind"] == "rilo" and net.nodes["rilo-cis"]["label"] == RILO_CIS
    assert net.nodes["customs-kz"]["kind"] == "administration"
    edge = net.edges["customs-kz", "rilo-cis", "customs-kz-national-contact-point-rilo-cis"]
    assert edge["label"] == "National Contact Point (attested 2021-02-12)" and edge["attested"] == "2021-02-12"
    chair = net.edges["rilo-cis", "global-rilo-meetings", "rilo-cis-chair-global-rilo-meetings-2021-2022"]
    assert (chair["relation"], chair["begin"], chair["end"]) == ("chair", "2021", "2022")
    assert chair["label"] == "Chair (2021 – 2022)"


@pytest.mark.parametrize("date, shown, status", [
    ("2022-06-01", True, "held"),       # a term 2021-2022 runs through 2022
    ("2023-06-01", False, None),        # over: left out
    ("2021", True, "held"),
    ("2020-12", False, None),           # not begun
])
def test_membership_as_of_follows_temporal_holds(built_graph, date, shown, status):
    net = build_network(built_graph, "membership", at=parse_date(date))
    key = ("rilo-cis", "global-rilo-meetings", "rilo-cis-chair-global-rilo-meetings-2021-2022")
    assert (key in set(net.edges(keys=True))) is shown
    if shown:
        assert net.edges[key]["status"] == status and net.edges[key]["uncertain"] is False


def test_as_of_marks_what_cannot_be_told_as_uncertain(built_graph):
    # Attested on 2021-02-12 only: cannot tell on another day, held in February 2021.
    key = ("customs-kz", "rilo-cis", "customs-kz-national-contact-point-rilo-cis")
    later = build_network(built_graph, "membership", at=parse_date("2022-06-01"))
    assert later.edges[key]["uncertain"] is True and later.edges[key]["status"] == "cannot tell"
    month = build_network(built_graph, "membership", at=parse_date("2021-02"))
    assert month.edges[key]["uncertain"] is False and month.edges[key]["status"] == "held"


def test_structure_network_has_the_fcs_departments_and_rilo_cis(nets):
    net = nets["structure"]
    part_of = edges(net, relation="part-of")
    assert ("rilo-cis", "fcs-central-enforcement-department", "part of") in part_of
    for dept in ("fcs-central-enforcement-department", "fcs-customs-risk-management-department",
                 "fcs-representation-belgium"):
        assert (dept, "fcs-russia", "part of") in part_of
    reports = {(s, t) for s, t, _ in edges(net, relation="reports-to")}
    assert reports == {("wco-enforcement-committee", "wco-council"), ("wco-enforcement-committee", "wco-policy-commission")}


def test_participation_network_marks_chairs(nets):
    net = nets["participation"]
    assert ("rilo-cis", "global-rilo-meeting-28", "role/chair") in edges(net, relation="chair")
    assert ("oleg-gubaidulin", "chleu-meeting-24", "role/chair") in edges(net, relation="chair")
    assert ("customs-kz", "chleu-meeting-24", "attendee") in edges(net, relation="participant")
    assert ("global-rilo-meeting-28", "global-rilo-meetings", "in-series") in edges(net, relation="in-series")
    assert net.nodes["global-rilo-meeting-28"]["kind"] == "meeting"
    assert net.nodes["global-rilo-meeting-28"]["date"] == "2021-01-19"


def test_chairs_network_has_terms_and_meetings(nets):
    net = nets["chairs"]
    terms = {(s, t, a["relation"]) for s, t, a in net.edges(data=True) if a["relation"].endswith("-term")}
    assert ("rilo-cis", "global-rilo-meetings", "chair-term") in terms
    assert ("rilo-south-america", "global-rilo-meetings", "vice-chair-term") in terms
    assert ("oleg-bakanov", "wco-enforcement-committee", "vice-chair-term") in terms
    meetings = {s for s, t, _ in edges(net, relation="in-series") if t == "global-rilo-meetings"}
    assert meetings == {"global-rilo-meeting-28", "global-rilo-meeting-30"}
    assert ("rilo-cis", "global-rilo-meeting-28", "role/chair") in edges(net, relation="chair-of-meeting")


def test_chairs_as_of_leaves_out_finished_terms_and_later_meetings(built_graph):
    net = build_network(built_graph, "chairs", at=parse_date("2021-06-01"))
    assert "global-rilo-meeting-30" not in net          # held in 2023
    assert net.has_edge("rilo-cis", "global-rilo-meetings")
    later = build_network(built_graph, "chairs", at=parse_date("2023-06-01"))
    assert not later.has_edge("rilo-cis", "global-rilo-meetings")
    assert "global-rilo-meeting-30" in later


def test_focus_and_depth_keep_the_ego_graph(built_graph):
    one = build_network(built_graph, "structure", focus="RILO CIS", depth=1)
    assert set(one) == {"rilo-cis", "fcs-central-enforcement-department"}
    two = build_network(built_graph, "structure", focus="РИЛО СНГ", depth=2)
    assert set(two) == {"rilo-cis", "fcs-central-enforcement-department", "fcs-russia"}
    assert two.graph["focus"] == "rilo-cis"
    with pytest.raises(CustomsKGError):
        build_network(built_graph, "structure", focus="Oleg Bakanov")  # in the graph, not in this network


def test_russian_labels(built_graph):
    net = build_network(built_graph, "structure", lang="ru")
    assert net.nodes["wco"]["label"] == "Всемирная таможенная организация"
    assert net.nodes["wco"]["label_en"] == "World Customs Organization"
    chairs = build_network(built_graph, "chairs", lang="ru")
    [term] = [a for s, t, a in chairs.edges(data=True) if (s, t, a["relation"]) == ("rilo-cis", "global-rilo-meetings", "chair-term")]
    assert term["role_label"] == "Председатель" and term["label"] == "Председатель (2021 – 2022)"


@pytest.mark.parametrize("kind", KINDS)
def test_graphml_and_gexf_read_back_with_their_nodes_and_edges(nets, kind, tmp_path):
    net = nets[kind]
    for name, text in (("g.graphml", graphml(net)), ("g.gexf", gexf(net))):
        assert text == (graphml(net) if name.endswith("graphml") else gexf(net)), "not deterministic"
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        back = nx.read_graphml(path) if name.endswith("graphml") else nx.read_gexf(path)
        assert set(back.nodes) == set(net.nodes), name
        assert back.number_of_edges() == net.number_of_edges(), name
        assert sorted((s, t) for s, t in back.edges()) == sorted((s, t) for s, t in net.edges()), name
        ids = re.findall(r'<edge [^>]*\bid="([^"]*)"', text)
        assert len(ids) == net.number_of_edges() and len(set(ids)) == len(ids), f"{name}: edge ids repeat"
        label = back.nodes[next(iter(net.nodes))].get("label")
        assert label == net.nodes[next(iter(net.nodes))]["label"], name
    # Nodes are written in key order.
    order = [n for n in nx.read_graphml(tmp_path / "g.graphml").nodes]
    assert order == sorted(order)


@pytest.mark.parametrize("kind", KINDS)
def test_png_has_real_content(nets, kind):
    from PIL import Image

    data = figure(nets[kind], kind, "png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.width > 600 and image.height > 300
    assert len(set(image.getdata())) > 50, "the figure is (nearly) blank"


@pytest.mark.parametrize("kind, lang, expected", [
    ("membership", "en", [RILO_CIS[:20], "Deputy Head", "national contact point"]),
    ("structure", "en", ["Central Enforcement", "Federal Customs"]),
    ("participation", "en", ["28th Global RILO", "chair"]),
    ("chairs", "en", ["Global RILO Meeting", "Chair (2021 – 2022)"]),
    ("structure", "ru", ["Всемирная таможенная"]),
])
def test_svg_has_its_labels_as_text(built_graph, kind, lang, expected):
    net = build_network(built_graph, kind, lang=lang)
    svg = figure(net, kind, "svg").decode("utf-8")
    root = ET.fromstring(svg)
    texts = " ".join(" ".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text"))
    for label in expected:
        assert label in texts, (label, texts[:500])
    assert "DejaVu Sans" in svg
    assert figure(net, kind, "svg") == svg.encode("utf-8"), "the SVG is not deterministic"


@pytest.mark.parametrize("kind, suffix", [("membership", ".svg"), ("structure", ".graphml"),
                                          ("participation", ".gexf"), ("chairs", ".png")])
def test_one_command_writes_each_kind(kind, suffix, tmp_path):
    out = tmp_path / f"{kind}{suffix}"
    proc = run_cli("viz", kind, "-o", str(out), "--as-of", "2022-06-01")
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and out.stat().st_size > 500
    assert f"wrote {out}" in proc.stdout


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", [".html", ".png", ".svg", ".graphml", ".gexf"])
def test_every_kind_in_every_format(built_graph, kind, suffix, tmp_path):
    out = render_file(built_graph, kind, tmp_path / f"{kind}{suffix}", lang="ru" if suffix == ".html" else "en")
    assert out.stat().st_size > 500


def test_viz_usage_errors(tmp_path):
    proc = run_cli("viz", "structure", "-o", str(tmp_path / "x.pdf"))
    assert proc.returncode == 2 and "unknown output format" in proc.stderr
    proc = run_cli("viz", "structure", "--depth", "2", "-o", str(tmp_path / "x.svg"))
    assert proc.returncode == 2 and "--focus" in proc.stderr
    proc = run_cli("viz", "structure", "--focus", "nobody-at-all", "-o", str(tmp_path / "x.svg"))
    assert proc.returncode == 2 and "no entity matches" in proc.stderr
    assert not list(tmp_path.iterdir())


def test_figure_labels_are_shortened_with_an_ellipsis_never_cut():
    from graph_builder.answering.viz import shorten, wrap_label

    long = "Committee of Heads of Law Enforcement Units of the Council of Heads of Customs Services of the CIS"
    wrapped = wrap_label(long, 22)
    assert len(wrapped.splitlines()) == 4 and wrapped.endswith("…")
    assert all(len(line) <= 22 for line in wrapped.splitlines())
    assert wrap_label("Global RILO Meeting", 22) == "Global RILO Meeting"
    assert shorten(long, 30).endswith("…") and len(shorten(long, 30)) <= 30
    assert shorten("short", 30) == "short"


def test_the_chairs_figure_draws_no_bar_for_a_term_with_one_date_and_shows_undated_meetings(built_graph):
    net = build_network(built_graph, "chairs")
    svg = figure(net, "chairs", "svg").decode("utf-8")
    root = ET.fromstring(svg)
    texts = [" ".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    joined = " ".join(texts)
    assert "undated" in joined  # the column of what has no date
    assert "24th Meeting" in joined  # the undated 24th CHLEU meeting is drawn, in that column
    assert any("Oleg Bakanov: Vice-Chair (from 2021-03)" in t for t in texts)
