"""Fixtures of the browser check: the built site served on localhost, and Debian's Chromium.

The site is served under a sub-path (/<repository name>/), as GitHub Pages serves a project site,
so that a link that only works from the server's root fails here too.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
BROWSER_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Flags that keep Chromium from calling home (sync, updates, metrics...), as root in a container.
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def site_prefix() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    name = config["repository"]["url"].rstrip("/").rsplit("/", 1)[-1]
    return f"/{name}/"


class _SubPathHandler(SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path):
        route = urlsplit(path).path
        if not route.startswith(self.prefix):
            return str(SITE / "__outside_the_site__")  # 404
        return super().translate_path("/" + route[len(self.prefix):])

    def log_message(self, format, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built book in {SITE}: run `make book` (or `make build`) before the site check.")
    return SITE


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on localhost under the site's sub-path; yields the site's URL."""
    handler = type("Handler", (_SubPathHandler,), {"prefix": site_prefix()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{handler.prefix}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def base_url(site_dir):
    with serve(site_dir) as url:
        yield url


def find_browser() -> str:
    wanted = os.environ.get("CHROMIUM")
    if wanted:
        if not (Path(wanted).is_file() and os.access(wanted, os.X_OK)):
            pytest.fail(f"CHROMIUM={wanted} is not an executable file.")
        return wanted
    for candidate in BROWSER_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found:
        return found
    pytest.fail(
        "No Chromium found. On Debian: apt-get install chromium (make test does it when it can); "
        "elsewhere set CHROMIUM=/path/to/chromium-or-chrome. Playwright's own browser download is not used."
    )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_browser(), headless=True, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
