"""対応状況管理, 受注ラベル管理 and 理由管理: one state for every managed list (the kind says which),
calling ecweb_core/masters/catalog.py. Each change is one transaction; a refused change changes
nothing and says why in Japanese."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlalchemy.engine import Connection

from ecweb_core.db import get_engine
from ecweb_core.errors import FormError
from ecweb_core.masters import catalog
from ecweb_core.masters.lists import ListItem
from ecweb_state.auth import AuthState


class MasterListState(AuthState):
    kind: str = "status"
    title: str = "対応状況"
    has_color: bool = False
    items: list[ListItem] = []
    new_name: str = ""
    new_color: str = "gray"
    create_errors: list[str] = []
    errors: list[str] = []  # a refused row action (削除, 無効化)
    message: str = ""
    edit_id: int = 0  # the entry whose 編集 dialog is open
    edit_name: str = ""
    edit_color: str = "gray"
    edit_system: bool = False
    edit_errors: list[str] = []
    delete_id: int = 0
    delete_name: str = ""

    @rx.event
    def open_list(self, kind: str) -> None:
        """The page (or the tab of 理由管理) shows the list of `kind`."""
        try:
            spec = catalog.list_kind(kind)
        except FormError as err:
            self.errors = list(err.errors.values())
            return
        self.kind, self.title, self.has_color = spec.key, spec.title, spec.has_color
        self.new_name, self.new_color, self.create_errors, self.errors, self.message = "", "gray", [], [], ""
        self.edit_id, self.delete_id = 0, 0
        self._reload()

    @rx.event
    def set_new_name(self, value: str) -> None:
        self.new_name = value

    @rx.event
    def set_new_color(self, value: str) -> None:
        self.new_color = value

    @rx.event
    def create(self, form: dict[str, str]) -> None:
        name = str(form.get("name", self.new_name) or "")
        try:
            with get_engine().begin() as conn:
                catalog.create_item(conn, self.kind, name, self.new_color, operator_id=self._operator_id)
        except FormError as err:
            self.create_errors, self.message = list(err.errors.values()), ""
            return
        self.create_errors, self.errors = [], []
        self.message = f"{self.title}「{name.strip()}」を登録しました。"
        self.new_name = ""
        self._reload()

    @rx.event
    def start_edit(self, item_id: int, name: str, color: str, system: bool) -> None:
        self.edit_id, self.edit_name, self.edit_color, self.edit_system = int(item_id), name, color or "gray", system
        self.edit_errors = []

    @rx.event
    def set_edit_name(self, value: str) -> None:
        self.edit_name = value

    @rx.event
    def set_edit_color(self, value: str) -> None:
        self.edit_color = value

    @rx.event
    def close_edit(self, is_open: bool = False) -> None:
        if not is_open:
            self.edit_id, self.edit_errors = 0, []

    @rx.event
    def save_edit(self) -> None:
        if not self.edit_id:
            return
        try:
            with get_engine().begin() as conn:
                catalog.update_item(
                    conn, self.kind, self.edit_id, self.edit_name, self.edit_color, operator_id=self._operator_id
                )
        except FormError as err:
            self.edit_errors = list(err.errors.values())
            return
        self.message, self.errors = f"{self.title}を「{self.edit_name.strip()}」に更新しました。", []
        self.edit_id, self.edit_errors = 0, []
        self._reload()

    @rx.event
    def toggle(self, item_id: int, enabled: bool) -> None:
        """有効化 / 無効化: `enabled` is the entry's state now."""
        name = next((i.name for i in self.items if i.id == int(item_id)), "")
        done = f"「{name}」を無効にしました。" if enabled else f"「{name}」を有効にしました。"
        self._change(
            lambda conn: catalog.set_item_enabled(
                conn, self.kind, int(item_id), not enabled, operator_id=self._operator_id
            ),
            done,
        )

    @rx.event
    def move(self, item_id: int, where: str) -> None:
        self._change(
            lambda conn: catalog.move_item(conn, self.kind, int(item_id), where, operator_id=self._operator_id), ""
        )

    @rx.event
    def ask_delete(self, item_id: int, name: str) -> None:
        self.delete_id, self.delete_name = int(item_id), name

    @rx.event
    def cancel_delete(self, is_open: bool = False) -> None:
        if not is_open:
            self.delete_id, self.delete_name = 0, ""

    @rx.event
    def confirm_delete(self) -> None:
        if not self.delete_id:
            return
        item_id, name = self.delete_id, self.delete_name
        self.delete_id, self.delete_name = 0, ""
        self._change(
            lambda conn: catalog.delete_item(conn, self.kind, item_id, operator_id=self._operator_id),
            f"「{name}」を削除しました。",
        )

    def _change(self, apply: Callable[[Connection], object], done: str) -> None:
        try:
            with get_engine().begin() as conn:
                apply(conn)
        except FormError as err:
            self.errors, self.message = list(err.errors.values()), ""
            return
        self.errors, self.message = [], done
        self._reload()

    def _reload(self) -> None:
        with get_engine().connect() as conn:
            self.items = catalog.list_items(conn, self.kind)
