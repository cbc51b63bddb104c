//! The help overlay, generated from the keymap so it never disagrees with it.

use super::{centered, clear_popup};
use crate::text::wrap;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::i18n::{T, describe};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// Every help line: keys, then what they do.
pub fn lines(app: &App) -> Vec<(String, String)> {
    let mut out = vec![(
        "0-9 .".to_string(),
        T::HelpTyping
            .get(app.lang)
            .trim_start_matches("0-9 .")
            .trim()
            .to_string(),
    )];
    for (a, keys) in app.keymap.bindings() {
        if a.in_scoring() {
            out.push((keys.join(" "), describe(a, app.lang).to_string()));
        }
    }
    // The pop-ups' own keys are fixed; list them so nothing has to be guessed.
    let modal = T::HelpModal.get(app.lang).to_string();
    for t in [T::HelpInSearch, T::HelpInEditor, T::HelpInRecusal] {
        out.push((modal.clone(), t.get(app.lang).to_string()));
    }
    out
}

/// The overlay's frame within the screen.
fn frame_rect(area: Rect) -> Rect {
    centered(
        area,
        76.min(area.width.saturating_sub(2)),
        area.height.saturating_sub(2),
    )
}

/// The help text laid out for an inner width.
fn layout(app: &App, inner_w: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let entries = lines(app);
    let key_w = entries
        .iter()
        .map(|(k, _)| wrap::width(k))
        .max()
        .unwrap_or(8)
        .min(usize::from(inner_w) / 2);
    let desc_w = usize::from(inner_w).saturating_sub(key_w + 3).max(4);
    let mut rendered: Vec<Line<'static>> = Vec::new();
    for (k, d) in entries {
        for (i, l) in wrap::wrap(&d, desc_w).into_iter().enumerate() {
            let head = if i == 0 {
                wrap::pad(&k, key_w)
            } else {
                " ".repeat(key_w)
            };
            rendered.push(Line::from(vec![
                Span::raw(" "),
                Span::styled(head, t.key),
                Span::raw("  "),
                Span::styled(l, t.text),
            ]));
        }
    }
    rendered
}

/// The largest useful scroll offset for a screen size (0 when everything fits).
pub fn max_scroll(app: &App, area: Rect) -> usize {
    let r = frame_rect(area);
    let inner_h = usize::from(r.height.saturating_sub(2));
    layout(app, r.width.saturating_sub(2))
        .len()
        .saturating_sub(inner_h)
}

/// Draws the overlay.
pub fn render(app: &App, f: &mut Frame, area: Rect, scroll: usize) {
    let t = &app.theme;
    let r = frame_rect(area);
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
    for (row, line) in rendered.into_iter().skip(scroll).take(h).enumerate() {
        f.render_widget(
            line,
            Rect {
                y: inner.y + row as u16,
                height: 1,
                ..inner
            },
        );
    }
}
