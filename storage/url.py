"""Where the data lives: ``[storage] url`` read into an engine and its address.

``sqlite:///var/tpk.sqlite3`` (relative) or ``sqlite:////srv/tpk.sqlite3`` (absolute) is
the embedded default; ``postgresql://user@host:5432/db`` a server. A password never sits
in the URL (config files travel into backups and chats): it comes from
``TPK_STORAGE_PASSWORD`` or libpq's own ``PGPASSWORD`` / ``~/.pgpass``, which both drivers
read. Every refusal is an Indonesian sentence the settings turn into one config line.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


class Engine(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


_SCHEMES = {"sqlite": Engine.SQLITE, "postgresql": Engine.POSTGRESQL, "postgres": Engine.POSTGRESQL}
#: libpq connection parameters a URL may carry as ``?key=value`` (the rest would be typos).
_PG_OPTIONS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name",
               "target_session_attrs", "options"}


@dataclass(frozen=True)
class StorageURL:
    engine: Engine
    #: The SQLite file (``sqlite`` only).
    path: Path | None = None
    #: libpq keywords without the password (``postgresql`` only).
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def sqlite(cls, path: str | Path) -> StorageURL:
        return cls(Engine.SQLITE, path=Path(path))

    def conninfo(self, password: str = "") -> str:
        """libpq's ``key=value`` string; an empty password leaves PGPASSWORD/.pgpass to libpq."""
        pairs = [*self.params, *((("password", password),) if password else ())]
        return " ".join(f"{key}={_quote(value)}" for key, value in pairs)

    def param(self, key: str) -> str | None:
        return dict(self.params).get(key)

    def with_database(self, name: str) -> StorageURL:
        """The same server and role, another database (tests make one per test)."""
        return StorageURL(self.engine, params=(*((k, v) for k, v in self.params if k != "dbname"), ("dbname", name)))

    def as_setting(self) -> str:
        """The ``[storage] url`` that names this place (never with a password)."""
        if self.engine is Engine.SQLITE:
            return f"sqlite:///{self.path}"
        p = dict(self.params)
        query = "&".join(f"{k}={v}" for k, v in self.params if k in _PG_OPTIONS)
        return f"postgresql://{self.display()}" + (f"?{query}" if query else "") if "dbname" in p else ""

    def display(self) -> str:
        """For messages: the file, or ``user@host:port/db`` (never a password)."""
        if self.engine is Engine.SQLITE:
            return str(self.path)
        p = dict(self.params)
        user = f"{p['user']}@" if "user" in p else ""
        return f"{user}{p.get('host', 'localhost')}:{p.get('port', '5432')}/{p.get('dbname', '')}"


def _quote(value: str) -> str:
    if value and not any(c in value for c in " '\\"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parse(url: str) -> StorageURL:
    """Read a storage URL, or raise :class:`ValueError` with the reason in Indonesian."""
    url = url.strip()
    scheme, sep, _ = url.partition("://")
    engine = _SCHEMES.get(scheme.lower()) if sep else None
    if engine is None:
        raise ValueError("harus diawali sqlite:/// atau postgresql:// (contoh: postgresql://tpk@127.0.0.1:5432/tpk)")
    if engine is Engine.SQLITE:
        path = url[len(scheme) + 3:]
        if not path.startswith("/") or path == "/":
            raise ValueError("tulis sqlite:///folder/file.sqlite3 (tiga garis miring; empat untuk path absolut)")
        return StorageURL.sqlite(path[1:])
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ValueError("nomor port bukan angka 1–65535") from None
    if parts.password is not None:
        raise ValueError("jangan tulis kata sandi di URL — isi variabel TPK_STORAGE_PASSWORD (atau PGPASSWORD / "
                         "~/.pgpass)")
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise ValueError("nama basis data tidak ada di URL (contoh: postgresql://tpk@127.0.0.1:5432/tpk)")
    if not parts.hostname:
        raise ValueError("nama host server tidak ada di URL (contoh: postgresql://tpk@127.0.0.1:5432/tpk)")
    params: list[tuple[str, str]] = [("host", unquote(parts.hostname)), ("port", str(port or 5432)),
                                     ("dbname", database)]
    if parts.username:
        params.append(("user", unquote(parts.username)))
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in _PG_OPTIONS:
            raise ValueError(f"parameter '{key}' tidak dikenal (yang boleh: {', '.join(sorted(_PG_OPTIONS))})")
        params.append((key, value))
    return StorageURL(Engine.POSTGRESQL, params=tuple(params))
