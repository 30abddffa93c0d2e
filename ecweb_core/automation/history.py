"""実行履歴: every rule run, newest first, and the problems (cycles, failures) the screen reports."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from ecweb_core.models import AutomationRun, Order
from ecweb_core.models.common import fmt_jst, utcnow

RUNS = AutomationRun.__table__
OUTCOMES = {
    "ok": "成功",
    "skipped": "スキップ",
    "failed": "失敗",
    "pending": "実行待ち",  # a mail (or payment) run made after its batch committed
    "sending": "実行中",
    "retry": "再試行待ち",
    "cycle": "循環を検出",
    "depth_limit": "連鎖上限で停止",
}
PROBLEMS = ("failed", "cycle", "depth_limit")


@dataclass
class RunRow:
    id: int
    time: str
    rule_id: int
    rule: str
    order_id: int
    order_number: str
    event_id: int
    outcome: str
    problem: bool
    message: str
    attempts: int
    acknowledged: bool = False


def _where(problems_only: bool) -> list:  # type: ignore[type-arg]
    return [RUNS.c.outcome.in_(PROBLEMS)] if problems_only else []


def count_runs(conn: Connection, problems_only: bool = False) -> int:
    return int(conn.execute(select(func.count()).select_from(RUNS).where(*_where(problems_only))).scalar_one())


def problem_count(conn: Connection) -> int:
    return count_runs(conn, problems_only=True)


def open_problem_count(conn: Connection) -> int:
    """The problems no operator has acknowledged yet: what the screen's 要確認 callout counts."""
    q = select(func.count()).select_from(RUNS).where(*_where(True), RUNS.c.acknowledged_at.is_(None))
    return int(conn.execute(q).scalar_one())


def acknowledge_problems(conn: Connection) -> int:
    """Marks every open problem run 確認済み (they stay in the 実行履歴); returns how many."""
    done = conn.execute(
        update(AutomationRun)
        .where(RUNS.c.outcome.in_(PROBLEMS), RUNS.c.acknowledged_at.is_(None))
        .values(acknowledged_at=utcnow())
    )
    return max(done.rowcount, 0)


def list_runs(conn: Connection, page: int, page_size: int, problems_only: bool = False) -> list[RunRow]:
    o = Order.__table__.c
    rows = conn.execute(
        select(RUNS, o.number)
        .join_from(RUNS, Order.__table__, o.id == RUNS.c.order_id)
        .where(*_where(problems_only))
        .order_by(RUNS.c.id.desc())
        .offset((max(1, page) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        RunRow(
            id=r.id,
            time=fmt_jst(r.finished_at or r.created_at),
            rule_id=r.rule_id,
            rule=r.rule_label,
            order_id=r.order_id,
            order_number=r.number,
            event_id=r.event_id,
            outcome=OUTCOMES.get(r.outcome, r.outcome),
            problem=r.outcome in PROBLEMS,
            message=r.message or "",
            attempts=r.attempts,
            acknowledged=r.acknowledged_at is not None,
        )
        for r in rows
    ]
