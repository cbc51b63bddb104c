//! Snapshot tests of the scoring view (TestBackend + insta) and cell-style assertions.

mod common;

use common::{app, text};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use revdesk::tui::i18n::Lang;
use revdesk::tui::render_to;
use revdesk::tui::scoring::App;
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
    a.update(revdesk::tui::scoring::Action::Flag);
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
    a.update(revdesk::tui::scoring::Action::ToggleList);
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

/// The style of the cell where `needle` starts on the first row containing it.
fn style_at(s: &str, buf: &ratatui::buffer::Buffer, needle: &str) -> (Style, u16, u16) {
    let row = s
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{s}"));
    let bx = s.lines().nth(row).and_then(|l| l.find(needle)).unwrap_or(0);
    let x = char_col(s, row, bx);
    let c = &buf[(x, row as u16)];
    (
        Style::default().fg(c.fg).bg(c.bg).add_modifier(c.modifier),
        x,
        row as u16,
    )
}

#[test]
fn selection_and_focus_styles() {
    let dir = tempfile::tempdir().expect("dir");
    let theme = Theme::default();
    let mut a = app(dir.path(), Lang::Zh, theme.clone());
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Tab);
    let (s, buf) = screen(&mut a, 160, 48);
    // The selected list row (2nd nomination) carries the theme's selection style, and
    // looks different from the row above it.
    let (sel, _, _) = style_at(&s, &buf, "> RE-002");
    let (other, _, _) = style_at(&s, &buf, "  RE-001");
    let want = Style::default().patch(theme.text).patch(theme.selected);
    assert_eq!(sel.bg, want.bg, "selection background");
    assert!(sel.add_modifier.contains(theme.selected.add_modifier));
    assert_ne!(sel, other, "the selection must be visible");
    // The focused criterion (先进性 after Tab) carries the focus style; 可行性 does not.
    let (foc, _, _) = style_at(&s, &buf, "> 先进性");
    let (unfoc, _, _) = style_at(&s, &buf, "  可行性");
    if let Some(bg) = theme.focus.bg {
        assert_eq!(foc.bg, Some(bg), "focus background");
    }
    if let Some(fg) = theme.focus.fg {
        assert_eq!(foc.fg, Some(fg), "focus foreground");
    }
    assert!(foc.add_modifier.contains(theme.focus.add_modifier));
    assert_ne!(foc, unfoc, "the focus must be visible");
}

#[test]
fn no_color_keeps_selection_visible() {
    let dir = tempfile::tempdir().expect("dir");
    let theme = Theme::default().without_color();
    let mut a = app(dir.path(), Lang::Zh, theme);
    let (s, buf) = screen(&mut a, 160, 48);
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert_eq!(c.fg, ratatui::style::Color::Reset, "colour at {x},{y}");
            assert_eq!(c.bg, ratatui::style::Color::Reset, "colour at {x},{y}");
        }
    }
    // Without colour, selection and focus still show, through reverse or bold alone.
    let marked = |st: Style| {
        st.add_modifier
            .intersects(Modifier::REVERSED | Modifier::BOLD)
    };
    let (sel, _, _) = style_at(&s, &buf, "> RE-001");
    let (other, _, _) = style_at(&s, &buf, "  RE-002");
    assert!(marked(sel), "selected row {sel:?}");
    assert!(
        !marked(other) || sel != other,
        "selected vs other {sel:?} {other:?}"
    );
    let (foc, _, _) = style_at(&s, &buf, "> 可行性");
    let (unfoc, _, _) = style_at(&s, &buf, "  先进性");
    assert!(marked(foc), "focused criterion {foc:?}");
    assert_ne!(foc, unfoc, "focus must differ from an unfocused criterion");
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

#[test]
fn the_comment_shows_at_80x24() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    key(&mut a, KeyCode::Char('c'));
    a.handle_event(Event::Paste(
        "技术路线清晰，建议会上重点讨论产业化风险".into(),
    ));
    key(&mut a, KeyCode::Esc);
    let (s, _) = screen(&mut a, 80, 24);
    assert!(s.contains("评语"), "{s}");
    assert!(s.contains("技术路线清晰"), "{s}");
    // The status bar keeps the help key in view at 80 columns.
    let status = s.lines().last().unwrap_or("");
    assert!(status.contains("? 帮助"), "{status}");
}

#[test]
fn the_recusal_prompt_and_the_list_have_their_own_key_bars() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    let (s, _) = screen(&mut a, 160, 48);
    let last = |s: &str| s.lines().last().unwrap_or_default().to_string();
    assert!(
        last(&s).contains("0-9 打分  j/k 移动  Tab 指标  c 评语  x 回避  m 讨论  u 撤销  q 退出"),
        "{s}"
    );
    key(&mut a, KeyCode::Char('x'));
    let (s, _) = screen(&mut a, 160, 48);
    assert!(last(&s).contains("Enter 确认回避  Esc 取消"), "{s}");
    assert!(
        !last(&s).contains("0-9"),
        "digits do not score at the prompt: {s}"
    );
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('c'));
    let (s, _) = screen(&mut a, 160, 48);
    assert!(last(&s).contains("Esc 保存并关闭  Enter 换行"), "{s}");
}
