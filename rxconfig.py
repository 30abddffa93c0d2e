import os

import reflex as rx

config = rx.Config(
    app_name="ecweb",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="small"))],
    # The Redis state manager lets a worker-fed task push into any backend process (see NOTES.md).
    redis_url=os.environ.get("REDIS_URL") or None,
    frontend_port=int(os.environ.get("ECWEB_FRONTEND_PORT", "3000")),
    backend_port=int(os.environ.get("ECWEB_BACKEND_PORT", "8000")),
    api_url=os.environ.get("ECWEB_API_URL", f"http://localhost:{os.environ.get('ECWEB_BACKEND_PORT', '8000')}"),
)
