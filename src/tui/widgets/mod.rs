//! What both views draw alike: popups and the text editor, line-by-line drawing, the status
//! line's fitting, the too-small gate, the screen split and message levels.

mod boxed;
mod gate;
mod line;
mod popup;

pub use boxed::boxed;
pub use gate::{MIN_HEIGHT, MIN_WIDTH, too_small, while_too_small};
pub use popup::{centered, clear_popup, editor, help_box, new_line_editor, plain_caret};

use crate::text::wrap;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::borrow::Borrow;

/// How a status-bar message looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Confirmation.
    Info,
    /// Refused input.
    Warn,
    /// A failure (e.g. the store could not be written).
    Error,
}

/// Where each part of the screen is, for drawing and for mouse hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panes {
    /// Top line.
    pub title: Rect,
    /// The list (empty when hidden).
    pub list: Rect,
    /// The reading pane (empty when hidden).
    pub reading: Rect,
    /// The scoring pane (empty when the view has none).
    pub scores: Rect,
    /// Bottom line.
    pub status: Rect,
}

impl Panes {
    /// The title and status lines of `area`, and the body between them.
    pub fn frame(area: Rect) -> (Rect, Rect, Rect) {
        let title = Rect { height: 1, ..area };
        let status = Rect {
            y: area.bottom().saturating_sub(1),
            height: 1,
            ..area
        };
        let body = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(2),
            ..area
        };
        (title, body, status)
    }
}

/// What a key does to a search being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKey {
    /// Enter: the search is done, its filter stays.
    Done,
    /// Esc: the query was cleared and the search is done.
    Cleared,
    /// A character was added or removed.
    Changed,
    /// Nothing for a search.
    Ignored,
}

/// Applies a key to a search query as both views type it.
pub fn type_query(query: &mut String, k: &KeyEvent) -> QueryKey {
    match k.code {
        KeyCode::Esc => {
            query.clear();
            QueryKey::Cleared
        }
        KeyCode::Enter => QueryKey::Done,
        KeyCode::Backspace => {
            query.pop();
            QueryKey::Changed
        }
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
            query.push(c);
            QueryKey::Changed
        }
        _ => QueryKey::Ignored,
    }
}

/// Styles every cell of `area` as `Buffer::set_style` does, a row slice at a time, and not at
/// all for the empty style (which changes nothing): the panes fill their areas every frame.
pub fn fill(buf: &mut ratatui::buffer::Buffer, area: Rect, style: Style) {
    if style == Style::default() {
        return;
    }
    let area = buf.area.intersection(area);
    if area.is_empty() {
        return;
    }
    let w = usize::from(area.width);
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        for cell in &mut buf.content[start..start + w] {
            cell.set_style(style);
        }
    }
}

/// Draws lines one per row from the top of `area`, as many as fit, cell for cell as
/// ratatui draws them (see [`line::draw_line`]). Lines may be borrowed (`&Line`), so
/// material already wrapped and cached is drawn without copying it.
pub fn draw_lines<'a, L: Borrow<Line<'a>>>(
    f: &mut Frame,
    area: Rect,
    lines: impl IntoIterator<Item = L>,
) {
    let buf = f.buffer_mut();
    for (row, line) in lines.into_iter().take(usize::from(area.height)).enumerate() {
        let row = Rect {
            y: area.y + row as u16,
            height: 1,
            ..area
        };
        line::draw_line(buf, row, line.borrow());
    }
}

/// The first row to show so that `selected` stays in view without jumping: the list moves only
/// as far as it must, and never past its end.
pub fn keep_in_view(offset: usize, selected: usize, height: usize, len: usize) -> usize {
    let mut off = offset;
    if selected < off {
        off = selected;
    } else if selected >= off + height {
        off = selected + 1 - height;
    }
    off.min(len.saturating_sub(height))
}

/// Text wrapped to `w` cells, one styled line per row.
pub fn push_wrapped(lines: &mut Vec<Line<'_>>, text: &str, w: usize, style: Style) {
    for l in wrap::wrap(text, w) {
        lines.push(Line::styled(l, style));
    }
}

/// A key bar: `key label` pairs in order, whole pairs only, as many as fit in `room` cells;
/// pairs without a key (an unbound action) are left out.
pub fn key_bar(
    hints: impl IntoIterator<Item = (String, &'static str)>,
    room: usize,
    key: Style,
    label: Style,
) -> Vec<Span<'static>> {
    let mut used = 0;
    let mut spans = Vec::new();
    for (k, name) in hints {
        if k.is_empty() {
            continue;
        }
        let k = format!(" {k}");
        let name = format!(" {name} ");
        let hw = wrap::width(&k) + wrap::width(&name);
        if used + hw > room {
            break;
        }
        used += hw;
        spans.push(Span::styled(k, key));
        spans.push(Span::styled(name, label));
    }
    spans
}

/// Cuts spans to `w` cells so a wide character at the edge never spills.
pub fn fit(spans: Vec<Span<'static>>, w: usize) -> Vec<Span<'static>> {
    let mut used = 0;
    let mut fitted = Vec::new();
    for s in spans {
        let sw = wrap::width(&s.content);
        if used + sw <= w {
            used += sw;
            fitted.push(s);
        } else {
            let rest = w.saturating_sub(used);
            if rest > 0 {
                fitted.push(Span::styled(wrap::truncate(&s.content, rest), s.style));
            }
            break;
        }
    }
    fitted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_bar_shows_whole_hints_in_order_as_many_as_fit() {
        let hints = || {
            vec![
                ("j/k".to_string(), "move"),
                (String::new(), "unbound"),
                ("Esc".to_string(), "close"),
                ("q".to_string(), "quit"),
            ]
        };
        let text = |room| {
            key_bar(hints(), room, Style::default(), Style::default())
                .iter()
                .map(|s| s.content.to_string())
                .collect::<String>()
        };
        assert_eq!(text(80), " j/k move  Esc close  q quit ");
        // " q quit " does not fit whole: it is left out, not cut.
        assert_eq!(text(24), " j/k move  Esc close ");
        assert_eq!(text(3), "");
    }

    #[test]
    fn the_selection_stays_in_view_moving_as_little_as_it_must() {
        assert_eq!(keep_in_view(0, 3, 10, 40), 0);
        assert_eq!(keep_in_view(0, 12, 10, 40), 3);
        assert_eq!(keep_in_view(5, 2, 10, 40), 2);
        // Never past the end: the last page is full.
        assert_eq!(keep_in_view(35, 39, 10, 40), 30);
        assert_eq!(keep_in_view(3, 1, 10, 5), 0);
    }
}
