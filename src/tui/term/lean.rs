//! A backend that sends few bytes per frame over slow links.
//!
//! ratatui's crossterm backend addresses the cursor after every wide character (its "next
//! cell" test does not know the hidden second cell), writes every blank as a space, and
//! resets all colours at the end of each frame. This backend writes the changed cells
//! itself, keeping what the terminal shows (a copy of the screen as drawn), where its cursor
//! is and which colours are set, so that it can:
//! - skip the cursor move where the cursor already is: after a character every terminal
//!   agrees is two cells wide (CJK ideographs, kana, hangul, full-width forms), the next
//!   cell; characters whose width terminals disagree on (emoji) get an explicit move;
//! - move the cursor the shortest way (`CR LF`, a forward step, or an address) and rewrite
//!   a gap of a few unchanged plain characters instead of stepping over it;
//! - clear a run of blanks with erase-characters (`ECH`) or erase-to-end-of-line (`EL`),
//!   which fill with the colours set, instead of one space per cell;
//! - change only the colours and attributes that differ, in their short forms, and leave
//!   them set from one frame to the next (a clear resets them first);
//! - not repeat a cursor hide or show the terminal already has.
//!
//! Bytes written through its [`Write`] side (synchronized-update markers, setup, teardown)
//! must not move the cursor or change colours; after anything else, [`Lean::forget`].
//!
//! Told a size ([`Lean::sized`]), it reports that instead of asking the process's terminal:
//! a terminal at the far end of a connection is not the process's own.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use std::io::Write;

/// Colours and attributes the terminal draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    underline: Color,
    modifier: Modifier,
}

impl Pen {
    const PLAIN: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        underline: Color::Reset,
        modifier: Modifier::empty(),
    };

    fn of(c: &Cell) -> Pen {
        Pen {
            fg: c.fg,
            bg: c.bg,
            underline: c.underline_color,
            modifier: c.modifier,
        }
    }
}

/// Attributes that show on a blank cell: such blanks are written, never erased (terminals
/// erase with the background colour only).
const SHOWS_ON_BLANK: Modifier = Modifier::UNDERLINED
    .union(Modifier::REVERSED)
    .union(Modifier::CROSSED_OUT)
    .union(Modifier::SLOW_BLINK)
    .union(Modifier::RAPID_BLINK);

/// Wraps a backend; see the module documentation.
pub struct Lean<B> {
    inner: B,
    size: Option<Size>,
    /// What the terminal shows, row by row, as drawn (`width` × `height`).
    shown: Vec<Cell>,
    /// Each shown cell's width (`Cell::cell_width`, at most 255), kept beside `shown`: a frame
    /// asks it of a cell several times, and measuring a symbol each time was a tenth of a frame.
    widths: Vec<u8>,
    width: u16,
    height: u16,
    /// Whether `shown` is all known (false after a partial clear or appended lines).
    known: bool,
    /// Where the cursor is; `x == width` is the pending wrap after the last column.
    cursor: Option<(u16, u16)>,
    pen: Option<Pen>,
    hidden: Option<bool>,
    /// Whether the terminal is blank, nothing drawn since it started or was cleared.
    blank: bool,
}

impl<B> Lean<B> {
    /// Wraps `inner`, which knows its terminal's size.
    pub fn new(inner: B) -> Self {
        Lean {
            inner,
            size: None,
            shown: Vec::new(),
            widths: Vec::new(),
            width: 0,
            height: 0,
            known: true,
            cursor: None,
            pen: None,
            hidden: None,
            blank: true,
        }
    }

    /// Wraps `inner` for a terminal of `size` that it cannot ask.
    pub fn sized(inner: B, size: Size) -> Self {
        Lean {
            size: Some(size),
            ..Lean::new(inner)
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

    /// Something else wrote to the terminal: assume nothing about its cursor or colours.
    pub fn forget(&mut self) {
        self.cursor = None;
        self.pen = None;
        self.hidden = None;
    }

    /// Makes the copy of the screen `w`×`h`, blank, when it is not that size.
    fn fit(&mut self, w: u16, h: u16) {
        if (w, h) != (self.width, self.height) {
            self.width = w;
            self.height = h;
            self.shown = vec![Cell::default(); usize::from(w) * usize::from(h)];
            self.widths = vec![1; self.shown.len()];
            self.known = true;
            self.cursor = None;
        }
    }

    fn index(&self, x: u16, y: u16) -> usize {
        usize::from(y) * usize::from(self.width) + usize::from(x)
    }

    fn at(&self, x: u16, y: u16) -> &Cell {
        &self.shown[self.index(x, y)]
    }

    /// The width of the shown cell (`x`, `y`).
    fn width_at(&self, x: u16, y: u16) -> u16 {
        u16::from(self.widths[self.index(x, y)])
    }

    /// Whether cell `x` of row `y` is the hidden second half of a wide character.
    fn covered(&self, x: u16, y: u16) -> bool {
        x > 0 && self.width_at(x - 1, y) > 1
    }

    /// Whether the cell is a blank that may be erased rather than written.
    fn erasable(&self, x: u16, y: u16) -> bool {
        let c = self.at(x, y);
        matches!(c.symbol(), " " | "")
            && !c.modifier.intersects(SHOWS_ON_BLANK)
            && !self.covered(x, y)
    }

    /// Whether the cell can be rewritten with the current pen as one byte, to step over it.
    fn plain_byte(&self, x: u16, y: u16) -> bool {
        let c = self.at(x, y);
        let b = c.symbol().as_bytes();
        b.len() == 1
            && (0x20..0x7f).contains(&b[0])
            && Some(Pen::of(c)) == self.pen
            && !self.covered(x, y)
    }

    /// Takes changed cell (`x`, `y`) into the copy of the screen; returns the column of a wide
    /// character's second half it orphans, which must be written again.
    fn take(&mut self, x: u16, y: u16, cell: &Cell) -> Option<u16> {
        self.take_by(x, y, cell_width(cell), |to| to.clone_from(cell))
    }

    /// [`Lean::take`] for a cell `width` wide that `store` puts into the copy.
    fn take_by(
        &mut self,
        x: u16,
        y: u16,
        width: u16,
        store: impl FnOnce(&mut Cell),
    ) -> Option<u16> {
        let i = self.index(x, y);
        // Writing over the first half of a wide character erases its second half with
        // the colours set: that cell is written again, as it is, even when unchanged.
        let last = x.saturating_add(width.clamp(1, 2) - 1);
        let orphan = last + 1 < self.width && self.width_at(last, y) > 1;
        store(&mut self.shown[i]);
        self.widths[i] = u8::try_from(width).unwrap_or(u8::MAX);
        // The cells a wide character hides are blank in ratatui's buffer, and never sent.
        let hides = usize::from(self.width - x - 1).min(usize::from(width.saturating_sub(1)));
        // At most one cell (ideographs are two wide): a loop, not a slice fill.
        for k in i + 1..=i + hides {
            self.shown[k].reset();
            self.widths[k] = 1;
        }
        orphan.then_some(last + 1)
    }

    /// How to take the cursor to (`x`, `y`): the shortest of an address, `CR`/`CR LF`, a step
    /// forward or down, or rewriting up to three unchanged plain characters (the first offered
    /// of equal lengths). Lengths are counted, not formatted: only the chosen move is written.
    fn route(&self, x: u16, y: u16) -> Move {
        let address = if x == 0 && y == 0 {
            3
        } else if x == 0 {
            3 + digits(y + 1)
        } else {
            4 + digits(y + 1) + digits(x + 1)
        };
        let mut best = (address, Move::Address);
        let Some((cx, cy)) = self.cursor else {
            return best.1;
        };
        let mut offer = |len: usize, m: Move| {
            if len < best.0 {
                best = (len, m);
            }
        };
        // `CSI n C` and `CSI n B`, `n` left out when 1.
        let step = |n: u16| match n {
            0 => 0,
            1 => 3,
            n => 3 + digits(n),
        };
        if y == cy {
            if x > cx && cx < self.width {
                offer(step(x - cx), Move::Forward(x - cx));
                if self.known && x - cx <= 3 && (cx..x).all(|i| self.plain_byte(i, y)) {
                    offer(usize::from(x - cx), Move::Rewrite(cx));
                }
            } else if x < cx {
                offer(1 + step(x), Move::Return);
            }
        } else if y == cy + 1 {
            offer(2 + step(x), Move::NewLine);
        }
        if y > cy && x == cx && cx < self.width {
            offer(step(y - cy), Move::Down(y - cy));
        }
        best.1
    }

    /// Moves the cursor to (`x`, `y`) into `out`.
    fn go(&mut self, out: &mut Vec<u8>, x: u16, y: u16) {
        // Most cells follow the one written before: no move.
        if self.cursor != Some((x, y)) {
            // Writes into a vector do not fail.
            let _ = match self.route(x, y) {
                Move::Address if x == 0 && y == 0 => out.write_all(b"\x1b[H"),
                Move::Address if x == 0 => write!(out, "\x1b[{}H", y + 1),
                Move::Address => write!(out, "\x1b[{};{}H", y + 1, x + 1),
                Move::Forward(n) => forward(out, n),
                Move::Rewrite(from) => {
                    out.extend((from..x).map(|i| self.at(i, y).symbol().as_bytes()[0]));
                    Ok(())
                }
                Move::Return => out.write_all(b"\r").and_then(|()| forward(out, x)),
                Move::NewLine => out.write_all(b"\r\n").and_then(|()| forward(out, x)),
                Move::Down(1) => out.write_all(b"\x1b[B"),
                Move::Down(n) => write!(out, "\x1b[{n}B"),
            };
        }
        self.cursor = Some((x, y));
    }

    /// Sets the pen into `out`, changing only what differs.
    fn ink(&mut self, out: &mut Vec<u8>, to: Pen) {
        if self.pen == Some(to) {
            return;
        }
        // Each parameter is written with a `;` after it; the last `;` becomes the final `m`.
        let start = out.len();
        out.extend_from_slice(b"\x1b[");
        let from = match self.pen {
            Some(from) if from.modifier.difference(to.modifier).is_empty() => from,
            // An attribute goes away: start from nothing (one reset is shorter than most
            // "attribute off" combinations, and bold/dim share one).
            _ => {
                out.extend_from_slice(b"0;");
                Pen::PLAIN
            }
        };
        for (m, code) in [
            (Modifier::BOLD, b'1'),
            (Modifier::DIM, b'2'),
            (Modifier::ITALIC, b'3'),
            (Modifier::UNDERLINED, b'4'),
            (Modifier::SLOW_BLINK, b'5'),
            (Modifier::RAPID_BLINK, b'6'),
            (Modifier::REVERSED, b'7'),
            (Modifier::HIDDEN, b'8'),
            (Modifier::CROSSED_OUT, b'9'),
        ] {
            if to.modifier.contains(m) && !from.modifier.contains(m) {
                out.extend_from_slice(&[code, b';']);
            }
        }
        // Bold with one of the first eight colours is drawn bright by some terminals when the
        // colour is given in its short form: keep the indexed form there, as ratatui sends.
        let long = to.modifier.contains(Modifier::BOLD);
        if to.fg != from.fg {
            colour(out, to.fg, 30, long);
        }
        if to.bg != from.bg {
            colour(out, to.bg, 40, long);
        }
        if to.underline != from.underline {
            match to.underline {
                Color::Reset => out.extend_from_slice(b"59;"),
                c => colour(out, c, 50, true),
            }
        }
        if out.len() > start + 2 {
            let end = out.len() - 1;
            out[end] = b'm';
        } else {
            out.push(b'm');
        }
        self.pen = Some(to);
    }

    /// Writes the changed cells of row `y` (`xs`, ascending) into `out`.
    fn paint_row(&mut self, out: &mut Vec<u8>, y: u16, xs: &[u16]) {
        let mut i = 0;
        while i < xs.len() {
            let x = xs[i];
            if self.covered(x, y) {
                i += 1;
                continue;
            }
            if self.erasable(x, y)
                && let Some(done) = self.erase_from(out, x, y, &xs[i..])
            {
                i += done;
                continue;
            }
            let at = self.index(x, y);
            // Most cells follow the one written before in the same colours: neither writes.
            self.go(out, x, y);
            self.ink(out, Pen::of(&self.shown[at]));
            let symbol = match self.shown[at].symbol() {
                "" => " ",
                s => s,
            };
            out.extend_from_slice(symbol.as_bytes());
            // A forced width (an ambiguous character on a terminal that draws it wide) counts.
            let w = u16::from(self.widths[at]).max(1);
            self.cursor = match w {
                1 => Some((x + 1, y)),
                2 if surely_wide(symbol) => Some((x + 2, y)),
                // A width terminals disagree on: the next cell is addressed.
                _ => None,
            };
            i += 1;
        }
    }

    /// Clears the blanks from (`x`, `y`) with `EL` or `ECH` when that is shorter than writing
    /// them; returns how many of the changed cells `xs` (starting at `x`) it covered.
    fn erase_from(&mut self, out: &mut Vec<u8>, x: u16, y: u16, xs: &[u16]) -> Option<usize> {
        let pen = Pen::of(self.at(x, y));
        let same = |l: &Self, i: u16| l.erasable(i, y) && Pen::of(l.at(i, y)) == pen;
        // The run of like blanks as the screen will show them; beyond the changed cells only
        // when the whole screen is known.
        let mut end = x + 1;
        while end < self.width && same(self, end) && (self.known || xs.contains(&end)) {
            end += 1;
        }
        let covered = xs.iter().take_while(|&&c| c < end).count();
        let last = xs[covered - 1];
        let spaces = usize::from(last - x + 1);
        let next = xs.get(covered).copied();
        let el = end == self.width && self.known;
        // Writing spaces leaves the cursor after them; erasing leaves it at `x`.
        let written_then = |to: Option<u16>| match to {
            Some(t) if t > last + 1 => 3 + t.saturating_sub(last + 1).to_string().len(),
            _ => 0,
        };
        let erased_then = |to: Option<u16>| match to {
            Some(t) if t > x => 3 + (t - x).to_string().len(),
            _ => 0,
        };
        let (bytes, erase) = if el {
            (b"\x1b[K".to_vec(), covered)
        } else {
            let n = last - x + 1;
            (format!("\x1b[{n}X").into_bytes(), covered)
        };
        if bytes.len() + erased_then(next) >= spaces + written_then(next) {
            return None;
        }
        self.go(out, x, y);
        self.ink(out, pen);
        out.extend(bytes);
        Some(erase)
    }
}

/// A way to move the cursor (see [`Lean::route`]).
#[derive(Debug, Clone, Copy)]
enum Move {
    /// `CSI row;col H`.
    Address,
    /// `CSI n C`.
    Forward(u16),
    /// The plain characters from this column to the target written again.
    Rewrite(u16),
    /// `CR` and forward.
    Return,
    /// `CR LF` and forward.
    NewLine,
    /// `CSI n B`.
    Down(u16),
}

/// The decimal digits of `n`.
fn digits(n: u16) -> usize {
    match n {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1000..=9999 => 4,
        _ => 5,
    }
}

/// `n` steps forward into `out`: nothing, `CSI C` or `CSI n C`.
fn forward(out: &mut Vec<u8>, n: u16) -> std::io::Result<()> {
    match n {
        0 => Ok(()),
        1 => out.write_all(b"\x1b[C"),
        n => write!(out, "\x1b[{n}C"),
    }
}

/// A colour's SGR parameter and a `;` into `out`; `base` 30 (foreground), 40 (background) or
/// 50 (underline).
fn colour(out: &mut Vec<u8>, c: Color, base: u8, long: bool) {
    let index = |out: &mut Vec<u8>, n: u8| match n {
        0..=7 if !long && base < 50 => write!(out, "{};", base + n),
        8..=15 if !long && base < 50 => write!(out, "{};", base + 60 + n - 8),
        n => write!(out, "{};5;{n};", base + 8),
    };
    // Writes into a vector do not fail.
    let _ = match c {
        Color::Reset => write!(out, "{};", base + 9),
        Color::Black => index(out, 0),
        Color::Red => index(out, 1),
        Color::Green => index(out, 2),
        Color::Yellow => index(out, 3),
        Color::Blue => index(out, 4),
        Color::Magenta => index(out, 5),
        Color::Cyan => index(out, 6),
        Color::Gray => index(out, 7),
        Color::DarkGray => index(out, 8),
        Color::LightRed => index(out, 9),
        Color::LightGreen => index(out, 10),
        Color::LightYellow => index(out, 11),
        Color::LightBlue => index(out, 12),
        Color::LightMagenta => index(out, 13),
        Color::LightCyan => index(out, 14),
        Color::White => index(out, 15),
        Color::Indexed(n) => index(out, n),
        Color::Rgb(r, g, b) => write!(out, "{};2;{r};{g};{b};", base + 8),
    };
}

/// `cell.cell_width()`, with no table lookup for the commonest symbols: one byte (always 1) and
/// one CJK unified ideograph (always 2; tested against ratatui for the whole block).
fn cell_width(cell: &Cell) -> u16 {
    if !matches!(cell.diff_option, CellDiffOption::ForcedWidth(_)) {
        let s = cell.symbol();
        if s.len() == 1 {
            return 1;
        }
        if crate::text::wrap::one_ideograph(s) {
            return 2;
        }
    }
    cell.cell_width()
}

/// Whether every terminal draws `symbol` two cells wide.
pub fn surely_wide(symbol: &str) -> bool {
    // Most are CJK unified ideographs, tested without the table below.
    crate::text::wrap::one_ideograph(symbol) || decoded_wide(symbol)
}

/// [`surely_wide`], decoding the symbol.
fn decoded_wide(symbol: &str) -> bool {
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

impl<B> Lean<B>
where
    B: Backend + Write,
    B::Error: From<std::io::Error>,
{
    /// The size to keep a copy of: the size told is the terminal's; a size asked may be
    /// smaller than a fixed viewport, so the copy only grows with it, and with the cells
    /// drawn, until the next clear.
    fn screen_size(&self) -> (u16, u16) {
        let asked = self.size().map_or((0, 0), |s| (s.width, s.height));
        match (self.size, self.blank) {
            (Some(s), _) => (s.width, s.height),
            (None, true) => asked,
            (None, false) => (asked.0.max(self.width), asked.1.max(self.height)),
        }
    }

    /// Starts a frame on a screen of at least `w`×`h`.
    fn begin(&mut self, w: u16, h: u16) {
        if (w, h) != (self.width, self.height) {
            self.fit(w, h);
            // Only a screen known blank (the first frame, after a clear) is known.
            self.known = self.blank;
        }
        self.blank = false;
    }

    /// Writes what `buf`, a whole frame, changes on the screen: the cells that differ from
    /// the copy of the screen kept here, as ratatui's diff would give them, without keeping
    /// a second buffer to diff against or measuring every cell (see [`super::frames`]).
    /// The changed cells are moved into the copy, not cloned: `buf` is left holding what the
    /// screen showed there before.
    pub fn paint(&mut self, buf: &mut Buffer) -> Result<(), B::Error> {
        let area = buf.area;
        let (w, h) = self.screen_size();
        self.begin(w.max(area.right()), h.max(area.bottom()));
        // A screen not all known is drawn whole.
        let all = !self.known;
        let mut xs: Vec<u16> = Vec::with_capacity(usize::from(area.width) + 1);
        let mut out = Vec::new();
        for (r, row) in buf
            .content
            .chunks_exact_mut(usize::from(area.width).max(1))
            .enumerate()
        {
            let y = area.y.saturating_add(r as u16);
            if y >= self.height {
                break;
            }
            xs.clear();
            // Cells hidden by the wide character before them.
            let mut hidden = 0;
            for (k, cell) in row.iter_mut().enumerate() {
                if hidden > 0 {
                    hidden -= 1;
                    continue;
                }
                let x = area.x.saturating_add(k as u16);
                if x >= self.width {
                    break;
                }
                if skipped(cell) {
                    continue;
                }
                let i = self.index(x, y);
                let unchanged = !all
                    && !matches!(cell.diff_option, CellDiffOption::AlwaysUpdate)
                    && same(cell, &self.shown[i]);
                if !unchanged {
                    let orphan =
                        self.take_by(x, y, cell_width(cell), |to| std::mem::swap(to, cell));
                    if xs.last() != Some(&x) {
                        xs.push(x);
                    }
                    xs.extend(orphan);
                }
                hidden = self.widths[i].saturating_sub(1);
            }
            if !xs.is_empty() {
                self.paint_row(&mut out, y, &xs);
            }
        }
        if all && (area.width, area.height) == (self.width, self.height) {
            self.known = true;
        }
        self.inner.write_all(&out)?;
        Ok(())
    }
}

/// `a == b`, ratatui's cell equality, with the cheap fields first and a short symbol compared
/// without calling `memcmp`: a frame compares every cell, and most are unchanged.
#[allow(deprecated)]
fn same(a: &Cell, b: &Cell) -> bool {
    a.fg == b.fg
        && a.bg == b.bg
        && a.modifier == b.modifier
        && a.underline_color == b.underline_color
        && a.diff_option == b.diff_option
        && a.skip == b.skip
        && {
            let (x, y) = (a.symbol().as_bytes(), b.symbol().as_bytes());
            x.len() == y.len()
                && if x.len() <= 4 {
                    x.iter().zip(y).all(|(p, q)| p == q)
                } else {
                    x == y
                }
        }
}

/// Whether ratatui's diff leaves the cell out.
#[allow(deprecated)]
fn skipped(c: &Cell) -> bool {
    matches!(c.diff_option, CellDiffOption::Skip)
        || (c.skip && matches!(c.diff_option, CellDiffOption::None))
}

impl<B> Backend for Lean<B>
where
    B: Backend + Write,
    B::Error: From<std::io::Error>,
{
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let content: Vec<(u16, u16, &Cell)> = content.collect();
        let (mut w, mut h) = self.screen_size();
        for &(x, y, _) in &content {
            w = w.max(x.saturating_add(1));
            h = h.max(y.saturating_add(1));
        }
        self.begin(w, h);
        // The cells to paint as (row, column), in one vector rather than one per row.
        let mut cells: Vec<(u16, u16)> = Vec::with_capacity(content.len() + 8);
        for (x, y, cell) in content {
            if x >= self.width || y >= self.height {
                continue;
            }
            let orphan = self.take(x, y, cell);
            cells.push((y, x));
            if let Some(o) = orphan {
                cells.push((y, o));
            }
        }
        // Row by row, each row's cells ascending, each once (the diff comes nearly in order).
        cells.sort_unstable();
        cells.dedup();
        let mut xs: Vec<u16> = Vec::with_capacity(usize::from(self.width));
        let mut out = Vec::with_capacity(cells.len() * 3);
        for row in cells.chunk_by(|a, b| a.0 == b.0) {
            xs.clear();
            xs.extend(row.iter().map(|&(_, x)| x));
            self.paint_row(&mut out, row[0].0, &xs);
        }
        self.inner.write_all(&out)?;
        Ok(())
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.known = false;
        self.cursor = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if self.hidden != Some(true) {
            self.inner.hide_cursor()?;
            self.hidden = Some(true);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        // The cursor is shown for an editor, and when the view ends: what is typed there next
        // is drawn in plain colours.
        if self.pen.is_some_and(|p| p != Pen::PLAIN) {
            self.inner.write_all(b"\x1b[0m")?;
            self.pen = Some(Pen::PLAIN);
        }
        if self.hidden != Some(false) {
            self.inner.show_cursor()?;
            self.hidden = Some(false);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        let p = position.into();
        if self.cursor != Some((p.x, p.y)) {
            let mut out = Vec::new();
            self.go(&mut out, p.x, p.y);
            self.inner.write_all(&out)?;
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        // A clear fills with the colours set: make them the plain ones first.
        if self.pen != Some(Pen::PLAIN) {
            self.inner.write_all(b"\x1b[0m")?;
            self.pen = Some(Pen::PLAIN);
        }
        self.inner.clear_region(clear_type)?;
        if clear_type == ClearType::All {
            self.shown.fill(Cell::default());
            self.widths.fill(1);
            self.known = true;
            self.blank = true;
        } else {
            self.known = false;
        }
        Ok(())
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
    use unicode_width::UnicodeWidthStr;

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

    /// The width shortcut gives ratatui's width for every one-byte symbol and every ideograph
    /// it takes, and defers to a forced width.
    #[test]
    fn the_width_shortcut_agrees_with_ratatui() {
        let mut cell = Cell::default();
        for c in (0u32..0x80)
            .chain(0x4DF0..0xA010)
            .filter_map(char::from_u32)
        {
            if c.is_ascii_control() {
                continue;
            }
            cell.set_char(c);
            assert_eq!(cell_width(&cell), cell.cell_width(), "{c:?}");
        }
        cell.set_char('中')
            .set_diff_option(CellDiffOption::ForcedWidth(std::num::NonZeroU16::MIN));
        assert_eq!(cell_width(&cell), 1);
    }

    /// The quick equality is ratatui's, field by field and for symbols of every length
    /// (an empty symbol, a space and no symbol at all among them).
    #[test]
    #[allow(deprecated)]
    fn the_quick_equality_is_ratatuis() {
        let symbols = [
            "",
            " ",
            "a",
            "b",
            "中",
            "文",
            "ab",
            "😀",
            "❤\u{FE0F}",
            "abcde",
            "abcdf",
        ];
        let mut cells = Vec::new();
        for s in symbols {
            let mut c = Cell::default();
            c.set_symbol(s);
            cells.push(c.clone());
            cells.push(c.clone().set_fg(Color::Cyan).clone());
            cells.push(c.clone().set_bg(Color::Indexed(200)).clone());
            cells.push(c.clone().set_style(Modifier::BOLD).clone());
            let mut u = c.clone();
            u.underline_color = Color::Red;
            cells.push(u);
            cells.push(
                c.clone()
                    .set_diff_option(CellDiffOption::ForcedWidth(std::num::NonZeroU16::MIN))
                    .clone(),
            );
            cells.push(c.clone().set_diff_option(CellDiffOption::Skip).clone());
            let mut skip = c.clone();
            skip.skip = true;
            cells.push(skip);
        }
        cells.push(Cell::default());
        cells.push(Cell::EMPTY);
        let mut equal = 0;
        for a in &cells {
            for b in &cells {
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
                equal += usize::from(a == b);
            }
        }
        // Each cell with itself, and the blanks made three ways with each other.
        assert!(equal > cells.len(), "{equal}");
    }

    /// The shortcut for ideographs agrees with decoding, over the whole range it covers.
    #[test]
    fn every_ideograph_counts_as_wide() {
        let mut n = 0;
        for c in (0x3000..=0xB000).filter_map(char::from_u32) {
            let s = c.encode_utf8(&mut [0; 4]).to_string();
            if crate::text::wrap::one_ideograph(&s) {
                assert!(decoded_wide(&s), "{c:?}");
                n += 1;
            }
        }
        // The whole block U+4E00 to U+9FFF, and nothing else, takes the shortcut.
        assert_eq!(n, 0x9FFF - 0x4E00 + 1);
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

    /// Random frames of Chinese, Latin, blanks, emoji and styles, at random offsets: after
    /// every frame the terminal fed the lean bytes shows each cell as ratatui's buffer holds it
    /// (text and width; background, reverse and underline always; foreground where there is a
    /// character); and painting whole frames ([`Lean::paint`], as a session draws) sends the
    /// same bytes as drawing ratatui's diff ([`Backend::draw`]).
    #[test]
    fn random_frames_show_what_was_drawn() {
        for seed in [
            0x2545_F491_4F6C_DD1D,
            0x9E37_79B9_7F4A_7C15,
            0xD1B5_4A32_D192_ED03,
        ] {
            random_frames(seed, &[], true);
        }
    }

    /// Painting whole frames sends the diff's bytes also with emoji presentation sequences
    /// (ratatui's diff sends the cells they cover when those change) and forced widths; the
    /// emulator has no such sequences, so only the bytes are compared.
    #[test]
    fn painting_whole_frames_sends_the_diffs_bytes() {
        for seed in [0x2545_F491_4F6C_DD1D, 0x9E37_79B9_7F4A_7C15] {
            // An ambiguous character marked wide: `settle` forces its width and skips the
            // cell it hides.
            let marked: &'static str =
                Box::leak(format!("①{}中", crate::text::ambiguous::MARKER).into_boxed_str());
            random_frames(
                seed,
                &[
                    "\u{2764}\u{FE0F}",
                    "\u{263A}\u{FE0F}x",
                    "a\u{2764}\u{FE0F}",
                    marked,
                ],
                false,
            );
        }
    }

    fn random_frames(seed: u64, more_words: &[&'static str], screen_check: bool) {
        use ratatui::backend::TestBackend;
        use ratatui::style::Style;
        use ratatui::text::Span;
        let (w, h) = (24u16, 5u16);
        let mut seed = seed;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut words = vec![
            "中文", "技术", "a", "bc", " ", "     ", "😀", "①", "，", "MVR",
        ];
        words.extend(more_words);
        let colours = [Color::Reset, Color::Cyan, Color::Blue, Color::Indexed(200)];
        let mods = [
            Modifier::empty(),
            Modifier::BOLD,
            Modifier::DIM,
            Modifier::REVERSED,
            Modifier::UNDERLINED,
            Modifier::ITALIC,
        ];
        #[derive(Clone, Default)]
        struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out = Shared::default();
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let mut lean = Terminal::with_options(
            Lean::new(CrosstermBackend::new(out.clone())),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(area),
            },
        )
        .expect("terminal");
        // Beside it, the same frames painted whole: the bytes must be the same.
        let painted_out = Shared::default();
        let mut painted = super::super::frames::LeanTerminal::fixed(
            Lean::new(CrosstermBackend::new(painted_out.clone())),
            area,
        )
        .expect("terminal");
        let mut plain = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let frames: Vec<Vec<(u16, u16, Vec<Span<'static>>)>> = (0..60)
            .map(|_| {
                // One line per row at most: ratatui's buffer is well formed only when no
                // widget splits another's wide character.
                let rows: Vec<u16> = (0..h).filter(|_| next(3) > 0).collect();
                rows.into_iter()
                    .map(|y| {
                        let spans = (0..1 + next(5))
                            .map(|_| {
                                let style = Style::default()
                                    .fg(colours[next(4)])
                                    .bg(colours[next(4)])
                                    .add_modifier(mods[next(6)]);
                                Span::styled(words[next(words.len())], style)
                            })
                            .collect();
                        (next(usize::from(w)) as u16, y, spans)
                    })
                    .collect()
            })
            .collect();
        let mut screen = vt100::Parser::new(
            NonZeroU16::new(h).expect("rows"),
            NonZeroU16::new(w).expect("cols"),
            0,
        );
        let mut seen = 0;
        for (n, frame) in frames.iter().enumerate() {
            let draw = |f: &mut ratatui::Frame| {
                for (x, y, spans) in frame {
                    let area = ratatui::layout::Rect::new(*x, *y, w - x, 1);
                    f.render_widget(Line::from(spans.clone()), area);
                }
                if !screen_check {
                    super::super::wide::settle(f.buffer_mut());
                }
            };
            lean.draw(draw).expect("draw");
            painted.draw(draw).expect("draw");
            let buf = plain.draw(draw).expect("draw").buffer.clone();
            let diffed = std::mem::take(&mut *out.0.borrow_mut());
            let whole = std::mem::take(&mut *painted_out.0.borrow_mut());
            assert_eq!(
                String::from_utf8_lossy(&whole),
                String::from_utf8_lossy(&diffed),
                "frame {n}"
            );
            if !screen_check {
                continue;
            }
            let bytes = diffed;
            screen.process(&bytes);
            for y in 0..h {
                let mut hidden = 0;
                for x in 0..w {
                    let got = screen.screen().cell(y, x).expect("cell");
                    if hidden > 0 {
                        hidden -= 1;
                        assert!(got.is_wide_continuation(), "frame {n} cell {y},{x}");
                        continue;
                    }
                    let want = &buf[(x, y)];
                    let text = match want.symbol() {
                        "" => " ",
                        t => t,
                    };
                    hidden = text.width().saturating_sub(1);
                    let shown = match got.contents() {
                        "" => " ",
                        t => t,
                    };
                    let at = format!("frame {n} cell {y},{x}");
                    assert_eq!(shown, text, "{at}");
                    assert_eq!(got.is_wide(), text.width() > 1, "{at}");
                    let index = |c: Color| match c {
                        Color::Reset => vt100::Color::Default,
                        Color::Cyan => vt100::Color::Idx(6),
                        Color::Blue => vt100::Color::Idx(4),
                        Color::Indexed(i) => vt100::Color::Idx(i),
                        other => panic!("colour {other:?} not drawn"),
                    };
                    assert_eq!(got.bgcolor(), index(want.bg), "{at}");
                    let m = want.modifier;
                    assert_eq!(got.inverse(), m.contains(Modifier::REVERSED), "{at}");
                    assert_eq!(got.underline(), m.contains(Modifier::UNDERLINED), "{at}");
                    if text != " " {
                        assert_eq!(got.fgcolor(), index(want.fg), "{at}");
                        assert_eq!(got.italic(), m.contains(Modifier::ITALIC), "{at}");
                        seen += 1;
                    }
                }
            }
        }
        assert!(!screen_check || seen > 500, "{seen} characters checked");
    }
}
