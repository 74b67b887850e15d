"""An import cut off in the middle (the process dies after a chunk) continues when the bot
starts again, or when the coordinator sends the same file again — each row once."""

from __future__ import annotations

import asyncio

import pytest

from bot.impor import apply as service
from tests.harness import BotUnderTest, add_member
from tests.impor.files import SUKAWANA, Family, kk, template_file

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way handles it."""


def crash_after_first_chunk(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    real = service.Importer._chunk
    calls = {"n": 0}
    crashed = asyncio.Event()

    async def chunk(self, sheet, rows):  # type: ignore[no-untyped-def]
        if self.impor is not None:
            calls["n"] += 1
            if calls["n"] == 2:
                monkeypatch.setattr(service.Importer, "_chunk", real)
                crashed.set()
                raise Crash()
        return await real(self, sheet, rows)

    monkeypatch.setattr(service.Importer, "_chunk", chunk)
    return crashed


async def cut_off_import(bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch) -> tuple[object, bytes]:
    rina = await add_member(bot, 2001, "Rina", "koordinator", "36.73")
    data = template_file([Family(SUKAWANA, f"Kepala {i}", kk("36.73.04", i + 1)) for i in range(1200)])
    await rina.send_document(data, filename="besar.xlsx", mime_type=XLSX_MIME)
    await rina.next_message(timeout=60)
    crashed = crash_after_first_chunk(monkeypatch)
    await rina.press("✅ Lanjutkan")
    await asyncio.wait_for(crashed.wait(), timeout=120)
    await rina.messages_until_quiet(quiet=0.5)
    assert await bot.db.fetch_value("SELECT count(*) FROM keluarga") == service.CHUNK
    assert await bot.db.fetch_value("SELECT state FROM impor") == "running"
    return rina, data


async def test_a_restart_finishes_a_cut_off_import(bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch) -> None:
    rina, _ = await cut_off_import(bot, monkeypatch)
    await bot.restart()
    notice = await rina.next_message(timeout=60)  # type: ignore[attr-defined]
    assert "dilanjutkan setelah bot dimulai ulang" in notice.plain_text and "1.200 dibuat" in notice.plain_text
    assert await bot.db.fetch_value("SELECT count(*) FROM keluarga") == 1200
    assert await bot.db.fetch_value("SELECT count(DISTINCT head_name) FROM keluarga") == 1200


async def test_the_same_file_sent_again_continues_it(bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch) -> None:
    rina, data = await cut_off_import(bot, monkeypatch)
    await rina.send_document(data, filename="besar.xlsx", mime_type=XLSX_MIME)  # type: ignore[attr-defined]
    said = await rina.next_message(timeout=60)  # type: ignore[attr-defined]
    assert "terputus sebelumnya" in said.plain_text
    done = await rina.next_message(timeout=60)  # type: ignore[attr-defined]
    assert "1.200 dibuat" in done.plain_text
    assert await bot.db.fetch_value("SELECT count(*) FROM keluarga") == 1200
    assert await bot.db.fetch_value("SELECT count(*) FROM impor") == 1
