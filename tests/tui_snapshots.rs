//! Snapshot tests of the scoring view (TestBackend + insta) and cell-style assertions.

mod common;

use common::{app, text};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;
use revdesk::tui::app::App;
use revdesk::tui::i18n::Lang;
use revdesk::tui::render_to;
use revdesk::tui::theme::Theme;

fn key(app: &mut App, code: KeyCode) {
    app.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn chars(app: &mut App, s: &str) {
    for c in s.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        key(app, code);
    }
}

fn screen(app: &mut App, w: u16, h: u16) -> (String, ratatui::buffer::Buffer) {
    app.size = (w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    render_to(&mut t, app).expect("draw");
    let buf = t.backend().buffer().clone();
    (text(&buf), buf)
}

/// Two nominations scored, one partly, a comment and a flag: the everyday screen.
fn scored(dir: &std::path::Path, lang: Lang) -> App {
    let mut a = app(dir, lang, Theme::default());
    chars(&mut a, "8\n7\n9\n6\n8\n7\n");
    chars(&mut a, "5\n6\n");
    a.update(revdesk::tui::action::Action::Flag);
    a.message = None;
    a
}

#[test]
fn main_view_80x24() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = scored(dir.path(), Lang::Zh);
    let (s, _) = screen(&mut a, 80, 24);
    insta::assert_snapshot!("main_80x24_zh", s);
}

#[test]
fn main_view_160x48() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = scored(dir.path(), Lang::Zh);
    let (s, _) = screen(&mut a, 160, 48);
    insta::assert_snapshot!("main_160x48_zh", s);
}

#[test]
fn main_view_english_160x48() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = scored(dir.path(), Lang::En);
    let (s, _) = screen(&mut a, 160, 48);
    insta::assert_snapshot!("main_160x48_en", s);
}

#[test]
fn narrow_list_tab_80x24() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = scored(dir.path(), Lang::Zh);
    a.update(revdesk::tui::action::Action::ToggleList);
    let (s, _) = screen(&mut a, 80, 24);
    insta::assert_snapshot!("list_tab_80x24", s);
}

#[test]
fn recused_nomination() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    key(&mut a, KeyCode::Char('x'));
    chars(&mut a, "本人为申报单位兼职教授\n");
    let (s, _) = screen(&mut a, 80, 24);
    assert!(s.contains("已回避"), "{s}");
    insta::assert_snapshot!("recused_80x24", s);
    let (s, _) = screen(&mut a, 160, 48);
    insta::assert_snapshot!("recused_160x48", s);
}

#[test]
fn comment_editor() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    key(&mut a, KeyCode::Char('c'));
    a.handle_event(Event::Paste(
        "技术路线清晰，中试数据充分。\n建议会上讨论 MVR 能耗指标。".into(),
    ));
    let (s, _) = screen(&mut a, 80, 24);
    insta::assert_snapshot!("comment_80x24", s);
    let (s, _) = screen(&mut a, 160, 48);
    insta::assert_snapshot!("comment_160x48", s);
}

#[test]
fn help_overlay() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    key(&mut a, KeyCode::Char('?'));
    let (s, _) = screen(&mut a, 80, 24);
    insta::assert_snapshot!("help_80x24", s);
    let (s, _) = screen(&mut a, 160, 48);
    insta::assert_snapshot!("help_160x48", s);
}

#[test]
fn too_small() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    for (w, h) in [(40, 10), (59, 24), (80, 14), (1, 1), (0, 0)] {
        let (s, _) = screen(&mut a, w, h);
        if w >= 20 {
            assert!(s.contains("终端太小"), "{w}x{h}: {s}");
        }
    }
    let (s, _) = screen(&mut a, 40, 10);
    insta::assert_snapshot!("too_small_40x10", s);
}

#[test]
fn selection_and_focus_styles() {
    let dir = tempfile::tempdir().expect("dir");
    let theme = Theme::default();
    let mut a = app(dir.path(), Lang::Zh, theme.clone());
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Tab);
    let (s, buf) = screen(&mut a, 160, 48);
    // The selected list row (2nd nomination) carries the selection style.
    let row = s
        .lines()
        .position(|l| l.contains("> RE-002"))
        .expect("selected row");
    let bx = s
        .lines()
        .nth(row)
        .and_then(|l| l.find("RE-002"))
        .expect("id");
    let cell = &buf[(char_col(&s, row, bx), row as u16)];
    assert_eq!(cell.bg, theme.selected.bg.unwrap_or(cell.bg));
    assert!(
        cell.modifier.contains(theme.selected.add_modifier),
        "{cell:?}"
    );
    // The focused criterion (先进性 after Tab) carries the focus style.
    let frow = s
        .lines()
        .position(|l| l.contains("> 先进性"))
        .expect("focused row");
    let fx = s
        .lines()
        .nth(frow)
        .and_then(|l| l.find("> 先进性"))
        .expect("x");
    let fcell = &buf[(char_col(&s, frow, fx), frow as u16)];
    assert!(
        fcell.modifier.contains(theme.focus.add_modifier),
        "{fcell:?}"
    );
}

#[test]
fn no_color_keeps_selection_visible() {
    let dir = tempfile::tempdir().expect("dir");
    let theme = Theme::default().without_color();
    let mut a = app(dir.path(), Lang::Zh, theme);
    let (s, buf) = screen(&mut a, 160, 48);
    let mut saw_selection = false;
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert_eq!(c.fg, ratatui::style::Color::Reset, "colour at {x},{y}");
            assert_eq!(c.bg, ratatui::style::Color::Reset, "colour at {x},{y}");
            if c.modifier.intersects(Modifier::REVERSED | Modifier::BOLD) {
                saw_selection = true;
            }
        }
    }
    assert!(saw_selection, "{s}");
    let row = s
        .lines()
        .position(|l| l.contains("> RE-001"))
        .expect("selected row");
    let bx = s
        .lines()
        .nth(row)
        .and_then(|l| l.find("RE-001"))
        .expect("id");
    assert!(
        buf[(char_col(&s, row, bx), row as u16)]
            .modifier
            .intersects(Modifier::REVERSED | Modifier::BOLD)
    );
}

/// The cell column of a byte offset in a text row (wide characters take two cells).
fn char_col(s: &str, row: usize, byte: usize) -> u16 {
    let line = s.lines().nth(row).unwrap_or("");
    unicode_width::UnicodeWidthStr::width(&line[..byte]) as u16
}

#[test]
fn the_real_cursor_follows_chinese_input_in_the_editor() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    key(&mut a, KeyCode::Char('c'));
    a.handle_event(Event::Paste("第一行\n中文ab".into()));
    a.size = (80, 24);
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    render_to(&mut t, &a).expect("draw");
    let s = text(t.backend().buffer());
    // Where the editor's text starts on screen.
    let row = s
        .lines()
        .position(|l| l.contains("第一行"))
        .expect("editor row") as u16;
    let line = s.lines().nth(row.into()).expect("line");
    let col = char_col(&s, row.into(), line.find("第一行").expect("x"));
    let pos = t.backend_mut().get_cursor_position().expect("cursor");
    // After "中文ab" on the second line: 2 wide characters + 2 narrow = 6 cells.
    assert_eq!((pos.x, pos.y), (col + 6, row + 1));
    // Typing moves it on by the character's width.
    key(&mut a, KeyCode::Char('字'));
    render_to(&mut t, &a).expect("draw");
    let pos = t.backend_mut().get_cursor_position().expect("cursor");
    assert_eq!((pos.x, pos.y), (col + 8, row + 1));
}
