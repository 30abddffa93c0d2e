"""Dramatiq workers: `dramatiq workers` imports this package, which sets the broker and the actors."""

from workers.actors import declare_actors
from workers.automation import declare_automation
from workers.broker import setup_broker

broker = setup_broker()
job_actor = declare_actors(broker)
automation_drain = declare_automation(broker)
