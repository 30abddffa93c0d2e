from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from tests.dbs import backends, fresh_database
from tests.payment_provider import Provider, sandbox_provider

# A fixed "now" so generated dates, and the expectations computed from them, are stable.
DEMO_NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module", params=backends())
def demo_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database with 600 generated orders, shared read-only by a test module."""
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as engine:
        generate(engine, 600, seed=11, now=DEMO_NOW)
        yield engine


@pytest.fixture(params=backends())
def empty_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as engine:
        yield engine


@pytest.fixture
def session(demo_engine: Engine) -> Iterator[Session]:
    with Session(demo_engine) as s:
        yield s


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    """The real sandbox payment provider, its own process and database, for one test."""
    with sandbox_provider(tmp_path) as p:
        yield p
