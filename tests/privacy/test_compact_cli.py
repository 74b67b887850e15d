"""``python -m bot compact``: the operator's rewrite of the stored data after erasures, one line
on each engine (the rewrite itself is checked byte by byte in ``test_erasure.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from storage.compaction import COUNTS_PREFIX
from tests.engines import fresh_postgres
from tests.foundation.test_engines import _config


def test_on_sqlite_the_file_is_rebuilt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "tpk.sqlite3"
    config = _config(tmp_path, f'url = "sqlite:///{database}"')
    assert main(["migrate", "--config", str(config)]) == 0
    capsys.readouterr()
    assert main(["compact", "--config", str(config)]) == 0
    assert capsys.readouterr().out.strip() == (f"{database}: file dibangun ulang (VACUUM) dan WAL dikosongkan — "
                                               "nilai yang dihapus tidak tersisa di file")


def test_on_postgresql_every_table_but_the_counters_is_rewritten(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import psycopg

    with fresh_postgres() as url:
        config = _config(tmp_path, f'url = "{url.as_setting()}"')
        assert main(["migrate", "--config", str(config)]) == 0

        def files() -> dict[str, int]:
            with psycopg.connect(url.conninfo()) as conn:
                return dict(conn.execute("SELECT relname, relfilenode FROM pg_class WHERE relkind = 'r' AND "
                                         "relnamespace = current_schema()::regnamespace").fetchall())

        before = files()
        capsys.readouterr()
        assert main(["compact", "--config", str(config)]) == 0
        line = capsys.readouterr().out.strip()
        after = files()
    rewritten = sorted(name for name in before if after[name] != before[name])
    assert rewritten == sorted(name for name in before if not name.startswith(COUNTS_PREFIX))
    assert "sasaran" in rewritten and "rekap_counts" not in rewritten
    assert line.startswith(f"{url.display()}: {len(rewritten)} tabel ditulis ulang (VACUUM FULL) dalam "), line
