"""What a bulk operation must provide to run as a job, and the registry of those that exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.engine import Connection

from ecweb_core.errors import FormError

Outcome = tuple[str, str | None]  # (ok | failed | skipped, message)


class ParamError(FormError):
    """Bad form input for an operation."""


@dataclass(frozen=True)
class JobContext:
    job_id: int
    operator_id: int
    params: dict[str, Any]
    created_at: datetime | None = None  # the job's registration time: one stamp for all its chunks


class Operation(Protocol):
    kind: str

    def parse_params(self, form: dict[str, Any]) -> dict[str, Any]:
        """Validates the form into JSON-safe params, or raises ParamError."""
        ...

    def process(self, conn: Connection, ctx: JobContext, order_ids: list[int]) -> dict[int, Outcome]:
        """Applies the operation to a chunk inside the caller's transaction; returns each order's outcome.
        An exception fails the chunk, which the runner then retries order by order."""
        ...

    # Optional hooks, looked up with getattr (operations without them need not define them):
    # prepare(session, params, selection) -> params: at registration, checks needing the database
    #   or the selection (raises ParamError; nothing is registered);
    # finish(conn, ctx) -> None: once every target has an outcome, in the transaction that marks the
    #   job done (an export publishes its file and sets Job.export_path).


OPERATIONS: dict[str, Operation] = {}


def register_operation(op: Operation) -> Operation:
    OPERATIONS[op.kind] = op
    return op


def get_operation(kind: str) -> Operation:
    # Imported here so every operation module registers itself before the lookup.
    from ecweb_core.jobs import bulk_update, csv_export, dunning, mail  # noqa: F401

    return OPERATIONS[kind]
