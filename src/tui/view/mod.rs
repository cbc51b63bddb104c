//! Drawing: a pure function of the state. Nothing here changes what is stored.

pub mod chair;
pub mod help;
pub mod list;
pub mod popup;
pub mod reading;
pub mod scores;
pub mod status;

use super::app::{App, MIN_HEIGHT, MIN_WIDTH, Mode};
use super::i18n::T;
use crate::text::wrap;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear};

/// Draws the whole screen.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    f.render_widget(Block::default().style(app.theme.base), area);
    if super::app::too_small((area.width, area.height)) {
        too_small(app, f, area);
        return;
    }
    let p = app.panes(area);
    status::title(app, f, p.title);
    if !p.list.is_empty() {
        list::render(app, f, p.list);
    }
    if !p.reading.is_empty() {
        reading::render(app, f, p.reading);
    }
    scores::render(app, f, p.scores);
    status::render(app, f, p.status);
    match &app.mode {
        Mode::Help { scroll } => help::render(app, f, area, *scroll),
        Mode::Comment(ta) => popup::comment(app, f, area, ta),
        Mode::Recuse(ta) => popup::recuse(app, f, area, ta),
        Mode::Normal | Mode::Search => {}
    }
}

fn too_small(app: &App, f: &mut Frame, area: Rect) {
    let msg = T::TooSmall.fill(
        app.lang,
        &[
            ("w", &MIN_WIDTH.to_string()),
            ("h", &MIN_HEIGHT.to_string()),
            ("cw", &area.width.to_string()),
            ("ch", &area.height.to_string()),
        ],
    );
    let lines = wrap::wrap(&msg, usize::from(area.width.max(1)));
    let top = area.y + area.height.saturating_sub(lines.len() as u16) / 2;
    for (i, l) in lines.iter().enumerate() {
        let y = top + i as u16;
        if y >= area.bottom() {
            break;
        }
        let w = wrap::width(l) as u16;
        let x = area.x + area.width.saturating_sub(w) / 2;
        f.render_widget(
            Line::styled(l.clone(), app.theme.warn),
            Rect::new(x, y, w.min(area.width), 1),
        );
    }
}

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
