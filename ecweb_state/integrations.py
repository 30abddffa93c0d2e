"""設定 > 外部連携サービスアカウント管理 (1d-color), and what the 受注管理 grid needs from CSV管理."""

from __future__ import annotations

import reflex as rx

from ecweb_core.csvexport.formats import list_formats
from ecweb_core.db import session_scope
from ecweb_core.integrations import set_survey_integration, survey_integration_enabled
from ecweb_state.auth import AuthState


class IntegrationsState(AuthState):
    survey_enabled: bool = False
    message: str = ""

    @rx.event
    def on_load(self):  # type: ignore[no-untyped-def]
        if not self._authenticate():
            return rx.redirect("/login")
        self.message = ""
        with session_scope() as s:
            self.survey_enabled = survey_integration_enabled(s)
        return None

    @rx.event
    def toggle_survey(self, enabled: bool) -> None:
        if not self._authenticate():
            return
        with session_scope() as s:
            set_survey_integration(s, bool(enabled))
        self.survey_enabled = bool(enabled)
        self.message = "1d-colorとの連携を有効にしました。" if enabled else "1d-colorとの連携を無効にしました。"


class CsvExportState(AuthState):
    """The CSV formats the export dialogs offer, and whether アンケート結果CSV一括出力 is shown."""

    order_formats: list[list[str]] = []
    survey_formats: list[list[str]] = []
    survey_enabled: bool = False

    @rx.event
    def load(self) -> None:
        if not self._authenticate():
            return
        with session_scope() as s:
            self.order_formats = [[str(f.id), f"{f.name}({f.unit_label})"] for f in list_formats(s, "order")]
            self.survey_formats = [[str(f.id), f"{f.name}({f.unit_label})"] for f in list_formats(s, "survey")]
            self.survey_enabled = survey_integration_enabled(s)
