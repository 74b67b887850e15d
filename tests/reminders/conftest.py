"""Fixtures of the reminder tests (helpers live in ``tests.reminders.helpers``)."""

from tests.reminders.helpers import bali_bot, bot, national_bot, quiet_bot

__all__ = ["bali_bot", "bot", "national_bot", "quiet_bot"]
