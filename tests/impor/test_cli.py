"""``python -m bot impor`` as a real process: dry run, a mapping file, and a SIGKILL in
the middle of a 20,000-row import followed by the same command again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from storage.crypto import new_key
from tests.impor.files import CURUG_DESA, SUKAWANA, TODAY, Family, Member, adult_born, csv_file, kk, nik, template_file
from tests.reliability.botproc import PYTHON, ROOT, write_config

ADMIN = 1000


def config(tmp: Path) -> Path:
    return write_config(tmp / "config.toml", {
        "storage": {"path": str(tmp / "tpk.sqlite3")}, "wilayah": {"root": "36.73"},
        "access": {"admins": [ADMIN]}, "privacy": {"key": new_key()}})


def cli(*args: str | Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([PYTHON, "-m", "bot", "impor", *map(str, args)], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finished(process: subprocess.Popen[str], timeout: float = 600) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out.strip()


def counts(db: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute(sql).fetchone()[0])


def big(n_families: int) -> bytes:
    families = [Family(SUKAWANA if i % 2 else CURUG_DESA, f"Kepala {i}", kk("36.73.04", i + 1))
                for i in range(n_families)]
    members = [Member(f.no_kk, f.head, f.region, "Ibu hamil", f"Ibu {i}",
                      nik("36.73.04", adult_born(i), True, i % 9999 + 1), adult_born(i),
                      extra={"HPHT": TODAY - timedelta(days=90)}) for i, f in enumerate(families)]
    return template_file(families, members)


def test_sigkill_in_the_middle_then_the_same_command_writes_each_row_once(tmp_path: Path) -> None:
    conf = config(tmp_path)
    source = tmp_path / "verval_20000.xlsx"
    source.write_bytes(big(10_000))
    db = tmp_path / "tpk.sqlite3"
    process = cli(source, "--config", conf)
    deadline = time.monotonic() + 300
    written = 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            written = counts(db, "SELECT count(*) FROM impor_row")
        except sqlite3.OperationalError:
            written = 0  # not migrated yet
        if written >= 3_000:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < counts(db, "SELECT count(*) FROM impor_row") < 20_000
    line = finished(cli(source, "--config", conf))
    assert "20.000 baris: 20.000 dibuat" in line and "dilanjutkan" in line, line
    assert counts(db, "SELECT count(*) FROM keluarga") == 10_000
    assert counts(db, "SELECT count(*) FROM sasaran") == 10_000
    assert counts(db, "SELECT count(DISTINCT head_name) FROM keluarga") == 10_000
    assert counts(db, "SELECT count(DISTINCT nik_hash) FROM sasaran") == 10_000
    assert counts(db, "SELECT count(*) FROM impor") == 1
    # Run once more: a new import that finds every row and changes nothing.
    again = finished(cli(source, "--config", conf))
    assert "20.000 sama" in again, again
    assert counts(db, "SELECT count(*) FROM keluarga") == 10_000


def test_dry_run_and_a_mapping_file(tmp_path: Path) -> None:
    conf = config(tmp_path)
    source = tmp_path / "pk.csv"
    source.write_bytes(csv_file(["NAMA SUAMI", "NO_KK", "Kode Desa", "Sumber Air", "Jamban", "Catatan"],
                                [[f"Bapak {i}", kk("36.73.04", i + 1), SUKAWANA, "ledeng", "tidak_ada", "x"]
                                 for i in range(50)]))
    mapping = tmp_path / "m.toml"
    mapping.write_text('[csv]\n"NAMA SUAMI" = "kepala"\n"Catatan" = "-"\n', encoding="utf-8")
    dry = finished(cli(source, "--config", conf, "--mapping", mapping, "--dry-run"))
    assert "pratinjau 50 baris: 50 dibuat" in dry, dry
    assert counts(tmp_path / "tpk.sqlite3", "SELECT count(*) FROM keluarga") == 0
    line = finished(cli(source, "--config", conf, "--mapping", mapping))
    assert "50 baris: 50 dibuat" in line
    assert counts(tmp_path / "tpk.sqlite3", "SELECT count(*) FROM keluarga WHERE head_name LIKE 'Bapak %'") == 50
    bad = tmp_path / "bad.toml"
    bad.write_text('[csv]\n"NAMA SUAMI" = "suami"\n', encoding="utf-8")
    refused = cli(source, "--config", conf, "--mapping", bad)
    _, err = refused.communicate(timeout=60)
    assert refused.returncode == 2 and "kolom tidak dikenal: suami" in err
