"""Moderation across two real `hearth serve` processes (PostgreSQL + Redis): the facilitator on
one process, the members on the other, so every action must cross between them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from live import Member, Room, make_facilitator, open_meeting, refused
from support import Cluster

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

ACROSS = 1.0  # seconds: every action takes effect on every process within this


def setup(cluster: Cluster, names: list[str]) -> Room:
    room = open_meeting(cluster.a.url, ["Ada", "Fay", *names])
    make_facilitator(cluster.a.url, room, "Fay", by="Ada")
    return room


def api(base: str, room: Room, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.request(
        method,
        f"{base}/api/v1{path}",
        cookies={"hearth_session": room.cookies[who]},
        headers={"Origin": base},
        **kw,
    )


async def test_mute_slow_mode_facilitated_mode_floor_delete_and_pin_cross_processes(cluster: Cluster) -> None:
    a, b = cluster.servers
    room = await asyncio.to_thread(setup, cluster, ["Bo", "Cy"])
    bo_id, cy_id = room.ids["Bo"], room.ids["Cy"]
    async with (
        Member.join(a.url, room, "Fay") as fay,
        Member.join(b.url, room, "Bo") as bo,
        Member.join(b.url, room, "Cy") as cy,
    ):
        assert fay.frames[0]["you"]["role"] == "facilitator"
        assert any(f["type"] == "moderation" for f in fay.frames)  # facilitators get the marks view

        # mute: the member is told at once, on the other process, and sees for how long
        started = time.monotonic()
        await fay.send(type="mute", user_id=bo_id, minutes=5)
        muted = await bo.expect("muted", within=ACROSS)
        assert time.monotonic() - started < ACROSS
        assert muted["until"] > time.time() * 1000 + 4 * 60_000
        await bo.send(type="say", text="can I still talk", client_id="m1")
        refusal = await bo.expect("error", code="muted")
        assert refusal["client_id"] == "m1"
        assert refusal["until"] == muted["until"]
        await bo.send(type="raise_hand")  # a muted member can still raise a hand and react
        assert (await cy.expect("hand"))["hands"] == [bo_id]
        view = await fay.expect("moderation")
        assert view["muted"] == [{"user_id": bo_id, "until": muted["until"]}]
        await fay.send(type="unmute", user_id=bo_id)
        await bo.expect("unmuted", within=ACROSS)
        await bo.send(type="say", text="thank you for having me", client_id="m2")
        assert (await cy.expect("message"))["text"] == "thank you for having me"

        # a member cannot use facilitator tools; a facilitator cannot act on the platform admin
        await cy.send(type="mute", user_id=bo_id)
        assert (await cy.expect("error"))["code"] == "forbidden"
        await fay.send(type="mute", user_id=room.ids["Ada"])
        assert (await fay.expect("error"))["code"] in ("forbidden", "not_found")  # Ada is not even here

        # slow mode, seen by everyone, enforced for members
        await fay.send(type="slow_mode", seconds=30)
        assert (await cy.expect("settings", within=ACROSS))["slow_mode"] == 30
        await cy.send(type="say", text="first under slow mode", client_id="s1")
        await cy.expect("message", text="first under slow mode")
        await cy.send(type="say", text="second too soon", client_id="s2")
        slow = await cy.expect("error", code="slow_mode")
        assert 25 <= slow["retry_after"] <= 30
        assert slow["client_id"] == "s2"
        await fay.send(type="slow_mode", seconds=0)
        await cy.expect("settings", slow_mode=0)

        # facilitated mode: only the floor holder (and facilitators) may speak
        await fay.send(type="facilitated_mode", on=True)
        await bo.expect("settings", facilitated=True, within=ACROSS)
        await bo.send(type="say", text="may I share now", client_id="f1")
        assert (await bo.expect("error"))["code"] == "not_your_turn"
        await fay.send(type="give_floor", user_id=bo_id)
        await bo.expect("floor", holder=bo_id, within=ACROSS)
        await bo.send(type="say", text="my turn to share", client_id="f2")
        shared = await cy.expect("message", text="my turn to share")
        await fay.send(type="take_floor")
        await bo.expect("floor", holder=None)
        await fay.send(type="facilitated_mode", on=False)
        await bo.expect("settings", facilitated=False)

        # delete a message from every screen; pin a note that newcomers see
        await fay.send(type="delete_message", message_id=shared["id"])
        change = await cy.expect("message_change", within=ACROSS)
        assert change == {**change, "message_id": shared["id"], "change": "deleted"}
        await fay.send(type="announce", text="Take a breath: we pause at half past.")
        pinned = await bo.expect("announcement", within=ACROSS)
        assert pinned["announcement"]["text"] == "Take a breath: we pause at half past."
        async with Member.join(b.url, room, "Ada") as ada:
            assert ada.frames[0]["room"]["announcement"]["by"]["name"] == "Fay"
        await fay.send(type="announce", text="")
        await cy.expect("announcement", announcement=None)
        assert [f["announcement"] is None for f in cy.frames if f["type"] == "announcement"] == [False, True]
    del cy_id


async def test_lock_remove_ban_and_end(cluster: Cluster) -> None:
    a, b = cluster.servers
    room = await asyncio.to_thread(setup, cluster, ["Bo", "Cy", "Di"])
    bo_id, cy_id, di_id = room.ids["Bo"], room.ids["Cy"], room.ids["Di"]
    async with (
        Member.join(a.url, room, "Fay") as fay,
        Member.join(b.url, room, "Bo") as bo,
        Member.join(b.url, room, "Cy") as cy,
    ):
        # lock: no new entries, those present stay
        await fay.send(type="lock")
        assert (await bo.expect("settings", within=ACROSS))["locked"] is True
        assert await refused(b.url, room, "Di") == (4409, "locked")
        await bo.send(type="say", text="still here and talking", client_id="l1")
        await cy.expect("message", text="still here and talking")
        await fay.send(type="unlock")
        await bo.expect("settings", locked=False)

        # remove: closed with 4403 on the other process, may not come back to this meeting
        async with Member.join(b.url, room, "Di") as di:
            await bo.expect("presence", kind="joined")
            started = time.monotonic()
            await fay.send(type="remove", user_id=di_id, reason="kept posting after a warning")
            assert await di.closed(within=ACROSS + 1) == (4403, "removed")
            assert time.monotonic() - started < ACROSS
        notice = await bo.expect("notice")
        assert notice["kind"] == "removed"
        assert "member" not in notice
        left = await bo.expect("presence", kind="left")
        assert left["member"]["id"] == di_id
        assert await refused(a.url, room, "Di") == (4403, "removed")

        # ban: removed now, and barred from the group's later meetings (stored)
        await fay.send(type="ban", user_id=cy_id, reason="harassment")
        assert await cy.closed(within=ACROSS + 1) == (4403, "banned")
        bans = api(a.url, room, "Fay", "GET", f"/groups/{room.group_id}/bans")
        assert bans.status_code == 200, bans.text
        assert [entry["user"]["id"] for entry in bans.json()["bans"]] == [cy_id]

        # end: everyone, on both processes, is told and closed with 4410
        await fay.send(type="end")
        await bo.expect("ended", within=ACROSS)
        assert (await bo.closed())[0] == 4410
        assert (await fay.closed())[0] == 4410
    meeting = api(a.url, room, "Ada", "GET", f"/meetings/{room.meeting_id}")
    assert meeting.json()["state"] == "ended"
    audit = api(a.url, room, "Ada", "GET", f"/groups/{room.group_id}/audit")
    assert audit.status_code == 200, audit.text
    actions = [e["action"] for e in audit.json()["entries"]]
    for action in ("lock", "unlock", "remove", "ban", "end"):
        assert action in actions
    del bo_id


async def test_crisis_care_private_line_reports_and_blocks(cluster: Cluster) -> None:
    a, b = cluster.servers
    room = await asyncio.to_thread(setup, cluster, ["Bo", "Cy", "Di", "Ed"])
    bo_id = room.ids["Bo"]
    async with (
        Member.join(a.url, room, "Fay") as fay,
        Member.join(b.url, room, "Bo") as bo,
        Member.join(b.url, room, "Cy") as cy,
        Member.join(a.url, room, "Di") as di,
        Member.join(b.url, room, "Ed") as ed,
    ):
        # crisis language: still delivered; help privately to the sender; an alert without text
        await bo.send(type="say", text="honestly I don't want to be here anymore", client_id="c1")
        said = await cy.expect("message", text="honestly I don't want to be here anymore")
        card = await bo.expect("resources", within=ACROSS)
        assert any("988" in r["contact"] for r in card["resources"])
        alert = await fay.expect("alert", within=ACROSS)
        assert alert == {"type": "alert", "user_id": bo_id}
        assert await cy.quiet("alert", for_=0.5)  # members are never told
        await cy.send(type="say", text="this week is killing me honestly", client_id="c2")
        await di.expect("message", text="this week is killing me honestly")
        assert await fay.quiet("alert", for_=0.5)  # an idiom is not a crisis

        # a private line to the facilitators, both ways, never to the room
        await cy.send(type="ask_facilitator", text="could someone check in with me after")
        note = await fay.expect("private_message", within=ACROSS)
        assert (note["sender"]["name"], note["member"]["name"]) == ("Cy", "Cy")
        await fay.send(type="reply_privately", user_id=room.ids["Cy"], text="Of course, stay on after")
        answer = await cy.expect("private_message", text="Of course, stay on after", within=ACROSS)
        assert answer["sender"]["name"] == "Fay"
        assert await di.quiet("private_message", for_=0.5)

        # reports: facilitators see the reported text live; three distinct reporters hide it
        await di.send(type="report", message_id=said["id"], reason="harmful")
        reported = await fay.expect("reported", within=ACROSS)
        assert reported["text"] == said["text"]
        assert reported["hidden"] is False
        await di.send(type="report", message_id=said["id"], reason="harmful")  # the same member again
        await cy.send(type="report", message_id=said["id"], reason="other")
        assert await ed.quiet("message_change", for_=0.5)
        await ed.send(type="report", message_id=said["id"], reason="disrespectful")
        hidden = await bo.expect("message_change", within=ACROSS)
        assert (hidden["message_id"], hidden["change"]) == (said["id"], "hidden")

        # block: the blocker stops receiving that member's messages, now and in later meetings
        await ed.send(type="block", user_id=bo_id)
        assert (await ed.expect("blocked"))["user_ids"] == [bo_id]
        await bo.send(type="say", text="a message Ed will not see", client_id="b1")
        await di.expect("message", text="a message Ed will not see")
        await ed.send(type="say", text="and this one Ed sends", client_id="b2")
        await ed.expect("message", text="and this one Ed sends")
        assert "a message Ed will not see" not in ed.texts()
        assert any(f["type"] == "skip" for f in ed.frames)  # its seq, so Ed's client sees no gap
    async with Member.join(a.url, room, "Ed") as ed_again:
        assert ed_again.frames[0]["blocked"] == [bo_id]
    blocks = api(a.url, room, "Ed", "GET", "/me/blocks")
    assert [entry["user"]["id"] for entry in blocks.json()["blocks"]] == [bo_id]
    audit = api(a.url, room, "Ada", "GET", f"/groups/{room.group_id}/audit").json()["entries"]
    crisis = [e for e in audit if e["action"] == "crisis_alert"]
    assert len(crisis) == 1
    assert crisis[0]["actor"] is None  # counted, not attributed
    assert {e["action"] for e in audit} >= {"report", "auto_hide"}
    assert "block" not in {e["action"] for e in audit}  # blocks are private


async def test_waiting_room_and_sharing_rounds(cluster: Cluster) -> None:
    a, b = cluster.servers
    room = await asyncio.to_thread(setup, cluster, ["Bo", "Cy", "Di"])
    bo_id, cy_id, di_id = room.ids["Bo"], room.ids["Cy"], room.ids["Di"]
    rules = api(a.url, room, "Ada", "GET", f"/groups/{room.group_id}/rules").json()
    put = api(
        a.url, room, "Ada", "PUT", f"/groups/{room.group_id}/rules", json={**rules, "waiting_room": True}
    )
    assert put.status_code == 200, put.text
    async with (
        Member.join(a.url, room, "Fay") as fay,
        Member.join(b.url, room, "Bo", until="waiting") as bo,
    ):
        lobby = await fay.expect("moderation", within=ACROSS)
        assert [m["id"] for m in lobby["waiting"]] == [bo_id]
        await bo.send(type="say", text="hello from the lobby", client_id="w1")
        assert (await bo.expect("error"))["code"] == "waiting"
        await fay.send(type="admit", user_id=bo_id)
        await bo.expect("admitted", within=ACROSS)
        assert (await bo.expect("welcome"))["you"]["id"] == bo_id
        await bo.expect("replayed")
        await fay.expect("presence", kind="joined")
        async with (
            Member.join(b.url, room, "Cy", until="waiting") as cy,
            Member.join(a.url, room, "Di", until="waiting") as di,
        ):
            await fay.expect("moderation", within=ACROSS)
            await fay.send(type="admit")  # everyone waiting
            await cy.expect("welcome", within=ACROSS)
            await di.expect("welcome", within=ACROSS)

            # a sharing round: hands first, then the others; passing moves it on
            await di.send(type="raise_hand")
            await fay.expect("hand", hands=[di_id])
            await cy.send(type="listening", on=True)  # just listening today: skipped
            await cy.expect("listening", on=True)
            await fay.send(type="round_start", seconds_per_turn=60)
            started = await bo.expect("round", within=ACROSS)
            assert started["round"]["order"] == [di_id, bo_id]
            assert started["round"]["turn"] == di_id
            assert started["round"]["turn_ends_at"] > time.time() * 1000 + 50_000
            assert any(f["type"] == "floor" and f["holder"] == di_id for f in bo.frames)
            await bo.send(type="say", text="waiting for my turn", client_id="r1")
            assert (await bo.expect("error"))["code"] == "not_your_turn"
            await di.send(type="pass")
            moved = await bo.expect("round", within=ACROSS)
            assert moved["round"]["turn"] == bo_id
            await bo.send(type="say", text="my turn in the round", client_id="r2")
            await di.expect("message", text="my turn in the round")
            await fay.send(type="round_next")
            assert (await cy.expect("round", round=None))["round"] is None  # everyone had a turn

            # sent back to the waiting room: closed with 4411, and waits again on return
            await fay.send(type="to_waiting_room", user_id=bo_id)
            assert (await bo.closed(within=ACROSS + 1))[0] == 4411
            assert (await cy.expect("notice"))["kind"] == "to_waiting_room"
    async with Member.join(b.url, room, "Fay") as fay, Member.join(a.url, room, "Bo", until="waiting"):
        entrant = {"id": bo_id, "name": "Bo", "role": "member"}
        await fay.expect("moderation", waiting=[entrant])  # sent back: waits again, even on return
    del cy_id
