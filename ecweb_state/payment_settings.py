"""設定 > 支払方法: each method's 支払い手数料 and its amount tiers. The 商品別支払い手数料 tab is
ProductFeesState."""

from __future__ import annotations

import reflex as rx

from ecweb_core.db import get_engine
from ecweb_core.errors import FormError
from ecweb_core.masters import payment
from ecweb_core.masters.payment import MethodFeeForm, MethodRow
from ecweb_state.auth import AuthState


class PaymentSettingsState(AuthState):
    tab: str = "methods"
    methods: list[MethodRow] = []
    message: str = ""
    edit_id: int = 0  # the method whose 手数料 dialog is open
    edit_name: str = ""
    fee: str = ""
    tiers: list[list[str]] = []  # [from amount, fee]
    form_errors: list[str] = []

    @rx.event
    def on_load(self) -> None:
        self.message, self.edit_id = "", 0
        self._reload()

    @rx.event
    def set_tab(self, tab: str) -> None:
        if tab in ("methods", "products"):
            self.tab = tab

    @rx.event
    def edit_method(self, method_id: int) -> None:
        try:
            with get_engine().connect() as conn:
                name, form = payment.method_fee_form(conn, int(method_id))
        except FormError as err:
            self.message, self.form_errors = "", list(err.errors.values())
            return
        self.edit_id, self.edit_name, self.fee, self.tiers, self.form_errors = (
            int(method_id),
            name,
            form.fee,
            form.tiers,
            [],
        )

    @rx.event
    def set_fee(self, value: str) -> None:
        self.fee = value

    @rx.event
    def add_tier(self) -> None:
        self.tiers = [*self.tiers, ["", ""]]

    @rx.event
    def set_tier(self, index: int, column: int, value: str) -> None:
        rows = [list(r) for r in self.tiers]
        if 0 <= int(index) < len(rows) and int(column) in (0, 1):
            rows[int(index)][int(column)] = value
            self.tiers = rows

    @rx.event
    def remove_tier(self, index: int) -> None:
        rows = list(self.tiers)
        if 0 <= int(index) < len(rows):
            rows.pop(int(index))
            self.tiers = rows

    @rx.event
    def close_editor(self, is_open: bool = False) -> None:
        if not is_open:
            self.edit_id, self.form_errors = 0, []

    @rx.event
    def save(self) -> None:
        if not self.edit_id:
            return
        form = MethodFeeForm(fee=self.fee, tiers=[[a, f] for a, f in self.tiers])
        try:
            with get_engine().begin() as conn:
                payment.save_method_fees(conn, self.edit_id, form, operator_id=self._operator_id)
        except FormError as err:
            self.form_errors = list(err.errors.values())
            return
        self.message = f"「{self.edit_name}」の支払い手数料を保存しました。"
        self.edit_id, self.form_errors = 0, []
        self._reload()

    def _reload(self) -> None:
        with get_engine().connect() as conn:
            self.methods = payment.list_methods(conn)
