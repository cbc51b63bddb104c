//! The scoring view's update logic, without a terminal: keys in, stored marks out.

mod common;

use common::{app, key, stored, typed};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use revdesk::store::{Confidence, Source};
use revdesk::tui::i18n::Lang;
use revdesk::tui::scoring::Action;
use revdesk::tui::scoring::{App, Filter, ItemStatus, Level, Mode};
use revdesk::tui::theme::Theme;

fn new_app(dir: &std::path::Path) -> App {
    app(dir, Lang::Zh, Theme::default())
}

#[test]
fn digits_and_enter_score_and_advance() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    assert_eq!((a.selected, a.crit), (0, 0));
    typed(&mut a, "10\n");
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(10.0));
    assert_eq!(a.crit, 1);
    typed(&mut a, "7\n6\n5\n4\n3\n");
    match a.status("RE-001") {
        ItemStatus::Done(t) => assert!((t - 3500.0 / 60.0).abs() < 1e-9, "{t}"),
        other => panic!("{other:?}"),
    }
    // Past the last criterion: the first criterion of the next nomination.
    assert_eq!((a.selected, a.crit), (1, 0));
    assert_eq!(a.current().map(|i| i.id.as_str()), Some("RE-002"));
}

#[test]
fn refused_values_store_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    for bad in ["11\n", "7.5\n", "..\n"] {
        typed(&mut a, bad);
        assert_eq!(stored(&a, "RE-001", "feasibility"), None, "{bad}");
        assert_eq!(a.crit, 0, "focus stays on a refused value");
        assert!(
            matches!(a.message, Some((Level::Warn, _))),
            "{bad}: {:?}",
            a.message
        );
        assert!(a.input.is_empty());
    }
    let history = a
        .store()
        .history(&a.expert, &a.batch.hash)
        .expect("history");
    assert!(history.is_empty());
}

#[test]
fn nudge_clear_and_backspace() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    // Nothing to raise or lower yet: refused with a message, nothing stored.
    key(&mut a, KeyCode::Char('+'));
    key(&mut a, KeyCode::Char('-'));
    assert_eq!(stored(&a, "RE-001", "feasibility"), None);
    assert!(
        matches!(a.message, Some((Level::Warn, _))),
        "{:?}",
        a.message
    );
    // Typed digits are the value being adjusted: 7 then + is 8, not a nudge of nothing.
    typed(&mut a, "7");
    key(&mut a, KeyCode::Char('+'));
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(8.0));
    assert!(a.input.is_empty());
    key(&mut a, KeyCode::Char('+'));
    key(&mut a, KeyCode::Char('+'));
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(10.0));
    // At the top: stays, and says so.
    key(&mut a, KeyCode::Char('+'));
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(10.0));
    assert!(
        matches!(&a.message, Some((Level::Info, m)) if m.contains("10")),
        "{:?}",
        a.message
    );
    key(&mut a, KeyCode::Char('-'));
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(9.0));
    // A typed value outside the range is refused by + as by Enter.
    typed(&mut a, "12");
    key(&mut a, KeyCode::Char('+'));
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(9.0));
    // Backspace first eats typed digits, then clears the committed score.
    typed(&mut a, "9");
    key(&mut a, KeyCode::Backspace);
    assert!(a.input.is_empty());
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(9.0));
    key(&mut a, KeyCode::Backspace);
    assert_eq!(stored(&a, "RE-001", "feasibility"), None);
}

#[test]
fn tab_moves_focus_and_commits_typed_digits() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    typed(&mut a, "6");
    key(&mut a, KeyCode::Tab);
    assert_eq!(
        (a.crit, stored(&a, "RE-001", "feasibility")),
        (1, Some(6.0))
    );
    key(&mut a, KeyCode::BackTab);
    key(&mut a, KeyCode::BackTab);
    assert_eq!(a.crit, 5, "wraps around");
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(
        (a.selected, a.crit),
        (1, 0),
        "a new nomination starts at the first criterion"
    );
}

#[test]
fn recusal_blocks_scoring_and_needs_a_reason() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    key(&mut a, KeyCode::Char('x'));
    assert!(matches!(a.mode, Mode::Recuse(_)));
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(a.mode, Mode::Recuse(_)),
        "an empty reason is refused"
    );
    typed(&mut a, "同单位");
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.status("RE-001"), ItemStatus::Recused);
    typed(&mut a, "7\n");
    assert_eq!(stored(&a, "RE-001", "feasibility"), None);
    key(&mut a, KeyCode::Char('+'));
    assert_eq!(stored(&a, "RE-001", "feasibility"), None);
    // x again withdraws.
    key(&mut a, KeyCode::Char('x'));
    assert_eq!(a.status("RE-001"), ItemStatus::Unscored);
    // Esc in the prompt cancels.
    key(&mut a, KeyCode::Char('x'));
    typed(&mut a, "abc");
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.status("RE-001"), ItemStatus::Unscored);
}

#[test]
fn comment_editor_saves_on_esc_with_paste() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    key(&mut a, KeyCode::Char('c'));
    a.handle_event(Event::Paste("第一行\r\n第二行".into()));
    typed(&mut a, "！");
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.record("RE-001").comment, "第一行\n第二行！");
    // Reopening continues at the end of the text.
    key(&mut a, KeyCode::Char('c'));
    typed(&mut a, "好");
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.record("RE-001").comment, "第一行\n第二行！好");
}

#[test]
fn an_over_long_comment_stays_in_the_editor_until_shortened() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    key(&mut a, KeyCode::Char('c'));
    let full = "评".repeat(5_000);
    a.handle_event(Event::Paste(format!("{full}多")));
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.mode, Mode::Comment(_)), "the draft is kept");
    match &a.message {
        Some((Level::Warn, m)) => assert!(m.contains("5001") && m.contains("5000"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(a.record("RE-001").comment, "");
    // Kept in the store too, for a session that is killed now.
    let draft = a.store().draft(&a.expert, &a.batch.hash, "RE-001");
    assert_eq!(
        draft.expect("draft").map(|d| d.chars().count()),
        Some(5_001)
    );
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.record("RE-001").comment, full);
    let draft = a.store().draft(&a.expert, &a.batch.hash, "RE-001");
    assert_eq!(
        draft.expect("draft"),
        None,
        "a saved comment leaves no draft"
    );
}

#[test]
fn an_over_long_recusal_reason_stays_in_the_editor() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    key(&mut a, KeyCode::Char('x'));
    a.handle_event(Event::Paste("因".repeat(501)));
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Recuse(_)));
    assert!(
        matches!(&a.message, Some((Level::Warn, m)) if m.contains("501")),
        "{:?}",
        a.message
    );
    assert_eq!(a.status("RE-001"), ItemStatus::Unscored);
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.status("RE-001"), ItemStatus::Recused);
}

#[test]
fn a_draft_left_by_a_killed_session_is_restored() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    key(&mut a, KeyCode::Char('c'));
    typed(&mut a, "先进");
    // What the idle tick does: the draft is saved while the editor stays open.
    a.autosave_draft(true);
    assert!(matches!(a.mode, Mode::Comment(_)));
    assert_eq!(a.record("RE-001").comment, "");
    // Killed: no on_exit, nothing saved as the comment.
    drop(a);
    let mut b = new_app(dir.path());
    assert_eq!(b.record("RE-001").comment, "");
    key(&mut b, KeyCode::Char('c'));
    match &b.mode {
        Mode::Comment(ta) => assert_eq!(ta.lines(), ["先进"]),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&b.message, Some((Level::Info, _))),
        "{:?}",
        b.message
    );
    typed(&mut b, "性");
    key(&mut b, KeyCode::Esc);
    assert_eq!(b.record("RE-001").comment, "先进性");
    let draft = b.store().draft(&b.expert, &b.batch.hash, "RE-001");
    assert_eq!(draft.expect("draft"), None);
}

#[test]
fn undo_walks_back_and_refocuses() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    typed(&mut a, "8\n7\n");
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char('m'));
    assert!(a.flagged("RE-002"));
    key(&mut a, KeyCode::Char('u'));
    assert!(!a.flagged("RE-002"));
    key(&mut a, KeyCode::Char('u'));
    assert_eq!(stored(&a, "RE-001", "novelty"), None);
    assert_eq!(
        a.current().map(|i| i.id.as_str()),
        Some("RE-001"),
        "undo goes to the item"
    );
    assert_eq!(a.crit, 1, "and to the criterion");
    key(&mut a, KeyCode::Char('u'));
    key(&mut a, KeyCode::Char('u'));
    assert!(
        a.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("没有可撤销")),
        "{:?}",
        a.message
    );
    let h = a
        .store()
        .history(&a.expert, &a.batch.hash)
        .expect("history");
    assert!(h.iter().any(|r| r.source == Source::Undo));
}

#[test]
fn filters_search_and_next_todo() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    typed(&mut a, "1\n2\n3\n4\n5\n6\n");
    key(&mut a, KeyCode::Char('m'));
    key(&mut a, KeyCode::Char('f'));
    assert_eq!(a.filter, Filter::Todo);
    assert_eq!(a.visible.len(), 7);
    key(&mut a, KeyCode::Char('f'));
    assert_eq!(a.filter, Filter::Flagged);
    assert_eq!(a.visible.len(), 1);
    key(&mut a, KeyCode::Char('f'));
    key(&mut a, KeyCode::Char('f'));
    assert_eq!(a.filter, Filter::All);

    key(&mut a, KeyCode::Char('/'));
    let target = a.batch.items[5].name.chars().take(4).collect::<String>();
    typed(&mut a, &target);
    assert!(a.visible.contains(&5));
    assert!(a.visible.len() < 8);
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.query, target.to_lowercase());
    // Esc in normal mode clears an active search, as the prompt promises.
    key(&mut a, KeyCode::Esc);
    assert!(a.query.is_empty());
    assert_eq!(a.visible.len(), 8);
    // So does Esc while typing one.
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, &target);
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.mode, Mode::Normal));
    assert!(a.query.is_empty());
    assert_eq!(a.visible.len(), 8);

    let dir2 = tempfile::tempdir().expect("dir");
    let mut b = new_app(dir2.path());
    typed(&mut b, "1\n");
    key(&mut b, KeyCode::Char('g'));
    key(&mut b, KeyCode::Char('n'));
    assert_eq!(b.selected, 1);
    // Back on the first, `n` from the last wraps and focuses the first open criterion.
    key(&mut b, KeyCode::Char('G'));
    key(&mut b, KeyCode::Char('n'));
    assert_eq!((b.selected, b.crit), (0, 1));
}

#[test]
fn confidence_contacts_and_quit() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    key(&mut a, KeyCode::Char('w'));
    assert_eq!(a.record("RE-001").confidence, Confidence::High);
    key(&mut a, KeyCode::Char('w'));
    assert_eq!(a.record("RE-001").confidence, Confidence::Low);
    key(&mut a, KeyCode::Char('i'));
    assert!(a.show_contacts);
    key(&mut a, KeyCode::Char('?'));
    assert!(matches!(a.mode, Mode::Help { .. }));
    key(&mut a, KeyCode::Char('q'));
    assert!(!a.quit, "q closes help first");
    key(&mut a, KeyCode::Char('q'));
    assert!(a.quit);
}

#[test]
fn another_session_is_picked_up() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    assert!(!a.poll_store());
    let other = revdesk::store::Store::open(dir.path()).expect("second handle");
    other
        .apply(
            "wang",
            &a.batch.hash,
            &[revdesk::store::Change::score("RE-003", "market", Some(9.0))],
            Source::Keyboard,
        )
        .expect("write");
    assert!(a.poll_store());
    assert_eq!(a.record("RE-003").scores["market"], 9.0);
    let _ = Action::Quit;
}

#[test]
fn the_sheet_key_writes_a_signed_verifiable_sheet() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    typed(&mut a, "8\n7\n9\n6\n8\n7\n");
    key(&mut a, KeyCode::Char('m'));
    key(&mut a, KeyCode::Char('S'));
    assert!(
        a.message
            .as_ref()
            .is_some_and(|(l, m)| *l == Level::Info && m.contains("评分表")),
        "{:?}",
        a.message
    );
    key(&mut a, KeyCode::Char('S'));
    let mut files: Vec<_> = std::fs::read_dir(dir.path().join("sheets"))
        .expect("sheets dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "each press writes the next sequence");
    let sheet = revdesk::io::sheet::read(&files[1]).expect("reads");
    sheet.verify().expect("signature");
    sheet
        .check(&a.batch, &a.profile)
        .expect("fits batch and rubric");
    assert_eq!(sheet.sequence, 2);
    assert_eq!(sheet.expert.id, "wang");
    let one = sheet.item("RE-001").expect("item");
    assert_eq!(one.scores["originality"], 9.0);
    assert!(!one.flagged);
    // The sixth score moved on to RE-002, which `m` flagged.
    assert!(sheet.item("RE-002").expect("item").flagged);
}

#[test]
fn backspace_cannot_change_a_recused_nomination() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    typed(&mut a, "8\n");
    key(&mut a, KeyCode::Char('x'));
    typed(&mut a, "合作单位\n");
    assert_eq!(a.status("RE-001"), ItemStatus::Recused);
    key(&mut a, KeyCode::Char('h'));
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Delete);
    assert_eq!(
        stored(&a, "RE-001", "feasibility"),
        Some(8.0),
        "kept under the recusal"
    );
    assert!(
        matches!(a.message, Some((Level::Warn, _))),
        "{:?}",
        a.message
    );
}

#[test]
fn typed_digits_never_land_on_another_nomination() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    // Type on RE-001, then search RE-003 and press Enter twice: nothing may reach RE-003.
    typed(&mut a, "7");
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "RE-003");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.current().map(|i| i.id.as_str()), Some("RE-003"));
    assert!(a.input.is_empty(), "typed digits dropped with a message");
    key(&mut a, KeyCode::Enter);
    assert_eq!(stored(&a, "RE-003", "feasibility"), None);
    assert_eq!(stored(&a, "RE-001", "feasibility"), None);

    // Focus and scroll belong to a nomination too: a filter that moves the selection resets them.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('g'));
    key(&mut a, KeyCode::Char('f'));
    assert_eq!(a.filter, Filter::Todo);
    key(&mut a, KeyCode::Char('l'));
    key(&mut a, KeyCode::Char('l'));
    // No drawing needed first: update knows how far the material scrolls.
    key(&mut a, KeyCode::PageDown);
    assert_eq!(a.crit, 2);
    assert!(a.scroll > 0);
    key(&mut a, KeyCode::Char('x'));
    typed(&mut a, "同事\n");
    assert_eq!(a.current().map(|i| i.id.as_str()), Some("RE-002"));
    assert_eq!((a.crit, a.scroll), (0, 0));

    // Moving on with j drops typed digits with a message rather than silently.
    typed(&mut a, "5");
    key(&mut a, KeyCode::Char('j'));
    assert!(a.input.is_empty());
    assert!(
        matches!(&a.message, Some((Level::Warn, m)) if m.contains('5')),
        "{:?}",
        a.message
    );
    assert_eq!(stored(&a, "RE-002", "feasibility"), None);
}

#[test]
fn help_scroll_stops_at_the_end() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    a.size = (80, 24);
    key(&mut a, KeyCode::Char('?'));
    for _ in 0..100 {
        key(&mut a, KeyCode::Char('j'));
    }
    let Mode::Help { scroll: bottom } = a.mode else {
        panic!("help closed");
    };
    assert!(bottom > 0 && bottom < 100, "{bottom}");
    key(&mut a, KeyCode::Char('k'));
    assert!(matches!(a.mode, Mode::Help { scroll } if scroll == bottom - 1));
    // From the top, PgDn moves a page, not one line.
    key(&mut a, KeyCode::Char('?'));
    key(&mut a, KeyCode::Char('?'));
    assert!(matches!(a.mode, Mode::Help { scroll: 0 }));
    key(&mut a, KeyCode::PageDown);
    let Mode::Help { scroll: paged } = a.mode else {
        panic!("help closed");
    };
    assert!(paged > 1, "{paged}");
}

#[test]
fn contacts_hide_again_and_the_last_nomination_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    key(&mut a, KeyCode::Char('i'));
    assert!(a.show_contacts);
    key(&mut a, KeyCode::Char('j'));
    assert!(
        !a.show_contacts,
        "personal data stays hidden on the next nomination"
    );
    key(&mut a, KeyCode::Char('G'));
    typed(&mut a, "1\n2\n3\n4\n5\n6\n");
    assert_eq!(a.crit, 0);
    assert!(
        matches!(&a.message, Some((Level::Info, m)) if m.contains("最后")),
        "{:?}",
        a.message
    );
}

#[test]
fn the_reading_pane_marks_codes_that_are_not_in_the_table() {
    // Validation keeps unknown and too-coarse codes as written; the pane must show them.
    let dir = tempfile::tempdir().expect("tempdir");
    let a = new_app(dir.path());
    let mut it = a.batch.items[0].clone();
    it.industry = vec!["4620".into(), "C39".into(), "9999".into()];
    let text: String = revdesk::tui::scoring::reading::build(&a, &it, 100)
        .iter()
        .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
        .collect();
    assert!(text.contains("D4620 污水处理及其再生利用"), "{text}");
    assert!(
        text.contains("C39 计算机、通信和其他电子设备制造业（大类，过粗）"),
        "{text}"
    );
    assert!(text.contains("9999（不是 GB/T 4754-2017 代码）"), "{text}");
}

#[test]
fn a_search_scrolls_the_material_to_its_first_hit() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    a.size = (80, 24);
    // A phrase from deep in RE-001's material, not in its name.
    let it = a.batch.items[0].clone();
    let deep: String = it.benefits.chars().skip(20).take(6).collect();
    assert!(!it.name.contains(&deep));
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, &deep);
    assert_eq!(a.current().map(|i| i.id.as_str()), Some("RE-001"));
    assert!(a.scroll > 0, "the material scrolled to the hit");
    let lines = a.reading_lines_for(
        a.panes(ratatui::layout::Rect::new(0, 0, 80, 24))
            .reading
            .width
            - 2,
    );
    let shown: String = lines
        .iter()
        .skip(a.scroll)
        .take(5)
        .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
        .collect();
    // The hit may wrap across two lines (with the indent between): it is in view.
    let compact: String = shown.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(compact.contains(&deep), "{deep:?} not in {shown}");
}

#[test]
fn recusing_a_scored_nomination_still_gives_a_valid_sheet() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    // Scores first, then a conflict of interest is noticed.
    typed(&mut a, "8\n7\n");
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Char('g'));
    key(&mut a, KeyCode::Char('x'));
    typed(&mut a, "申报单位的兼职教授\n");
    assert_eq!(a.status("RE-001"), ItemStatus::Recused);
    key(&mut a, KeyCode::Char('S'));
    let file = std::fs::read_dir(dir.path().join("sheets"))
        .expect("sheets dir")
        .map(|e| e.expect("entry").path())
        .next()
        .expect("a sheet");
    let sheet = revdesk::io::sheet::read(&file).expect("reads");
    sheet.verify().expect("signature");
    sheet
        .check(&a.batch, &a.profile)
        .expect("a recused nomination carries no scores, so the chair accepts the sheet");
    let one = sheet.item("RE-001").expect("item");
    assert!(one.recused && one.scores.is_empty());
    // The store still has them: withdrawing the recusal brings them back.
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(8.0));
    key(&mut a, KeyCode::Char('x'));
    assert!(matches!(a.status("RE-001"), ItemStatus::Partial(2)));
}

#[test]
fn nothing_changes_behind_the_too_small_notice() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    typed(&mut a, "7\n");
    a.handle_event(Event::Resize(40, 10));
    typed(&mut a, "jj3\n");
    key(&mut a, KeyCode::Char('x'));
    key(&mut a, KeyCode::Char('m'));
    assert_eq!(a.selected, 0);
    assert_eq!(stored(&a, "RE-001", "novelty"), None);
    assert!(!a.flagged("RE-001"));
    assert!(matches!(a.mode, Mode::Normal));
    // Growing back restores the view as it was; q still quits while small.
    a.handle_event(Event::Resize(80, 24));
    assert_eq!((a.selected, a.crit), (0, 1));
    a.handle_event(Event::Resize(40, 10));
    key(&mut a, KeyCode::Char('q'));
    assert!(a.quit);
}

#[test]
fn esc_and_a_digit_in_one_burst_are_two_keys() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    // `5`, then Esc and 8 arriving together (the terminal reports Alt-8), then Enter.
    typed(&mut a, "5");
    a.handle_event(Event::Key(KeyEvent::new(
        KeyCode::Char('8'),
        KeyModifiers::ALT,
    )));
    key(&mut a, KeyCode::Enter);
    assert_eq!(stored(&a, "RE-001", "feasibility"), Some(8.0));
    assert_eq!(a.crit, 1);
}

#[test]
fn slash_starts_a_new_search() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "RE-003");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "RE-005");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.query, "RE-005");
    assert_eq!(a.current().map(|i| i.id.as_str()), Some("RE-005"));
}

#[test]
fn the_wrapped_material_cache_stays_small_over_a_whole_batch() {
    // The full 资源环境 batch: 46 nominations, far more than the cache holds.
    let dir = tempfile::tempdir().expect("dir");
    let (profile, batch) = common::batch("batches/resources-environment.json");
    let store = revdesk::store::Store::open(dir.path()).expect("store");
    store.ensure_expert("wang", None).expect("expert");
    store
        .register_batch(&batch.hash, "demo", "resources-environment", &batch.ids())
        .expect("register");
    let settings = revdesk::tui::scoring::Settings {
        expert: "wang".into(),
        expert_name: "wang".into(),
        lang: Lang::Zh,
        theme: Theme::default(),
        keymap: Default::default(),
        submit_dir: None,
    };
    let mut a = App::new(profile, batch, store, settings).expect("app");
    assert!(a.batch.items.len() > 4 * revdesk::tui::scoring::READING_CACHE_ENTRIES);
    a.set_size(120, 35);
    let mut backend =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 35)).expect("terminal");
    let mut most = 0;
    for _ in 0..a.batch.items.len() {
        revdesk::tui::render_to(&mut backend, &a).expect("draw");
        a.settle();
        most = most.max(a.cached_readings());
        key(&mut a, KeyCode::Char('j'));
    }
    assert!(most >= 1, "the material is cached");
    assert!(
        most <= revdesk::tui::scoring::READING_CACHE_ENTRIES,
        "{most} nominations cached"
    );
}

/// The marks and the progress count the view keeps from each change stay what a full load
/// and a full count give, whatever this session and another one write, undo or recuse.
#[test]
fn marks_kept_from_changes_match_the_store() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = new_app(dir.path());
    let other = revdesk::store::Store::open(dir.path()).expect("second handle");
    let recount = |a: &App| {
        a.batch
            .items
            .iter()
            .filter(|i| matches!(a.status(&i.id), ItemStatus::Done(_) | ItemStatus::Recused))
            .count()
    };
    let ids: Vec<String> = a.batch.items.iter().map(|i| i.id.clone()).collect();
    let crits: Vec<String> = a.criteria().iter().map(|c| c.key.clone()).collect();
    let mut changed_by_other = 0;
    for step in 0..120usize {
        match step % 7 {
            // Keys of this session: scores, a clear, undo, a recusal and its withdrawal.
            0..=2 => typed(&mut a, &format!("{}\n", step % 10)),
            3 => key(&mut a, KeyCode::Backspace),
            4 if step % 3 == 0 => key(&mut a, KeyCode::Char('u')),
            4 => {
                key(&mut a, KeyCode::Char('x'));
                typed(&mut a, "同单位\n");
            }
            // Another session scores (completing nominations) and undoes.
            5 => {
                let id = &ids[step % ids.len()];
                let all: Vec<_> = crits
                    .iter()
                    .map(|c| revdesk::store::Change::score(id.as_str(), c.as_str(), Some(5.0)))
                    .collect();
                other
                    .apply("wang", &a.batch.hash, &all, Source::Keyboard)
                    .expect("write");
                changed_by_other += 1;
                assert!(a.poll_store(), "step {step}: picked up");
            }
            _ => {
                other.undo("wang", &a.batch.hash).expect("undo");
                a.poll_store();
            }
        }
        let loaded = a.store().load(&a.expert, &a.batch.hash).expect("load");
        assert_eq!(a.scores, loaded, "step {step}");
        assert_eq!(a.progress().0, recount(&a), "step {step}");
    }
    assert!(changed_by_other > 10);
    assert!(a.progress().0 > 0, "some nominations finished");
}
