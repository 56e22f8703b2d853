"""Screenshots of the home page and a meeting room for the README.

Run from the repository root with the project's Python:

    .venv/bin/python tests/browser/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

It starts its own `hearth serve` (SQLite in a temporary directory, like the `server` fixture)
and writes `home.png` (desktop, 1200x800), `home-phone.png` (375x812, the whole page) and
`room.png` (desktop, 1200x800: a meeting as its host sees it, two members, a few messages and
one hand raised).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))

from live import open_meeting  # noqa: E402
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright  # noqa: E402
from support import CHROMIUM, Server, start_server  # noqa: E402

from browser.conftest import DESKTOP, launch  # noqa: E402

# file name: (viewport, whole page?)
SHOTS: dict[str, tuple[ViewportSize, bool]] = {
    "home.png": ({"width": 1200, "height": 800}, False),
    "home-phone.png": ({"width": 375, "height": 812}, True),
}

# (who, what they say) in the room, in order
CONVERSATION = [
    ("Ada", "Welcome, everyone. However today went, you're welcome here, and just listening is fine."),
    ("Bo", "Thanks, Ada. It's been a heavy week, but it helps to be here."),
    ("Ada", "Take your time, Bo. Raise your hand whenever you'd like to share."),
]


def room_shot(browser: Browser, server: Server, path: Path) -> None:
    """The room as its host (Ada) sees it: Bo present, three messages, a reaction, Bo's hand up."""
    room = open_meeting(server.url, ["Ada", "Bo"])
    pages: dict[str, Page] = {}
    for name in ("Ada", "Bo"):
        context = browser.new_context(viewport=DESKTOP, locale="en-GB", service_workers="block")
        token = room.cookies[name]
        context.add_cookies([{"name": "hearth_session", "value": token, "domain": "127.0.0.1", "path": "/"}])
        pages[name] = page = context.new_page()
        page.goto(f"{server.url}/meetings/{room.meeting_id}")
        expect(page.locator("#connection")).to_have_text("Connected. You're in the room.")
    for name, text in CONVERSATION:
        composer = pages[name].get_by_label("Your message")
        composer.fill(text)
        composer.press("Enter")
        for page in pages.values():
            expect(page.locator("#messages li.message:not(.pending)").last).to_contain_text(text)
    bo, ada = pages["Bo"], pages["Ada"]
    first = bo.locator("#messages li.message").first
    first.get_by_role("button", name="Thank you (to Ada)").click()
    bo.get_by_role("button", name="Raise hand").click()
    expect(ada.locator("#hands li")).to_have_text(["Bo"])
    expect(ada.locator("#messages li.message").first.locator(".count").filter(has_text="1")).to_have_count(1)
    ada.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")  # sending focused the box
    ada.evaluate("document.fonts.ready.then(() => true)")
    ada.screenshot(path=path, animations="disabled")
    for page in pages.values():
        page.context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = launch(pw.chromium, args.chromium)
                for name, (viewport, full_page) in SHOTS.items():
                    page = browser.new_page(viewport=viewport, locale="en-GB")
                    page.goto(server.url + "/")
                    page.evaluate("document.fonts.ready.then(() => true)")
                    path = args.out / name
                    page.screenshot(path=path, full_page=full_page, animations="disabled")
                    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
                    page.close()
                path = args.out / "room.png"
                room_shot(browser, server, path)
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
