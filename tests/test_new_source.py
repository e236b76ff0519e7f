"""`customs-kg new-source TEXT`: the source file of a new article, from what its text shows of itself."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import BUNDLED_FACTS, FACTS, ROOT, run_cli
from graph_builder.curate import detect

SEED_TEXTS = FACTS / "texts"

# Read from the seed texts and their curated source files: the headline is the line before the date line (after
# the site's banners), the date as printed in English, French or Russian; the CHLEU text shows no date.
@pytest.mark.parametrize("text, headline, published", [
    ("000_6e7f9bf5dfe01106.txt", "The 28th Global RILO Meeting was held under the chairmanship of the RILO CIS",
     "2021-02-12"),
    ("001_d6190b310fd862db.txt", "30th Global RILO Meeting", "2023-02-03"),
    ("002_ee07dfc50b9f6e5d.txt", "Developing Enforcement Cooperation in the WCO European Region", "2016-01-07"),
    ("003_4543cc4769edf49f.txt", "Representative of the FCS of Russia for the first time acted as Vice-Chair of "
                                 "the WCO Enforcement Committee", "2021-04-08"),
    ("004_27a1fee0d8ebf986.txt", "The 24th Meeting of the Committee of Heads of Law Enforcement Units of the Council "
                                 "of Heads of Customs Services of the CIS took place in Kazan.", None),
])
def test_detection_agrees_with_the_curated_seed_sources(text, headline, published):
    found = detect((SEED_TEXTS / text).read_text(encoding="utf-8"))
    assert (found.headline, found.published, found.language) == (headline, published, "en")


def test_a_russian_text_is_detected_as_russian():
    found = detect("Заседание комитета\n\n5 марта 2024\n\nЗаседание прошло в Казани. Участники обсудили итоги.\n")
    assert (found.headline, found.published, found.language) == ("Заседание комитета", "2024-03-05", "ru")


@pytest.fixture()
def facts(tmp_path):
    folder = tmp_path / "facts"
    shutil.copytree(BUNDLED_FACTS, folder)
    return folder


ARTICLE = ROOT / "tests" / "articles" / "coastal-forum" / "texts" / "coastal-forum-2025-03-12.txt"


def test_new_source_writes_a_source_file_that_builds(facts, tmp_path):
    proc = run_cli("new-source", str(ARTICLE), "--facts", str(facts), "--url", "https://example.org/forum/3")
    assert proc.returncode == 0, proc.stderr
    key = "2025-03-12-coastal-enforcement-forum-holds-its-3rd-meeting"
    source = (facts / "sources" / f"{key}.yaml").read_text(encoding="utf-8")
    assert f"  id: {key}\n" in source
    assert '  headline: "Coastal Enforcement Forum holds its 3rd meeting"  # line 1 of the text\n' in source
    assert '  published: "2025-03-12"  # line 3 of the text\n' in source
    assert re.search(r"^  language: en  # detected: ", source, re.M)
    assert "  url: https://example.org/forum/3\n" in source
    assert (facts / "texts" / f"{key}.txt").read_bytes() == ARTICLE.read_bytes()
    assert f"sources/{key}.yaml" in proc.stdout
    built = run_cli("build", str(facts), "-o", str(tmp_path / "out"), "--no-reason")
    assert built.returncode == 0, built.stderr
    assert re.search(r"^sources +6$", built.stdout, re.M)


def test_new_source_never_overwrites_and_leaves_nothing_behind(facts):
    assert run_cli("new-source", str(ARTICLE), "--facts", str(facts)).returncode == 0
    before = sorted(p.name for p in (facts / "sources").iterdir()) + sorted(p.name for p in (facts / "texts").iterdir())
    again = run_cli("new-source", str(ARTICLE), "--facts", str(facts))
    assert again.returncode == 2
    assert "is already declared; give another with --key" in again.stderr
    bad = run_cli("new-source", str(ARTICLE), "--facts", str(facts), "--key", "other", "--publisher", "nobody")
    assert bad.returncode == 2 and "--publisher: 'nobody' is not declared" in bad.stderr
    after = sorted(p.name for p in (facts / "sources").iterdir()) + sorted(p.name for p in (facts / "texts").iterdir())
    assert after == before


def test_new_source_of_a_missing_text_is_a_clear_error(facts, tmp_path):
    proc = run_cli("new-source", str(tmp_path / "nothing.txt"), "--facts", str(facts))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"{tmp_path / 'nothing.txt'}: error: text: no such file"


def test_the_publisher_is_taken_from_the_sites_address_and_recorded_as_an_inference(facts, tmp_path):
    """A second article from a site whose articles one publisher published gets that publisher, marked inferred
    with its reason, in the source file and in the graph; a site no curated article comes from gets none."""
    from rdflib import Dataset, Literal, URIRef

    text = tmp_path / "article.txt"
    text.write_text("Customs news\n\n12 March 2021\n\nThe Federal Customs Service of Russia held a meeting.\n",
                    encoding="utf-8")
    first = run_cli("new-source", str(text), "--facts", str(facts), "--url", "https://customs.example.ru/news/1",
                    "--publisher", "fcs-russia", "--key", "site-first")
    assert first.returncode == 0, first.stderr
    second = run_cli("new-source", str(text), "--facts", str(facts), "--url", "https://customs.example.ru/news/2",
                     "--key", "site-second")
    assert second.returncode == 0, second.stderr
    written = (facts / "sources" / "site-second.yaml").read_text(encoding="utf-8")
    assert "  publisher: fcs-russia  # from the site's address: check it\n" in written
    assert ('  publisher_inferred: "the site\'s address (customs.example.ru) is the one of the articles fcs-russia '
            'published (such as site-first)"\n') in written
    other = run_cli("new-source", str(text), "--facts", str(facts), "--url", "https://elsewhere.example.org/1",
                    "--key", "site-other")
    assert other.returncode == 0, other.stderr
    assert "publisher" not in (facts / "sources" / "site-other.yaml").read_text(encoding="utf-8")
    out = tmp_path / "out"
    built = run_cli("build", str(facts), "-o", str(out), "--no-reason")
    assert built.returncode == 0, built.stderr
    ds = Dataset()
    ds.parse(out / "customs-kg.trig", format="trig")
    ckg, ids = "https://w3id.org/customs-kg/ontology#", "https://w3id.org/customs-kg/id/"
    inferred = {s for s, _, _ in ds.triples((None, URIRef(ckg + "basis"), URIRef(ckg + "Inferred")))}
    subjects = {ds.value(s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject")) for s in inferred}
    assert subjects == {URIRef(ids + "site-second")}
    reasons = [o for s in inferred for o in ds.objects(s, URIRef(ckg + "inferenceReason"))]
    assert reasons and all(isinstance(r, Literal) and "customs.example.ru" in r for r in reasons)
