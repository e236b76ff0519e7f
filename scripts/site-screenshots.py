"""Screenshots of a site written by `customs-kg site`, as a person sees it: headless Chromium at 1400x900.

Usage: .venv/bin/python scripts/site-screenshots.py SITE_DIR OUT_DIR
(the README's pictures: `customs-kg site -o /tmp/site` on the bundled facts, then OUT_DIR = docs/site).
Every request other than file: is refused; the script fails if a page asks for one or logs an error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

SHOTS = [  # (file name, page and query, what to do before the picture)
    ("index", "index.html?q=trevino", None),
    ("entity-rilo-cis", "entity-rilo-cis.html", "open-quote"),
    ("timeline-global-rilo-meetings", "timeline-global-rilo-meetings.html", None),
    ("timeline-chleu-meetings", "timeline-chleu-meetings.html", None),
    ("network-membership", "network-membership.html", None),
    ("network-membership-rilo-cis", "network-membership.html?focus=rilo-cis", None),
    ("network-structure", "network-structure.html", None),
    ("network-participation", "network-participation.html", None),
    ("network-chairs", "network-chairs.html", None),
    ("sparql", "sparql.html", "run-query"),
]


def main(site: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        for name, url, action in SHOTS:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.on("console", lambda m, n=name: problems.append(f"{n}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e, n=name: problems.append(f"{n}: {e}"))
            page.on("request", lambda r, n=name: None if r.url.startswith(("file:", "data:"))
                    else problems.append(f"{n}: asked for {r.url}"))
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            file, _, query = url.partition("?")
            page.goto((site / file).resolve().as_uri() + (f"?{query}" if query else ""))
            page.wait_for_timeout(500)
            if action == "open-quote":
                page.locator("details.source summary").first.click()
            elif action == "run-query":
                page.wait_for_function("() => window.ckgSparql && window.ckgSparql.ready", timeout=60000)
                page.select_option("#example", label="members-of-body")
                page.fill("[data-param=body]", "rilo-cis")
                page.click("#run")
                page.wait_for_function("() => window.ckgSparql.last !== null")
            page.screenshot(path=str(out / f"{name}.png"))
            print(f"wrote {out / name}.png")
            context.close()
        browser.close()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
