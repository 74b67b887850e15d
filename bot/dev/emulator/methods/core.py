"""Bot identity, webhook stubs and getUpdates."""

from __future__ import annotations

from typing import Any

from bot.dev.emulator.methods.registry import Params, api_method
from bot.dev.emulator.state import EmulatorState

MAX_LONG_POLL_SECONDS = 50  # Telegram caps the useful timeout around here


@api_method("getMe")
def get_me(state: EmulatorState, p: Params) -> dict[str, Any]:
    return state.bot_user_full


@api_method("logOut")
def log_out(state: EmulatorState, p: Params) -> bool:
    return True


@api_method("close")
def close(state: EmulatorState, p: Params) -> bool:
    return True


@api_method("deleteWebhook")
def delete_webhook(state: EmulatorState, p: Params) -> bool:
    if p.get("drop_pending_updates"):
        state.updates.drop_pending()
    return True


@api_method("getWebhookInfo")
def get_webhook_info(state: EmulatorState, p: Params) -> dict[str, Any]:
    return {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": state.updates.pending_count,
    }


@api_method("getUpdates")
async def get_updates(state: EmulatorState, p: Params) -> list[dict[str, Any]]:
    limit = p.get("limit", 100)
    limit = 100 if limit <= 0 else min(limit, 100)  # Telegram clamps to 1..100
    timeout = max(0, min(p.get("timeout", 0), MAX_LONG_POLL_SECONDS))
    if "allowed_updates" in p:
        unknown = state.updates.set_allowed(p["allowed_updates"])
        if unknown:  # Telegram ignores them silently; a typo is still a bug
            state.errors.append(f"getUpdates: unknown allowed_updates {unknown!r} ignored")
    return await state.updates.get(p.get("offset"), limit, timeout)
