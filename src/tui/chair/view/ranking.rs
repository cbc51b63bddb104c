//! The ranking: one row per nomination, with the cut line after the K-th.

use crate::text::wrap;
use crate::tui::chair::state::{ChairApp, ChairView};
use crate::tui::i18n::{Lang, T};
use crate::tui::widgets::draw_lines;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// A row's flags in the UI language (the ranking's bottom border holds the legend).
fn flags_text(row: &crate::domain::results::Row, lang: Lang) -> String {
    use crate::domain::results::Flag;
    let mut s = String::new();
    for (flag, t) in [
        (Flag::Borderline, T::ChairFlagBorderline),
        (Flag::Spread, T::ChairFlagSpread),
        (Flag::FewExperts, T::ChairFlagFew),
        (Flag::TieAtCut, T::ChairFlagTie),
        (Flag::Incomplete, T::ChairFlagPartial),
    ] {
        if row.flags.contains(&flag) {
            s.push_str(t.get(lang));
        }
    }
    match row.decision.as_deref() {
        Some("include") => s.push_str(T::ChairFlagIncluded.get(lang)),
        Some("exclude") => s.push_str(T::ChairFlagExcluded.get(lang)),
        _ => {}
    }
    s
}

/// Draws the ranking into `area`.
pub fn render(app: &ChairApp, f: &mut Frame, area: Rect) {
    let t = app.theme();
    let filter = app.filter.label(app.lang());
    let mut title = format!(" {} [{filter}] ", T::ChairRanking.get(app.lang()));
    if !app.query.is_empty() {
        title.push_str(&format!("/{} ", app.query));
    }
    let focused = app.view == ChairView::Ranking;
    let legend = format!(" {} ", T::ChairFlagLegend.get(app.lang()));
    let legend = wrap::truncate(&legend, usize::from(area.width.saturating_sub(2)));
    let legend_style = Style::new()
        .fg(Color::Reset)
        .remove_modifier(Modifier::BOLD | Modifier::DIM)
        .patch(t.muted);
    let block = Block::bordered()
        // A title is read, not a border: a dim border must not dim it.
        .title(Span::styled(title, t.title.remove_modifier(Modifier::DIM)))
        // The legend is text, not border: the border's colour and dimming must not reach it.
        .title_bottom(Span::styled(legend, legend_style))
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
    // Every column but the name: marks 3, rank 4, change 4, id 8, score 9, n 3, sd 6, p 5, and
    // the flags as wide as the widest shown (Chinese ones are two cells each); in the final
    // review also the domain and preliminary rank (`先进 #30`, 9).
    let fin = app.batch().meta.final_review;
    let prelim_w = if fin { 9 } else { 0 };
    let flags_w = app
        .visible
        .iter()
        .map(|&ri| wrap::width(&flags_text(&r.rows[ri], app.lang())))
        .chain([wrap::width(T::ChairFlags.get(app.lang())), 5])
        .max()
        .unwrap_or(5)
        + 1;
    let fixed = 3 + 4 + 4 + 8 + 1 + 9 + 3 + 6 + 5 + flags_w + prelim_w;
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
    let cut_after = app.cut_after();
    let (min, max) = (r.config.shortlist_min, r.config.shortlist_max);
    let mut lines: Vec<Line<'static>> = Vec::new();
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
            flags_text(row, app.lang())
        );
        let mut style = if row.shortlisted { t.text } else { t.muted };
        if row.decision.is_some() {
            style = style.patch(t.flagged);
        }
        if vpos == app.selected {
            // Nothing on the selection bar is dimmed: dim text on a dark bar is unreadable.
            style = style.patch(t.selected.remove_modifier(Modifier::DIM));
        }
        lines.push(Line::styled(wrap::pad(&text, w), style));
        if cut_after == Some(vpos) {
            let mut label = format!(" {} K={} ({min}-{max}) ", T::ChairCut.get(app.lang()), r.k);
            if let Some(d) = r.decided.as_ref().filter(|d| !d.in_range()) {
                label.push_str(&T::ChairListN.fill(app.lang(), &[("n", &d.list_size.to_string())]));
                label.push_str(" ⚠ ");
            }
            let dashes = w.saturating_sub(wrap::width(&label) + 4);
            lines.push(Line::styled(
                format!("----{label}{}", "-".repeat(dashes)),
                t.warn,
            ));
        }
    }
    let off = app.ranking_offset_in(area).unwrap_or(app.list_offset);
    let body = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    draw_lines(f, body, lines.into_iter().skip(off));
}

/// A short domain name for the final review's ranking: two characters, or initials.
fn domain_short(app: &ChairApp, key: &str) -> String {
    let Some(d) = app.profile().domain(key) else {
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
        .batch()
        .items
        .iter()
        .find(|i| i.id == row.id)
        .and_then(|i| i.preliminary_rank)
        .map(|r| format!(" #{r}"))
        .unwrap_or_default();
    format!("{}{rank}", domain_short(app, &row.domain))
}
