"""Write the project's repository address, taken from _config.yml, wherever else it is needed.

The address lives in ONE place: `repository.url` (and `repository.branch`) in _config.yml.
Moving the repository is: edit those two lines, then run `make sync-url`, which rewrites

- the first code cell of every notebook in book/ (the cell that installs `mlp_core` on Colab),
- the generated blocks of README.md (links, citation) and CONTRIBUTING.md (the install cell),
- `repository-code` and `url` in CITATION.cff.

`--check` changes nothing and exits 1 listing what is stale; tests/test_book_setup.py runs the same
check, so a forgotten sync fails `make test`.

Usage: python scripts/sync_repo_url.py [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from learner_notebooks import NOTEBOOKS_BRANCH  # noqa: E402 (the branch Colab opens the learner notebooks from)

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

LINKS_BEGIN = "<!-- project-links: generated from _config.yml by `make sync-url`; edit the address there -->"
LINKS_END = "<!-- /project-links -->"
CELL_BEGIN = "<!-- install-cell: generated from _config.yml by `make sync-url` -->"
CELL_END = "<!-- /install-cell -->"
CITE_BEGIN = "<!-- cite: generated from _config.yml by `make sync-url` -->"
CITE_END = "<!-- /cite -->"


def load_repository(root: Path = ROOT) -> tuple[str, str]:
    """Return (url, branch) of `repository` in _config.yml, the url without a trailing slash."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    repo = config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    branch = str(repo.get("branch", "main"))
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(
            f"repository.url in _config.yml must look like https://github.com/OWNER/NAME, got {url!r}"
        )
    return url, branch


def owner_and_name(url: str) -> tuple[str, str]:
    owner, name = url.removeprefix("https://github.com/").split("/")
    return owner, name


def pages_url(url: str) -> str:
    """GitHub Pages address of the built book (what .github/workflows/deploy.yml publishes)."""
    owner, name = owner_and_name(url)
    return f"https://{owner.lower()}.github.io/{name}/"


def install_cell_source(url: str, branch: str) -> str:
    """Source of the first code cell of every chapter: installs the package only if it is missing."""
    return (
        "# On Colab, or in any Jupyter without the course installed: get the course package first.\n"
        "try:\n"
        "    import mlp_core\n"
        "except ImportError:\n"
        f'    %pip install --quiet "mlp-core @ git+{url}@{branch}"\n'
        "    import mlp_core"
    )


def book_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / "book").glob("*.ipynb"))


def readme_links(url: str, branch: str, root: Path = ROOT) -> str:
    """The reference-style link definitions that README.md uses for every project address."""
    owner, name = owner_and_name(url)
    lines = [
        LINKS_BEGIN,
        f"[repo]: {url}",
        f"[issues]: {url}/issues",
        f"[online]: {pages_url(url)}",
        f"[deploy]: {url}/actions/workflows/deploy.yml",
        f"[deploy-badge]: {url}/actions/workflows/deploy.yml/badge.svg",
        f"[binder]: https://mybinder.org/v2/gh/{owner}/{name}/{branch}?urlpath=lab/tree/book",
        "[binder-badge]: https://mybinder.org/badge_logo.svg",
        "[colab-badge]: https://colab.research.google.com/assets/colab-badge.svg",
    ]
    for nb in book_notebooks(root):  # the learner notebooks, which Jupyter's own Markdown renders (CONTRIBUTING.md)
        lines.append(
            f"[colab-{nb.stem}]: https://colab.research.google.com/github/{owner}/{name}/blob/{NOTEBOOKS_BRANCH}/book/{nb.name}"
        )
    lines.append(LINKS_END)
    return "\n".join(lines)


def readme_cite(url: str, root: Path = ROOT) -> str:
    """A BibTeX entry for the course, from the title, author and year in _config.yml."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    entry = [
        "@misc{backprop_from_scratch,",
        f"  title  = {{{config['title']}}},",
        f"  author = {{{{{config['author']}}}}},",
        f"  year   = {{{config['copyright']}}},",
        f"  url    = {{{pages_url(url)}}},",
        f"  note   = {{Source code: {url}}}",
        "}",
    ]
    return "\n".join([CITE_BEGIN, "```bibtex", *entry, "```", CITE_END])


def contributing_cell(url: str, branch: str) -> str:
    return "\n".join([CELL_BEGIN, "```python", install_cell_source(url, branch), "```", CELL_END])


def _replace_block(text: str, begin: str, end: str, block: str, where: str) -> str:
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{where}: generated block not found; it must start with the line {begin!r}")
    return pattern.sub(lambda _: block, text, count=1)


def _first_code_cell(nb: dict) -> dict | None:
    return next((c for c in nb.get("cells", []) if c.get("cell_type") == "code"), None)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def sync(check: bool, root: Path = ROOT) -> list[str]:
    """Rewrite (or, with check=True, only list) every place that is out of date with _config.yml."""
    url, branch = load_repository(root)
    stale: list[str] = []

    def update(path: Path, new: str) -> None:
        if path.read_text(encoding="utf-8") != new:
            stale.append(str(path.relative_to(root)))
            if not check:
                path.write_text(new, encoding="utf-8")

    # 1. The first code cell of every chapter notebook.
    cell_src = install_cell_source(url, branch)
    for nb_path in book_notebooks(root):
        nb = nbformat.read(nb_path, as_version=4)
        cell = _first_code_cell(nb)
        if cell is not None and _source(cell) == cell_src:
            continue
        stale.append(f"{nb_path.relative_to(root)} (first code cell)")
        if check:
            continue
        if cell is not None and "import mlp_core" in _source(cell) and "%pip install" in _source(cell):
            cell["source"] = cell_src  # an older install cell: rewrite it in place
        else:
            new_cell = nbformat.v4.new_code_cell(cell_src, metadata={"tags": ["remove-cell"]})
            if nb.nbformat_minor < 5:  # cell ids exist from nbformat 4.5 on
                new_cell.pop("id", None)
            # insert it before the first code cell (after the title and objectives)
            cells = nb["cells"]
            index = next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"), len(cells))
            cells.insert(index, new_cell)
        nbformat.write(nb, nb_path)

    # 2. README.md and CONTRIBUTING.md: generated blocks.
    readme = root / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        text = _replace_block(text, LINKS_BEGIN, LINKS_END, readme_links(url, branch, root), "README.md")
        update(readme, _replace_block(text, CITE_BEGIN, CITE_END, readme_cite(url, root), "README.md"))
    contributing = root / "CONTRIBUTING.md"
    if contributing.exists():
        text = contributing.read_text(encoding="utf-8")
        update(
            contributing,
            _replace_block(text, CELL_BEGIN, CELL_END, contributing_cell(url, branch), "CONTRIBUTING.md"),
        )

    # 3. CITATION.cff: its two address fields.
    citation = root / "CITATION.cff"
    if citation.exists():
        text = citation.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^repository-code: .*$", f'repository-code: "{url}"', text)
        text = re.sub(r"(?m)^url: .*$", f'url: "{pages_url(url)}"', text)
        update(citation, text)

    return stale


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = sync(check=check)
    url, branch = load_repository()
    if not stale:
        print(f"Everything already uses {url} (branch {branch}).")
        return 0
    if check:
        print("Out of date with repository.url in _config.yml (run `make sync-url`):")
        print("\n".join(f"  {s}" for s in stale))
        return 1
    print(f"Rewritten for {url} (branch {branch}):")
    print("\n".join(f"  {s}" for s in stale))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
