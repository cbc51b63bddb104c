//! The title bar (batch and domain) and the status bar (expert, progress, saved, keys).

use crate::text::wrap;
use crate::tui::i18n::T;
use crate::tui::keys::Hint;
use crate::tui::scoring::action::{
    Action, COMMENT_HINTS, HELP_HINTS, LIST_HINTS, RECUSE_HINTS, REVISE_HINTS,
};
use crate::tui::scoring::state::{App, Mode, WIDE};
use crate::tui::widgets::{Level, draw_lines, fit, key_bar};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

/// Draws the top line.
pub fn title(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let en = app.lang.en();
    let domain = match app.domain() {
        Some(d) => format!("{} | {}", d.name_in(en), d.alliance_in(en)),
        None => T::FinalReview.get(app.lang).to_string(),
    };
    let title = if app.batch.meta.title.is_empty() {
        app.profile.name.clone()
    } else {
        app.batch.meta.title.clone()
    };
    let text = format!(" revdesk | {domain} | {title} | {}", app.batch.short_hash());
    // Drawn as ratatui draws a line, without its grapheme segmentation where it is not needed.
    draw_lines(
        f,
        area,
        [Line::styled(
            wrap::pad(&text, usize::from(area.width)),
            t.title,
        )],
    );
}

/// Draws the bottom line; in search mode it is the search prompt.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let w = usize::from(area.width);
    if let Mode::Search = app.mode {
        let prompt = format!(" {}: /", T::SearchPrompt.get(app.lang));
        let hint = format!("   {}", T::SearchHint.get(app.lang));
        let q = &app.query;
        let line = Line::from(vec![
            Span::styled(prompt.clone(), t.key),
            Span::styled(q.clone(), t.search_match),
            Span::styled(hint, t.muted),
        ]);
        draw_lines(f, area, [Line::styled(" ".repeat(w), t.status)]);
        draw_lines(f, area, [line]);
        // The real cursor at the end of the query, so input methods follow it.
        let x = area.x + (wrap::width(&prompt) + wrap::width(q)) as u16;
        if x < area.right() {
            f.set_cursor_position(Position::new(x, area.y));
        }
        return;
    }
    let (done, total) = app.progress();
    let saved = if app.saved {
        Span::styled(format!(" {} ", T::Saved.get(app.lang)), t.ok)
    } else {
        Span::styled(format!(" {} ", T::NotSaved.get(app.lang)), t.error)
    };
    let mut spans = vec![
        Span::styled(format!(" {} ", app.expert_name), t.status),
        Span::styled(
            format!("| {} {done}/{total} ", T::Scored.get(app.lang)),
            t.status,
        ),
        saved,
        Span::styled(" ", t.status),
    ];
    // The help key is always on screen, at the right edge: it is the one key a newcomer needs.
    let help = vec![
        Span::styled(format!(" {}", app.key_for(Action::Help)), t.key),
        Span::styled(format!(" {} ", T::HintHelp.get(app.lang)), t.muted),
    ];
    let help_w: usize = help.iter().map(|s| wrap::width(&s.content)).sum();
    let left_w: usize = spans.iter().map(|s| wrap::width(&s.content)).sum();
    let room = w.saturating_sub(left_w + help_w);
    match &app.message {
        Some((level, msg)) => {
            let style = match level {
                Level::Info => t.ok,
                Level::Warn => t.warn,
                Level::Error => t.error,
            };
            spans.push(Span::styled(wrap::truncate(msg, room), style));
        }
        None => {
            // Digits score only in list mode, where no action stands for them.
            let mut hints = Vec::new();
            if let Mode::Normal = app.mode {
                hints.push(("0-9".to_string(), T::HintScore.get(app.lang)));
            }
            for hint in bar(app) {
                // The list hides behind a key only on a narrow screen: say which, there.
                if hint.actions == [Action::ToggleList] && app.size.0 >= WIDE {
                    continue;
                }
                hints.push((app.keys.hint_keys(hint), hint.label(app.lang)));
            }
            spans.extend(key_bar(hints, room, t.key, t.muted));
        }
    }
    draw_lines(f, area, [Line::styled(" ".repeat(w), t.status)]);
    draw_lines(f, area, [Line::from(fit(spans, w))]);
    if left_w + help_w <= w {
        let x = area.x + (w - help_w) as u16;
        let at = Rect {
            x,
            width: help_w as u16,
            ..area
        };
        draw_lines(f, at, [Line::from(help)]);
    }
}

/// The key bar of the context the expert is in.
fn bar(app: &App) -> &'static [Hint<Action>] {
    match app.mode {
        Mode::Comment(_) => COMMENT_HINTS,
        Mode::Recuse(_) => RECUSE_HINTS,
        Mode::Revise(..) => REVISE_HINTS,
        Mode::Help { .. } => HELP_HINTS,
        Mode::Normal | Mode::Search => LIST_HINTS,
    }
}
