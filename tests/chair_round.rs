//! Opening discussion round 2 from the chair's view (R): on the experts' store it opens the
//! same round `revdesk round open` does, records the chair, says so on the status line and
//! refuses a second time; on sheet files it says why it cannot.

mod common;

use common::text;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use revdesk::domain::rounds::Selection;
use revdesk::engine::Method;
use revdesk::io::validate::Options;
use revdesk::round::{SheetFiles, StoreMarks};
use revdesk::store::Store;
use revdesk::tui::chair::{ChairApp, ChairMode, ChairSettings, RoundPick};
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::render_to;
use revdesk::tui::theme::Theme;
use std::path::{Path, PathBuf};

fn ok(args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("revdesk")
        .expect("binary builds")
        .env("LC_ALL", "en_US.UTF-8")
        .args(args)
        .output()
        .expect("runs");
    let (code, o, e) = common::outcome(&out);
    assert_eq!(code, 0, "{args:?}\n{o}\n{e}");
    o
}

const HEAD: &str = "编号,技术名称,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\n";

/// One CSV row scoring `v` on every criterion: the total on 0–100 is then 10 × v.
fn row(id: &str, v: u32) -> String {
    format!("{id},,{v},{v},{v},{v},{v},{v}\n")
}

/// The settings both ways share: the view's and `round open`'s.
const BOOTSTRAP: usize = 200;
const SETTINGS: [&str; 8] = [
    "--method",
    "mean",
    "--shortlist",
    "3-3",
    "--bootstrap",
    "200",
    "--seed",
    "1",
];

/// A batch of six nominations; five experts enter their marks in the store `name` (a review
/// server's). Totals: 90; 80 80 70 70 70; 70 80 70 70 70; 80 70 80 50 70; 90 90 30 30 60; 50:
/// with a list of three, the third and fourth are close and far apart by turns.
fn setup(root: &Path, name: &str) -> (PathBuf, PathBuf) {
    let batch = root.join("batch.json");
    if !batch.exists() {
        ok(&[
            "gen",
            "--items",
            "6",
            "--detail-chars",
            "0",
            "--domain",
            "biomedicine",
            "-o",
            &batch.display().to_string(),
        ]);
    }
    let store = root.join(name);
    for e in 1..=5u32 {
        let csv = root.join(format!("{name}-e{e}.csv"));
        let second = if e <= 2 { 8 } else { 7 };
        let third = if e == 2 { 8 } else { 7 };
        let fourth = [8, 7, 8, 5, 7][e as usize - 1];
        let fifth = [9, 9, 3, 3, 6][e as usize - 1];
        let text = format!(
            "{HEAD}{}{}{}{}{}{}",
            row("BM-00001", 9),
            row("BM-00002", second),
            row("BM-00003", third),
            row("BM-00004", fourth),
            row("BM-00005", fifth),
            row("BM-00006", 5)
        );
        std::fs::write(&csv, text).expect("csv");
        ok(&[
            "enter",
            &batch.display().to_string(),
            "--expert",
            &format!("e{e}"),
            "--from",
            &csv.display().to_string(),
            "--store",
            &store.display().to_string(),
        ]);
    }
    (batch, store)
}

fn settings(lang: Lang) -> ChairSettings {
    ChairSettings {
        chair: "chair".into(),
        lang,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        replicates: BOOTSTRAP,
        seed: 1,
        panel: None,
        shortlist: Some((3, 3)),
        method: Method::Mean,
        trim_min: None,
    }
}

/// The view as `revdesk chair BATCH --server STORE` opens it.
fn live_chair(batch: &Path, store: &Path, lang: Lang) -> ChairApp {
    let profile = revdesk::round::load_profile(None).expect("profile");
    let b = revdesk::round::load_batch(batch, &profile, &Options::default()).expect("batch");
    let marks = StoreMarks::open(store).expect("marks");
    let chair_store = Store::open(store).expect("store");
    let mut a = ChairApp::with_source(profile, b, Box::new(marks), chair_store, settings(lang))
        .expect("opens");
    a.set_experts_store(Store::open(store).expect("store"));
    a
}

fn key(a: &mut ChairApp, code: KeyCode) {
    let m = if matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    a.handle_event(Event::Key(KeyEvent::new(code, m)));
}

fn message(a: &ChairApp) -> String {
    a.message
        .as_ref()
        .map(|(_, m)| m.clone())
        .unwrap_or_default()
}

fn screen(a: &mut ChairApp, w: u16, h: u16) -> String {
    a.size = (w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    render_to(&mut t, a).expect("draw");
    text(t.backend().buffer())
}

#[test]
fn r_opens_round_2_for_the_borderline_set_the_cli_picks() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let (batch, by_view) = setup(root, "view");
    let (_, by_cli) = setup(root, "cli");

    // The CLI's pick, on an identical store.
    let mut open = vec![
        "round",
        "open",
        "2",
        batch.to_str().expect("utf-8"),
        "--server",
        by_cli.to_str().expect("utf-8"),
        "--borderline",
        "--chair",
        "chair",
    ];
    open.extend(SETTINGS);
    ok(&open);

    let mut a = live_chair(&batch, &by_view, Lang::En);
    let hash = a.batch().hash.clone();
    key(&mut a, KeyCode::Char('R'));
    assert!(matches!(a.mode, ChairMode::OpenRound(_)), "{:?}", a.mode);
    key(&mut a, KeyCode::Char('b'));
    assert!(matches!(
        a.mode,
        ChairMode::OpenRound(RoundPick::Borderline)
    ));
    let shown = a.round_candidates(RoundPick::Borderline);
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, ChairMode::Normal));

    let cli = Store::open(&by_cli)
        .expect("cli store")
        .rounds(&hash)
        .expect("rounds");
    let view = Store::open(&by_view)
        .expect("view store")
        .rounds(&hash)
        .expect("rounds");
    assert_eq!(cli.len(), 1, "{cli:?}");
    assert_eq!(view.len(), 1, "{view:?}");
    let (c, v) = (&cli[0], &view[0]);
    assert!(
        !v.items.is_empty(),
        "no borderline nomination: the test data is wrong"
    );
    assert_eq!(v.items, c.items);
    // Independently: the third and fourth straddle the cut (inclusion 0.2–0.8).
    assert_eq!(v.items, ["BM-00003", "BM-00004"]);
    let mut sorted = shown.clone();
    sorted.sort();
    assert_eq!(v.items, sorted);
    assert_eq!((v.round, v.selection), (2, Selection::Borderline));
    assert_eq!(v.opened_by, "chair");
    assert_eq!(v.spread, c.spread);

    let n = v.items.len();
    let said = message(&a);
    assert!(
        said.starts_with(&format!("round 2 opened for {n} nomination(s): ")),
        "{said}"
    );
    assert_eq!(a.discussion, Some((2, n)));
    // The status line keeps saying so once the message is gone.
    a.message = None;
    let s = screen(&mut a, 100, 24);
    assert!(s.contains(&format!("[round 2 · {n}]")), "{s}");

    // A second press says it is open already; nothing more is stored.
    key(&mut a, KeyCode::Char('R'));
    assert!(matches!(a.mode, ChairMode::Normal));
    assert_eq!(
        message(&a),
        format!("round 2 is already open ({n} nomination(s))")
    );
    let again = Store::open(&by_view)
        .expect("store")
        .rounds(&hash)
        .expect("rounds");
    assert_eq!(again.len(), 1);
}

#[test]
fn a_round_opened_by_the_cli_is_known_to_the_view() {
    let dir = tempfile::tempdir().expect("dir");
    let (batch, store) = setup(dir.path(), "store");
    let mut open = vec![
        "round",
        "open",
        "2",
        batch.to_str().expect("utf-8"),
        "--server",
        store.to_str().expect("utf-8"),
        "--items",
        "BM-00003,BM-00004",
        "--chair",
        "chair",
    ];
    open.extend(SETTINGS);
    ok(&open);
    let mut a = live_chair(&batch, &store, Lang::En);
    assert_eq!(a.discussion, Some((2, 2)));
    key(&mut a, KeyCode::Char('R'));
    assert_eq!(message(&a), "round 2 is already open (2 nomination(s))");
}

#[test]
fn the_selected_nomination_and_esc() {
    let dir = tempfile::tempdir().expect("dir");
    let (batch, store) = setup(dir.path(), "store");
    let mut a = live_chair(&batch, &store, Lang::En);
    let hash = a.batch().hash.clone();
    // Esc leaves the choice without opening anything.
    key(&mut a, KeyCode::Char('R'));
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.mode, ChairMode::Normal));
    assert!(
        Store::open(&store)
            .expect("store")
            .rounds(&hash)
            .expect("rounds")
            .is_empty()
    );
    // The selected nomination alone.
    key(&mut a, KeyCode::Char('g'));
    let first = a.current_id().expect("a row");
    key(&mut a, KeyCode::Char('R'));
    key(&mut a, KeyCode::Char('s'));
    key(&mut a, KeyCode::Enter);
    let rounds = Store::open(&store)
        .expect("store")
        .rounds(&hash)
        .expect("rounds");
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].items, vec![first]);
    assert_eq!(rounds[0].selection, Selection::Items);
}

#[test]
fn without_the_experts_store_r_says_why() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let (profile, batch) = common::batch("batches/resources-environment-small.json");
    let sheets = root.join("sheets");
    for e in 0..3 {
        common::sheets::expert_sheet(root, &batch, &profile, e, None, &sheets);
    }
    let store = Store::open(&root.join("chair")).expect("store");
    let source = Box::new(SheetFiles(vec![sheets]));
    let mut a =
        ChairApp::with_source(profile, batch, source, store, settings(Lang::En)).expect("opens");
    assert!(!a.has_experts_store());
    key(&mut a, KeyCode::Char('R'));
    assert!(matches!(a.mode, ChairMode::Normal));
    let said = message(&a);
    assert!(said.contains("needs the experts' store"), "{said}");
    assert!(said.contains("--server"), "{said}");
    a.size = (80, 24);
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("round 2 needs the experts' store: start the view with --server DIR"),
        "{s}"
    );
}

#[test]
fn the_round_popup_snapshot_names_no_expert() {
    let dir = tempfile::tempdir().expect("dir");
    let (batch, store) = setup(dir.path(), "store");
    let mut a = live_chair(&batch, &store, Lang::En);
    a.projection = true;
    key(&mut a, KeyCode::Char('R'));
    key(&mut a, KeyCode::Char('d'));
    assert!(matches!(a.mode, ChairMode::OpenRound(RoundPick::Disputed)));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Open discussion round 2"), "{s}");
    for e in 1..=5 {
        assert!(!s.contains(&format!("e{e} ")), "expert e{e} named:\n{s}");
    }
    insta::assert_snapshot!("chair_round_popup_80x24", s);
    let zh = {
        let mut z = live_chair(&batch, &store, Lang::Zh);
        key(&mut z, KeyCode::Char('R'));
        screen(&mut z, 80, 24)
    };
    assert!(zh.contains("开启第 2 轮会评"), "{zh}");
    insta::assert_snapshot!("chair_round_popup_zh_80x24", zh);
}

/// The real binary in a pseudo-terminal: `revdesk chair --server` opens round 2 with R, and
/// `revdesk round status` then shows the round as the CLI would have opened it.
#[test]
fn the_real_chair_view_opens_round_2_under_a_pty() {
    let dir = tempfile::tempdir().expect("dir");
    let (batch, store) = setup(dir.path(), "store");
    let (b, s) = (batch.display().to_string(), store.display().to_string());
    let mut args = vec![
        "chair", &b, "--server", &s, "--lang", "en", "--chair", "zhang",
    ];
    args.extend(SETTINGS);
    let mut t = common::pty::Tui::spawn(&args, 100, 24, &[]);
    t.wait_for("sheets 5");
    t.type_keys("R");
    t.wait_for("Open discussion round 2");
    t.type_keys("b");
    t.wait_for("opens 2 nomination(s): BM-00003, BM-00004");
    t.send("\r");
    t.wait_for("round 2 opened for 2 nomination(s): BM-00003, BM-00004");
    t.wait_for("[round 2 · 2]");
    t.type_keys("R");
    t.wait_for("round 2 is already open (2 nomination(s))");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
    drop(t);

    let status = ok(&["round", "status", &b, "--in", &s]);
    assert!(
        status.contains("by zhang (borderline), 2 nomination(s)"),
        "{status}"
    );
    assert!(status.contains("  BM-00003  "), "{status}");
    assert!(status.contains("  BM-00004  "), "{status}");
}

/// On sheet files the real view says what R needs.
#[test]
fn the_real_chair_view_on_sheets_says_r_needs_the_server() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let (profile, batch) = common::batch("batches/resources-environment-small.json");
    let sheets = root.join("sheets");
    for e in 0..3 {
        common::sheets::expert_sheet(root, &batch, &profile, e, None, &sheets);
    }
    let mut t = common::pty::Tui::small_chair(&[
        sheets.display().to_string(),
        "--store".into(),
        root.join("chair").display().to_string(),
    ]);
    t.wait_for("sheets 3");
    t.type_keys("R");
    t.wait_for("round 2 needs the experts' store: start the view with --server DIR");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}
