"""A real aiosmtpd capture server on a free port, for tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ecweb_core.mail.capture import MemoryStore, start


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
