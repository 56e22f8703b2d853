"""Seed a database for the load test and write the plan `bench/loadgen.py` reads.

Creates, directly in the app's tables (after running the migrations): `members` users sharing
ONE precomputed argon2 hash, `rooms` groups with one meeting each that is open from now on for
`--hours`, a membership (`group_roles`) and a guidelines acceptance per member, and one login
session per member (`login_sessions.token_hash = sha256(token)`; the plan carries the tokens).
Members are dealt to rooms round-robin, so rooms differ in size by at most one.

    python bench/seed.py --database-url postgresql://postgres@127.0.0.1/hearth_bench \\
        --members 1000 --rooms 50 --url http://127.0.0.1:8101 --out plan.json

The plan: ``{"urls": [...], "origin": "...", "rooms": [{"meeting": id, "cookies": [token, ...]}]}``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meeting.accounts.models import LoginSession, User  # noqa: E402
from meeting.accounts.passwords import HASHER  # noqa: E402
from meeting.db import Database  # noqa: E402
from meeting.groups.models import (  # noqa: E402
    DEFAULT_GUIDELINES,
    Group,
    GroupRole,
    GuidelinesAcceptance,
    Meeting,
)

CHUNK = 2_000  # rows per INSERT batch


def async_url(url: str) -> str:
    """The SQLAlchemy async URL for a plain `postgresql://` (or `sqlite:///`) URL."""
    scheme, _, rest = url.partition("://")
    if scheme in ("postgres", "postgresql"):
        return "postgresql+asyncpg://" + rest
    if scheme == "sqlite":
        return "sqlite+aiosqlite://" + rest
    return url


def _table(model: Any) -> sa.Table:
    table: sa.Table = model.__table__
    return table


async def _insert(conn: Any, model: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert `rows` in batches; returns the generated ids when the table has an `id` column."""
    table = _table(model)
    ids: list[Any] = []
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        if "id" in table.c:
            result = await conn.execute(sa.insert(table).returning(table.c.id), chunk)
            ids += [row[0] for row in result]
        else:
            await conn.execute(sa.insert(table), chunk)
    return ids


async def seed(
    database_url: str,
    *,
    members: int,
    rooms: int,
    urls: list[str],
    origin: str,
    hours: float = 6.0,
    tag: str | None = None,
) -> dict[str, Any]:
    """Create the rows and return the plan (see the module doc). The database must be empty or
    already seeded by another run with a different `tag` (emails are made unique with it)."""
    if members < 1 or rooms < 1 or rooms > members:
        raise ValueError("need 1 <= rooms <= members")
    tag = tag or secrets.token_hex(4)
    db = Database(async_url(database_url))
    try:
        await db.upgrade()
        now = datetime.now(UTC)
        password_hash = HASHER.hash("bench-password-" + secrets.token_hex(8))  # once, shared by all
        async with db.engine.begin() as conn:
            user_ids = await _insert(
                conn,
                User,
                [
                    {
                        "email": f"bench-{tag}-{i}@example.test",
                        "display_name": f"Member {i}",
                        "role": "member",
                        "password_hash": password_hash,
                        "created_at": now,
                    }
                    for i in range(members)
                ],
            )
            group_ids = await _insert(
                conn,
                Group,
                [
                    {
                        "name": f"Bench group {tag}-{r}",
                        "description": "load test",
                        "guidelines": DEFAULT_GUIDELINES,
                        "guidelines_version": 1,
                        "created_at": now,
                    }
                    for r in range(rooms)
                ],
            )
            meeting_ids = await _insert(
                conn,
                Meeting,
                [
                    {
                        "title": f"Bench meeting {r}",
                        "group_id": gid,
                        "starts_at": now - timedelta(minutes=1),
                        "ends_at": now + timedelta(hours=hours),
                        "state": "open",
                        "opened_at": now,
                        "ended_at": None,
                        "created_at": now,
                    }
                    for r, gid in enumerate(group_ids)
                ],
            )
            room_of = [i % rooms for i in range(members)]
            await _insert(
                conn,
                GroupRole,
                [
                    {
                        "group_id": group_ids[room_of[i]],
                        "user_id": uid,
                        "role": "member",
                        "created_at": now,
                    }
                    for i, uid in enumerate(user_ids)
                ],
            )
            await _insert(
                conn,
                GuidelinesAcceptance,
                [
                    {"group_id": group_ids[room_of[i]], "user_id": uid, "version": 1, "accepted_at": now}
                    for i, uid in enumerate(user_ids)
                ],
            )
            tokens = [secrets.token_urlsafe(32) for _ in user_ids]
            await _insert(
                conn,
                LoginSession,
                [
                    {
                        "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                        "user_id": uid,
                        "created_at": now,
                        "last_seen_at": now,
                        "expires_at": now + timedelta(hours=hours),
                    }
                    for token, uid in zip(tokens, user_ids, strict=True)
                ],
            )
    finally:
        await db.close()
    plan_rooms: list[dict[str, Any]] = [{"meeting": mid, "cookies": []} for mid in meeting_ids]
    for i, token in enumerate(tokens):
        plan_rooms[room_of[i]]["cookies"].append(token)
    return {"urls": urls, "origin": origin, "rooms": plan_rooms}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="postgresql://… (or sqlite:///…)")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--url", action="append", required=True, help="a server's base URL (repeatable)")
    parser.add_argument("--origin", help="the Origin header to send (default: the first URL)")
    parser.add_argument("--hours", type=float, default=6.0, help="how long meetings and sessions last")
    parser.add_argument("--out", required=True, help="where to write the plan JSON")
    args = parser.parse_args()
    started = time.monotonic()
    plan = asyncio.run(
        seed(
            args.database_url,
            members=args.members,
            rooms=args.rooms,
            urls=args.url,
            origin=args.origin or args.url[0],
            hours=args.hours,
        )
    )
    Path(args.out).write_text(json.dumps(plan))
    print(f"seeded {args.members} members in {args.rooms} rooms in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
