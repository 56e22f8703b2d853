"""Password policy and argon2id hashing.

Policy follows OWASP ASVS and NIST SP 800-63B for single-factor accounts: at least 15
characters, no composition rules, refused if it is a very common password, and refused
before hashing when longer than `MAX_BYTES` so hashing cannot be used to exhaust the server.

`hash_password` / `verify_password` run argon2 in a worker thread (it takes ~0.1 s of CPU
on purpose) so the event loop stays responsive. `verify_dummy` spends the same time when the
account does not exist, so response time does not reveal which emails are registered.
"""

from __future__ import annotations

import asyncio
import contextlib
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import Type

MIN_LENGTH = 15
MAX_BYTES = 1024

# OWASP's minimum is m=19 MiB, t=2, p=1; we spend more memory for more margin.
HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1, type=Type.ID)
_DUMMY_HASH = HASHER.hash("hearth-dummy-password-for-timing")


class PasswordRejected(ValueError):
    """The password breaks the policy; the message is safe to show to the person."""


def check_policy(password: str, *, email: str = "", display_name: str = "") -> None:
    """Raise `PasswordRejected` with a helpful message if `password` may not be used."""
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise PasswordRejected(f"Use a password of at most {MAX_BYTES} bytes.")
    normalised = unicodedata.normalize("NFKC", password)
    if len(normalised) < MIN_LENGTH:
        raise PasswordRejected(
            f"Use at least {MIN_LENGTH} characters. A few unrelated words make a strong, "
            "memorable passphrase."
        )
    folded = normalised.casefold()
    if _is_common(folded):
        raise PasswordRejected("That password is too common. Try a few unrelated words instead.")
    personal = {email.casefold().split("@")[0], display_name.casefold()} - {""}
    if any(folded == p or folded == p * 2 for p in personal):
        raise PasswordRejected("Don't use your email or display name as your password.")


def _is_common(folded: str) -> bool:
    common = _common_passwords()
    if folded in common or len(set(folded)) <= 2:
        return True
    # "passwordpassword", "iloveyouiloveyou1": a common word repeated, maybe with digits.
    stripped = folded.rstrip("0123456789!. ")
    for size in range(3, len(stripped) // 2 + 1):
        unit = stripped[:size]
        if len(stripped) % size == 0 and unit * (len(stripped) // size) == stripped:
            return unit in common or len(set(unit)) <= 3 or unit.isdigit()
    return stripped in common


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("meeting.accounts").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches. Never raises for a wrong or malformed hash."""
    if len(password.encode("utf-8")) > MAX_BYTES:
        await verify_dummy()
        return False
    try:
        return await asyncio.to_thread(HASHER.verify, password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_dummy() -> None:
    """Spend the time a real verification takes (for unknown accounts)."""
    with contextlib.suppress(VerifyMismatchError):
        await asyncio.to_thread(HASHER.verify, _DUMMY_HASH, "not-the-password")


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
