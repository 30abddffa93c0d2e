"""自動化設定 (SPEC A1–A5): rules (rules.py), the engine that drains the order-event outbox
(engine.py), the actions it applies (actions.py) and the run history (history.py)."""
