//! A pane's border and titles, drawn as ratatui's `Block::bordered()` draws them with a
//! border style, a title at the top left and one at the bottom right, but a row at a time:
//! ratatui's block addresses every border cell through the buffer's bounds-checked index,
//! which was a twentieth of a 160×48 frame.

use super::line::draw_line;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Widget};

/// Draws a plain border round `area` in `style`, `title` at its top left and `bottom` (a
/// right-aligned line) at its bottom right, as `Block::bordered()` with `.title(title)`,
/// `.title_bottom(bottom)` and `.border_style(style)` draws them; returns the area inside.
pub fn boxed(
    buf: &mut Buffer,
    area: Rect,
    style: Style,
    title: Option<&Line>,
    bottom: Option<&Line>,
) -> Rect {
    let inner = Block::bordered().inner(area);
    let area = area.intersection(buf.area);
    let plain = title.is_none_or(|t| t.alignment.is_none())
        && bottom.is_none_or(|b| b.alignment == Some(Alignment::Right));
    if area.width < 2 || area.height < 2 || !plain {
        // Sides drawn over each other, or titles placed otherwise: ratatui's block.
        let mut block = Block::bordered().border_style(style);
        if let Some(t) = title {
            block = block.title(t.clone());
        }
        if let Some(b) = bottom {
            block = block.title_bottom(b.clone());
        }
        block.render(area, buf);
        return inner;
    }
    let w = usize::from(area.width);
    let (top, last) = (area.top(), area.bottom() - 1);
    for (y, (left, mid, right)) in [(top, ("┌", "─", "┐")), (last, ("└", "─", "┘"))] {
        let start = buf.index_of(area.x, y);
        let row = &mut buf.content[start..start + w];
        row[0].set_symbol(left).set_style(style);
        for cell in &mut row[1..w - 1] {
            cell.set_symbol(mid).set_style(style);
        }
        row[w - 1].set_symbol(right).set_style(style);
    }
    for y in top + 1..last {
        let start = buf.index_of(area.x, y);
        buf.content[start].set_symbol("│").set_style(style);
        buf.content[start + w - 1].set_symbol("│").set_style(style);
    }
    // The titles inside the corners, where ratatui puts them (its title style, empty here,
    // changes nothing).
    let room = area.width - 2;
    if room > 0 {
        if let Some(t) = title {
            draw_line(
                buf,
                Rect::new(area.x + 1, top, line_width(t).min(room), 1),
                t,
            );
        }
        if let Some(b) = bottom {
            let width = line_width(b);
            let x = (area.right() - 1).saturating_sub(width).max(area.x + 1);
            draw_line(buf, Rect::new(x, last, width.min(room), 1), b);
        }
    }
    inner
}

/// The line's width as ratatui's block counts it for placing a title.
fn line_width(line: &Line) -> u16 {
    line.width().min(usize::from(u16::MAX)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};
    use ratatui::text::Span;

    /// Every size from nothing to 6×4, at an offset and clipped by the buffer, with and
    /// without titles (short, long, wide characters, styled): the same cells and inner area
    /// as ratatui's block.
    #[test]
    fn boxes_draw_as_ratatui_blocks_draw() {
        let style = Style::default().fg(Color::Blue).add_modifier(Modifier::DIM);
        let titles = [
            None,
            Some(Line::from(Span::styled(
                " 列表 [全部] 3/8 ",
                Style::default().fg(Color::Red),
            ))),
            Some(Line::from("a very long title that does not fit")),
        ];
        let bottoms = [
            None,
            Some(Line::styled(" 1-20/300 ", Style::default().fg(Color::Gray)).right_aligned()),
            Some(Line::from("界").right_aligned()),
            Some(Line::from("left at the bottom")),
        ];
        let base = Buffer::filled(
            Rect::new(0, 0, 9, 6),
            ratatui::buffer::Cell::new("x").set_bg(Color::Green).clone(),
        );
        let mut n = 0;
        for (x, y) in [(0, 0), (1, 1), (5, 3)] {
            for w in 0..=6 {
                for h in 0..=4 {
                    let area = Rect::new(x, y, w, h);
                    for title in &titles {
                        for bottom in &bottoms {
                            let mut block = Block::bordered().border_style(style);
                            if let Some(t) = title {
                                block = block.title(t.clone());
                            }
                            if let Some(b) = bottom {
                                block = block.title_bottom(b.clone());
                            }
                            let (mut ours, mut theirs) = (base.clone(), base.clone());
                            let inner =
                                boxed(&mut ours, area, style, title.as_ref(), bottom.as_ref());
                            let want = Block::bordered().border_style(style).inner(area);
                            block.render(area, &mut theirs);
                            assert_eq!(ours, theirs, "{area:?} {title:?} {bottom:?}");
                            assert_eq!(inner, want, "{area:?}");
                            n += 1;
                        }
                    }
                }
            }
        }
        assert!(n > 1000, "{n} boxes");
    }
}
