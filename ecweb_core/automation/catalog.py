"""The seed's choice lists: ① イベント, ② アクション, ③ パラメーター, and how each event matches
the order events the outbox holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ecweb_core import events
from ecweb_core.masters.statuses import assignable_statuses
from ecweb_core.models import OrderStatus, PaymentMethod
from ecweb_core.payments.processes import RULE_LABELS
from ecweb_core.statuses import (
    CANCELLED,
    CONFIRMED,
    DELIVERED,
    IN_PROGRESS,
    PAYMENT_STATUSES,
    RETURNED,
    SHIPPED,
    UNKNOWN,
)

Choice = tuple[str, str]  # (value, label)


@dataclass(frozen=True)
class EventKind:
    key: str
    template: str  # the label; {} is the chosen value for events that take one
    order_event: str  # the kind of order event it matches (ecweb_core.events)
    takes_value: bool = False


EVENTS: dict[str, EventKind] = {
    e.key: e
    for e in (
        EventKind("status", "受注の対応状況が「{}」になったとき", events.STATUS_CHANGED, True),
        EventKind("payment_status", "受注の決済状況が「{}」になったとき", events.PAYMENT_STATUS_CHANGED, True),
        EventKind("payment_method", "受注の支払い方法が「{}」になったとき", events.PAYMENT_METHOD_CHANGED, True),
        EventKind("shipped_at", "受注の発送完了日がセットされたとき", events.SHIPPED_AT_SET),
        EventKind("delivered_at", "受注の配送完了日がセットされたとき", events.DELIVERED_AT_SET),
        EventKind("tracking_number", "受注の配送伝票番号がセットされたとき", events.TRACKING_NUMBER_SET),
        EventKind("first_shipment", "受注が初めて発送されたとき", events.FIRST_SHIPMENT),
        EventKind("shipping_list", "受注の出荷リストが「出力済み」になったとき", events.SHIPPING_LIST_EXPORTED),
    )
}

# The seed limits 受注の対応状況が「○○○」になったとき to these system statuses.
EVENT_STATUSES = (CONFIRMED, SHIPPED, DELIVERED, CANCELLED, RETURNED, UNKNOWN)

ACTIONS: dict[str, str] = {
    "send_mail": "メールを送信する",
    "payment": "決済処理を実行する",
    "change_status": "対応状況を変更する",
    "order_attention": "受注の要対応ステータスを変更する",
    "subscription_status": "定期受注のステータスを変更する",
}

ORDER_ATTENTION: dict[str, str] = {"on": "要対応にする", "off": "要対応を解除する"}
SUBSCRIPTION_PARAMS: dict[str, str] = {
    "attention_on": "要対応にする",
    "attention_off": "要対応を解除する",
    "active": "定期受注のステータスを「有効」にする",
    "paused": "定期受注のステータスを「停止」にする",
    "cancelled": "定期受注のステータスを「キャンセル」にする",
}
SYSTEM_MAILS = ("注文完了メール", "2回目以降定期購入通知メール", "商品発送完了メール", "注文キャンセル完了メール")
EVENT_NAMES = {"status", "payment_status", "payment_method"}


def event_values(conn: Connection, event: str) -> list[Choice]:
    """The ○○○ choices of an event that takes a value (empty for the others)."""
    if event == "status":
        rows = conn.execute(select(OrderStatus.id, OrderStatus.name).where(OrderStatus.id.in_(EVENT_STATUSES)))
        names = dict(rows.all())
        return [(str(i), names[i]) for i in EVENT_STATUSES if i in names]
    if event == "payment_status":
        return list(PAYMENT_STATUSES.items())
    if event == "payment_method":
        rows = conn.execute(select(PaymentMethod.id, PaymentMethod.name).order_by(PaymentMethod.position))
        return [(str(i), n) for i, n in rows]
    return []


def action_params(conn: Connection, action: str) -> list[Choice]:
    """③ パラメーター: the choices follow the ② アクション."""
    if action == "send_mail":
        return [(f"system:{n}", n) for n in SYSTEM_MAILS] + _operator_templates(conn)
    if action == "payment":
        return list(RULE_LABELS.items())
    if action == "change_status":
        # 対応状況管理's enabled statuses, the operator's own included; 注文中 is not a status a rule
        # can move a confirmed order back to.
        return [(str(i), n) for i, n in assignable_statuses(conn) if i != IN_PROGRESS]
    if action == "order_attention":
        return list(ORDER_ATTENTION.items())
    if action == "subscription_status":
        return list(SUBSCRIPTION_PARAMS.items())
    return []


def _operator_templates(conn: Connection) -> list[Choice]:
    """メールテンプレート管理にて新規作成したメールテンプレート (when the mail feature is installed)."""
    from ecweb_core.automation.mail_bridge import operator_templates

    return [(f"template:{i}", n) for i, n in operator_templates(conn)]


def event_label(conn: Connection, event: str, value: str) -> str:
    kind = EVENTS.get(event)
    if kind is None:
        return event
    if not kind.takes_value:
        return kind.template
    names = dict(event_values(conn, event))
    return kind.template.format(names.get(value, value))


def param_label(conn: Connection, action: str, param: str) -> str:
    return dict(action_params(conn, action)).get(param, param)


def event_options(conn: Connection) -> list[Choice]:
    """① イベント as one select: an event that takes a value is listed once per value ("status|40")."""
    options: list[Choice] = []
    for kind in EVENTS.values():
        if kind.takes_value:
            options += [(f"{kind.key}|{v}", kind.template.format(label)) for v, label in event_values(conn, kind.key)]
        else:
            options.append((kind.key, kind.template))
    return options
