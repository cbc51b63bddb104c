//! The reading pane's material: the nomination's form fields in the form's order, wrapped by
//! display width. Built in update (and cached there) for the drawing to show.
//!
//! The long texts (team, IP, awards, level, benefits) are wrapped lazily: a [`Material`] wraps
//! as far as the pane needs (update asks for the lines shown plus a page ahead), so moving to
//! a nomination with 15,000 characters of material wraps about one screen of it. The rest is
//! wrapped when the view is idle, when scrolling reaches it, or for a search.

use super::action::Action;
use super::state::App;
use crate::domain::batch::{Batch, Field, Item};
use crate::domain::industry;
use crate::domain::trl;
use crate::text::ambiguous;
use crate::text::wrap::{self, LazyWrap};
use crate::tui::i18n::T;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::collections::VecDeque;
use std::sync::Arc;

/// A nomination's material at a width, wrapped as far as it has been asked for.
#[derive(Clone, Debug)]
pub struct Material {
    lines: Vec<Line<'static>>,
    /// What comes after `lines`, in order, not wrapped yet.
    rest: VecDeque<Part>,
}

#[derive(Clone, Debug)]
enum Part {
    Line(Line<'static>),
    /// A long text, drawn indented by two cells.
    Text(LazyWrap<Source>, Style),
}

/// A long text of a nomination: read from the batch where it can be, so moving to a
/// nomination copies none of its material.
#[derive(Clone, Debug)]
enum Source {
    /// Field `.2` of nomination `.1` of the batch.
    Batch(Arc<Batch>, usize, Field),
    /// A copy (a nomination from elsewhere, or text whose markers were stripped).
    Owned(String),
}

impl AsRef<str> for Source {
    fn as_ref(&self) -> &str {
        match self {
            Source::Batch(batch, idx, f) => {
                batch.items.get(*idx).map_or("", |it| long_text(it, *f))
            }
            Source::Owned(s) => s,
        }
    }
}

/// The long texts the pane wraps lazily, borrowed ([`Item::text`] copies).
fn long_text(it: &Item, f: Field) -> &str {
    match f {
        Field::Team => &it.team,
        Field::Ip => &it.ip,
        Field::Awards => &it.awards,
        Field::Level => &it.level,
        Field::Benefits => &it.benefits,
        Field::LevelDetail => &it.level_detail,
        Field::BenefitsDetail => &it.benefits_detail,
        _ => "",
    }
}

impl Material {
    /// The lines wrapped so far (every line once [`Material::total`] is known).
    pub fn lines(&self) -> &[Line<'static>] {
        &self.lines
    }

    /// The number of lines, once everything is wrapped; None before.
    pub fn total(&self) -> Option<usize> {
        self.rest.is_empty().then_some(self.lines.len())
    }

    /// Wraps until at least `n` lines are there (or everything is); whether anything changed.
    pub fn fill_to(&mut self, n: usize) -> bool {
        let before = (self.lines.len(), self.rest.len());
        while self.lines.len() < n {
            let Some(part) = self.rest.front_mut() else {
                break;
            };
            match part {
                Part::Line(_) => {
                    if let Some(Part::Line(l)) = self.rest.pop_front() {
                        self.lines.push(l);
                    }
                }
                Part::Text(text, style) => match text.next_line() {
                    Some(l) => self
                        .lines
                        .push(Line::from(vec![Span::raw("  "), Span::styled(l, *style)])),
                    None => {
                        self.rest.pop_front();
                    }
                },
            }
        }
        // Why: a text that just gave its last line is dropped now, so the total is known.
        while let Some(Part::Text(text, _)) = self.rest.front() {
            if !text.is_done() {
                break;
            }
            self.rest.pop_front();
        }
        (self.lines.len(), self.rest.len()) != before
    }

    /// Wraps everything; whether anything was left.
    pub fn fill_all(&mut self) -> bool {
        let left = !self.rest.is_empty();
        self.fill_to(usize::MAX);
        left
    }

    /// The lines, all wrapped.
    pub fn into_lines(mut self) -> Vec<Line<'static>> {
        self.fill_all();
        self.lines
    }
}

struct Builder {
    width: usize,
    label: Style,
    text: Style,
    muted: Style,
    m: Material,
}

impl Builder {
    /// Adds a line after everything so far.
    fn push(&mut self, line: Line<'static>) {
        if self.m.rest.is_empty() {
            self.m.lines.push(line);
        } else {
            self.m.rest.push_back(Part::Line(line));
        }
    }

    /// `label  value`, the value wrapped under itself.
    fn inline(&mut self, label: &str, value: &str, style: Style) {
        let lw = wrap::width(label) + 2;
        let vw = self.width.saturating_sub(lw).max(8);
        let wrapped = wrap::wrap(value, vw);
        for (i, l) in wrapped.into_iter().enumerate() {
            let head = if i == 0 {
                Span::styled(format!("{label}  "), self.label)
            } else {
                Span::raw(" ".repeat(lw))
            };
            self.push(Line::from(vec![head, Span::styled(l, style)]));
        }
    }

    /// A label on its own line, then the text indented by two cells.
    fn block(&mut self, label: &str, value: &str, source: impl FnOnce() -> Source) {
        self.push(Line::styled(label.to_string(), self.label));
        if value.trim().is_empty() {
            self.push(Line::styled("  -".to_string(), self.muted));
        } else {
            let width = self.width.saturating_sub(2).max(4);
            let text = match ambiguous::strip(value) {
                std::borrow::Cow::Owned(stripped) => LazyWrap::over(Source::Owned(stripped), width),
                std::borrow::Cow::Borrowed(_) => LazyWrap::over(source(), width),
            };
            self.m.rest.push_back(Part::Text(text, self.text));
        }
        self.push(Line::default());
    }
}

fn label(app: &App, f: Field) -> &'static str {
    if app.lang.en() {
        f.label_en()
    } else {
        f.header()
    }
}

/// Builds every line for an item at a width (the pane's inner width).
pub fn build(app: &App, it: &Item, width: u16) -> Vec<Line<'static>> {
    material(app, it, width).into_lines()
}

/// The material for an item at a width (the pane's inner width), its long texts not wrapped
/// yet (and copied: see [`material_of`] for a nomination of the batch).
pub fn material(app: &App, it: &Item, width: u16) -> Material {
    build_material(app, it, None, width)
}

/// The material of nomination `idx` of the batch at a width, as [`material`] gives it, its
/// long texts read from the batch rather than copied.
pub fn material_of(app: &App, idx: usize, width: u16) -> Material {
    match app.batch.items.get(idx) {
        Some(it) => build_material(app, it, Some(idx), width),
        None => Material {
            lines: Vec::new(),
            rest: VecDeque::new(),
        },
    }
}

fn build_material(app: &App, it: &Item, idx: Option<usize>, width: u16) -> Material {
    let t = &app.theme;
    let en = app.lang.en();
    let mut b = Builder {
        width: usize::from(width).max(10),
        label: t.label,
        text: t.text,
        muted: t.muted,
        m: Material {
            lines: Vec::with_capacity(64),
            rest: VecDeque::new(),
        },
    };
    for l in wrap::wrap(&it.name, b.width) {
        b.push(Line::styled(l, t.title));
    }
    b.push(Line::default());
    let domain = app.profile.domain(&it.domain);
    let dom_text = match domain {
        Some(d) => format!("{}  {}", d.name_in(en), d.alliance_in(en)),
        None => it.domain.clone(),
    };
    b.inline(label(app, Field::Id), &it.id, t.text);
    b.inline(label(app, Field::Domain), &dom_text, t.text);
    // Codes that are not in the table are shown as written, marked, never dropped.
    let codes: Vec<String> = it.industry.iter().map(|c| industry::label(c, en)).collect();
    b.inline(label(app, Field::Industry), &codes.join("\n"), t.text);
    let pt = if en {
        it.project_type.en()
    } else {
        it.project_type.zh()
    };
    b.inline(label(app, Field::ProjectType), pt, t.text);
    b.inline(
        label(app, Field::Trl),
        &format!("{}  {}", it.trl, trl::describe(it.trl, en)),
        t.text,
    );
    // The level texts are our paraphrase: say so beside them, never pass them off as the standard's.
    b.inline(
        &" ".repeat(wrap::width(label(app, Field::Trl))),
        &format!("({})", T::TrlNote.get(app.lang)),
        t.muted,
    );
    b.inline(label(app, Field::Applicant), &it.applicant, t.text);
    b.inline(label(app, Field::Recommender), &it.recommender, t.text);
    if let Some(r) = it.preliminary_rank {
        let score = it
            .preliminary_score
            .map(|s| format!("  {s:.2}"))
            .unwrap_or_default();
        b.inline(
            T::PreliminaryRank.get(app.lang),
            &format!("{r}{score}"),
            t.text,
        );
    }
    if app.show_contacts {
        for f in [Field::Contact, Field::Phone, Field::Address, Field::Email] {
            let v = it.text(f);
            b.inline(label(app, f), if v.is_empty() { "-" } else { &v }, t.text);
        }
    } else {
        let key = app.key_for(Action::Contacts);
        let note = T::ContactsHidden.fill(app.lang, &[("key", &key)]);
        for l in wrap::wrap(&note, b.width) {
            b.push(Line::styled(l, t.muted));
        }
    }
    b.push(Line::default());
    let source = |f: Field| {
        let value = long_text(it, f);
        let batch = &app.batch;
        move || match idx {
            Some(idx) => Source::Batch(Arc::clone(batch), idx, f),
            None => Source::Owned(value.to_string()),
        }
    };
    for f in [
        Field::Team,
        Field::Ip,
        Field::Awards,
        Field::Level,
        Field::Benefits,
    ] {
        b.block(label(app, f), long_text(it, f), source(f));
    }
    for f in [Field::LevelDetail, Field::BenefitsDetail] {
        let v = long_text(it, f);
        if !v.trim().is_empty() {
            b.block(label(app, f), v, source(f));
        }
    }
    b.m
}
