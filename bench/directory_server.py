"""The `hearth serve` that `bench/directory.py` measures: on a free port, stopped at the end.

The process handling (the `Server` record, waiting for `/healthz`, stopping) is `bench/run.py`'s;
only the start differs: any free port (other people run servers on this machine), no Redis,
pinned only when asked.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

from run import HEARTH, Server, _wait_ready, stop_servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def base_url(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}"


@contextlib.contextmanager
def serving(database_url: str, workdir: Path, *, cpus: str | None) -> Iterator[Server]:
    """A `hearth serve` on `database_url` (its in-process broker: the directory never touches
    Redis), pinned with `taskset -c cpus` if given; stopped and waited for when the block ends."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
    env.update(
        HEARTH_DATABASE_URL=database_url,
        HEARTH_SECRET_KEY="bench-" + "k" * 40,
        HEARTH_DATA_DIR=str(workdir / "data"),
        HEARTH_BASE_URL=f"http://127.0.0.1:{port}",
        HEARTH_LOG_LEVEL="WARNING",
    )
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "server.log"
    command = [HEARTH, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]  # taskset execs: the pid is the server's
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(port, proc, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        stop_servers([server])
