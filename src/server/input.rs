//! Terminal input from an SSH channel: bytes in, crossterm events out.
//!
//! crossterm's own parser reads only the process's terminal; `terminput` carries the same parser
//! for any byte slice but parses one complete sequence at a time. [`InputParser`] streams it:
//! bytes are kept across chunks, a lone ESC at the end of a chunk waits for [`ESC_WAIT`] (it may
//! start a sequence whose rest is in the next packet), bytes that parse as nothing are dropped,
//! and a paste over [`MAX_PASTE`] bytes is discarded and reported instead of stored. OSC
//! sequences (a terminal's late answer to the background probe) are dropped whole.

use ratatui::crossterm::event::Event;
use std::time::Duration;

/// The largest bracketed paste taken (bytes): ample for a comment, far below a pasted file.
pub const MAX_PASTE: usize = 64 * 1024;

/// The longest escape sequence kept while incomplete (bytes); longer ones are noise.
const MAX_SEQUENCE: usize = 256;

/// How long a lone ESC waits for the rest of a sequence before it counts as the Esc key.
pub const ESC_WAIT: Duration = Duration::from_millis(40);

const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// What the input gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A key, a paste, a mouse event.
    Event(Event),
    /// A paste of this many bytes was thrown away: over [`MAX_PASTE`].
    TooLarge(usize),
}

/// A streaming parser of terminal input.
#[derive(Debug, Default)]
pub struct InputParser {
    buf: Vec<u8>,
    /// Inside an oversized paste: bytes thrown away so far, and the last few kept to spot its end.
    discarding: Option<(usize, Vec<u8>)>,
    /// A cursor-position report is owed (the width probe gave up waiting): the next one is
    /// dropped, not taken for the F3 key it looks like.
    report_owed: bool,
}

impl InputParser {
    /// A parser with nothing pending.
    pub fn new() -> InputParser {
        InputParser::default()
    }

    /// The terminal was asked for a cursor-position report that has not come yet: drop it when
    /// it does.
    pub fn expect_report(&mut self) {
        self.report_owed = true;
    }

    /// Parses a chunk; a lone ESC at its end stays pending (see [`InputParser::waiting_esc`]).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Input> {
        let mut out = Vec::new();
        for &b in bytes {
            if self.discard(b, &mut out) {
                continue;
            }
            self.buf.push(b);
            // crossterm waits for more only while input is available; here the next byte
            // decides, or, at the end of a chunk, the next chunk within ESC_WAIT.
            if self.buf != [0x1b] {
                self.step(&mut out);
            }
        }
        out
    }

    /// Whether a lone ESC waits for more: call [`InputParser::flush`] after [`ESC_WAIT`].
    pub fn waiting_esc(&self) -> bool {
        self.buf == [0x1b]
    }

    /// No more input came in time: a lone ESC is the Esc key.
    pub fn flush(&mut self) -> Vec<Input> {
        if self.waiting_esc() {
            self.buf.clear();
            return vec![Input::Event(Event::Key(
                ratatui::crossterm::event::KeyCode::Esc.into(),
            ))];
        }
        Vec::new()
    }

    /// Tries to parse what is buffered.
    fn step(&mut self, out: &mut Vec<Input>) {
        if self.buf.starts_with(PASTE_START) && self.buf.len() > MAX_PASTE + PASTE_START.len() {
            let tail = self.buf.split_off(self.buf.len() - (PASTE_END.len() - 1));
            self.discarding = Some((self.buf.len() - PASTE_START.len() + tail.len(), tail));
            self.buf.clear();
            return;
        }
        if self.buf.starts_with(b"\x1b]") {
            // An OSC reply (a background colour answered after the probe gave up): not input.
            let b = &self.buf;
            let ended = b.ends_with(b"\x07") || (b.len() > 3 && b.ends_with(b"\x1b\\"));
            if ended || b.len() > MAX_SEQUENCE {
                self.buf.clear();
            }
            return;
        }
        match terminput::Event::parse_from(&self.buf) {
            Ok(Some(_))
                if self.report_owed
                    && crate::tui::term::probe_width::find_report(&self.buf)
                        .is_some_and(|(_, at)| at == (0..self.buf.len())) =>
            {
                self.report_owed = false;
                self.buf.clear();
            }
            Ok(Some(ev)) => {
                self.buf.clear();
                if let Ok(ev) = terminput_crossterm::to_crossterm(ev) {
                    out.push(Input::Event(ev));
                }
            }
            Ok(None) => {
                if !self.buf.starts_with(PASTE_START) && self.buf.len() > MAX_SEQUENCE {
                    self.buf.clear();
                }
            }
            // Not a sequence we know: dropped, as crossterm does.
            Err(_) => self.buf.clear(),
        }
    }

    /// Inside an oversized paste, swallows `b`; whether it did.
    fn discard(&mut self, b: u8, out: &mut Vec<Input>) -> bool {
        let Some((count, tail)) = &mut self.discarding else {
            return false;
        };
        *count += 1;
        tail.push(b);
        if tail.len() > PASTE_END.len() {
            tail.remove(0);
        }
        if tail == PASTE_END {
            out.push(Input::TooLarge(*count - PASTE_END.len()));
            self.discarding = None;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{
        KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
    };

    fn key(code: KeyCode) -> Input {
        Input::Event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    fn chars(s: &str) -> Vec<Input> {
        s.chars().map(|c| key(KeyCode::Char(c))).collect()
    }

    #[test]
    fn plain_keys_and_cjk_text() {
        let mut p = InputParser::new();
        assert_eq!(p.feed("a技术".as_bytes()), chars("a技术"));
        assert_eq!(
            p.feed(b"\r\x7f"),
            [key(KeyCode::Enter), key(KeyCode::Backspace)]
        );
    }

    #[test]
    fn a_sequence_split_across_chunks_is_one_key() {
        let mut p = InputParser::new();
        assert_eq!(p.feed(b"\x1b["), []);
        assert!(!p.waiting_esc());
        assert_eq!(p.feed(b"A"), [key(KeyCode::Up)]);
        // A wide character cut between two packets.
        let bytes = "术".as_bytes();
        assert_eq!(p.feed(&bytes[..1]), []);
        assert_eq!(p.feed(&bytes[1..]), chars("术"));
    }

    #[test]
    fn an_owed_cursor_report_is_dropped_once_not_taken_for_f3() {
        let mut p = InputParser::new();
        p.expect_report();
        assert_eq!(p.feed(b"\x1b[5;3Rj"), chars("j"));
        // Owed no more: the same bytes are whatever terminput makes of them.
        assert!(!p.feed(b"\x1b[1;3R").is_empty());
    }

    #[test]
    fn a_lone_esc_waits_then_is_esc() {
        let mut p = InputParser::new();
        assert_eq!(p.feed(b"\x1b"), []);
        assert!(p.waiting_esc());
        assert_eq!(p.flush(), [key(KeyCode::Esc)]);
        assert!(!p.waiting_esc());
        assert_eq!(p.flush(), []);
    }

    #[test]
    fn esc_then_a_digit_later_are_two_keys() {
        let mut p = InputParser::new();
        assert_eq!(p.feed(b"\x1b"), []);
        let mut got = p.flush();
        got.extend(p.feed(b"7"));
        assert_eq!(got, [key(KeyCode::Esc), key(KeyCode::Char('7'))]);
    }

    #[test]
    fn esc_whose_rest_arrives_in_time_completes_the_sequence() {
        let mut p = InputParser::new();
        assert_eq!(p.feed(b"\x1b"), []);
        assert_eq!(p.feed(b"[B"), [key(KeyCode::Down)]);
    }

    #[test]
    fn bracketed_paste_in_pieces() {
        let mut p = InputParser::new();
        assert_eq!(p.feed(b"\x1b[200~line one\r\n"), []);
        assert_eq!(p.feed("第二行".as_bytes()), []);
        assert_eq!(
            p.feed(b"\x1b[201~x"),
            [
                Input::Event(Event::Paste("line one\r\n第二行".into())),
                key(KeyCode::Char('x'))
            ]
        );
    }

    #[test]
    fn an_oversized_paste_is_reported_and_dropped() {
        let mut p = InputParser::new();
        let body = vec![b'x'; MAX_PASTE * 3];
        let mut got = p.feed(PASTE_START);
        for chunk in body.chunks(32 * 1024) {
            got.extend(p.feed(chunk));
        }
        // The end marker cut in two.
        got.extend(p.feed(&PASTE_END[..3]));
        got.extend(p.feed(&PASTE_END[3..]));
        got.extend(p.feed(b"q"));
        assert_eq!(got, [Input::TooLarge(body.len()), key(KeyCode::Char('q'))]);
    }

    #[test]
    fn sgr_mouse_clicks_and_wheel() {
        let mut p = InputParser::new();
        let got = p.feed(b"\x1b[<0;10;5M\x1b[<64;3;4M");
        assert_eq!(
            got,
            [
                Input::Event(Event::Mouse(MouseEvent {
                    kind: MouseEventKind::Down(MouseButton::Left),
                    column: 9,
                    row: 4,
                    modifiers: KeyModifiers::NONE,
                })),
                Input::Event(Event::Mouse(MouseEvent {
                    kind: MouseEventKind::ScrollUp,
                    column: 2,
                    row: 3,
                    modifiers: KeyModifiers::NONE,
                })),
            ]
        );
    }

    #[test]
    fn a_late_background_reply_is_not_typed() {
        let mut p = InputParser::new();
        assert_eq!(p.feed(b"a\x1b]11;rgb:ffff/ffff/ffff\x1b\\b"), chars("ab"));
        assert_eq!(p.feed(b"\x1b"), []);
        assert_eq!(p.feed(b"]11;rgb:0/0/0\x07"), []);
        assert_eq!(p.feed(b"\x1b[?62;22c"), []);
        assert_eq!(p.feed(b"q"), chars("q"));
    }

    #[test]
    fn invalid_bytes_are_dropped_without_panic() {
        let mut p = InputParser::new();
        assert_eq!(p.feed(b"\xff\xfe"), []);
        assert_eq!(p.feed(b"\x1bOz"), []);
        assert_eq!(p.feed(b"ok"), chars("ok"));
        // An endless CSI is cut off: the buffer stays bounded and typing works again.
        let mut noise = b"\x1b[1".to_vec();
        noise.extend(std::iter::repeat_n(b';', MAX_SEQUENCE * 2));
        p.feed(&noise);
        assert!(p.buf.len() <= MAX_SEQUENCE);
        p.buf.clear();
        assert_eq!(p.feed(b"z"), chars("z"));
    }

    #[test]
    fn any_bytes_never_panic() {
        let mut p = InputParser::new();
        let mut x: u32 = 12345;
        for _ in 0..20_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = (x >> 24) as usize % 7;
            let bytes: Vec<u8> = (0..n).map(|i| (x >> (i % 4 * 8)) as u8).collect();
            p.feed(&bytes);
            if x.is_multiple_of(5) {
                p.flush();
            }
        }
    }
}
