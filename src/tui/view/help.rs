//! The help overlay, generated from the keymap so it never disagrees with it.

use super::{centered, clear_popup};
use crate::tui::app::App;
use crate::tui::i18n::{T, describe};
use crate::wrap;
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
    out
}

/// Draws the overlay.
pub fn render(app: &App, f: &mut Frame, area: Rect, scroll: usize) {
    let t = &app.theme;
    let r = centered(
        area,
        76.min(area.width.saturating_sub(2)),
        area.height.saturating_sub(2),
    );
    clear_popup(f, r);
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", T::HelpTitle.get(app.lang)),
            t.title,
        ))
        .title_bottom(Line::styled(
            format!(" {} ", T::HelpFooter.get(app.lang)),
            t.muted,
        ))
        .border_style(t.border_focus)
        .style(t.popup);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let entries = lines(app);
    let key_w = entries
        .iter()
        .map(|(k, _)| wrap::width(k))
        .max()
        .unwrap_or(8)
        .min(usize::from(inner.width) / 2);
    let desc_w = usize::from(inner.width).saturating_sub(key_w + 3).max(4);
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
    let h = usize::from(inner.height);
    let scroll = scroll.min(rendered.len().saturating_sub(h));
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
