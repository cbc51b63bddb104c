//! Errors name their cause once: an unreadable batch, a store directory that is a file, a bad
//! profile, a bad panel, bad sheets and an unreadable keymap each print one line with the
//! operating system's reason exactly once, and the usual exit code.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const BATCH: &str = "batches/resources-environment.json";
const SHEETS: &str = "golden/sheets";

fn revdesk(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("revdesk")
        .expect("binary")
        .env("LC_ALL", "en_US.UTF-8")
        .current_dir(dir)
        .env("REVDESK_STORE", dir.join("default-store"))
        .args(args)
        .output()
        .expect("runs");
    common::outcome(&out)
}

fn fixture(p: &str) -> String {
    common::fixture(p).display().to_string()
}

/// What the operating system says when `path` is read.
fn read_error(path: &Path) -> String {
    std::fs::read(path).expect_err("unreadable").to_string()
}

/// `err` is exactly `line` (and a newline), and holds `cause` once.
fn once(err: &str, line: &str, cause: &str) {
    assert_eq!(err, format!("{line}\n"));
    assert_eq!(err.matches(cause).count(), 1, "{err}");
}

fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path().to_path_buf();
    (dir, root)
}

#[test]
fn an_unreadable_batch() {
    let (_d, root) = scratch();
    let io = read_error(&root.join("nothere.json"));
    let (code, _, err) = revdesk(&root, &["rank", "nothere.json", &fixture(SHEETS)]);
    assert_eq!(code, 2);
    once(
        &err,
        &format!("revdesk: error: nothere.json: cannot read: {io}"),
        &io,
    );
    // A directory is unreadable too: only regular files are read.
    std::fs::create_dir(root.join("dir.json")).expect("dir");
    let io = "not a regular file (a directory)".to_string();
    let (code, _, err) = revdesk(&root, &["rank", "dir.json", &fixture(SHEETS)]);
    assert_eq!(code, 2);
    once(
        &err,
        &format!("revdesk: error: dir.json: cannot read: {io}"),
        &io,
    );
}

#[test]
fn a_store_directory_that_is_a_file() {
    let (_d, root) = scratch();
    std::fs::write(root.join("afile"), "x").expect("file");
    let io = std::fs::create_dir_all(root.join("afile"))
        .expect_err("a file")
        .to_string();
    let (code, _, err) = revdesk(&root, &["key", "--store", "afile", "--expert", "wang"]);
    assert_eq!(code, 2);
    once(
        &err,
        &format!("revdesk: error: cannot create store directory afile: {io}"),
        &io,
    );
}

#[test]
fn a_bad_profile() {
    let (_d, root) = scratch();
    let io = read_error(&root.join("nothere.toml"));
    let (code, _, err) = revdesk(
        &root,
        &["validate", &fixture(BATCH), "--profile", "nothere.toml"],
    );
    assert_eq!(code, 2);
    once(
        &err,
        &format!("revdesk: error: nothere.toml: cannot read profile: {io}"),
        &io,
    );
    // A malformed profile names the parser's complaint once.
    std::fs::write(root.join("bad.toml"), "id = \"x\"\nname = \n").expect("write");
    let (code, _, err) = revdesk(
        &root,
        &["validate", &fixture(BATCH), "--profile", "bad.toml"],
    );
    assert_eq!(code, 2);
    assert!(
        err.starts_with("revdesk: error: bad.toml: malformed profile: TOML parse error at line 2"),
        "{err}"
    );
    assert_eq!(err.matches("TOML parse error").count(), 1, "{err}");
}

#[test]
fn a_bad_panel() {
    let (_d, root) = scratch();
    let io = read_error(&root.join("nothere.toml"));
    let (code, _, err) = revdesk(
        &root,
        &[
            "rank",
            &fixture(BATCH),
            &fixture(SHEETS),
            "--panel",
            "nothere.toml",
        ],
    );
    assert_eq!(code, 2);
    once(
        &err,
        &format!("revdesk: error: nothere.toml: cannot read panel: {io}"),
        &io,
    );
}

#[test]
fn bad_sheets() {
    let (_d, root) = scratch();
    // A sheet that cannot be read is rejected, its reason given once.
    let io = read_error(&root.join("gone.json"));
    let (code, _, err) = revdesk(&root, &["rank", &fixture(BATCH), "gone.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!(
            "rejected: gone.json: cannot read: {io}\n\
             revdesk: 1 sheet(s) rejected; fix them or pass --skip-invalid to go on without them\n"
        )
    );
    // A sheet that cannot be written: the reason once.
    std::fs::write(
        root.join("marks.csv"),
        "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\nRE-001,8,7,6,5,9,8\n",
    )
    .expect("marks");
    let (code, _, err) = revdesk(
        &root,
        &[
            "enter",
            &fixture(BATCH),
            "--expert",
            "wang",
            "--from",
            "marks.csv",
            "--store",
            "st",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // Missing directories are made; a file where one should be cannot be replaced by one.
    std::fs::write(root.join("nodir"), "").expect("a file");
    let io = std::fs::create_dir_all(root.join("nodir"))
        .expect_err("a file, not a directory")
        .to_string();
    let (code, _, err) = revdesk(
        &root,
        &[
            "sheet",
            &fixture(BATCH),
            "--expert",
            "wang",
            "--store",
            "st",
            "-o",
            "nodir/s.json",
        ],
    );
    assert_eq!(code, 2);
    once(
        &err,
        &format!("revdesk: error: nodir/s.json: cannot write: {io}"),
        &io,
    );
}

#[test]
fn an_unreadable_keymap() {
    let (_d, root) = scratch();
    let io = read_error(&root.join("keys.toml"));
    let (code, _, err) = revdesk(
        &root,
        &[
            "score",
            &fixture(BATCH),
            "--expert",
            "wang",
            "--keymap",
            "keys.toml",
        ],
    );
    assert_eq!(code, 2);
    once(
        &err,
        &format!("revdesk: error: keys.toml: cannot read: {io}"),
        &io,
    );
}
