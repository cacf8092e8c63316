"""The rule for stored outputs (CONTRIBUTING.md, "Exact and banded outputs"), checked on every notebook.

- a code cell whose output nbval ignores says why on its first line: `# banded: ...` or `# volatile: ...`;
- a banded cell asserts its results (within a band), so that ignoring its text never hides a regression;
- no cell is skipped outright, and a `# banded:`/`# volatile:` line is never left on a cell nbval compares.
"""

import ast
import json
from pathlib import Path

import pytest

from helpers import load_script

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
portable = load_script("nbval_portable")


def _code_cells(nb_path):
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    return [(i, c, "".join(c.get("source", ""))) for i, c in enumerate(cells) if c["cell_type"] == "code"]


def _asserts(source):
    """Assert statements in a cell (IPython magics, which ast cannot parse, are blanked first)."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    tree = ast.parse("\n".join(lines))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_ignored_output_says_why(nb_path):
    unexplained = [i for i, cell, _ in _code_cells(nb_path) if portable.output_kind(cell) == "unexplained"]
    assert not unexplained, (
        f"{nb_path.name}: cells {unexplained} ignore their output without saying why; start the cell with "
        "'# banded: <why>' (a training result, asserted within a band) or '# volatile: <why>' (timings)"
    )


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_banded_cells_assert_their_results(nb_path):
    silent = [i for i, cell, src in _code_cells(nb_path)
              if portable.output_kind(cell) == "banded" and not _asserts(src)]
    assert not silent, (
        f"{nb_path.name}: banded cells {silent} have no assert: nbval ignores their text, so only an "
        "assertion within a stated band can catch a regression there"
    )


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_is_skipped_and_no_marker_is_stale(nb_path):
    for i, cell, src in _code_cells(nb_path):
        tags = cell.get("metadata", {}).get("tags", [])
        assert "nbval-skip" not in tags and "NBVAL_SKIP" not in src, (
            f"{nb_path.name}, cell {i}: skipped by nbval; a cell that cannot be compared is banded or volatile"
        )
        first = src.lstrip().split("\n", 1)[0]
        if first.startswith(("# banded:", "# volatile:")):
            assert portable.output_kind(cell) != "exact", (
                f"{nb_path.name}, cell {i}: says it is {first.split(':')[0][2:]} but is not tagged "
                f"'{portable.IGNORE_TAG}', so nbval still compares its text"
            )


def test_output_kind_reads_tags_and_first_lines():
    def cell(source, tags=()):
        return {"cell_type": "code", "source": source, "metadata": {"tags": list(tags)}}

    tag = portable.IGNORE_TAG
    assert portable.output_kind(cell("print(1)")) == "exact"
    assert portable.output_kind(cell("# banded: 20 epochs of Adam\nassert acc > 0.88", [tag])) == "banded"
    assert portable.output_kind(cell("# volatile: a progress bar\nfit()", [tag])) == "volatile"
    assert portable.output_kind(cell("fit()", [tag])) == "unexplained"
    assert portable.output_kind(cell("# NBVAL_IGNORE_OUTPUT\nfit()")) == "unexplained"
    assert portable.output_kind(cell("# banded:\nfit()", [tag])) == "unexplained"  # a reason is required
    assert len(_asserts("%timeit f()\nassert 1 < 2")) == 1 and not _asserts("# assert in a comment")


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_says_what_it_shows(nb_path):
    """Screen readers read a figure's alt text; without one, MyST-NB writes the image's file name there."""
    missing = []
    for i, cell, _ in _code_cells(nb_path):
        if not any(mime.startswith("image/") for out in cell.get("outputs", []) for mime in out.get("data", {})):
            continue
        alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        if len(alt.split()) < 8:
            missing.append(i)
    assert not missing, (
        f"{nb_path.name}: code cells {missing} draw a figure without an alt text of at least 8 words; add one "
        'that says what the figure shows to the cell\'s metadata: {"mystnb": {"image": {"alt": "..."}}}'
    )
