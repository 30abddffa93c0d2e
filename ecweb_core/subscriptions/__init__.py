"""定期受注 (SPEC S1, S2): changes made through orders and 定期受注を再計算する (changes.py), the cycles
(cycles.py), the engine that creates each subscription's next order (engine.py), and what the
定期受注管理 screens show (listing.py)."""
