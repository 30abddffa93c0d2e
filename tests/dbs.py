"""Real test databases: a SQLite file per test module, and a fresh PostgreSQL database when
TEST_DATABASE_URL names a server (CI points it at the local one)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from ecweb_core.db import make_engine
from ecweb_core.migrate import upgrade


def backends() -> list[str]:
    return ["sqlite", "postgres"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@contextmanager
def fresh_database(backend: str, tmp_dir: Path) -> Iterator[Engine]:
    """A migrated, empty database that is dropped afterwards."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex[:8]}.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    server = make_url(os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"ecweb_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server.render_as_string(hide_password=False)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
