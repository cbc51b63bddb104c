//! The chair's view: decisions (reasons required, cut in range, history kept), live sheets,
//! method switching, and snapshots of the ranking with its cut, the detail and the panel.

mod common;

use common::sheets::expert_sheet;
use common::text;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use revdesk::aggregate::Method;
use revdesk::store::Store;
use revdesk::tui::chair::{ChairApp, ChairMode, ChairSettings, ChairView};
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::render_to;
use revdesk::tui::theme::Theme;
use std::path::Path;

fn chair(root: &Path, experts: usize, lang: Lang) -> ChairApp {
    let (profile, batch) = common::batch("batches/resources-environment-small.json");
    let sheets = root.join("sheets");
    for e in 0..experts {
        expert_sheet(root, &batch, &profile, e, None, &sheets);
    }
    let store = Store::open(&root.join("chair")).expect("store");
    let settings = ChairSettings {
        chair: "chair".into(),
        lang,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        replicates: 200,
        seed: 1,
        panel: None,
        shortlist: Some((3, 5)),
        method: Method::Trimmed,
    };
    ChairApp::new(profile, batch, vec![sheets], store, settings)
}

fn key(a: &mut ChairApp, code: KeyCode) {
    let m = if matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    a.handle_event(Event::Key(KeyEvent::new(code, m)));
}

fn typed(a: &mut ChairApp, s: &str) {
    for c in s.chars() {
        key(a, KeyCode::Char(c));
    }
}

fn log_len(a: &ChairApp) -> usize {
    a.store().decisions(&a.batch.hash).expect("log").len()
}

#[test]
fn overrides_need_a_reason_and_are_kept_in_history() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = chair(dir.path(), 5, Lang::Zh);
    let r = a.results.as_ref().expect("results");
    assert!((3..=5).contains(&r.k), "{}", r.k);
    // The last nomination is below the cut: include it.
    key(&mut a, KeyCode::Char('G'));
    let id = a.current_id().expect("selected");
    assert!(!a.current().expect("row").shortlisted);
    key(&mut a, KeyCode::Char('I'));
    assert!(matches!(a.mode, ChairMode::Reason(..)));
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(a.mode, ChairMode::Reason(..)),
        "no reason, no decision"
    );
    assert_eq!(log_len(&a), 0);
    typed(&mut a, "示范效果好");
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, ChairMode::Normal));
    assert_eq!(log_len(&a), 1);
    let row = a.current().expect("row");
    assert_eq!(row.id, id);
    assert!(row.shortlisted);
    assert_eq!(row.decision.as_deref(), Some("include"));
    assert_eq!(row.decision_reason.as_deref(), Some("示范效果好"));

    // Withdrawing keeps the history: two entries, no override.
    key(&mut a, KeyCode::Char('C'));
    assert_eq!(log_len(&a), 2);
    assert_eq!(a.current().expect("row").decision, None);

    // Exclude the first, with a reason; Esc cancels without recording.
    key(&mut a, KeyCode::Char('g'));
    key(&mut a, KeyCode::Char('X'));
    typed(&mut a, "abc");
    key(&mut a, KeyCode::Esc);
    assert_eq!(log_len(&a), 2);
    key(&mut a, KeyCode::Char('X'));
    typed(&mut a, "与已列入项目重复");
    key(&mut a, KeyCode::Enter);
    assert_eq!(log_len(&a), 3);
    assert!(!a.current().expect("row").shortlisted);
}

#[test]
fn the_cut_stays_in_range() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = chair(dir.path(), 5, Lang::En);
    for _ in 0..10 {
        key(&mut a, KeyCode::Char(']'));
    }
    let r = a.results.as_ref().expect("results");
    assert_eq!(r.k, 5, "never past the maximum");
    assert!(
        a.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("outside")),
        "{:?}",
        a.message
    );
    for _ in 0..10 {
        key(&mut a, KeyCode::Char('['));
    }
    assert_eq!(
        a.results.as_ref().expect("results").k,
        3,
        "never below the minimum"
    );
    assert_eq!(
        a.results
            .as_ref()
            .expect("r")
            .rows
            .iter()
            .filter(|r| r.shortlisted)
            .count(),
        3
    );
    // Ties resolved needs a note too.
    key(&mut a, KeyCode::Char('T'));
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, ChairMode::Reason(..)));
    typed(&mut a, "by vote");
    key(&mut a, KeyCode::Enter);
    assert!(a.results.as_ref().expect("r").cut_note.contains("by vote"));
}

#[test]
fn new_sheets_and_methods_update_the_ranking() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = chair(dir.path(), 4, Lang::Zh);
    assert_eq!(a.handed.len(), 4);
    assert!(!a.poll_sheets(), "nothing changed");
    let last = a
        .results
        .as_ref()
        .expect("r")
        .rows
        .last()
        .expect("row")
        .id
        .clone();
    // Three more experts hand in, all boosting the last nomination.
    let (profile, batch) = common::batch("batches/resources-environment-small.json");
    for e in 4..7 {
        expert_sheet(
            dir.path(),
            &batch,
            &profile,
            e,
            Some(&last),
            &dir.path().join("sheets"),
        );
    }
    assert!(a.poll_sheets());
    assert_eq!(a.handed.len(), 7);
    let r = a.results.as_ref().expect("r");
    let pos = r.rows.iter().position(|x| x.id == last).expect("row");
    assert!(pos < r.rows.len() - 1, "the boosted nomination moved up");

    key(&mut a, KeyCode::Char('M'));
    assert_eq!(a.method, Method::Mean);
    let row = &a.results.as_ref().expect("r").rows[0];
    assert!(a.rank_change(row).is_some(), "arrows against trimmed");
    key(&mut a, KeyCode::Char('M'));
    key(&mut a, KeyCode::Char('M'));
    key(&mut a, KeyCode::Char('M'));
    assert_eq!(a.method, Method::Calibrated);
    assert!(!a.leniency.is_empty());
}

fn screen(a: &mut ChairApp, w: u16, h: u16) -> String {
    a.size = (w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    render_to(&mut t, a).expect("draw");
    text(t.backend().buffer())
}

fn decided(dir: &Path) -> ChairApp {
    let mut a = chair(dir, 5, Lang::Zh);
    key(&mut a, KeyCode::Char('G'));
    key(&mut a, KeyCode::Char('I'));
    typed(&mut a, "示范工程效果显著");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('g'));
    a.message = None;
    a
}

/// Decision times differ run to run: blank them in the snapshots.
fn stable(s: String) -> String {
    let re_time = |l: &str| -> String {
        match l.find("20") {
            Some(i) if l[i..].len() > 19 && l.as_bytes().get(i + 4) == Some(&b'-') => {
                format!("{}YYYY-MM-DDTHH:MM:SS{}", &l[..i], &l[i + 19..])
            }
            _ => l.to_string(),
        }
    };
    s.lines().map(re_time).collect::<Vec<_>>().join("\n")
}

#[test]
fn ranking_with_cut_snapshots() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = decided(dir.path());
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("分数线 K="), "{s}");
    insta::assert_snapshot!("chair_ranking_80x24", s);
    insta::assert_snapshot!("chair_wide_160x48", screen(&mut a, 160, 48));
}

#[test]
fn detail_and_panel_snapshots() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = decided(dir.path());
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.view, ChairView::Detail);
    insta::assert_snapshot!("chair_detail_80x24", screen(&mut a, 80, 24));
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.view, ChairView::Panel);
    insta::assert_snapshot!("chair_panel_80x24", stable(screen(&mut a, 80, 24)));
    insta::assert_snapshot!("chair_panel_160x48", stable(screen(&mut a, 160, 48)));
    key(&mut a, KeyCode::Char('?'));
    insta::assert_snapshot!("chair_help_80x24", screen(&mut a, 80, 24));
}
