"""The bench database of `bench/directory.py`: created, seeded, reused, kept or dropped.

PostgreSQL (127.0.0.1:5432, user postgres, trust): a fresh `hearth_bench_<random>`, migrated
and seeded by `directory_seed`, vacuumed and analyzed as autovacuum would have done by then,
and dropped at the end unless kept; or one a `--keep` run seeded (`--reuse NAME`), measured
again without seeding and kept. SQLite: a file in the run's temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from directory_seed import counts_of, seed_directory, viewer_session
from run import PG, _pg
from seed import async_url

from meeting.db import Database


@dataclass
class Seeded:
    server_url: str  # what HEARTH_DATABASE_URL gets: postgresql://… or sqlite:///…
    name: str  # the PostgreSQL database (or the SQLite file)
    token: str = ""  # the viewer's session cookie
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def url(self) -> str:
        """The SQLAlchemy async URL."""
        return async_url(self.server_url)

    def describe(self) -> str:
        return ", ".join(f"{k} {v:,}" for k, v in self.counts.items())


@contextlib.contextmanager
def database(args: argparse.Namespace, workdir: Path) -> Iterator[Seeded]:
    """A seeded database: SQLite in `workdir` (--sqlite), the PostgreSQL database --reuse
    names, or a fresh one (dropped at the end unless --keep)."""
    if args.sqlite:
        path = workdir / "directory.db"
        yield _seeded(Seeded(f"sqlite:///{path}", str(path)), args)
        return
    if args.reuse:
        seeded = Seeded(f"{PG}/{args.reuse}", args.reuse)
        seeded.token, seeded.counts = asyncio.run(_describe(seeded.url))
        print(f"reusing {args.reuse}: {seeded.describe()}")
        yield seeded
        return
    name = f"hearth_bench_{secrets.token_hex(4)}"
    asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
    try:
        print(f"database {name}")
        yield _seeded(Seeded(f"{PG}/{name}", name), args)
    finally:
        if args.keep:
            print(f'kept database {name} (drop it with: DROP DATABASE "{name}" WITH (FORCE))')
        else:
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _describe(url: str) -> tuple[str, dict[str, int]]:
    db = Database(url)
    try:
        return await viewer_session(db), await counts_of(db, now=datetime.now(UTC))
    finally:
        await db.close()


async def _vacuum(server_url: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute("VACUUM")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _seeded(seeded: Seeded, args: argparse.Namespace) -> Seeded:
    started = time.monotonic()
    seeded.token, seeded.counts = asyncio.run(
        seed_directory(
            seeded.url, groups=args.groups, members=args.members, seed=args.seed, workers=args.workers
        )
    )
    seeded.seconds = time.monotonic() - started
    if not args.sqlite:
        asyncio.run(_vacuum(seeded.server_url))  # as autovacuum would have by now
    print(f"seeded in {seeded.seconds:.0f} s: {seeded.describe()}")
    return seeded
