//! The scoring view in a discussion round: the panel's spread and the expert's own round-1
//! score beside the current one; a revision waits for its reason (Esc drops it).

mod common;

use common::{app, key, stored, text, typed};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use revdesk::domain::rounds::{RoundOpening, Selection, Spread, TOTAL};
use revdesk::store::Store;
use revdesk::tui::i18n::Lang;
use revdesk::tui::render_to;
use revdesk::tui::scoring::{App, Mode};
use revdesk::tui::theme::Theme;
use std::collections::BTreeMap;

fn screen(a: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
    render_to(&mut t, a).expect("draw");
    text(t.backend().buffer())
}

#[test]
fn a_revision_in_round_two_waits_for_its_reason() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::En, Theme::default());
    // Round 1: RE-001 scored 6 on every criterion.
    typed(&mut a, "6\n6\n6\n6\n6\n6\n");
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(6.0));
    let batch = a.batch.hash.clone();
    let open_view = a;

    // The chair opens round 2 on RE-001 with the panel's spread.
    let spread = |min, median, max| Spread {
        n: 4,
        min,
        median,
        max,
    };
    let mut per = BTreeMap::new();
    per.insert("feasibility".to_string(), spread(4.0, 6.5, 9.0));
    per.insert(TOTAL.to_string(), spread(45.0, 62.5, 88.0));
    let mut all = BTreeMap::new();
    all.insert("RE-001".to_string(), per);
    Store::open(dir.path())
        .expect("store")
        .open_round(&RoundOpening {
            batch,
            round: 2,
            selection: Selection::Items,
            items: vec!["RE-001".into()],
            opened_by: "chair".into(),
            opened_at: String::new(),
            spread: all,
        })
        .expect("open");

    // A view open meanwhile shows the round once it notices the store moved.
    let mut open_view = open_view;
    assert!(open_view.discussion.is_none());
    assert!(open_view.poll_store(), "redraw");
    assert_eq!(open_view.discussion.as_ref().map(|d| d.round), Some(2));
    drop(open_view);

    let mut a = app(dir.path(), Lang::En, Theme::default());
    let s = screen(&a);
    assert!(s.contains("Panel, round 1 (min–median–max):"), "{s}");
    assert!(
        s.lines()
            .any(|l| l.contains("  Feasibility ") && l.contains(" 4–6.5–9 ")),
        "{s}"
    );
    assert!(s.contains("Discussion round 2"), "{s}");
    assert!(!s.contains("r1 6"), "unchanged: no round-1 note\n{s}");

    // A new score opens the reason prompt and stores nothing yet; Esc drops it.
    typed(&mut a, "8\n");
    assert!(matches!(a.mode, Mode::Revise(..)), "{:?}", a.mode);
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(6.0));
    assert!(screen(&a).contains("Why revise"));
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(6.0));

    // Again, with an empty reason (refused) and then a real one.
    a.crit = 0;
    typed(&mut a, "8\n");
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(a.mode, Mode::Revise(..)),
        "an empty reason is refused"
    );
    typed(&mut a, "saw the pilot data\n");
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(8.0));
    let revs = a.store().revisions(&a.batch.hash).expect("revisions");
    assert_eq!(revs.len(), 1);
    assert_eq!(
        (
            revs[0].item.as_str(),
            revs[0].reason.as_str(),
            revs[0].round
        ),
        ("RE-001", "saw the pilot data", 2)
    );
    // The view shows the round-1 score beside the revised one; round 1 is intact.
    a.crit = 1;
    let s = screen(&a);
    assert!(s.contains("r1 6"), "{s}");
    let r1 = a
        .store()
        .marks_up_to(&a.expert, &a.batch.hash, 1)
        .expect("round 1");
    assert_eq!(r1.items["RE-001"].scores["feasibility"], 6.0);

    // A nomination outside the round is scored as before, without a prompt.
    key(&mut a, KeyCode::Char('j'));
    let id = a.current().expect("item").id.clone();
    assert_ne!(id, "RE-001");
    a.crit = 0;
    typed(&mut a, "5\n");
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(stored(&a, &id, "feasibility"), Some(5.0));
}
