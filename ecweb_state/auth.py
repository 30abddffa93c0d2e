"""Login (X1): the session token lives in an HttpOnly-less cookie so download routes can check it too."""

from __future__ import annotations

import logging
import time

import reflex as rx

from ecweb_core import auth as core_auth
from ecweb_core.db import session_scope
from ecweb_core.notes import register_client
from ecweb_core.settings import load_settings

log = logging.getLogger(__name__)

COOKIE = "ecweb_session"


class AuthState(rx.State):
    session_token: str = rx.Cookie("", name=COOKIE, same_site="strict", max_age=load_settings().session_days * 86400)
    operator_name: str = ""
    login_error: str = ""
    _operator_id: int | None = None

    @rx.var
    def is_authenticated(self) -> bool:
        return bool(self.operator_name)

    def _authenticate(self) -> bool:
        """Re-checks the token against the database; every protected handler calls it first."""
        with session_scope() as s:
            op = core_auth.operator_for_token(s, self.session_token)
        if op is None:
            self.operator_name, self._operator_id = "", None
            return False
        self.operator_name, self._operator_id = op.name, op.id
        try:
            register_client(load_settings().redis_url, op.id, self.router.session.client_token, time.time())
        except Exception:  # noqa: BLE001 - without Redis the app still works, only without live notes
            log.warning("could not register the client for notifications", exc_info=True)
        return True

    @rx.event
    def require_login(self):  # type: ignore[no-untyped-def]
        if not self._authenticate():
            return rx.redirect("/login")

    @rx.event
    def go_home(self):  # type: ignore[no-untyped-def]
        return rx.redirect("/orders" if self._authenticate() else "/login")

    @rx.event
    def redirect_if_logged_in(self):  # type: ignore[no-untyped-def]
        if self.session_token and self._authenticate():
            return rx.redirect("/orders")

    @rx.event
    def handle_login(self, form_data: dict[str, str]):  # type: ignore[no-untyped-def]
        login_name = (form_data.get("login") or "").strip()
        password = form_data.get("password") or ""
        if not login_name or not password:
            self.login_error = "ログインIDとパスワードを入力してください。"
            return None
        with session_scope() as s:
            token = core_auth.login(s, login_name, password, days=load_settings().session_days)
        if token is None:
            self.login_error = "ログインIDまたはパスワードが正しくありません。"
            return None
        self.login_error = ""
        self.session_token = token
        self._authenticate()
        return rx.redirect("/orders")

    @rx.event
    def logout(self):  # type: ignore[no-untyped-def]
        if self.session_token:
            with session_scope() as s:
                core_auth.logout(s, self.session_token)
        self.session_token = ""
        self.operator_name, self._operator_id = "", None
        return [rx.remove_cookie(COOKIE), rx.redirect("/login")]
