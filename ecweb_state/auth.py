"""Login (X1) and the one guard every protected event handler goes through.

In Reflex every public method of a State class is an event handler a client can call over the
websocket by name, logged in or not. So, as Reflex's `require_login` pattern but without a
decorator to forget: every public method of a State that subclasses AuthState is wrapped, when the
class is created, in a guard that checks the operator's session first; without one the handler does
nothing and sends the browser to /login. Helpers that are not handlers are `_private`. The handlers
of AuthState itself (login, logout, the page guards) are the only public ones.

The session token lives in an HttpOnly cookie that only HTTP responses set (POST /api/login in
ecweb/api.py; page scripts cannot read it). The backend reads it from the headers of the websocket
handshake, which Reflex keeps per connection on the server (a client cannot send other headers with an
event); the download routes read the same cookie.

What the operator's role allows (`granted`) only decides what the UI shows; ecweb_core checks the
permission again where each action happens (ecweb_core/permissions.py)."""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any

import reflex as rx
from reflex.event import BACKGROUND_TASK_MARKER
from reflex.state import EventHandlerSetVar

from ecweb_core import audit, permissions
from ecweb_core import auth as core_auth
from ecweb_core.db import session_scope
from ecweb_core.notes import register_client
from ecweb_core.settings import load_settings

log = logging.getLogger(__name__)

COOKIE = "ecweb_session"
LOGIN = "/login"
# A tab re-registers for notifications this often (the registry forgets tabs after a day).
REGISTER_EVERY_S = 3600
GUARDED = "__ecweb_guarded__"


def _to_login() -> Any:
    return rx.redirect(LOGIN)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` runs only for a signed-in operator; otherwise nothing changes and the tab goes to /login."""
    if getattr(fn, BACKGROUND_TASK_MARKER, False):
        # A background task holds no state lock: the check (which may touch state) takes it.
        @functools.wraps(fn)
        async def guarded_background(self: AuthState, *args: Any, **kwargs: Any) -> Any:
            async with self:
                signed_in = self._signed_in()
            if not signed_in:
                return _to_login()
            return await fn(self, *args, **kwargs)

        setattr(guarded_background, GUARDED, True)
        return guarded_background

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def guarded_async(self: AuthState, *args: Any, **kwargs: Any) -> Any:
            if not self._signed_in():
                return _to_login()
            return await fn(self, *args, **kwargs)

        setattr(guarded_async, GUARDED, True)
        return guarded_async

    # Generators (sync or async) are returned unstarted: Reflex iterates them after the call.
    @functools.wraps(fn)
    def guarded(self: AuthState, *args: Any, **kwargs: Any) -> Any:
        if not self._signed_in():
            return _to_login()
        return fn(self, *args, **kwargs)

    setattr(guarded, GUARDED, True)
    return guarded


class _GuardedSetVar(EventHandlerSetVar):
    """Reflex gives every State a `setvar` handler (it calls the var's set_ handler): guarded too."""

    setvar = _guard(EventHandlerSetVar.setvar)  # type: ignore[assignment]


class AuthState(rx.State):
    operator_name: str = ""
    operator_login: str = ""
    role: str = ""
    granted: list[str] = []  # the permissions of the operator's role, for showing / hiding actions
    login_error: str = ""
    _operator_id: int | None = None
    _notes_client: str = ""  # the tab registered for notifications, and when
    _notes_at: float = 0.0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Before Reflex turns the methods into event handlers (in super().__init_subclass__).
        for name, value in list(cls.__dict__.items()):
            if rx.State._item_is_event_handler(name, value) and not getattr(value, GUARDED, False):
                setattr(cls, name, _guard(value))
        super().__init_subclass__(**kwargs)

    @rx.var
    def is_authenticated(self) -> bool:
        return bool(self.operator_name)

    @rx.var
    def role_label(self) -> str:
        return permissions.role_label(self.role) if self.role else ""

    @rx.var
    def can_edit_orders(self) -> bool:
        return permissions.ORDERS_EDIT in self.granted

    @rx.var
    def has_settings(self) -> bool:
        return any(p in permissions.SETTINGS_AREAS for p in self.granted)

    def _session_token(self) -> str:
        """The session cookie of the websocket's handshake."""
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.router.headers.cookie or "")
        except CookieError:
            return ""
        morsel = jar.get(COOKIE)
        return morsel.value if morsel else ""

    def _signed_in(self) -> bool:
        """Checks the tab's session against the database (a logout elsewhere, a disabling or a role
        change takes effect at once) and registers the tab for notifications once per connection."""
        audit.client_address.set(self.router.session.client_ip or "")
        with session_scope() as s:
            op = core_auth.operator_for_token(s, self._session_token())
        if op is None:
            if self.operator_name or self._operator_id is not None:
                self.operator_name, self._operator_id, self.role, self.granted = "", None, "", []
                self.operator_login = ""
            return False
        if self.operator_name != op.name:
            self.operator_name = op.name
        if self.operator_login != op.login:
            self.operator_login = op.login
        if self._operator_id != op.id:
            self._operator_id = op.id
        if self.role != op.role:
            self.role = op.role
            self.granted = sorted(permissions.GRANTS.get(op.role, frozenset()))
        self._register_for_notes(op.id)
        return True

    def _may(self, permission: str) -> bool:
        """For showing an action; the action itself is checked again in ecweb_core."""
        return permission in self.granted

    def _register_for_notes(self, operator_id: int) -> None:
        client, now = self.router.session.client_token, time.time()
        if client == self._notes_client and now - self._notes_at < REGISTER_EVERY_S:
            return
        try:
            register_client(load_settings().redis_url, operator_id, client, now)
        except Exception:  # noqa: BLE001 - without Redis the app still works, only without live notes
            log.warning("could not register the client for notifications", exc_info=True)
            return
        self._notes_client, self._notes_at = client, now

    # ---- the public handlers: the only ones a tab without a session may call ----------------------

    @rx.event
    def require_login(self):  # type: ignore[no-untyped-def]
        if not self._signed_in():
            return _to_login()

    @rx.event
    def go_home(self):  # type: ignore[no-untyped-def]
        return rx.redirect("/orders" if self._signed_in() else LOGIN)

    @rx.event
    def redirect_if_logged_in(self):  # type: ignore[no-untyped-def]
        """/login: a signed-in tab goes on to /orders; a refused login (POST /api/login redirects back
        with ?error=<code>) shows its fixed message."""
        if self._session_token() and self._signed_in():
            return rx.redirect("/orders")
        code = str(self.router.url.query_parameters.get("error", ""))
        self.login_error = core_auth.ERROR_CODES.get(code, "")
        return None

    @rx.event
    def logout(self):  # type: ignore[no-untyped-def]
        """Ends the session in the database: every tab and download using it is refused from now on.
        The HttpOnly cookie cannot be removed by script; /api/logout clears it in the browser."""
        if token := self._session_token():
            audit.client_address.set(self.router.session.client_ip or "")
            with session_scope() as s:
                core_auth.logout(s, token)
        self.operator_name, self._operator_id, self.role, self.granted = "", None, "", []
        self.operator_login = ""
        # A full page load of the route (not a client-side navigation), in this tab.
        return rx.call_script("window.location.assign('/api/logout')")


def _create_guarded_setvar(cls: type[AuthState]) -> None:
    cls.setvar = cls.event_handlers["setvar"] = _GuardedSetVar(state_cls=cls)  # type: ignore[misc]


# Every subclass's `setvar` is the guarded one. Set after the class body: Reflex refuses a class
# that declares a member named like its own methods.
AuthState._create_setvar = classmethod(_create_guarded_setvar)  # type: ignore[assignment,method-assign]
