"""The built book, checked in a real browser (Debian's Chromium, driven by Playwright; make site-check).

For every HTML page of _build/html, served on localhost under a GitHub-Pages-like sub-path:
- it loads with no JavaScript error (console errors, uncaught exceptions, failed requests);
- no request leaves the machine (every request to another host is blocked and reported);
- where the page has math, MathJax (served from the site itself) has rendered every formula;
- every <img> has loaded;
- axe-core (pinned in package.json) finds no critical or serious WCAG 2.1 A/AA violation, and no
  display equation is wider than the text column.
Then: the widget chapter shows its slider, the search page finds a known word, every page of
_toc.yml was built, and screenshots of two pages are saved in test-artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"

WIDGET_CHAPTER = "book/05_training_mlp"
SEARCH_WORD = "backpropagation"  # in the introduction and the notation page
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}
TIMEOUT_MS = 30_000
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILS_ON = {"critical", "serious"}


def built_pages(site: Path = SITE) -> list[str]:
    skip = ("_static/", "_sources/", "_images/", "vendor/")
    pages = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).as_posix().startswith(skip)
    )
    # No site yet: one item, whose site_dir fixture fails with "run make book".
    return pages or ["index.html"]


class Visit:
    """One page in a fresh browser context, recording errors and every request that left the site."""

    def __init__(self, browser, base_url: str):
        self.base = urlsplit(base_url)
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on(
            "requestfailed",
            lambda r: self._is_local(r.url) and self.errors.append(f"request failed: {r.url} ({r.failure})"),
        )
        self.page.on(
            "response",
            lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"),
        )

    def _is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return True
        return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS

    def _route(self, route):
        url = route.request.url
        if self._is_local(url):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def open(self, path: str):
        response = self.page.goto(f"{self.base.geturl()}{path}", wait_until="load")
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        self.page.wait_for_load_state("networkidle")
        # Blocked requests are reported first: whatever waits below would only time out.
        assert not self.outside, f"{path}: requests left the machine (blocked): {self.outside}"
        return self.page

    def check_clean(self, path: str) -> None:
        assert not self.outside, f"{path}: requests left the machine (blocked): {self.outside}"
        assert not self.errors, f"{path}: JavaScript errors or failed requests:\n" + "\n".join(self.errors)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, base_url):
    v = Visit(browser, base_url)
    yield v
    v.close()


def has_math(path: str) -> bool:
    html = (SITE / path).read_text(encoding="utf-8")
    return bool(re.search(r'class="math[ "]', html))


@pytest.mark.parametrize("path", built_pages())
def test_page(site_dir, visit, path):
    page = visit.open(path)

    if has_math(path):
        page.wait_for_function("() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise")
        page.evaluate("() => window.MathJax.startup.promise")
        counts = page.evaluate(
            """() => {
                const formulas = [...document.querySelectorAll('.math')];
                return {
                  formulas: formulas.length,
                  rendered: formulas.filter(el => el.querySelector('mjx-container')).length,
                  containers: document.querySelectorAll('mjx-container').length,
                  errors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent),
                  version: window.MathJax.version,
                };
            }"""
        )
        assert counts["containers"] > 0, f"{path}: has math but no mjx-container: {counts}"
        assert counts["rendered"] == counts["formulas"], f"{path}: not every formula was rendered: {counts}"
        assert not counts["errors"], f"{path}: MathJax errors (undefined macro?): {counts['errors']}"
        assert counts["version"].startswith("3."), f"{path}: unexpected MathJax {counts['version']}"

    images = page.evaluate(
        """async () => {
            const imgs = [...document.images];
            imgs.forEach(img => { img.loading = 'eager'; });
            await Promise.all(imgs.map(img => img.decode().catch(() => null)));
            return imgs.map(img => ({src: img.currentSrc || img.src, width: img.naturalWidth}));
        }"""
    )
    broken = [img["src"] for img in images if img["width"] == 0]
    assert not broken, f"{path}: images that did not load: {broken}"

    icon = page.evaluate(
        """async () => { const link = document.querySelector('link[rel~="icon"]');
                         return link ? (await fetch(link.href)).status : null; }"""
    )
    assert icon == 200, f"{path}: no page icon, or it does not load (HTTP {icon}); browsers then ask for /favicon.ico"

    wide = page.evaluate(
        """() => [...document.querySelectorAll('div.math, mjx-container[display="true"]')]
              .filter(el => el.scrollWidth > el.clientWidth + 1)
              .map(el => `${el.scrollWidth} px > ${el.clientWidth} px: ${el.textContent.trim().slice(0, 70)}`)"""
    )
    assert not wide, f"{path}: display equations wider than the text column (split them with aligned):\n" + "\n".join(wide)

    problems = axe_violations(page)
    assert not problems, f"{path}: accessibility violations (axe-core, WCAG 2.1 AA):\n" + "\n".join(problems)

    visit.check_clean(path)


def axe_violations(page) -> list[str]:
    """axe-core's critical and serious violations on the page, one line per rule with up to 3 elements."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does it through scripts/fetch_assets.py).")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
              .map(v => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.map(n => n.target.join(' '))}))""",
        AXE_TAGS,
    )
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {len(v['nodes'])} element(s), e.g. {v['nodes'][:3]}"
        for v in violations
        if v["impact"] in AXE_FAILS_ON
    ]


def _has_widget_state(stem: str) -> bool:
    nb = json.loads((ROOT / f"{stem}.ipynb").read_text(encoding="utf-8"))
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return bool(state.get("state"))


def test_widget_chapter_shows_slider(site_dir, visit):
    assert _has_widget_state(WIDGET_CHAPTER), (
        f"{WIDGET_CHAPTER}.ipynb stores no widget state, so the book cannot draw its slider. Re-execute it with "
        f"`make execute NB={WIDGET_CHAPTER}.ipynb`, which saves metadata.widgets (nbclient store_widget_state)."
    )
    page = visit.open(f"{WIDGET_CHAPTER}.html")
    slider = page.locator(".widget-slider").first
    slider.wait_for(state="visible")
    assert page.locator(".widget-slider").count() >= 1
    visit.check_clean(f"{WIDGET_CHAPTER}.html")


def test_search_finds_a_known_word(site_dir, visit):
    page = visit.open(f"search.html?q={SEARCH_WORD}")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(state="attached")
    assert results.count() >= 1
    assert SEARCH_WORD in page.locator("#search-results").inner_text().lower()
    visit.check_clean("search.html")


def test_every_toc_page_is_built(site_dir):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [ch["file"] for part in toc.get("parts", []) for ch in part.get("chapters", [])]
    missing = [f for f in files if not (site_dir / f"{Path(f).with_suffix('')}.html").is_file()]
    assert not missing, f"pages of _toc.yml missing from the built site: {missing}"


@pytest.mark.parametrize(
    "path, name",
    [("book/notation.html", "book-notation.png"), (f"{WIDGET_CHAPTER}.html", "book-training-mlp.png")],
)
def test_screenshot(site_dir, visit, artifacts, path, name):
    page = visit.open(path)
    if has_math(path):
        page.wait_for_function("() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise")
        page.evaluate("() => window.MathJax.startup.promise")
    target = artifacts / name
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000, f"{target} looks empty"
