"""Dramatiq workers: `dramatiq workers` imports this package, which sets the broker and the actors."""

from workers.broker import setup_broker

broker = setup_broker()

from workers import actors  # noqa: E402,F401  (actors bind to the broker set above)
