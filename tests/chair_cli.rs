//! The chair's decisions in `rank`, `stats` and `export`: the decided list, its size against the
//! range, the overrides, the settings the decisions were made under, and the files written.

mod common;

use assert_cmd::Command;
use calamine::Reader;
use common::sheets::{MEETING_BATCH, meeting_sheet};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use revdesk::engine::Method;
use revdesk::store::Store;
use revdesk::tui::chair::{ChairApp, ChairMode, ChairSettings};
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::theme::Theme;
use std::path::{Path, PathBuf};

const BATCH: &str = "fixtures/batches/resources-environment.json";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("revdesk")
        .expect("bin")
        .env("LC_ALL", "en_US.UTF-8")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("runs");
    common::outcome(&out)
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

struct Meeting {
    _dir: tempfile::TempDir,
    root: PathBuf,
    sheets: PathBuf,
    store: PathBuf,
}

fn meeting() -> Meeting {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path().to_path_buf();
    let (profile, batch) = common::batch(MEETING_BATCH);
    let sheets = root.join("sheets");
    for e in 0..7 {
        meeting_sheet(&root, &batch, &profile, e, &sheets);
    }
    Meeting {
        _dir: dir,
        store: root.join("chair"),
        sheets,
        root,
    }
}

/// The chair's view on the meeting, in-process, deciding into `m.store`.
fn chair(m: &Meeting) -> ChairApp {
    let (profile, batch) = common::batch(MEETING_BATCH);
    let settings = ChairSettings {
        chair: "zhang".into(),
        lang: Lang::En,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        replicates: 0,
        seed: 1,
        panel: None,
        shortlist: None,
        method: Method::Trimmed,
        trim_min: None,
    };
    let store = Store::open(&m.store).expect("store");
    ChairApp::new(profile, batch, vec![m.sheets.clone()], store, settings).expect("opens")
}

fn key(a: &mut ChairApp, code: KeyCode) {
    let m = if matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    a.handle_event(Event::Key(KeyEvent::new(code, m)));
}

fn typed(a: &mut ChairApp, text: &str) {
    for c in text.chars() {
        key(a, KeyCode::Char(c));
    }
}

/// Includes `id` against the ranking, declining any offer to move the cut.
fn include(a: &mut ChairApp, id: &str, reason: &str) {
    key(a, KeyCode::Char('/'));
    for _ in 0..a.query.chars().count() {
        key(a, KeyCode::Backspace);
    }
    typed(a, id);
    key(a, KeyCode::Enter);
    key(a, KeyCode::Char('I'));
    typed(a, reason);
    key(a, KeyCode::Enter);
    if matches!(a.mode, ChairMode::Compensate(_)) {
        key(a, KeyCode::Char('n'));
    }
}

/// K = 28 (the rule's) plus three includes: 31 on a list of 25–30.
fn over_the_range(m: &Meeting) {
    let mut a = chair(m);
    for id in ["RE-032", "RE-033", "RE-034"] {
        include(&mut a, id, "国家示范工程");
    }
}

fn with_decisions<'a>(m: &'a Meeting, cmd: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut args: Vec<String> = vec![cmd.into(), BATCH.into(), s(&m.sheets)];
    args.extend([
        "--decisions".into(),
        s(&m.store),
        "--bootstrap".into(),
        "0".into(),
    ]);
    args.extend(extra.iter().map(|x| x.to_string()));
    args
}

fn run_v(args: &[String]) -> (i32, String, String) {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&a)
}

#[test]
fn rank_says_what_is_outside_the_range() {
    let m = meeting();
    over_the_range(&m);
    let (code, out, err) = run_v(&with_decisions(&m, "rank", &[]));
    assert_eq!(code, 0, "{err}");
    // K is in range; it is the decided list that is not, and the output says so.
    assert!(
        out.contains("| K = 28 | list 31 (outside the range)"),
        "{out}"
    );
    assert!(!out.contains("K = 28 (outside the range)"), "{out}");
    assert!(
        out.contains(
            "the chair's decided list has 31 nominations, 1 above the maximum 30 (K = 28 + 3 included (RE-032, RE-033, RE-034))"
        ),
        "{out}"
    );
    assert!(
        out.contains("include RE-032 (rank 32): 国家示范工程"),
        "{out}"
    );
    let table = &out[out.find("\n===").expect("table")..];
    let re032 = table.lines().find(|l| l.contains("RE-032")).expect("row");
    assert!(re032.contains("chair:include"), "{re032}");
    assert!(
        err.contains("made under method trimmed, range 25–30, trim_min 5"),
        "{err}"
    );

    let (code, csv, err) = run_v(&with_decisions(&m, "rank", &["--format", "csv"]));
    assert_eq!(code, 0);
    assert!(
        err.contains("1 above the maximum 30"),
        "CSV readers are told on stderr: {err}"
    );
    let row = csv.lines().find(|l| l.contains("RE-032")).expect("row");
    assert!(row.contains(",yes,") && row.contains(",include,"), "{row}");

    // The Markdown minutes show each override beside the list, with its reason and in Chinese.
    let md = m.root.join("minutes.md");
    let (code, _, err) = run_v(&with_decisions(
        &m,
        "export",
        &["--force", "--format", "md", "-o", &s(&md)],
    ));
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&md).expect("md");
    let list = &text[text.find("## 入围名单").expect("list")..];
    let re032 = list.lines().find(|l| l.contains("RE-032")).expect("row");
    assert!(re032.contains("入选：国家示范工程"), "{re032}");
    assert!(
        text.contains("K = 28 + 3 项破格入围（RE-032、RE-033、RE-034）"),
        "{text}"
    );
    assert!(
        !text.contains("included ("),
        "no English makeup in the minutes"
    );
}

#[test]
fn stats_apply_the_decisions_in_text_and_json() {
    let m = meeting();
    over_the_range(&m);
    let plain = |fmt: &str| {
        run(&[
            "stats",
            BATCH,
            &s(&m.sheets),
            "--bootstrap",
            "0",
            "--format",
            fmt,
        ])
    };
    let (code, text, _) = run_v(&with_decisions(&m, "stats", &[]));
    assert_eq!(code, 0);
    assert!(text.contains("chair's decisions: 3 recorded"), "{text}");
    assert!(text.contains("decided list: 31 nominations"), "{text}");
    assert!(
        text.contains("include RE-034 (rank 33): 国家示范工程"),
        "{text}"
    );
    let items = &text[text.find("items (46)").expect("items table")..];
    let re034 = items.lines().find(|l| l.contains("RE-034")).expect("row");
    assert!(
        re034.contains("*") && re034.contains("chair:include"),
        "{re034}"
    );
    let re029 = items.lines().find(|l| l.contains("RE-029")).expect("row");
    assert!(!re029.contains('*'), "off the decided list: {re029}");
    let (_, without, _) = plain("text");
    assert!(!without.contains("chair's decisions"), "{without}");

    let (code, json, _) = run_v(&with_decisions(&m, "stats", &["--format", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["decided"]["list_size"], 31);
    assert_eq!(v["decided"]["k"], 28);
    assert_eq!(v["decided"]["overrides"].as_array().map(Vec::len), Some(3));
    let item = |id: &str| {
        v["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["id"] == id))
            .cloned()
            .expect("item")
    };
    assert_eq!(item("RE-034")["shortlisted"], true);
    assert_eq!(item("RE-034")["decision"], "include");
    assert_eq!(item("RE-034")["decision_reason"], "国家示范工程");
    assert_eq!(item("RE-029")["shortlisted"], false);
    let (_, plain_json, _) = plain("json");
    let p: serde_json::Value = serde_json::from_str(&plain_json).expect("json");
    assert!(p.get("decided").is_none());
    assert!(
        p["items"][0].get("shortlisted").is_none(),
        "plain stats keep their shape"
    );
}

#[test]
fn export_refuses_a_list_outside_the_range_and_says_what_to_do() {
    let m = meeting();
    over_the_range(&m);
    let out = m.root.join("out.xlsx");
    let (code, _, err) = run_v(&with_decisions(
        &m,
        "export",
        &["--format", "xlsx", "-o", &s(&out)],
    ));
    assert_eq!(code, 1);
    assert!(
        err.contains("the chair's decided list has 31 nominations, 1 above the maximum 30"),
        "{err}"
    );
    assert!(err.contains("move the cut ([ or ])"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(!out.exists());

    // The chair moves the cut up: 27 splits a tie, so it goes to 26, and the list is 29.
    let mut a = chair(&m);
    key(&mut a, KeyCode::Char('['));
    assert_eq!(a.results.as_ref().expect("r").k, 26);
    drop(a);
    let (code, stdout, err) = run_v(&with_decisions(
        &m,
        "export",
        &["--format", "xlsx", "-o", &s(&out)],
    ));
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains(
            "shortlist of 29 written (K = 26 + 3 included (RE-032, RE-033, RE-034), chair's decisions applied)"
        ),
        "{stdout}"
    );
    let mut wb = calamine::open_workbook_auto(&out).expect("opens");
    let list = wb.worksheet_range("入围名单").expect("sheet");
    // Under the title row and the header, the decided list (its id in 编号, the third column).
    let listed = list
        .rows()
        .skip(2)
        .take_while(|r| r.get(2).is_some_and(|c| c.to_string().starts_with("RE-")))
        .count();
    assert_eq!(listed, 29, "the decided list");
    let method = wb.worksheet_range("方法与参数").expect("sheet");
    let value = |label: &str| {
        method
            .rows()
            .find(|r| r.first().is_some_and(|c| *c == label))
            .and_then(|r| r.get(1).map(ToString::to_string))
            .unwrap_or_default()
    };
    assert_eq!(value("规则计算的 K"), "28");
    assert_eq!(value("主席决定的 K"), "26");
    assert_eq!(value("入围名单项数"), "29");
    assert_eq!(
        value("主席决定所依据的方法与范围"),
        "trimmed，入围范围 25–30，trim_min 5"
    );
    let log = wb.worksheet_range("主席决定记录").expect("sheet");
    assert!(
        log.rows().any(|r| r.iter().any(|c| *c == "trimmed，25–30")),
        "each decision with its settings"
    );
}

#[test]
fn decisions_replay_under_the_method_they_were_made_under() {
    let m = meeting();
    let mut a = chair(&m);
    key(&mut a, KeyCode::Char('M'));
    assert_eq!(a.method, Method::Mean);
    // Under mean the rule gives 29; the chair shortens the list to 28.
    key(&mut a, KeyCode::Char('['));
    assert_eq!(a.results.as_ref().expect("r").k, 28);
    drop(a);

    // No --method: the decisions' method is the default, and the output says so.
    let (code, json, err) = run_v(&with_decisions(&m, "rank", &["--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["method"], "mean");
    assert_eq!(v["decided"]["made_under"]["method"], "mean");
    assert!(err.contains("made under method mean"), "{err}");
    assert!(!err.contains("warning"), "{err}");

    // An explicit other method is obeyed, with a warning in stderr and in the results.
    let (code, table, err) = run_v(&with_decisions(&m, "rank", &["--method", "trimmed"]));
    assert_eq!(code, 0);
    assert!(
        err.contains("warning: the chair's decisions were made under method mean, range 25–30, trim_min 5; this run uses method trimmed"),
        "{err}"
    );
    assert!(table.contains("settings differ"), "{table}");
    assert!(table.contains("method: trimmed"), "{table}");

    let md = m.root.join("out.md");
    let (code, _, err) = run_v(&with_decisions(
        &m,
        "export",
        &["--format", "md", "-o", &s(&md)],
    ));
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&md).expect("md");
    assert!(
        text.contains("- 主席决定所依据：mean，入围范围 25–30"),
        "{text}"
    );
}

#[test]
fn a_store_without_decisions_for_the_batch_is_noted() {
    let m = meeting();
    Store::open(&m.store).expect("store");
    let (code, _, err) = run_v(&with_decisions(&m, "rank", &[]));
    assert_eq!(code, 0);
    assert!(err.contains("has no decisions for this batch"), "{err}");
}

#[test]
fn a_damaged_log_stops_the_chair_like_rank() {
    let m = meeting();
    let (_, batch) = common::batch(MEETING_BATCH);
    let store = Store::open(&m.store).expect("store");
    store
        .record_decision(&batch.hash, "zhang", "not json")
        .expect("record");
    drop(store);
    let (code, _, err) = run(&["chair", BATCH, &s(&m.sheets), "--store", &s(&m.store)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("damaged"), "{err}");
    let (code, _, err) = run_v(&with_decisions(&m, "rank", &[]));
    assert_eq!(code, 2);
    assert!(err.contains("damaged"), "{err}");
}

#[cfg(unix)]
#[test]
fn exports_are_ordinary_files() {
    use std::os::unix::fs::PermissionsExt;
    let m = meeting();
    for (fmt, name) in [
        ("csv", "out.csv"),
        ("json", "out.json"),
        ("xlsx", "out.xlsx"),
    ] {
        let out = m.root.join(name);
        let status = std::process::Command::new("sh")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("-c")
            .arg("umask 022; exec \"$0\" \"$@\"")
            .arg(assert_cmd::cargo::cargo_bin("revdesk"))
            .env("LC_ALL", "en_US.UTF-8")
            .args(["export", BATCH])
            .arg(&m.sheets)
            .args(["--bootstrap", "0", "--format", fmt, "-o"])
            .arg(&out)
            .status()
            .expect("runs");
        assert!(status.success());
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{name}");
    }
}

#[test]
fn a_split_tie_is_flagged_in_every_output() {
    let m = meeting();
    let mut a = chair(&m);
    // 29 and 30 split the three-way tie at 29: the chair says how it is settled.
    key(&mut a, KeyCode::Char(']'));
    assert!(matches!(a.mode, ChairMode::Reason(..)), "{:?}", a.mode);
    typed(&mut a, "RE-029 by vote");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.results.as_ref().expect("r").k, 29);
    drop(a);
    let flagged = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.contains("tie-at-cut"))
            .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
            .collect()
    };
    let (_, plain, _) = run(&["rank", BATCH, &s(&m.sheets), "--bootstrap", "0"]);
    assert!(
        flagged(&plain).is_empty(),
        "the rule's cut at 28 splits nothing"
    );
    let (code, out, err) = run_v(&with_decisions(&m, "rank", &[]));
    assert_eq!(code, 0, "{err}");
    let table = &out[out.find("\n===").expect("table")..];
    assert_eq!(flagged(table), ["RE-029", "RE-030", "RE-031"]);
    assert!(
        out.contains(
            "the cut splits the tie at rank 29 (RE-029, RE-030, RE-031): settled: RE-029 by vote"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "cut: K = 29: set by the chair (the rule gives K = 28); it splits the tie at rank 29"
        ),
        "{out}"
    );
    let (_, csv, _) = run_v(&with_decisions(&m, "rank", &["--format", "csv"]));
    let n = csv.lines().filter(|l| l.contains("tie-at-cut")).count();
    assert_eq!(n, 3, "{csv}");
    let xlsx = m.root.join("tie.xlsx");
    let (code, _, err) = run_v(&with_decisions(
        &m,
        "export",
        &["--format", "xlsx", "-o", &s(&xlsx)],
    ));
    assert_eq!(code, 0, "{err}");
    let mut wb = calamine::open_workbook_auto(&xlsx).expect("opens");
    let full = wb.worksheet_range("完整排名").expect("sheet");
    let n = full
        .rows()
        .filter(|r| r.iter().any(|c| c.to_string().contains("截线处并列")))
        .count();
    assert_eq!(n, 3);
}
