"""``python -m storage.migrations [N …]``: the migrations as PostgreSQL runs them (ported), for review."""

from __future__ import annotations

import sys

from storage.db import bundled_migrations
from storage.url import Engine


def main(argv: list[str]) -> int:
    wanted = {int(a) for a in argv}
    for migration in bundled_migrations(Engine.POSTGRESQL):
        if not wanted or migration.version in wanted:
            print(f"-- {migration.version:04d}_{migration.name} on PostgreSQL\n{migration.sql}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
