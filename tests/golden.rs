//! Outputs recorded from the code before the layers refactor (commit ea5f993): the refactor
//! must not change a byte of them. `REVDESK_BLESS=1` rewrites the files (only for a change
//! that is meant to alter the outputs, named in its commit).

mod common;

use assert_cmd::Command;
use common::{Shared, app};
use ratatui::Terminal;
use ratatui::TerminalOptions;
use ratatui::Viewport;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use revdesk::tui::LeanTerminal;
use revdesk::tui::i18n::Lang;
use revdesk::tui::lean::Lean;
use revdesk::tui::scoring::App;
use revdesk::tui::theme::Theme;
use std::path::Path;

const BATCH: &str = "fixtures/batches/resources-environment.json";
const SHEETS: &str = "fixtures/golden/sheets";
const PANEL: &str = "fixtures/golden/panel.toml";

/// Compares `got` with the recorded file, or records it under `REVDESK_BLESS=1`.
fn check(name: &str, got: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/golden")
        .join(name);
    if std::env::var_os("REVDESK_BLESS").is_some() {
        std::fs::write(&path, got).expect("bless");
        return;
    }
    let want = std::fs::read(&path).expect("golden file");
    if want != got {
        let at = want
            .iter()
            .zip(got)
            .position(|(a, b)| a != b)
            .unwrap_or(want.len().min(got.len()));
        panic!(
            "{name}: output differs from the recorded one at byte {at} (recorded {} bytes, now {})",
            want.len(),
            got.len()
        );
    }
}

fn revdesk(args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("revdesk")
        .expect("binary")
        .env("LC_ALL", "en_US.UTF-8")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn rank_csv_is_unchanged() {
    let got = revdesk(&["rank", BATCH, SHEETS, "--panel", PANEL, "--format", "csv"]);
    check("rank-trimmed.csv", &got);
    let got = revdesk(&[
        "rank",
        BATCH,
        SHEETS,
        "--panel",
        PANEL,
        "--method",
        "calibrated",
        "--format",
        "csv",
    ]);
    check("rank-calibrated.csv", &got);
}

#[test]
fn export_json_and_markdown_are_unchanged() {
    let dir = tempfile::tempdir().expect("dir");
    for (format, name) in [("json", "export.json"), ("md", "export.md")] {
        let out = dir.path().join(name);
        let out_s = out.to_string_lossy().into_owned();
        revdesk(&[
            "export", BATCH, SHEETS, "--panel", PANEL, "--format", format, "-o", &out_s, "--force",
        ]);
        check(name, &std::fs::read(&out).expect("export"));
    }
}

/// How the frames reach the terminal.
#[derive(Clone, Copy)]
enum Through {
    /// ratatui's crossterm backend.
    Plain,
    /// revdesk's lean backend, from ratatui's diff.
    LeanDiff,
    /// revdesk's lean backend painting whole frames, as a session draws.
    LeanPainted,
}

/// The bytes the scoring view sends for a key sequence at 80×24, a frame after every key, and
/// where each frame ends.
fn scoring_view_frames_with(through: Through) -> (Vec<u8>, Vec<usize>) {
    let out = Shared::default();
    let area = Rect::new(0, 0, 80, 24);
    let options = || TerminalOptions {
        viewport: Viewport::Fixed(area),
    };
    let lean = || Lean::new(CrosstermBackend::new(out.clone()));
    match through {
        Through::Plain => {
            let mut t = Terminal::with_options(CrosstermBackend::new(out.clone()), options())
                .expect("terminal");
            key_sequence(|a| revdesk::tui::render_to(&mut t, a).expect("draw"), &out)
        }
        Through::LeanDiff => {
            let mut t = Terminal::with_options(lean(), options()).expect("terminal");
            key_sequence(|a| revdesk::tui::render_to(&mut t, a).expect("draw"), &out)
        }
        Through::LeanPainted => {
            let mut t = LeanTerminal::fixed(lean(), area).expect("terminal");
            key_sequence(
                |a| revdesk::tui::render_lean(&mut t, a).expect("draw"),
                &out,
            )
        }
    }
}

/// The lean backend's frames as a session sends them (the recorded golden stream).
fn scoring_view_frames() -> (Vec<u8>, Vec<usize>) {
    scoring_view_frames_with(Through::LeanPainted)
}

/// Draws the demo, then a frame after each key of the sequence, with `draw` writing to `out`.
fn key_sequence(mut draw: impl FnMut(&App), out: &Shared) -> (Vec<u8>, Vec<usize>) {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    a.size = (80, 24);
    draw(&a);
    let keys: Vec<KeyCode> = "7\n8\n9\n"
        .chars()
        .map(|c| match c {
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        })
        .chain([
            KeyCode::Char('j'),
            KeyCode::PageDown,
            KeyCode::Char('k'),
            KeyCode::Char('c'),
            KeyCode::Char('好'),
            KeyCode::Esc,
            KeyCode::Char('x'),
            KeyCode::Esc,
            KeyCode::Char('m'),
            KeyCode::Char('?'),
            KeyCode::Esc,
            KeyCode::Char('G'),
        ])
        .collect();
    let mut ends = vec![out.0.borrow().len()];
    for k in keys {
        a.handle_event(Event::Key(KeyEvent::new(k, KeyModifiers::NONE)));
        draw(&a);
        ends.push(out.0.borrow().len());
    }
    let bytes = out.0.borrow().clone();
    (bytes, ends)
}

#[test]
fn scoring_view_bytes_are_unchanged() {
    check("scoring-80x24.bytes", &scoring_view_frames().0);
    // Drawn from ratatui's diff instead of whole frames: the same bytes.
    check(
        "scoring-80x24.bytes",
        &scoring_view_frames_with(Through::LeanDiff).0,
    );
}

/// The terminal shows the same after every frame of the lean backend (which erases runs of
/// blanks, moves the cursor the shortest way and keeps colours between frames) as after the
/// same frame through ratatui's plain crossterm backend, which addresses and styles every cell
/// it writes. (This replaced a comparison with a stream recorded from the earlier lean backend,
/// which could not follow later changes to the views.)
#[test]
fn scoring_view_screens_match_the_plain_backend() {
    let (old, old_ends) = scoring_view_frames_with(Through::Plain);
    let (new, ends) = scoring_view_frames();
    assert_eq!(old_ends.len(), ends.len(), "frames");
    let nz = |n: u16| std::num::NonZeroU16::new(n).expect("size");
    let screen = |bytes: &[u8]| {
        let mut p = vt100::Parser::new(nz(24), nz(80), 0);
        p.process(bytes);
        // What shows: intensity as bold or dim (vt100 keeps one of them, the last set).
        let mut cells = Vec::new();
        for r in 0..24 {
            for c in 0..80 {
                let cell = p.screen().cell(r, c).expect("cell");
                let text = match cell.contents() {
                    "" => " ",
                    t => t,
                };
                // A blank shows no foreground colour, intensity or italics.
                let ink = text != " ";
                cells.push((
                    text.to_string(),
                    cell.is_wide_continuation(),
                    if ink {
                        cell.fgcolor()
                    } else {
                        vt100::Color::Default
                    },
                    cell.bgcolor(),
                    ink && (cell.bold() || cell.dim()),
                    ink && cell.italic(),
                    cell.underline(),
                    cell.inverse(),
                ));
            }
        }
        cells
    };
    for (k, (&o, &n)) in old_ends.iter().zip(&ends).enumerate() {
        assert!(
            screen(&old[..o]) == screen(&new[..n]),
            "frame {k}: the lean backend's screen differs from the plain backend's"
        );
    }
    assert_eq!(screen(&old), screen(&new), "the last screens");
}
