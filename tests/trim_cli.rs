//! Issue 13 part 4 from the real binary: `trimmed` applies one rule to the whole panel (never
//! per item's count), and `rank` shows it per row in the table and the JSON.

mod common;

use common::paper::{BATCH, ok, s, sheet};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A mark falling with the nomination's position, spread by expert and criterion so that the
/// extremes differ from the middle.
fn mark(e: usize, i: usize, c: usize) -> u32 {
    let q = 8.5 - i as f64 * 0.1 + [0.0, 1.0, -1.0, 1.5, -1.5, 0.5][e % 6];
    let noise = (((e * 7 + i * 13 + c * 5) % 5) as f64 - 2.0) * 0.4;
    (q + noise).round().clamp(0.0, 10.0) as u32
}

/// Six experts on 45 nominations; e4 and e5 leave out EI-001..EI-003 when `uneven`.
fn panel(uneven: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    for e in 0..6 {
        let rows: Vec<(String, [u32; 6])> = (1..=45usize)
            .filter(|&i| !(uneven && e >= 4 && i <= 3))
            .map(|i| {
                let id = format!("EI-{i:03}");
                (id, std::array::from_fn(|c| mark(e, i - 1, c)))
            })
            .collect();
        sheet(dir.path(), e, &rows);
    }
    let sheets = dir.path().join("sheets");
    (dir, sheets)
}

fn rank_json(sheets: &Path, extra: &[&str]) -> Value {
    let sheets = s(sheets);
    let mut args = vec!["rank", BATCH, sheets.as_str(), "--format", "json"];
    args.extend(extra);
    serde_json::from_str(&ok(&args)).expect("json")
}

/// Per item id: (score, n, plain mean, min, max) from the JSON.
fn figures(v: &Value) -> Vec<(String, f64, f64, f64, f64, f64)> {
    let items = v["aggregation"]["items"].as_array().expect("items");
    items
        .iter()
        .map(|x| {
            let f = |k: &str| x[k].as_f64().expect(k);
            (
                x["id"].as_str().expect("id").to_string(),
                f("score"),
                f("n"),
                f("mean_total"),
                f("min"),
                f("max"),
            )
        })
        .collect()
}

fn rules(v: &Value) -> Vec<String> {
    let rows = v["rows"].as_array().expect("rows");
    rows.iter()
        .map(|r| r["rule"].as_str().expect("rule per row").to_string())
        .collect()
}

#[test]
fn uneven_coverage_takes_the_plain_mean_for_every_nomination() {
    let (_dir, sheets) = panel(true);
    let v = rank_json(&sheets, &["--bootstrap", "50"]);
    assert_eq!(v["method"], "trimmed");
    assert_eq!(v["config"]["trim_min"], 5);
    // EI-001..003 have 4 experts < 5, so every row, the 6-expert ones too, is a plain mean.
    let r = rules(&v);
    assert_eq!(r.len(), 45);
    assert!(r.iter().all(|x| x == "mean"), "{r:?}");
    for (id, score, n, mean, _, _) in figures(&v) {
        assert!((score - mean).abs() < 1e-9, "{id}: {score} vs mean {mean}");
        let want = if ["EI-001", "EI-002", "EI-003"].contains(&id.as_str()) {
            4.0
        } else {
            6.0
        };
        assert_eq!(n, want, "{id}");
    }
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("trimmed: EI-001, EI-002, EI-003 scored by fewer than 5 experts"),
        "{warnings}"
    );
    // The table: a rule column, `mean` on every row, and the warning.
    let table = ok(&["rank", BATCH, &s(&sheets), "--bootstrap", "0"]);
    let head = table
        .lines()
        .find(|l| l.starts_with("rank"))
        .expect("header");
    assert!(head.split_whitespace().any(|w| w == "rule"), "{table}");
    let ei = |id: &str| {
        table
            .lines()
            .find(|l| l.contains(id))
            .expect("row")
            .to_string()
    };
    for id in ["EI-001", "EI-010", "EI-045"] {
        assert!(ei(id).split_whitespace().any(|w| w == "mean"), "{}", ei(id));
    }
    assert!(
        table.contains("every nomination takes the plain mean"),
        "{table}"
    );
    assert!(
        table.contains(
            "method: trimmed (plain mean for all: some nomination has fewer than 5 experts)"
        ),
        "{table}"
    );
}

#[test]
fn enough_coverage_trims_every_nomination_and_says_so() {
    let (_dir, sheets) = panel(true);
    // trim_min 4: every nomination has at least 4 experts, so all are trimmed.
    let v = rank_json(&sheets, &["--trim-min", "4", "--bootstrap", "50"]);
    assert!(rules(&v).iter().all(|x| x == "trimmed"));
    let mut differs = 0;
    for (id, score, n, mean, lo, hi) in figures(&v) {
        let want = (mean * n - lo - hi) / (n - 2.0);
        assert!((score - want).abs() < 1e-9, "{id}: {score} vs {want}");
        differs += usize::from((score - mean).abs() > 1e-9);
    }
    assert!(
        differs > 0,
        "trimming changed no score: the panel tests nothing"
    );
    assert!(!v["warnings"].to_string().contains("plain mean"));
    // A complete panel trims at the default trim_min, with no warning.
    let (_dir, sheets) = panel(false);
    let v = rank_json(&sheets, &[]);
    assert!(rules(&v).iter().all(|x| x == "trimmed"));
    assert!(!v["warnings"].to_string().contains("plain mean"));
    let table = ok(&["rank", BATCH, &s(&sheets), "--bootstrap", "0"]);
    let row = table.lines().find(|l| l.contains("EI-010")).expect("row");
    assert!(row.split_whitespace().any(|w| w == "trimmed"), "{row}");
    assert!(
        table.contains("method: trimmed (drops the extremes from 5 experts)"),
        "{table}"
    );
    // Another method has no rule column or field.
    let v = rank_json(&sheets, &["--method", "median"]);
    assert!(v["rows"][0].get("rule").is_none());
}
