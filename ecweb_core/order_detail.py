"""One order with everything the detail page (SPEC O6) shows, as display strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import select
from sqlmodel import Session

from ecweb_core.documents.kinds import kind_label
from ecweb_core.history import order_history
from ecweb_core.models import (
    Customer,
    DeliveryCompany,
    DocumentIssue,
    DunningRecord,
    Order,
    OrderItem,
    OrderLabel,
    OrderMemo,
    OrderStatus,
    PaymentMethod,
    Subscription,
    SurveyAnswer,
)
from ecweb_core.models.common import fmt_jst
from ecweb_core.payments.history import payment_history
from ecweb_core.search import labels_of
from ecweb_core.settings import load_settings
from ecweb_core.statuses import PAYMENT_STATUSES, SUBSCRIPTION_STATUSES


def _date(d: object) -> str:
    return d.strftime("%Y/%m/%d") if d else ""  # type: ignore[attr-defined]


@dataclass
class OrderDetail:
    id: int
    number: str
    fields: list[list[str]]  # (label, value) of 基本情報
    customer: list[list[str]]
    items: list[list[str]]  # name, unit price, qty, line total
    totals: list[list[str]]
    labels: list[list[str]]  # [name, colour]
    memos: list[list[str]]  # time, body
    events: list[list[str]]  # time, what, old → new, source in words, operator, job id (history.py)
    dunning: list[list[str]]  # time, due date, memo
    survey: list[list[str]]  # question, answer
    documents: list[list[str]] = field(default_factory=list)  # 帳票発行履歴: time, kind, name, 発行日, 回数, job
    subscription: list[list[str]] = field(default_factory=list)
    payments: list[list[str]] = field(default_factory=list)  # time, process, source, outcome, ref, attempts, error
    provider_url: str = ""  # the provider's 決済管理画面 for this order
    label_ids: list[str] = field(default_factory=list)  # the labels it carries, for the label editor
    customer_id: int = 0
    subscription_id: int = 0  # 0: a 通常受注


def load_order_detail(session: Session, order_id: int) -> OrderDetail | None:
    row = session.execute(
        select(Order, Customer, OrderStatus.name, PaymentMethod.name, DeliveryCompany.name)
        .join(Customer, Customer.id == Order.customer_id)
        .join(OrderStatus, OrderStatus.id == Order.status_id)
        .join(PaymentMethod, PaymentMethod.id == Order.payment_method_id)
        .join(DeliveryCompany, DeliveryCompany.id == Order.delivery_company_id)
        .where(Order.id == order_id)
    ).first()
    if row is None:
        return None
    o, c, status, method, company = row
    yen = "¥{:,}".format
    detail = OrderDetail(
        id=o.id,
        number=o.number,
        customer_id=c.id,
        subscription_id=o.subscription_id or 0,
        fields=[
            ["受注番号", o.number],
            ["受注日", fmt_jst(o.ordered_at)],
            ["対応状況", status],
            ["決済状況", PAYMENT_STATUSES.get(o.payment_status, o.payment_status)],
            ["支払方法", method],
            ["入金日", fmt_jst(o.paid_at)],
            ["配送業者", company],
            ["配送伝票番号", o.tracking_number or ""],
            ["発送予定日", _date(o.scheduled_ship_date)],
            ["発送完了日", fmt_jst(o.shipped_at)],
            ["配送予定日", _date(o.scheduled_delivery_date)],
            ["配送完了日", fmt_jst(o.delivered_at)],
            [
                "出荷リスト",
                ("出力済 " + fmt_jst(o.shipping_list_exported_at)) if o.shipping_list_exported else "未出力",
            ],
            ["要対応", ("要対応 " + (o.attention_reason or "")) if o.needs_attention else "なし"],
        ],
        customer=[
            ["氏名", c.name],
            ["カナ", c.kana],
            ["メールアドレス", c.email or ""],
            ["電話番号", c.phone or ""],
            ["住所", f"〒{c.postal_code or ''} {c.prefecture or ''}{c.address or ''}"],
            ["メール配信", "送信する" if c.mail_opt_in else "送信しない"],
            ["ブラックリスト", ("はい " + (c.blacklist_reason or "")) if c.blacklisted else "いいえ"],
            ["保有ポイント", f"{c.points_balance:,} pt"],
        ],
        items=[
            [i.product_name, yen(i.unit_price), str(i.quantity), f"{i.tax_rate}%", yen(i.unit_price * i.quantity)]
            for i in session.execute(
                select(OrderItem).where(OrderItem.order_id == o.id).order_by(OrderItem.id)
            ).scalars()
        ],
        totals=[
            ["小計", yen(o.subtotal)],
            ["送料", yen(o.shipping_fee)],
            ["支払い手数料", yen(o.payment_fee)],
            ["利用ポイント", f"-{o.points_used:,} pt" if o.points_used else "0 pt"],
            ["付与ポイント", f"{o.points_granted:,} pt"],
            ["合計", yen(o.total)],
        ],
        labels=labels_of(session, [o.id]).get(o.id, []),
        memos=[
            [fmt_jst(m.created_at), m.body]
            for m in session.execute(
                select(OrderMemo).where(OrderMemo.order_id == o.id).order_by(OrderMemo.id.desc())
            ).scalars()
        ],
        events=order_history(session, o.id),
        dunning=[
            [fmt_jst(d.created_at), _date(d.due_date), d.memo or ""]
            for d in session.execute(
                select(DunningRecord).where(DunningRecord.order_id == o.id).order_by(DunningRecord.id.desc())
            ).scalars()
        ],
        survey=[
            [a.question, a.answer]
            for a in session.execute(
                select(SurveyAnswer).where(SurveyAnswer.order_id == o.id).order_by(SurveyAnswer.id)
            ).scalars()
        ],
    )
    detail.payments = payment_history(session.connection(), o.id)
    detail.provider_url = f"{load_settings().payment_provider_url}/?{urlencode({'order_number': o.number})}"
    detail.documents = [
        [
            fmt_jst(d.created_at), kind_label(d.kind), d.template_name, _date(d.issue_date),
            "初回" if d.issue_no == 1 else f"再発行({d.issue_no}回目)", f"#{d.job_id}" if d.job_id else "",
        ]
        for d in session.execute(
            select(DocumentIssue).where(DocumentIssue.order_id == o.id).order_by(DocumentIssue.id.desc()).limit(200)
        ).scalars()
    ]  # fmt: skip
    detail.label_ids = [
        str(i) for i in session.execute(select(OrderLabel.label_id).where(OrderLabel.order_id == o.id)).scalars()
    ]
    if o.subscription_id:
        sub = session.get(Subscription, o.subscription_id)
        if sub:
            detail.subscription = [
                ["定期受注ID", str(sub.id)],
                ["ステータス", SUBSCRIPTION_STATUSES.get(sub.status, sub.status)],
                ["定期回数", f"{sub.delivery_count}回"],
                ["次回発送予定日", _date(sub.next_ship_date)],
                ["次回配送予定日", _date(sub.next_delivery_date)],
            ]
    return detail
