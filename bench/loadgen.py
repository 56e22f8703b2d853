"""Load generator: WebSocket members in several processes, measuring send → receipt latency.

Reads a plan (JSON, written by `bench/seed.py`): `{"urls": [...], "origin": ..., "rooms":
[{"meeting": id, "cookies": [token, ...]}, ...]}`. Members of a room are spread over the
server URLs round-robin (so with two servers a room spans both processes). In each room the
members take turns: each sends `rate / room size` messages per second with a random phase, so
the room as a whole sends `rate` per second. Every member, sender included, records the latency
of every message it receives (receipt time minus the send time written into the message text).

Measurement: a message counts when its send time falls in the measuring window (after
`--warmup`, for `--seconds`); receipts are collected until `--grace` seconds after the window.
`deliveries_per_s` is counted receipts / window; `expected` is what a loss-free server would
have delivered (sends in the window x members of that room), so `delivered_ratio` < 1 means
frames were late beyond the grace, dropped, or connections were shut. `loadgen_cpu` is the
load generator's own CPU use over the run (1.0 = one core busy): near its share of the cores,
the numbers measure the load generator as much as the server.

The client is a minimal WebSocket client on asyncio protocols (handshake checked, frames from
the server parsed by hand, pings answered): the `websockets` client's per-frame cost made the
load generator, not the server, the limit (see docs/performance.md).

    python bench/loadgen.py plan.json --rate 5 --seconds 20 --procs 2
    python bench/loadgen.py plan.json --idle --hold 30      # connect everyone, send nothing

With `--idle` it prints `{"event": "connected", ...}` once every member is in, holds the
connections for `--hold` seconds, then prints the results line. Output: JSON lines on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing as mp
import os
import random
import resource
import struct
import sys
import time
from collections import Counter
from typing import Any, cast
from urllib.parse import urlsplit

from websockets.utils import accept_key, apply_mask

Job = tuple[str, str, str, int, float]  # url, origin, cookie, meeting, this member's send rate
_MESSAGE = b'{"type":"message"'
_STAMP = b'"text":"t='


class Stats:
    """One worker process's counters."""

    def __init__(self) -> None:
        self.measure_from = float("inf")  # nothing counts until the window is set (replays!)
        self.measure_to = float("inf")
        self.counting_closes = False
        self.latencies: list[float] = []
        self.sent_in_window: Counter[int] = Counter()  # meeting -> sends in the window
        self.sent = 0
        self.closed: Counter[int] = Counter()  # close code -> count (while measuring)
        self.errors: Counter[str] = Counter()


class Member(asyncio.Protocol):
    """One member's socket: handshake, then frames parsed in `data_received`."""

    def __init__(self, stats: Stats, meeting: int, request: bytes, key: str) -> None:
        self.stats = stats
        self.meeting = meeting
        self.request = request
        self.expect_accept = accept_key(key).encode()
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.replayed = asyncio.get_running_loop().create_future()
        self.gone = asyncio.get_running_loop().create_future()
        self.close_code: int | None = None

    # -- asyncio.Protocol --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.replayed.done():
            self.replayed.set_exception(ConnectionError(f"closed before replay ({self.close_code})"))
        if not self.gone.done():
            self.gone.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.time()  # one receipt time for everything in this read
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end]).lower()
            del buf[: end + 4]
            if not head.startswith(b"http/1.1 101") or self.expect_accept.lower() not in head:
                status = head.split(b"\r\n", 1)[0].decode(errors="replace")
                self._fail(f"handshake refused: {status}")
                return
            self.upgraded = True
        pos, size = 0, len(buf)
        stats = self.stats
        while size - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length, head_len = b1 & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head_len = (buf[pos + 2] << 8) | buf[pos + 3], 4
            elif length == 127:
                if size - pos < 10:
                    break
                (length,) = struct.unpack_from("!Q", buf, pos + 2)
                head_len = 10
            if size - pos < head_len + length:
                break
            start = pos + head_len
            payload = bytes(buf[start : start + length])
            pos = start + length
            opcode = b0 & 0x0F
            if not b0 & 0x80 or b1 & 0x80:
                self._fail("fragmented or masked frame from the server")
                return
            if opcode == 1:
                if payload.startswith(_MESSAGE):
                    i = payload.find(_STAMP)
                    if i > 0:
                        j = payload.find(b" ", i)
                        sent = float(payload[i + 10 : j])
                        if stats.measure_from <= sent < stats.measure_to:
                            stats.latencies.append(now - sent)
                elif not self.replayed.done() and b'"type":"replayed"' in payload:
                    self.replayed.set_result(None)
            elif opcode == 8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                if stats.counting_closes:  # closed by the server while measuring
                    stats.closed[self.close_code] += 1
                self._send(0x8, payload[:2])
                if self.transport is not None:
                    self.transport.close()
                return
            elif opcode == 9:
                self._send(0xA, payload)
        del buf[:pos]

    # -- sending -----------------------------------------------------------------------------

    def _send(self, opcode: int, payload: bytes) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        transport.write(head + mask + apply_mask(payload, mask))

    def send_text(self, text: str) -> None:
        self._send(0x1, text.encode())

    def close(self) -> None:
        self._send(0x8, struct.pack("!H", 1000))
        if self.transport is not None:
            asyncio.get_running_loop().call_later(2.0, self.transport.abort)

    def _fail(self, why: str) -> None:
        if not self.replayed.done():
            self.replayed.set_exception(ConnectionError(why))
        else:
            self.stats.errors[why] += 1
        if self.transport is not None:
            self.transport.abort()


async def open_member(job: Job, stats: Stats) -> Member:
    url, origin, cookie, meeting, _rate = job
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws/meetings/{meeting} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\nCookie: hearth_session={cookie}\r\n\r\n"
    ).encode()
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(lambda: Member(stats, meeting, request, key), host, port)
    try:
        async with asyncio.timeout(60):
            await protocol.replayed
    except BaseException:
        if protocol.transport is not None:
            protocol.transport.abort()
        raise
    return protocol


async def sender(member: Member, stats: Stats, rate: float, go: float, stop: float) -> None:
    """Send at `rate` per second from `go` until `stop` (wall clock), with a random phase."""
    if rate <= 0:
        return
    interval = 1.0 / rate
    next_at = go + random.random() * interval
    n = 0
    while next_at < stop:
        await asyncio.sleep(max(0.0, next_at - time.time()))
        if member.gone.done():
            return
        n += 1
        now = time.time()
        member.send_text(f'{{"type":"say","text":"t={now:.6f} bench","client_id":"b{n}"}}')
        stats.sent += 1
        if stats.measure_from <= now < stats.measure_to:
            stats.sent_in_window[member.meeting] += 1
        next_at += interval


async def worker_main(jobs: list[Job], args: dict[str, Any], out: Any, barrier: Any, index: int) -> None:
    stats = Stats()
    limit = asyncio.Semaphore(args["connect_concurrency"])

    async def connect(job: Job) -> Member | BaseException:
        async with limit:
            try:
                return await open_member(job, stats)
            except Exception as exc:
                return exc

    opened = await asyncio.gather(*(connect(job) for job in jobs))
    members = [m for m in opened if isinstance(m, Member)]
    failed = Counter(f"{type(e).__name__}: {e}"[:120] for e in opened if isinstance(e, BaseException))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, barrier.wait)  # every process connected
    if index == 0:
        out.put({"event": "connected"})
    cpu0, wall0 = _cpu(), time.monotonic()
    go = time.time() + 0.5
    stats.measure_from = go + args["warmup"]
    stats.measure_to = stats.measure_from + args["seconds"]
    stats.counting_closes = True
    if args["idle"]:
        await asyncio.sleep(args["hold"])
    else:
        rates = {id(m): job[4] for m, job in zip(opened, jobs, strict=True) if isinstance(m, Member)}
        senders = [asyncio.create_task(sender(m, stats, rates[id(m)], go, stats.measure_to)) for m in members]
        await asyncio.gather(*senders)
        await asyncio.sleep(max(0.0, stats.measure_to + args["grace"] - time.time()))
    cpu, wall = _cpu() - cpu0, time.monotonic() - wall0
    stats.counting_closes = False
    still_open = sum(1 for m in members if not m.gone.done())
    for m in members:
        m.close()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(3):
            await asyncio.gather(*(m.gone for m in members))
    out.put(
        {
            "event": "part",
            "connected": len(members),
            "connect_failures": dict(failed),
            "still_open": still_open,
            "sent": stats.sent,
            "sent_in_window": dict(stats.sent_in_window),
            "latencies": stats.latencies,
            "closed": dict(stats.closed),
            "errors": dict(stats.errors),
            "cpu": cpu,
            "wall": wall,
        }
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(jobs: list[Job], args: dict[str, Any], out: Any, barrier: Any, index: int) -> None:
    try:
        import uvloop

        uvloop.run(worker_main(jobs, args, out, barrier, index))
    except ImportError:
        asyncio.run(worker_main(jobs, args, out, barrier, index))


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile of sorted `values`."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("plan")
    parser.add_argument("--rate", type=float, default=5.0, help="messages per second per room")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the measuring window")
    parser.add_argument("--warmup", type=float, default=3.0, help="sending before the window opens")
    parser.add_argument("--grace", type=float, default=2.0, help="receipts counted this long after")
    parser.add_argument("--procs", type=int, default=2, help="worker processes")
    parser.add_argument("--connect-concurrency", type=int, default=50, help="handshakes in flight per proc")
    parser.add_argument("--idle", action="store_true", help="connect and hold, send nothing")
    parser.add_argument("--hold", type=float, default=20.0, help="with --idle: seconds to hold")
    args = parser.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    urls, origin = plan["urls"], plan["origin"]
    jobs: list[Job] = []
    room_size: dict[int, int] = {}
    k = 0
    for room in plan["rooms"]:
        senders = len(room["cookies"])
        room_size[room["meeting"]] = senders
        for cookie in room["cookies"]:
            url = urls[k % len(urls)].replace("http", "ws", 1)
            jobs.append((url, origin, cookie, room["meeting"], args.rate / senders))
            k += 1
    random.shuffle(jobs)
    shards = [jobs[i :: args.procs] for i in range(args.procs)]
    options = {
        "seconds": args.seconds,
        "warmup": args.warmup,
        "grace": args.grace,
        "idle": args.idle,
        "hold": args.hold,
        "connect_concurrency": args.connect_concurrency,
    }
    ctx = mp.get_context("fork")
    out: Any = ctx.Queue()
    barrier: Any = ctx.Barrier(args.procs)
    procs = [
        ctx.Process(target=worker, args=(s, options, out, barrier, i), daemon=True)
        for i, s in enumerate(shards)
    ]
    for p in procs:
        p.start()
    parts: list[dict[str, Any]] = []
    deadline = time.monotonic() + 180 + args.warmup + args.seconds + args.grace + args.hold
    while len(parts) < len(procs):
        part = out.get(timeout=max(1.0, deadline - time.monotonic()))
        if part["event"] == "connected":
            print(json.dumps({"event": "connected", "members": len(jobs)}), flush=True)
        else:
            parts.append(part)
    for p in procs:
        p.join(timeout=10)
    latencies = sorted(x for part in parts for x in part["latencies"])
    expected = sum(
        n * room_size[int(meeting)] for part in parts for meeting, n in part["sent_in_window"].items()
    )
    closed: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for part in parts:
        closed.update({str(k): v for k, v in part["closed"].items()})
        failures.update(part["connect_failures"])
        errors.update(part["errors"])
    received = len(latencies)
    result = {
        "event": "result",
        "mode": "idle" if args.idle else "load",
        "members": len(jobs),
        "connected": sum(part["connected"] for part in parts),
        "still_open": sum(part["still_open"] for part in parts),
        "rooms": len(plan["rooms"]),
        "rate_per_room": args.rate,
        "sent": sum(part["sent"] for part in parts),
        "expected": expected,
        "received": received,
        "delivered_ratio": round(received / expected, 4) if expected else None,
        "deliveries_per_s": round(received / args.seconds),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else None,
        "loadgen_cpu": round(sum(p["cpu"] for p in parts) / max(p["wall"] for p in parts), 3),
        "closed": dict(closed),
        "connect_failures": dict(failures),
        "errors": dict(errors),
    }
    print(json.dumps(result), flush=True)
    sys.exit(0 if not failures else 1)


if __name__ == "__main__":
    main()
