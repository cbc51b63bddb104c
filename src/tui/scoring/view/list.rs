//! The nominations list: id, name, applicant (when there is room), status or total.

use crate::text::wrap;
use crate::tui::i18n::T;
use crate::tui::scoring::state::{App, ItemStatus};
use crate::tui::widgets::draw_lines;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// The status column's text and style for a nomination.
pub fn status_cell(app: &App, st: ItemStatus) -> (String, Style) {
    let n = app.criteria().len();
    let t = &app.theme;
    match st {
        ItemStatus::Unscored => ("-".into(), t.unscored),
        ItemStatus::Partial(k) => (format!("{k}/{n}"), t.partial),
        ItemStatus::Done(total) => (format!("{total:.1}"), t.done),
        ItemStatus::Recused => (T::StatusRecused.get(app.lang).into(), t.recused),
    }
}

/// Draws the list into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut title = format!(
        " {} [{}] {}/{} ",
        T::PaneList.get(app.lang),
        app.filter.label(app.lang),
        app.visible.len(),
        app.batch.items.len()
    );
    if !app.query.is_empty() {
        title.push_str(&format!("/{} ", app.query));
    }
    let title = wrap::truncate(&title, usize::from(area.width.saturating_sub(2)));
    let block = Block::bordered()
        // A title is read, not a border: a dim border must not dim it.
        .title(Span::styled(title, t.title.remove_modifier(Modifier::DIM)))
        .border_style(t.border)
        .style(t.text);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 || inner.width < 8 {
        return;
    }
    let Some(off) = app.list_offset_in(area) else {
        f.render_widget(
            Line::styled(
                wrap::truncate(T::NoMatch.get(app.lang), usize::from(inner.width)),
                t.muted,
            ),
            Rect { height: 1, ..inner },
        );
        return;
    };
    let h = usize::from(inner.height);
    let id_w = app.id_width;
    let status_w = 5;
    let w = usize::from(inner.width);
    let rest = w.saturating_sub(2 + id_w + 1 + 1 + status_w);
    // The applicant gets a column once the name keeps at least 16 cells.
    let (name_w, app_w) = if rest >= 30 {
        let a = (rest * 2 / 5).min(24);
        (rest - a - 1, a)
    } else {
        (rest, 0)
    };
    let rows = app
        .visible
        .iter()
        .skip(off)
        .take(h)
        .enumerate()
        .map(|(row, &idx)| {
            let it = &app.batch.items[idx];
            let selected = off + row == app.selected;
            let (st, st_style) = status_cell(app, app.status(&it.id));
            let flag = if app.flagged(&it.id) { "*" } else { " " };
            let marker = if selected { ">" } else { " " };
            let st_text = format!(
                "{}{}",
                " ".repeat(status_w.saturating_sub(wrap::width(&st))),
                wrap::truncate(&st, status_w)
            );
            let mut line = Line::from(vec![
                Span::raw(marker),
                Span::styled(flag, t.flagged),
                Span::styled(wrap::pad(&it.id, id_w), t.muted),
                Span::raw(" "),
                Span::raw(wrap::pad(&it.name, name_w)),
                Span::raw(" "),
                Span::styled(
                    if app_w > 0 {
                        format!("{} ", wrap::pad(&it.applicant, app_w))
                    } else {
                        String::new()
                    },
                    t.muted,
                ),
                Span::styled(st_text, st_style),
            ]);
            if selected {
                // The selection wins over per-column colours so it reads as one bar, and
                // nothing on it is dimmed: dim text on a dark bar is unreadable.
                let bar = t.selected.remove_modifier(Modifier::DIM);
                line = line.patch_style(bar);
                for s in &mut line.spans {
                    s.style = s.style.patch(bar);
                }
            }
            line
        });
    draw_lines(f, inner, rows);
}
