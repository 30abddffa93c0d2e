from __future__ import annotations

import reflex as rx

from ecweb_state.auth import AuthState


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            # A native POST (no JavaScript needed): the response sets the HttpOnly session cookie.
            rx.el.form(
                rx.vstack(
                    rx.heading("ecweb 管理画面", size="6"),
                    rx.text("ログインしてください。", size="2", color_scheme="gray"),
                    rx.cond(
                        AuthState.login_error != "",
                        rx.callout(
                            AuthState.login_error,
                            icon="triangle_alert",
                            color_scheme="red",
                            size="1",
                            id="login-error",
                            width="100%",
                        ),
                    ),
                    rx.text("ログインID", size="2", weight="medium"),
                    rx.input(name="login", id="login", placeholder="ログインID", width="100%", auto_focus=True),
                    rx.text("パスワード", size="2", weight="medium"),
                    rx.input(name="password", id="password", type="password", placeholder="パスワード", width="100%"),
                    rx.button("ログイン", type="submit", width="100%", id="login-submit"),
                    spacing="3",
                    width="100%",
                ),
                action="/api/login",
                method="post",
                # Reflex's form always prevents the native submit: post it natively (the page's own
                # script, no backend round trip). Before hydration the browser posts it by itself.
                on_submit=rx.call_script("document.getElementById('login-submit').form.submit()"),
            ),
            width="360px",
            padding="2em",
        ),
        min_height="100vh",
        background="#f5f6f8",
    )
