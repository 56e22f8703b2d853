"""Support for live-room tests: a meeting set up through the API, and WebSocket members.

room = open_meeting(server.url, members=["Ada", "Bo"])   # Ada is the host
async with Member.join(server.url, room, "Bo") as bo: ...
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from support import STRONG_PASSWORD
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


@dataclass
class Room:
    """A meeting that is open now, and the session cookie of each named member."""

    meeting_id: int
    group_id: int
    cookies: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def account(base: str, name: str) -> tuple[int, str]:
    """Register `name` (email name@example.org) and log in; returns (user id, session token)."""
    email = f"{name.lower()}@example.org"
    r = httpx.post(
        f"{base}/api/v1/accounts", json={"email": email, "password": STRONG_PASSWORD, "display_name": name}
    )
    assert r.status_code == 201, r.text
    login = httpx.post(f"{base}/api/v1/session", json={"email": email, "password": STRONG_PASSWORD})
    assert login.status_code == 200, login.text
    return int(r.json()["id"]), login.cookies["hearth_session"]


def open_meeting(base: str, members: list[str], *, also: str | None = None) -> Room:
    """The first name hosts (first account: admin); the rest join and accept the guidelines."""
    host_id, host = account(base, members[0])
    cookies = {"hearth_session": host}
    group = httpx.post(
        f"{base}/api/v1/groups", json={"name": "Evening circle", "description": "Live test."}, cookies=cookies
    )
    assert group.status_code == 201, group.text
    gid, version = group.json()["id"], group.json()["guidelines_version"]
    now = datetime.now(UTC)
    meeting = httpx.post(
        f"{base}/api/v1/groups/{gid}/meetings",
        json={
            "title": "Tuesday",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
        },
        cookies=cookies,
    )
    assert meeting.status_code == 201, meeting.text
    room = Room(
        meeting_id=meeting.json()["id"], group_id=gid, cookies={members[0]: host}, ids={members[0]: host_id}
    )
    for name in members[1:]:
        uid, token = account(base, name)
        c = {"hearth_session": token}
        assert httpx.post(f"{base}/api/v1/groups/{gid}/members", cookies=c).status_code in (200, 201)
        assert httpx.post(
            f"{base}/api/v1/groups/{gid}/agreement", json={"version": version}, cookies=c
        ).is_success
        room.cookies[name], room.ids[name] = token, uid
    return room


def make_facilitator(base: str, room: Room, name: str, *, by: str) -> None:
    """`by` (the group's host) makes member `name` a facilitator of the room's group."""
    r = httpx.post(
        f"{base}/api/v1/groups/{room.group_id}/facilitators",
        json={"user_id": room.ids[name]},
        cookies={"hearth_session": room.cookies[by]},
    )
    assert r.status_code in (200, 201), r.text


def relax_flood(base: str, room: Room, *, by: str) -> None:
    """`by` (the group's host) lets members send 30 messages a second: for tests that send bursts."""
    cookies = {"hearth_session": room.cookies[by]}
    url = f"{base}/api/v1/groups/{room.group_id}/rules"
    rules = httpx.get(url, cookies=cookies).json()
    r = httpx.put(
        url, json={**rules, "rate_messages": 30, "rate_seconds": 1}, cookies=cookies, headers={"Origin": base}
    )
    assert r.status_code == 200, r.text


async def refused(base: str, room: Room, name: str) -> tuple[int | None, str]:
    """Try to enter the room as `name`; the close code and reason the server ends it with."""
    headers = {"Cookie": f"hearth_session={room.cookies[name]}"}
    async with connect(
        ws_url(base, room.meeting_id),
        origin=base,  # type: ignore[arg-type]
        additional_headers=headers,
        compression=None,
    ) as ws:
        member = Member(ws)
        return await member.closed()


def ws_url(base: str, meeting_id: int, after_seq: int = 0) -> str:
    return f"{base.replace('http', 'ws', 1)}/ws/meetings/{meeting_id}?after_seq={after_seq}"


@dataclass
class Member:
    """One WebSocket member: send frames, await frames of a type, remember everything received."""

    ws: ClientConnection
    frames: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    @asynccontextmanager
    async def join(
        cls,
        base: str,
        room: Room,
        name: str,
        *,
        after_seq: int = 0,
        origin: str | None = None,
        until: str = "replayed",
    ) -> AsyncIterator[Member]:
        """Connect as `name` and wait for the `until` frame (`waiting` for a waiting room)."""
        headers = {"Cookie": f"hearth_session={room.cookies[name]}"}
        async with connect(
            ws_url(base, room.meeting_id, after_seq),
            origin=origin or base,  # type: ignore[arg-type]
            additional_headers=headers,
            compression=None,
        ) as ws:
            member = cls(ws)
            await member.expect(until)
            yield member

    async def send(self, **frame: Any) -> None:
        await self.ws.send(json.dumps(frame))

    async def expect(self, type_: str, /, within: float = 5.0, **match: Any) -> dict[str, Any]:
        """The next `type_` frame whose fields equal `match`, skipping others; fails after `within` s."""
        async with asyncio.timeout(within):
            while True:
                frame = json.loads(await self.ws.recv())
                self.frames.append(frame)
                if frame.get("type") == type_ and all(frame.get(k) == v for k, v in match.items()):
                    return dict(frame)

    async def expect_any(self, within: float = 5.0) -> dict[str, Any]:
        """The next frame, whatever its type."""
        async with asyncio.timeout(within):
            frame = json.loads(await self.ws.recv())
        self.frames.append(frame)
        return dict(frame)

    async def closed(self, within: float = 5.0) -> tuple[int | None, str]:
        """Wait for the server to close the socket; returns (code, reason)."""
        async with asyncio.timeout(within):
            with contextlib.suppress(ConnectionClosed):
                while True:
                    self.frames.append(json.loads(await self.ws.recv()))
        return self.ws.close_code, self.ws.close_reason or ""

    async def quiet(self, type_: str, /, for_: float = 1.0) -> bool:
        """True when no `type_` frame arrives within `for_` seconds."""
        try:
            await self.expect(type_, within=for_)
        except TimeoutError:
            return True
        return False

    def texts(self) -> list[str]:
        return [f["text"] for f in self.frames if f.get("type") == "message"]
