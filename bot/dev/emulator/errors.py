"""The one exception handlers raise to produce a Telegram error envelope."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "bad_request", "forbidden"]


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": ...}``.

    ``record`` says whether the call is a bug in the bot (appended to ``emu.errors``) or a
    condition a correct bot meets at runtime and must handle (blocked user, "message is
    not modified", flood wait), which tests must not treat as a failure.
    """

    def __init__(
        self,
        code: int,
        description: str,
        *,
        record: bool = True,
        retry_after: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.record = record
        self.retry_after = retry_after
        self.detail = detail

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(message: str, *, record: bool = True, detail: str | None = None) -> ApiError:
    """``400 Bad Request: <message>``."""
    return ApiError(400, f"Bad Request: {message}", record=record, detail=detail)


def forbidden(message: str) -> ApiError:
    """``403 Forbidden: <message>``; never a bot bug by itself, so never recorded."""
    return ApiError(403, f"Forbidden: {message}", record=False)
