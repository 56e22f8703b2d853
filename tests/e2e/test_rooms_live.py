"""A live meeting through a real `hearth serve` (embedded default: SQLite, in-process broker)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from live import Member, Room, open_meeting, ws_url
from support import Server
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

pytestmark = pytest.mark.e2e


@pytest.fixture
def room(server: Server) -> Room:
    return open_meeting(server.url, ["Ada", "Bo", "Cy"])


async def test_members_exchange_messages_in_order(server: Server, room: Room) -> None:
    async with Member.join(server.url, room, "Ada") as ada, Member.join(server.url, room, "Bo") as bo:
        await ada.expect("presence", kind="joined")
        for i in range(5):
            await bo.send(type="say", text=f"  hello {i}\x07 ", client_id=f"c{i}")
        got = [await ada.expect("message") for _ in range(5)]
        assert [m["text"] for m in got] == [f"hello {i}" for i in range(5)]  # trimmed, control char gone
        assert all("client_id" not in m for m in got)  # only the author sees their client_id
        assert [m["seq"] for m in got] == sorted(m["seq"] for m in got)
        own = [await bo.expect("message") for _ in range(5)]
        assert [m["client_id"] for m in own] == [f"c{i}" for i in range(5)]
        assert own[0]["author"] == {"id": room.ids["Bo"], "name": "Bo"}
        await ada.send(type="say", text="thank you", client_id="a1")
        assert (await bo.expect("message"))["text"] == "thank you"


async def test_welcome_describes_the_room(server: Server, room: Room) -> None:
    async with Member.join(server.url, room, "Ada") as ada:
        welcome = ada.frames[0]
        assert welcome["type"] == "welcome"
        # no "missed" in a new room; staff also get the facilitators' view of the room's marks
        assert [f["type"] for f in ada.frames] == ["welcome", "moderation", "replayed"]
        assert welcome["you"] == {"id": room.ids["Ada"], "name": "Ada", "role": "admin"}
        async with Member.join(server.url, room, "Bo") as bo:
            you = bo.frames[0]["you"]
            assert you["role"] == "member"
            names = {m["name"]: m["status"] for m in bo.frames[0]["room"]["members"]}
            assert names == {"Ada": "present", "Bo": "present"}


async def test_bad_frames_get_errors_and_the_connection_stays(server: Server, room: Room) -> None:
    async with Member.join(server.url, room, "Bo") as bo:
        for raw in [
            "{nope",
            '{"type": "shout"}',
            '{"type": "say", "text": "   ", "client_id": "x"}',
            json.dumps({"type": "say", "text": "x" * 2001, "client_id": "x"}),
        ]:
            await bo.ws.send(raw)
            error = await bo.expect("error")
            assert error["code"] in {"bad_json", "unknown_type", "invalid_message"}
        await bo.send(type="ping")
        await bo.expect("pong")


async def test_binary_and_oversized_frames_close_the_socket(server: Server, room: Room) -> None:
    async with Member.join(server.url, room, "Bo") as bo:
        await bo.ws.send(b"\x00\x01")
        with pytest.raises(ConnectionClosed) as closed:
            await bo.expect("never")
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1003
    async with Member.join(server.url, room, "Bo") as bo:
        await bo.ws.send(json.dumps({"type": "say", "text": "y" * 17_000, "client_id": "big"}))
        with pytest.raises(ConnectionClosed) as closed:
            await bo.expect("never")
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009


@pytest.mark.parametrize(
    ("who", "meeting_offset", "code"),
    [(None, 0, 4401), ("Cy-outsider", 0, 4403), ("Bo", 999, 4404)],
    ids=["no-cookie", "not-a-member", "no-such-meeting"],
)
async def test_refusals_close_with_the_documented_codes(
    server: Server, room: Room, who: str | None, meeting_offset: int, code: int
) -> None:
    headers = {}
    if who == "Cy-outsider":
        from live import account

        _, token = account(server.url, "Outsider")
        headers["Cookie"] = f"hearth_session={token}"
    elif who:
        headers["Cookie"] = f"hearth_session={room.cookies[who]}"
    async with connect(
        ws_url(server.url, room.meeting_id + meeting_offset),
        origin=server.url,  # type: ignore[arg-type]
        additional_headers=headers,
    ) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == code


async def test_another_origin_cannot_open_the_socket(server: Server, room: Room) -> None:
    headers = {"Cookie": f"hearth_session={room.cookies['Bo']}"}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            ws_url(server.url, room.meeting_id),
            origin="https://evil.example",  # type: ignore[arg-type]
            additional_headers=headers,
        ):
            pass
    assert refused.value.response.status_code == 403


async def test_hands_queue_in_order_and_pass_lowers(server: Server, room: Room) -> None:
    async with (
        Member.join(server.url, room, "Ada") as ada,
        Member.join(server.url, room, "Bo") as bo,
        Member.join(server.url, room, "Cy") as cy,
    ):
        await bo.send(type="raise_hand")
        await ada.expect("hand", hands=[room.ids["Bo"]])
        await cy.send(type="raise_hand")
        await ada.expect("hand", hands=[room.ids["Bo"], room.ids["Cy"]])
        await bo.send(type="pass")
        await ada.expect("hand", hands=[room.ids["Cy"]])


async def test_a_dropped_member_reconnects_and_gets_what_they_missed(server: Server, room: Room) -> None:
    async with Member.join(server.url, room, "Ada") as ada:
        async with Member.join(server.url, room, "Bo") as bo:
            await bo.send(type="raise_hand")
            await ada.expect("hand", hands=[room.ids["Bo"]])
            last = ada.frames[-1]["seq"]  # the hand event: the last thing both saw
        await ada.expect("presence", kind="reconnecting")
        await ada.send(type="say", text="are you still there?", client_id="q")
        missed = await ada.expect("message")
        async with Member.join(server.url, room, "Bo", after_seq=last) as bo:
            await ada.expect("presence", kind="returned")
            assert "are you still there?" in bo.texts()
            assert bo.frames[0]["room"]["hands"] == [room.ids["Bo"]]  # kept their place
            assert missed["seq"] > last


async def test_a_late_arrival_never_sees_earlier_shares(server: Server, room: Room) -> None:
    async with Member.join(server.url, room, "Ada") as ada:
        await ada.send(type="say", text="before Cy arrived", client_id="b")
        await ada.expect("message")
        async with Member.join(server.url, room, "Cy") as cy:
            await ada.send(type="say", text="after Cy arrived", client_id="a")
            await cy.expect("message", text="after Cy arrived")
        async with Member.join(server.url, room, "Cy") as cy:  # a reload: the page has nothing
            assert cy.texts() == ["after Cy arrived"]


async def test_logout_closes_that_members_socket(server: Server, room: Room) -> None:
    async with Member.join(server.url, room, "Bo") as bo:
        out = await asyncio.to_thread(
            httpx.delete, f"{server.url}/api/v1/session", cookies={"hearth_session": room.cookies["Bo"]}
        )
        assert out.status_code == 204
        with pytest.raises(ConnectionClosed) as closed:
            await bo.expect("never", within=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4401
    await asyncio.sleep(0)


async def test_compression_is_never_negotiated(server: Server, room: Room) -> None:
    """permessage-deflate leaks secrets through lengths (CRIME/BREACH) and costs memory: off."""
    headers = {"Cookie": f"hearth_session={room.cookies['Bo']}"}
    async with connect(
        ws_url(server.url, room.meeting_id),
        origin=server.url,  # type: ignore[arg-type]
        additional_headers=headers,
        compression="deflate",
    ) as ws:
        assert ws.response is not None
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
        assert json.loads(await ws.recv())["type"] == "welcome"


async def test_a_second_tab_is_no_news_but_a_return_is(server: Server, room: Room) -> None:
    async with Member.join(server.url, room, "Ada") as ada:
        async with Member.join(server.url, room, "Bo"):
            await ada.expect("presence", kind="joined")
            async with Member.join(server.url, room, "Bo"):  # Bo opens a second tab
                await ada.send(type="ping")
                await ada.expect("pong")
            await ada.send(type="ping")
            await ada.expect("pong")
        assert [f["kind"] for f in ada.frames if f["type"] == "presence"] == ["joined"]
        await ada.expect("presence", kind="reconnecting")
        async with Member.join(server.url, room, "Bo"):
            await ada.expect("presence", kind="returned")


async def test_a_reload_in_a_busy_meeting_gets_the_whole_conversation(server: Server, room: Room) -> None:
    """More history than a socket's outbox holds (256 frames) still replays, and the socket stays."""
    async with Member.join(server.url, room, "Bo"):
        pass  # Bo first enters here; his page then goes away (a reload in progress)
    async with Member.join(server.url, room, "Ada") as ada:
        for i in range(300):
            await ada.send(type="say", text=f"share {i}", client_id=f"s{i}")
            await ada.expect("message", text=f"share {i}")  # Ada keeps reading, like a real page
        async with Member.join(server.url, room, "Bo") as bo:  # the reloaded page: after_seq 0
            assert bo.texts()[-300:] == [f"share {i}" for i in range(300)]
            await bo.send(type="ping")
            await bo.expect("pong")
