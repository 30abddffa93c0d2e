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


def _module_imports(package: str) -> dict[str, set[str]]:
    """Module -> the modules of `package` it imports at module level (imports inside functions are
    deliberate late bindings and cannot form an import-time circle)."""
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_ecweb_core_has_no_import_circle() -> None:
    """No module of ecweb_core imports, through others, itself (the catalog imports the operations,
    which never import the catalog, registration or the runner)."""
    graph = _module_imports("ecweb_core")
    assert "ecweb_core.jobs.bulk_update" in graph["ecweb_core.jobs.catalog"]

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for m in graph.get(start, ()):
            if m == target or (m not in seen and not seen.add(m) and reaches(m, target, seen)):  # type: ignore[func-returns-value]
                return True
        return False

    circles = sorted(m for m in graph if reaches(m, m, set()))
    assert circles == []


def test_outside_calls_go_through_the_ledger() -> None:
    """SMTP is spoken only by the mail service (and its transport), which claims every mail in the
    external-effect ledger before sending."""
    speakers = sorted(path for path, text in _sources().items() if re.search(r"^import smtplib|sendmail\(", text, re.M))
    assert speakers == ["ecweb_core/mail/service.py", "ecweb_core/mail/smtp.py"]
    service = (ROOT / "ecweb_core/mail/service.py").read_text(encoding="utf-8")
    assert "ledger.claim(" in service and "ledger.record(" in service
    # The payment provider is spoken to only by the gateway, whose callers claim every call in the
    # ledger before making it and record it after.
    clients = sorted(path for path, text in _sources().items() if re.search(r"^import httpx", text, re.M))
    assert clients == ["ecweb_core/payments/gateway.py"]
    callers = {p: t for p, t in _sources().items() if "get_gateway(" in t and "def get_gateway" not in t}
    assert sorted(callers) == ["ecweb_core/payments/demo.py", "ecweb_core/payments/service.py"]
    for text in callers.values():
        assert "ledger.claim(" in text and "ledger.record(" in text


def test_export_files_are_written_by_one_helper() -> None:
    """The part file, its committed length and its publication live in jobs/export_file.py; the
    download route serves whatever media type the export declared."""
    writers = sorted(path for path, text in _sources().items() if re.search(r"\.part\b|fh\.truncate\(", text))
    assert writers == ["ecweb_core/jobs/export_file.py"]
    api = (ROOT / "ecweb/api.py").read_text(encoding="utf-8")
    assert "text/csv" not in api and "export_download" in api
