//! Outputs recorded from the code before the layers refactor (commit ea5f993): the refactor
//! must not change a byte of them. `REVDESK_BLESS=1` rewrites the files (only for a change
//! that is meant to alter the outputs, named in its commit).

mod common;

use assert_cmd::Command;
use common::app;
use ratatui::Terminal;
use ratatui::TerminalOptions;
use ratatui::Viewport;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use revdesk::tui::i18n::Lang;
use revdesk::tui::lean::Lean;
use revdesk::tui::theme::Theme;
use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;

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

/// A writer the test can read while the terminal owns it.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The bytes the scoring view sends for a key sequence at 80×24, a frame after every key.
#[test]
fn scoring_view_bytes_are_unchanged() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = app(dir.path(), Lang::Zh, Theme::default());
    a.size = (80, 24);
    let out = Shared::default();
    let mut t = Terminal::with_options(
        Lean::new(CrosstermBackend::new(out.clone())),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
        },
    )
    .expect("terminal");
    revdesk::tui::render_to(&mut t, &a).expect("draw");
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
    for k in keys {
        a.handle_event(Event::Key(KeyEvent::new(k, KeyModifiers::NONE)));
        revdesk::tui::render_to(&mut t, &a).expect("draw");
    }
    let bytes = out.0.borrow().clone();
    check("scoring-80x24.bytes", &bytes);
}
