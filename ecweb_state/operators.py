"""設定 > 管理者管理 and 設定 > 操作ログ: thin states over ecweb_core/operators.py and ecweb_core/audit.py
(which check the permission and keep the rules)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ecweb_core import audit, permissions
from ecweb_core.db import session_scope
from ecweb_core.errors import FormError
from ecweb_core.operators import OperatorRow, create_operator, list_operators, reset_password, set_disabled, set_role
from ecweb_state.auth import AuthState

AUDIT_PAGE_SIZE = 50
TEXT_MAX = 100


class OperatorsState(AuthState):
    operators: list[OperatorRow] = []
    errors: list[str] = []
    message: str = ""
    creating: bool = False
    reset_id: int = 0  # whose password the reset dialog is for
    reset_login: str = ""

    @rx.var
    def role_choices(self) -> list[list[str]]:
        return [[k, v] for k, v in permissions.ROLES.items()]

    @rx.event
    def on_load(self) -> None:
        self.errors, self.message, self.creating, self.reset_id = [], "", False, 0
        self._reload()

    @rx.event
    def set_creating(self, is_open: bool) -> None:
        self.creating, self.errors = bool(is_open), []

    @rx.event
    def create(self, form: dict[str, Any]) -> None:
        login = str(form.get("login") or "")
        self._do(lambda s: create_operator(s, self._operator_id, login, str(form.get("name") or ""),
                                           str(form.get("password") or ""), str(form.get("role") or "")),
                 f"管理者「{login.strip()}」を作成しました。")  # fmt: skip
        if not self.errors:
            self.creating = False

    @rx.event
    def change_role(self, operator_id: int, role: str) -> None:
        self._do(lambda s: set_role(s, self._operator_id, int(operator_id), str(role)), "権限を変更しました。")

    @rx.event
    def toggle_disabled(self, operator_id: int, disabled: bool) -> None:
        done = "管理者を無効にしました。" if disabled else "管理者を有効にしました。"
        self._do(lambda s: set_disabled(s, self._operator_id, int(operator_id), bool(disabled)), done)

    @rx.event
    def open_reset(self, operator_id: int, login: str) -> None:
        self.reset_id, self.reset_login, self.errors = int(operator_id), str(login)[:64], []

    @rx.event
    def close_reset(self, is_open: bool = False) -> None:
        if not is_open:
            self.reset_id, self.reset_login, self.errors = 0, "", []

    @rx.event
    def submit_reset(self, form: dict[str, Any]) -> None:
        target = self.reset_id
        self._do(lambda s: reset_password(s, self._operator_id, target, str(form.get("password") or "")),
                 f"「{self.reset_login}」のパスワードを再設定しました。")  # fmt: skip
        if not self.errors:
            self.reset_id, self.reset_login = 0, ""

    def _do(self, apply, done: str) -> None:  # type: ignore[no-untyped-def]
        try:
            with session_scope() as s:
                apply(s)
        except FormError as err:
            self.errors, self.message = list(err.errors.values()), ""
            self._reload()
            return
        self.errors, self.message = [], done
        self._reload()

    def _reload(self) -> None:
        with session_scope() as s:
            if permissions.can(s, self._operator_id, permissions.OPERATORS):
                self.operators = list_operators(s)
            else:
                self.operators = []


class AuditLogState(AuthState):
    entries: list[audit.AuditRow] = []
    total: int = 0
    page: int = 1
    kind: str = ""
    text: str = ""
    days: str = "0"
    message: str = ""

    @rx.var
    def kind_choices(self) -> list[list[str]]:
        return [["all", "すべて"], *[[k, v] for k, v in audit.KINDS.items()]]

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // AUDIT_PAGE_SIZE))

    @rx.event
    def on_load(self) -> None:
        self.page, self.message = 1, ""
        self._reload()

    @rx.event
    def search(self, form: dict[str, Any]) -> None:
        kind = str(form.get("kind") or "")
        text = str(form.get("text") or "").strip()
        days = str(form.get("days") or "0")
        if len(text) > TEXT_MAX:
            self.message = f"キーワードは{TEXT_MAX}文字以内で入力してください。"
            return
        self.kind = kind if kind in audit.KINDS else ""
        self.text = text
        self.days = days if days in ("0", "1", "7", "30") else "0"
        self.page, self.message = 1, ""
        self._reload()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self.page = max(1, min(int(page), self.page_count))
        self._reload()

    def _reload(self) -> None:
        flt = audit.AuditFilter(kind=self.kind, text=self.text, days=int(self.days))
        with session_scope() as s:
            if not permissions.can(s, self._operator_id, permissions.AUDIT):
                self.entries, self.total, self.message = [], 0, permissions.DENIED
                return
            self.total = audit.count_entries(s, flt)
            self.entries = audit.list_entries(s, flt, self.page, AUDIT_PAGE_SIZE)
