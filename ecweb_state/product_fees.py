"""商品別送料 (配送/送料設定) and 商品別支払い手数料 (支払方法): a product's own fee, paged."""

from __future__ import annotations

import reflex as rx

from ecweb_core.db import get_engine
from ecweb_core.errors import FormError
from ecweb_core.masters.products import FEE_KINDS, ProductFeeRow, list_product_fees, set_product_fee
from ecweb_state.auth import AuthState

PAGE_SIZE = 50


class ProductFeesState(AuthState):
    fee_kind: str = "shipping"
    fee_label: str = "商品別送料"
    query: str = ""
    page: int = 1
    total: int = 0
    rows: list[ProductFeeRow] = []
    edit_id: int = 0
    edit_name: str = ""
    edit_value: str = ""
    errors: list[str] = []
    message: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.event
    def open_kind(self, kind: str) -> None:
        if kind not in FEE_KINDS:
            return
        self.fee_kind, self.fee_label = kind, FEE_KINDS[kind][1]
        self.page, self.edit_id, self.errors, self.message = 1, 0, [], ""
        self._reload()

    @rx.event
    def search(self, form: dict[str, str]) -> None:
        self.query, self.page = str(form.get("query") or ""), 1
        self._reload()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self.page = max(1, min(int(page), self.page_count))
        self._reload()

    @rx.event
    def start_edit(self, product_id: int, name: str, raw: str) -> None:
        self.edit_id, self.edit_name, self.edit_value, self.errors = int(product_id), name, raw, []

    @rx.event
    def set_edit_value(self, value: str) -> None:
        self.edit_value = value

    @rx.event
    def close_edit(self, is_open: bool = False) -> None:
        if not is_open:
            self.edit_id, self.errors = 0, []

    @rx.event
    def save(self) -> None:
        if not self.edit_id:
            return
        try:
            with get_engine().begin() as conn:
                fee = set_product_fee(conn, self.fee_kind, self.edit_id, self.edit_value, operator_id=self._operator_id)
        except FormError as err:
            self.errors = list(err.errors.values())
            return
        what = "設定なし" if fee is None else f"¥{fee:,}"
        self.message = f"「{self.edit_name}」の{self.fee_label}を{what}にしました。"
        self.edit_id, self.errors = 0, []
        self._reload()

    def _reload(self) -> None:
        with get_engine().connect() as conn:
            self.rows, self.total = list_product_fees(conn, self.fee_kind, self.query, self.page, PAGE_SIZE)
