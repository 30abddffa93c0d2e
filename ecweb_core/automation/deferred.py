"""The rule runs whose action calls a service outside the database (メールを送信する; 決済処理を実行する
plugs in the same way), made after the batch that matched them committed.

The engine records such a run as pending (actions.defer). Here each due run is leased (outcome
"sending", due again after LEASE) on its own transaction, then dispatched by its rule's action to
the function in DEFERRED_ACTIONS. That function goes through the external-effect ledger with the
run's dedupe key (rule:{rule_id}:event:{event_id}), so a worker that dies mid-call leaves a run that
is retried without calling twice. A failed call (a server down) is retried with backoff, then
reported as failed: the event is never lost."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from ecweb_core import events, ledger
from ecweb_core.automation.mail_bridge import send_rule_mail
from ecweb_core.models import AutomationRule, AutomationRun
from ecweb_core.models.common import utcnow
from ecweb_core.outcomes import Outcome
from ecweb_core.payments import service

log = logging.getLogger(__name__)
RUNS = AutomationRun.__table__
RULES = AutomationRule.__table__
WAITING = ("pending", "retry", "sending")
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=10)
BATCH = 100


@dataclass(frozen=True)
class DeferredRun:
    """A leased run, with what its action needs."""

    id: int
    rule_id: int
    event_id: int
    order_id: int
    action: str
    param: str
    attempts: int

    @property
    def dedupe_key(self) -> str:
        return dedupe_key(self.rule_id, self.event_id)


class TryLater(Exception):  # noqa: N818 - it is not an error: the run is retried with backoff
    """The outside service could not be reached: nothing happened, the run is tried again later."""


def _send_mail(engine: Engine, run: DeferredRun) -> Outcome:
    outcome = send_rule_mail(engine, run.order_id, run.param, run.dedupe_key)
    if outcome[0] == "failed":  # an SMTP server down, or a refused mail: tried again (the ledger dedupes)
        raise TryLater(outcome[1] or "送信できませんでした")
    return outcome


def _run_payment(engine: Engine, run: DeferredRun) -> Outcome:
    """決済処理を実行する: the same process and ledger as 決済状況一括変更, its status event continuing
    the rule's chain."""
    effects = service.call_outside(engine, run.param, [run.order_id], run.dedupe_key)
    effect = effects.get(run.order_id)
    if effect is not None and effect.result is not None and effect.result.state == ledger.FAILED:
        raise TryLater(effect.result.message)
    with engine.begin() as conn:
        outcomes = service.apply(
            conn, run.param, effects, [run.order_id], source=events.rule_source(run.rule_id), operator_id=None,
            chain={run.order_id: run.event_id},
        )  # fmt: skip
    return outcomes[run.order_id]


@dataclass(frozen=True)
class DeferredAction:
    call: Callable[[Engine, DeferredRun], Outcome]  # makes the run's outside call (through the ledger)
    verb: str  # what the run does, for its messages: 送信 (a mail), 実行


# action -> what it does for one run; the engine's actions.defer records its runs as pending.
DEFERRED_ACTIONS: dict[str, DeferredAction] = {
    "send_mail": DeferredAction(_send_mail, "送信"),
    "payment": DeferredAction(_run_payment, "実行"),
}


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** max(0, attempts - 1), 600))  # 15 s, 30 s, 1 min, 2 min, …


def dedupe_key(rule_id: int, event_id: int) -> str:
    return f"rule:{rule_id}:event:{event_id}"


def run_deferred(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    """Runs every due deferred run; returns how many ended in each outcome."""
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
            outcome = _run_one(engine, run_id, now)
            if outcome:
                counts[outcome] = counts.get(outcome, 0) + 1
        now = None


def _lease(engine: Engine, run_id: int, now: datetime) -> DeferredRun | None:
    with engine.begin() as conn:
        leased = conn.execute(
            update(RUNS)
            .where(RUNS.c.id == run_id, RUNS.c.outcome.in_(WAITING), RUNS.c.next_attempt_at <= now)
            .values(outcome="sending", attempts=RUNS.c.attempts + 1, next_attempt_at=now + LEASE)
        ).rowcount
        if not leased:
            return None  # another worker has it
        row = conn.execute(
            select(RUNS.c.rule_id, RUNS.c.event_id, RUNS.c.order_id, RUNS.c.attempts, RULES.c.action, RULES.c.param)
            .select_from(RUNS.outerjoin(RULES, RULES.c.id == RUNS.c.rule_id))
            .where(RUNS.c.id == run_id)
        ).one()
    if row.action is None:
        _finish(engine, run_id, "failed", "ルールが削除されたため実行しませんでした。", None)
        return None
    return DeferredRun(run_id, row.rule_id, row.event_id, row.order_id, row.action, row.param, row.attempts)


def _run_one(engine: Engine, run_id: int, now: datetime) -> str | None:
    run = _lease(engine, run_id, now)
    if run is None:
        return None
    action = DEFERRED_ACTIONS.get(run.action)
    verb = action.verb if action else "実行"
    try:
        if action is None:
            raise LookupError(f"アクション「{run.action}」は後から実行できません。")
        outcome, message = action.call(engine, run)  # no transaction open: the call goes through the ledger
        final = True
    except TryLater as exc:
        outcome, message, final = "failed", str(exc), False
    except Exception as exc:  # noqa: BLE001 - a server down must not lose the run
        log.warning("automation run %s (%s) failed: %s", run_id, run.action, exc)
        outcome, message, final = "failed", f"{verb}エラー: {exc}", False
    if not final and run.attempts < MAX_ATTEMPTS:
        note = f"{message}(再試行 {run.attempts}/{MAX_ATTEMPTS})"
        _finish(engine, run_id, "retry", note, utcnow() + backoff(run.attempts))
        return "retry"
    if not final:
        message = f"{message}({run.attempts}回試行しましたが{verb}できませんでした)"
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
