"""Coverage of the all-scores ICC intervals on an incomplete design (README figures).

Simulates y = mu + a_item + b_expert + e on 60 nominations x 15 experts, each nomination scored
by 5 experts drawn at random (a new draw each replicate), sigma2 item 1.0, expert 0.4, error 0.6
(true ICC(A,1) = ICC(1,1) = 0.5, ICC(C,1) = 0.625), and counts how often the 95% intervals of
agreement_reference.method3 (the dense re-implementation of src/engine/components.rs) contain
the true value. Run: target/refenv/bin/python benches/peers/agreement_coverage.py [REPS]
"""

import sys

import numpy as np

sys.argv += [] if len(sys.argv) > 1 else ["400"]
reps = int(sys.argv[1])
sys.argv = sys.argv[:1]
# Reuse the reference's functions without running its fixture-writing body.
src = open("benches/peers/agreement_reference.py").read()
ns = {}
exec(src.split("ref = json.load")[0], ns)
method3 = ns["method3"]

rng = np.random.default_rng(7)
truth = {"icc1_1": 0.5, "icc2_1": 0.5, "icc3_1": 1.0 / 1.6}
hits = {k: 0 for k in truth}
width = {k: 0.0 for k in truth}
for _ in range(reps):
    a = rng.normal(0, 1.0, 60)
    b = rng.normal(0, np.sqrt(0.4), 15)
    cells = []
    for i in range(60):
        for e in rng.choice(15, size=5, replace=False):
            cells.append((f"i{i:02d}", f"e{e:02d}", 5 + a[i] + b[e] + rng.normal(0, np.sqrt(0.6))))
    m = method3(cells)
    for k, t in truth.items():
        est, lo, hi = m[k]
        hits[k] += lo <= t <= hi
        width[k] += hi - lo
for k in truth:
    print(f"{k}: coverage {hits[k] / reps:.3f}, mean width {width[k] / reps:.3f} ({reps} replicates)")
