//! A frame for a terminal that draws ambiguous characters two cells wide.
//!
//! The views measure with [`crate::text::ambiguous`]'s wide mode, and their text carries a
//! marker after each ambiguous character, so ratatui has left two cells for it. [`settle`]
//! turns each such pair into one character of forced width 2 (ratatui's diff and the lean
//! backend then treat it as any wide character, and never send the hidden cell), and every
//! other ambiguous glyph (borders, symbols, text that was not marked) into an ASCII stand-in:
//! whatever a view draws, what the terminal shows is as wide as ratatui's buffer.

use crate::text::ambiguous::{MARKER, ascii_for, is_ambiguous};
use ratatui::buffer::{Buffer, CellDiffOption};
use std::num::NonZeroU16;

const TWO: NonZeroU16 = NonZeroU16::new(2).expect("two is not zero");

/// Makes `buf` safe for a wide-ambiguous terminal (see the module documentation).
pub fn settle(buf: &mut Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let symbol = buf[(x, y)].symbol();
            if symbol.starts_with(MARKER) {
                // A marker whose character was overdrawn: a blank.
                buf[(x, y)].set_symbol(" ");
            } else if is_ambiguous(symbol) {
                let reserved = x + 1 < area.right() && buf[(x + 1, y)].symbol().starts_with(MARKER);
                if reserved {
                    buf[(x, y)].set_diff_option(CellDiffOption::ForcedWidth(TWO));
                    let hidden = &mut buf[(x + 1, y)];
                    hidden.set_symbol(" ");
                    hidden.set_diff_option(CellDiffOption::Skip);
                    x += 2;
                    continue;
                }
                let stand_in = ascii_for(symbol);
                buf[(x, y)].set_char(stand_in);
            }
            x += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::ambiguous::{AmbiguousWidth, with};
    use crate::text::wrap;
    use ratatui::buffer::CellWidth;
    use ratatui::layout::Rect;
    use ratatui::widgets::{Block, Borders, Paragraph, Widget};

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    }

    #[test]
    fn borders_become_ascii_and_marked_text_keeps_its_characters() {
        let area = Rect::new(0, 0, 12, 3);
        let mut buf = Buffer::empty(area);
        with(AmbiguousWidth::Wide, || {
            let text = wrap::truncate("“量子”·", 10);
            Paragraph::new(text)
                .block(Block::default().borders(Borders::ALL))
                .render(area, &mut buf);
        });
        settle(&mut buf);
        assert_eq!(row(&buf, 0), "+----------+");
        assert_eq!(row(&buf, 2), "+----------+");
        // “ ” and · keep their glyph and two cells each; the hidden cells are blanks.
        assert_eq!(row(&buf, 1), "|“ 量 子 ” · |");
        assert_eq!(buf[(1, 1)].cell_width(), 2);
        assert_eq!(buf[(2, 1)].diff_option, CellDiffOption::Skip);
        // The terminal's count of the row, hidden cells left out, is the buffer's width.
        // Stepping as the terminal does (each character by its width) ends at the border.
        let mut x = 0;
        let mut steps = Vec::new();
        while x < 12 {
            steps.push(buf[(x, 1)].symbol().to_string());
            x += buf[(x, 1)].cell_width().max(1);
        }
        assert_eq!(x, 12);
        assert_eq!(steps.concat(), "|“量子”·|");
    }

    #[test]
    fn an_unmarked_ambiguous_character_or_a_stray_marker_is_one_ascii_cell() {
        let area = Rect::new(0, 0, 6, 1);
        let mut buf = Buffer::empty(area);
        buf.set_string(
            0,
            0,
            format!("a→{MARKER}b“"),
            ratatui::style::Style::default(),
        );
        // The arrow is marked, the quote is not; a marker alone is a blank.
        buf[(4, 0)].set_symbol(&MARKER.to_string());
        settle(&mut buf);
        assert_eq!(row(&buf, 0), "a→ b  ");
        assert_eq!(buf[(1, 0)].cell_width(), 2);
        let mut buf = Buffer::empty(area);
        buf.set_string(0, 0, "“x─", ratatui::style::Style::default());
        settle(&mut buf);
        assert_eq!(row(&buf, 0), "\"x-   ");
    }
}
