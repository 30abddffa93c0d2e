"""The three kinds of order document and the blocks a template prints, in the operator's order."""

from __future__ import annotations

from typing import Any

DOC_KINDS: dict[str, str] = {"delivery_note": "納品書", "invoice": "請求書", "receipt": "領収書"}
# 適格請求書 (インボイス) kinds: they need the shop's 登録番号, the items and the totals per tax rate.
INVOICE_KINDS = ("invoice", "receipt")

# key -> label on the 受注帳票管理 form. The header (title, 発行日, shop block) and, for a 領収書, the
# receipt block (宛名, amount, 但し書き, 収入印紙) are always printed.
FIELDS: dict[str, str] = {
    "order": "受注情報(受注番号・受注日)",
    "customer": "ご購入者",
    "shipping_address": "お届け先",  # orders carry no delivery address of their own yet: the customer's
    "items": "商品明細",
    "totals": "合計金額(小計・送料・手数料・ポイント値引き)",
    "tax_summary": "税率別内訳(対象額・消費税額)",
    "payment_method": "お支払方法",
    "delivery": "配送情報(配送業者・配送伝票番号・発送日)",
    "points": "ポイント(利用・付与)",
    "memo": "受注メモ",
    "remarks": "備考",
}
REQUIRED_FOR_INVOICE = ("items", "tax_summary")

DEFAULT_REMARKS = "この度は{{ shop.name }}をご利用いただき、誠にありがとうございます。"
DEFAULT_ADDRESSEE = "{{ customer.name }}"
DEFAULT_RECEIPT_NOTE = "お品代として"

# The three system templates the migration creates (migration 0012; kept here, used once there).
SYSTEM_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "納品書",
        "kind": "delivery_note",
        "title": "納品書",
        "fields": ["order", "customer", "shipping_address", "items", "totals", "delivery", "remarks"],
    },
    {
        "name": "請求書",
        "kind": "invoice",
        "title": "請求書",
        "fields": ["order", "customer", "items", "totals", "tax_summary", "payment_method", "remarks"],
    },
    {
        "name": "領収書",
        "kind": "receipt",
        "title": "領収書",
        "fields": ["order", "items", "totals", "tax_summary", "payment_method", "remarks"],
    },
]


def kind_label(kind: str) -> str:
    return DOC_KINDS.get(kind, kind)
