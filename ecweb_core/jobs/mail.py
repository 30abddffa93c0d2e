"""メール一括通知 (SPEC B5): one mail per selected order's customer, from a template or typed in.

The content is snapshotted into the job's params at registration: the job sends what the operator
saw, even if the template is edited while it runs. Each mail is claimed in the external-effect
ledger under `job:{job_id}`, so a retried job never mails an order twice (mail/service.py); the
mails go out before the chunk's transaction, never inside it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from ecweb_core.jobs.operations import BaseOperation, JobContext, ParamError
from ecweb_core.mail.service import MailContent, send_order_mails
from ecweb_core.mail.templates import check_content, get_template
from ecweb_core.outcomes import Outcome
from ecweb_core.selection import Selection

MODES = ("template", "text")


def _text(form: dict[str, Any], name: str) -> str:
    return str(form.get(name) or "")


class MailNotify(BaseOperation):
    calls_outside = True

    def parse_params(self, form: dict[str, Any]) -> dict[str, Any]:
        mode = _text(form, "mail_mode") or "template"
        if mode not in MODES:
            raise ParamError({"mail_mode": "送信方法を選択してください。"})
        if mode == "template":
            raw = _text(form, "template_id").strip()
            if not raw.isdigit():
                raise ParamError({"template_id": "メールテンプレートを選択してください。"})
            return {"mode": mode, "template_id": int(raw)}
        content = {
            "subject": _text(form, "subject").strip(),
            "body": _text(form, "body"),
            "cc": _text(form, "cc").strip(),
            "bcc": _text(form, "bcc").strip(),
        }
        if errors := check_content(**content):
            raise ParamError(errors)
        return {"mode": mode, **content}

    def prepare(self, session: Session, params: dict[str, Any], selection: Selection) -> dict[str, Any]:
        """Copies the chosen template's content into the params (register_job's prepare hook)."""
        if params["mode"] != "template":
            return params
        t = get_template(session, params["template_id"])
        if t is None:
            raise ParamError({"template_id": "選択したメールテンプレートが見つかりません。"})
        content = {"subject": t.subject, "body": t.body, "cc": t.cc, "bcc": t.bcc}
        if errors := check_content(**content):
            raise ParamError(errors)
        return {**params, "template_name": t.name, **content}

    def call_outside(self, engine: Engine, ctx: JobContext, order_ids: list[int]) -> dict[int, Outcome]:
        p = ctx.params
        content = MailContent(subject=p["subject"], body=p["body"], cc=p.get("cc", ""), bcc=p.get("bcc", ""))
        return send_order_mails(engine, order_ids, content, dedupe_key=f"job:{ctx.job_id}")

    def process(self, conn: Connection, ctx: JobContext, order_ids: list[int]) -> dict[int, Outcome]:
        """Nothing to change in the database: each order's outcome is how its mail went."""
        return {i: ctx.effects[i] for i in order_ids if i in ctx.effects}
