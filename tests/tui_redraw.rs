//! Incremental redraws over wide characters leave no stale halves: after moving the
//! selection and scrolling over Chinese text, the screen a terminal shows (all diffs
//! applied) equals a fresh full render of the same state.

mod common;

use common::{Shared, app};
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use revdesk::tui::i18n::Lang;
use revdesk::tui::render_to;
use revdesk::tui::scoring::App;
use revdesk::tui::theme::Theme;
use std::num::NonZeroU16;

fn terminal(w: u16, h: u16, out: &Shared) -> Terminal<CrosstermBackend<Shared>> {
    Terminal::with_options(
        CrosstermBackend::new(out.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )
    .expect("terminal")
}

fn parser(w: u16, h: u16) -> vt100::Parser {
    let nz = |n: u16| NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN);
    vt100::Parser::new(nz(h), nz(w), 0)
}

fn press(a: &mut App, code: KeyCode) {
    a.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn check(w: u16, h: u16, keys: &[KeyCode]) {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    a.size = (w, h);
    let out = Shared::default();
    let mut live = terminal(w, h, &out);
    let mut screen = parser(w, h);
    let mut bytes_per_key = Vec::new();
    render_to(&mut live, &a).expect("draw");
    for k in keys {
        press(&mut a, *k);
        let before = out.len();
        render_to(&mut live, &a).expect("draw");
        bytes_per_key.push(out.len() - before);
    }
    screen.process(&out.bytes());

    let fresh_out = Shared::default();
    let mut fresh = terminal(w, h, &fresh_out);
    render_to(&mut fresh, &a).expect("draw");
    let mut clean = parser(w, h);
    clean.process(&fresh_out.bytes());
    assert_eq!(
        screen.screen().contents(),
        clean.screen().contents(),
        "{w}x{h}: incremental screen differs from a fresh render"
    );
    for row in 0..h {
        for col in 0..w {
            let (x, y) = (
                screen.screen().cell(row, col),
                clean.screen().cell(row, col),
            );
            // A blank written as " " and a never-written cell look the same.
            let norm = |c: &vt100::Cell| {
                let s = c.contents();
                let s = if s.is_empty() { " " } else { s };
                (s.to_string(), c.is_wide(), c.is_wide_continuation())
            };
            assert_eq!(x.map(norm), y.map(norm), "{w}x{h}: cell {row},{col}");
        }
    }
    // Moving the selection redraws what changed, not the whole screen.
    let full = fresh_out.len();
    let j = bytes_per_key[0];
    assert!(j < full, "a j press sent {j} bytes, a full frame is {full}");
}

#[test]
fn moving_and_scrolling_over_chinese_text() {
    use KeyCode::*;
    let keys = [
        Char('j'),
        Char('j'),
        PageDown,
        PageDown,
        Char('k'),
        PageDown,
        Char('G'),
        PageUp,
        Char('g'),
        Char('i'),
        PageDown,
        Char('v'),
        Char('j'),
        Char('v'),
        Tab,
        Tab,
        BackTab,
        Char('?'),
        Esc,
        Char('c'),
        Esc,
        Char('/'),
        Char('水'),
        Enter,
        Char('j'),
    ];
    check(80, 24, &keys);
    check(160, 48, &keys);
    check(97, 31, &keys);
}
