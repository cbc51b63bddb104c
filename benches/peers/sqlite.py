"""Python's sqlite3 doing revdesk's durable commit: the peer of `cargo bench --bench revdesk --
commit_rate` (benches/revdesk.rs), which times revdesk's `7 Enter` against raw rusqlite.

Called by run.sh; usage: sqlite.py --dir DIR [--rounds N] [--per-round N]

The same database as that bench's raw peer: WAL, synchronous=FULL, revdesk's `history` table as
its schema creates it (STRICT, AUTOINCREMENT, indexed by expert and batch and by transaction) and
the row `7 Enter` writes (a 64-hex batch hash, a microsecond timestamp), one transaction per
insert, at 0, 2,000 and 5,000 scored nominations (six marks each already stored). Every commit is checked to have stored its row. Prints, per size, commits/s
min–median–max over the rounds, one line each as `python-sqlite3 at N scored: … commits/s`.
"""

import argparse
import datetime
import os
import sqlite3
import statistics
import sys
import tempfile
import time

ROW = (
    "INSERT INTO history (txn, expert, batch, item, field, old_value, new_value, at, source) "
    "VALUES (?, 'e', ?, 'EI-05000', 'score:feasibility', '7', '8', ?, 'keyboard')"
)
BATCH = "5f" * 32


def row(n):
    at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return (n, BATCH, at)


def database(path, rows):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(
        "CREATE TABLE history (seq INTEGER PRIMARY KEY AUTOINCREMENT, txn INTEGER NOT NULL,"
        " expert TEXT NOT NULL, batch TEXT NOT NULL, item TEXT NOT NULL, field TEXT NOT NULL,"
        " old_value TEXT, new_value TEXT, at TEXT NOT NULL, source TEXT NOT NULL,"
        " undoes INTEGER, round INTEGER NOT NULL DEFAULT 1) STRICT;"
        "CREATE INDEX history_by_expert_batch ON history(expert, batch, seq);"
        "CREATE INDEX history_by_txn ON history(txn, seq);"
    )
    conn.execute("BEGIN")
    conn.executemany(ROW, (row(i + 1) for i in range(rows)))
    conn.execute("COMMIT")
    return conn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=None)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--per-round", type=int, default=20)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=a.dir) as d:
        for scored in [0, 2000, 5000]:
            path = os.path.join(d, f"py-{scored}.db")
            conn = database(path, scored * 6)
            n = scored * 6
            rates = []
            for _ in range(a.rounds):
                started = time.perf_counter()
                for _ in range(a.per_round):
                    n += 1
                    conn.execute("BEGIN")
                    conn.execute(ROW, row(n))
                    conn.execute("COMMIT")
                rates.append(a.per_round / (time.perf_counter() - started))
            stored = conn.execute("SELECT count(*) FROM history").fetchone()[0]
            if stored != n:
                sys.exit(f"python-sqlite3: {stored} rows stored, {n} committed")
            conn.close()
            rates.sort()
            print(
                f"python-sqlite3 at {scored} scored: {rates[0]:.0f}–{statistics.median(rates):.0f}–"
                f"{rates[-1]:.0f} commits/s (min–median–max of {a.rounds} rounds of {a.per_round})"
            )


if __name__ == "__main__":
    main()
