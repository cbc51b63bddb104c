//! The status line: the search prompt, a message, a standing alert, or the key hints.

use crate::text::wrap;
use crate::tui::chair::action::{
    Action, COMPENSATE_HINTS, DETAIL_HINTS, HELP_HINTS, PANEL_HINTS, RANKING_HINTS, REASON_HINTS,
    ROUND_HINTS,
};
use crate::tui::chair::state::{ChairApp, ChairMode, ChairView};
use crate::tui::chair::text::context_text;
use crate::tui::i18n::T;
use crate::tui::keys::Hint;
use crate::tui::widgets::{Level, key_bar};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

/// Draws the bottom line.
pub fn render(app: &ChairApp, f: &mut Frame, area: Rect) {
    let t = app.theme();
    let w = usize::from(area.width);
    f.render_widget(Line::styled(" ".repeat(w), t.status), area);
    if let ChairMode::Search { .. } = app.mode {
        let prompt = format!(" {}: /", T::ChairSearch.get(app.lang()));
        f.render_widget(
            Line::from(vec![
                Span::styled(prompt.clone(), t.key),
                Span::styled(app.query.clone(), t.search_match),
            ]),
            area,
        );
        let x = area.x + (wrap::width(&prompt) + wrap::width(&app.query)) as u16;
        if x < area.right() {
            f.set_cursor_position(Position::new(x, area.y));
        }
        return;
    }
    let alert = app.results.as_ref().and_then(|r| {
        let d = r.decided.as_ref()?;
        let lang = app.lang();
        if !d.in_range() {
            return Some(T::ChairOutOfRangeHint.fill(
                lang,
                &[
                    ("n", &d.list_size.to_string()),
                    ("min", &d.shortlist_min.to_string()),
                    ("max", &d.shortlist_max.to_string()),
                ],
            ));
        }
        if let Some(s) = d.split_tie.as_ref().filter(|s| s.resolved.is_none()) {
            return Some(T::ChairTieUnsettledHint.fill(
                lang,
                &[
                    ("rank", &s.rank.to_string()),
                    ("items", &s.items.join(", ")),
                ],
            ));
        }
        let made = d.made_under.as_ref().filter(|_| d.context_differs())?;
        Some(T::ChairContextHint.fill(
            lang,
            &[
                ("made", &context_text(made, lang)),
                ("now", &context_text(&d.replayed_under, lang)),
            ],
        ))
    });
    // The help key stays at the right edge whatever the line says, as in the scoring view.
    let help_key = app.keys.first_key(Action::Help);
    let mut help = format!(" {help_key} {} ", T::HintHelp.get(app.lang()));
    // Projection mode says so beside the help key, whatever else the line shows.
    if app.projection {
        help = format!(" [{}]{help}", T::ChairProjectionBadge.get(app.lang()));
    }
    // An open discussion round stays in sight, whatever else the line shows.
    if let Some((round, n)) = app.discussion {
        let badge = T::ChairRoundBadge.fill(
            app.lang(),
            &[("round", &round.to_string()), ("n", &n.to_string())],
        );
        help = format!(" [{badge}]{help}");
    }
    let help_w = wrap::width(&help);
    let room = if w > help_w + 10 { w - help_w } else { w };
    let line = match (&app.message, &alert) {
        (Some((level, m)), _) => {
            let style = match level {
                Level::Error => t.error,
                Level::Warn => t.warn,
                Level::Info => t.ok,
            };
            let m = app.public(app.aliases().as_ref(), m).into_owned();
            Line::styled(wrap::truncate(&format!(" {m}"), room), style)
        }
        (None, Some(a)) => Line::styled(wrap::truncate(&format!(" {a}"), room), t.warn),
        (None, None) => {
            let hints = bar(app)
                .iter()
                .map(|h| (app.keys.hint_keys(h), h.label(app.lang())));
            Line::from(key_bar(hints, room, t.key, t.muted))
        }
    };
    f.render_widget(line, area);
    if room < w {
        f.render_widget(
            Line::styled(help, t.key),
            Rect {
                x: area.x + room as u16,
                width: help_w as u16,
                ..area
            },
        );
    }
}

/// The key bar of the context the chair is in: a popup's keys, else the pane's.
fn bar(app: &ChairApp) -> &'static [Hint<Action>] {
    match app.mode {
        ChairMode::Reason(..) => REASON_HINTS,
        ChairMode::Compensate(_) => COMPENSATE_HINTS,
        ChairMode::OpenRound(_) => ROUND_HINTS,
        ChairMode::Help { .. } => HELP_HINTS,
        ChairMode::Normal | ChairMode::Search { .. } => match app.view {
            ChairView::Ranking => RANKING_HINTS,
            ChairView::Detail => DETAIL_HINTS,
            ChairView::Panel => PANEL_HINTS,
        },
    }
}
