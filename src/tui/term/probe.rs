//! The one start-up probe: the background colour and the ambiguous width asked in one write.
//!
//! The queries ([`probe_bg`]'s OSC 11, [`probe_width`]'s ambiguous character and
//! cursor-position request, whichever a setting does not already fix) go out together,
//! followed by DA1 (`ESC [ c`, "what are you?"). Terminals answer in order and nearly all
//! answer DA1, so its reply ends the wait: any question not answered by then is one the
//! terminal does not support. Only a terminal that answers nothing costs the whole timeout
//! ([`probe_width::timeout`], 250 ms), once rather than once a question. The replies are
//! taken out of the input in whatever order and chunks they come ([`Replies`]); anything else
//! read meanwhile (keys typed early) is handed back, in order.

use super::probe_bg::{self, Background};
use super::probe_width;
use crate::text::ambiguous::AmbiguousWidth;
use std::io::{self, Write};
use std::time::{Duration, Instant};

/// Device Attributes (DA1): the sentinel every terminal answers, after the real questions.
pub const DA1: &[u8] = b"\x1b[c";

/// The OSC 11 query: "what is your background colour?".
pub const OSC11: &[u8] = b"\x1b]11;?\x1b\\";

/// The longest reply kept while incomplete (bytes); anything longer is noise.
const MAX_REPLY: usize = 128;

/// What to ask the terminal; a setting that fixes an answer leaves its question out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ask {
    /// Ask for the background colour (OSC 11).
    pub background: bool,
    /// Ask how wide ambiguous characters are drawn (a character and a CPR).
    pub width: bool,
}

impl Ask {
    /// Whether there is anything to ask.
    pub fn any(self) -> bool {
        self.background || self.width
    }

    /// The bytes to write, in one go: the questions, then DA1; nothing when nothing is asked.
    pub fn query(self) -> Vec<u8> {
        let mut q = Vec::new();
        if !self.any() {
            return q;
        }
        if self.background {
            q.extend_from_slice(OSC11);
        }
        if self.width {
            q.extend_from_slice(probe_width::QUERY);
        }
        q.extend_from_slice(DA1);
        q
    }
}

/// Takes the probe's replies out of a stream of terminal input.
///
/// Feed it what the terminal sends; it keeps an OSC reply (`ESC ]` … BEL or `ESC \`), a DA1
/// reply (`ESC [ ?` … `c`) and, while one is awaited, a cursor-position report
/// (`ESC [ row ; col R`) to itself and hands everything else back, in order.
#[derive(Debug, Default)]
pub struct Replies {
    pending: Vec<u8>,
    want_report: bool,
    background: Option<Background>,
    /// The column a cursor-position report gave.
    column: Option<u16>,
    answered: bool,
}

impl Replies {
    /// A parser for the replies to `ask`.
    pub fn new(ask: Ask) -> Replies {
        Replies {
            want_report: ask.width,
            ..Replies::default()
        }
    }

    /// The background an OSC 11 reply gave, if one came.
    pub fn background(&self) -> Option<Background> {
        self.background
    }

    /// Whether a cursor-position report came.
    pub fn reported(&self) -> bool {
        self.column.is_some()
    }

    /// The ambiguous width the report's column tells, if one came and told.
    pub fn width(&self) -> Option<AmbiguousWidth> {
        self.column.and_then(probe_width::width_of_column)
    }

    /// Whether the DA1 reply came: the terminal has answered all it will.
    pub fn answered(&self) -> bool {
        self.answered
    }

    /// Scans a chunk; returns the bytes that are not replies.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut other = Vec::new();
        for &b in bytes {
            if self.pending.is_empty() {
                if b == 0x1b {
                    self.pending.push(b);
                } else {
                    other.push(b);
                }
                continue;
            }
            self.pending.push(b);
            self.step(&mut other);
        }
        other
    }

    /// The wait is over: a reply still incomplete is dropped, a lone ESC is handed back.
    pub fn finish(&mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut self.pending);
        if rest == [0x1b] { rest } else { Vec::new() }
    }

    fn step(&mut self, other: &mut Vec<u8>) {
        let p = &self.pending;
        match p[1] {
            b']' => {
                let end = if p.ends_with(b"\x07") {
                    1
                } else if p.len() > 3 && p.ends_with(b"\x1b\\") {
                    2
                } else if p.len() > MAX_REPLY {
                    self.pending.clear();
                    return;
                } else {
                    return;
                };
                let body = String::from_utf8_lossy(&p[2..p.len() - end]).into_owned();
                if let Some(color) = body.strip_prefix("11;") {
                    self.background = probe_bg::parse_color(color).map(Background::of_rgb);
                }
                self.pending.clear();
            }
            b'[' if p.len() == 2 => {}
            b'[' if p[2] == b'?' => {
                let last = p[p.len() - 1];
                if last == b'c' {
                    self.answered = true;
                    self.pending.clear();
                } else if !(last.is_ascii_digit() || last == b';' || last == b'?')
                    || p.len() > MAX_REPLY
                {
                    // Not a DA1 reply after all: let the key parser have it.
                    other.append(&mut self.pending);
                }
            }
            b'[' if self.want_report => {
                let last = p[p.len() - 1];
                if last == b'R' {
                    match probe_width::find_report(p) {
                        Some((col, at)) if at == (0..p.len()) => {
                            self.column = Some(col);
                            self.want_report = false;
                            self.pending.clear();
                        }
                        _ => other.append(&mut self.pending),
                    }
                } else if !(last.is_ascii_digit() || last == b';') || p.len() > 16 {
                    // An arrow or function key: the key parser's.
                    other.append(&mut self.pending);
                }
            }
            _ => other.append(&mut self.pending),
        }
    }
}

/// What the probe found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// The background the terminal reported, if it did.
    pub background: Option<Background>,
    /// The ambiguous width its cursor-position report told, if it did.
    pub width: Option<AmbiguousWidth>,
    /// Whether it sent a cursor-position report (else one may still come, late).
    pub reported: bool,
    /// Whether it answered DA1 before the timeout (else late replies may still come).
    pub answered: bool,
    /// Whether anything was asked at all.
    pub asked: bool,
    /// Input read during the probe that was not a reply (keys typed early), in order.
    pub rest: Vec<u8>,
}

impl Answers {
    /// Whether a reply to a question may still come after the probe gave up.
    pub fn late_replies(&self) -> bool {
        self.asked && !self.answered
    }
}

/// Asks the terminal behind `out` what `ask` says, in one write, and waits up to `timeout`
/// for the replies; the width probe's character is erased afterwards.
///
/// `read(deadline)` returns the next chunk of the terminal's input, or `None` when nothing
/// more will come before `deadline` (or the input closed); it must not block past it. The
/// wait ends at the DA1 reply, when every question is answered, or at the deadline.
pub fn probe(
    out: &mut impl Write,
    mut read: impl FnMut(Instant) -> Option<Vec<u8>>,
    ask: Ask,
    timeout: Duration,
) -> io::Result<Answers> {
    if !ask.any() {
        return Ok(Answers::default());
    }
    out.write_all(&ask.query())?;
    out.flush()?;
    let deadline = Instant::now() + timeout;
    let mut replies = Replies::new(ask);
    let mut rest = Vec::new();
    let all_told =
        |r: &Replies| (!ask.background || r.background().is_some()) && (!ask.width || r.reported());
    while !replies.answered() && !all_told(&replies) && Instant::now() < deadline {
        let Some(chunk) = read(deadline) else { break };
        rest.extend(replies.feed(&chunk));
    }
    rest.extend(replies.finish());
    if ask.width {
        out.write_all(probe_width::ERASE)?;
        out.flush()?;
    }
    Ok(Answers {
        background: replies.background(),
        width: replies.width(),
        reported: replies.reported(),
        answered: replies.answered() || all_told(&replies),
        asked: true,
        rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: Ask = Ask {
        background: true,
        width: true,
    };

    /// Feeds `chunks` to a parser for `ask`: what it handed back, and the parser.
    fn scan(ask: Ask, chunks: &[&[u8]]) -> (Vec<u8>, Replies) {
        let mut r = Replies::new(ask);
        let mut other = Vec::new();
        for c in chunks {
            other.extend(r.feed(c));
        }
        other.extend(r.finish());
        (other, r)
    }

    #[test]
    fn the_query_asks_only_what_is_not_fixed() {
        assert_eq!(
            BOTH.query(),
            [OSC11, probe_width::QUERY, DA1].concat(),
            "both, then the sentinel"
        );
        let bg_only = Ask {
            background: true,
            width: false,
        };
        assert_eq!(bg_only.query(), [OSC11, DA1].concat());
        let width_only = Ask {
            background: false,
            width: true,
        };
        assert_eq!(width_only.query(), [probe_width::QUERY, DA1].concat());
        assert!(Ask::default().query().is_empty());
        let mut out = Vec::new();
        let p = probe(
            &mut out,
            |_| panic!("nothing to read"),
            Ask::default(),
            TIMEOUT_TEST,
        )
        .expect("probe");
        assert!(out.is_empty() && !p.asked && !p.late_replies());
    }

    const TIMEOUT_TEST: Duration = Duration::from_secs(3600);

    #[test]
    fn all_replies_split_anywhere_in_any_order() {
        let osc_st: &[u8] = b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\";
        let osc_bel: &[u8] = b"\x1b]11;rgb:0000/0000/0000\x07";
        let cpr: &[u8] = b"\x1b[12;3R";
        let da1: &[u8] = b"\x1b[?62;22c";
        let orders: [[&[u8]; 3]; 4] = [
            [osc_st, cpr, da1],
            [cpr, osc_st, da1],
            [osc_bel, da1, cpr],
            [da1, cpr, osc_bel],
        ];
        for order in orders {
            let whole = [b"j".as_slice(), order[0], order[1], b"k", order[2]].concat();
            for cut in 0..=whole.len() {
                for cut2 in cut..=whole.len() {
                    let (other, r) =
                        scan(BOTH, &[&whole[..cut], &whole[cut..cut2], &whole[cut2..]]);
                    let at = format!("{:?} cut {cut}/{cut2}", String::from_utf8_lossy(&whole));
                    assert_eq!(other, b"jk", "{at}");
                    assert!(r.answered(), "{at}");
                    assert_eq!(r.width(), Some(AmbiguousWidth::Wide), "{at}");
                    let light = order.contains(&osc_st);
                    let bg = if light {
                        Background::Light
                    } else {
                        Background::Dark
                    };
                    assert_eq!(r.background(), Some(bg), "{at}");
                }
            }
        }
        // Merged into one chunk, byte by byte: the same.
        let whole = [osc_st, cpr, da1].concat();
        let bytes: Vec<&[u8]> = whole.chunks(1).collect();
        let (other, r) = scan(BOTH, &bytes);
        assert!(other.is_empty() && r.answered() && r.reported());
    }

    #[test]
    fn missing_answers_and_da1_only() {
        // DA1 only: the terminal supports neither question.
        let (other, r) = scan(BOTH, &[b"\x1b[?1;2c"]);
        assert!(other.is_empty() && r.answered());
        assert_eq!((r.background(), r.reported()), (None, false));
        // OSC 11 unanswered, the width reported narrow.
        let (other, r) = scan(BOTH, &[b"\x1b[5;2R", b"\x1b[?6c"]);
        assert!(other.is_empty() && r.answered());
        assert_eq!(
            (r.background(), r.width()),
            (None, Some(AmbiguousWidth::Narrow))
        );
        // Nothing at all.
        let (other, r) = scan(BOTH, &[]);
        assert!(other.is_empty() && !r.answered() && !r.reported());
        // A report was not asked for: a CPR-shaped sequence is a key (Shift+F3).
        let bg_only = Ask {
            background: true,
            width: false,
        };
        let (other, r) = scan(bg_only, &[b"\x1b[1;2R"]);
        assert_eq!(other, b"\x1b[1;2R");
        assert!(!r.reported());
        // Only one report is taken; a second is the key parser's.
        let (other, r) = scan(BOTH, &[b"\x1b[1;3R\x1b[1;2R"]);
        assert_eq!(other, b"\x1b[1;2R");
        assert_eq!(r.width(), Some(AmbiguousWidth::Wide));
    }

    #[test]
    fn keys_and_garbage_pass_through() {
        let keys: &[u8] = b"\x1b[A\x1bOP\x1b[<0;1;1M\x1b[15~q\x1b[1;5D";
        let (other, r) = scan(BOTH, &[keys]);
        assert_eq!(other, keys);
        assert!(!r.answered() && !r.reported());
        // A lone ESC at the end is handed back; an incomplete reply is dropped.
        let (other, _) = scan(BOTH, &[b"x\x1b"]);
        assert_eq!(other, b"x\x1b");
        let (other, _) = scan(BOTH, &[b"\x1b]11;rgb:ff"]);
        assert!(other.is_empty());
        // An endless OSC is dropped, an endless CSI handed on, and typing works after both.
        let mut noise = b"\x1b]11;".to_vec();
        noise.extend(std::iter::repeat_n(b'x', MAX_REPLY * 2));
        noise.extend(b"\x1b[");
        noise.extend(std::iter::repeat_n(b'1', 40));
        noise.push(b'z');
        let (other, r) = scan(BOTH, &[&noise]);
        assert!(
            other.ends_with(b"z") && other.len() < noise.len(),
            "{other:?}"
        );
        assert!(!r.reported());
        // Invalid UTF-8 and a bad colour: no background, no panic.
        let (other, r) = scan(BOTH, &[b"\xff\x1b]11;rgb:zz/zz/zz\x07\xfe"]);
        assert_eq!(other, b"\xff\xfe");
        assert_eq!(r.background(), None);
    }

    #[test]
    fn a_da1_only_terminal_ends_the_probe_at_once() {
        // The link holds DA1 and then a key: the probe must stop after the first read,
        // long before its hour-long timeout, and leave the key unread.
        let mut chunks = vec![b"\x1b[?1;2c".to_vec(), b"j".to_vec()].into_iter();
        let mut reads = 0;
        let mut out = Vec::new();
        let p = probe(
            &mut out,
            |_| {
                reads += 1;
                chunks.next()
            },
            BOTH,
            TIMEOUT_TEST,
        )
        .expect("probe");
        assert_eq!(reads, 1);
        assert!(p.answered && !p.late_replies() && !p.reported);
        assert_eq!((p.background, p.width), (None, None));
        assert!(p.rest.is_empty());
        assert_eq!(out, [BOTH.query().as_slice(), probe_width::ERASE].concat());
    }

    #[test]
    fn a_silent_terminal_ends_the_probe_at_the_deadline() {
        let mut out = Vec::new();
        let mut reads = 0;
        let p = probe(
            &mut out,
            |deadline| {
                reads += 1;
                std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                None
            },
            BOTH,
            Duration::from_millis(20),
        )
        .expect("probe");
        assert_eq!(reads, 1);
        assert!(!p.answered && p.late_replies());
        assert_eq!((p.background, p.width, p.reported), (None, None, false));
        // Keys typed meanwhile are kept, the replies taken out, across reads.
        let mut chunks = vec![
            b"a\x1b]11;rgb:ff/ff/ff".to_vec(),
            b"\x07\x1b[3;".to_vec(),
            b"2Rb".to_vec(),
        ]
        .into_iter();
        let p = probe(&mut out, |_| chunks.next(), BOTH, TIMEOUT_TEST).expect("probe");
        // Both questions told: no need to wait for DA1 either.
        assert!(p.answered && p.reported);
        assert_eq!(p.background, Some(Background::Light));
        assert_eq!(p.width, Some(AmbiguousWidth::Narrow));
        assert_eq!(p.rest, b"ab");
    }
}
