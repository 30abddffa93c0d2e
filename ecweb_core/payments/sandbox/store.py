"""The sandbox provider's own database (SQLite through the standard library: it shares nothing with
the app's database, as a real provider would not)."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    id TEXT PRIMARY KEY,
    method TEXT NOT NULL,          -- card | np | np_wiz | amazon_pay
    order_number TEXT NOT NULL,
    customer_ref TEXT NOT NULL DEFAULT '',
    amount INTEGER NOT NULL,
    status TEXT NOT NULL,          -- authorized | captured | cancelled
    tracking_number TEXT,
    shipped_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_transactions_order ON transactions (order_number);
CREATE TABLE IF NOT EXISTS operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT,
    order_number TEXT NOT NULL,
    kind TEXT NOT NULL,            -- authorize | capture | cancel
    outcome TEXT NOT NULL,         -- ok | declined | registration_failed | invalid
    idempotency_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_operations_order ON operations (order_number, kind);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Transaction:
    id: str
    method: str
    order_number: str
    customer_ref: str
    amount: int
    status: str
    tracking_number: str | None
    shipped_on: str | None
    created_at: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Store:
    """One connection per thread; every write under one lock (writes take a millisecond; the
    provider's latency is slept outside it, so calls still overlap)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self._local = threading.local()
        with self.connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a sandbox: speed over durability across power loss
            self._local.db = db
        yield db

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self.lock, self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    # ---- idempotency ------------------------------------------------------------------------------

    @staticmethod
    def replay(db: sqlite3.Connection, key: str) -> tuple[str, int, dict[str, Any]] | None:
        row = db.execute("SELECT request_hash, status_code, response FROM idempotency WHERE key = ?", (key,)).fetchone()
        return None if row is None else (row["request_hash"], int(row["status_code"]), json.loads(row["response"]))

    @staticmethod
    def remember(db: sqlite3.Connection, key: str, request_hash: str, status: int, response: dict[str, Any]) -> None:
        db.execute(
            "INSERT INTO idempotency (key, request_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?)",
            (key, request_hash, status, json.dumps(response, ensure_ascii=False), now_iso()),
        )

    def answer_for(self, key: str) -> tuple[int, dict[str, Any]] | None:
        with self.connect() as db:
            found = self.replay(db, key)
        return None if found is None else (found[1], found[2])

    # ---- transactions -----------------------------------------------------------------------------

    @staticmethod
    def get(db: sqlite3.Connection, tx_id: str) -> Transaction | None:
        row = db.execute("SELECT * FROM transactions WHERE id = ?", (tx_id,)).fetchone()
        return None if row is None else Transaction(**dict(row))

    @staticmethod
    def open_for_order(db: sqlite3.Connection, methods: tuple[str, ...], order_number: str) -> Transaction | None:
        marks = ",".join("?" * len(methods))
        row = db.execute(
            f"SELECT * FROM transactions WHERE order_number = ? AND method IN ({marks}) AND status != 'cancelled'",
            (order_number, *methods),
        ).fetchone()
        return None if row is None else Transaction(**dict(row))

    @staticmethod
    def create(db: sqlite3.Connection, method: str, order_number: str, customer_ref: str, amount: int) -> Transaction:
        at = now_iso()
        tx = Transaction(f"tx_{uuid.uuid4().hex[:20]}", method, order_number, customer_ref, amount, "authorized",
                         None, None, at, at)  # fmt: skip
        db.execute(
            "INSERT INTO transactions VALUES (:id, :method, :order_number, :customer_ref, :amount, :status,"
            " :tracking_number, :shipped_on, :created_at, :updated_at)",
            tx.as_dict(),
        )
        return tx

    @staticmethod
    def set_status(db: sqlite3.Connection, tx: Transaction, status: str, **extra: Any) -> Transaction:
        tx.status, tx.updated_at = status, now_iso()
        for k, v in extra.items():
            setattr(tx, k, v)
        db.execute(
            "UPDATE transactions SET status = ?, tracking_number = ?, shipped_on = ?, updated_at = ? WHERE id = ?",
            (tx.status, tx.tracking_number, tx.shipped_on, tx.updated_at, tx.id),
        )
        return tx

    @staticmethod
    def log(db: sqlite3.Connection, tx_id: str | None, order_number: str, kind: str, outcome: str, key: str) -> None:
        db.execute(
            "INSERT INTO operations (transaction_id, order_number, kind, outcome, idempotency_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (tx_id, order_number, kind, outcome, key, now_iso()),
        )

    # ---- what the 決済管理画面 and the tests read ------------------------------------------------

    def transactions(self, order_number: str = "", limit: int = 200) -> list[dict[str, Any]]:
        with self.connect() as db:
            rows = db.execute(
                "SELECT t.*, (SELECT count(*) FROM operations o WHERE o.transaction_id = t.id) AS operations"
                " FROM transactions t WHERE (? = '' OR t.order_number = ?) ORDER BY t.created_at DESC LIMIT ?",
                (order_number, order_number, limit),
            ).fetchall()
        return [dict(r) for r in rows]

    def operation_counts(self, order_number: str = "", outcome: str = "ok") -> list[dict[str, Any]]:
        """How many operations of each kind with `outcome` each order got (a test counts captures, and
        the refused second ones a client that called again would cause)."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT order_number, kind, count(*) AS n FROM operations WHERE outcome = ?"
                " AND (? = '' OR order_number = ?) GROUP BY order_number, kind ORDER BY order_number, kind",
                (outcome, order_number, order_number),
            ).fetchall()
        return [dict(r) for r in rows]
