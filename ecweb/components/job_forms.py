"""The dialogs that register bulk jobs on the grid's selection."""

from __future__ import annotations

import reflex as rx

from ecweb.components.job_dialog import job_dialog


def dunning_dialog() -> rx.Component:
    return job_dialog(
        "dunning",
        "選択した受注に督促の支払期限とメモを記録します。顧客には何も送信されません。",
        rx.vstack(
            rx.text("支払期限(任意)", size="2", weight="medium"),
            rx.input(name="due_date", id="dunning-due-date", placeholder="2026-01-31", width="100%"),
            rx.text("メモ", size="2", weight="medium"),
            rx.text_area(name="memo", id="dunning-memo", rows="4", width="100%"),
            spacing="2",
            width="100%",
        ),
        "この内容で登録する",
    )
