"""The `hearth` command line, run as a person would run it."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import STRONG_PASSWORD, run


@pytest.mark.parametrize("args", [[], ["serve"], ["db", "upgrade"], ["user", "create"], ["check"]])
def test_help_is_useful(args: list[str]) -> None:
    result = run(*args, "--help")
    assert result.returncode == 0
    assert "usage: hearth" in result.stdout


def test_db_upgrade_user_create_and_check(tmp_path: Path) -> None:
    env = {"HEARTH_DATA_DIR": str(tmp_path / "data")}
    upgraded = run("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "up to date" in upgraded.stdout
    created = run(
        "user",
        "create",
        "--email",
        "host@example.org",
        "--role",
        "host",
        env=env,
        stdin=STRONG_PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created host host@example.org" in created.stdout
    weak = run("user", "create", "--email", "m@example.org", env=env, stdin="short\n")
    assert weak.returncode == 1
    assert "15 characters" in weak.stderr
    check = run("check", env={**env, "HEARTH_DATABASE_URL": "postgresql://u:hunter2secret@127.0.0.1:1/x"})
    assert "hunter2secret" not in check.stdout
    assert "u:***@" in check.stdout
    assert "DOES NOT ANSWER" in check.stdout
    assert check.returncode == 1
    ok = run("check", env=env)
    assert ok.returncode == 0
    assert "HEARTH_SECRET_KEY" in ok.stdout
    assert "set (hidden)" in ok.stdout


def test_check_reports_redis(tmp_path: Path, redis_url: str) -> None:
    ok = run("check", env={"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_REDIS_URL": redis_url})
    assert ok.returncode == 0, ok.stdout
    assert "redis" in ok.stdout
    assert "answers" in ok.stdout
