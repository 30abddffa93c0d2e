"""決済状況一括変更 (SPEC B6) as a job: 売上処理, 取消処理, 再オーソリ処理, 強制売上処理, 強制取消処理.

The provider calls of a chunk are made by call_outside, before and outside the chunk's transaction,
through the external-effect ledger under `job:{id}` (payments/service.py): a retried, resumed or
redelivered job never calls the provider twice for an order."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from ecweb_core import events
from ecweb_core.jobs.operations import BaseOperation, JobContext, ParamError
from ecweb_core.jobs.targets import already_recorded, lock_job
from ecweb_core.masters.reasons import CANCEL, STOP, check_reason
from ecweb_core.outcomes import Outcome
from ecweb_core.payments import service
from ecweb_core.payments.processes import CANCELS, PROCESSES
from ecweb_core.selection import Selection

SUB_ACTIONS = {"none": "変更なし", "paused": "定期受注を停止にする", "cancelled": "定期受注をキャンセルする"}


def _flag(form: dict[str, Any], name: str) -> bool:
    return str(form.get(name) or "").lower() in ("1", "true", "on", "yes")


def parse_payment(form: dict[str, Any]) -> dict[str, Any]:
    process = str(form.get("process") or "")
    if process not in PROCESSES:
        raise ParamError({"process": "処理を選択してください。"})
    action = str(form.get("sub_action") or "none")
    reason = str(form.get("sub_reason") or "").strip() or None
    count_down, recalc = _flag(form, "count_down"), _flag(form, "recalculate")
    errors: dict[str, str] = {}
    if process not in CANCELS:
        if action != "none" or reason or count_down or recalc:
            errors["sub_action"] = "定期受注の変更は、取消処理・強制取消処理の場合のみ指定できます。"
    elif action not in SUB_ACTIONS:
        errors["sub_action"] = "定期受注の変更を選択肢から選んでください。"
    elif reason and action == "none":
        errors["sub_reason"] = "停止理由・キャンセル理由は、定期受注を停止・キャンセルする場合のみ指定できます。"
    if errors:
        raise ParamError(errors)
    return {"process": process, "sub_action": action, "sub_reason": reason, "count_down": count_down,
            "recalculate": recalc}  # fmt: skip


class PaymentStatusChange(BaseOperation):
    calls_outside = True

    def parse_params(self, form: dict[str, Any]) -> dict[str, Any]:
        return parse_payment(form)

    def prepare(self, session: Session, params: dict[str, Any], selection: Selection) -> dict[str, Any]:
        """The reason must be one of 理由管理's enabled 停止理由 / キャンセル理由."""
        reason, action = params.get("sub_reason"), params.get("sub_action")
        if reason and not check_reason(session, STOP if action == "paused" else CANCEL, reason):
            label = "停止理由" if action == "paused" else "キャンセル理由"
            raise ParamError({"sub_reason": f"{label}は選択肢から選んでください。"})
        return params

    def call_outside(self, engine: Engine, ctx: JobContext, order_ids: list[int]) -> dict[int, Any]:
        return service.call_outside(engine, ctx.params["process"], order_ids, f"job:{ctx.job_id}")

    def process(self, conn: Connection, ctx: JobContext, order_ids: list[int]) -> dict[int, Outcome]:
        lock_job(conn, ctx.job_id)
        # Another delivery of this job that took the same chunk applied these already: not twice.
        done = already_recorded(conn, ctx.job_id, order_ids)
        todo = [i for i in order_ids if i not in done]
        return {i: ("ok", None) for i in done} | service.apply(
            conn,
            ctx.params["process"],
            ctx.effects,
            todo,
            source=events.job_source(ctx.job_id),
            operator_id=ctx.operator_id,
            options=service.SubscriptionOptions.from_params(ctx.params),
        )
