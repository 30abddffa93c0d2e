"""設定 > 対応状況管理: the system statuses and the operator's own (e.g. 発送準備中)."""

from __future__ import annotations

import reflex as rx

from ecweb.components.layout import page_frame
from ecweb.components.master_list import master_list


def order_statuses_page() -> rx.Component:
    return page_frame(
        "対応状況管理",
        master_list(
            "受注の対応状況です。システムの対応状況(注文確定・発送完了など)は名称を変更できません。"
            "新規作成した対応状況は、受注の検索・一括更新・受注詳細と自動化設定の「対応状況を変更する」で選べます。"
            "受注や自動化設定で使用中の対応状況は削除できません。",
            "例: 発送準備中",
        ),
    )
