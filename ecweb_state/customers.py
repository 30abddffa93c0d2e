"""顧客管理 > 顧客管理: the list and one customer's tabs (基本情報, 受注履歴, 定期受注, ポイント,
ブラックリスト, メモ管理)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ecweb_core import reference
from ecweb_core.customers import (
    CustomerRow,
    add_memo,
    check_query,
    count_customers,
    list_customers,
    load_customer,
    set_blacklist,
)
from ecweb_core.db import get_engine
from ecweb_core.errors import FormError
from ecweb_core.masters import reasons
from ecweb_state.auth import AuthState
from ecweb_state.memos import clear_memo_field

PAGE_SIZE = 50
NO_REASON = "none"  # 「指定しない」


class CustomersState(AuthState):
    rows: list[CustomerRow] = []
    total: int = 0
    page: int = 1
    errors: list[str] = []
    _text: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.event
    def on_load(self) -> None:
        self._reload()

    @rx.event
    def search(self, form: dict[str, Any]) -> None:
        try:
            self._text = check_query(str(form.get("q") or ""))
        except FormError as e:
            self.errors = list(e.errors.values())
            return
        self.errors, self.page = [], 1
        self._reload()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self.page = max(1, min(int(page), self.page_count))
        self._reload()

    def _reload(self) -> None:
        with get_engine().connect() as conn:
            self.total = count_customers(conn, self._text)
            self.rows = list_customers(conn, self._text, self.page, PAGE_SIZE)


class CustomerDetailState(AuthState):
    found: bool = False
    customer_pk: int = 0  # not customer_id: the dynamic route owns that name on State
    name: str = ""
    tab: str = "basic"
    fields: list[list[str]] = []
    orders: list[list[str]] = []
    subscriptions: list[list[str]] = []
    points_balance: str = ""
    points: list[list[str]] = []
    memos: list[list[str]] = []
    blacklisted: bool = False
    blacklist_reason: str = ""
    blacklist_reasons: list[list[str]] = []
    errors: list[str] = []
    notice: str = ""
    memo_errors: list[str] = []
    memo_notice: str = ""

    @rx.event
    def on_load(self) -> None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        self.memo_errors, self.memo_notice = [], ""
        self.customer_pk = int(raw) if raw.isdigit() else 0
        self.tab, self.errors, self.notice = "basic", [], ""
        with get_engine().connect() as conn:
            self.blacklist_reasons = [list(c) for c in reference.reason_choices(conn, reasons.BLACKLIST)]
        self._reload()

    @rx.event
    def set_tab(self, tab: str) -> None:
        self.tab = tab

    @rx.event
    def set_blacklisted(self, value: bool) -> None:
        self.blacklisted = bool(value)

    @rx.event
    def set_blacklist_reason(self, value: str) -> None:
        self.blacklist_reason = "" if value == NO_REASON else value

    @rx.event
    def save_blacklist(self, form: dict[str, Any]) -> None:
        on, reason = self.blacklisted, self.blacklist_reason if self.blacklisted else ""
        self._change(
            lambda conn: set_blacklist(conn, self.customer_pk, on, reason, operator_id=self._operator_id),
            "ブラックリストを更新しました。",
        )

    @rx.event
    def add_memo(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        body = str(form.get("memo") or "")
        try:
            with get_engine().begin() as conn:
                add_memo(conn, self.customer_pk, body, self._operator_id)
        except FormError as e:
            self.memo_errors, self.memo_notice = list(e.errors.values()), ""
            return None
        self.memo_errors, self.memo_notice = [], "メモを登録しました。"
        self._reload()
        return clear_memo_field()

    def _change(self, apply: Any, notice: str) -> bool:
        try:
            with get_engine().begin() as conn:
                apply(conn)
        except FormError as e:
            self.errors, self.notice = list(e.errors.values()), ""
            return False
        self.errors, self.notice = [], notice
        self._reload()
        return True

    def _reload(self) -> None:
        with get_engine().connect() as conn:
            detail = load_customer(conn, self.customer_pk) if self.customer_pk else None
        self.found = detail is not None
        if detail is None:
            return
        for name in ("name", "fields", "orders", "subscriptions", "points_balance", "points", "memos", "blacklisted",
                     "blacklist_reason"):  # fmt: skip
            setattr(self, name, getattr(detail, name))
