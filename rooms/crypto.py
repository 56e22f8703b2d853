"""Sealing room events so that only ciphertext ever leaves the process.

Every event a room relays between server processes is sealed with AES-256-GCM under a key that is
derived per meeting from the server secret. Redis (or anything else on the wire) only ever sees
`nonce || ciphertext || tag`. The meeting id is bound in as associated data, so a blob lifted from
one room cannot be replayed into another, even if both keys were somehow the same.

Usage::

    cipher = RoomCipher(settings.secret_key)
    blob = cipher.seal(meeting_id, event_bytes)
    event_bytes = cipher.open(meeting_id, blob)  # raises SealBroken if forged or foreign
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["NONCE_SIZE", "TAG_SIZE", "RoomCipher", "SealBroken"]

NONCE_SIZE = 12
TAG_SIZE = 16
_SALT = b"hearth-rooms-v1"
_MIN_SECRET_CHARS = 16


class SealBroken(Exception):
    """A sealed blob could not be opened: wrong key, wrong room, truncated or tampered with.

    The message is fixed text. It never carries plaintext, ciphertext or key material.
    """


class RoomCipher:
    """Seals and opens room events with a per-meeting AES-256-GCM key.

    `secret` is the server-wide secret (the same on every process). Derived keys are cached in a
    small bounded dict, because a process serves few meetings at once and HKDF per event would be
    wasted work. Thread-safe for use from one event loop; the object holds no per-call state.
    """

    __slots__ = ("_cache_size", "_ikm", "_keys")

    def __init__(self, secret: str, *, cache_size: int = 256) -> None:
        if len(secret) < _MIN_SECRET_CHARS:
            raise ValueError(f"room secret must be at least {_MIN_SECRET_CHARS} characters")
        if cache_size < 1:
            raise ValueError("cache_size must be at least 1")
        self._ikm = secret.encode()
        self._cache_size = cache_size
        self._keys: dict[int, AESGCM] = {}

    def seal(self, room: int, plaintext: bytes) -> bytes:
        """Encrypt `plaintext` for meeting `room`; returns `nonce || ciphertext || tag`."""
        nonce = os.urandom(NONCE_SIZE)
        return nonce + self._aead(room).encrypt(nonce, plaintext, _associated(room))

    def open(self, room: int, blob: bytes) -> bytes:
        """Decrypt a blob made by `seal` for the same `room`; raises `SealBroken` otherwise."""
        if len(blob) < NONCE_SIZE + TAG_SIZE:
            raise SealBroken("sealed event is too short")
        try:
            return self._aead(room).decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], _associated(room))
        except InvalidTag:
            # `from None`: nothing about the blob should travel with the exception.
            raise SealBroken("sealed event failed authentication") from None

    def _aead(self, room: int) -> AESGCM:
        aead = self._keys.get(room)
        if aead is None:
            if len(self._keys) >= self._cache_size:
                del self._keys[next(iter(self._keys))]  # oldest insertion first
            hkdf = HKDF(algorithm=SHA256(), length=32, salt=_SALT, info=b"meeting:%d" % room)
            aead = self._keys[room] = AESGCM(hkdf.derive(self._ikm))
        return aead


def _associated(room: int) -> bytes:
    return b"hearth-room:%d" % room
