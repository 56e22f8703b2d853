"""A real SMTP server for the email tests (aiosmtpd, started on a free port): the `smtp`
fixture, and `Sink`, which keeps every message it is given."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from support import free_port


@dataclass
class Sink:
    """An SMTP server's handler that keeps every message it is given."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if address in rcpt]


@dataclass
class Smtp:
    sink: Sink
    url: str


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Smtp(sink, f"smtp://127.0.0.1:{port}")
    finally:
        controller.stop()
