"""自動化設定 (SPEC A1–A5): the ordered rules and the record of every rule run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow


class AutomationRule(SQLModel, table=True):
    """イベント (event + its value) → アクション (action + parameter). Rules run by `position`."""

    __tablename__ = "automation_rules"
    # The seed: the same イベント and アクション cannot be registered twice (whatever the parameter).
    # Ids are never reused (SQLite AUTOINCREMENT): the run history and mail dedupe keys name rules by id.
    __table_args__ = (
        UniqueConstraint("event", "event_value", "action", name="uq_automation_rule_event_action"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    position: int = Field(default=0, index=True)
    event: str = Field(max_length=32)  # a key of automation.catalog.EVENTS
    event_value: str = Field(default="", max_length=64)  # status id, payment status code, method id, or ""
    action: str = Field(max_length=32)  # a key of automation.catalog.ACTIONS
    param: str = Field(max_length=64)
    enabled: bool = False
    # Rules never apply retroactively: only events created at or after this instant.
    enabled_at: datetime | None = None
    operator_id: int | None = Field(default=None, foreign_key="operators.id")
    created_at: datetime = Field(default_factory=utcnow)


class AutomationRun(SQLModel, table=True):
    """One rule applied (or refused) for one order event: the 実行履歴 and the engine's memory.

    `origin_event_id` is the change that started the chain; a rule runs at most once per order
    and origin, which is how a cycle of rules is detected and stopped."""

    __tablename__ = "automation_runs"
    __table_args__ = (
        Index("ix_automation_runs_origin", "origin_event_id", "order_id", "rule_id"),
        Index("ix_automation_runs_pending", "outcome", "next_attempt_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(index=True)  # no foreign key: the history outlives a deleted rule
    rule_label: str = Field(max_length=255)
    order_id: int = Field(foreign_key="orders.id", index=True)
    event_id: int = Field(foreign_key="order_events.id")
    origin_event_id: int
    # ok | skipped | failed | pending (mail not yet sent) | retry | cycle | depth_limit
    outcome: str = Field(max_length=16)
    message: str | None = Field(default=None, max_length=1000)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    acknowledged_at: datetime | None = None  # a problem run an operator marked 確認済み
