"""The rule list of 設定 > 自動化設定: create (with the seed's uniqueness), enable / disable,
delete and reorder. Positions are kept dense (1..n) so 先頭 / 末尾 / a drop are one renumbering."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from ecweb_core import audit, permissions
from ecweb_core.automation.catalog import ACTIONS, EVENTS, action_params, event_label, event_values, param_label
from ecweb_core.errors import FormError
from ecweb_core.models import AutomationRule
from ecweb_core.models.common import fmt_jst, utcnow

RULES = AutomationRule.__table__
AREA = "自動化設定"
DUPLICATE = "同じイベントとアクションの組み合わせを複数(2つ以上)登録できません。"


@dataclass
class RuleRow:
    id: int
    position: int
    event: str
    action: str
    param: str
    enabled: bool
    enabled_at: str


def rule_label(conn: Connection, rule: AutomationRule | RuleRow | object) -> str:
    r = rule
    return (
        f"{event_label(conn, r.event, r.event_value)} / {ACTIONS.get(r.action, r.action)}"  # type: ignore[attr-defined]
        f" / {param_label(conn, r.action, r.param)}"  # type: ignore[attr-defined]
    )


def list_rules(conn: Connection) -> list[RuleRow]:
    rows = conn.execute(select(RULES).order_by(RULES.c.position, RULES.c.id)).all()
    return [
        RuleRow(
            id=r.id,
            position=r.position,
            event=event_label(conn, r.event, r.event_value),
            action=ACTIONS.get(r.action, r.action),
            param=param_label(conn, r.action, r.param),
            enabled=r.enabled,
            enabled_at=fmt_jst(r.enabled_at),
        )
        for r in rows
    ]


def parse_rule_form(conn: Connection, form: dict[str, str]) -> tuple[str, str, str, str]:
    """① イベント (+ ○○○), ② アクション, ③ パラメーター, each checked against its choice list."""
    event = (form.get("event") or "").strip()
    value = (form.get("event_value") or "").strip()
    if "|" in event:  # the screen's single ① select: "status|40"
        event, _, value = event.partition("|")
    action = (form.get("action") or "").strip()
    param = (form.get("param") or "").strip()
    errors: dict[str, str] = {}
    kind = EVENTS.get(event)
    if kind is None:
        errors["event"] = "イベントを選択してください。"
    elif kind.takes_value and value not in dict(event_values(conn, event)):
        errors["event_value"] = "イベントの条件(○○○)を選択してください。"
    elif not kind.takes_value:
        value = ""
    if action not in ACTIONS:
        errors["action"] = "アクションを選択してください。"
    elif param not in dict(action_params(conn, action)):
        errors["param"] = "パラメーターを選択してください。"
    if errors:
        raise FormError(errors)
    return event, value, action, param


def create_rule(conn: Connection, form: dict[str, str], operator_id: int | None = None) -> int:
    """Registers a rule at the end of the list, 無効 until the operator enables it."""
    permissions.require(conn, operator_id, permissions.AUTOMATION)
    event, value, action, param = parse_rule_form(conn, form)
    taken = conn.execute(
        select(RULES.c.id).where(RULES.c.event == event, RULES.c.event_value == value, RULES.c.action == action)
    ).first()
    if taken is not None:
        raise FormError({"action": DUPLICATE})
    last = conn.execute(select(func.coalesce(func.max(RULES.c.position), 0))).scalar_one()
    result = conn.execute(
        RULES.insert().values(
            position=last + 1,
            event=event,
            event_value=value,
            action=action,
            param=param,
            enabled=False,
            operator_id=operator_id,
            created_at=utcnow(),
        )
    )
    rule_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    audit.settings_changed(conn, operator_id, AREA, f"ルール #{rule_id} を登録")
    return rule_id


def set_enabled(conn: Connection, rule_id: int, enabled: bool, *, operator_id: int | None = None) -> None:
    """Enabling stamps enabled_at: events before it are never processed by this rule (not retroactive)."""
    permissions.require(conn, operator_id, permissions.AUTOMATION)
    values: dict[str, object] = {"enabled": enabled}
    if enabled:
        values["enabled_at"] = utcnow()
    done = conn.execute(update(RULES).where(RULES.c.id == rule_id, RULES.c.enabled.is_(not enabled)).values(**values))
    if done.rowcount:
        audit.settings_changed(conn, operator_id, AREA, f"ルール #{rule_id} を{'有効' if enabled else '無効'}に")


def delete_rule(conn: Connection, rule_id: int, *, operator_id: int | None = None) -> None:
    permissions.require(conn, operator_id, permissions.AUTOMATION)
    if conn.execute(RULES.delete().where(RULES.c.id == rule_id)).rowcount:
        audit.settings_changed(conn, operator_id, AREA, f"ルール #{rule_id} を削除")
    _renumber(conn, [i for i in _ids_in_order(conn)])


def move_rule(conn: Connection, rule_id: int, where: str | int, *, operator_id: int | None = None) -> None:
    """where: "top" (先頭), "bottom" (末尾), "up", "down", or the 0-based index a drag dropped it at."""
    permissions.require(conn, operator_id, permissions.AUTOMATION)
    ids = _ids_in_order(conn)
    if rule_id not in ids:
        return
    index = ids.index(rule_id)
    ids.remove(rule_id)
    target = {"top": 0, "bottom": len(ids), "up": max(0, index - 1), "down": min(len(ids), index + 1)}.get(str(where))
    if target is None:
        if not str(where).lstrip("-").isdigit():
            return  # a crafted value: nothing moves
        target = max(0, min(len(ids), int(where)))
    ids.insert(target, rule_id)
    _renumber(conn, ids)
    audit.settings_changed(conn, operator_id, AREA, f"ルール #{rule_id} の順序を変更")


def _ids_in_order(conn: Connection) -> list[int]:
    return list(conn.execute(select(RULES.c.id).order_by(RULES.c.position, RULES.c.id)).scalars())


def _renumber(conn: Connection, ids: list[int]) -> None:
    for position, rule_id in enumerate(ids, start=1):
        conn.execute(update(RULES).where(RULES.c.id == rule_id, RULES.c.position != position).values(position=position))
