from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy.engine import Engine

from ecweb_core.demo import generate
from tests.conftest import DEMO_NOW
from tests.redis_server import private_redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with private_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def env(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Points the code under test at the private Redis and a fresh job-files folder."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


@pytest.fixture
def engine(empty_engine: Engine, env: str) -> Engine:
    generate(empty_engine, 120, seed=4, now=DEMO_NOW)
    return empty_engine
