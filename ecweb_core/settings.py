"""Configuration, only from environment variables, with embedded defaults for one machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    var_dir: Path
    session_days: int
    page_size: int
    job_files_dir: Path
    job_files_days: int
    job_chunk_size: int
    job_chunk_pause_ms: int
    job_parallelism: int
    smtp_url: str
    mail_from: str
    payment_provider_url: str
    payment_timeout_s: float
    payment_in_flight: int
    note_seconds: float = 6.0


def load_settings() -> Settings:
    var_dir = Path(os.environ.get("ECWEB_VAR_DIR", PROJECT_ROOT / "var"))
    database_url = os.environ.get("DATABASE_URL", f"sqlite:///{var_dir / 'ecweb.db'}")
    # SQLite pays per commit for every index page a chunk dirties: bigger chunks share those pages
    # (bench/RESULTS.md). PostgreSQL gains little from them and would hold row locks longer.
    default_chunk = "5000" if database_url.startswith("sqlite") else "1000"
    return Settings(
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        var_dir=var_dir,
        session_days=int(os.environ.get("ECWEB_SESSION_DAYS", "7")),
        page_size=int(os.environ.get("ECWEB_PAGE_SIZE", "50")),
        job_files_dir=Path(os.environ.get("ECWEB_JOB_FILES_DIR", var_dir / "jobs")),
        job_files_days=int(os.environ.get("ECWEB_JOB_FILES_DAYS", "7")),
        job_chunk_size=int(os.environ.get("ECWEB_JOB_CHUNK_SIZE", default_chunk)),
        # Throttle between chunks, to leave the database room for operators during a huge job.
        job_chunk_pause_ms=int(os.environ.get("ECWEB_JOB_CHUNK_PAUSE_MS", "0")),
        # Runners sharing one big job (issue 19): set it to the worker processes you run. 1 on the
        # embedded default: SQLite has one writer, a second runner would only wait for it.
        job_parallelism=max(1, int(os.environ.get("ECWEB_JOB_PARALLELISM", "1"))),
        # Mail (issue 6): `make run` starts a local capture server and exports SMTP_URL.
        smtp_url=os.environ.get("SMTP_URL", "smtp://127.0.0.1:1025"),
        mail_from=os.environ.get("ECWEB_MAIL_FROM", "noreply@ecweb.example"),
        # Payment (issue 15): `make run` starts the local sandbox provider and exports this.
        payment_provider_url=os.environ.get("PAYMENT_PROVIDER_URL", "http://127.0.0.1:8765").rstrip("/"),
        payment_timeout_s=float(os.environ.get("ECWEB_PAYMENT_TIMEOUT_S", "10")),
        # Provider calls of one chunk in flight at once (a job is not one round trip per order in turn).
        payment_in_flight=int(os.environ.get("ECWEB_PAYMENT_IN_FLIGHT", "16")),
        # How long a System Notification toast shows before it fades (a failure stays until read).
        note_seconds=float(os.environ.get("ECWEB_NOTE_SECONDS", "6")),
    )
