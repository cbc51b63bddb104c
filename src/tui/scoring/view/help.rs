//! The help overlay.

use crate::text::wrap;
use crate::tui::i18n::T;
use crate::tui::scoring::action::Action;
use crate::tui::scoring::help::layout;
use crate::tui::scoring::state::App;
use crate::tui::widgets::{clear_popup, draw_lines, help_box};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// Draws the overlay.
pub fn render(app: &App, f: &mut Frame, area: Rect, scroll: usize) {
    let t = &app.theme;
    let r = help_box(area);
    clear_popup(f, r);
    let rendered = layout(app, r.width.saturating_sub(2));
    let h = usize::from(r.height.saturating_sub(2));
    let scroll = scroll.min(rendered.len().saturating_sub(h));
    let mut footer = T::HelpFooter.fill(
        app.lang,
        &[
            ("help", &app.key_for(Action::Help)),
            ("down", &app.key_for(Action::NextItem)),
            ("up", &app.key_for(Action::PrevItem)),
        ],
    );
    if rendered.len() > h {
        // Clipped: say where we are so the rest is not missed.
        let more = T::HelpMore.fill(
            app.lang,
            &[
                ("from", &(scroll + 1).to_string()),
                ("to", &(scroll + h).min(rendered.len()).to_string()),
                ("n", &rendered.len().to_string()),
            ],
        );
        footer = format!("{footer}  {more}");
    }
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", T::HelpTitle.get(app.lang)),
            t.title,
        ))
        .title_bottom(Line::styled(
            wrap::truncate(
                &format!(" {footer} "),
                usize::from(r.width.saturating_sub(2)),
            ),
            t.muted,
        ))
        .border_style(t.border_focus)
        .style(t.popup);
    let inner = block.inner(r);
    f.render_widget(block, r);
    draw_lines(f, inner, rendered.into_iter().skip(scroll));
}
