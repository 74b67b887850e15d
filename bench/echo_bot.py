"""The baseline: a bare python-telegram-bot echo bot, run as its own process.

    python bench/echo_bot.py <base_url> <token>
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


if __name__ == "__main__":
    base_url, token = sys.argv[1], sys.argv[2]
    app = ApplicationBuilder().token(token).base_url(base_url).base_file_url(base_url.replace("/bot", "/file/bot"))
    application = app.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(poll_interval=0, timeout=10, stop_signals=None, close_loop=False)
