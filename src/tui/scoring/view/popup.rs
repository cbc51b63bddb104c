//! The scoring view's popups: the comment editor, the recusal reason prompt and the reason
//! prompt of a revision in a discussion round.

use crate::tui::i18n::T;
use crate::tui::scoring::state::App;
use crate::tui::widgets::{centered, editor};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui_textarea::TextArea;

/// The comment editor.
pub fn comment(app: &App, f: &mut Frame, area: Rect, ta: &TextArea<'static>) {
    let id = app.current().map(|i| i.id.as_str()).unwrap_or("");
    let w = (area.width * 4 / 5).max(40);
    let h = (area.height * 3 / 5).max(8);
    let r = centered(area, w, h);
    let title = format!(" {} {} ", T::CommentTitle.get(app.lang), id);
    editor(&app.theme, f, r, &title, ta);
}

/// The one-line recusal reason prompt.
pub fn recuse(app: &App, f: &mut Frame, area: Rect, ta: &TextArea<'static>) {
    let id = app.current().map(|i| i.id.as_str()).unwrap_or("");
    let r = centered(area, (area.width * 3 / 4).max(40), 3);
    let title = format!(" {} {} ", T::RecuseTitle.get(app.lang), id);
    editor(&app.theme, f, r, &title, ta);
}

/// The one-line prompt for the reason of a revision in a discussion round.
pub fn revise(app: &App, f: &mut Frame, area: Rect, ta: &TextArea<'static>) {
    let id = app.current().map(|i| i.id.as_str()).unwrap_or("");
    let r = centered(area, (area.width * 3 / 4).max(40), 3);
    let title = format!(" {} {} ", T::ReviseTitle.get(app.lang), id);
    editor(&app.theme, f, r, &title, ta);
}
