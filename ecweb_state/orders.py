"""受注管理 grid: the search form, server-side paging and sorting, and the three selection modes.

The selection lives in backend-only vars (`_selection`): 「検索結果すべて」 is the filter itself and
ticked ids never travel to the browser except as the `checked` flag of the 50 visible rows.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import reflex as rx

from ecweb_core import reference
from ecweb_core.db import session_scope
from ecweb_core.masters import reasons
from ecweb_core.search import FilterError, PageRequest, count_orders, fetch_page, parse_filter
from ecweb_core.selection import Selection
from ecweb_core.settings import load_settings
from ecweb_state.auth import AuthState
from ecweb_state.listeners import listens_to_notes

ANY = "all"  # a Radix select item cannot have an empty value: this stands for 「すべて」


@dataclasses.dataclass
class GridRow:
    id: int
    number: str
    ordered_at: str
    customer_name: str
    total: str
    payment_method: str
    payment_status: str
    status: str
    delivery_company: str
    scheduled_ship_date: str
    shipping_list: str
    needs_attention: bool
    subscription: bool
    labels: list[list[str]]  # [name, colour]
    checked: bool


@listens_to_notes
class OrdersState(AuthState):
    """The grid and its selection. The bulk job dialogs are substates (job_forms.py, mail.py)."""

    rows: list[GridRow] = []
    total: int = 0
    page: int = 1
    page_size: int = load_settings().page_size
    sort: str = "ordered_at"
    descending: bool = True
    errors: list[str] = []
    loading: bool = False
    elapsed_ms: int = 0
    all_results: bool = False
    target_count: int = 0
    form_key: int = 0  # bumped to re-mount the form with empty inputs on 「条件をクリア」

    # The search form's choices: every entry (a disabled one marked 「(無効)」: orders keep it).
    status_options: list[list[str]] = []
    payment_status_options: list[list[str]] = []
    payment_method_options: list[list[str]] = []
    delivery_company_options: list[list[str]] = []
    label_options: list[list[str]] = []
    # What the bulk forms may set now (設定's enabled entries) and the reason lists.
    assign_status_options: list[list[str]] = []
    assign_company_options: list[list[str]] = []
    assign_label_options: list[list[str]] = []
    attention_reasons: list[list[str]] = []
    sub_attention_reasons: list[list[str]] = []
    blacklist_reasons: list[list[str]] = []
    stop_reasons: list[list[str]] = []
    cancel_reasons: list[list[str]] = []

    _selection: Selection = Selection()

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @rx.var
    def page_checked(self) -> bool:
        return bool(self.rows) and all(r.checked for r in self.rows)

    @rx.var
    def total_label(self) -> str:
        return f"{self.total:,}件"

    @rx.var
    def range_label(self) -> str:
        if not self.total:
            return "0件"
        first = (self.page - 1) * self.page_size + 1
        last = min(self.total, self.page * self.page_size)
        return f"{self.total:,}件中 {first:,}〜{last:,}件を表示"

    @rx.var
    def target_label(self) -> str:
        if self.all_results:
            return f"処理対象: 検索結果すべて {self.target_count:,}件"
        if self.target_count:
            return f"処理対象: 選択した受注 {self.target_count:,}件"
        return "処理対象の受注を選択してください"

    @rx.event
    def on_load(self) -> None:
        self._load_choices()
        self._load()

    def _load_choices(self) -> None:
        """Every choice list from 設定, as it is now (also when a bulk dialog opens: a status created
        in another tab is offered at once)."""
        with session_scope() as s:
            self.status_options = [list(c) for c in reference.order_statuses(s)]
            self.payment_method_options = [list(c) for c in reference.payment_methods(s)]
            self.delivery_company_options = [list(c) for c in reference.delivery_companies(s)]
            self.label_options = [list(c) for c in reference.labels(s)]
            self.assign_status_options = [list(c) for c in reference.order_statuses(s, assignable=True)]
            self.assign_company_options = [list(c) for c in reference.delivery_companies(s, assignable=True)]
            self.assign_label_options = [list(c) for c in reference.labels(s, assignable=True)]
            for kind in reasons.KINDS:
                setattr(self, f"{kind}_reasons", [list(c) for c in reference.reason_choices(s, kind)])
        self.payment_status_options = [list(c) for c in reference.payment_statuses()]

    @rx.event
    def search(self, form_data: dict[str, Any]) -> None:
        form = {k: ("" if v == ANY else v) for k, v in form_data.items()}
        try:
            new_filter = parse_filter(form)
        except FilterError as e:
            self.errors = list(e.errors.values())  # the grid keeps showing the last valid search
            return
        self.errors = []
        self._selection = Selection(filter=new_filter)
        self.all_results = False
        self.page = 1
        self._load()

    @rx.event
    def clear_search(self) -> None:
        self.errors = []
        self._selection = Selection()
        self.all_results = False
        self.page = 1
        self.form_key += 1
        self._load()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self.page = max(1, min(int(page), self.page_count))
        self._load()

    @rx.event
    def sort_by(self, key: str) -> None:
        if self.sort == key:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, True
        self.page = 1
        self._load()

    @rx.event
    def toggle_row(self, order_id: int, checked: bool) -> None:
        if self.all_results:
            return
        self._selection.tick(order_id, checked)
        self._refresh_checks()

    @rx.event
    def toggle_page(self, checked: bool) -> None:
        if self.all_results:
            return
        self._selection.tick_page([r.id for r in self.rows], checked)
        self._refresh_checks()

    @rx.event
    def toggle_all_results(self, checked: bool) -> None:
        self._selection.all_results = checked
        self.all_results = checked
        self._refresh_checks()

    @rx.event
    def clear_selection(self) -> None:
        self._selection.clear()
        self.all_results = False
        self._refresh_checks()

    def _load(self) -> None:
        started = time.perf_counter()
        req = PageRequest(page=self.page, page_size=self.page_size, sort=self.sort, descending=self.descending)
        with session_scope() as s:
            self.total = count_orders(s, self._selection.filter)
            if (self.page - 1) * self.page_size >= self.total and self.page > 1:
                self.page = self.page_count
                req = dataclasses.replace(req, page=self.page)
            found = fetch_page(s, self._selection.filter, req)
        self.rows = [
            GridRow(
                id=r.id,
                number=r.number,
                ordered_at=r.ordered_at,
                customer_name=r.customer_name,
                total=f"¥{r.total:,}",
                payment_method=r.payment_method,
                payment_status=r.payment_status,
                status=r.status,
                delivery_company=r.delivery_company,
                scheduled_ship_date=r.scheduled_ship_date,
                shipping_list=r.shipping_list,
                needs_attention=r.needs_attention,
                subscription=r.subscription,
                labels=r.labels,
                checked=self._selection.is_ticked(r.id),
            )
            for r in found
        ]
        self.target_count = self.total if self._selection.all_results else len(self._selection.ticked)
        self.elapsed_ms = int((time.perf_counter() - started) * 1000)

    def _on_note(self, note: dict[str, Any]) -> None:
        """A finished job may have changed the orders on screen: show them as they are now."""
        if note.get("event") == "done" and self.rows:
            self._load()

    def _refresh_checks(self) -> None:
        self.rows = [dataclasses.replace(r, checked=self._selection.is_ticked(r.id)) for r in self.rows]
        self.target_count = self.total if self._selection.all_results else len(self._selection.ticked)
