"""Shared pytest configuration.

tests/site/ is the headless-browser check of the *built* book (make site-check). It is not part of
the unit tests: `pytest tests` leaves it out unless given `--site`, and `pytest tests/site` (or a
file or test inside it) runs it explicitly.
"""

from pathlib import Path

SITE_TESTS = (Path(__file__).parent / "site").resolve()


def pytest_addoption(parser):
    parser.addoption(
        "--site",
        action="store_true",
        default=False,
        help="also run tests/site, the browser check of the book built in _build/html (see make site-check)",
    )


def _named_explicitly(config) -> bool:
    for arg in config.args:
        path = Path(str(arg).split("::")[0]).resolve()
        if path == SITE_TESTS or SITE_TESTS in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path, config):
    if Path(collection_path).resolve() == SITE_TESTS:
        if not (config.getoption("--site") or _named_explicitly(config)):
            return True
    return None
