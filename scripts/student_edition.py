"""The student edition (make student): the book without any solution, built into _build/student/html.

From the same sources as the instructor edition (make build, _build/html), with
- the Sphinx flag ``student_edition: true`` (read by _ext/without_solutions.py, which removes every
  ``{solution}`` and the hidden reference-check cells from the pages as Sphinx reads them, and by
  scripts/learner_notebooks.py, which writes the downloadable notebooks without solutions);
- a table of contents without the instructors' pages (a part captioned "For instructors", and
  book/instructors wherever it is listed);
- no Binder button and no "edit this page" button (both open the sources, solutions included).

The configuration and toc it generates go to _build/student/config/; jupyter-book builds into a
scratch folder that replaces _build/student/html only when the build succeeded. _build/html is never
touched.

Usage: python scripts/student_edition.py [--out _build/student] [--print-config]
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "_build" / "student"
INSTRUCTOR_CAPTION = "for instructors"
INSTRUCTOR_PAGES = {"book/instructors"}


def student_toc(toc: dict) -> dict:
    """The toc less the instructors' part and pages."""
    toc = copy.deepcopy(toc)

    def keep(entries):
        return [
            {**e, **({"sections": keep(e["sections"])} if "sections" in e else {})}
            for e in entries or []
            if str(e.get("file", "")).removesuffix(".md").removesuffix(".ipynb") not in INSTRUCTOR_PAGES
        ]

    if "parts" in toc:
        toc["parts"] = [
            {**p, "chapters": keep(p.get("chapters"))}
            for p in toc["parts"]
            if not str(p.get("caption", "")).strip().lower().startswith(INSTRUCTOR_CAPTION)
        ]
        toc["parts"] = [p for p in toc["parts"] if p["chapters"]]
    if "chapters" in toc:
        toc["chapters"] = keep(toc["chapters"])
    return toc


def student_config(config: dict, root: Path = ROOT) -> dict:
    """_config.yml with the student_edition flag, local extensions as absolute paths, no Binder or edit button."""
    config = copy.deepcopy(config)
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["student_edition"] = True
    sphinx["config"]["hide_solutions"] = True
    # jupyter-book resolves local_extensions relative to the configuration file, which moves.
    sphinx["local_extensions"] = {
        name: str((root / path).resolve()) for name, path in (sphinx.get("local_extensions") or {}).items()
    }
    if "without_solutions" not in sphinx["local_extensions"]:
        sphinx["local_extensions"]["without_solutions"] = str((root / "_ext").resolve())
        sphinx["config"].setdefault("extensions", []).append("without_solutions")
    buttons = config.setdefault("launch_buttons", {})
    buttons.pop("binderhub_url", None)
    config.setdefault("html", {})["use_edit_page_button"] = False
    return config


def write_yaml(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    tmp.replace(path)


def build(out: Path = DEFAULT_OUT, root: Path = ROOT) -> Path:
    """Build the student edition into out/html; returns that folder. Raises CalledProcessError on failure."""
    out = Path(out)
    config_dir = out / "config"
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    write_yaml(student_config(config, root), config_dir / "_config.yml")
    write_yaml(student_toc(toc), config_dir / "_toc.yml")

    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=out, prefix=".build-"))
    try:
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        subprocess.run(
            [str(jupyter_book), "build", str(root), "--config", str(config_dir / "_config.yml"),
             "--toc", str(config_dir / "_toc.yml"), "--path-output", str(scratch), "-W", "-n", "--keep-going"],
            check=True, cwd=root,
        )
        site = out / "html"
        old = out / ".html-old"
        shutil.rmtree(old, ignore_errors=True)
        if site.exists():
            os.replace(site, old)
        os.replace(scratch / "_build" / "html", site)
        shutil.rmtree(old, ignore_errors=True)
        return site
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default _build/student)")
    args = parser.parse_args(argv)
    try:
        site = build(args.out)
    except subprocess.CalledProcessError as err:
        print(f"student_edition: the build failed (exit status {err.returncode}); see jupyter-book's messages above.",
              file=sys.stderr)
        return 1
    print(f"student_edition: the student edition is built: {site / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
