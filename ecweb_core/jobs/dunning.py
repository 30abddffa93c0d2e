"""一括督促 (SPEC B4): a dunning history entry per order, with an optional due date and memo."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, String, insert, literal, select
from sqlalchemy.engine import Connection

from ecweb_core import events
from ecweb_core.jobs.operations import BaseOperation, JobContext, ParamError
from ecweb_core.models import DunningRecord, Order
from ecweb_core.models.common import utcnow
from ecweb_core.outcomes import Outcome
from ecweb_core.sqlutil import in_ids

MEMO_MAX = 1000
NOT_FOUND = "受注が見つかりません。"


class Dunning(BaseOperation):
    def parse_params(self, form: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        raw_due = str(form.get("due_date") or "").strip().replace("/", "-")
        due: date | None = None
        if raw_due:
            try:
                due = date.fromisoformat(raw_due)
            except ValueError:
                errors["due_date"] = "支払期限は「2026-01-31」の形式で入力してください。"
        memo = str(form.get("memo") or "").strip()
        if len(memo) > MEMO_MAX:
            errors["memo"] = f"メモは{MEMO_MAX}文字以内で入力してください。"
        if errors:
            raise ParamError(errors)
        return {"due_date": due.isoformat() if due else None, "memo": memo or None}

    def process(self, conn: Connection, ctx: JobContext, order_ids: list[int]) -> dict[int, Outcome]:
        o = Order.__table__.c
        existing = set(conn.execute(select(o.id).where(o.id.in_(order_ids))).scalars())
        if existing:
            due = date.fromisoformat(ctx.params["due_date"]) if ctx.params.get("due_date") else None
            now = utcnow()
            d = DunningRecord.__table__
            in_chunk = in_ids(conn, o.id, sorted(existing))
            conn.execute(
                insert(d).from_select(
                    ["order_id", "due_date", "memo", "operator_id", "created_at"],
                    select(
                        o.id,
                        literal(due, Date),
                        literal(ctx.params.get("memo"), String),
                        literal(ctx.operator_id, Integer),
                        literal(now, d.c.created_at.type),
                    ).where(in_chunk),
                )
            )
            batch = events.EventBatch(events.job_source(ctx.job_id), ctx.operator_id, now)
            batch.add(events.DUNNING, ctx.params.get("due_date") or "", in_chunk).write(conn)
        return {i: ("ok", None) if i in existing else ("failed", NOT_FOUND) for i in order_ids}
