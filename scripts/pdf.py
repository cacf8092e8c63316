"""The book as a PDF for printing: jupyter-book's LaTeX builder, then xelatex through latexmk.

    python scripts/pdf.py [instructor] [student]        (make pdf: both, then tests/test_pdf.py)

- instructor: the whole book, solutions and instructor guide included: `_build/latex/book.pdf`;
- student: the configuration and toc of `make student` (scripts/student_edition.py: the Sphinx flag
  `student_edition`, no part "For instructors"): `_build/student-latex/book.pdf`. If that script is
  missing, or the flag leaves a solution in the .tex, no student PDF is written.

This is what `jupyter-book build . --builder pdflatex` does, plus:
- each edition keeps its doctrees in a folder of its own, so a PDF build never touches `_build/html`
  or the doctrees of `make build`;
- the MathJax macros of `_config.yml` (mathjax3_config.tex.macros, the one place they are written)
  become LaTeX commands, and the fonts are DejaVu, which have the chapters' Unicode (≈ − × → ∂);
- this file is also a small Sphinx extension (setup() below) that numbers chapters, exercises, theorems
  and equations as the online book does;
- the LaTeX log is checked: a LaTeX error, an undefined reference or a missing glyph fails the build.

Needs xelatex and latexmk (Debian: `scripts/system_deps.sh texlive`, which `make pdf` runs).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = {  # edition: the folder its LaTeX files, log and book.pdf end up in
    "instructor": ROOT / "_build" / "latex",
    "student": ROOT / "_build" / "student-latex",
}
TOOLS = ("xelatex", "latexmk")
# Fonts with every glyph the chapters print (≈ − × → ∂ ², box drawing in outputs); Latin Modern for maths.
FONTS = r"""
\setmainfont{DejaVu Serif}[Scale=0.92]
\setsansfont{DejaVu Sans}[Scale=0.92]
\setmonofont{DejaVu Sans Mono}[Scale=0.8]
"""
# jupyter-book's LaTeX class (jupyterBook.cls) loads bbm.sty, which Debian ships only in texlive-fonts-extra
# (500 MB). The book never uses \mathbbm, so where bbm.sty is missing a two-line stand-in goes next to the .tex.
BBM_STAND_IN = r"""\ProvidesPackage{bbm}[2026/01/01 stand-in written by scripts/pdf.py: mathbbm as mathbb]
\providecommand{\mathbbm}[1]{\mathbb{#1}}
"""
# Lines of the xelatex log that mean the PDF is wrong, though latexmk may still have written one.
LOG_PROBLEMS = re.compile(
    r"^(?:! .*|.*:\d+: .*|LaTeX Warning: (?:Reference|Citation) .* undefined.*"
    r"|LaTeX Warning: There were undefined references.*|Missing character: .*)$",
    re.M,
)


class PdfError(RuntimeError):
    """The PDF could not be built; the message says why and what to do."""


def latex_macros(root: Path = ROOT) -> str:
    """The MathJax macros of _config.yml as LaTeX definitions (\\providecommand, then \\renewcommand)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    macros = config["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    lines = []
    for name, value in macros.items():
        body, nargs = (value, 0) if isinstance(value, str) else (value[0], int(value[1]))
        args = f"[{nargs}]" if nargs else ""
        lines.append(rf"\providecommand{{\{name}}}{{}}\renewcommand{{\{name}}}{args}{{{body}}}")
    return "\n".join(lines)


def edition_files(edition: str, work: Path, root: Path = ROOT) -> tuple[Path, Path]:
    """The (_config.yml, _toc.yml) an edition is built from. The student edition's come from
    scripts/student_edition.py (make student): the flag student_edition, no instructors' part."""
    if edition == "instructor":
        return root / "_config.yml", root / "_toc.yml"
    try:
        sys.path.insert(0, str(root / "scripts"))
        from student_edition import student_config, student_toc, write_yaml
    except ImportError as err:
        raise PdfError(
            f"the student edition is not in place ({err}): scripts/student_edition.py must provide "
            "student_config, student_toc and write_yaml (make student). No student PDF without it: "
            "it would contain the solutions."
        ) from None
    folder = work / "config"
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    write_yaml(student_config(config, root), folder / "_config.yml")
    write_yaml(student_toc(toc), folder / "_toc.yml")
    return folder / "_config.yml", folder / "_toc.yml"


def overrides(config_path: Path, toc_path: Path, root: Path = ROOT) -> dict:
    """Sphinx config overrides for the LaTeX build (what jupyter-book's CLI adds, plus ours)."""
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(user_yaml=config_path, cli_config={"latex_individualpages": False}, sourcedir=root)
    return {
        "external_toc_path": toc_path.as_posix(),
        "latex_individualpages": False,
        "nitpicky": True,
        # This file is also a small Sphinx extension (setup() below), for the LaTeX builder only.
        "extensions": [*config["extensions"], "pdf"],
        # IPython's Code objects (show_source) carry a text/latex that myst-nb would typeset as maths:
        # take their text/plain instead.
        "nb_mime_priority_overrides": [("latex", "text/latex", None)],
        # The macros go in at \begin{document}, after unicode-math has set up its own symbols.
        "latex_elements": {
            "fontpkg": FONTS,
            "preamble": "\\AtBeginDocument{%\n" + latex_macros(root) + "\n}",
            "papersize": "a4paper",
            "pointsize": "10pt",
        },
    }


# ---------------------------------------------------------------------------------------------
# As a Sphinx extension: the PDF numbers chapters, exercises and theorems as the online book does.


def unnumbered_docs(root: Path = ROOT) -> list[str]:
    """The pages of _toc.yml outside its numbered parts (introduction, notation, appendices...)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    docs = []
    for part in toc.get("parts", []):
        if not part.get("numbered"):
            docs += [entry["file"] for entry in part.get("chapters", [])]
    return docs


def _number_like_html(app) -> None:
    """sphinx-jupyterbook-latex sets numfig_secnum_depth to 2 (so that LaTeX resets figure and equation
    counters per chapter under \\part), which would also make exercises and theorems "5.11.4". Number
    those with depth 1, as the HTML build does; the LaTeX writer gets 2 back (_restore_depth)."""
    if app.builder.format == "latex":
        app.config.numfig_secnum_depth = 1


def _restore_depth(app, env) -> None:
    if app.builder.format == "latex":
        app.config.numfig_secnum_depth = 2


def _fix_tex(app, exception) -> None:
    """Two corrections to the .tex, after Sphinx wrote it (LaTeX builder only):

    - pages outside the numbered parts (introduction, notation, appendices, back matter) get no number,
      and neither do their sections, so that LaTeX's chapter, equation and figure numbers are the online
      book's ("Notation" is not chapter 1): secnumdepth is -1 around them, restored before numbered ones;
    - sphinx-exercise labels an exercise only `exercise:LABEL`, so a {ref} from another page (which
      LaTeX writes as DOC:LABEL) would be undefined: each exercise also gets the label {ref} uses.
    """
    if exception is not None or app.builder.format != "latex":
        return
    unnumbered = set(unnumbered_docs(Path(app.srcdir)))
    labels = app.env.domaindata["std"]["labels"]
    chapter = re.compile(r"^\\chapter\{.*\}\n\\label\{\\detokenize\{(?P<doc>[^:}]+):", re.M)
    exercise = re.compile(r"\\label\{exercise:(?P<label>[^}]+)\}")

    def depth(m: re.Match) -> str:
        value = "-1" if m["doc"] in unnumbered else r"\bfsSecnumdepth"
        return rf"\setcounter{{secnumdepth}}{{{value}}}" + "\n" + m.group(0)

    def label(m: re.Match) -> str:
        doc, anchor = labels.get(m["label"], (None, None, None))[:2]
        extra = rf"\label{{\detokenize{{{doc}:{anchor}}}}}" if doc else ""
        return m.group(0) + (extra if extra not in text else "")

    for tex in Path(app.outdir).glob("*.tex"):
        text = tex.read_text(encoding="utf-8")
        text = text.replace(r"\begin{document}", r"\edef\bfsSecnumdepth{\the\value{secnumdepth}}" + "\n\\begin{document}", 1)
        text = exercise.sub(label, chapter.sub(depth, text))
        tex.write_text(text, encoding="utf-8")


def setup(app):
    app.connect("builder-inited", _number_like_html, priority=900)  # after sphinx-jupyterbook-latex's
    app.connect("env-check-consistency", _restore_depth)  # after the numbers are assigned, before writing
    app.connect("build-finished", _fix_tex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def check_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise PdfError(
            f"{', '.join(missing)} not found. On Debian or Ubuntu: "
            "sudo apt-get install texlive-xetex latexmk texlive-latex-extra texlive-fonts-recommended "
            "fonts-dejavu poppler-utils (or run `make pdf` as root, which installs them)."
        )


def sphinx_latex(edition: str, work: Path, root: Path = ROOT) -> Path:
    """Write the edition's .tex into work/latex with jupyter-book's Sphinx set-up (doctrees and notebook
    images in work/ too); warnings are errors, as in make build."""
    from jupyter_book.sphinx import build_sphinx

    outdir = work / "latex"
    config_path, toc_path = edition_files(edition, work, root)
    result = build_sphinx(
        root,
        outdir,
        noconfig=True,
        path_config=str(config_path),
        confoverrides=overrides(config_path, toc_path, root),
        doctreedir=work / ".doctrees",
        builder="latex",
        freshenv=True,
        warningiserror=True,
        keep_going=True,
    )
    if result != 0:
        raise PdfError(f"the Sphinx LaTeX build of the {edition} edition failed (warnings above); fix them as for make build")
    tex = outdir / "book.tex"
    if not tex.exists():
        raise PdfError(f"Sphinx wrote no {tex.name}; check latex.latex_documents in _config.yml")
    return tex


def check_student_edition(tex: Path) -> None:
    """Refuse a student PDF that still holds solutions (the student_edition flag had no effect)."""
    if re.search(r"Solution to|\\label\{[^}]*-solution-", tex.read_text(encoding="utf-8")):
        raise PdfError(
            "its .tex still contains solutions: the Sphinx flag `student_edition` (make student, "
            "_ext/without_solutions.py) had no effect. No student PDF is written until it does."
        )


def xelatex(tex: Path) -> Path:
    """Run latexmk (xelatex) through Sphinx's Makefile; fail on any LaTeX error, undefined reference or
    missing glyph found in the log."""
    if subprocess.run(["kpsewhich", "bbm.sty"], capture_output=True).returncode != 0:
        (tex.parent / "bbm.sty").write_text(BBM_STAND_IN, encoding="utf-8")
    env = {"LATEXOPTS": "-interaction=nonstopmode -halt-on-error -file-line-error", "LATEXMKOPTS": "-silent"}
    run = subprocess.run(
        ["make", "-C", str(tex.parent), "all-pdf", *(f"{k}={v}" for k, v in env.items())],
        capture_output=True,
        text=True,
    )
    log = tex.with_suffix(".log")
    problems = LOG_PROBLEMS.findall(log.read_text(encoding="utf-8", errors="replace")) if log.exists() else []
    pdf = tex.with_suffix(".pdf")
    if run.returncode != 0 or problems or not pdf.exists():
        shown = "\n".join(f"  {line}" for line in problems[:30]) or run.stdout[-3000:] + run.stderr[-3000:]
        raise PdfError(f"xelatex failed on {tex.name}:\n{shown}")
    return pdf


def page_count(pdf: Path) -> int | None:
    if shutil.which("pdfinfo") is None:
        return None
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(match.group(1)) if match else None


def build(edition: str, root: Path = ROOT) -> Path:
    """Build one edition in a scratch folder (so that a `make build` wiping _build/ meanwhile cannot
    break it), then move its LaTeX folder, log and PDF to EDITIONS[edition], also when xelatex failed."""
    start = time.perf_counter()
    final = EDITIONS[edition]
    with tempfile.TemporaryDirectory(prefix=f"pdf-{edition}-") as work:
        tex = sphinx_latex(edition, Path(work), root)
        if edition == "student":
            check_student_edition(tex)
        try:
            xelatex(tex)
        except PdfError as err:
            raise PdfError(f"{err}\n(full log: {final / 'book.log'})") from None
        finally:
            shutil.rmtree(final, ignore_errors=True)
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(tex.parent), final)
    pdf = final / "book.pdf"
    print(f"pdf: {pdf.relative_to(root)}, {page_count(pdf)} pages, {time.perf_counter() - start:.0f} s", flush=True)
    return pdf


def main(argv: list[str]) -> int:
    editions = argv or list(EDITIONS)
    unknown = [e for e in editions if e not in EDITIONS]
    if unknown:
        print(f"pdf: unknown edition {unknown}; choose from {list(EDITIONS)}", file=sys.stderr)
        return 2
    try:
        check_tools()
    except PdfError as err:
        print(f"pdf: {err}", file=sys.stderr)
        return 1
    for edition in editions:
        try:
            build(edition)
        except PdfError as err:
            print(f"pdf: the {edition} edition: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
