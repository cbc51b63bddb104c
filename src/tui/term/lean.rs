//! A backend wrapper that sends fewer bytes for Chinese text over slow links.
//!
//! ratatui's crossterm backend moves the cursor explicitly after every wide character,
//! because the wide character's hidden second cell breaks its "next cell" test. On a screen
//! of Chinese text that is half the bytes of a frame. After a character every terminal
//! agrees is two cells wide (CJK ideographs, kana, hangul, full-width forms) the cursor is
//! already where the next cell starts, so the move is redundant: this wrapper tells the
//! backend so by handing it an empty filler for the hidden cell. Characters whose width
//! terminals disagree on (emoji, East-Asian-ambiguous symbols) keep their explicit move,
//! which re-synchronises the cursor whatever the terminal did.
//!
//! Told a size ([`Lean::sized`]), it reports that instead of asking the process's terminal:
//! a terminal at the far end of a connection is not the process's own.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use std::io::Write;

/// Wraps a backend; see the module documentation.
pub struct Lean<B> {
    inner: B,
    size: Option<Size>,
}

impl<B> Lean<B> {
    /// Wraps `inner`, which knows its terminal's size.
    pub fn new(inner: B) -> Self {
        Lean { inner, size: None }
    }

    /// Wraps `inner` for a terminal of `size` that it cannot ask.
    pub fn sized(inner: B, size: Size) -> Self {
        Lean {
            inner,
            size: Some(size),
        }
    }

    /// The terminal is now `size`: report that from now on.
    pub fn set_size(&mut self, size: Size) {
        self.size = Some(size);
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &B {
        &self.inner
    }
}

/// Whether every terminal draws `symbol` two cells wide.
pub fn surely_wide(symbol: &str) -> bool {
    let mut chars = symbol.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return false;
    };
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF01..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

impl<B: Backend> Backend for Lean<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let cells: Vec<(u16, u16, &Cell)> = content.collect();
        // Where a filler goes: after cell `i`, at column `x` of row `y`, styled like cell `i`.
        let mut fillers: Vec<(usize, u16, u16, Cell)> = Vec::new();
        for (i, &(x, y, cell)) in cells.iter().enumerate() {
            if !surely_wide(cell.symbol()) {
                continue;
            }
            if let Some(&(nx, ny, _)) = cells.get(i + 1)
                && ny == y
                && u32::from(nx) == u32::from(x) + 2
            {
                let mut filler = cell.clone();
                filler.set_symbol("");
                fillers.push((i, x + 1, y, filler));
            }
        }
        if fillers.is_empty() {
            return self.inner.draw(cells.into_iter());
        }
        let mut merged: Vec<(u16, u16, &Cell)> = Vec::with_capacity(cells.len() + fillers.len());
        let mut next = fillers.iter().peekable();
        for (i, c) in cells.into_iter().enumerate() {
            merged.push(c);
            if let Some((_, x, y, filler)) = next.next_if(|f| f.0 == i) {
                merged.push((*x, *y, filler));
            }
        }
        self.inner.draw(merged.into_iter())
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        match self.size {
            Some(size) => Ok(size),
            None => self.inner.size(),
        }
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        match self.size {
            Some(columns_rows) => Ok(WindowSize {
                columns_rows,
                pixels: Size::default(),
            }),
            None => self.inner.window_size(),
        }
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Backend::flush(&mut self.inner)
    }
}

impl<B: Write> Write for Lean<B> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::CrosstermBackend;
    use ratatui::text::Line;
    use std::num::NonZeroU16;

    fn run<B: Backend>(mut t: Terminal<B>, texts: &[&[&str]]) {
        for frame in texts {
            t.draw(|f| {
                for (row, text) in frame.iter().enumerate() {
                    let area = ratatui::layout::Rect::new(0, row as u16, 20, 1);
                    f.render_widget(Line::raw(*text), area);
                }
            })
            .expect("draw");
        }
    }

    fn frames(lean: bool, texts: &[&[&str]]) -> (Vec<u8>, String) {
        let mut out = Vec::new();
        {
            let backend = CrosstermBackend::new(&mut out);
            let opts = || ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 20, 3)),
            };
            if lean {
                run(
                    Terminal::with_options(Lean::new(backend), opts()).expect("terminal"),
                    texts,
                );
            } else {
                run(
                    Terminal::with_options(backend, opts()).expect("terminal"),
                    texts,
                );
            }
        }
        let mut p = vt100::Parser::new(
            NonZeroU16::new(3).expect("rows"),
            NonZeroU16::new(20).expect("cols"),
            0,
        );
        p.process(&out);
        (out, p.screen().contents())
    }

    #[test]
    fn same_screen_fewer_bytes() {
        let texts: &[&[&str]] = &[
            &["技术名称 AI 芯片", "可行性：8，先进性：7", "😀 emoji ① x"],
            &["技术名称 AI 芯片组", "可行性：9，先进性：7", "😀 emoji ② y"],
        ];
        let (plain, plain_screen) = frames(false, texts);
        let (lean, lean_screen) = frames(true, texts);
        assert_eq!(plain_screen, lean_screen);
        assert!(
            lean_screen.contains("可行性：9，先进性：7"),
            "{lean_screen}"
        );
        assert!(
            lean.len() < plain.len(),
            "lean {} bytes, plain {} bytes",
            lean.len(),
            plain.len()
        );
    }

    #[test]
    fn only_unambiguous_characters_count_as_wide() {
        assert!(surely_wide("中"));
        assert!(surely_wide("，"));
        assert!(surely_wide("あ"));
        assert!(!surely_wide("😀"));
        assert!(!surely_wide("①"));
        assert!(!surely_wide("a"));
        assert!(!surely_wide("中文"));
    }
}
