"""What a bulk operation provides to run as a job. The kinds that exist are listed in catalog.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from ecweb_core.errors import FormError
from ecweb_core.outcomes import Outcome
from ecweb_core.selection import Selection


class ParamError(FormError):
    """Bad form input for an operation."""


@dataclass(frozen=True)
class JobContext:
    job_id: int
    operator_id: int
    params: dict[str, Any]
    created_at: datetime | None = None  # the job's registration time: one stamp for all its chunks
    # What the chunk's outside calls returned (ExternalOperation.call_outside), by order id.
    effects: Mapping[int, Any] = field(default_factory=dict)

    def with_effects(self, effects: Mapping[int, Any]) -> JobContext:
        return dataclasses.replace(self, effects=effects)


class Operation(Protocol):
    """An operation that changes only the database: each chunk is one transaction holding the change
    and every order's outcome (runner.py)."""

    calls_outside: ClassVar[bool]

    def parse_params(self, form: dict[str, Any]) -> dict[str, Any]:
        """Validates the form into JSON-safe params, or raises ParamError."""
        ...

    def prepare(self, session: Session, params: dict[str, Any], selection: Selection) -> dict[str, Any]:
        """At registration, the checks that need the database or the selection (raises ParamError;
        nothing is registered); returns the params to store (e.g. a template's content snapshotted)."""
        ...

    def process(self, conn: Connection, ctx: JobContext, order_ids: list[int]) -> dict[int, Outcome]:
        """Applies the operation to a chunk inside the caller's transaction; returns each order's outcome.
        An exception fails the chunk, which the runner then retries order by order."""
        ...

    def finish(self, conn: Connection, ctx: JobContext) -> None:
        """Once every target has an outcome, in the transaction that marks the job done (an export
        publishes its file)."""
        ...

    def describe_report(self, report: dict[str, Any]) -> str:
        """What ジョブ管理 shows of the export's report (job_exports.report), "" for nothing."""
        ...


class ExternalOperation(Operation, Protocol):
    """An operation that calls a service outside the database (SMTP, the payment provider).

    Those calls never run inside a database transaction: the runner first calls `call_outside` with
    no transaction open (it claims each call in the external-effect ledger, makes it and records its
    result, ecweb_core/ledger.py), then `process` in the chunk's transaction with the results in
    `ctx.effects`, so the orders' changes and outcomes still commit together."""

    def call_outside(self, engine: Engine, ctx: JobContext, order_ids: list[int]) -> dict[int, Any]: ...


class BaseOperation:
    """Defaults for the optional parts of an Operation."""

    calls_outside: ClassVar[bool] = False

    def prepare(self, session: Session, params: dict[str, Any], selection: Selection) -> dict[str, Any]:
        return params

    def finish(self, conn: Connection, ctx: JobContext) -> None:
        return None

    def describe_report(self, report: dict[str, Any]) -> str:
        return ""
