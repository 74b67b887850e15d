"""The application's ``Bot``: python-telegram-bot's ``ExtBot`` sending only what each method defines.

PTB's ``Defaults(parse_mode=…)`` are inserted into every call that goes through its shared
send/edit path, including ``editMessageReplyMarkup``, which has no ``parse_mode`` (nor
``link_preview_options``) in the Bot API. Telegram ignores the extra parameter today; a
stricter server may not, and the emulator refuses parameters outside the spec. Dropping them
here, in the one place every call passes through, keeps each call site as PTB documents it.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import ExtBot

#: Parameters that PTB's ``Defaults`` add to calls of its shared send/edit path.
FORMATTING = frozenset({"parse_mode", "link_preview_options"})
#: Methods on that path whose Bot API definition has neither of them (checked against the
#: spec in ``tests/foundation/test_telegram_lean.py``).
WITHOUT_FORMATTING = frozenset({
    "editMessageReplyMarkup", "editMessageLiveLocation", "stopMessageLiveLocation", "stopPoll",
    "sendLocation", "sendVenue", "sendContact", "sendDice", "sendSticker",
})


class TpkBot(ExtBot[Any]):
    """``ExtBot`` that strips parameters a method does not define before the request goes out."""

    async def _do_post(self, endpoint: str, data: dict[str, Any], **kwargs: Any) -> Any:
        if endpoint in WITHOUT_FORMATTING:
            data = {key: value for key, value in data.items() if key not in FORMATTING}
        return await super()._do_post(endpoint, data, **kwargs)
