"""The callback context handlers receive: PTB's, plus the services and the caller."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.domain.roles import Caller
from bot.services import Services

SERVICES_KEY = "services"


class TpkContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB creates one context per update and reuses it across handler groups, so the
    access check (group -100) can leave the caller here for every later handler."""

    caller: Caller

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application, chat_id, user_id)
        self.caller = Caller(user_id=user_id or 0, role=None, scope=None)

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]
