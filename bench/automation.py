"""自動化設定 engine throughput: N order events drained through 5 enabled rules (chains included:
a rule's status change is itself an event the next rule sees), next to the same final changes
applied directly with set-based SQL on the same data in the same run. Prints events/s and the ratio.

    python bench/automation.py --events 100000 [--postgres URL]

The engine does more than the direct SQL: it claims each event, matches it against every rule in
order, records every rule run (実行履歴), writes the events its own changes cause and drains
those too (fixed point), and checks each chained run for a cycle.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecweb_core.automation.engine import drain  # noqa: E402
from ecweb_core.automation.rules import create_rule, set_enabled  # noqa: E402
from ecweb_core.db import make_engine  # noqa: E402
from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.migrate import upgrade  # noqa: E402
from ecweb_core.models import AutomationRun, Order, OrderEvent, OrderStatus, Subscription  # noqa: E402
from ecweb_core.models.common import utcnow  # noqa: E402
from ecweb_core.statuses import CONFIRMED, DELIVERED, SHIPPED  # noqa: E402

ORDERS = Order.__table__
KINDS = ("tracking_number_set", "status_changed", "shipped_at_set", "shipping_list_exported")
RULES = [
    ("tracking_number", "", "change_status", str(SHIPPED)),  # 配送伝票番号 → 発送完了 (chains to the next)
    ("status", str(SHIPPED), "change_status", str(DELIVERED)),  # 発送完了 → 配送完了 (chains to the next)
    ("status", str(DELIVERED), "order_attention", "on"),  # 配送完了 → 要対応
    ("shipped_at", "", "subscription_status", "attention_on"),  # 発送完了日 → 定期受注 要対応
    ("shipping_list", "", "change_status", "{custom}"),  # 出荷リスト出力済 → an operator status (出荷作業中)
]


def fresh_engine(kind: str, pg_url: str | None, tmp: Path) -> tuple[Engine, object]:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp / 'bench_automation.db'}")
        return engine, None
    server = make_url(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))  # type: ignore[union-attr]
    name = f"ecweb_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server.render_as_string(hide_password=False)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_engine(server.set(database=name).render_as_string(hide_password=False)), (admin, name)


def reset(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(ORDERS).values(status_id=CONFIRMED, needs_attention=False, attention_reason=None))
        conn.execute(update(Subscription).values(needs_attention=False, attention_reason=None))


def groups(engine: Engine, n: int) -> dict[str, list[int]]:
    with engine.connect() as conn:
        ids = list(conn.execute(select(ORDERS.c.id).order_by(ORDERS.c.id).limit(n)).scalars())
    return {kind: ids[i :: len(KINDS)] for i, kind in enumerate(KINDS)}


def direct_sql(engine: Engine, g: dict[str, list[int]], custom: int) -> float:
    """The same end state in five set-based UPDATEs (chunks of 1,000 ids), nothing recorded."""
    started = time.perf_counter()
    chained = g["tracking_number_set"] + g["status_changed"]
    with engine.begin() as conn:
        for ids in chunks(chained):
            w = ORDERS.c.id.in_(ids)
            conn.execute(
                update(ORDERS).where(w).values(status_id=DELIVERED, needs_attention=True, attention_reason="自動化設定")
            )
        for ids in chunks(g["shipped_at_set"]):
            subs = select(ORDERS.c.subscription_id).where(ORDERS.c.id.in_(ids), ORDERS.c.subscription_id.is_not(None))
            conn.execute(
                update(Subscription)
                .where(Subscription.id.in_(subs))
                .values(needs_attention=True, attention_reason="自動化設定")
            )
        for ids in chunks(g["shipping_list_exported"]):
            conn.execute(update(ORDERS).where(ORDERS.c.id.in_(ids)).values(status_id=custom))
    return time.perf_counter() - started


def chunks(ids: list[int], size: int = 1000) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def write_events(engine: Engine, g: dict[str, list[int]]) -> None:
    now = utcnow()
    values = {
        "tracking_number_set": "T",
        "status_changed": "発送完了",
        "shipped_at_set": "2026-11-20",
        "shipping_list_exported": "出力済",
    }
    with engine.begin() as conn:
        rows = [
            {"order_id": oid, "kind": kind, "value": values[kind], "source": "bench", "created_at": now}
            for kind, ids in g.items()
            for oid in ids
        ]
        for i in range(0, len(rows), 10000):
            conn.execute(insert(OrderEvent.__table__), rows[i : i + 10000])


def state(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        delivered = conn.execute(
            select(func.count()).where(ORDERS.c.status_id == DELIVERED, ORDERS.c.needs_attention.is_(True))
        ).scalar_one()
        subs = conn.execute(
            select(func.count()).select_from(Subscription).where(Subscription.needs_attention.is_(True))
        ).scalar_one()
        custom = conn.execute(select(func.count()).where(ORDERS.c.status_id >= 100)).scalar_one()
    return delivered, subs, custom


def run(kind: str, n: int, pg_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine, drop = fresh_engine(kind, pg_url, Path(tmp))
        try:
            upgrade(engine)
            generate(engine, n, seed=3)
            with engine.begin() as conn:
                conn.execute(update(ORDERS).values(ordered_at=func.coalesce(ORDERS.c.ordered_at, ORDERS.c.created_at)))
                custom = conn.execute(select(OrderStatus.id).where(OrderStatus.id >= 100).limit(1)).scalar_one()
                for event, value, action, param in RULES:
                    rule = create_rule(
                        conn,
                        {"event": event, "event_value": value, "action": action, "param": param.format(custom=custom)},
                    )
                    set_enabled(conn, rule, True)
            g = groups(engine, n)
            reset(engine)
            direct_s = direct_sql(engine, g, custom)
            expected = state(engine)
            reset(engine)
            time.sleep(0.01)  # events strictly after the rules were enabled
            write_events(engine, g)
            started = time.perf_counter()
            summary = drain(engine)
            engine_s = time.perf_counter() - started
            assert state(engine) == expected, (state(engine), expected)
            with engine.connect() as conn:
                runs = conn.execute(select(func.count()).select_from(AutomationRun)).scalar_one()
            label = "SQLite" if kind == "sqlite" else "PostgreSQL"
            print(f"{label}: {n:,} order events through {len(RULES)} enabled rules")
            print(
                f"  engine (drain to fixed point): {engine_s:8.2f} s  {n / engine_s:10,.0f} events/s"
                f"  ({summary.events:,} events incl. chained, {runs:,} rule runs recorded, {summary.rounds} rounds)"
            )
            print(f"  direct set-based SQL:          {direct_s:8.2f} s  {n / direct_s:10,.0f} events/s")
            print(f"  ratio engine / direct: {engine_s / direct_s:.1f}× slower")
        finally:
            engine.dispose()
            if drop:
                admin, name = drop  # type: ignore[misc]
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--postgres", default=None)
    args = ap.parse_args()
    run("sqlite", args.events, None)
    if args.postgres:
        run("postgres", args.events, args.postgres)


if __name__ == "__main__":
    main()
