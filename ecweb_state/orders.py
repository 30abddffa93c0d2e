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
from ecweb_core.db import get_engine, session_scope
from ecweb_core.jobs.catalog import registered_message
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import mark_failed
from ecweb_core.notes import job_note, push_note
from ecweb_core.reasons import (  # noqa: F401  (the bulk forms' choices)
    ATTENTION_REASONS,
    BLACKLIST_REASONS,
    CANCEL_REASONS,
    STOP_REASONS,
    SUBSCRIPTION_ATTENTION_REASONS,
)
from ecweb_core.search import FilterError, OrderFilter, PageRequest, count_orders, fetch_page, parse_filter
from ecweb_core.selection import Selection
from ecweb_core.settings import load_settings
from ecweb_state.auth import AuthState
from ecweb_state.dispatch import send_job

ANY = "all"  # a Radix select item cannot have an empty value: this stands for 「すべて」
KEEP = "keep"  # … and this for 「変更しない」 in bulk forms
SINGLE_CHOICE_FIELDS = (
    "status_ids",
    "payment_statuses",
    "payment_method_ids",
    "delivery_company_ids",
    "label_ids",
    "shipping_list",
    "needs_attention",
    "order_type",
)
BULK_OPERATIONS = [
    "一括更新",
    "CSV一括出力",
    "PDF一括出力",
    "一括督促",
    "メール一括通知",
    "決済状況一括変更",
    "アンケート結果CSV一括出力",
]


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
    labels: list[str]
    checked: bool


class OrdersState(AuthState):
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
    job_form: str = ""  # the kind whose bulk form is open, "" when none
    job_errors: list[str] = []
    # 一括更新: the choices that decide which dependent fields the form shows.
    bu_shipping_list: str = KEEP
    bu_blacklist: str = KEEP
    bu_sub_status: str = KEEP

    status_options: list[list[str]] = []
    payment_status_options: list[list[str]] = []
    payment_method_options: list[list[str]] = []
    delivery_company_options: list[list[str]] = []
    label_options: list[list[str]] = []

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
    def on_load(self):  # type: ignore[no-untyped-def]
        if not self._authenticate():
            return rx.redirect("/login")
        with session_scope() as s:
            self.status_options = [list(c) for c in reference.order_statuses(s)]
            self.payment_method_options = [list(c) for c in reference.payment_methods(s)]
            self.delivery_company_options = [list(c) for c in reference.delivery_companies(s)]
            self.label_options = [list(c) for c in reference.labels(s)]
        self.payment_status_options = [list(c) for c in reference.payment_statuses()]
        self._load()
        return None

    @rx.event
    def search(self, form_data: dict[str, Any]) -> None:
        if not self._authenticate():
            return
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
        if not self._authenticate():
            return
        self.errors = []
        self._selection = Selection()
        self.all_results = False
        self.page = 1
        self.form_key += 1
        self._load()

    @rx.event
    def go_to_page(self, page: int) -> None:
        if not self._authenticate():
            return
        self.page = max(1, min(int(page), self.page_count))
        self._load()

    @rx.event
    def sort_by(self, key: str) -> None:
        if not self._authenticate():
            return
        if self.sort == key:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, True
        self.page = 1
        self._load()

    @rx.event
    def toggle_row(self, order_id: int, checked: bool) -> None:
        if not self._authenticate() or self.all_results:
            return
        self._selection.tick(order_id, checked)
        self._refresh_checks()

    @rx.event
    def toggle_page(self, checked: bool) -> None:
        if not self._authenticate() or self.all_results:
            return
        self._selection.tick_page([r.id for r in self.rows], checked)
        self._refresh_checks()

    @rx.event
    def toggle_all_results(self, checked: bool) -> None:
        if not self._authenticate():
            return
        self._selection.all_results = checked
        self.all_results = checked
        self._refresh_checks()

    @rx.event
    def clear_selection(self) -> None:
        if not self._authenticate():
            return
        self._selection.clear()
        self.all_results = False
        self._refresh_checks()

    @rx.event
    def open_job_form(self, kind: str) -> None:
        if not self._authenticate():
            return
        self.job_form, self.job_errors = kind, []

    @rx.event
    def set_bu_choice(self, name: str, value: str) -> None:
        if name in ("bu_shipping_list", "bu_blacklist", "bu_sub_status"):
            setattr(self, name, value)

    @rx.event
    def set_job_form_open(self, is_open: bool) -> None:
        if not is_open:
            self.job_form, self.job_errors = "", []

    @rx.event
    def submit_job(self, form_data: dict[str, Any]) -> None:
        """Registers the open form's job on the current selection and hands it to a worker."""
        if not self._authenticate() or not self.job_form or self._operator_id is None:
            return
        kind, operator_id = self.job_form, self._operator_id
        try:
            with session_scope() as s:
                job_id = int(register_job(s, kind, operator_id, self._selection, _normalize(form_data)).id or 0)
        except ParamError as e:
            self.job_errors = list(e.errors.values())
            return
        redis_url = load_settings().redis_url
        try:
            # The note first, so 「登録しました」 always comes before 「完了しました」.
            push_note(redis_url, job_note("registered", job_id, operator_id, kind, registered_message(kind)))
            send_job(kind, job_id)
        except Exception as exc:  # noqa: BLE001 - Redis down: say so, and do not leave the job 登録済 forever
            mark_failed(get_engine(), job_id, f"ジョブを開始できませんでした: {exc}")
            self.job_errors = ["ジョブを開始できませんでした。時間をおいて再度お試しください。"]
            return
        self.job_form, self.job_errors = "", []
        self.bu_shipping_list = self.bu_blacklist = self.bu_sub_status = KEEP

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

    def on_note(self, note: dict[str, Any]) -> None:
        """A finished job may have changed the orders on screen: show them as they are now."""
        if note.get("event") == "done" and self.rows:
            self._load()

    def _refresh_checks(self) -> None:
        self.rows = [dataclasses.replace(r, checked=self._selection.is_ticked(r.id)) for r in self.rows]
        self.target_count = self.total if self._selection.all_results else len(self._selection.ticked)

    @property
    def current_filter(self) -> OrderFilter:
        return self._selection.filter


def _normalize(form: dict[str, Any]) -> dict[str, Any]:
    """「変更しない」 becomes absent; ticked label boxes (label_<id>) become label_ids."""
    out = {k: v for k, v in form.items() if v not in (KEEP, ANY) and not k.startswith("label_")}
    out["label_ids"] = [k.removeprefix("label_") for k, v in form.items() if k.startswith("label_") and v]
    return out
