"""メモ管理 on the detail pages: the memo field is cleared once its memo is saved (and kept on an
error, so the operator can fix it)."""

from __future__ import annotations

import reflex as rx

MEMO_FIELD = "memo-body"


def clear_memo_field() -> rx.event.EventSpec:
    return rx.set_value(MEMO_FIELD, "")
