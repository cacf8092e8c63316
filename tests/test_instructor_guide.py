"""The instructor guide (book/instructors.md) and its generated block (scripts/instructor_guide.py).

- every exercise of the numbered chapters has a difficulty in book/instructor_guide.yml, every chapter its
  prerequisites, and the file names no exercise that does not exist;
- the generated block is what the chapters give today (regenerating changes nothing), and a change to the
  data does make it stale (so the first test can fail);
- the rule that sorts exercises into derivation, coding and experiment, on made-up statements;
- the guide is in _toc.yml's own part "For instructors", after the appendices and before the back matter,
  and the syllabi place every numbered chapter.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import instructor_guide as ig  # noqa: E402
from learner_notebooks import Book  # noqa: E402


@pytest.fixture(scope="module")
def book():
    return Book(ROOT)


def chapter_exercises(book) -> dict[str, str]:
    """{exercise label: chapter doc} for the numbered chapters."""
    chapters = set(ig.numbered_chapters(book))
    return {label: t.doc for label, t in book.targets.items() if t.exercise and t.doc in chapters}


def test_every_exercise_has_a_difficulty(book):
    listed = ig.load_data(ROOT).get("exercises", {})
    missing = sorted(set(chapter_exercises(book)) - set(listed))
    assert not missing, (
        f"{ig.DATA} gives no difficulty for {', '.join(missing)}. Add under `exercises:` a line "
        "`LABEL: 1`, `2` or `3` for each (1 routine, 2 several steps, 3 a long proof or an experiment), "
        "then run `make instructor-guide`."
    )


def test_no_difficulty_for_an_exercise_that_does_not_exist(book):
    stale = sorted(set(ig.load_data(ROOT).get("exercises", {})) - set(chapter_exercises(book)))
    assert not stale, f"{ig.DATA} lists {', '.join(stale)}, which no numbered chapter has: remove or rename them."


def test_every_chapter_has_prerequisites(book):
    chapters = ig.load_data(ROOT).get("chapters", {})
    missing = [doc for doc in ig.numbered_chapters(book) if not (chapters.get(doc) or {}).get("prerequisites")]
    assert not missing, (
        f"{ig.DATA} gives no prerequisites for {', '.join(missing)}: add under `chapters:` an entry "
        "`DOC: {prerequisites: ...}`, then run `make instructor-guide`."
    )


def test_generated_block_is_current():
    try:
        current = ig.sync(check=True, root=ROOT)
    except ig.GuideError as err:
        pytest.fail(str(err))
    assert current, f"{ig.GUIDE} is out of date with the chapters or {ig.DATA}: run `make instructor-guide`."


@pytest.fixture
def copy_of_book(tmp_path, book):
    """The files the guide is generated from, copied so that a test can change them, with the data made
    complete (a chapter being written may lack its entries: the tests above report that)."""
    for name in ("_config.yml", "_toc.yml", "references.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "book", tmp_path / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    data = ig.load_data(tmp_path)
    for label in chapter_exercises(book):
        data["exercises"].setdefault(label, 2)
    for doc in ig.numbered_chapters(book):
        data["chapters"].setdefault(doc, {"prerequisites": "the chapters before it."})
    (tmp_path / ig.DATA).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_a_changed_difficulty_makes_the_guide_stale(copy_of_book):
    ig.sync(check=False, root=copy_of_book)  # current, whatever the state of the checkout
    assert ig.sync(check=True, root=copy_of_book)
    data_path = copy_of_book / ig.DATA
    data = yaml.safe_load(data_path.read_text(encoding="utf-8"))
    label = next(iter(data["exercises"]))
    data["exercises"][label] = {"difficulty": 3, "kind": "experiment", "minutes": 99}
    data_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert not ig.sync(check=True, root=copy_of_book)
    ig.sync(check=False, root=copy_of_book)
    row = next(line for line in (copy_of_book / ig.GUIDE).read_text(encoding="utf-8").splitlines() if f"<{label}>" in line)
    assert "| experiment | 3 |" in row and row.endswith("| 99 |")


def test_a_missing_difficulty_is_named_with_the_fix(copy_of_book):
    data_path = copy_of_book / ig.DATA
    data = yaml.safe_load(data_path.read_text(encoding="utf-8"))
    label = next(iter(data["exercises"]))
    del data["exercises"][label]
    data_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ig.GuideError, match=rf"without a difficulty: .*{label}.*\n.*LABEL: 1"):
        ig.generate(copy_of_book)


@pytest.mark.parametrize(
    "statement, work, override, kind",
    [
        ("Write `f(x)`. Check it with `check_f(f)`.", "", None, "coding"),
        ("Write `f(x)` that returns the norm.", "def f(x):\n    raise NotImplementedError", None, "coding"),
        ("Train the network again without the schedule, and plot its curves.", "", None, "experiment"),
        ("(a) Show that the bound holds. (b) Measure it for three widths.", "", None, "experiment"),
        ("In the playground, choose plain SGD.", "", None, "experiment"),
        ("Show that the training pixels have standard deviation 0.35.", "", None, "derivation"),
        ("Prove the bound (3.10).", "", None, "derivation"),
        ("Prove the bound (3.10).", "", "experiment", "experiment"),
    ],
)
def test_kind_rule(statement, work, override, kind):
    assert ig.kind_of(statement, work, override) == kind


def test_an_unknown_kind_is_refused():
    with pytest.raises(ig.GuideError, match="derivation, coding, experiment"):
        ig.kind_of("Prove it.", "", "essay")


def toc_parts() -> list[dict]:
    return yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["parts"]


def test_guide_has_its_own_part_before_the_back_matter():
    parts = toc_parts()
    captions = [p["caption"] for p in parts]
    assert "For instructors" in captions, "_toc.yml needs a part captioned 'For instructors' holding book/instructors"
    part = parts[captions.index("For instructors")]
    assert [c["file"] for c in part["chapters"]] == ["book/instructors"]
    assert not part.get("numbered")
    assert captions.index("Appendices") < captions.index("For instructors") < captions.index("Back matter")
    others = [c["file"] for p in parts if p is not part for c in p["chapters"]]
    assert "book/instructors" not in others, "book/instructors must be listed only in the part 'For instructors'"


def syllabi() -> str:
    text = (ROOT / ig.GUIDE).read_text(encoding="utf-8")
    part = text[text.index("## Suggested syllabi") :]
    return part[: part.index("\n## ", 1)]


def test_syllabi_set_exercises_that_exist(book):
    numbers = {t.exercise.number for t in book.targets.values() if t.exercise}
    rows = [line for line in syllabi().splitlines() if line.startswith("| ")]
    named = {n for row in rows for n in re.findall(r"\b\d+\.\d+\b", row.rsplit("|", 2)[-2])}
    unknown = sorted(named - numbers)
    assert named and not unknown, f"the syllabi of {ig.GUIDE} set exercises that do not exist: {unknown}; renumber them"


def test_syllabi_place_every_chapter(book):
    syllabi_text = syllabi()
    missing = [
        f"{book.chapter_numbers[doc]} ({book.titles[doc]})"
        for doc in ig.numbered_chapters(book)
        if not re.search(rf"\bChapter {book.chapter_numbers[doc]}\b", syllabi_text)
    ]
    assert not missing, (
        f"the suggested syllabi of {ig.GUIDE} do not place chapter {', '.join(missing)}: "
        "add it to both tables (two-week and six-week module)."
    )
