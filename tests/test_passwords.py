"""Password policy and hashing parameters (OWASP / NIST)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from support import STRONG_PASSWORD, App

from meeting.accounts import passwords


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("correct horse battery staple", False),  # famous, on the common list
        ("passwordpassword", False),  # common word repeated
        ("1234567890123456", False),  # digits run
        ("aaaaaaaaaaaaaaaaaaaa", False),  # one repeated character
        ("fourteen chars", False),  # 14 < 15
        ("fifteen chars!!", True),  # exactly 15, no composition rules
        ("ünïcödé wörds ärë fïnë", True),  # any characters are fine
        ("x" * 1025, False),  # over the byte limit: refused before hashing
        (STRONG_PASSWORD, True),
    ],
)
def test_policy(password: str, ok: bool) -> None:
    if ok:
        passwords.check_policy(password)
    else:
        with pytest.raises(passwords.PasswordRejected):
            passwords.check_policy(password)


def test_policy_refuses_the_display_name() -> None:
    with pytest.raises(passwords.PasswordRejected, match="display name"):
        passwords.check_policy("riverstone lake", display_name="Riverstone Lake")


async def test_hash_is_argon2id_at_or_above_owasp_minimum() -> None:
    digest = await passwords.hash_password(STRONG_PASSWORD)
    assert digest.startswith("$argon2id$v=19$")
    params = dict(p.split("=") for p in digest.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024
    assert int(params["t"]) >= 2
    assert int(params["p"]) == 1
    assert await passwords.verify_password(digest, STRONG_PASSWORD)
    assert not await passwords.verify_password(digest, STRONG_PASSWORD + "!")
    assert not await passwords.verify_password("not a hash", STRONG_PASSWORD)


@pytest.mark.postgres
async def test_login_rehashes_an_old_weaker_hash(app: App) -> None:
    from sqlmodel import select

    from meeting.accounts.models import User
    from meeting.db import Database

    await app.register()
    weak = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(STRONG_PASSWORD)
    db = Database(app.settings.database_url)
    async with db.session() as s:
        user = (await s.exec(select(User))).one()
        user.password_hash = weak
    assert (await app.log_in()).status_code == 200
    async with db.session() as s:
        stored = (await s.exec(select(User))).one().password_hash
    await db.close()
    assert stored != weak
    assert "m=65536,t=3,p=1" in stored
