//! The command line and the chair's view compute one round the same way: on the golden meeting
//! (seven signed sheets, a panel with a conflict of interest) and a chair's store holding a cut,
//! an include and an exclude with their reasons, `rank --format json` and the chair's view give
//! the same ranking, scores, cut, shortlist and decisions.

mod common;

use assert_cmd::Command;
use revdesk::domain::decisions;
use revdesk::engine::Method;
use revdesk::io::panel::Panel;
use revdesk::round::{Asked, Settings};
use revdesk::store::Store;
use revdesk::tui::chair::{ChairApp, ChairSettings};
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::theme::Theme;
use serde_json::Value;
use std::path::{Path, PathBuf};

const BATCH: &str = "batches/resources-environment.json";
const SHEETS: &str = "golden/sheets";
const PANEL: &str = "golden/panel.toml";
/// Enough resamples that the stability columns are compared too, few enough to be quick.
const BOOTSTRAP: usize = 200;

/// A chair's store in `dir` with the meeting's decisions: cut at 26, RE-032 included, RE-003
/// excluded, all made under trimmed, 25–30, trim_min 5.
fn chair_store(dir: &Path) -> PathBuf {
    let (_, batch) = common::batch(BATCH);
    let path = dir.join("chair");
    let store = Store::open(&path).expect("store");
    common::sheets::meeting_decisions(&store, &batch);
    path
}

/// `rank --format json` on the meeting with the chair's store and `extra` options.
fn cli_results(store: &Path, extra: &[&str]) -> Value {
    let f = |p: &str| common::fixture(p).display().to_string();
    let bootstrap = BOOTSTRAP.to_string();
    let store = store.display().to_string();
    let mut args = vec![
        "rank".to_string(),
        f(BATCH),
        f(SHEETS),
        "--panel".into(),
        f(PANEL),
        "--decisions".into(),
        store,
        "--bootstrap".into(),
        bootstrap,
        "--format".into(),
        "json".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = Command::cargo_bin("revdesk")
        .expect("binary")
        .env("LC_ALL", "en_US.UTF-8")
        .args(&args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The chair's view on the same inputs, opened as `revdesk chair` opens it (settings resolved
/// from what is asked and the decisions), its results as JSON.
fn chair_results(store: &Path, asked: Asked) -> Value {
    let (profile, batch) = common::batch(BATCH);
    let store = Store::open(store).expect("store");
    let log = revdesk::round::decision_log(&store, &batch).expect("log");
    let s = Settings::resolve(asked, decisions::made_under(&log).as_ref(), BOOTSTRAP, 1);
    let settings = ChairSettings {
        chair: "zhang".into(),
        lang: Lang::En,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        replicates: s.replicates,
        seed: s.seed,
        panel: Some(Panel::load(&common::fixture(PANEL)).expect("panel")),
        shortlist: s.shortlist,
        method: s.method,
        trim_min: s.trim_min,
    };
    let sheets = vec![common::fixture(SHEETS)];
    let app = ChairApp::new(profile, batch, sheets, store, settings).expect("opens");
    serde_json::to_value(app.results.as_ref().expect("results")).expect("serialises")
}

/// The two agree on ids, order, ranks, scores (to 1e-12), K, the shortlist and the decisions.
fn assert_same(cli: &Value, chair: &Value) {
    let (a, b) = (&cli["rows"], &chair["rows"]);
    let (a, b) = (a.as_array().expect("rows"), b.as_array().expect("rows"));
    assert_eq!(a.len(), b.len(), "row count");
    for (x, y) in a.iter().zip(b) {
        let id = &x["id"];
        assert_eq!(id, &y["id"], "order");
        for key in [
            "rank",
            "shortlisted",
            "decision",
            "decision_reason",
            "flags",
        ] {
            assert_eq!(x[key], y[key], "{id}: {key}");
        }
        for key in ["score", "p_shortlist"] {
            match (x[key].as_f64(), y[key].as_f64()) {
                (Some(p), Some(q)) => assert!((p - q).abs() <= 1e-12, "{id}: {key} {p} vs {q}"),
                (p, q) => assert_eq!(p, q, "{id}: {key}"),
            }
        }
    }
    for key in ["k", "method", "config", "decided", "decisions", "cut_note"] {
        assert_eq!(cli[key], chair[key], "{key}");
    }
}

#[test]
fn rank_and_the_chair_view_agree_on_the_decided_list() {
    let dir = tempfile::tempdir().expect("dir");
    let store = chair_store(dir.path());
    let cli = cli_results(&store, &[]);
    let chair = chair_results(&store, Asked::default());
    assert_same(&cli, &chair);
    // The decisions are in force: the decided cut and both overrides, with their reasons.
    assert_eq!(cli["k"], 26);
    assert_eq!(cli["decided"]["computed_k"], 28);
    let rows = cli["rows"].as_array().expect("rows");
    let row = |id: &str| {
        rows.iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(row("RE-032")["shortlisted"], true);
    assert_eq!(row("RE-032")["decision_reason"], "国家示范工程");
    assert_eq!(row("RE-003")["shortlisted"], false);
    assert_eq!(row("RE-003")["decision"], "exclude");
    let listed = rows.iter().filter(|r| r["shortlisted"] == true).count();
    assert_eq!(listed, 26);
}

#[test]
fn rank_and_the_chair_view_agree_under_another_method() {
    let dir = tempfile::tempdir().expect("dir");
    let store = chair_store(dir.path());
    let cli = cli_results(&store, &["--method", "mean", "--shortlist", "26-29"]);
    let asked = Asked {
        method: Some(Method::Mean),
        shortlist: Some((26, 29)),
        trim_min: None,
    };
    let chair = chair_results(&store, asked);
    assert_same(&cli, &chair);
    assert_eq!(cli["method"], "mean");
    assert_eq!(cli["decided"]["replayed_under"]["shortlist_min"], 26);
}
