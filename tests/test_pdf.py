"""The PDF for printing (scripts/pdf.py, make pdf).

Always (in make unit, no TeX needed): the MathJax macros become LaTeX commands, the pages outside the
numbered parts are the unnumbered ones, the log check catches LaTeX errors, and a student .tex with a
solution is refused.

With BFS_PDF_TESTS=1 (make pdf sets it, after building both PDFs), on the PDFs' text (pdftotext):
- neither LaTeX log holds an error, an undefined reference or a missing glyph;
- every page title of each edition is in its PDF, and a formula from each chapter;
- every figure of the chapters is embedded (pdfimages);
- the student PDF has no solution (a sentence of every solution is in the instructor PDF, none in the
  student one) and no instructor guide.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import pdf  # noqa: E402
from learner_notebooks import Book, convert_notebook  # noqa: E402

# One formula per chapter as pdftotext gives it, after compact() (NFKC, no whitespace). A new chapter
# needs one: pick an inline formula of its text (inline maths comes out on one line).
FORMULAS = {
    "book/01_data": "z=∑ixiwi+b",
    "book/02_one_neuron": "σ′(z)=σ(z)(1−σ(z))",
    "book/03_backpropagation": "∂L/∂W=X⊤δ",
    "book/04_softmax_cross_entropy": "(P−Y)/N",
    "book/05_training_mlp": "1−β1",
    "book/06_initialisation": "Var(z)=ninVar(w)E[x2]",
    "book/07_optimisers": "η<2/λmax",
    "book/08_regularisation": "1−ηλ",
    "book/10_best_mlp": "p(1−p)/n",
    "book/11_playground": "slope is at most 1 4",  # $\frac{1}{4}$: its digits one above the other
}


def compact(text: str) -> str:
    """Text without whitespace, Unicode maths letters as plain ones (𝑁 -> N)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def letters(text: str) -> str:
    """Only the letters, lower-case: what survives hyphenation, line breaks, ligatures and quotes."""
    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKC", text).lower())


# ---------------------------------------------------------------------------------------------
# Without a PDF


def test_every_mathjax_macro_becomes_a_latex_command():
    macros = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"][
        "mathjax3_config"]["tex"]["macros"]
    latex = pdf.latex_macros()
    for name, value in macros.items():
        args = "" if isinstance(value, str) else f"[{value[1]}]"
        assert rf"\renewcommand{{\{name}}}{args}{{" in latex, f"\\{name} is not defined for LaTeX"
    assert r"\renewcommand{\pd}[2]{\frac{\partial #1}{\partial #2}}" in latex


def test_pages_outside_the_numbered_parts_are_unnumbered():
    unnumbered = pdf.unnumbered_docs()
    assert {"book/notation", "book/appendix_cost", "book/bibliography", "book/instructors"} <= set(unnumbered)
    assert "book/01_data" not in unnumbered


@pytest.mark.parametrize(
    "line, bad",
    [
        ("! Undefined control sequence.", True),
        ("./book.tex:1009: Missing $ inserted.", True),
        ("LaTeX Warning: Reference `book/05_training_mlp:ch5-ex4' on page 126 undefined on input line 3.", True),
        ("Missing character: There is no ≈ (U+2248) in font DejaVu Serif!", True),
        ("Overfull \\hbox (1.5pt too wide) in paragraph at lines 10--12", False),
        ("LaTeX Font Info:    Trying to load font information for TS1+cmr on input line 1.", False),
    ],
)
def test_the_log_check_catches_errors(line, bad):
    assert bool(pdf.LOG_PROBLEMS.search(f"some line\n{line}\nanother\n")) is bad


def test_a_student_tex_with_a_solution_is_refused(tmp_path):
    tex = tmp_path / "book.tex"
    tex.write_text(r"\begin{sphinxadmonition}{note}{Solution to Exercise 1.1 (Scaling)}", encoding="utf-8")
    with pytest.raises(pdf.PdfError, match="student_edition"):
        pdf.check_student_edition(tex)
    tex.write_text(r"\begin{sphinxadmonition}{note}{Exercise 1.1 (Scaling)}", encoding="utf-8")
    pdf.check_student_edition(tex)


# ---------------------------------------------------------------------------------------------
# On the built PDFs (make pdf)

needs_pdf = pytest.mark.skipif(
    not os.environ.get("BFS_PDF_TESTS"), reason="checks the built PDFs: run `make pdf` (BFS_PDF_TESTS=1)"
)
EDITIONS = ("instructor", "student")


def built(edition: str) -> Path:
    path = pdf.EDITIONS[edition] / "book.pdf"
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: build it with `python scripts/pdf.py {edition}` (make pdf)")
    return path


@pytest.fixture(scope="module")
def text():
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext not found: install poppler-utils (make pdf does, on Debian as root)")
    return {e: subprocess.run(["pdftotext", str(built(e)), "-"], capture_output=True, text=True, check=True).stdout
            for e in EDITIONS}


@pytest.fixture(scope="module")
def book():
    return Book(ROOT)


def edition_docs(edition: str) -> list[str]:
    """The pages of an edition, in order: the student edition's toc is scripts/student_edition.py's."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    if edition == "student":
        from student_edition import student_toc

        toc = student_toc(toc)
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


@needs_pdf
@pytest.mark.parametrize("edition", EDITIONS)
def test_no_latex_error(edition):
    built(edition)
    log = pdf.EDITIONS[edition] / "book.log"
    problems = pdf.LOG_PROBLEMS.findall(log.read_text(encoding="utf-8", errors="replace"))
    assert not problems, f"{log}:\n" + "\n".join(problems[:20])


@needs_pdf
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_title_is_in_the_pdf(edition, text, book):
    body = letters(text[edition])
    missing = [book.titles[doc] for doc in edition_docs(edition) if letters(book.titles[doc]) not in body]
    assert not missing, f"the {edition} PDF lacks the titles {missing}"


@needs_pdf
@pytest.mark.parametrize("edition", EDITIONS)
def test_a_formula_from_each_chapter(edition, text, book):
    body = compact(text[edition])
    chapters = [doc for doc in edition_docs(edition) if doc in book.chapter_numbers]
    unknown = [doc for doc in chapters if doc not in FORMULAS and not book.equations[doc]]
    missing = [doc for doc in chapters if doc in FORMULAS and compact(FORMULAS[doc]) not in body]
    assert not missing, f"the {edition} PDF lacks the formulas {[FORMULAS[d] for d in missing]} of {missing}"
    assert not unknown, (
        f"no formula to look for in {unknown}: add one to FORMULAS in tests/test_pdf.py (as pdftotext prints it)"
    )
    # Every labelled equation is typeset with the online book's number, e.g. (3.4).
    numbers = [f"({n})" for doc in chapters for n in book.equations[doc].values()]
    absent = [n for n in numbers if n not in body]
    assert not absent, f"equation numbers missing from the {edition} PDF: {absent[:10]}"


@needs_pdf
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_figure_is_embedded(edition, book):
    if shutil.which("pdfimages") is None:
        pytest.fail("pdfimages not found: install poppler-utils")
    figures = 0
    for doc in edition_docs(edition):
        source = book.source(doc)
        if source.suffix == ".ipynb":
            cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
            figures += sum("image/png" in o.get("data", {}) for c in cells for o in c.get("outputs", []))
    listing = subprocess.run(["pdfimages", "-list", str(built(edition))], capture_output=True, text=True, check=True)
    rows = [line.split() for line in listing.stdout.splitlines()[2:]]
    embedded = {row[10] for row in rows if len(row) > 10 and row[2] == "image"}  # distinct objects
    assert figures > 0
    assert len(embedded) >= figures, f"the {edition} PDF embeds {len(embedded)} images, the chapters have {figures} figures"


def solution_sentences(book) -> dict[str, str]:
    """{exercise label: a run of ten plain words of its solution} (maths, code and links left out)."""
    found = {}
    for doc in book.notebooks():
        for ex in convert_notebook(book, doc).exercises:
            prose = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|```.*?```|\]\([^)]*\)|<[^>]+>", " | ", ex.solution or "", flags=re.S)
            runs = [run.split() for run in re.split(r"[|()\[\]{}*_#>\n:;=]+", prose)]
            runs = [r for r in runs if len(r) >= 10 and all(re.fullmatch(r"[A-Za-z’',.-]+", w) for w in r)]
            if runs:
                found[ex.label] = " ".join(max(runs, key=len)[:10])
    return found


@needs_pdf
def test_student_pdf_has_no_solution(text, book):
    sentences = solution_sentences(book)
    assert len(sentences) >= 10, "too few solution sentences found to test with"
    instructor, student = letters(text["instructor"]), letters(text["student"])
    unfound = [label for label, s in sentences.items() if letters(s) not in instructor]
    assert not unfound, f"these solutions' sentences are not in the instructor PDF, so the test cannot use them: {unfound}"
    leaked = {label: s for label, s in sentences.items() if letters(s) in student}
    assert not leaked, f"the student PDF contains solutions: {leaked}"
    assert "Solution to Exercise" in text["instructor"]
    assert "Solution to" not in text["student"]


@needs_pdf
def test_student_pdf_has_no_instructor_guide(text):
    assert "Instructor guide" in text["instructor"]
    assert letters("Instructor guide") not in letters(text["student"])
