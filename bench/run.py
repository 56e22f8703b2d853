"""Run Hearth's real-time benchmark end to end: database, servers, load, results table.

Creates a fresh PostgreSQL database (dropped at the end), seeds members and rooms with
`bench/seed.py`, and for every step starts the server process(es) itself, pinned with
`taskset`, runs `bench/loadgen.py` (pinned too), samples the servers' CPU from /proc/<pid>/stat
over the measuring window and their RSS from /proc/<pid>/status, stops the servers, and prints a
table. Each step gets fresh server processes and a fresh Redis prefix, so no step inherits
another's rooms, logs or garbage. Everything runs on loopback and stops by itself: servers are
killed in `finally`, every wait is bounded, and the database is dropped.

Scenarios (`--scenario`, repeatable):

- ``memory``      one `hearth serve`, in-process broker; server on CPU 0, load generator on CPU 1
- ``redis``       one `hearth serve` with Redis; server on CPU 0, load generator on CPU 1
- ``redis2``      two `hearth serve` processes + Redis sharing PostgreSQL; server A on CPU 0,
                  server B on CPU 1, load generator not pinned (it competes with both servers:
                  this machine has 2 cores, see docs/performance.md)
- ``redis2-core0`` the same two processes both pinned to CPU 0, load generator on CPU 1: what
                  splitting one core's work over two processes plus Redis costs
- ``idle-memory`` / ``idle-memory-redis``  one server; `--idle` members connect and send nothing;
                  reports (RSS with everyone connected - RSS before) / connections

    .venv/bin/python bench/run.py --scenario redis --rates 5,20,40 --seconds 15
    .venv/bin/python bench/run.py --scenario idle-memory --idle 5000

Rates are messages per second per room; the ramp stops after the first step whose p99 exceeds
`--p99-limit` ms or that lost deliveries. Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432,
user postgres, trust auth) must be running; Redis itself is not pinned (it is not ours).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import redis

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from seed import seed  # noqa: E402

VENV_BIN = Path(sys.executable).parent
HEARTH = str(VENV_BIN / "hearth")
PG = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
BASE_PORT = 8101


@dataclass(frozen=True)
class Scenario:
    name: str
    servers: tuple[str, ...]  # CPU list for each server process (taskset -c)
    loadgen_cpus: str | None  # None: not pinned
    redis: bool
    idle: bool = False


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("memory", ("0",), "1", redis=False),
        Scenario("redis", ("0",), "1", redis=True),
        Scenario("redis2", ("0", "1"), None, redis=True),
        Scenario("redis2-core0", ("0", "0"), "1", redis=True),
        Scenario("idle-memory", ("0",), "1", redis=False, idle=True),
        Scenario("idle-memory-redis", ("0",), "1", redis=True, idle=True),
    )
}


@dataclass
class Server:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime

    def rss_kib(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) in KiB."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
        return values["VmRSS"], values["VmHWM"]


@dataclass
class Row:
    scenario: str
    rate: float
    result: dict[str, Any]
    server_cpu: list[float]  # percent of one core, per server, over the measuring window
    rss_mib: list[float]
    redis_cpu: float | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        r = self.result
        return bool(r.get("connected") == r.get("members") and (r.get("delivered_ratio") or 0) >= 0.999)


# --- PostgreSQL -------------------------------------------------------------------------------


async def _pg(sql: str) -> None:
    conn = await asyncpg.connect(PG + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def fresh_database() -> Any:
    name = f"hearth_bench_{secrets.token_hex(4)}"
    asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG}/{name}"
    finally:
        asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- servers ----------------------------------------------------------------------------------


def start_servers(
    scenario: Scenario,
    database_url: str,
    workdir: Path,
    tag: str,
    hearth: list[str],
    extra_env: dict[str, str],
) -> list[Server]:
    ports = [BASE_PORT + i for i in range(len(scenario.servers))]
    origins = ",".join(f"http://127.0.0.1:{p}" for p in ports)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
    env.update(
        HEARTH_DATABASE_URL=database_url,
        HEARTH_SECRET_KEY="bench-" + "k" * 40,
        HEARTH_DATA_DIR=str(workdir / "data"),
        HEARTH_ALLOWED_ORIGINS=origins,
        HEARTH_LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "INFO"),
    )
    if scenario.redis:
        env.update(HEARTH_REDIS_URL=REDIS_URL, HEARTH_REDIS_PREFIX=f"bench-{tag}:")
    env.update(extra_env)
    servers: list[Server] = []
    try:
        for port, cpus in zip(ports, scenario.servers, strict=True):
            log = workdir / f"server-{tag}-{port}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    ["taskset", "-c", cpus, *hearth, "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env={**env, "HEARTH_BASE_URL": f"http://127.0.0.1:{port}"},
                    cwd=workdir,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            servers.append(Server(port, proc, log))  # taskset execs: the pid is the server's
        for server in servers:
            _wait_ready(server)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def _wait_ready(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server on {server.port} exited: {server.log.read_text()[-2000:]}")
        url = f"http://127.0.0.1:{server.port}/healthz"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"server on {server.port} did not become ready")


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        if server.proc.poll() is None:
            server.proc.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=5)


# --- one step ---------------------------------------------------------------------------------


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine (all cores) so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLK_TCK


def _tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its children (the load generator's worker processes)."""
    total = 0.0
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for p in [pid, *map(int, children)]:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def _redis_cpu() -> float:
    info = redis.Redis.from_url(REDIS_URL).info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def _loadgen_cmd(scenario: Scenario, plan: Path, args: argparse.Namespace, rate: float) -> list[str]:
    cmd = [sys.executable, str(HERE / "loadgen.py"), str(plan), "--procs", str(args.procs)]
    if scenario.idle:
        cmd += ["--idle", "--hold", str(args.hold)]
    else:
        cmd += ["--rate", str(rate), "--seconds", str(args.seconds), "--warmup", str(args.warmup)]
    if scenario.loadgen_cpus is not None:
        cmd = ["taskset", "-c", scenario.loadgen_cpus, *cmd]
    return cmd


def run_step(
    scenario: Scenario,
    plan_data: dict[str, Any],
    rate: float,
    args: argparse.Namespace,
    workdir: Path,
    db: str,
) -> Row:
    tag = secrets.token_hex(3)
    extra_env = dict(item.split("=", 1) for item in args.server_env)
    servers = start_servers(scenario, db, workdir, tag, args.hearth.split(), extra_env)
    plan = workdir / f"plan-{tag}.json"
    plan.write_text(json.dumps({**plan_data, "urls": [f"http://127.0.0.1:{s.port}" for s in servers]}))
    profiler: subprocess.Popen[bytes] | None = None
    extra: dict[str, Any] = {}
    try:
        if scenario.idle:  # warm the code paths up, then take the baseline
            warm = workdir / f"warm-{tag}.json"
            rooms = plan_data["warmup_rooms"]
            warm.write_text(
                json.dumps({**plan_data, "rooms": rooms, "urls": [f"http://127.0.0.1:{servers[0].port}"]})
            )
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "loadgen.py"),
                    str(warm),
                    "--idle",
                    "--hold",
                    "1",
                    "--procs",
                    "1",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            time.sleep(3)
            extra["rss_before_kib"] = [s.rss_kib()[0] for s in servers]
        lg = subprocess.Popen(
            _loadgen_cmd(scenario, plan, args, rate),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: its workers go down with it
        )
        try:
            assert lg.stdout is not None
            line = lg.stdout.readline()
            if not line:
                raise RuntimeError(f"load generator failed: {lg.stderr.read() if lg.stderr else ''}")
            connected_at = time.monotonic()
            if scenario.idle:
                time.sleep(min(args.hold - 1, 5.0))  # let the connections settle
                rss = [s.rss_kib()[0] for s in servers]
                extra["rss_connected_kib"] = rss
                cpu_pct = [0.0 for _ in servers]
                redis_cpu = None
            else:
                time.sleep(max(0.0, connected_at + 0.5 + args.warmup - time.monotonic()))
                cpu0 = [s.cpu_seconds() for s in servers]
                redis0 = _redis_cpu() if scenario.redis else 0.0
                busy0, lg0 = _machine_busy(), _tree_cpu(lg.pid)
                t0 = time.monotonic()
                if args.profile:
                    svg = Path(args.profile) / f"{scenario.name}-{rate:g}-{tag}"
                    profiler = subprocess.Popen(
                        [
                            str(VENV_BIN / "py-spy"),
                            "record",
                            "--pid",
                            str(servers[0].pid),
                            "--duration",
                            str(int(args.seconds) - 1),
                            "--rate",
                            "200",
                            "--format",
                            "raw",
                            "-o",
                            f"{svg}.txt",
                            "--nonblocking",
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                time.sleep(args.seconds)
                elapsed = time.monotonic() - t0
                cpu_pct = [
                    round((s.cpu_seconds() - c) / elapsed * 100, 1)
                    for s, c in zip(servers, cpu0, strict=True)
                ]
                redis_cpu = round((_redis_cpu() - redis0) / elapsed * 100, 1) if scenario.redis else None
                busy = (_machine_busy() - busy0) / elapsed * 100
                lg_pct = (_tree_cpu(lg.pid) - lg0) / elapsed * 100
                extra["loadgen_cpu_pct"] = round(lg_pct, 1)
                extra["other_cpu_pct"] = round(busy - sum(cpu_pct) - lg_pct - (redis_cpu or 0.0), 1)
                rss = [s.rss_kib()[0] for s in servers]
            out, err = lg.communicate(timeout=120 + args.hold + args.seconds)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(lg.pid, signal.SIGKILL)  # no-op after a clean exit; else workers too
            lg.wait(timeout=10)
        lines = [json.loads(x) for x in out.splitlines() if x.strip()]
        result = next((x for x in lines if x.get("event") == "result"), None)
        if result is None:
            raise RuntimeError(f"no result from the load generator: {err[-2000:]}")
        result.pop("event", None)
        extra["hwm_mib"] = [round(s.rss_kib()[1] / 1024, 1) for s in servers]
        return Row(scenario.name, rate, result, cpu_pct, [round(r / 1024, 1) for r in rss], redis_cpu, extra)
    finally:
        if profiler is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                profiler.wait(timeout=15)
            if profiler.poll() is None:
                profiler.kill()
        stop_servers(servers)


# --- table ------------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    head = (
        f"{'scenario':<18} {'rate/room':>9} {'deliv/s':>8} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'server CPU %':>14} {'RSS MiB':>13} {'redis %':>7} {'lg %':>5} {'other %':>7}"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        r = row.result
        if r.get("mode") == "idle":
            before, after = row.extra["rss_before_kib"], row.extra["rss_connected_kib"]
            per = [(a - b) / max(1, r["connected"] / len(before)) for a, b in zip(after, before, strict=True)]
            print(
                f"{row.scenario:<18} idle: {r['connected']} connected; RSS {before} -> {after} KiB; "
                f"{'/'.join(f'{p:.1f}' for p in per)} KiB per connection; still open {r['still_open']}"
            )
            continue
        print(
            f"{row.scenario:<18} {row.rate:>9g} {r['deliveries_per_s']:>8} {r['delivered_ratio'] or 0:>6.3f} "
            f"{r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['max_ms'] or 0:>8.1f} "
            f"{'+'.join(f'{c:g}' for c in row.server_cpu):>14} {'+'.join(f'{m:g}' for m in row.rss_mib):>13} "
            f"{'' if row.redis_cpu is None else row.redis_cpu:>7} {row.extra.get('loadgen_cpu_pct', 0):>5g} "
            f"{row.extra.get('other_cpu_pct', 0):>7g}"
            + ("" if row.ok else f"  LOSS/FAIL closed={r['closed']} failures={r['connect_failures']}")
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), required=True)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--room-size", type=int, default=20)
    parser.add_argument("--rates", default="5", help="comma-separated messages/s per room, ascending")
    parser.add_argument("--seconds", type=float, default=15.0, help="measuring window per step")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--p99-limit", type=float, default=50.0, help="stop a ramp past this p99 (ms)")
    parser.add_argument("--no-stop", action="store_true", help="run every rate even past the limit")
    parser.add_argument("--repeat", type=int, default=1, help="run each scenario's ramp this many times")
    parser.add_argument("--idle", type=int, default=5000, help="connections for the idle-memory scenarios")
    parser.add_argument("--hold", type=float, default=12.0, help="idle scenarios: seconds held")
    parser.add_argument("--profile", help="directory: record a py-spy profile of server 1 per step")
    parser.add_argument("--json", help="write all rows to this file")
    parser.add_argument("--server-env", action="append", default=[], help="KEY=VALUE for the servers")
    parser.add_argument("--hearth", default=HEARTH, help="server command (for A/B runs of a variant)")
    args = parser.parse_args()
    rates = [float(x) for x in args.rates.split(",")]
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp, fresh_database() as db:
        workdir = Path(tmp)
        for name in args.scenario:
            scenario = SCENARIOS[name]
            members = args.idle if scenario.idle else args.members
            plan = asyncio.run(
                seed(
                    db,
                    members=members,
                    rooms=max(1, members // args.room_size),
                    urls=[],
                    origin="http://127.0.0.1:8101",
                )
            )
            if scenario.idle:
                warm = asyncio.run(seed(db, members=100, rooms=5, urls=[], origin="http://127.0.0.1:8101"))
                plan["warmup_rooms"] = warm["rooms"]
            for attempt in range(args.repeat):
                for rate in [0.0] if scenario.idle else rates:
                    row = run_step(scenario, plan, rate, args, workdir, db)
                    row.extra["attempt"] = attempt + 1
                    rows.append(row)
                    print_table([row])
                    sys.stdout.flush()
                    if (
                        not scenario.idle
                        and not args.no_stop
                        and (not row.ok or row.result["p99_ms"] > args.p99_limit)
                    ):
                        break
    print()
    print_table(rows)
    print(f"\n({time.monotonic() - started:.0f} s)")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {
                        "scenario": r.scenario,
                        "rate": r.rate,
                        "server_cpu_pct": r.server_cpu,
                        "rss_mib": r.rss_mib,
                        "redis_cpu_pct": r.redis_cpu,
                        **{k: v for k, v in r.result.items()},
                        **r.extra,
                    }
                    for r in rows
                ],
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
