"""Issue 18: the `customs-kg viz` figures (.svg, .png) are readable: no two labels overlap, none lies beyond the
figure's edge, a shortened one ends in an ellipsis, and every label is at a legible size at 100 %.

The SVG figures are made through the installed command, on the bundled facts and on the bundled facts with the
invented articles of tests/articles added. Their labels are text (DejaVu Sans): each <text> element's box is
measured with that font's metrics (matplotlib's text-to-path layout) at the place, anchor and size the file
gives it, and the boxes are compared with each other and with the figure's view box. The PNG is the same
drawing rasterised: its size must match the SVG's at the figure's resolution.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import ARTICLES, BUNDLED_FACTS, run_cli, with_articles

KINDS = ("membership", "structure", "participation", "chairs")
SVG = "{http://www.w3.org/2000/svg}"
MIN_SIZE = 7.0   # points: 7-point text is about 11 pixels at 110 dpi
SLACK = 0.6      # points: glyph boxes of neighbouring lines of one label may touch


@pytest.fixture(scope="module")
def fact_sets(tmp_path_factory):
    articles = sorted(p.name for p in ARTICLES.iterdir() if (p / "entities").is_dir())
    return {"bundled": BUNDLED_FACTS,
            "articles": with_articles(tmp_path_factory.mktemp("figures") / "facts", BUNDLED_FACTS, articles)}


def text_boxes(svg: Path) -> tuple[list[tuple[str, float, tuple[float, float, float, float]]], tuple[float, float]]:
    """(text, font size, box (x0, y0, x1, y1), y down) of every <text> in the file, and the view box's size."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure = TextToPath()
    root = ET.parse(svg).getroot()
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    out = []
    for el in root.iter(SVG + "text"):
        style = dict(part.split(":", 1) for part in el.get("style", "").split(";") if ":" in part)
        style = {k.strip(): v.strip() for k, v in style.items()}
        size = float(style["font-size"].removesuffix("px"))
        transform = el.get("transform", "")
        assert "rotate(" not in transform or re.search(r"rotate\(-?0[ )]", transform), (svg, transform)
        if el.get("x") is not None:
            x, y = float(el.get("x")), float(el.get("y"))
        else:
            x, y = (float(v) for v in re.search(r"translate\(([-\d.e]+) ([-\d.e]+)\)", transform).groups())
        text = "".join(el.itertext())
        w, h, d = measure.get_text_width_height_descent(text, FontProperties(family="DejaVu Sans", size=size),
                                                        ismath=False)
        anchor = style.get("text-anchor", "start")
        x0 = x - (w / 2 if anchor == "middle" else w if anchor == "end" else 0)
        out.append((text, size, (x0, y - (h - d), x0 + w, y + d)))
    return out, (width, height)


def overlapping(a, b) -> bool:
    return a[0] < b[2] - SLACK and b[0] < a[2] - SLACK and a[1] < b[3] - SLACK and b[1] < a[3] - SLACK


@pytest.mark.parametrize("facts", ["bundled", "articles"])
@pytest.mark.parametrize("kind", KINDS)
def test_figure_labels_are_apart_inside_and_legible(fact_sets, tmp_path, kind, facts):
    from PIL import Image

    svg, png = tmp_path / f"{kind}.svg", tmp_path / f"{kind}.png"
    for out in (svg, png):
        proc = run_cli("viz", kind, "--facts", str(fact_sets[facts]), "-o", str(out))
        assert proc.returncode == 0, proc.stderr
    boxes, (width, height) = text_boxes(svg)
    assert len(boxes) > 10
    for text, size, (x0, y0, x1, y1) in boxes:
        assert size >= MIN_SIZE, f"{kind}: '{text}' is {size} points"
        assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height, f"{kind}: '{text}' lies beyond the figure"
    clashes = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if overlapping(a[2], b[2])]
    assert not clashes, f"{kind} ({facts}): labels overlap: {clashes[:5]}"
    # The PNG is the same figure at 110 dpi (the SVG's unit is the point, 1/72 inch; the tight box of the
    # raster differs by the rounding of its text extents).
    w, h = Image.open(png).size
    assert abs(w / (width * 110 / 72) - 1) < 0.01 and abs(h / (height * 110 / 72) - 1) < 0.01


def test_a_shortened_label_ends_in_an_ellipsis(fact_sets, tmp_path):
    svg = tmp_path / "participation.svg"
    assert run_cli("viz", "participation", "--facts", str(fact_sets["bundled"]), "-o", str(svg)).returncode == 0
    texts = [t for t, _, _ in text_boxes(svg)[0]]
    assert any(t.endswith("…") for t in texts)  # "21st Meeting of the WCO European Region Heads of Customs…"
    assert "21st Meeting of the" in texts


def test_a_russian_figure_has_its_title_legend_and_axis_in_russian(tmp_path):
    for kind, expected in (("membership", ["Сеть членства: органы и их члены", "национальная таможенная администрация",
                                           "национальный контактный пункт"]),
                           ("chairs", ["Председатели и заместители во времени", "срок председателя", "без даты"])):
        svg = tmp_path / f"{kind}.svg"
        proc = run_cli("viz", kind, "--lang", "ru", "--facts", str(BUNDLED_FACTS), "-o", str(svg))
        assert proc.returncode == 0, proc.stderr
        texts = {t for t, _, _ in text_boxes(svg)[0]}
        for phrase in expected:
            assert phrase in texts, (kind, phrase)
        assert "national customs administration" not in texts and "chair term" not in texts
