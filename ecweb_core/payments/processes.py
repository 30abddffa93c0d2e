"""The five processes of 決済状況一括変更 and their rules (the seed's 決済状況一括変更 section), as a
plan per order: refused, done locally, or a provider call and what its success changes.

- 売上処理: card / Amazon Pay capture the authorization (実売上); NP後払い(wiz) report the shipment
  (出荷報告: a half-width alphanumeric 配送伝票番号 and the 発送完了日 are required); 代金引換 and
  銀行振込 are local (売上反映). Already 売上完了: nothing is sent.
- 取消処理: the provider cancels (void / refund); local methods change only the status. Points used
  go back to the customer, points granted are taken back (service.py), the subscription options apply.
- 再オーソリ処理: a new authorization, the previous one released (e.g. after the 支払方法 changed);
  for NP後払い only on a 取消完了 order, whose NP data, 配送伝票番号 and 発送完了日 are cleared first.
- 強制売上処理 / 強制取消処理: only the shop's own status; nothing goes to the provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ecweb_core.models.common import JST
from ecweb_core.outcomes import Outcome
from ecweb_core.payments.gateway import AuthorizeRequest
from ecweb_core.statuses import PAYMENT_STATUSES

PROCESSES: dict[str, str] = {
    "capture": "売上処理",
    "cancel": "取消処理",
    "reauthorize": "再オーソリ処理",
    "force_capture": "強制売上処理",
    "force_cancel": "強制取消処理",
}
# As 自動化設定's 決済処理を実行する offers them (seed 001).
RULE_LABELS: dict[str, str] = {
    "capture": "売上処理(クレジット決済:実売上、後払い:出荷報告、代金引換:売上反映)",
    "cancel": "取消処理",
    "reauthorize": "再オーソリ処理",
    "force_capture": "強制売上処理(決済サービス未連携)",
    "force_cancel": "強制取消処理(決済サービス未連携)",
}
# The 定期受注 engine's authorization of the orders it creates (not offered on the screens).
AUTHORIZE = "authorize"
INTERNAL: dict[str, str] = {AUTHORIZE: "与信(定期受注)"}
CANCELS = ("cancel", "force_cancel")  # they give points back and offer the subscription options
PROVIDER_METHODS = {"credit": "card", "np": "np", "np_wiz": "np_wiz", "amazon_pay": "amazon_pay"}
NP_CODES = ("np", "np_wiz")
LIVE = ("authorized", "auth_requested", "credit_review")  # a provider transaction that can be released
TRACKING = re.compile(r"^[0-9A-Za-z]+$")
NOT_AUTHORIZED = "仮売上(与信)が完了していないため売上処理できません(決済状況: {})。再オーソリ処理を行ってください。"
NOT_REQUESTED = "仮売上依頼中ではないため与信していません(決済状況: {})。"
NEEDS_SHIPMENT = "後払いの売上処理(出荷報告)には、半角英数字の配送伝票番号と発送完了日が必要です。"


@dataclass(frozen=True)
class OrderPayment:
    """What the rules need to know of an order."""

    id: int
    number: str
    customer_id: int
    method: str  # PaymentMethod.code
    status: str  # 決済状況 code
    ref: str | None  # the provider transaction of the status
    ref_method: str | None
    amount: int
    tracking_number: str | None
    shipped_at: datetime | None
    np_cancelled: bool
    subscription_id: int | None


@dataclass(frozen=True)
class Call:
    op: str  # authorize | capture | cancel | reauthorize
    ref: str | None = None
    request: AuthorizeRequest | None = None
    tracking_number: str = ""
    shipped_on: str = ""


@dataclass(frozen=True)
class Plan:
    order_id: int
    refused: Outcome | None = None  # decided without any change (refused, or nothing to do)
    call: Call | None = None  # the provider call; without one the change is local
    status: str | None = None  # 決済状況 after success
    declined_status: str | None = None  # 決済状況 a declined authorization leaves
    takes_ref: bool = False  # the call's transaction becomes the order's
    drops_ref: bool = False  # the order no longer refers to a provider transaction
    clears_np: bool = False  # 受注内NP決済連携情報, 配送伝票番号 and 発送完了日 cleared (NP 再オーソリ)
    sets_paid: bool = False  # 入金日 (売上反映 of 代金引換 / 銀行振込)
    reverses_points: bool = False
    note: str = ""  # said on success

    @property
    def local(self) -> bool:
        return self.refused is None and self.call is None


def _label(status: str) -> str:
    return PAYMENT_STATUSES.get(status, status)


def _request(o: OrderPayment) -> AuthorizeRequest:
    return AuthorizeRequest(PROVIDER_METHODS[o.method], o.number, o.amount, f"customer-{o.customer_id}")


def plan(process: str, o: OrderPayment) -> Plan:
    if process == "capture":
        return _capture(o)
    if process == "cancel":
        return _cancel(o)
    if process == "reauthorize":
        return _reauthorize(o)
    if process == AUTHORIZE:
        return _authorize(o)
    if process == "force_capture":
        if o.status == "captured":
            return Plan(o.id, refused=("skipped", "既に売上完了のため、何も変更していません。"))
        return Plan(o.id, status="captured", note="決済状況のみ売上完了にしました(決済サービスへは連携していません)。")
    if process == "force_cancel":
        if o.status == "cancelled":
            return Plan(o.id, refused=("skipped", "既に取消完了のため、何も変更していません。"))
        return Plan(o.id, status="cancelled", reverses_points=True,
                    note="決済状況のみ取消完了にしました(決済サービスへは連携していません)。")  # fmt: skip
    return Plan(o.id, refused=("failed", "決済処理の種類が正しくありません。"))


def _capture(o: OrderPayment) -> Plan:
    if o.status == "captured":
        return Plan(o.id, refused=("skipped", "既に売上完了のため、決済サービスへ送信していません。"))
    if o.status == "cancelled":
        return Plan(o.id, refused=("failed", "取消完了の受注は売上処理できません。再オーソリ処理を行ってください。"))
    if o.method not in PROVIDER_METHODS:  # 代金引換 / 銀行振込: 売上反映
        return Plan(o.id, status="captured", sets_paid=True, note="売上を反映しました(売上完了)。")
    if o.status != "authorized" or not o.ref or o.ref_method != o.method:
        return Plan(o.id, refused=("failed", NOT_AUTHORIZED.format(_label(o.status))))
    if o.method in NP_CODES:  # 出荷報告
        tracking = o.tracking_number or ""
        if not TRACKING.match(tracking) or o.shipped_at is None:
            return Plan(
                o.id,
                refused=("failed", "後払いの売上処理(出荷報告)には、半角英数字の配送伝票番号と発送完了日が必要です。"),
            )
        shipped_on = o.shipped_at.astimezone(JST).date().isoformat()
        call = Call("capture", ref=o.ref, tracking_number=tracking, shipped_on=shipped_on)
        return Plan(o.id, call=call, status="captured", note="出荷報告を行い、売上完了にしました。")
    return Plan(o.id, call=Call("capture", ref=o.ref), status="captured", note="実売上にしました(売上完了)。")


def _cancel(o: OrderPayment) -> Plan:
    if o.status == "cancelled":
        return Plan(o.id, refused=("skipped", "既に取消完了のため、決済サービスへ送信していません。"))
    if o.ref and o.ref_method in PROVIDER_METHODS and o.status in (*LIVE, "captured"):
        return Plan(o.id, call=Call("cancel", ref=o.ref), status="cancelled", reverses_points=True,
                    note="決済サービスで取り消し、取消完了にしました。")  # fmt: skip
    where = "決済サービスに取引がないため、" if o.method in PROVIDER_METHODS else ""
    return Plan(o.id, status="cancelled", reverses_points=True, note=f"{where}取消完了にしました。")


def _reauthorize(o: OrderPayment) -> Plan:
    if o.status == "captured":
        return Plan(o.id, refused=("failed", "売上完了の受注は再オーソリ処理できません。"))
    live_ref = o.ref if o.ref and o.status in LIVE else None
    if o.method in NP_CODES:
        if o.status != "cancelled":
            return Plan(o.id, refused=("failed", "NP後払いの再オーソリ処理は、取消完了の受注に対してのみ行えます。"))
        if o.amount <= 0:
            return Plan(o.id, refused=("failed", "合計金額が0円のため、決済サービスで与信できません。"))
        # The seed: the NP data, 配送伝票番号 and 発送完了日 are cleared, then the 取引登録 is requested again.
        call = Call("authorize", request=_request(o))
        return Plan(o.id, call=call, status="authorized", declined_status="credit_error", takes_ref=True,
                    clears_np=True, note="NP後払いの取引を登録しました(仮売上完了)。")  # fmt: skip
    if o.method not in PROVIDER_METHODS:  # 代金引換 / 銀行振込: nothing to authorize; release the old one
        if live_ref and o.ref_method in PROVIDER_METHODS:
            return Plan(o.id, call=Call("cancel", ref=live_ref), status="unpaid", drops_ref=True,
                        note="以前の与信を取り消しました(未決済)。")  # fmt: skip
        return Plan(o.id, status="unpaid", drops_ref=True, note="決済サービスへの与信は不要です(未決済)。")
    if o.amount <= 0:
        return Plan(o.id, refused=("failed", "合計金額が0円のため、決済サービスで与信できません。"))
    old = live_ref if o.ref_method in PROVIDER_METHODS else None
    return Plan(o.id, call=Call("reauthorize", ref=old, request=_request(o)), status="authorized",
                declined_status="auth_failed", takes_ref=True, note="再オーソリを行いました(仮売上完了)。")  # fmt: skip


def _authorize(o: OrderPayment) -> Plan:
    """A created order's first authorization: 仮売上依頼中 → 仮売上完了 / 仮売上失敗 (NP: 与信審査エラー);
    代金引換 / 銀行振込 need none (未決済)."""
    if o.status != "auth_requested":
        return Plan(
            o.id, refused=("skipped", f"仮売上依頼中ではないため与信していません(決済状況: {_label(o.status)})。")
        )
    if o.method not in PROVIDER_METHODS:
        return Plan(o.id, status="unpaid", note="決済サービスへの与信は不要です(未決済)。")
    if o.amount <= 0:
        return Plan(o.id, refused=("failed", "合計金額が0円のため、決済サービスで与信できません。"))
    declined = "credit_error" if o.method in NP_CODES else "auth_failed"
    return Plan(o.id, call=Call("authorize", request=_request(o)), status="authorized", declined_status=declined,
                takes_ref=True, note="与信しました(仮売上完了)。")  # fmt: skip
