"""Where mail goes: an SMTP server (SMTP_URL), or .eml files in instance/mail/.

Only the outbox dispatcher sends; nothing sends mail inside a request.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT = 30  # seconds; a hung server must not hold a worker forever


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


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

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            client.ehlo()
            if not self.implicit_tls and (client.has_extn("starttls") or self.require_starttls):
                client.starttls(context=context)
                client.ehlo()
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


def transport_for(smtp_url: str | None, mail_folder: str) -> Transport:
    return SMTPTransport(smtp_url) if smtp_url else FolderTransport(mail_folder)
