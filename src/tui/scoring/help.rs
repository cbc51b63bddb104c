//! The help overlay's text, from the action table and the keymap so it never disagrees with
//! either; update scrolls it, the view draws it.

use super::state::App;
use crate::text::wrap;
use crate::tui::i18n::T;
use crate::tui::widgets::help_box;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

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
    for (info, keys) in app.keys.rows() {
        out.push((keys.join(" "), info.help(app.lang).to_string()));
    }
    // The pop-ups' own keys are fixed; list them so nothing has to be guessed.
    let modal = T::HelpModal.get(app.lang).to_string();
    for t in [T::HelpInSearch, T::HelpInEditor, T::HelpInRecusal] {
        out.push((modal.clone(), t.get(app.lang).to_string()));
    }
    out
}

/// The help text laid out for an inner width.
pub fn layout(app: &App, inner_w: u16) -> Vec<Line<'static>> {
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
    let r = help_box(area);
    let inner_h = usize::from(r.height.saturating_sub(2));
    layout(app, r.width.saturating_sub(2))
        .len()
        .saturating_sub(inner_h)
}
