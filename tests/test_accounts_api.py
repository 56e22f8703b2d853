"""The account API, as another program (or our own tests) would drive it; SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from support import STRONG_PASSWORD, App

pytestmark = pytest.mark.postgres


async def test_register_returns_the_account_and_first_one_is_admin(app: App) -> None:
    first = await app.register("ada@example.org", name="Ada")
    assert first.status_code == 201
    body = first.json()
    assert body == {"id": body["id"], "email": "ada@example.org", "display_name": "Ada", "role": "admin"}
    second = await app.register("Bo@Example.org", name="  Bo  ")
    assert second.status_code == 201
    assert second.json()["role"] == "member"
    assert second.json()["email"] == "bo@example.org"
    assert second.json()["display_name"] == "Bo"


async def test_duplicate_email_gets_a_generic_refusal(app: App) -> None:
    await app.register("ada@example.org")
    again = await app.register("ADA@example.org", name="Someone else")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "email_unavailable"
    assert "log in" in again.json()["error"]["message"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("password", "short pass", "15 characters"),  # below the NIST/OWASP minimum
        ("password", "passwordpassword", "too common"),  # on the common list, repeated
        ("password", "x" * 1025, "1024 bytes"),  # refused before hashing
        ("email", "not-an-email", "email address"),
        ("display_name", "   ", "40 characters"),
        ("display_name", "n" * 41, "40 characters"),
    ],
)
async def test_registration_input_is_checked_with_clear_messages(
    app: App, field: str, value: str, words: str
) -> None:
    body = {"email": "ada@example.org", "password": STRONG_PASSWORD, "display_name": "Ada", field: value}
    r = await app.client.post("/api/v1/accounts", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"
    assert words in r.json()["error"]["message"]


async def test_login_sets_a_hardened_session_cookie_and_me_answers(app: App) -> None:
    await app.register()
    r = await app.log_in()
    assert r.status_code == 200
    assert r.json()["user"]["display_name"] == "Sam"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("hearth_session=")
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 43  # 32 random bytes, base64url
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # base URL is http in tests; https turns it on
    me = await app.client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == "sam@example.org"


async def test_wrong_password_and_unknown_email_look_the_same(app: App) -> None:
    await app.register()
    wrong = await app.log_in(password="not the right password at all")
    unknown = await app.log_in(email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_logout_revokes_the_session_on_the_server(app: App) -> None:
    await app.register()
    await app.log_in()
    token = app.client.cookies["hearth_session"]
    assert (await app.client.delete("/api/v1/session")).status_code == 204
    app.client.cookies.set("hearth_session", token)  # a stolen copy of the old cookie
    assert (await app.client.get("/api/v1/me")).status_code == 401


async def test_password_change_revokes_every_other_session(app: App) -> None:
    await app.register()
    await app.log_in()
    old_token = app.client.cookies["hearth_session"]
    r = await app.client.put(
        "/api/v1/me/password",
        json={"current_password": STRONG_PASSWORD, "new_password": "a brand new long passphrase"},
    )
    assert r.status_code == 204
    assert (await app.client.get("/api/v1/me")).status_code == 200  # this browser got a fresh session
    app.client.cookies.set("hearth_session", old_token)
    assert (await app.client.get("/api/v1/me")).status_code == 401
    assert (await app.log_in()).status_code == 401
    assert (await app.log_in(password="a brand new long passphrase")).status_code == 200


async def test_password_change_needs_the_current_password(app: App) -> None:
    await app.register()
    await app.log_in()
    r = await app.client.put(
        "/api/v1/me/password",
        json={"current_password": "wrong wrong wrong", "new_password": "another long passphrase"},
    )
    assert r.status_code == 401
    assert (await app.log_in()).status_code == 200


async def test_throttle_after_repeated_failures_per_account(app: App) -> None:
    await app.register()
    for _ in range(5):
        assert (await app.log_in(password="guessing the password now")).status_code == 401
    blocked = await app.log_in()  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "throttled"
    assert int(blocked.headers["retry-after"]) > 0
    # An unknown email is throttled the same way: no hint which accounts exist.
    for _ in range(5):
        await app.log_in(email="ghost@example.org", password="guessing the password now")
    assert (await app.log_in(email="ghost@example.org")).status_code == 429


async def test_delete_account_removes_it_and_says_what(app: App) -> None:
    await app.register()
    await app.log_in()
    token = app.client.cookies["hearth_session"]
    r = await app.client.request("DELETE", "/api/v1/me", json={"password": STRONG_PASSWORD})
    assert r.status_code == 200
    assert any("email" in item for item in r.json()["deleted"])
    app.client.cookies.set("hearth_session", token)
    assert (await app.client.get("/api/v1/me")).status_code == 401
    assert (await app.log_in()).status_code == 401
    assert (await app.register()).status_code == 201  # the email is free again


async def test_me_without_session_is_401_json(app: App) -> None:
    r = await app.client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b"{not json", {"content-type": "application/json"}, 400, "invalid_json"),
        (b"[1, 2]", {"content-type": "application/json"}, 400, "invalid_json"),
        (b"\xff\xfe\x00", {"content-type": "application/json"}, 400, "invalid_json"),
        (
            b'{"email": 1, "password": 2, "display_name": 3}',
            {"content-type": "application/json"},
            422,
            "invalid_input",
        ),
        (b'{"email": "a@b.co"}', {"content-type": "application/json"}, 422, "invalid_input"),
        (
            b"email=a@b.co",
            {"content-type": "application/x-www-form-urlencoded"},
            415,
            "unsupported_media_type",
        ),
        (b"x" * 70_000, {"content-type": "application/json"}, 413, "too_large"),
        (
            b'{"email": "a@b.co", "password": "x", "display_name": "y", "admin": true}',
            {"content-type": "application/json"},
            422,
            "invalid_input",
        ),
    ],
    ids=["broken", "array", "bad-utf8", "wrong-types", "missing", "form-type", "huge", "extra-field"],
)
async def test_malformed_bodies_get_json_errors_never_500(
    app: App, content: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    r = await app.client.post("/api/v1/accounts", content=content, headers=headers)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


async def test_api_writes_from_another_origin_are_refused(app: App) -> None:
    r = await app.client.post(
        "/api/v1/accounts",
        json={"email": "a@example.org", "password": STRONG_PASSWORD, "display_name": "A"},
        headers={"origin": "https://evil.example"},
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "bad_origin"


async def test_unknown_api_path_and_method_are_json(app: App) -> None:
    r = await app.client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    r = await app.client.patch("/api/v1/me")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


async def test_openapi_document_lists_every_endpoint(app: App) -> None:
    doc = (await app.client.get("/api/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) >= {"/api/v1/accounts", "/api/v1/session", "/api/v1/me"}
    create = doc["paths"]["/api/v1/accounts"]["post"]
    schema_name = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(doc["components"]["schemas"][schema_name]["required"]) == {"email", "password", "display_name"}


async def test_health_and_readiness(app: App) -> None:
    assert (await app.client.get("/healthz")).json() == {"status": "ok"}
    ready = await app.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] is True
