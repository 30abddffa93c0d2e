"""The seams every feature builds on, checked on the source tree: one writer of the order-event
outbox, one ledger for calls to outside services, no import circle in ecweb_core.jobs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ecweb_core.automation.catalog import EVENTS as RULE_EVENTS
from ecweb_core.models import Order

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ecweb", "ecweb_state", "ecweb_core", "workers")


def _sources() -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*.py")
        if "migrations" not in p.parts
    }


def test_only_events_module_inserts_order_events() -> None:
    writers = [
        path
        for path, text in _sources().items()
        if re.search(r"insert\(\s*(OrderEvent|EVENTS|EVENTS_T|e\b)", text) or "INSERT INTO order_events" in text
    ]
    assert writers == ["ecweb_core/events.py"]


def test_event_kinds_are_not_spelled_outside_the_events_module() -> None:
    kinds = re.findall(r'^([A-Z_]+) = "([a-z_]+)"', (ROOT / "ecweb_core/events.py").read_text(), re.M)
    # Names that are also something else: a job kind (dunning), sources, an order column, a rule's event key.
    also = {"ui", "subscription", "created", "dunning", *Order.__table__.c.keys(), *RULE_EVENTS}
    values = {v for _, v in kinds if v not in also}
    assert "status_changed" in values
    for path, text in _sources().items():
        if path == "ecweb_core/events.py":
            continue
        spelled = {v for v in values if f'"{v}"' in text}
        assert not spelled, f"{path} spells event kinds {spelled}: use ecweb_core.events"


def test_jobs_package_has_no_import_circle() -> None:
    """The operation modules never import the catalog, registration or the runner."""
    for path in (ROOT / "ecweb_core/jobs").glob("*.py"):
        if path.name in ("catalog.py", "register.py", "runner.py", "listing.py", "__init__.py"):
            continue
        imported = {
            node.module
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not imported & {"ecweb_core.jobs.catalog", "ecweb_core.jobs.register", "ecweb_core.jobs.runner"}, path


def test_outside_calls_go_through_the_ledger() -> None:
    """SMTP is spoken only by the mail service (and its transport), which claims every mail in the
    external-effect ledger before sending."""
    speakers = sorted(path for path, text in _sources().items() if re.search(r"^import smtplib|sendmail\(", text, re.M))
    assert speakers == ["ecweb_core/mail/service.py", "ecweb_core/mail/smtp.py"]
    service = (ROOT / "ecweb_core/mail/service.py").read_text(encoding="utf-8")
    assert "ledger.claim(" in service and "ledger.record(" in service
