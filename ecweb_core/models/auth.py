from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow


class Operator(SQLModel, table=True):
    __tablename__ = "operators"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=100)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    # ecweb_core/permissions.py ROLES: admin (管理者), staff (一般), viewer (閲覧のみ).
    role: str = Field(default="admin", max_length=16)
    disabled: bool = False


class OperatorSession(SQLModel, table=True):
    __tablename__ = "operator_sessions"
    token_hash: str = Field(primary_key=True, max_length=64)
    operator_id: int = Field(foreign_key="operators.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime  # absolute end
    last_seen_at: datetime | None = None  # for the inactivity end; None: not seen since created


class AuditEntry(SQLModel, table=True):
    """操作ログ: append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    operator_id: int | None = Field(default=None, foreign_key="operators.id", index=True)
    login: str = Field(default="", max_length=64)  # as typed, for failed logins of unknown accounts
    kind: str = Field(max_length=32, index=True)
    target: str = Field(default="", max_length=200)
    detail: str = Field(default="", max_length=2000)
    address: str = Field(default="", max_length=64)
