"""メールテンプレート管理 and the sandboxed renderer."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.mail.defaults import SYSTEM_TEMPLATES
from ecweb_core.mail.render import RENDER_SECONDS, MailTemplateError, render, sample_context, validate
from ecweb_core.mail.templates import TemplateFormError, delete_template, list_templates, save_template
from ecweb_core.models import MailTemplate

FORM = {"name": "キャンペーン", "subject": "{{ shop.name }}より", "body": "{{ customer.name }} 様", "cc": "", "bcc": ""}


def test_render_placeholders_and_items_loop() -> None:
    ctx = sample_context("テスト店")
    out = render(
        "{{ order.number }} {{ customer.name }} {% for i in items %}[{{ i.name }}]{% endfor %} {{ shop.name }}", ctx
    )
    assert out == "SAMPLE-000001 山田 太郎 [美容液 30ml] テスト店"
    assert render("{{ order.total | yen }}", ctx) == "¥4,580"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ order.__dict__ }}",
        "{{ items.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ order.number.format.__globals__ }}",
    ],
)
def test_sandbox_refuses_python_internals(source: str) -> None:
    with pytest.raises(MailTemplateError) as err:
        render(source, sample_context())
    assert "使用できない" in str(err.value) or "不明な差し込み項目" in str(err.value)


def test_dicts_methods_are_not_reachable() -> None:
    # Namespaces, not dicts: `order.items` is not a method that prints its repr.
    with pytest.raises(MailTemplateError, match="不明な差し込み項目"):
        render("{{ order.items }}", sample_context())


def test_validate_messages_are_japanese() -> None:
    assert validate("", "x") == {"subject": "件名を入力してください。"}
    errors = validate("{{ order.numbr }}", "{% if %}")
    assert "不明な差し込み項目" in errors["subject"] and "書式に誤り" in errors["body"] and "1行目" in errors["body"]


def test_system_templates_render_against_the_sample() -> None:
    for t in SYSTEM_TEMPLATES:
        assert validate(t["subject"], t["body"]) == {}


def test_four_system_templates_exist_and_cannot_be_deleted(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        rows = list_templates(s)
        assert [r.name for r in rows if r.is_system] == [t["name"] for t in SYSTEM_TEMPLATES]
        with pytest.raises(TemplateFormError, match="削除できません"):
            delete_template(s, rows[0].id)
        # Editable, but the name stays (automation finds it by name).
        save_template(s, rows[0].id, {**FORM, "name": "別名", "subject": "ご注文ありがとうございます"})
        t = s.get(MailTemplate, rows[0].id)
        assert t is not None and t.name == "注文完了メール" and t.subject == "ご注文ありがとうございます"


def test_create_edit_delete_an_operator_template(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        tid = save_template(s, None, FORM)
        save_template(s, tid, {**FORM, "body": "{{ customer.kana }} 様", "bcc": "log@example.jp"})
        t = s.get(MailTemplate, tid)
        assert t is not None and t.body == "{{ customer.kana }} 様" and t.bcc == "log@example.jp"
        delete_template(s, tid)
        assert s.get(MailTemplate, tid) is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"body": "{{ customer.nickname }}"}, "body", "不明な差し込み項目"),
        ({"subject": "{{ order.number"}, "subject", "書式に誤り"),
        ({"body": "{{ ''.__class__ }}"}, "body", "使用できない項目"),
        ({"name": ""}, "name", "テンプレート名を入力してください。"),
        ({"name": "注文完了メール"}, "name", "既にあります"),
        ({"bcc": "a@b"}, "bcc", "BCCのメールアドレスが正しくありません"),
    ],
)
def test_bad_templates_are_refused_at_save(empty_engine: Engine, change: dict, field: str, message: str) -> None:
    with Session(empty_engine) as s:
        before = s.execute(select(MailTemplate.id)).scalars().all()
        with pytest.raises(TemplateFormError) as err:
            save_template(s, None, {**FORM, **change})
        assert message in err.value.errors[field]
        assert s.execute(select(MailTemplate.id)).scalars().all() == before


def test_a_template_that_would_loop_for_ever_is_refused_within_its_budget() -> None:
    """The sandbox bounds one range(), not loops nested in each other: the render budget bounds the
    time (loops without output too) and the output, in Japanese, at save time."""
    silent = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    started = time.monotonic()
    assert validate("件名", silent) == {"body": f"本文: 展開に時間がかかりすぎます({RENDER_SECONDS:g}秒まで)。"}
    assert time.monotonic() - started < RENDER_SECONDS * 5  # it stopped, it did not run 10^10 turns
    loud = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
    assert validate("件名", loud) == {"body": "本文: 展開後の文字数が多すぎます(200,000文字まで)。"}
    # range() is still a sequence for the templates that use it as one.
    assert validate("件名", "{{ range(5)|length }}{% for i in range(3) %}{{ loop.last }}{% endfor %}") == {}
