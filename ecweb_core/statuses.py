"""The fixed vocabularies of orders: system 対応状況 ids, 決済状況 codes, 定期受注 statuses."""

from __future__ import annotations

# 対応状況 with fixed ids (the automation seed names 35..99); 注文中 has none there, so 30.
IN_PROGRESS = 30
CONFIRMED = 35
SHIPPED = 40
DELIVERED = 45
CANCELLED = 50
RETURNED = 55
UNKNOWN = 99

SYSTEM_ORDER_STATUSES: dict[int, str] = {
    IN_PROGRESS: "注文中",
    CONFIRMED: "注文確定",
    SHIPPED: "発送完了",
    DELIVERED: "配送完了",
    CANCELLED: "キャンセル",
    RETURNED: "返品",
    UNKNOWN: "不明なステータス",
}
FIRST_CUSTOM_STATUS_ID = 100

# 決済状況: code -> label, in the order operators see them.
PAYMENT_STATUSES: dict[str, str] = {
    "unpaid": "未決済",
    "auth_requested": "仮売上依頼中",
    "authorized": "仮売上完了",
    "auth_failed": "仮売上失敗",
    "credit_review": "与信審査中",
    "credit_error": "与信審査エラー",
    "captured": "売上完了",
    "cancelled": "取消完了",
}

# 支払方法 are rows of payment_methods (the migration inserts the codes the gateway knows: credit, np,
# np_wiz, cod, amazon_pay, bank); their fees are settings (masters/payment.py).

SUBSCRIPTION_STATUSES: dict[str, str] = {"active": "有効", "paused": "停止", "cancelled": "キャンセル"}
