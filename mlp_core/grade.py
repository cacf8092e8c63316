"""The autograder: run learners' exercise notebooks and check their functions with mlp_core.checks.

    python -m mlp_core.grade SUBMISSION.ipynb [MORE.ipynb | FOLDER ...] [--chapter N] [--json FILE] [--csv FILE]

Each submission is executed from the top in a fresh kernel (the grader's own Python, so mlp_core is
the grader's), in a temporary copy of its folder, with a time limit per cell. Then, in that kernel,
the chapter's checkers (``check_*`` in mlp_core.checks whose docstring starts "Exercise N.M") are
called on the learner's functions. Nothing of the submission is imported or run in the grader's
process. For each submission it prints a table (exercise, points, passed or not, the checker's
feedback) and the total; a folder gives a gradebook, one row per submission (``--csv``, ``--json``).
Exit status: 0 only when every exercise of every submission passed, 1 otherwise, 2 for bad arguments.

Whatever is wrong with a submission (invalid JSON, a cell that raises, an endless loop, a missing
function, a wrong signature, huge output, a notebook of another chapter, a kernel that dies) becomes
a line of its table and of the gradebook, never a crash of the grader.

Which function answers which exercise: the notebooks made by ``make assignments`` say so in their
metadata; without it, the grader reads the ``check_x(function)`` calls in the notebook's code cells.
The learner's code runs in the same kernel as the checkers, so a deliberately hostile notebook could
fake its results: this grader is for honest mistakes, not for adversaries.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

METADATA_KEY = "backprop_from_scratch"
POINTS = 1  # per auto-checked exercise
MARKER = "@@backprop-grade@@"
LABEL = re.compile(r"^Exercise (?P<number>(?P<chapter>\d+)\.\d+) \(``(?P<label>[\w-]+)``\)")
CHECK_CALL = re.compile(r"\b(?P<checker>check_\w+)\(\s*(?P<function>[A-Za-z_]\w*)\s*\)")
HEADING = re.compile(r"^#+\s*Exercise (?P<chapter>\d+)\.\d+", re.M)
MAX_NOTEBOOK_BYTES = 50_000_000
MAX_OUTPUT_BYTES = 100_000  # per cell; the rest of a cell's output is dropped
MAX_FOLDER_BYTES = 200_000_000  # a bigger folder is not copied: the notebook runs alone
FEEDBACK_CHARS = 300  # in the printed table; the JSON gradebook keeps all of it


@dataclass
class Exercise:
    """An auto-checked exercise: its label, number, checker, and the function the learner writes."""

    label: str
    number: str
    checker: str
    function: str | None = None
    params: list[str] | None = None
    points: int = POINTS


@dataclass
class Result:
    label: str
    number: str
    function: str | None
    points: int
    max_points: int
    passed: bool
    feedback: str


@dataclass
class Report:
    """One submission's grade: its results, and problems that concern the whole notebook."""

    submission: str
    chapter: int | None = None
    status: str = "graded"
    problems: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> int:
        return sum(r.max_points for r in self.results)

    @property
    def passed(self) -> bool:
        return self.status == "graded" and all(r.passed for r in self.results)

    def as_dict(self) -> dict:
        return {**asdict(self), "total": self.total, "max_points": self.max_points, "passed": self.passed}


# -- the chapters' exercises -------------------------------------------------------------------------

def chapter_exercises() -> dict[int, list[Exercise]]:
    """{chapter: its auto-checked exercises}, from the docstrings of mlp_core.checks' check_* functions."""
    from . import checks

    found: dict[int, list[Exercise]] = {}
    for name in dir(checks):
        fn = getattr(checks, name)
        m = LABEL.match((getattr(fn, "__doc__", None) or "").strip()) if name.startswith("check_") else None
        if m and callable(fn):
            found.setdefault(int(m["chapter"]), []).append(Exercise(m["label"], m["number"], name))
    for exercises in found.values():
        exercises.sort(key=lambda e: tuple(int(n) for n in e.number.split(".")))
    return found


def _sources(notebook: dict, kind: str) -> list[str]:
    return ["".join(c.get("source", "")) if isinstance(c.get("source"), list) else str(c.get("source", ""))
            for c in notebook.get("cells", []) if isinstance(c, dict) and c.get("cell_type") == kind]


def notebook_chapter(notebook: dict, path: Path) -> int | None:
    """The chapter a notebook is for: its metadata, else its "Exercise N.M" headings, else its file name."""
    meta = notebook.get("metadata", {}).get(METADATA_KEY, {})
    if isinstance(meta, dict) and isinstance(meta.get("chapter"), int):
        return meta["chapter"]
    chapters = [int(m["chapter"]) for text in _sources(notebook, "markdown") for m in HEADING.finditer(text)]
    if chapters:
        return max(set(chapters), key=chapters.count)
    m = re.search(r"ch(?:apter)?[_ -]?0*(\d+)", path.stem, re.I)
    return int(m[1]) if m else None


def exercises_of(notebook: dict, chapter: int, known: dict[int, list[Exercise]]) -> list[Exercise]:
    """The chapter's exercises, each with the learner's function name (from the metadata or a check call)."""
    meta = notebook.get("metadata", {}).get(METADATA_KEY, {})
    specs = {s.get("checker"): s for s in (meta.get("exercises") or []) if isinstance(s, dict)} \
        if isinstance(meta, dict) else {}
    calls: dict[str, str] = {}
    for text in _sources(notebook, "code"):
        for m in CHECK_CALL.finditer(text):
            calls.setdefault(m["checker"], m["function"])
    exercises = []
    for ex in known.get(chapter, []):
        spec = specs.get(ex.checker, {})
        function = spec.get("function") if isinstance(spec.get("function"), str) else calls.get(ex.checker)
        params = spec.get("params") if isinstance(spec.get("params"), list) else None
        exercises.append(Exercise(ex.label, ex.number, ex.checker, function, params, ex.points))
    return exercises


# -- running a notebook ------------------------------------------------------------------------------

GRADER_CELL = '''\
def __backprop_grade(label, checker, function, params):
    """Call the checker on the learner's function; print the verdict as one JSON line."""
    import contextlib, importlib, inspect, io, json
    import mlp_core.checks
    checks = importlib.reload(mlp_core.checks)  # the checkers as shipped, whatever the notebook did to them
    result = {"label": label, "passed": False}
    fn = globals().get(function)
    try:
        if function is None:
            result["feedback"] = ("no cell calls " + checker + "(...), so the grader cannot tell which function "
                                  "answers this exercise: keep the exercise's starter cell and its check cell")
        elif fn is None:
            result["feedback"] = ("missing function: the notebook defines no `" + function + "` (keep the name of "
                                  "the starter cell, and make sure the cell runs without an error)")
        elif not callable(fn):
            result["feedback"] = "`" + function + "` is not a function but a " + type(fn).__name__
        else:
            try:
                signature = inspect.signature(fn)
            except (TypeError, ValueError):
                signature = None
            kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            accepted = None if signature is None else [p for p in signature.parameters.values() if p.kind in kinds]
            variadic = signature is not None and any(
                p.kind == inspect.Parameter.VAR_POSITIONAL for p in signature.parameters.values())
            required = [] if signature is None else [p for p in accepted if p.default is inspect.Parameter.empty]
            if params is not None and signature is not None and not variadic and not (
                    len(required) <= len(params) <= len(accepted)):
                result["feedback"] = ("wrong signature: expected " + function + "(" + ", ".join(params) + "), yours is "
                                      + function + str(signature))
            else:
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    getattr(checks, checker)(fn)
                result["passed"] = True
                result["feedback"] = printed.getvalue().strip() or "passed"
    except checks.ExerciseError as error:
        result["feedback"] = str(error)
    except Exception as error:
        result["feedback"] = "the checker stopped with " + type(error).__name__ + ": " + str(error)
    except KeyboardInterrupt:  # the time limit
        result["feedback"] = "time limit: the check was stopped (an endless loop in `" + str(function) + "`?)"
    print("\\n" + MARKER + json.dumps(result))
'''.replace("MARKER", repr(MARKER))


def _kernel_spec(folder: Path, memory_gb: float) -> Path:
    """A kernelspec that starts ipykernel in the grader's own Python, one BLAS thread, memory capped."""
    limit = int(memory_gb * 2**30)
    boot = (
        "import sys\n"
        "try:\n"
        "    import resource\n"
        f"    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit})) if {limit} > 0 else None\n"
        "except (ImportError, ValueError, OSError):\n"
        "    pass\n"
        "from ipykernel import kernelapp\n"
        "kernelapp.launch_new_instance()\n"
    )
    spec = folder / "backprop-grader"
    spec.mkdir(parents=True)
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg",
           "PYTHONHASHSEED": "0"}
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", boot, "-f", "{connection_file}"],
        "display_name": "backprop grader", "language": "python", "env": env,
    }), encoding="utf-8")
    return folder


def _copy_folder(notebook_path: Path, into: Path) -> tuple[Path, str | None]:
    """Copy the submission's folder (less other notebooks and hidden files) into `into`; a note if it is too big."""
    source = notebook_path.parent
    size = 0
    for path in source.rglob("*"):
        if path.is_file() and not path.suffix == ".ipynb":
            size += path.stat().st_size
            if size > MAX_FOLDER_BYTES:
                return into, (f"the folder of {notebook_path.name} holds more than {MAX_FOLDER_BYTES // 10**6} MB, "
                              "so the notebook ran without the files next to it")

    def ignore(folder, names):
        return [n for n in names if n.startswith(".") or n.endswith(".ipynb") or n == "__pycache__"]

    shutil.copytree(source, into, ignore=ignore, dirs_exist_ok=True)
    return into, None


def _client_class():
    from nbclient import NotebookClient

    class Client(NotebookClient):
        """nbclient, remembering which cells timed out and dropping a cell's output beyond a size."""

        timed_out: set
        truncated: set
        running: int = -1

        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            self.running = cell_index
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

        async def _async_handle_timeout(self, timeout, cell=None):
            self.timed_out.add(self.running)
            return await super()._async_handle_timeout(timeout, cell)

        def output(self, outs, msg, display_id, cell_index):
            size = sum(len(json.dumps(o)) for o in outs)
            if size > MAX_OUTPUT_BYTES:
                self.truncated.add(cell_index)
                return None
            return super().output(outs, msg, display_id, cell_index)

    return Client


def run_notebook(notebook: dict, exercises: list[Exercise], folder: Path, timeout: float, memory_gb: float
                 ) -> tuple[list[dict | None], list[str]]:
    """Execute the notebook, then one check per exercise; returns each check's verdict (None: no verdict)
    and the problems seen while running it."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    nb = nbformat.from_dict(notebook)
    learner_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(GRADER_CELL))
    for ex in exercises:
        nb.cells.append(nbformat.v4.new_code_cell(
            f"__backprop_grade({ex.label!r}, {ex.checker!r}, {ex.function!r}, {ex.params!r})"))
    problems: list[str] = []
    code_number = {i: n + 1 for n, i in enumerate(k for k, c in enumerate(nb.cells[:learner_cells])
                                                  if c.cell_type == "code")}
    with tempfile.TemporaryDirectory(prefix="backprop-grade-") as tmp:
        specs = _kernel_spec(Path(tmp) / "kernels", memory_gb)

        class GraderKernelManager(AsyncKernelManager):
            @default("kernel_spec_manager")
            def _only_the_graders_kernel(self):
                return KernelSpecManager(kernel_dirs=[str(specs)])

        Client = _client_class()
        client = Client(
            nb, kernel_manager_class=GraderKernelManager, kernel_name="backprop-grader", shutdown_kernel="immediate",
            timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
            error_on_timeout={"ename": "TimeoutError", "evalue": f"the cell ran longer than {timeout:g} s", "traceback": []},
            record_timing=False, resources={"metadata": {"path": str(folder)}},
        )
        client.timed_out, client.truncated = set(), set()
        try:
            _run(lambda: client.async_execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        except Exception as error:  # a dead kernel, a kernel that never started...
            where = f" (code cell {code_number[client.running]})" if client.running in code_number else ""
            problems.append(f"the notebook could not be run to the end{where}: {type(error).__name__}: {error}"
                            .strip().rstrip(":") + (" (out of memory, or the notebook stopped its own kernel?)"
                                                     if "DeadKernel" in type(error).__name__ else ""))
    for index in range(learner_cells):
        cell = nb.cells[index]
        if cell.cell_type != "code":
            continue
        name = f"code cell {code_number[index]}"
        if index in client.timed_out:
            problems.append(f"{name} was stopped after {timeout:g} s (the time limit per cell): an endless loop?")
            continue
        for out in cell.get("outputs", []):  # a checker's ExerciseError is in the exercise's verdict already
            if out.get("output_type") == "error" and out.get("ename") != "ExerciseError":
                problems.append(f"{name} raised {out.get('ename')}: {_short(str(out.get('evalue', '')), 200)}")
        if index in client.truncated:
            problems.append(f"{name} printed more than {MAX_OUTPUT_BYTES // 1000} kB; the rest of its output was dropped")
    verdicts: list[dict | None] = []
    for k, ex in enumerate(exercises):
        index = learner_cells + 1 + k
        cell = nb.cells[index]
        verdict = None
        for out in cell.get("outputs", []):
            for line in str(out.get("text", "")).splitlines():
                if line.startswith(MARKER):
                    try:
                        verdict = json.loads(line[len(MARKER):])
                    except json.JSONDecodeError:
                        pass
        if index in client.timed_out:
            verdict = {"passed": False, "feedback": f"time limit: the check did not finish within {timeout:g} s "
                                                    f"(an endless loop in `{ex.function}`?)"}
        verdicts.append(verdict)
    return verdicts, problems


def _run(coroutine_function):
    """Run a coroutine on an event loop of its own, closed afterwards (in a thread when one is running here)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_function())
    with ThreadPoolExecutor(max_workers=1) as pool:  # e.g. grade() called from a Jupyter notebook
        return pool.submit(lambda: asyncio.run(coroutine_function())).result()


def _short(text: str, limit: int) -> str:
    """One line of at most `limit` characters, without terminal colours."""
    text = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- grading -----------------------------------------------------------------------------------------

def read_notebook(path: Path) -> dict:
    """The notebook as a dict (nbformat 4), or ValueError saying why it cannot be one."""
    import nbformat

    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the file is {size / 1e6:.0f} MB, more than {MAX_NOTEBOOK_BYTES // 10**6} MB: clear the "
                         "outputs (Edit > Clear all outputs) and submit it again")
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not a notebook: the file is not valid JSON ({error.msg} at line {error.lineno}, column "
                         f"{error.colno}); download it again from Jupyter or Colab (File > Download > .ipynb)") from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise ValueError("not a notebook: valid JSON, but without the cells of a Jupyter notebook")
    try:
        with warnings.catch_warnings():  # a missing cell id: normalize() below adds it
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
        notebook = nbformat.validator.normalize(notebook)[1]  # cell ids added where an old Jupyter left none
        nbformat.validate(notebook)
    except Exception as error:
        raise ValueError(f"not a valid notebook: {_short(str(error).splitlines()[0], 200)}") from None
    return notebook


def grade(path: Path, chapter: int | None = None, timeout: float = 60, memory_gb: float = 4,
          known: dict[int, list[Exercise]] | None = None) -> Report:
    """Grade one submission; never raises for a problem of the submission (it goes into the report)."""
    path = Path(path)
    report = Report(str(path))
    known = chapter_exercises() if known is None else known
    try:
        notebook = read_notebook(path)
    except (OSError, ValueError) as error:
        report.status, report.chapter = "not graded", chapter
        report.problems.append(str(error))
        report.results = _zero(known.get(chapter, []), "not graded: " + str(error).split(":")[0])
        return report
    found = notebook_chapter(notebook, path)
    report.chapter = chapter if chapter is not None else found
    if report.chapter is None:
        report.status = "not graded"
        report.problems.append("cannot tell which chapter this notebook is for (no metadata, no 'Exercise N.M' "
                               "heading, no chNN in its name): pass --chapter N")
        return report
    if chapter is not None and found is not None and found != chapter:
        report.status = "wrong chapter"
        report.problems.append(f"this is a notebook for chapter {found}, not chapter {chapter}: the learner submitted "
                               "the wrong file")
        report.results = _zero(known.get(chapter, []), f"not graded: the notebook is for chapter {found}")
        return report
    exercises = exercises_of(notebook, report.chapter, known)
    if not exercises:
        report.problems.append(f"chapter {report.chapter} has no exercise that mlp_core.checks checks")
        return report
    with tempfile.TemporaryDirectory(prefix="backprop-submission-") as tmp:
        folder, note = _copy_folder(path, Path(tmp) / "work")
        folder.mkdir(exist_ok=True)
        if note:
            report.problems.append(note)
        verdicts, problems = run_notebook(notebook, exercises, folder, timeout, memory_gb)
    report.problems.extend(problems)
    for ex, verdict in zip(exercises, verdicts):
        if verdict is None:
            verdict = {"passed": False, "feedback": "no verdict: the check did not run (see the lines marked !)"}
        passed = bool(verdict.get("passed"))
        report.results.append(Result(ex.label, ex.number, ex.function, ex.points if passed else 0, ex.points, passed,
                                     str(verdict.get("feedback", ""))))
    return report


def _zero(exercises: list[Exercise], why: str) -> list[Result]:
    return [Result(ex.label, ex.number, None, 0, ex.points, False, why) for ex in exercises]


def submissions(paths: list[Path]) -> list[Path]:
    """The notebooks named, and those in the folders named (recursively, less checkpoints and hidden files)."""
    found = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.ipynb")
                                if not any(part.startswith(".") for part in p.relative_to(path).parts)))
        else:
            found.append(path)
    return found


# -- output ------------------------------------------------------------------------------------------

def table(report: Report) -> str:
    """The report as a plain-text table: one line per exercise, the problems, the total."""
    lines = [f"{report.submission}: chapter {report.chapter if report.chapter is not None else '?'}"
             + ("" if report.status == "graded" else f", {report.status.upper()}")]
    width = max([len(f"{r.number} {r.function or '?'}") for r in report.results] + [8])
    if report.results:
        lines.append(f"  {'exercise':<{width}}  points  result  feedback")
    for r in report.results:
        feedback = _short(" ".join(r.feedback.split()), FEEDBACK_CHARS)
        lines.append(f"  {r.number + ' ' + (r.function or '?'):<{width}}  {r.points:>2}/{r.max_points:<3}  "
                     f"{'passed' if r.passed else 'FAILED'}  {feedback}")
    for problem in report.problems:
        lines.append(f"  ! {problem}")
    lines.append(f"  {'total':<{width}}  {report.total:>2}/{report.max_points:<3}  "
                 f"{'all passed' if report.passed else 'not all passed'}")
    return "\n".join(lines)


def gradebook_rows(reports: list[Report]) -> tuple[list[str], list[dict]]:
    """CSV columns and rows: one row per submission, one column per exercise."""
    labels = sorted({r.label: r.number for rep in reports for r in rep.results}.items(),
                    key=lambda kv: tuple(int(n) for n in kv[1].split(".")))
    columns = ["submission", "chapter", "status"] + [label for label, _ in labels] + ["total", "max_points", "problems"]
    rows = []
    for rep in reports:
        row = {"submission": rep.submission, "chapter": rep.chapter, "status": rep.status,
               "total": rep.total, "max_points": rep.max_points, "problems": " | ".join(rep.problems)}
        row.update({r.label: r.points for r in rep.results})
        rows.append(row)
    return columns, rows


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(reports: list[Report], path: Path) -> None:
    columns, rows = gradebook_rows(reports)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    _write_atomic(path, buffer.getvalue())


def write_json(reports: list[Report], path: Path) -> None:
    _write_atomic(path, json.dumps([rep.as_dict() for rep in reports], indent=1, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlp_core.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="submitted notebooks, or folders of them")
    parser.add_argument("--chapter", type=int, help="the chapter every submission should be for (default: each "
                        "notebook's own; with several, the most common one)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per cell (default 60)")
    parser.add_argument("--memory", type=float, default=4, help="GiB of memory per kernel, 0: no limit (default 4)")
    parser.add_argument("--json", type=Path, help="write the gradebook as JSON (every feedback in full)")
    parser.add_argument("--csv", type=Path, help="write the gradebook as CSV (one row per submission)")
    args = parser.parse_args(argv)

    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as error:
        parser.error(f"the grader needs {error.name}: pip install 'mlp-core[grade]' (or nbclient and ipykernel)")
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    paths = submissions(args.paths)
    if not paths:
        parser.error("no .ipynb file found in " + ", ".join(str(p) for p in args.paths))
    known = chapter_exercises()
    chapter = args.chapter
    if chapter is None and len(paths) > 1:
        chapter = _common_chapter(paths)
    reports = []
    for path in paths:
        try:
            report = grade(path, chapter, args.timeout, args.memory, known)
        except Exception as error:  # a bug of the grader: the row is kept, with the error
            report = Report(str(path), chapter, "grader error", [f"the grader failed: {type(error).__name__}: {error}"])
        reports.append(report)
        print(table(report), end="\n\n", flush=True)
    if len(reports) > 1:
        passed = sum(rep.passed for rep in reports)
        print(f"{len(reports)} submissions, {passed} with every exercise passed; "
              f"points: {sum(r.total for r in reports)} of {sum(r.max_points for r in reports)}")
    if args.csv:
        write_csv(reports, args.csv)
        print(f"gradebook (CSV): {args.csv}")
    if args.json:
        write_json(reports, args.json)
        print(f"gradebook (JSON): {args.json}")
    return 0 if reports and all(rep.passed for rep in reports) else 1


def _common_chapter(paths: list[Path]) -> int | None:
    """The chapter most of the readable submissions are for."""
    chapters = []
    for path in paths:
        try:
            chapters.append(notebook_chapter(read_notebook(path), path))
        except (OSError, ValueError):
            continue
    chapters = [c for c in chapters if c is not None]
    return max(set(chapters), key=chapters.count) if chapters else None


if __name__ == "__main__":
    sys.exit(main())
