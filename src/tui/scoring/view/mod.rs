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
use crate::tui::widgets::{MIN_HEIGHT, MIN_WIDTH, fill, too_small};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

/// Draws the whole screen.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    let base = app.theme.base;
    if too_small((area.width, area.height)) {
        fill(f.buffer_mut(), area, base);
        too_small_notice(app, f, area);
        return;
    }
    let p = app.panes(area);
    // Every cell is styled once: the title and status lines with the base style here, each
    // pane with the base under its own style (see [`pane_style`]), which leaves the cells as
    // the base over the whole screen and the pane's style over it did. Should the panes ever
    // not tile the body, the body gets the base first, as before.
    fill(f.buffer_mut(), p.title, base);
    fill(f.buffer_mut(), p.status, base);
    let (_, body, _) = crate::tui::widgets::Panes::frame(area);
    let tiled: u32 = [p.list, p.reading, p.scores].iter().map(|r| r.area()).sum();
    if tiled != body.area() {
        fill(f.buffer_mut(), body, base);
    }
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

/// A pane's fill: the screen's base style under `style`. On a fresh cell, styling with it once
/// equals styling with the base and then with `style` (ratatui patches styles the same way
/// cells apply them).
pub(super) fn pane_style(app: &App, style: Style) -> Style {
    app.theme.base.patch(style)
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

#[cfg(test)]
mod tests {
    use crate::tui::theme::Theme;
    use ratatui::buffer::Cell;
    use ratatui::style::{Color, Modifier, Style};

    /// A pane filled once with [`super::pane_style`] looks as the screen filled with the base
    /// and then the pane with its own style did, for every built-in theme's styles and for
    /// styles that add and remove the same attributes.
    #[test]
    fn one_fill_with_the_base_under_a_style_equals_two_fills() {
        let odd = [
            Style::new()
                .add_modifier(Modifier::BOLD | Modifier::DIM)
                .remove_modifier(Modifier::ITALIC),
            Style::new()
                .fg(Color::Red)
                .remove_modifier(Modifier::BOLD)
                .add_modifier(Modifier::ITALIC),
            Style::new()
                .bg(Color::Indexed(7))
                .underline_color(Color::Blue),
        ];
        let mut n = 0;
        for name in Theme::names() {
            let theme = Theme::builtin(name).expect("a built-in theme");
            let styles: Vec<Style> = theme
                .styles()
                .into_iter()
                .map(|(_, s)| s)
                .chain(odd)
                .collect();
            for base in styles.iter().copied().chain(odd) {
                for &style in &styles {
                    let mut twice = Cell::EMPTY;
                    twice.set_style(base).set_style(style);
                    let mut once = Cell::EMPTY;
                    once.set_style(base.patch(style));
                    assert_eq!(once, twice, "{name}: {base:?} under {style:?}");
                    n += 1;
                }
            }
        }
        assert!(n > 100, "{n} pairs");
    }
}
