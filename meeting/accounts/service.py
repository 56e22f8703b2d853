"""What a person can do with their account: register, log in, change password, delete.

Every function takes an open `AsyncSession` and keyword arguments, and raises an
`AccountError` subclass whose message is safe to show. HTTP handlers (pages and API) only
translate these to responses, so the rules live here once.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts import passwords, sessions, throttle
from meeting.accounts.models import EMAIL_MAX, NAME_MAX, Role, User
from meeting.settings import Settings

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(Exception):
    """Base class; `code` is machine-readable, the message is for people."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidInput(AccountError):
    code = "invalid_input"


class EmailUnavailable(AccountError):
    code = "email_unavailable"


class BadCredentials(AccountError):
    code = "bad_credentials"


class Throttled(AccountError):
    code = "throttled"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(f"Too many attempts. Please wait about {minutes} minute(s) and try again.")
        self.retry_after = retry_after


def clean_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise InvalidInput("Enter an email address like name@example.org.", field="email")
    return email


def clean_display_name(raw: str) -> str:
    name = unicodedata.normalize("NFC", raw)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    name = re.sub(r"\s+", " ", name)
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInput(
            f"Choose a display name of 1 to {NAME_MAX} characters. It is what others see; "
            "it need not be your real name.",
            field="display_name",
        )
    return name


def check_password(password: str, *, email: str = "", display_name: str = "") -> None:
    try:
        passwords.check_policy(password, email=email, display_name=display_name)
    except passwords.PasswordRejected as exc:
        raise InvalidInput(str(exc), field="password") from None


async def register(
    s: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    client: str | None,
    role: Role | None = None,
) -> User:
    """Create an account. Without an explicit `role`, the first account becomes `admin`.

    `client` is the requester's address for throttling; None (the CLI) is not throttled.
    """
    if client is not None:
        wait = await throttle.retry_after(s, [(throttle.REGISTRATIONS, client)])
        if wait:
            raise Throttled(wait)
    email, display_name = clean_email(email), clean_display_name(display_name)
    check_password(password, email=email, display_name=display_name)
    if client is not None:
        await throttle.record(s, throttle.REGISTRATIONS, client)
    password_hash = await passwords.hash_password(password)  # before the lookup: same timing
    if await _by_email(s, email) is not None:
        await s.commit()  # keep the attempt counted although this call fails
        raise EmailUnavailable(
            "We couldn't create an account with that email. If it's yours, log in instead.",
            field="email",
        )
    first = (await s.exec(select(func.count()).select_from(User))).one() == 0
    user = User(
        email=email,
        display_name=display_name,
        password_hash=password_hash,
        role=role or (Role.admin if first else Role.member),
    )
    s.add(user)
    await s.flush()
    return user


async def authenticate(s: AsyncSession, *, email: str, password: str, client: str) -> User:
    """The user whose credentials these are, or `BadCredentials` / `Throttled`."""
    email = email.strip().lower()
    checks = [(throttle.PER_ACCOUNT, email), (throttle.PER_ADDRESS, client)]
    wait = await throttle.retry_after(s, checks)
    if wait:
        raise Throttled(wait)
    user = await _by_email(s, email)
    if user is None:
        await passwords.verify_dummy()
        ok = False
    else:
        ok = await passwords.verify_password(user.password_hash, password)
    if not ok or user is None:
        for limit, value in checks:
            await throttle.record(s, limit, value)
        await s.commit()  # keep the failures counted although this call fails
        raise BadCredentials("That email and password don't match an account.")
    await throttle.clear(s, throttle.PER_ACCOUNT, email)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(password)
    return user


async def log_in(s: AsyncSession, *, user: User, settings: Settings) -> str:
    assert user.id is not None
    return await sessions.start(s, user_id=user.id, settings=settings)


async def change_password(s: AsyncSession, *, user: User, current: str, new: str, settings: Settings) -> str:
    """Set a new password, end every session of the account, return a fresh session token."""
    assert user.id is not None
    if not await passwords.verify_password(user.password_hash, current):
        raise BadCredentials("Your current password isn't right.", field="current_password")
    check_password(new, email=user.email, display_name=user.display_name)
    user.password_hash = await passwords.hash_password(new)
    await sessions.end_all(s, user_id=user.id)
    return await sessions.start(s, user_id=user.id, settings=settings)


async def delete_account(s: AsyncSession, *, user: User, password: str) -> None:
    """Remove the account and everything personal tied to it (see `DELETED_DATA`)."""
    assert user.id is not None
    if not await passwords.verify_password(user.password_hash, password):
        raise BadCredentials("That password isn't right.", field="password")
    await sessions.end_all(s, user_id=user.id)
    await throttle.clear(s, throttle.PER_ACCOUNT, user.email)
    await s.exec(sa.delete(User).where(col(User.id) == user.id))


DELETED_DATA = (
    "your email address, display name and password hash",
    "every login session on every device",
    "your group memberships, guideline acceptances and RSVPs",
    "your attendance records, visitor passes, reminders and preferences, and your calendar feed link",
    "the list of people you blocked, and any bans on you",
)


async def _by_email(s: AsyncSession, email: str) -> User | None:
    return (await s.exec(select(User).where(col(User.email) == email))).first()
