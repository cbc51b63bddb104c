//! Drawing the chair's view from its state alone: ranking with the cut, nomination detail,
//! panel, their popups.

mod detail;
mod panel;
mod popups;
mod ranking;
mod status;

use crate::text::wrap;
use crate::tui::chair::state::{ChairApp, ChairMode, ChairView};
use crate::tui::i18n::T;
use crate::tui::widgets::{MIN_HEIGHT, MIN_WIDTH, too_small};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// Draws the whole chair screen.
pub fn render(app: &ChairApp, f: &mut Frame) {
    let area = f.area();
    let t = app.theme();
    f.render_widget(Block::default().style(t.base), area);
    if too_small((area.width, area.height)) {
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
        ranking::render(app, f, p.list);
    }
    if !p.reading.is_empty() {
        match app.view {
            ChairView::Panel => panel::render(app, f, p.reading),
            ChairView::Ranking | ChairView::Detail => detail::render(app, f, p.reading),
        }
    }
    status::render(app, f, p.status);
    match &app.mode {
        ChairMode::Help { scroll } => popups::help(app, f, area, *scroll),
        ChairMode::Reason(what, ta) => popups::reason(app, f, area, what, ta),
        ChairMode::Compensate(k) => popups::compensate(app, f, area, *k),
        ChairMode::OpenRound(pick) => popups::open_round(app, f, area, *pick),
        ChairMode::Normal | ChairMode::Search { .. } => {}
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
        .batch()
        .domain
        .as_deref()
        .and_then(|d| app.profile().domain(d));
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
    // The alarm is a chip in the error colour: error text on the title bar's own colour can
    // be unreadable (light red on blue is 2.4:1).
    let head_style = if alarm {
        t.error.add_modifier(Modifier::REVERSED)
    } else {
        t.title
    };
    let spans = vec![Span::styled(head, head_style), Span::styled(text, t.title)];
    f.render_widget(Line::from(spans), area);
}
