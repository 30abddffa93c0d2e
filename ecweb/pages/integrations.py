"""設定 > 外部連携サービスアカウント管理: 1d-color (アンケート結果CSV一括出力 needs it)."""

from __future__ import annotations

import reflex as rx

from ecweb.components.layout import page_frame
from ecweb_state.integrations import IntegrationsState as S


def integrations_page() -> rx.Component:
    return page_frame(
        "外部連携サービスアカウント管理",
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text("1d-color", weight="bold", size="4"),
                    rx.badge(rx.cond(S.survey_enabled, "連携中", "未連携"),
                             color_scheme=rx.cond(S.survey_enabled, "green", "gray")),
                    align="center",
                    spacing="3",
                ),
                rx.text(
                    "パーソナライズ(アンケート)の回答を受け取るサービスです。連携すると受注管理に"
                    "「アンケート結果CSV一括出力」が表示されます。",
                    size="2",
                    color_scheme="gray",
                ),
                rx.hstack(
                    rx.switch(checked=S.survey_enabled, on_change=S.toggle_survey, id="survey-integration"),
                    rx.text("1d-colorと連携する", size="2"),
                    align="center",
                    spacing="2",
                ),
                rx.cond(S.message != "", rx.text(S.message, size="2", color_scheme="green", id="integration-message")),
                spacing="3",
            ),
            max_width="640px",
        ),
    )  # fmt: skip
