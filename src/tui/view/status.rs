//! The title bar (batch and domain) and the status bar (expert, progress, saved, keys).

use crate::tui::action::Action;
use crate::tui::app::{App, Level, Mode};
use crate::tui::i18n::T;
use crate::wrap;
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
    f.render_widget(
        Line::styled(wrap::pad(&text, usize::from(area.width)), t.title),
        area,
    );
}

/// The first key bound to an action, for hints.
fn key(app: &App, a: Action) -> String {
    app.keymap.keys(a).into_iter().next().unwrap_or_default()
}

/// Draws the bottom line; in search mode it is the search prompt.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let w = usize::from(area.width);
    if let Mode::Search { .. } = app.mode {
        let prompt = format!(" {}: /", T::SearchPrompt.get(app.lang));
        let hint = format!("   {}", T::SearchHint.get(app.lang));
        let q = &app.query;
        let line = Line::from(vec![
            Span::styled(prompt.clone(), t.key),
            Span::styled(q.clone(), t.search_match),
            Span::styled(hint, t.muted),
        ]);
        f.render_widget(Line::styled(" ".repeat(w), t.status), area);
        f.render_widget(line, area);
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
    match &app.message {
        Some((level, msg)) => {
            let style = match level {
                Level::Info => t.ok,
                Level::Warn => t.warn,
                Level::Error => t.error,
            };
            spans.push(Span::styled(msg.clone(), style));
        }
        None => {
            let hints = [
                (Action::NextItem, "j/k"),
                (Action::NextCriterion, ""),
                (Action::Comment, ""),
                (Action::Recuse, ""),
                (Action::Flag, ""),
                (Action::Undo, ""),
                (Action::Help, ""),
                (Action::Quit, ""),
            ];
            let names: &[(&str, &str)] = if app.lang.en() {
                &[
                    ("move", ""),
                    ("criterion", ""),
                    ("comment", ""),
                    ("recuse", ""),
                    ("flag", ""),
                    ("undo", ""),
                    ("help", ""),
                    ("quit", ""),
                ]
            } else {
                &[
                    ("移动", ""),
                    ("指标", ""),
                    ("评语", ""),
                    ("回避", ""),
                    ("讨论", ""),
                    ("撤销", ""),
                    ("帮助", ""),
                    ("退出", ""),
                ]
            };
            let digits = if app.lang.en() {
                "0-9 score"
            } else {
                "0-9 打分"
            };
            spans.push(Span::styled(digits.to_string(), t.muted));
            for ((a, fixed), (name, _)) in hints.iter().zip(names) {
                let k = if fixed.is_empty() {
                    key(app, *a)
                } else {
                    (*fixed).to_string()
                };
                spans.push(Span::styled(format!("  {k}"), t.key));
                spans.push(Span::styled(format!(" {name}"), t.muted));
            }
        }
    }
    f.render_widget(Line::styled(" ".repeat(w), t.status), area);
    // Cut by cells so a wide character at the edge never spills.
    let mut used = 0;
    let mut fitted = Vec::new();
    for s in spans {
        let sw = wrap::width(&s.content);
        if used + sw <= w {
            used += sw;
            fitted.push(s);
        } else {
            let rest = w.saturating_sub(used);
            if rest > 0 {
                fitted.push(Span::styled(wrap::truncate(&s.content, rest), s.style));
            }
            break;
        }
    }
    f.render_widget(Line::from(fitted), area);
}
