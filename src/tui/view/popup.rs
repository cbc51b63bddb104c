//! Popups: the comment editor and the recusal reason prompt.

use super::{centered, clear_popup};
use crate::text::wrap;
use crate::tui::app::App;
use crate::tui::i18n::T;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::Block;
use ratatui_textarea::TextArea;

/// Draws a text area in a bordered popup and puts the real cursor at its insertion point.
pub fn editor(t: &Theme, f: &mut Frame, r: Rect, title: &str, ta: &TextArea<'static>) {
    clear_popup(f, r);
    let block = Block::bordered()
        .title(Span::styled(
            wrap::truncate(title, usize::from(r.width.saturating_sub(2))),
            t.title,
        ))
        .border_style(t.border_focus)
        .style(t.popup);
    let inner = block.inner(r);
    f.render_widget(block, r);
    f.render_widget(ta, inner);
    // Input methods place their candidate window at the terminal's cursor, not at a
    // styled cell: move the real cursor to where the next character goes.
    let sc = ta.screen_cursor();
    let (top, left) = ta.scroll_offset();
    let row = sc.row.saturating_sub(usize::from(top));
    let col = sc.col.saturating_sub(usize::from(left));
    if row < usize::from(inner.height) && col <= usize::from(inner.width) {
        let x = (inner.x + col as u16).min(inner.right().saturating_sub(1));
        f.set_cursor_position(Position::new(x, inner.y + row as u16));
    }
}

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
