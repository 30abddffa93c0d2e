"""決済管理画面 of the sandbox provider: its transactions, newest first, as a plain HTML page."""

from __future__ import annotations

from html import escape
from typing import Any

METHOD_LABELS = {"card": "クレジットカード", "np": "NP後払い", "np_wiz": "NP後払いwiz", "amazon_pay": "Amazon Pay"}
STATUS_LABELS = {"authorized": "仮売上(与信済)", "captured": "売上確定", "cancelled": "取消"}

STYLE = """
body { font-family: "IPAexGothic", "Noto Sans CJK JP", sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { background: #2b3a55; color: #fff; padding: 12px 24px; font-size: 18px; font-weight: bold; }
main { padding: 16px 24px; }
form { margin-bottom: 12px; }
input { padding: 4px 8px; font-size: 14px; }
button { padding: 4px 12px; font-size: 14px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { border: 1px solid #d5d9e0; padding: 6px 8px; text-align: left; white-space: nowrap; }
th { background: #eef1f5; }
td.amount { text-align: right; }
.captured { color: #1a7f37; font-weight: bold; }
.cancelled { color: #8c959f; }
.note { color: #57606a; font-size: 12px; margin: 8px 0 16px; }
"""


def _row(t: dict[str, Any]) -> str:
    status = t["status"]
    cells = [
        escape(t["id"]),
        escape(METHOD_LABELS.get(t["method"], t["method"])),
        escape(t["order_number"]),
        f"¥{int(t['amount']):,}",
        f'<span class="{escape(status)}">{escape(STATUS_LABELS.get(status, status))}</span>',
        escape(t.get("tracking_number") or ""),
        str(t.get("operations", 0)),
        escape(t["created_at"].replace("T", " ")[:19]),
        escape(t["updated_at"].replace("T", " ")[:19]),
    ]
    classes = ["", "", "", "amount", "", "", "", "", ""]
    tds = "".join(f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>" for c, v in zip(classes, cells, strict=True))
    return f'<tr data-order="{escape(t["order_number"])}" data-status="{escape(status)}">{tds}</tr>'


def render_page(transactions: list[dict[str, Any]], order_number: str = "") -> str:
    head = ["取引ID", "決済方法", "受注番号", "金額", "ステータス", "配送伝票番号", "操作回数",
            "作成日時(UTC)", "更新日時(UTC)"]  # fmt: skip
    rows = "".join(_row(t) for t in transactions) or f'<tr><td colspan="{len(head)}">取引はありません。</td></tr>'
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>決済管理画面 | サンドボックス決済</title>
<style>{STYLE}</style></head>
<body><header>サンドボックス決済 決済管理画面</header><main>
<form method="get"><input name="order_number" value="{escape(order_number)}" placeholder="受注番号で絞り込み">
<button type="submit">検索</button></form>
<p class="note">このサービスに届いた取引だけが表示されます(強制売上処理・強制取消処理はここに届きません)。</p>
<table><thead><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr></thead><tbody id="transactions">{rows}</tbody></table>
</main></body></html>"""
