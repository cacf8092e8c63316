"""The autograder (mlp_core.grade) on generated exercise notebooks and on broken submissions.

For every chapter with auto-checked exercises: a submission whose functions are the chapter's own
reference solutions (taken from its hidden check cells) gets every point, and a submission with a
wrong function for every exercise gets none, each with the checker's feedback. Then one submission
per way a notebook can go wrong (a cell that raises, an endless loop at the top level and inside the
function, a missing function, a wrong signature, huge output, a kernel that dies, invalid JSON, a
notebook of another chapter, one without the metadata): each gives a clear line and a row, never a
crash. All submissions run once (module fixture), two kernels at a time: about a minute on two cores.
"""

from __future__ import annotations

import ast
import copy
import csv
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mlp_core import grade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import assignments  # noqa: E402
import learner_notebooks as ln  # noqa: E402

TIMEOUT = 8  # seconds per cell: the exercises' checks take well under a second
META = assignments.METADATA_KEY
BROKEN = "ch05"  # the chapter whose notebook is broken in every way below


@pytest.fixture(scope="module")
def book():
    return ln.Book(ROOT)


@pytest.fixture(scope="module")
def notebooks(book):
    """{chapter number: its exercise notebook} for the chapters that have auto-checked exercises."""
    found = {}
    for doc in book.notebooks():
        if doc in book.chapter_numbers:
            nb = assignments.assignment(book, doc)
            if nb and nb["metadata"][META]["exercises"]:
                found[book.chapter_numbers[doc]] = nb
    return found


def reference_code(book, chapter: int, spec: dict) -> str:
    """The chapter's reference solution of one exercise, bound to the learner's function name."""
    doc = next(d for d, n in book.chapter_numbers.items() if n == chapter)
    source = json.loads(book.source(doc).read_text(encoding="utf-8"))
    ex = next(e for e in ln.convert_notebook(book, doc).exercises if e.label == spec["label"])
    for index in ex.check_cells:
        text = "".join(source["cells"][index]["source"])
        calls = [m for m in grade.CHECK_CALL.finditer(text) if m["checker"] == spec["checker"]]
        if calls:
            tree = ast.parse(text)
            keep = [ast.get_source_segment(text, node) for node in tree.body
                    if isinstance(node, (ast.FunctionDef, ast.Import, ast.ImportFrom))]
            return "\n\n".join(keep) + f"\n\n{spec['function']} = {calls[0]['function']}\n"
    raise AssertionError(f"{spec['label']}: no hidden check cell calls {spec['checker']}(...) on a reference solution")


def with_code(notebook: dict, code: dict[str, str], before: str | None = None) -> dict:
    """The notebook with the starter cells of the given functions replaced (and a cell put before them)."""
    nb = copy.deepcopy(notebook)
    for cell in nb["cells"]:
        role = cell["metadata"][META]["role"]
        if role == "starter":
            name = next(s["function"] for s in nb["metadata"][META]["exercises"]
                        if cell["metadata"]["nbgrader"]["grade_id"] == f"{s['label']}-{s['function']}")
            cell["source"] = code.get(name, cell["source"])
    if before is not None:
        at = next(k for k, c in enumerate(nb["cells"]) if c["metadata"][META]["role"] == "starter")
        nb["cells"].insert(at, {"cell_type": "code", "id": "added", "metadata": {}, "source": before,
                                "outputs": [], "execution_count": None})
    return nb


def wrong_code(spec: dict) -> str:
    """A function with the right signature and a wrong answer: it returns its first argument."""
    return f"def {spec['function']}({', '.join(spec['params'])}):\n    return {spec['params'][0]}\n"


@pytest.fixture(scope="module")
def graded(book, notebooks, tmp_path_factory):
    """Write every submission, grade them all (two at a time), return {name: Report}."""
    folder = tmp_path_factory.mktemp("submissions")
    subs: dict[str, str | dict] = {}
    for chapter, nb in notebooks.items():
        specs = nb["metadata"][META]["exercises"]
        subs[f"ch{chapter:02d}_right"] = with_code(nb, {s["function"]: reference_code(book, chapter, s) for s in specs})
        subs[f"ch{chapter:02d}_wrong"] = with_code(nb, {s["function"]: wrong_code(s) for s in specs})
    ch5 = notebooks[int(BROKEN[2:])]
    spec = ch5["metadata"][META]["exercises"][0]
    right = {spec["function"]: reference_code(book, 5, spec)}
    params = ", ".join(spec["params"])
    subs["starter"] = ch5
    subs["raises"] = with_code(ch5, right, before="1 / 0\n")
    subs["endless_top"] = with_code(ch5, right, before="while True:\n    pass\n")
    subs["endless_function"] = with_code(ch5, {spec["function"]: f"def {spec['function']}({params}):\n    while True:\n        pass\n"})
    subs["missing"] = with_code(ch5, {spec["function"]: "def something_else(a, b):\n    return 0\n"})
    subs["signature"] = with_code(ch5, {spec["function"]: f"def {spec['function']}(only_one):\n    return 0\n"})
    subs["huge_output"] = with_code(ch5, right, before="for i in range(100_000):\n    print('x' * 100)\n")
    subs["kernel_dies"] = with_code(ch5, right, before="import os\nos._exit(1)\n")
    subs["other_chapter"] = next(nb for c, nb in notebooks.items() if c != 5)
    bare = copy.deepcopy(with_code(ch5, right))
    bare["metadata"].pop(META)
    for cell in bare["cells"]:
        cell["metadata"] = {}
    subs["no_metadata"] = bare
    subs["invalid_json"] = '{"cells": [{"cell_type": "code", "source": "print(1)"'
    subs["not_a_notebook"] = '{"name": "a JSON file, but not a notebook"}'
    paths = {}
    for name, content in subs.items():
        path = folder / name / f"{name}.ipynb"  # each in its own folder, as learners' folders are
        path.parent.mkdir()
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        paths[name] = path
    known = grade.chapter_exercises()

    def run(name):
        chapter = 5 if name in ("other_chapter", "invalid_json", "not_a_notebook", "starter") or name in (
            "raises", "endless_top", "endless_function", "missing", "signature", "huge_output", "kernel_dies",
            "no_metadata") else None
        return name, grade.grade(paths[name], chapter, timeout=TIMEOUT, known=known)

    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = dict(pool.map(run, paths))
    return {"reports": reports, "paths": paths, "folder": folder}


def feedback(report) -> str:
    return "\n".join([r.feedback for r in report.results] + report.problems)


def test_every_checked_exercise_has_a_notebook(notebooks):
    known = grade.chapter_exercises()
    assert known, "mlp_core.checks has no checker whose docstring starts 'Exercise N.M (``label``)'"
    for chapter, exercises in known.items():
        assert chapter in notebooks, f"chapter {chapter} has checkers but no exercise notebook with checked functions"
        listed = {s["checker"] for s in notebooks[chapter]["metadata"][META]["exercises"]}
        missing = {ex.checker for ex in exercises} - listed
        assert not missing, f"chapter {chapter}: no work cell calls {missing}: add a `# check_x(fn)` line to its work cell"


def test_reference_solutions_get_every_point(graded, notebooks):
    for chapter in notebooks:
        report = graded["reports"][f"ch{chapter:02d}_right"]
        assert report.status == "graded" and report.chapter == chapter, grade.table(report)
        assert report.passed and report.total == report.max_points > 0, grade.table(report)
        assert not report.problems, grade.table(report)


def test_wrong_functions_get_no_point_and_feedback(graded, notebooks):
    for chapter in notebooks:
        report = graded["reports"][f"ch{chapter:02d}_wrong"]
        assert report.status == "graded" and report.total == 0 and not report.passed, grade.table(report)
        for r in report.results:
            assert not r.passed and len(r.feedback) > 20, f"{r.label}: no useful feedback: {r.feedback!r}"
            assert "no verdict" not in r.feedback and "checker stopped" not in r.feedback, r.feedback


def test_starter_notebook_runs_and_asks_for_code(graded):
    report = graded["reports"]["starter"]
    assert report.status == "graded" and report.total == 0, grade.table(report)
    assert all("placeholder" in r.feedback for r in report.results), grade.table(report)


@pytest.mark.parametrize(
    "name, passed, expected",
    [
        ("raises", True, "raised ZeroDivisionError"),
        ("endless_top", True, f"stopped after {TIMEOUT} s"),
        ("endless_function", False, "time limit"),
        ("missing", False, "missing function"),
        ("signature", False, "wrong signature"),
        ("huge_output", True, "rest of its output was dropped"),
        ("kernel_dies", False, "DeadKernelError"),
        ("other_chapter", False, "not chapter 5"),
        ("no_metadata", True, ""),
        ("invalid_json", False, "not valid JSON"),
        ("not_a_notebook", False, "not a notebook"),
    ],
)
def test_broken_submission_gets_a_clear_line(graded, name, passed, expected):
    report = graded["reports"][name]
    text = grade.table(report)
    assert report.passed is passed, text
    assert expected in feedback(report), f"expected {expected!r} in:\n{text}"
    assert report.results, f"{name}: the report has no line per exercise:\n{text}"


def test_gradebook_has_one_row_per_submission(graded, tmp_path, capsys):
    folder = graded["folder"]
    names = ["ch05_right", "ch05_wrong", "invalid_json", "other_chapter"]
    small = tmp_path / "class"
    for name in names:
        (small / name).mkdir(parents=True)
        (small / name / f"{name}.ipynb").write_bytes(graded["paths"][name].read_bytes())
    status = grade.main([str(small), "--csv", str(tmp_path / "book.csv"), "--json", str(tmp_path / "book.json"),
                         "--timeout", str(TIMEOUT)])
    assert status == 1
    rows = list(csv.DictReader((tmp_path / "book.csv").read_text(encoding="utf-8").splitlines()))
    data = json.loads((tmp_path / "book.json").read_text(encoding="utf-8"))
    assert len(rows) == len(data) == len(names)
    by_name = {Path(r["submission"]).stem: r for r in rows}
    assert by_name["ch05_right"]["total"] == by_name["ch05_right"]["max_points"] != "0"
    assert by_name["invalid_json"]["status"] == "not graded"
    assert by_name["other_chapter"]["status"] == "wrong chapter"  # the folder's chapter is the most common one
    assert all(r["chapter"] == "5" for r in rows)
    printed = capsys.readouterr().out
    assert "total" in printed and "4 submissions" in printed
    assert folder.exists()


def test_exit_status_zero_only_when_all_passed(graded):
    assert grade.main([str(graded["paths"]["ch05_right"]), "--timeout", str(TIMEOUT)]) == 0
    with pytest.raises(SystemExit) as error:
        grade.main([str(graded["folder"] / "no-such-file.ipynb")])
    assert error.value.code == 2
