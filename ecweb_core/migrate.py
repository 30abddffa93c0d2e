"""Runs the Alembic migrations programmatically (used by the run command and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from ecweb_core.db import get_engine
from ecweb_core.settings import PROJECT_ROOT


def alembic_config(engine: Engine) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "ecweb_core" / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine | None = None) -> None:
    engine = engine or get_engine()
    if engine.dialect.name == "sqlite":
        engine.url.database and __import__("pathlib").Path(engine.url.database).parent.mkdir(
            parents=True, exist_ok=True
        )
    command.upgrade(alembic_config(engine), "head")


if __name__ == "__main__":
    upgrade()
    print("database migrated")
