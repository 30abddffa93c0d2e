"""設定 > 帳票管理 > 受注帳票管理: the document list, コピー, 削除 and the edit form (its blocks in order,
the shop block with a logo upload, the texts with placeholders)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ecweb_core.db import session_scope
from ecweb_core.documents.kinds import FIELDS, kind_label
from ecweb_core.documents.templates import (
    TemplateRow,
    copy_template,
    delete_template,
    get_template,
    list_templates,
    logo_data_uri,
    save_template,
    store_logo,
)
from ecweb_core.errors import FormError
from ecweb_core.mail.render import PLACEHOLDER_HELP
from ecweb_state.auth import AuthState

TEXT_FIELDS = ("name", "title", "shop_name", "shop_postal_code", "shop_address", "shop_phone",
               "registration_number", "remarks", "receipt_addressee", "receipt_note")  # fmt: skip


class OrderDocumentsState(AuthState):
    templates: list[TemplateRow] = []
    message: str = ""
    editing: bool = False
    edit_id: int = 0
    edit_system: bool = False
    edit_kind: str = ""
    edit_kind_label: str = ""
    name: str = ""
    title: str = ""
    shop_name: str = ""
    shop_postal_code: str = ""
    shop_address: str = ""
    shop_phone: str = ""
    registration_number: str = ""
    remarks: str = ""
    receipt_addressee: str = ""
    receipt_note: str = ""
    logo_sha: str = ""
    logo_uri: str = ""
    field_rows: list[list[str]] = []  # [key, label, "1" when printed]: printed ones first, in order
    errors: list[str] = []
    delete_id: int = 0
    delete_name: str = ""
    placeholders: list[list[str]] = [list(p) for p in PLACEHOLDER_HELP]

    @rx.event
    def on_load(self) -> None:
        self.editing = False
        self._reload()

    @rx.event
    def edit(self, template_id: int) -> None:
        with session_scope() as s:
            t = get_template(s, int(template_id))
        if t is None:
            self.message = "帳票が見つかりません。"
            return
        self.edit_id, self.edit_system, self.edit_kind = t.id, t.is_system, t.kind
        self.edit_kind_label = kind_label(t.kind)
        for name in TEXT_FIELDS:
            setattr(self, name, getattr(t, name))
        self.logo_sha, self.logo_uri = t.logo_sha, t.logo_uri
        chosen = [f for f in t.fields if f in FIELDS]
        self.field_rows = [[f, FIELDS[f], "1"] for f in chosen] + [
            [f, label, ""] for f, label in FIELDS.items() if f not in chosen
        ]
        self.errors, self.message, self.editing = [], "", True

    @rx.event
    def copy(self, template_id: int) -> None:
        """コピー: a new operator document from this one, opened for editing."""
        try:
            with session_scope() as s:
                new_id = copy_template(s, int(template_id), operator_id=self._operator_id)
        except FormError as e:
            self.message = "; ".join(e.errors.values())
            return
        self._reload()
        self.edit(new_id)

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        if name in TEXT_FIELDS:
            setattr(self, name, value)

    @rx.event
    def toggle_field(self, key: str) -> None:
        self.field_rows = [[k, label, "" if on else "1"] if k == key else [k, label, on]
                           for k, label, on in self.field_rows]  # fmt: skip

    @rx.event
    def move_field(self, key: str, delta: int) -> None:
        """↑ / ↓: moves a block one place (the order it prints in)."""
        rows = list(self.field_rows)
        at = next((i for i, r in enumerate(rows) if r[0] == key), None)
        if at is None:
            return
        to = at + (1 if int(delta) > 0 else -1)
        if 0 <= to < len(rows):
            rows[at], rows[to] = rows[to], rows[at]
            self.field_rows = rows

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]) -> None:
        if not files:
            return
        data = await files[0].read()
        try:
            with session_scope() as s:
                sha = store_logo(s, data, operator_id=self._operator_id)
                uri = logo_data_uri(s, sha) or ""
        except FormError as e:
            self.errors = list(e.errors.values())
            return
        self.logo_sha, self.logo_uri, self.errors = sha, uri, []

    @rx.event
    def remove_logo(self) -> None:
        self.logo_sha, self.logo_uri = "", ""

    @rx.event
    def set_editing(self, is_open: bool) -> None:
        self.editing = is_open
        if not is_open:
            self.errors = []

    @rx.event
    def save(self, form_data: dict[str, Any]) -> None:
        """The state's fields, not the DOM's: controlled inputs may lag behind the last keystroke."""
        form: dict[str, Any] = {name: getattr(self, name) for name in TEXT_FIELDS}
        form["fields"] = [k for k, _, on in self.field_rows if on]
        form["logo_sha"] = self.logo_sha
        try:
            with session_scope() as s:
                save_template(s, self.edit_id, form, operator_id=self._operator_id)
        except FormError as e:
            self.errors = list(e.errors.values())
            return
        self.editing, self.errors = False, []
        self.message = f"帳票「{self.name}」を保存しました。"
        self._reload()

    @rx.event
    def ask_delete(self, template_id: int, name: str) -> None:
        self.delete_id, self.delete_name = int(template_id), name

    @rx.event
    def cancel_delete(self, is_open: bool = False) -> None:
        if not is_open:
            self.delete_id, self.delete_name = 0, ""

    @rx.event
    def confirm_delete(self) -> None:
        if not self.delete_id:
            return
        try:
            with session_scope() as s:
                name = delete_template(s, self.delete_id, operator_id=self._operator_id)
            self.message = f"帳票「{name}」を削除しました。"
        except FormError as e:
            self.message = "; ".join(e.errors.values())
        self.delete_id, self.delete_name = 0, ""
        self._reload()

    def _reload(self) -> None:
        with session_scope() as s:
            self.templates = list_templates(s)
