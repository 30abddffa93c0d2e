"""決済履歴 of one order (受注詳細): each provider call the ledger holds — process, time, outcome,
the provider's transaction, attempts, error."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ecweb_core.models import ExternalEffect
from ecweb_core.models.common import fmt_jst
from ecweb_core.payments.processes import INTERNAL, PROCESSES

STATES = {"requested": "依頼中", "succeeded": "完了", "declined": "拒否", "failed": "未到達", "unknown": "結果不明"}
DEMO = "初期データ(与信)"


def payment_history(conn: Connection, order_id: int) -> list[list[str]]:
    e = ExternalEffect.__table__.c
    rows = conn.execute(
        select(e.kind, e.dedupe_key, e.state, e.provider_ref, e.attempts, e.error, e.requested_at, e.finished_at)
        .where(e.order_id == order_id, e.kind.like("payment.%"))
        .order_by(e.id.desc())
    )
    return [
        [
            fmt_jst(r.finished_at or r.requested_at),
            PROCESSES.get(r.kind.removeprefix("payment.")) or INTERNAL.get(r.kind.removeprefix("payment."), DEMO),
            _source(r.dedupe_key),
            STATES.get(r.state, r.state),
            r.provider_ref or "",
            str(r.attempts),
            r.error or "",
        ]
        for r in rows
    ]


def _source(key: str) -> str:
    kind, _, rest = key.partition(":")
    if kind == "job":
        return f"決済状況一括変更 #{rest}"
    if kind == "subscription":
        return "定期受注"
    if kind == "rule":
        return f"自動化設定 #{rest.split(':')[0]}"
    return "初期データ" if kind == "demo" else key
