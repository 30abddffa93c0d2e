"""The PDF一括出力 dialog: 帳票の種類, 発行日 (today by default) and the preview of the first selected
order's document, rendered by the job's own code before anything is registered."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ecweb_core.db import session_scope
from ecweb_core.documents.preview import preview_first
from ecweb_core.documents.templates import list_templates
from ecweb_core.models.common import today_jst
from ecweb_state.job_forms import JobFormState


class PdfExportFormState(JobFormState):
    template_id: str = ""
    issue_date: str = ""
    template_options: list[list[str]] = []
    preview_number: str = ""
    preview_pages: int = 0
    preview_image: str = ""
    preview_note: str = ""
    preview_error: str = ""

    @rx.event
    def prepare(self) -> None:
        """Runs when the dialog opens: the current templates, today's date and the preview."""
        with session_scope() as s:
            self.template_options = [[str(t.id), f"{t.name}({t.kind_label})"] for t in list_templates(s)]
        if self.template_id not in {o[0] for o in self.template_options}:
            self.template_id = self.template_options[0][0] if self.template_options else ""
        self.issue_date = today_jst().isoformat()
        self._preview()

    @rx.event
    def choose_template(self, value: str) -> None:
        self.template_id = value
        self._preview()

    @rx.event
    def set_issue_date(self, value: str) -> None:
        self.issue_date = value

    @rx.event
    def refresh_preview(self) -> None:
        self._preview()

    @rx.event
    def submit_pdf(self, form_data: dict[str, Any]) -> None:
        """Registers the job with the grid's sort: the PDF's pages follow the grid's order."""
        form = {"template_id": self.template_id, "issue_date": self.issue_date, "sort": self.sort,
                "descending": self.descending}  # fmt: skip
        self._register("pdf_export", form)

    def _preview(self) -> None:
        with session_scope() as s:
            p = preview_first(s, self._selection, self.template_id, self.issue_date, self.sort, self.descending)
        self.preview_number, self.preview_pages, self.preview_image = p.order_number, p.pages, p.image
        self.preview_note, self.preview_error = p.note, p.error
