"""Bot command lists and the chat menu button."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.dev.emulator.errors import bad_request
from bot.dev.emulator.methods.registry import Params, api_method
from bot.dev.emulator.state import EmulatorState

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_COMMANDS = 100


def _key(p: Params) -> tuple[str, str]:
    scope = p.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.get("language_code") or ""


@api_method("setMyCommands")
def set_my_commands(state: EmulatorState, p: Params) -> bool:
    commands = p["commands"]
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands", detail=f"{len(commands)} commands")
    for command in commands:
        if not _COMMAND_RE.match(command["command"]):
            raise bad_request("BOT_COMMAND_INVALID", detail=repr(command["command"]))
        if not 1 <= len(command["description"]) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID", detail=repr(command["command"]))
    state.commands[_key(p)] = [{"command": c["command"], "description": c["description"]} for c in commands]
    return True


@api_method("getMyCommands")
def get_my_commands(state: EmulatorState, p: Params) -> list[dict[str, Any]]:
    return list(state.commands.get(_key(p), []))


@api_method("deleteMyCommands")
def delete_my_commands(state: EmulatorState, p: Params) -> bool:
    state.commands.pop(_key(p), None)
    return True


@api_method("setChatMenuButton")
def set_chat_menu_button(state: EmulatorState, p: Params) -> bool:
    chat_id = p.get("chat_id")
    if chat_id is not None and chat_id not in state.chats:
        raise bad_request("chat not found", detail=f"chat_id={chat_id!r}")
    state.menu_buttons[chat_id] = p.get("menu_button") or {"type": "default"}
    return True


@api_method("getChatMenuButton")
def get_chat_menu_button(state: EmulatorState, p: Params) -> dict[str, Any]:
    chat_id = p.get("chat_id")
    button = state.menu_buttons.get(chat_id) or state.menu_buttons.get(None)
    return button or {"type": "commands"}
