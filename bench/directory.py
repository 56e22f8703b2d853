"""Latency and query plans of the group directory (`GET /api/v1/groups`), run by hand.

    .venv/bin/python bench/directory.py          # PostgreSQL, 5,000 groups: ~1 min seeding, ~3 min measuring
    .venv/bin/python bench/directory.py --keep   # ...and keep the database for more runs (--reuse NAME)
    .venv/bin/python bench/directory.py --reuse NAME --requests 100 --try nojit --try rewrite+nojit
    .venv/bin/python bench/directory.py --sqlite --groups 1000 --try rewrite   # the embedded default

1. Creates a fresh PostgreSQL database (`hearth_bench_<random>`, dropped at the end unless
   `--keep`), migrates it as the app does (`Database.upgrade()`), and seeds a directory:
   hosts create groups through `meeting.groups.service.create_group` (topics, style,
   language, size limit, visibility) and schedule weekly or fortnightly series in IANA zones
   through `meeting.groups.series.schedule`, started up to 20 weeks ago and materialized
   `TOP_UP_TO` ahead through `series.materialize` (what the app's sweep does), a few one-off
   meetings, some occurrences cancelled (`series.cancel_meeting`) and some groups archived
   (`series.archive_group`); past meetings are marked ended with the statement of the app's
   overdue sweep. Memberships, guideline acceptances and RSVPs are bulk inserts of the rows
   `join_group`, `accept_guidelines` and `attendance.service.rsvp` write (members "going" up
   to the size limit, then "waitlist"; hosts "going" without taking a seat), so that a share
   of next meetings is full.
2. Starts a real `hearth serve` on that database and times `GET /api/v1/groups` for each case
   of `CASES` (sequential requests over one keep-alive connection per server, after a
   warm-up), cases and variants interleaved request by request, so that noise from other work
   on the machine falls on all of them alike.
3. Runs the SQL the directory sends for the main cases (captured from `directory.search` with
   a SQLAlchemy cursor hook) under EXPLAIN (ANALYZE, BUFFERS) and says which scans it uses.
4. Each `--try NAME[+NAME]` is a variant: a copy of the database (CREATE DATABASE ... TEMPLATE)
   with candidate changes applied by hand (`TRIES`: an index, a setting, or `rewrite`: its
   server runs `bench/directory_rewrite.py`'s search, first checked to give the same pages as
   the app's), served by its own `hearth serve` and measured side by side with the database as
   migrated. The app's code and migrations are never touched; the copies are dropped.

PostgreSQL at 127.0.0.1:5432 (user postgres, trust) must be running. Nothing else is needed:
no Redis (the server runs with its in-process broker; the directory never touches Redis).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg  # type: ignore[import-untyped]
import httpx
import sqlalchemy as sa
from sqlalchemy import event

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from meeting.accounts import sessions  # noqa: E402
from meeting.accounts.models import User  # noqa: E402
from meeting.accounts.passwords import HASHER  # noqa: E402
from meeting.attendance.models import Rsvp  # noqa: E402
from meeting.db import Database  # noqa: E402
from meeting.groups import directory, series, service  # noqa: E402
from meeting.groups.models import (  # noqa: E402
    Group,
    GroupRole,
    GuidelinesAcceptance,
    Meeting,
    MeetingState,
)
from meeting.settings import Settings  # noqa: E402

VENV_BIN = Path(sys.executable).parent
HEARTH = str(VENV_BIN / "hearth")
PG = "postgresql://postgres@127.0.0.1:5432"
CHUNK = 2_000  # rows per bulk INSERT
CLK_TCK = os.sysconf("SC_CLK_TCK")

# --- what the seeded directory looks like -------------------------------------------------------

TOPIC_WEIGHTS = {
    "anxiety": 16,
    "depression": 14,
    "bipolar": 4,
    "eating-disorders": 4,
    "grief": 9,
    "stress": 10,
    "life-transitions": 6,
    "trauma": 7,
    "caregivers": 6,
    "addiction": 9,
    "wellness": 15,
}
LANGUAGES = {
    "en": 52,
    "en-GB": 6,
    "es": 12,
    "es-419": 4,
    "pt-BR": 6,
    "fr": 6,
    "de": 6,
    "it": 3,
    "ja": 3,
    "hi": 2,
}
ZONES_BY_LANGUAGE = {
    "en": ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "UTC"],
    "en-GB": ["Europe/London"],
    "es": ["Europe/Madrid", "America/Mexico_City"],
    "es-419": ["America/Bogota", "America/Argentina/Buenos_Aires", "America/Mexico_City"],
    "pt-BR": ["America/Sao_Paulo"],
    "fr": ["Europe/Paris", "America/Toronto"],
    "de": ["Europe/Berlin", "Europe/Vienna"],
    "it": ["Europe/Rome"],
    "ja": ["Asia/Tokyo"],
    "hi": ["Asia/Kolkata"],
}
LOCAL_HOURS = [7, 8, 9, 12, 12, 17, 18, 18, 19, 19, 19, 20, 20, 21]
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
OPENERS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Weekend", "Morning", "Evening",
           "Lunchtime", "Night owls", "New", "Open", "Quiet", "Gentle", "Steady", "Together"]  # fmt: skip
SUBJECTS = {
    "anxiety": ["anxiety", "worry", "panic", "social anxiety"],
    "depression": ["depression", "low mood", "hope"],
    "bipolar": ["bipolar", "mood"],
    "eating-disorders": ["eating disorder recovery", "body image"],
    "grief": ["grief", "loss", "bereaved parents", "widows and widowers"],
    "stress": ["stress", "burnout", "work stress"],
    "life-transitions": ["new parents", "retirement", "moving on", "divorce"],
    "trauma": ["trauma survivors", "PTSD", "healing"],
    "caregivers": ["caregivers", "carers", "mothers of teens", "dementia family"],
    "addiction": ["recovery", "sober living", "gambling recovery"],
    "wellness": ["wellbeing", "mindfulness", "self-care", "sleep"],
}
SHAPES = ["circle", "support group", "peer circle", "check-in", "meet-up", "group", "room", "café"]
SENTENCES = [
    "A confidential space to share what the week has been like and to listen to others.",
    "We start with a short check-in, then take turns; you can always pass.",
    "Newcomers are welcome: there is no need to speak at your first meeting.",
    "Run by people with lived experience who have been where you are.",
    "Facilitated by a licensed counsellor; this is support, not therapy.",
    "We focus on practical coping skills and small steps.",
    "Bring a cup of tea and whatever you are carrying today.",
    "Please read the guidelines before joining: kindness, confidentiality, no advice unless asked.",
    "Cameras are never needed: Hearth is text only.",
    "We sometimes use a sharing round with a timer so everyone gets a turn.",
    "Family members and friends of people who struggle are welcome too.",
    "If you are in crisis, please use the crisis resources on the help page first.",
]
VISIBILITY = {"listed": 80, "unlisted": 12, "private": 8}
SIZE_LIMITS = [6, 8, 10, 12, 12, 12, 15, 20, 25]


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Seeded:
    url: str  # SQLAlchemy URL
    server_url: str  # what HEARTH_DATABASE_URL gets
    name: str  # the PostgreSQL database (or the SQLite file)
    token: str = ""  # the viewer's session cookie
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


async def _insert(conn: Any, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    table: sa.Table = model.__table__
    ids: list[int] = []
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        if "id" in table.c:
            ids += [row[0] for row in await conn.execute(sa.insert(table).returning(table.c.id), chunk)]
        else:
            await conn.execute(sa.insert(table), chunk)
    return ids


async def seed(
    url: str, *, groups: int, members: int, seed: int = 1, workers: int = 3
) -> tuple[str, dict[str, int]]:
    """Seed the directory (see the module doc); returns the viewer's session token and row counts."""
    db = Database(url)
    try:
        await db.upgrade()
        now = datetime.now(UTC)
        password_hash = HASHER.hash("bench-" + secrets.token_hex(8))  # once, shared by everyone
        hosts = max(1, groups // 20)
        async with db.engine.begin() as conn:
            people = [("admin", 1), ("host", hosts), ("member", members)]
            user_rows = [
                {
                    "email": f"{role}-{i}@bench.test",
                    "display_name": f"{role.title()} {i}",
                    "role": role,
                    "password_hash": password_hash,
                    "created_at": now,
                }
                for role, n in people
                for i in range(n)
            ]
            user_ids = await _insert(conn, User, user_rows)
        admin_id, host_ids, member_ids = user_ids[0], user_ids[1 : 1 + hosts], user_ids[1 + hosts :]

        # Groups, series, one-offs, cancellations, archiving: through the app's services, by
        # `workers` concurrent sessions (each group has its own random stream, so the result
        # does not depend on the interleaving).
        plans: list[tuple[int, int, int, int, bool]] = []  # n, group id, host id, size limit, archived

        async def work(numbers: range) -> None:
            for start in range(numbers.start, numbers.stop, 25):
                async with db.session() as s:
                    for n in range(start, min(numbers.stop, start + 25)):
                        host = await s.get(User, host_ids[n % hosts])
                        assert host is not None
                        made = await _seed_group(s, random.Random(f"{seed}-{n}"), n, host=host, now=now)
                        plans.append((n, *made))

        if db.dialect == "sqlite":
            workers = 1  # one writer at a time: concurrent sessions would wait for the lock
        share = -(-groups // workers)
        await asyncio.gather(*(work(range(i, min(groups, i + share))) for i in range(0, groups, share)))
        plans.sort()
        rng = random.Random(seed)

        # What the app's overdue sweep does to meetings whose room has closed (live.py).
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.update(Meeting)
                .where(
                    Meeting.__table__.c.ends_at <= now - timedelta(minutes=10),  # type: ignore[attr-defined]
                    Meeting.__table__.c.state.in_(["scheduled", "open"]),  # type: ignore[attr-defined]
                )
                .values(state=MeetingState.ended.value, ended_at=Meeting.__table__.c.ends_at)  # type: ignore[attr-defined]
            )

        # Memberships, acceptances and RSVPs: bulk rows as join_group / accept_guidelines / rsvp write them.
        m = Meeting.__table__  # type: ignore[attr-defined]
        async with db.engine.begin() as conn:
            upcoming: dict[int, list[int]] = {}
            result = await conn.execute(
                sa.select(m.c.group_id, m.c.id)
                .where(m.c.starts_at > now, m.c.state == "scheduled")
                .order_by(m.c.group_id, m.c.starts_at, m.c.id)
            )
            for gid, mid in result.all():
                upcoming.setdefault(int(gid), []).append(int(mid))
            roles, accepts, rsvps = [], [], []
            for _, gid, host_id, size, archived in plans:
                crowd = rng.sample(member_ids, min(len(member_ids), size + rng.randint(0, 10)))
                for uid in crowd:
                    roles.append({"group_id": gid, "user_id": uid, "role": "member", "created_at": now})
                    accepts.append({"group_id": gid, "user_id": uid, "version": 1, "accepted_at": now})
                if archived:
                    continue
                for k, mid in enumerate(upcoming.get(gid, [])[:3]):
                    # the next meeting is full in about 1 group in 4, the later ones less often
                    full = rng.random() < (0.25 if k == 0 else 0.1)
                    going = len(crowd) if full else rng.randint(0, max(0, size - 1))
                    order = rng.sample(crowd, min(going, len(crowd)))
                    t = now - timedelta(days=3)
                    if rng.random() < 0.5:  # the host RSVPs too: "going", no seat taken
                        rsvps.append(_rsvp(mid, host_id, "going", t))
                    if rng.random() < 0.05:  # an admin drops by: "going", no seat taken
                        rsvps.append(_rsvp(mid, admin_id, "going", t))
                    for i, uid in enumerate(order):
                        status = "going" if i < size else "waitlist"
                        rsvps.append(_rsvp(mid, uid, status, t + timedelta(seconds=i)))
            await _insert(conn, GroupRole, roles)
            await _insert(conn, GuidelinesAcceptance, accepts)
            await _insert(conn, Rsvp, rsvps)

        return await viewer_session(db), await counts_of(db, now=now)
    finally:
        await db.close()


VIEWER = "member-0@bench.test"


async def viewer_session(db: Database) -> str:
    """A fresh login session (cookie token) for the member who browses the directory."""
    async with db.session() as s:
        users = User.__table__  # type: ignore[attr-defined]
        viewer = (
            await (await s.connection()).execute(sa.select(users.c.id).where(users.c.email == VIEWER))
        ).scalar_one()
        return await sessions.start(s, user_id=viewer, settings=Settings(session_max_hours=12))


async def counts_of(db: Database, *, now: datetime) -> dict[str, int]:
    """Row counts of the seeded tables, listed active groups and upcoming meetings."""
    counts: dict[str, int] = {}
    g, m = Group.__table__, Meeting.__table__  # type: ignore[attr-defined]
    async with db.engine.connect() as conn:
        for table in (
            "users",
            "groups",
            "group_topics",
            "group_roles",
            "meeting_series",
            "meetings",
            "rsvps",
        ):
            counts[table] = int((await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one())
        listed = (
            sa.select(sa.func.count())
            .select_from(g)
            .where(g.c.visibility == "listed", g.c.archived_at.is_(None))
        )
        counts["listed_active"] = int((await conn.execute(listed)).scalar_one())
        upcoming = (
            sa.select(sa.func.count()).select_from(m).where(m.c.starts_at > now, m.c.state == "scheduled")
        )
        counts["upcoming_meetings"] = int((await conn.execute(upcoming)).scalar_one())
    return counts


def _rsvp(meeting_id: int, user_id: int, status: str, at: datetime) -> dict[str, Any]:
    return {
        "meeting_id": meeting_id,
        "user_id": user_id,
        "status": status,
        "visitor": False,
        "created_at": at,
    }


async def _seed_group(
    s: Any, rng: random.Random, n: int, *, host: User, now: datetime
) -> tuple[int, int, int, bool]:
    topics = {pick(rng, TOPIC_WEIGHTS) for _ in range(rng.choice([1, 1, 2, 2, 3]))}
    main = sorted(topics)[0]
    style = "professional" if rng.random() < 0.3 else "peer"
    language = pick(rng, LANGUAGES)
    name = f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS[main])} {rng.choice(SHAPES)} {n}"
    size = rng.choice(SIZE_LIMITS)
    group = await service.create_group(
        s,
        creator=host,
        name=name,
        description=" ".join(rng.sample(SENTENCES, rng.randint(2, 5))),
        topics=sorted(topics),
        style=style,
        credential="LCSW" if style == "professional" and rng.random() < 0.7 else None,
        language=language,
        size_limit=size,
        visibility=pick(rng, VISIBILITY),
        visitors_allowed=rng.random() < 0.7,
    )
    assert group.id is not None
    zone_name = rng.choice(ZONES_BY_LANGUAGE[language])
    zone = ZoneInfo(zone_name)
    kind = rng.random()
    series_count = 0 if kind < 0.05 else (2 if kind > 0.9 else 1)  # none, one or two series
    for _ in range(series_count):
        weeks_back = rng.randint(0, 20)
        local_day = now.astimezone(zone).date() - timedelta(days=7 * weeks_back - rng.randint(1, 7))
        local = datetime(local_day.year, local_day.month, local_day.day, rng.choice(LOCAL_HOURS),
                         rng.choice([0, 0, 0, 30]), tzinfo=zone)  # fmt: skip
        first = local.astimezone(UTC)
        every = "FREQ=WEEKLY" if rng.random() < 0.8 else "FREQ=WEEKLY;INTERVAL=2"
        rrule = f"{every};BYDAY={DAYS[local.weekday()]}"
        _, row = await series.schedule(
            s,
            group=group,
            actor=host,
            title=f"{name} meeting",
            starts_at=first,
            ends_at=first + timedelta(minutes=rng.choice([60, 60, 90])),
            timezone=zone_name,
            rrule=rrule,
            now=min(now, first - timedelta(days=1)),  # as scheduled back then
        )
        assert row is not None
        await series.materialize(s, series=row, until=now + series.TOP_UP_TO)  # the sweep's top-up
    if rng.random() < 0.1:  # a one-off (an extra session) in the next weeks
        local = (
            (now + timedelta(days=rng.randint(1, 40)))
            .astimezone(zone)
            .replace(hour=rng.choice(LOCAL_HOURS), minute=0, second=0, microsecond=0)
        )
        await series.schedule(
            s,
            group=group,
            actor=host,
            title="Extra session",
            starts_at=local.astimezone(UTC),
            ends_at=local.astimezone(UTC) + timedelta(hours=1),
            timezone=zone_name,
            now=now,
        )
    archived = rng.random() < 0.08
    if series_count and not archived and rng.random() < 0.1:  # a cancelled occurrence
        m = Meeting.__table__  # type: ignore[attr-defined]
        conn = await s.connection()
        query = sa.select(m.c.id).where(m.c.group_id == group.id, m.c.starts_at > now).order_by(m.c.starts_at)
        ids = [row[0] for row in (await conn.execute(query.limit(4))).all()]
        meeting = await s.get(Meeting, rng.choice(ids))
        await series.cancel_meeting(s, meeting=meeting, actor=host, now=now)
    if archived:
        await series.archive_group(s, group=group, actor=host, now=now)
    assert host.id is not None
    return group.id, host.id, size, archived


# --- the cases ------------------------------------------------------------------------------------

VIEWER_ZONE = "America/New_York"
DAY_TIME = [("day", "tue"), ("day", "thu"), ("from", "18:00"), ("to", "21:00"), ("tz", VIEWER_ZONE)]
CASES: dict[str, list[tuple[str, str]]] = {
    "none": [],
    "one topic": [("topic", "grief")],
    "several topics": [("topic", "anxiety"), ("topic", "depression"), ("topic", "stress")],
    "style": [("style", "professional")],
    "language": [("language", "es")],
    "q, rare word": [("q", "burnout")],
    "q, common word": [("q", "circle")],
    "day + time window": DAY_TIME,
    "has_seats": [("has_seats", "true")],
    "everything": [
        ("topic", "anxiety"),
        ("topic", "depression"),
        ("style", "peer"),
        ("language", "en"),
        ("q", "circle"),
        *DAY_TIME,
        ("has_seats", "true"),
    ],
    "page 20": [("page", "20")],
    "page 20 + has_seats": [("page", "20"), ("has_seats", "true")],
}
REFERENCE = "GET /api/v1/me (reference)"  # the same login check and JSON, no directory query
EXPLAINED = (
    "none",
    "several topics",
    "q, rare word",
    "day + time window",
    "has_seats",
    "everything",
    "page 20",
)

# Candidate changes tried by hand in the bench database, never in the app's migrations: (SQL to
# apply, SQL to revert); "{db}" is the bench database. "rewrite" is not SQL: it runs the server
# (and the plans) with `bench/directory_rewrite.py`'s search. Combine with "+": rewrite+nojit.
# All of them except "trgm" without pg_trgm are now what the app does (meeting/db.py sets jit
# and plan_cache_mode on its connections, which overrides ALTER DATABASE; migration 0008 has
# the indexes; `directory.search` is the rewrite), so against the current tree they measure
# nothing new: run them against an older checkout to see the difference.
TRIES: dict[str, tuple[list[str], list[str]]] = {
    # What meeting/db.py does with connect_args={"server_settings": {"jit": "off", ...}}.
    "nojit": (['ALTER DATABASE "{db}" SET jit = off'], ['ALTER DATABASE "{db}" RESET jit']),
    # asyncpg prepares every statement; from the sixth run PostgreSQL may use a generic plan,
    # which cannot see that role = 'admin' is rare. What server_settings would do for the app.
    "custom-plans": (
        ['ALTER DATABASE "{db}" SET plan_cache_mode = force_custom_plan'],
        ['ALTER DATABASE "{db}" RESET plan_cache_mode'],
    ),
    # The seat count's two NOT EXISTS: platform admins, and the group's hosts and facilitators.
    "seat-indexes": (
        [
            "CREATE INDEX bench_users_role ON users (role)",
            "CREATE INDEX bench_group_roles_group_id_role ON group_roles (group_id, role)",
        ],
        ["DROP INDEX bench_users_role", "DROP INDEX bench_group_roles_group_id_role"],
    ),
    # q: the directory sends name ILIKE '%' || q || '%' (SQLAlchemy's icontains on PostgreSQL).
    "trgm": (
        [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX bench_groups_name_trgm ON groups USING gin (name gin_trgm_ops)",
            "CREATE INDEX bench_groups_description_trgm ON groups USING gin (description gin_trgm_ops)",
        ],
        ["DROP INDEX bench_groups_name_trgm", "DROP INDEX bench_groups_description_trgm"],
    ),
    "rewrite": ([], []),
}


# --- the server -----------------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    log: Path
    url: str

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK


@contextlib.contextmanager
def serving(database_url: str, workdir: Path, *, hearth: list[str], cpus: str | None) -> Iterator[Server]:
    """A `hearth serve` on `database_url`, stopped (and waited for) when the block ends."""
    with socket.socket() as probe:  # a free port (other people run servers on this machine)
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
    env.update(
        HEARTH_DATABASE_URL=database_url,
        HEARTH_SECRET_KEY="bench-" + "k" * 40,
        HEARTH_DATA_DIR=str(workdir / "data"),
        HEARTH_BASE_URL=url,
        HEARTH_LOG_LEVEL="WARNING",
    )
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "server.log"
    command = [*hearth, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(proc, log, url)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"hearth serve exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(OSError), urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("hearth serve did not become ready in 60 s")
            time.sleep(0.2)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


Search = Callable[..., Awaitable[directory.DirectoryPage]]


# --- latency --------------------------------------------------------------------------------------


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine (all cores) so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK


@dataclass
class Timing:
    case: str
    samples: list[float] = field(default_factory=list)  # ms
    total: int = 0  # the directory's `total` for the case

    def pct(self, p: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Variant:
    label: str
    names: list[str]  # the TRIES applied
    db: str  # PostgreSQL database name (or SQLite path)
    url: str
    server_url: str
    search: Search = directory.search
    server: Server | None = None
    timings: dict[str, Timing] = field(default_factory=dict)
    load: dict[str, float] = field(default_factory=dict)
    plans: dict[str, Any] = field(default_factory=dict)


def measure(variants: list[Variant], token: str, *, requests: int, warmup: int) -> None:
    """Time every case on every variant's server `requests` times, after `warmup` rounds. A
    round sends each case once to each server in turn, so whatever else the machine is doing
    falls on all cases and all variants alike."""
    calls = [(REFERENCE, "/api/v1/me", httpx.QueryParams())]
    calls += [(n, "/api/v1/groups", httpx.QueryParams(tuple(p))) for n, p in CASES.items()]
    clients: list[httpx.Client] = []
    try:
        for v in variants:
            assert v.server is not None
            client = httpx.Client(base_url=v.server.url, cookies={sessions.COOKIE: token}, timeout=60)
            clients.append(client)
            v.timings = {name: Timing(name) for name, _, _ in calls}
            for name, path, params in calls:  # also checks that every case answers
                response = client.get(path, params=params)
                if response.status_code != 200:
                    raise RuntimeError(f"{v.label}, {name}: {response.status_code} {response.text[:300]}")
                v.timings[name].total = response.json().get("total", 0)
        for _ in range(warmup):
            for _name, path, params in calls:
                for client in clients:
                    client.get(path, params=params)
        busy0, t0 = _machine_busy(), time.monotonic()
        cpu0 = [v.server.cpu_seconds() for v in variants if v.server is not None]
        for _ in range(requests):
            for name, path, params in calls:
                for v, client in zip(variants, clients, strict=True):
                    started = time.perf_counter()
                    response = client.get(path, params=params)
                    v.timings[name].samples.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
        elapsed = time.monotonic() - t0
        busy = (_machine_busy() - busy0) / elapsed * 100
        for v, c0 in zip(variants, cpu0, strict=True):
            assert v.server is not None
            v.load = {
                "seconds": elapsed,
                "server_cpu_pct": (v.server.cpu_seconds() - c0) / elapsed * 100,
                "machine_busy_pct": busy,
                "load_average": os.getloadavg()[0],
            }
    finally:
        for client in clients:
            client.close()


def print_timings(v: Variant) -> None:
    load = v.load
    print(f"\n{v.label}")
    print(
        f"  {len(v.timings[REFERENCE].samples)} requests per case in {load['seconds']:.0f} s (all variants); "
        f"server CPU {load['server_cpu_pct']:.0f} % of a core; machine busy "
        f"{load['machine_busy_pct']:.0f} % of 200 %; load average {load['load_average']:.1f}"
    )
    print("  | case | results | p50 ms | p95 ms | p99 ms | max ms |\n  |---|---|---|---|---|---|")
    for t in v.timings.values():
        print(
            f"  | {t.case} | {t.total} | {t.pct(50):.1f} | {t.pct(95):.1f} | {t.pct(99):.1f} "
            f"| {max(t.samples):.1f} |"
        )


def print_comparison(variants: list[Variant]) -> None:
    if len(variants) < 2:
        return
    print("\np50 / p95 ms, measured together:")
    print("  | case | " + " | ".join(v.label for v in variants) + " |")
    print("  |---|" + "---|" * len(variants))
    for name in variants[0].timings:
        cells = [f"{v.timings[name].pct(50):.1f} / {v.timings[name].pct(95):.1f}" for v in variants]
        print(f"  | {name} | " + " | ".join(cells) + " |")


# --- query plans ----------------------------------------------------------------------------------


def _capture(db: Database) -> list[tuple[str, Any]]:
    captured: list[tuple[str, Any]] = []

    def hook(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if not statement.lstrip().upper().startswith(("EXPLAIN", "SET", "RESET")):
            captured.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", hook)
    return captured


def _label(statement: str) -> str:
    """Which of `search`'s statements this is."""
    if statement.lstrip().startswith("SELECT count(*)") or (
        statement.lstrip().startswith("WITH found") and "OVER ()" not in statement
    ):
        return "count"
    if "next_meeting" in statement:
        return "page"
    if "group_topics" in statement:
        return "topics"
    if "rsvps" in statement:
        return "seats"
    return "meetings" if "FROM meetings" in statement else "groups"


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def summarise(plan: dict[str, Any]) -> list[str]:
    """One line per scan node (kind, table, index, loops, rows per loop), then the totals."""
    lines = []
    for node in _walk(plan["Plan"]):
        kind = node["Node Type"]
        if "Scan" not in kind or kind in ("Subquery Scan", "CTE Scan"):
            continue
        what = node.get("Relation Name") or node.get("Index Name") or ""
        index = node.get("Index Name")
        on = f"{kind} on {what}" + (f" using {index}" if index and index != what else "")
        lines.append(f"{on}: {node.get('Actual Loops', 0)} loops x {node.get('Actual Rows', 0)} rows")
    top = plan["Plan"]
    jit = plan.get("JIT", {}).get("Timing", {}).get("Total")
    lines.append(
        f"execution {plan.get('Execution Time', 0):.1f} ms"
        + (f" (of which JIT compilation {jit:.1f} ms)" if jit else "")
        + f", shared buffers hit {top.get('Shared Hit Blocks', 0)} read {top.get('Shared Read Blocks', 0)}"
    )
    return lines


async def explain(url: str, out: Path | None, title: str, search: Search) -> dict[str, Any]:
    """For each `EXPLAINED` case, run `search` once to capture its statements, then time each
    statement (median of 5 plain runs) and EXPLAIN it (PostgreSQL: ANALYZE, BUFFERS; SQLite:
    QUERY PLAN). Returns a summary per case and statement; appends the full plans to `out`."""
    db = Database(url)
    found: dict[str, Any] = {}
    texts: list[str] = [f"#### {title}\n"]
    try:
        captured = _capture(db)
        for name in EXPLAINED:
            query = directory.parse_query(CASES[name])
            captured.clear()
            async with db.session() as s:
                await search(s, query)
            statements = list(captured)
            found[name] = []
            async with db.engine.connect() as conn:
                for statement, params in statements:
                    label = _label(statement)
                    runs = []
                    for _ in range(5):
                        started = time.perf_counter()
                        (await conn.exec_driver_sql(statement, params)).all()
                        runs.append((time.perf_counter() - started) * 1000)
                    if db.dialect == "postgresql":
                        raw = await conn.exec_driver_sql(
                            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params
                        )
                        plan = raw.scalar_one()
                        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
                        text = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                        lines = [row[0] for row in text.all()]
                        summary = summarise(plan)
                    else:
                        rows: list[Any] = list(
                            (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)).all()
                        )
                        lines = summary = [f"{row[1]:>3} {row[3]}" for row in rows]
                    found[name].append(
                        {"statement": label, "ms": statistics.median(runs), "summary": summary}
                    )
                    texts.append(
                        f"-- {name}: {label}\n{statement}\n-- params: {params!r}\n" + "\n".join(lines) + "\n"
                    )
    finally:
        await db.close()
    if out is not None:
        with out.open("a") as f:
            f.write("\n".join(texts) + "\n")
    return found


def _scans(summary: list[str]) -> bool:
    return any("Seq Scan" in line or " SCAN " in f" {line}" for line in summary)


def print_plans(found: dict[str, Any]) -> None:
    for name, statements in found.items():
        timing = ", ".join(f"{entry['statement']} {entry['ms']:.1f}" for entry in statements)
        print(f"\n  {name}: SQL ms (median of 5): {timing}")
        for entry in statements:
            if entry["statement"] not in ("count", "page") and not _scans(entry["summary"]):
                continue  # the follow-up reads by primary key: shown only if they scan a table
            print(f"    {entry['statement']}:")
            for line in entry["summary"]:
                print(f"      {line}")


# --- checking the rewrite -------------------------------------------------------------------------


def _shape(page: directory.DirectoryPage) -> tuple[Any, ...]:
    items = tuple(
        (i.group.id, tuple(i.topics), None if i.next is None else (i.next.meeting.id, i.next.seats_left))
        for i in page.items
    )
    return page.total, items


async def check_rewrite(url: str, rewritten: Search) -> int:
    """Every case (and pages 2, 20 and past the end of each) gives the same page, total,
    order, next meetings and seats through both searches, at the same `now`; returns how many
    pages were compared. Raises `AssertionError` naming the first difference."""
    db = Database(url)
    compared = 0
    try:
        now = datetime.now(UTC)
        for name, params in CASES.items():
            base = [(k, v) for k, v in params if k != "page"]
            for page in ("1", "2", "20", "500"):
                query = directory.parse_query([*base, ("page", page)])
                async with db.session() as s:
                    old = _shape(await directory.search(s, query, now=now))
                async with db.session() as s:
                    new = _shape(await rewritten(s, query, now=now))
                if old != new:
                    raise AssertionError(f"rewrite differs on {name!r} page {page}: {old[:1]} vs {new[:1]}")
                compared += 1
    finally:
        await db.close()
    return compared


# --- main -----------------------------------------------------------------------------------------


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _pg_run(url: str, statements: list[str]) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for statement in statements:
            await conn.execute(statement)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


@contextlib.contextmanager
def database(args: argparse.Namespace, workdir: Path) -> Iterator[Seeded]:
    """A seeded database: fresh PostgreSQL (dropped unless --keep) or SQLite in `workdir`."""
    if args.sqlite:
        path = workdir / "directory.db"
        seeded = Seeded(url=f"sqlite+aiosqlite:///{path}", server_url=f"sqlite:///{path}", name=str(path))
        yield _seeded(seeded, args)
        return
    if args.reuse:  # a database an earlier --keep run seeded: measure again, keep it
        seeded = _pg_seeded(args.reuse)
        seeded.token, seeded.counts = asyncio.run(_describe(seeded.url))
        print(f"reusing {args.reuse}: " + ", ".join(f"{k} {v:,}" for k, v in seeded.counts.items()))
        yield seeded
        return
    name = f"hearth_bench_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        print(f"database {name}")
        yield _seeded(_pg_seeded(name), args)
    finally:
        if args.keep:
            print(f'kept database {name} (drop it with: DROP DATABASE "{name}" WITH (FORCE))')
        else:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _pg_seeded(name: str) -> Seeded:
    return Seeded(
        url=f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", server_url=f"{PG}/{name}", name=name
    )


async def _describe(url: str) -> tuple[str, dict[str, int]]:
    db = Database(url)
    try:
        return await viewer_session(db), await counts_of(db, now=datetime.now(UTC))
    finally:
        await db.close()


def _seeded(seeded: Seeded, args: argparse.Namespace) -> Seeded:
    started = time.monotonic()
    seeded.token, seeded.counts = asyncio.run(
        seed(seeded.url, groups=args.groups, members=args.members, seed=args.seed, workers=args.workers)
    )
    seeded.seconds = time.monotonic() - started
    if not args.sqlite:
        asyncio.run(_pg_run(seeded.url, ["VACUUM"]))  # and ANALYZE: as autovacuum would have by now
    print(f"seeded in {seeded.seconds:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in seeded.counts.items()))
    return seeded


@contextlib.contextmanager
def variants_of(seeded: Seeded, args: argparse.Namespace, workdir: Path) -> Iterator[list[Variant]]:
    """The database as migrated, and one copy per --try with its changes applied (PostgreSQL:
    CREATE DATABASE ... TEMPLATE; SQLite: a file copy); the copies are dropped at the end."""
    engine = "SQLite" if args.sqlite else "PostgreSQL"
    found = [Variant(f"{engine}, as migrated", [], seeded.name, seeded.url, seeded.server_url)]
    copies: list[str] = []
    try:
        for i, spec in enumerate(args.tries, 1):
            names = spec.split("+")
            if args.sqlite:
                path = workdir / f"variant-{i}.db"
                shutil.copyfile(seeded.name, path)
                v = Variant(
                    f"{engine} + {spec}", names, str(path), f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"
                )
            else:
                name = f"{seeded.name}_v{i}"
                asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{seeded.name}"'))
                copies.append(name)
                copy = _pg_seeded(name)
                v = Variant(f"{engine} + {spec}", names, name, copy.url, copy.server_url)
                apply = [sql.format(db=name) for n in names for sql in TRIES[n][0]]
                if apply:
                    asyncio.run(_pg_run(v.url, apply))
            if "rewrite" in names:
                import directory_rewrite

                v.search = directory_rewrite.search
                compared = asyncio.run(check_rewrite(v.url, v.search))
                print(f"{v.label}: the rewrite gives the same {compared} pages as the app's search")
            found.append(v)
        yield found
    finally:
        for name in copies:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--groups", type=int, default=5000)
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1, help="random seed of the directory's contents")
    parser.add_argument("--workers", type=int, default=2, help="concurrent sessions seeding groups")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per case")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up requests per case")
    parser.add_argument("--sqlite", action="store_true", help="the embedded SQLite instead of PostgreSQL")
    parser.add_argument(
        "--try",
        dest="tries",
        action="append",
        default=[],
        metavar="NAME[+NAME]",
        help=f"also measure a copy with candidate changes applied ({', '.join(TRIES)})",
    )
    parser.add_argument("--server-cpus", help="pin every hearth serve with taskset -c (default: not pinned)")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--plans", help="append the full query plans (text) to this file")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (prints its name)")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure a database a --keep run seeded (kept)")
    args = parser.parse_args()
    for spec in args.tries:
        for name in spec.split("+"):
            if name not in TRIES or (args.sqlite and name != "rewrite"):
                parser.error(f"--try {name}: choose from {', '.join(TRIES)} (only rewrite on SQLite)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that servers stop and databases go
    results: dict[str, Any] = {"args": vars(args)}
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hearth-directory-")))
        seeded = stack.enter_context(database(args, workdir))
        results["seed"] = {"counts": seeded.counts, "seconds": seeded.seconds}
        variants = stack.enter_context(variants_of(seeded, args, workdir))
        for i, v in enumerate(variants):
            hearth = (
                [sys.executable, str(HERE / "directory_rewrite.py")] if "rewrite" in v.names else [HEARTH]
            )
            v.server = stack.enter_context(
                serving(v.server_url, workdir / f"v{i}", hearth=hearth, cpus=args.server_cpus)
            )
        measure(variants, seeded.token, requests=args.requests, warmup=args.warmup)
        for v in variants:
            print_timings(v)
        print_comparison(variants)
        plans_out = Path(args.plans) if args.plans else None
        for v in variants:
            if not args.no_explain:
                v.plans = asyncio.run(explain(v.url, plans_out, v.label, v.search))
                print(f"\nplans, {v.label}:")
                print_plans(v.plans)
        results["variants"] = [
            {
                "label": v.label,
                "load": v.load,
                "cases": {
                    t.case: {
                        "results": t.total,
                        "p50": t.pct(50),
                        "p95": t.pct(95),
                        "p99": t.pct(99),
                        "max": max(t.samples),
                    }
                    for t in v.timings.values()
                },
                "plans": v.plans,
            }
            for v in variants
        ]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
