from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow


class ExternalEffect(SQLModel, table=True):
    """One call to a service outside the database (a mail, a payment request) for one order: the
    intent committed before the call, its result recorded after it (ecweb_core/ledger.py).

    (kind, dedupe_key, order_id) is unique, so a retried job, rule or chunk finds the earlier call
    instead of making it again. No foreign key to orders: the claim commits on its own connection and
    must never wait on the row locks of a chunk's transaction."""

    __tablename__ = "external_effects"
    __table_args__ = (
        UniqueConstraint("kind", "dedupe_key", "order_id", name="uq_external_effects_key"),
        Index("ix_external_effects_order", "order_id"),
        Index("ix_external_effects_claim", "claim_token"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # mail | payment.capture | …
    dedupe_key: str = Field(max_length=100)  # e.g. job:12, rule:3:event:99
    order_id: int
    # requested (claimed, the call may be under way) → succeeded | failed (nothing happened) | unknown
    state: str = Field(default="requested", max_length=16)
    attempts: int = 0
    claim_token: str = Field(max_length=32)
    target: str = Field(default="", max_length=255)  # the recipient, the provider account …
    summary: str = Field(default="", max_length=255)  # the subject, the amount …
    provider_ref: str | None = Field(default=None, max_length=255)  # the provider's id of the call
    error: str | None = Field(default=None, max_length=1000)
    requested_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
