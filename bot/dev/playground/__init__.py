"""The playground: the whole bot in a browser, without Telegram or a token.

``python -m bot playground`` (or ``make run`` with no token configured) starts the real
Application, handlers, storage and scheduler against the in-process Bot API emulator
with a movable clock, and serves a page on 127.0.0.1 showing one Telegram-like chat per
persona. See :mod:`bot.dev.playground.runtime` (the bot and the clock),
:mod:`bot.dev.playground.server` (the page's JSON API) and :mod:`bot.dev.playground.chats`
(what the page is sent).
"""
