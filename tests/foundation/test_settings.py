"""Configuration: every operator mistake is one clear line and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import ConfigError, load_settings
from storage.crypto import new_key

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
KEY = new_key()


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def good(extra: str = "", *, root: str = "36.73", admins: str = "[111]", token: str = TOKEN) -> str:
    return (
        f'[telegram]\ntoken = "{token}"\n[storage]\npath = "var/x.sqlite3"\n'
        f'[wilayah]\nroot = "{root}"\n[access]\nadmins = {admins}\n[privacy]\nkey = "{KEY}"\n{extra}'
    )


def test_example_config_is_valid_apart_from_token_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TPK_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("TPK_PRIVACY_KEY", KEY)
    settings = load_settings(Path("config.example.toml"))
    assert settings.wilayah.root == "36.73"
    assert settings.wilayah.zone.key == "Asia/Jakarta"
    assert settings.telegram.file_url == "https://api.telegram.org/file/bot"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TPK_TELEGRAM_TOKEN", "999:ZZZZZZZZZZZZZZZZZZZZZZZZZZ")
    monkeypatch.setenv("TPK_TELEGRAM_BASE_URL", "http://127.0.0.1:9/bot")
    settings = load_settings(write(tmp_path, good()))
    assert settings.telegram.token == "999:ZZZZZZZZZZZZZZZZZZZZZZZZZZ"
    assert settings.telegram.file_url == "http://127.0.0.1:9/file/bot"


@pytest.mark.parametrize(
    ("root", "zone"),
    [("36.73", "Asia/Jakarta"), ("51.71", "Asia/Makassar"), ("73.71.01", "Asia/Makassar"),
     ("94", "Asia/Jayapura"), ("62", "Asia/Jakarta"), ("64.72", "Asia/Makassar")],
)
def test_time_zone_follows_the_root_province(tmp_path: Path, root: str, zone: str) -> None:
    assert load_settings(write(tmp_path, good(root=root))).wilayah.zone.key == zone


def test_time_zone_can_be_overridden(tmp_path: Path) -> None:
    body = good(root="36.73").replace('root = "36.73"', 'root = "36.73"\ntimezone = "WITA"')
    settings = load_settings(write(tmp_path, body))
    assert settings.wilayah.zone.key == "Asia/Makassar"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, "tidak ada"),
        ("[telegram\ntoken=1", "TOML tidak valid"),
        (good('[extra]\nx = 1\n'), "kunci tidak dikenal 'extra'"),
        (good().replace("[storage]", "[storage]\npth = 1"), "kunci tidak dikenal 'storage.pth'"),
        (good(root="99.99"), "'wilayah.root' = '99.99' tidak ada"),
        (good(root="banten"), "'wilayah.root' salah"),
        (good(admins='[111, "abc"]'), "'access.admins[1]' salah"),
        (good(token=""), "'telegram.token' kosong"),
        (good().replace(f'key = "{KEY}"', 'key = ""'), "'privacy.key' kosong"),
        (good().replace(f'key = "{KEY}"', 'key = "pendek"'), "'privacy.key' salah"),
        (good(token="not-a-token"), "'telegram.token' tidak berbentuk"),
        (good().replace('root = "36.73"', 'root = "36.73"\ntimezone = "Mars/Olympus"'), "zona waktu tidak dikenal"),
        (good("[pengingat.anc]\ntrimester_second_end_week = 28\n"), "batas trimester diatur sekali, di [trimester]"),
        (good("[trimester]\nsecond_end_week = 40\n"), "'trimester.second_end_week' salah"),
        (good("[trimester]\nfirst_end_week = 18\nsecond_end_week = 18\n"), "first_end_week harus lebih kecil"),
        (good().replace("[telegram]", '[telegram]\nbase_url = "http://api.telegram.org/bot"'),
         "'telegram.base_url' salah"),
        (good().replace("[telegram]", '[telegram]\nbase_url = "http://10.0.0.5:8081/bot"'), "hanya untuk 127.0.0.1"),
        (good().replace("[telegram]", '[telegram]\nbase_file_url = "http://files.example/file/bot"'),
         "'telegram.base_file_url' salah"),
    ],
)
def test_each_mistake_is_one_clear_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    body: str | None, expected: str,
) -> None:
    monkeypatch.delenv("TPK_TELEGRAM_TOKEN", raising=False)
    path = tmp_path / "config.toml"
    if body is not None:
        path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        load_settings(path)
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_run_without_token_exits_2_saying_how(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TPK_TELEGRAM_TOKEN", raising=False)
    path = write(tmp_path, good(token=""))
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "@BotFather" in err and "TPK_TELEGRAM_TOKEN" in err
    assert len(err.splitlines()) == 1


def test_check_config_accepts_a_good_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "--config", str(write(tmp_path, good()))]) == 0
    assert "konfigurasi baik" in capsys.readouterr().out


def test_migrate_needs_no_token_and_is_repeatable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, good(token="").replace('path = "var/x.sqlite3"', f'path = "{tmp_path / "db.sqlite3"}"'))
    assert main(["migrate", "--config", str(path)]) == 0
    assert main(["migrate", "--config", str(path)]) == 0
    assert (tmp_path / "db.sqlite3").exists()
    assert capsys.readouterr().out.count("siap") == 2


def test_init_config_writes_a_fresh_key_once(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TPK_TELEGRAM_TOKEN", TOKEN)
    path = tmp_path / "config.toml"
    assert main(["init-config", "--config", str(path)]) == 0
    first = path.read_text()
    assert main(["init-config", "--config", str(path)]) == 0
    assert path.read_text() == first
    assert load_settings(path).privacy.key


async def test_a_different_key_is_refused_at_start(tmp_path: Path) -> None:
    from bot.clock import SystemClock
    from bot.startup import prepare_database

    path = write(tmp_path, good().replace('path = "var/x.sqlite3"', f'path = "{tmp_path / "k.sqlite3"}"'))
    db = await prepare_database(load_settings(path), SystemClock())
    await db.close()
    path.write_text(path.read_text().replace(KEY, new_key()))
    with pytest.raises(ConfigError, match="tidak cocok"):
        await prepare_database(load_settings(path), SystemClock())


def test_seed_demo_fills_an_empty_database_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, good(token="").replace('path = "var/x.sqlite3"', f'path = "{tmp_path / "demo.sqlite3"}"'))
    assert main(["seed-demo", "--config", str(path), "--sasaran", "300", "--root", "36.73.04"]) == 0
    assert "300 sasaran" in capsys.readouterr().out
    assert main(["seed-demo", "--config", str(path), "--sasaran", "10"]) == 2
    assert "data contoh hanya untuk basis data kosong" in capsys.readouterr().err
    assert main(["seed-demo", "--config", str(path), "--sasaran", "10", "--root", "36.01"]) == 2


def test_anc_reminders_follow_the_one_trimester_setting(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, good("[trimester]\nsecond_end_week = 28\n")))
    assert settings.trimester.boundaries == settings.pengingat.anc.boundaries()
    assert settings.pengingat.anc.boundaries().trimester(26) == 2  # with the default 24 it would be III
    assert load_settings(write(tmp_path, good())).pengingat.anc.boundaries().trimester(26) == 3


@pytest.mark.parametrize("url", ["https://api.telegram.org/bot", "http://127.0.0.1:8081/bot",
                                 "http://localhost:8081/bot", "http://[::1]:8081/bot"])
def test_the_bot_api_address_is_https_or_this_machine(tmp_path: Path, url: str) -> None:
    settings = load_settings(write(tmp_path, good().replace("[telegram]", f'[telegram]\nbase_url = "{url}"')))
    assert settings.telegram.base_url == url
