"""設定 > 配送/送料設定: delivery companies and their 送料 (基本送料, 都道府県別送料, 送料無料),
and 発送・お届け日に関する設定 (最短お届け日の指定). The 商品別送料 tab is ProductFeesState."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlalchemy.engine import Connection

from ecweb_core.db import get_engine
from ecweb_core.errors import FormError
from ecweb_core.masters import delivery, shop
from ecweb_core.masters.delivery import CompanyForm, CompanyRow
from ecweb_core.prefectures import PREFECTURES
from ecweb_state.auth import AuthState


class DeliverySettingsState(AuthState):
    tab: str = "companies"
    companies: list[CompanyRow] = []
    message: str = ""
    errors: list[str] = []
    # the company dialog (edit_id 0: a new company)
    editing: bool = False
    edit_id: int = 0
    name: str = ""
    fee: str = ""
    free_from: str = ""
    prefecture_fees: list[list[str]] = []  # [prefecture, fee]
    add_prefecture: str = ""
    form_errors: list[str] = []
    delete_id: int = 0
    delete_name: str = ""
    # 発送・お届け日に関する設定
    min_delivery_days: str = ""
    dates_errors: list[str] = []
    dates_message: str = ""

    @rx.var
    def prefecture_choices(self) -> list[str]:
        taken = {p for p, _ in self.prefecture_fees}
        return [p for p in PREFECTURES if p not in taken]

    @rx.event
    def on_load(self) -> None:
        self.message, self.errors, self.dates_message, self.dates_errors = "", [], "", []
        self.editing, self.delete_id = False, 0
        self._reload()

    @rx.event
    def set_tab(self, tab: str) -> None:
        if tab in ("companies", "dates", "products"):
            self.tab = tab

    # ---- the company dialog ------------------------------------------------------------------

    @rx.event
    def new_company(self) -> None:
        self.edit_id, self.name, self.fee, self.free_from, self.prefecture_fees = 0, "", "", "", []
        self.form_errors, self.add_prefecture, self.editing = [], "", True

    @rx.event
    def edit_company(self, company_id: int) -> None:
        try:
            with get_engine().connect() as conn:
                form = delivery.company_form(conn, int(company_id))
        except FormError as err:
            self.errors = list(err.errors.values())
            return
        self.edit_id, self.name, self.fee, self.free_from = int(company_id), form.name, form.fee, form.free_from
        self.prefecture_fees, self.form_errors, self.add_prefecture = form.prefecture_fees, [], ""
        self.editing = True

    @rx.event
    def set_name(self, value: str) -> None:
        self.name = value

    @rx.event
    def set_fee(self, value: str) -> None:
        self.fee = value

    @rx.event
    def set_free_from(self, value: str) -> None:
        self.free_from = value

    @rx.event
    def set_add_prefecture(self, value: str) -> None:
        self.add_prefecture = value

    @rx.event
    def add_prefecture_fee(self) -> None:
        if self.add_prefecture not in PREFECTURES or any(p == self.add_prefecture for p, _ in self.prefecture_fees):
            self.form_errors = ["追加する都道府県を選択してください。"]
            return
        self.prefecture_fees = [*self.prefecture_fees, [self.add_prefecture, self.fee]]
        self.add_prefecture, self.form_errors = "", []

    @rx.event
    def set_prefecture_fee(self, index: int, value: str) -> None:
        rows = [list(r) for r in self.prefecture_fees]
        if 0 <= int(index) < len(rows):
            rows[int(index)][1] = value
            self.prefecture_fees = rows

    @rx.event
    def remove_prefecture_fee(self, index: int) -> None:
        rows = list(self.prefecture_fees)
        if 0 <= int(index) < len(rows):
            rows.pop(int(index))
            self.prefecture_fees = rows

    @rx.event
    def close_editor(self, is_open: bool = False) -> None:
        if not is_open:
            self.editing, self.form_errors = False, []

    @rx.event
    def save_company(self) -> None:
        form = CompanyForm(
            name=self.name,
            fee=self.fee,
            free_from=self.free_from,
            prefecture_fees=[[p, f] for p, f in self.prefecture_fees],
        )
        try:
            with get_engine().begin() as conn:
                delivery.save_company(conn, self.edit_id or None, form, operator_id=self._operator_id)
        except FormError as err:
            self.form_errors = list(err.errors.values())
            return
        self.message, self.errors = f"配送業者「{self.name.strip()}」を保存しました。", []
        self.editing, self.form_errors = False, []
        self._reload()

    # ---- the list ----------------------------------------------------------------------------

    @rx.event
    def toggle(self, company_id: int, enabled: bool) -> None:
        name = next((c.name for c in self.companies if c.id == int(company_id)), "")
        done = f"「{name}」を無効にしました。" if enabled else f"「{name}」を有効にしました。"
        self._change(
            lambda conn: delivery.set_company_enabled(
                conn, int(company_id), not enabled, operator_id=self._operator_id
            ),
            done,
        )

    @rx.event
    def move(self, company_id: int, where: str) -> None:
        self._change(
            lambda conn: delivery.move_company(conn, int(company_id), where, operator_id=self._operator_id), ""
        )

    @rx.event
    def ask_delete(self, company_id: int, name: str) -> None:
        self.delete_id, self.delete_name = int(company_id), name

    @rx.event
    def cancel_delete(self, is_open: bool = False) -> None:
        if not is_open:
            self.delete_id, self.delete_name = 0, ""

    @rx.event
    def confirm_delete(self) -> None:
        if not self.delete_id:
            return
        company_id, name = self.delete_id, self.delete_name
        self.delete_id, self.delete_name = 0, ""
        self._change(
            lambda conn: delivery.delete_company(conn, company_id, operator_id=self._operator_id),
            f"「{name}」を削除しました。",
        )

    # ---- 発送・お届け日に関する設定 -------------------------------------------------------------

    @rx.event
    def set_min_delivery_days(self, value: str) -> None:
        self.min_delivery_days = value

    @rx.event
    def save_dates(self) -> None:
        try:
            with get_engine().begin() as conn:
                shop.save_delivery_dates(
                    conn, {"min_delivery_days": self.min_delivery_days}, operator_id=self._operator_id
                )
        except FormError as err:
            self.dates_errors, self.dates_message = list(err.errors.values()), ""
            return
        self.dates_errors, self.dates_message = [], "発送・お届け日に関する設定を保存しました。"
        self._reload()

    def _change(self, apply: Callable[[Connection], object], done: str) -> None:
        try:
            with get_engine().begin() as conn:
                apply(conn)
        except FormError as err:
            self.errors, self.message = list(err.errors.values()), ""
            return
        self.errors, self.message = [], done
        self._reload()

    def _reload(self) -> None:
        with get_engine().connect() as conn:
            self.companies = delivery.list_companies(conn)
            self.min_delivery_days = str(shop.min_delivery_days(conn))
