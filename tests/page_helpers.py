"""Helpers for the directory, dashboard and My meetings page tests: a clock every page and
service module reads (login sessions keep the real time), forms posted with their CSRF token,
and small readers of the rendered HTML."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from series_helpers import CLOCKED, Clock
from support import App

# Monday 1 March 2027, 12:00 UTC: after the real date these tests are written on, so that
# code that reads the real clock (none should) still finds every meeting in the future, and
# two weeks before the US (14 March) and four before the EU (28 March) daylight-saving changes.
START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
PAGES_CLOCKED = (
    *CLOCKED,
    "meeting.attendance.rsvps",
    "meeting.attendance.visits",
    "meeting.attendance.figures",
    "meeting.attendance.feed",
    "meeting.attendance.notices",
    "meeting.web.groups",
    "meeting.web.directory",
    "meeting.web.dashboard",
    "meeting.web.my_meetings",
    "meeting.web.series_forms",
)


def freeze_pages(monkeypatch: pytest.MonkeyPatch, now: datetime = START) -> Clock:
    found = Clock(now)
    for module in PAGES_CLOCKED:
        monkeypatch.setattr(f"{module}.utcnow", found)
    return found


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post_form(
    app: App, page: str, action: str, fields: dict[str, Any] | list[tuple[str, str]] | None = None
) -> httpx.Response:
    """Open `page` (for its CSRF token) and post `fields` to `action`, as the browser would."""
    token = csrf_from((await app.client.get(page)).text)
    pairs = list(fields.items()) if isinstance(fields, dict) else list(fields or [])
    data: dict[str, list[str]] = {"csrf_token": [token]}
    for key, value in pairs:
        data.setdefault(key, []).extend(value if isinstance(value, list) else [str(value)])
    return await app.client.post(action, data=data)


def text_of(html: str) -> str:
    """The page's words: tags dropped, whitespace collapsed, the few entities we use decoded."""
    words = re.sub(r"</?(?:span|a|strong|em|time)\b[^>]*>", "", html)  # inline: no space
    words = re.sub(r"<[^>]+>", " ", words)
    for entity, char in (("&#39;", "'"), ("&amp;", "&"), ("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">")):
        words = words.replace(entity, char)
    return " ".join(words.split())


def section(html: str, section_id: str) -> str:
    """The HTML of `<section id="section_id">`, up to its end."""
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def card(html: str, element_id: str) -> str:
    """The HTML of the `<li id="element_id">` card, up to its end."""
    start = html.index(f'<li class="card" id="{element_id}"')
    return html[start : html.index("</li>", start)]
