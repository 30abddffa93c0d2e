"""受注詳細 single edit: the change and its events commit together, then the workers are asked
to run the automation rules on them (the same drain the bulk jobs get)."""

from __future__ import annotations

import logging

import reflex as rx

from ecweb_core.db import get_engine, session_scope
from ecweb_core.errors import FormError
from ecweb_core.order_edit import edit_order, parse_edit
from ecweb_core.reference import order_statuses, payment_statuses
from ecweb_state.dispatch import send_automation_drain
from ecweb_state.order_detail import OrderDetailState

log = logging.getLogger(__name__)


class OrderEditState(OrderDetailState):
    status_choices: list[list[str]] = []
    payment_status_choices: list[list[str]] = []
    edit_errors: list[str] = []
    edit_notice: str = ""

    @rx.event
    def load_choices(self) -> None:
        with session_scope() as s:
            self.status_choices = [list(c) for c in order_statuses(s)]
        self.payment_status_choices = [list(c) for c in payment_statuses()]
        self.edit_errors, self.edit_notice = [], ""

    @rx.event
    def save(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        if not raw.isdigit():
            return None
        try:
            with get_engine().begin() as conn:
                written = edit_order(conn, int(raw), parse_edit(conn, form), self._operator_id)
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
