"""States of the mail screens: the メール一括通知 dialog (its preview and テンプレートから引用),
メールテンプレート管理 and 送信メール (the capture server's mailbox)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ecweb_core.db import session_scope
from ecweb_core.errors import FormError
from ecweb_core.mail.mailbox import MailboxRow, count_captured, list_captured
from ecweb_core.mail.preview import preview_first
from ecweb_core.mail.render import PLACEHOLDER_HELP
from ecweb_core.mail.service import MailContent
from ecweb_core.mail.templates import (
    TemplateRow,
    delete_template,
    get_template,
    list_templates,
    save_template,
)
from ecweb_state.auth import AuthState
from ecweb_state.job_forms import JobFormState

MAILBOX_PAGE = 50


class MailDialogState(JobFormState):
    """The メール一括通知 form. Its fields are controlled so that テンプレートから引用 can fill them;
    the job is registered through JobFormState._register like every bulk form's."""

    mail_mode: str = "template"  # テンプレートから選択する | 本文を入力する
    template_id: str = ""
    subject: str = ""
    body: str = ""
    cc: str = ""
    bcc: str = ""
    template_options: list[list[str]] = []
    preview_number: str = ""
    preview_to: str = ""
    preview_subject: str = ""
    preview_body: str = ""
    preview_error: str = ""

    @rx.event
    def prepare(self) -> None:
        """Runs when the dialog opens: fresh fields and the current templates."""
        with session_scope() as s:
            self.template_options = [[str(t.id), t.name] for t in list_templates(s)]
        self.mail_mode, self.subject, self.body, self.cc, self.bcc = "template", "", "", "", ""
        self.template_id = self.template_options[0][0] if self.template_options else ""
        self._preview()

    @rx.event
    def set_mode(self, value: str) -> None:
        self.mail_mode = value if value in ("template", "text") else "template"
        self._preview()

    @rx.event
    def choose_template(self, value: str) -> None:
        self.template_id = value
        self._preview()

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        """Typing into 本文を入力する chooses that mode."""
        if name in ("subject", "body", "cc", "bcc"):
            setattr(self, name, value)
            self.mail_mode = "text"

    @rx.event
    def refresh_preview(self) -> None:
        self._preview()

    @rx.event
    def quote_template(self) -> None:
        """テンプレートから引用: copies the chosen template into 本文を入力する for editing."""
        if not self.template_id.isdigit():
            return
        with session_scope() as s:
            t = get_template(s, int(self.template_id))
        if t is None:
            self.errors = ["選択したメールテンプレートが見つかりません。"]
            return
        self.subject, self.body, self.cc, self.bcc = t.subject, t.body, t.cc, t.bcc
        self.mail_mode, self.errors = "text", []
        self._preview()

    @rx.event
    def submit_mail(self, form_data: dict[str, Any]) -> None:
        """Registers the job from the state's fields: events run in order, so they hold what the
        operator last typed, chose or quoted (the DOM of controlled inputs may lag behind)."""
        form = {"mail_mode": self.mail_mode, "template_id": self.template_id, "subject": self.subject,
                "body": self.body, "cc": self.cc, "bcc": self.bcc}  # fmt: skip
        self._register("mail", form)

    def _content(self) -> MailContent | None:
        if self.mail_mode == "text":
            return MailContent(self.subject, self.body, self.cc, self.bcc)
        if not self.template_id.isdigit():
            return None
        with session_scope() as s:
            t = get_template(s, int(self.template_id))
        return MailContent(t.subject, t.body, t.cc, t.bcc) if t else None

    def _preview(self) -> None:
        content = self._content()
        if content is None:
            self.preview_number = self.preview_to = self.preview_subject = self.preview_body = ""
            self.preview_error = "メールテンプレートを選択してください。"
            return
        with session_scope() as s:
            p = preview_first(s, self._selection, content)
        self.preview_number, self.preview_to, self.preview_error = p.order_number, p.to, p.error
        self.preview_subject, self.preview_body = p.subject, p.body


class MailTemplatesState(AuthState):
    """メールテンプレート管理: the list, and one edit form (new when edit_id is 0)."""

    templates: list[TemplateRow] = []
    editing: bool = False
    edit_id: int = 0
    edit_system: bool = False
    name: str = ""
    subject: str = ""
    body: str = ""
    cc: str = ""
    bcc: str = ""
    errors: list[str] = []
    message: str = ""
    delete_id: int = 0
    delete_name: str = ""
    placeholders: list[list[str]] = [list(p) for p in PLACEHOLDER_HELP]

    @rx.event
    def on_load(self) -> None:
        self._reload()

    @rx.event
    def new(self) -> None:
        self._open(0, False, "", "", "", "", "")

    @rx.event
    def edit(self, template_id: int) -> None:
        with session_scope() as s:
            t = get_template(s, int(template_id))
        if t is not None:
            self._open(t.id, t.is_system, t.name, t.subject, t.body, t.cc, t.bcc)

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        if name in ("name", "subject", "body", "cc", "bcc"):
            setattr(self, name, value)

    @rx.event
    def set_editing(self, is_open: bool) -> None:
        self.editing = is_open
        if not is_open:
            self.errors = []

    @rx.event
    def save(self, form_data: dict[str, Any]) -> None:
        form = {"name": self.name, "subject": self.subject, "body": self.body, "cc": self.cc, "bcc": self.bcc}
        try:
            with session_scope() as s:
                save_template(s, self.edit_id or None, form, operator_id=self._operator_id)
        except FormError as e:
            self.errors = list(e.errors.values())
            return
        self.editing, self.errors = False, []
        self.message = f"メールテンプレート「{self.name}」を保存しました。"
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
                delete_template(s, self.delete_id, operator_id=self._operator_id)
            self.message = f"メールテンプレート「{self.delete_name}」を削除しました。"
        except FormError as e:
            self.message = "; ".join(e.errors.values())
        self.delete_id, self.delete_name = 0, ""
        self._reload()

    def _open(self, tid: int, system: bool, name: str, subject: str, body: str, cc: str, bcc: str) -> None:
        self.edit_id, self.edit_system = tid, system
        self.name, self.subject, self.body, self.cc, self.bcc = name, subject, body, cc, bcc
        self.errors, self.message, self.editing = [], "", True

    def _reload(self) -> None:
        with session_scope() as s:
            self.templates = list_templates(s)


class MailboxState(AuthState):
    """送信メール: what the local capture server received."""

    mails: list[MailboxRow] = []
    total: int = 0
    page: int = 1
    open_id: int = 0
    open_received: str = ""
    open_to: str = ""
    open_cc: str = ""
    open_rcpt: str = ""
    open_subject: str = ""
    open_body: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // MAILBOX_PAGE))

    @rx.event
    def on_load(self) -> None:
        self.open_id = 0
        self._reload()

    @rx.event
    def reload(self) -> None:
        self._reload()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self.page = max(1, min(int(page), self.page_count))
        self._reload()

    @rx.event
    def open_mail(self, mail_id: int) -> None:
        """Shows the body of a listed mail (a second click closes it)."""
        m = next((m for m in self.mails if m.id == int(mail_id)), None)
        if m is None or self.open_id == m.id:
            self.open_id = 0
            return
        self.open_id, self.open_received, self.open_to, self.open_cc = m.id, m.received_at, m.to_header, m.cc
        self.open_rcpt, self.open_subject, self.open_body = m.rcpt_tos, m.subject, m.body

    def _reload(self) -> None:
        with session_scope() as s:
            self.total = count_captured(s)
            self.mails = list_captured(s, self.page, MAILBOX_PAGE)
