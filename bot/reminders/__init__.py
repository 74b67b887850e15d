"""Reminders for mothers and follow-up for TPK members (issue 4).

What the rest of the bot calls:

- :func:`refresh_plan` ``(services, sasaran_id)`` after any change to a record
  (HPHT/HPL corrected, a birth, a baby registered, a loss), once it is committed;
- :func:`cancel_for_loss` ``(services, sasaran_id)`` after a pregnancy loss is recorded;
- :func:`register` ``(app, services)`` once, in ``build_application``: the one periodic job;
- :func:`dispatch_due` ``(services, bot, app)`` to run one tick now (tests, playground).
"""

from bot.reminders.dispatcher import Dispatcher, TickReport, dispatch_due, dispatcher_of, register
from bot.reminders.planning import cancel_for_loss, refresh_plan

__all__ = [
    "Dispatcher",
    "TickReport",
    "cancel_for_loss",
    "dispatch_due",
    "dispatcher_of",
    "refresh_plan",
    "register",
]
