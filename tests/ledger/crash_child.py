"""The process `test_crash.py` kills: appends and integrates forever, reporting each commit.

Usage: python crash_child.py DATABASE_URL DATA_DIR WRITER_NAME
Prints `committed <id>` after each append transaction has committed, and nothing else.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from computegov.ledger import log
from computegov.ledger.integrator import integrate
from computegov.store import Settings, open_store


def main() -> None:
    url, data_dir, name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    store = open_store(Settings(data_dir=data_dir, database_url=url))
    n = 0
    while True:
        count = random.choice((1, 1, 3, 40))
        with store.transaction() as session:
            ids = log.append_many(
                session, [("crash.test", {"w": name, "n": n + i}, name) for i in range(count)]
            )
        n += count
        for entry_id in ids:
            sys.stdout.write(f"committed {entry_id}\n")
        sys.stdout.flush()
        if random.random() < 0.5:
            integrate(store, limit=random.choice((1, 50, 1000)))


if __name__ == "__main__":
    main()
