//! The comment editor: opening it (with a draft a killed session left), keeping the draft in
//! the store as it is typed, and saving the comment within its length limit.

use super::state::{App, Draft, Mode};
use crate::domain::marks::{MAX_COMMENT_CHARS, check_length};
use crate::store::Change;
use crate::text::errors::error_chain;
use crate::tui::i18n::T;
use crate::tui::widgets::{Level, plain_caret};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::{CursorMove, TextArea};
use std::time::{Duration, Instant};

/// How long typing may go unsaved while keys keep coming; after [`IDLE_POLL`] without a key
/// the draft is saved too, so a killed session loses well under a second of typing.
///
/// [`IDLE_POLL`]: crate::tui::term::session::IDLE_POLL
pub const DRAFT_DEBOUNCE: Duration = Duration::from_millis(500);

impl App {
    /// Opens the editor on the selected nomination's comment, or on the draft left there.
    pub(super) fn open_comment(&mut self) {
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        let saved = self.record(&id).comment;
        let text = match self.store.draft(&self.expert, &self.batch.hash, &id) {
            Ok(Some(d)) if d != saved => {
                self.say(Level::Info, T::MsgDraftRestored.get(self.lang));
                d
            }
            Ok(_) => saved,
            Err(e) => {
                let msg = T::MsgSaveFailed.fill(self.lang, &[("err", &error_chain(&e))]);
                self.say(Level::Error, msg);
                saved
            }
        };
        let mut ta = TextArea::new(text.split('\n').map(str::to_string).collect());
        // TextArea starts at (0,0): put the cursor at the end, where the expert continues.
        ta.move_cursor(CursorMove::Bottom);
        ta.move_cursor(CursorMove::End);
        ta.set_wrap_mode(ratatui_textarea::WrapMode::Glyph);
        plain_caret(&mut ta);
        self.mode = Mode::Comment(Box::new(ta));
        self.draft = Some(Draft {
            item: id,
            unsaved_since: None,
        });
    }

    /// A key in the editor: Esc saves and closes (unless the comment is too long), anything
    /// else edits the draft.
    pub(super) fn comment_key(&mut self, k: KeyEvent) {
        let Mode::Comment(ta) = &mut self.mode else {
            return;
        };
        if k.code != KeyCode::Esc {
            if ta.input(k) {
                self.edited();
            }
            return;
        }
        let text = ta.lines().join("\n").trim_end().to_string();
        if let Err(e) = check_length("comment", &text, MAX_COMMENT_CHARS) {
            // The expert's words stay in the editor (and in the store as a draft).
            let (n, max) = (e.chars.to_string(), e.max.to_string());
            let msg = T::MsgCommentTooLong.fill(self.lang, &[("n", &n), ("max", &max)]);
            self.say(Level::Warn, msg);
            self.autosave_draft(true);
            return;
        }
        self.autosave_draft(true);
        self.mode = Mode::Normal;
        self.save_comment(text);
    }

    /// Pasted text in the editor.
    pub(super) fn comment_paste(&mut self, text: &str) {
        if let Mode::Comment(ta) = &mut self.mode {
            ta.insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
            self.edited();
        }
    }

    fn edited(&mut self) {
        if let Some(d) = &mut self.draft {
            d.unsaved_since.get_or_insert_with(Instant::now);
        }
        self.autosave_draft(false);
    }

    /// Keeps the editor's text in the store as a draft, when it changed [`DRAFT_DEBOUNCE`] ago
    /// or more, or at once with `now`.
    pub fn autosave_draft(&mut self, now: bool) {
        let (Mode::Comment(ta), Some(d)) = (&self.mode, &mut self.draft) else {
            return;
        };
        let Some(since) = d.unsaved_since else {
            return;
        };
        if !now && since.elapsed() < DRAFT_DEBOUNCE {
            return;
        }
        d.unsaved_since = None;
        let text = ta.lines().join("\n");
        if let Err(e) = self
            .store
            .save_draft(&self.expert, &self.batch.hash, &d.item, &text)
        {
            let msg = T::MsgSaveFailed.fill(self.lang, &[("err", &error_chain(&e))]);
            self.say(Level::Error, msg);
        }
    }

    /// Saves a comment still being edited (the view is ending: quit, signal, lost terminal);
    /// one over the limit stays a draft for the next session.
    pub fn save_draft(&mut self) {
        let Mode::Comment(ta) = &self.mode else {
            return;
        };
        let text = ta.lines().join("\n").trim_end().to_string();
        if check_length("comment", &text, MAX_COMMENT_CHARS).is_err() {
            self.autosave_draft(true);
            return;
        }
        self.autosave_draft(true);
        self.mode = Mode::Normal;
        self.save_comment(text);
    }

    /// Stores `text` as the comment on the item the editor was opened on, and forgets its draft.
    fn save_comment(&mut self, text: String) {
        let Some(d) = self.draft.take() else {
            return;
        };
        let changed = self.record(&d.item).comment != text;
        if changed && !self.write(&[Change::comment(d.item.clone(), text)]) {
            // Not stored (said so): the draft saved as it was typed stays for another try.
            return;
        }
        if let Err(e) = self
            .store
            .clear_draft(&self.expert, &self.batch.hash, &d.item)
        {
            let msg = T::MsgSaveFailed.fill(self.lang, &[("err", &error_chain(&e))]);
            self.say(Level::Error, msg);
        } else if changed {
            self.say(Level::Info, T::MsgCommentSaved.get(self.lang));
        }
    }
}
