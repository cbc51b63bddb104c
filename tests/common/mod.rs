//! Helpers shared by the TUI tests.
#![allow(dead_code)]

pub mod cjk_term;
pub mod limited;
pub mod paper;
pub mod pty;
pub mod sheets;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use revdesk::domain::batch::Batch;
use revdesk::domain::profile::Profile;
use revdesk::io::validate::{self, Options};
use revdesk::store::Store;
use revdesk::tui::i18n::Lang;
use revdesk::tui::keymap::KeyMap;
use revdesk::tui::scoring::{App, Settings};
use revdesk::tui::theme::Theme;
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A writer whose bytes a test can read while a terminal owns it.
#[derive(Clone, Default)]
pub struct Shared(pub Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    /// How many bytes were written.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }
    /// The bytes written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.borrow().clone()
    }
    /// The bytes written since the last take.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// A fixture path.
pub fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(p)
}

/// Loads a fixture batch that must be clean.
pub fn batch(p: &str) -> (Profile, Batch) {
    let profile = Profile::kczg_2020();
    let report = validate::load(&fixture(p), &profile, &Options::default()).expect("fixture reads");
    assert_eq!(report.errors(false), 0, "{:?}", report.findings);
    (profile, report.batch)
}

/// A finished command as tests compare it: exit code (-1 for a signal), stdout, stderr.
pub fn outcome(out: &std::process::Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Presses `code` (no modifiers) in the scoring view.
pub fn key(a: &mut App, code: KeyCode) {
    a.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Types `s`, a newline as Enter.
pub fn typed(a: &mut App, s: &str) {
    for c in s.chars() {
        key(
            a,
            if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            },
        );
    }
}

/// The score stored for `id` on `crit`, read back from the store.
pub fn stored(a: &App, id: &str, crit: &str) -> Option<f64> {
    let s = a.store().load(&a.expert, &a.batch.hash).expect("load");
    s.items.get(id).and_then(|r| r.scores.get(crit).copied())
}

/// An app on the small 资源环境 batch with a fresh store in `dir`.
pub fn app(dir: &Path, lang: Lang, theme: Theme) -> App {
    let (profile, batch) = batch("batches/resources-environment-small.json");
    let store = Store::open(dir).expect("store");
    store.ensure_expert("wang", Some("王专家")).expect("expert");
    store
        .register_batch(&batch.hash, "demo", "resources-environment", &batch.ids())
        .expect("register");
    let settings = Settings {
        expert: "wang".into(),
        expert_name: "王专家".into(),
        lang,
        theme,
        keymap: KeyMap::default(),
        submit_dir: None,
    };
    App::new(profile, batch, store, settings).expect("app")
}

/// The buffer as text, one line per row, wide characters once (their hidden half skipped).
pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        let mut line = String::new();
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            let w = unicode_width::UnicodeWidthStr::width(sym);
            skip = w.saturating_sub(1);
            line.push_str(if sym.is_empty() { " " } else { sym });
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
