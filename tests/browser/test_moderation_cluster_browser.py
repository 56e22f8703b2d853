"""Facilitator tools used from the real room page, in real Chromium, against the real engine on
two `hearth serve` processes (PostgreSQL and Redis between them): Fay facilitates on one
process, Bo is a member on the other."""

from __future__ import annotations

import re

import pytest
from live import make_facilitator, open_meeting
from playwright.sync_api import Page, expect
from support import Cluster

from browser.test_room_browser import ENDED, Party, party  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


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
