"""Sending email through `HEARTH_SMTP_URL` with the standard library, off the event loop.

    outbox = Outbox.from_url(settings.smtp_url, sender=settings.mail_from)
    results = await outbox.send([message, ...])   # one connection; True per message accepted

`smtp://host:port` speaks plain SMTP and upgrades with STARTTLS when the server offers it
(always before sending a password: a server that cannot is refused); `smtps://` uses TLS from
the first byte. Recipients' addresses are never logged: failures are logged by kind only.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from meeting.settings import smtp_port

log = logging.getLogger("hearth.mail")
TIMEOUT = 30.0


@dataclass(frozen=True)
class Mail:
    """One message: recipient, subject and plain-text body."""

    to: str = field(repr=False)
    subject: str
    body: str = field(repr=False)


@dataclass(frozen=True)
class Outbox:
    host: str
    port: int
    tls: bool
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str, *, sender: str) -> Outbox:
        """From a `HEARTH_SMTP_URL` that `Settings.load` already checked."""
        parts = urlsplit(url)
        return cls(
            host=parts.hostname or "localhost",
            port=smtp_port(url),
            tls=parts.scheme == "smtps",
            sender=sender,
            username=None if parts.username is None else unquote(parts.username),
            password=None if parts.password is None else unquote(parts.password),
        )

    def message(self, mail: Mail) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = mail.to
        msg["Subject"] = mail.subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self.sender.rpartition("@")[2].rstrip(">") or "localhost"
        msg["Message-ID"] = make_msgid(domain=domain)
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(mail.body)
        return msg

    async def send(self, mails: Sequence[Mail]) -> list[bool]:
        """Send `mails` over one connection in a worker thread; True for each one accepted."""
        if not mails:
            return []
        return await asyncio.to_thread(self._send_all, list(mails))

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        elif self.username is not None:
            client.close()
            raise smtplib.SMTPNotSupportedError(
                "the server offers no STARTTLS; not sending a password in clear"
            )
        return client

    def _send_all(self, mails: list[Mail]) -> list[bool]:
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail.connect_failed", extra={"error": type(exc).__name__})
            return [False] * len(mails)
        results: list[bool] = []
        try:
            if self.username is not None and self.password is not None:
                client.login(self.username, self.password)
            for mail in mails:
                try:
                    refused = client.send_message(self.message(mail))
                    results.append(not refused)
                except smtplib.SMTPRecipientsRefused:
                    results.append(False)
                except smtplib.SMTPResponseException as exc:
                    log.warning("mail.refused", extra={"code": exc.smtp_code})
                    results.append(False)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail.send_failed", extra={"error": type(exc).__name__})
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
        return results + [False] * (len(mails) - len(results))
