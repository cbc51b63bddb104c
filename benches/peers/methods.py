"""numpy peer of revdesk's five aggregation methods and their bootstrap.

Run by benches/peers/methods.sh. Reads what `methods_peer dump DIR` wrote for one panel size:
the panel (panel.csv), the B resamples' expert counts, drawn as revdesk draws them (mult.txt),
and revdesk's own results (expected.json). Every method works on a whole batch of resamples at
once, as a statistician would write it with numpy: the mean, zscore and trimmed sums are matrix
products of the counts with the score matrix, the median walks cumulative counts over each
item's sorted scores, and the calibrated model solves its reduced normal equations (experts
× experts) with numpy.linalg per resample. Ranking, the shortlist's K rule and the rank
intervals are vectorised over the resamples.

  methods.py check DIR            every method of DIR against revdesk (exit 1 on a difference)
  methods.py time DIR METHOD      one bootstrap; prints its wall time in milliseconds
  methods.py summary TSV          ratios from methods.sh's timings: min, median, max
"""

import json
import math
import sys
import time

import numpy as np

TIE_EPS = 1e-9
ZERO_SD = 1e-9


def load(d):
    meta = json.load(open(f"{d}/expected.json"))
    ni, ne = meta["items"], meta["experts"]
    raw = np.loadtxt(f"{d}/panel.csv", delimiter=",", skiprows=1, ndmin=2)
    item, expert = raw[:, 0].astype(int), raw[:, 1].astype(int)
    t = np.full((ni, ne), np.nan)
    t[item, expert] = raw[:, 2]
    c = np.zeros((ni, ne))
    c[item, expert] = raw[:, 3]
    mult = np.loadtxt(f"{d}/mult.txt", dtype=np.float64, ndmin=2)
    return meta, t, c, mult


def sums(values, mask, m):
    """Per resample and item: Σ m_e x_ei and Σ m_e over the experts in mask."""
    return m @ np.where(mask, values, 0.0).T, m @ mask.T.astype(np.float64)


def mean(t, m):
    s, n = sums(t, ~np.isnan(t), m)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / n, np.nan)


def zscore(t, m):
    scored = ~np.isnan(t)
    k = scored.sum(axis=0)
    with np.errstate(invalid="ignore"):
        mu = np.nanmean(np.where(k > 0, t, 0.0), axis=0)
        sd = np.nanstd(np.where(k > 0, t, 0.0), axis=0)
    counts = (k >= 2) & (sd > ZERO_SD)
    z = (t - mu) / np.where(counts, sd, 1.0)
    s, n = sums(z, scored & counts, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / n, np.nan)


def trimmed(t, m, trim_min, block=128):
    scored = ~np.isnan(t)
    s, n = sums(t, scored, m)
    low, high = np.where(scored, t, np.inf), np.where(scored, t, -np.inf)
    lo, hi = np.empty_like(s), np.empty_like(s)
    for b in range(0, m.shape[0], block):
        present = (m[b : b + block] > 0)[:, None, :]
        lo[b : b + block] = np.where(present, low, np.inf).min(axis=2)
        hi[b : b + block] = np.where(present, high, -np.inf).max(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            n >= trim_min, (s - lo - hi) / (n - 2), np.where(n > 0, s / n, np.nan)
        )


def median(t, m):
    r, ni = m.shape[0], t.shape[0]
    out = np.full((r, ni), np.nan)
    for i in range(ni):
        scored = np.flatnonzero(~np.isnan(t[i]))
        if scored.size == 0:
            continue
        order = scored[np.argsort(t[i, scored], kind="stable")]
        values = t[i, order]
        cum = np.cumsum(m[:, order], axis=1)
        n = cum[:, -1]
        a = (cum > ((n - 1) // 2)[:, None]).argmax(axis=1)
        b = (cum > (n // 2)[:, None]).argmax(axis=1)
        out[:, i] = np.where(n > 0, (values[a] + values[b]) / 2, np.nan)
    return out


def components(positive):
    """Component label per expert (column) of an items × experts graph: label propagation."""
    labels = np.arange(positive.shape[1])
    big = positive.shape[1]
    while True:
        per_item = np.where(positive, labels[None, :], big).min(axis=1)
        new = np.minimum(labels, np.where(positive, per_item[:, None], big).min(axis=0))
        if np.array_equal(new, labels):
            return labels
        labels = new


def calibrated(t, c, m):
    r, ni = m.shape[0], t.shape[0]
    out = np.full((r, ni), np.nan)
    t0 = np.nan_to_num(t)
    scored_any = c.sum(axis=0) > 0
    for k in range(r):
        w = c * m[k][None, :]
        d = w.sum(axis=1)
        keep = d > 0
        present = (m[k] > 0) & scored_any
        wk = w[keep][:, present]
        dk = d[keep]
        ybar = (wk * t0[keep][:, present]).sum(axis=1) / dk
        deg = wk.sum(axis=0)
        lap = np.diag(deg) - (wk / dk[:, None]).T @ wk
        rhs = (wk * (t0[keep][:, present] - ybar[:, None])).sum(axis=0)
        labels = components(wk > 0)
        mk = m[k][present]
        for label in np.unique(labels):
            members = labels == label
            size = members.sum()
            alpha = deg[members].mean() / size
            lap[np.ix_(members, members)] += alpha if alpha > 0 else 1.0
        b = np.linalg.solve(lap, rhs)
        for label in np.unique(labels):
            members = labels == label
            b[members] -= (mk[members] * b[members]).sum() / mk[members].sum()
        out[k, keep] = ybar - (wk @ b) / dk
    return out


def score(method, t, c, m, trim_min):
    if method == "mean":
        return mean(t, m)
    if method == "zscore":
        return zscore(t, m)
    if method == "trimmed":
        return trimmed(t, m, trim_min)
    if method == "median":
        return median(t, m)
    return calibrated(t, c, m)


def summarise(scores, k_min, k_max):
    """Inclusion counts and nearest-rank 5/50/95th rank percentiles over the resamples."""
    r, ni = scores.shape
    key = np.where(np.isnan(scores), -np.inf, scores)
    order = np.argsort(-key, axis=1, kind="stable")
    values = np.take_along_axis(key, order, axis=1)
    ranked = np.isfinite(values)
    n_ranked = ranked.sum(axis=1)
    pos = np.arange(ni)[None, :]
    # A tie group starts where the score drops by more than TIE_EPS; a group shares the
    # competition rank of its first position and is listed in item order.
    gap = np.empty_like(ranked)
    gap[:, 0] = True
    gap[:, 1:] = (values[:, :-1] - values[:, 1:]) > TIE_EPS
    start = np.maximum.accumulate(np.where(gap | ~ranked, pos, 0), axis=1)
    regroup = np.argsort(start * (ni + 1) + order, axis=1, kind="stable")
    order = np.take_along_axis(order, regroup, axis=1)
    rank_at = np.where(ranked, start + 1, 0)
    ranks = np.empty((r, ni), dtype=np.int64)
    np.put_along_axis(ranks, order, np.where(ranked, rank_at, n_ranked[:, None] + 1), axis=1)
    ks = np.arange(k_min, k_max + 1)
    padded = np.concatenate([rank_at, np.zeros((r, 1), dtype=rank_at.dtype)], axis=1)
    clean = (ks[None, :] == n_ranked[:, None]) | (
        padded[:, np.minimum(ks, ni)] == ks[None, :] + 1
    )
    clean &= ks[None, :] <= np.minimum(k_max, n_ranked)[:, None]
    best = np.where(clean, ks[None, :], -1).max(axis=1)
    k = np.where(n_ranked < k_min, n_ranked, np.where(best >= 0, best, k_max))
    included = np.zeros((r, ni), dtype=np.int64)
    np.put_along_axis(included, order, (pos < k[:, None]).astype(np.int64), axis=1)
    sorted_ranks = np.sort(ranks, axis=0)

    def pct(p):
        return sorted_ranks[max(1, math.ceil(p * r / 100)) - 1]

    return included.sum(axis=0), pct(5), pct(50), pct(95)


def run(method, t, c, m, meta):
    scores = score(method, t, c, m, meta["trim_min"])
    return summarise(scores, meta["shortlist_min"], meta["shortlist_max"])


def check(d):
    meta, t, c, m = load(d)
    ok = True
    for method, want in meta["methods"].items():
        real = score(method, t, c, np.ones((1, t.shape[1])), meta["trim_min"])[0]
        expected = np.array([np.nan if s is None else s for s in want["scores"]])
        same_missing = np.array_equal(np.isnan(real), np.isnan(expected))
        diff = np.nanmax(np.abs(real - expected)) if same_missing else np.inf
        got = run(method, t, c, m, meta)
        names = ["included", "rank_lo", "rank_median", "rank_hi"]
        wrong = [n for n, g in zip(names, got) if not np.array_equal(g, want[n])]
        agree = diff <= 1e-9 and not wrong
        ok &= agree
        print(
            f"{d} {method}: scores max |numpy - revdesk| = {diff:.1e}; bootstrap "
            + ("identical" if not wrong else "differs in " + ", ".join(wrong))
        )
    return ok


def timed(d, method):
    meta, t, c, m = load(d)
    start = time.perf_counter()
    included, *_ = run(method, t, c, m, meta)
    ms = (time.perf_counter() - start) * 1e3
    # The run did the work it names: every resample chose its list.
    assert included.sum() > 0 and m.shape[0] == meta["replicates"]
    print(f"{ms:.3f}")


def summary(path):
    rows = [line.split("\t") for line in open(path) if line.strip()]
    cases = {}
    for case, rust, peer in rows:
        cases.setdefault(case, []).append((float(rust), float(peer)))
    print(f"{'case':<22} {'numpy / revdesk (min-median-max)':<34} revdesk ms (min-median-max)   numpy ms")
    for case, runs in cases.items():
        ratios = sorted(p / r for r, p in runs)
        rust = sorted(r for r, _ in runs)
        peer = sorted(p for _, p in runs)

        def mmm(x, f):
            return f"{f(x[0])}-{f(x[len(x) // 2])}-{f(x[-1])}"

        print(
            f"{case:<22} {mmm(ratios, lambda v: f'{v:.2f}x'):<34} "
            f"{mmm(rust, lambda v: f'{v:.0f}'):<28} {mmm(peer, lambda v: f'{v:.0f}')}"
        )


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "check" and len(sys.argv) == 3:
        sys.exit(0 if check(sys.argv[2]) else 1)
    elif mode == "time" and len(sys.argv) == 4:
        timed(sys.argv[2], sys.argv[3])
    elif mode == "summary" and len(sys.argv) == 3:
        summary(sys.argv[2])
    else:
        sys.exit(__doc__)
