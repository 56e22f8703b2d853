"""HTML pages: forms with CSRF, security headers everywhere, the crisis link on every page."""

from __future__ import annotations

import re

import httpx
import pytest
from support import STRONG_PASSWORD, App

pytestmark = pytest.mark.postgres


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form has no CSRF token"
    return match.group(1)


async def form_post(app: App, page: str, action: str, fields: dict[str, str]) -> httpx.Response:
    token = csrf_from((await app.client.get(page)).text)
    return await app.client.post(action, data={"csrf_token": token, **fields})


async def test_register_log_out_and_in_through_the_forms(app: App) -> None:
    r = await form_post(
        app,
        "/register",
        "/register",
        {"display_name": "River", "email": "river@example.org", "password": STRONG_PASSWORD},
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/account?welcome=1"
    account = await app.client.get("/account?welcome=1")
    assert "River" in account.text
    assert "first to sign up" in account.text  # the first account is told it is the admin
    r = await form_post(app, "/account", "/logout", {})
    assert r.status_code == 303
    assert (await app.client.get("/account")).status_code == 303  # redirected to log in
    r = await form_post(app, "/login", "/login", {"email": "river@example.org", "password": STRONG_PASSWORD})
    assert r.status_code == 303
    assert "river@example.org" in (await app.client.get("/account")).text


async def test_form_post_without_csrf_token_is_rejected(app: App) -> None:
    await app.client.get("/register")  # has the cookie, but not the token
    r = await app.client.post(
        "/register", data={"display_name": "X", "email": "x@example.org", "password": STRONG_PASSWORD}
    )
    assert r.status_code == 403
    assert "expired" in r.text
    assert (await app.log_in("x@example.org")).status_code == 401  # nothing was created


async def test_form_post_with_a_forged_token_or_foreign_origin_is_rejected(app: App) -> None:
    await app.client.get("/login")
    r = await app.client.post("/login", data={"csrf_token": "0" * 64, "email": "a@b.co", "password": "x"})
    assert r.status_code == 403
    token = csrf_from((await app.client.get("/login")).text)
    r = await app.client.post(
        "/login",
        data={"csrf_token": token, "email": "a@b.co", "password": "x"},
        headers={"origin": "https://evil.example"},
    )
    assert r.status_code == 403


async def test_failed_registration_keeps_what_was_typed(app: App) -> None:
    r = await form_post(
        app,
        "/register",
        "/register",
        {"display_name": "Kestrel", "email": "kestrel@example.org", "password": "too short"},
    )
    assert r.status_code == 422
    assert 'value="Kestrel"' in r.text
    assert 'value="kestrel@example.org"' in r.text
    assert "15 characters" in r.text
    assert 'aria-invalid="true"' in r.text
    assert "too short" not in r.text  # the password is never echoed back


async def test_change_password_and_delete_account_through_the_forms(app: App) -> None:
    await app.register()
    await app.log_in()
    r = await form_post(
        app,
        "/account",
        "/account/password",
        {"current_password": STRONG_PASSWORD, "new_password": "new and longer passphrase"},
    )
    assert r.status_code == 303
    assert "logged out" in (await app.client.get("/account?changed=1")).text
    r = await form_post(app, "/account", "/account/delete", {"delete_password": "new and longer passphrase"})
    assert r.status_code == 200
    assert "has been deleted" in r.text
    assert "email address" in r.text
    assert (await app.log_in(password="new and longer passphrase")).status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/register",
        "/help",
        "/static/css/hearth.css",
        "/api/v1/me",
        "/no-such-page",
        "/healthz",
    ],
)
async def test_security_headers_on_every_response(app: App, path: str) -> None:
    r = await app.client.get(path)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.headers["cross-origin-opener-policy"] == "same-origin"
    assert "strict-transport-security" not in r.headers  # only for https deployments
    assert "server" not in r.headers


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/help", "/no-such-page"])
async def test_crisis_link_on_every_page(app: App, path: str) -> None:
    html = (await app.client.get(path)).text
    assert '<a class="help-link" href="/help">Need help now?</a>' in html
    assert "<script>" not in html
    assert "onclick" not in html


async def test_help_page_lists_emergency_services_and_988(app: App) -> None:
    html = (await app.client.get("/help")).text
    assert "emergency" in html.lower()
    assert "988" in html


async def test_malformed_form_bodies_never_500(app: App) -> None:
    await app.client.get("/login")
    for content, ctype in [
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b"%%%&&&===", "application/x-www-form-urlencoded"),
        (b"\xff\xfe", "application/x-www-form-urlencoded"),
    ]:
        r = await app.client.post("/login", content=content, headers={"content-type": ctype})
        assert r.status_code in (400, 403)


async def test_login_next_cannot_leave_the_site(app: App) -> None:
    await app.register()
    r = await form_post(
        app,
        "/login",
        "/login",
        {"email": "sam@example.org", "password": STRONG_PASSWORD, "next": "//evil.example/x"},
    )
    assert r.headers["location"] == "/account"
