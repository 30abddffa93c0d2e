"""受注管理 > 定期受注管理: the list and one subscription's tabs (基本設定, 受注履歴, 受注商品管理, メモ管理)
with 手動作成 and 再計算. Thin: the rules are in ecweb_core.subscriptions."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import reflex as rx

from ecweb_core import reference
from ecweb_core.db import get_engine
from ecweb_core.errors import FormError
from ecweb_core.masters import reasons
from ecweb_core.statuses import PAYMENT_STATUSES
from ecweb_core.subscriptions.changes import recalculate
from ecweb_core.subscriptions.cycles import KINDS, WEEKDAYS
from ecweb_core.subscriptions.engine import create_manual
from ecweb_core.subscriptions.listing import (
    SubscriptionQuery,
    SubscriptionRow,
    add_memo,
    count_subscriptions,
    list_subscriptions,
    load_detail,
    parse_query,
    payment_status_of,
    save_basic,
)
from ecweb_state.auth import AuthState
from ecweb_state.dispatch import send_subscription_authorize
from ecweb_state.memos import clear_memo_field

log = logging.getLogger(__name__)
WATCH_EVERY_S, WATCH_TRIES = 1.0, 60
PAGE_SIZE = 50
ALL = "all"  # a select item cannot be empty: 「すべて」
NO_REASON = "none"  # 「指定しない」 停止理由 / キャンセル理由


class SubscriptionsState(AuthState):
    rows: list[SubscriptionRow] = []
    total: int = 0
    page: int = 1
    errors: list[str] = []
    _query: SubscriptionQuery = SubscriptionQuery()

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.event
    def on_load(self) -> None:
        self._reload()

    @rx.event
    def search(self, form: dict[str, Any]) -> None:
        try:
            self._query = parse_query({k: ("" if v == ALL else v) for k, v in form.items()})
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
            self.total = count_subscriptions(conn, self._query)
            self.rows = list_subscriptions(conn, self._query, self.page, PAGE_SIZE)


class SubscriptionDetailState(AuthState):
    found: bool = False
    sub_id: int = 0
    customer_pk: int = 0  # not customer_id: the dynamic route /customers/[customer_id] owns that name
    customer: str = ""
    tab: str = "basic"
    fields: list[list[str]] = []
    items: list[list[str]] = []
    next_count: int = 1
    orders: list[list[str]] = []
    memos: list[list[str]] = []
    # 基本設定's form, as saved
    status: str = "active"
    saved_status: str = "active"  # 手動作成 follows the saved status, not the form's
    status_reason: str = ""
    cycle_kind: str = "month_day"
    cycle_count: str = "1"
    cycle_day: str = "1"
    cycle_week: str = "1"
    cycle_weekday: str = "0"
    next_ship_date: str = ""
    next_delivery_date: str = ""
    stop_reasons: list[list[str]] = []
    cancel_reasons: list[list[str]] = []
    cycle_kinds: list[list[str]] = [[k, v] for k, v in KINDS.items()]
    weekdays: list[list[str]] = [[str(i), f"{w}曜日"] for i, w in enumerate(WEEKDAYS)]
    errors: list[str] = []
    notice: str = ""
    memo_errors: list[str] = []
    memo_notice: str = ""
    form_key: int = 0  # re-mounts 基本設定's form on the values as saved

    @rx.event
    def on_load(self) -> None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        self.memo_errors, self.memo_notice = [], ""
        self.sub_id = int(raw) if raw.isdigit() else 0
        self.tab, self.errors, self.notice = "basic", [], ""
        with get_engine().connect() as conn:
            self.stop_reasons = [list(c) for c in reference.reason_choices(conn, reasons.STOP)]
            self.cancel_reasons = [list(c) for c in reference.reason_choices(conn, reasons.CANCEL)]
        self._reload()

    @rx.event
    def set_tab(self, tab: str) -> None:
        self.tab = tab

    @rx.event
    def set_status(self, value: str) -> None:
        self.status, self.status_reason = value, ""

    @rx.event
    def set_status_reason(self, value: str) -> None:
        self.status_reason = "" if value == NO_REASON else value

    @rx.event
    def set_cycle_kind(self, value: str) -> None:
        self.cycle_kind = value

    @rx.event
    def save(self, form: dict[str, Any]) -> None:
        """基本設定: ステータス (+ reason), 次回日付 with 同期する, サイクル."""
        values = {**form, "status": self.status, "status_reason": self.status_reason, "cycle_kind": self.cycle_kind}
        self._change(lambda conn: save_basic(conn, self.sub_id, values, self._operator_id), "基本設定を保存しました。")

    @rx.event
    def recalculate(self) -> None:
        self._change(lambda conn: recalculate(conn, [self.sub_id]), "次回の受注商品を再計算しました。")

    @rx.event
    def add_memo(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        body = str(form.get("memo") or "")
        try:
            with get_engine().begin() as conn:
                add_memo(conn, self.sub_id, body, self._operator_id)
        except FormError as e:
            self.memo_errors, self.memo_notice = list(e.errors.values()), ""
            return None
        self.memo_errors, self.memo_notice = [], "メモを登録しました。"
        self._reload()
        return clear_memo_field()

    @rx.event
    def create_order(self):  # type: ignore[no-untyped-def]
        """手動作成 of the next order (the seed: not while 停止); a worker authorizes it."""
        ids: list[int] = []
        if not self._change(lambda conn: ids.append(create_manual(conn, self.sub_id, self._operator_id)), ""):
            return None
        self.notice, self.tab = f"次回の受注を作成しました(受注ID {ids[0]})。決済は仮売上依頼中です。", "orders"
        try:
            send_subscription_authorize()
        except Exception:  # noqa: BLE001 - the next scheduler tick authorizes what is still 仮売上依頼中
            log.exception("could not send subscription_authorize")
        return SubscriptionDetailState.watch_authorization(ids[0])

    @rx.event(background=True)
    async def watch_authorization(self, order_id: int) -> None:
        """受注履歴 shows the authorization's outcome once the worker has it (for up to a minute)."""
        for _ in range(WATCH_TRIES):
            await asyncio.sleep(WATCH_EVERY_S)
            with get_engine().connect() as conn:
                status = payment_status_of(conn, int(order_id))
            if status != "auth_requested":
                async with self:
                    self._reload()
                    label = PAYMENT_STATUSES.get(status or "", status or "")
                    self.notice = f"次回の受注を作成しました(受注ID {order_id})。決済: {label}"
                return

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
            detail = load_detail(conn, self.sub_id) if self.sub_id else None
        self.found = detail is not None
        if detail is None:
            return
        values = dataclasses.asdict(detail)
        self.customer_pk = detail.customer_id
        for name in ("customer", "fields", "items", "next_count", "orders", "memos", "status", "status_reason",
                     "next_ship_date", "next_delivery_date", "cycle_kind"):  # fmt: skip
            setattr(self, name, values[name])
        for name in ("cycle_count", "cycle_day", "cycle_week", "cycle_weekday"):
            setattr(self, name, str(values[name]))
        self.saved_status = self.status
        self.form_key += 1
