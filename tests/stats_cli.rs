//! Issue 13's statistics from the real binary: the minimum number of experts, per-expert
//! agreement and the criteria's structure, on sheets entered from paper.

mod common;

use common::paper::{BATCH, ok, s, sheet};
use std::path::PathBuf;

fn ids() -> Vec<String> {
    (1..=45).map(|i| format!("EI-{i:03}")).collect()
}

/// A mark falling with the nomination's position, with a little expert- and criterion-noise.
fn mark(e: usize, i: usize, c: usize) -> u32 {
    let q = 9.0 - i as f64 * 0.15 + [0.0, 0.5, -0.5, 1.0, -1.0, 0.3][e % 6];
    let noise = (((e * 7 + i * 13 + c * 5) % 5) as f64 - 2.0) * 0.3;
    (q + noise).round().clamp(0.0, 10.0) as u32
}

/// Four experts; only e0 scores EI-045, with full marks.
fn thin_panel() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    for e in 0..4 {
        let rows: Vec<(String, [u32; 6])> = ids()
            .into_iter()
            .enumerate()
            .filter(|(_, id)| e == 0 || id != "EI-045")
            .map(|(i, id)| {
                let m = if id == "EI-045" {
                    [10; 6]
                } else {
                    std::array::from_fn(|c| mark(e, i, c))
                };
                (id, m)
            })
            .collect();
        sheet(dir.path(), e, &rows);
    }
    let sheets = dir.path().join("sheets");
    (dir, sheets)
}

#[test]
fn a_nomination_one_expert_scored_ranks_first_but_stays_off_the_list() {
    let (_dir, sheets) = thin_panel();
    let json = ok(&[
        "rank",
        BATCH,
        &s(&sheets),
        "--bootstrap",
        "50",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let rows = v["rows"].as_array().expect("rows");
    let first = &rows[0];
    assert_eq!(first["id"], "EI-045");
    assert_eq!(first["rank"], 1);
    assert_eq!(first["n"], 1);
    assert_eq!(first["shortlisted"], false);
    assert_eq!(first["flags"], serde_json::json!(["few-experts"]));
    assert_eq!(first["p_shortlist"], 0.0);
    // The list is still 25–30 nominations, all scored by the four experts.
    let listed: Vec<&serde_json::Value> =
        rows.iter().filter(|r| r["shortlisted"] == true).collect();
    assert!((25..=30).contains(&listed.len()), "{}", listed.len());
    assert!(listed.iter().all(|r| r["n"] == 4));
    assert_eq!(v["config"]["min_n"], 3);
    let table = ok(&["rank", BATCH, &s(&sheets), "--bootstrap", "0"]);
    assert!(
        table.contains("fewer than 3 experts scored EI-045"),
        "{table}"
    );
    // The cut line falls after the K-th counted nomination: K listed rows plus EI-045 above it.
    let k = v["k"].as_u64().expect("k") as usize;
    let lines: Vec<&str> = table.lines().collect();
    let head = lines
        .iter()
        .position(|l| l.starts_with("==="))
        .expect("rule");
    let cut = lines
        .iter()
        .position(|l| l.starts_with("-- cut"))
        .expect("cut");
    assert_eq!(cut - head - 1, k + 1, "{table}");
}

/// Six experts score everything; e5's rows are reversed across the nominations.
fn shuffled_panel() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    for e in 0..6 {
        let ids = ids();
        let rows: Vec<(String, [u32; 6])> = (0..ids.len())
            .map(|i| {
                let from = if e == 5 { ids.len() - 1 - i } else { i };
                (ids[i].clone(), std::array::from_fn(|c| mark(e, from, c)))
            })
            .collect();
        sheet(dir.path(), e, &rows);
    }
    let sheets = dir.path().join("sheets");
    (dir, sheets)
}

#[test]
fn stats_shows_each_experts_agreement_with_the_panel_and_flags_the_outlier() {
    let (_dir, sheets) = shuffled_panel();
    let json = ok(&["stats", BATCH, &s(&sheets), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let experts = v["experts"].as_array().expect("experts");
    for x in experts {
        let r = x["panel_r"].as_f64().expect("r");
        assert_eq!(x["panel_r_items"], 45);
        if x["id"] == "e5" {
            assert!(r < -0.5, "{r}");
            assert_eq!(x["outlier"], true);
        } else {
            assert!(r > 0.8, "{} {r}", x["id"]);
            assert_eq!(x["outlier"], false);
        }
    }
    // The criteria: six per-criterion agreements on the crossed subset, and alpha over all
    // 6 × 45 complete scores (every criterion of a row moves with the row's quality: alpha high).
    let crit = &v["criteria"];
    let per = crit["per_criterion"].as_array().expect("per criterion");
    assert_eq!(per.len(), 6);
    assert_eq!(per[0]["label"], "可行性");
    assert!(per.iter().all(|c| c["agreement"]["icc2_1"].is_number()));
    assert_eq!(crit["alpha_scores"], 270);
    assert!(crit["cronbach_alpha"].as_f64().expect("alpha") > 0.9);
    let table = ok(&["stats", BATCH, &s(&sheets)]);
    assert!(
        table.contains("per criterion, on the same crossed subset:"),
        "{table}"
    );
    assert!(
        table.contains("Cronbach's alpha of the criteria over 270 complete scores"),
        "{table}"
    );
    let e5 = table
        .lines()
        .find(|l| l.starts_with("e5 "))
        .expect("e5 row");
    assert!(e5.trim_end().ends_with("outlier"), "{table}");
    assert!(table.contains("r_panel"), "{table}");
    // `rank` warns the chair.
    let ranked = ok(&["rank", BATCH, &s(&sheets), "--bootstrap", "0"]);
    assert!(
        ranked.contains("e5 agree with the rest of the panel far less"),
        "{ranked}"
    );
}

/// Borda by its definition, from `rank`'s matrix: (below + ½·tied) / (scored − 1), averaged.
fn borda_from_matrix(v: &serde_json::Value) -> std::collections::BTreeMap<String, f64> {
    use std::collections::BTreeMap;
    let mut by_expert: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for c in v["matrix"].as_array().expect("matrix") {
        if let Some(t) = c["total"].as_f64()
            && c["recused"].is_null()
            && c["conflict"] == false
        {
            let e = c["expert"].as_str().expect("expert").to_string();
            let i = c["item"].as_str().expect("item").to_string();
            by_expert.entry(e).or_default().push((i, t));
        }
    }
    let mut acc: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for rows in by_expert.values() {
        let m = rows.len() as f64;
        for (i, a) in rows {
            let pts: f64 = rows
                .iter()
                .filter(|(j, _)| j != i)
                .map(|(_, b)| match (a - b).abs() <= 1e-9 {
                    true => 0.5,
                    false if a > b => 1.0,
                    false => 0.0,
                })
                .sum();
            acc.entry(i.clone()).or_default().push(pts / (m - 1.0));
        }
    }
    acc.into_iter()
        .map(|(i, v)| (i, v.iter().sum::<f64>() / v.len() as f64))
        .collect()
}

#[test]
fn stats_shows_borda_and_schulze_beside_the_score_rank() {
    let (_dir, sheets) = thin_panel();
    let json = ok(&["stats", BATCH, &s(&sheets), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let m = &v["rank_methods"];
    let items = m["items"].as_array().expect("items");
    assert_eq!(items.len(), 45);
    // EI-045: only e0 scored it, with full marks, above everything else e0 scored: e0's Borda
    // point 1 is its Borda score, and it beats every other nomination 1–0 pairwise (Schulze 1).
    let top = &items[0];
    assert_eq!(top["id"], "EI-045");
    assert_eq!(top["score_rank"], 1);
    assert_eq!(top["borda"], 1.0);
    assert_eq!(top["borda_rank"], 1);
    assert_eq!(top["schulze_rank"], 1);
    // Every Borda score as its definition gives it from the matrix `rank` prints.
    let rank = ok(&[
        "rank",
        BATCH,
        &s(&sheets),
        "--bootstrap",
        "0",
        "--format",
        "json",
    ]);
    let want = borda_from_matrix(&serde_json::from_str(&rank).expect("json"));
    assert_eq!(want.len(), 45);
    for it in items {
        let id = it["id"].as_str().expect("id");
        let got = it["borda"].as_f64().expect("borda");
        assert!(
            (got - want[id]).abs() < 1e-12,
            "{id}: {got} vs {}",
            want[id]
        );
        assert!(it["schulze_rank"].as_u64().is_some(), "{id}");
    }
    // The experts agree closely, so do the methods; K is the score method's shortlist size.
    assert_eq!(m["schulze_computed"], true);
    for a in [&m["borda"], &m["schulze"]] {
        assert!((25..=30).contains(&a["k"].as_u64().expect("k")), "{a}");
        assert!(a["kendall_tau"].as_f64().expect("tau") > 0.8, "{a}");
        let (o, k) = (a["top_k_overlap"].as_u64(), a["k"].as_u64());
        assert!(o.expect("overlap") + 3 >= k.expect("k"), "{a}");
    }
    let table = ok(&["stats", BATCH, &s(&sheets)]);
    assert!(
        table.contains("rank methods over each expert's ranking"),
        "{table}"
    );
    assert!(table.contains("Borda: tau-b "), "{table}");
    assert!(table.contains("Schulze: tau-b "), "{table}");
    let head = table
        .lines()
        .find(|l| l.contains("Schulze rank"))
        .expect("heading");
    assert!(
        head.contains("score rank") && head.contains("Borda rank"),
        "{head}"
    );
    let row = table
        .lines()
        .find(|l| l.contains("EI-045") && l.contains("1.000"))
        .expect("EI-045's row");
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["1", "EI-045", "1.000", "1", "1"]
    );
}

/// Eight experts, each nomination scored by four of them (nomination i by experts i … i+3 mod 8).
fn assigned_panel() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    for e in 0..8 {
        let rows: Vec<(String, [u32; 6])> = ids()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| (0..4).any(|j| (i + j) % 8 == e))
            .map(|(i, id)| (id, std::array::from_fn(|c| mark(e, i, c))))
            .collect();
        sheet(dir.path(), e, &rows);
    }
    let sheets = dir.path().join("sheets");
    (dir, sheets)
}

#[test]
fn stats_estimates_agreement_from_every_score_of_an_assigned_design() {
    let (_dir, sheets) = assigned_panel();
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["stats", BATCH, &s(&sheets), "--format", "json"]))
            .expect("json");
    let all = &v["all_scores"];
    let d = &all["design"];
    assert_eq!(d["scores"], 180);
    assert_eq!(
        (d["items"].clone(), d["experts"].clone()),
        (45.into(), 8.into())
    );
    assert_eq!(d["complete"], false);
    assert_eq!(
        (d["k_min"].clone(), d["k_max"].clone()),
        (4.into(), 4.into())
    );
    assert_eq!(d["groups"], 1);
    assert_eq!(d["method"], "henderson3");
    for key in ["icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k", "icc3_k"] {
        let (e, lo, hi) = (
            all[key]["estimate"].as_f64().expect("estimate"),
            all[key]["lo"].as_f64().expect("lo"),
            all[key]["hi"].as_f64().expect("hi"),
        );
        assert!(lo < e && e < hi && hi <= 1.0, "{key}: {lo} {e} {hi}");
    }
    // The figures are the engine's on the totals the binary read (rank's matrix).
    let rank: serde_json::Value = serde_json::from_str(&ok(&[
        "rank",
        BATCH,
        &s(&sheets),
        "--bootstrap",
        "0",
        "--format",
        "json",
    ]))
    .expect("json");
    let mut cells = Vec::new();
    for c in rank["matrix"].as_array().expect("matrix") {
        if let Some(t) = c["total"].as_f64() {
            let e: usize = c["expert"].as_str().expect("e")[1..].parse().expect("n");
            let i: usize = c["item"].as_str().expect("i")[3..].parse().expect("n");
            cells.push((i, e, t));
        }
    }
    let want = revdesk::engine::all_scores(&cells);
    let got = all["icc2_1"]["estimate"].as_f64().expect("icc");
    assert!((got - want.icc2_1.expect("icc").estimate).abs() < 1e-12);
    assert_eq!(all["per_criterion"].as_array().expect("criteria").len(), 6);
    // The old crossed block holds a fraction of the 180 scores.
    let block = &v["agreement"];
    let used = block["n_items"].as_u64().expect("n") * block["n_experts"].as_u64().expect("n");
    assert!(used < 90, "{used}");
    let table = ok(&["stats", BATCH, &s(&sheets)]);
    assert!(
        table.contains(
            "agreement from all scores: 180 scores, 45 nominations x 8 experts, incomplete (4 experts per nomination)"
        ),
        "{table}"
    );
    assert!(table.contains("Henderson's Method III"), "{table}");
    assert!(
        table.contains("agreement on the fully crossed subset only"),
        "{table}"
    );
    // In Chinese every agreement line is in Chinese, the older block's meanings too.
    let zh = ok(&["stats", BATCH, &s(&sheets), "--lang", "zh"]);
    assert!(zh.contains("基于全部评分的评审一致性"), "{zh}");
    assert!(zh.contains("单向随机，单个专家"), "{zh}");
    assert!(!zh.contains("single expert"), "{zh}");
}
