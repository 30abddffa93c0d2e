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


class OperatorSession(SQLModel, table=True):
    __tablename__ = "operator_sessions"
    token_hash: str = Field(primary_key=True, max_length=64)
    operator_id: int = Field(foreign_key="operators.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
