"""設定 > 外部連携サービスアカウント管理 (1d-color)."""

from __future__ import annotations

import reflex as rx

from ecweb_core.db import session_scope
from ecweb_core.errors import FormError
from ecweb_core.integrations import set_survey_integration, survey_integration_enabled
from ecweb_state.auth import AuthState


class IntegrationsState(AuthState):
    survey_enabled: bool = False
    message: str = ""

    @rx.event
    def on_load(self) -> None:
        self.message = ""
        with session_scope() as s:
            self.survey_enabled = survey_integration_enabled(s)

    @rx.event
    def toggle_survey(self, enabled: bool) -> None:
        try:
            with session_scope() as s:
                set_survey_integration(s, bool(enabled), operator_id=self._operator_id)
        except FormError as e:
            self.message = "; ".join(e.errors.values())
            return
        self.survey_enabled = bool(enabled)
        self.message = "1d-colorとの連携を有効にしました。" if enabled else "1d-colorとの連携を無効にしました。"
