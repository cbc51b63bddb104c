//! Drawing the scoring view: a pure function of the state. Nothing here changes it.

pub mod help;
pub mod list;
pub mod popup;
pub mod reading;
pub mod scores;
pub mod status;

use crate::text::wrap;
use crate::tui::i18n::T;
use crate::tui::scoring::state::{App, Mode};
use crate::tui::widgets::{MIN_HEIGHT, MIN_WIDTH, too_small};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Block;

/// Draws the whole screen.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    f.render_widget(Block::default().style(app.theme.base), area);
    if too_small((area.width, area.height)) {
        too_small_notice(app, f, area);
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
        Mode::Revise(ta, _) => popup::revise(app, f, area, ta),
        Mode::Normal | Mode::Search => {}
    }
}

fn too_small_notice(app: &App, f: &mut Frame, area: Rect) {
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
