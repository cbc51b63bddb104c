"""Reference values for revdesk's panel statistics (issue 13), computed outside the project.

Makes a panel (9 experts, 20 nominations, 6 criteria 0-10; e0-e5 score everything, e6-e8 part
of it; e8's totals are its own marks shuffled across its nominations), then computes with
numpy / scipy / pandas / pingouin:
  - each expert's leave-one-out correlation: Pearson r (scipy.stats.pearsonr) of the expert's
    totals with the mean of the other experts' totals on the same nominations;
  - per criterion, pingouin.intraclass_corr on the crossed block (e0-e5 x all nominations);
  - Cronbach's alpha (pingouin.cronbach_alpha) of the six criteria over every complete score.
Writes fixtures/stats/reference.json; tests/stats_reference.rs reads it.

Run (from the repository root):
  python3 -m venv target/refenv
  target/refenv/bin/pip install numpy scipy pandas pingouin
  target/refenv/bin/python benches/peers/stats_reference.py
Versions used for the committed fixture are recorded in it.
"""

import json
import sys

import numpy as np
import pandas as pd
import pingouin as pg
import scipy
from scipy import stats

N_ITEMS, N_CRIT = 20, 6
EXPERTS = [f"e{k}" for k in range(9)]
ITEMS = [f"N{i:02d}" for i in range(N_ITEMS)]
rng = np.random.default_rng(13)
quality = rng.normal(6.0, 1.5, N_ITEMS)
crit_shift = rng.normal(0.0, 0.8, (N_ITEMS, N_CRIT))
lenient = rng.normal(0.0, 0.7, len(EXPERTS))


def total(marks):
    # The rubric's total, in the same order of operations as Rubric::total (equal weights, 0-10).
    num, den = 0.0, 0.0
    for s in marks:
        num += 1.0 * (s - 0.0) / (10.0 - 0.0)
        den += 1.0
    return 100.0 * num / den


obs = []  # (expert, item, marks)
for e, name in enumerate(EXPERTS):
    if e < 6:
        scored = list(range(N_ITEMS))
    else:
        scored = sorted(rng.choice(N_ITEMS, size=12, replace=False).tolist())
    rows = []
    for i in scored:
        m = quality[i] + crit_shift[i] + lenient[e] + rng.normal(0.0, 0.9, N_CRIT)
        rows.append((i, [float(x) for x in np.clip(np.rint(m), 0, 10)]))
    if name == "e8":
        # Shuffle the expert's score rows across their own nominations.
        perm = rng.permutation(len(rows))
        rows = [(rows[k][0], rows[p][1]) for k, p in enumerate(perm)]
    for i, marks in rows:
        obs.append((name, ITEMS[i], marks))

totals = {(e, i): total(m) for e, i, m in obs}

loo = {}
for e in EXPERTS:
    xs, ys = [], []
    for i in ITEMS:
        if (e, i) not in totals:
            continue
        others = [totals[(f, i)] for f in EXPERTS if f != e and (f, i) in totals]
        if others:
            xs.append(totals[(e, i)])
            ys.append(float(np.mean(others)))
    r = stats.pearsonr(xs, ys).statistic
    loo[e] = {"r": float(r), "n_items": len(xs)}

crossed = EXPERTS[:6]
icc = []
for c in range(N_CRIT):
    long = pd.DataFrame(
        [(i, e, m[c]) for e, i, m in obs if e in crossed],
        columns=["item", "expert", "score"],
    )
    t = pg.intraclass_corr(long, targets="item", raters="expert", ratings="score")
    v = dict(zip(t["Type"], t["ICC"]))
    icc.append(
        {
            # pingouin 0.7 names them ICC(1,1), ICC(A,1) = Shrout-Fleiss (2,1), ICC(C,1) = (3,1).
            "icc1_1": float(v["ICC(1,1)"]),
            "icc2_1": float(v["ICC(A,1)"]),
            "icc3_1": float(v["ICC(C,1)"]),
            "icc1_k": float(v["ICC(1,k)"]),
            "icc2_k": float(v["ICC(A,k)"]),
            "icc3_k": float(v["ICC(C,k)"]),
        }
    )

wide = pd.DataFrame([m for _, _, m in obs], columns=[f"c{c}" for c in range(N_CRIT)])
alpha, alpha_ci = pg.cronbach_alpha(data=wide)

json.dump(
    {
        "source": "benches/peers/stats_reference.py",
        "versions": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pd.__version__,
            "pingouin": pg.__version__,
        },
        "experts": EXPERTS,
        "items": ITEMS,
        "n_criteria": N_CRIT,
        "observations": [
            {"expert": e, "item": i, "marks": m, "total": totals[(e, i)]} for e, i, m in obs
        ],
        "loo": loo,
        "crossed_experts": crossed,
        "criterion_icc": icc,
        "cronbach_alpha": float(alpha),
    },
    open("fixtures/stats/reference.json", "w"),
    indent=1,
)
print({e: round(v["r"], 3) for e, v in loo.items()}, "alpha", round(alpha, 4))
