"""``python -m bot backup`` on PostgreSQL: pg_dump's custom format, one line, owner-only, restorable
with the README's steps (pg_restore into an empty database gives the same rows)."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import psycopg
import pytest

from bot.cli import main
from tests.engines import fresh_postgres
from tests.foundation.test_engines import _pg_config


def test_backup_on_postgresql_is_a_custom_dump_that_restores(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    with fresh_postgres() as url:
        config = _pg_config(tmp_path, url)
        assert main(["migrate", "--config", str(config)]) == 0
        with psycopg.connect(url.conninfo(), autocommit=True) as conn:
            conn.execute("INSERT INTO users (id, full_name, role, region_code, created_at, updated_at) "
                         "VALUES (4242, 'Koor', 'koordinator', '36.73', '2026-01-01', '2026-01-01')")
        capsys.readouterr()
        out_dir = tmp_path / "cadangan"
        out_dir.mkdir()
        assert main(["backup", str(out_dir), "--config", str(config)]) == 0
        line = capsys.readouterr().out.strip()
        dumps = list(out_dir.glob("tpk-*.dump"))
        assert len(dumps) == 1 and line.startswith(f"cadangan {dumps[0]} dibuat (") and "users" in line, line
        assert "\n" not in line and stat.S_IMODE(dumps[0].stat().st_mode) == 0o600
        with fresh_postgres() as restored:
            subprocess.run(["pg_restore", "--no-owner", f"--dbname={restored.conninfo()}", str(dumps[0])],
                           check=True, capture_output=True)
            with psycopg.connect(restored.conninfo()) as conn:
                assert conn.execute("SELECT full_name FROM users WHERE id = 4242").fetchone() == ("Koor",)
                version = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        assert f"versi skema {version[0]}" in line if version else False


def test_a_backup_into_a_missing_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fresh_postgres() as url:
        config = _pg_config(tmp_path, url)
        assert main(["backup", str(tmp_path / "no" / "x.dump"), "--config", str(config)]) == 1
        assert capsys.readouterr().err.strip().count("\n") == 0
