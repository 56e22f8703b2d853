"""The room page's moderation and safety tools in a real Chromium, against scripted room frames.

The page, its login and its assets come from a real `hearth serve`; the room's WebSocket is
answered by the test itself (Playwright's `route_web_socket`), which plays the frames of
`rooms/protocol.py` and records every frame the page sends. So these tests pin the page's side
of the protocol: what it shows for each moderation frame, and exactly which frame each control
sends. (The engine's side is tested over real sockets in tests/e2e; end-to-end browser tests
with the engine belong beside those in test_room_browser.py.)

People are used as they would be: by role, accessible name and keyboard.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from live import Room, open_meeting
from playwright.sync_api import Browser, Locator, Page, ViewportSize, WebSocketRoute, expect
from support import Server

from browser.conftest import DESKTOP, TIMEOUT_MS
from browser.test_accounts_browser import low_contrast, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CONNECTED = "Connected. You're in the room."
PHONE: ViewportSize = {"width": 320, "height": 640}


@dataclass
class Scripted:
    """One person's room page whose WebSocket the test answers."""

    page: Page
    room: Room
    me: dict[str, Any]
    sockets: list[WebSocketRoute] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    seq: int = 1_700_000_000_000_000

    def accept(self, ws: WebSocketRoute) -> None:
        self.sockets.append(ws)

        def received(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") != "ping":
                self.sent.append(frame)

        ws.on_message(received)

    def wait_for_socket(self, count: int = 1) -> None:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while len(self.sockets) < count:
            assert time.monotonic() < deadline, f"the page opened {len(self.sockets)} sockets, not {count}"
            self.page.wait_for_timeout(25)

    def push(self, frame: dict[str, Any]) -> None:
        self.sockets[-1].send(json.dumps(frame))

    def event(self, frame: dict[str, Any]) -> int:
        """A room event, numbered as the engine would."""
        self.seq += 1
        self.push({**frame, "seq": self.seq})
        return self.seq

    def welcome(
        self, members: list[dict[str, Any]], *, room: dict[str, Any] | None = None, **you: Any
    ) -> None:
        self.seq += 1
        state = {
            "members": [{**m, "status": "present"} for m in members],
            "hands": [],
            "floor": None,
            "locked": False,
            "slow_mode": 0,
            "seq": self.seq,
            "facilitated": False,
            "round": None,
            "announcement": None,
            **(room or {}),
        }
        self.push({"type": "welcome", "you": self.me, "room": state, **you})
        self.push({"type": "replayed"})
        expect(self.page.locator("#connection")).to_have_text(CONNECTED)

    def said(self, type_: str, **match: Any) -> dict[str, Any]:
        """The first frame of `type_` the page sent whose fields equal `match` (waiting for it)."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            for frame in self.sent:
                if frame.get("type") == type_ and all(frame.get(k) == v for k, v in match.items()):
                    self.sent.remove(frame)
                    return frame
            if time.monotonic() > deadline:
                pytest.fail(f"the page never sent {type_} {match}; it sent {self.sent}")
            self.page.wait_for_timeout(25)

    def message(self, author: dict[str, Any], text: str, mid: str, **extra: Any) -> None:
        person = {"id": author["id"], "name": author["name"]}
        self.event(
            {
                "type": "message",
                "id": mid,
                "author": person,
                "text": text,
                "ts": int(time.time() * 1000),
                **extra,
            }
        )

    def button(self, name: str | re.Pattern[str]) -> Locator:
        return self.page.get_by_role("button", name=name, exact=isinstance(name, str))

    def assert_clean(self) -> None:
        assert [t for t in self.console_errors if "Content Security Policy" in t] == []
        assert self.page_errors == []


@dataclass
class Stage:
    browser: Browser
    server: Server
    opened: list[Any] = field(default_factory=list)

    def open(self, room: Room, name: str, role: str, *, viewport: ViewportSize = DESKTOP) -> Scripted:
        context = self.browser.new_context(viewport=viewport, locale="en-GB", service_workers="block")
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies(
            [{"name": "hearth_session", "value": room.cookies[name], "domain": "127.0.0.1", "path": "/"}]
        )
        self.opened.append(context)
        page = context.new_page()
        person = Scripted(page, room, {"id": room.ids[name], "name": name, "role": role})
        page.route_web_socket(re.compile(r"/ws/meetings/\d+"), person.accept)
        page.on("console", lambda m: person.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: person.page_errors.append(str(exc)))
        response = page.goto(f"{self.server.url}/meetings/{room.meeting_id}")
        assert response is not None
        assert response.ok
        person.wait_for_socket()
        return person


@pytest.fixture
def stage(browser: Browser, server: Server) -> Iterator[Stage]:
    s = Stage(browser, server)
    yield s
    for context in s.opened:
        context.close()


def people(room: Room, roles: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {name: {"id": room.ids[name], "name": name, "role": role} for name, role in roles.items()}


# --- what every member sees ---------------------------------------------------------------


def test_a_member_sees_the_rules_the_pinned_note_and_a_timed_sharing_round(stage: Stage) -> None:
    room = open_meeting(stage.server.url, ["Ada", "Bo", "Cy"])
    who = people(room, {"Ada": "host", "Bo": "member", "Cy": "member"})
    bo = stage.open(room, "Bo", "member")
    ends = int(time.time() * 1000) + 90_000
    bo.welcome(
        list(who.values()),
        room={
            "slow_mode": 30,
            "announcement": {"text": "Break at 8pm.", "by": {"id": who["Ada"]["id"], "name": "Ada"}},
            "round": {
                "order": [who["Cy"]["id"], who["Bo"]["id"]],
                "turn": who["Cy"]["id"],
                "turn_ends_at": ends,
                "seconds_per_turn": 120,
            },
            "floor": who["Cy"]["id"],
        },
    )
    page = bo.page
    expect(page.get_by_role("region", name="Pinned by Ada")).to_contain_text("Break at 8pm.")
    expect(page.locator("#room-settings")).to_have_text("Slow mode: one message every 30 seconds each.")
    round_box = page.get_by_role("region", name="Sharing round")
    expect(round_box).to_contain_text("It's Cy's turn.")
    expect(round_box.get_by_role("listitem")).to_have_text(["Cy (sharing now)", "Bo (you)"])
    expect(page.locator("#round-timer")).to_have_text(re.compile(r"^1:(2\d|30) left in this turn$"))
    expect(page.locator("#round-timer")).not_to_have_attribute("aria-live", re.compile("."))
    expect(bo.button("Pass")).to_be_hidden()
    expect(page.get_by_role("region", name="Facilitating")).to_be_hidden()

    # The turn passes to Bo: announced once, politely, and Pass appears.
    bo.event(
        {
            "type": "round",
            "round": {
                "order": [who["Cy"]["id"], who["Bo"]["id"]],
                "turn": who["Bo"]["id"],
                "turn_ends_at": ends + 60_000,
                "seconds_per_turn": 120,
            },
        }
    )
    expect(round_box).to_contain_text("It's your turn to share. You can pass if you'd rather not.")
    expect(page.locator("#announcer")).to_have_text(
        "It's your turn to share. You can pass if you'd rather not."
    )
    bo.button("Pass").click()
    bo.said("pass")

    # A facilitator changes the switches; the room is told in neutral words.
    bo.event({"type": "settings", "locked": True, "slow_mode": 0, "facilitated": True})
    expect(page.locator("#room-settings")).to_have_text(
        "The room is locked: nobody new can come in. Sharing one at a time — raise your hand."
    )
    expect(page.locator("#turn-note")).to_be_visible()
    bo.event({"type": "announcement", "announcement": None})
    expect(page.locator("#announcement")).to_be_hidden()
    bo.event({"type": "round", "round": None})
    expect(round_box).to_be_hidden()
    expect(bo.button("Pass")).to_be_hidden()
    bo.event({"type": "notice", "kind": "removed"})
    bo.event({"type": "notice", "kind": "to_waiting_room"})
    expect(page.locator("#messages .system")).to_have_text(
        ["A member was removed by a facilitator.", "A member was moved to the waiting room."]
    )

    # Just listening today: the page asks, the server's answer sets the switch.
    listening = bo.button("Just listening today")
    listening.click()
    bo.said("listening", on=True)
    expect(listening).to_have_attribute("aria-pressed", "false")
    bo.push({"type": "listening", "on": True})
    expect(listening).to_have_attribute("aria-pressed", "true")
    bo.assert_clean()


def test_muted_and_refused_messages_keep_the_draft_and_say_when_to_try_again(stage: Stage) -> None:
    room = open_meeting(stage.server.url, ["Ada", "Bo"])
    who = people(room, {"Ada": "host", "Bo": "member"})
    bo = stage.open(room, "Bo", "member")
    until = int(time.time() * 1000) + 15 * 60_000
    bo.welcome(list(who.values()), muted={"until": until})
    page = bo.page
    composer = page.get_by_label("Your message")
    line = page.locator("#mute-line")
    expect(line).to_contain_text("A facilitator muted you until ")
    expect(line).to_contain_text("You can still react and raise your hand.")
    expect(composer).to_be_disabled()
    expect(bo.button("Raise hand")).to_be_enabled()
    expect(page.locator("#urgent")).to_contain_text("A facilitator muted you")
    bo.push({"type": "unmuted"})
    expect(composer).to_be_enabled()
    expect(line).to_be_hidden()
    bo.push({"type": "muted", "until": None})
    expect(line).to_have_text(
        "A facilitator muted you until they unmute you. You can still react and raise your hand."
    )
    bo.push({"type": "unmuted"})

    # Slow mode refuses a message: the words come back, with a countdown beside the reason.
    composer.fill("Something I wanted to say.")
    composer.press("Enter")
    say = bo.said("say", text="Something I wanted to say.")
    expect(composer).to_have_value("")
    bo.push(
        {
            "type": "error",
            "code": "slow_mode",
            "message": "Slow mode is on: please wait before sending again.",
            "retry_after": 3,
            "client_id": say["client_id"],
        }
    )
    expect(composer).to_have_value("Something I wanted to say.")
    expect(page.get_by_role("alert")).to_have_text(
        "Slow mode is on: please wait before sending again. You can send again in 3 seconds."
    )
    expect(page.locator("#composer-wait")).to_have_text(re.compile(r"^You can send again in [1-3] s\.$"))
    composer.press("Enter")  # too soon: nothing is sent and the draft stays
    page.wait_for_timeout(200)
    assert [f for f in bo.sent if f["type"] == "say"] == []
    expect(composer).to_have_value("Something I wanted to say.")
    expect(page.locator("#composer-wait")).to_be_hidden(timeout=5000)
    composer.press("Enter")
    say = bo.said("say", text="Something I wanted to say.")

    for code, message, shown in [
        (
            "personal_info",
            "For everyone's safety, phone numbers can't be shared in meetings.",
            "For everyone's safety, phone numbers can't be shared in meetings.",
        ),
        (
            "blocked_term",
            "This message includes a word or phrase this group has chosen not to allow.",
            "This message includes a word or phrase this group has chosen not to allow.",
        ),
        (
            "not_your_turn",
            "The group is sharing one at a time: raise your hand.",
            "The group is sharing one at a time: raise your hand.",
        ),
    ]:
        bo.push({"type": "error", "code": code, "message": message, "client_id": say["client_id"]})
        expect(page.get_by_role("alert")).to_have_text(shown)
        expect(composer).to_have_value("Something I wanted to say.")
        composer.press("Enter")
        say = bo.said("say", text="Something I wanted to say.")

    bo.push(
        {
            "type": "error",
            "code": "muted",
            "message": "You are muted.",
            "until": until,
            "client_id": say["client_id"],
        }
    )
    expect(composer).to_be_disabled()
    expect(composer).to_have_value("Something I wanted to say.")
    expect(line).to_contain_text("A facilitator muted you until ")
    bo.assert_clean()


def test_hidden_restored_and_deleted_messages(stage: Stage) -> None:
    room = open_meeting(stage.server.url, ["Ada", "Bo", "Cy"])
    who = people(room, {"Ada": "host", "Bo": "member", "Cy": "member"})
    bo = stage.open(room, "Bo", "member")
    bo.welcome(list(who.values()))
    page = bo.page
    bo.message(who["Cy"], "Words some found hard.", "m1")
    bo.message(who["Cy"], "Something that must go.", "m2")
    log = page.get_by_role("log", name="Messages")
    expect(log.locator(".text")).to_have_text(["Words some found hard.", "Something that must go."])

    bo.event({"type": "message_change", "message_id": "m1", "change": "hidden"})
    expect(log.locator("li").first.locator(".text")).to_have_text("Hidden until a facilitator reviews it.")
    expect(log.locator("li").first.get_by_role("button")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Words some found hard.")
    bo.event({"type": "message_change", "message_id": "m1", "change": "restored"})
    expect(log.locator("li").first.locator(".text")).to_have_text("Words some found hard.")

    bo.event({"type": "message_change", "message_id": "m2", "change": "deleted"})
    expect(log.locator("li").nth(1)).to_have_text("Message removed by a facilitator.")
    expect(page.locator("body")).not_to_contain_text("Something that must go.")
    # A replayed copy changes nothing: removal is final.
    bo.event({"type": "message_change", "message_id": "m2", "change": "restored"})
    expect(log.locator("li").nth(1)).to_have_text("Message removed by a facilitator.")

    # A skipped event (from someone Bo blocks) fills its seq: no gap, no resync, nothing shown.
    bo.event({"type": "skip"})
    bo.message(who["Ada"], "After the skip.", "m3")
    expect(log.locator("li")).to_have_count(3)
    page.wait_for_timeout(200)
    assert [f for f in bo.sent if f["type"] == "resync"] == []
    bo.assert_clean()


def test_a_member_reports_blocks_and_talks_to_a_facilitator_privately(stage: Stage) -> None:
    room = open_meeting(stage.server.url, ["Ada", "Bo", "Cy"])
    who = people(room, {"Ada": "facilitator", "Bo": "member", "Cy": "member"})
    bo = stage.open(room, "Bo", "member")
    bo.welcome(list(who.values()))
    page = bo.page
    bo.message(who["Cy"], "Buy my course, DM me.", "m1")
    bo.message(who["Bo"], "My own words.", "m2")
    expect(page.get_by_role("button", name="Report message from Bo")).to_have_count(0)  # not your own

    # Report: a dialog with the fixed reasons; focus comes back to the button afterwards.
    report = bo.button("Report message from Cy")
    report.click()
    dialog = page.get_by_role("dialog", name="Report a message")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("radio", name="It could hurt someone")).to_be_focused()
    dialog.get_by_role("radio", name="It's selling, promoting or recruiting").check()
    dialog.get_by_role("button", name="Send report").click()
    assert bo.said("report")["reason"] == "solicitation"
    expect(dialog).to_be_hidden()
    expect(report).to_be_focused()
    report.click()
    page.keyboard.press("Escape")  # changing one's mind sends nothing
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(200)
    assert [f for f in bo.sent if f["type"] == "report"] == []

    # Block Cy, from the member list, after a clear confirmation.
    bo.button("Options for Cy").click()
    bo.button("Block Cy").click()
    confirm = page.get_by_role("dialog", name="Block Cy?")
    expect(confirm).to_contain_text("You won't see their messages")
    confirm.get_by_role("button", name="Block").click()
    assert bo.said("block") == {"type": "block", "user_id": who["Cy"]["id"]}
    bo.push({"type": "blocked", "user_ids": [who["Cy"]["id"]]})
    expect(page.get_by_role("log", name="Messages").locator("li.message:visible .text")).to_have_text(
        ["My own words."]
    )
    expect(page.locator("#people")).to_contain_text("blocked")
    bo.button("Unblock Cy").click()
    assert bo.said("unblock") == {"type": "unblock", "user_id": who["Cy"]["id"]}
    bo.push({"type": "blocked", "user_ids": []})
    expect(page.get_by_role("log", name="Messages").locator("li.message:visible .text")).to_have_text(
        ["Buy my course, DM me.", "My own words."]
    )

    # The private line: nobody there first (resources instead, words kept), then a facilitator.
    bo.button("Talk to a facilitator privately").click()
    box = page.get_by_label("Message to the facilitators")
    expect(box).to_be_focused()
    box.fill("Can we talk?")
    box.press("Enter")
    bo.said("ask_facilitator", text="Can we talk?")
    bo.push({"type": "error", "code": "no_facilitator", "message": "No facilitator is here."})
    line = page.get_by_role("region", name="Private line to the facilitators")
    expect(line.get_by_role("alert")).to_have_text(
        "No facilitator is in the room right now, so your message wasn't sent."
    )
    expect(line).to_contain_text("If you need support now, you can reach:")
    expect(box).to_have_value("Can we talk?")
    # The resources that follow fill the private line, not a second card.
    bo.push(
        {
            "type": "resources",
            "intro": "You deserve support.",
            "resources": [
                {
                    "name": "Warmline",
                    "contact": "Call 0800 000",
                    "description": "Evenings.",
                    "url": "tel:0800000",
                }
            ],
        }
    )
    expect(line.get_by_role("link", name="Call 0800 000")).to_have_attribute("href", "tel:0800000")
    expect(page.get_by_role("region", name="You don't have to go through this alone")).to_be_hidden()
    page.get_by_role("button", name="Send privately").click()
    bo.said("ask_facilitator", text="Can we talk?")
    me, ada = {"id": who["Bo"]["id"], "name": "Bo"}, {"id": who["Ada"]["id"], "name": "Ada"}
    now = int(time.time() * 1000)
    bo.push({"type": "private_message", "sender": me, "member": me, "text": "Can we talk?", "ts": now})
    bo.push(
        {"type": "private_message", "sender": ada, "member": me, "text": "Of course. I'm here.", "ts": now}
    )
    thread = line.get_by_role("list", name="Your private messages with the facilitators")
    expect(thread.locator(".text")).to_have_text(["Can we talk?", "Of course. I'm here."])
    expect(thread.locator("strong")).to_have_text(["You", "Ada (facilitator)"])
    expect(line.get_by_role("alert")).to_be_hidden()
    expect(box).to_have_value("")

    # Crisis resources: a gentle card addressed to Bo alone, with working contact links.
    bo.push(
        {
            "type": "resources",
            "intro": "You deserve support.",
            "resources": [
                {"name": "Lifeline", "contact": "Call or text 988", "description": "24/7.", "url": "tel:988"},
                {
                    "name": "Web",
                    "contact": "example help",
                    "description": "Chat.",
                    "url": "https://help.example",
                },
                {"name": "Friend", "contact": "Someone you trust", "description": "Tell one person."},
            ],
        }
    )
    card = page.get_by_role("region", name="You don't have to go through this alone")
    expect(card).to_contain_text("You deserve support.")
    expect(card.get_by_role("link", name="Call or text 988")).to_have_attribute("href", "tel:988")
    expect(card.get_by_role("link", name="example help")).to_have_attribute("href", "https://help.example")
    expect(page.locator("#urgent")).to_contain_text("Support is here if you need it")
    card.get_by_role("button", name="Dismiss").click()
    expect(card).to_be_hidden()
    expect(page.get_by_label("Your message")).to_be_focused()
    bo.assert_clean()


def test_the_waiting_room_admission_and_being_sent_back_or_removed(stage: Stage) -> None:
    room = open_meeting(stage.server.url, ["Ada", "Bo"])
    who = people(room, {"Ada": "host", "Bo": "member"})
    bo = stage.open(room, "Bo", "member")
    page = bo.page
    bo.push(
        {
            "type": "waiting",
            "you": bo.me,
            "message": "You're in the waiting room. A facilitator will let you in shortly.",
        }
    )
    lobby = page.get_by_role("region", name="Waiting room")
    expect(lobby).to_contain_text("A facilitator will let you in shortly.")
    expect(lobby).to_contain_text("What is shared here stays here.")  # the group's guidelines
    expect(page.get_by_role("log", name="Messages")).to_be_hidden()
    expect(bo.button("Raise hand")).to_be_hidden()
    expect(bo.button("Leave")).to_be_enabled()

    bo.push({"type": "admitted"})
    expect(page.locator("#announcer")).to_have_text("A facilitator let you in. Welcome.")
    bo.welcome(list(who.values()))
    expect(lobby).to_be_hidden()
    expect(page.get_by_role("log", name="Messages")).to_be_visible()
    bo.message(who["Ada"], "Welcome in.", "m1")

    # Sent back to the waiting room: the page reconnects at once and waits again.
    bo.sockets[-1].close(code=4411, reason="waiting_room")
    bo.wait_for_socket(2)
    expect(lobby).to_be_visible()
    bo.push(
        {
            "type": "waiting",
            "you": bo.me,
            "message": "You're in the waiting room. A facilitator will let you in shortly.",
        }
    )
    expect(lobby).to_contain_text("A facilitator moved you back to the waiting room.")
    expect(page.locator("#connection")).to_have_text("You're in the waiting room.")
    bo.welcome(list(who.values()))

    # Removed: a clear, final message; no reconnecting, and the conversation is gone.
    bo.sockets[-1].close(code=4403, reason="removed")
    expect(page.locator("#connection")).to_have_text(
        re.compile("^A facilitator removed you from this meeting.")
    )
    page.wait_for_timeout(1500)
    assert len(bo.sockets) == 2
    expect(page.locator("#messages > li")).to_have_count(0)
    expect(page.get_by_label("Your message")).to_be_disabled()
    bo.assert_clean()


def test_a_locked_room_says_so_and_does_not_retry(stage: Stage) -> None:
    room = open_meeting(stage.server.url, ["Ada", "Bo"])
    bo = stage.open(room, "Bo", "member")
    bo.sockets[-1].close(code=4409, reason="locked")
    expect(bo.page.locator("#connection")).to_have_text(
        "This room is locked right now, so nobody new can come in. You can try again later."
    )
    bo.page.wait_for_timeout(1500)
    assert len(bo.sockets) == 1
    bo.assert_clean()


def test_the_guidelines_dialog_shows_the_groups_guidelines_and_gives_focus_back(stage: Stage) -> None:
    room = open_meeting(stage.server.url, ["Ada", "Bo"])
    bo = stage.open(room, "Bo", "member")
    bo.welcome(list(people(room, {"Ada": "host", "Bo": "member"}).values()))
    button = bo.button("Guidelines")
    button.focus()
    bo.page.keyboard.press("Enter")
    dialog = bo.page.get_by_role("dialog", name="Evening circle: guidelines")
    expect(dialog).to_contain_text("No advice unless asked.")
    expect(dialog.get_by_role("heading")).to_be_focused()
    bo.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    bo.assert_clean()


# --- the facilitators' tools --------------------------------------------------------------


def test_facilitator_tools_send_exactly_the_protocol_frames(stage: Stage) -> None:
    room = open_meeting(stage.server.url, ["Ada", "Bo", "Cy"])
    who = people(room, {"Ada": "host", "Bo": "member", "Cy": "facilitator"})
    ada = stage.open(room, "Ada", "host")
    ada.welcome(list(who.values()))
    page = ada.page
    expect(page.get_by_role("region", name="Facilitating")).to_be_visible()
    bo_id = who["Bo"]["id"]

    ada.button("Options for Bo").click()
    expect(ada.button("Options for Bo")).to_have_attribute("aria-expanded", "true")
    page.get_by_label("Mute for Bo").select_option(label="15 minutes")
    ada.button("Mute Bo").click()
    assert ada.said("mute") == {"type": "mute", "user_id": bo_id, "minutes": 15}
    page.get_by_label("Mute for Bo").select_option(label="Until I unmute them")
    ada.button("Mute Bo").click()
    assert ada.said("mute") == {"type": "mute", "user_id": bo_id}
    ada.push(
        {
            "type": "moderation",
            "muted": [{"user_id": bo_id, "until": None}],
            "listening": [bo_id],
            "waiting": [],
        }
    )
    expect(ada.button("Unmute Bo").first).to_be_visible()
    expect(page.get_by_role("region", name="Muted and listening")).to_contain_text("Bo: just listening today")
    ada.button("Unmute Bo").first.click()
    assert ada.said("unmute") == {"type": "unmute", "user_id": bo_id}

    ada.button("Give the floor to Bo").click()
    assert ada.said("give_floor") == {"type": "give_floor", "user_id": bo_id}
    ada.event({"type": "floor", "holder": bo_id})
    ada.button("Take the floor back from Bo").click()
    assert ada.said("take_floor") == {"type": "take_floor"}
    ada.button("Send to waiting room (Bo)").click()
    assert ada.said("to_waiting_room") == {"type": "to_waiting_room", "user_id": bo_id}

    ada.button("Remove Bo").click()
    confirm = page.get_by_role("dialog", name="Remove Bo from this meeting?")
    confirm.get_by_label("Reason (optional)").fill("Repeated insults after a warning.")
    confirm.get_by_role("button", name="Remove").click()
    assert ada.said("remove") == {
        "type": "remove",
        "user_id": bo_id,
        "reason": "Repeated insults after a warning.",
    }
    ada.button("Ban Bo").click()
    page.get_by_role("dialog", name="Ban Bo from this group?").get_by_role("button", name="Cancel").click()
    expect(ada.button("Ban Bo")).to_be_focused()
    ada.button("Ban Bo").click()
    page.get_by_role("dialog", name="Ban Bo from this group?").get_by_role("button", name="Ban").click()
    assert ada.said("ban") == {"type": "ban", "user_id": bo_id, "reason": ""}

    # A host outranks a facilitator; nobody is offered tools against a peer or a higher rank.
    ada.button("Options for Cy").click()
    expect(ada.button("Mute Cy")).to_be_visible()
    expect(ada.button("Block Cy")).to_have_count(0)  # members block members, not facilitators

    # Room controls.
    toggle = ada.button("Room controls")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    ada.button("Lock the room").click()
    ada.said("lock")
    ada.event({"type": "settings", "locked": True, "slow_mode": 0, "facilitated": False})
    ada.button("Unlock the room").click()
    ada.said("unlock")
    page.get_by_label("Slow mode").select_option(label="30 seconds")
    ada.button("Set slow mode").click()
    assert ada.said("slow_mode") == {"type": "slow_mode", "seconds": 30}
    ada.button("Facilitated mode").click()
    assert ada.said("facilitated_mode") == {"type": "facilitated_mode", "on": True}
    ada.event({"type": "settings", "locked": True, "slow_mode": 30, "facilitated": True})
    expect(ada.button("Facilitated mode")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Slow mode")).to_have_value("30")
    page.get_by_label("Time per turn").select_option(label="3 minutes")
    ada.button("Start sharing round").click()
    assert ada.said("round_start") == {"type": "round_start", "seconds_per_turn": 180}
    ada.event(
        {
            "type": "round",
            "round": {
                "order": [bo_id],
                "turn": bo_id,
                "turn_ends_at": int(time.time() * 1000) + 180_000,
                "seconds_per_turn": 180,
            },
        }
    )
    ada.button("Next turn").click()
    ada.said("round_next")
    ada.button("Stop round").click()
    ada.said("round_stop")
    page.get_by_label("Pinned announcement").fill("We take a break at 8pm.")
    ada.button("Pin announcement").click()
    assert ada.said("announce") == {"type": "announce", "text": "We take a break at 8pm."}
    ada.event(
        {
            "type": "announcement",
            "announcement": {
                "text": "We take a break at 8pm.",
                "by": {"id": who["Ada"]["id"], "name": "Ada"},
            },
        }
    )
    ada.button("Unpin").click()
    assert ada.said("announce") == {"type": "announce", "text": ""}
    ada.button("End meeting").click()
    end = page.get_by_role("dialog", name="End the meeting for everyone?")
    expect(end.get_by_role("button", name="Cancel")).to_be_focused()  # the safe choice first
    end.get_by_role("button", name="End meeting").click()
    ada.said("end")
    ada.assert_clean()


def test_facilitators_see_alerts_reports_private_lines_and_the_waiting_room(stage: Stage) -> None:
    room = open_meeting(stage.server.url, ["Ada", "Bo", "Cy"])
    who = people(room, {"Ada": "facilitator", "Bo": "member", "Cy": "member"})
    ada = stage.open(room, "Ada", "facilitator")
    ada.welcome([who["Ada"], who["Bo"]])
    page = ada.page
    bo = {"id": who["Bo"]["id"], "name": "Bo"}

    # Someone waits: admit them one by one or all at once.
    ada.push({"type": "moderation", "muted": [], "listening": [], "waiting": [who["Cy"]]})
    waiting = page.get_by_role("region", name=re.compile("^Waiting room"))
    expect(waiting).to_contain_text("Cy")
    expect(page.locator("#announcer")).to_have_text("Cy is in the waiting room.")
    ada.button("Admit Cy").click()
    assert ada.said("admit") == {"type": "admit", "user_id": who["Cy"]["id"]}
    ada.push({"type": "moderation", "muted": [], "listening": [], "waiting": []})
    expect(waiting).to_be_hidden()

    # A crisis alert: calm, private, no words of the member's; a way to reply privately.
    ada.push({"type": "alert", "user_id": bo["id"]})
    alert = page.get_by_role("region", name="Support alerts (only facilitators see these)")
    expect(alert).to_contain_text("Bo may need support.")
    expect(page.locator("#urgent")).to_have_text("")  # polite, not assertive: it is about someone else
    expect(page.locator("#announcer")).to_contain_text("Bo may need support.")
    alert.get_by_role("button", name="Reply privately to Bo").click()
    reply = page.get_by_label("Reply privately to Bo")
    expect(reply).to_be_focused()
    reply.fill("I'm here if you want to talk.")
    reply.press("Enter")
    assert ada.said("reply_privately") == {
        "type": "reply_privately",
        "user_id": bo["id"],
        "text": "I'm here if you want to talk.",
    }
    me = {"id": who["Ada"]["id"], "name": "Ada"}
    now = int(time.time() * 1000)
    ada.push(
        {
            "type": "private_message",
            "sender": me,
            "member": bo,
            "text": "I'm here if you want to talk.",
            "ts": now,
        }
    )
    ada.push({"type": "private_message", "sender": bo, "member": bo, "text": "Thank you.", "ts": now})
    thread = page.get_by_role("list", name="Private messages with Bo")
    expect(thread.locator(".text")).to_have_text(["I'm here if you want to talk.", "Thank you."])
    alert.get_by_role("button", name="Dismiss the alert about Bo").click()
    expect(alert).to_be_hidden()

    # A report: reason and the words, live; Delete asks first; Dismiss just clears it.
    ada.message(who["Bo"], "Call me on 555 0100.", "m1")
    ada.push(
        {
            "type": "reported",
            "message_id": "m1",
            "reason": "personal_info",
            "author": bo,
            "text": "Call me on 555 0100.",
            "hidden": False,
        }
    )
    ada.push(
        {
            "type": "reported",
            "message_id": "m1",
            "reason": "personal_info",
            "author": bo,
            "text": "Call me on 555 0100.",
            "hidden": True,
        }
    )
    reports = page.get_by_role("region", name="Reported messages")
    expect(reports).to_contain_text("Reported: personal information (2)")
    expect(reports).to_contain_text("Hidden from everyone until you review it.")
    ada.event({"type": "message_change", "message_id": "m1", "change": "hidden"})
    log = page.get_by_role("log", name="Messages")
    expect(log.locator(".text")).to_have_text(["Hidden until a facilitator reviews it."])
    show = log.get_by_role("button", name="Show the hidden message from Bo")
    show.click()
    expect(log.locator(".revealed")).to_have_text("Hidden message: Call me on 555 0100.")
    reports.get_by_role("button", name="Restore the message from Bo").click()
    assert ada.said("restore_message") == {"type": "restore_message", "message_id": "m1"}
    ada.event({"type": "message_change", "message_id": "m1", "change": "restored"})
    expect(log.locator(".text")).to_have_text(["Call me on 555 0100."])
    expect(reports).to_contain_text("Restored: everyone can see it again.")
    log.get_by_role("button", name="Delete message from Bo").click()
    page.get_by_role("dialog", name="Delete this message for everyone?").get_by_role(
        "button", name="Delete"
    ).click()
    assert ada.said("delete_message") == {"type": "delete_message", "message_id": "m1"}
    ada.event({"type": "message_change", "message_id": "m1", "change": "deleted"})
    expect(reports).to_be_hidden()
    expect(log.locator("li")).to_have_text(["Message removed by a facilitator."])
    ada.assert_clean()


# --- accessibility with everything on screen ----------------------------------------------


def busy_facilitator(stage: Stage, viewport: ViewportSize) -> Scripted:
    room = open_meeting(stage.server.url, ["Ada", "Wanderingalongtheriverbankatdusk", "Cy"])
    long = "Wanderingalongtheriverbankatdusk"
    who = people(room, {"Ada": "host", long: "member", "Cy": "member"})
    ada = stage.open(room, "Ada", "host", viewport=viewport)
    wren = {"id": who[long]["id"], "name": long}
    ada.welcome(
        [who["Ada"], who[long]],
        room={
            "slow_mode": 10,
            "facilitated": True,
            "locked": True,
            "announcement": {"text": "A pinned note " * 8, "by": {"id": who["Ada"]["id"], "name": "Ada"}},
            "round": {
                "order": [wren["id"]],
                "turn": wren["id"],
                "turn_ends_at": int(time.time() * 1000) + 60_000,
                "seconds_per_turn": 60,
            },
        },
    )
    ada.push(
        {
            "type": "moderation",
            "muted": [{"user_id": wren["id"], "until": int(time.time() * 1000) + 300_000}],
            "listening": [],
            "waiting": [who["Cy"]],
        }
    )
    ada.message(who[long], "Averylongwordwithoutspacesthatmustwrap" * 3, "m1")
    ada.message(who[long], "Another one.", "m2")
    ada.event({"type": "message_change", "message_id": "m2", "change": "hidden"})
    ada.push({"type": "alert", "user_id": wren["id"]})
    ada.push(
        {
            "type": "reported",
            "message_id": "m1",
            "reason": "harmful",
            "author": wren,
            "text": "Averylongwordwithoutspacesthatmustwrap" * 3,
            "hidden": False,
        }
    )
    ada.push(
        {
            "type": "private_message",
            "sender": wren,
            "member": wren,
            "text": "Hello?",
            "ts": int(time.time() * 1000),
        }
    )
    ada.button(f"Options for {long}").click()
    ada.button("Room controls").click()
    expect(ada.page.get_by_label("Pinned announcement")).to_be_visible()
    return ada


def test_every_moderation_control_is_named_and_fits_at_320_px(stage: Stage) -> None:
    ada = busy_facilitator(stage, PHONE)
    page = ada.page
    no_horizontal_scroll(page, 320)
    buttons = page.get_by_role("button").all()
    assert len(buttons) > 30
    for control in [*buttons, *page.get_by_role("combobox").all(), *page.get_by_role("textbox").all()]:
        if not control.is_visible():
            continue
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None
        inside = box["x"] >= 0 and box["x"] + box["width"] <= 320
        assert inside, f"{control} sticks out at 320 px: {box}"
    # Every field has exactly one label; every button a name.
    for field_ in page.locator("select, textarea, input").all():
        if field_.is_visible():
            assert page.evaluate("(el) => el.labels.length", field_.element_handle()) == 1
    for button in buttons:
        if button.is_visible():
            name = button.evaluate("(el) => el.textContent.trim()")
            assert name, "a button without a name"
    ada.assert_clean()


def test_moderation_text_and_controls_meet_wcag_aa_contrast(stage: Stage) -> None:
    ada = busy_facilitator(stage, DESKTOP)
    problems = low_contrast(
        ada.page,
        [
            ("announcement heading", ".announcement h3"),
            ("announcement", ".announcement-text"),
            ("settings line", ".settings-line span"),
            ("round turn", ".round-turn"),
            ("round timer", ".round-timer"),
            ("round order", ".round-order li"),
            ("held message", ".messages .held .text"),
            ("message tool", ".message-tools .tool"),
            ("support alert", ".support-alert p"),
            ("alert button", ".support-alert button"),
            ("panel heading", ".facilitator-panel h3"),
            ("waiting list", "#waiting-list li span"),
            ("report", ".report p"),
            ("reported text", ".reported-text"),
            ("thread", ".thread .text"),
            ("person options", ".person-toggle"),
            ("person tool", ".person-tools .tool"),
            ("muted badge", ".badge-muted"),
            ("control hint", ".room-controls .hint"),
        ],
    )
    assert not problems, "\n".join(problems)
    ada.assert_clean()
