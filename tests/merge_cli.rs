//! The final review: five domains' JSON shortlist exports merge into one final-review batch that
//! loads like any batch; two shortlists of one domain, or of different rules, are refused.

mod common;

use assert_cmd::Command;
use common::sheets::expert_sheet;
use std::path::{Path, PathBuf};

const DOMAINS: [&str; 5] = [
    "batches/electronic-information.xlsx",
    "batches/biomedicine.csv",
    "batches/equipment-manufacturing.xlsx",
    "batches/advanced-materials.csv",
    "batches/resources-environment.json",
];

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("bin");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = revdesk().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Five experts score a domain batch; its JSON export is written to `out`.
fn export(root: &Path, fixture: &str, out: &Path, extra: &[&str]) {
    let (profile, batch) = common::batch(fixture);
    let sheets = root.join(format!("sheets-{}", batch.short_hash()));
    for e in 0..5 {
        expert_sheet(root, &batch, &profile, e, None, &sheets);
    }
    let path = format!("fixtures/{fixture}");
    let mut args = vec!["export", &path];
    let sheets_s = s(&sheets);
    let out_s = s(out);
    args.extend([
        sheets_s.as_str(),
        "--format",
        "json",
        "-o",
        out_s.as_str(),
        "--bootstrap",
        "0",
    ]);
    args.extend(extra);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{fixture}: {err}");
}

#[test]
fn five_domains_merge_into_a_final_batch_that_loads_like_any_batch() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let exports: Vec<PathBuf> = DOMAINS
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let out = root.join(format!("shortlist-{i}.json"));
            export(root, d, &out, &[]);
            out
        })
        .collect();
    let final_path = root.join("final.json");
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(exports.iter().map(|p| s(p)));
    args.extend(["-o".into(), s(&final_path)]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("final-review batch of"), "{out}");

    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&final_path).expect("read")).expect("json");
    assert_eq!(doc["final_review"], true);
    let items = doc["items"].as_array().expect("items");
    assert!(
        (125..=150).contains(&items.len()),
        "5 × 25–30: {}",
        items.len()
    );
    let domains: std::collections::BTreeSet<&str> =
        items.iter().filter_map(|i| i["domain"].as_str()).collect();
    assert_eq!(domains.len(), 5);
    assert!(
        items
            .iter()
            .all(|i| i["preliminary_rank"].is_u64() && i["preliminary_score"].is_f64())
    );
    assert_eq!(items[0]["preliminary_rank"], 1);

    // It validates and ranks like any batch, with the final list size (100) as the shortlist.
    let (code, out, _) = run(&["validate", &s(&final_path)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("final review (all domains)"), "{out}");
    let (profile, batch) = {
        let p = revdesk::profile::Profile::kczg_2020();
        let r = revdesk::validate::load(&final_path, &p, &Default::default()).expect("loads");
        (p, r.batch)
    };
    assert!(batch.meta.final_review);
    let sheets = root.join("final-sheets");
    for e in 0..5 {
        expert_sheet(root, &batch, &profile, e + 10, None, &sheets);
    }
    let (code, json, err) = run(&[
        "rank",
        &s(&final_path),
        &s(&sheets),
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["config"]["shortlist_min"], 100);
    assert_eq!(v["config"]["shortlist_max"], 100);
    assert_eq!(v["final_review"], true);
}

#[test]
fn refuses_two_of_one_domain_and_different_rules() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let a = root.join("a.json");
    let b = root.join("b.json");
    export(root, DOMAINS[4], &a, &[]);
    std::fs::copy(&a, &b).expect("copy");
    let (code, _, err) = run(&["merge", &s(&a), &s(&b), "-o", &s(&root.join("f.json"))]);
    assert_eq!(code, 1);
    assert!(
        err.contains("both shortlists of resources-environment"),
        "{err}"
    );
    assert!(!root.join("f.json").exists());

    let c = root.join("c.json");
    export(
        root,
        DOMAINS[1],
        &c,
        &["--profile", "fixtures/profiles/kczg-2021.toml"],
    );
    let (code, _, err) = run(&["merge", &s(&a), &s(&c), "-o", &s(&root.join("f.json"))]);
    assert_eq!(code, 1);
    assert!(err.contains("different rules"), "{err}");

    let junk = root.join("junk.json");
    std::fs::write(&junk, "{\"format\": \"something-else\"}").expect("write");
    let (code, _, err) = run(&["merge", &s(&junk), "-o", &s(&root.join("f.json"))]);
    assert_eq!(code, 1);
    assert!(err.contains("junk.json"), "{err}");
}
