"""The student edition: with ``student_edition = True`` in Sphinx's config, the book without solutions.

`make student` (scripts/student_edition.py) builds it into _build/student/html from the same sources.
With the flag set, this extension

- removes every ``{solution}`` directive from each page's source as Sphinx reads it (so solutions are
  in no doctree: not in the HTML, not in the search index), and sets sphinx-exercise's
  ``hide_solutions`` as a second line of defence;
- in the chapters, also removes the hidden cells that check a reference solution, and the sentence
  that announces them ("Check the reference solution."), using the exercises of
  scripts/learner_notebooks.py (``Chapter.exercises``: ``check_cells``);
- after the build, rewrites the MyST pages copied to ``_sources/`` without their solutions (the
  notebooks there are written by the learner-notebooks extension with ``solutions=False``).

With the flag unset (the instructor edition) it does nothing at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

FLAG = "student_edition"
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
SOLUTION = re.compile(r"^\{solution(?:-start|-end)?\}")


def strip_solutions(text: str) -> str:
    """MyST text without its ``{solution}`` directives (each with its whole body, nested fences included)."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or (m["fence"][0] == "`" and "`" in m["info"]):
            out.append(lines[i])
            i += 1
            continue
        fence = m["fence"]
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        if not SOLUTION.match(m["info"].strip()):
            out.extend(lines[i : j + 1])
        i = j + 1
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


def _has_solution(text: str) -> bool:
    return any((m := FENCE.match(line)) and SOLUTION.match(m["info"].strip()) for line in text.split("\n"))


def student_notebook(notebook: dict, check_cells: set[int]) -> dict:
    """A chapter (nbformat dict) without solutions and without the cells ``check_cells`` (source indices).

    In a Markdown cell that holds a solution and is followed by a dropped check cell, the text after the
    last solution (the sentence announcing the check) goes too.
    """
    cells = notebook["cells"]
    kept = []
    for index, cell in enumerate(cells):
        if index in check_cells:
            continue
        cell = dict(cell)
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            if _has_solution(text):
                following = next((k for k in range(index + 1, len(cells)) if cells[k]["cell_type"] == "code"), None)
                if following in check_cells:
                    text = _before_last_solution_end(text)
                text = strip_solutions(text).strip("\n")
                if not text.strip():
                    continue
                cell["source"] = text
        kept.append(cell)
    return {**notebook, "cells": kept}


def _before_last_solution_end(text: str) -> str:
    """The text up to the end of its last solution directive (what follows it is dropped)."""
    lines = text.split("\n")
    end = len(lines)
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or (m["fence"][0] == "`" and "`" in m["info"]):
            i += 1
            continue
        close = re.compile(rf"^ {{0,3}}{re.escape(m['fence'][0])}{{{len(m['fence'])},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        if SOLUTION.match(m["info"].strip()):
            end = j + 1
        i = j + 1
    return "\n".join(lines[:end])


# ---------------------------------------------------------------------------------------------
# Sphinx


def _check_cells(app, docname: str) -> set[int]:
    """The source indices of a chapter's reference-check cells (scripts/learner_notebooks.py)."""
    cache = app.env.__dict__.setdefault("_student_edition_checks", {})
    if docname not in cache:
        from learner_notebooks import Book, convert_notebook  # scripts/, on sys.path through local_extensions

        book = getattr(app, "_student_edition_book", None) or Book(Path(app.srcdir))
        app._student_edition_book = book
        chapter = convert_notebook(book, docname)
        cache[docname] = {i for ex in chapter.exercises for i in ex.check_cells}
    return cache[docname]


def _source_read(app, docname: str, source: list[str]) -> None:
    if not app.config[FLAG]:
        return
    path = Path(app.env.doc2path(docname))
    if path.suffix == ".ipynb":
        notebook = json.loads(source[0])
        source[0] = json.dumps(student_notebook(notebook, _check_cells(app, docname)), ensure_ascii=False)
    else:
        source[0] = strip_solutions(source[0])


def _config_inited(app, config) -> None:
    if config[FLAG]:
        config.hide_solutions = True  # sphinx-exercise drops any solution node that would remain


def _build_finished(app, exception) -> None:
    """Rewrite the MyST pages Sphinx copied to _sources/ without their solutions."""
    if exception is not None or not app.config[FLAG] or app.builder.format != "html":
        return
    sources = Path(app.outdir) / "_sources"
    for docname in app.env.found_docs:
        path = Path(app.env.doc2path(docname))
        if path.suffix == ".ipynb":
            continue  # written by learner_notebooks with solutions=False
        for copy in (sources / f"{docname}{path.suffix}", sources / f"{docname}{path.suffix}.txt"):
            if copy.is_file():
                text = strip_solutions(path.read_text(encoding="utf-8"))
                tmp = copy.with_name(f".{copy.name}.tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(copy)


def setup(app):
    if FLAG not in app.config:  # another extension (the student PDF) may declare the same flag
        app.add_config_value(FLAG, False, "env", [bool])
    app.connect("config-inited", _config_inited)
    app.connect("source-read", _source_read)
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
