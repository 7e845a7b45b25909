"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) that records what it accepts and refuses on demand:
451 or 550 for chosen recipients, a share of temporary refusals, or stopped altogether."""

from __future__ import annotations

import email
import email.policy
import hashlib
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        return body.get_content()


class _Handler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.refusals: dict[str, str] = {}
        self.temporary_share = 0.0
        self.refused: Counter[str] = Counter()

    def _reply_for(self, address: str) -> str | None:
        if address in self.refusals:
            return self.refusals[address]
        if self.temporary_share:
            # Deterministic per (recipient, attempt): the same run refuses the same messages.
            attempt = self.refused[address]
            digest = hashlib.sha256(f"{address}:{attempt}".encode()).digest()
            if digest[0] / 256 < self.temporary_share:
                return "451 4.3.0 Try again later"
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            reply = self._reply_for(address)
            if reply is not None:
                self.refused[address] += 1
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(tuple(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 2.0.0 Accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """`url` is the SMTP_URL to give the app; stop() and start() take the server down and bring it back."""

    def __init__(self, *, smtputf8: bool = False) -> None:
        self.port = free_port()
        self.handler = _Handler()
        self.smtputf8 = smtputf8
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=5"

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, address: str, reply: str) -> None:
        """Answer RCPT TO for `address` with `reply`, e.g. "550 5.1.1 No such user" or "451 4.3.0 Busy"."""
        self.handler.refusals[address] = reply

    def accept(self, address: str) -> None:
        self.handler.refusals.pop(address, None)

    def refuse_temporarily(self, share: float) -> None:
        """Answer 451 to about `share` of the RCPT commands, the same ones on every run."""
        self.handler.temporary_share = share

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def message_ids(self) -> Counter[str]:
        return Counter(item.message_id for item in self.received)

    def to(self, address: str) -> list[Received]:
        return [item for item in self.received if address in item.recipients]
