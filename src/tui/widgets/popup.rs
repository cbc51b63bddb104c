//! Popups: a centred box cleared of what lies under it, and a bordered text editor.

use crate::text::wrap;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Clear};
use ratatui_textarea::TextArea;

/// A centred rectangle of at most `w`×`h` cells.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The help overlay's box on a screen of `area` (both views).
pub fn help_box(area: Rect) -> Rect {
    centered(
        area,
        76.min(area.width.saturating_sub(2)),
        area.height.saturating_sub(2),
    )
}

/// Clears a popup's area, including wide characters cut by its edges.
///
/// A wide character whose second half lies under the popup would otherwise leave
/// half a glyph beside the border (ratatui #2526): blank both neighbours.
pub fn clear_popup(f: &mut Frame, r: Rect) {
    sanitize_edges(f.buffer_mut(), r);
    f.render_widget(Clear, r);
}

fn sanitize_edges(buf: &mut Buffer, r: Rect) {
    let area = buf.area;
    for y in r.top()..r.bottom() {
        if r.x > area.x
            && let Some(c) = buf.cell_mut(Position::new(r.x - 1, y))
            && wrap::width(c.symbol()) > 1
        {
            c.set_symbol(" ");
        }
        // The right neighbour may be the hidden half of a wide glyph that starts inside.
        if r.right() < area.right()
            && r.width > 0
            && buf
                .cell(Position::new(r.right() - 1, y))
                .is_some_and(|c| wrap::width(c.symbol()) > 1)
            && let Some(n) = buf.cell_mut(Position::new(r.right(), y))
        {
            n.set_symbol(" ");
        }
    }
}

/// An empty one-line editor for a reason, without the current-line underline.
pub fn new_line_editor() -> Box<TextArea<'static>> {
    let mut ta = TextArea::default();
    plain_caret(&mut ta);
    Box::new(ta)
}

/// Leaves the caret to the terminal's own cursor (which [`editor`] places): a styled
/// cursor cell under it would show two carets, or none where a block cursor inverts the
/// reversed cell back (xterm). Also drops the current-line underline.
pub fn plain_caret(ta: &mut TextArea<'static>) {
    ta.set_cursor_style(ratatui::style::Style::default());
    ta.set_cursor_line_style(ratatui::style::Style::default());
}

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
