"""Settings: defaults, validation that names the variable, the generated secret."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from support import run

from meeting.settings import Settings, SettingsError


def load(tmp_path: Path, **env: str) -> Settings:
    return Settings.load({"HEARTH_DATA_DIR": str(tmp_path / "d"), **env}, env_file=None)


def test_embedded_defaults(tmp_path: Path) -> None:
    s = load(tmp_path)
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'd' / 'hearth.db'}"
    assert s.redis_url is None
    assert s.base_url == "http://127.0.0.1:8000"
    assert s.allowed_origins == ("http://127.0.0.1:8000",)
    assert not s.secure_cookies


def test_generated_secret_is_private_and_stable(tmp_path: Path) -> None:
    first = load(tmp_path)
    path = tmp_path / "d" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert load(tmp_path).secret_key == first.secret_key


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"HEARTH_ENV": "production", "HEARTH_BASE_URL": "https://h.example"}, "HEARTH_SECRET_KEY"),
        ({"HEARTH_ENV": "production", "HEARTH_SECRET_KEY": "s" * 40}, "HEARTH_BASE_URL"),  # http base URL
        ({"HEARTH_ENV": "staging"}, "HEARTH_ENV"),
        ({"HEARTH_SECRET_KEY": "short"}, "HEARTH_SECRET_KEY"),
        ({"HEARTH_DATABASE_URL": "mysql://x"}, "HEARTH_DATABASE_URL"),
        ({"HEARTH_REDIS_URL": "http://x"}, "HEARTH_REDIS_URL"),
        ({"HEARTH_BASE_URL": "ftp://x"}, "HEARTH_BASE_URL"),
        ({"HEARTH_ALLOWED_ORIGINS": "example.org"}, "HEARTH_ALLOWED_ORIGINS"),
        ({"HEARTH_SESSION_IDLE_MINUTES": "soon"}, "HEARTH_SESSION_IDLE_MINUTES"),
        ({"HEARTH_SESSION_MAX_HOURS": "0"}, "HEARTH_SESSION_MAX_HOURS"),
        ({"HEARTH_LOG_FORMAT": "xml"}, "HEARTH_LOG_FORMAT"),
    ],
)
def test_invalid_settings_name_the_variable(tmp_path: Path, env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        load(tmp_path, **env)


def test_production_with_https_is_accepted_and_secure(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        HEARTH_ENV="production",
        HEARTH_SECRET_KEY="s" * 40,
        HEARTH_BASE_URL="https://hearth.example.org",
        HEARTH_DATABASE_URL="postgresql://h@db/hearth",
    )
    assert s.secure_cookies
    assert s.database_url == "postgresql+asyncpg://h@db/hearth"
    assert s.allowed_origins == ("https://hearth.example.org",)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("HEARTH_LOG_LEVEL=debug\nHEARTH_BASE_URL='http://localhost:9000'\n")
    s = Settings.load({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_LOG_LEVEL": "warning"}, env_file=env_file)
    assert s.log_level == "WARNING"
    assert s.base_url == "http://localhost:9000"


def test_cli_reports_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    result = run("check", env={"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_REDIS_URL": "http://nope"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "HEARTH_REDIS_URL" in result.stderr
