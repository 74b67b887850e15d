"""NIK and No. KK at rest: encrypted in every table (records, drafts, audit log), in the
WAL too, shown masked; a missing, malformed or different key stops the bot at start
with one clear line and exit status 2 — never a plain-text fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from bot.cli import main
from storage.crypto import KELUARGA_KK, SASARAN_NIK, IdentityCipher, decode_key, new_key
from tests.e2e.test_lapor import SUKAWANA
from tests.e2e.test_records import open_family, register_mother
from tests.harness import TOKEN, BotUnderTest, Form, add_member
from tests.privacy.files import readable_bytes

NIK = "3673045203900001"
KK = "3673040101200002"
CHILD_NIK = "3673041506240003"
MASKED = "3673************"


def plain_forms(number: str) -> list[bytes]:
    """The ways a number could be written in plain text: digits, grouped, UTF-16."""
    grouped = " ".join(number[i:i + 4] for i in range(0, 16, 4))
    return [number.encode(), grouped.encode(), number.encode("utf-16-le"), number.encode("utf-16-be")]


async def family_with_kk(form: Form) -> None:
    await form.start("/lapor")
    for answer in ("3", "2", "Jl. Melati No. 5", "Ahmad Yani"):
        await form.type(answer)
    await form.type(KK)
    await form.tap("Ledeng / PAM")
    await form.tap("Tidak ada jamban")
    review = await form.tap("Tidak")
    assert "3673************" in review.plain_text and KK not in review.plain_text, review.plain_text
    await form.tap("✅ Kirim")


async def test_no_plain_nik_or_kk_anywhere_in_the_database_files(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await family_with_kk(siti)
    await register_mother(siti, "Rina Marlina", NIK)
    # A second member is half-typed and left as a draft: it holds a NIK too.
    await siti.tap("➕ Tambah sasaran lain")
    await siti.tap("➕ Anak 24–59 bulan (balita)")
    await siti.type("Dimas")
    await siti.type(CHILD_NIK)
    await siti.user.send("/batal")
    await siti.user.next_message()
    assert await bot.db.fetch_value("SELECT count(*) FROM drafts") == 1
    # A correction through the bot writes before/after to the audit log.
    sasaran_id = await bot.db.fetch_value("SELECT id FROM sasaran")
    siti.user.drain()
    await open_family(siti.user, "Ahmad Yani")
    await siti.user.press("✏️ Ubah data Rina Marlina")
    await siti.user.next_message()
    await siti.tap("✏️ Nama")
    await siti.type("Rina M.")
    await siti.tap("✅ Kirim")

    # What is stored: ciphertext, keyed hash and mask, and the cipher gives the NIK back.
    row = await bot.db.fetch_one("SELECT nik_enc, nik_hash, nik_masked FROM sasaran WHERE id = ?", (sasaran_id,))
    assert row["nik_masked"] == MASKED
    assert bot.services.cipher.decrypt(row["nik_enc"], SASARAN_NIK, sasaran_id) == NIK
    assert row["nik_hash"] == bot.services.cipher.lookup_hash(NIK) != NIK
    kk_row = await bot.db.fetch_one("SELECT id, no_kk_enc, no_kk_masked FROM keluarga")
    assert bot.services.cipher.decrypt(kk_row["no_kk_enc"], KELUARGA_KK, kk_row["id"]) == KK
    assert kk_row["no_kk_masked"] == "3673************"
    audit_text = " ".join(str(v) for r in await bot.db.fetch_all("SELECT * FROM audit_log") for v in tuple(r))
    assert "update" in audit_text and MASKED in audit_text
    for number in (NIK, KK, CHILD_NIK):
        assert number not in audit_text

    # Byte for byte, while running (WAL) and after the process stopped (checkpointed).
    for moment in ("running", "stopped"):
        if moment == "stopped":
            await bot.stop()
        raw = readable_bytes(bot)
        assert MASKED.encode() in raw, "the scan must see the database's text"
        for number in (NIK, KK, CHILD_NIK):
            for form in plain_forms(number):
                assert form not in raw, f"{number} in plain text in the database files ({moment})"


async def test_the_stored_nik_cannot_be_read_with_another_key(bot: BotUnderTest) -> None:
    siti = Form(await add_member(bot, 3001, "Siti", "tpk", SUKAWANA))
    await family_with_kk(siti)
    await register_mother(siti, "Rina Marlina", NIK)
    row = await bot.db.fetch_one("SELECT id, nik_enc FROM sasaran")
    other = IdentityCipher(decode_key(new_key()))
    with pytest.raises(InvalidTag):
        other.decrypt(row["nik_enc"], SASARAN_NIK, row["id"])
    assert other.lookup_hash(NIK) != bot.services.cipher.lookup_hash(NIK)
    assert other.check_value != bot.services.cipher.check_value


# -- start-up --------------------------------------------------------------------------------


def write_config(tmp_path: Path, key: str | None, *, token: bool = True) -> Path:
    path = tmp_path / "config.toml"
    lines = ["[telegram]", f'token = "{TOKEN}"' if token else "", "[storage]",
             f'path = "{tmp_path / "tpk.sqlite3"}"', "[wilayah]", 'root = "36.73"', "[privacy]"]
    if key is not None:
        lines.append(f'key = "{key}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["run", "migrate", "check-config", "export-subject"])
def test_a_missing_key_stops_every_command_before_anything_is_stored(
        tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    config = write_config(tmp_path, None)
    extra = ["--sasaran-id", "1"] if command == "export-subject" else []
    assert main([command, "--config", str(config), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'privacy.key' kosong" in err[0] and "new-key" in err[0], err
    assert not (tmp_path / "tpk.sqlite3").exists(), "nothing may be written without a key"


@pytest.mark.parametrize("key", ["abc", "tidak-base64-!!", "eHh4eHh4eHh4eHh4eHh4"],  # valid base64, 15 bytes: too short
                         ids=["short", "not-base64", "truncated"])
def test_a_malformed_key_is_refused(tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    assert main(["migrate", "--config", str(write_config(tmp_path, key))]) == 2
    assert "'privacy.key' salah" in capsys.readouterr().err
    assert not (tmp_path / "tpk.sqlite3").exists()


@pytest.mark.parametrize("via", ["file", "environment"])
def test_a_different_key_is_a_clear_start_up_error_not_a_fallback(
        tmp_path: Path, via: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    first = new_key()
    assert main(["migrate", "--config", str(write_config(tmp_path, first))]) == 0
    database = tmp_path / "tpk.sqlite3"
    check = IdentityCipher(decode_key(first)).check_value
    capsys.readouterr()

    wrong = new_key()
    if via == "file":
        config = write_config(tmp_path, wrong)
    else:
        config = write_config(tmp_path, first)
        monkeypatch.setenv("TPK_PRIVACY_KEY", wrong)  # the environment wins over the file
    for command in ("migrate", "run", "export-subject"):
        extra = ["--sasaran-id", "1"] if command == "export-subject" else []
        assert main([command, "--config", str(config), *extra]) == 2, command
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "tidak cocok" in err[0] and "privacy.key" in err[0], err
    import sqlite3

    with sqlite3.connect(database) as conn:
        stored = conn.execute("SELECT value FROM meta WHERE key = 'identity_key_check'").fetchone()[0]
    assert stored == check, "a refused key never replaces the stored check value"
    # The right key still starts.
    monkeypatch.delenv("TPK_PRIVACY_KEY", raising=False)
    assert main(["migrate", "--config", str(write_config(tmp_path, first))]) == 0
