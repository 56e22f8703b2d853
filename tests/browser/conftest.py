"""Real Chromium (Debian's, driven by Playwright's sync API) against real `hearth serve` processes.

The sync API runs its own event loop inside greenlets and marks it as running while Playwright
is alive, so Playwright lives only as long as this package's (sync) tests: one browser per
module, a fresh context (cookies, storage) and page per test. pytest-asyncio's session loop
is never running during sync tests, so the two do not meet.

`tests/browser` is a package so that this file is `browser.conftest` and does not shadow
`tests/conftest.py`, which the other test modules import as `conftest`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserType,
    ConsoleMessage,
    Page,
    Request,
    ViewportSize,
    sync_playwright,
)
from support import STRONG_PASSWORD, Server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: ViewportSize = {"width": 1200, "height": 800}
TIMEOUT_MS = 10_000


def launch(chromium: BrowserType, executable_path: str) -> Browser:
    """Debian's Chromium, headless, with the flags that keep it quiet and offline-friendly."""
    return chromium.launch(executable_path=executable_path, headless=True, args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = launch(pw.chromium, chromium_path)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A page on one server, with everything it requested and complained about."""

    page: Page
    server: Server
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.server.url + path)
        assert response is not None

    def foreign_requests(self) -> list[str]:
        """Requests to anywhere but the server (data: and about: URLs never leave the browser)."""
        ours = urlsplit(self.server.url).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "about", "blob") and urlsplit(url).netloc != ours
        ]

    def csp_violations(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]

    def assert_clean(self) -> None:
        assert self.foreign_requests() == [], "the page contacted another host"
        assert self.csp_violations() == [], "the page broke its Content Security Policy"
        assert self.page_errors == [], "the page threw"

    # --- things a person does -----------------------------------------------------------

    def register(self, name: str, email: str, password: str = STRONG_PASSWORD) -> None:
        self.goto("/register")
        self.page.get_by_label("Display name").fill(name)
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Create account").click()
        self.page.wait_for_url("**/account?welcome=1")

    def log_in(self, email: str, password: str) -> None:
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state()

    def log_out(self) -> None:
        self.page.get_by_role("button", name="Log out").click()
        self.page.wait_for_url("**/login?ended=1")


@pytest.fixture
def visit(browser: Browser, server: Server) -> Iterator[Visit]:
    """A fresh browser context on a fresh server (empty database), recording traffic and errors."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    seen = Visit(page, server)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.console_errors.append(message.text)

    def on_request(request: Request) -> None:
        seen.requests.append(request.url)

    page.on("console", on_console)
    page.on("request", on_request)
    page.on("pageerror", lambda exc: seen.page_errors.append(str(exc)))
    yield seen
    context.close()
