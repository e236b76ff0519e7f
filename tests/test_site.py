"""Issue 18: `customs-kg site`, a static site of the graph, read in a real browser from file://.

The site is written by the installed command (as a user makes it) from the seed facts, then opened
page by page in headless Chromium (Debian's, driven by Playwright) with every request other than
file: and data: refused and recorded: a page that asks the network for anything fails its test.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from conftest import Opened, run_cli
from graph_builder.answering.temporal import Membership
from graph_builder.loading.dates import parse_date
from rdflib import URIRef


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    proc = run_cli("site", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "index.html" in proc.stdout
    return out


@pytest.fixture
def open_site(browser, site):
    opened: list[Opened] = []

    def _open(page: str, query: str = "", ready: str = "document.readyState === 'complete'") -> Opened:
        o = Opened(browser, site / page, query, ready)
        opened.append(o)
        return o

    yield _open
    for o in opened:
        o.close()


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_facts_give_the_same_site_byte_for_byte(site, tmp_path):
    again = tmp_path / "again"
    proc = run_cli("site", "-o", str(again))
    assert proc.returncode == 0, proc.stderr
    assert digest(again) == digest(site)
    # An earlier site is replaced whole: the same bytes again.
    proc = run_cli("site", "-o", str(again))
    assert proc.returncode == 0, proc.stderr
    assert digest(again) == digest(site)


def test_a_folder_that_is_not_a_site_is_refused(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep me", encoding="utf-8")
    proc = run_cli("site", "-o", str(folder))
    assert proc.returncode == 2
    assert "not a customs-kg site" in proc.stderr
    assert (folder / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_every_page_forbids_connections_and_names_nothing_outside(site):
    pages = sorted(site.glob("*.html"))
    assert len(pages) > 100
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "connect-src 'none'" in text, page.name
        refs = re.findall(r'(?:src|href|action)="([^"]*)"', text)
        outside = [r for r in refs if re.match(r"(?i)([a-z][a-z0-9+.-]*:|//)", r)]
        assert outside == [], (page.name, outside)
        for ref in refs:
            target = ref.split("?")[0].split("#")[0]
            if target:
                assert (site / target).is_file(), (page.name, ref)


@pytest.mark.parametrize("typed, found", [("TREVINO", "Ricardo Treviño"), ("ricardo trevino", "Ricardo Treviño"),
                                          ("фтс россии", "Federal Customs Service of Russia"),
                                          ("ФТС РОССИИ", "Federal Customs Service of Russia"),
                                          ("zzz nowhere", None)])
def test_search_finds_any_name_whatever_its_case_and_accents(open_site, typed, found):
    o = open_site("index.html")
    o.page.fill("#q", typed)
    links = o.page.locator("#results a").all_inner_texts()
    if found is None:
        assert links == [] and "no entity" in o.page.inner_text("#count")
    else:
        assert links[0] == found, links


def test_a_search_result_leads_to_the_page_with_the_sources_and_quotes(open_site):
    o = open_site("index.html", "?q=RILO%20CIS")
    o.page.locator("#results a", has_text="Commonwealth of Independent States").first.click()
    o.page.wait_for_load_state()
    assert o.page.inner_text("h1").startswith("Regional Intelligence Liaison Office for the Commonwealth")
    about = o.page.locator("section", has_text="About").first
    source = about.locator("details.source").first
    quote = source.locator("blockquote")
    assert "The 28th Global RILO Meeting" in source.locator("summary").inner_text()
    assert "(2021-02-12)" in source.locator("summary").inner_text()
    assert not quote.is_visible()  # the quote on demand
    source.locator("summary").click()
    assert quote.is_visible()
    assert "is a coordinating body in the CIS area" in quote.inner_text()
    # Marks: a stated line, and the derived chain up to the top.
    assert o.page.locator("li.line .mark-stated").count() > 5
    assert "Federal Customs Service of Russia" in o.page.locator("li.line", has=o.page.locator(".mark-derived")).first.inner_text()
    # Following a link reaches the linked page.
    o.page.locator("li.line a", has_text="Global RILO Meeting").first.click()
    o.page.wait_for_load_state()
    assert o.page.inner_text("h1").startswith("Global RILO Meeting")


def test_planned_items_are_marked_planned(tmp_path_factory, browser):
    from test_articles import with_article

    facts = with_article(tmp_path_factory, "inland-waters")
    out = tmp_path_factory.mktemp("planned") / "site"
    proc = run_cli("site", "-o", str(out), "--facts", str(facts))
    assert proc.returncode == 0, proc.stderr
    o = Opened(browser, out / "entity-operation-silver-current.html", ready="")
    try:
        planned = o.page.locator("li.line", has=o.page.locator(".mark-planned")).all_inner_texts()
        assert any("Participant (planned): Customs Service of Eastmarsh" in t for t in planned), planned
        stated = o.page.locator("li.line", has=o.page.locator(".mark-stated")).all_inner_texts()
        assert not any("Eastmarsh" in t for t in stated)
    finally:
        o.close()
    later = (out / "entity-operation-silver-current-2.html").read_text(encoding="utf-8")
    assert re.search(r'mark-planned"[^>]*>planned</span> status: planned', later)


def test_the_timeline_keeps_undated_items_in_their_own_lane(open_site):
    o = open_site("timeline-chleu-meetings.html")
    lane = o.page.locator("#undated")
    assert "Undated" in lane.locator("h3").inner_text()
    assert "24th Meeting" in lane.inner_text()
    assert lane.locator(".bar, .dot").count() == 0  # never drawn as a span or placed at a date
    assert "no meeting numbered 13–23 is recorded" in o.page.inner_text("main")


def test_the_timeline_of_a_series_draws_its_chair_terms_and_meetings(open_site):
    o = open_site("timeline-global-rilo-meetings.html")
    rows = o.page.locator(".lane:has(h3:text-is('Chairs and vice-chairs'))").locator(".row")
    assert rows.count() == 2 and rows.locator(".bar").count() == 2
    assert "28th Global RILO Meeting" in o.page.locator(".lane:has(h3:text-is('Meetings'))").inner_text()
    assert "no meeting numbered 29" in o.page.inner_text("main")


SHOWN = "(e => !e.hasClass('hidden') && !e.hasClass('off') && !e.source().hasClass('hidden') && !e.target().hasClass('hidden'))"


def shown_edges(o: Opened) -> set[str]:
    """The edges drawn: neither they nor their ends hidden (by the date, a closed group or the focus)."""
    return set(o.eval(f"ckg.cy.edges().filter({SHOWN}).map(e => e.id())"))


def test_the_date_control_hides_and_shows_the_memberships_by_the_three_valued_rule(open_site):
    o = open_site("network-membership.html")
    edges = o.eval("ckg.cy.edges('[?temporal]').map(e => [e.id(), e.data('begin'), e.data('end'), e.data('attested')])")
    assert len(edges) > 20
    for date in ("2019-06-01", "2021-02-12", "2022", "2024-01"):
        o.page.fill("#asof", date)
        shown = shown_edges(o)
        for eid, begin, end, attested in edges:
            m = Membership(URIRef("urn:x"), "", "", None, None, None, tuple(parse_date(d) for d in begin),
                           tuple(parse_date(d) for d in end), tuple(parse_date(d) for d in attested))
            held = str(m.at(parse_date(date)).truth) != "not held"
            assert (eid in shown) == held, (date, eid)
    chair = "rilo-cis|global-rilo-meetings|"
    o.page.fill("#asof", "2019-06-01")
    assert not any(e.startswith(chair) for e in shown_edges(o))
    o.page.fill("#asof", "2021-06-01")
    assert any(e.startswith(chair) for e in shown_edges(o))
    o.page.fill("#asof", "")
    assert any(e.startswith(chair) for e in shown_edges(o))


def test_a_network_around_one_entity_shows_its_neighbours_only(open_site):
    o = open_site("network-membership.html", "?focus=rilo-cis")
    shown = set(o.eval("ckg.cy.nodes().filter(n => !n.hasClass('off') && !n.hasClass('hidden')).map(n => n.id())"))
    assert "rilo-cis" in shown and "customs-am" in shown and "global-rilo-meetings" in shown
    assert "oleg-bakanov" not in shown
    assert "around" in o.page.inner_text("#net-title")


def test_many_attendees_of_one_meeting_are_one_group_that_opens(open_site):
    o = open_site("network-participation.html")
    groups = o.eval("ckg.cy.nodes('[kind = \"group\"]').map(n => [n.id(), n.data('members').length, !n.hasClass('hidden')])")
    assert groups and all(n > 6 and visible for _, n, visible in groups)
    gid, n, _ = max(groups, key=lambda g: g[1])
    meeting = gid.removeprefix("group:")
    count = f"ckg.cy.edges('[?grouped]').filter(e => e.data('target') === '{meeting}' && {SHOWN}(e)).length"
    assert o.eval(count) == 0
    o.click_node(gid)
    assert o.eval(count) == n
    o.click_node(gid)
    assert o.eval(count) == 0


@pytest.mark.parametrize("kind", ["membership", "structure", "participation", "chairs"])
def test_network_labels_are_legible_at_the_first_view(open_site, kind):
    o = open_site(f"network-{kind}.html")
    # The rendered label size: the style's font size times the zoom.
    smallest = o.eval("Math.min(...ckg.cy.nodes().filter(n => n.visible() && n.data('role') !== 'axis')"
                      ".map(n => parseFloat(n.style('font-size')) * ckg.cy.zoom()))")
    assert smallest >= 9.5, smallest
    legend = o.page.inner_text("#legend")
    assert "Legend" in legend


def test_the_chairs_network_keeps_an_undated_term_off_the_axis(open_site):
    o = open_site("network-chairs.html")
    undated = o.eval("ckg.cy.nodes('[role = \"term-open\"]').map(n => [n.data('label'), n.data('begin').length])")
    assert undated
    assert o.eval("ckg.cy.nodes('[role = \"axis\"]').filter(n => n.data('label') === 'undated').length") == 1


def cli_rows(text: str) -> list[dict[str, str]]:
    proc = run_cli("query", "--text", text, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(proc.stdout)["results"]["bindings"]]


QUERY = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?member ?label WHERE {
  ?m org:organization <https://w3id.org/customs-kg/id/rilo-cis> ; org:member ?member .
  ?member rdfs:label ?label .
} ORDER BY ?member"""


# The command line declares the project's prefixes (org:, skos:, ...) for a query that does not; so does the page.
UNDECLARED = 'SELECT ?body ?name WHERE { ?body a org:Organization ; skos:altLabel ?name FILTER (LANG(?name) = "ru") } ORDER BY ?body ?name'


@pytest.mark.parametrize("text, at_least", [(QUERY, 8), (UNDECLARED, 2)])
def test_a_query_typed_on_the_sparql_page_returns_the_rows_of_the_command_line(open_site, text, at_least):
    o = open_site("sparql.html", ready="window.ckgSparql && window.ckgSparql.ready")
    o.page.fill("#query", text)
    o.page.click("#run")
    o.page.wait_for_function("() => window.ckgSparql.last !== null")
    rows = o.eval("ckgSparql.last.rows.map(r => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.value])))")
    assert rows == cli_rows(text)
    assert len(rows) >= at_least
    if text != QUERY:
        return
    link = o.page.locator("#results a", has_text="customs-am")
    assert link.count() == 1
    link.click()
    o.page.wait_for_load_state()
    assert o.page.inner_text("h1").startswith("Customs administration of Armenia")


def test_a_named_query_runs_with_its_parameter(open_site):
    o = open_site("sparql.html", ready="window.ckgSparql && window.ckgSparql.ready")
    o.page.select_option("#example", label="meeting-chair")
    o.page.fill("[data-param=series]", "global-rilo-meetings")
    o.page.fill("[data-param=number]", "28")
    o.page.click("#run")
    o.page.wait_for_function("() => window.ckgSparql.last !== null")
    rows = o.eval("ckgSparql.last.rows")
    assert [r["chair"]["value"] for r in rows] == ["https://w3id.org/customs-kg/id/rilo-cis"]


@pytest.mark.parametrize("text, refused", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
    ("SELECT * WHERE { ?s ?p ?o } # x\rSERVICE", "SERVICE is refused"),
    ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM / FROM NAMED is refused"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused"),
    ("SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
])
def test_the_sparql_page_refuses_what_the_command_line_refuses(open_site, text, refused):
    o = open_site("sparql.html", ready="window.ckgSparql && window.ckgSparql.ready")
    o.page.fill("#query", text)
    o.page.click("#run")
    assert refused in o.page.inner_text("#results .error")
    assert o.eval("window.ckgSparql.last") is None
    proc = run_cli("query", "--text", text)
    assert proc.returncode != 0


@pytest.mark.parametrize("page", ["index.html", "entity-rilo-cis.html", "timeline-global-rilo-meetings.html",
                                  "network-membership.html", "network-structure.html", "network-participation.html",
                                  "network-chairs.html", "sparql.html"])
def test_screenshots_are_not_blank(open_site, page, tmp_path):
    import matplotlib.image

    o = open_site(page, ready="document.readyState === 'complete'")
    o.page.wait_for_timeout(300)
    shot = tmp_path / "shot.png"
    o.page.screenshot(path=str(shot))
    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[:2] == (900, 1400)
    assert pixels.std() > 0.05  # not one colour
    # The area below the header holds something too.
    assert pixels[120:, :1000].std() > 0.03


def test_the_site_in_russian_speaks_russian(tmp_path, browser):
    out = tmp_path / "ru"
    proc = run_cli("site", "-o", str(out), "--lang", "ru")
    assert proc.returncode == 0, proc.stderr
    o = Opened(browser, out / "network-structure.html")
    try:
        legend = o.page.inner_text("#legend")
        assert "Легенда" in legend and "входит в" in legend
        labels = o.eval("ckg.cy.nodes().map(n => n.data('label'))")
        assert "Федеральная таможенная служба" in " ".join(labels)
    finally:
        o.close()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'lang="ru"' in index and "Поиск" in index


AXE = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("page", ["index.html", "entity-rilo-cis.html", "timeline-global-rilo-meetings.html",
                                  "network-membership.html", "network-chairs.html", "sparql.html"])
def test_no_serious_accessibility_violations(open_site, page):
    """axe-core (vendored for the tests) finds no serious or critical violation of WCAG 2 A/AA."""
    o = open_site(page, ready="document.readyState === 'complete'")
    o.page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = o.eval("axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })")
    serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert len(result["passes"]) > 10  # the checker ran
    # axe itself tries to read the stylesheet with a request, which the page's policy refuses (as it should).
    refused = [e for e in o.errors if "connect-src 'none'" in e]
    assert all("site.css" in e for e in refused), refused
    o.errors[:] = [e for e in o.errors if e not in refused]


HOSTILE = '</script><img src=x onerror="window.pwned=1">\u2028<b>'


def test_hostile_names_are_shown_as_text_never_run(tmp_path, browser):
    data = tmp_path / "hostile.ttl"
    data.write_text(f"""@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/customs-kg/id/evil> a org:Organization ; rdfs:label {json.dumps(HOSTILE)}@en ;
    skos:altLabel "Évil Ålias"@en .
<https://w3id.org/customs-kg/id/good> a org:Organization ; rdfs:label "Good body"@en ;
    org:subOrganizationOf <https://w3id.org/customs-kg/id/evil> .
""", encoding="utf-8")
    out = tmp_path / "site"
    proc = run_cli("site", "-o", str(out), "--data", str(data))
    assert proc.returncode == 0, proc.stderr
    for page, ready in (("entity-evil.html", ""), ("index.html", ""), ("network-structure.html", "window.ckg && window.ckg.cy")):
        o = Opened(browser, out / page, "?q=evil%20alias" if page == "index.html" else "", ready)
        try:
            assert o.eval("window.pwned") is None
            assert o.page.locator("img").count() == 0
            if page == "entity-evil.html":
                assert '</script><img src=x onerror="window.pwned=1">' in o.page.inner_text("h1")
            if page == "index.html":
                assert o.page.locator("#results a").count() == 1
            if page == "network-structure.html":
                assert HOSTILE in o.eval("ckg.cy.nodes().map(n => n.data('label'))")
        finally:
            o.close()


def line_texts(html_text: str) -> list[tuple[str, str]]:
    """(mark, text) of every card line of a page: the words a reader sees before opening its sources."""
    from html.parser import HTMLParser

    class Lines(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.out: list[tuple[str, str]] = []
            self.depth = 0  # inside li.line
            self.hidden = 0  # inside its sources
            self.mark = ""

        def handle_starttag(self, tag, attrs):
            cls = dict(attrs).get("class") or ""
            if tag == "li" and "line" in cls.split():
                self.depth, self.mark = 1, ""
                self.out.append(("", ""))
            elif self.depth:
                self.depth += tag not in ("br",)
                if tag in ("details", "div") or self.hidden:
                    self.hidden += 1
                if tag == "span" and cls.startswith("mark ") and not self.mark:
                    self.mark = cls.split()[1].removeprefix("mark-")
                    self.out[-1] = (self.mark, self.out[-1][1])

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1
                if self.hidden:
                    self.hidden -= 1

        def handle_data(self, data):
            if self.depth and not self.hidden:
                self.out[-1] = (self.out[-1][0], self.out[-1][1] + data)

    p = Lines()
    p.feed(html_text)
    return [(m, " ".join(t.split())) for m, t in p.out]


@pytest.fixture(scope="module")
def invented_sites(tmp_path_factory) -> dict[str, Path]:
    """The site of the bundled facts with the invented articles, in English and in Russian (installed command)."""
    from conftest import BUNDLED_FACTS, with_articles

    facts = with_articles(tmp_path_factory.mktemp("invented") / "facts", BUNDLED_FACTS,
                          ["inland-waters", "ridge-pact", "coastal-forum"])
    out = {}
    for lang in ("en", "ru"):
        out[lang] = tmp_path_factory.mktemp(f"site-{lang}") / "site"
        proc = run_cli("site", "-o", str(out[lang]), "--facts", str(facts), "--lang", lang)
        assert proc.returncode == 0, proc.stderr
    return out


def test_marks_come_from_the_graph_not_from_the_words_of_a_line(invented_sites):
    en = invented_sites["en"]
    # a chair's term is stated; the meetings listed under it are derived, the scheduled one among them
    # does not make the term planned
    term = [(m, t) for m, t in line_texts((en / "timeline-inland-waters-council-meetings.html").read_text("utf-8"))
            if "meetings in this term" in t]
    assert term and all(m == "stated" for m, _ in term), term
    assert all("derived: meetings in this term, from the term's dates" in t for _, t in term), term
    # the handover dated "On 6 January" without a year is the curator's inference, with its reason
    handover = [(m, t) for m, t in line_texts((en / "entity-mira-stenholt.html").read_text("utf-8")) if "handed over" in t]
    assert handover == [(handover[0][0], handover[0][1])] and handover[0][0] == "inferred", handover
    assert "gives the day without a year" in handover[0][1]
    # a meeting to be held is planned; its series' other meetings are stated
    meetings = {found.group(1): m for m, t in line_texts((en / "timeline-ridge-pact-sessions.html").read_text("utf-8"))
                if (found := re.search(r"(1[45]th Session of the Ridge Pact Customs Council) \(", t))}
    assert meetings == {"14th Session of the Ridge Pact Customs Council": "stated",
                        "15th Session of the Ridge Pact Customs Council": "planned"}, meetings
    # a chain of part-of links above the first is derived by following them
    chain = [(m, t) for m, t in line_texts((en / "entity-rilo-cis.html").read_text("utf-8")) if " → " in t]
    assert chain and all("derived: up the part-of links" in t for _, t in chain), chain


ENGLISH_SCAFFOLDING = ("dates:", "founded ", "attested ", "term of ", "handed over to", "meetings in this term",
                       "chaired by", "not stated", "status:", "No. ", "elected by", "nominated by", "succeeded",
                       "derived:", "inferred:", "the speaker's words", "dates unknown", "platform:", "until ")


def test_the_russian_site_gives_every_line_in_russian(invented_sites):
    ru = invented_sites["ru"]
    pages = sorted(ru.glob("entity-*.html")) + sorted(ru.glob("timeline-*.html"))
    english = {}
    for page in pages:
        for _, text in line_texts(page.read_text("utf-8")):
            found = [w for w in ENGLISH_SCAFFOLDING if w in text]
            if found:
                english[page.name] = (found, text)
    assert not english, english
    stenholt = dict((t, m) for m, t in line_texts((ru / "entity-mira-stenholt.html").read_text("utf-8")))
    assert any("срок 4 года" in t and "предшественник: Aldo Ferrin" in t for t in stenholt), stenholt
    assert any(m == "inferred" and "передаёт полномочия" in t for t, m in stenholt.items()), stenholt
    assert "предположено" in (ru / "entity-mira-stenholt.html").read_text("utf-8")


def test_the_russian_site_has_a_word_for_every_phrase_it_prints(tmp_path):
    """Every phrase the cards, timelines, networks, pages and figures look up has its Russian form (words.MISSING)."""
    from conftest import ARTICLES, BUNDLED_FACTS, with_articles
    from graph_builder.answering import words
    from graph_builder.answering.network import KINDS
    from graph_builder.answering.site import write_site
    from graph_builder.answering.viz import render_file
    from graph_builder.pipeline import open_facts

    facts = with_articles(tmp_path / "facts", BUNDLED_FACTS,
                          sorted(p.name for p in ARTICLES.iterdir() if (p / "sources").is_dir()))
    graph = open_facts(facts)[1].merged_graph()
    words.MISSING.clear()
    write_site(graph, tmp_path / "site", lang="ru")
    for kind in KINDS:  # and the figures of `viz --lang ru`
        render_file(graph, kind, tmp_path / f"{kind}.svg", lang="ru")
    assert not words.MISSING, sorted(words.MISSING)
