"""Reference values for agreement from all scores (issue 13 part 4), computed outside the project.

An independent computation of what src/engine/components.rs does, by a different route:
dense dummy-variable design matrices, projections by numpy's pseudo-inverse, ranks by
numpy.linalg.matrix_rank, the Method III expectation coefficients as traces
tr(Z'(P_full - P_other)Z) / df taken from those projections (the Rust code uses the closed
forms (N - J)/(I - c), (N - I)/(J - c)), F quantiles from scipy.stats.f.ppf. Also recorded,
for comparison only: REML variance components from statsmodels MixedLM (crossed variance
components in a single group) and, on the complete block, pingouin.intraclass_corr.

Panels:
  - "stats": the 9-expert panel of fixtures/stats/reference.json (made by stats_reference.py;
    e0-e5 score all 20 nominations, e6-e8 12 each), totals;
  - "stats_minus_one": the same without the one cell whose removal moves the old crossed-block
    ICC(1,1) the most (the block rule re-implemented here);
  - "assigned": 60 nominations x 15 experts, each nomination scored by 5 experts drawn at
    random (3 of them then recuse, so 4), 6 criteria 0-10, totals and every criterion;
  - "disconnected": 20 nominations, 8 experts in two groups that share no expert (about 80%
    of each group's cells scored), totals;
  - "complete": the crossed block of "stats" (e0-e5 x 20), totals, with pingouin's figures.
Writes fixtures/stats/agreement_reference.json; tests/agreement_reference.rs reads it.

Run (from the repository root):
  python3 -m venv target/refenv
  target/refenv/bin/pip install numpy scipy pandas pingouin statsmodels
  target/refenv/bin/python benches/peers/agreement_reference.py
"""

import json
import sys
import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import scipy
import statsmodels
import statsmodels.formula.api as smf
from scipy.stats import f as fdist

ALPHA = 0.05


def proj(x):
    return x @ np.linalg.pinv(x.T @ x) @ x.T


def sb(rho, k):
    return k * rho / (1 + (k - 1) * rho)


def method3(cells):
    """cells: list of (item, expert, y). Returns the figures of components.rs, computed densely."""
    items = sorted({c[0] for c in cells})
    experts = sorted({c[1] for c in cells})
    n, ni, nj = len(cells), len(items), len(experts)
    y = np.array([c[2] for c in cells], dtype=float)
    za = np.zeros((n, ni))
    zb = np.zeros((n, nj))
    for r, (i, e, _) in enumerate(cells):
        za[r, items.index(i)] = 1
        zb[r, experts.index(e)] = 1
    one = np.ones((n, 1))
    full = np.hstack([one, za, zb])
    xa = np.hstack([one, za])
    xb = np.hstack([one, zb])
    p_full, p_a, p_b, p_1 = proj(full), proj(xa), proj(xb), proj(one)
    rk_full, rk_a, rk_b = (np.linalg.matrix_rank(m) for m in (full, xa, xb))
    ss = lambda p: float(y @ p @ y)
    df_i, df_r, df_e = rk_full - rk_b, rk_full - rk_a, n - rk_full
    ms_i = (ss(p_full) - ss(p_b)) / df_i
    ms_r = (ss(p_full) - ss(p_a)) / df_r
    ms_e = (float(y @ y) - ss(p_full)) / df_e
    k_a = float(np.trace(za.T @ (p_full - p_b) @ za)) / df_i
    k_b = float(np.trace(zb.T @ (p_full - p_a) @ zb)) / df_r
    # One-way
    ms_bw = (ss(p_a) - ss(p_1)) / (ni - 1)
    ms_wi = (float(y @ y) - ss(p_a)) / (n - ni)
    counts = za.sum(axis=0)
    n0 = (n - (counts**2).sum() / n) / (ni - 1)
    k_h = ni / (1.0 / counts).sum()

    def ratio(msn, msd, d1, d2, k):
        fo = msn / msd
        fl = fo / fdist.ppf(1 - ALPHA / 2, d1, d2)
        fu = fo * fdist.ppf(1 - ALPHA / 2, d2, d1)
        g = lambda x: (x - 1) / (x + k - 1)
        return [g(fo), g(fl), g(fu)]

    icc1 = ratio(ms_bw, ms_wi, ni - 1, n - ni, n0)
    icc3 = ratio(ms_i, ms_e, df_i, df_e, k_a)
    # Absolute agreement: McGraw & Wong's Satterthwaite interval written with k_a and k_a/k_b.
    q = k_a / k_b
    rho = (ms_i - ms_e) / (ms_i + (k_a - 1) * ms_e + q * (ms_r - ms_e))
    a, b = q * rho, 1 + (k_a - 1 - q) * rho
    v = (a * ms_r + b * ms_e) ** 2 / ((a * ms_r) ** 2 / df_r + (b * ms_e) ** 2 / df_e)
    fs_l = fdist.ppf(1 - ALPHA / 2, df_i, v)
    fs_u = 1 / fdist.ppf(1 - ALPHA / 2, v, df_i)
    bound = lambda fs: (ms_i - fs * ms_e) / (ms_i + fs * (q * ms_r + (k_a - 1 - q) * ms_e))
    icc2 = [rho, bound(fs_l), bound(fs_u)]
    out = {
        "scores": n,
        "items": ni,
        "experts": nj,
        "groups": int(ni + nj - rk_full),
        "k_mean": k_h,
        "ms_item": ms_i,
        "ms_expert": ms_r,
        "ms_error": ms_e,
        "df_item": int(df_i),
        "df_expert": int(df_r),
        "df_error": int(df_e),
        "k_item": k_a,
        "k_expert": k_b,
        "ms_between": ms_bw,
        "ms_within": ms_wi,
        "n0": n0,
        "var_item": (ms_i - ms_e) / k_a,
        "var_expert": (ms_r - ms_e) / k_b,
        "var_error": ms_e,
        "satterthwaite_v": v,
    }
    for name, t in [("icc1_1", icc1), ("icc2_1", icc2), ("icc3_1", icc3)]:
        out[name] = t
        out[name.replace("_1", "_k")] = [sb(x, k_h) for x in t]
    return out


def reml(cells):
    """statsmodels MixedLM REML with crossed random effects (one group holding everything)."""
    df = pd.DataFrame(cells, columns=["item", "expert", "y"])
    df["g"] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = smf.mixedlm(
            "y ~ 1",
            df,
            groups="g",
            vc_formula={"item": "0 + C(item)", "expert": "0 + C(expert)"},
            re_formula="0",
        ).fit(reml=True, method=["lbfgs"])
    names = list(m.model.exog_vc.names)
    vc = dict(zip(names, (float(x) for x in m.vcomp)))
    si, sr, se = vc["item"], vc["expert"], float(m.scale)
    return {
        "var_item": si,
        "var_expert": sr,
        "var_error": se,
        "icc2_1": si / (si + sr + se),
        "icc3_1": si / (si + se),
    }


def block(cells):
    """The old crossed-subset rule (src/engine/agreement.rs) and ICC(1,1) on it."""
    experts = sorted({c[1] for c in cells}, key=lambda e: int(e[1:]))
    items = sorted({c[0] for c in cells})
    have = {(c[0], c[1]): c[2] for c in cells}
    cov = sorted(
        ((e, sum((i, e) in have for i in items)) for e in experts), key=lambda x: -x[1]
    )
    best = None
    common = [i for i in items if (i, cov[0][0]) in have]
    for j in range(2, len(cov) + 1):
        e = cov[j - 1][0]
        common = [i for i in common if (i, e) in have]
        if len(common) >= 2 and (best is None or j * len(common) >= best[0] * len(best[1])):
            best = (j, list(common))
    j, its = best
    chosen = [e for e, _ in cov[:j]]
    t = np.array([[have[(i, e)] for e in chosen] for i in its])
    n, k = t.shape
    rm = t.mean(axis=1)
    bms = k * ((rm - t.mean()) ** 2).sum() / (n - 1)
    wms = ((t - rm[:, None]) ** 2).sum() / (n * (k - 1))
    return {"experts": k, "items": n, "icc1_1": (bms - wms) / (bms + (k - 1) * wms)}


def total(marks):
    num, den = 0.0, 0.0
    for s in marks:
        num += 1.0 * (s - 0.0) / (10.0 - 0.0)
        den += 1.0
    return 100.0 * num / den


ref = json.load(open("fixtures/stats/reference.json"))
stats_cells = [(o["item"], o["expert"], o["total"]) for o in ref["observations"]]

# The cell whose removal swings the old block the most.
base = block(stats_cells)["icc1_1"]
swing = max(
    range(len(stats_cells)),
    key=lambda r: abs(block(stats_cells[:r] + stats_cells[r + 1 :])["icc1_1"] - base),
)
minus = stats_cells[:swing] + stats_cells[swing + 1 :]

# The assigned panel.
rng = np.random.default_rng(2026)
N_I, N_E, K, N_C = 60, 15, 5, 6
quality = rng.normal(6.0, 1.2, N_I)
crit = rng.normal(0.0, 0.7, (N_I, N_C))
lenient = rng.normal(0.0, 0.8, N_E)
assigned = []
recuse = set(rng.choice(N_I, size=3, replace=False).tolist())
for i in range(N_I):
    panel = sorted(rng.choice(N_E, size=K, replace=False).tolist())
    if i in recuse:
        panel = panel[:-1]
    for e in panel:
        m = quality[i] + crit[i] + lenient[e] + rng.normal(0.0, 1.0, N_C)
        marks = [float(x) for x in np.clip(np.rint(m), 0, 10)]
        assigned.append({"expert": f"x{e:02d}", "item": f"A{i:02d}", "marks": marks, "total": total(marks)})
a_cells = [(o["item"], o["expert"], o["total"]) for o in assigned]

# Two panels that share no expert (two groups in one batch): 20 nominations, 8 experts.
disc = []
for i in range(20):
    group = range(0, 4) if i < 10 else range(4, 8)
    for e in group:
        if rng.random() < 0.8:
            marks = [float(x) for x in np.clip(np.rint(quality[i] + lenient[e] + rng.normal(0, 1, N_C)), 0, 10)]
            disc.append({"expert": f"g{e}", "item": f"D{i:02d}", "marks": marks, "total": total(marks)})
d_cells = [(o["item"], o["expert"], o["total"]) for o in disc]

complete_cells = [c for c in stats_cells if c[1] in ref["crossed_experts"]]
long = pd.DataFrame(complete_cells, columns=["item", "expert", "y"])
pt = pg.intraclass_corr(long, targets="item", raters="expert", ratings="y")
pingouin = {
    t: {"icc": float(v), "ci95_rounded_2dp": [float(x) for x in ci]}
    for t, v, ci in zip(pt["Type"], pt["ICC"], pt["CI95"])
}

result = {
    "source": "benches/peers/agreement_reference.py",
    "versions": {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "statsmodels": statsmodels.__version__,
        "pingouin": pg.__version__,
    },
    "stats": {"method3": method3(stats_cells), "reml": reml(stats_cells), "block": block(stats_cells)},
    "stats_minus_one": {
        "removed": {"item": stats_cells[swing][0], "expert": stats_cells[swing][1]},
        "method3": method3(minus),
        "reml": reml(minus),
        "block": block(minus),
    },
    "assigned": {
        "observations": assigned,
        "n_criteria": N_C,
        "method3": method3(a_cells),
        "reml": reml(a_cells),
        "criteria": [
            method3([(o["item"], o["expert"], o["marks"][c]) for o in assigned]) for c in range(N_C)
        ],
    },
    "complete": {"method3": method3(complete_cells), "pingouin": pingouin},
    "disconnected": {"observations": disc, "method3": method3(d_cells)},
}
json.dump(result, open("fixtures/stats/agreement_reference.json", "w"), indent=1)
for k in ("stats", "stats_minus_one"):
    r = result[k]
    print(k, "block", r["block"], "m3 icc1", round(r["method3"]["icc1_1"][0], 4),
          "icc2", round(r["method3"]["icc2_1"][0], 4), "reml icc2", round(r["reml"]["icc2_1"], 4))
print("assigned m3", {k: round(result["assigned"]["method3"][k][0], 4) for k in ("icc1_1", "icc2_1", "icc3_1")},
      "reml", {k: round(v, 4) for k, v in result["assigned"]["reml"].items()})
print("complete pingouin", {k: round(v["icc"], 4) for k, v in pingouin.items()})
