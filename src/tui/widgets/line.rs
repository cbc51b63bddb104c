//! One text line into the frame's buffer, cell for cell as ratatui draws a left-aligned
//! `Line`, with a shortcut for spans whose characters are each a grapheme of their own
//! (printable ASCII, CJK ideographs, CJK and fullwidth punctuation): those skip grapheme
//! segmentation, which was the largest part of drawing a frame of material.

use crate::text::wrap;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthChar;

/// The cells a character takes when it is certainly a grapheme on its own whatever surrounds
/// it (no extender, joiner, prepend, Hangul jamo, regional indicator or control), else None.
fn lone_width(c: char) -> Option<u16> {
    // The commonest characters of the material, without a width lookup.
    match c {
        ' '..='~' => return Some(1),
        c if wrap::is_ideograph(c) => return Some(2),
        _ => {}
    }
    if !wrap::is_lone(c) {
        return None;
    }
    match c.width() {
        Some(w @ 1..=2) => Some(w as u16),
        _ => None,
    }
}

/// Draws `line` into the row `area` (its first row) exactly as `line.render(area, buf)` does.
pub fn draw_line(buf: &mut Buffer, area: Rect, line: &Line) {
    if line.alignment.is_some() {
        // Centred or right-aligned lines are few and short: ratatui's own drawing.
        line.render(area, buf);
        return;
    }
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let area = Rect { height: 1, ..area };
    if !has_width(line) {
        return;
    }
    super::fill(buf, area, line.style);
    // Left-aligned: every span of some width is drawn from where the previous one ended,
    // clipped at the right edge (ratatui's `render_spans` with nothing skipped).
    let mut at = area;
    for span in &line.spans {
        if at.is_empty() {
            break;
        }
        // Spans of no width are skipped (ratatui's `render_spans` does); `draw_span` measures
        // them while it draws.
        let w = draw_span(buf, at, span);
        // As ratatui's `Rect::indent_x` (not public).
        let w = u16::try_from(w).unwrap_or(u16::MAX);
        at = Rect {
            x: at.x.saturating_add(w),
            width: at.width.saturating_sub(w),
            ..at
        };
    }
}

/// Whether the line has any width (as `line.width() > 0`, without measuring every span
/// when its first character settles it).
fn has_width(line: &Line) -> bool {
    let first = line.spans.iter().find_map(|s| s.content.chars().next());
    match first {
        None => false,
        Some(c) if lone_width(c).is_some() => true,
        Some(_) => line.width() > 0,
    }
}

/// One span from the left of `area` (inside the buffer), as `span.render(area, buf)`; returns
/// the span's width (`span.width()`), drawing nothing when it is 0, or when the span is cut at
/// the right edge, a width past the edge.
fn draw_span(buf: &mut Buffer, area: Rect, span: &Span) -> usize {
    let text = span.content.as_ref();
    let style = Style::default().patch(span.style);
    // The row's cells from the left of `area` (inside the buffer: see `draw_line`), indexed
    // once rather than per cell.
    let start = buf.index_of(area.x, area.y);
    let room = usize::from(area.width);
    // One pass, measuring and drawing: a character is drawn once the next one is known to be
    // lone too (or there is none), since a character that is not lone may join the one before
    // it into a grapheme of another width. At the first that is not, ratatui draws the span:
    // over the cells drawn so far, it writes them again as they are.
    let mut x = 0;
    let mut pending: Option<(usize, char, usize)> = None;
    let mut chars = text.char_indices();
    loop {
        let next = chars.next();
        let lone = match next {
            Some((_, c)) => match lone_width(c) {
                Some(w) => Some((c, usize::from(w))),
                None => {
                    let w = span.width();
                    if w > 0 {
                        span.render(area, buf);
                    }
                    return w;
                }
            },
            None => None,
        };
        if let Some((i, c, w)) = pending.take() {
            let next_x = x + w;
            if next_x > room {
                // Cut here, as ratatui cuts: nothing after it shows.
                return next_x;
            }
            let cells = &mut buf.content[start + x..start + next_x];
            // A blank on a cell that shows one already (as every cell after the frame's reset)
            // keeps its symbol: `symbol()` reads the same, and so does every comparison.
            if c != ' ' || cells[0].symbol() != " " {
                cells[0].set_symbol(&text[i..i + c.len_utf8()]);
            }
            cells[0].set_style(style);
            // A wide character hides the cell after it, cleared as ratatui clears it.
            for hidden in &mut cells[1..] {
                hidden.reset();
            }
            x = next_x;
        }
        match (next, lone) {
            (Some((i, _)), Some((c, w))) => pending = Some((i, c, w)),
            _ => return x,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};
    use unicode_segmentation::UnicodeSegmentation;
    use unicode_width::UnicodeWidthStr;

    /// Every character the shortcut takes: one grapheme between any neighbours, and the
    /// width ratatui gives it as a string.
    #[test]
    fn lone_characters_are_graphemes_of_their_own_width() {
        let mut n = 0;
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let Some(w) = lone_width(c) else { continue };
            n += 1;
            let s = c.to_string();
            assert_eq!(s.width(), usize::from(w), "{c:?}");
            for probe in [
                format!("a{c}b"),
                format!("中{c}{c}、"),
                format!("{c}\u{4E00}"),
            ] {
                let g: Vec<&str> = probe.graphemes(true).collect();
                assert_eq!(g.len(), probe.chars().count(), "{probe:?}");
            }
        }
        assert!(n > 20_000, "the shortcut covers CJK text ({n} characters)");
    }

    fn both(area: Rect, line: &Line) -> (Buffer, Buffer) {
        let base = Buffer::filled(
            Rect::new(0, 0, 20, 2),
            ratatui::buffer::Cell::new("x").set_fg(Color::Blue).clone(),
        );
        let (mut ours, mut theirs) = (base.clone(), base);
        draw_line(&mut ours, area, line);
        line.render(area, &mut theirs);
        (ours, theirs)
    }

    #[test]
    fn lines_draw_as_ratatui_draws_them() {
        let bold = Style::default().add_modifier(Modifier::BOLD).fg(Color::Red);
        let lines = [
            Line::from(vec![
                Span::raw("> "),
                Span::styled("本技术针对5G基站", bold),
            ]),
            Line::from(vec![
                Span::raw(""),
                Span::styled("氮化镓功放架构，“高效”—测试。", bold),
            ])
            .style(Style::default().bg(Color::Green)),
            // Clipped in the middle of a wide character.
            Line::from("一二三四五六七八九十一二"),
            Line::from("a一二三四五六七八九十一二"),
            // Not lone: combining marks, emoji, a control, a tab, Hangul.
            Line::from(vec![
                Span::raw("e\u{301}x"),
                Span::styled("👨‍👩‍👧 한국어\t", bold),
            ]),
            Line::from("ｶﾞ か\u{3099} 日本"),
            // A lone character that a selector after it makes two cells wide, at the edge.
            Line::from("abcdef#\u{FE0F}z"),
            Line::from(vec![Span::raw("一二三"), Span::styled("四#\u{FE0F}", bold)]),
            Line::from("right").right_aligned(),
            Line::default(),
            Line::from(vec![Span::raw(""), Span::raw("")]).style(bold),
            // Spans of no width, alone or between others, and a line of no width.
            Line::from(vec![
                Span::raw("ab"),
                Span::styled("\u{200B}", bold),
                Span::raw("\u{301}"),
                Span::raw(""),
                Span::styled("中文", bold),
            ]),
            Line::from(vec![Span::raw("\u{200B}"), Span::raw("\u{301}")]).style(bold),
            Line::from(vec![Span::raw("\u{200B}"), Span::raw("x")]).style(bold),
        ];
        for line in &lines {
            for area in [
                Rect::new(0, 0, 20, 1),
                Rect::new(3, 1, 7, 1),
                Rect::new(2, 0, 12, 2),
                Rect::new(15, 1, 10, 1),
                Rect::new(0, 0, 0, 1),
            ] {
                let (ours, theirs) = both(area, line);
                assert_eq!(ours, theirs, "{line:?} in {area:?}");
            }
        }
    }
}
