"""The seeded directory of `bench/directory.py`: groups, series, meetings, members and RSVPs.

Hosts create groups through `meeting.groups.service.create_group` (topics, style, language,
size limit, visibility) and schedule weekly or fortnightly series in IANA zones through
`meeting.groups.series.schedule`, started up to 20 weeks ago and materialized `TOP_UP_TO`
ahead through `series.materialize` (what the app's sweep does), a few one-off meetings, some
occurrences cancelled (`series.cancel_meeting`) and some groups archived
(`series.archive_group`); past meetings are marked ended with the statement of the app's
overdue sweep. Memberships, guideline acceptances and RSVPs are bulk inserts of the rows
`join_group`, `accept_guidelines` and `attendance.service.rsvp` write (members "going" up to
the size limit, then "waitlist"; hosts "going" without taking a seat), so that a share of next
meetings is full. Each group has its own random stream: the result does not depend on how
the concurrent seeding sessions interleave.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from seed import _insert

from meeting.accounts import sessions
from meeting.accounts.models import User
from meeting.accounts.passwords import HASHER
from meeting.attendance.models import Rsvp
from meeting.db import Database
from meeting.groups import series, service
from meeting.groups.models import Group, GroupRole, GuidelinesAcceptance, Meeting, MeetingState
from meeting.settings import Settings

TOPIC_WEIGHTS = {"anxiety": 16, "depression": 14, "bipolar": 4, "eating-disorders": 4, "grief": 9,
                 "stress": 10, "life-transitions": 6, "trauma": 7, "caregivers": 6, "addiction": 9,
                 "wellness": 15}  # fmt: skip
LANGUAGES = {"en": 52, "en-GB": 6, "es": 12, "es-419": 4, "pt-BR": 6, "fr": 6, "de": 6, "it": 3,
             "ja": 3, "hi": 2}  # fmt: skip
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
VIEWER = "member-0@bench.test"  # the member who browses the directory

Plan = tuple[int, int, int, int, bool]  # n, group id, host id, size limit, archived


class People(NamedTuple):
    admin: int
    hosts: list[int]
    members: list[int]


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


async def seed_directory(
    url: str, *, groups: int, members: int, seed: int = 1, workers: int = 3
) -> tuple[str, dict[str, int]]:
    """Seed the directory (see the module doc) in the migrated database at `url`; returns the
    viewer's session token and the row counts."""
    db = Database(url)
    try:
        await db.upgrade()
        now = datetime.now(UTC)
        people = await _people(db, hosts=max(1, groups // 20), members=members, now=now)
        if db.dialect == "sqlite":
            workers = 1  # one writer at a time: concurrent sessions would wait for the lock
        plans = await _groups(db, people.hosts, groups=groups, seed=seed, workers=workers, now=now)
        await _end_past_meetings(db, now=now)
        await _attendance(db, plans, people, rng=random.Random(seed), now=now)
        return await viewer_session(db), await counts_of(db, now=now)
    finally:
        await db.close()


async def _people(db: Database, *, hosts: int, members: int, now: datetime) -> People:
    password_hash = HASHER.hash("bench-" + secrets.token_hex(8))  # once, shared by everyone
    rows = [
        {
            "email": f"{role}-{i}@bench.test",
            "display_name": f"{role.title()} {i}",
            "role": role,
            "password_hash": password_hash,
            "created_at": now,
        }
        for role, n in (("admin", 1), ("host", hosts), ("member", members))
        for i in range(n)
    ]
    async with db.engine.begin() as conn:
        ids = await _insert(conn, User, rows)
    return People(ids[0], ids[1 : 1 + hosts], ids[1 + hosts :])


async def _groups(
    db: Database, host_ids: list[int], *, groups: int, seed: int, workers: int, now: datetime
) -> list[Plan]:
    """Groups, series, one-offs, cancellations, archiving: through the app's services, by
    `workers` concurrent sessions, 25 groups per transaction."""
    plans: list[Plan] = []

    async def work(numbers: range) -> None:
        for start in range(numbers.start, numbers.stop, 25):
            async with db.session() as s:
                for n in range(start, min(numbers.stop, start + 25)):
                    host = await s.get(User, host_ids[n % len(host_ids)])
                    assert host is not None
                    made = await _seed_group(s, random.Random(f"{seed}-{n}"), n, host=host, now=now)
                    plans.append((n, *made))

    share = -(-groups // workers)
    await asyncio.gather(*(work(range(i, min(groups, i + share))) for i in range(0, groups, share)))
    return sorted(plans)


async def _seed_group(
    s: Any, rng: random.Random, n: int, *, host: User, now: datetime
) -> tuple[int, int, int, bool]:
    topics = {pick(rng, TOPIC_WEIGHTS) for _ in range(rng.choice([1, 1, 2, 2, 3]))}
    style = "professional" if rng.random() < 0.3 else "peer"
    language = pick(rng, LANGUAGES)
    name = f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS[sorted(topics)[0]])} {rng.choice(SHAPES)} {n}"
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
    kind = rng.random()
    series_count = 0 if kind < 0.05 else (2 if kind > 0.9 else 1)  # none, one or two series
    for _ in range(series_count):
        await _schedule_series(s, rng, group, host=host, zone_name=zone_name, now=now)
    if rng.random() < 0.1:  # a one-off (an extra session) in the next weeks
        local = (
            (now + timedelta(days=rng.randint(1, 40)))
            .astimezone(ZoneInfo(zone_name))
            .replace(hour=rng.choice(LOCAL_HOURS), minute=0, second=0, microsecond=0)
        )
        starts_at = local.astimezone(UTC)
        ends_at = starts_at + timedelta(hours=1)
        await series.schedule(s, group=group, actor=host, title="Extra session", starts_at=starts_at,
                              ends_at=ends_at, timezone=zone_name, now=now)  # fmt: skip
    archived = rng.random() < 0.08
    if series_count and not archived and rng.random() < 0.1:  # a cancelled occurrence
        m = Meeting.__table__  # type: ignore[attr-defined]
        query = sa.select(m.c.id).where(m.c.group_id == group.id, m.c.starts_at > now).order_by(m.c.starts_at)
        ids = [row[0] for row in (await (await s.connection()).execute(query.limit(4))).all()]
        meeting = await s.get(Meeting, rng.choice(ids))
        await series.cancel_meeting(s, meeting=meeting, actor=host, now=now)
    if archived:
        await series.archive_group(s, group=group, actor=host, now=now)
    assert host.id is not None
    return group.id, host.id, size, archived


async def _schedule_series(
    s: Any, rng: random.Random, group: Group, *, host: User, zone_name: str, now: datetime
) -> None:
    """A weekly or fortnightly series started up to 20 weeks ago, topped up as the sweep does."""
    zone = ZoneInfo(zone_name)
    weeks_back = rng.randint(0, 20)
    local_day = now.astimezone(zone).date() - timedelta(days=7 * weeks_back - rng.randint(1, 7))
    local = datetime(local_day.year, local_day.month, local_day.day, rng.choice(LOCAL_HOURS),
                     rng.choice([0, 0, 0, 30]), tzinfo=zone)  # fmt: skip
    first = local.astimezone(UTC)
    every = "FREQ=WEEKLY" if rng.random() < 0.8 else "FREQ=WEEKLY;INTERVAL=2"
    _, row = await series.schedule(
        s,
        group=group,
        actor=host,
        title=f"{group.name} meeting",
        starts_at=first,
        ends_at=first + timedelta(minutes=rng.choice([60, 60, 90])),
        timezone=zone_name,
        rrule=f"{every};BYDAY={DAYS[local.weekday()]}",
        now=min(now, first - timedelta(days=1)),  # as scheduled back then
    )
    assert row is not None
    await series.materialize(s, series=row, until=now + series.TOP_UP_TO)


async def _end_past_meetings(db: Database, *, now: datetime) -> None:
    """What the app's overdue sweep does to meetings whose room has closed (live.py)."""
    m = Meeting.__table__  # type: ignore[attr-defined]
    async with db.engine.begin() as conn:
        await conn.execute(
            sa.update(m)
            .where(m.c.ends_at <= now - timedelta(minutes=10), m.c.state.in_(["scheduled", "open"]))
            .values(state=MeetingState.ended.value, ended_at=m.c.ends_at)
        )


async def _attendance(
    db: Database, plans: list[Plan], people: People, *, rng: random.Random, now: datetime
) -> None:
    """Memberships, acceptances and RSVPs: bulk rows as join_group, accept_guidelines and rsvp
    write them, RSVPs on each group's next three meetings."""
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
            crowd = rng.sample(people.members, min(len(people.members), size + rng.randint(0, 10)))
            for uid in crowd:
                roles.append({"group_id": gid, "user_id": uid, "role": "member", "created_at": now})
                accepts.append({"group_id": gid, "user_id": uid, "version": 1, "accepted_at": now})
            if not archived:
                for k, mid in enumerate(upcoming.get(gid, [])[:3]):
                    rsvps += _rsvps(
                        rng, mid, crowd, k=k, host=host_id, admin=people.admin, size=size, now=now
                    )
        await _insert(conn, GroupRole, roles)
        await _insert(conn, GuidelinesAcceptance, accepts)
        await _insert(conn, Rsvp, rsvps)


def _rsvps(
    rng: random.Random, mid: int, crowd: list[int], *, k: int, host: int, admin: int, size: int, now: datetime
) -> list[dict[str, Any]]:
    """The RSVPs of a group's `k`-th next meeting: the next one is full in about 1 group in 4,
    the later ones less often; the host and sometimes an admin go without taking a seat."""
    full = rng.random() < (0.25 if k == 0 else 0.1)
    going = len(crowd) if full else rng.randint(0, max(0, size - 1))
    order = rng.sample(crowd, min(going, len(crowd)))
    t = now - timedelta(days=3)
    rows = []
    if rng.random() < 0.5:
        rows.append(_rsvp(mid, host, "going", t))
    if rng.random() < 0.05:
        rows.append(_rsvp(mid, admin, "going", t))
    for i, uid in enumerate(order):
        rows.append(_rsvp(mid, uid, "going" if i < size else "waitlist", t + timedelta(seconds=i)))
    return rows


def _rsvp(meeting_id: int, user_id: int, status: str, at: datetime) -> dict[str, Any]:
    return {
        "meeting_id": meeting_id,
        "user_id": user_id,
        "status": status,
        "visitor": False,
        "created_at": at,
    }


async def viewer_session(db: Database) -> str:
    """A fresh login session (cookie token) for the member who browses the directory."""
    users = User.__table__  # type: ignore[attr-defined]
    async with db.session() as s:
        query = sa.select(users.c.id).where(users.c.email == VIEWER)
        viewer = (await (await s.connection()).execute(query)).scalar_one()
        return await sessions.start(s, user_id=viewer, settings=Settings(session_max_hours=12))


async def counts_of(db: Database, *, now: datetime) -> dict[str, int]:
    """Row counts of the seeded tables, listed active groups and upcoming meetings."""
    g, m = Group.__table__, Meeting.__table__  # type: ignore[attr-defined]
    tables = ("users", "groups", "group_topics", "group_roles", "meeting_series", "meetings", "rsvps")
    counted = {table: sa.select(sa.func.count()).select_from(sa.table(table)) for table in tables}
    counted["listed_active"] = (
        sa.select(sa.func.count()).select_from(g).where(g.c.visibility == "listed", g.c.archived_at.is_(None))
    )
    counted["upcoming_meetings"] = (
        sa.select(sa.func.count()).select_from(m).where(m.c.starts_at > now, m.c.state == "scheduled")
    )
    async with db.engine.connect() as conn:
        return {name: int((await conn.execute(query)).scalar_one()) for name, query in counted.items()}
