//! The vote screen, drawn from its state alone.

use super::action::KEYS;
use super::state::{Phase, VoteApp};
use crate::text::{sanitize, wrap};
use crate::tui::i18n::T;
use crate::tui::widgets::{centered, help_box};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Draws the whole screen.
pub fn render(app: &VoteApp, f: &mut Frame) {
    let t = &app.theme;
    let area = f.area();
    f.render_widget(Block::default().style(t.base), area);
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(2),
    ])
    .areas(area);
    let lang = app.lang;
    let title = T::VoteTitle.fill(
        lang,
        &[
            ("vote", &app.vote.id.to_string()),
            ("stage", app.vote.stage.label().get(lang)),
            ("expert", &sanitize::sanitize(&app.expert_name)),
        ],
    );
    let progress = T::VoteProgress.fill(
        lang,
        &[
            ("done", &app.chosen().to_string()),
            ("n", &app.choices.len().to_string()),
        ],
    );
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!(" {title}  "), t.title),
            Span::styled(progress, t.title),
        ]))
        .style(t.title),
        top,
    );
    list(app, f, body);
    status(app, f, bottom);
    match app.phase {
        Phase::Help => help(app, f, area),
        Phase::Confirm => confirm(app, f, area),
        _ => {}
    }
}

fn list(app: &VoteApp, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let h = usize::from(area.height.saturating_sub(2)).max(1);
    let first = app.cursor.saturating_sub(h.saturating_sub(1));
    let id_w = app
        .vote
        .items
        .iter()
        .map(|s| wrap::width(s))
        .max()
        .unwrap_or(4);
    let width = usize::from(area.width.saturating_sub(2));
    let mark_w = crate::domain::vote::Choice::ALL
        .iter()
        .map(|c| wrap::width(c.label().get(app.lang)))
        .max()
        .unwrap_or(6);
    let lines: Vec<Line> = app
        .vote
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(h)
        .map(|(i, id)| {
            let choice = app.choices[i];
            let label = choice.map_or("·", |c| c.label().get(app.lang));
            let mark = format!(" {} ", wrap::pad(label, mark_w));
            let name = sanitize::sanitize(app.names.get(i).map_or("", String::as_str)).into_owned();
            let rest = width.saturating_sub(wrap::width(&mark) + id_w + 2);
            let text = format!(
                "{}  {}",
                wrap::pad(&sanitize::sanitize(id), id_w),
                wrap::truncate(&name, rest)
            );
            let style = if i == app.cursor { t.selected } else { t.text };
            let mark_style = match choice {
                Some(_) => t.done,
                None => t.unscored,
            };
            Line::from(vec![
                Span::styled(
                    mark,
                    if i == app.cursor {
                        t.selected
                    } else {
                        mark_style
                    },
                ),
                Span::styled(text, style),
            ])
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border_focus)
        .title(T::VoteListTitle.get(app.lang));
    f.render_widget(Paragraph::new(lines).block(block), area);
}

fn status(app: &VoteApp, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let hint: Vec<Span> = KEYS
        .iter()
        .flat_map(|r| {
            [
                Span::styled(format!(" {} ", r.shown), t.key),
                Span::styled(r.help.get(app.lang).to_string(), t.status),
            ]
        })
        .collect();
    let msg = match &app.message {
        Some(m) => Line::styled(
            format!(" {}", sanitize::sanitize(m).into_owned()),
            if app.error { t.error } else { t.ok },
        ),
        None => Line::styled(format!(" {}", T::VoteSecretHint.get(app.lang)), t.muted),
    };
    f.render_widget(
        Paragraph::new(vec![msg, Line::from(hint)]).style(t.status),
        area,
    );
}

fn help(app: &VoteApp, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let r = help_box(area);
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|k| {
            Line::from(vec![
                Span::styled(format!(" {}  ", wrap::pad(k.shown, 8)), t.key),
                Span::styled(k.help.get(app.lang).to_string(), t.text),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(
        format!(" {}", T::VoteSecretHint.get(app.lang)),
        t.muted,
    ));
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(t.popup)
            .block(Block::default().borders(Borders::ALL).title("?")),
        r,
    );
}

fn confirm(app: &VoteApp, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let r = centered(area, 72, 6);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(T::VoteConfirm.get(app.lang))
            .wrap(Wrap { trim: true })
            .style(t.popup)
            .block(Block::default().borders(Borders::ALL)),
        r,
    );
}
