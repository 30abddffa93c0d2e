"""受注詳細 single edit: the change and its events commit together, then the workers are asked
to run the automation rules on them (the same drain the bulk jobs get)."""

from __future__ import annotations

import logging

import reflex as rx

from ecweb_core import reference
from ecweb_core.db import get_engine, session_scope
from ecweb_core.errors import FormError
from ecweb_core.masters import reasons
from ecweb_core.order_edit import add_order_memo, edit_order, parse_edit, recalculate_order, set_order_labels
from ecweb_state.dispatch import send_automation_drain
from ecweb_state.memos import clear_memo_field
from ecweb_state.order_detail import OrderDetailState

log = logging.getLogger(__name__)


class OrderEditState(OrderDetailState):
    status_choices: list[list[str]] = []
    payment_status_choices: list[list[str]] = []
    attention_reason_choices: list[list[str]] = []
    edit_errors: list[str] = []
    edit_notice: str = ""
    label_errors: list[str] = []
    label_notice: str = ""
    memo_errors: list[str] = []
    memo_notice: str = ""
    items_errors: list[str] = []
    items_notice: str = ""

    @rx.event
    def load_choices(self) -> None:
        """The choices of 設定 as they are now (enabled statuses, reasons, labels)."""
        with session_scope() as s:
            self.status_choices = [list(c) for c in reference.order_statuses(s, assignable=True)]
            self.attention_reason_choices = [list(c) for c in reference.reason_choices(s, reasons.ATTENTION)]
        self.payment_status_choices = [list(c) for c in reference.payment_statuses()]
        self.edit_errors, self.edit_notice, self.label_errors, self.label_notice = [], "", [], ""
        self.memo_errors, self.memo_notice, self.items_errors, self.items_notice = [], "", [], ""

    @rx.event
    def toggle_label(self, label_id: str, checked: bool) -> None:
        rest = [i for i in self.label_checked if i != label_id]
        self.label_checked = [*rest, label_id] if checked else rest

    @rx.event
    def save_labels(self):  # type: ignore[no-untyped-def]
        order_id = self._order_id()
        if order_id is None:
            return None
        try:
            with get_engine().begin() as conn:
                set_order_labels(conn, order_id, [int(i) for i in self.label_checked if i.isdigit()],
                                 operator_id=self._operator_id)  # fmt: skip
        except FormError as err:
            self.label_errors, self.label_notice = list(err.errors.values()), ""
            return None
        self.label_errors, self.label_notice = [], "受注ラベルを更新しました。"
        return OrderDetailState.on_load

    def _order_id(self) -> int | None:
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() else None

    @rx.event
    def save(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        order_id = self._order_id()
        if order_id is None:
            return None
        try:
            with get_engine().begin() as conn:
                written = edit_order(conn, order_id, parse_edit(conn, form), self._operator_id)
        except FormError as err:
            self.edit_errors, self.edit_notice = list(err.errors.values()), ""
            return None
        self.edit_errors, self.edit_notice = [], "受注を更新しました。"
        if written:
            try:
                send_automation_drain()
            except Exception:  # noqa: BLE001 - the events wait in the outbox for the next drain
                log.exception("could not send automation_drain")
        return OrderDetailState.on_load

    @rx.event
    def add_memo(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """メモ管理: a 受注メモ (the ones 一括更新 writes show in the same list)."""
        order_id = self._order_id()
        if order_id is None:
            return None
        try:
            with get_engine().begin() as conn:
                add_order_memo(conn, order_id, str(form.get("memo") or ""), self._operator_id)
        except FormError as err:
            self.memo_errors, self.memo_notice = list(err.errors.values()), ""
            return None
        self.memo_errors, self.memo_notice = [], "メモを登録しました。"
        return [clear_memo_field(), OrderDetailState.on_load]

    @rx.event
    def recalculate(self):  # type: ignore[no-untyped-def]
        """受注商品管理's 再計算 (after 一括更新 changed the 配送業者, as the seed asks)."""
        order_id = self._order_id()
        if order_id is None:
            return None
        try:
            with get_engine().begin() as conn:
                total = recalculate_order(conn, order_id, self._operator_id)
        except FormError as err:
            self.items_errors, self.items_notice = list(err.errors.values()), ""
            return None
        self.items_errors, self.items_notice = [], f"再計算しました(合計 ¥{total:,})。"
        return OrderDetailState.on_load
