"""The SMTP sink host of the multi-host rig: aiosmtpd on the SMTP namespace's address.

    python -m tests.hosts.sink_host --bind 10.231.2.30 --port 2525 --log sink.jsonl --mode mode

Every DATA is appended to the log as one JSON line (Message-ID, recipients, the client's
address, accepted or not, the time on this host's clock, a digest of the bytes). The mode
file, read at each DATA, says how to answer: `accept` (250), `451` (451 4.3.0, not
accepted), or `hang` (say nothing while the mode is `hang`, then 451: the client has long
given up by then).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import signal
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, log: Path, mode: Path, delay: float) -> None:
        self.log, self.mode, self.delay = log, mode, delay
        self.lock = threading.Lock()

    def _mode(self) -> str:
        try:
            return self.mode.read_text().strip() or "accept"
        except FileNotFoundError:
            return "accept"

    def _write(self, record: dict[str, object]) -> None:
        with self.lock, self.log.open("a") as out:
            out.write(json.dumps(record) + "\n")
            out.flush()

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        record = {
            "message_id": str(message_from_bytes(raw, policy=policy.default)["Message-ID"] or ""),
            "recipients": list(envelope.rcpt_tos),
            "peer": session.peer[0] if session.peer else "",
            "sha256": hashlib.sha256(raw).hexdigest(),
            "at": time.time(),
        }
        mode = self._mode()
        if mode == "hang":
            # Written first: the client gives up and aiosmtpd cancels this handler.
            self._write(record | {"accepted": False, "reply": "hang"})
            while self._mode() == "hang":
                await asyncio.sleep(0.2)
            return "451 4.4.2 Timed out"
        if mode == "451":
            self._write(record | {"accepted": False, "reply": "451"})
            return "451 4.3.0 Try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        self._write(record | {"accepted": True, "reply": "250", "at": time.time()})
        return "250 2.0.0 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--mode", type=Path, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    handler = Handler(args.log, args.mode, args.delay)
    controller = Controller(handler, hostname=args.bind, port=args.port, ready_timeout=30)
    controller.start()
    print(f"smtp sink on {args.bind}:{args.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
