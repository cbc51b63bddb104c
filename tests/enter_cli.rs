//! `revdesk enter`: paper sheets into the store, all or nothing.

use assert_cmd::Command;
use revdesk::store::{Source, Store};
use std::path::{Path, PathBuf};

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("binary builds");
    // The CLI's messages in English, whatever the machine's locale (LC_ALL overrides LANG).
    c.env("LC_ALL", "en_US.UTF-8");
    c
}

struct Env {
    _dir: tempfile::TempDir,
    batch: PathBuf,
    store: PathBuf,
    root: PathBuf,
}

fn setup() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let batch = root.join("batch.json");
    let out = revdesk()
        .args([
            "gen",
            "--items",
            "6",
            "--detail-chars",
            "0",
            "--domain",
            "biomedicine",
            "-o",
        ])
        .arg(&batch)
        .output()
        .expect("gen");
    assert!(out.status.success());
    Env {
        store: root.join("store"),
        batch,
        root,
        _dir: dir,
    }
}

fn write(root: &Path, name: &str, text: &str) -> PathBuf {
    let p = root.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn enter(env: &Env, expert: &str, sheet: &Path) -> (i32, String, String) {
    let out = revdesk()
        .args(["enter"])
        .arg(&env.batch)
        .args(["--expert", expert, "--name", "王专家", "--from"])
        .arg(sheet)
        .arg("--store")
        .arg(&env.store)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn batch_hash(store: &Store) -> String {
    let b = store.batches().expect("batches");
    assert_eq!(b.len(), 1);
    b[0].hash.clone()
}

const GOOD: &str = "\u{feff}编号,技术名称,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景,回避,回避原因,评语\r\n\
BM-00001,某技术,8,7,6,5,9,8,否,,\"路线清晰，\r\n建议重点讨论\"\r\n\
BM-00002,,,,,,,,是,本人所在单位申报,\r\n\
BM-00003,,9,,,,,,,,\r\n";

#[test]
fn a_good_sheet_is_stored_with_history() {
    let env = setup();
    let sheet = write(&env.root, "sheet.csv", GOOD);
    let (code, out, err) = enter(&env, "wang", &sheet);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 rows entered for expert wang"), "{out}");

    let store = Store::open(&env.store).expect("open");
    let hash = batch_hash(&store);
    let s = store.load("wang", &hash).expect("load");
    let one = &s.items["BM-00001"];
    assert_eq!(one.scores["feasibility"], 8.0);
    assert_eq!(one.scores["market"], 8.0);
    assert_eq!(one.comment, "路线清晰，\n建议重点讨论");
    assert_eq!(one.recusal, None);
    assert_eq!(
        s.items["BM-00002"].recusal.as_deref(),
        Some("本人所在单位申报")
    );
    assert!(s.items["BM-00002"].scores.is_empty());
    assert_eq!(s.items["BM-00003"].scores.len(), 1);
    assert_eq!(s.items["BM-00003"].scores["feasibility"], 9.0);
    assert_eq!(
        store
            .expert("wang")
            .expect("expert")
            .and_then(|e| e.display_name)
            .as_deref(),
        Some("王专家")
    );
    let h = store.history("wang", &hash).expect("history");
    assert!(h.iter().all(|r| r.source == Source::Paper));
    assert_eq!(
        h.iter()
            .map(|r| r.txn)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        1,
        "one transaction"
    );
    assert_eq!(store.rebuild("wang", &hash).expect("rebuild"), s);

    // Typing the same sheet again changes nothing; a corrected sheet changes only what differs.
    let (code, out, _) = enter(&env, "wang", &sheet);
    assert_eq!(code, 0);
    assert!(out.contains("(0 values changed)"), "{out}");
    let fixed = write(
        &env.root,
        "fixed.csv",
        &GOOD.replace("BM-00001,某技术,8,", "BM-00001,某技术,7,"),
    );
    let (code, out, _) = enter(&env, "wang", &fixed);
    assert_eq!(code, 0);
    assert!(out.contains("(1 values changed)"), "{out}");
}

#[test]
fn one_bad_cell_rejects_the_whole_file_and_stores_nothing() {
    let env = setup();
    let good = write(&env.root, "good.csv", GOOD);
    assert_eq!(enter(&env, "wang", &good).0, 0);
    let store = Store::open(&env.store).expect("open");
    let hash = batch_hash(&store);
    let before = store.load("wang", &hash).expect("load");
    let rows_before = store.history("wang", &hash).expect("history").len();

    let bad = GOOD
        .replace("BM-00001,某技术,8,7,", "BM-00001,某技术,3,7.5,")
        .replace("BM-00003,,9,", "BM-00003,,11,");
    let sheet = write(&env.root, "bad.csv", &bad);
    let (code, _, err) = enter(&env, "wang", &sheet);
    assert_eq!(code, 1);
    let p = sheet.display().to_string();
    assert!(
        err.contains(&format!(
            "{p}:2: column D (先进性): score 7.5 is not a multiple of the step 1"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{p}:5: column C (可行性): score 11 is not between 0 and 10"
        )),
        "{err}"
    );
    assert!(err.contains("nothing was stored"), "{err}");
    assert_eq!(store.load("wang", &hash).expect("load"), before);
    assert_eq!(
        store.history("wang", &hash).expect("history").len(),
        rows_before
    );

    let unknown = write(
        &env.root,
        "unknown.csv",
        "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\nXX-1,1,1,1,1,1,1\n",
    );
    let (code, _, err) = enter(&env, "wang", &unknown);
    assert_eq!(code, 1);
    assert!(err.contains(":2: id 'XX-1' is not in batch"), "{err}");
}

#[test]
fn gbk_sheets_load_too() {
    let env = setup();
    let (bytes, _, _) = encoding_rs::GB18030.encode(GOOD.trim_start_matches('\u{feff}'));
    let p = env.root.join("gbk.csv");
    std::fs::write(&p, &bytes).expect("write");
    let (code, _, err) = enter(&env, "li", &p);
    assert_eq!(code, 0, "{err}");
    let store = Store::open(&env.store).expect("open");
    let hash = batch_hash(&store);
    assert_eq!(
        store.load("li", &hash).expect("load").items["BM-00001"].comment,
        "路线清晰，\n建议重点讨论"
    );
}

#[test]
fn two_processes_enter_into_one_store_at_once() {
    let env = setup();
    let sheet = write(&env.root, "sheet.csv", GOOD);
    // Several secretaries typing in at the same moment: spawn every process, then wait for
    // them, so they really run together; every sheet must land whole.
    let experts: Vec<String> = (0..6).map(|i| format!("e{i}")).collect();
    let children: Vec<_> = experts
        .iter()
        .map(|e| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("revdesk"))
                .env("LC_ALL", "en_US.UTF-8")
                .args(["enter"])
                .arg(&env.batch)
                .args(["--expert", e, "--from"])
                .arg(&sheet)
                .arg("--store")
                .arg(&env.store)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawns")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The same sheet entered alone, afterwards: what each racing sheet should have written.
    assert_eq!(enter(&env, "alone", &sheet).0, 0);
    let store = Store::open(&env.store).expect("open");
    let hash = batch_hash(&store);
    let expected = store.history("alone", &hash).expect("history").len();
    assert!(expected > 0);
    for e in &experts {
        let s = store.load(e, &hash).expect("load");
        assert_eq!(s.items["BM-00001"].scores.len(), 6, "{e}");
        assert_eq!(
            s.items["BM-00002"].recusal.as_deref(),
            Some("本人所在单位申报"),
            "{e}"
        );
        assert_eq!(s.items["BM-00003"].scores["feasibility"], 9.0, "{e}");
        // Nothing lost: each sheet is one transaction with every change of the sheet.
        let h = store.history(e, &hash).expect("history");
        assert_eq!(h.len(), expected, "{e}");
        assert_eq!(
            h.iter()
                .map(|r| r.txn)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            1,
            "{e}"
        );
        assert_eq!(store.rebuild(e, &hash).expect("rebuild"), s);
    }
}

#[test]
fn a_batch_with_errors_is_refused() {
    let env = setup();
    let sheet = write(&env.root, "sheet.csv", GOOD);
    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/broken/errors.csv");
    let out = revdesk()
        .arg("enter")
        .arg(&broken)
        .args(["--expert", "wang", "--from"])
        .arg(&sheet)
        .arg("--store")
        .arg(&env.store)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has errors: fix them first"), "{err}");
    assert!(!env.store.join("revdesk.db").exists(), "nothing created");
}

#[test]
fn a_damaged_sheet_is_rejected_with_its_line() {
    let env = setup();
    let text = GOOD.trim_start_matches('\u{feff}');
    let mut bytes = text.as_bytes().to_vec();
    // One stray byte inside 路线 on line 2 of a UTF-8 sheet without a BOM.
    let at = text.find("路线").expect("text") + 1;
    bytes[at] = 0xFF;
    let p = env.root.join("damaged.csv");
    std::fs::write(&p, &bytes).expect("write");
    let (code, _, err) = enter(&env, "wang", &p);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}:2: line 2 holds bytes that are not UTF-8",
            p.display()
        )),
        "{err}"
    );
    assert!(!env.store.join("revdesk.db").exists(), "nothing created");
}

#[test]
fn an_unclosed_quote_or_a_split_cell_rejects_the_sheet() {
    let env = setup();
    let head = "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景,评语\n";
    // The quote opened on line 2 would swallow BM-00002 and BM-00003 into one comment.
    let unclosed = write(
        &env.root,
        "unclosed.csv",
        &format!(
            "{head}BM-00001,1,1,1,1,1,1,\"好\nBM-00002,2,2,2,2,2,2,ok\nBM-00003,3,3,3,3,3,3,ok\n"
        ),
    );
    let (code, _, err) = enter(&env, "wang", &unclosed);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}:2: a quoted field opens on this line and is never closed",
            unclosed.display()
        )),
        "{err}"
    );
    // An unquoted comma in the comment would keep only "好".
    let split = write(
        &env.root,
        "split.csv",
        &format!("{head}BM-00001,1,2,3,4,5,6,好,但是成本高\nBM-00002,1,2,3,4,5,6,ok,,\n"),
    );
    let (code, _, err) = enter(&env, "wang", &split);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}:2: column I: row has 9 cells but the header has 8 columns",
            split.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("1 problem(s)"),
        "trailing empty cells are fine: {err}"
    );
    assert!(!env.store.join("revdesk.db").exists(), "nothing created");
}

#[test]
fn a_resorted_batch_is_the_same_batch_in_the_store() {
    // An expert sorts the spreadsheet: same items, same hash, and the store must accept it.
    let env = setup();
    let small = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/batches/resources-environment-small.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&small).expect("read")).expect("json");
    v["items"].as_array_mut().expect("items").reverse();
    let reversed = env.root.join("reversed.json");
    std::fs::write(&reversed, v.to_string()).expect("write");
    let head = "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\n";
    let first = write(&env.root, "a.csv", &format!("{head}RE-001,8,7,6,5,9,8\n"));
    let second = write(&env.root, "b.csv", &format!("{head}RE-008,1,2,3,4,5,6\n"));
    let run = |batch: &Path, sheet: &Path| {
        revdesk()
            .arg("enter")
            .arg(batch)
            .args(["--expert", "wang", "--from"])
            .arg(sheet)
            .arg("--store")
            .arg(&env.store)
            .output()
            .expect("runs")
    };
    let out = run(&small, &first);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&reversed, &second);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(&env.store).expect("open");
    let hash = batch_hash(&store);
    let s = store.load("wang", &hash).expect("load");
    assert_eq!(s.items["RE-001"].scores["feasibility"], 8.0, "kept");
    assert_eq!(s.items["RE-008"].scores["market"], 6.0);
}

#[test]
fn an_unreadable_sheet_is_exit_2() {
    let env = setup();
    for sheet in [env.root.join("no-such.csv"), env.root.clone()] {
        let (code, _, err) = enter(&env, "wang", &sheet);
        assert_eq!(code, 2, "{}: {err}", sheet.display());
        assert!(
            err.contains(&format!("{}: cannot read", sheet.display())),
            "{err}"
        );
    }
    assert!(!env.store.join("revdesk.db").exists(), "nothing created");
}

#[test]
fn expert_ids_are_trimmed_and_checked() {
    let env = setup();
    let sheet = write(&env.root, "sheet.csv", GOOD);
    for bad in ["", "   ", "wang li", "wang\tli", "wang\u{7}"] {
        let (code, _, err) = enter(&env, bad, &sheet);
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(
            err.contains("the expert id is empty") || err.contains("white space or a control"),
            "{bad:?}: {err}"
        );
    }
    assert!(!env.store.join("revdesk.db").exists(), "nothing created");
    // " wang " is wang, not a second expert.
    assert_eq!(enter(&env, " wang ", &sheet).0, 0);
    let (code, out, _) = enter(&env, "wang", &sheet);
    assert_eq!(code, 0);
    assert!(out.contains("(0 values changed)"), "{out}");
    let store = Store::open(&env.store).expect("open");
    assert!(store.expert("wang").expect("expert").is_some());
    assert!(store.expert(" wang ").expect("expert").is_none());
}

#[test]
fn without_user_variables_the_account_name_is_the_id() {
    let env = setup();
    let account = std::process::Command::new("id")
        .arg("-un")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if account.is_empty() {
        eprintln!("skipped: `id -un` gives no account name here");
        return;
    }
    let out = revdesk()
        .arg("key")
        .arg("--store")
        .arg(&env.store)
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env_remove("USERNAME")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("id = \"{account}\"")), "{stdout}");
    // A user name that cannot be an id is not used, and nothing is created for it.
    let fresh = env.root.join("fresh-store");
    let out = revdesk()
        .arg("key")
        .arg("--store")
        .arg(&fresh)
        .env("USER", "li ming")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("$USER") && err.contains("pass --expert ID"),
        "{err}"
    );
    assert!(!fresh.join("revdesk.db").exists(), "nothing created");
}

#[test]
fn errors_name_their_cause_once() {
    let env = setup();
    let sheet = write(&env.root, "sheet.csv", GOOD);
    // A file where the store directory should be.
    let not_a_dir = write(&env.root, "notadir", "");
    let out = revdesk()
        .arg("enter")
        .arg(&env.batch)
        .args(["--expert", "wang", "--from"])
        .arg(&sheet)
        .arg("--store")
        .arg(&not_a_dir)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot create store directory"), "{err}");
    assert_eq!(err.matches("(os error").count(), 1, "{err}");
    let out = revdesk()
        .arg("validate")
        .arg(&env.batch)
        .arg("--profile")
        .arg(env.root.join("no-such.toml"))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot read profile"), "{err}");
    assert_eq!(err.matches("(os error").count(), 1, "{err}");
}

#[test]
fn a_sheet_with_only_its_header_is_refused() {
    let env = setup();
    let sheet = write(
        &env.root,
        "empty.csv",
        "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\n",
    );
    let out = revdesk()
        .args(["enter"])
        .arg(&env.batch)
        .args(["--expert", "wang", "--from"])
        .arg(&sheet)
        .arg("--store")
        .arg(&env.store)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rows"));
    assert!(!env.store.join("revdesk.db").exists(), "nothing created");
}
