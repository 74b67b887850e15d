"""Two engines, one behaviour (design property 9): the storage URL, the operator's errors,
the dialect's translation, and the same schema from the same migrations on both engines."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import main
from bot.settings import ConfigError, load_settings
from storage import catalogue
from storage.db import Migration, bundled_migrations
from storage.dialect import POSTGRESQL, SQLITE
from storage.engine import open_database
from storage.sqlite_to_postgresql import PortError, port_script, port_statement, primary_keys_of
from storage.url import Engine, StorageURL, parse
from tests.engines import fresh_postgres, server_url
from tests.foundation.test_settings import KEY, TOKEN

# -- the URL ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "engine", "shown"),
    [("sqlite:///var/tpk.sqlite3", Engine.SQLITE, "var/tpk.sqlite3"),
     ("sqlite:////srv/tpk/tpk.sqlite3", Engine.SQLITE, "/srv/tpk/tpk.sqlite3"),
     ("postgresql://tpk@db.example:5433/tpk", Engine.POSTGRESQL, "tpk@db.example:5433/tpk"),
     ("postgres://10.0.0.5/tpk_banten?sslmode=require", Engine.POSTGRESQL, "10.0.0.5:5432/tpk_banten")],
)
def test_storage_urls_name_the_engine_and_place(url: str, engine: Engine, shown: str) -> None:
    target = parse(url)
    assert target.engine is engine and target.display() == shown


def test_a_postgresql_url_becomes_libpq_keywords_with_the_password_apart() -> None:
    target = parse("postgresql://tpk@db.example:5433/tpk?sslmode=require&application_name=tpk%20bot")
    assert target.conninfo() == "host=db.example port=5433 dbname=tpk user=tpk sslmode=require " \
                                "application_name='tpk bot'"
    assert target.conninfo("it's") == target.conninfo() + " password='it\\'s'"
    assert "password" not in target.display()


@pytest.mark.parametrize(
    ("url", "expected"),
    [("mysql://x/y", "harus diawali sqlite:/// atau postgresql://"),
     ("var/tpk.sqlite3", "harus diawali"),
     ("sqlite://var/tpk.sqlite3", "tiga garis miring"),
     ("postgresql://tpk:rahasia@db/tpk", "jangan tulis kata sandi di URL"),
     ("postgresql://tpk@db:99999/tpk", "port"),
     ("postgresql://tpk@db:abc/tpk", "port"),
     ("postgresql://tpk@db/", "nama basis data tidak ada"),
     ("postgresql:///tpk", "nama host"),
     ("postgresql://db/tpk?sslmod=require", "parameter 'sslmod' tidak dikenal")],
)
def test_a_wrong_url_is_one_line_naming_the_setting_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, expected: str) -> None:
    config = _config(tmp_path, f'url = "{url}"')
    with pytest.raises(ConfigError, match=r"'storage\.url'"):
        load_settings(config)
    assert main(["migrate", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "'storage.url'" in err and len(err.strip().splitlines()) == 1
    assert "rahasia" not in err


def test_url_and_path_together_are_refused_but_each_alone_works(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pakai salah satu"):
        load_settings(_config(tmp_path, 'url = "sqlite:///a.sqlite3"\npath = "b.sqlite3"'))
    assert load_settings(_config(tmp_path, 'url = "sqlite:///a.sqlite3"')).storage.target.path == Path("a.sqlite3")
    assert load_settings(_config(tmp_path, 'path = "b.sqlite3"')).storage.target == StorageURL.sqlite("b.sqlite3")
    assert load_settings(_config(tmp_path, "")).storage.target == StorageURL.sqlite("var/tpk.sqlite3")


def test_the_password_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TPK_STORAGE_PASSWORD", "s3cret")
    settings = load_settings(_config(tmp_path, 'url = "postgresql://tpk@db/tpk"'))
    assert settings.storage.target.conninfo(settings.storage.password).endswith("password=s3cret")


def _config(tmp_path: Path, storage: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[telegram]\ntoken = "{TOKEN}"\n[storage]\n{storage}\n[wilayah]\nroot = "36.73"\n'
                    f'[privacy]\nkey = "{KEY}"\n', encoding="utf-8")
    return path


# -- the server: unreachable, missing database, missing right ------------------------------


def _pg_config(tmp_path: Path, url: StorageURL) -> Path:
    return _config(tmp_path, f'url = "{url.as_setting()}"')


def test_migrate_on_postgresql_applies_everything_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fresh_postgres() as url:
        config = _pg_config(tmp_path, url)
        assert main(["migrate", "--config", str(config)]) == 0
        assert main(["migrate", "--config", str(config)]) == 0
        out = capsys.readouterr().out
        assert out.count(f"basis data {url.display()} siap (versi skema {bundled_migrations()[-1].version})") == 2


def test_an_unreachable_server_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, 'url = "postgresql://tpk@127.0.0.1:1/tpk"')
    assert main(["migrate", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("setelan 'storage.url' (tpk@127.0.0.1:1/tpk): server PostgreSQL di 127.0.0.1:1 tidak bisa "
                   "dihubungi — apakah server berjalan dan alamatnya benar?")


def test_a_missing_database_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fresh_postgres() as url:
        missing = url.with_database(f"tpk_absent_{secrets.token_hex(4)}")
        assert main(["migrate", "--config", str(_pg_config(tmp_path, missing))]) == 2
        err = capsys.readouterr().err.strip()
        assert f"basis data {missing.param('dbname')} tidak ada — buat dulu: createdb" in err
        assert len(err.splitlines()) == 1 and err.startswith("setelan 'storage.url'")


def test_a_database_whose_collation_ignores_punctuation_is_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Scopes are ranges of region codes around '.' and '/': a collation that skips punctuation
    would silently leave an area's records out of every query, so it is refused at open."""
    import psycopg

    with fresh_postgres() as url, psycopg.connect(url.conninfo(), autocommit=True) as admin:
        shifted = url.with_database(f"tpk_shifted_{secrets.token_hex(4)}")
        admin.execute(f'CREATE DATABASE "{shifted.param("dbname")}" TEMPLATE template0 LOCALE_PROVIDER icu '
                      "ICU_LOCALE 'und-u-ka-shifted' LOCALE 'C.UTF-8'")
        try:
            assert main(["migrate", "--config", str(_pg_config(tmp_path, shifted))]) == 2
        finally:
            admin.execute(f'DROP DATABASE "{shifted.param("dbname")}" WITH (FORCE)')
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("setelan 'storage.url'")
    assert "tanda baca" in err and "createdb --locale=C.UTF-8 --template=template0" in err


@contextmanager
def _role(admin: Any, url: StorageURL, prefix: str) -> Iterator[tuple[str, StorageURL]]:
    """A new login role on the test server and the URL of ``url``'s database as that role;
    the role and whatever it owns or was granted are dropped afterwards."""
    role = f"{prefix}_{secrets.token_hex(4)}"
    admin.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        yield role, StorageURL(url.engine, params=(*((k, v) for k, v in url.params if k != "user"), ("user", role)))
    finally:
        admin.execute(f'DROP OWNED BY "{role}"')
        admin.execute(f'DROP ROLE "{role}"')


def test_a_role_without_the_right_to_create_tables_is_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import psycopg

    with fresh_postgres() as url, psycopg.connect(url.conninfo(), autocommit=True) as admin, \
            _role(admin, url, "tpk_noright") as (role, limited):
        admin.execute(f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{role}"')
        assert main(["migrate", "--config", str(_pg_config(tmp_path, limited))]) == 2
        err = capsys.readouterr().err.strip()
        assert f"peran {role} tidak punya hak yang diperlukan (permission denied for schema public)" in err
        assert len(err.splitlines()) == 1 and err.startswith("setelan 'storage.url'")


@pytest.mark.parametrize("table", ["meta", "keluarga"])  # read while starting; read by the command itself
def test_a_right_missing_on_one_table_is_one_line_and_exit_2_wherever_it_is_met(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str) -> None:
    """Past the connection and the migrations, the first statement on a table the role may
    not read fails as the same one line naming the setting, not a traceback."""
    import psycopg

    with fresh_postgres() as url, psycopg.connect(url.conninfo(), autocommit=True) as admin:
        assert main(["migrate", "--config", str(_pg_config(tmp_path, url))]) == 0  # as the owner
        with _role(admin, url, "tpk_partial") as (role, limited):
            admin.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
            admin.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
            admin.execute(f'REVOKE ALL ON {table} FROM "{role}"')
            capsys.readouterr()
            assert main(["seed-demo", "--config", str(_pg_config(tmp_path, limited)), "--sasaran", "5"]) == 2
            err = capsys.readouterr().err.strip()
            assert f"peran {role} tidak punya hak yang diperlukan (permission denied for table {table})" in err
            assert len(err.splitlines()) == 1 and err.startswith("setelan 'storage.url'")


def _terminate_connections(url: StorageURL) -> int:
    """What a server restart does to a client: every connection to the database is cut."""
    import psycopg

    with psycopg.connect(server_url().conninfo(), autocommit=True) as admin:
        # With a timeout, pg_terminate_backend waits until each backend is gone.
        return len(admin.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = %s "
                                 "AND pid <> pg_backend_pid()", (url.param("dbname"),)).fetchall())


async def test_cut_connections_are_replaced_before_a_statement_fails() -> None:
    """A restarted server cuts every pooled connection; each would fail its next statement (an
    apology to a member, an answer to type again). The pool tries a connection before lending
    it, so reads and writes after the cut all succeed on new connections."""
    import asyncio

    from storage.postgres import CHECK_IDLE_S

    with fresh_postgres(migrated=True) as url:
        db = await open_database(url)
        try:
            async def busy_read() -> None:  # holds its connection a moment, so the pool grows
                await db.fetch_value("SELECT count(*) FROM (SELECT pg_sleep(0.05)) AS pause")

            await asyncio.gather(*(busy_read() for _ in range(6)))
            assert _terminate_connections(url) >= 2
            await asyncio.sleep(CHECK_IDLE_S + 0.1)  # a restart comes while the pool lies idle
            values = await asyncio.gather(*(db.fetch_value("SELECT count(*) FROM regions") for _ in range(6)))
            assert len(set(values)) == 1 and values[0] > 0
            assert _terminate_connections(url) >= 1
            await asyncio.sleep(CHECK_IDLE_S + 0.1)
            await db.write("INSERT INTO meta (key, value) VALUES ('test_after_cut', 'ok')")
            assert await db.fetch_value("SELECT value FROM meta WHERE key = 'test_after_cut'") == "ok"
        finally:
            await db.close()


async def test_the_bots_connections_wait_for_locks_briefly_and_compile_nothing() -> None:
    """Every pooled connection is configured alike: the lock wait of the busy handling, and no
    JIT (5–6 ms a /rekap statement whose estimate crosses jit_above_cost; README)."""
    from storage.postgres import WRITE_PATIENCE_S

    with fresh_postgres(migrated=True) as url:
        db = await open_database(url)
        try:
            async with db.transaction() as tx:  # a connection of its own, beside the reader's
                settings = await tx.fetch_one("SELECT current_setting('jit'), setting FROM pg_settings"
                                              " WHERE name = 'lock_timeout'")
            assert tuple(settings) == ("off", str(int(WRITE_PATIENCE_S * 1000)))  # type: ignore[arg-type]
            assert await db.fetch_value("SELECT current_setting('jit')") == "off"
        finally:
            await db.close()


async def test_a_deadlock_between_two_processes_is_busy_and_nothing_is_written() -> None:
    """Two bot processes locking the same rows in opposite orders: PostgreSQL breaks the
    deadlock by failing one transaction, which arrives as :class:`DatabaseBusy` (what the forms
    tell a member as "belum tersimpan, kirim lagi"), rolled back whole; the other commits."""
    import asyncio

    from storage.db import DatabaseBusy

    with fresh_postgres(migrated=True) as url:
        first, second = await open_database(url), await open_database(url)
        try:
            await first.write("INSERT INTO meta (key, value) VALUES ('a', '0'), ('b', '0')")
            both_hold = asyncio.Barrier(2)

            async def writer(db: Any, mine: str, theirs: str) -> str:
                try:
                    async with db.transaction() as tx:
                        await tx.execute("UPDATE meta SET value = ? WHERE key = ?", (mine, mine))
                        await both_hold.wait()
                        await tx.execute("UPDATE meta SET value = ? WHERE key = ?", (mine, theirs))
                except DatabaseBusy:
                    return "busy"
                return "written"

            outcomes = await asyncio.gather(writer(first, "a", "b"), writer(second, "b", "a"))
            assert sorted(outcomes) == ["busy", "written"]
            winner = "a" if outcomes[0] == "written" else "b"
            rows = await first.fetch_all("SELECT key, value FROM meta WHERE key IN ('a', 'b') ORDER BY key")
            assert [tuple(r) for r in rows] == [("a", winner), ("b", winner)]
        finally:
            await first.close()
            await second.close()


# -- the dialect ---------------------------------------------------------------------------


def test_sqlite_statements_stay_as_written() -> None:
    sql = "INSERT OR IGNORE INTO users (id) VALUES (?) -- 50%"
    assert SQLITE.translate(sql) == sql


def test_postgresql_gets_its_own_spelling_of_each_sqlite_construct() -> None:
    keys = {"keluarga_risk": ("keluarga_id", "code")}.get
    cases = {
        "SELECT strftime('%Y-%m', x) FROM t WHERE a = ? AND b LIKE '?%'":
            "SELECT strftime('%%Y-%%m', x) FROM t WHERE a = %s AND b ILIKE '?%%'",
        "INSERT OR IGNORE INTO users (id, name) VALUES (?, ?)":
            "INSERT INTO users (id, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        "INSERT OR REPLACE INTO keluarga_risk (keluarga_id, code, reason) VALUES (?, ?, ?)":
            "INSERT INTO keluarga_risk (keluarga_id, code, reason) VALUES (%s, %s, %s) "
            "ON CONFLICT (keluarga_id, code) DO UPDATE SET reason = excluded.reason",
        "SELECT id FROM reminders INDEXED BY reminders_due WHERE claimed_by IS NOT ?":
            "SELECT id FROM reminders WHERE claimed_by IS DISTINCT FROM %s",
        "SELECT max(a.x, b.y) FROM t": "SELECT tpk_max(a.x, b.y) FROM t",
        "SELECT min(date(a, '+1 day'), max(b, c)), max(d) FROM t":
            "SELECT tpk_min(date(a, '+1 day'), tpk_max(b, c)), max(d) FROM t",
        "SELECT count(*) FROM keluarga k WHERE k.berisiko AND region_code = :area":
            "SELECT count(*) FROM keluarga k WHERE (k.berisiko <> 0) AND region_code = %(area)s",
        "INSERT INTO c (metric, value) VALUES (?, 1) ON CONFLICT (metric) DO UPDATE SET value = value + excluded.value":
            "INSERT INTO c (metric, value) VALUES (%s, 1) ON CONFLICT (metric) DO UPDATE SET value = "
            "c.value + excluded.value",
        "SELECT n FROM (SELECT 1 AS n) WHERE n > 0": "SELECT n FROM (SELECT 1 AS n) AS tpk_sub1 WHERE n > 0",
        "SELECT group_concat(code), group_concat(DISTINCT r.n), group_concat(reason, '; ') FROM t":
            "SELECT string_agg((code)::text, ','), string_agg(DISTINCT (r.n)::text, ','),"
            " string_agg((reason)::text, '; ') FROM t",
    }
    for sqlite, postgresql in cases.items():
        assert POSTGRESQL.translate(sqlite, keys) == postgresql


def test_a_truth_value_stored_into_a_flag_column_becomes_an_integer() -> None:
    sql = "INSERT INTO rekap_risk (keluarga_id, live) SELECT k.id, k.erased_at IS NULL FROM keluarga k"
    assert port_statement(sql) == sql.replace("k.erased_at IS NULL", "(k.erased_at IS NULL)::int")
    assert "live = (NEW.erased_at IS NULL AND NEW.status = 'aktif')::int" in port_statement(
        "UPDATE rekap_flag SET month = ?, live = NEW.erased_at IS NULL AND NEW.status = 'aktif' WHERE sasaran_id = 1")


_code = st.text(alphabet="abc =,()?%:_.\n", max_size=12).filter(lambda t: "--" not in t and ":" not in t)
_literal = st.text(alphabet="ab?%'-: ", max_size=8).map(lambda t: "'" + t.replace("'", "''") + "'")


@given(st.lists(st.tuples(_code, _literal), max_size=6))
def test_placeholders_outside_quotes_become_psycopgs_and_quoted_text_survives(parts: list[tuple[str, str]]) -> None:
    sql = "".join(code + literal for code, literal in parts)
    translated = POSTGRESQL.translate(sql)
    assert translated.replace("%%", "").count("%s") == sum(code.count("?") for code, _ in parts)
    for _, literal in parts:
        assert literal.replace("%", "%%") in translated


# -- the schema: the same on both engines ---------------------------------------------------


async def test_both_engines_build_the_same_tables_columns_keys_and_indexes(tmp_path: Path) -> None:
    schemas = {}
    with fresh_postgres() as pg_url:
        for url in (StorageURL.sqlite(tmp_path / "t.sqlite3"), pg_url):
            db = await open_database(url)
            try:
                await db.migrate()
                schemas[url.engine] = await catalogue.describe(db)
            finally:
                await db.close()
    sqlite, postgresql = schemas[Engine.SQLITE], schemas[Engine.POSTGRESQL]
    assert sorted(sqlite) == sorted(postgresql)
    assert len(sqlite) > 20 and sqlite["rekap_counts"].primary_key == ("metric", "region_code", "month", "until")
    for name in sqlite:
        assert sqlite[name] == postgresql[name], name


#: What the next migrations look like (other branches add 0016–0020 as plain SQLite files): a
#: table, a column, a partial index, a counter trigger, a refusing trigger and a SQLite-only block.
FUTURE_MIGRATION = """
CREATE TABLE kader_note (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions (code),
    body        TEXT NOT NULL,
    weight      REAL,
    pinned      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
ALTER TABLE kader_note ADD COLUMN done_at TEXT;
CREATE INDEX kader_note_open ON kader_note (region_code, created_at) WHERE done_at IS NULL;
CREATE TABLE kader_note_count (month TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER kader_note_counted AFTER INSERT ON kader_note WHEN NEW.done_at IS NULL BEGIN
    INSERT INTO kader_note_count (month, n) VALUES (strftime('%Y-%m', NEW.created_at), 1)
    ON CONFLICT (month) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER kader_note_no_empty BEFORE INSERT ON kader_note WHEN length(NEW.body) = 0
BEGIN SELECT RAISE(ABORT, 'kader_note.body is empty'); END;
-- sqlite only: begin
PRAGMA writable_schema = ON;
PRAGMA writable_schema = RESET;
-- sqlite only: end
"""


async def test_a_new_plain_sqlite_migration_ports_without_hand_work(tmp_path: Path) -> None:
    """Tables, columns, partial indexes and both kinds of trigger as other branches write them:
    the same catalogue on both engines, and the triggers count and refuse the same way."""
    keys: dict[str, tuple[str, ...]] = {}
    for m in bundled_migrations(Engine.SQLITE):
        keys.update(primary_keys_of(m.sql))
    number = bundled_migrations()[-1].version + 1
    plans = {Engine.SQLITE: [*bundled_migrations(Engine.SQLITE), Migration(number, "future", FUTURE_MIGRATION)],
             Engine.POSTGRESQL: [*bundled_migrations(Engine.POSTGRESQL),
                                 Migration(number, "future", port_script(FUTURE_MIGRATION, keys))]}
    schemas, counts = {}, {}
    with fresh_postgres() as pg_url:
        for url in (StorageURL.sqlite(tmp_path / "t.sqlite3"), pg_url):
            db = await open_database(url)
            try:
                await db.migrate(plans[url.engine])
                schemas[url.engine] = await catalogue.describe(db)
                async with db.transaction() as tx:
                    await tx.execute("INSERT INTO regions (code, name, level) VALUES ('36', 'Banten', 1)")
                    for day in ("2026-03-01", "2026-03-09", "2026-04-02"):
                        await tx.insert("INSERT INTO kader_note (region_code, body, created_at) VALUES ('36', 'x', ?)",
                                        (day,))
                with pytest.raises(Exception, match=r"kader_note\.body is empty"):
                    await db.write("INSERT INTO kader_note (region_code, body, created_at) VALUES ('36', '', 'x')")
                counts[url.engine] = [tuple(r) for r in await db.fetch_all(
                    "SELECT month, n FROM kader_note_count ORDER BY month")]
            finally:
                await db.close()
    assert schemas[Engine.SQLITE]["kader_note"] == schemas[Engine.POSTGRESQL]["kader_note"]
    assert counts[Engine.SQLITE] == counts[Engine.POSTGRESQL] == [("2026-03", 2), ("2026-04", 1)]


def test_an_unclosed_sqlite_only_block_is_refused() -> None:
    with pytest.raises(PortError, match="sqlite only"):
        port_script("-- sqlite only: begin\nPRAGMA writable_schema = ON;\n")


def test_the_ported_migrations_keep_numbers_and_names() -> None:
    for sqlite, postgresql in zip(bundled_migrations(Engine.SQLITE), bundled_migrations(Engine.POSTGRESQL),
                                  strict=True):
        assert (sqlite.version, sqlite.name) == (postgresql.version, postgresql.name)
        code = "\n".join(line.split("--")[0] for line in postgresql.sql.splitlines())
        assert "WITHOUT ROWID" not in code and "INTEGER PRIMARY KEY" not in code and "INTEGER" not in code


def test_the_test_server_is_reached_only_through_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TPK_TEST_POSTGRES_URL", "postgresql://someone@10.9.8.7:6543/elsewhere")
    assert server_url().display() == "someone@10.9.8.7:6543/elsewhere"


async def test_a_check_widened_through_sqlite_master_is_widened_on_postgresql_too() -> None:
    """0015 and 0016 widen CHECK lists by editing SQLite's schema text; the porter turns that
    idiom into tpk_widen_check, so the new values are accepted on PostgreSQL as well."""
    with fresh_postgres(migrated=True) as url:
        db = await open_database(url)
        try:
            checks = " ".join(r[0] for r in await db.fetch_all(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' "
                "AND conrelid IN ('ibu_consent'::regclass, 'users'::regclass, 'invitations'::regclass)"))
        finally:
            await db.close()
    assert "'ttd_harian'::text, 'ttd_mingguan'::text" in checks and checks.count("'pakar'::text") == 2


def test_any_other_change_of_sqlite_master_is_refused_by_the_porter() -> None:
    with pytest.raises(PortError, match="sqlite only"):
        port_script("UPDATE sqlite_master SET sql = 'CREATE TABLE x (a)' WHERE name = 'x';")
