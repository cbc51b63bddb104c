//! The nominations list: id, name, applicant (when there is room), status or total.

use crate::text::wrap;
use crate::tui::i18n::T;
use crate::tui::scoring::cache::{LIST_STATUS_WIDTH, ListRow, list_columns};
use crate::tui::scoring::state::{App, ItemStatus};
use crate::tui::widgets::{boxed, draw_lines, fill};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use std::borrow::Cow;

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

/// A row's padded columns as span texts, borrowed from the state where it has them.
fn columns(row: Cow<'_, ListRow>) -> [Cow<'_, str>; 3] {
    match row {
        Cow::Borrowed(r) => [
            Cow::Borrowed(r.id.as_str()),
            Cow::Borrowed(r.name.as_str()),
            Cow::Borrowed(r.applicant.as_str()),
        ],
        Cow::Owned(r) => [
            Cow::Owned(r.id),
            Cow::Owned(r.name),
            Cow::Owned(r.applicant),
        ],
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
    // A title is read, not a border: a dim border must not dim it.
    let title = Line::from(Span::styled(title, t.title.remove_modifier(Modifier::DIM)));
    fill(f.buffer_mut(), area, super::pane_style(app, t.text));
    let inner = boxed(f.buffer_mut(), area, t.border, Some(&title), None);
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
    let status_w = LIST_STATUS_WIDTH;
    let widths = list_columns(app.id_width, usize::from(inner.width));
    let rows = app
        .visible
        .iter()
        .skip(off)
        .take(h)
        .enumerate()
        .map(|(row, &idx)| {
            let it = &app.batch.items[idx];
            let [id, name, applicant] = columns(app.list_row(idx, widths));
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
                Span::styled(id, t.muted),
                Span::raw(" "),
                Span::raw(name),
                Span::raw(" "),
                Span::styled(applicant, t.muted),
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
