//! What the lean backend (`src/tui/term/lean.rs`) sends: after every frame the terminal shows
//! exactly what the view drew (ratatui's buffer of the same state), and a keystroke costs at most 1.25 times the
//! minimal screen diff.

mod common;

use common::{Shared, app};
use ratatui::Terminal;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use revdesk::tui::i18n::Lang;
use revdesk::tui::lean::Lean;
use revdesk::tui::scoring::App;
use revdesk::tui::theme::Theme;
use revdesk::tui::{LeanTerminal, render_lean, render_to};
use std::num::NonZeroU16;
use unicode_width::UnicodeWidthStr;

fn parser(w: u16, h: u16) -> vt100::Parser {
    let nz = |n: u16| NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN);
    vt100::Parser::new(nz(h), nz(w), 0)
}

fn press(a: &mut App, code: KeyCode) {
    a.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// What the view draws for the state (ratatui's buffer), as a terminal should show it.
fn fresh(a: &App, w: u16, h: u16) -> Vec<Vec<Look>> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    render_to(&mut t, a).expect("draw");
    let buf = t.backend().buffer();
    let colour = |c: Color| match c {
        Color::Reset => vt100::Color::Default,
        Color::Black => vt100::Color::Idx(0),
        Color::Red => vt100::Color::Idx(1),
        Color::Green => vt100::Color::Idx(2),
        Color::Yellow => vt100::Color::Idx(3),
        Color::Blue => vt100::Color::Idx(4),
        Color::Magenta => vt100::Color::Idx(5),
        Color::Cyan => vt100::Color::Idx(6),
        Color::Gray => vt100::Color::Idx(7),
        Color::DarkGray => vt100::Color::Idx(8),
        Color::LightRed => vt100::Color::Idx(9),
        Color::LightGreen => vt100::Color::Idx(10),
        Color::LightYellow => vt100::Color::Idx(11),
        Color::LightBlue => vt100::Color::Idx(12),
        Color::LightMagenta => vt100::Color::Idx(13),
        Color::LightCyan => vt100::Color::Idx(14),
        Color::White => vt100::Color::Idx(15),
        Color::Indexed(n) => vt100::Color::Idx(n),
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
    };
    (0..h)
        .map(|y| {
            let mut hidden = 0;
            (0..w)
                .map(|x| {
                    if hidden > 0 {
                        hidden -= 1;
                        let plain = vt100::Color::Default;
                        return (" ".to_string(), false, true, plain, plain, [false; 5]);
                    }
                    let c = &buf[(x, y)];
                    let text = match c.symbol() {
                        "" => " ",
                        s => s,
                    };
                    let wide = text.width() > 1;
                    hidden = text.width().saturating_sub(1);
                    let m = c.modifier;
                    (
                        text.to_string(),
                        wide,
                        false,
                        colour(c.fg),
                        colour(c.bg),
                        [
                            m.contains(Modifier::BOLD),
                            m.contains(Modifier::DIM),
                            m.contains(Modifier::ITALIC),
                            m.contains(Modifier::UNDERLINED),
                            m.contains(Modifier::REVERSED),
                        ],
                    )
                })
                .collect()
        })
        .collect()
}

/// What a cell shows: text (a never-written cell and a blank alike), width, colours and
/// attributes.
type Look = (String, bool, bool, vt100::Color, vt100::Color, [bool; 5]);

fn look(c: &vt100::Cell) -> Look {
    let s = c.contents();
    (
        if s.is_empty() { " " } else { s }.to_string(),
        c.is_wide(),
        c.is_wide_continuation(),
        c.fgcolor(),
        c.bgcolor(),
        [c.bold(), c.dim(), c.italic(), c.underline(), c.inverse()],
    )
}

fn looks(p: &vt100::Parser) -> Vec<Vec<Look>> {
    let (h, w) = p.screen().size();
    (0..h.get())
        .map(|r| {
            (0..w.get())
                .map(|c| p.screen().cell(r, c).map(look).expect("cell"))
                .collect()
        })
        .collect()
}

/// Asserts that a terminal shows what the view drew, naming the first cell that differs. A
/// cell both bold and dim may show either (vt100 keeps one intensity, the last set).
fn same(shown: &[Vec<Look>], want: &[Vec<Look>], what: &str) {
    for (r, (s, f)) in shown.iter().zip(want).enumerate() {
        for (c, (s, f)) in s.iter().zip(f).enumerate() {
            let mut f = f.clone();
            if f.5[0] && f.5[1] {
                f.5[0] = s.5[0];
                f.5[1] = s.5[1];
                assert!(s.5[0] != s.5[1], "{what}: cell {r},{c} bold or dim");
            }
            assert_eq!(*s, f, "{what}: cell {r},{c}");
        }
    }
}

/// The parameters of one SGR colour in its shortest form.
fn colour_len(c: vt100::Color) -> usize {
    match c {
        vt100::Color::Default => 2,
        vt100::Color::Idx(n) if n < 16 => 2,
        vt100::Color::Idx(n) => 5 + n.to_string().len(),
        vt100::Color::Rgb(r, g, b) => {
            7 + [r, g, b].iter().map(|v| v.to_string().len()).sum::<usize>()
        }
    }
}

/// The minimal screen diff from `before` to `after`, in bytes. The changed cells of each row
/// (text, colours or attributes differ; a wide character with its second half) form runs of
/// adjacent cells, written left to right, top to bottom. Each run costs:
/// - reaching its first cell from where the previous run left the cursor: nothing when it is
///   there, else the shortest of an address `ESC[r;cH`, a step forward `ESC[nC` on the same
///   row, and `CR LF` plus a step forward on the next row (the first run: an address);
/// - its text, the UTF-8 bytes of each cell (a blank is one byte);
/// - before each cell whose colours or attributes differ from the previous cell written (the
///   first: from plain), one `ESC[…m` with a parameter per change: an attribute on or off
///   (one digit, two for off), a colour in its shortest form (`3n`, `9n`, `39`, `38;5;n`,
///   `38;2;r;g;b`), parameters joined by `;`.
fn minimal_diff(before: &[Vec<Look>], after: &[Vec<Look>]) -> usize {
    let mut bytes = 0;
    let mut cursor: Option<(usize, usize)> = None;
    let mut pen: (vt100::Color, vt100::Color, [bool; 5]) =
        (vt100::Color::Default, vt100::Color::Default, [false; 5]);
    for (y, (b, a)) in before.iter().zip(after).enumerate() {
        let mut x = 0;
        while x < a.len() {
            let cell = &a[x];
            let changed = b[x] != *cell || (cell.1 && b.get(x + 1) != a.get(x + 1));
            if !changed || cell.2 {
                x += 1;
                continue;
            }
            let forward = |n: usize| if n == 1 { 3 } else { 3 + n.to_string().len() };
            let address = 4 + (y + 1).to_string().len() + (x + 1).to_string().len();
            bytes += match cursor {
                Some(c) if c == (x, y) => 0,
                Some((cx, cy)) if cy == y && cx < x => forward(x - cx).min(address),
                Some((_, cy)) if cy + 1 == y => {
                    (2 + if x == 0 { 0 } else { forward(x) }).min(address)
                }
                _ => address,
            };
            let want = (cell.3, cell.4, cell.5);
            if want != pen {
                let mut params = Vec::new();
                for i in 0..5 {
                    if want.2[i] != pen.2[i] {
                        params.push(if want.2[i] { 1 } else { 2 });
                    }
                }
                if want.0 != pen.0 {
                    params.push(colour_len(want.0));
                }
                if want.1 != pen.1 {
                    params.push(colour_len(want.1));
                }
                bytes += 3 + params.iter().sum::<usize>() + params.len() - 1;
                pen = want;
            }
            bytes += cell.0.len();
            let w = if cell.1 { 2 } else { 1 };
            cursor = Some((x + w, y));
            x += w;
        }
    }
    bytes
}

/// Drives the demo through `keys` at `w`×`h`, a lean frame after each; checks that the
/// terminal fed every lean frame shows what a fresh render shows, cell by cell; returns per
/// key the lean frame's bytes and the minimal diff from the screen before.
fn drive(w: u16, h: u16, keys: &[KeyCode]) -> Vec<(usize, usize)> {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    a.size = (w, h);
    let out = Shared::default();
    // As a session draws: whole frames painted by the lean backend.
    let mut t = LeanTerminal::fixed(
        Lean::new(CrosstermBackend::new(out.clone())),
        Rect::new(0, 0, w, h),
    )
    .expect("terminal");
    let mut screen = parser(w, h);
    render_lean(&mut t, &a).expect("draw");
    screen.process(&out.take());
    let mut before = fresh(&a, w, h);
    same(
        &looks(&screen),
        &before,
        &format!("{w}x{h}, the first frame"),
    );
    let mut sizes = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        press(&mut a, *k);
        render_lean(&mut t, &a).expect("draw");
        let frame = out.take();
        screen.process(&frame);
        let after = fresh(&a, w, h);
        same(&looks(&screen), &after, &format!("{w}x{h}, key {i} {k:?}"));
        sizes.push((frame.len(), minimal_diff(&before, &after)));
        before = after;
    }
    sizes
}

/// Keys that replace Chinese text with blanks and back (a popup opening and closing, a short
/// nomination after a long one, help over everything, a search narrowing the list), move,
/// scroll, score, and type into editors.
#[test]
fn every_lean_frame_shows_what_a_fresh_render_shows() {
    use KeyCode::*;
    let keys = [
        Char('7'),
        Enter,
        Char('j'),
        PageDown,
        PageDown,
        Char('k'),
        Char('G'),
        PageUp,
        Char('g'),
        Char('i'),
        PageDown,
        Char('v'),
        Char('j'),
        Char('v'),
        Tab,
        Char('8'),
        Char('.'),
        Char('5'),
        Enter,
        BackTab,
        Char('?'),
        PageDown,
        Esc,
        Char('c'),
        Char('好'),
        Char(' '),
        Char('a'),
        Esc,
        Char('x'),
        Char('亲'),
        Esc,
        Char('m'),
        Char('/'),
        Char('水'),
        Enter,
        Char('j'),
        Esc,
        Char('f'),
        Char('f'),
        Char('f'),
        Char('f'),
        Char('u'),
        Char('S'),
    ];
    for (w, h) in [(80, 24), (160, 48), (97, 31)] {
        let sizes = drive(w, h, &keys);
        assert_eq!(sizes.len(), keys.len());
    }
    // The golden test's sequence (tests/golden.rs).
    let golden = [
        Char('7'),
        Enter,
        Char('8'),
        Enter,
        Char('9'),
        Enter,
        Char('j'),
        PageDown,
        Char('k'),
        Char('c'),
        Char('好'),
        Esc,
        Char('x'),
        Esc,
        Char('m'),
        Char('?'),
        Esc,
        Char('G'),
    ];
    drive(80, 24, &golden);
}

/// The bytes of a typed digit, `Enter`, `j` and `PgDn` on the demo at 80×24 stay within 1.25
/// times the minimal screen diff (see [`minimal_diff`]).
#[test]
fn a_keystroke_costs_at_most_a_quarter_more_than_the_minimal_diff() {
    use KeyCode::*;
    let keys = [
        Char('7'),
        Enter,
        Char('j'),
        PageDown,
        Char('9'),
        Enter,
        Char('j'),
    ];
    let sizes = drive(80, 24, &keys);
    let mut report = String::new();
    for (k, (sent, min)) in keys.iter().zip(&sizes) {
        report.push_str(&format!(
            "{k:?}: {sent} bytes, minimal {min}, {:.2}x\n",
            *sent as f64 / *min as f64
        ));
    }
    for (k, (sent, min)) in keys.iter().zip(&sizes) {
        assert!(*min > 0, "{k:?} changed the screen\n{report}");
        assert!(
            *sent as f64 <= 1.25 * *min as f64,
            "{k:?} sent {sent} bytes against a minimal diff of {min}\n{report}"
        );
    }
    println!("{report}");
}
