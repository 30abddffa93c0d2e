"""CSV管理: create, edit, copy and delete export formats, with the form's validation in Japanese."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core import audit, permissions
from ecweb_core.csvexport.columns import _DEFS, GROUPS, SURVEY_QUESTION_PREFIX, allowed_sources, column_def
from ecweb_core.errors import FormError
from ecweb_core.models import CsvFormat, SurveyAnswer
from ecweb_core.models.common import fmt_jst, utcnow

PURPOSES = {"order": "受注CSV(CSV一括出力)", "survey": "アンケート結果CSV"}
UNITS = {"order": "受注単位", "item": "受注明細単位"}
NAME_MAX, LABEL_MAX, COLUMNS_MAX = 100, 100, 200
NOT_FOUND = "CSVフォーマットが見つかりません。"


class FormatError(FormError):
    """Bad CSV管理 input: nothing saved."""


@dataclass
class FormatRow:
    id: int
    name: str
    purpose: str
    purpose_label: str
    unit: str
    unit_label: str
    column_count: int
    updated_at: str


@dataclass(frozen=True)
class FormatSpec:
    """A validated format, as an export job snapshots it (later edits do not change a running job)."""

    name: str
    purpose: str
    unit: str
    columns: list[tuple[str, str]]

    def to_params(self) -> dict[str, Any]:
        return {"format_name": self.name, "purpose": self.purpose, "unit": self.unit, "columns": self.columns}

    @classmethod
    def from_params(cls, p: dict[str, Any]) -> FormatSpec:
        return cls(p["format_name"], p["purpose"], p["unit"], [(k, lb) for k, lb in p["columns"]])


def columns_of(fmt: CsvFormat) -> list[tuple[str, str]]:
    return [(k, lb) for k, lb in json.loads(fmt.columns or "[]")]


def spec_of(fmt: CsvFormat) -> FormatSpec:
    return FormatSpec(fmt.name, fmt.purpose, fmt.unit, columns_of(fmt))


def list_formats(session: Session, purpose: str | None = None) -> list[FormatRow]:
    q = select(CsvFormat).order_by(CsvFormat.id)
    if purpose:
        q = q.where(CsvFormat.purpose == purpose)
    return [
        FormatRow(
            id=int(f.id or 0),
            name=f.name,
            purpose=f.purpose,
            purpose_label=PURPOSES.get(f.purpose, f.purpose),
            unit=f.unit,
            unit_label=UNITS.get(f.unit, f.unit),
            column_count=len(columns_of(f)),
            updated_at=fmt_jst(f.updated_at),
        )
        for f in session.execute(q).scalars()
    ]


def get_format(session: Session, format_id: int) -> CsvFormat:
    fmt = session.get(CsvFormat, format_id)
    if fmt is None:
        raise FormatError({"format": NOT_FOUND})
    return fmt


def available_columns(session: Session, purpose: str, unit: str) -> list[tuple[str, str, str]]:
    """(key, default label, group label) of every column the format may hold, in catalogue order;
    for survey formats also one column per question that has answers."""
    sources = allowed_sources(purpose, unit)
    out = [(c.key, c.label, c.group) for c in _DEFS if c.source in sources]
    if "survey" in sources:
        qa = SurveyAnswer.__table__.c
        for (question,) in session.execute(select(qa.question).distinct().order_by(qa.question).limit(100)):
            out.append((SURVEY_QUESTION_PREFIX + question, question, GROUPS["survey"] + "(質問)"))
    return out


def validate(
    session: Session, name: str, purpose: str, unit: str, columns: list[tuple[str, str]], format_id: int | None
) -> FormatSpec:
    """Checks a format's form; raises FormatError with one Japanese message per bad field."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "フォーマット名を入力してください。"
    elif len(name) > NAME_MAX:
        errors["name"] = f"フォーマット名は{NAME_MAX}文字以内で入力してください。"
    else:
        same = select(CsvFormat.id).where(CsvFormat.name == name)
        if format_id is not None:
            same = same.where(CsvFormat.id != format_id)
        if session.execute(same).first() is not None:
            errors["name"] = f"フォーマット名「{name}」は既に使われています。"
    if purpose not in PURPOSES:
        errors["purpose"] = "用途を選択してください。"
    if unit not in UNITS:
        errors["unit"] = "出力単位(受注単位 / 受注明細単位)を選択してください。"
    if not columns:
        errors["columns"] = "出力項目を1つ以上追加してください。"
    elif len(columns) > COLUMNS_MAX:
        errors["columns"] = f"出力項目は{COLUMNS_MAX}個以内にしてください。"
    clean: list[tuple[str, str]] = []
    if "purpose" not in errors and "unit" not in errors:
        clean = _check_columns(columns, purpose, unit, errors)
    if errors:
        raise FormatError(errors)
    return FormatSpec(name, purpose, unit, clean)


def _check_columns(
    columns: list[tuple[str, str]], purpose: str, unit: str, errors: dict[str, str]
) -> list[tuple[str, str]]:
    sources = allowed_sources(purpose, unit)
    seen: set[str] = set()
    clean: list[tuple[str, str]] = []
    for n, (key, label) in enumerate(columns, 1):
        col = column_def(key)
        label = (label or "").strip()
        if col is None:
            errors.setdefault("columns", f"{n}列目: 存在しない項目「{key}」は指定できません。")
        elif col.source not in sources:
            where = "受注明細単位" if col.source == "item" else "アンケート結果CSV"
            errors.setdefault("columns", f"{n}列目: 「{col.label}」は{where}のフォーマットでのみ使えます。")
        elif key in seen:
            errors.setdefault("columns", f"{n}列目: 「{col.label}」が重複しています。")
        elif len(label) > LABEL_MAX:
            errors.setdefault("labels", f"{n}列目: 見出しは{LABEL_MAX}文字以内で入力してください。")
        elif any(ch in label for ch in "\r\n"):
            errors.setdefault("labels", f"{n}列目: 見出しに改行は使えません。")
        else:
            seen.add(key)
            clean.append((key, label or col.label))
    return clean


def save_format(
    session: Session,
    format_id: int | None,
    name: str,
    purpose: str,
    unit: str,
    columns: list[tuple[str, str]],
    *,
    operator_id: int | None = None,
) -> CsvFormat:
    permissions.require(session, operator_id, permissions.SETTINGS_CSV)
    spec = validate(session, name, purpose, unit, columns, format_id)
    fmt = CsvFormat() if format_id is None else get_format(session, format_id)
    fmt.name, fmt.purpose, fmt.unit = spec.name, spec.purpose, spec.unit
    fmt.columns = json.dumps(spec.columns, ensure_ascii=False)
    fmt.updated_at = utcnow()
    session.add(fmt)
    session.flush()
    audit.settings_changed(session, operator_id, "CSV管理", f"フォーマット「{fmt.name}」(#{fmt.id})を保存")
    session.commit()
    session.refresh(fmt)
    return fmt


def copy_format(session: Session, format_id: int, *, operator_id: int | None = None) -> CsvFormat:
    permissions.require(session, operator_id, permissions.SETTINGS_CSV)
    src = get_format(session, format_id)
    base = f"{src.name} のコピー"[:NAME_MAX]
    name, n = base, 1
    while session.execute(select(func.count()).where(CsvFormat.name == name)).scalar_one():
        n += 1
        suffix = f" ({n})"
        name = base[: NAME_MAX - len(suffix)] + suffix
    return save_format(session, None, name, src.purpose, src.unit, columns_of(src), operator_id=operator_id)


def delete_format(session: Session, format_id: int, *, operator_id: int | None = None) -> None:
    permissions.require(session, operator_id, permissions.SETTINGS_CSV)
    fmt = get_format(session, format_id)
    audit.settings_changed(session, operator_id, "CSV管理", f"フォーマット「{fmt.name}」(#{format_id})を削除")
    session.delete(fmt)
    session.commit()
