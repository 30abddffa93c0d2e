"""メールを送信する: the mail runs the engine queued as pending, sent after their batch committed.

A run is leased (outcome "sending", due again after LEASE) before the SMTP call, so a worker that
dies mid-send leaves it to be retried; the mail service's dedupe key
(rule:{rule_id}:event:{event_id}) makes that retry a no-op when the mail did go out. A failed
send (SMTP down) is retried with backoff, then reported as failed: the event is never lost."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from ecweb_core.automation.mail_bridge import send_rule_mail
from ecweb_core.models import AutomationRule, AutomationRun
from ecweb_core.models.common import utcnow

log = logging.getLogger(__name__)
RUNS = AutomationRun.__table__
WAITING = ("pending", "retry", "sending")
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=10)
BATCH = 100


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** max(0, attempts - 1), 600))  # 15 s, 30 s, 1 min, 2 min, …


def dedupe_key(rule_id: int, event_id: int) -> str:
    return f"rule:{rule_id}:event:{event_id}"


def send_pending_mails(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    while True:
        now = now or utcnow()
        with engine.connect() as conn:
            due = (
                conn.execute(
                    select(RUNS.c.id)
                    .where(RUNS.c.outcome.in_(WAITING), RUNS.c.next_attempt_at <= now)
                    .order_by(RUNS.c.id)
                    .limit(BATCH)
                )
                .scalars()
                .all()
            )
        if not due:
            return counts
        for run_id in due:
            outcome = _send_one(engine, run_id, now)
            if outcome:
                counts[outcome] = counts.get(outcome, 0) + 1
        now = None


def _lease(engine: Engine, run_id: int, now: datetime) -> tuple[int, int, int, str, int] | None:
    with engine.begin() as conn:
        leased = conn.execute(
            update(RUNS)
            .where(RUNS.c.id == run_id, RUNS.c.outcome.in_(WAITING), RUNS.c.next_attempt_at <= now)
            .values(outcome="sending", attempts=RUNS.c.attempts + 1, next_attempt_at=now + LEASE)
        ).rowcount
        if not leased:
            return None  # another worker has it
        row = conn.execute(
            select(RUNS.c.rule_id, RUNS.c.event_id, RUNS.c.order_id, RUNS.c.attempts).where(RUNS.c.id == run_id)
        ).one()
        param = conn.execute(select(AutomationRule.param).where(AutomationRule.id == row.rule_id)).scalar_one_or_none()
    if param is None:
        _finish(engine, run_id, "failed", "ルールが削除されたため送信しませんでした。", None)
        return None
    return row.rule_id, row.event_id, row.order_id, param, row.attempts


def _send_one(engine: Engine, run_id: int, now: datetime) -> str | None:
    leased = _lease(engine, run_id, now)
    if leased is None:
        return None
    rule_id, event_id, order_id, param, attempts = leased
    try:
        with engine.connect() as conn:  # reads only: the mail service commits its claims itself
            outcome, message = send_rule_mail(conn, order_id, param, dedupe_key(rule_id, event_id))
    except Exception as exc:  # noqa: BLE001 - a mail server down must not lose the run
        log.warning("automation mail run %s failed: %s", run_id, exc)
        outcome, message = "failed", f"送信エラー: {exc}"
    if outcome == "failed" and attempts < MAX_ATTEMPTS:
        _finish(engine, run_id, "retry", f"{message}(再試行 {attempts}/{MAX_ATTEMPTS})", utcnow() + backoff(attempts))
        return "retry"
    if outcome == "failed":
        message = f"{message}({attempts}回試行しましたが送信できませんでした)"
    _finish(engine, run_id, outcome, message, None)
    return outcome


def _finish(engine: Engine, run_id: int, outcome: str, message: str | None, next_at: datetime | None) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(RUNS)
            .where(RUNS.c.id == run_id)
            .values(
                outcome=outcome,
                message=message and message[:1000],
                next_attempt_at=next_at,
                finished_at=None if next_at else utcnow(),
            )
        )
