"""Latency of the directory as a client sees it: every case of `CASES`, interleaved.

One logged-in member, one keep-alive connection, one request at a time. Each round sends every
case once (and the `REFERENCE` request), so that whatever else the machine is doing falls on
all cases alike; `warmup` rounds first, then `requests` measured rounds. Latency is the
client's wall time for the whole request; percentiles are nearest-rank (`loadgen.percentile`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import httpx
from directory_cases import CASES, REFERENCE
from directory_server import base_url
from loadgen import percentile
from run import Server, _machine_busy

from meeting.accounts import sessions


@dataclass
class Timing:
    case: str
    samples: list[float] = field(default_factory=list)  # ms
    total: int = 0  # the directory's `total` for the case

    def pct(self, p: float) -> float:
        return percentile(sorted(self.samples), p)

    def figures(self) -> dict[str, float]:
        return {
            "results": self.total,
            "p50": self.pct(50),
            "p95": self.pct(95),
            "p99": self.pct(99),
            "max": max(self.samples),
        }


@dataclass
class Latency:
    timings: dict[str, Timing]
    load: dict[str, float]  # seconds, server CPU, machine busy, load average over the measuring


def measure(server: Server, token: str, *, requests: int, warmup: int) -> Latency:
    """Time every case `requests` times on `server`, after checking that each answers 200 and
    `warmup` unmeasured rounds."""
    calls = [(REFERENCE, "/api/v1/me", httpx.QueryParams())]
    calls += [(n, "/api/v1/groups", httpx.QueryParams(tuple(p))) for n, p in CASES.items()]
    timings = {name: Timing(name) for name, _, _ in calls}
    with httpx.Client(base_url=base_url(server), cookies={sessions.COOKIE: token}, timeout=60) as client:
        for name, path, params in calls:
            response = client.get(path, params=params)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {response.status_code} {response.text[:300]}")
            timings[name].total = response.json().get("total", 0)
        for _ in range(warmup):
            for _name, path, params in calls:
                client.get(path, params=params)
        busy0, cpu0, t0 = _machine_busy(), server.cpu_seconds(), time.monotonic()
        for _ in range(requests):
            for name, path, params in calls:
                started = time.perf_counter()
                response = client.get(path, params=params)
                timings[name].samples.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
        elapsed = time.monotonic() - t0
    load = {
        "seconds": elapsed,
        "server_cpu_pct": (server.cpu_seconds() - cpu0) / elapsed * 100,
        "machine_busy_pct": (_machine_busy() - busy0) / elapsed * 100,
        "load_average": os.getloadavg()[0],
    }
    return Latency(timings, load)


def print_latency(label: str, latency: Latency) -> None:
    load = latency.load
    print(f"\n{label}")
    print(
        f"  {len(latency.timings[REFERENCE].samples)} requests per case in {load['seconds']:.0f} s; "
        f"server CPU {load['server_cpu_pct']:.0f} % of a core; machine busy "
        f"{load['machine_busy_pct']:.0f} % of {100 * (os.cpu_count() or 1)} %; "
        f"load average {load['load_average']:.1f}"
    )
    print("  | case | results | p50 ms | p95 ms | p99 ms | max ms |\n  |---|---|---|---|---|---|")
    for t in latency.timings.values():
        print(
            f"  | {t.case} | {t.total} | {t.pct(50):.1f} | {t.pct(95):.1f} | {t.pct(99):.1f} "
            f"| {max(t.samples):.1f} |"
        )
