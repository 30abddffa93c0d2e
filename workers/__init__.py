"""Dramatiq workers: `dramatiq workers` imports this package, which sets the broker and the actors;
`periodiq workers` (one scheduler process) imports it too and sends the periodic ticks."""

from workers.actors import declare_actors
from workers.automation import declare_automation
from workers.broker import setup_broker
from workers.subscriptions import declare_subscriptions

broker = setup_broker()
job_actor = declare_actors(broker)
automation_drain = declare_automation(broker)
subscription_tick, subscription_authorize = declare_subscriptions(broker)
