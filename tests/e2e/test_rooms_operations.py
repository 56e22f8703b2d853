"""What an operator relies on: structured logs, metrics, sessions that end, bounded connections."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from live import Member, open_meeting, ws_url
from support import run_async, start_server
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from meeting.db import Database

pytestmark = pytest.mark.e2e


async def delete_sessions(data_dir: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{data_dir / 'hearth.db'}")
    try:
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM login_sessions"))
    finally:
        await db.close()


async def test_json_logs_metrics_expiry_and_connection_cap(tmp_path: Path) -> None:
    server = await asyncio.to_thread(
        start_server, tmp_path, env={"HEARTH_LOG_FORMAT": "json", "HEARTH_SESSION_CHECK_SECONDS": "1"}
    )
    try:
        room = await asyncio.to_thread(open_meeting, server.url, ["Ada", "Bo"])
        async with Member.join(server.url, room, "Ada") as ada:
            await ada.send(type="say", text="metrics please", client_id="m")
            await ada.expect("message")
            metrics = (await asyncio.to_thread(httpx.get, f"{server.url}/metrics")).text
            assert "hearth_ws_connections 1.0" in metrics
            assert "hearth_rooms_live 1.0" in metrics
            assert "hearth_room_events_relayed_total" in metrics
            assert "hearth_fanout_seconds_bucket" in metrics
            assert "metrics please" not in metrics
            assert "Ada" not in metrics

            # A member may hold five connections; the sixth is refused with 4429.
            headers = {"Cookie": f"hearth_session={room.cookies['Bo']}"}
            opened = [
                await connect(
                    ws_url(server.url, room.meeting_id), origin=server.url, additional_headers=headers
                )  # type: ignore[arg-type]
                for _ in range(6)
            ]
            try:
                sixth = Member(opened[5])
                with pytest.raises(ConnectionClosed) as closed:
                    await sixth.expect("never")
                assert closed.value.rcvd is not None
                assert closed.value.rcvd.code == 4429
            finally:
                for ws in opened:
                    await ws.close()

            # When the login session ends (purged, expired), the socket closes with 1008.
            await asyncio.to_thread(run_async, delete_sessions(server.data_dir))
            with pytest.raises(ConnectionClosed) as closed:
                await ada.expect("never", within=5)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1008
    finally:
        server.stop()
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    events = {line["event"] for line in lines}
    assert {"ws.connect", "ws.disconnect", "ws.refused"} <= events
    assert all({"ts", "level", "logger", "event"} <= set(line) for line in lines)
    assert any(line.get("code") == 4429 for line in lines if line["event"] == "ws.refused")
