"""End-to-end fixtures: Debian's Chromium, driven by Playwright, against pytest-django's live server.

    python3 bin/test tests/e2e          # bin/test installs the chromium package and sets FACTDESK_CHROMIUM

Nothing is ever downloaded: the browser is the system's Chromium (`FACTDESK_CHROMIUM`, default
/usr/bin/chromium), never one from `playwright install`. Without it the e2e tests are skipped,
unless FACTDESK_CHROMIUM names a path explicitly (as bin/test does): then a missing browser fails.

Tests that use `live_server` must be `@pytest.mark.django_db(transaction=True)`: the server
runs in another thread with its own database connection and sees only committed rows.

Every request a page makes to a host other than the live server is aborted and recorded, and
the test fails at teardown if there was any: the app must not load assets from a CDN. A
stylesheet, script, image or font that the live server answers with an error fails it too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000
ASSET_TYPES = {"stylesheet", "script", "image", "font"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    explicit = os.environ.get("FACTDESK_CHROMIUM")
    executable = explicit or DEFAULT_CHROMIUM
    if not os.access(executable, os.X_OK):
        if explicit:  # bin/test sets it: there, a missing browser is an error, never a silent skip
            pytest.fail(f"FACTDESK_CHROMIUM={explicit} is not an executable Chromium", pytrace=False)
        pytest.skip(
            f"the end-to-end tests need Chromium at {executable}: install Debian's chromium package "
            "(bin/test does) or set FACTDESK_CHROMIUM"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="the end-to-end tests need requirements-dev.txt")

    # Playwright's sync API runs an asyncio loop in this thread for as long as it is started, and
    # Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation). The
    # test thread only drives the browser and sets up data, so allow them while the loop lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies shared between tests), 1280x900.

    Requests to any host but the live server's are aborted; the test fails at teardown if a
    page attempted one, or if the live server answered a page asset with an error.
    """
    allowed = urlsplit(live_server.url).netloc
    blocked: list[str] = []
    broken: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc == allowed:
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    def check_asset(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            broken.append(f"{response.status} {response.request.resource_type} {response.url}")

    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", guard)
    context.on("response", check_asset)
    try:
        yield context.new_page()
    finally:
        context.close()
    problems = [f"request to a host other than the live server ({allowed}), aborted: {url}" for url in blocked]
    problems += [f"page asset failed to load: {line}" for line in broken]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def login(page: Any, live_server: Any, username: str, password: str) -> None:
    """Log in through the /login/ form and wait for the page it leads to."""
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form:has(input[name='username'])")
    form.locator("input[name='username']").fill(username)
    form.locator("input[name='password']").fill(password)
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    if urlsplit(page.url).path == "/login/":
        raise AssertionError(f"logging in as {username!r} failed: still on {page.url}")


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG as test-artifacts/screenshots/<name>.png (git-ignored); return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(name="login")
def login_fixture() -> Callable[[Any, Any, str, str], None]:
    """`login(page, live_server, username, password)`."""
    return login


@pytest.fixture(name="screenshot")
def screenshot_fixture() -> Callable[[Any, str], Path]:
    """`screenshot(page, name)` -> test-artifacts/screenshots/<name>.png."""
    return screenshot
