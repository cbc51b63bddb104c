#!/usr/bin/env python3
"""Independent reference for revdesk's rank methods (src/engine/ranked.rs).

Plain Python, no dependencies. Writes fixtures/ranked/reference.json:
  - "wikipedia": the 45-voter, 5-candidate Schulze example from Wikipedia ("Schulze method",
    example), as full rankings turned into totals; published order E > A > C > B > D.
  - "partial": a seeded random panel with missing scores and ties, with Borda scores, Schulze
    ranks and Kendall's tau-b between the two, computed here the textbook way (widest paths by
    repeated relaxation rather than Floyd-Warshall's loop order, tau-b from its pair counts).

Run: python3 benches/peers/ranked_reference.py > fixtures/ranked/reference.json
Check a real run: python3 benches/peers/ranked_reference.py check RANK.json STATS.json
  (RANK.json from `revdesk rank … --format json`, STATS.json from `revdesk stats … --format json`
  on the same sheets): recomputes Borda, Schulze and both tau-b from rank's matrix and compares.
"""
import sys
import json
import math
import random

EPS = 1e-9


def borda(totals, n):
    acc = [[] for _ in range(n)]
    for row in totals:
        s = [(i, t) for i, t in enumerate(row) if t is not None]
        m = len(s)
        if m < 2:
            continue
        for i, a in s:
            below = sum(1 for j, b in s if j != i and a - b > EPS)
            tied = sum(1 for j, b in s if j != i and abs(a - b) <= EPS)
            acc[i].append((below + 0.5 * tied) / (m - 1))
    return [sum(v) / len(v) if v else None for v in acc]


def schulze_ranks(totals, n):
    seen = [any(row[i] is not None for row in totals) for i in range(n)]
    d = [[0] * n for _ in range(n)]
    for row in totals:
        for i in range(n):
            for j in range(n):
                a, b = row[i], row[j]
                if a is not None and b is not None and a - b > EPS:
                    d[i][j] += 1
    # Widest path strengths by relaxing until nothing changes (Bellman-Ford style).
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(n)] for i in range(n)]
    changed = True
    while changed:
        changed = False
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                for k in range(n):
                    if k in (i, j):
                        continue
                    w = min(p[i][k], p[k][j])
                    if w > p[i][j]:
                        p[i][j] = w
                        changed = True
    ranks = []
    for i in range(n):
        if not seen[i]:
            ranks.append(None)
            continue
        ranks.append(1 + sum(1 for j in range(n) if seen[j] and j != i and p[j][i] > p[i][j]))
    return ranks


def competition(scores):
    ranks = [None] * len(scores)
    ranked = sorted((i for i, s in enumerate(scores) if s is not None), key=lambda i: (-scores[i], i))
    lead, lead_rank = None, 0
    for pos, i in enumerate(ranked):
        if lead is None or lead - scores[i] > EPS:
            lead, lead_rank = scores[i], pos + 1
        ranks[i] = lead_rank
    return ranks


def tau_b(a, b):
    both = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    nc = nd = ta = tb = 0
    for k in range(len(both)):
        for l in range(k + 1, len(both)):
            dx = both[k][0] - both[l][0]
            dy = both[k][1] - both[l][1]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ta += 1
            elif dy == 0:
                tb += 1
            elif (dx > 0) == (dy > 0):
                nc += 1
            else:
                nd += 1
    den = math.sqrt((nc + nd + ta) * (nc + nd + tb))
    return (nc - nd) / den if den > 0 else None


def wikipedia():
    groups = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"),
              (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"), (8, "EBADC")]
    names = "ABCDE"
    totals = []
    for count, ballot in groups:
        row = [None] * 5
        for pos, c in enumerate(ballot):
            row[names.index(c)] = float(90 - 10 * pos)
        totals.extend([list(row) for _ in range(count)])
    ranks = schulze_ranks(totals, 5)
    order = "".join(names[i] for i in sorted(range(5), key=lambda i: (ranks[i], i)))
    return {"items": list(names), "totals": totals, "schulze_ranks": ranks, "order": order}


def partial():
    rng = random.Random(20261203)
    n, e = 9, 7
    totals = []
    for _ in range(e):
        row = []
        for _ in range(n):
            if rng.random() < 0.3:
                row.append(None)
            else:
                # Coarse steps so ties occur.
                row.append(float(rng.choice(range(60, 95, 5))))
        totals.append(row)
    totals.append([None] * n)  # an expert who scored nothing
    totals[0] = [None] * n
    totals[0][3] = 80.0  # an expert with one score: no Borda comparison
    b = borda(totals, n)
    bs = competition(b)
    s = schulze_ranks(totals, n)
    return {"totals": totals, "borda": b, "borda_ranks": bs, "schulze_ranks": s,
            "kendall_tau_borda_schulze": tau_b(bs, s)}


def check(rank_path, stats_path):
    r = json.load(open(rank_path))
    s = json.load(open(stats_path))
    ids = sorted({c["item"] for c in r["matrix"]})
    ix = {i: k for k, i in enumerate(ids)}
    tot = {}
    for c in r["matrix"]:
        row = tot.setdefault(c["expert"], [None] * len(ids))
        if c["total"] is not None and c["recused"] is None and not c["conflict"]:
            row[ix[c["item"]]] = c["total"]
    totals = list(tot.values())
    b = borda(totals, len(ids))
    sr = schulze_ranks(totals, len(ids))
    m = {it["id"]: it for it in s["rank_methods"]["items"]}
    bad = [i for i in ids
           if (m[i]["borda"] is None) != (b[ix[i]] is None)
           or (b[ix[i]] is not None and abs(m[i]["borda"] - b[ix[i]]) > 1e-12)
           or m[i]["schulze_rank"] != sr[ix[i]]]
    sc = [m[i]["score_rank"] for i in ids]
    taus = (tau_b(sc, competition(b)), tau_b(sc, sr))
    got = (s["rank_methods"]["borda"]["kendall_tau"], s["rank_methods"]["schulze"]["kendall_tau"])
    ok = not bad and all(abs(a - g) < 1e-12 for a, g in zip(taus, got))
    print(f"{len(ids)} nominations, {len(totals)} experts; mismatched: {bad}; "
          f"tau-b Borda {taus[0]:.6f} Schulze {taus[1]:.6f}; {'OK' if ok else 'DIFFERENT'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    print(json.dumps({"wikipedia": wikipedia(), "partial": partial()}, indent=1))
