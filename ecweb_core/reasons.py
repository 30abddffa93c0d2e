"""The reasons operators choose from (要対応理由, ブラックリスト理由, 停止理由, キャンセル理由)."""

from __future__ import annotations

ATTENTION_REASONS = ["住所不備", "与信確認", "在庫不足", "顧客問い合わせ", "支払い確認", "その他"]
SUBSCRIPTION_ATTENTION_REASONS = ["決済エラー", "住所不備", "配送先確認", "顧客問い合わせ", "その他"]
BLACKLIST_REASONS = ["未払い", "いたずら注文", "転売目的", "受取拒否", "その他"]
STOP_REASONS = ["顧客都合", "長期不在", "商品の余り", "決済エラー", "その他"]
CANCEL_REASONS = ["顧客都合", "効果を感じない", "価格", "商品の余り", "その他"]
