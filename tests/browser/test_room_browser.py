"""The live room in a real Chromium, used as members would: by label, role and keyboard.

Each person is a fresh browser context logged in with the session cookie `live.open_meeting`
made for them, so they share nothing but the server. The cluster tests put two people on two
`hearth serve` processes (PostgreSQL and Redis between them); the rest use one `server`.

Confidentiality is the rule under test: messages live in the page's memory only. The canary
test hunts for one phrase in every place a browser can keep or leak text.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from live import Room, open_meeting
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Request,
    ViewportSize,
    WebSocket,
    WebSocketRoute,
    expect,
)
from playwright.sync_api import Error as PlaywrightError
from support import Cluster, Server, start_server

from browser.conftest import DESKTOP, TIMEOUT_MS, Visit
from browser.test_accounts_browser import FOCUS_RING_JS, focused, low_contrast, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CONNECTED = "Connected. You're in the room."
LOST = "Connection lost. Reconnecting…"
ENDED = "This meeting has ended. Thank you for being here."

# --- reading the page ---------------------------------------------------------------------

# Everything in the message list, top to bottom: delivered messages, drafts still sending, notes.
LOG_JS = """() => [...document.querySelectorAll('#messages > li')].map((li) => {
  const is = (name) => li.classList.contains(name);
  const kind = is('pending') ? 'pending' : is('message') ? 'message' : 'note';
  if (kind !== 'message') return {kind, author: null, text: li.textContent};
  const author = li.querySelector('.meta strong').textContent;
  return {kind, author, text: li.querySelector('.text').textContent};
})"""

SAID_JS = """([author, text]) => [...document.querySelectorAll('#messages > li.message:not(.pending)')].some(
  (li) => li.querySelector('.meta strong').textContent === author
    && li.querySelector('.text').textContent === text)"""

# Every place a page can keep text for later: web storage, IndexedDB (every record of every
# store of every database), the Cache API (every cached body), OPFS, cookies, the URL, window.name
# and the history entry's state.
STORAGE_JS = """async () => {
  const pairs = (store) => Object.fromEntries(
    [...Array(store.length).keys()].map((i) => [store.key(i), store.getItem(store.key(i))]));
  const ask = (req) => new Promise((ok, fail) => {
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
  const out = {
    localStorage: pairs(localStorage), sessionStorage: pairs(sessionStorage),
    indexedDB: [], caches: [], opfs: [], cookie: document.cookie, href: location.href,
    name: window.name, historyState: JSON.stringify(history.state),
  };
  for (const {name} of await indexedDB.databases()) {
    const db = await ask(indexedDB.open(name));
    for (const store of db.objectStoreNames) {
      const os = db.transaction(store, 'readonly').objectStore(store);
      out.indexedDB.push({db: name, store, keys: JSON.stringify(await ask(os.getAllKeys())),
                          values: JSON.stringify(await ask(os.getAll()))});
    }
    db.close();
  }
  for (const key of await caches.keys()) {
    const cache = await caches.open(key);
    for (const req of await cache.keys()) {
      out.caches.push({cache: key, url: req.url, body: await (await cache.match(req)).text()});
    }
  }
  const walk = async (dir, path) => {
    for await (const [name, handle] of dir.entries()) {
      if (handle.kind === 'directory') await walk(handle, `${path}${name}/`);
      else out.opfs.push({path: path + name, body: await (await handle.getFile()).text()});
    }
  };
  await walk(await navigator.storage.getDirectory(), '/');
  return out;
}"""

# Records every draft ("… (sending…)") put into the list, to prove the draft was shown and replaced.
WATCH_DRAFTS_JS = """() => {
  window.__drafts = [];
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes)
      if (node.classList && node.classList.contains('pending')) window.__drafts.push(node.textContent);
  }).observe(document.getElementById('messages'), {childList: true});
}"""

# Records every text the connection status shows from now on.
WATCH_STATUS_JS = """() => {
  const el = document.getElementById('connection');
  window.__statuses = [el.textContent];
  new MutationObserver(() => window.__statuses.push(el.textContent))
    .observe(el, {childList: true, characterData: true, subtree: true});
}"""


# --- people in the room ---------------------------------------------------------------------


@dataclass
class Person(Visit):
    """One member in their own browser context, on one server of the meeting."""

    name: str = ""
    room: Room | None = None
    context: BrowserContext | None = None
    sockets: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)

    @property
    def room_path(self) -> str:
        assert self.room is not None
        return f"/meetings/{self.room.meeting_id}"

    @property
    def status(self) -> Locator:
        return self.page.locator("#connection")

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log", name="Messages")

    @property
    def composer(self) -> Locator:
        return self.page.get_by_label("Your message")

    @property
    def people(self) -> Locator:
        return self.page.locator("#people > li")

    def enter(self) -> None:
        self.goto(self.room_path)
        expect(self.status).to_have_text(CONNECTED)

    def say(self, text: str) -> None:
        self.composer.fill(text)
        self.composer.press("Enter")

    def entries(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.page.evaluate(LOG_JS)
        return result

    def conversation(self) -> list[tuple[str, str]]:
        """Delivered messages, top to bottom, as (author, text)."""
        return [(e["author"], e["text"]) for e in self.entries() if e["kind"] == "message"]

    def notes(self) -> list[str]:
        return [e["text"] for e in self.entries() if e["kind"] == "note"]

    def sees(self, author: str, text: str) -> None:
        """Wait until a delivered message by `author` with exactly `text` is in the list."""
        try:
            self.page.wait_for_function(SAID_JS, arg=[author, text], timeout=TIMEOUT_MS)
        except PlaywrightError:
            pytest.fail(f"{self.name} never saw {author}: {text!r}; the list is {self.entries()}")

    def message(self, text: str) -> Locator:
        """The delivered message whose text contains `text`."""
        return self.log.locator("li.message:not(.pending)").filter(
            has=self.page.locator(".text", has_text=text)
        )

    def storage(self) -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(STORAGE_JS)
        return result

    def addresses(self) -> list[str]:
        return [*self.requests, *self.sockets, *self.navigations]

    def foreign_requests(self) -> list[str]:
        return super().foreign_requests() + [
            url for url in self.sockets if not url.startswith(self.server.url.replace("http", "ws", 1) + "/")
        ]


@dataclass
class Party:
    """Opens people's browser contexts; closes them all at the end of the test."""

    browser: Browser
    people: list[Person] = field(default_factory=list)

    def join(self, server: Server, room: Room, name: str, *, viewport: ViewportSize = DESKTOP) -> Person:
        """`name` opens the room on `server` in a browser context of their own."""
        context = self.browser.new_context(viewport=viewport, locale="en-GB", service_workers="block")
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies(
            [
                {
                    "name": "hearth_session",
                    "value": room.cookies[name],
                    "domain": "127.0.0.1",
                    "path": "/",
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
        page = context.new_page()
        person = Person(page, server, name=name, room=room, context=context)
        self.people.append(person)

        def on_request(request: Request) -> None:
            person.requests.append(request.url)

        def on_socket(socket: WebSocket) -> None:
            person.sockets.append(socket.url)

        context.on("request", on_request)
        page.on("websocket", on_socket)
        page.on("framenavigated", lambda frame: person.navigations.append(frame.url))
        page.on("console", lambda m: person.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: person.page_errors.append(str(exc)))
        person.enter()
        return person


@pytest.fixture
def party(browser: Browser) -> Iterator[Party]:
    gathering = Party(browser)
    yield gathering
    for person in gathering.people:
        assert person.context is not None
        person.context.close()


def names_in_room(*expected: str) -> list[re.Pattern[str]]:
    """The member list's items, each starting with its name (then "(you)", a role badge…)."""
    return [re.compile(rf"^{re.escape(n)}\b") for n in expected]


def end_meeting(server: Server, room: Room, host: str) -> None:
    r = httpx.post(
        f"{server.url}/api/v1/meetings/{room.meeting_id}/end",
        cookies={"hearth_session": room.cookies[host]},
        headers={"origin": server.url},
    )
    assert r.status_code == 200, r.text


# --- 1. two members on two processes --------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_members_on_two_processes_talk_raise_hands_and_react(party: Party, cluster: Cluster) -> None:
    room = open_meeting(cluster.a.url, ["Ada", "Bo"])
    ada = party.join(cluster.a, room, "Ada")
    bo = party.join(cluster.b, room, "Bo")
    for person in (ada, bo):
        expect(person.people).to_have_text(names_in_room("Ada", "Bo"))
        expect(person.page.get_by_role("heading", name="In the room (2)")).to_be_visible()
    expect(ada.people.filter(has_text="Bo")).not_to_contain_text("reconnecting")

    # Ada types and presses Enter: her draft shows as sending, then is replaced by the real one.
    ada.page.evaluate(WATCH_DRAFTS_JS)
    first = "Hello everyone, it has been a long week."
    ada.composer.press_sequentially(first)
    ada.composer.press("Enter")
    bo.sees("Ada", first)
    ada.sees("Ada", first)
    assert ada.page.evaluate("window.__drafts") == [f"{first} (sending…)"]
    expect(ada.log.locator(".pending")).to_have_count(0)
    assert ada.conversation() == [("Ada", first)], "Ada's message is shown once"
    expect(ada.composer).to_have_value("")

    reply = "Thank you for saying that, Ada."
    bo.say(reply)
    ada.sees("Bo", reply)
    bo.sees("Bo", reply)
    for person in (ada, bo):
        assert person.conversation() == [("Ada", first), ("Bo", reply)]
        expect(person.message(reply).locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))

    # Bo raises a hand: Ada sees it queued; Bo's button becomes a pressed "Lower hand".
    expect(ada.page.get_by_text("No hands raised.")).to_be_visible()
    bo.page.get_by_role("button", name="Raise hand").click()
    expect(ada.page.locator("#hands > li")).to_have_text(["Bo"])
    expect(ada.page.get_by_text("No hands raised.")).to_be_hidden()
    lower = bo.page.get_by_role("button", name="Lower hand")
    expect(lower).to_have_attribute("aria-pressed", "true")
    expect(bo.page.get_by_role("button", name="Lower hand", pressed=True)).to_be_visible()
    expect(bo.page.locator("#hands > li")).to_have_text(["Bo"])

    # Ada reacts to Bo's message; then Bo too. Both see the count go 1, then 2.
    me_too = re.compile(r"^Me too \(to Bo\)")
    ada.message(reply).get_by_role("button", name=me_too).click()
    for person in (ada, bo):
        button = person.message(reply).get_by_role("button", name=me_too)
        expect(button).to_have_accessible_name("Me too (to Bo), 1")
        expect(button.locator(".count")).to_have_text("1")
    bo.message(reply).get_by_role("button", name=me_too).click()
    for person in (ada, bo):
        button = person.message(reply).get_by_role("button", name=me_too)
        expect(button).to_have_accessible_name("Me too (to Bo), 2")
        expect(button.locator(".count")).to_have_text("2")
        # only that reaction on that message changed
        expect(person.message(first).locator(".count").filter(has_text=re.compile(r"\d"))).to_have_count(0)
        expect(person.message(reply).locator(".count").filter(has_text=re.compile(r"\d"))).to_have_count(1)

    lower.click()
    expect(ada.page.get_by_text("No hands raised.")).to_be_visible()
    expect(bo.page.get_by_role("button", name="Raise hand")).to_have_attribute("aria-pressed", "false")
    for person in (ada, bo):
        person.assert_clean()


# --- 2. a reload mid-meeting --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_a_reload_mid_meeting_keeps_the_conversation_and_the_place_in_the_room(
    party: Party, cluster: Cluster
) -> None:
    room = open_meeting(cluster.a.url, ["Ada", "Bo"])
    ada = party.join(cluster.a, room, "Ada")
    bo = party.join(cluster.b, room, "Bo")
    said = [("Ada", "First, a hello."), ("Bo", "Hello back."), ("Ada", "How was today?")]
    for (author, text), (speaker, listener) in zip(said, [(ada, bo), (bo, ada), (ada, bo)], strict=True):
        speaker.say(text)
        listener.sees(author, text)
    bo.page.get_by_role("button", name="Raise hand").click()
    expect(ada.page.locator("#hands > li")).to_have_text(["Bo"])
    assert bo.conversation() == said

    bo.page.evaluate("window.__before_reload = true")
    bo.page.reload()
    expect(bo.status).to_have_text(CONNECTED)
    assert bo.page.evaluate("window.__before_reload") is None  # a new page, not the old one
    bo.sees(*said[-1])
    # Anything the replay sent twice would arrive before a newer message on the same socket.
    ada.say("Glad you are still here.")
    said.append(("Ada", "Glad you are still here."))
    bo.sees(*said[-1])
    assert bo.conversation() == said, "Bo's list after the reload: the same conversation, in order, once"
    expect(bo.log.locator(".pending")).to_have_count(0)
    assert "Bo is reconnecting…" not in bo.notes(), "Bo is not told Bo is reconnecting"
    expect(bo.composer).to_be_enabled()
    # Bo's place in the room survived: the hand is still up, on both pages.
    expect(bo.page.get_by_role("button", name="Lower hand", pressed=True)).to_be_visible()
    expect(ada.page.locator("#hands > li")).to_have_text(["Bo"])

    # Ada was told Bo dropped and came back, and now sees Bo present again.
    notes = ada.notes()
    assert any(n in ("Bo is reconnecting…", "Bo is back.") for n in notes), notes
    expect(ada.people).to_have_text(names_in_room("Ada", "Bo"))
    expect(ada.people.filter(has_text="Bo")).not_to_contain_text("reconnecting")
    expect(bo.people).to_have_text(names_in_room("Ada", "Bo"))
    expect(bo.people.filter(has_text="Bo")).not_to_contain_text("reconnecting")

    bo.say("Still here, thank you.")
    said.append(("Bo", "Still here, thank you."))
    ada.sees(*said[-1])
    bo.sees(*said[-1])
    assert ada.conversation() == said
    assert bo.conversation() == said
    for person in (ada, bo):
        person.assert_clean()


# --- 3. leaving ---------------------------------------------------------------------------


def test_leave_clears_the_page_and_nothing_comes_back_but_the_servers_replay(
    party: Party, server: Server
) -> None:
    room = open_meeting(server.url, ["Ada", "Bo"])
    ada = party.join(server, room, "Ada")
    bo = party.join(server, room, "Bo")
    said = [("Ada", "Something I have not told anyone."), ("Bo", "Thank you for trusting us.")]
    ada.say(said[0][1])
    bo.sees(*said[0])
    bo.say(said[1][1])
    ada.sees(*said[1])
    bo.composer.fill("A draft Bo never sent")
    bo.page.evaluate("window.__in_the_room = true")

    # What the page still holds once Leave has done its work and the page is on its way out
    # (what a back/forward cache would keep): a listener added after the page's own tells us.
    bo.page.evaluate(
        "document.getElementById('leave-button').addEventListener('click', () => console.log("
        "`left behind: ${document.querySelectorAll('#messages > li').length} items`))"
    )
    with bo.page.expect_console_message(lambda m: m.text.startswith("left behind:")) as left_behind:
        bo.page.get_by_role("button", name="Leave").click()
    assert left_behind.value.text == "left behind: 0 items", "Leave must empty the list"
    expect(bo.page).to_have_url(f"{server.url}/groups/{room.group_id}")

    expect(bo.page.get_by_role("heading", name="Evening circle")).to_be_visible()
    for _, text in said:
        expect(bo.page.locator("body")).not_to_contain_text(text)
    expect(ada.people).to_have_text(names_in_room("Ada"))
    assert ada.notes()[-1] == "Bo left."

    # Back, and then the address again, with the room's socket held silent: whatever the list
    # shows now can only have come from the browser (page memory, the back/forward cache, storage).
    silent: list[str] = []
    relay = False

    def room_socket(ws: WebSocketRoute) -> None:
        if relay:
            ws.connect_to_server()  # passes everything through, both ways
        else:
            silent.append(ws.url)  # accepted, and then never a word

    bo.page.route_web_socket(re.compile(r"/ws/meetings/"), room_socket)
    for arrive in (bo.page.go_back, lambda: bo.goto(bo.room_path)):
        arrive()
        expect(bo.page).to_have_url(server.url + bo.room_path)
        expect(bo.status).to_have_text("Connecting…")
        bo.page.wait_for_timeout(300)  # ample time for anything restored to be drawn
        assert bo.page.evaluate("window.__in_the_room") is None, "the old page was restored"
        expect(bo.page.locator("#messages > li")).to_have_count(0)
        expect(bo.composer).to_have_value("")
        expect(bo.composer).to_be_disabled()
    assert len(silent) == 2

    storage = json.dumps(bo.storage())
    for _, text in [*said, ("Bo", "A draft Bo never sent")]:
        assert text not in storage

    # A real load: the server replays what Bo saw since first entering (expected), once each.
    relay = True
    bo.page.reload()
    expect(bo.status).to_have_text(CONNECTED)
    bo.sees(*said[-1])
    ada.say("Welcome back, Bo.")
    bo.sees("Ada", "Welcome back, Bo.")
    assert bo.conversation() == [*said, ("Ada", "Welcome back, Bo.")]
    for person in (ada, bo):
        person.assert_clean()


# --- 4. the storage canary ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_a_canary_phrase_is_kept_nowhere_in_any_browser(party: Party, cluster: Cluster) -> None:
    canary = f"CANARY-owl-7f3a-{secrets.token_hex(6)}"
    room = open_meeting(cluster.a.url, ["Ada", "Bo", "Cy"])
    ada = party.join(cluster.a, room, "Ada")
    bo = party.join(cluster.b, room, "Bo")
    cy = party.join(cluster.b, room, "Cy")
    share = f"The word my counsellor gave me is {canary}."
    ada.say(share)
    for person in (ada, bo, cy):
        person.sees("Ada", share)
    bo.message(share).get_by_role("button", name=re.compile(r"^Hug \(to Ada\)")).click()
    reply = f"{canary} is a good word to keep."
    bo.say(reply)
    ada.sees("Bo", reply)
    cy.sees("Bo", reply)

    # Bo reloads with the canary typed but unsent; Cy leaves; then the host ends the meeting.
    bo.composer.fill(f"draft: {canary}")
    bo.page.reload()
    expect(bo.status).to_have_text(CONNECTED)
    bo.sees("Bo", reply)
    expect(bo.composer).to_have_value("")
    cy.page.get_by_role("button", name="Leave").click()
    expect(cy.page).to_have_url(f"{cluster.b.url}/groups/{room.group_id}")
    end_meeting(cluster.a, room, "Ada")
    for person in (ada, bo):
        expect(person.status).to_have_text(ENDED)
        expect(person.composer).to_be_disabled()

    for person in (ada, bo, cy):
        kept = json.dumps(person.storage(), ensure_ascii=False)
        assert canary not in kept, f"{person.name}'s page kept the canary: {kept}"
        assert person.context is not None
        state = json.dumps(person.context.storage_state(indexed_db=True), ensure_ascii=False)
        assert canary not in state, f"{person.name}'s browser context kept the canary: {state}"
        assert person.requests, "the recording works"
        assert person.sockets, "the recording works"
        leaked = [url for url in person.addresses() if canary in url]
        assert leaked == [], f"{person.name}'s browser put the canary in a URL"
        person.assert_clean()
    for server in cluster.servers:
        assert canary not in server.log(), "a server logged chat text"


# --- 5. a late arrival ----------------------------------------------------------------------


def test_a_late_arrival_never_sees_earlier_shares(party: Party, server: Server) -> None:
    room = open_meeting(server.url, ["Ada", "Bo", "Cy"])
    ada = party.join(server, room, "Ada")
    bo = party.join(server, room, "Bo")
    early = "Before Cy came: something only Ada and Bo heard."
    ada.say(early)
    bo.sees("Ada", early)

    cy = party.join(server, room, "Cy")
    expect(cy.people).to_have_text(names_in_room("Ada", "Bo", "Cy"))
    later = "Welcome, Cy."
    bo.say(later)
    cy.sees("Bo", later)
    ada.sees("Bo", later)
    assert cy.conversation() == [("Bo", later)]
    expect(cy.page.locator("body")).not_to_contain_text(early)
    assert ada.conversation() == bo.conversation() == [("Ada", early), ("Bo", later)]

    cy.page.reload()  # a fresh page asks for everything: still nothing from before Cy came
    expect(cy.status).to_have_text(CONNECTED)
    cy.sees("Bo", later)
    ada.say("And one more.")
    cy.sees("Ada", "And one more.")
    assert cy.conversation() == [("Bo", later), ("Ada", "And one more.")]
    expect(cy.page.locator("body")).not_to_contain_text(early)
    for person in (ada, bo, cy):
        person.assert_clean()


# --- 6. accessibility -----------------------------------------------------------------------

# A focusable element as Chromium's accessibility tree has it: role and accessible name.
ROLE_NAME = re.compile(r'^- (?P<role>[\w-]+)(?: "(?P<name>(?:[^"\\]|\\.)*)")?')

FOCUSABLE_JS = """() => [...document.querySelectorAll(
  'a[href], button:not(:disabled), textarea:not(:disabled), input:not(:disabled), select, [tabindex]')]
  .filter((el) => el.tabIndex >= 0 && el.getClientRects().length).length"""


def role_and_name(locator: Locator) -> tuple[str, str]:
    match = ROLE_NAME.match(locator.aria_snapshot())
    assert match, locator.aria_snapshot()
    return match["role"], match["name"] or ""


def test_the_room_works_by_keyboard_alone_with_names_and_visible_focus(party: Party, server: Server) -> None:
    room = open_meeting(server.url, ["Ada", "Bo"])
    ada = party.join(server, room, "Ada")
    bo = party.join(server, room, "Bo")
    bo.say("Hello from Bo.")
    ada.sees("Bo", "Hello from Bo.")
    log = ada.log
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_have_attribute("aria-relevant", "additions")
    expect(ada.composer).to_have_accessible_description(
        "Enter sends, Shift+Enter adds a new line. What you write is not saved. 0 / 2000"
    )

    # Tab from the top of a fresh page through everything, once.
    page = ada.page
    page.reload()
    expect(ada.status).to_have_text(CONNECTED)
    ada.sees("Bo", "Hello from Bo.")
    expected = [
        ("link", "Skip to main content"),
        ("link", "Hearth"),
        ("link", "Find a group"),
        ("link", "Groups"),
        ("link", "My meetings"),
        ("link", "Ada"),
        ("button", "Log out"),
        ("link", "Need help now?"),
        ("button", "Guidelines"),
        ("button", "Just listening today"),
        ("button", "Raise hand"),
        ("button", "Leave"),
        ("log", "Messages"),  # focusable so it can be scrolled with the keyboard
        *[
            ("button", f"{label} (to Bo)")
            for label in ("Send love", "Me too", "Thank you", "Hug", "Strength")
        ],
        ("button", "Delete message from Bo"),  # Ada is an admin: facilitator tools are hers
        ("textbox", "Your message"),
        ("button", "Send"),
        ("button", "Room controls"),
        ("button", "Options for Bo"),
        ("link", "Crisis resources"),
    ]
    got = []
    for role, name in expected:
        page.keyboard.press("Tab")
        here = page.locator(":focus")
        got.append(role_and_name(here))
        assert got[-1][1].strip(), f"{got[-1][0]} #{len(got)} has no accessible name"
        if got[-1] != (role, name):
            break
        el = focused(page)
        assert el["outlineStyle"] != "none", f"no focus outline on {name!r}"
        assert el["outlineWidth"] >= 2, f"focus outline on {name!r} is too thin"
        ring = page.evaluate(FOCUS_RING_JS)
        assert ring >= 3, f"focus ring around {name!r} has contrast {ring:.2f}:1"
        expect(here).to_be_in_viewport()
    assert got == expected
    assert page.evaluate(FOCUSABLE_JS) == len(expected), "a control the Tab key never reached"

    # Write with the keyboard only: Shift+Tab back to the message box, type, Shift+Enter, Enter.
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
    expect(ada.composer).to_be_focused()
    page.keyboard.type("First line")
    expect(page.locator("#message-count")).to_have_text("10 / 2000")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("and the second.")
    expect(ada.composer).to_have_value("First line\nand the second.")
    expect(page.locator("#message-count")).to_have_text("26 / 2000")
    page.keyboard.press("Enter")
    bo.sees("Ada", "First line\nand the second.")
    ada.sees("Ada", "First line\nand the second.")
    expect(ada.composer).to_have_value("")
    expect(ada.composer).to_be_focused()
    expect(page.locator("#message-count")).to_have_text("0 / 2000")
    # New messages are added inside the log, where the live region announces them.
    expect(bo.log.locator("li.message").last.locator(".text")).to_have_text("First line\nand the second.")
    box = bo.log.locator("li.message").last.locator(".text").bounding_box()
    assert box is not None
    assert box["height"] > 30, "the new line is shown as a line break"

    # The counter follows the text up to the limit, and the limit holds for typing.
    ada.composer.fill("x" * 2000)
    expect(page.locator("#message-count")).to_have_text("2000 / 2000")
    page.keyboard.type("y")
    expect(ada.composer).to_have_value("x" * 2000)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    expect(page.locator("#message-count")).to_have_text("0 / 2000")
    page.keyboard.press("Enter")
    expect(ada.log.locator(".pending")).to_have_count(0)  # an empty box sends nothing
    for person in (ada, bo):
        person.assert_clean()


LONG_NAME = "Wanderingalongtheriverbankatdusk"
PHONE: ViewportSize = {"width": 320, "height": 640}


def test_the_room_is_usable_at_320_px_without_sideways_scrolling(party: Party, server: Server) -> None:
    room = open_meeting(server.url, ["Ada", LONG_NAME])
    ada = party.join(server, room, "Ada", viewport=PHONE)
    wren = party.join(server, room, LONG_NAME, viewport=PHONE)
    wren.say("Averylongwordwithoutanyspacesthatmustwrapratherthanpushthepagesideways" * 2)
    ada.say("A short reply.")
    wren.page.get_by_role("button", name="Raise hand").click()
    expect(ada.page.locator("#hands > li")).to_have_text([LONG_NAME])
    for person in (ada, wren):
        person.sees("Ada", "A short reply.")
        page = person.page
        no_horizontal_scroll(page, 320)
        for control in [
            page.get_by_role("button", name=re.compile("^(Raise|Lower) hand$")),
            page.get_by_role("button", name="Leave"),
            page.get_by_role("link", name="Need help now?"),
            *person.log.get_by_role("button").all(),
            person.composer,
            page.get_by_role("button", name="Send", exact=True),
        ]:
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box is not None
            inside = box["x"] >= 0 and box["x"] + box["width"] <= 320
            assert inside, f"{role_and_name(control)} sticks out at 320 px: {box}"
        expect(person.log).to_be_visible()
        person.assert_clean()
    # and the keyboard still writes on a phone-sized page
    ada.composer.focus()
    ada.page.keyboard.type("Typed at 320 px.")
    ada.page.keyboard.press("Enter")
    wren.sees("Ada", "Typed at 320 px.")
    no_horizontal_scroll(wren.page, 320)


def test_text_names_times_reactions_and_buttons_meet_wcag_aa_contrast(party: Party, server: Server) -> None:
    room = open_meeting(server.url, ["Ada", "Bo", "Cy"])
    ada = party.join(server, room, "Ada")
    bo = party.join(server, room, "Bo")
    bo.say("Something to react to.")
    ada.sees("Bo", "Something to react to.")
    ada.message("Something to react to.").get_by_role("button", name=re.compile(r"^Thank you")).click()
    bo.page.get_by_role("button", name="Raise hand").click()
    cy = party.join(server, room, "Cy")
    cy.page.get_by_role("button", name="Leave").click()  # a note in Ada's list: "Cy left."
    expect(ada.log.locator(".system").last).to_have_text("Cy left.")
    expect(ada.page.locator("#hands > li")).to_have_text(["Bo"])
    expect(ada.message("Something to react to.").locator(".count").filter(has_text="1")).to_have_count(1)
    problems = low_contrast(
        ada.page,
        [
            ("room title", "#room-title"),
            ("group line", ".room-head p"),
            ("connection status", "#connection"),
            ("listening note", ".listening-note"),
            ("message text", ".messages .text"),
            ("author name", ".messages .meta strong"),
            ("timestamp", ".messages .meta time"),
            ("note", ".messages .system"),
            ("reaction", "button.reaction"),
            ("reaction count", "button.reaction .count:not(:empty)"),
            ("hand button", "#hand-button"),
            ("leave button", "#leave-button"),
            ("send button", "#send-button"),
            ("composer label", ".composer label"),
            ("hint", "#message-hint"),
            ("counter", "#message-count"),
            ("typed text", "#message-text"),
            ("side heading", ".room-side h2"),
            ("hand queue", "#hands li"),
            ("floor", "#floor"),
            ("people", "#people li"),
            ("role badge", ".badge"),
        ],
    )
    assert not problems, "\n".join(problems)
    for person in (ada, bo):
        person.assert_clean()


# --- 7. losing the connection ---------------------------------------------------------------


def test_losing_the_server_shows_a_calm_status_and_disables_the_composer(
    party: Party, server: Server, tmp_path: Path
) -> None:
    room = open_meeting(server.url, ["Ada", "Bo"])
    ada = party.join(server, room, "Ada")
    bo = party.join(server, room, "Bo")
    bo.say("Before the lights went out.")
    ada.sees("Bo", "Before the lights went out.")
    ada.composer.fill("half a thought")
    ada.page.evaluate(WATCH_STATUS_JS)

    server.process.kill()
    server.process.wait()
    status = ada.page.get_by_role("status").filter(has_text="Connection")
    expect(status).to_have_text(LOST)
    expect(status).to_have_attribute("id", "connection")
    for control in (
        ada.composer,
        ada.page.get_by_role("button", name="Send", exact=True),
        ada.page.get_by_role("button", name="Raise hand"),
        *ada.log.get_by_role("button").all(),  # reactions could not be sent either
    ):
        expect(control).to_be_disabled()
    expect(ada.composer).to_have_value("half a thought")  # what was being typed is not thrown away
    assert ada.conversation() == [("Bo", "Before the lights went out.")]  # nor is the conversation
    expect(ada.page.get_by_role("alert")).to_have_count(0)
    # Calm: it says so once and keeps saying the same thing while it retries (no countdown,
    # no flicker between wordings for a screen reader to repeat).
    ada.page.wait_for_timeout(2500)  # the first retries come after 0.5 to 2 s
    assert ada.page.evaluate("window.__statuses") == [CONNECTED, LOST]
    expect(bo.status).to_have_text(LOST)

    # The server comes back on the same address and database: both pages find their way back
    # on their own, with the conversation and the unsent draft still there.
    again = start_server(tmp_path, port=int(server.url.rsplit(":", 1)[1]))  # same data dir
    try:
        for person in (ada, bo):
            expect(person.status).to_have_text(CONNECTED, timeout=20_000)
        expect(ada.composer).to_have_value("half a thought")
        ada.composer.press("Enter")
        bo.sees("Ada", "half a thought")
        assert (
            ada.conversation()
            == bo.conversation()
            == [
                ("Bo", "Before the lights went out."),
                ("Ada", "half a thought"),
            ]
        )
    finally:
        again.stop()
    for person in (ada, bo):
        person.assert_clean()
