//! Special files where revdesk expects a file of data: a FIFO named like a sheet, a link to
//! `/dev/zero`, a FIFO as the batch, panel, profile, keymap, paper sheet or shortlist. Each is
//! refused at once with its reason (nothing blocks, nothing reads without end), and the chair's
//! live view stays responsive when one lands in its directory.
#![cfg(unix)]

mod common;

use common::limited::{self, mkfifo};
use std::path::{Path, PathBuf};

const BATCH: &str = "batches/resources-environment.json";

fn fixture(p: &str) -> String {
    common::fixture(p).display().to_string()
}

/// The golden sheets copied into `root/sheets`, with a FIFO `x.json` and a link `z.json` to
/// `/dev/zero` beside them.
fn hostile_sheets(root: &Path) -> PathBuf {
    let dir = root.join("sheets");
    std::fs::create_dir_all(&dir).expect("dir");
    for e in std::fs::read_dir(common::fixture("golden/sheets")).expect("sheets") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.join(p.file_name().expect("name"))).expect("copy");
    }
    mkfifo(&dir.join("x.json"));
    std::os::unix::fs::symlink("/dev/zero", dir.join("z.json")).expect("link");
    dir
}

#[test]
fn special_files_among_sheets_are_refused_not_read() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let sheets = hostile_sheets(root).display().to_string();
    for cmd in ["rank", "stats"] {
        let run = limited::revdesk(root, &[cmd, &fixture(BATCH), &sheets], &[]);
        run.expect_code(1);
        assert!(
            run.stderr
                .contains("x.json: cannot read: not a regular file (a FIFO)"),
            "{run:#?}"
        );
        assert!(
            run.stderr
                .contains("z.json: cannot read: not a regular file (a character device)"),
            "{run:#?}"
        );
        assert!(run.stderr.contains("2 sheet(s) rejected"), "{run:#?}");
        // Skipped, each named, and the seven real sheets count.
        let run = limited::revdesk(
            root,
            &[cmd, &fixture(BATCH), &sheets, "--skip-invalid"],
            &[],
        );
        run.expect_code(0);
        assert!(run.stderr.contains("skipped: "), "{run:#?}");
        assert_eq!(run.stderr.matches("skipped: ").count(), 2, "{run:#?}");
    }
    let out = root.join("out.json");
    let run = limited::revdesk(
        root,
        &[
            "export",
            &fixture(BATCH),
            &sheets,
            "--skip-invalid",
            "--force",
            "--bootstrap",
            "0",
            "--format",
            "json",
            "-o",
            &out.display().to_string(),
        ],
        &[],
    );
    run.expect_code(0);
    assert!(out.is_file());
}

#[test]
fn a_fifo_in_place_of_any_input_file_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    mkfifo(&root.join("fifo.json"));
    mkfifo(&root.join("fifo.toml"));
    mkfifo(&root.join("fifo.csv"));
    std::os::unix::fs::symlink("/dev/zero", root.join("zero.csv")).expect("link");
    let sheets = fixture("golden/sheets");
    let batch = fixture(BATCH);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["validate", "fifo.json"], "fifo.json"),
        (vec!["validate", "zero.csv"], "zero.csv"),
        (vec!["rank", "fifo.json", &sheets], "fifo.json"),
        (
            vec!["rank", &batch, &sheets, "--panel", "fifo.toml"],
            "fifo.toml",
        ),
        (
            vec!["validate", &batch, "--profile", "fifo.toml"],
            "fifo.toml",
        ),
        (vec!["profile", "check", "fifo.toml"], "fifo.toml"),
        (
            vec!["enter", &batch, "--expert", "wang", "--from", "fifo.csv"],
            "fifo.csv",
        ),
        (
            vec!["enter", &batch, "--expert", "wang", "--from", "zero.csv"],
            "zero.csv",
        ),
        (vec!["merge", "fifo.json", "-o", "final.json"], "fifo.json"),
        (
            vec!["score", &batch, "--expert", "wang", "--keymap", "fifo.toml"],
            "fifo.toml",
        ),
        (
            vec!["score", &batch, "--expert", "wang", "--theme", "fifo.toml"],
            "fifo.toml",
        ),
    ];
    for (args, file) in cases {
        let run = limited::revdesk(root, &args, &[]);
        assert!(!run.timed_out, "{args:?} hung: {run:#?}");
        assert_eq!(run.code, Some(2), "{args:?}: {run:#?}");
        assert!(
            run.stderr.contains(file) || run.stdout.contains(file),
            "{args:?}: {run:#?}"
        );
        assert!(
            run.stderr.contains("not a regular file") || run.stdout.contains("not a regular file"),
            "{args:?}: {run:#?}"
        );
    }
}

#[test]
fn the_chair_stays_responsive_when_a_fifo_lands_in_its_directory() {
    use common::pty::Tui;
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let sheets = root.join("sheets");
    std::fs::create_dir_all(&sheets).expect("dir");
    for e in std::fs::read_dir(common::fixture("golden/sheets")).expect("sheets") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, sheets.join(p.file_name().expect("name"))).expect("copy");
    }
    let store = root.join("chair");
    let args = [
        "chair".to_string(),
        common::fixture(BATCH).display().to_string(),
        sheets.display().to_string(),
        "--store".into(),
        store.display().to_string(),
        "--bootstrap".into(),
        "0".into(),
        "--lang".into(),
        "en".into(),
        "--chair".into(),
        "zhang".into(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = Tui::spawn(&args, 100, 30, &[]);
    t.wait_for("sheets 7");
    mkfifo(&sheets.join("late.json"));
    t.wait_for("late.json");
    // Still answering keys: the detail opens and the view quits.
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}
