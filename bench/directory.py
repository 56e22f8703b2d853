"""Latency and query plans of the group directory (`GET /api/v1/groups`), run by hand.

    .venv/bin/python bench/directory.py          # PostgreSQL, 5,000 groups: ~1 min seeding, ~3 min measuring
    .venv/bin/python bench/directory.py --keep   # ...and keep the database for more runs (--reuse NAME)
    .venv/bin/python bench/directory.py --reuse NAME --requests 100
    .venv/bin/python bench/directory.py --sqlite --groups 1000   # the embedded default

1. Creates a fresh PostgreSQL database (`hearth_bench_<random>`, dropped at the end unless
   `--keep`), migrates it as the app does (`Database.upgrade()`) and seeds a directory through
   the app's services (`directory_seed`; `directory_database` for the database's lifecycle).
2. Starts a real `hearth serve` on it (`directory_server`) and times `GET /api/v1/groups` for
   each case of `directory_cases.CASES`, sequential requests over one keep-alive connection,
   cases interleaved request by request after a warm-up (`directory_latency`).
3. Runs the SQL the directory sends for the main cases (captured from `directory.search` with a
   SQLAlchemy cursor hook) under EXPLAIN (ANALYZE, BUFFERS) and says which scans it uses
   (`directory_plans`).

PostgreSQL at 127.0.0.1:5432 (user postgres, trust) must be running. Nothing else is needed:
no Redis (the server runs with its in-process broker; the directory never touches Redis).
SIGTERM and Ctrl-C stop the server and drop the database too. Figures and what they showed:
docs/performance.md, "The group directory".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's `meeting`, whatever the venv has installed
sys.path.insert(0, str(HERE))

from directory_database import database  # noqa: E402
from directory_latency import measure, print_latency  # noqa: E402
from directory_plans import explain, print_plans  # noqa: E402
from directory_server import serving  # noqa: E402


def parse_args() -> argparse.Namespace:
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
    parser.add_argument("--server-cpus", help="pin hearth serve with taskset -c (default: not pinned)")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--plans", help="append the full query plans (text) to this file")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (prints its name)")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure a database a --keep run seeded (kept)")
    args = parser.parse_args()
    if args.sqlite and (args.keep or args.reuse):
        parser.error("--keep and --reuse are for PostgreSQL")
    return args


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the server stops and the database goes
    label = "SQLite" if args.sqlite else "PostgreSQL"
    results: dict[str, Any] = {"args": vars(args), "label": label}
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hearth-directory-")))
        seeded = stack.enter_context(database(args, workdir))
        results["seed"] = {"counts": seeded.counts, "seconds": seeded.seconds}
        with serving(seeded.server_url, workdir / "server", cpus=args.server_cpus) as server:
            latency = measure(server, seeded.token, requests=args.requests, warmup=args.warmup)
        print_latency(label, latency)
        results["load"] = latency.load
        results["cases"] = {t.case: t.figures() for t in latency.timings.values()}
        if not args.no_explain:
            plans = asyncio.run(explain(seeded.url, Path(args.plans) if args.plans else None, label))
            print(f"\nplans, {label}:")
            print_plans(plans)
            results["plans"] = plans
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
