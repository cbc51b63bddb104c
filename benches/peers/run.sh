#!/usr/bin/env bash
# benches/peers/run.sh — revdesk against the tools a user would otherwise use, on the same inputs.
#
#   bash benches/peers/run.sh [--rounds N] [--items N] [--xlsx-items N] [--no-commit]
#
# Not part of CI (it downloads Python packages and takes minutes). It:
#   1. makes a virtual environment under target/peers/venv (or $PEERS_DIR/venv) and installs the
#      pinned peers into it: openpyxl, python-calamine, pandas, numpy;
#   2. builds the release binary and writes the inputs with it (`revdesk gen`): a CSV and a JSON
#      batch of 5,000 nominations with 10,000-character details, an XLSX of 500 (an XLSX of 5,000
#      such nominations unpacks past the workbook limit of 64 MiB);
#   3. import.py: `revdesk validate` against Python's csv module, pandas.read_csv, the json module,
#      openpyxl and python-calamine reading the same files, interleaved, ratios min–median–max,
#      and revdesk's peak RSS against the file size;
#   4. sqlite.py: Python's sqlite3 with revdesk's pragmas (WAL, synchronous=FULL), one transaction
#      per insert, against revdesk's durable `7 Enter` from `cargo bench --bench revdesk --
#      commit_rate` (when benches/revdesk.rs has that group): both rates and their ratio;
#   5. the statistics peers (numpy) when the engine's script is there: methods.sh, else methods.py.
# Every timed iteration is checked to have done its work (see each script's header).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${PEERS_DIR:-$root/target/peers}
rounds=7
items=5000
xlsx_items=500
commit=1
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift 2 ;;
        --items) items=$2; shift 2 ;;
        --xlsx-items) xlsx_items=$2; shift 2 ;;
        --no-commit) commit=0; shift ;;
        *) echo "usage: $0 [--rounds N] [--items N] [--xlsx-items N] [--no-commit]" >&2; exit 2 ;;
    esac
done

mkdir -p "$work"
venv=$work/venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check \
    openpyxl==3.1.5 python-calamine==0.9.1 pandas==3.1.1 numpy==2.4.6
py=$venv/bin/python

echo "== machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $("$py" --version), sqlite3 $("$py" -c 'import sqlite3; print(sqlite3.sqlite_version)'), $(rustc --version)"

(cd "$root" && nice cargo build --release --bin revdesk -q)
bin=$root/target/release/revdesk
for f in csv json; do
    [ -s "$work/batch.$f" ] || "$bin" gen --items "$items" --detail-chars 10000 -o "$work/batch.$f" --overwrite
done
[ -s "$work/batch.xlsx" ] || "$bin" gen --items "$xlsx_items" --detail-chars 10000 -o "$work/batch.xlsx" --overwrite

echo
echo "== import: revdesk validate (whole process) against each peer's read (in process)"
"$py" "$here/import.py" --revdesk "$bin" --dir "$work" --rounds "$rounds" \
    --items "{\"batch.csv\": $items, \"batch.json\": $items, \"batch.xlsx\": $xlsx_items}"

if [ "$commit" = 1 ]; then
    echo
    echo "== durable commits: Python sqlite3 (WAL, synchronous=FULL, a transaction per insert)"
    py_out=$("$py" "$here/sqlite.py" --dir "$work")
    echo "$py_out"
    if grep -q commit_rate "$root/benches/revdesk.rs"; then
        echo "== revdesk's 7 Enter: cargo bench --bench revdesk -- commit_rate"
        rs_out=$(cd "$root" && nice cargo bench --bench revdesk -- commit_rate 2>/dev/null | grep '^commit_rate' || true)
        echo "$rs_out"
        for scored in 0 2000 5000; do
            ours=$(echo "$rs_out" | sed -n "s/^commit_rate at $scored scored:.*revdesk \([0-9.]*\) commits\/s.*/\1/p")
            theirs=$(echo "$py_out" | sed -n "s/^python-sqlite3 at $scored scored: [0-9]*–\([0-9]*\)–.*/\1/p")
            if [ -n "$ours" ] && [ -n "$theirs" ]; then
                echo "at $scored scored: revdesk $ours commits/s, Python sqlite3 $theirs commits/s (medians): $(echo "scale=2; $ours / $theirs" | bc)×"
            fi
        done
    else
        echo "(benches/revdesk.rs has no commit_rate group: revdesk's side not measured)"
    fi
fi

if [ -x "$here/methods.sh" ] || [ -f "$here/methods.sh" ]; then
    echo
    echo "== statistics: methods.sh"
    PYTHON="$py" REVDESK="$bin" bash "$here/methods.sh"
elif [ -f "$here/methods.py" ]; then
    echo
    echo "== statistics: methods.py"
    "$py" "$here/methods.py"
fi
