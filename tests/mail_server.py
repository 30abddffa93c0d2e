"""A real aiosmtpd capture server on a free port, for tests."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from ecweb_core.mail.capture import Captured, DbStore, MemoryStore, start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpServer:
    url: str
    store: MemoryStore


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    store = MemoryStore()
    port = free_port()
    controller = start(store, port)
    try:
        yield SmtpServer(url=f"smtp://127.0.0.1:{port}", store=store)
    finally:
        controller.stop()


@dataclass
class AppCapture:
    """The e2e capture server: stores into the app's database (送信メール) and keeps a copy here."""

    url: str
    store: MemoryStore
    stop: Callable[[], None]


def start_app_capture(engine: Engine) -> AppCapture:
    memory, db = MemoryStore(), DbStore(engine)

    def store(mail: Captured) -> None:
        db(mail)
        memory(mail)

    port = free_port()
    controller = start(store, port)
    return AppCapture(url=f"smtp://127.0.0.1:{port}", store=memory, stop=controller.stop)
