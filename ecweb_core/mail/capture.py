"""A local SMTP capture server (aiosmtpd): it accepts every mail and stores it, so that an
operator can read what ecweb sent on the 送信メール page without a real mail provider.

Recipients in the reserved `.invalid` top-level domain (RFC 2606) are refused at RCPT with 550,
like a real server refusing an unknown mailbox: the demo and the tests use them for bounces.

    python -m ecweb_core.mail.capture --port 2525      # stores into DATABASE_URL's captured_mails
"""

from __future__ import annotations

import argparse
import email
import email.policy
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from ecweb_core.models import CapturedMail
from ecweb_core.models.common import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Captured:
    mail_from: str
    rcpt_tos: list[str]
    to: str
    cc: str
    subject: str
    body: str
    raw: bytes
    received_at: datetime = field(default_factory=utcnow)


def parse(mail_from: str, rcpt_tos: list[str], raw: bytes) -> Captured:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))
    body = part.get_content().replace("\r\n", "\n") if part is not None else ""  # type: ignore[union-attr]
    return Captured(
        mail_from=mail_from,
        rcpt_tos=list(rcpt_tos),
        to=str(msg.get("To", "")),
        cc=str(msg.get("Cc", "")),
        subject=str(msg.get("Subject", "")),
        body=body,
        raw=raw,
    )


class CaptureHandler:
    """aiosmtpd handler: refuses `.invalid` recipients, hands every accepted mail to `store`."""

    def __init__(self, store: Callable[[Captured], None]) -> None:
        self.store = store

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:  # noqa: N802
        if address.lower().rstrip(">").endswith(".invalid"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        try:
            self.store(parse(envelope.mail_from, envelope.rcpt_tos, envelope.content))
        except Exception:  # noqa: BLE001 - a temporary failure: the client may retry
            log.exception("capture: could not store a mail")
            return "451 4.3.0 Could not store the message"
        return "250 Message accepted for delivery"


class MemoryStore:
    """Keeps captured mails in a list (tests, benchmarks)."""

    def __init__(self) -> None:
        self.mails: list[Captured] = []
        self._lock = threading.Lock()

    def __call__(self, mail: Captured) -> None:
        with self._lock:
            self.mails.append(mail)

    def clear(self) -> None:
        with self._lock:
            self.mails.clear()


class DbStore:
    """Writes captured mails into the app's `captured_mails` table (the 送信メール page reads it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, mail: Captured) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(CapturedMail.__table__).values(
                    mail_from=mail.mail_from, rcpt_tos=", ".join(mail.rcpt_tos), to_header=mail.to,
                    cc_header=mail.cc, subject=mail.subject, body=mail.body, received_at=mail.received_at,
                )
            )  # fmt: skip


def start(store: Callable[[Captured], None], port: int, host: str = "127.0.0.1") -> Controller:
    """Starts the server in a background thread; `controller.stop()` ends it."""
    controller = Controller(CaptureHandler(store), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
    from ecweb_core.db import get_engine

    parser = argparse.ArgumentParser(description="ecweb local SMTP capture server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    controller = start(DbStore(get_engine()), args.port, args.host)
    log.info("capture SMTP server on %s:%d", args.host, args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
