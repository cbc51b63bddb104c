//! The panel: the experts, their sheets and leniency, agreement, the decision log, refused
//! sheets and notes.

use super::detail::draw_scrolled;
use crate::domain::results::Results;
use crate::engine::Estimate;
use crate::io::export::agree;
use crate::text::wrap;
use crate::tui::chair::state::ChairApp;
use crate::tui::chair::text::local_time;
use crate::tui::i18n::{Lang, T};
use crate::tui::theme::Theme;
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
    let aliases = app.aliases();
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
        // The rest of each expert's line first: ids and names get the width left over.
        let rests: Vec<String> = r
            .experts
            .iter()
            .map(|e| expert_rest(app, e, n_items))
            .collect();
        let rest_w = rests.iter().map(|s| wrap::width(s)).max().unwrap_or(0);
        // In projection mode a stand-in (专家A…) takes the id's place and no name is shown.
        let who: Vec<(String, String)> = r
            .experts
            .iter()
            .map(|e| match &aliases {
                Some(a) => (a.of(&e.id).into_owned(), String::new()),
                None => (e.id.clone(), e.name.clone()),
            })
            .collect();
        let widest = |f: fn(&(String, String)) -> &str| {
            who.iter().map(|x| wrap::width(f(x))).max().unwrap_or(0)
        };
        let (id_w, name_w) = fit_two(
            widest(|x| &x.0),
            widest(|x| &x.1),
            w.saturating_sub(rest_w + 2),
        );
        for ((id, name), rest) in who.iter().zip(&rests) {
            let id = wrap::pad(&wrap::truncate(id, id_w), id_w);
            let text = if aliases.is_some() {
                format!("{id} {rest}")
            } else {
                format!(
                    "{id} {} {rest}",
                    wrap::pad(&wrap::truncate(name, name_w), name_w),
                )
            };
            lines.push(Line::styled(wrap::truncate(&text, w), t.text));
        }
        lines.push(Line::default());
        lines.push(Line::styled(
            T::ChairAgreement.get(app.lang()).to_string(),
            t.label,
        ));
        agreement_lines(r, app.lang(), t, w, &mut lines);
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
                let text = app.public(aliases.as_ref(), &text);
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
                for l in wrap::wrap(&app.public(aliases.as_ref(), n), w) {
                    lines.push(Line::styled(l, style));
                }
            }
        }
    }
    draw_scrolled(app, f, inner, lines);
}

/// An expert's line after the id and name: sheet, progress, recusals, conflicts, mean, sd, b.
fn expert_rest(app: &ChairApp, e: &crate::domain::results::ExpertRow, n_items: usize) -> String {
    let lang = app.lang();
    let h = app.handed.iter().find(|h| h.expert == e.id);
    let b = app
        .leniency
        .get(&e.id)
        .map(|b| format!("{b:+.2}"))
        .unwrap_or_else(|| "-".into());
    // Done = scored, recused, or excluded for a conflict: nothing left to do on it.
    let mut text = format!(
        "{}{} {} {}/{} {} {}",
        T::ChairSheetNo.get(lang),
        h.map(|h| h.sequence).unwrap_or(0),
        T::ChairDone.get(lang),
        e.scored + e.recused + e.conflicts,
        // With an assignment, the expert's share: other nominations are not theirs.
        e.assigned.unwrap_or(n_items),
        T::ChairRec.get(lang),
        e.recused,
    );
    if e.conflicts > 0 {
        text.push_str(&format!(" {} {}", T::ChairConflicts.get(lang), e.conflicts));
    }
    text.push_str(&format!(
        " {} {:.1} sd {:.1} b {b}",
        T::ChairMean.get(lang),
        e.mean.unwrap_or(0.0),
        e.sd.unwrap_or(0.0),
    ));
    text
}

/// Widths for two columns whose widest entries are `a` and `b` cells, within `room`: both
/// whole when they fit; else the narrower stays whole if it takes at most half, and the other
/// gets the rest; else half each. At least 4 cells each, so an id never vanishes.
fn fit_two(a: usize, b: usize, room: usize) -> (usize, usize) {
    const MIN: usize = 4;
    let (a, b) = (a.max(1), b.max(1));
    if a + b <= room {
        return (a, b);
    }
    let half = room / 2;
    let (x, y) = if a <= half {
        (a, room - a)
    } else if b <= room - half {
        (room - b, b)
    } else {
        (half, room - half)
    };
    (x.clamp(MIN.min(a), a), y.clamp(MIN.min(b), b))
}

/// Agreement for the panel pane: from every score (variance components, with 95% intervals
/// and the design, worded as in `stats`), Kendall's W from the fully crossed block when there
/// is one.
fn agreement_lines(r: &Results, lang: Lang, t: &Theme, w: usize, lines: &mut Vec<Line<'static>>) {
    let a = &r.aggregation.agreement;
    let all = &a.all_scores;
    if all.icc2_1.is_none() && all.icc3_1.is_none() {
        lines.push(Line::styled(
            T::ChairNotEnoughScores.get(lang).to_string(),
            t.muted,
        ));
        return;
    }
    lines.push(Line::styled(
        format!(
            "ICC(A,1) {}  ICC(C,1) {}",
            agree::estimate(all.icc2_1),
            agree::estimate(all.icc3_1)
        ),
        t.text,
    ));
    let f2 = |v: Option<f64>| v.map_or_else(|| "-".into(), |x| format!("{x:.2}"));
    let point = |e: Option<Estimate>| f2(e.map(|e| e.estimate));
    let mut second = format!(
        "ICC(A,k) {}  ICC(C,k) {}  k = {:.2}",
        point(all.icc2_k),
        point(all.icc3_k),
        all.design.k_mean
    );
    if let Some(kw) = a.stats.as_ref().and_then(|s| s.kendall_w) {
        second.push_str(&format!("  W {}", f2(Some(kw))));
    }
    lines.push(Line::styled(second, t.text));
    for l in wrap::wrap(&agree::design(all, lang), w.max(1)) {
        lines.push(Line::styled(l, t.muted));
    }
}

#[cfg(test)]
mod tests {
    use super::fit_two;

    #[test]
    fn ids_and_names_get_the_room_there_is() {
        // Nine `expert-01`… ids and three-character names at 80 columns: both whole.
        assert_eq!(fit_two(9, 6, 30), (9, 6));
        // Too long together: the short column stays whole, the long one takes the rest.
        assert_eq!(fit_two(30, 6, 20), (14, 6));
        assert_eq!(fit_two(4, 40, 20), (4, 16));
        // Both long: half each.
        assert_eq!(fit_two(30, 30, 21), (10, 11));
        // No room at all: a few cells each rather than nothing.
        assert_eq!(fit_two(30, 30, 0), (4, 4));
        assert_eq!(fit_two(2, 30, 0), (2, 4));
    }
}
