//! Every built-in theme, as the views actually draw it, meets WCAG 2 contrast: text ≥ 4.5:1
//! against the colour behind it, borders ≥ 3:1, the focus marker (the selected nomination,
//! the focused criterion) ≥ 3:1 against the screen around it.
//!
//! Assumptions, since a theme names ANSI colours and the terminal decides what they look like:
//! - the 16 colours are xterm's default palette;
//! - "the terminal's own colours" (reset) are #e5e5e5 on #000000 on a dark terminal and
//!   #000000 on #ffffff on a light one;
//! - `default` is meant for dark terminals and `light` for light ones (the background probe
//!   picks between them); `high-contrast` paints its own black screen and `mono` has no
//!   colours, so both are checked on dark and light terminals alike;
//! - reverse video swaps the two colours; dim text is drawn two thirds of the way from the
//!   background to its colour (like 67 % opacity: on dark screens what VTE and Alacritty
//!   do; on light ones they darken instead, which only helps); bold changes no colour.

mod common;

use common::sheets::expert_sheet;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use revdesk::engine::Method;
use revdesk::store::Store;
use revdesk::tui::Screen;
use revdesk::tui::chair::{ChairApp, ChairSettings};
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::render_to;
use revdesk::tui::term::probe_bg::relative_luminance;
use revdesk::tui::theme::Theme;
use std::path::Path;

type Rgb = [u8; 3];

/// xterm's default palette for the 16 ANSI colours.
fn ansi(c: Color) -> Option<Rgb> {
    Some(match c {
        Color::Black => [0, 0, 0],
        Color::Red => [0xcd, 0, 0],
        Color::Green => [0, 0xcd, 0],
        Color::Yellow => [0xcd, 0xcd, 0],
        Color::Blue => [0, 0, 0xee],
        Color::Magenta => [0xcd, 0, 0xcd],
        Color::Cyan => [0, 0xcd, 0xcd],
        Color::Gray => [0xe5, 0xe5, 0xe5],
        Color::DarkGray => [0x7f, 0x7f, 0x7f],
        Color::LightRed => [0xff, 0, 0],
        Color::LightGreen => [0, 0xff, 0],
        Color::LightYellow => [0xff, 0xff, 0],
        Color::LightBlue => [0x5c, 0x5c, 0xff],
        Color::LightMagenta => [0xff, 0, 0xff],
        Color::LightCyan => [0, 0xff, 0xff],
        Color::White => [0xff, 0xff, 0xff],
        Color::Rgb(r, g, b) => [r, g, b],
        _ => return None,
    })
}

/// A terminal's own colours: (foreground, background).
#[derive(Debug, Clone, Copy)]
enum Term {
    Dark,
    Light,
}

impl Term {
    fn colors(self) -> (Rgb, Rgb) {
        match self {
            Term::Dark => ([0xe5, 0xe5, 0xe5], [0, 0, 0]),
            Term::Light => ([0, 0, 0], [0xff, 0xff, 0xff]),
        }
    }
}

/// The terminals each built-in is meant for.
fn meant_for(theme: &str) -> &'static [Term] {
    match theme {
        "default" => &[Term::Dark],
        "light" => &[Term::Light],
        _ => &[Term::Dark, Term::Light],
    }
}

fn contrast(a: Rgb, b: Rgb) -> f64 {
    let l = |c: Rgb| relative_luminance(c.map(|v| f64::from(v) / 255.0));
    let (x, y) = (l(a), l(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The colours a cell shows on `term`: (text, behind it).
fn shown(cell: &ratatui::buffer::Cell, term: Term) -> (Rgb, Rgb) {
    let (dfg, dbg) = term.colors();
    let pick = |c: Color, d: Rgb| ansi(c).unwrap_or(d);
    let (mut fg, mut bg) = (pick(cell.fg, dfg), pick(cell.bg, dbg));
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if cell.modifier.contains(Modifier::DIM) {
        for i in 0..3 {
            let (f, b) = (f64::from(fg[i]), f64::from(bg[i]));
            fg[i] = (b + (f - b) * 2.0 / 3.0).round() as u8;
        }
    }
    (fg, bg)
}

/// Checks every drawn cell of `buf`; the number of cells checked.
fn check(buf: &Buffer, theme: &str, what: &str, term: Term, failures: &mut Vec<String>) -> usize {
    let screen_bg = shown(&buf[(0, 1)], term).1;
    let mut checked = 0;
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            let Some(ch) = cell.symbol().chars().next() else {
                continue;
            };
            if ch.is_whitespace() {
                continue;
            }
            let (fg, bg) = shown(cell, term);
            let lines = ('\u{2500}'..='\u{259f}').contains(&ch);
            let need = if lines { 3.0 } else { 4.5 };
            let got = contrast(fg, bg);
            checked += 1;
            if got < need {
                let f = format!(
                    "{theme} on {term:?}, {what}: {:?} on {:?} {:?}: {got:.2} < {need}, e.g. {:?} at {x},{y}",
                    cell.fg,
                    cell.bg,
                    cell.modifier,
                    cell.symbol(),
                );
                // One line per colour pair: the first place it shows.
                let pair = f.split(", e.g.").next().unwrap_or("").to_string();
                if !failures.iter().any(|g| g.starts_with(&pair)) {
                    failures.push(f);
                }
            }
            // The focus marker: the band behind a ">" row stands out from the screen.
            if ch == '>' && bg != screen_bg {
                let band = contrast(bg, screen_bg);
                if band < 3.0 {
                    failures.push(format!(
                        "{theme} on {term:?}, {what}: focus band at {x},{y} {band:.2} < 3"
                    ));
                }
            }
        }
    }
    checked
}

/// Rows marked as selected or focused (">" on a band of its own): how many.
fn markers(buf: &Buffer) -> usize {
    let mut n = 0;
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let a = &buf[(x, y)];
            let band = a.bg != Color::Reset || a.modifier.contains(Modifier::REVERSED);
            if a.symbol() == ">" && band {
                n += 1;
            }
        }
    }
    n
}

/// Whether some cell is drawn in `style` (the colours it sets and at least its attributes).
fn shows(buf: &Buffer, style: ratatui::style::Style) -> bool {
    buf.content().iter().any(|c| {
        style.fg.is_none_or(|fg| c.fg == fg)
            && style.bg.is_none_or(|bg| c.bg == bg)
            && c.modifier.contains(style.add_modifier)
            && !c.symbol().trim().is_empty()
    })
}

fn render(app: &impl Screen, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    render_to(&mut t, app).expect("draw");
    t.backend().buffer().clone()
}

fn key(code: KeyCode) -> Event {
    let m = if matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Event::Key(KeyEvent::new(code, m))
}

/// The scoring view at its fullest: nominations scored, partly scored (the provisional
/// total), flagged; the rubric's active band and the focused criterion on screen.
fn scoring_screens(dir: &Path, theme: Theme) -> Vec<(&'static str, Buffer)> {
    let mut a = common::app(dir, Lang::En, theme);
    for c in "8\n7\n9\n6\n8\n7\n5\n6\n".chars() {
        a.handle_event(key(if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        }));
    }
    a.update(revdesk::tui::scoring::Action::Flag);
    // Back to a scored criterion: its rubric band is highlighted.
    a.handle_event(key(KeyCode::Up));
    a.size = (160, 48);
    let main = render(&a, 160, 48);
    a.handle_event(key(KeyCode::Char('?')));
    let help = render(&a, 160, 48);
    vec![("scoring view", main), ("scoring help", help)]
}

/// The chair's ranking with its cut line, a decision and the list out of range (the warning).
fn chair_screens(dir: &Path, theme: Theme) -> Vec<(&'static str, Buffer)> {
    let (profile, batch) = common::batch("batches/resources-environment-small.json");
    let sheets = dir.join("sheets");
    for e in 0..5 {
        expert_sheet(dir, &batch, &profile, e, None, &sheets);
    }
    let store = Store::open(&dir.join("chair")).expect("store");
    let settings = ChairSettings {
        chair: "chair".into(),
        lang: Lang::En,
        theme,
        keymap: KeyMap::default(),
        replicates: 50,
        seed: 1,
        panel: None,
        shortlist: Some((3, 5)),
        method: Method::Trimmed,
        trim_min: None,
    };
    let mut a = ChairApp::new(profile, batch, vec![sheets], store, settings).expect("opens");
    a.handle_event(key(KeyCode::Char('G')));
    a.handle_event(key(KeyCode::Char('I')));
    for c in "strong demonstration".chars() {
        a.handle_event(key(KeyCode::Char(c)));
    }
    a.handle_event(key(KeyCode::Enter));
    a.handle_event(key(KeyCode::Char('n')));
    a.handle_event(key(KeyCode::Char('g')));
    a.size = (160, 48);
    let ranking = render(&a, 160, 48);
    a.handle_event(key(KeyCode::Enter));
    let detail = render(&a, 160, 48);
    vec![("chair ranking", ranking), ("chair detail", detail)]
}

#[test]
fn every_builtin_theme_is_readable_where_it_is_meant_to_be_used() {
    let mut failures = Vec::new();
    for name in Theme::names() {
        let theme = Theme::builtin(name).expect("built-in");
        let dir = tempfile::tempdir().expect("dir");
        let mut screens = scoring_screens(&dir.path().join("s"), theme.clone());
        screens.extend(chair_screens(&dir.path().join("c"), theme.clone()));
        // What the issue named is on screen: the rubric's active band, the provisional total,
        // the key bar, the chair's cut line.
        let (main, ranking) = (&screens[0].1, &screens[2].1);
        assert!(shows(main, theme.band_active), "{name}: no active band");
        assert!(shows(main, theme.partial), "{name}: no provisional total");
        assert!(
            shows(main, theme.status.patch(theme.key)),
            "{name}: no key bar"
        );
        assert!(shows(ranking, theme.warn), "{name}: no cut line");
        for (what, buf) in &screens {
            for &term in meant_for(name) {
                let checked = check(buf, name, what, term, &mut failures);
                assert!(checked > 300, "{name}: {what} drew only {checked} cells");
            }
        }
        // The selected nomination and the focused criterion, and the chair's selected row.
        let shown = |b: &Buffer| common::text(b);
        assert!(
            markers(main) >= 2,
            "{name}: focus markers in:\n{}",
            shown(main)
        );
        assert!(
            markers(ranking) >= 1,
            "{name}: focus marker in:\n{}",
            shown(ranking)
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_contrast_formula_matches_wcag() {
    assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
    assert!((contrast([0x77, 0x77, 0x77], [255, 255, 255]) - 4.48).abs() < 0.01);
    assert!((contrast([1, 2, 3], [1, 2, 3]) - 1.0).abs() < 1e-9);
}
