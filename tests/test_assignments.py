"""The exercise notebooks (scripts/assignments.py, make assignments), generated in memory from the chapters.

- one notebook per numbered chapter with exercises, valid nbformat, its nbgrader metadata valid by
  nbgrader's schema-3 rules (ids, points, markdown grade cells are solution cells);
- every exercise of the chapter appears, with the chapter's statement; every coding exercise has a
  starter (signature, docstring, `raise NotImplementedError`) that is the chapter's work cell, and a
  cell calling its checker; the notebook's metadata lists them for the grader;
- regenerating gives the same bytes, and `make assignments`' output (when present) is up to date.
The starters are run in a kernel by tests/test_grade.py.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import nbformat
import pytest

from mlp_core import checks

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import assignments  # noqa: E402
import learner_notebooks as ln  # noqa: E402

META = assignments.METADATA_KEY


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("assignments")
    paths = assignments.build(out)
    return {p.name: p for p in paths}


@pytest.fixture(scope="module")
def book():
    return ln.Book(ROOT)


def chapters_with_exercises(book):
    return [d for d in book.notebooks() if d in book.chapter_numbers and ln.convert_notebook(book, d).exercises]


def test_one_notebook_per_chapter_with_exercises(book, generated):
    expected = {assignments.file_name(book.chapter_numbers[d]) for d in chapters_with_exercises(book)}
    assert expected and set(generated) == expected


def nbgrader_problems(nb: dict) -> list[str]:
    """nbgrader's schema-3 rules (nbgrader/nbgraderformat/v3.py), without nbgrader installed."""
    problems, ids = [], set()
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader")
        if meta is None:
            continue
        if meta.get("schema_version") != 3 or not {"grade", "solution", "locked", "grade_id"} <= set(meta):
            problems.append(f"incomplete nbgrader metadata: {meta}")
            continue
        if meta["grade"] and "points" not in meta:
            problems.append(f"{meta['grade_id']}: graded without points")
        if cell["cell_type"] == "markdown" and meta["grade"] != meta["solution"]:
            problems.append(f"{meta['grade_id']}: a markdown cell must be both grade and solution, or neither")
        if meta["grade_id"] in ids:
            problems.append(f"duplicate grade_id {meta['grade_id']}")
        ids.add(meta["grade_id"])
    return problems


def test_valid_notebooks_with_valid_nbgrader_metadata(generated):
    for name, path in generated.items():
        nb = json.loads(path.read_text(encoding="utf-8"))
        nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))
        assert not nbgrader_problems(nb), f"{name}: {nbgrader_problems(nb)}"
        assert nb["metadata"]["kernelspec"]["name"] == "python3", f"{name}: Colab knows only the python3 kernel"


def test_exercises_starters_and_checks_come_from_the_chapter(book, generated):
    for doc in chapters_with_exercises(book):
        name = assignments.file_name(book.chapter_numbers[doc])
        nb = json.loads(generated[name].read_text(encoding="utf-8"))
        text = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in nb["cells"]}
        chapter = ln.convert_notebook(book, doc, solutions=False)
        source = json.loads(book.source(doc).read_text(encoding="utf-8"))
        for ex in chapter.exercises:
            assert ex.statement.strip() in text[f"{ex.label}-statement"], f"{name}: statement of {ex.label} differs"
        specs = nb["metadata"][META]["exercises"]
        for spec in specs:
            starter = text[f"{spec['label']}-{spec['function']}"]
            fn = next(n for n in ast.parse(starter).body if isinstance(n, ast.FunctionDef))
            assert fn.name == spec["function"] and ast.get_docstring(fn), f"{name}: {spec['function']} lacks a docstring"
            assert "raise NotImplementedError" in starter
            assert text[f"{spec['label']}-{spec['checker']}"] == f"{spec['checker']}({spec['function']})\n"
            assert hasattr(checks, spec["checker"]), f"{name}: mlp_core.checks has no {spec['checker']}"
            assert f"``{spec['label']}``" in getattr(checks, spec["checker"]).__doc__.split("\n")[0], \
                f"{spec['checker']}'s docstring does not name exercise {spec['label']}"
            work = [l for i in next(e for e in chapter.exercises if e.label == spec["label"]).work_cells
                    for l in "".join(source["cells"][i]["source"]).splitlines()]
            for line in starter.splitlines():
                assert line in work or '"""' in line, f"{name}: starter line {line!r} is not the chapter's"
        imports = text[f"ch{book.chapter_numbers[doc]}-imports"]
        for checker in {s["checker"] for s in specs}:
            assert checker in imports


def test_regenerating_changes_nothing(generated, tmp_path):
    again = {p.name: p for p in assignments.build(tmp_path)}
    assert set(again) == set(generated)
    for name in generated:
        assert again[name].read_bytes() == generated[name].read_bytes(), f"{name}: generation is not deterministic"
    built = ROOT / "_build" / "assignments"
    for name in generated if built.is_dir() else []:
        path = built / name
        assert path.is_file() and path.read_bytes() == generated[name].read_bytes(), (
            f"{path} is out of date with the chapters: run `make assignments`")
