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
from ecweb_core.demo import DEMO_LOGIN, DEMO_PASSWORD, generate
from ecweb_state.auth import AuthState
from ecweb_state.automation import AutomationState
from tests.conftest import DEMO_NOW
from tests.dbs import fresh_database
from tests.redis_server import private_redis

T = TypeVar("T")
PUBLIC = {"handle_login", "go_home", "redirect_if_logged_in", "require_login", "logout", "setvar"}
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


def _signed_in_tab(steps: Callable[[BaseStateEventProcessor, str], Coroutine[Any, Any, None]],
                   session_token: str) -> list[StateUpdate]:  # fmt: skip
    """A tab whose browser sent the session cookie (as Reflex's client does when it connects), then
    `steps`; returns what was sent to the browser during the steps."""

    async def run() -> list[StateUpdate]:
        ns = _Namespace()
        proc = BaseStateEventProcessor().configure(state_manager=StateManagerMemory(), event_namespace=ns)
        async with proc:
            token = "signed-in"
            cookie = {f"{AuthState.get_full_name()}.session_token": session_token}
            await _send(proc, token, f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal",
                        {"vars": cookie}, router={"token": token, "pathname": "/login", "query": {}})  # fmt: skip
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
