"""``python -m bot export-subject``: everything held about one person, as JSON, found by
NIK or by record id, readable only with the right key, and written to the audit log."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.reminders.texts import CONSENT_VERSION
from tests.harness import ADMIN_ID, TOKEN, BotUnderTest, add_member
from tests.privacy.test_erasure import (
    ADDRESS,
    KK,
    MOTHER_ID,
    NAME,
    NIK,
    PHONE,
    SERANG_KEC,
    a_mother_with_everything,
    erase_through_the_bot,
)
from tests.reminders.helpers import quiet_bot

__all__ = ["quiet_bot"]


def config_of(bot: BotUnderTest, tmp_path: Path, key: str | None = None) -> Path:
    """The running bot's configuration as a file, as the operator has it on the server."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\n[storage]\nurl = "{bot.settings.storage.target.as_setting()}"\n'
        f'[wilayah]\nroot = "36.73"\n[access]\nadmins = [{ADMIN_ID}]\n'
        f'[privacy]\nkey = "{key or bot.settings.privacy.key}"\n', encoding="utf-8")
    return path


async def cli(*argv: str) -> int:
    """``python -m bot …`` next to the running bot (its own event loop, in a thread)."""
    return await asyncio.to_thread(main, list(argv))


async def test_everything_held_about_her_by_nik(quiet_bot: BotUnderTest, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    bot = quiet_bot
    sasaran_id, member, _ = await a_mother_with_everything(bot)
    capsys.readouterr()
    grouped = " ".join(NIK[i:i + 4] for i in range(0, 16, 4))
    assert await cli("export-subject", "--config", str(config_of(bot, tmp_path)), "--nik", grouped) == 0
    data = json.loads(capsys.readouterr().out)

    person = data["sasaran"]
    assert (data["sasaran_id"], person["id"], person["name"], person["nik"], person["phone"]) == \
        (sasaran_id, sasaran_id, NAME, NIK, PHONE)
    assert "nik_enc" not in person and "nik_hash" not in person and data["nik_tersamar"] == "3673************"
    assert person["answers"]["catatan"] == "tinggal dengan ibu mertua" and person["birth_date"] == "1990-03-12"
    family = data["keluarga"]
    assert (family["head_name"], family["no_kk"], family["address"]) == ("Ahmad Yani", KK, ADDRESS)
    assert family["answers"] == {"istri_lahir": "1990-03-12"} and family["faktor_risiko"] == []
    visit = data["kunjungan"][0]
    assert (visit["weight_kg"], visit["lila_cm"], visit["hb"], visit["answers"]) == (52.5, 22.5, 10.2,
                                                                                      {"keluhan": "pusing"})
    assert data["tanda_kesehatan"] == [{"code": "kek", "reason": "LiLA < 23,5 cm"}]
    assert [(c["decision"], c["telegram_id"], c["text_version"]) for c in data["persetujuan"]] == [
        ("setuju", MOTHER_ID, CONSENT_VERSION), ("berhenti", MOTHER_ID, CONSENT_VERSION),
        ("mulai", MOTHER_ID, CONSENT_VERSION)]
    assert data["tautan_pengingat"]["user_id"] == MOTHER_ID and data["tautan_pengingat"]["state"] == "aktif"
    assert [a["id"] for a in data["akun_telegram"]] == [MOTHER_ID]
    assert data["undangan"] and data["undangan"][0]["used_by"] == MOTHER_ID and "token_hash" not in data["undangan"][0]
    assert data["pengingat"] and {r["sasaran_id"] for r in data["pengingat"]} == {sasaran_id}
    assert {n["dedupe_key"].split(":")[0] for n in data["pemberitahuan_ke_tpk"]} >= {"persetujuan", "berhenti"}
    assert [d["form"] for d in data["draf_isian"]] == ["kunjungan"]
    assert data["draf_isian"][0]["answers"]  # the date she was visited, typed before /batal
    assert {(e["action"], e["entity"]) for e in data["log_audit"]} >= {("create", "sasaran"), ("create", "keluarga"),
                                                                        ("create", "kunjungan"),
                                                                        ("consent_setuju", "sasaran")}
    assert data["dilaporkan_oleh"]["id"] == member.id

    # The export itself is audited, by id only.
    last = await bot.db.fetch_one("SELECT actor_id, action, entity, entity_id, after_json FROM audit_log "
                                  "ORDER BY id DESC LIMIT 1")
    assert tuple(last) == (None, "ekspor_subjek", "sasaran", str(sasaran_id), '{"via": "cli"}')


async def test_by_id_to_a_private_file_and_not_found(quiet_bot: BotUnderTest, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    bot = quiet_bot
    sasaran_id, _, _ = await a_mother_with_everything(bot)
    config = str(config_of(bot, tmp_path))
    out = tmp_path / "subjek.json"
    assert await cli("export-subject", "--config", config, "--sasaran-id", str(sasaran_id), "--out", str(out)) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["sasaran"]["nik"] == NIK
    assert "data pribadi" in capsys.readouterr().err

    assert await cli("export-subject", "--config", config, "--sasaran-id", "999") == 1
    assert "tidak ada sasaran dengan nomor 999" in capsys.readouterr().err
    assert await cli("export-subject", "--config", config, "--nik", "3673015203900009") == 1
    assert "tidak ada sasaran dengan NIK itu" in capsys.readouterr().err

    # After /hapus her NIK leads nowhere, and her record holds nothing that names her.
    coordinator = await add_member(bot, 2001, "Koor Serang", "koordinator", SERANG_KEC)
    await erase_through_the_bot(coordinator, "Rina")
    assert await cli("export-subject", "--config", config, "--nik", NIK) == 1
    capsys.readouterr()
    assert await cli("export-subject", "--config", config, "--sasaran-id", str(sasaran_id)) == 0
    left = capsys.readouterr().out
    for value in (NAME, NIK, PHONE, KK, ADDRESS, "Ahmad Yani", "mertua", "pusing"):
        assert value not in left, value
    assert json.loads(left)["sasaran"]["anonymised_at"]
