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
use ratatui::buffer::Cell;
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
        Ok(LeanTerminal { frames, lean })
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
        let done = self.frames.draw(render)?;
        self.lean.paint(done.buffer)?;
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
