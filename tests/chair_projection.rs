//! The chair's projection mode (`p`, `revdesk chair --projection`): on the meeting fixture no
//! expert's id or name, and not the chair's id, is anywhere on the screen; experts are 专家A,
//! 专家B… (Expert A, B…) in the panel's order.

mod common;

use common::pty::Tui;
use common::sheets::{MEETING_BATCH, expert_sheet, meeting_sheet};
use common::text;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use revdesk::engine::Method;
use revdesk::store::Store;
use revdesk::tui::chair::{ChairApp, ChairSettings, ChairView};
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::render_to;
use revdesk::tui::theme::Theme;
use std::path::Path;

/// The meeting's experts: ids `e0`…`e6` and their names (tests/common/sheets.rs).
const IDS: [&str; 7] = ["e0", "e1", "e2", "e3", "e4", "e5", "e6"];
const NAMES: [&str; 7] = ["王磊", "李静", "张伟", "刘洋", "陈晨", "杨帆", "赵敏"];
/// The chair's id: a person too.
const CHAIR: &str = "zhang-chair";

fn key(a: &mut ChairApp, code: KeyCode) {
    a.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(a: &mut ChairApp, s: &str) {
    for c in s.chars() {
        key(a, KeyCode::Char(c));
    }
}

/// The meeting: 46 nominations, seven experts' sheets; expert e3 recused from RE-006, which
/// e2 commented on.
fn meeting(root: &Path, lang: Lang) -> ChairApp {
    let (profile, batch) = common::batch(MEETING_BATCH);
    let sheets = root.join("sheets");
    for e in 0..7 {
        meeting_sheet(root, &batch, &profile, e, &sheets);
    }
    let settings = ChairSettings {
        chair: CHAIR.into(),
        lang,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        replicates: 200,
        seed: 1,
        panel: None,
        shortlist: None,
        method: Method::Trimmed,
        trim_min: None,
    };
    let store = Store::open(&root.join("chair")).expect("store");
    ChairApp::new(profile, batch, vec![sheets], store, settings).expect("opens")
}

fn screen(a: &mut ChairApp, w: u16, h: u16) -> String {
    a.size = (w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    render_to(&mut t, a).expect("draw");
    text(t.backend().buffer())
}

/// Decision times differ run to run: blanked (`2020-09-01 16:00 +08:00`, 23 characters).
fn stable(s: String) -> String {
    s.lines()
        .map(|l| {
            let b = l.as_bytes();
            let at = (0..b.len()).find(|&i| {
                b.len() >= i + 23
                    && b[i..i + 4].iter().all(u8::is_ascii_digit)
                    && b[i + 4] == b'-'
                    && b[i + 13] == b':'
            });
            match at {
                Some(i) => format!("{}YYYY-MM-DD HH:MM +ZZ:ZZ{}", &l[..i], &l[i + 23..]),
                None => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_nobody(s: &str, what: &str) {
    for who in IDS.iter().chain(&NAMES).chain(&[CHAIR]) {
        assert!(!s.contains(who), "{what}: {who} on the wall:\n{s}");
    }
}

/// Every screen of the view in projection mode: ranking, detail (the recused nomination with
/// a comment), panel with a decision, help; at 80×24 and 160×48.
fn screens(a: &mut ChairApp) -> Vec<(String, String)> {
    // Back to the ranking, the search cleared.
    key(a, KeyCode::Esc);
    key(a, KeyCode::Esc);
    a.query.clear();
    a.refilter();
    a.view = ChairView::Ranking;
    let mut out = Vec::new();
    for (w, h) in [(80, 24), (160, 48)] {
        out.push((format!("ranking {w}x{h}"), screen(a, w, h)));
    }
    a.query = "RE-006".into();
    a.refilter();
    key(a, KeyCode::Enter);
    assert_eq!(a.view, ChairView::Detail);
    for (w, h) in [(80, 24), (160, 48)] {
        out.push((format!("detail {w}x{h}"), screen(a, w, h)));
    }
    key(a, KeyCode::Tab);
    assert_eq!(a.view, ChairView::Panel);
    for (w, h) in [(80, 24), (160, 48)] {
        out.push((format!("panel {w}x{h}"), stable(screen(a, w, h))));
    }
    key(a, KeyCode::Char('?'));
    out.push(("help 80x24".into(), screen(a, 80, 24)));
    key(a, KeyCode::Esc);
    out
}

#[test]
fn projection_shows_no_one_on_the_meeting_fixture() {
    let dir = tempfile::tempdir().expect("dir");
    for lang in [Lang::Zh, Lang::En] {
        let tag = if lang.en() { "en" } else { "zh" };
        let mut a = meeting(&dir.path().join(tag), lang);
        // A decision whose reason names an expert, so the log shows the chair and a name.
        a.query = "RE-032".into();
        a.refilter();
        key(&mut a, KeyCode::Char('I'));
        typed(&mut a, "采纳王磊和e1的意见");
        key(&mut a, KeyCode::Enter);
        key(&mut a, KeyCode::Char('n'));
        a.query.clear();
        a.refilter();
        // Off: the people are there (so the assertions below can fail).
        let plain = screens(&mut a)
            .into_iter()
            .map(|(_, s)| s)
            .collect::<String>();
        for who in IDS.iter().chain(&NAMES).chain(&[CHAIR]) {
            assert!(
                plain.contains(who),
                "{tag}: {who} not shown without projection"
            );
        }
        key(&mut a, KeyCode::Esc);
        key(&mut a, KeyCode::Char('p'));
        assert!(a.projection);
        let on = if lang.en() { "projection" } else { "投影" };
        let alias = |n: &str| {
            if lang.en() {
                format!("Expert {n}")
            } else {
                format!("专家{n}")
            }
        };
        for (what, s) in screens(&mut a) {
            assert_nobody(&s, &format!("{tag} {what}"));
            assert!(
                s.lines()
                    .last()
                    .is_some_and(|l| l.contains(&format!("[{on}]"))),
                "{tag} {what}: the status bar says so:\n{s}"
            );
            if what.starts_with("panel") {
                // The panel's order: e0 is A, e6 is G; the reason's names hidden too.
                let a_at = s.find(&alias("A")).expect("expert A");
                let g_at = s.find(&alias("G")).expect("expert G");
                assert!(a_at < g_at, "{what}:\n{s}");
                // (The line may wrap after the second name.)
                assert!(
                    s.contains(&format!("采纳{}和{}", alias("A"), alias("B"))),
                    "{s}"
                );
            }
            if what.starts_with("detail") {
                // e3 recused from RE-006 and e2 commented on it: D and C.
                assert!(s.contains(&alias("C")) && s.contains(&alias("D")), "{s}");
            }
        }
        let snaps = screens(&mut a);
        insta::assert_snapshot!(format!("projection_panel_80x24_{tag}"), &snaps[4].1);
        insta::assert_snapshot!(format!("projection_detail_80x24_{tag}"), &snaps[2].1);
        // Off again: the ids are back.
        key(&mut a, KeyCode::Char('p'));
        assert!(!a.projection);
        assert!(screen(&mut a, 160, 48).contains("e0"));
    }
}

#[test]
fn the_cli_flag_starts_in_projection() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let (profile, batch) = common::batch("batches/resources-environment-small.json");
    let sheets = root.join("sheets");
    for e in 0..4 {
        expert_sheet(root, &batch, &profile, e, None, &sheets);
    }
    let mut t = Tui::small_chair(&[
        sheets.display().to_string(),
        "--store".into(),
        root.join("chair").display().to_string(),
        "--projection".into(),
    ]);
    t.wait_for("sheets 4");
    t.wait_for("[projection]");
    // The panel: Expert A… D in place of e0… e3 and 专家0… 专家3.
    t.type_keys("\t\t");
    t.wait_for("Expert D");
    let s = t.screen();
    for who in ["e0", "e1", "e2", "e3", "专家0", "专家3", "zhang"] {
        assert!(!s.contains(who), "{who} on the wall:\n{s}");
    }
    t.type_keys("p");
    t.wait_for("projection off");
    t.wait_for("e3");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);
}
