"""A local sandbox payment provider: its own HTTP service and its own SQLite database, so that a
売上処理 visibly reaches a provider (its 決済管理画面 at /) and a 強制売上処理 does not.

Like a real provider it serves card (authorize / capture / cancel), NP後払い and NP後払いwiz
(取引登録 = 与信, 出荷報告 = capture with 配送伝票番号 and 発送日, cancel) and Amazon Pay, takes an
Idempotency-Key on every mutating request (the same key replays the first answer; the same key with
other parameters is refused) and can be told to be slow or to fail (POST /_sandbox/config).

    python -m ecweb_core.payments.sandbox --port 8765 --db var/sandbox.db
"""
