"""Import of 100,000 rows from the command line, against inserting the same records
through the storage layer alone.

The file is the shipped template filled with N/2 families (keluarga sheet) and one ibu
hamil each (sasaran sheet, linked by No. KK) — a Verval KRS list as a coordinator
would fill it. The import (``python -m bot impor FILE``, run through ``bot.cli.main``
in a fresh process) reads, maps, parses every cell with the forms' fields, matches
each row against the stored records, writes, keeps its ledger and reassesses each
family's risk. Baseline, in the same run and also in a fresh process: the same
families and sasaran, already as ``NewKeluarga``/``NewSasaran``, inserted with
``storage.keluarga.create_keluarga``/``add_sasaran`` in transactions of the same chunk
size — the floor of getting these records into the database through our storage
layer. A dry run of the same file (``--dry-run``: read, parse, match, write nothing) shows
what the writing adds. Every timer includes the program's start (opening and migrating
the database, loading the region list). Peak memory (VmHWM) of each process is measured
at N and at N/4: bounded means it does not grow with the file. ``--sizes`` measures more
row counts too (each a file of its own), to show where the peak levels off.

    .venv/bin/python bench/bench_impor.py [--rows 100000] [--runs 1] [--sizes 50000 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, closing_line, machine, peak_rss_kb

from storage.crypto import new_key

KEY = new_key()
TODAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DESA = ("36.73.04.1007", "36.73.04.1001", "36.73.04.1002", "36.73.04.1003")
CHUNK = 500


def _config(folder: Path) -> Path:
    path = folder / "config.toml"
    path.write_text(f'[storage]\npath = "{folder / "tpk.sqlite3"}"\n[wilayah]\nroot = "36.73"\n'
                    f'[access]\nadmins = [1000]\n[privacy]\nkey = "{KEY}"\n', encoding="utf-8")
    path.chmod(0o600)  # it holds the key: owner-only, as the bot asks
    return path


def _people(rows: int) -> list[tuple[str, str, str, str, str, datetime]]:
    """(desa, head, No. KK, mother's name, NIK, birth date) for rows/2 families."""
    out = []
    for i in range(rows // 2):
        born = (TODAY - timedelta(days=365 * 20 + (i * 53) % 5000)).date()
        nik = f"367304{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}{i % 9999 + 1:04d}"
        out.append((DESA[i % 4], f"Kepala {i}", f"367304{i + 1:010d}", f"Ibu {i}", nik, born))
    return out


def write_file(rows: int, path: Path) -> None:
    """Written with XlsxWriter, as Excel does, with each sheet's dimension recorded
    (openpyxl's own writer leaves it out, and its reader then scans a sheet twice)."""
    import xlsxwriter

    from bot.impor.columns import Kind
    from bot.impor.template import SHEETS

    book = xlsxwriter.Workbook(str(path))  # shared strings, as Excel writes them
    dates = book.add_format({"num_format": "dd-mm-yyyy"})
    families = book.add_worksheet("keluarga")
    headers = [c.header for c in SHEETS[Kind.KELUARGA]]
    families.write_row(0, 0, headers)
    hpht = (TODAY - timedelta(days=90)).date()
    people = _people(rows)
    for n, (desa, head, kk, _, _, _) in enumerate(people, start=1):
        family = {"Kode Wilayah": desa, "RT": 3, "RW": 1, "Alamat": "Jl. Melati 5", "Nama Kepala Keluarga": head,
                  "No. KK": kk, "Sumber Air Minum": "Ledeng / PAM", "Jamban": "Tidak ada jamban"}
        families.write_row(n, 0, [family.get(h) for h in headers])
    members = book.add_worksheet("sasaran")
    member_headers = [c.header for c in SHEETS[Kind.SASARAN]]
    members.write_row(0, 0, member_headers)
    for n, (desa, head, kk, mother, nik, born) in enumerate(people, start=1):
        member = {"Kode Wilayah": desa, "No. KK": kk, "Nama Kepala Keluarga": head, "Kategori": "Ibu hamil",
                  "Nama": mother, "NIK": nik}
        members.write_row(n, 0, [member.get(h) for h in member_headers])
        members.write_datetime(n, member_headers.index("Tanggal Lahir"), datetime(born.year, born.month, born.day),
                               dates)
        members.write_datetime(n, member_headers.index("HPHT"), datetime(hpht.year, hpht.month, hpht.day), dates)
    book.close()


# -- the two children -------------------------------------------------------------------


def child_import(file: Path, config: Path, *extra: str) -> dict[str, float]:
    from bot.cli import main

    started = time.perf_counter()
    status = main(["impor", str(file), "--config", str(config), *extra])
    assert status == 0
    return {"seconds": time.perf_counter() - started, "peak_kb": peak_rss_kb()}


async def _baseline(rows: int, config: Path) -> float:
    from bot.clock import FakeClock
    from bot.settings import load_settings
    from bot.startup import prepare
    from storage import keluarga, users
    from storage.keluarga import NewKeluarga, NewSasaran

    hpht = (TODAY - timedelta(days=90)).date()
    people = [(NewKeluarga(region_code=desa, head_name=head, water_source="ledeng", latrine="tidak_ada", rt="3",
                           rw="1", address="Jl. Melati 5", no_kk=kk),
               NewSasaran(category="ibu_hamil", name=mother, nik=nik, sex="P", birth_date=born, hpht=hpht))
              for desa, head, kk, mother, nik, born in _people(rows)]
    started = time.perf_counter()  # like the CLI's: opening, migrating and loading the regions included
    services = await prepare(load_settings(config, require_token=False), FakeClock(TODAY))
    try:
        await users.ensure_admin(services.db, 1000, "Admin", "36.73", TODAY)
        for start in range(0, len(people), CHUNK // 2):
            async with services.db.transaction() as tx:
                for family, member in people[start:start + CHUNK // 2]:
                    new_id = await keluarga.create_keluarga(tx, services.cipher, family, reporter_id=1000,
                                                            draft_key=None, now=TODAY)
                    await keluarga.add_sasaran(tx, services.cipher, new_id, member, reporter_id=1000, now=TODAY)
        return time.perf_counter() - started
    finally:
        await services.db.close()


def child_baseline(rows: int, config: Path) -> dict[str, float]:
    seconds = asyncio.run(_baseline(rows, config))
    return {"seconds": seconds, "peak_kb": peak_rss_kb()}


def _in_child(*args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(rows: int, folder: Path) -> dict[str, dict[str, float]]:
    file = folder / f"impor_{rows}.xlsx"
    if not file.exists():
        write_file(rows, file)
    out = {}
    for name in ("dry", "import", "baseline"):
        work = folder / f"{name}_{rows}"
        work.mkdir(exist_ok=True)
        for leftover in work.glob("tpk.sqlite3*"):
            leftover.unlink()
        config = _config(work)
        out[name] = _in_child(f"--child-{name}", str(rows if name == "baseline" else file), str(config))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--sizes", type=int, nargs="*", default=[], help="more row counts: peak memory at each")
    parser.add_argument("--child-import", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-baseline", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-dry", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_dry:
        print(json.dumps(child_import(Path(args.child_dry[0]), Path(args.child_dry[1]), "--dry-run")))
        return
    if args.child_import:
        print(json.dumps(child_import(Path(args.child_import[0]), Path(args.child_import[1]))))
        return
    if args.child_baseline:
        print(json.dumps(child_baseline(int(args.child_baseline[0]), Path(args.child_baseline[1]))))
        return
    print(f"bench_impor on {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = measure(args.rows // 4, folder)
        runs = [measure(args.rows, folder) for _ in range(args.runs)]
        more = {rows: measure(rows, folder) for rows in args.sizes}
    large = min(runs, key=lambda r: r["import"]["seconds"])
    for label, result, rows in (("small", small, args.rows // 4), ("large", large, args.rows)):
        imp, base = result["import"], result["baseline"]
        print(f"{label}: {rows:,} rows — import {imp['seconds']:.1f} s ({imp['seconds'] / rows * 1000:.2f} ms a row), "
              f"storage layer alone {base['seconds']:.1f} s, ratio {imp['seconds'] / base['seconds']:.2f}; "
              f"peak memory import {imp['peak_kb'] / 1024:.0f} MiB, baseline {base['peak_kb'] / 1024:.0f} MiB; "
              f"the same file as a dry run (read, parse, match, no writes) {result['dry']['seconds']:.1f} s")
    for rows, result in sorted(more.items()):
        print(f"at {rows:,} rows: peak memory import {result['import']['peak_kb'] / 1024:.0f} MiB, dry run "
              f"{result['dry']['peak_kb'] / 1024:.0f} MiB, baseline {result['baseline']['peak_kb'] / 1024:.0f} MiB "
              f"(import {result['import']['seconds']:.1f} s)")
    growth = large["import"]["peak_kb"] / small["import"]["peak_kb"]
    print(f"peak memory of the import at {args.rows:,} rows / at {args.rows // 4:,} rows: {growth:.2f}")
    print(closing_line("impor_cli", large["import"]["seconds"], large["baseline"]["seconds"], "s"))


if __name__ == "__main__":
    main()
