"""自動化設定 (SPEC A1–A5): rules (rules.py), the engine that drains the order-event outbox
(engine.py), the actions it applies (actions.py) and the run history (history.py)."""

# The Dramatiq actor the app sends after a single edit (and the worker after a failed mail), by name:
# neither the app nor ecweb_core imports the workers package.
DRAIN_ACTOR = "automation_drain"
AUTOMATION_QUEUE = "automation"
