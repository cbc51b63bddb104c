//! The reading pane: the nomination's form fields in the form's order, wrapped by display width.

use crate::domain::batch::{Field, Item};
use crate::domain::industry;
use crate::domain::trl;
use crate::text::wrap;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::i18n::T;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

struct Builder {
    width: usize,
    label: Style,
    text: Style,
    muted: Style,
    lines: Vec<Line<'static>>,
}

impl Builder {
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
            self.lines
                .push(Line::from(vec![head, Span::styled(l, style)]));
        }
    }

    /// A label on its own line, then the text indented by two cells.
    fn block(&mut self, label: &str, value: &str) {
        self.lines.push(Line::styled(label.to_string(), self.label));
        if value.trim().is_empty() {
            self.lines.push(Line::styled("  -".to_string(), self.muted));
        } else {
            for l in wrap::wrap(value, self.width.saturating_sub(2).max(4)) {
                self.lines.push(Line::from(vec![
                    Span::raw("  "),
                    Span::styled(l, self.text),
                ]));
            }
        }
        self.lines.push(Line::default());
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
    let t = &app.theme;
    let en = app.lang.en();
    let mut b = Builder {
        width: usize::from(width).max(10),
        label: t.label,
        text: t.text,
        muted: t.muted,
        lines: Vec::with_capacity(64),
    };
    for l in wrap::wrap(&it.name, b.width) {
        b.lines.push(Line::styled(l, t.title));
    }
    b.lines.push(Line::default());
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
            b.lines.push(Line::styled(l, t.muted));
        }
    }
    b.lines.push(Line::default());
    for f in [
        Field::Team,
        Field::Ip,
        Field::Awards,
        Field::Level,
        Field::Benefits,
    ] {
        b.block(label(app, f), &it.text(f));
    }
    for f in [Field::LevelDetail, Field::BenefitsDetail] {
        let v = it.text(f);
        if !v.trim().is_empty() {
            b.block(label(app, f), &v);
        }
    }
    b.lines
}

/// Draws the reading pane.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let Some(it) = app.current() else {
        f.render_widget(Block::bordered().border_style(t.border), area);
        return;
    };
    let inner_w = area.width.saturating_sub(2);
    let lines = app.reading_lines_for(inner_w);
    let h = usize::from(area.height.saturating_sub(2));
    let max = lines.len().saturating_sub(h);
    app.reading_lines.set(max);
    let scroll = app.scroll.min(max);
    let title = format!(" {} ({}/{}) ", it.id, app.selected + 1, app.visible.len());
    let pos = if lines.len() > h {
        format!(
            " {}-{}/{} ",
            scroll + 1,
            (scroll + h).min(lines.len()),
            lines.len()
        )
    } else {
        String::new()
    };
    let block = Block::bordered()
        .title(Span::styled(
            wrap::truncate(&title, usize::from(inner_w)),
            t.title,
        ))
        .title_bottom(Line::styled(pos, t.muted).right_aligned())
        .border_style(t.border_focus)
        .style(t.text);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let q = app.query.to_lowercase();
    for (row, line) in lines.iter().skip(scroll).take(h).enumerate() {
        let line = if q.is_empty() {
            line.clone()
        } else {
            highlight(line, &q, t.search_match)
        };
        f.render_widget(
            line,
            Rect {
                y: inner.y + row as u16,
                height: 1,
                ..inner
            },
        );
    }
}

/// Where `needle` (lower-case) occurs in `hay`, as char ranges, comparing lower-cased chars.
fn find_all(hay: &[char], needle: &[char]) -> Vec<(usize, usize)> {
    let lower = |c: char| c.to_lowercase().next().unwrap_or(c);
    let mut out = Vec::new();
    if needle.is_empty() || needle.len() > hay.len() {
        return out;
    }
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if hay[i..i + needle.len()]
            .iter()
            .zip(needle)
            .all(|(a, b)| lower(*a) == *b)
        {
            out.push((i, i + needle.len()));
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

/// The line with every occurrence of the search text styled as a match (within one line:
/// a hit broken across two wrapped lines is not marked).
pub fn highlight(line: &Line<'static>, needle: &str, style: Style) -> Line<'static> {
    let needle: Vec<char> = needle.chars().collect();
    let mut spans = Vec::with_capacity(line.spans.len());
    for span in &line.spans {
        let chars: Vec<char> = span.content.chars().collect();
        let hits = find_all(&chars, &needle);
        if hits.is_empty() {
            spans.push(span.clone());
            continue;
        }
        let mut at = 0;
        for (a, b) in hits {
            if a > at {
                spans.push(Span::styled(
                    chars[at..a].iter().collect::<String>(),
                    span.style,
                ));
            }
            spans.push(Span::styled(
                chars[a..b].iter().collect::<String>(),
                span.style.patch(style),
            ));
            at = b;
        }
        if at < chars.len() {
            spans.push(Span::styled(
                chars[at..].iter().collect::<String>(),
                span.style,
            ));
        }
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    #[test]
    fn search_hits_are_marked_in_the_material() {
        let line = Line::from(vec![
            Span::raw("采用MVR蒸发与"),
            Span::styled("mvr 结晶", Style::default().add_modifier(Modifier::BOLD)),
        ]);
        let mark = Style::default().add_modifier(Modifier::REVERSED);
        let out = highlight(&line, "mvr", mark);
        let marked: Vec<&str> = out
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(marked, ["MVR", "mvr"]);
        let text: String = out.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "采用MVR蒸发与mvr 结晶");
        // The bold of the second span survives under the mark.
        assert!(out.spans.iter().any(|s| {
            s.content == "mvr"
                && s.style
                    .add_modifier
                    .contains(Modifier::BOLD | Modifier::REVERSED)
        }));
        assert_eq!(highlight(&line, "无此词", mark), line);
    }
}
