#!/usr/bin/env bash
# revdesk's aggregation methods and bootstrap against a vectorised numpy implementation
# (benches/peers/methods.py), interleaved, printing each ratio's min–median–max.
#
#   benches/peers/methods.sh [ROUNDS]     (default 5 rounds)
#
# Builds the helper in release (cargo build --release --example methods_peer), makes its own
# virtual environment under target/peers-venv with numpy pinned, writes the panels and resample
# draws under target/peers-methods, checks that numpy computes what revdesk computes (scores to
# 1e-9, identical bootstrap inclusion counts and rank intervals) and only then times both, one
# run of each in turn per round: revdesk on one thread, numpy, revdesk as it runs by default (as
# many threads as the machine offers, up to 8). numpy runs on one BLAS thread.
# Not part of CI. Needs python3 (3.9 or later) with venv, and network access on first run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${1:-5}"
NUMPY_VERSION="2.2.6"
VENV=target/peers-venv
DATA=target/peers-methods

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import numpy, sys; sys.exit(numpy.__version__ != '$NUMPY_VERSION')" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "numpy==$NUMPY_VERSION"
fi
PY="$VENV/bin/python"
# revdesk's default thread count (before OMP_NUM_THREADS, which nproc obeys, is set to 1).
THREADS=$(nproc)
if [ "$THREADS" -gt 8 ]; then THREADS=8; fi
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

cargo build --quiet --release --example methods_peer
HELPER=target/release/examples/methods_peer
"$HELPER" dump "$DATA"

echo "== agreement (numpy against revdesk, before timing)"
"$PY" benches/peers/methods.py check "$DATA/300x30"
"$PY" benches/peers/methods.py check "$DATA/300x300"

CASES="300x30:mean 300x30:trimmed 300x30:median 300x30:zscore 300x30:calibrated 300x300:calibrated"
TIMES="$DATA/times.tsv"
: > "$TIMES"
echo "== timing, $ROUNDS rounds (load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown))"
for round in $(seq "$ROUNDS"); do
    for case in $CASES; do
        size="${case%%:*}"
        method="${case##*:}"
        one=$("$HELPER" time "$method" "$size" 1)
        peer=$("$PY" benches/peers/methods.py time "$DATA/$size" "$method")
        all=$("$HELPER" time "$method" "$size")
        printf '%s\t%s\t%s\n' "$method $size 1 thread" "$one" "$peer" >> "$TIMES"
        printf '%s\t%s\t%s\n' "$method $size $THREADS threads" "$all" "$peer" >> "$TIMES"
    done
    echo "round $round done"
done
"$PY" benches/peers/methods.py summary "$TIMES"
