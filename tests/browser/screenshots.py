"""Screenshots of the home page for the README.

Run from the repository root with the project's Python:

    .venv/bin/python tests/browser/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

It starts its own `hearth serve` (SQLite in a temporary directory, like the `server` fixture)
and writes `home.png` (desktop, 1200x800) and `home-phone.png` (375x812, the whole page).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))

from playwright.sync_api import ViewportSize, sync_playwright  # noqa: E402
from support import CHROMIUM, start_server  # noqa: E402

from browser.conftest import launch  # noqa: E402

# file name: (viewport, whole page?)
SHOTS: dict[str, tuple[ViewportSize, bool]] = {
    "home.png": ({"width": 1200, "height": 800}, False),
    "home-phone.png": ({"width": 375, "height": 812}, True),
}


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
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
