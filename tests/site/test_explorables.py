"""The explorables of the built book, used in headless Chromium with no kernel (make site-check).

Every chapter whose code calls ``mlp_core.explorables`` is opened; in each explorable (a widget with the
class ``explorable``) every slider is moved with the keyboard, as a reader would, and the Play button
pressed where there is one; after each, the picture on show must be another one (another image, another alt
text). The page must raise no JavaScript error and send no request off the machine. A screenshot of each
explorable goes to test-artifacts/explorable-<chapter>-<n>.png.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from test_site import Visit

ROOT = Path(__file__).resolve().parents[2]
MODULE = "mlp_core.explorables"


def explorable_chapters() -> list[str]:
    """Chapters whose code cells use the explorables, as page paths (book/<name>.html)."""
    pages = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any(cell["cell_type"] == "code" and MODULE in "".join(cell["source"]) for cell in cells):
            pages.append(f"book/{path.stem}.html")
    return pages


PICTURE = """(box) => {
    const images = [...box.querySelectorAll('.widget-html img')];
    const top = images[images.length - 1];
    return top ? {src: top.currentSrc || top.src, alt: top.alt, width: top.naturalWidth,
                  count: images.length} : null;
}"""


def picture(explorable):
    """(sha256 of the image, its alt text, its src) of the picture on top in the explorable."""
    shown = explorable.evaluate(PICTURE)
    assert shown and shown["width"] > 0, f"no picture on show (or it did not load): {shown}"
    assert len(shown["alt"].split()) >= 8, f"the picture has no real alt text: {shown['alt']!r}"
    return hashlib.sha256(shown["src"].encode()).hexdigest(), shown["alt"], shown["src"]


def wait_for_another_picture(page, explorable, before, what):
    """Wait (up to 5 s) until the explorable shows a picture other than ``before``, and check it."""
    changed = f"([box, src]) => {{ const p = ({PICTURE})(box); return p !== null && p.src !== src; }}"
    try:
        page.wait_for_function(changed, arg=[explorable.element_handle(), before[2]], timeout=5_000)
    except Exception:  # a timeout, reported by the assertions below
        pass
    after = picture(explorable)
    assert after[0] != before[0], f"{what} did not change the picture"
    assert after[1] != before[1], f"{what} did not change the alt text"
    return after


@pytest.fixture
def visit(browser, base_url):
    v = Visit(browser, base_url)
    yield v
    v.close()


@pytest.mark.parametrize("path", explorable_chapters())
def test_explorables_work_without_a_kernel(site_dir, visit, artifacts, path):
    page = visit.open(path)
    boxes = page.locator(".explorable")
    boxes.first.wait_for(state="visible")
    assert boxes.count() >= 1
    for n in range(boxes.count()):
        box = boxes.nth(n)
        box.scroll_into_view_if_needed()
        sliders = box.locator('[role="slider"]')
        assert sliders.count() >= 1, f"{path}: explorable {n} has no slider"
        for k in range(sliders.count()):
            handle = sliders.nth(k)
            name = handle.get_attribute("aria-label")
            assert name, f"{path}: slider {k} of explorable {n} has no accessible name"
            before = picture(box)
            at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            handle.focus()
            page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
            wait_for_another_picture(page, box, before, f"{path}: moving the slider {name!r}")
        play = box.locator(".widget-play button").first
        if play.count():
            assert play.get_attribute("aria-label") == "Play", f"{path}: the Play button has no name"
            before = picture(box)
            play.click()
            page.wait_for_timeout(1_200)  # two or more frames at 500 ms each
            wait_for_another_picture(page, box, before, f"{path}: pressing Play")
            play.click()  # now the pause button: stop the animation before the screenshot
        target = artifacts / f"explorable-{Path(path).stem}-{n + 1}.png"
        box.screenshot(path=str(target))
        assert target.stat().st_size > 10_000, f"{target} looks empty"
    visit.check_clean(path)


def test_every_chapter_with_an_explorable_is_checked():
    assert len(explorable_chapters()) >= 4, explorable_chapters()
