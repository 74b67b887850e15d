"""Settings from ``config.toml``, with secrets overridable from the environment.

``TPK_<SECTION>_<KEY>`` overrides a key, e.g. ``TPK_TELEGRAM_TOKEN``. Every mistake a
deployer can make is reported as one Indonesian line naming the setting and the fix
(:class:`ConfigError`); the CLI prints it and exits 2 without a traceback.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.domain.audit_criteria import AuditCriteria
from bot.domain.daytime import zone_for_region
from bot.domain.pregnancy import TrimesterBoundaries
from bot.domain.regions import NATIONAL, is_valid_code
from bot.domain.schedule_config import ReminderConfig
from bot.domain.thresholds import ClinicalThresholds
from storage.crypto import CipherKeyError, decode_key
from storage.regions import DEFAULT_CSV, code_in_csv
from storage.url import StorageURL
from storage.url import parse as parse_storage_url

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
#: Hosts a plain-http Bot API address may name: this machine only.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
ZONE_ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


class ConfigError(Exception):
    """One line for the operator: what is wrong and how to fix it."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TelegramSettings(_Section):
    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str | None = None
    #: Telegram's limit on messages per second overall (0: no limit, e.g. a local emulator).
    max_messages_per_second: float = Field(30.0, ge=0)
    #: Seconds to pause after each getUpdates answer before asking again. Under load an
    #: answer then carries several updates instead of one: fewer requests and less CPU per
    #: member action (+15 % form steps/s in bench/bench_conversation.py). An update that
    #: arrives during the pause waits at most this long; one from a person typing after
    #: reading the question finds the next request already waiting. 0: ask again at once.
    poll_interval: float = Field(0.005, ge=0, le=1)

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _https_unless_local(cls, value: str | None) -> str | None:
        """The token travels in every URL: only TLS, or this machine itself (a self-hosted
        Bot API server or the emulator on loopback), may carry it."""
        if value is None:
            return None
        address = urlsplit(value.strip())
        if address.scheme == "https" and address.hostname:
            return value.strip()
        if address.scheme == "http" and address.hostname in LOOPBACK:
            return value.strip()
        raise ValueError("harus https:// (token dikirim di alamat ini); http:// hanya untuk 127.0.0.1, "
                         "localhost atau ::1")

    @property
    def file_url(self) -> str:
        """Defaults to the base URL's sibling ``…/file/bot``, as on api.telegram.org."""
        if self.base_file_url:
            return self.base_file_url
        return re.sub(r"/bot$", "/file/bot", self.base_url)


class StorageSettings(_Section):
    """``url`` names the engine and where (storage/url.py); ``path`` is the older spelling of a SQLite url."""

    url: str = ""
    path: Path = Path("var/tpk.sqlite3")
    password: str = ""  # PostgreSQL only; best from TPK_STORAGE_PASSWORD (or libpq's PGPASSWORD / ~/.pgpass)

    @property
    def target(self) -> StorageURL:
        """The engine and address; ``url`` wins, else the SQLite file at ``path``."""
        return parse_storage_url(self.url) if self.url.strip() else StorageURL.sqlite(self.path)


class WilayahSettings(_Section):
    root: str = "36.73"
    timezone: str | None = None
    csv: Path = DEFAULT_CSV

    @field_validator("root")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        value = value.strip()
        if not is_valid_code(value):
            raise ValueError("bukan kode wilayah Kemendagri (contoh: 36.73; seluruh Indonesia: ID)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = ZONE_ALIASES.get(value.strip().upper(), value.strip())
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("zona waktu tidak dikenal (pakai WIB, WITA, WIT atau nama IANA)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The deployment's zone: months, closes and /rekap's days are counted in it (each
        reminder still goes by its mother's own zone). A national root spans three zones and
        takes the capital's, WIB, unless ``timezone`` says otherwise."""
        return ZoneInfo(self.timezone) if self.timezone else zone_for_region(self.root)


class AccessSettings(_Section):
    admins: list[PositiveInt] = Field(default_factory=list)
    invitation_days: PositiveInt = 7
    flood_burst: PositiveInt = 20  # messages one person may send at once ...
    flood_per_second: PositiveFloat = 4.0  # ... and per second after that, before being asked to slow down


class TrimesterSettings(_Section):
    """Last week of trimester I and II; sources disagree (12/24 or 12/28). The one
    setting for the whole bot: forms, /rekap and the ANC reminders all follow it."""

    first_end_week: int = Field(12, ge=4, le=20)
    second_end_week: int = Field(24, ge=16, le=32)

    @model_validator(mode="after")
    def _ordered(self) -> TrimesterSettings:
        if self.first_end_week >= self.second_end_week:
            raise ValueError("first_end_week harus lebih kecil dari second_end_week")
        return self

    @property
    def boundaries(self) -> TrimesterBoundaries:
        return TrimesterBoundaries(self.first_end_week, self.second_end_week)


class FormsSettings(_Section):
    draft_days: PositiveInt = 7  # unfinished drafts older than this are deleted, with a notice


class RekapSettings(_Section):
    """/rekap, /ekspor and the monthly digest to coordinators."""

    digest_enabled: bool = True
    digest_hour: int = Field(7, ge=0, le=23)  # local hour on the 1st of the month
    digest_check_seconds: PositiveInt = 60  # how often the job looks at the clock
    export_max_rows: PositiveInt = 100_000  # rows of the "Sasaran" sheet in one workbook


class KunjunganSettings(_Section):
    """The TPK member's visit tasks (/tugas and the daily list)."""

    #: A task late this many days is listed by name in the weekly summary of the area's
    #: coordinators (it stays on the member's list either way until visited or closed).
    escalate_after_days: int = Field(7, ge=1, le=60)


class PrivacySettings(_Section):
    key: str = ""  # base64 of 32 random bytes; `python -m bot init-config` writes one
    # Ended records (status selesai, children past balita age, families with no active member)
    # are anonymised this many days after they ended; 0 keeps them (bot/privacy/retention.py).
    retention_days: int = Field(1825, ge=0)
    # /hapus: at most this many erasures per coordinator (or admin) in 24 hours; 0 = no limit.
    erase_per_day: int = Field(10, ge=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TPK_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
    )

    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    wilayah: WilayahSettings = Field(default_factory=WilayahSettings)
    access: AccessSettings = Field(default_factory=AccessSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    formulir: FormsSettings = Field(default_factory=FormsSettings)
    klinis: ClinicalThresholds = Field(default_factory=ClinicalThresholds)
    trimester: TrimesterSettings = Field(default_factory=TrimesterSettings)
    pengingat: ReminderConfig = Field(default_factory=ReminderConfig)
    rekap: RekapSettings = Field(default_factory=RekapSettings)
    kunjungan: KunjunganSettings = Field(default_factory=KunjunganSettings)
    audit: AuditCriteria = Field(default_factory=AuditCriteria)
    #: The file these settings were read from (not a setting: set by :func:`load_settings`).
    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        return self._source

    @model_validator(mode="before")
    @classmethod
    def _reminders_follow_trimester(cls, data: Any) -> Any:
        """Give ``[pengingat.anc]`` the boundaries of ``[trimester]``: the ANC reminders name
        each contact's trimester and check the 1-2-3 contacts per trimester, and must never
        disagree with the forms and /rekap. Setting them a second time there is refused."""
        if not isinstance(data, dict):
            return data
        trimester = _as_dict(data.get("trimester", {}))
        pengingat = _as_dict(data.get("pengingat", {}), exclude_defaults=True)
        anc = _as_dict(pengingat.get("anc", {}), exclude_defaults=True)
        own = sorted(key for key in anc if key.startswith("trimester_"))
        if own:
            raise ValueError(f"pengingat.anc.{own[0]} tidak dipakai lagi: batas trimester diatur sekali, di "
                             "[trimester] (first_end_week, second_end_week)")
        defaults = TrimesterSettings()
        anc |= {"trimester_first_end_week": trimester.get("first_end_week", defaults.first_end_week),
                "trimester_second_end_week": trimester.get("second_end_week", defaults.second_end_week)}
        return {**data, "pengingat": {**pengingat, "anc": anc}}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file, so a token never has to be written down.
        return (env_settings, init_settings)


def _as_dict(section: Any, *, exclude_defaults: bool = False) -> dict[str, Any]:
    """A settings section as given: a TOML table, or a model built in code."""
    if isinstance(section, BaseModel):
        return section.model_dump(exclude_defaults=exclude_defaults)
    return dict(section) if isinstance(section, dict) else {}


_HINTS = {
    "access.admins": "isi dengan ID pengguna Telegram berupa angka, misalnya admins = [123456789]",
    "wilayah.root": "pakai kode dari data/wilayah/wilayah.csv, misalnya \"36.73\" untuk Kota Serang "
                    "atau \"ID\" untuk seluruh Indonesia",
}


def _describe(error: dict[str, Any], source: str) -> str:
    location = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
    indexes = "".join(f"[{part}]" for part in error["loc"] if isinstance(part, int))
    if error["type"] == "extra_forbidden":
        return (f"{source}: kunci tidak dikenal '{location}{indexes}' — periksa ejaannya "
                "(lihat config.example.toml)")
    message = error["msg"].removeprefix("Value error, ")
    if not location:  # a check across sections
        return f"{source}: {message}"
    hint = _HINTS.get(location, message)
    value = error.get("input")
    shown = f" (sekarang: {value!r})" if isinstance(value, str | int | float) else ""
    return f"{source}: setelan '{location}{indexes}' salah{shown}: {hint}"


def load_settings(path: Path, *, require_token: bool = True) -> Settings:
    """Read, validate and cross-check a configuration file, or raise :class:`ConfigError`."""
    if not path.exists():
        raise ConfigError(
            f"{path}: file konfigurasi tidak ada — salin config.example.toml ke {path} lalu isi token"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML tidak valid ({exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: file harus berupa teks UTF-8") from None
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc.errors()[0], str(path))) from None
    check_settings(settings, str(path), require_token=require_token)
    settings._source = path
    return settings


def check_settings(settings: Settings, source: str, *, require_token: bool) -> None:
    """Checks that need more than one field or a file: token shape, root region exists."""
    token = settings.telegram.token.strip()
    if require_token and not token:
        raise ConfigError(
            f"{source}: setelan 'telegram.token' kosong — minta token dari @BotFather (/newbot), "
            "lalu isi [telegram] token di file ini atau set variabel TPK_TELEGRAM_TOKEN"
        )
    if token and not _TOKEN.match(token):
        raise ConfigError(
            f"{source}: setelan 'telegram.token' tidak berbentuk token dari @BotFather "
            "(angka, titik dua, lalu huruf/angka)"
        )
    if not settings.privacy.key.strip():
        raise ConfigError(
            f"{source}: setelan 'privacy.key' kosong — kunci ini mengenkripsi NIK; buat dengan "
            "`python -m bot new-key`, lalu isi [privacy] key atau set TPK_PRIVACY_KEY (simpan cadangannya!)"
        )
    try:
        decode_key(settings.privacy.key)
    except CipherKeyError as exc:
        raise ConfigError(
            f"{source}: setelan 'privacy.key' salah: {exc} — buat dengan `python -m bot new-key`"
        ) from None
    _check_storage(settings.storage, source)
    if not settings.wilayah.csv.exists():
        raise ConfigError(f"{source}: setelan 'wilayah.csv' menunjuk file yang tidak ada: {settings.wilayah.csv}")
    if settings.wilayah.root != NATIONAL and not code_in_csv(settings.wilayah.csv, settings.wilayah.root):
        raise ConfigError(
            f"{source}: setelan 'wilayah.root' = {settings.wilayah.root!r} tidak ada di daftar wilayah "
            f"— {_HINTS['wilayah.root']}"
        )


def _check_storage(storage: StorageSettings, source: str) -> None:
    """The URL's shape; whether the server answers is checked when the database is opened."""
    if not storage.url.strip():
        return
    if "path" in storage.model_fields_set:
        raise ConfigError(f"{source}: setelan 'storage.url' dan 'storage.path' dua-duanya diisi — pakai salah satu "
                          "(storage.path sama dengan url = \"sqlite:///<path>\")")
    try:
        parse_storage_url(storage.url)
    except ValueError as exc:
        raise ConfigError(f"{source}: setelan 'storage.url' salah: {exc}") from None
