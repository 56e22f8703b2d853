"""Real `hearth serve` processes: embedded default, installed package, and two processes sharing state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support import STRONG_PASSWORD, Server, drop_postgres_database, fresh_postgres_database, start_server

pytestmark = pytest.mark.e2e


def test_embedded_default_serves_pages_without_a_version_banner(server: Server) -> None:
    r = httpx.get(server.url + "/")
    assert r.status_code == 200
    assert "server" not in r.headers
    assert "Need help now?" in r.text
    assert (server.data_dir / "hearth.db").is_file()  # created and migrated by itself
    assert httpx.get(server.url + "/readyz").json()["checks"] == {"database": True}
    css = httpx.get(server.url + "/static/css/hearth.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_installed_wheel_finds_its_templates_and_static_files(tmp_path: Path) -> None:
    """A normal (non-editable) install works away from the checkout."""
    target = tmp_path / "site"
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(root)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (target / "meeting" / "templates" / "base.html").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    srv = start_server(tmp_path, env={"PYTHONPATH": str(target)}, cwd=elsewhere, name="installed")
    try:
        page = httpx.get(srv.url + "/login")
        assert page.status_code == 200
        assert "Log in" in page.text
        assert httpx.get(srv.url + "/static/css/hearth.css").status_code == 200
        where = subprocess.run(
            [sys.executable, "-c", "import meeting; print(meeting.__file__)"],
            env={"PYTHONPATH": str(target)},
            cwd=elsewhere,
            capture_output=True,
            text=True,
            check=True,
        )
        assert where.stdout.startswith(str(target))
    finally:
        srv.stop()


@pytest.mark.postgres
@pytest.mark.redis
def test_two_processes_share_sessions_through_postgres(tmp_path: Path, redis_url: str) -> None:
    name, url = fresh_postgres_database()
    env = {
        "HEARTH_DATABASE_URL": url,
        "HEARTH_REDIS_URL": redis_url,
        "HEARTH_SECRET_KEY": "k" * 48,
        "HEARTH_ALLOWED_ORIGINS": "http://127.0.0.1",
    }
    a = start_server(tmp_path, env=env, name="a")
    b = start_server(tmp_path, env=env, name="b")
    try:
        assert httpx.get(b.url + "/readyz").json()["checks"] == {"database": True, "redis": True}
        body = {"email": "pat@example.org", "password": STRONG_PASSWORD, "display_name": "Pat"}
        assert httpx.post(a.url + "/api/v1/accounts", json=body).status_code == 201
        login = httpx.post(
            b.url + "/api/v1/session", json={"email": body["email"], "password": body["password"]}
        )
        cookies = {"hearth_session": login.cookies["hearth_session"]}
        assert httpx.get(a.url + "/api/v1/me", cookies=cookies).json()["display_name"] == "Pat"
        assert httpx.delete(a.url + "/api/v1/session", cookies=cookies).status_code == 204
        assert httpx.get(b.url + "/api/v1/me", cookies=cookies).status_code == 401
    finally:
        a.stop()
        b.stop()
        drop_postgres_database(name)
