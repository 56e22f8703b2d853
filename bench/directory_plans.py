"""The SQL of the directory's search, timed and explained, for the `EXPLAINED` cases.

For each case, `meeting.groups.directory.search` runs once with a SQLAlchemy cursor hook that
captures its statements; each is then timed on its own (median of 5 plain runs) and run under
`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL (`EXPLAIN QUERY PLAN` on SQLite). The summary lists
every scan node with its loops and rows; `out` (`--plans FILE`) gets the full text plans.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from directory_cases import CASES, EXPLAINED
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from meeting.db import Database
from meeting.groups import directory

Captured = list[tuple[str, Any]]  # (statement, parameters)


def _capture(db: Database) -> Captured:
    captured: Captured = []

    def hook(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if not statement.lstrip().upper().startswith(("EXPLAIN", "SET", "RESET")):
            captured.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", hook)
    return captured


def _label(statement: str) -> str:
    """Which of `search`'s statements this is: the page (with its total), the count (only past
    the end of the results), then the reads of the page's groups, topics, meetings and seats."""
    if statement.lstrip().startswith("WITH found"):
        return "page" if "OVER ()" in statement else "count"
    if "group_topics" in statement:
        return "topics"
    if "rsvp" in statement:
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


async def _plan(conn: AsyncConnection, statement: str, params: Any) -> tuple[list[str], list[str]]:
    """(full text plan, summary) of one statement."""
    if conn.dialect.name != "postgresql":
        rows: list[Any] = list((await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)).all())
        lines = [f"{row[1]:>3} {row[3]}" for row in rows]
        return lines, lines
    raw = (
        await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params)
    ).scalar_one()
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    text = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
    return [row[0] for row in text.all()], summarise(plan)


async def _timed(conn: AsyncConnection, statement: str, params: Any) -> float:
    """Median ms of 5 plain runs of one statement."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        (await conn.exec_driver_sql(statement, params)).all()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


async def explain(url: str, out: Path | None, title: str) -> dict[str, Any]:
    """Per `EXPLAINED` case, each statement's label, median ms and plan summary; the full plans
    are appended to `out`."""
    db = Database(url)
    found: dict[str, Any] = {}
    texts: list[str] = [f"#### {title}\n"]
    try:
        captured = _capture(db)
        for name in EXPLAINED:
            captured.clear()
            async with db.session() as s:
                await directory.search(s, directory.parse_query(CASES[name]))
            found[name] = []
            async with db.engine.connect() as conn:
                for statement, params in list(captured):
                    label = _label(statement)
                    ms = await _timed(conn, statement, params)
                    lines, summary = await _plan(conn, statement, params)
                    found[name].append({"statement": label, "ms": ms, "summary": summary})
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
