"""Where mail goes: an SMTP server (SMTP_URL), or .eml files in instance/mail/.

Only the outbox dispatcher sends; nothing sends mail inside a request.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT = 30  # seconds; a hung server must not hold a worker forever


class Sender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def session(self) -> AbstractContextManager[Sender]: ...


class FolderTransport:
    """Writes each message as an .eml file, named after its Message-ID.

    Re-sending the same message overwrites the same file, as an SMTP server would
    deduplicate nothing but a reader sees one copy per Message-ID.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._@-]", "_", str(message["Message-ID"] or "no-id")).strip("_")
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(message.as_bytes())
        os.replace(tmp, self.folder / f"{name}.eml")  # atomic: a reader never sees half a mail

    @contextmanager
    def session(self) -> Iterator[Sender]:
        yield self


class SMTPTransport:
    """smtp://user:pass@host:port (STARTTLS when the server offers it, or ?starttls=required),
    smtps://… for TLS from the first byte."""

    def __init__(self, url: str, timeout: float = SMTP_TIMEOUT) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:port")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.require_starttls = parse_qs(parts.query).get("starttls") == ["required"]
        self.timeout = timeout

    def connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            client.ehlo()
            if not self.implicit_tls and (client.has_extn("starttls") or self.require_starttls):
                client.starttls(context=context)
                client.ehlo()
            if self.username:
                client.login(self.username, self.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def send(self, message: EmailMessage) -> None:
        with self.connect() as client:
            client.send_message(message)

    @contextmanager
    def session(self) -> Iterator[Sender]:
        session = SMTPSession(self)
        try:
            yield session
        finally:
            session.close()


class SMTPSession:
    """One connection reused for a batch: a new TCP + TLS + login per mail would cost more
    than the mail itself. After anything but a clean SMTP reply the connection is dropped
    and the next mail opens a fresh one."""

    def __init__(self, transport: SMTPTransport) -> None:
        self.transport = transport
        self.client: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self.client is None:
            self.client = self.transport.connect()
        try:
            self.client.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # smtplib has reset the transaction; the connection is still good
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the connection
                self.close()
            raise
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def transport_for(smtp_url: str | None, mail_folder: str, *, timeout: float = SMTP_TIMEOUT) -> Transport:
    return SMTPTransport(smtp_url, timeout=timeout) if smtp_url else FolderTransport(mail_folder)
