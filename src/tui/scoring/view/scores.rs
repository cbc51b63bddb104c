//! The scoring pane: the criteria with their scores, the total, the focused criterion's
//! band descriptors and the comment.

use crate::store::{Confidence, ItemRecord};
use crate::text::wrap;
use crate::tui::i18n::T;
use crate::tui::scoring::action::Action;
use crate::tui::scoring::state::{App, ItemStatus, confidence_label};
use crate::tui::widgets::{boxed, draw_lines, fill, push_wrapped};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use std::borrow::Cow;

/// Draws the scoring pane.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let en = app.lang.en();
    let title = match app.current() {
        Some(it) => format!(" {} {} ", T::PaneScores.get(app.lang), it.id),
        None => format!(" {} ", T::PaneScores.get(app.lang)),
    };
    let title = Line::from(Span::styled(
        wrap::truncate(&title, usize::from(area.width.saturating_sub(2))),
        t.title,
    ));
    fill(f.buffer_mut(), area, super::pane_style(app, t.text));
    let inner = boxed(f.buffer_mut(), area, t.border_focus, Some(&title), None);
    let Some(it) = app.current() else {
        return;
    };
    let w = usize::from(inner.width);
    if w < 10 {
        return;
    }
    let untouched = ItemRecord::default();
    let rec = app.record_ref(&it.id).unwrap_or(&untouched);
    let status = app.status(&it.id);
    let recused = status == ItemStatus::Recused;
    // The focused criterion's rubric, wrapped for this width (cached): lines borrow from it.
    let rubric_text = app
        .criteria()
        .get(app.crit)
        .filter(|_| !recused)
        .map(|c| (c, app.rubric_text(app.crit, w)));
    let mut lines: Vec<Line<'_>> = Vec::with_capacity(usize::from(inner.height));

    let label_w = app
        .criteria()
        .iter()
        .map(|c| wrap::width(c.label_in(en)))
        .max()
        .unwrap_or(4)
        .min(w.saturating_sub(8));
    let discussed = app.discussion.as_ref().filter(|d| d.has(&it.id));
    for (i, c) in app.criteria().iter().enumerate() {
        let focused = i == app.crit && !recused;
        let value = if focused && !app.input.is_empty() {
            format!("[{}_]", app.input)
        } else {
            match rec.scores.get(&c.key) {
                Some(v) => c.format(*v),
                None => "-".into(),
            }
        };
        let marker = if focused { ">" } else { " " };
        let scale = format!("/{}", c.format(c.max));
        let mut line = Line::from(vec![
            Span::raw(marker),
            Span::raw(" "),
            Span::raw(wrap::pad(c.label_in(en), label_w)),
            Span::raw(" "),
            Span::styled(
                format!("{value:>5}"),
                if recused { t.muted } else { t.text },
            ),
            Span::styled(scale, t.muted),
        ]);
        if let Some(d) = discussed {
            // Beside the score: the expert's own round-1 score when it moved.
            let own = d.own_round_1.items.get(&it.id);
            let then = own.and_then(|r| r.scores.get(&c.key)).copied();
            if then.is_some() && then != rec.scores.get(&c.key).copied() {
                let v = then.map(|v| c.format(v)).unwrap_or_default();
                let text = T::RevOwnRound1.fill(app.lang, &[("v", &v)]);
                line.spans.push(Span::styled(format!(" {text}"), t.muted));
            }
        }
        if focused {
            // Nothing on the focus bar is dimmed: dim text on a dark bar is unreadable.
            let bar = t.focus.remove_modifier(Modifier::DIM);
            for s in &mut line.spans {
                s.style = s.style.patch(bar);
            }
            // Fill the row so the focus reads as a bar.
            let used: usize = line.spans.iter().map(|s| wrap::width(&s.content)).sum();
            line.spans
                .push(Span::styled(" ".repeat(w.saturating_sub(used)), t.focus));
        }
        lines.push(line);
    }

    let total = match status {
        ItemStatus::Done(v) => Line::from(vec![
            Span::styled(format!("  {} ", T::Total.get(app.lang)), t.label),
            Span::styled(format!("{v:.1}"), t.done),
            Span::styled(T::OutOf100.get(app.lang), t.muted),
        ]),
        ItemStatus::Partial(n) => {
            let est = app
                .profile
                .rubric()
                .partial_total(&rec.scores)
                .unwrap_or(0.0);
            Line::from(vec![
                Span::styled(format!("  {} ", T::Total.get(app.lang)), t.label),
                Span::styled(
                    format!("({n}/{}) ~{est:.1}", app.criteria().len()),
                    t.partial,
                ),
            ])
        }
        ItemStatus::Unscored => Line::from(vec![
            Span::styled(format!("  {} ", T::Total.get(app.lang)), t.label),
            Span::styled(T::Unscored.get(app.lang), t.unscored),
        ]),
        ItemStatus::Recused => Line::default(),
    };
    lines.push(total);
    if let Some(d) = discussed {
        let total = d
            .spread
            .get(&it.id)
            .and_then(|m| m.get(crate::domain::rounds::TOTAL));
        let (n, min, median, max) =
            total.map_or((0, 0.0, 0.0, 0.0), |s| (s.n, s.min, s.median, s.max));
        let banner = T::RevBanner.fill(
            app.lang,
            &[
                ("round", &d.round.to_string()),
                ("n", &n.to_string()),
                ("min", &format!("{min:.1}")),
                ("median", &format!("{median:.1}")),
                ("max", &format!("{max:.1}")),
            ],
        );
        push_wrapped(&mut lines, &banner, w, t.flagged);
        // The panel's lowest–median–highest per criterion: no names, no rows.
        push_wrapped(&mut lines, T::RevPanelHead.get(app.lang), w, t.label);
        for c in app.criteria() {
            if let Some(sp) = d.spread.get(&it.id).and_then(|m| m.get(&c.key)) {
                let text = T::RevPanelSpread.fill(
                    app.lang,
                    &[
                        ("min", &short(sp.min)),
                        ("median", &short(sp.median)),
                        ("max", &short(sp.max)),
                    ],
                );
                let label = wrap::pad(c.label_in(en), label_w);
                push_wrapped(&mut lines, &format!("  {label} {text}"), w, t.muted);
            }
        }
    }
    if let Some(reason) = &rec.recusal {
        let hint = T::RecusedHint.fill(app.lang, &[("key", &app.key_for(Action::Recuse))]);
        push_wrapped(&mut lines, &hint, w, t.recused);
        push_wrapped(
            &mut lines,
            &T::RecusedBecause.fill(app.lang, &[("reason", reason)]),
            w,
            t.recused,
        );
    }
    let mut marks = Vec::new();
    if rec.flagged {
        marks.push(Span::styled(
            format!("* {}", T::Flagged.get(app.lang)),
            t.flagged,
        ));
    }
    if rec.confidence != Confidence::Normal {
        if !marks.is_empty() {
            marks.push(Span::raw("  "));
        }
        marks.push(Span::styled(
            format!(
                "{} {}",
                T::Confidence.get(app.lang),
                confidence_label(rec.confidence, app.lang)
            ),
            t.warn,
        ));
    }
    if !marks.is_empty() {
        lines.push(Line::from(marks));
    }
    lines.push(Line::default());

    // The focused criterion's rubric, with the band of the current score marked.
    let mut head: Vec<Line<'_>> = Vec::new();
    let mut question: Vec<Line<'_>> = Vec::new();
    let mut bands: Vec<Line<'_>> = Vec::new();
    if let Some((c, text)) = &rubric_text {
        let current = if app.input.is_empty() {
            rec.scores.get(&c.key).copied()
        } else {
            app.input.parse::<f64>().ok()
        };
        head.push(Line::styled(
            format!(
                "{}  {}-{}",
                c.label_in(en),
                c.format(c.min),
                c.format(c.max)
            ),
            t.label,
        ));
        question.extend(
            text.question
                .iter()
                .map(|l| Line::styled(l.as_str(), t.muted)),
        );
        for (band, (head, wrapped)) in c.bands.iter().zip(&text.bands) {
            let active = current.is_some_and(|v| v >= band.min - 1e-9 && v <= band.max + 1e-9);
            let style = if active { t.band_active } else { t.text };
            let hw = wrap::width(head);
            for (i, l) in wrapped.iter().enumerate() {
                let lead = if i == 0 {
                    Cow::Borrowed(head.as_str())
                } else {
                    Cow::Owned(" ".repeat(hw))
                };
                bands.push(Line::from(vec![
                    Span::styled(lead, style),
                    Span::styled(l.as_str(), style),
                ]));
            }
        }
    }

    let mut comment = vec![Line::styled(T::Comment.get(app.lang), t.label)];
    if rec.comment.is_empty() {
        let hint = T::NoComment.fill(app.lang, &[("key", &app.key_for(Action::Comment))]);
        push_wrapped(&mut comment, &hint, w, t.muted);
    } else {
        push_wrapped(&mut comment, &rec.comment, w, t.text);
    }

    // The comment always keeps a few lines at the bottom, even at 80×24; the rubric takes
    // what is left, dropping its question before its bands.
    let h = usize::from(inner.height);
    lines.truncate(h);
    let room = h - lines.len();
    let rubric_need = head.len() + bands.len();
    let keep = comment
        .len()
        .min(room.saturating_sub(rubric_need).max((room / 4).max(2)))
        .min(room);
    if keep < comment.len() && keep > 0 {
        comment.truncate(keep);
        if let Some(last) = comment.last_mut() {
            let text: String = last.spans.iter().map(|s| s.content.as_ref()).collect();
            *last = Line::styled(wrap::truncate(&format!("{text}~"), w), t.muted);
        }
    }
    let rubric_room = room - comment.len().min(room);
    let mut rubric = head;
    if rubric.len() + question.len() + bands.len() < rubric_room {
        rubric.extend(question);
    }
    rubric.extend(bands);
    if rubric.len() < rubric_room {
        rubric.push(Line::default());
    }
    rubric.truncate(rubric_room);
    let pad = rubric_room - rubric.len();
    lines.extend(rubric);
    lines.extend(std::iter::repeat_n(Line::default(), pad));
    lines.extend(comment.into_iter().take(room));

    draw_lines(f, inner, lines);
}

/// A panel figure: one decimal at most (a median of two scores may fall between steps).
fn short(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}
