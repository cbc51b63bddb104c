//! The reading pane: the material update wrapped, scrolled, with search hits marked.

use crate::text::wrap;
use crate::tui::scoring::state::App;
use crate::tui::widgets::{boxed, draw_lines, fill};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

/// Draws the reading pane.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let (Some(it), Some((material, max))) = (app.current(), app.reading_in(area)) else {
        fill(
            f.buffer_mut(),
            area,
            super::pane_style(app, Style::default()),
        );
        f.render_widget(Block::bordered().border_style(t.border), area);
        return;
    };
    let lines = material.lines();
    let inner_w = area.width.saturating_sub(2);
    let h = usize::from(area.height.saturating_sub(2));
    let scroll = app.scroll.min(max);
    let title = format!(" {} ({}/{}) ", it.id, app.selected + 1, app.visible.len());
    // Until the rest is wrapped (when idle, or as it is scrolled to) the count is what is
    // wrapped so far, marked "+": at least that many.
    let pos = match material.total() {
        Some(n) if n > h => format!(" {}-{}/{} ", scroll + 1, (scroll + h).min(n), n),
        Some(_) => String::new(),
        None => format!(
            " {}-{}/{}+ ",
            scroll + 1,
            (scroll + h).min(lines.len()),
            lines.len()
        ),
    };
    let title = Line::from(Span::styled(
        wrap::truncate(&title, usize::from(inner_w)),
        t.title,
    ));
    let pos = Line::styled(pos, t.muted).right_aligned();
    fill(f.buffer_mut(), area, super::pane_style(app, t.text));
    let inner = boxed(
        f.buffer_mut(),
        area,
        t.border_focus,
        Some(&title),
        Some(&pos),
    );
    let q = app.query.to_lowercase();
    let shown = lines.iter().skip(scroll);
    if q.is_empty() {
        // Drawn from the cache as it is: no copy of the lines per frame.
        draw_lines(f, inner, shown);
    } else {
        draw_lines(
            f,
            inner,
            shown.map(|line| highlight(line, &q, t.search_match)),
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
