//! Every file of a store is readable by its owner only, whatever the umask: after a session
//! (paper scores entered, a key made, a sheet signed, scoring in the terminal view with a
//! sheet handed in, the chair's decision), every file in the expert's and the chair's store
//! directories is 0600 (directories revdesk made, 0700), and the expert's secret key is in its
//! key file and nowhere else: not in the database, its write-ahead log or shared memory.
//! A store file left readable by an older revdesk is repaired on open, with a warning.
#![cfg(unix)]

mod common;

use common::pty::Tui;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const BATCH: &str = "fixtures/batches/resources-environment.json";

fn revdesk(args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("revdesk")
        .expect("binary")
        .env("LC_ALL", "en_US.UTF-8")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("runs");
    common::outcome(&out)
}

/// Every file and directory under `dir`, with its mode.
fn modes(dir: &Path, out: &mut Vec<(PathBuf, u32, bool)>) {
    for e in std::fs::read_dir(dir).expect("dir") {
        let p = e.expect("entry").path();
        let m = std::fs::symlink_metadata(&p).expect("meta");
        out.push((p.clone(), m.permissions().mode() & 0o777, m.is_dir()));
        if m.is_dir() {
            modes(&p, out);
        }
    }
}

fn assert_owner_only(dir: &Path) {
    let mut all = Vec::new();
    modes(dir, &mut all);
    assert!(!all.is_empty());
    for (p, mode, is_dir) in all {
        let want = if is_dir { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{} is {mode:03o}", p.display());
    }
    let m = std::fs::metadata(dir).expect("meta").permissions().mode() & 0o777;
    assert_eq!(m, 0o700, "{} is {m:03o}", dir.display());
}

#[test]
fn a_session_leaves_only_owner_only_files_and_the_key_in_its_file() {
    // SAFETY: umask only sets this process's mask, inherited by the programs it starts.
    unsafe { libc::umask(0o022) };
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let store = root.join("wang");
    let s = |p: &Path| p.display().to_string();
    std::fs::write(
        root.join("s.csv"),
        "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景,评语\nRE-001,8,7,6,5,9,8,好\n",
    )
    .expect("scores");
    let (code, _, err) = revdesk(&[
        "enter",
        BATCH,
        "--expert",
        "wang",
        "--from",
        &s(&root.join("s.csv")),
        "--store",
        &s(&store),
    ]);
    assert_eq!(code, 0, "{err}");
    std::fs::create_dir(root.join("out")).expect("dir");
    let (code, _, err) = revdesk(&["key", "--expert", "wang", "--store", &s(&store)]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = revdesk(&[
        "sheet",
        BATCH,
        "--expert",
        "wang",
        "--store",
        &s(&store),
        "-o",
        &s(&root.join("out/wang.json")),
    ]);
    assert_eq!(code, 0, "{err}");

    // The scoring view: a score, a sheet handed in, quit.
    let handed = root.join("handed");
    let mut t = Tui::spawn(
        &[
            "score",
            BATCH,
            "--expert",
            "wang",
            "--store",
            &s(&store),
            "--submit-dir",
            &s(&handed),
        ],
        120,
        40,
        &[],
    );
    t.wait_for("RE-001");
    t.type_keys("j7\r");
    // While the view is open the write-ahead log and shared memory exist: owner-only too.
    assert!(store.join("revdesk.db-wal").exists());
    assert_owner_only(&store);
    // A comment being typed is kept as a draft file: owner-only too.
    t.type_keys("c");
    t.send("草稿");
    t.wait_until("a draft kept", |_| {
        std::fs::read_dir(store.join("drafts")).is_ok_and(|mut d| d.next().is_some())
    });
    assert_owner_only(&store);
    t.type_keys("\x1b");
    t.type_keys("S");
    t.wait_until("a sheet handed in", |_| {
        std::fs::read_dir(&handed).is_ok_and(|mut d| d.next().is_some())
    });
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);

    // The chair includes a nomination with a reason.
    let chair = root.join("chair");
    let mut t = Tui::spawn(
        &[
            "chair",
            BATCH,
            &s(&common::fixture("golden/sheets")),
            "--store",
            &s(&chair),
            "--bootstrap",
            "0",
            "--lang",
            "en",
            "--chair",
            "zhang",
        ],
        120,
        40,
        &[],
    );
    t.wait_for("sheets 7");
    t.type_keys("/RE-040\r");
    t.type_keys("I");
    t.wait_for("Why include RE-040");
    t.send("示范效果显著\r");
    t.wait_for("RE-040 included");
    assert_owner_only(&chair);
    t.type_keys("n");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);

    assert_owner_only(&store);
    assert_owner_only(&chair);

    // The secret is in its key file alone.
    let key_file = store.join("keys/expert-wang.key");
    let secret = std::fs::read_to_string(&key_file).expect("key file");
    let secret = secret.trim();
    assert_eq!(secret.len(), 64);
    let mut all = Vec::new();
    modes(&store, &mut all);
    for (p, _, is_dir) in all {
        if is_dir || p == key_file {
            continue;
        }
        let bytes = std::fs::read(&p).expect("read");
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{} holds the secret key",
            p.display()
        );
    }
}

#[test]
fn files_left_readable_are_repaired_with_a_warning() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("s");
    let s = store.display().to_string();
    let (code, _, err) = revdesk(&["key", "--expert", "wang", "--store", &s]);
    assert_eq!(code, 0, "{err}");
    let db = store.join("revdesk.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let key = store.join("keys/expert-wang.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let (code, _, err) = revdesk(&["key", "--expert", "wang", "--store", &s]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "warning: {} was readable by others (mode 644)",
            db.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("expert-wang.key was readable by others (mode 640)"),
        "{err}"
    );
    assert_owner_only(&store);
}
