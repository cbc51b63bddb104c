//! The chair's help overlay text, from the action table and the keymap so it never disagrees
//! with either; update scrolls it, the view draws it.

use super::state::ChairApp;
use crate::text::wrap;
use crate::tui::i18n::T;
use crate::tui::widgets::help_box;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The help overlay's lines for an inner width.
pub fn help_lines(app: &ChairApp, width: usize) -> Vec<Line<'static>> {
    let t = app.theme();
    let entries: Vec<(String, &str)> = app
        .keys
        .rows()
        .into_iter()
        .map(|(info, keys)| (keys.join(" "), info.help(app.lang())))
        .collect();
    let key_w = entries
        .iter()
        .map(|(k, _)| wrap::width(k))
        .max()
        .unwrap_or(8)
        .min(width / 2);
    let mut lines = Vec::new();
    for (k, d) in entries {
        lines.push(Line::from(vec![
            Span::styled(format!(" {}  ", wrap::pad(&k, key_w)), t.key),
            Span::styled(d.to_string(), t.text),
        ]));
    }
    let (min, max) = match &app.results {
        Some(r) => (r.config.shortlist_min, r.config.shortlist_max),
        None => report_range(app),
    };
    let legend = format!(
        "{}  {}",
        T::ChairMarksShortlistedTheBand.fill(
            app.lang(),
            &[("min", &min.to_string()), ("max", &max.to_string())],
        ),
        T::ChairFlagLegend.get(app.lang())
    );
    lines.push(Line::default());
    for l in wrap::wrap(&legend, width.saturating_sub(2)) {
        lines.push(Line::styled(format!(" {l}"), t.muted));
    }
    lines
}

/// The furthest the help overlay scrolls on a `w`×`h` screen (0 when it all fits).
pub fn help_scroll_max(app: &ChairApp, w: u16, h: u16) -> usize {
    let r = help_box(Rect::new(0, 0, w, h));
    let (iw, ih) = (r.width.saturating_sub(2), r.height.saturating_sub(2));
    help_lines(app, usize::from(iw))
        .len()
        .saturating_sub(usize::from(ih))
}

/// The shortlist range the view works with before any sheet is in.
fn report_range(app: &ChairApp) -> (usize, usize) {
    if let Some(r) = app.settings.shortlist {
        return r;
    }
    crate::domain::results::Options::for_profile(app.profile(), app.batch().meta.final_review)
        .shortlist
}
