"""設定 > 受注ラベル管理: the labels (name, colour) 一括更新 and 受注詳細 put on orders."""

from __future__ import annotations

import reflex as rx

from ecweb.components.layout import page_frame
from ecweb.components.master_list import master_list


def order_labels_page() -> rx.Component:
    return page_frame(
        "受注ラベル管理",
        master_list(
            "受注に付けるラベルです。一括更新の「受注ラベル」と受注詳細で付けられ、受注の検索で絞り込めます。"
            "無効にしたラベルは付けられなくなりますが、付いている受注には残ります。",
            "例: ギフト",
        ),
    )
