//! Drawing the chair's view: ranking with the cut, nomination detail, panel.

use super::{centered, clear_popup};
use crate::text::wrap;
use crate::tui::app::{Level, MIN_HEIGHT, MIN_WIDTH};
use crate::tui::chair::{ChairApp, ChairMode, ChairView, ReasonFor};
use crate::tui::i18n::{T, describe};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// Draws the whole chair screen.
pub fn render(app: &ChairApp, f: &mut Frame) {
    let area = f.area();
    let t = app.theme();
    f.render_widget(Block::default().style(t.base), area);
    if crate::tui::app::too_small((area.width, area.height)) {
        let msg = format!(
            "{} {MIN_WIDTH}x{MIN_HEIGHT}, {} {}x{}",
            T::ChairTerminalTooSmallNeed.get(app.lang()),
            T::ChairHave.get(app.lang()),
            area.width,
            area.height
        );
        for (i, l) in wrap::wrap(&msg, usize::from(area.width.max(1)))
            .into_iter()
            .enumerate()
        {
            let y = area.y + area.height / 2 + i as u16;
            if y < area.bottom() {
                f.render_widget(Line::styled(l, t.warn), Rect::new(area.x, y, area.width, 1));
            }
        }
        return;
    }
    let p = app.panes(area);
    title(app, f, p.title);
    if !p.list.is_empty() {
        ranking(app, f, p.list);
    }
    if !p.reading.is_empty() {
        match app.view {
            ChairView::Panel => panel(app, f, p.reading),
            _ => detail(app, f, p.reading),
        }
    }
    status(app, f, p.status);
    match &app.mode {
        ChairMode::Help { scroll } => help(app, f, area, *scroll),
        ChairMode::Reason(what, ta) => reason(app, f, area, what, ta),
        ChairMode::Compensate(k) => compensate(app, f, area, *k),
        _ => {}
    }
}

/// The title's parts, most important first: K and the decided list against the range, the
/// method, the sheets; then the domain, the program and the alliance as far as they fit.
fn title(app: &ChairApp, f: &mut Frame, area: Rect) {
    let t = app.theme();
    let lang = app.lang();
    let en = lang.en();
    let w = usize::from(area.width);
    let mut first = String::new();
    let mut alarm = false;
    if let Some(r) = &app.results {
        let (n, min, max) = match &r.decided {
            Some(d) => (d.list_size, d.shortlist_min, d.shortlist_max),
            None => (
                r.rows.iter().filter(|x| x.shortlisted).count(),
                r.config.shortlist_min,
                r.config.shortlist_max,
            ),
        };
        first = T::ChairTitleList.fill(
            lang,
            &[
                ("k", &r.k.to_string()),
                ("n", &n.to_string()),
                ("min", &min.to_string()),
                ("max", &max.to_string()),
            ],
        );
        let unsettled = r
            .decided
            .as_ref()
            .and_then(|d| d.split_tie.as_ref())
            .is_some_and(|s| s.resolved.is_none());
        alarm = r.k_out_of_range || unsettled;
        if alarm {
            first.push_str(" ⚠");
        }
    }
    let mut method = format!("{} {}", T::ChairMethod.get(lang), app.method);
    if let Some(made) = app
        .results
        .as_ref()
        .and_then(|r| r.decided.as_ref())
        .filter(|d| d.context_differs())
        .and_then(|d| d.made_under.as_ref())
    {
        method.push_str(&format!(
            " ({} ⚠)",
            T::ChairDecidedUnder.fill(lang, &[("m", &made.method)])
        ));
    }
    let mut sheets = format!("{} {}", T::ChairSheets.get(lang), app.handed.len());
    if !app.rejected.is_empty() {
        sheets.push_str(&format!(
            " {}",
            T::ChairRejectedCount.fill(lang, &[("n", &app.rejected.len().to_string())])
        ));
    }
    let domain = app
        .batch
        .domain
        .as_deref()
        .and_then(|d| app.profile.domain(d));
    let mut rest = vec![match domain {
        Some(d) => d.name_in(en).to_string(),
        None => T::ChairFinalReview.get(lang).to_string(),
    }];
    rest.push(format!("revdesk {}", T::ChairChair.get(lang)));
    if let Some(d) = domain {
        rest.push(d.alliance_in(en).to_string());
    }
    // The first part on its own span: red when the list is outside the range or a tie is open.
    let head = if first.is_empty() {
        String::new()
    } else {
        format!(" {first} |")
    };
    let mut text = format!(" {method} | {sheets}");
    // The rest only when it fits whole: a cut-off alliance name helps nobody.
    for part in rest {
        if wrap::width(&head) + wrap::width(&text) + 3 + wrap::width(&part) <= w {
            text.push_str(" | ");
            text.push_str(&part);
        } else {
            break;
        }
    }
    let head_w = wrap::width(&head).min(w);
    let head = wrap::truncate(&head, head_w);
    let text = wrap::pad(&text, w.saturating_sub(head_w));
    let head_style = if alarm {
        t.title.patch(t.error)
    } else {
        t.title
    };
    let spans = vec![Span::styled(head, head_style), Span::styled(text, t.title)];
    f.render_widget(Line::from(spans), area);
}

fn flags_text(row: &crate::domain::results::Row) -> String {
    use crate::domain::results::Flag;
    let mut s = String::new();
    for (flag, c) in [
        (Flag::Borderline, 'B'),
        (Flag::Spread, 'S'),
        (Flag::TieAtCut, 'T'),
        (Flag::Incomplete, 'P'),
    ] {
        if row.flags.contains(&flag) {
            s.push(c);
        }
    }
    match row.decision.as_deref() {
        Some("include") => s.push_str("+I"),
        Some("exclude") => s.push_str("-X"),
        _ => {}
    }
    s
}

fn ranking(app: &ChairApp, f: &mut Frame, area: Rect) {
    let t = app.theme();
    let filter = app.filter.label(app.lang());
    let mut title = format!(" {} [{filter}] ", T::ChairRanking.get(app.lang()));
    if !app.query.is_empty() {
        title.push_str(&format!("/{} ", app.query));
    }
    let focused = app.view == ChairView::Ranking;
    let block = Block::bordered()
        .title(Span::styled(title, t.title))
        .border_style(if focused { t.border_focus } else { t.border })
        .style(t.text);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(r) = &app.results else {
        let msg = T::ChairNoValidScoreSheet.get(app.lang());
        f.render_widget(Line::styled(msg, t.muted), Rect { height: 1, ..inner });
        return;
    };
    let w = usize::from(inner.width);
    let h = usize::from(inner.height);
    if h < 2 {
        return;
    }
    // Every column but the name: marks 3, rank 4, change 4, id 8, score 9, n 3, sd 6, p 5, flags 6;
    // in the final review also the domain and preliminary rank (`先进 #30`, 9).
    let fin = app.batch.meta.final_review;
    let prelim_w = if fin { 9 } else { 0 };
    let fixed = 3 + 4 + 4 + 8 + 1 + 9 + 3 + 6 + 5 + 6 + prelim_w;
    let name_w = w.saturating_sub(fixed).max(6);
    let right = |s: &str, n: usize| format!("{}{s}", " ".repeat(n.saturating_sub(wrap::width(s))));
    let prelim_head = if fin {
        format!("{} ", wrap::pad(T::ChairPrelimHeader.get(app.lang()), 8))
    } else {
        String::new()
    };
    let header = format!(
        "   {}{} {} {prelim_head}{} {} {} {} {} {}",
        right("#", 4),
        right("+/-", 4),
        wrap::pad(T::ChairId.get(app.lang()), 7),
        wrap::pad(T::ChairName.get(app.lang()), name_w),
        right(T::ChairScore.get(app.lang()), 8),
        right("n", 2),
        right("sd", 5),
        right("p", 4),
        T::ChairFlags.get(app.lang())
    );
    f.render_widget(
        Line::styled(wrap::truncate(&header, w), t.label),
        Rect { height: 1, ..inner },
    );
    // Display lines: rows, with the cut drawn after the K-th ranked nomination.
    let draw_cut = app.query.is_empty() && app.filter == crate::tui::chair::ChairFilter::All;
    let (min, max) = (r.config.shortlist_min, r.config.shortlist_max);
    let mut lines: Vec<(Option<usize>, Line<'static>)> = Vec::new();
    let mut ranked_pos = 0;
    for (vpos, &ri) in app.visible.iter().enumerate() {
        let row = &r.rows[ri];
        if row.rank.is_some() {
            ranked_pos += 1;
        }
        let band = if row.rank.is_some() && (min..=max).contains(&ranked_pos) {
            ":"
        } else {
            " "
        };
        let sel = if vpos == app.selected { ">" } else { " " };
        let star = if row.shortlisted { "*" } else { " " };
        let change = match app.rank_change(row) {
            Some(d) if d > 0 => format!("^{d}"),
            Some(d) if d < 0 => format!("v{}", -d),
            Some(_) => "=".to_string(),
            None => String::new(),
        };
        let rank = row
            .rank
            .map(|k| k.to_string())
            .unwrap_or_else(|| "-".into());
        let score = row
            .score
            .map(|s| format!("{s:.4}"))
            .unwrap_or_else(|| "-".into());
        let sd = row
            .sd
            .map(|s| format!("{s:.1}"))
            .unwrap_or_else(|| "-".into());
        let p = row
            .p_shortlist
            .map(|s| format!("{s:.2}"))
            .unwrap_or_else(|| "-".into());
        let prelim = if fin {
            format!("{} ", wrap::pad(&prelim_cell(app, row), 8))
        } else {
            String::new()
        };
        let text = format!(
            "{sel}{band}{star}{rank:>4}{change:>4} {} {prelim}{} {score:>8} {:>2} {sd:>5} {p:>4} {}",
            wrap::pad(&row.id, 7),
            wrap::pad(&row.name, name_w),
            row.n,
            flags_text(row)
        );
        let mut style = if row.shortlisted { t.text } else { t.muted };
        if row.decision.is_some() {
            style = style.patch(t.flagged);
        }
        if vpos == app.selected {
            style = style.patch(t.selected);
        }
        lines.push((Some(vpos), Line::styled(wrap::pad(&text, w), style)));
        if draw_cut && row.rank.is_some() && ranked_pos == r.k {
            let mut label = format!(" {} K={} ({min}-{max}) ", T::ChairCut.get(app.lang()), r.k);
            if let Some(d) = r.decided.as_ref().filter(|d| !d.in_range()) {
                label.push_str(&T::ChairListN.fill(app.lang(), &[("n", &d.list_size.to_string())]));
                label.push_str(" ⚠ ");
            }
            let dashes = w.saturating_sub(wrap::width(&label) + 4);
            lines.push((
                None,
                Line::styled(format!("----{label}{}", "-".repeat(dashes)), t.warn),
            ));
        }
    }
    let body_h = h - 1;
    let sel_line = lines
        .iter()
        .position(|(v, _)| *v == Some(app.selected))
        .unwrap_or(0);
    let mut off = app.list_offset.get();
    if app.center_selection.replace(false) {
        // From the top when the selection fits on the first page with room to spare.
        off = if sel_line + 3 < body_h {
            0
        } else {
            sel_line.saturating_sub(body_h / 2)
        };
    }
    if sel_line < off {
        off = sel_line;
    } else if sel_line >= off + body_h {
        off = sel_line + 1 - body_h;
    }
    off = off.min(lines.len().saturating_sub(body_h));
    app.list_offset.set(off);
    for (i, (_, line)) in lines.into_iter().skip(off).take(body_h).enumerate() {
        f.render_widget(
            line,
            Rect {
                y: inner.y + 1 + i as u16,
                height: 1,
                ..inner
            },
        );
    }
}

/// A short domain name for the final review's ranking: two characters, or initials.
fn domain_short(app: &ChairApp, key: &str) -> String {
    let Some(d) = app.profile.domain(key) else {
        return key.chars().take(2).collect();
    };
    if app.lang().en() && !d.name_en.is_empty() {
        // "Resources and environment" → RE, "Biomedicine" → Bio.
        let words: Vec<&str> = d
            .name_en
            .split_whitespace()
            .filter(|w| !matches!(w.to_lowercase().as_str(), "and" | "&" | "of" | "the"))
            .collect();
        if words.len() > 1 {
            return words
                .iter()
                .filter_map(|w| w.chars().next())
                .collect::<String>()
                .to_uppercase();
        }
        return d.name_en.chars().take(3).collect();
    }
    d.name.chars().take(2).collect()
}

/// Domain and preliminary rank of a final-review nomination, e.g. `电子 #3`.
fn prelim_cell(app: &ChairApp, row: &crate::domain::results::Row) -> String {
    let rank = app
        .batch
        .items
        .iter()
        .find(|i| i.id == row.id)
        .and_then(|i| i.preliminary_rank)
        .map(|r| format!(" #{r}"))
        .unwrap_or_default();
    format!("{}{rank}", domain_short(app, &row.domain))
}

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

fn detail(app: &ChairApp, f: &mut Frame, area: Rect) {
    let t = app.theme();
    let focused = app.view == ChairView::Detail;
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", T::ChairDetail.get(app.lang())),
            t.title,
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
    if app.batch.meta.final_review
        && let Some(it) = app.batch.items.iter().find(|i| i.id == row.id)
    {
        let domain = app
            .profile
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
    let crit = &app.profile.rubric().criteria;
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
    for cell in r.matrix.iter().filter(|c| c.item == row.id) {
        let name = app
            .handed
            .iter()
            .find(|h| h.expert == cell.expert)
            .map(|h| format!("{} {}", h.expert, h.name))
            .unwrap_or_else(|| cell.expert.clone());
        let scores: Vec<String> = cell
            .scores
            .iter()
            .map(|s| s.map(|v| format!("{v:>3}")).unwrap_or_else(|| "  -".into()))
            .collect();
        let tail = if let Some(reason) = &cell.recused {
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
            for l in wrap::wrap(&cell.comment, w.saturating_sub(4).max(4)) {
                lines.push(Line::styled(format!("    {l}"), t.muted));
            }
        }
    }
    draw_scrolled(app, f, inner, lines);
}

fn draw_scrolled(app: &ChairApp, f: &mut Frame, inner: Rect, lines: Vec<Line<'static>>) {
    let h = usize::from(inner.height);
    let scroll = app.scroll.min(lines.len().saturating_sub(h));
    for (i, l) in lines.into_iter().skip(scroll).take(h).enumerate() {
        f.render_widget(
            l,
            Rect {
                y: inner.y + i as u16,
                height: 1,
                ..inner
            },
        );
    }
}

fn panel(app: &ChairApp, f: &mut Frame, area: Rect) {
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
    let n_items = app.batch.items.len();
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
                n_items,
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
                    crate::tui::chair::local_time(&d.at),
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

fn status(app: &ChairApp, f: &mut Frame, area: Rect) {
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
                ("made", &crate::tui::chair::context_text(made, lang)),
                (
                    "now",
                    &crate::tui::chair::context_text(&d.replayed_under, lang),
                ),
            ],
        ))
    });
    let text = match (&app.message, &alert) {
        (Some((_, m)), _) => format!(" {m}"),
        (None, Some(a)) => format!(" {a}"),
        (None, None) => {
            let k = |a| app.settings.keymap.first_key(a);
            use crate::tui::action::Action as A;
            T::ChairHints.fill(
                app.lang(),
                &[
                    ("next", &k(A::NextItem)),
                    ("prev", &k(A::PrevItem)),
                    ("cut", &k(A::Comment)),
                    ("commit", &k(A::Commit)),
                    ("view", &k(A::NextCriterion)),
                    ("method", &k(A::CycleMethod)),
                    ("up", &k(A::CutUp)),
                    ("down", &k(A::CutDown)),
                    ("inc", &k(A::Include)),
                    ("exc", &k(A::Exclude)),
                    ("help", &k(A::Help)),
                    ("quit", &k(A::Quit)),
                ],
            )
        }
    };
    let style = match (&app.message, &alert) {
        (Some((Level::Error, _)), _) => t.error,
        (Some((Level::Warn, _)), _) | (None, Some(_)) => t.warn,
        (Some((Level::Info, _)), _) => t.ok,
        (None, None) => t.status,
    };
    // The help key stays at the right edge whatever the line says, as in the scoring view.
    let help_key = app
        .settings
        .keymap
        .first_key(crate::tui::action::Action::Help);
    let help = format!(" {help_key} {} ", T::HintHelp.get(app.lang()));
    let help_w = wrap::width(&help);
    let room = if w > help_w + 10 { w - help_w } else { w };
    f.render_widget(Line::styled(wrap::truncate(&text, room), style), area);
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

/// The help overlay's box on a screen of `area`.
fn help_box(area: Rect) -> Rect {
    centered(
        area,
        76.min(area.width.saturating_sub(2)),
        area.height.saturating_sub(2),
    )
}

/// The help overlay's lines for an inner width.
fn help_lines(app: &ChairApp, width: usize) -> Vec<Line<'static>> {
    let t = app.theme();
    let entries: Vec<(String, String)> = app
        .settings
        .keymap
        .bindings()
        .into_iter()
        .filter(|(a, _)| a.in_chair())
        .map(|(a, keys)| {
            let d = match a {
                crate::tui::action::Action::Commit => T::ChairOpenTheDetail.get(app.lang()),
                crate::tui::action::Action::NextCriterion => {
                    T::ChairNextPaneRankingDetail.get(app.lang())
                }
                crate::tui::action::Action::PrevCriterion => T::ChairPreviousPane.get(app.lang()),
                crate::tui::action::Action::CycleFilter => {
                    T::ChairFilterAllShortlistedBorderline.get(app.lang())
                }
                crate::tui::action::Action::ScrollDown => T::ChairPageDown.get(app.lang()),
                crate::tui::action::Action::ScrollUp => T::ChairPageUp.get(app.lang()),
                crate::tui::action::Action::Comment => T::ChairJumpToCut.get(app.lang()),
                crate::tui::action::Action::Cancel => T::ChairCancelBack.get(app.lang()),
                crate::tui::action::Action::Search => T::ChairSearchIdsNamesUnits.get(app.lang()),
                a => describe(a, app.lang()),
            };
            (keys.join(" "), d.to_string())
        })
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
            Span::styled(d, t.text),
        ]));
    }
    let (min, max) = match &app.results {
        Some(r) => (r.config.shortlist_min, r.config.shortlist_max),
        None => report_range(app),
    };
    let legend = T::ChairMarksShortlistedTheBand.fill(
        app.lang(),
        &[("min", &min.to_string()), ("max", &max.to_string())],
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

fn help(app: &ChairApp, f: &mut Frame, area: Rect, scroll: usize) {
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
    for (i, l) in lines.into_iter().skip(scroll).take(h).enumerate() {
        f.render_widget(
            l,
            Rect {
                y: inner.y + i as u16,
                height: 1,
                ..inner
            },
        );
    }
}

/// The shortlist range the view works with before any sheet is in.
fn report_range(app: &ChairApp) -> (usize, usize) {
    if let Some(r) = app.settings.shortlist {
        return r;
    }
    crate::domain::results::Options::for_profile(&app.profile, app.batch.meta.final_review)
        .shortlist
}

fn compensate(app: &ChairApp, f: &mut Frame, area: Rect, k: usize) {
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
    for (i, l) in lines.into_iter().enumerate() {
        let y = inner.y + i as u16;
        if y < inner.bottom() {
            f.render_widget(
                Line::styled(format!(" {l}"), t.warn),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
        }
    }
}

fn reason(
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
    super::popup::editor(app.theme(), f, r, &title, ta);
}
