//! A nomination's detail: scores, criteria means as bars, every expert's marks and comments.

use crate::text::wrap;
use crate::tui::chair::state::{ChairApp, ChairView};
use crate::tui::i18n::T;
use crate::tui::widgets::draw_lines;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

fn bar(value: f64, max: f64, width: usize) -> String {
    let filled = if max > 0.0 {
        ((value / max) * width as f64).round() as usize
    } else {
        0
    };
    format!(
        "{}{}",
        "#".repeat(filled.min(width)),
        ".".repeat(width.saturating_sub(filled))
    )
}

/// Draws the selected nomination's detail into `area`.
pub fn render(app: &ChairApp, f: &mut Frame, area: Rect) {
    let t = app.theme();
    let focused = app.view == ChairView::Detail;
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", T::ChairDetail.get(app.lang())),
            // A title is read, not a border: a dim border must not dim it.
            t.title.remove_modifier(Modifier::DIM),
        ))
        .border_style(if focused { t.border_focus } else { t.border })
        .style(t.text);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let (Some(r), Some(row)) = (&app.results, app.current()) else {
        return;
    };
    let w = usize::from(inner.width);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for l in wrap::wrap(&format!("{} {}", row.id, row.name), w) {
        lines.push(Line::styled(l, t.title));
    }
    for l in wrap::wrap(&format!("{}  {}", row.applicant, row.recommender), w) {
        lines.push(Line::styled(l, t.muted));
    }
    let summary = format!(
        "{} {}  {} {}  n {}  sd {}  {} {}  p {}",
        T::ChairRank.get(app.lang()),
        row.rank
            .map(|k| k.to_string())
            .unwrap_or_else(|| "-".into()),
        T::ChairScore.get(app.lang()),
        row.score
            .map(|s| format!("{s:.4}"))
            .unwrap_or_else(|| "-".into()),
        row.n,
        row.sd
            .map(|s| format!("{s:.2}"))
            .unwrap_or_else(|| "-".into()),
        T::ChairRange.get(app.lang()),
        row.range
            .map(|s| format!("{s:.1}"))
            .unwrap_or_else(|| "-".into()),
        row.p_shortlist
            .map(|s| format!("{s:.2}"))
            .unwrap_or_else(|| "-".into()),
    );
    lines.push(Line::styled(summary, t.text));
    if app.batch().meta.final_review
        && let Some(it) = app.batch().items.iter().find(|i| i.id == row.id)
    {
        let domain = app
            .profile()
            .domain(&row.domain)
            .map(|d| d.name_in(app.lang().en()).to_string())
            .unwrap_or_else(|| row.domain.clone());
        let text = T::ChairPrelim.fill(
            app.lang(),
            &[
                ("domain", &domain),
                (
                    "rank",
                    &it.preliminary_rank
                        .map(|k| k.to_string())
                        .unwrap_or_else(|| "-".into()),
                ),
                (
                    "score",
                    &it.preliminary_score
                        .map(|s| format!("{s:.4}"))
                        .unwrap_or_else(|| "-".into()),
                ),
            ],
        );
        for l in wrap::wrap(&text, w) {
            lines.push(Line::styled(l, t.label));
        }
    }
    if let (Some(d), Some(reason)) = (&row.decision, &row.decision_reason) {
        let d = if d == "include" {
            T::DecIncluded.get(app.lang())
        } else {
            T::DecExcluded.get(app.lang())
        };
        let text = T::ChairDecisionLine.fill(app.lang(), &[("d", d), ("reason", reason)]);
        for l in wrap::wrap(&text, w) {
            lines.push(Line::styled(l, t.flagged));
        }
    }
    lines.push(Line::default());
    // Per-criterion means as bars.
    let crit = &app.profile().rubric().criteria;
    let label_w = crit
        .iter()
        .map(|c| wrap::width(c.label_in(app.lang().en())))
        .max()
        .unwrap_or(4);
    let bar_w = w.saturating_sub(label_w + 12).clamp(4, 30);
    for (i, c) in crit.iter().enumerate() {
        let mean = row.criteria_means.get(i).copied().flatten();
        let text = match mean {
            Some(m) => format!(
                "{} {} {m:>5.2}",
                wrap::pad(c.label_in(app.lang().en()), label_w),
                bar(m - c.min, c.max - c.min, bar_w)
            ),
            None => format!("{} -", wrap::pad(c.label_in(app.lang().en()), label_w)),
        };
        lines.push(Line::styled(text, t.text));
    }
    lines.push(Line::default());
    // Every expert's scores, total, recusal and comment.
    let name_w = 10.min(w / 4);
    let aliases = app.aliases();
    for cell in r.matrix.iter().filter(|c| c.item == row.id) {
        let name = match &aliases {
            Some(a) => a.of(&cell.expert).into_owned(),
            None => app
                .handed
                .iter()
                .find(|h| h.expert == cell.expert)
                .map(|h| format!("{} {}", h.expert, h.name))
                .unwrap_or_else(|| cell.expert.clone()),
        };
        let scores: Vec<String> = cell
            .scores
            .iter()
            .map(|s| s.map(|v| format!("{v:>3}")).unwrap_or_else(|| "  -".into()))
            .collect();
        let tail = if let Some(reason) = &cell.recused {
            let reason = app.public(aliases.as_ref(), reason);
            format!("{} {reason}", T::ChairRecused.get(app.lang()))
        } else if cell.conflict {
            T::ChairConflictNotCounted.get(app.lang()).to_string()
        } else {
            cell.total
                .map(|v| format!("{v:>6.1}"))
                .unwrap_or_else(|| T::ChairPartial.get(app.lang()).into())
        };
        let text = format!("{} {} {tail}", wrap::pad(&name, name_w), scores.join(""));
        lines.push(Line::styled(
            wrap::truncate(&text, w),
            if cell.recused.is_some() || cell.conflict {
                t.recused
            } else {
                t.text
            },
        ));
        if !cell.comment.is_empty() {
            let comment = app.public(aliases.as_ref(), &cell.comment);
            for l in wrap::wrap(&comment, w.saturating_sub(4).max(4)) {
                lines.push(Line::styled(format!("    {l}"), t.muted));
            }
        }
    }
    draw_scrolled(app, f, inner, lines);
}

/// Draws text lines scrolled as the detail and panel are.
pub(super) fn draw_scrolled(app: &ChairApp, f: &mut Frame, inner: Rect, lines: Vec<Line<'static>>) {
    let h = usize::from(inner.height);
    let scroll = app.scroll.min(lines.len().saturating_sub(h));
    draw_lines(f, inner, lines.into_iter().skip(scroll));
}
