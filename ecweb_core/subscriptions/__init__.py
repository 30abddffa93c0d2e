"""定期受注 (SPEC S1, S2): changes made through orders and 定期受注を再計算する (changes.py), the cycles
(cycles.py), the engine that creates each subscription's next order (engine.py), and what the
定期受注管理 screens show (listing.py)."""

# The Dramatiq actors, by name (the app sends 手動作成's authorization; neither it nor ecweb_core
# imports the workers package).
SUBSCRIPTIONS_QUEUE = "subscriptions"
TICK_ACTOR = "subscription_tick"
AUTHORIZE_ACTOR = "subscription_authorize"
