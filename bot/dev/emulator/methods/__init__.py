"""Implemented Bot API methods. Importing this package registers all of them."""

from bot.dev.emulator.methods import commands, core, media, messaging
from bot.dev.emulator.methods.registry import HANDLERS, api_method

__all__ = ["HANDLERS", "api_method", "commands", "core", "media", "messaging"]
