//! The chair's popups: help, the offer of a compensating cut, the reason prompt, the choice
//! of a discussion round's nominations.

use crate::text::wrap;
use crate::tui::chair::discussion::ROUND;
use crate::tui::chair::help::help_lines;
use crate::tui::chair::state::{ChairApp, ReasonFor, RoundPick};
use crate::tui::i18n::T;
use crate::tui::widgets::{centered, clear_popup, draw_lines, editor, help_box};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// The help overlay, scrolled.
pub fn help(app: &ChairApp, f: &mut Frame, area: Rect, scroll: usize) {
    let t = app.theme();
    let r = help_box(area);
    clear_popup(f, r);
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", T::ChairHelpChairKeys.get(app.lang())),
            t.title,
        ))
        .border_style(t.border_focus)
        .style(t.popup);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let lines = help_lines(app, usize::from(inner.width));
    let h = usize::from(inner.height);
    let total = lines.len();
    let scroll = scroll.min(total.saturating_sub(h));
    if total > h {
        // Clipped: say so on the bottom border, with the keys that scroll.
        let more = T::ChairHelpMore.fill(
            app.lang(),
            &[
                ("a", &(scroll + 1).to_string()),
                ("b", &(scroll + h).min(total).to_string()),
                ("n", &total.to_string()),
            ],
        );
        let y = inner.bottom();
        if y < r.bottom() {
            let x = inner.x + 1;
            f.render_widget(
                Line::styled(
                    wrap::truncate(&more, usize::from(inner.width.saturating_sub(2))),
                    t.key,
                ),
                Rect::new(x, y, inner.width.saturating_sub(2), 1),
            );
        }
    }
    draw_lines(f, inner, lines.into_iter().skip(scroll));
}

/// The offer to move the cut to `k`.
pub fn compensate(app: &ChairApp, f: &mut Frame, area: Rect, k: usize) {
    let t = app.theme();
    let Some(d) = app.results.as_ref().and_then(|r| r.decided.as_ref()) else {
        return;
    };
    let text = T::ChairCompensate.fill(
        app.lang(),
        &[
            ("n", &d.list_size.to_string()),
            ("min", &d.shortlist_min.to_string()),
            ("max", &d.shortlist_max.to_string()),
            ("k", &k.to_string()),
        ],
    );
    // One line when the screen allows: the question and its keys read together.
    let w = ((wrap::width(&text) + 4) as u16)
        .max(40)
        .min(area.width.saturating_sub(2));
    let lines = wrap::wrap(text.trim(), usize::from(w.saturating_sub(4)).max(1));
    let r = centered(area, w, lines.len() as u16 + 2);
    clear_popup(f, r);
    let block = Block::bordered()
        .border_style(t.border_focus)
        .style(t.popup);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let lines = lines
        .into_iter()
        .map(|l| Line::styled(format!(" {l}"), t.warn));
    draw_lines(f, inner, lines);
}

/// The reason prompt for a decision.
pub fn reason(
    app: &ChairApp,
    f: &mut Frame,
    area: Rect,
    what: &ReasonFor,
    ta: &ratatui_textarea::TextArea<'static>,
) {
    let title = match what {
        ReasonFor::Include(id) => T::ReasonInclude.fill(app.lang(), &[("id", id)]),
        ReasonFor::Exclude(id) => T::ReasonExclude.fill(app.lang(), &[("id", id)]),
        ReasonFor::Ties => match app
            .results
            .as_ref()
            .and_then(|r| crate::domain::decisions::split_at(&r.rows, r.k))
        {
            Some(s) => T::ReasonTiesAt.fill(
                app.lang(),
                &[
                    ("rank", &s.rank.to_string()),
                    ("items", &s.items.join(", ")),
                ],
            ),
            None => T::ReasonTies.get(app.lang()).to_string(),
        },
        ReasonFor::CutTie(k) => match app
            .results
            .as_ref()
            .and_then(|r| crate::domain::decisions::split_at(&r.rows, *k))
        {
            Some(s) => T::ReasonCutTie.fill(
                app.lang(),
                &[
                    ("k", &k.to_string()),
                    ("rank", &s.rank.to_string()),
                    ("items", &s.items.join(", ")),
                ],
            ),
            None => T::ReasonTies.get(app.lang()).to_string(),
        },
    };
    // Wide enough for the whole question (it names the tied nominations) where the screen allows.
    let want = (wrap::width(&title) + 2).min(usize::from(area.width.saturating_sub(2)));
    let w = (area.width * 3 / 4).max(40).max(want as u16);
    let r = centered(area, w, 3);
    editor(app.theme(), f, r, &title, ta);
}

/// The choice of discussion round 2's nominations: each choice with its count, the chosen
/// one's ids (nominations only: nothing here names an expert).
pub fn open_round(app: &ChairApp, f: &mut Frame, area: Rect, pick: RoundPick) {
    let t = app.theme();
    let lang = app.lang();
    let title = T::ChairRoundTitle.fill(lang, &[("round", &ROUND.to_string())]);
    let w = (area.width * 3 / 4)
        .max(40)
        .min(area.width.saturating_sub(2));
    let text_w = usize::from(w.saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for p in RoundPick::ALL {
        let n = app.round_candidates(p).len();
        let mark = if p == pick { "▸" } else { " " };
        let style = if p == pick { t.selected } else { t.popup };
        let text = format!("{mark} {n:>3}  {}", p.label(lang));
        lines.push(Line::styled(wrap::truncate(&text, text_w), style));
    }
    lines.push(Line::raw(""));
    let items = app.round_candidates(pick);
    let what = if items.is_empty() {
        T::ChairRoundNoneHere.get(lang).to_string()
    } else {
        let n = items.len().to_string();
        T::ChairRoundCount.fill(lang, &[("n", &n), ("items", &items.join(", "))])
    };
    for l in wrap::wrap(&what, text_w).into_iter().take(4) {
        lines.push(Line::styled(l, t.text));
    }
    let r = centered(area, w, lines.len() as u16 + 2);
    clear_popup(f, r);
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), t.title))
        .border_style(t.border_focus)
        .style(t.popup);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(1),
        ..inner
    };
    draw_lines(f, inner, lines);
}
