//! Frames drawn through [`Lean`] without ratatui's buffer diff.
//!
//! ratatui's `Terminal` renders a frame into a buffer, diffs it with the previous one (measuring
//! the width of every cell, twice) and hands the changed cells to the backend. [`Lean`] keeps a
//! copy of the screen anyway, so comparing the frame with that copy gives the same cells for
//! about half the work (a fifth of a `j` frame at 160×48). Here ratatui's terminal only makes
//! the frames, over a [`Canvas`] that writes nothing: its diff is lazy and the canvas never
//! asks for it; the canvas notes the cursor and clears the terminal asks for, which
//! [`LeanTerminal::draw`] then passes on to the lean backend after [`Lean::paint`].

use super::lean::Lean;
use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use ratatui::{Frame, Terminal, TerminalOptions, Viewport};
use std::io::{self, Write};

/// The backend ratatui renders frames on: it draws nothing and keeps what a frame asks of
/// the terminal besides its cells.
#[derive(Debug)]
pub struct Canvas {
    size: Size,
    /// Where the frame put the cursor, `None` hidden.
    cursor: Option<Position>,
    /// Whether ratatui cleared the screen (a resize) since the last frame.
    cleared: bool,
}

impl Backend for Canvas {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, _content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        // The frame is painted from the whole buffer: the diff is never walked.
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.cursor = None;
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.cursor.get_or_insert(Position::ORIGIN);
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor.unwrap_or(Position::ORIGIN))
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.cursor = Some(position.into());
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, _clear_type: ClearType) -> io::Result<()> {
        self.cleared = true;
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        Ok(self.size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size,
            pixels: Size::default(),
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A full-screen (or fixed) terminal whose frames go through [`Lean::paint`].
pub struct LeanTerminal<B: Backend + Write> {
    frames: Terminal<Canvas>,
    lean: Lean<B>,
    /// The frame just drawn, taken out of ratatui's terminal (whose buffer in its place is
    /// cleared before it is drawn into again), so that its cells can be moved, not cloned.
    drawn: Buffer,
}

impl<B> LeanTerminal<B>
where
    B: Backend + Write,
    B::Error: From<io::Error>,
{
    /// Frames the size of the terminal behind `lean`.
    pub fn new(lean: Lean<B>) -> Result<Self, B::Error> {
        Self::with_viewport(lean, Viewport::Fullscreen)
    }

    /// Frames of `area` on the terminal behind `lean`.
    pub fn fixed(lean: Lean<B>, area: Rect) -> Result<Self, B::Error> {
        Self::with_viewport(lean, Viewport::Fixed(area))
    }

    fn with_viewport(lean: Lean<B>, viewport: Viewport) -> Result<Self, B::Error> {
        let canvas = Canvas {
            size: lean.size()?,
            cursor: None,
            cleared: false,
        };
        let frames = Terminal::with_options(canvas, TerminalOptions { viewport })?;
        Ok(LeanTerminal {
            frames,
            lean,
            drawn: Buffer::default(),
        })
    }

    /// The lean backend.
    pub fn backend(&self) -> &Lean<B> {
        &self.lean
    }

    /// The lean backend, to write around the frames (see [`Lean`] on what may be written).
    pub fn backend_mut(&mut self) -> &mut Lean<B> {
        &mut self.lean
    }

    /// Renders a frame with `render` and writes what changed, then the cursor, as
    /// `Terminal::draw` does.
    pub fn draw(&mut self, render: impl FnOnce(&mut Frame)) -> Result<(), B::Error> {
        self.frames.backend_mut().size = self.lean.size()?;
        // A resize clears the screen: the lean backend clears it before the frame.
        self.frames.autoresize()?;
        if std::mem::take(&mut self.frames.backend_mut().cleared) {
            self.lean.clear()?;
        }
        let drawn = &mut self.drawn;
        self.frames.draw(|f| {
            render(f);
            // ratatui still makes its (never walked) diff of the two, which must be as wide.
            let buf = f.buffer_mut();
            if drawn.area != buf.area {
                drawn.resize(buf.area);
            }
            std::mem::swap(buf, drawn);
        })?;
        self.lean.paint(&mut self.drawn)?;
        match self.frames.backend().cursor {
            None => self.lean.hide_cursor()?,
            Some(at) => {
                self.lean.show_cursor()?;
                self.lean.set_cursor_position(at)?;
            }
        }
        Backend::flush(&mut self.lean)
    }

    /// Shows the cursor (the view ends).
    pub fn show_cursor(&mut self) -> Result<(), B::Error> {
        self.lean.show_cursor()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::{CrosstermBackend, TestBackend};
    use ratatui::style::{Color, Style};
    use ratatui::text::Line;
    use std::cell::RefCell;
    use std::num::NonZeroU16;
    use std::rc::Rc;
    use unicode_width::UnicodeWidthStr;

    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A frame of `n`: a line of Chinese and Latin per row, shifted by `n`, the cursor on
    /// odd frames.
    fn frame(f: &mut Frame, n: usize) {
        let area = f.area();
        for y in 0..area.height {
            let text = format!("{}行{y} 评审 {}", " ".repeat((n + y as usize) % 5), n * 7);
            let style = Style::default().bg(if n.is_multiple_of(2) {
                Color::Reset
            } else {
                Color::Blue
            });
            f.render_widget(Line::styled(text, style), Rect::new(0, y, area.width, 1));
        }
        if n % 2 == 1 {
            f.set_cursor_position((1, 1));
        }
    }

    /// Frames at changing sizes (larger, smaller, back): after each, the terminal fed the
    /// bytes shows what ratatui renders at that size, and the cursor is where the frame put
    /// it, or hidden.
    #[test]
    fn frames_across_resizes_show_what_was_rendered() {
        let out = Shared::default();
        let mut t = LeanTerminal::new(Lean::sized(
            CrosstermBackend::new(out.clone()),
            Size::new(20, 4),
        ))
        .expect("terminal");
        let nz = |n: u16| NonZeroU16::new(n).expect("size");
        let mut screen = vt100::Parser::new(nz(4), nz(20), 0);
        let mut last = (20, 4);
        for (n, (w, h)) in [
            (20, 4),
            (20, 4),
            (30, 6),
            (30, 6),
            (12, 3),
            (20, 4),
            (20, 4),
        ]
        .into_iter()
        .enumerate()
        {
            t.backend_mut().set_size(Size::new(w, h));
            screen.screen_mut().set_size(nz(h), nz(w));
            t.draw(|f| frame(f, n)).expect("draw");
            let bytes = std::mem::take(&mut *out.0.borrow_mut());
            // A new size clears the screen first (a terminal may have reflowed it), as
            // ratatui's terminal does; the same size does not.
            let resized = n > 0 && (w, h) != last;
            let cleared = bytes.windows(4).any(|b| b == b"\x1b[2J");
            assert_eq!(cleared, resized, "frame {n}");
            last = (w, h);
            screen.process(&bytes);
            let mut plain = Terminal::new(TestBackend::new(w, h)).expect("terminal");
            let want = plain.draw(|f| frame(f, n)).expect("draw").buffer.clone();
            for y in 0..h {
                // The row as text: a wide character's hidden cell adds nothing.
                let mut row = String::new();
                let mut x = 0;
                while x < w {
                    let symbol = want[(x, y)].symbol();
                    row.push_str(symbol);
                    x += symbol.width().max(1) as u16;
                }
                let shown = screen.screen().rows(0, w).nth(usize::from(y));
                let shown = shown.expect("row");
                assert_eq!(shown.trim_end(), row.trim_end(), "frame {n} row {y}");
                for x in 0..w {
                    let bg = screen.screen().cell(y, x).expect("cell").bgcolor();
                    let blue = want[(x, y)].bg == Color::Blue;
                    assert_eq!(bg == vt100::Color::Idx(4), blue, "frame {n} cell {y},{x}");
                }
            }
            assert_eq!(
                screen.screen().hide_cursor(),
                n.is_multiple_of(2),
                "frame {n}"
            );
            if n % 2 == 1 {
                assert_eq!(screen.screen().cursor_position(), (1, 1), "frame {n}");
            }
        }
    }
}
