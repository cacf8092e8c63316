"""The student edition (make student, _build/student/html): no solution anywhere, and a sound site.

- Absence: every solution of the sources (each {solution} of the toc's pages, and the code of the hidden
  reference-check cells) is cut into probes, runs of words that appear nowhere else in the sources;
  no probe is found in any file of the student build (HTML, search index, _sources, downloads...),
  and no word that only solutions use is a term of its search index. The same probes ARE found in
  the instructor edition (_build/html), which proves that the search can find them.
- The instructors' pages are not built, and the instructor edition still has its solutions.
- The browser check of test_site.py runs on every page of the student edition.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

import test_site as base

ROOT = Path(__file__).resolve().parents[2]
STUDENT = ROOT / "_build" / "student" / "html"
INSTRUCTOR = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "_ext"))
import learner_notebooks as ln  # noqa: E402
import student_edition  # noqa: E402
import without_solutions as ws  # noqa: E402

PROBE_WORDS = 7


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def solutions_and_rest() -> tuple[list[str], str]:
    """Every solution of the toc's pages (MyST bodies and check cells' code), and the rest of the sources."""
    book = ln.Book(ROOT)
    solutions, rest = [], []
    for doc in book.docs:
        if doc in student_edition.INSTRUCTOR_PAGES:
            continue  # not in the student edition: its words must not excuse a probe
        path = book.source(doc)
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            checks = {i for ex in ln.convert_notebook(book, doc).exercises for i in ex.check_cells}
            solutions += ["".join(nb["cells"][i]["source"]) for i in checks]
            texts = ["".join(c["source"]) for c in ws.student_notebook(nb, checks)["cells"]]
            texts += [json.dumps(c.get("outputs", [])) for c in nb["cells"]]  # shown source code, printed text
            marked = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
        else:
            texts = [ws.strip_solutions(path.read_text(encoding="utf-8"))]
            marked = [path.read_text(encoding="utf-8")]
        rest += texts
        for text in marked:
            solutions += [b.body for b in _solution_blocks(text)]
    rest.append((ROOT / "references.bib").read_text(encoding="utf-8"))  # the bibliography the pages show
    return solutions, words("\n".join(rest))


def _solution_blocks(text: str):
    for block in ln.parse_blocks(text):
        if block.kind == "directive":
            if block.name == "solution":
                yield block
            else:
                yield from _solution_blocks(block.body)


def probes_of(solution: str, rest: str) -> list[str]:
    """Runs of PROBE_WORDS words of the solution (prose or code) that appear nowhere else in the sources."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$|\{[\w:-]+\}`[^`]*`", " | ", solution, flags=re.S)
    found = []
    for piece in re.split(r"[|.;:!?\n]", text):
        tokens = words(html.unescape(piece)).split()
        for k in range(0, max(len(tokens) - PROBE_WORDS + 1, 0), PROBE_WORDS):
            probe = " ".join(tokens[k : k + PROBE_WORDS])
            if probe not in rest:
                found.append(probe)
    return found


def site_text(site: Path) -> dict[str, str]:
    """{file: its words} for every file of a built site that is text (HTML without its tags, notebooks' sources)."""
    texts = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        try:
            raw = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue  # images, fonts
        if path.suffix == ".html":
            raw = html.unescape(re.sub(r"<[^>]+>", " ", raw))
        elif path.suffix == ".ipynb":
            try:
                raw = "\n".join("".join(c.get("source", "")) for c in json.loads(raw).get("cells", []))
            except ValueError:
                pass
        elif path.suffix == ".js":
            raw = re.sub(r"\\[ntr]", " ", raw)  # escaped line breaks in strings would glue words together
        texts[path.relative_to(site).as_posix()] = words(raw)
    return texts


def search_terms(site: Path) -> set[str]:
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    return set(data["terms"])


@pytest.fixture(scope="module")
def student_site() -> Path:
    if not (STUDENT / "index.html").is_file():
        pytest.fail(f"No student edition in {STUDENT}: run `make student` before the site check.")
    return STUDENT


@pytest.fixture(scope="module")
def probes() -> dict[str, list[str]]:
    solutions, rest = solutions_and_rest()
    assert len(solutions) >= 10, f"only {len(solutions)} solutions found in the sources: is the parser broken?"
    return {solution: probes_of(solution, rest) for solution in solutions}


def test_no_solution_in_any_file_of_the_student_edition(student_site, probes):
    texts = site_text(student_site)
    leaks = [(probe, name) for ps in probes.values() for probe in ps for name, text in texts.items() if probe in text]
    assert not leaks, "solution text in the student edition:\n" + "\n".join(f"{n}: ...{p}..." for p, n in leaks[:20])


def test_the_probes_find_the_solutions_of_the_instructor_edition(probes):
    if not (INSTRUCTOR / "index.html").is_file():
        pytest.fail(f"No instructor edition in {INSTRUCTOR}: run `make build` before the site check.")
    texts = "\n".join(site_text(INSTRUCTOR).values())
    with_probes = {s: ps for s, ps in probes.items() if ps}
    found = [s for s, ps in with_probes.items() if any(p in texts for p in ps)]
    assert len(with_probes) >= 0.8 * len(probes), "most solutions should give probes"
    assert len(found) >= 0.9 * len(with_probes), (
        f"only {len(found)} of {len(with_probes)} solutions were found in the instructor edition: the probes or the "
        "text extraction are broken, so their absence from the student edition proves nothing")


def test_no_solution_word_in_the_search_index(student_site, probes):
    from sphinx.search.en import SearchEnglish

    solutions, rest = solutions_and_rest()
    stem = SearchEnglish({}).stem
    visible = {stem(w) for w in rest.split()}
    only = {stem(w) for s in solutions for w in words(s).split() if len(w) > 3 and not w.isdigit()} - visible
    assert only, "no word is used by solutions alone: the check below would prove nothing"
    leaked = only & search_terms(student_site)
    assert not leaked, f"words used only in solutions are in the student search index: {sorted(leaked)[:20]}"
    if (INSTRUCTOR / "searchindex.js").is_file():
        assert only & search_terms(INSTRUCTOR), "the instructor edition's index has none of them: the check is broken"


def test_instructor_pages_left_out(student_site):
    toc = student_edition.student_toc(student_edition.yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
    text = json.dumps(toc)
    assert "instructors" not in text.lower()
    assert not list(student_site.rglob("*instructors*")), "an instructors' page is in the student edition"
    for page in ("book/intro.html", "book/05_training_mlp.html"):
        assert (student_site / page).is_file(), f"{page} is missing from the student edition"


# -- the browser check of test_site.py, on the student edition ----------------------------------------

@pytest.fixture(scope="module")
def student_url(student_site):
    import conftest

    with conftest.serve(student_site) as url:
        yield url


@pytest.fixture
def student_visit(browser, student_url, monkeypatch):
    monkeypatch.setattr(base, "SITE", STUDENT)  # test_site's helpers read the page files from SITE
    v = base.Visit(browser, student_url)
    yield v
    v.close()


@pytest.mark.parametrize("path", base.built_pages(STUDENT))
def test_student_page(student_site, student_visit, path):
    base.test_page(student_site, student_visit, path)


def test_student_search_and_slider(student_site, student_visit):
    base.test_search_finds_a_known_word(student_site, student_visit)
    base.test_widget_chapter_shows_slider(student_site, student_visit)
