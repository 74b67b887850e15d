"""Apply the bundled migrations and then a deliberately slow one, as a process of its own
(the SIGKILL trials kill it half-way): ``python -m tests.reliability.slow_migration DB``.

The slow migration changes an existing table as well as adding one, and writes a few
megabytes, so a kill can land in the middle of its writes or of its commit.
Prints ``schema <version>`` when done; a migration error is one line and status 2.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from storage.db import Database, Migration, MigrationError, bundled_migrations

VERSION = 900
ROWS = 300_000
SLOW = Migration(VERSION, "uji_lambat", f"""
CREATE TABLE uji_lambat (n INTEGER PRIMARY KEY, isi BLOB NOT NULL);
INSERT INTO uji_lambat (n, isi)
    WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {ROWS})
    SELECT n, randomblob(48) FROM c;
CREATE INDEX uji_lambat_isi ON uji_lambat (isi);
ALTER TABLE keluarga ADD COLUMN uji_kolom TEXT;
UPDATE keluarga SET uji_kolom = 'x';
""")


async def main(path: Path) -> int:
    db = await Database.open(path)
    try:
        await db.migrate([*bundled_migrations(), SLOW])
        print(f"schema {await db.schema_version()}", flush=True)
    except MigrationError as exc:
        print(f"basis data: {exc}", file=sys.stderr)
        return 2
    finally:
        await db.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]))))
