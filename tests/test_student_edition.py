"""The student edition's pieces, without a build (the built site is checked in tests/site/test_student_site.py).

- _ext/without_solutions.py removes {solution} directives (nested fences, ::: and ``` fences, gated
  solution-start/end) and leaves everything else byte for byte; on every chapter it removes every
  solution and reference-check cell and keeps every other cell, work cells included;
- scripts/student_edition.py's toc has no instructors' part or page, its config sets the flag;
- the learner notebooks without solutions do not announce a check cell they no longer have.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "_ext"))
import learner_notebooks as ln  # noqa: E402
import student_edition  # noqa: E402
import without_solutions as ws  # noqa: E402

PAGE = """# A page

```{exercise} Title
:label: x-ex1

Do it.
```

````{solution} x-ex1
:class: dropdown

```python
print("secret one")
```
````

::::{solution} x-ex1
:::{note}
secret two
:::
::::

```{solution-start} x-ex1
```
secret three
```{solution-end}
```

Text after, with `{solution}` in a code span.

```python
# a code block that mentions {solution}
```
"""


def test_strip_solutions_removes_them_all_and_nothing_else():
    out = ws.strip_solutions(PAGE)
    assert "secret one" not in out and "secret two" not in out
    assert "{solution" not in out.replace("`{solution}`", "").replace("mentions {solution}", "")
    for kept in ("# A page", "```{exercise} Title", "Do it.", "Text after, with `{solution}` in a code span.",
                 "# a code block that mentions {solution}"):
        assert kept in out, f"{kept!r} was removed"


def test_gated_solutions_lose_their_markers():
    # Gated solutions put the text between two directives; the course does not use them (STYLE.md).
    out = ws.strip_solutions(PAGE)
    assert "solution-start" not in out and "solution-end" not in out


@pytest.fixture(scope="module")
def book():
    return ln.Book(ROOT)


def test_every_chapter_loses_its_solutions_and_checks_only(book):
    for doc in book.notebooks():
        nb = json.loads(book.source(doc).read_text(encoding="utf-8"))
        exercises = ln.convert_notebook(book, doc).exercises
        checks = {i for ex in exercises for i in ex.check_cells}
        student = ws.student_notebook(nb, checks)
        text = json.dumps(student)
        assert "{solution}" not in text, f"{doc}: a solution is left"
        assert "Check the reference solution" not in text, f"{doc}: a dropped check is still announced"
        code = [c for c in student["cells"] if c["cell_type"] == "code"]
        original = [c for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and i not in checks]
        assert code == original, f"{doc}: code cells other than the reference checks changed"
        for ex in exercises:
            for i in ex.work_cells:
                assert nb["cells"][i] in student["cells"], f"{doc}: the work cell of {ex.label} was dropped"


def test_student_toc_leaves_the_instructors_out():
    toc = {"format": "jb-book", "root": "book/intro", "parts": [
        {"caption": "Chapters", "numbered": True, "chapters": [{"file": "book/01_data"}]},
        {"caption": "For instructors", "chapters": [{"file": "book/instructors"}, {"file": "book/grading"}]},
        {"caption": "Back matter", "chapters": [{"file": "book/bibliography"}, {"file": "book/instructors.md"}]},
    ]}
    out = student_edition.student_toc(toc)
    assert [p["caption"] for p in out["parts"]] == ["Chapters", "Back matter"]
    assert out["parts"][1]["chapters"] == [{"file": "book/bibliography"}]
    assert toc["parts"][1]["chapters"], "the input toc was changed"


def test_student_config_sets_the_flag():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    out = student_edition.student_config(config)
    sphinx = out["sphinx"]
    assert sphinx["config"]["student_edition"] is True
    assert "without_solutions" in sphinx["config"]["extensions"]
    assert all(Path(p).is_absolute() and Path(p).is_dir() for p in sphinx["local_extensions"].values())
    assert "binderhub_url" not in out["launch_buttons"]
    assert config.get("sphinx", {}).get("config", {}).get("student_edition") in (None, False), \
        "_config.yml itself must build the instructor edition"


def test_learner_notebooks_without_solutions_announce_no_check(book):
    for doc in book.notebooks():
        chapter = ln.convert_notebook(book, doc, solutions=False)
        text = json.dumps(chapter.notebook)
        assert ln.SOLUTION_LEFT_OUT not in text, f"{doc}: the marker of a left-out solution is still there"
        if any(ex.check_cells for ex in chapter.exercises):
            assert "Check the reference solution" not in text, f"{doc}: announces a check cell it no longer has"
