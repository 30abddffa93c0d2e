"""Every event handler of every State, called through Reflex's own event processing (the processor
the websocket feeds) by a tab without a session: nothing changes — no state delta, no row of the
database — and the tab is sent to /login. AuthState's own handlers (login, logout, the page guards)
are the only public ones."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import typing
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from reflex.event import Event
from reflex.istate.manager.memory import StateManagerMemory
from reflex.state import State, StateUpdate, UpdateVarsInternalState
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import ecweb.ecweb  # noqa: F401 - every page, so every State the app declares
from ecweb_core import auth
from ecweb_core.demo import (
    DEMO_LOGIN,
    DEMO_PASSWORD,
    DEMO_STAFF_LOGIN,
    DEMO_STAFF_PASSWORD,
    DEMO_VIEWER_LOGIN,
    DEMO_VIEWER_PASSWORD,
    generate,
)
from ecweb_core.models import Order
from ecweb_state.auth import COOKIE, AuthState
from ecweb_state.automation import AutomationState
from ecweb_state.integrations import IntegrationsState
from ecweb_state.job_forms import BulkUpdateFormState, PaymentFormState
from ecweb_state.mail import MailTemplatesState
from ecweb_state.master_lists import MasterListState
from ecweb_state.operators import OperatorsState
from ecweb_state.order_edit import OrderEditState
from ecweb_state.orders import OrdersState
from tests.conftest import DEMO_NOW
from tests.dbs import fresh_database
from tests.redis_server import private_redis

T = TypeVar("T")
PUBLIC = {"go_home", "redirect_if_logged_in", "require_login", "logout", "setvar"}
TO_LOGIN = {"path": "/login", "external": False, "popup": False, "replace": False}


def _states() -> list[type[AuthState]]:
    found: list[type[AuthState]] = []
    todo = [AuthState]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.get_full_name())


def _handlers() -> list[tuple[type[AuthState], str]]:
    return [(cls, name) for cls in _states() for name in sorted(cls.event_handlers)]


def _dummy(annotation: Any) -> Any:
    """An argument of the handler's declared type (what a hostile client could send)."""
    origin = typing.get_origin(annotation) or annotation
    if origin in (int, float):
        return 1
    if origin is bool:
        return True
    if origin is dict:
        return {"status_id": "40", "memo": "x", "name": "x", "login": "x", "password": "x"}
    if origin is list:
        return []
    return "1"


def _payload(cls: type[AuthState], name: str) -> dict[str, Any]:
    handler = cls.event_handlers[name]
    if name == "setvar":
        var = next(iter(cls.base_vars), "x")
        return {"var_name": var, "value": "1"}
    hints = typing.get_type_hints(handler.fn)
    params = list(inspect.signature(handler.fn).parameters.values())[1:]
    return {p.name: _dummy(hints.get(p.name, str)) for p in params if p.default is inspect.Parameter.empty}


class _Namespace:
    """Stands in for the websocket: keeps what the processor would send to the browser."""

    def __init__(self) -> None:
        self.updates: list[StateUpdate] = []

    async def emit_update(self, update: StateUpdate, token: str) -> None:
        self.updates.append(update)


async def _send(proc: BaseStateEventProcessor, token: str, name: str, payload: dict[str, Any] | None = None,
                router: dict[str, Any] | None = None) -> None:  # fmt: skip
    future = await proc.enqueue(token, Event(name=name, payload=payload or {}, router_data=router or {}))
    await future.wait_all()


def _in_thread(run: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run on a thread of its own: Playwright's sync API (the e2e tests, same process) keeps
    an event loop running on the main thread. The thread gets this context: Reflex finds its
    registered states and handlers through a context variable."""
    context = contextvars.copy_context()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(context.run, lambda: asyncio.run(run())).result()


def _fingerprint(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a handler that wrote anything changes it."""
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in SQLModel.metadata.sorted_tables
        }


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, str]]:
    folder = tmp_path_factory.mktemp("guard")
    with private_redis(folder) as redis_url, fresh_database("sqlite", folder) as engine:
        generate(engine, 30, seed=3, now=DEMO_NOW)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
            mp.setenv("REDIS_URL", redis_url)
            mp.setenv("ECWEB_JOB_FILES_DIR", str(Path(folder) / "jobs"))
            yield engine, redis_url


def test_every_handler_is_found() -> None:
    names = {(c.__name__, n) for c, n in _handlers()}
    assert {("AutomationState", "acknowledge"), ("OrdersState", "on_load"), ("MailDialogState", "set_field"),
            ("JobFormState", "submit"), ("OrderEditState", "load_choices"), ("CsvSettingsState", "set_purpose"),
            ("NotificationState", "dismiss"), ("MasterListState", "confirm_delete"),
            ("DeliverySettingsState", "save_company"), ("PaymentSettingsState", "set_tier"),
            ("ProductFeesState", "save"), ("OrderSettingsState", "save"),
            ("OrderEditState", "save_labels")} <= names  # fmt: skip
    assert not [(c, n) for c, n in names if n in ("on_note", "receive", "_on_note")]  # helpers are private


def test_without_a_session_no_handler_changes_anything(app_env: tuple[Engine, str]) -> None:
    engine, _ = app_env
    before = _fingerprint(engine)
    handlers = [(c, n) for c, n in _handlers() if not (c is AuthState and n in PUBLIC)]
    assert len(handlers) > 60

    async def run() -> dict[str, list[StateUpdate]]:
        seen: dict[str, list[StateUpdate]] = {}
        ns = _Namespace()
        proc = BaseStateEventProcessor().configure(state_manager=StateManagerMemory(), event_namespace=ns)
        async with proc:
            for n, (cls, name) in enumerate(handlers):
                token = f"anonymous-{n}"  # a fresh tab each: nothing left over from another handler
                await _send(proc, token, f"{State.get_full_name()}.hydrate")
                await _send(proc, token, f"{State.get_full_name()}.set_is_hydrated", {"value": True})
                ns.updates.clear()
                await _send(proc, token, f"{cls.get_full_name()}.{name}", _payload(cls, name))
                seen[f"{cls.__name__}.{name}"] = list(ns.updates)
        return seen

    seen = _in_thread(run)
    problems = {}
    for handler, updates in seen.items():
        deltas = [u.delta for u in updates if u.delta]
        events = [(e.name, e.payload) for u in updates for e in u.events]
        if deltas or events != [("_redirect", TO_LOGIN)]:
            problems[handler] = (deltas, events)
    assert problems == {}
    assert _fingerprint(engine) == before


def _login(engine: Engine) -> str:
    with Session(engine) as s:
        session_token = auth.login(s, DEMO_LOGIN, DEMO_PASSWORD)
        s.commit()
    assert session_token
    return session_token


def _handshake(session_token: str) -> dict[str, Any]:
    """The router data a connection's handshake headers give every event: the session cookie."""
    return {"headers": {"cookie": f"{COOKIE}={session_token}"}}


def _signed_in_tab(steps: Callable[[BaseStateEventProcessor, str], Coroutine[Any, Any, None]],
                   session_token: str) -> list[StateUpdate]:  # fmt: skip
    """A tab whose websocket handshake carried the session cookie (Reflex keeps the handshake's
    headers per connection and adds them to every event), then
    `steps`; returns what was sent to the browser during the steps."""

    async def run() -> list[StateUpdate]:
        ns = _Namespace()
        proc = BaseStateEventProcessor().configure(state_manager=StateManagerMemory(), event_namespace=ns)
        async with proc:
            token = "signed-in"
            await _send(proc, token, f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal",
                        {"vars": {}}, router={"token": token, "pathname": "/login", "query": {},
                                              **_handshake(session_token)})  # fmt: skip
            ns.updates.clear()
            await steps(proc, token)
        return ns.updates

    return _in_thread(run)


def test_with_a_session_handlers_run_and_the_tab_registers_once(app_env: tuple[Engine, str]) -> None:
    """The control: the same processing with a session does change state (so the test above can
    fail), and the tab registers for notifications once, not on every event."""
    engine, redis_url = app_env
    session_token = _login(engine)
    client = redis.Redis.from_url(redis_url)
    client.config_resetstat()

    async def steps(proc: BaseStateEventProcessor, token: str) -> None:
        for tab in ("runs", "rules", "runs"):
            await _send(proc, token, f"{AutomationState.get_full_name()}.set_tab", {"tab": tab})

    updates = _signed_in_tab(steps, session_token)
    tabs = [d["tab_rx_state_"] for u in updates for d in u.delta.values() if "tab_rx_state_" in d]
    assert tabs == ["runs", "rules", "runs"]
    assert not [e for u in updates for e in u.events]
    zadds = int(client.info("commandstats").get("cmdstat_zadd", {}).get("calls", 0))
    assert zadds == 1


def test_a_logged_out_session_is_refused_at_once(app_env: tuple[Engine, str]) -> None:
    """After logout (here: the session deleted, as another tab's logout does) the tab's next event
    is refused, though the tab still holds the token."""
    engine, _ = app_env
    session_token = _login(engine)

    async def steps(proc: BaseStateEventProcessor, token: str) -> None:
        with Session(engine) as s:
            auth.logout(s, session_token)
            s.commit()
        await _send(proc, token, f"{AutomationState.get_full_name()}.acknowledge")

    updates = _signed_in_tab(steps, session_token)
    events = [(e.name, e.payload) for u in updates for e in u.events]
    assert events == [("_redirect", TO_LOGIN)]
    # The tab only learns that it is signed out.
    changed = {k for u in updates for d in u.delta.values() for k in d}
    assert changed <= {"operator_name_rx_state_", "is_authenticated_rx_state_", "role_rx_state_",
                       "role_label_rx_state_", "granted_rx_state_", "can_edit_orders_rx_state_",
                       "has_settings_rx_state_", "operator_login_rx_state_"}  # fmt: skip


# ---- roles (issue 20): for each role, every handler works or refuses ----------------------------------

# Rows every signed-in tab may write whatever it does: its own session's last use and the 操作ログ.
BOOKKEEPING = {"audit_log", "operator_sessions"}
# What 一般 may change (orders and their jobs); everything else (settings, operators) stays as it is.
STAFF_TABLES = {"orders", "order_events", "order_labels", "order_memos", "jobs", "job_targets", "dunning_records",
                "subscriptions", "subscription_items", "subscription_memos", "customer_memos",
                "automation_runs"}  # fmt: skip


def _role_login(engine: Engine, login: str, password: str) -> str:
    with Session(engine) as s:
        token = auth.login(s, login, password)
        s.commit()
    assert token
    return token


def _first_order(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(Order.id).order_by(Order.id)).scalars().first() or 0)


def _order_page(engine: Engine) -> dict[str, Any]:
    """The router data of a tab on an order's detail page."""
    path = f"/orders/{_first_order(engine)}"
    return {"pathname": "/orders/[order_id]", "asPath": path, "query": {"order_id": path.rsplit("/", 1)[1]}}


def _run_every_handler(engine: Engine, session_token: str) -> dict[str, list[StateUpdate]]:
    """Every handler with its dummy payload (what a hostile client could send), in a signed-in tab of
    its own, on the page of an order (the detail states read the order id from the URL)."""
    # setvar is left out: with no setter for the var (Reflex 0.10 has no automatic ones) it raises
    # before changing anything, whatever the role.
    handlers = [(c, n) for c, n in _handlers() if not (c is AuthState and n in PUBLIC) and n != "setvar"]
    router = _order_page(engine)

    async def run() -> dict[str, list[StateUpdate]]:
        seen: dict[str, list[StateUpdate]] = {}
        ns = _Namespace()
        proc = BaseStateEventProcessor().configure(state_manager=StateManagerMemory(), event_namespace=ns)
        async with proc:
            for n, (cls, name) in enumerate(handlers):
                token = f"role-{n}"
                await _send(proc, token, f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal",
                            {"vars": {}}, router={"token": token, **router, **_handshake(session_token)})  # fmt: skip
                ns.updates.clear()
                try:
                    await _send(proc, token, f"{cls.get_full_name()}.{name}", _payload(cls, name),
                                router={"token": token, **router})  # fmt: skip
                except Exception as exc:  # noqa: BLE001 - recorded: the test shows which handler raised
                    raised[f"{cls.__name__}.{name}"] = repr(exc)
                seen[f"{cls.__name__}.{name}"] = list(ns.updates)
        return seen

    raised: dict[str, str] = {}
    seen = _in_thread(run)
    assert raised == {}  # a refusal is a message on the form, never an exception ("An error occurred")
    return seen


def _changed_tables(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> set[str]:
    return {t for t in before if before[t] != after[t]} - BOOKKEEPING


@pytest.mark.parametrize(
    ("login", "password", "may_change"),
    [(DEMO_VIEWER_LOGIN, DEMO_VIEWER_PASSWORD, set()), (DEMO_STAFF_LOGIN, DEMO_STAFF_PASSWORD, STAFF_TABLES)],
    ids=["閲覧のみ", "一般"],
)
def test_every_handler_keeps_to_the_role(app_env: tuple[Engine, str], login: str, password: str,
                                         may_change: set[str]) -> None:  # fmt: skip
    """閲覧のみ: no handler changes any row. 一般: no handler changes a setting or an operator."""
    engine, _ = app_env
    token = _role_login(engine, login, password)
    before = _fingerprint(engine)
    seen = _run_every_handler(engine, token)
    assert len(seen) > 60
    assert _changed_tables(before, _fingerprint(engine)) - may_change == set()


def _deltas_text(updates: list[StateUpdate]) -> str:
    return repr([u.delta for u in updates])


def _steps(*events: tuple[type[AuthState], str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{cls.get_full_name()}.{name}", payload) for cls, name, payload in events]


# handler (as the UI sends it, after the events that fill its form) → works for (管理者, 一般, 閲覧のみ).
Y, N = True, False
ROLE_TABLE: list[tuple[str, Callable[[int], list[tuple[str, dict[str, Any]]]], tuple[bool, bool, bool]]] = [
    ("決済状況一括変更", lambda oid: _steps((OrdersState, "toggle_row", {"order_id": oid, "checked": True}),
                                      (PaymentFormState, "set_process", {"value": "reauthorize"}),
                                      (PaymentFormState, "submit_payment", {"form_data": {}})), (Y, N, N)),
    ("一括更新", lambda oid: _steps((OrdersState, "toggle_row", {"order_id": oid, "checked": True}),
                                 (BulkUpdateFormState, "submit_bulk_update", {"form_data": {"status_id": "35"}})),
     (Y, Y, N)),
    ("受注の編集", lambda oid: _steps((OrderEditState, "save", {"form": {"tracking_number": "ROLE-1"}})), (Y, Y, N)),
    ("受注メモ", lambda oid: _steps((OrderEditState, "add_memo", {"form": {"memo": "役割テスト"}})), (Y, Y, N)),
    ("メールテンプレート管理", lambda oid: _steps((MailTemplatesState, "set_field", {"name": "name", "value": "役割"}),
                                        (MailTemplatesState, "set_field", {"name": "subject", "value": "件名"}),
                                        (MailTemplatesState, "set_field", {"name": "body", "value": "本文"}),
                                        (MailTemplatesState, "save", {"form_data": {}})), (Y, N, N)),
    ("外部連携", lambda oid: _steps((IntegrationsState, "toggle_survey", {"enabled": True})), (Y, N, N)),
    ("受注ラベル管理", lambda oid: _steps((MasterListState, "open_list", {"kind": "label"}),
                                   (MasterListState, "create", {"form": {"name": "役割ラベル"}})), (Y, N, N)),
    ("自動化設定", lambda oid: _steps((AutomationState, "set_event", {"value": "tracking_number"}),
                                 (AutomationState, "set_action", {"value": "order_attention"}),
                                 (AutomationState, "set_param", {"value": "on"}),
                                 (AutomationState, "create", {})), (Y, N, N)),
    ("管理者管理", lambda oid: _steps((OperatorsState, "create", {"form": {
        "login": "made-by-role", "name": "作成", "password": "abc-12345678", "role": "viewer"}})), (Y, N, N)),
]  # fmt: skip
ROLE_LOGINS = [(DEMO_LOGIN, DEMO_PASSWORD), (DEMO_STAFF_LOGIN, DEMO_STAFF_PASSWORD),
               (DEMO_VIEWER_LOGIN, DEMO_VIEWER_PASSWORD)]  # fmt: skip


@pytest.mark.parametrize(("action", "events", "expected"), ROLE_TABLE, ids=[r[0] for r in ROLE_TABLE])
def test_the_role_table(app_env: tuple[Engine, str], action: str,
                        events: Callable[[int], list[tuple[str, dict[str, Any]]]],
                        expected: tuple[bool, bool, bool]) -> None:  # fmt: skip
    """Refused (一般 and 閲覧のみ, in their order): no row changes and the tab says so in Japanese.
    Works (管理者 last, as the control that the events do change something)."""
    engine, _ = app_env
    order = sorted(range(3), key=lambda i: expected[i])  # refusals first, then the ones that work
    for i in order:
        token = _role_login(engine, *ROLE_LOGINS[i])
        before = _fingerprint(engine)
        router = _order_page(engine)

        async def steps(proc: BaseStateEventProcessor, tab: str, router: dict[str, Any] = router) -> None:
            for name, payload in events(_first_order(engine)):
                await _send(proc, tab, name, payload, router={"token": tab, **router})

        updates = _signed_in_tab(steps, token)
        changed = _changed_tables(before, _fingerprint(engine))
        if expected[i]:
            assert changed, (action, ROLE_LOGINS[i][0], _deltas_text(updates))
        else:
            assert changed == set(), (action, ROLE_LOGINS[i][0])
            assert "この操作を行う権限がありません。" in _deltas_text(updates), (action, ROLE_LOGINS[i][0])
