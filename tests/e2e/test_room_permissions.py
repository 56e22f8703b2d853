"""Every facilitator frame, for every room role, over a real WebSocket: the server decides.

Roles in one meeting: Ada (platform admin), Hal (platform host who created the group: its
host), Fay (the group's facilitator), Gus (a facilitator of another group, a member here), Bo
(a member). A frame is judged by what the server answers before the `pong` of a `ping` sent
right after it (frames on one socket are handled in order).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from live import Member, Room, account
from support import STRONG_PASSWORD, Server

from moderation.permissions import Standing, may_act_on

pytestmark = [pytest.mark.e2e]

NAMES = ("Ada", "Hal", "Fay", "Gus", "Bo")
STANDING = {"Ada": Standing.admin, "Hal": Standing.host, "Fay": Standing.facilitator}
STAFF = frozenset(STANDING)
UNTARGETED: list[dict[str, Any]] = [
    {"type": "lock"},
    {"type": "unlock"},
    {"type": "slow_mode", "seconds": 5},
    {"type": "slow_mode", "seconds": 0},
    {"type": "facilitated_mode", "on": True},
    {"type": "facilitated_mode", "on": False},
    {"type": "take_floor"},
    {"type": "delete_message", "message_id": "gone1"},
    {"type": "restore_message", "message_id": "gone1"},
    {"type": "announce", "text": "A note"},
    {"type": "announce", "text": ""},
    {"type": "admit"},
    {"type": "round_stop"},
]
REFUSED_ONLY = ("remove", "ban", "to_waiting_room", "end")  # allowed cases end someone's meeting


def host_account(server: Server, name: str) -> None:
    """A platform host made with the CLI, as an operator would."""
    env = {**os.environ, "HEARTH_DATA_DIR": str(server.data_dir)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "meeting.cli",
            "user",
            "create",
            "--role",
            "host",
            "--display-name",
            name,
            "--email",
            f"{name.lower()}@example.org",
        ],
        input=STRONG_PASSWORD + "\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def setup(server: Server) -> Room:
    base = server.url
    ids, cookies = {}, {}
    for name in NAMES:
        if name == "Hal":
            host_account(server, name)
            login = httpx.post(
                f"{base}/api/v1/session", json={"email": "hal@example.org", "password": STRONG_PASSWORD}
            )
            cookies[name] = login.cookies["hearth_session"]
            ids[name] = httpx.get(f"{base}/api/v1/me", cookies={"hearth_session": cookies[name]}).json()["id"]
        else:
            ids[name], cookies[name] = account(base, name)

    def call(who: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        r = httpx.post(
            f"{base}/api/v1{path}",
            json=body,
            cookies={"hearth_session": cookies[who]},
            headers={"Origin": base},
        )
        assert r.is_success, r.text
        return dict(r.json())

    group = call("Hal", "/groups", {"name": "Here", "description": "The group we test in."})
    other = call("Hal", "/groups", {"name": "Elsewhere", "description": "Gus facilitates here."})
    for g in (group, other):
        for name in ("Fay", "Gus", "Bo"):
            call(name, f"/groups/{g['id']}/members")
            call(name, f"/groups/{g['id']}/agreement", {"version": g["guidelines_version"]})
    call("Ada", f"/groups/{group['id']}/agreement", {"version": group["guidelines_version"]})
    call("Hal", f"/groups/{group['id']}/facilitators", {"user_id": ids["Fay"]})
    call("Hal", f"/groups/{other['id']}/facilitators", {"user_id": ids["Gus"]})
    now = datetime.now(UTC)
    times = {"starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=1)).isoformat()}
    meeting = call("Hal", f"/groups/{group['id']}/meetings", {"title": "Now", **times})
    return Room(meeting_id=meeting["id"], group_id=group["id"], cookies=cookies, ids=ids)


async def outcome(member: Member, frame: dict[str, Any]) -> str | None:
    """The error code the server answers `frame` with, or None if it took it."""
    await member.send(**frame)
    await member.send(type="ping")
    code = None
    while True:
        reply = await member.expect_any()
        if reply["type"] == "pong":
            return code
        if reply["type"] == "error" and code is None:
            code = reply["code"]


def allowed(actor: str) -> bool:
    return actor in STAFF


async def test_every_facilitator_frame_for_every_role(server: Server) -> None:
    room = await asyncio.to_thread(setup, server)
    url = server.url
    async with (
        Member.join(url, room, "Ada") as ada,
        Member.join(url, room, "Hal") as hal,
        Member.join(url, room, "Fay") as fay,
        Member.join(url, room, "Gus") as gus,
        Member.join(url, room, "Bo") as bo,
    ):
        members = {"Ada": ada, "Hal": hal, "Fay": fay, "Gus": gus, "Bo": bo}
        assert [m.frames[0]["you"]["role"] for m in members.values()] == [
            "admin",
            "host",
            "facilitator",
            "member",
            "member",
        ]
        seen: list[tuple[str, str, str | None]] = []
        for actor, member in members.items():
            for frame in UNTARGETED:
                got = await outcome(member, frame)
                seen.append((actor, frame["type"], got))
                assert got == (None if allowed(actor) else "forbidden"), (actor, frame)
            for target in NAMES:
                target_id = room.ids[target]
                mayact = (
                    allowed(actor)
                    and actor != target
                    and may_act_on(
                        STANDING.get(actor, Standing.member), STANDING.get(target, Standing.member)
                    )
                )
                for kind in ("mute", "unmute"):
                    got = await outcome(member, {"type": kind, "user_id": target_id})
                    assert got == (None if mayact else "forbidden"), (actor, kind, target)
                for kind in REFUSED_ONLY[:3]:
                    if not mayact:
                        assert await outcome(member, {"type": kind, "user_id": target_id}) == "forbidden"
            if not allowed(actor):
                assert await outcome(member, {"type": "end"}) == "forbidden"
        assert len(seen) == len(NAMES) * len(UNTARGETED)
