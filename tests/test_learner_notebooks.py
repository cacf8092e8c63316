"""The learner notebooks (scripts/learner_notebooks.py): Jupyter-native Markdown, the chapters' own code.

For every notebook in _toc.yml, converted in memory (no kernel, a fraction of a second):
- the notebook is valid nbformat and keeps no MyST role or directive syntax;
- every exercise is a heading with its number, every solution is folded in <details>, and no solution
  text is visible outside its fold;
- every code cell, with its stored outputs and execution count, is the chapter's;
- the first code cell installs mlp_core when it is missing (Colab);
- the student edition (solutions=False) has no solution and no check cell, but keeps the work cells.
Then the converter on small made-up pages (nested fences, roles, errors), and one generated notebook
executed end to end under nbval (the smoke test). The rendering in a browser is in tests/site/.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # a plain import: its dataclasses need it in sys.modules
import learner_notebooks as ln  # noqa: E402

# Executed under nbval as the smoke test: the chapter that runs fastest.
SMOKE_CHAPTER = "book/02_one_neuron"
MYST_LEFTOVERS = ("```{", ":::{", "{eq}`", "{cite", "{ref}`", "{doc}`", "{prf:", "{numref}`", ":label:")
ROLE_SYNTAX = re.compile(r"\{[a-z][\w:.-]*\}`")


def toc_notebooks() -> list[str]:
    """The notebooks _toc.yml lists, read without the converter (so a converter error fails a test)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [f for f in files if (ROOT / f"{f}.ipynb").exists()]


@pytest.fixture(scope="module")
def book():
    return ln.Book(ROOT)


@pytest.fixture(scope="module")
def editions(book):
    cache = {}

    def get(doc, solutions=True):
        if (doc, solutions) not in cache:
            cache[doc, solutions] = ln.convert_notebook(book, doc, solutions=solutions)
        return cache[doc, solutions]

    return get


def chapter_source(doc: str) -> dict:
    return json.loads((ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))


def markdown_of(notebook: dict) -> list[str]:
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]


def outside_code(text: str) -> str:
    """Markdown with fenced code blocks and code spans removed."""
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", "", text, flags=re.S | re.M)
    return re.sub(r"(`+).+?\1", "", text, flags=re.S)


def outside_details(text: str) -> str:
    return re.sub(r"<details>.*?</details>", "", text, flags=re.S)


def test_toc_lists_notebooks():
    assert toc_notebooks(), "_toc.yml lists no notebook: nothing would be converted"


@pytest.mark.parametrize("doc", toc_notebooks())
def test_valid_and_no_myst_left(editions, doc):
    notebook = editions(doc).notebook
    nbformat.validate(nbformat.reads(json.dumps(notebook), as_version=4))
    for k, text in enumerate(markdown_of(notebook)):
        left = [s for s in MYST_LEFTOVERS if s in text]
        roles = ROLE_SYNTAX.findall(outside_code(text))
        assert not left and not roles, f"{doc}: markdown cell {k} still has MyST {left or roles}:\n{text[:600]}"


@pytest.mark.parametrize("doc", toc_notebooks())
def test_exercises_headed_and_solutions_folded(editions, doc):
    chapter = editions(doc)
    text = "\n\n".join(markdown_of(chapter.notebook))
    folds = re.findall(r"<details>\n<summary>(.*?)</summary>\n\n(.*?)\n\n</details>", text, flags=re.S)
    with_solution = [ex for ex in chapter.exercises if ex.solution is not None]
    assert len(folds) == text.count("<details>") == len(with_solution), f"{doc}: {len(folds)} folds"
    visible = outside_details(text)
    for ex in chapter.exercises:
        assert re.search(rf"^### {re.escape(ex.heading)}$", text, re.M), f"{doc}: no heading '### {ex.heading}'"
        assert ex.number, f"{doc}: exercise {ex.label} has no number"
    for ex, (summary, body) in zip(with_solution, folds):
        assert f"Solution to {ex.heading}" in summary
        first = next(line for line in ex.solution.splitlines() if line.strip())
        assert first in body and first not in visible, f"{doc}: the solution of {ex.label} is not folded"


@pytest.mark.parametrize("doc", toc_notebooks())
def test_code_cells_and_outputs_are_the_chapters(editions, doc):
    source = [c for c in chapter_source(doc)["cells"] if c["cell_type"] == "code"]
    learner = [c for c in editions(doc).notebook["cells"] if c["cell_type"] == "code"]
    assert len(learner) == len(source), f"{doc}: {len(learner)} code cells, the chapter has {len(source)}"
    for k, (new, old) in enumerate(zip(learner, source)):
        where = f"{doc}: code cell {k}"
        assert new["source"] == old["source"], f"{where}: source differs"
        assert new["outputs"] == old["outputs"], f"{where}: stored outputs differ"
        assert new.get("execution_count") == old.get("execution_count"), f"{where}: execution count differs"
        extra = {key: v for key, v in new["metadata"].items() if old["metadata"].get(key) != v}
        assert set(extra) <= {"jupyter", "cellView"}, f"{where}: metadata changed: {extra}"
    assert editions(doc).notebook["metadata"] == chapter_source(doc)["metadata"], f"{doc}: notebook metadata"


@pytest.mark.parametrize("doc", toc_notebooks())
def test_first_code_cell_installs_the_package(editions, doc):
    first = next(c for c in editions(doc).notebook["cells"] if c["cell_type"] == "code")
    source = "".join(first["source"])
    assert "import mlp_core" in source and "pip install" in source, f"{doc}: first code cell is\n{source}"


@pytest.mark.parametrize("doc", toc_notebooks())
def test_student_edition_leaves_solutions_out(editions, doc):
    full, student = editions(doc), editions(doc, solutions=False)
    text = "\n".join(markdown_of(student.notebook))
    assert "<details>" not in text and "Solution to" not in text
    check = [i for ex in full.exercises for i in ex.check_cells]
    kept = [c["source"] for c in student.notebook["cells"] if c["cell_type"] == "code"]
    cells = chapter_source(doc)["cells"]
    for i in check:
        assert cells[i]["source"] not in kept, f"{doc}: check cell {i} is still in the student edition"
    for ex in full.exercises:
        for i in ex.work_cells:
            assert cells[i]["source"] in kept, f"{doc}: work cell {i} of {ex.label} is missing"
        if ex.solution:
            first = next(line for line in ex.solution.splitlines() if line.strip())
            assert first not in text, f"{doc}: solution of {ex.label} is in the student edition"


@pytest.mark.parametrize("doc", toc_notebooks())
def test_equations_numbered_once_and_references_print_numbers(book, editions, doc):
    text = "\n".join(markdown_of(editions(doc).notebook))
    tags = re.findall(r"\\tag\{([^}]*)\}", text)
    assert len(tags) == len(set(tags)) == len(book.equations[doc]), f"{doc}: equation tags {tags}"
    for label, number in book.equations[doc].items():
        assert f"\\tag{{{number}}}" in text, f"{doc}: equation {label} does not carry ({number})"


def test_regenerating_changes_nothing(tmp_path):
    first = ln.build(tmp_path / "a")
    second = ln.build(tmp_path / "b")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), f"{a.name}: two runs of the converter differ"


# ---------------------------------------------------------------------------------------------
# The converter on made-up pages


@pytest.fixture
def tiny_book(tmp_path):
    """A book of two numbered chapters with what the converter must handle."""
    (tmp_path / "book").mkdir()
    (tmp_path / "_config.yml").write_text(
        "title: Tiny\nrepository:\n  url: https://github.com/Owner/tiny\n  branch: main\n"
        "bibtex_bibfiles:\n  - refs.bib\n",
        encoding="utf-8",
    )
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - numbered: true\n    chapters:\n"
        "      - file: book/one\n      - file: book/two\n  - chapters:\n      - file: book/bib\n",
        encoding="utf-8",
    )
    (tmp_path / "refs.bib").write_text(
        "@book{solo, author={Ann Smith}, title={S}, year={2001}}\n"
        "@article{duo, author={Bo Lee and Cy Kim}, title={D}, year={2002}}\n"
        "@article{many, author={A. One and B. Two and C. Three}, title={M}, year={2003}}\n",
        encoding="utf-8",
    )
    (tmp_path / "book" / "intro.md").write_text("# Intro\n", encoding="utf-8")
    (tmp_path / "book" / "bib.md").write_text("# Bibliography\n\n```{bibliography}\n```\n", encoding="utf-8")
    install = "try:\n    import mlp_core\nexcept ImportError:\n    %pip install mlp-core\n"

    def notebook(path, *markdown):
        cells = [{"cell_type": "markdown", "metadata": {}, "source": markdown[0]}]
        cells.append({"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "execution_count": 1,
                      "outputs": [], "source": install})
        cells += [{"cell_type": "markdown", "metadata": {}, "source": m} for m in markdown[1:]]
        cells.append({"cell_type": "code", "metadata": {"tags": ["hide-input"]}, "execution_count": 2,
                      "outputs": [{"output_type": "stream", "name": "stdout", "text": "ok\n"}], "source": "check()"})
        nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        path.write_text(json.dumps(nb), encoding="utf-8")

    notebook(tmp_path / "book" / "one.ipynb", "# One\n\n$$\na = b\n$$ (eq-one)\n\n(sec-x)=\n## Section X\n")
    return tmp_path, notebook


def convert(root, doc, solutions=True):
    return ln.convert_notebook(ln.Book(root), doc, solutions=solutions)


def test_roles_directives_and_numbers(tiny_book):
    root, notebook = tiny_book
    notebook(
        root / "book" / "two.ipynb",
        "# Two\n\nSee {eq}`eq-one`, {eq}`eq-two`, {ref}`sec-x`, {ref}`the ex <ex2>`, {doc}`one`, "
        "{cite:t}`solo`, {cite:p}`duo,many` and `{eq}` in code.\n\n"
        "$$ c = d $$ (eq-two)\n\n"
        "```{prf:theorem} Big\n:label: thm-big\n\nBody $x$.\n```\n\n```{prf:proof}\nEasy.\n```\n\n"
        ":::{note}\nA note.\n:::\n\n"
        "````{exercise} First\n:label: ex1\n\nDo it, see {prf:ref}`thm-big`.\n````\n\n"
        "````{solution} ex1\n:class: dropdown\n\n```python\nx = 1\n```\n\nDone.\n````\n",
        "```{exercise}\n:label: ex2\n\nSecond.\n```\n\n```{solution} ex2\n:class: dropdown\nAgain.\n```\n",
    )
    chapter = convert(root, "book/two")
    text = "\n".join(markdown_of(chapter.notebook))
    base = "https://owner.github.io/tiny/"
    assert f"[(1.1)]({base}book/one.html#equation-eq-one)" in text  # another chapter: linked
    assert "(2.1), " in text and "$$c = d \\tag{2.1}$$" in text  # this chapter: the number
    assert f"[Section X]({base}book/one.html#sec-x)" in text
    assert f"[the ex]({base}book/two.html#ex2)" in text
    assert f"[One]({base}book/one.html)" in text
    assert f"[Smith]({base}book/bib.html) (2001)" in text
    assert f"([Lee and Kim, 2002; One et al., 2003]({base}book/bib.html))" in text
    assert "`{eq}` in code" in text
    assert "> **Theorem 2.1** (Big)\n>\n> Body $x$." in text
    assert "*Proof.* Easy. $\\square$" in text
    assert "> **Note**\n>\n> A note." in text
    assert f"### Exercise 2.1 (First)\n\nDo it, see [Theorem 2.1]({base}book/two.html#thm-big)." in text
    assert "```python\nx = 1\n```" in text and "### Exercise 2.2\n" in text
    assert [(e.label, e.number, e.title) for e in chapter.exercises] == [("ex1", "2.1", "First"), ("ex2", "2.2", "")]
    assert chapter.exercises[1].check_cells == [3] and chapter.exercises[0].solution.endswith("Done.")
    student = convert(root, "book/two", solutions=False)
    assert len([c for c in student.notebook["cells"] if c["cell_type"] == "code"]) == 1
    hidden = next(c for c in chapter.notebook["cells"] if c["cell_type"] == "code" and c["source"] == "check()")
    assert hidden["metadata"]["jupyter"] == {"source_hidden": True}


def test_math_under_a_line_of_text_is_not_numbered(tiny_book):
    """As in MyST: a `$$` right under a line of text continues the paragraph; its label stays text."""
    root, notebook = tiny_book
    notebook(root / "book" / "two.ipynb", "# T\n\nSome text\n$$ e = f $$ (eq-para)\n\n$$ g $$ (eq-block)\n")
    book = ln.Book(root)
    assert book.equations["book/two"] == {"eq-block": "2.1"}
    text = markdown_of(ln.convert_notebook(book, "book/two").notebook)[0]
    assert "$$ e = f $$ (eq-para)" in text and "$$g \\tag{2.1}$$" in text


@pytest.mark.parametrize(
    "markdown, message",
    [
        ("# T\n\n{unknownrole}`x`\n", "role {unknownrole} is not supported"),
        ("# T\n\n```{weird}\nx\n```\n", "directive {weird} is not supported"),
        ("# T\n\n```{solution} nope\nx\n```\n", "follows no exercise"),
        ("# T\n\n{eq}`missing`\n", "points at no label"),
        ("# T\n\n{cite:p}`nobody`\n", "references.bib lacks"),
        ("# T\n\n:::\nno name\n:::\n", "without a directive name"),
    ],
)
def test_errors_name_the_problem(tiny_book, markdown, message):
    root, notebook = tiny_book
    notebook(root / "book" / "two.ipynb", markdown)
    with pytest.raises(ln.ConversionError, match=re.escape(message)) as err:
        convert(root, "book/two")
    assert "book/two" in str(err.value)


def test_missing_install_cell_is_an_error(tiny_book):
    root, _ = tiny_book
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# T"},
                    {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [], "source": "1"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "book" / "two.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ln.ConversionError, match="make sync-url"):
        convert(root, "book/two")


# ---------------------------------------------------------------------------------------------
# Smoke test: one generated notebook, executed under nbval


def test_one_learner_notebook_runs_under_nbval(tmp_path):
    assert SMOKE_CHAPTER in toc_notebooks(), f"{SMOKE_CHAPTER} is not in _toc.yml: choose another SMOKE_CHAPTER"
    kernels = subprocess.run(
        [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"], capture_output=True, text=True
    )
    assert kernels.returncode == 0 and '"backprop"' in kernels.stdout, (
        "the course's kernel 'backprop' is not registered: run `make kernel` (make test does it)"
    )
    book = ln.Book(ROOT)
    path = tmp_path / f"{SMOKE_CHAPTER}.ipynb"
    ln.write_notebook(ln.convert_notebook(book, SMOKE_CHAPTER).notebook, path)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(path), "--nbval", "--nbval-kernel-name", "backprop",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), "-p", "no:cacheprovider",
         "-q", "--rootdir", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    assert result.returncode == 0, f"nbval on the learner notebook of {SMOKE_CHAPTER} failed:\n{result.stdout[-4000:]}"
