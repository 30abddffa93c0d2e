"""設定 > CSV管理: the list of CSV formats and the editor (name, 用途, 出力単位, ordered columns + headers)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from ecweb_core.csvexport import formats as core
from ecweb_core.db import session_scope
from ecweb_core.errors import FormError
from ecweb_state.auth import AuthState


@dataclasses.dataclass
class FormatItem:
    id: int
    name: str
    purpose_label: str
    unit_label: str
    column_count: int
    updated_at: str


@dataclasses.dataclass
class ColumnItem:
    key: str
    label: str
    default_label: str
    group: str


class CsvSettingsState(AuthState):
    formats: list[FormatItem] = []
    editing: bool = False
    edit_id: int = 0  # 0 = a new format
    name: str = ""
    purpose: str = "order"
    unit: str = "order"
    columns: list[ColumnItem] = []
    available: list[list[str]] = []  # [key, "group: label"] of the columns the format may still take
    add_key: str = ""
    errors: list[str] = []
    message: str = ""
    delete_id: int = 0
    delete_name: str = ""

    @rx.event
    def on_load(self) -> None:
        self.editing, self.message = False, ""
        self._reload()

    @rx.event
    def new_format(self) -> None:
        self.edit_id, self.name, self.purpose, self.unit, self.columns = 0, "", "order", "order", []
        self._open_editor()

    @rx.event
    def edit_format(self, format_id: int) -> None:
        with session_scope() as s:
            try:
                fmt = core.get_format(s, int(format_id))
            except core.FormatError as e:
                self.message, self.errors = "", list(e.errors.values())
                return
            self.edit_id, self.name, self.purpose, self.unit = int(fmt.id or 0), fmt.name, fmt.purpose, fmt.unit
            keys = core.columns_of(fmt)
        self._open_editor(keys)

    @rx.event
    def copy_format(self, format_id: int) -> None:
        with session_scope() as s:
            try:
                copy = core.copy_format(s, int(format_id), operator_id=self._operator_id)
                self.message = f"「{copy.name}」を作成しました。"
            except FormError as e:
                self.message = "; ".join(e.errors.values())
        self._reload()

    @rx.event
    def ask_delete(self, format_id: int, name: str) -> None:
        self.delete_id, self.delete_name = int(format_id), name

    @rx.event
    def cancel_delete(self, is_open: bool = False) -> None:
        if not is_open:
            self.delete_id, self.delete_name = 0, ""

    @rx.event
    def confirm_delete(self) -> None:
        if not self.delete_id:
            return
        with session_scope() as s:
            try:
                core.delete_format(s, self.delete_id, operator_id=self._operator_id)
                self.message = f"「{self.delete_name}」を削除しました。"
            except FormError as e:
                self.message = "; ".join(e.errors.values())
        self.delete_id, self.delete_name = 0, ""
        self._reload()

    @rx.event
    def set_name(self, value: str) -> None:
        self.name = value

    @rx.event
    def set_purpose(self, value: str) -> None:
        self.purpose = value
        self._refresh_available()

    @rx.event
    def set_unit(self, value: str) -> None:
        self.unit = value
        self._refresh_available()

    @rx.event
    def set_add_key(self, value: str) -> None:
        self.add_key = value

    @rx.event
    def add_column(self) -> None:
        match = next((a for a in self._all if a[0] == self.add_key), None)
        if match is None:
            self.errors = ["追加する項目を選択してください。"]
            return
        key, label, group = match
        self.columns = [*self.columns, ColumnItem(key=key, label=label, default_label=label, group=group)]
        self.errors, self.add_key = [], ""
        self._refresh_available()

    @rx.event
    def remove_column(self, index: int) -> None:
        if not 0 <= int(index) < len(self.columns):
            return  # a crafted index: nothing to remove
        cols = list(self.columns)
        cols.pop(int(index))
        self.columns = cols
        self._refresh_available()

    @rx.event
    def move_column(self, index: int, delta: int) -> None:
        i, j = int(index), int(index) + int(delta)
        if 0 <= i < len(self.columns) and 0 <= j < len(self.columns):
            cols = list(self.columns)
            cols[i], cols[j] = cols[j], cols[i]
            self.columns = cols

    @rx.event
    def set_label(self, index: int, value: str) -> None:
        if not 0 <= int(index) < len(self.columns):
            return
        cols = list(self.columns)
        cols[int(index)] = dataclasses.replace(cols[int(index)], label=value)
        self.columns = cols

    @rx.event
    def close_editor(self, is_open: bool = False) -> None:
        if not is_open:
            self.editing, self.errors = False, []

    @rx.event
    def save(self) -> None:
        pairs = [(c.key, c.label) for c in self.columns]
        with session_scope() as s:
            try:
                fmt = core.save_format(s, self.edit_id or None, self.name, self.purpose, self.unit, pairs,
                                       operator_id=self._operator_id)  # fmt: skip
            except FormError as e:
                self.errors = list(e.errors.values())
                return
            self.message = f"「{fmt.name}」を保存しました。"
        self.editing, self.errors = False, []
        self._reload()

    _all: list[tuple[str, str, str]] = []

    def _open_editor(self, keys: list[tuple[str, str]] | None = None) -> None:
        self.errors, self.message, self.add_key = [], "", ""
        self._refresh_available(keys)
        self.editing = True

    def _refresh_available(self, keys: list[tuple[str, str]] | None = None) -> None:
        with session_scope() as s:
            # Every column of any purpose / unit, so labels survive switching; `available` filters.
            everything = core.available_columns(s, "survey", "item")
            allowed = {k for k, _, _ in core.available_columns(s, self.purpose, self.unit)}
        self._all = everything
        known = {k: (label, group) for k, label, group in everything}
        if keys is not None:
            self.columns = [
                ColumnItem(key=k, label=lb, default_label=known.get(k, (k, ""))[0], group=known.get(k, ("", "?"))[1])
                for k, lb in keys
            ]
        chosen = {c.key for c in self.columns}
        self.available = [
            [k, f"{group}: {label}"] for k, label, group in everything if k in allowed and k not in chosen
        ]

    def _reload(self) -> None:
        with session_scope() as s:
            self.formats = [
                FormatItem(
                    id=r.id,
                    name=r.name,
                    purpose_label=r.purpose_label,
                    unit_label=r.unit_label,
                    column_count=r.column_count,
                    updated_at=r.updated_at,
                )
                for r in core.list_formats(s)
            ]
