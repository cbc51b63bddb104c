"""revdesk `validate` against what a user would otherwise read a batch with.

Called by run.sh (which makes the venv and the inputs); usage:
    import.py --revdesk BIN --dir DIR [--rounds N]

For each file in DIR (batch.csv, batch.json, batch.xlsx) it runs, in interleaved rounds (the
order of the two swapped every round), `revdesk validate FILE` as a whole
process and each peer's read of the same file inside this Python process (interpreter start
and imports not counted: the peers are favoured). Each iteration is checked to have done its
work: revdesk's summary line must count every item, a peer must return every row.

Prints first revdesk's peak RSS for each file (ru_maxrss of the child, from wait4, measured
while this process is still small), against the file's size and the target of 1.5 × file +
30 MB for CSV and JSON; then, per pair, the speed ratio peer time / revdesk time (above 1: revdesk is faster) as
min–median–max over the rounds, and the medians. `--rounds 0`: the peak RSS only.
"""

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time


def run_revdesk(binary, path, items):
    """One `revdesk validate` run: (seconds, peak RSS bytes), checked to have read every item."""
    started = time.perf_counter()
    # The summary line is read in English, whatever the caller's locale.
    proc = subprocess.Popen(
        [binary, "validate", path],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "LC_ALL": "en_US.UTF-8"},
    )
    out = proc.stdout.read()
    proc.stdout.close()
    # wait4, not wait: the child's own rusage (its peak RSS).
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"revdesk validate {path} failed ({proc.returncode})")
    # The summary line: "PATH: N items read, M usable, …".
    m = re.search(rb": (\d+) items read, (\d+) usable", out)
    if not m or int(m.group(1)) != items:
        sys.exit(f"revdesk validate {path}: expected {items} items read: {out[-300:]!r}")
    return elapsed, usage.ru_maxrss * 1024


def peak_rss_of_one_run(binary, path):
    """Peak RSS of one `revdesk validate` run in a fresh child (wait4 gives that child's own)."""
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(binary, [binary, "validate", path])
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"revdesk validate {path} exited {code}")
    return usage.ru_maxrss * 1024


def read_csv_module(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.reader(f))


def read_pandas(path):
    import pandas

    return len(pandas.read_csv(path, dtype=str, keep_default_na=False))


def read_json_module(path):
    with open(path, encoding="utf-8-sig") as f:
        return len(json.load(f)["items"])


def read_openpyxl(path):
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return n


def read_calamine(path):
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    return len(wb.get_sheet_by_index(0).to_python())


# (file, peer name, reader, rows the reader returns for `items` nominations)
PAIRS = [
    ("batch.csv", "Python csv module", read_csv_module, lambda n: n + 1),
    ("batch.csv", "pandas.read_csv", read_pandas, lambda n: n),
    ("batch.json", "Python json module", read_json_module, lambda n: n),
    ("batch.xlsx", "openpyxl (read-only)", read_openpyxl, lambda n: n + 1),
    ("batch.xlsx", "python-calamine", read_calamine, lambda n: n + 1),
]


def spread(xs):
    xs = sorted(xs)
    return xs[0], statistics.median(xs), xs[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--revdesk", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--items", type=json.loads, required=True, help='{"batch.csv": 5000, ...}')
    a = ap.parse_args()
    # First, while this process is small: a forked child's ru_maxrss starts from the parent's
    # size (Linux keeps it across exec), and the peers below grow this process to hundreds of MB.
    print("revdesk validate peak RSS (ru_maxrss of one run):")
    for name in ["batch.csv", "batch.json", "batch.xlsx"]:
        path = os.path.join(a.dir, name)
        size = os.path.getsize(path)
        rss = peak_rss_of_one_run(a.revdesk, path)
        target = ""
        if not name.endswith(".xlsx"):
            limit = 1.5 * size + 30 * 2**20
            target = f"; target 1.5 × file + 30 MB = {limit / 2**20:.1f} MB: {'met' if rss <= limit else 'NOT met'}"
        print(
            f"  {name}: {rss / 2**20:.1f} MB for a {size / 2**20:.1f} MB file "
            f"({rss / size:.2f} × the file){target}"
        )
    if a.rounds == 0:
        return
    print()
    print(f"{'revdesk validate vs':<28} {'ratio min–median–max':>22}  {'revdesk':>9}  {'peer':>9}")
    for name, peer, reader, expect in PAIRS:
        path = os.path.join(a.dir, name)
        items = a.items[name]
        ours, theirs, ratios = [], [], []
        for r in range(a.rounds):
            steps = ["ours", "theirs"] if r % 2 == 0 else ["theirs", "ours"]
            for step in steps:
                if step == "ours":
                    t, _ = run_revdesk(a.revdesk, path, items)
                    ours.append(t)
                else:
                    started = time.perf_counter()
                    got = reader(path)
                    theirs.append(time.perf_counter() - started)
                    if got != expect(items):
                        sys.exit(f"{peer} read {got} rows of {name}, expected {expect(items)}")
            ratios.append(theirs[-1] / ours[-1])
        lo, mid, hi = spread(ratios)
        print(
            f"{name + ': ' + peer:<28} {lo:6.2f}–{mid:.2f}–{hi:.2f}×"
            f"  {statistics.median(ours):8.3f}s  {statistics.median(theirs):8.3f}s"
        )


if __name__ == "__main__":
    main()
