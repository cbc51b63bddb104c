//! `revdesk history`: the audit trail of a store, end to end. An expert's keyboard commits and
//! an undo, a paper sheet typed in with `revdesk enter`, and the chair's view reading a good and
//! a refused sheet: each shows in every format with its source, old and new value and reason.

mod common;

use assert_cmd::Command;
use common::sheets::expert_sheet;
use revdesk::engine::Method;
use revdesk::store::{Change, Source, Store, TrailFilter};
use revdesk::tui::chair::{ChairApp, ChairSettings};
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::theme::Theme;
use serde_json::Value;
use std::path::{Path, PathBuf};

const BATCH: &str = "batches/resources-environment-small.json";
/// A recusal reason with a terminal's retitling sequence in it.
const HOSTILE: &str = "合作单位\u{1b}]0;pwned\u{7}";

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("binary builds");
    c.env("LC_ALL", "en_US.UTF-8");
    c
}

struct Scene {
    _dir: tempfile::TempDir,
    root: PathBuf,
    /// The store: the experts' marks and the chair's reads (as on a review server).
    desk: PathBuf,
    hash: String,
}

fn chair_view(root: &Path, desk: &Path) -> ChairApp {
    let (profile, batch) = common::batch(BATCH);
    let settings = ChairSettings {
        chair: "zhao".into(),
        lang: Lang::En,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        replicates: 0,
        seed: 1,
        panel: None,
        shortlist: Some((3, 5)),
        method: Method::Trimmed,
        trim_min: None,
    };
    let store = Store::open(desk).expect("store");
    ChairApp::new(profile, batch, vec![root.join("sheets")], store, settings).expect("opens")
}

fn scene() -> Scene {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let desk = root.join("desk");
    let (profile, batch) = common::batch(BATCH);
    let store = Store::open(&desk).expect("store");
    store.ensure_expert("wang", Some("王五")).expect("expert");
    store
        .register_batch(
            &batch.hash,
            "资源环境（演示）",
            "resources-environment",
            &batch.ids(),
        )
        .expect("register");
    let kb = |changes: &[Change]| {
        store
            .apply("wang", &batch.hash, changes, Source::Keyboard)
            .expect("apply")
            .expect("a change")
    };
    kb(&[Change::score("RE-001", "feasibility", Some(7.0))]);
    kb(&[
        Change::score("RE-001", "feasibility", Some(8.0)),
        Change::recusal("RE-002", Some(HOSTILE.into())),
    ]);
    kb(&[Change::comment("RE-004", "=HYPERLINK(\"http://x\")")]);
    store
        .undo("wang", &batch.hash)
        .expect("undo")
        .expect("undone");
    // A paper sheet, typed in by a secretary.
    let paper = root.join("paper.csv");
    std::fs::write(
        &paper,
        "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\r\nRE-003,9,8,7,6,5,4\r\n",
    )
    .expect("write");
    let out = revdesk()
        .arg("enter")
        .arg(common::fixture(BATCH))
        .args(["--expert", "li", "--from"])
        .arg(&paper)
        .arg("--store")
        .arg(&desk)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The chair's view reads a good sheet and refuses a broken one.
    let sheets = root.join("sheets");
    expert_sheet(&root, &batch, &profile, 0, None, &sheets);
    std::fs::write(sheets.join("broken.json"), "{\"format\": ").expect("write");
    drop(chair_view(&root, &desk));
    Scene {
        hash: batch.hash.clone(),
        _dir: dir,
        root,
        desk,
    }
}

fn history(args: &[&str], store: &Path) -> (i32, String, String) {
    let out = revdesk()
        .arg("history")
        .args(args)
        .arg("--store")
        .arg(store)
        .output()
        .expect("runs");
    common::outcome(&out)
}

fn entries(args: &[&str], store: &Path) -> Vec<Value> {
    let (code, out, err) = history(&[args, &["--format", "json"]].concat(), store);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["format"], "revdesk-history/1");
    v["entries"].as_array().expect("entries").clone()
}

fn field<'a>(e: &'a Value, k: &str) -> &'a str {
    e[k].as_str().unwrap_or("")
}

#[test]
fn every_change_and_read_shows_in_each_format() {
    let s = scene();
    let all = entries(&[], &s.desk);
    let kinds = |kind: &str| all.iter().filter(|e| e["kind"] == kind).count();
    // wang: 1 + 2 + 1 keyboard rows, 1 undo row; li: six scores on paper.
    assert_eq!(kinds("change"), 11, "{all:#?}");
    assert_eq!((kinds("sheet_accepted"), kinds("sheet_refused")), (1, 1));
    let sources: Vec<&str> = all
        .iter()
        .filter(|e| e["kind"] == "change")
        .map(|e| field(e, "source"))
        .collect();
    assert_eq!(
        &sources[..5],
        ["keyboard", "keyboard", "keyboard", "keyboard", "undo"]
    );
    assert!(sources[5..].iter().all(|s| *s == "paper"), "{sources:?}");
    assert!(
        all.windows(2)
            .all(|w| field(&w[0], "at") <= field(&w[1], "at"))
    );
    for e in &all {
        assert_eq!(e["round"], 1);
        assert_eq!(field(e, "batch"), s.hash);
        let at = field(e, "at");
        assert!(
            at.ends_with('Z') && at.parse::<jiff::Timestamp>().is_ok(),
            "{at}"
        );
    }
    // Old and new values: the first score, its change, the recusal with its hostile reason,
    // and the undo of the comment.
    assert_eq!((&all[0]["old"], field(&all[0], "new")), (&Value::Null, "7"));
    assert_eq!((field(&all[1], "old"), field(&all[1], "new")), ("7", "8"));
    assert_eq!(field(&all[2], "criterion"), "recusal");
    assert_eq!(field(&all[2], "new"), HOSTILE);
    let undo = &all[4];
    assert_eq!(field(undo, "criterion"), "comment");
    assert_eq!(field(undo, "new"), "");
    assert_eq!(undo["undoes"], all[3]["txn"]);
    let paper = &all[5];
    assert_eq!(
        (field(paper, "who"), field(paper, "item")),
        ("li", "RE-003")
    );
    assert_eq!(
        (&paper["old"], field(paper, "source")),
        (&Value::Null, "paper")
    );
    let read = all
        .iter()
        .find(|e| e["kind"] == "sheet_accepted")
        .expect("read");
    assert_eq!((field(read, "who"), field(read, "expert")), ("zhao", "e0"));
    assert_eq!(read["sequence"], 1);
    assert_eq!(field(read, "digest").len(), 64);
    let refused = all
        .iter()
        .find(|e| e["kind"] == "sheet_refused")
        .expect("refused");
    assert!(
        field(refused, "sheet").ends_with("broken.json"),
        "{refused}"
    );
    assert!(
        field(refused, "reason").contains("malformed JSON"),
        "{refused}"
    );
    assert_eq!(refused["expert"], Value::Null);

    // The table: local times, sources and events in words, old → new, the reason; and the
    // hostile reason made harmless.
    let (code, table, err) = history(&[], &s.desk);
    assert_eq!(code, 0, "{err}");
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table}"
    );
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 1 + all.len(), "{table}");
    for (words, line) in [("keyboard", 1), ("keyboard", 2), ("undo", 5), ("paper", 6)] {
        assert!(lines[line].contains(words), "{line}: {table}");
    }
    assert!(
        lines[1].contains("RE-001") && lines[1].contains("— → 7"),
        "{table}"
    );
    assert!(lines[2].contains("7 → 8"), "{table}");
    assert!(lines[3].contains("— → 合作单位"), "{table}");
    assert!(
        lines[4].contains("— → =HYPERLINK"),
        "no comment before: {table}"
    );
    assert!(lines[5].contains("undoes change"), "{table}");
    assert!(
        table.contains("zhao") && table.contains("sheet read"),
        "{table}"
    );
    assert!(table.contains("sheet refused"), "{table}");
    let refused_line = lines
        .iter()
        .find(|l| l.contains("sheet refused"))
        .expect("line");
    assert!(
        refused_line.contains("broken.json — malformed JSON"),
        "{refused_line}"
    );
    let local = shown_local(field(&all[0], "at"));
    assert!(lines[1].starts_with(&local), "{local}: {table}");
    let (_, zh, _) = history(&["--lang", "zh"], &s.desk);
    assert!(zh.starts_with("时间"), "{zh}");
    for w in [
        "键盘录入",
        "撤销",
        "纸质录入",
        "读取评分表",
        "拒收评分表",
        "回避",
    ] {
        assert!(zh.contains(w), "{w}: {zh}");
    }

    // CSV: a BOM, the JSON's keys as columns, one row per entry, formulas defused.
    let (code, csv, err) = history(&["--format", "csv"], &s.desk);
    assert_eq!(code, 0, "{err}");
    let body = csv.strip_prefix('\u{feff}').expect("a BOM");
    assert!(
        body.starts_with("kind,at,round,who,expert,batch,"),
        "{body}"
    );
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("record")).collect();
    assert_eq!(rows.len(), all.len());
    assert_eq!(&rows[3][9], "");
    assert_eq!(
        &rows[3][10], "'=HYPERLINK(\"http://x\")",
        "a formula is defused"
    );
    assert_eq!(&rows[4][11], "undo");
    assert!(!csv.contains('\u{1b}'), "{csv}");
}

/// The local time the table shows for a stored time.
fn shown_local(at: &str) -> String {
    let t: jiff::Timestamp = at.parse().expect("a time");
    t.to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[test]
fn filters_select_experts_batches_and_nominations() {
    let s = scene();
    let wang = entries(&["--expert", "wang"], &s.desk);
    assert_eq!(wang.len(), 5);
    assert!(
        wang.iter()
            .all(|e| e["who"] == "wang" && e["kind"] == "change")
    );
    let e0 = entries(&["--expert", "e0"], &s.desk);
    assert_eq!(e0.len(), 1);
    assert_eq!(
        (field(&e0[0], "kind"), field(&e0[0], "who")),
        ("sheet_accepted", "zhao")
    );
    let item = entries(&["--item", "RE-001"], &s.desk);
    assert_eq!(item.len(), 2, "sheet reads are left out: {item:#?}");
    assert!(item.iter().all(|e| e["item"] == "RE-001"));
    let both = entries(&["--expert", "li", "--item", "RE-003"], &s.desk);
    assert_eq!(both.len(), 6);
    let all = entries(&[], &s.desk).len();
    assert_eq!(entries(&["--batch", &s.hash[..10]], &s.desk).len(), all);
    assert_eq!(
        entries(&["--batch", "资源环境（演示）"], &s.desk).len(),
        all
    );
    let (code, _, err) = history(&["--batch", "nope"], &s.desk);
    assert_eq!(code, 2);
    assert!(err.contains("no batch 'nope'"), "{err}");
    assert_eq!(
        history(&["--expert", "nobody"], &s.desk).1,
        "(nothing recorded)\n"
    );
    // The review server's store is read the same way.
    let out = revdesk()
        .args(["history", "--format", "json", "--server"])
        .arg(&s.desk)
        .output()
        .expect("runs");
    let (code, server, _) = common::outcome(&out);
    assert_eq!(code, 0);
    assert_eq!(server, history(&["--format", "json"], &s.desk).1);
}

#[test]
fn reopening_the_chairs_view_records_only_what_changed() {
    let s = scene();
    let reads = || {
        Store::open(&s.desk)
            .expect("store")
            .sheet_reads(&TrailFilter::default())
            .expect("reads")
            .len()
    };
    assert_eq!(reads(), 2);
    drop(chair_view(&s.root, &s.desk));
    assert_eq!(reads(), 2, "the same sheets again: nothing new");
    // A hostile file name, refused: recorded, and shown harmless.
    std::fs::write(s.root.join("sheets/x\u{1b}[2J.json"), "[]").expect("write");
    drop(chair_view(&s.root, &s.desk));
    assert_eq!(reads(), 3);
    let (code, table, _) = history(&[], &s.desk);
    assert_eq!(code, 0);
    assert!(!table.contains('\u{1b}'), "{table}");
    assert_eq!(table.matches("sheet refused").count(), 2, "{table}");
    assert!(table.contains("x\u{FFFD}[2J.json"), "{table}");
}

#[test]
fn a_directory_without_a_store_is_an_error_and_stays_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let none = dir.path().join("none");
    let (code, out, err) = history(&[], &none);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("no revdesk store there"), "{err}");
    assert!(!none.exists(), "nothing is created");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = revdesk()
        .args(["history", "--server"])
        .arg(&empty)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_dir(&empty).expect("read").count(), 0);
    // --store and --server name one store.
    let out = revdesk()
        .args(["history", "--server", "a", "--store", "b"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}
