"""受注帳票管理: list, copy, save (validated, then a sample order rendered by the job's own code, so
a broken template is refused here and never in a job) and delete document templates; logos."""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core import audit, permissions
from ecweb_core.documents.data import ItemLine, OrderDoc
from ecweb_core.documents.invoice import registration_number_error
from ecweb_core.documents.kinds import DOC_KINDS, FIELDS, INVOICE_KINDS, REQUIRED_FOR_INVOICE, kind_label
from ecweb_core.documents.render import DocumentError, logo_uri, missing_glyphs, render_documents
from ecweb_core.documents.spec import DocSpec
from ecweb_core.errors import FormError
from ecweb_core.mail.context import shop_name as default_shop_name
from ecweb_core.mail.render import MailTemplateError, render, sample_context
from ecweb_core.models import DocumentLogo, DocumentTemplate
from ecweb_core.models.common import fmt_jst, today_jst, utcnow

AREA = "帳票管理"
NAME_MAX, TITLE_MAX, REMARKS_MAX = 100, 50, 2000
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 2000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
POSTAL = re.compile(r"\d{3}-?\d{4}")
PHONE = re.compile(r"[0-9][0-9-]{8,14}")


class DocumentFormError(FormError):
    """Bad 受注帳票管理 input: {field: 日本語メッセージ}; nothing was saved."""


@dataclass
class TemplateRow:
    id: int
    name: str
    kind: str
    kind_label: str
    title: str
    registration_number: str
    is_system: bool
    updated_at: str


@dataclass
class TemplateForm:
    """What the edit form shows of one template."""

    id: int
    name: str
    kind: str
    is_system: bool
    title: str
    fields: list[str]
    shop_name: str
    shop_postal_code: str
    shop_address: str
    shop_phone: str
    registration_number: str
    logo_sha: str
    logo_uri: str
    remarks: str
    receipt_addressee: str
    receipt_note: str


def list_templates(session: Session) -> list[TemplateRow]:
    """The system documents first (納品書, 請求書, 領収書), then the operators' copies."""
    rows = session.execute(
        select(DocumentTemplate).order_by(DocumentTemplate.is_system.desc(), DocumentTemplate.id)  # type: ignore[attr-defined]
    ).scalars()
    return [
        TemplateRow(
            id=int(t.id or 0), name=t.name, kind=t.kind, kind_label=kind_label(t.kind), title=t.title,
            registration_number=t.registration_number, is_system=t.is_system, updated_at=fmt_jst(t.updated_at),
        )
        for t in rows
    ]  # fmt: skip


def get_template(session: Session, template_id: int) -> TemplateForm | None:
    t = session.get(DocumentTemplate, template_id)
    if t is None:
        return None
    return TemplateForm(
        id=int(t.id or 0), name=t.name, kind=t.kind, is_system=t.is_system, title=t.title,
        fields=json.loads(t.fields or "[]"), shop_name=t.shop_name, shop_postal_code=t.shop_postal_code,
        shop_address=t.shop_address, shop_phone=t.shop_phone, registration_number=t.registration_number,
        logo_sha=t.logo_sha or "", logo_uri=logo_data_uri(session, t.logo_sha) or "", remarks=t.remarks,
        receipt_addressee=t.receipt_addressee, receipt_note=t.receipt_note,
    )  # fmt: skip


def get_spec(session: Session, template_id: int) -> DocSpec | None:
    t = session.get(DocumentTemplate, template_id)
    return DocSpec.of(t) if t else None


# ---- logos ----------------------------------------------------------------------------------------

_logo_cache: dict[str, str] = {}  # sha -> data: URI; a logo's content never changes under its hash


def store_logo(session: Session, data: bytes, *, operator_id: int | None = None) -> str:
    """Checks an uploaded logo (PNG or JPEG, at most 512 KB and 2000×2000 px, really decodable) and
    stores it by its hash; returns the hash. Raises DocumentFormError."""
    permissions.require(session, operator_id, permissions.SETTINGS_DOCUMENTS)
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise DocumentFormError({"logo": "ロゴ画像のファイルが空です。"})
    if len(data) > LOGO_MAX_BYTES:
        raise DocumentFormError({"logo": f"ロゴ画像は{LOGO_MAX_BYTES // 1024}KB以下のファイルにしてください。"})
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, (w, h) = img.format, img.size
            if w > LOGO_MAX_PIXELS or h > LOGO_MAX_PIXELS:
                raise DocumentFormError(
                    {"logo": f"ロゴ画像は{LOGO_MAX_PIXELS}×{LOGO_MAX_PIXELS}ピクセル以内にしてください。"}
                )
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise DocumentFormError({"logo": "ロゴ画像はPNGまたはJPEGのファイルを選択してください。"}) from exc
    if fmt not in LOGO_TYPES:
        raise DocumentFormError({"logo": "ロゴ画像はPNGまたはJPEGのファイルを選択してください。"})
    sha = hashlib.sha256(data).hexdigest()
    if session.get(DocumentLogo, sha) is None:
        session.add(DocumentLogo(sha256=sha, media_type=LOGO_TYPES[fmt], data=data))
        session.commit()
    return sha


def logo_data_uri(session: Session | Any, sha: str | None) -> str | None:
    """The logo as a data: URI (what the renderer embeds), cached per process by its hash."""
    if not sha:
        return None
    if sha not in _logo_cache:
        row = session.execute(
            select(DocumentLogo.media_type, DocumentLogo.data).where(DocumentLogo.sha256 == sha)
        ).first()
        if row is None:
            return None
        _logo_cache[sha] = logo_uri(row[0], bytes(row[1]))
    return _logo_cache[sha]


# ---- validation -----------------------------------------------------------------------------------


def sample_doc() -> OrderDoc:
    """An order with both tax rates, points and a reduced-rate item: what saving a template renders."""
    items = [ItemLine("薬用美白美容液 30mL", 4980, 1, 10), ItemLine("乳酸菌サプリ 30日分", 3980, 2, 8)]
    subtotal = sum(i.amount for i in items)
    doc = OrderDoc(
        order_id=0, number="SAMPLE-000001", ordered_on=date(2026, 11, 1), shipped_on=date(2026, 11, 2),
        payment_method="クレジットカード", payment_code="credit", delivery_company="ヤマト運輸",
        tracking_number="1234-5678-9012", customer_name="山田 太郎", postal_code="100-0001",
        address="東京都千代田区千代田1-1", phone="090-0000-0000", subtotal=subtotal, shipping_fee=600,
        payment_fee=0, points_used=100, points_granted=129, total=subtotal + 600 - 100,
        items=items, memos=["ギフト包装希望"],
    )  # fmt: skip
    doc.placeholders = sample_context()
    return doc


def _normalize_regno(value: str) -> str:
    return re.sub(r"[\s\-ー‐]", "", value.strip()).upper().replace("Ｔ", "T")


def check_spec(spec: DocSpec, shop_name: str, logo: str | None = None) -> dict[str, str]:
    """Every error of a template, by field; {} when it renders a sample order. The same checks run when
    a PDF一括出力 job is registered with it."""
    errors: dict[str, str] = {}
    if spec.kind not in DOC_KINDS:
        errors["kind"] = "帳票の種類が正しくありません。"
        return errors
    if not spec.title.strip():
        errors["title"] = "タイトルを入力してください。"
    elif len(spec.title) > TITLE_MAX:
        errors["title"] = f"タイトルは{TITLE_MAX}文字以内で入力してください。"
    unknown = [f for f in spec.fields if f not in FIELDS]
    if unknown:
        errors["fields"] = "出力項目の指定が正しくありません。"
    elif not spec.fields:
        errors["fields"] = "出力項目を1つ以上選択してください。"
    elif len(set(spec.fields)) != len(spec.fields):
        errors["fields"] = "出力項目が重複しています。"
    elif spec.kind in INVOICE_KINDS and (missing := [FIELDS[f] for f in REQUIRED_FOR_INVOICE if f not in spec.fields]):
        errors["fields"] = (
            f"{kind_label(spec.kind)}は適格請求書の記載事項として「{'」「'.join(missing)}」を出力してください。"
        )
    if len(spec.shop_name) > 100:
        errors["shop_name"] = "ショップ名は100文字以内で入力してください。"
    if spec.shop_postal_code and not POSTAL.fullmatch(spec.shop_postal_code):
        errors["shop_postal_code"] = "郵便番号は「150-0001」の形式で入力してください。"
    if len(spec.shop_address) > 255:
        errors["shop_address"] = "住所は255文字以内で入力してください。"
    if spec.shop_phone and not PHONE.fullmatch(spec.shop_phone):
        errors["shop_phone"] = "電話番号は数字とハイフンで入力してください。"
    if spec.registration_number:
        if message := registration_number_error(spec.registration_number):
            errors["registration_number"] = message
    elif spec.kind in INVOICE_KINDS:
        errors["registration_number"] = (
            f"{kind_label(spec.kind)}には適格請求書発行事業者の登録番号(T+13桁)を入力してください。"
        )
    if len(spec.remarks) > REMARKS_MAX:
        errors["remarks"] = f"備考は{REMARKS_MAX}文字以内で入力してください。"
    ctx = sample_context(spec.shop_name or shop_name)
    texts = [("remarks", "備考", spec.remarks)]
    if spec.kind == "receipt":
        texts.append(("receipt_addressee", "宛名", spec.receipt_addressee))
        texts.append(("receipt_note", "但し書き", spec.receipt_note))
        for key, label, source in texts[1:]:
            if not source.strip():
                errors[key] = f"{label}を入力してください。"
            elif len(source) > 255:
                errors[key] = f"{label}は255文字以内で入力してください。"
    for key, label, source in texts:
        if key in errors or not source.strip():
            continue
        try:
            render(source, ctx, label)
        except MailTemplateError as exc:
            errors[key] = str(exc)
    for key, label, value in (
        ("title", "タイトル", spec.title), ("shop_name", "ショップ名", spec.shop_name),
        ("shop_address", "住所", spec.shop_address), ("remarks", "備考", spec.remarks),
    ):  # fmt: skip
        if key not in errors and (lacking := missing_glyphs(value)):
            chars = "」「".join(sorted(lacking))
            errors[key] = f"{label}の「{chars}」はPDFのフォントにないため印刷できません。別の文字にしてください。"
    if errors:
        return errors
    try:
        rendered = render_documents([sample_doc()], spec, today_jst(), logo, shop_name)
    except DocumentError as exc:
        return {"render": str(exc)}
    except Exception as exc:  # noqa: BLE001 - whatever breaks the renderer is the template's problem here
        return {"render": f"見本の受注で帳票を作成できませんでした: {exc}"}
    if rendered.failed:
        return {"render": "見本の受注で帳票を作成できませんでした: " + next(iter(rendered.failed.values()))}
    return {}


def _spec_from_form(form: dict[str, Any], kind: str, name: str) -> DocSpec:
    raw_fields = form.get("fields") or []
    fields = tuple(str(f) for f in (raw_fields.split(",") if isinstance(raw_fields, str) else raw_fields) if f)

    def text(key: str) -> str:
        return str(form.get(key) or "").strip()

    return DocSpec(
        name=name, kind=kind, title=text("title"), fields=fields, shop_name=text("shop_name"),
        shop_postal_code=text("shop_postal_code"), shop_address=text("shop_address"), shop_phone=text("shop_phone"),
        registration_number=_normalize_regno(text("registration_number")), logo_sha=text("logo_sha") or None,
        remarks=str(form.get("remarks") or "").rstrip(), receipt_addressee=text("receipt_addressee"),
        receipt_note=text("receipt_note"),
    )  # fmt: skip


def save_template(session: Session, template_id: int, form: dict[str, Any], *, operator_id: int | None = None) -> int:
    """Updates a template from the form; raises DocumentFormError, writing nothing. A system document
    keeps its name and kind; an operator's copy keeps the kind it was copied from (its legal rules)."""
    permissions.require(session, operator_id, permissions.SETTINGS_DOCUMENTS)
    t = session.get(DocumentTemplate, template_id)
    if t is None:
        raise DocumentFormError({"id": "帳票が見つかりません。"})
    name = t.name if t.is_system else str(form.get("name") or "").strip()
    spec = _spec_from_form(form, t.kind, name)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "帳票名を入力してください。"
    elif len(name) > NAME_MAX:
        errors["name"] = f"帳票名は{NAME_MAX}文字以内で入力してください。"
    elif _name_taken(session, name, template_id):
        errors["name"] = f"「{name}」という名前の帳票は既にあります。"
    logo = logo_data_uri(session, spec.logo_sha)
    if spec.logo_sha and logo is None:
        errors["logo"] = "ロゴ画像が見つかりません。もう一度アップロードしてください。"
    errors.update(check_spec(spec, default_shop_name(session), logo) if not errors else {})
    if errors:
        raise DocumentFormError(errors)
    t.name, t.title, t.fields = spec.name, spec.title, json.dumps(list(spec.fields))
    t.shop_name, t.shop_postal_code, t.shop_address = spec.shop_name, spec.shop_postal_code, spec.shop_address
    t.shop_phone, t.registration_number, t.logo_sha = spec.shop_phone, spec.registration_number, spec.logo_sha
    t.remarks, t.receipt_addressee, t.receipt_note = spec.remarks, spec.receipt_addressee, spec.receipt_note
    t.updated_at = utcnow()
    session.add(t)
    audit.settings_changed(session, operator_id, AREA, f"帳票「{t.name}」(#{t.id})を保存")
    session.commit()
    return int(t.id or 0)


def copy_template(session: Session, template_id: int, *, operator_id: int | None = None) -> int:
    """「コピー」: a new operator template with everything of the source, named 「…のコピー」."""
    permissions.require(session, operator_id, permissions.SETTINGS_DOCUMENTS)
    src = session.get(DocumentTemplate, template_id)
    if src is None:
        raise DocumentFormError({"id": "帳票が見つかりません。"})
    base = f"{src.name}のコピー"[:NAME_MAX]
    name, n = base, 2
    while _name_taken(session, name, None):
        name, n = f"{base}({n})"[:NAME_MAX], n + 1
    t = DocumentTemplate(
        name=name, kind=src.kind, is_system=False, title=src.title, fields=src.fields, shop_name=src.shop_name,
        shop_postal_code=src.shop_postal_code, shop_address=src.shop_address, shop_phone=src.shop_phone,
        registration_number=src.registration_number, logo_sha=src.logo_sha, remarks=src.remarks,
        receipt_addressee=src.receipt_addressee, receipt_note=src.receipt_note,
    )  # fmt: skip
    session.add(t)
    session.flush()
    audit.settings_changed(session, operator_id, AREA, f"帳票「{src.name}」を「{t.name}」(#{t.id})にコピー")
    session.commit()
    return int(t.id or 0)


def delete_template(session: Session, template_id: int, *, operator_id: int | None = None) -> str:
    permissions.require(session, operator_id, permissions.SETTINGS_DOCUMENTS)
    t = session.get(DocumentTemplate, template_id)
    if t is None:
        raise DocumentFormError({"id": "帳票が見つかりません。"})
    if t.is_system:
        raise DocumentFormError({"id": f"システム帳票「{t.name}」は削除できません。"})
    name = t.name
    audit.settings_changed(session, operator_id, AREA, f"帳票「{name}」(#{template_id})を削除")
    session.delete(t)
    session.commit()
    return name


def _name_taken(session: Session, name: str, template_id: int | None) -> bool:
    q = select(func.count()).select_from(DocumentTemplate).where(DocumentTemplate.name == name)
    if template_id:
        q = q.where(DocumentTemplate.id != template_id)
    return bool(session.execute(q).scalar_one())
