//! The panel: the experts, their sheets and leniency, agreement, the decision log, refused
//! sheets and notes.

use super::detail::draw_scrolled;
use crate::text::wrap;
use crate::tui::chair::state::ChairApp;
use crate::tui::chair::text::local_time;
use crate::tui::i18n::T;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// Draws the panel into `area`.
pub fn render(app: &ChairApp, f: &mut Frame, area: Rect) {
    let t = app.theme();
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", T::ChairPanel.get(app.lang())),
            t.title,
        ))
        .border_style(t.border_focus)
        .style(t.text);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = usize::from(inner.width);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let n_items = app.batch().items.len();
    lines.push(Line::styled(
        format!(
            "{} {}   {}",
            T::ChairSheetsHandedIn.get(app.lang()),
            app.handed.len(),
            T::ChairLeniencyBFromThe.get(app.lang())
        ),
        t.label,
    ));
    if let Some(r) = &app.results {
        for e in &r.experts {
            let h = app.handed.iter().find(|h| h.expert == e.id);
            let b = app
                .leniency
                .get(&e.id)
                .map(|b| format!("{b:+.2}"))
                .unwrap_or_else(|| "-".into());
            // Done = scored, recused, or excluded for a conflict: nothing left to do on it.
            let mut text = format!(
                "{} {} {}{} {} {}/{} {} {}",
                wrap::pad(&e.id, 6),
                wrap::pad(&e.name, 8),
                T::ChairSheetNo.get(app.lang()),
                h.map(|h| h.sequence).unwrap_or(0),
                T::ChairDone.get(app.lang()),
                e.scored + e.recused + e.conflicts,
                // With an assignment, the expert's share: other nominations are not theirs.
                e.assigned.unwrap_or(n_items),
                T::ChairRec.get(app.lang()),
                e.recused,
            );
            if e.conflicts > 0 {
                text.push_str(&format!(
                    " {} {}",
                    T::ChairConflicts.get(app.lang()),
                    e.conflicts
                ));
            }
            text.push_str(&format!(
                " {} {:.1} sd {:.1} b {b}",
                T::ChairMean.get(app.lang()),
                e.mean.unwrap_or(0.0),
                e.sd.unwrap_or(0.0),
            ));
            lines.push(Line::styled(wrap::truncate(&text, w), t.text));
        }
        lines.push(Line::default());
        lines.push(Line::styled(
            T::ChairAgreement.get(app.lang()).to_string(),
            t.label,
        ));
        match &r.aggregation.agreement.stats {
            Some(s) => {
                let f2 =
                    |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into());
                lines.push(Line::styled(
                    format!(
                        "ICC(1,1) {}  ICC(2,1) {}  ICC(3,1) {}",
                        f2(s.icc1_1),
                        f2(s.icc2_1),
                        f2(s.icc3_1)
                    ),
                    t.text,
                ));
                lines.push(Line::styled(
                    format!(
                        "ICC(1,k) {}  ICC(2,k) {}  ICC(3,k) {}  W {}",
                        f2(s.icc1_k),
                        f2(s.icc2_k),
                        f2(s.icc3_k),
                        f2(s.kendall_w)
                    ),
                    t.text,
                ));
                lines.push(Line::styled(
                    format!("{} x {}", s.n_experts, s.n_items),
                    t.muted,
                ));
            }
            None => lines.push(Line::styled(
                T::ChairNotEnoughFullyCrossed.get(app.lang()).to_string(),
                t.muted,
            )),
        }
        if !r.decisions.is_empty() {
            lines.push(Line::default());
            lines.push(Line::styled(
                format!(
                    "{}{}",
                    T::ChairDecisionLog.get(app.lang()),
                    T::ChairTimesLocal.get(app.lang())
                ),
                t.label,
            ));
            for d in r.decisions.iter().rev().take(12) {
                let text = format!(
                    "{} {} {}",
                    local_time(&d.at),
                    d.chair,
                    crate::domain::decisions::describe_decision(&d.decision, app.lang())
                );
                for l in wrap::wrap(&text, w) {
                    lines.push(Line::styled(l, t.text));
                }
            }
        }
    }
    let rejected: Vec<String> = app
        .rejected
        .iter()
        .map(|(p, why)| format!("{}: {why}", p.display()))
        .collect();
    for (label, items, style) in [
        (T::ChairRejectedSheets.get(app.lang()), &rejected, t.error),
        (T::ChairNotes.get(app.lang()), &app.notes, t.warn),
    ] {
        if !items.is_empty() {
            lines.push(Line::default());
            lines.push(Line::styled(label.to_string(), t.label));
            for n in items {
                for l in wrap::wrap(n, w) {
                    lines.push(Line::styled(l, style));
                }
            }
        }
    }
    draw_scrolled(app, f, inner, lines);
}
