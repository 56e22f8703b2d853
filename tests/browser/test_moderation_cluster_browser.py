"""Facilitator tools used from the real room page, in real Chromium, against the real engine on
two `hearth serve` processes (PostgreSQL and Redis between them): Fay facilitates on one
process, Bo is a member on the other."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from live import Room, make_facilitator, open_meeting
from playwright.sync_api import Page, expect
from support import Cluster, Server

from browser.conftest import DESKTOP, TIMEOUT_MS
from browser.test_room_browser import CONNECTED, ENDED, Party, Person, party  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


def api(base: str, room: Room, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    cookies = {"hearth_session": room.cookies[who]}
    return httpx.request(method, f"{base}/api/v1{path}", cookies=cookies, headers={"Origin": base}, **kw)


def options(page: Page, name: str) -> None:
    """Open the facilitator's menu for `name` (a toggle: only if it is closed)."""
    toggle = page.get_by_role("button", name=f"Options for {name}")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_a_facilitator_runs_the_meeting_from_the_page_across_two_processes(
    party: Party,  # noqa: F811 (the fixture imported above)
    cluster: Cluster,
) -> None:
    a, b = cluster.servers
    room = open_meeting(a.url, ["Ada", "Fay", "Bo"])
    make_facilitator(a.url, room, "Fay", by="Ada")
    fay = party.join(a, room, "Fay")
    bo = party.join(b, room, "Bo")
    page = fay.page
    bo.say("Hello everyone, first time here.")
    fay.sees("Bo", "Hello everyone, first time here.")

    # Mute Bo for 5 minutes: his composer is disabled with a line saying until when.
    options(page, "Bo")
    page.get_by_label("Mute for Bo").select_option(label="5 minutes")
    page.get_by_role("button", name="Mute Bo").click()
    expect(bo.page.get_by_text(re.compile("A facilitator muted you until"))).to_be_visible()
    expect(bo.composer).to_be_disabled()
    page.get_by_role("button", name="Unmute Bo").first.click()
    expect(bo.composer).to_be_enabled()

    # Facilitated mode: Bo waits for the floor, then shares.
    page.get_by_role("button", name="Room controls").click()
    page.get_by_role("button", name="Facilitated mode").click()
    expect(bo.page.locator("#turn-note")).to_contain_text("Sharing one at a time")
    bo.say("Can I say something?")
    expect(
        bo.page.get_by_text(re.compile("raise your hand and a facilitator will give you the floor"))
    ).to_be_visible()
    options(page, "Bo")
    page.get_by_role("button", name="Give the floor to Bo").click()
    bo.say("Thank you. Honestly I don't want to be here anymore.")
    fay.sees("Bo", "Thank you. Honestly I don't want to be here anymore.")

    # Crisis words: Bo gets the resources privately, Fay an alert without the text.
    expect(bo.page.get_by_role("region", name="You don't have to go through this alone")).to_be_visible()
    expect(bo.page.locator("#resources-list")).to_contain_text("988")
    alert = page.locator("#alerts")
    expect(alert).to_contain_text("Bo may need support.")
    expect(alert).not_to_contain_text("want to be here")

    # Delete the message on every screen; then remove Bo, who is told and does not reconnect.
    expect(fay.log).not_to_contain_text("Can I say something?")  # refused: shown to nobody
    page.get_by_role("button", name="Delete message from Bo").last.click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(bo.log).to_contain_text("Message removed by a facilitator.")
    expect(bo.log).not_to_contain_text("want to be here")
    options(page, "Bo")
    page.get_by_role("button", name="Remove Bo").click()
    page.get_by_role("dialog", name="Remove Bo from this meeting?").get_by_role(
        "button", name="Remove"
    ).click()
    expect(bo.status).to_contain_text("A facilitator removed you from this meeting.")
    expect(fay.log).to_contain_text("A member was removed by a facilitator.")
    sockets = len(bo.sockets)
    bo.page.wait_for_timeout(3000)
    assert len(bo.sockets) == sockets, "a removed member's page must not reconnect"

    # End the meeting for everyone.
    page.get_by_role("button", name="End meeting").click()
    page.get_by_role("dialog", name="End the meeting for everyone?").get_by_role(
        "button", name="End meeting"
    ).click()
    expect(fay.status).to_have_text(ENDED)
    for person in (fay, bo):
        person.assert_clean()


def arrive_waiting(gathering: Party, server: Server, room: Room, name: str) -> Person:
    """`name` opens the room in a browser of their own and lands in the waiting room."""
    context = gathering.browser.new_context(viewport=DESKTOP, locale="en-GB", service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [{"name": "hearth_session", "value": room.cookies[name], "domain": "127.0.0.1", "path": "/"}]
    )
    person = Person(context.new_page(), server, name=name, room=room, context=context)
    gathering.people.append(person)
    person.goto(person.room_path)
    expect(person.page.get_by_role("heading", name="Waiting room")).to_be_visible()
    return person


def test_pins_slow_mode_rounds_private_line_reports_blocks_lock_waiting_room_and_ban(
    party: Party,  # noqa: F811 (the fixture imported above)
    cluster: Cluster,
) -> None:
    a, b = cluster.servers
    room = open_meeting(a.url, ["Ada", "Fay", "Bo", "Cy", "Di"])
    make_facilitator(a.url, room, "Fay", by="Ada")
    fay = party.join(a, room, "Fay")
    bo = party.join(b, room, "Bo")
    cy = party.join(b, room, "Cy")
    page = fay.page
    page.get_by_role("button", name="Room controls").click()

    # A pinned note and slow mode, seen on the other process.
    page.get_by_label("Pinned announcement").fill("We pause at half past.")
    page.get_by_role("button", name="Pin announcement").click()
    expect(bo.page.locator("#announcement-text")).to_have_text("We pause at half past.")
    page.get_by_label("Slow mode").select_option(label="30 seconds")
    page.get_by_role("button", name="Set slow mode").click()
    expect(bo.page.locator("#room-settings")).to_contain_text("Slow mode: one message every 30 seconds")
    page.get_by_label("Slow mode").select_option(label="Off")
    page.get_by_role("button", name="Set slow mode").click()
    expect(bo.page.locator("#room-settings")).not_to_contain_text("Slow mode")

    # A sharing round: Bo first (by id), he passes, Cy's turn.
    page.get_by_role("button", name="Start sharing round").click()
    expect(bo.page.locator("#round-turn")).to_have_text(
        "It's your turn to share. You can pass if you'd rather not."
    )
    expect(cy.page.locator("#round-turn")).to_have_text("It's Bo's turn.")
    bo.page.get_by_role("button", name="Pass").click()
    expect(cy.page.locator("#round-turn")).to_have_text(
        "It's your turn to share. You can pass if you'd rather not."
    )
    cy.say("I'm doing a bit better this week.")
    bo.sees("Cy", "I'm doing a bit better this week.")
    page.get_by_role("button", name="Stop round").click()
    expect(cy.page.locator("#round")).to_be_hidden()
    page.get_by_role("button", name="Facilitated mode").click()  # the round had turned it on

    # The private line: Cy asks, Fay answers; Bo sees neither.
    cy.page.get_by_role("button", name="Talk to a facilitator privately").click()
    cy.page.get_by_label("Message to the facilitators").fill("Could we talk after the meeting?")
    cy.page.get_by_role("button", name="Send privately").click()
    expect(page.get_by_role("article", name="Private line with Cy")).to_contain_text("Could we talk after")
    page.get_by_label("Reply privately to Cy").fill("Of course, stay on after.")
    page.get_by_role("button", name="Send reply").click()
    expect(cy.page.locator("#private-thread")).to_contain_text("Of course, stay on after.")
    expect(bo.page.locator("body")).not_to_contain_text("Could we talk after")

    # Bo reports Cy's message (Fay sees it, with its text, live) and blocks Cy.
    bo.page.get_by_role("button", name="Report message from Cy").click()
    dialog = bo.page.get_by_role("dialog", name="Report a message")
    dialog.get_by_role("radio", name="It's disrespectful or unkind").check()
    dialog.get_by_role("button", name="Send report").click()
    expect(page.locator("body")).to_contain_text("I'm doing a bit better this week.")
    bo.page.get_by_role("button", name="Options for Cy").click()
    bo.page.get_by_role("button", name="Block Cy").click()
    bo.page.get_by_role("dialog", name="Block Cy?").get_by_role("button", name="Block").click()
    options(bo.page, "Cy")
    expect(bo.page.get_by_role("button", name="Unblock Cy")).to_be_visible()  # the server confirmed
    cy.say("Bo will not see this one.")
    fay.sees("Cy", "Bo will not see this one.")
    expect(bo.log).not_to_contain_text("Bo will not see this one.")

    # Lock: Di cannot come in and is told why; unlock; then a waiting room for newcomers.
    page.get_by_role("button", name="Lock the room").click()
    expect(bo.page.locator("#room-settings")).to_contain_text("locked")
    visit = party.browser.new_context(viewport=DESKTOP, locale="en-GB", service_workers="block")
    visit.add_cookies(
        [{"name": "hearth_session", "value": room.cookies["Di"], "domain": "127.0.0.1", "path": "/"}]
    )
    di_page = visit.new_page()
    di_page.goto(f"{b.url}/meetings/{room.meeting_id}")
    expect(di_page.locator("#connection")).to_contain_text("This room is locked right now")
    visit.close()
    page.get_by_role("button", name="Unlock the room").click()
    rules = api(a.url, room, "Ada", "GET", f"/groups/{room.group_id}/rules").json()
    put = api(
        a.url, room, "Ada", "PUT", f"/groups/{room.group_id}/rules", json={**rules, "waiting_room": True}
    )
    assert put.status_code == 200, put.text
    di = arrive_waiting(party, b, room, "Di")
    page.get_by_role("button", name="Admit Di").click()
    expect(di.status).to_have_text(CONNECTED)
    expect(bo.people.filter(has_text="Di")).to_have_count(1)  # in the room, seen on the other process

    # Ban Cy: closed, told, and listed on the group's bans.
    options(page, "Cy")
    page.get_by_role("button", name="Ban Cy").click()
    page.get_by_role("dialog", name="Ban Cy from this group?").get_by_role("button", name="Ban").click()
    expect(cy.status).to_contain_text("A facilitator removed you from this group")
    bans = api(a.url, room, "Fay", "GET", f"/groups/{room.group_id}/bans").json()["bans"]
    assert [entry["user"]["name"] for entry in bans] == ["Cy"]
    for person in (fay, bo, cy, di):
        person.assert_clean()
