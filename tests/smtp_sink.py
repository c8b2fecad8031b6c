"""A real SMTP server (aiosmtpd) on a free local port, scripted per message.

Used by the dispatcher tests, the fault test and bench/reminders.py. `script` is a list of
replies consumed one per DATA: an SMTP reply line ("451 4.3.0 Try again later"), or
"hang" (say nothing for `hang_seconds`). When the script is empty every mail is accepted.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    message_id: str
    recipients: list[str]
    data: bytes
    accepted: bool
    at: float

    def parsed(self):  # an email.message.EmailMessage
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Handler:
    script: list[str] = field(default_factory=list)
    hang_seconds: float = 5.0
    delay: float = 0.0  # seconds per accepted mail, to make a run last long enough
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            step = self.script.pop(0) if self.script else "250 2.0.0 OK"
        raw = envelope.original_content or envelope.content
        message_id = str(message_from_bytes(raw, policy=policy.default)["Message-ID"] or "")
        record = Received(message_id, list(envelope.rcpt_tos), raw, step.startswith("250"), time.time())
        if step == "hang":
            with self.lock:
                self.received.append(record)
            await asyncio.sleep(self.hang_seconds)
            return "451 4.4.2 Timed out"
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append(record)
        return step

    def delivered(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.accepted]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """`with Sink() as sink:` → sink.url (smtp://127.0.0.1:port), sink.handler.delivered()."""

    def __init__(self, *, password: str | None = None, **handler_options: object) -> None:
        self.handler = Handler(**handler_options)  # type: ignore[arg-type]
        self.port = free_port()
        options: dict[str, object] = {}
        if password is not None:

            def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
                ok = isinstance(auth_data, LoginPassword) and auth_data.password == password.encode()
                return AuthResult(success=ok, handled=False)

            options = {"authenticator": authenticate, "auth_require_tls": False}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)
        self.url = f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


if __name__ == "__main__":  # a sink for trying the product by hand
    with Sink() as sink:
        print(sink.url, flush=True)
        while True:
            time.sleep(1)
