"""The bulk job dialogs of 受注管理: which one is open, its errors, and registering its job on the
grid's selection (SPEC J1). A dialog whose form needs state of its own has a substate here or in
its feature's module (MailDialogState in mail.py); all of them register through `_register`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ecweb_core.csvexport.formats import list_formats
from ecweb_core.db import get_engine, session_scope
from ecweb_core.errors import FormError
from ecweb_core.integrations import survey_integration_enabled
from ecweb_core.jobs.bulk_update import payments_to_cancel, preview_refusals
from ecweb_core.jobs.catalog import CATALOG, registered_message
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import mark_failed
from ecweb_core.notes import job_note, push_note
from ecweb_core.payments.processes import CANCELS as CANCEL_PROCESSES
from ecweb_core.settings import load_settings
from ecweb_core.statuses import CANCELLED, RETURNED
from ecweb_state.dispatch import send_job
from ecweb_state.orders import ANY, OrdersState

KEEP = "keep"  # a Radix select item cannot be empty: this stands for 「変更しない」 in bulk forms
NOT_STARTED = "ジョブを開始できませんでした。時間をおいて再度お試しください。"


class JobFormState(OrdersState):
    open_kind: str = ""  # the kind whose dialog is open, "" when none
    errors: list[str] = []

    @rx.event
    def open(self, kind: str) -> None:
        if kind in CATALOG:
            self._load_choices()
            self.open_kind, self.errors = kind, []

    @rx.event
    def set_open(self, is_open: bool) -> None:
        if not is_open:
            self.open_kind, self.errors = "", []

    @rx.event
    def submit(self, form_data: dict[str, Any]) -> None:
        """The open dialog's form, as the browser sent it."""
        self._register(self.open_kind, normalize(form_data))

    def _register(self, kind: str, form: dict[str, Any]) -> bool:
        """Registers `kind` on the current selection and hands it to a worker; False (and the
        errors on the form) when nothing was registered."""
        operator_id = self._operator_id
        if operator_id is None:
            return False
        try:
            with session_scope() as s:
                job_id = int(register_job(s, kind, operator_id, self._selection, form).id or 0)
        except FormError as e:  # bad input (ParamError) or a role without the kind's permission
            self.errors = list(e.errors.values())
            return False
        try:
            # The note first, so 「登録しました」 always comes before 「完了しました」.
            note = job_note("registered", job_id, operator_id, kind, registered_message(kind))
            push_note(load_settings().redis_url, note)
            send_job(kind, job_id)
        except Exception as exc:  # noqa: BLE001 - Redis down: say so, and do not leave the job 登録済 forever
            mark_failed(get_engine(), job_id, f"ジョブを開始できませんでした: {exc}")
            self.errors = [NOT_STARTED]
            return False
        self.open_kind, self.errors = "", []
        return True


class BulkUpdateFormState(JobFormState):
    """一括更新: the choices that decide which dependent fields the form shows."""

    shipping_list: str = KEEP
    blacklist: str = KEEP
    sub_status: str = KEEP
    to_cancel: int = 0  # selected orders whose payment 取消処理 would still need, with 対応状況 キャンセル / 返品
    # What the job would refuse among the selected orders for the chosen 支払方法 / 配送業者, counted
    # by the job's own rules before anything runs: [失敗, reason, count].
    refusals: list[list[str]] = []
    _change_to: dict[str, int] = {}

    @rx.event
    def reset_preview(self) -> None:
        """The dialog opens with every select on 「変更しない」: nothing to preview yet."""
        self.to_cancel, self.refusals, self._change_to = 0, [], {}

    @rx.event
    def set_change(self, name: str, value: str) -> None:
        if name not in ("payment_method_id", "delivery_company_id"):
            return
        change = {k: v for k, v in self._change_to.items() if k != name}
        if str(value).isdigit():
            change[name] = int(value)
        self._change_to = change
        self.refusals = []
        if change:
            with get_engine().connect() as conn:
                found = preview_refusals(conn, change, self._selection.ids_select().scalar_subquery())
            self.refusals = [[label, reason, f"{n:,}"] for label, reason, n in found]

    @rx.event
    def set_choice(self, name: str, value: str) -> None:
        if name in ("shipping_list", "blacklist", "sub_status"):
            setattr(self, name, value)

    @rx.event
    def set_status(self, value: str) -> None:
        """The seed's caution, counted before anything runs: キャンセル / 返品 leave the payment as it is."""
        self.to_cancel = 0
        if value in (str(CANCELLED), str(RETURNED)):
            with get_engine().connect() as conn:
                self.to_cancel = payments_to_cancel(conn, self._selection.ids_select().scalar_subquery())

    @rx.event
    def submit_bulk_update(self, form_data: dict[str, Any]) -> None:
        if self._register("bulk_update", normalize(form_data)):
            self.shipping_list = self.blacklist = self.sub_status = KEEP
            self.to_cancel, self.refusals, self._change_to = 0, [], {}


class PaymentFormState(JobFormState):
    """決済状況一括変更: the chosen process, and for 取消処理 / 強制取消処理 what happens to the orders'
    定期受注 (the dialog shows those options only then)."""

    process: str = ""
    sub_action: str = "none"

    @rx.event
    def set_process(self, value: str) -> None:
        self.process = value
        if value not in CANCEL_PROCESSES:
            self.sub_action = "none"

    @rx.event
    def set_sub_action(self, value: str) -> None:
        self.sub_action = value

    @rx.event
    def submit_payment(self, form_data: dict[str, Any]) -> None:
        form = {**normalize(form_data), "process": self.process, "sub_action": self.sub_action}
        if self.sub_action == "none":
            form.pop("sub_reason", None)
        if self._register("payment", form):
            self.process, self.sub_action = "", "none"


class CsvExportFormState(JobFormState):
    """CSV一括出力 / アンケート結果CSV一括出力: the CSV管理 formats the dialogs offer, and whether
    アンケート結果CSV一括出力 is shown at all (the 1d-color integration, SPEC B7)."""

    order_formats: list[list[str]] = []
    survey_formats: list[list[str]] = []
    survey_enabled: bool = False

    @rx.event
    def load(self) -> None:
        with session_scope() as s:
            self.order_formats = [[str(f.id), f"{f.name}({f.unit_label})"] for f in list_formats(s, "order")]
            self.survey_formats = [[str(f.id), f"{f.name}({f.unit_label})"] for f in list_formats(s, "survey")]
            self.survey_enabled = survey_integration_enabled(s)


def normalize(form: dict[str, Any]) -> dict[str, Any]:
    """「変更しない」 becomes absent; ticked label boxes (label_<id>) become label_ids."""
    out = {k: v for k, v in form.items() if v not in (KEEP, ANY) and not k.startswith("label_")}
    out["label_ids"] = [k.removeprefix("label_") for k, v in form.items() if k.startswith("label_") and v]
    return out
