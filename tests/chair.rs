//! The chair's view: decisions (reasons required, cut in range, history kept), live sheets,
//! method switching, and snapshots of the ranking with its cut, the detail and the panel.

mod common;

use common::sheets::expert_sheet;
use common::text;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use revdesk::engine::Method;
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
        trim_min: None,
    };
    ChairApp::new(profile, batch, vec![sheets], store, settings).expect("opens")
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
    a.store().decisions(&a.batch().hash).expect("log").len()
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
    // Six on a list of 3–5: the view offers a cut that compensates; the chair declines here.
    assert!(matches!(a.mode, ChairMode::Compensate(4)), "{:?}", a.mode);
    key(&mut a, KeyCode::Char('n'));
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
    // No tie at this cut: nothing to settle, so no prompt (the meeting tests settle a real one).
    key(&mut a, KeyCode::Char('T'));
    assert!(matches!(a.mode, ChairMode::Normal));
    assert!(
        a.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("splits no tie")),
        "{:?}",
        a.message
    );
    assert_eq!(log_len(&a), 2, "two cut moves, no tie note");
    // The help's legend names this run's range, not the profile's 25–30.
    key(&mut a, KeyCode::Char('?'));
    key(&mut a, KeyCode::Char('G'));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("the 3-5 band"), "{s}");
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
    decided_in(dir, Lang::Zh)
}

/// The ranking with a decision in `lang`: borderline, spread and an inclusion among the flags.
fn decided_in(dir: &Path, lang: Lang) -> ChairApp {
    let mut a = chair(dir, 5, lang);
    key(&mut a, KeyCode::Char('G'));
    key(&mut a, KeyCode::Char('I'));
    typed(&mut a, "示范工程效果显著");
    key(&mut a, KeyCode::Enter);
    // Decline the compensating cut: the snapshots show a list outside its range.
    key(&mut a, KeyCode::Char('n'));
    key(&mut a, KeyCode::Char('g'));
    a.message = None;
    a
}

/// Decision times differ run to run (and zone to zone): blank them in the snapshots.
fn stable(s: String) -> String {
    // Local time as the panel shows it: `2020-09-01 16:00 +08:00` (23 characters).
    let re_time = |l: &str| -> String {
        let b = l.as_bytes();
        let at = (0..b.len()).find(|&i| {
            b.len() >= i + 23
                && b[i..i + 4].iter().all(u8::is_ascii_digit)
                && b[i + 4] == b'-'
                && b[i + 7] == b'-'
                && b[i + 13] == b':'
                && (b[i + 17] == b'+' || b[i + 17] == b'-')
        });
        match at {
            Some(i) => format!("{}YYYY-MM-DD HH:MM +ZZ:ZZ{}", &l[..i], &l[i + 23..]),
            None => l.to_string(),
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
    // The panel's agreement is the engine's from every score, with its interval and design.
    let panel = screen(&mut a, 80, 24);
    let results = a.results.as_ref().expect("computed");
    let all = &results.aggregation.agreement.all_scores;
    let icc = all.icc2_1.expect("ICC(A,1) defined");
    let want = format!(
        "ICC(A,1) {:.3} [{:.3}, {:.3}]",
        icc.estimate,
        icc.lo.expect("lo"),
        icc.hi.expect("hi")
    );
    assert!(panel.contains(&want), "{want}\n{panel}");
    let d = &all.design;
    let design = format!(
        "{} 份评分，{} 项 × {} 位专家，完整设计",
        d.scores, d.items, d.experts
    );
    assert!(panel.contains(&design), "{design}\n{panel}");
    key(&mut a, KeyCode::Char('?'));
    insta::assert_snapshot!("chair_help_80x24", screen(&mut a, 80, 24));
}

// ---------------------------------------------------------------------------------------------
// A realistic meeting: 资源环境's 46 nominations, seven experts, range 25–30 (the profile's).
// Under trimmed the rule gives K = 28; RE-027/RE-028 tie at 27 and RE-029/030/031 at 29, so
// K = 27, 29 and 30 split a tie. Expert 3 recused from RE-006, which expert 2 commented on.
// ---------------------------------------------------------------------------------------------

use common::sheets::{MEETING_BATCH, meeting_sheet};
use revdesk::domain::decisions::{self, Decision, DecisionError};

fn meeting_settings(lang: Lang) -> ChairSettings {
    ChairSettings {
        chair: "chair".into(),
        lang,
        theme: Theme::default(),
        keymap: KeyMap::default(),
        replicates: 200,
        seed: 1,
        panel: None,
        shortlist: None,
        method: Method::Trimmed,
        trim_min: None,
    }
}

/// Seven experts' sheets in `root/sheets`.
fn meeting_sheets(root: &Path) -> std::path::PathBuf {
    let (profile, batch) = common::batch(MEETING_BATCH);
    let sheets = root.join("sheets");
    for e in 0..7 {
        meeting_sheet(root, &batch, &profile, e, &sheets);
    }
    sheets
}

fn meeting_with(root: &Path, settings: ChairSettings) -> ChairApp {
    let (profile, batch) = common::batch(MEETING_BATCH);
    let sheets = root.join("sheets");
    if !sheets.exists() {
        meeting_sheets(root);
    }
    let store = Store::open(&root.join("chair")).expect("store");
    ChairApp::new(profile, batch, vec![sheets], store, settings).expect("opens")
}

fn meeting(root: &Path, lang: Lang) -> ChairApp {
    meeting_with(root, meeting_settings(lang))
}

fn row<'a>(a: &'a ChairApp, id: &str) -> &'a revdesk::domain::results::Row {
    a.results
        .as_ref()
        .expect("results")
        .rows
        .iter()
        .find(|r| r.id == id)
        .expect("row")
}

fn tied(a: &ChairApp) -> Vec<String> {
    a.results
        .as_ref()
        .expect("results")
        .rows
        .iter()
        .filter(|r| r.flags.contains(&revdesk::domain::results::Flag::TieAtCut))
        .map(|r| r.id.clone())
        .collect()
}

fn k_of(a: &ChairApp) -> usize {
    a.results.as_ref().expect("results").k
}

fn list_size(a: &ChairApp) -> usize {
    a.results
        .as_ref()
        .expect("results")
        .rows
        .iter()
        .filter(|r| r.shortlisted)
        .count()
}

/// Filters the ranking down to `id` (a search), or back to everything with "".
fn search(a: &mut ChairApp, id: &str) {
    key(a, KeyCode::Char('/'));
    for _ in 0..a.query.chars().count() {
        key(a, KeyCode::Backspace);
    }
    typed(a, id);
    key(a, KeyCode::Enter);
}

fn message(a: &ChairApp) -> String {
    a.message
        .as_ref()
        .map(|(_, m)| m.clone())
        .unwrap_or_default()
}

#[test]
fn meeting_fixture_is_what_the_tests_assume() {
    let dir = tempfile::tempdir().expect("dir");
    let a = meeting(dir.path(), Lang::En);
    let r = a.results.as_ref().expect("results");
    assert_eq!(r.rows.len(), 46);
    assert_eq!((r.config.shortlist_min, r.config.shortlist_max), (25, 30));
    assert_eq!(r.k, 28);
    assert_eq!(row(&a, "RE-027").rank, row(&a, "RE-028").rank);
    assert_eq!(row(&a, "RE-029").rank, Some(29));
    assert_eq!(row(&a, "RE-031").rank, Some(29));
    assert_eq!(row(&a, "RE-006").n_recused, 1);
    assert!(tied(&a).is_empty(), "the rule's cut is clean");
}

#[test]
fn a_cut_never_splits_a_tie_silently() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::En);
    // `[` from 28: K = 27 splits RE-027/RE-028, so the cut goes to 26 and says why.
    key(&mut a, KeyCode::Char('['));
    assert_eq!(k_of(&a), 26);
    assert!(message(&a).contains("skipped K=27"), "{}", message(&a));
    key(&mut a, KeyCode::Char(']'));
    assert_eq!(k_of(&a), 28, "27 skipped on the way back too");
    assert_eq!(log_len(&a), 2);

    // `]` from 28: 29 and 30 both split the three-way tie: the chair must say how it is settled.
    key(&mut a, KeyCode::Char(']'));
    assert!(
        matches!(
            a.mode,
            ChairMode::Reason(revdesk::tui::chair::ReasonFor::CutTie(29), _)
        ),
        "{:?}",
        a.mode
    );
    key(&mut a, KeyCode::Enter);
    assert!(
        message(&a).contains("reason is required"),
        "{}",
        message(&a)
    );
    key(&mut a, KeyCode::Esc);
    assert_eq!(k_of(&a), 28);
    assert_eq!(log_len(&a), 2, "Esc records nothing");

    // The library refuses the same cut without a note, whoever asks.
    let r = a.results.as_ref().expect("results");
    assert!(matches!(
        decisions::check(
            &Decision::Cut {
                k: 29,
                tie_note: None
            },
            r
        ),
        Err(DecisionError::SplitsTie {
            k: 29,
            rank: 29,
            ..
        })
    ));

    key(&mut a, KeyCode::Char(']'));
    typed(&mut a, "RE-029 by a show of hands");
    key(&mut a, KeyCode::Enter);
    assert_eq!(k_of(&a), 29);
    // The tie flags follow the decided cut, not the rule's.
    assert_eq!(tied(&a), ["RE-029", "RE-030", "RE-031"]);
    let r = a.results.as_ref().expect("results");
    assert!(
        r.cut_note.contains("splits the tie at rank 29"),
        "{}",
        r.cut_note
    );
    assert!(
        r.cut_note.contains("RE-029 by a show of hands"),
        "{}",
        r.cut_note
    );
    let d = r.decided.as_ref().expect("decided");
    assert_eq!(
        d.split_tie.as_ref().and_then(|s| s.resolved.as_deref()),
        Some("RE-029 by a show of hands")
    );
    // Moving on to 30 splits the same tie again; the note was for 29, so it asks again.
    key(&mut a, KeyCode::Char(']'));
    assert!(matches!(a.mode, ChairMode::Reason(..)));
    key(&mut a, KeyCode::Esc);

    // Back to 28: no tie at the cut, no flags, no note.
    key(&mut a, KeyCode::Char('['));
    assert_eq!(k_of(&a), 28);
    assert!(tied(&a).is_empty());
    // `T` has nothing to settle there.
    key(&mut a, KeyCode::Char('T'));
    assert!(matches!(a.mode, ChairMode::Normal));
}

#[test]
fn the_rule_s_own_tie_is_settled_with_t() {
    let dir = tempfile::tempdir().expect("dir");
    // With 27-29 every size splits a tie: the rule takes 29 and flags the three-way tie.
    let mut s = meeting_settings(Lang::Zh);
    s.shortlist = Some((29, 30));
    let mut a = meeting_with(dir.path(), s);
    assert_eq!(k_of(&a), 30);
    assert_eq!(tied(&a), ["RE-029", "RE-030", "RE-031"]);
    key(&mut a, KeyCode::Char('T'));
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(a.mode, ChairMode::Reason(..)),
        "a note is required"
    );
    typed(&mut a, "三项均入围需再议");
    key(&mut a, KeyCode::Enter);
    let r = a.results.as_ref().expect("results");
    assert!(r.cut_note.contains("三项均入围需再议"), "{}", r.cut_note);
    assert!(
        !r.warnings.iter().any(|w| w.contains("has not said")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn overrides_that_leave_the_range_warn_and_offer_a_cut() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::En);
    for id in ["RE-032", "RE-033"] {
        search(&mut a, id);
        key(&mut a, KeyCode::Char('I'));
        typed(&mut a, "national demonstration project");
        key(&mut a, KeyCode::Enter);
        assert!(matches!(a.mode, ChairMode::Normal), "30 is still in range");
    }
    assert_eq!(list_size(&a), 30);
    search(&mut a, "RE-034");
    key(&mut a, KeyCode::Char('I'));
    typed(&mut a, "fills a monitoring gap");
    key(&mut a, KeyCode::Enter);
    // The moment the list leaves the range the chair is told, with the size and the makeup,
    // and offered the nearest cut that brings it back without splitting a tie (27 would).
    assert_eq!(list_size(&a), 31);
    let m = message(&a);
    assert!(m.contains("the list of 31 is outside 25–30"), "{m}");
    assert!(m.contains("K = 28 + 3 included"), "{m}");
    assert!(matches!(a.mode, ChairMode::Compensate(26)), "{:?}", a.mode);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Move the cut to K=26"), "{s}");
    key(&mut a, KeyCode::Char('n'));
    a.message = None;
    search(&mut a, "");
    let s = screen(&mut a, 80, 24);
    let title = s.lines().next().unwrap_or_default();
    assert!(title.contains("K=28 list 31/25–30 ⚠"), "{title}");
    assert!(
        s.contains("list of 31 is outside 25–30"),
        "status line: {s}"
    );
    // Accept this time (the offer comes back with the next out-of-range decision).
    search(&mut a, "RE-035");
    key(&mut a, KeyCode::Char('I'));
    typed(&mut a, "second monitoring gap");
    key(&mut a, KeyCode::Enter);
    assert_eq!(list_size(&a), 32);
    assert!(matches!(a.mode, ChairMode::Compensate(26)), "{:?}", a.mode);
    key(&mut a, KeyCode::Char('y'));
    assert_eq!(k_of(&a), 26);
    assert_eq!(list_size(&a), 30);
    assert!(!a.results.as_ref().expect("r").k_out_of_range);
}

#[test]
fn an_override_that_changes_nothing_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('g'));
    assert_eq!(a.current_id().as_deref(), Some("RE-001"));
    key(&mut a, KeyCode::Char('I'));
    assert!(
        matches!(a.mode, ChairMode::Normal),
        "no reason asked for a no-op"
    );
    assert!(message(&a).contains("已在入围名单中"), "{}", message(&a));
    key(&mut a, KeyCode::Char('G'));
    key(&mut a, KeyCode::Char('X'));
    assert!(matches!(a.mode, ChairMode::Normal));
    assert!(message(&a).contains("不在入围名单中"), "{}", message(&a));
    key(&mut a, KeyCode::Char('C'));
    assert!(message(&a).contains("没有可撤销"), "{}", message(&a));
    assert_eq!(log_len(&a), 0);
    let r = a.results.as_ref().expect("results");
    let include = |item: &str| Decision::Include {
        item: item.into(),
        reason: "r".into(),
    };
    assert_eq!(
        decisions::check(&include("RE-001"), r),
        Err(DecisionError::AlreadyIn("RE-001".into()))
    );
    assert_eq!(decisions::check(&include("RE-046"), r), Ok(()));
}

#[test]
fn decision_errors_speak_the_ui_language() {
    let dir = tempfile::tempdir().expect("dir");
    meeting_sheets(dir.path());
    let mut zh = meeting(dir.path(), Lang::Zh);
    key(&mut zh, KeyCode::Char(']'));
    key(&mut zh, KeyCode::Esc);
    for _ in 0..4 {
        key(&mut zh, KeyCode::Char('['));
    }
    // 28 → 26 → 25, then below the range.
    assert_eq!(k_of(&zh), 25);
    assert!(message(&zh).contains("超出范围 25–30"), "{}", message(&zh));
    key(&mut zh, KeyCode::Char(']'));
    assert!(
        message(&zh).contains("分数线设为 K = 26"),
        "{}",
        message(&zh)
    );
    // An include past the range: the warning and the list's makeup in Chinese too.
    for id in ["RE-032", "RE-033", "RE-034", "RE-035", "RE-036"] {
        search(&mut zh, id);
        key(&mut zh, KeyCode::Char('I'));
        typed(&mut zh, "示范");
        key(&mut zh, KeyCode::Enter);
    }
    let m = message(&zh);
    assert!(m.contains("入围 31 项，超出 25–30"), "{m}");
    assert!(m.contains("K = 26 + 破格入围 5 项（RE-032"), "{m}");
}

#[test]
fn a_damaged_decision_log_stops_the_view_at_startup() {
    let dir = tempfile::tempdir().expect("dir");
    meeting_sheets(dir.path());
    let (profile, batch) = common::batch(MEETING_BATCH);
    let store = Store::open(&dir.path().join("chair")).expect("store");
    store
        .record_decision(&batch.hash, "chair", "{\"kind\": \"cut\", \"k\": \"x\"}")
        .expect("record");
    let err = ChairApp::new(
        profile,
        batch,
        vec![dir.path().join("sheets")],
        store,
        meeting_settings(Lang::En),
    )
    .err()
    .expect("refused");
    assert!(err.to_string().contains("damaged"), "{err}");
}

#[test]
fn decisions_record_their_settings_and_a_replay_under_others_warns() {
    let dir = tempfile::tempdir().expect("dir");
    meeting_sheets(dir.path());
    let mut a = meeting(dir.path(), Lang::En);
    key(&mut a, KeyCode::Char('M'));
    assert_eq!(a.method, Method::Mean);
    key(&mut a, KeyCode::Char('['));
    let log = decisions::parse_log(&a.store().decisions(&a.batch().hash).expect("log")).expect("p");
    let ctx = log[0].context.as_ref().expect("context recorded");
    assert_eq!(ctx.method, "mean");
    assert_eq!(
        (ctx.shortlist_min, ctx.shortlist_max, ctx.trim_min),
        (25, 30, 5)
    );
    // Shown under another method, the view says which one the decisions were made under.
    key(&mut a, KeyCode::Char('M'));
    assert_eq!(a.method, Method::Median);
    a.message = None;
    let s = screen(&mut a, 80, 24);
    let title = s.lines().next().unwrap_or_default();
    assert!(title.contains("decided under mean ⚠"), "{title}");
    assert!(s.contains("decisions were made under mean"), "{s}");
    let r = a.results.as_ref().expect("results");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("made under method mean")),
        "{:?}",
        r.warnings
    );
    // A decision under the new method says the replay settings changed.
    key(&mut a, KeyCode::Char('G'));
    key(&mut a, KeyCode::Char('I'));
    typed(&mut a, "x");
    key(&mut a, KeyCode::Enter);
    assert!(
        message(&a).contains("now replay under median"),
        "{}",
        message(&a)
    );
}

#[test]
fn the_ranking_opens_at_the_cut_and_pages() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::Zh);
    a.size = (80, 24);
    // Opens on the last nomination inside the cut, with the cut line on screen.
    assert_eq!(a.current().and_then(|r| r.rank), Some(27));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("---- 分数线 K=28 (25-30)"), "{s}");
    key(&mut a, KeyCode::Char('g'));
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains("分数线 K=28"), "{s}");
    // PgDn / Space page the ranking by a screen (19 rows at 80×24); PgUp back.
    key(&mut a, KeyCode::PageDown);
    assert_eq!(a.selected, 19);
    key(&mut a, KeyCode::Char(' '));
    assert_eq!(a.selected, 38);
    key(&mut a, KeyCode::PageUp);
    assert_eq!(a.selected, 19);
    // `c` jumps to the cut.
    key(&mut a, KeyCode::Char('c'));
    assert_eq!(a.current_id().as_deref(), Some("RE-028"));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("分数线 K=28"), "{s}");
    // Enter opens the detail, Esc leaves it.
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.view, ChairView::Detail);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.view, ChairView::Ranking);
}

#[test]
fn search_keeps_the_selection_while_it_matches() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::En);
    key(&mut a, KeyCode::Char('c'));
    assert_eq!(a.current_id().as_deref(), Some("RE-028"));
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "RE-02");
    assert_eq!(a.current_id().as_deref(), Some("RE-028"), "still matches");
    typed(&mut a, "1");
    assert_eq!(a.current_id().as_deref(), Some("RE-021"), "the only match");
    key(&mut a, KeyCode::Backspace);
    assert_eq!(
        a.current_id().as_deref(),
        Some("RE-021"),
        "kept when the query widens"
    );
}

#[test]
fn a_sheet_rejected_live_is_announced_and_upper_case_json_counts() {
    let dir = tempfile::tempdir().expect("dir");
    let (profile, batch) = common::batch(MEETING_BATCH);
    let sheets = dir.path().join("sheets");
    for e in 0..5 {
        meeting_sheet(dir.path(), &batch, &profile, e, &sheets);
    }
    let mut a = meeting(dir.path(), Lang::En);
    assert_eq!(a.handed.len(), 5);
    // A sheet handed in as X.JSON is picked up like x.json.
    let other = dir.path().join("other");
    let p = meeting_sheet(dir.path(), &batch, &profile, 5, &other);
    std::fs::copy(&p, sheets.join("E5.JSON")).expect("copy");
    assert!(a.poll_sheets(), "an upper-case .JSON is a sheet too");
    assert_eq!(a.handed.len(), 6);
    // A tampered sheet: its signature no longer matches.
    let p = meeting_sheet(dir.path(), &batch, &profile, 6, &other);
    let text = std::fs::read_to_string(&p).expect("read");
    let tampered = text
        .replacen("\"RE-001\"", "\"RE-001\" ", 1)
        .replacen(": 9", ": 10", 1);
    assert_ne!(tampered, text);
    std::fs::write(sheets.join("e6-tampered.json"), tampered).expect("write");
    assert!(a.poll_sheets());
    assert_eq!(a.handed.len(), 6);
    let (level, m) = a.message.clone().expect("message");
    assert_eq!(level, revdesk::tui::chair::Level::Error);
    assert!(m.contains("1 sheet(s) rejected: e6-tampered.json"), "{m}");
    let s = screen(&mut a, 80, 24);
    let title = s.lines().next().unwrap_or_default();
    assert!(title.contains("sheets 6 1 rejected"), "{title}");
    assert!(s.contains("e6-tampered.json"), "{s}");
}

/// The chair at 80×24 and 160×48, zh and en: ranking at the cut, method arrows, a recusal and
/// comments in the detail, the panel, help, and a list outside its range.
#[test]
fn meeting_snapshots() {
    let dir = tempfile::tempdir().expect("dir");
    for lang in [Lang::Zh, Lang::En] {
        let tag = if lang.en() { "en" } else { "zh" };
        let sub = dir.path().join(tag);
        let mut a = meeting(&sub, lang);
        insta::assert_snapshot!(
            format!("meeting_ranking_80x24_{tag}"),
            screen(&mut a, 80, 24)
        );
        // As on opening at that size: the whole list fits, the cut with it.
        key(&mut a, KeyCode::Char('c'));
        insta::assert_snapshot!(
            format!("meeting_ranking_160x48_{tag}"),
            screen(&mut a, 160, 48)
        );
        // The recused nomination with its comment.
        search(&mut a, "RE-006");
        key(&mut a, KeyCode::Enter);
        insta::assert_snapshot!(
            format!("meeting_detail_80x24_{tag}"),
            screen(&mut a, 80, 24)
        );
        key(&mut a, KeyCode::Esc);
        search(&mut a, "");
        // Method arrows against trimmed.
        key(&mut a, KeyCode::Char('M'));
        a.message = None;
        key(&mut a, KeyCode::Char('c'));
        insta::assert_snapshot!(format!("meeting_mean_80x24_{tag}"), screen(&mut a, 80, 24));
        key(&mut a, KeyCode::Char('M'));
        key(&mut a, KeyCode::Char('M'));
        key(&mut a, KeyCode::Char('M'));
        key(&mut a, KeyCode::Char('M'));
        assert_eq!(a.method, Method::Trimmed);
        // Three includes: 31 on a list of 25–30, the offer declined.
        for id in ["RE-032", "RE-033", "RE-034"] {
            search(&mut a, id);
            key(&mut a, KeyCode::Char('I'));
            typed(&mut a, "示范");
            key(&mut a, KeyCode::Enter);
        }
        assert!(matches!(a.mode, ChairMode::Compensate(26)), "{:?}", a.mode);
        key(&mut a, KeyCode::Char('n'));
        search(&mut a, "");
        a.message = None;
        key(&mut a, KeyCode::Char('c'));
        insta::assert_snapshot!(
            format!("meeting_out_of_range_80x24_{tag}"),
            screen(&mut a, 80, 24)
        );
        key(&mut a, KeyCode::Tab);
        key(&mut a, KeyCode::Tab);
        assert_eq!(a.view, ChairView::Panel);
        insta::assert_snapshot!(
            format!("meeting_panel_80x24_{tag}"),
            stable(screen(&mut a, 80, 24))
        );
        insta::assert_snapshot!(
            format!("meeting_panel_160x48_{tag}"),
            stable(screen(&mut a, 160, 48))
        );
        key(&mut a, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("meeting_help_80x24_{tag}"), screen(&mut a, 80, 24));
        for _ in 0..30 {
            key(&mut a, KeyCode::Char('j'));
        }
        insta::assert_snapshot!(
            format!("meeting_help_end_80x24_{tag}"),
            screen(&mut a, 80, 24)
        );
    }
}

#[test]
fn flags_and_their_legend_read_in_the_ui_language_at_80x24() {
    for (lang, flags, legend, absent) in [
        (
            Lang::Zh,
            ["边", "歧", "入"],
            revdesk::text::i18n::T::ChairFlagLegend.get(Lang::Zh),
            " B ",
        ),
        (
            Lang::En,
            ["B", "S", "+I"],
            revdesk::text::i18n::T::ChairFlagLegend.get(Lang::En),
            " 边 ",
        ),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let mut a = decided_in(dir.path(), lang);
        let s = screen(&mut a, 80, 24);
        // The flag column: the last cells of each ranked row, before the border.
        let flag_cells: Vec<String> = s
            .lines()
            .filter(|l| l.contains("RE-0"))
            .filter_map(|l| {
                let inner = l.trim_end_matches('│').trim_end();
                inner.rsplit(' ').next().map(str::to_string)
            })
            .collect();
        for f in flags {
            assert!(
                flag_cells.iter().any(|c| c == f),
                "{lang:?}: flag {f} in {flag_cells:?}\n{s}"
            );
        }
        assert!(
            !s.contains(absent),
            "{lang:?}: a flag of the other language:\n{s}"
        );
        // The legend on the ranking's bottom border, whole at 80 columns.
        let bottom = s.lines().rfind(|l| l.starts_with('└')).unwrap_or("");
        assert!(bottom.contains(legend), "{lang:?}: legend in {bottom:?}");
        // And in the help, at its end.
        key(&mut a, KeyCode::Char('?'));
        for _ in 0..30 {
            key(&mut a, KeyCode::Char('j'));
        }
        let help: String = screen(&mut a, 80, 24)
            .lines()
            .map(|l| l.trim_matches(|c: char| "│ ".contains(c)))
            .collect::<Vec<_>>()
            .join(" ");
        let last = legend.rsplit("  ").next().unwrap_or(legend);
        let first = legend.split("  ").next().unwrap_or(legend);
        assert!(
            help.contains(first) && help.contains(last),
            "{lang:?}: legend in help: {help}"
        );
    }
}

#[test]
fn help_scrolls_within_its_text() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::En);
    a.size = (80, 24);
    key(&mut a, KeyCode::Char('?'));
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("scroll: lines 1–20 of 27"),
        "clipped, and says so: {s}"
    );
    for _ in 0..30 {
        key(&mut a, KeyCode::Char('j'));
    }
    assert!(
        matches!(a.mode, ChairMode::Help { scroll: 7 }),
        "{:?}",
        a.mode
    );
    key(&mut a, KeyCode::Char('k'));
    assert!(
        matches!(a.mode, ChairMode::Help { scroll: 6 }),
        "{:?}",
        a.mode
    );
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("lines 7–26 of 27"), "{s}");
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.mode, ChairMode::Normal));
    // At 160×48 it all fits: nothing to scroll, no hint.
    a.size = (160, 48);
    key(&mut a, KeyCode::Char('?'));
    key(&mut a, KeyCode::Char('j'));
    assert!(
        matches!(a.mode, ChairMode::Help { scroll: 0 }),
        "{:?}",
        a.mode
    );
    let s = screen(&mut a, 160, 48);
    assert!(!s.contains("scroll: lines"), "{s}");
}

#[test]
fn esc_clears_a_search_as_in_the_scoring_view() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::Zh);
    let all = a.visible.len();
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "RE-01");
    assert!(a.visible.len() < all);
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.mode, ChairMode::Normal));
    assert!(a.query.is_empty());
    assert_eq!(a.visible.len(), all);
    // A search kept with Enter is cleared by Esc on the ranking.
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "RE-01");
    key(&mut a, KeyCode::Enter);
    assert!(a.visible.len() < all);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.visible.len(), all);
}

#[test]
fn switching_methods_back_and_forth_gives_the_same_ranking() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::Zh);
    let ranks = |a: &ChairApp| -> Vec<(String, Option<usize>, bool)> {
        let r = a.results.as_ref().expect("results");
        r.rows
            .iter()
            .map(|x| (x.id.clone(), x.rank, x.shortlisted))
            .collect()
    };
    let before = ranks(&a);
    // Five presses go round every method back to the first (results are cached per method).
    for _ in 0..5 {
        key(&mut a, KeyCode::Char('M'));
    }
    assert_eq!(a.method, Method::Trimmed);
    assert_eq!(ranks(&a), before);
}

#[test]
fn a_rejected_sheet_is_explained_in_chinese_to_a_chinese_chair() {
    let dir = tempfile::tempdir().expect("dir");
    let (profile, batch) = common::batch(MEETING_BATCH);
    let sheets = dir.path().join("sheets");
    for e in 0..5 {
        meeting_sheet(dir.path(), &batch, &profile, e, &sheets);
    }
    let mut a = meeting(dir.path(), Lang::Zh);
    let other = dir.path().join("other");
    let p = meeting_sheet(dir.path(), &batch, &profile, 6, &other);
    let text = std::fs::read_to_string(&p).expect("read");
    std::fs::write(
        sheets.join("e6-tampered.json"),
        text.replacen(": 9", ": 10", 1),
    )
    .expect("write");
    assert!(a.poll_sheets());
    let (_, m) = a.message.clone().expect("message");
    assert!(m.contains("e6-tampered.json"), "{m}");
    assert!(m.contains("签名验证失败"), "{m}");
    assert!(!m.contains("bad signature"), "{m}");
}

#[test]
fn two_chair_sessions_on_one_store_see_each_others_decisions() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::Zh);
    let mut b = meeting(dir.path(), Lang::Zh);
    let k0 = k_of(&a);
    key(&mut a, KeyCode::Char('['));
    let ka = k_of(&a);
    assert!(ka < k0, "{ka} < {k0}");
    // B has not pressed anything: its idle poll picks the decision up.
    assert!(b.poll_sheets(), "B notices A's decision");
    assert_eq!(k_of(&b), ka);
    // And B's next move starts from A's cut, not from its stale one.
    key(&mut b, KeyCode::Char('['));
    assert!(k_of(&b) < ka);
}

#[test]
fn nothing_is_decided_behind_the_too_small_notice() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = meeting(dir.path(), Lang::Zh);
    let before = log_len(&a);
    a.handle_event(Event::Resize(40, 10));
    for c in ['[', ']', 'M', 'I', 'X'] {
        key(&mut a, KeyCode::Char(c));
    }
    typed(&mut a, "理由\n");
    assert_eq!(log_len(&a), before);
    assert!(matches!(a.mode, ChairMode::Normal));
    assert_eq!(a.method, Method::Trimmed);
}

/// The status line (last row) of a screen.
fn bar(s: &str) -> String {
    s.lines().last().unwrap_or_default().trim_end().to_string()
}

#[test]
fn each_context_has_its_own_key_bar() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = chair(dir.path(), 5, Lang::Zh);
    key(&mut a, KeyCode::Char('g'));
    a.message = None;
    let ranking = bar(&screen(&mut a, 160, 48));
    assert!(
        ranking.starts_with(" j/k 移动  c 分数线  Enter 详情  Tab 切换  M 方法  [/] 移线"),
        "{ranking}"
    );
    key(&mut a, KeyCode::Enter);
    let detail = bar(&screen(&mut a, 160, 48));
    assert!(
        detail.starts_with(
            " j/k 上/下一个  Esc 回到排名  PgDn/PgUp 翻页  I 破格入围  X 不入围  C 撤销决定  Tab 专家组  q 退出"
        ),
        "{detail}"
    );
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.view, ChairView::Panel);
    let panel = bar(&screen(&mut a, 160, 48));
    assert!(
        panel.starts_with(" Esc 回到排名  Shift-Tab 详情  PgDn/PgUp 翻页  j/k 上/下一个  q 退出"),
        "{panel}"
    );
    // Every bar keeps the help key at the right edge.
    for b in [&ranking, &detail, &panel] {
        assert!(b.ends_with("? 帮助"), "{b}");
    }
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('X'));
    assert!(matches!(a.mode, ChairMode::Reason(..)));
    let reason = bar(&screen(&mut a, 160, 48));
    assert!(reason.starts_with(" Enter 记录  Esc 取消"), "{reason}");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('?'));
    let help = bar(&screen(&mut a, 160, 48));
    assert!(
        help.starts_with(" j/k 滚动  PgDn/PgUp 翻页  Esc 关闭帮助"),
        "{help}"
    );
}

#[test]
fn a_narrow_key_bar_drops_whole_hints_never_cuts_one() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = chair(dir.path(), 5, Lang::En);
    key(&mut a, KeyCode::Enter);
    a.message = None;
    let detail = bar(&screen(&mut a, 80, 24));
    assert!(!detail.contains('~'), "{detail}");
    assert!(
        detail.starts_with(" j/k next/prev  Esc ranking  PgDn/PgUp page"),
        "{detail}"
    );
    assert!(detail.ends_with("? help"), "{detail}");
}
