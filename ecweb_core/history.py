"""受注詳細's 履歴 in words (issue 18): where a change came from (「一括更新 #7」 linked to its job,
「自動化ルール #3」, 画面操作), the old → new value and the operator who made it.

Events store the new value only; the old one is the value of the order's previous event of the
same kind (none shown for the first: the order's initial value was not an event)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from ecweb_core import events
from ecweb_core.jobs.catalog import kind_label
from ecweb_core.models import Job, Operator, OrderEvent
from ecweb_core.models.common import fmt_jst

SOURCES = {events.UI: "画面操作", events.SUBSCRIPTION_ENGINE: "定期受注", "system": "システム"}
ARROW = " → "


def _ids(sources: set[str], prefix: str) -> set[int]:
    return {int(s.removeprefix(prefix)) for s in sources if s.startswith(prefix) and s[len(prefix) :].isdigit()}


def order_history(session: Session, order_id: int, limit: int = 200) -> list[list[str]]:
    """Rows of [日時, 内容, 値, 処理元, 担当者, job id or ""], newest first."""
    rows = session.execute(
        select(OrderEvent.id, OrderEvent.created_at, OrderEvent.kind, OrderEvent.value, OrderEvent.source,
               Operator.name)
        .outerjoin(Operator, Operator.id == OrderEvent.operator_id)
        .where(OrderEvent.order_id == order_id)
        .order_by(OrderEvent.id.desc())
        .limit(limit)
    ).all()  # fmt: skip
    sources = {r.source for r in rows}
    job_ids = _ids(sources, "job:")
    jobs = dict(session.execute(select(Job.id, Job.kind).where(Job.id.in_(job_ids))).all()) if job_ids else {}
    # Oldest first, so each event's old value is the previous one of its kind.
    last: dict[str, str] = {}
    out: list[list[str]] = []
    for r in reversed(rows):
        value = r.value or ""
        shown = f"{last[r.kind]}{ARROW}{value}" if r.kind in last and value and last[r.kind] != value else value
        if value:
            last[r.kind] = value
        job_id = ""
        if r.source.startswith("job:") and r.source[4:].isdigit():
            job_id = r.source[4:]
            kind = jobs.get(int(job_id))
            source = f"{kind_label(kind) if kind else 'ジョブ'} #{job_id}"
        elif r.source.startswith("rule:"):
            source = f"自動化ルール #{r.source[5:]}"
        else:
            source = SOURCES.get(r.source, r.source)
        out.append([fmt_jst(r.created_at), events.LABELS.get(r.kind, r.kind), shown, source, r.name or "", job_id])
    return list(reversed(out))
