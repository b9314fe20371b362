"""Fixtures of the admin UI tests: headless Chromium through Playwright, apps on a real server.

Chromium is the Debian package (``apt-get install -y chromium``; ``.ci/run`` installs it
where it is missing): Playwright's own browser download cannot work on these machines.
Without it (or without the ``playwright`` package) the browser tests fail with a message
saying what to install, unless ``BACKO_TEST_BROWSER=skip`` is set.

Every page records its JavaScript errors; a test whose page raised one fails.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backo import current_user
from examples.quickstart.app import create_app
from tests.support.backends import serve_in_thread

from .library import library_app

#: Set to "skip" to skip the browser tests on a machine without Chromium.
BROWSER_VARIABLE = "BACKO_TEST_BROWSER"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Milliseconds Playwright waits for an element or a navigation.
UI_TIMEOUT_MS = 8000


def chromium_path() -> str | None:
    """The Chromium executable: /usr/bin/chromium (Debian), else one on PATH."""
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    message = (
        f"{reason}. The admin UI tests drive a real Chromium: `apt-get update && apt-get install -y chromium` "
        f"and `.venv/bin/pip install playwright`; or set {BROWSER_VARIABLE}=skip to skip them."
    )
    if os.environ.get(BROWSER_VARIABLE) == "skip":
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page (own context: own sessionStorage), failing the test on JavaScript errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    context.set_default_timeout(UI_TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def quickstart_url(tmp_path: Path) -> Iterator[str]:
    """The quickstart (YAML files under tmp_path) on a real server; its base URL."""
    with serve_in_thread(create_app(tmp_path / "data")) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def library_url(tmp_path: Path) -> Iterator[str]:
    """The library app (tests/ui/library.py) on a real server, one user per request; its base URL."""
    current_user.standalone = False  # each request has the user its token names
    with serve_in_thread(library_app(tmp_path / "files")) as port:
        yield f"http://127.0.0.1:{port}"
    current_user.standalone = True
