"""Where the job runner's time goes in bench/bulk_update.py's "ours" (issue 19 item 2): SQL time per
statement (cursor events), commits, and a cProfile of the run; then the bare UPDATE floor.

    python bench/bulk_update_profile.py [postgresql://postgres@127.0.0.1:5432/postgres]   (N=100000)
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy.engine.base as base
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bulk_update as bench  # noqa: E402

from ecweb_core.db import make_engine  # noqa: E402
from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.migrate import upgrade  # noqa: E402
from ecweb_core.models import Label, Operator  # noqa: E402

STATS: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])


def _database(url: str) -> str:
    if not url.startswith("postgresql"):
        return url
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS ecweb_bench_prof WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE ecweb_bench_prof"))
    return url.rsplit("/", 1)[0] + "/ecweb_bench_prof"


def _timed(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, *args: Any) -> None:
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        s = STATS[re.sub(r"\s+", " ", statement)[:70]]
        s[0] += 1
        s[1] += time.perf_counter() - conn.info["t0"]

    commit = base.Connection._commit_impl

    def timed_commit(self: Any) -> None:
        t0 = time.perf_counter()
        commit(self)
        STATS["COMMIT"][0] += 1
        STATS["COMMIT"][1] += time.perf_counter() - t0

    base.Connection._commit_impl = timed_commit  # type: ignore[method-assign]


def main() -> None:
    os.environ.setdefault("ECWEB_JOB_FILES_DIR", tempfile.mkdtemp())
    url = _database(sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/p.db")
    n = int(os.environ.get("N", "100000"))
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, n, seed=7)
    _timed(engine)
    with Session(engine) as s:
        operator_id = int(s.execute(select(Operator.id)).scalars().first() or 0)
        label_id = s.execute(select(Label.id).order_by(Label.id)).scalars().first() or 0
    chunk = 5000 if url.startswith("sqlite") else 1000
    profile = cProfile.Profile()
    profile.enable()
    t_ours = bench.ours(engine, operator_id, label_id, chunk)
    profile.disable()
    ours = dict(STATS)
    t_floor = bench.floor(engine, list(range(1, n + 1)), chunk)
    print(f"ours {t_ours:.2f}s floor {t_floor:.2f}s ratio {t_floor / t_ours:.0%}")
    for key, (count, seconds) in sorted(ours.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"{seconds:7.3f} {int(count):6d}  {key}")
    print("sql total", sum(v[1] for v in ours.values()))
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
