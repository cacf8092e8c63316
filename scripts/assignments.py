"""Exercise notebooks (make assignments): one per chapter, _build/assignments/chNN_exercises.ipynb.

Generated from the chapters (the exercises have one source: the chapter's {exercise} directives and
the code cells under them, read through scripts/learner_notebooks.py's ``Chapter.exercises``). Each
notebook has

- a title cell, the chapter's install cell (so it runs on Colab) and an imports cell;
- for every exercise, its statement as Jupyter Markdown; then
  - for a coding exercise (a work cell with a commented ``# check_x(fn)`` line): a starter cell with
    the function's signature, a docstring (the checker's, when the chapter gives none) and
    ``raise NotImplementedError``, and a cell that calls the checker;
  - for any other exercise: a Markdown cell for the answer.

Cells carry nbgrader (schema 3) metadata: statements and checks locked, starters and answers as
solution cells, checks and answers graded (1 point each). The notebook's metadata
``backprop_from_scratch`` lists the chapter and its checked functions; mlp_core.grade reads it.

Usage: python scripts/assignments.py [--out _build/assignments]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import learner_notebooks as ln  # noqa: E402

from mlp_core.grade import METADATA_KEY, POINTS  # noqa: E402  (what the grader reads)

DEFAULT_OUT = ROOT / "_build" / "assignments"
CHECK_LINE = re.compile(r"^\s*#\s*(?P<checker>check_\w+)\((?P<function>\w+)\)")


class AssignmentError(ValueError):
    """A chapter's exercise cannot be turned into a starter cell (the message says which and why)."""


def file_name(chapter: int) -> str:
    return f"ch{chapter:02d}_exercises.ipynb"


def _nbgrader(grade_id: str, *, grade=False, solution=False, locked=False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = POINTS
    return meta


def _cell(kind: str, source: str, grade_id: str, role: str, label: str = "", **nbgrader) -> dict:
    cell = {
        "cell_type": kind,
        "id": hashlib.sha1(grade_id.encode()).hexdigest()[:12],
        "metadata": {"nbgrader": _nbgrader(grade_id, **nbgrader), METADATA_KEY: {"role": role, "exercise": label}},
        "source": source,
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def checker_doc(checker: str) -> str:
    """The first line of an mlp_core.checks checker's docstring, after its "Exercise N.M (label): " prefix."""
    from mlp_core import checks

    fn = getattr(checks, checker, None)
    if fn is None:
        raise AssignmentError(f"mlp_core.checks has no {checker}")
    first = (fn.__doc__ or "").strip().split("\n")[0]
    return re.sub(r"^Exercise [^:]*:\s*", "", first)


def starter(source: str, label: str) -> tuple[str, dict]:
    """The starter code of a work cell (without its commented check line) and its spec as a dict."""
    lines = source.split("\n")
    checks = [m for line in lines if (m := CHECK_LINE.match(line))]
    if len(checks) != 1:
        raise AssignmentError(f"{label}: a work cell needs exactly one commented `# check_x(fn)` line, has {len(checks)}")
    checker, function = checks[0]["checker"], checks[0]["function"]
    code = "\n".join(line for line in lines if not CHECK_LINE.match(line)).rstrip() + "\n"
    tree = ast.parse(code)
    defs = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == function]
    if not defs:
        raise AssignmentError(f"{label}: the work cell calls {checker}({function}) but defines no `def {function}(`")
    fn = defs[0]
    params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    if ast.get_docstring(fn) is None:  # the checker's docstring says what the function takes and returns
        doc = checker_doc(checker).replace("fn(", f"{function}(", 1).replace('"""', "'''")
        code_lines = code.split("\n")
        at = fn.body[0].lineno - 1
        indent = re.match(r"\s*", code_lines[at])[0]
        while at - 1 >= fn.lineno and code_lines[at - 1].strip().startswith("#"):
            at -= 1  # above the body's leading comments, right under the signature
        code_lines.insert(at, f'{indent}"""{doc}"""')
        code = "\n".join(code_lines)
    spec = {"label": label, "function": function, "params": params, "checker": checker, "points": POINTS}
    return code.rstrip() + "\n", spec


def chapter_imports(source: dict) -> list[str]:
    """The chapter's top-level import statements, in order, each once (so the learner has its names)."""
    found: list[str] = []
    for cell in source["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = "".join(cell["source"])
        try:
            tree = ast.parse(text)
        except SyntaxError:  # IPython magics (the install cell)
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                line = ast.get_source_segment(text, node)
                if line not in found and "mlp_core.checks" not in line:
                    found.append(line)
    return found or ["import numpy as np", "import mlp_core as mc"]


def assignment(book: ln.Book, doc: str) -> dict | None:
    """The exercise notebook of one chapter (nbformat 4 dict), or None when it has no exercise."""
    chapter = ln.convert_notebook(book, doc, solutions=False)
    if not chapter.exercises:
        return None
    number = book.chapter_numbers[doc]
    source = json.loads(book.source(doc).read_text(encoding="utf-8"))
    title = book.titles.get(doc, doc)
    install = next(c for c in source["cells"] if c["cell_type"] == "code")
    tag = f"ch{number}"

    specs, exercise_cells = [], []
    for ex in chapter.exercises:
        exercise_cells.append(_cell("markdown", f"## {ex.heading}\n\n{ex.statement.strip()}\n", f"{ex.label}-statement",
                                    "statement", ex.label, locked=True))
        sources = ["".join(source["cells"][i]["source"]) for i in ex.work_cells]
        work = [src for src in sources if any(CHECK_LINE.match(line) for line in src.split("\n"))]
        if not work:
            exercise_cells.append(_cell("markdown", "*Your answer:*\n", f"{ex.label}-answer", "answer", ex.label,
                                        grade=True, solution=True))
            continue
        for src in work:
            code, spec = starter(src, ex.label)
            spec.update(number=ex.number, title=ex.title)
            specs.append(spec)
            exercise_cells.append(_cell("code", code, f"{ex.label}-{spec['function']}", "starter", ex.label, solution=True))
            exercise_cells.append(_cell("code", f"{spec['checker']}({spec['function']})\n", f"{ex.label}-{spec['checker']}",
                                        "check", ex.label, grade=True, locked=True))

    checkers = sorted({s["checker"] for s in specs})
    imports = "\n".join(chapter_imports(source)) + "\n"
    if checkers:
        imports += f"from mlp_core.checks import {', '.join(checkers)}\n"
    intro = (
        f"# Exercises of chapter {number}: {title}\n\n"
        f"The exercises of the chapter [{title}]({book.page_url(doc)}), to work on next to it. "
        "For each coding exercise, replace the `raise NotImplementedError(...)` of the starter cell with your code, "
        "then run the cell below it: the checker says what is wrong, or confirms that your function is right. "
        "Answer the other exercises in the Markdown cell under each.\n\n"
        "Keep the names of the functions and the cells that call the checkers: your instructor grades this notebook "
        "with `python -m mlp_core.grade`, which runs it from the top in a fresh kernel and calls the same checkers.\n\n"
        f"*Generated from the chapter by `make assignments`; do not edit the generated file, edit the chapter.*\n"
    )
    cells = [
        _cell("markdown", intro, f"{tag}-intro", "intro", locked=True),
        _cell("code", "".join(install["source"]), f"{tag}-install", "install", locked=True),
        _cell("code", imports, f"{tag}-imports", "imports", locked=True),
        *exercise_cells,
    ]
    metadata = {k: v for k, v in source.get("metadata", {}).items() if k in ("kernelspec", "language_info")}
    metadata[METADATA_KEY] = {"chapter": number, "doc": doc, "title": title, "exercises": specs}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def build(out: Path = DEFAULT_OUT, root: Path = ROOT) -> list[Path]:
    """Write the exercise notebook of every numbered chapter of _toc.yml that has exercises."""
    book = ln.Book(root)
    written = []
    for doc in book.notebooks():
        if doc not in book.chapter_numbers:
            continue
        notebook = assignment(book, doc)
        if notebook is None:
            continue
        path = Path(out) / file_name(book.chapter_numbers[doc])
        ln.write_notebook(notebook, path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default _build/assignments)")
    args = parser.parse_args(argv)
    try:
        paths = build(args.out)
    except (AssignmentError, ln.ConversionError) as err:
        print(f"assignments: {err}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"assignments: wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
