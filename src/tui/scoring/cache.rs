//! What the scoring view's frames draw that depends only on the batch, the rubric and the
//! screen's size: the list's padded columns and the rubric wrapped for the scoring pane.
//! Update builds it (for the rows in view, or when the size changes), the views read it.

use super::state::App;
use crate::domain::batch::Item;
use crate::domain::rubric::Criterion;
use crate::text::ambiguous::{self, AmbiguousWidth};
use crate::text::wrap;
use ratatui::layout::Rect;
use std::borrow::Cow;
use std::collections::HashMap;

/// One list row's text columns, padded to the list's widths.
#[derive(Debug, Clone)]
pub struct ListRow {
    /// The id, padded to the id column.
    pub id: String,
    /// The name, padded to the name column.
    pub name: String,
    /// The applicant padded to its column and a gap after it ("" when there is no column).
    pub applicant: String,
}

impl ListRow {
    /// Pads a nomination's columns to `(name, applicant)` widths, the id to `id_w`.
    pub fn of(it: &Item, id_w: usize, (name_w, app_w): (usize, usize)) -> ListRow {
        ListRow {
            id: wrap::pad(&it.id, id_w),
            name: wrap::pad(&it.name, name_w),
            applicant: if app_w > 0 {
                format!("{} ", wrap::pad(&it.applicant, app_w))
            } else {
                String::new()
            },
        }
    }
}

/// List rows padded for one list width, built in update for the rows in view (they depend only
/// on the batch, which never changes, and the width), so a frame pads nothing it drew before.
#[derive(Debug, Default)]
pub(super) struct ListCols {
    /// The name and applicant widths and the ambiguous-width mode the rows were padded in.
    pub(super) key: Option<(usize, usize, AmbiguousWidth)>,
    /// Per nomination (index into `batch.items`).
    pub(super) rows: HashMap<usize, ListRow>,
}

/// The list's name and applicant column widths for a list `inner_w` cells wide inside its
/// border, with ids `id_w` wide: the applicant gets a column once the name keeps at least
/// 16 cells.
pub fn list_columns(id_w: usize, inner_w: usize) -> (usize, usize) {
    let status_w = LIST_STATUS_WIDTH;
    let rest = inner_w.saturating_sub(2 + id_w + 1 + 1 + status_w);
    if rest >= 30 {
        let a = (rest * 2 / 5).min(24);
        (rest - a - 1, a)
    } else {
        (rest, 0)
    }
}

/// A criterion's rubric wrapped for the scoring pane at one width: its question, and per band
/// the range head and the descriptor wrapped beside it.
#[derive(Debug, Clone, Default)]
pub struct RubricText {
    /// The question, wrapped.
    pub question: Vec<String>,
    /// Per band: the range ("  1-3 ") and the descriptor wrapped in the width left beside it.
    pub bands: Vec<(String, Vec<String>)>,
}

impl RubricText {
    /// Wraps criterion `c`'s rubric to `w` cells, in English or not.
    pub fn of(c: &Criterion, w: usize, en: bool) -> RubricText {
        let q = if en { &c.question_en } else { &c.question };
        let bands = c
            .bands
            .iter()
            .map(|band| {
                let head = format!(
                    "{:>5} ",
                    format!("{}-{}", c.format(band.min), c.format(band.max))
                );
                let text = if en && !band.text_en.is_empty() {
                    &band.text_en
                } else {
                    &band.text
                };
                let hw = wrap::width(&head);
                let lines = wrap::wrap(text, w.saturating_sub(hw).max(4));
                (head, lines)
            })
            .collect();
        RubricText {
            question: wrap::wrap(q, w),
            bands,
        }
    }
}

/// Every criterion's [`RubricText`] at the scoring pane's width, built in update: the rubric
/// never changes, so a frame wraps none of it.
#[derive(Debug, Default)]
pub(super) struct RubricCache {
    /// The width, language and ambiguous-width mode the texts were wrapped for.
    pub(super) key: Option<(usize, bool, AmbiguousWidth)>,
    /// Per criterion, in the rubric's order.
    pub(super) crits: Vec<RubricText>,
}

/// The list's status column width.
pub const LIST_STATUS_WIDTH: usize = 5;

impl App {
    /// Nomination `idx`'s list columns at `widths` (see [`list_columns`]): as update padded
    /// them, or padded here for a row update has not seen.
    pub fn list_row(&self, idx: usize, widths: (usize, usize)) -> Cow<'_, ListRow> {
        let key = (widths.0, widths.1, ambiguous::mode());
        match self.list_cols.rows.get(&idx) {
            Some(row) if self.list_cols.key == Some(key) => Cow::Borrowed(row),
            _ => Cow::Owned(ListRow::of(&self.batch.items[idx], self.id_width, widths)),
        }
    }

    /// Criterion `crit`'s rubric wrapped to `w` cells: as update wrapped it, or wrapped here.
    pub fn rubric_text(&self, crit: usize, w: usize) -> Cow<'_, RubricText> {
        let key = (w, self.lang.en(), ambiguous::mode());
        match self.rubric_cache.crits.get(crit) {
            Some(r) if self.rubric_cache.key == Some(key) => Cow::Borrowed(r),
            _ => Cow::Owned(
                self.criteria()
                    .get(crit)
                    .map(|c| RubricText::of(c, w, self.lang.en()))
                    .unwrap_or_default(),
            ),
        }
    }

    /// Wraps the rubric for the scoring pane's width, when that (or the language) changed.
    pub(super) fn warm_rubric(&mut self, pane: Rect) {
        let w = usize::from(pane.width.saturating_sub(2));
        let key = Some((w, self.lang.en(), ambiguous::mode()));
        if self.rubric_cache.key == key {
            return;
        }
        let en = self.lang.en();
        self.rubric_cache.crits = self
            .criteria()
            .iter()
            .map(|c| RubricText::of(c, w, en))
            .collect();
        self.rubric_cache.key = key;
    }

    /// Pads the list rows in view that are not padded yet (see [`App::list_row`]).
    pub(super) fn warm_list(&mut self, pane: Rect) {
        let Some(off) = self.list_offset_in(pane) else {
            return;
        };
        let widths = list_columns(self.id_width, usize::from(pane.width.saturating_sub(2)));
        let key = Some((widths.0, widths.1, ambiguous::mode()));
        if self.list_cols.key != key {
            self.list_cols.key = key;
            self.list_cols.rows.clear();
        }
        let h = usize::from(pane.height.saturating_sub(2));
        for &idx in self.visible.iter().skip(off).take(h) {
            if !self.list_cols.rows.contains_key(&idx) {
                let row = ListRow::of(&self.batch.items[idx], self.id_width, widths);
                self.list_cols.rows.insert(idx, row);
            }
        }
    }
}
