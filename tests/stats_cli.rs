//! Issue 13's statistics from the real binary: the minimum number of experts, per-expert
//! agreement and the criteria's structure, on sheets entered from paper.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const BATCH: &str = "fixtures/batches/electronic-information.xlsx";
const CRITERIA: &str = "可行性,先进性,原创性,不可替代性,技术成熟度,市场前景";

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("LC_ALL", "en_US.UTF-8");
    c
}

fn ok(args: &[&str]) -> String {
    let out = revdesk().args(args).output().expect("runs");
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?}\n{o}\n{e}");
    o
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Enters one expert's paper sheet (`rows`: id and six marks; ids left out are not scored)
/// and signs it into `dir/sheets`.
fn sheet(dir: &Path, e: usize, rows: &[(String, [u32; 6])]) {
    let mut csv = format!("编号,{CRITERIA},回避,回避原因\n");
    for (id, m) in rows {
        let m: Vec<String> = m.iter().map(ToString::to_string).collect();
        csv.push_str(&format!("{id},{},否,\n", m.join(",")));
    }
    let paper = dir.join(format!("paper-{e}.csv"));
    std::fs::write(&paper, csv).expect("write");
    let store = dir.join(format!("store-{e}"));
    let expert = format!("e{e}");
    let name = format!("专家{e}");
    ok(&[
        "enter",
        BATCH,
        "--expert",
        &expert,
        "--name",
        &name,
        "--from",
        &s(&paper),
        "--store",
        &s(&store),
    ]);
    let out = dir.join("sheets").join(format!("e{e}.json"));
    ok(&[
        "sheet",
        BATCH,
        "--expert",
        &expert,
        "--store",
        &s(&store),
        "-o",
        &s(&out),
    ]);
}

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
