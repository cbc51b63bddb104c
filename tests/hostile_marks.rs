//! Marks that would poison later steps (issue 10, points 6–8): text over its limit is refused
//! where it is entered, so nothing accepted upstream is refused downstream.

use assert_cmd::Command;
use revdesk::store::Store;
use std::path::{Path, PathBuf};

fn run(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("revdesk")
        .expect("binary builds")
        .env("LC_ALL", "en_US.UTF-8")
        .current_dir(root)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A temporary directory holding `batch.json` (six biomedicine nominations).
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let (code, _, err) = run(
        &root,
        &[
            "gen",
            "--items",
            "6",
            "--detail-chars",
            "0",
            "--domain",
            "biomedicine",
            "-o",
            "batch.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    (dir, root)
}

const HEAD: &str = "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景,回避,回避原因,评语\n";

fn enter(root: &Path, csv: &str) -> (i32, String, String) {
    std::fs::write(root.join("marks.csv"), csv).expect("write");
    run(
        root,
        &[
            "enter",
            "batch.json",
            "--expert",
            "wang",
            "--from",
            "marks.csv",
            "--store",
            "st",
        ],
    )
}

/// `revdesk sheet` for wang from the store `st`, into `wang.json`.
fn sign(root: &Path) -> (i32, String, String) {
    run(
        root,
        &[
            "sheet",
            "batch.json",
            "--expert",
            "wang",
            "--store",
            "st",
            "-o",
            "wang.json",
        ],
    )
}

#[test]
fn enter_refuses_an_over_long_comment_at_its_cell_and_stores_nothing() {
    let (_d, root) = setup();
    let long = "评".repeat(5_001);
    let csv = format!("{HEAD}BM-00001,8,7,6,5,9,8,否,,好\nBM-00002,8,,,,,,否,,{long}\n");
    let (code, _, err) = enter(&root, &csv);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("marks.csv:3: column J (评语): the comment has 5001 characters; at most 5000 are allowed"),
        "{err}"
    );
    assert!(err.len() < 2_000, "the cell is not echoed back: {err}");
    // All or nothing: not even the good row.
    if root.join("st").join("revdesk.db").exists() {
        let s = Store::open(&root.join("st")).expect("store");
        for b in s.batches().expect("batches") {
            assert!(s.history("wang", &b.hash).expect("history").is_empty());
        }
    }
    // At the limit it is stored, and the sheet made of it is counted by rank.
    let csv = format!("{HEAD}BM-00002,8,7,6,5,9,8,否,,{}\n", "评".repeat(5_000));
    let (code, _, err) = enter(&root, &csv);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = sign(&root);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&root, &["rank", "batch.json", "wang.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("BM-00002"), "{out}");
}

#[test]
fn sheet_refuses_a_comment_an_older_revdesk_stored_over_the_limit() {
    let (_d, root) = setup();
    let (code, _, err) = enter(&root, &format!("{HEAD}BM-00003,8,7,6,5,9,8,否,,好\n"));
    assert_eq!(code, 0, "{err}");
    // As an older revdesk (no limits) would have left it.
    let db = rusqlite::Connection::open(root.join("st").join("revdesk.db")).expect("db");
    let n = db
        .execute(
            "UPDATE item_state SET comment = ?1 WHERE item = 'BM-00003'",
            [&"长".repeat(6_000)],
        )
        .expect("update");
    assert_eq!(n, 1);
    drop(db);
    let (code, _, err) = sign(&root);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("item BM-00003: shorten it before signing: the comment has 6000 characters; at most 5000 are allowed"),
        "{err}"
    );
    assert!(!root.join("wang.json").exists());
}
