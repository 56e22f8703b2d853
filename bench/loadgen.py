"""Load generator: WebSocket members in several processes, measuring send → receipt latency.

Reads a plan (JSON, written by `bench/seed.py`): `{"urls": [...], "origin": ..., "rooms":
[{"meeting": id, "cookies": [token, ...]}, ...]}`. Members of a room are spread over the
server URLs round-robin (so with two servers a room spans both processes). In each room one
member after another sends `rate` messages per second in total; every member, sender included,
records the latency of every message it receives. Prints one JSON line of results.

    python bench/loadgen.py plan.json --rate 5 --seconds 20 --procs 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import time
from typing import Any

from websockets.asyncio.client import connect


async def member(
    url: str,
    origin: str,
    cookie: str,
    meeting: int,
    stats: dict[str, Any],
    send_rate: float,
    ready: asyncio.Event,
    go: asyncio.Event,
) -> None:
    headers = {"Cookie": f"hearth_session={cookie}"}
    async with connect(
        f"{url}/ws/meetings/{meeting}",
        origin=origin,
        additional_headers=headers,
        compression=None,
        max_size=2**20,
        open_timeout=60,
        ping_interval=None,
    ) as ws:
        while json.loads(await ws.recv()).get("type") != "replayed":
            pass
        ready.set()
        await go.wait()
        stop_at = stats["stop_at"]

        async def sender() -> None:
            if send_rate <= 0:
                return
            interval = 1.0 / send_rate
            next_at = time.monotonic() + random.random() * interval
            n = 0
            while time.time() < stop_at:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                n += 1
                await ws.send(
                    json.dumps({"type": "say", "text": f"t={time.time():.6f} bench", "client_id": f"b{n}"})
                )
                stats["sent"] += 1
                next_at += interval

        task = asyncio.create_task(sender())
        latencies: list[float] = stats["latencies"]
        try:
            while True:
                remaining = stop_at + 2 - time.time()
                if remaining <= 0:
                    break
                try:
                    raw = await asyncio.wait_for(ws.recv(), remaining)
                except TimeoutError:
                    break
                now = time.time()
                if '"type":"message"' in raw:
                    frame = json.loads(raw)
                    sent = float(frame["text"].split()[0][2:])
                    if sent >= stats["measure_from"]:
                        latencies.append(now - sent)
                        stats["received"] += 1
        finally:
            task.cancel()


async def worker_main(
    jobs: list[tuple[str, str, str, int, float]], seconds: float, warmup: float, out: Any, barrier: Any
) -> None:
    """Connect every member, wait for all processes (barrier), then measure for `seconds`."""
    stats: dict[str, Any] = {"sent": 0, "received": 0, "latencies": [], "measure_from": 0.0, "stop_at": 0.0}
    readies = [asyncio.Event() for _ in jobs]
    go = asyncio.Event()
    tasks = [
        asyncio.create_task(member(url, origin, cookie, meeting, stats, rate, readies[i], go))
        for i, (url, origin, cookie, meeting, rate) in enumerate(jobs)
    ]
    for event in readies:
        await event.wait()
    await asyncio.get_running_loop().run_in_executor(None, barrier.wait)
    start = time.time()
    stats["measure_from"] = start + warmup
    stats["stop_at"] = start + warmup + seconds
    go.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = sum(1 for r in results if isinstance(r, BaseException))
    out.put(
        {
            "sent": stats["sent"],
            "received": stats["received"],
            "latencies": stats["latencies"],
            "errors": errors,
        }
    )


def worker(
    jobs: list[tuple[str, str, str, int, float]], seconds: float, warmup: float, out: Any, barrier: Any
) -> None:
    asyncio.run(worker_main(jobs, seconds, warmup, out, barrier))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("plan")
    parser.add_argument("--rate", type=float, default=5.0, help="messages per second per room")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    plan = json.load(open(args.plan))  # noqa: SIM115
    urls, origin = plan["urls"], plan["origin"]
    jobs: list[tuple[str, str, str, int, float]] = []
    k = 0
    for room in plan["rooms"]:
        senders = len(room["cookies"])
        for cookie in room["cookies"]:
            url = urls[k % len(urls)].replace("http", "ws", 1)
            jobs.append((url, origin, cookie, room["meeting"], args.rate / senders))
            k += 1
    random.shuffle(jobs)
    shards = [jobs[i :: args.procs] for i in range(args.procs)]
    out: Any = mp.Queue()
    barrier: Any = mp.Barrier(args.procs)
    procs = [mp.Process(target=worker, args=(s, args.seconds, args.warmup, out, barrier)) for s in shards]
    for p in procs:
        p.start()
    parts = [out.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = [x for part in parts for x in part["latencies"]]
    received = sum(part["received"] for part in parts)
    print(
        json.dumps(
            {
                "members": len(jobs),
                "rooms": len(plan["rooms"]),
                "rate_per_room": args.rate,
                "sent": sum(part["sent"] for part in parts),
                "received_measured": received,
                "deliveries_per_s": round(received / args.seconds),
                "p50_ms": round(percentile(latencies, 50) * 1000, 2),
                "p99_ms": round(percentile(latencies, 99) * 1000, 2),
                "errors": sum(part["errors"] for part in parts),
            }
        )
    )


if __name__ == "__main__":
    main()
