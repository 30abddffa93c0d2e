"""設定 > 理由管理: 要対応理由, 要対応理由(定期), ブラックリスト理由, 停止理由, キャンセル理由 — the
choices of 一括更新, 受注詳細 and 決済状況一括変更, one tab per list."""

from __future__ import annotations

import reflex as rx

from ecweb.components.layout import page_frame
from ecweb.components.master_list import master_list
from ecweb_core.masters.reasons import KINDS
from ecweb_state.master_lists import MasterListState as S


def reasons_page() -> rx.Component:
    return page_frame(
        "理由管理",
        rx.tabs.root(
            rx.tabs.list(
                *[
                    rx.tabs.trigger(label, value=kind, on_click=S.open_list(kind), id=f"reason-tab-{kind}")
                    for kind, label in KINDS.items()
                ]
            ),
            value=S.kind,
            margin_bottom="1em",
        ),
        master_list(
            "一括更新・受注詳細・決済状況一括変更で選ぶ理由です。並び順のとおりに選択肢に表示されます。"
            "設定されている受注・顧客・定期受注がある理由は削除できません(無効にすると選択肢に表示されなくなります)。",
            "例: 住所不備",
        ),
    )
