"""``python -m bot migrate-data``: a demo SQLite deployment moved to PostgreSQL with the same rows,
the same /rekap counters and NIKs that still decrypt; a target with data is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from bot.cli import main
from tests.engines import fresh_postgres
from tests.foundation.test_engines import _config


def _counters_sqlite(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return [tuple(r) for r in conn.execute(
            "SELECT metric, region_code, month, until, value FROM rekap_counts WHERE value <> 0 "
            "ORDER BY metric, region_code, month, until")]


def test_the_demo_database_moves_to_postgresql_with_its_figures(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "demo.sqlite3"
    config = _config(tmp_path, f'url = "sqlite:///{database}"')
    assert main(["seed-demo", "--config", str(config), "--sasaran", "150"]) == 0
    with fresh_postgres() as url:
        capsys.readouterr()
        assert main(["migrate-data", "--config", str(config), "--from", f"sqlite:///{database}",
                     "--to", url.as_setting()]) == 0
        line = capsys.readouterr().out.strip()
        assert line.startswith(f"data dipindah ke {url.display()}") and "NIK contoh terbaca sama" in line, line
        with sqlite3.connect(database) as conn:
            sasaran = conn.execute("SELECT count(*) FROM sasaran").fetchone()[0]
        assert f"{sasaran:,} sasaran" in line and sasaran >= 100
        with psycopg.connect(url.conninfo()) as conn:
            counters = [tuple(r) for r in conn.execute(
                "SELECT metric, region_code, month, until, value FROM rekap_counts WHERE value <> 0 "
                "ORDER BY metric COLLATE \"C\", region_code COLLATE \"C\", month COLLATE \"C\", until COLLATE \"C\"")]
            next_id = conn.execute("SELECT nextval(pg_get_serial_sequence('sasaran', 'id'))").fetchone()[0]
            top = conn.execute("SELECT max(id) FROM sasaran").fetchone()[0]
        assert counters == _counters_sqlite(database) and len(counters) > 10
        assert next_id > top, "new records continue after the copied ids"
        # A second move into the now filled database is refused, in one line.
        assert main(["migrate-data", "--config", str(config), "--from", f"sqlite:///{database}",
                     "--to", url.as_setting()]) == 1
        assert "sudah berisi data" in capsys.readouterr().err
