"""The book's notebooks and files agree with _config.yml and _toc.yml (no kernel, no build needed).

- the repository address appears only as _config.yml says (scripts/sync_repo_url.py --check);
- every chapter's first code cell is the cell that installs mlp_core on Colab;
- notebooks use the standard `python3` kernelspec (Colab and Binder know no other);
- every code cell was run, once, top to bottom, so nbval compares real outputs (nbval does not
  compare a cell that has no execution count);
- _toc.yml and book/ list the same pages.
"""

import json
from pathlib import Path

import pytest
import yaml

from helpers import load_script

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
sync_repo_url = load_script("sync_repo_url")


def _read(nb_path):
    return json.loads(nb_path.read_text(encoding="utf-8"))


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def test_repository_address_is_in_sync_with_config():
    stale = sync_repo_url.sync(check=True)
    assert not stale, f"out of date with repository.url in _config.yml, run `make sync-url`: {stale}"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_installs_the_package(nb_path):
    url, branch = sync_repo_url.load_repository()
    code = [c for c in _read(nb_path)["cells"] if c["cell_type"] == "code"]
    assert code, f"{nb_path.name} has no code cell"
    assert _source(code[0]) == sync_repo_url.install_cell_source(url, branch), (
        f"{nb_path.name}: the first code cell must be the install cell of CONTRIBUTING.md; "
        "`make sync-url` inserts or rewrites it"
    )


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernelspec_is_python3(nb_path):
    kernelspec = _read(nb_path).get("metadata", {}).get("kernelspec", {})
    assert kernelspec.get("name") == "python3", (
        f"{nb_path.name}: kernelspec name is {kernelspec.get('name')!r}; use 'python3' "
        "(`make execute` resets it) so that Colab and Binder open the notebook directly"
    )


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_run_top_to_bottom(nb_path):
    counts = [
        c.get("execution_count")
        for c in _read(nb_path)["cells"]
        if c["cell_type"] == "code" and _source(c).strip()
    ]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{nb_path.name}: execution counts {counts} are not 1, 2, 3, ...: its stored outputs do not come "
        f"from one run from the top. Re-execute it: make execute NB=book/{nb_path.name}"
    )


def test_toc_and_book_folder_agree():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    listed = [toc["root"]] + [ch["file"] for part in toc.get("parts", []) for ch in part.get("chapters", [])]
    listed_stems = {Path(f).with_suffix("").as_posix() for f in listed}
    on_disk = {
        p.relative_to(ROOT).with_suffix("").as_posix()
        for p in (ROOT / "book").iterdir()
        if p.suffix in (".md", ".ipynb")
    }
    assert on_disk - listed_stems == set(), f"pages in book/ missing from _toc.yml: {sorted(on_disk - listed_stems)}"
    assert listed_stems - on_disk == set(), f"_toc.yml entries with no file: {sorted(listed_stems - on_disk)}"
