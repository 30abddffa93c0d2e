"""メモ管理 of 受注詳細, 定期受注 and 顧客: one rule for a memo's text and one way to write it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from ecweb_core.errors import FormError
from ecweb_core.models.common import utcnow

MEMO_MAX = 1000


def write_memo(conn: Connection, memos: Any, body: str, operator_id: int | None, **owner: int) -> None:
    """Validates the memo text (Japanese errors on field "memo") and inserts it into `memos`, the
    memo model of its owner (`order_id=…`, `subscription_id=…` or `customer_id=…`)."""
    body = body.strip()
    if not body:
        raise FormError({"memo": "メモを入力してください。"})
    if len(body) > MEMO_MAX:
        raise FormError({"memo": f"メモは{MEMO_MAX}文字以内で入力してください。"})
    conn.execute(insert(memos.__table__).values(body=body, operator_id=operator_id, created_at=utcnow(), **owner))
