"""Accessibility fixes for the built book (WCAG 2.1 AA, checked by axe-core in make site-check).

The theme and the extensions write a few things that axe-core reports as serious or critical:
- buttons whose ``aria-label`` hides their visible text (the search button shows "Search Ctrl+K" but is
  named "Search"; the colour-mode button; the "Show code cell source" toggles): the label is dropped,
  so the visible text (or, for the colour-mode button, a visually hidden text) names the element;
- the bibliography's ``role="list"`` around entries with the deprecated ``doc-biblioentry`` role;
- links and widget buttons whose colours fall below a 4.5:1 contrast (accessibility.css);
- widgets drawn in the browser: sliders without an accessible name (accessibility.js).

The HTML fixes rewrite the built pages at the end of the build; each rule must match on some page,
so that a theme update that changes the markup fails the build instead of silently undoing a fix.
"""
from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

STATIC = Path(__file__).parent / "static"

# (name, pattern, replacement)
FIXES = [
    ("search button named by its text",
     re.compile(r'(<button class="btn search-button-field search-button__button[^"]*" title="Search") aria-label="Search"'),
     r"\1"),
    ("colour-mode button named by a hidden text",
     re.compile(r'(<button class="[^"]*theme-switch-button[^"]*") aria-label="Color mode"([^>]*>)'),
     r'\1\2<span class="visually-hidden">Color mode</span>'),
    ("code-cell toggles named by their text",
     re.compile(r'<summary aria-label="Toggle hidden content">'),
     "<summary>"),
    ("bibliography without list roles",
     re.compile(r'<div role="list" class="citation-list">'),
     '<div class="citation-list">'),
    ("bibliography entries without the deprecated role",
     re.compile(r'(<div class="citation" id="[^"]+") role="doc-biblioentry"'),
     r"\1"),
]


def _fix_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    used = {name: 0 for name, _, _ in FIXES}
    for page in Path(app.outdir).rglob("*.html"):
        if page.is_relative_to(Path(app.outdir) / "vendor"):
            continue
        text = original = page.read_text(encoding="utf-8")
        for name, pattern, replacement in FIXES:
            text, n = pattern.subn(replacement, text)
            used[name] += n
        if text != original:
            tmp = page.with_suffix(".html.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(page)
    unused = [name for name, n in used.items() if n == 0]
    if unused:
        raise ExtensionError(f"accessibility: these fixes matched no page (did the theme's markup change?): {unused}")


def _add_static(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _add_static)
    app.add_css_file("accessibility.css")
    app.add_js_file("accessibility.js", loading_method="defer")
    app.connect("build-finished", _fix_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
