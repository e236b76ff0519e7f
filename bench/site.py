"""Benchmark of `customs-kg site` (issue 18): writing the site of a synthetic graph, and how soon its pages answer.

Usage: python bench/site.py [--triples 100000] [--workdir DIR]

Not part of the test suite. Writes synthetic facts (`customs-kg synth --triples N --seed 0`), then times, each in
its own process, `customs-kg site --facts FACTS -o SITE` (wall clock, interpreter start included) and, in headless
Chromium (Debian's, driven by Playwright) from file://, the time from opening each page to the moment it answers:
the index's search ready (then one search typed), each network page drawn, the SPARQL page's store loaded.
Targets (issue 18, at 100k triples): the site in under 30 s; the index interactive in under 2 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGES = (("index.html", "window.ckgSearch"), ("network-membership.html", "window.ckg && window.ckg.cy"),
         ("network-structure.html", "window.ckg && window.ckg.cy"),
         ("network-participation.html", "window.ckg && window.ckg.cy"),
         ("network-chairs.html", "window.ckg && window.ckg.cy"), ("sparql.html", "window.ckgSparql && window.ckgSparql.ready"))


def cli(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "graph_builder", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def pages(site: Path) -> list[tuple[str, float]]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        for name, ready in PAGES:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto((site / name).as_uri())
            page.wait_for_function(f"() => {ready}", timeout=300000)
            out.append((name, time.perf_counter() - start))
            if name == "index.html":
                start = time.perf_counter()
                page.fill("#q", "customs")
                page.locator("#results li").first.wait_for()
                out.append(("index.html: a search typed", time.perf_counter() - start))
            page.close()
        browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100000)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="customs-kg-bench-site-"))
    facts, site = work / "facts", work / "site"
    if not (facts / "synth-manifest.json").exists():
        cli("synth", "--triples", str(args.triples), "-o", str(facts))
    seconds = cli("site", "--facts", str(facts), "-o", str(site))
    files = sorted(p for p in site.iterdir() if p.is_file())
    print("| step | seconds |\n|---|---|")
    print(f"| `customs-kg site` at {args.triples:,} triples ({len(files)} files, "
          f"{sum(p.stat().st_size for p in files) / 1e6:.0f} MB) | {seconds:.1f} |")
    for name, took in pages(site):
        print(f"| {name} | {took:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
