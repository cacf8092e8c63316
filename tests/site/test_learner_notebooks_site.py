"""The learner notebooks against the built book, and one of them rendered as Jupyter renders it.

- The numbers the converter gives equations, exercises and theorems are those of _build/html.
- The built site's download button serves the learner notebook, and its Colab button opens the
  learner notebook on the branch the Pages workflow publishes (scripts/learner_notebooks.py).
- One learner notebook, converted to HTML by nbconvert (Jupyter's own Markdown renderer and its
  "lab" template) and opened in headless Chromium with MathJax 3 served from _vendor/ (pinned in
  package.json, as for the site) in the configuration JupyterLab uses: every formula renders, no
  MathJax error, labelled equations show their numbers, solutions are folded, no MyST source is
  visible. A screenshot goes to test-artifacts/learner-notebook.png.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import learner_notebooks as ln  # noqa: E402

SITE = ROOT / "_build" / "html"
MATHJAX = ROOT / "_vendor" / "vendor" / "mathjax" / "tex-chtml.js"
RENDER_CHAPTER = "book/03_backpropagation"  # theorems, proofs, numbered equations, exercises, checks
VISIBLE_MYST = ("```{", ":::{", "{eq}", "{cite", "{ref}", "{doc}", "{prf:", ":label:", ":class: dropdown", "$$")
# JupyterLab 4's MathJax 3 settings, plus undefined macros as errors (as in the site) so that a
# book-only macro (\R, \vect...) in a chapter shows up here.
MATHJAX_CONFIG = """<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true, packages: {'[-]': ['noundefined']}},
};
</script>
"""


def html_numbers(path: Path) -> dict[str, str]:
    """{label: number} of the equations, exercises and theorems of one built page."""
    html = path.read_text(encoding="utf-8")
    numbers = {
        m["label"]: f"({m['number']})"
        for m in re.finditer(r'<span class="eqno">\((?P<number>[\d.]+)\)<a class="headerlink" '
                             r'href="#equation-(?P<label>[^"]+)"', html)
    }
    for m in re.finditer(r'<div class="[^"]*admonition[^"]*" id="(?P<label>[^"]+)">\s*<p class="admonition-title">'
                         r'<span class="caption-number">(?P<text>[^<]+?)\s*</span>', html):
        numbers[m["label"]] = m["text"]
    return numbers


@pytest.mark.parametrize("doc", ln.Book(ROOT).notebooks())
def test_numbers_match_the_built_book(site_dir, doc):
    book = ln.Book(ROOT)
    built = html_numbers(site_dir / f"{doc}.html")
    ours = {label: t.text for label, t in book.targets.items()
            if t.doc == doc and (t.anchor.startswith("equation-") or re.match(r"^[A-Z]\w+ [\d.]+$", t.text))}
    assert ours == built, f"{doc}: converter's numbers differ from the built book's:\nours  {ours}\nbuilt {built}"


@pytest.mark.parametrize("doc", ln.Book(ROOT).notebooks())
def test_download_and_colab_buttons_give_the_learner_notebook(site_dir, doc):
    page = (site_dir / f"{doc}.html").read_text(encoding="utf-8")
    assert f"_sources/{doc}.ipynb" in page, f"{doc}.html has no download link to _sources/{doc}.ipynb"
    downloaded = json.loads((site_dir / "_sources" / f"{doc}.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in downloaded["cells"] if c["cell_type"] == "markdown")
    assert "```{" not in text and "{eq}`" not in text, f"_sources/{doc}.ipynb is the MyST chapter, not the learner one"
    colab = re.findall(r'https://colab\.research\.google\.com/github/[^"]+', page)
    assert colab, f"{doc}.html has no Colab button"
    assert all(f"/blob/{ln.NOTEBOOKS_BRANCH}/{doc}.ipynb" in url for url in colab), (
        f"{doc}.html: the Colab button does not open the learner notebook on {ln.NOTEBOOKS_BRANCH}: {colab}"
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """RENDER_CHAPTER's learner notebook as nbconvert's HTML, beside a copy of the pinned MathJax."""
    from nbconvert import HTMLExporter
    import nbformat

    if not MATHJAX.is_file():
        pytest.fail(f"{MATHJAX} is missing: run `make assets` (make test does it), which fetches the pinned MathJax.")
    book = ln.Book(ROOT)
    assert RENDER_CHAPTER in book.notebooks(), f"{RENDER_CHAPTER} is not in _toc.yml: choose another RENDER_CHAPTER"
    chapter = ln.convert_notebook(book, RENDER_CHAPTER)
    folder = tmp_path_factory.mktemp("learner-html")
    shutil.copytree(MATHJAX.parent, folder / "mathjax")
    notebook = nbformat.reads(json.dumps(chapter.notebook), as_version=4)
    exporter = HTMLExporter(template_name="lab", mathjax_url="mathjax/tex-chtml.js", require_js_url="")
    html, _ = exporter.from_notebook_node(notebook)
    html = html.replace('<script src="mathjax/tex-chtml.js">', MATHJAX_CONFIG + '<script src="mathjax/tex-chtml.js">', 1)
    (folder / "index.html").write_text(html, encoding="utf-8")
    return folder, chapter


@pytest.fixture(scope="module")
def served(rendered):
    folder, chapter = rendered
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html", chapter
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def test_learner_notebook_renders_in_jupyters_renderer(browser, served, artifacts):
    url, chapter = served
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    outside, errors = [], []

    def route(r):
        if r.request.url.startswith("http://127.0.0.1"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function("() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise")
        page.evaluate("() => window.MathJax.startup.promise")
        state = page.evaluate(
            """() => {
                const md = [...document.querySelectorAll('.jp-MarkdownOutput')];
                return {
                  version: window.MathJax.version,
                  containers: document.querySelectorAll('.jp-MarkdownOutput mjx-container').length,
                  tagged: document.querySelectorAll('.jp-MarkdownOutput mjx-labels, .jp-MarkdownOutput mjx-mlabeledtr').length,
                  errors: [...document.querySelectorAll('mjx-merror')].map(e => e.getAttribute('data-mjx-error') || e.textContent),
                  text: md.map(el => el.innerText).join('\\n'),
                  details: [...document.querySelectorAll('.jp-MarkdownOutput details')].map(d => ({
                      open: d.open, summary: d.querySelector('summary').innerText,
                      bodyVisible: [...d.children].filter(c => c.tagName !== 'SUMMARY').some(c => c.checkVisibility())})),
                  headings: [...document.querySelectorAll('.jp-MarkdownOutput h3')].map(h => h.innerText),
                };
            }"""
        )
        text = re.sub(r"\s+", " ", state["text"])
        equations = len(ln.Book(ROOT).equations[RENDER_CHAPTER])
        with_solution = [ex for ex in chapter.exercises if ex.solution is not None]

        assert not outside, f"requests left the machine (blocked): {outside}"
        assert not errors, f"JavaScript errors: {errors}"
        assert state["version"].startswith("3."), state["version"]
        assert state["containers"] > 50, f"only {state['containers']} formulas were typeset"
        assert not state["errors"], f"MathJax errors (a macro only the book defines?): {state['errors']}"
        assert state["tagged"] >= equations > 0, f"{state['tagged']} numbered displays for {equations} labelled equations"
        left = [s for s in VISIBLE_MYST if s in text]
        assert not left, f"MyST or TeX source is visible in the rendered notebook: {left}"
        assert len(state["details"]) == len(with_solution)
        assert all(not d["open"] and not d["bodyVisible"] for d in state["details"]), state["details"]
        for ex in chapter.exercises:
            assert any(h.strip().startswith(ex.heading) for h in state["headings"]), f"no heading {ex.heading}"

        page.locator(".jp-MarkdownOutput h3", has_text="Exercise").first.evaluate("h => h.scrollIntoView()")
        page.evaluate("() => window.scrollBy(0, -200)")
        target = artifacts / "learner-notebook.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000, f"{target} looks empty"
    finally:
        context.close()
