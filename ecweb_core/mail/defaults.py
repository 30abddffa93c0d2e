"""The four system templates (automation seed: メールを送信する). Shared by migration 0006 and tests."""

from __future__ import annotations

_ITEMS = """{% for item in items %}・{{ item.name }} × {{ item.quantity }}  {{ item.subtotal | yen }}
{% endfor %}"""

_TOTALS = """小計: {{ order.subtotal | yen }}
送料: {{ order.shipping_fee | yen }}
手数料: {{ order.payment_fee | yen }}
合計: {{ order.total | yen }}"""

_FOOTER = """
--
{{ shop.name }}"""

SYSTEM_TEMPLATES: list[dict[str, str]] = [
    {
        "name": "注文完了メール",
        "subject": "【{{ shop.name }}】ご注文ありがとうございます(受注番号: {{ order.number }})",
        "body": f"""{{{{ customer.name }}}} 様

{{{{ shop.name }}}}をご利用いただき、誠にありがとうございます。
以下の内容でご注文を承りました。

受注番号: {{{{ order.number }}}}
ご注文日時: {{{{ order.ordered_at }}}}
お支払い方法: {{{{ order.payment_method }}}}

{_ITEMS}
{_TOTALS}
{_FOOTER}
""",
    },
    {
        "name": "2回目以降定期購入通知メール",
        "subject": "【{{ shop.name }}】定期便のご注文を承りました(受注番号: {{ order.number }})",
        "body": f"""{{{{ customer.name }}}} 様

いつも{{{{ shop.name }}}}の定期便をご利用いただき、誠にありがとうございます。
次回分のご注文を作成いたしました。

受注番号: {{{{ order.number }}}}
お届け予定日: {{{{ order.scheduled_delivery_date }}}}

{_ITEMS}
{_TOTALS}
{_FOOTER}
""",
    },
    {
        "name": "商品発送完了メール",
        "subject": "【{{ shop.name }}】商品を発送いたしました(受注番号: {{ order.number }})",
        "body": f"""{{{{ customer.name }}}} 様

ご注文いただいた商品を発送いたしました。

受注番号: {{{{ order.number }}}}
配送業者: {{{{ order.delivery_company }}}}
配送伝票番号: {{{{ order.tracking_number }}}}

{_ITEMS}
{_FOOTER}
""",
    },
    {
        "name": "注文キャンセル完了メール",
        "subject": "【{{ shop.name }}】ご注文のキャンセルを承りました(受注番号: {{ order.number }})",
        "body": f"""{{{{ customer.name }}}} 様

以下のご注文のキャンセルを承りました。

受注番号: {{{{ order.number }}}}
合計: {{{{ order.total | yen }}}}

またのご利用をお待ちしております。
{_FOOTER}
""",
    },
]
