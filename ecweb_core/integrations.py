"""外部連携サービスアカウント管理: the 1d-color integration switch (SPEC B7)."""

from __future__ import annotations

from sqlmodel import Session

from ecweb_core import audit, permissions
from ecweb_core.models import ShopSettings


def survey_integration_enabled(session: Session) -> bool:
    settings = session.get(ShopSettings, 1)
    return bool(settings and settings.survey_integration_enabled)


def set_survey_integration(session: Session, enabled: bool, *, operator_id: int | None = None) -> None:
    permissions.require(session, operator_id, permissions.SETTINGS_INTEGRATIONS)
    settings = session.get(ShopSettings, 1) or ShopSettings(id=1)
    settings.survey_integration_enabled = enabled
    session.add(settings)
    what = "1d-colorとの連携を有効に" if enabled else "1d-colorとの連携を無効に"
    audit.settings_changed(session, operator_id, "外部連携サービスアカウント管理", what)
    session.commit()
