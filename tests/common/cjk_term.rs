//! A test-only terminal that draws East Asian ambiguous characters two cells wide, as Xshell,
//! SecureCRT, PuTTY, iTerm2 or GNOME Terminal set for CJK width, and `xterm -cjk_width`, do.
//!
//! vt100 (the emulator the other tests use) has no such option: it measures with unicode-width's
//! narrow rule. So the stream is translated before vt100 sees it: each ambiguous character
//! (East Asian Width A, as unicode-width's `width_cjk` classes it) is swapped for a stand-in
//! every terminal draws two cells wide (an ideograph of CJK Extension A, one per distinct
//! character), and swapped back when the screen is read. vt100 then advances, wraps and erases
//! exactly as a wide-ambiguous terminal would. Only text is translated: revdesk's escape
//! sequences are ASCII.
//!
//! It also answers a cursor-position request (`ESC [ 6 n`) with where its cursor is, after
//! the bytes before the request, as a terminal does, and a Device Attributes request
//! (`ESC [ c`, the probe's sentinel) as a VT220 would; with `answer` off it stays silent.
#![allow(dead_code)]

use std::collections::HashMap;
use unicode_width::UnicodeWidthChar;

const REQUEST: &[u8] = b"\x1b[6n";
/// The Device Attributes request (DA1) and this terminal's answer to it.
const DA1: &[u8] = b"\x1b[c";
const DA1_REPLY: &[u8] = b"\x1b[?62;22c";
/// The first stand-in: CJK Extension A, two cells wide everywhere, absent from the fixtures.
const FIRST_STAND_IN: u32 = 0x3400;

/// Whether `c` is East Asian ambiguous: one cell in the narrow rule, two in the CJK one.
pub fn ambiguous(c: char) -> bool {
    c.width() == Some(1) && c.width_cjk() == Some(2)
}

/// The translating front of a vt100 screen; see the module documentation.
pub struct WideAmbiguous {
    /// Whether ambiguous characters are two cells (else one: a plain terminal that answers).
    pub wide: bool,
    /// Whether cursor-position requests are answered.
    pub answer: bool,
    to_stand_in: HashMap<char, char>,
    from_stand_in: HashMap<char, char>,
    /// The end of the last chunk, when it may be the start of a character or a request.
    carry: Vec<u8>,
    /// Cursor-position requests answered so far.
    pub answered: usize,
    /// Device Attributes requests answered so far.
    pub da1: usize,
}

impl WideAmbiguous {
    /// A terminal drawing ambiguous characters `wide` or not, answering requests or not.
    pub fn new(wide: bool, answer: bool) -> WideAmbiguous {
        WideAmbiguous {
            wide,
            answer,
            to_stand_in: HashMap::new(),
            from_stand_in: HashMap::new(),
            carry: Vec::new(),
            answered: 0,
            da1: 0,
        }
    }

    /// Feeds program output to `parser`; returns what the terminal sends back.
    pub fn process(&mut self, parser: &mut vt100::Parser, bytes: &[u8]) -> Vec<u8> {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(bytes);
        let keep = incomplete_tail(&data);
        self.carry = data.split_off(data.len() - keep);
        let mut replies = Vec::new();
        let mut rest: &[u8] = &data;
        let find = |d: &[u8], r: &[u8]| d.windows(r.len()).position(|w| w == r);
        loop {
            // The earlier of the two requests, answered in order.
            let (i, len, cpr) = match (find(rest, REQUEST), find(rest, DA1)) {
                (Some(c), Some(d)) if d < c => (d, DA1.len(), false),
                (Some(c), _) => (c, REQUEST.len(), true),
                (None, Some(d)) => (d, DA1.len(), false),
                (None, None) => break,
            };
            parser.process(&self.translate(&rest[..i]));
            if self.answer && cpr {
                let (row, col) = parser.screen().cursor_position();
                replies.extend(format!("\x1b[{};{}R", row + 1, col + 1).into_bytes());
                self.answered += 1;
            } else if self.answer {
                replies.extend_from_slice(DA1_REPLY);
                self.da1 += 1;
            }
            rest = &rest[i + len..];
        }
        parser.process(&self.translate(rest));
        replies
    }

    fn translate(&mut self, bytes: &[u8]) -> Vec<u8> {
        if !self.wide {
            return bytes.to_vec();
        }
        let text = String::from_utf8_lossy(bytes);
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if ambiguous(c) {
                let next = FIRST_STAND_IN + u32::try_from(self.to_stand_in.len()).unwrap_or(0);
                let s = *self
                    .to_stand_in
                    .entry(c)
                    .or_insert_with(|| char::from_u32(next).unwrap_or('\u{4E00}'));
                self.from_stand_in.insert(s, c);
                out.push(s);
            } else {
                out.push(c);
            }
        }
        out.into_bytes()
    }

    /// The screen's rows as this terminal shows them (stand-ins back to their characters; the
    /// hidden half of a wide character is not a cell of its own).
    pub fn rows(&self, screen: &vt100::Screen) -> Vec<String> {
        let (rows, cols) = (screen.size().0.get(), screen.size().1.get());
        (0..rows)
            .map(|r| {
                let mut line = String::new();
                for c in 0..cols {
                    let Some(cell) = screen.cell(r, c) else {
                        continue;
                    };
                    if cell.is_wide_continuation() {
                        continue;
                    }
                    let s = cell.contents();
                    if s.is_empty() {
                        line.push(' ');
                    } else {
                        line.extend(
                            s.chars()
                                .map(|ch| *self.from_stand_in.get(&ch).unwrap_or(&ch)),
                        );
                    }
                }
                line
            })
            .collect()
    }

    /// The screen's rows, one string per cell (a wide character's second cell is "\0"), so
    /// that columns can be compared.
    pub fn grid(&self, screen: &vt100::Screen) -> Vec<Vec<String>> {
        let (rows, cols) = (screen.size().0.get(), screen.size().1.get());
        (0..rows)
            .map(|r| {
                (0..cols)
                    .map(|c| match screen.cell(r, c) {
                        Some(cell) if cell.is_wide_continuation() => "\0".to_string(),
                        Some(cell) if cell.contents().is_empty() => " ".to_string(),
                        Some(cell) => cell
                            .contents()
                            .chars()
                            .map(|ch| *self.from_stand_in.get(&ch).unwrap_or(&ch))
                            .collect(),
                        None => " ".to_string(),
                    })
                    .collect()
            })
            .collect()
    }
}

/// How many bytes at the end of `data` may begin a character or a request that the next chunk
/// completes.
fn incomplete_tail(data: &[u8]) -> usize {
    // A proper prefix of a request.
    for k in (1..REQUEST.len()).rev() {
        if data.ends_with(&REQUEST[..k]) || (k < DA1.len() && data.ends_with(&DA1[..k])) {
            return k;
        }
    }
    // The start of a UTF-8 sequence whose continuation bytes have not all come.
    for k in 1..=3.min(data.len()) {
        let b = data[data.len() - k];
        if b & 0xC0 == 0x80 {
            continue;
        }
        let need = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if need > k { k } else { 0 };
    }
    0
}
