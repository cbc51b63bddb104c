//! Is the terminal's background light or dark? Asked over the session's own byte stream.
//!
//! The query is OSC 11 (`ESC ] 11 ; ? ESC \`: "what is your background colour?") followed
//! by DA1 (`ESC [ c`: "what are you?"). Terminals answer in order and nearly all answer DA1,
//! so the DA1 reply ends the wait at once, whether or not OSC 11 was answered; only a
//! terminal that answers nothing costs the whole [`TIMEOUT`]. The replies are taken out of
//! the input ([`Scanner`]); anything else read meanwhile (keys typed early) is kept.
//! `COLORFGBG` (set by rxvt, Konsole and others) is the fallback when OSC 11 goes unanswered.

use std::io::{self, Write};
use std::time::{Duration, Instant};

/// What the probe writes: the OSC 11 query, then DA1 as the sentinel.
pub const QUERY: &[u8] = b"\x1b]11;?\x1b\\\x1b[c";

/// The longest wait for the replies: a local terminal answers in a few milliseconds; an SSH
/// round trip across China is well under it.
pub const TIMEOUT: Duration = Duration::from_millis(250);

/// The longest reply kept while incomplete (bytes); anything longer is noise.
const MAX_REPLY: usize = 128;

/// The terminal's background, as far as it can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// Light (black text reads better on it than white).
    Light,
    /// Dark.
    Dark,
}

impl Background {
    /// A colour's class: light when black text on it contrasts more than white text (WCAG 2),
    /// i.e. when its relative luminance is above about 0.18.
    pub fn of_rgb(rgb: [f64; 3]) -> Background {
        let l = relative_luminance(rgb);
        if (l + 0.05) / 0.05 > 1.05 / (l + 0.05) {
            Background::Light
        } else {
            Background::Dark
        }
    }

    /// From `COLORFGBG` (`fg;bg` or `fg;default;bg`, ANSI colour numbers): background 7
    /// (white) or 9–15 (the bright colours but 8, dark grey) is light; `default` or a value
    /// that does not parse tells nothing.
    pub fn from_colorfgbg(value: &str) -> Option<Background> {
        let bg: u8 = value.rsplit(';').next()?.trim().parse().ok()?;
        match bg {
            7 | 9..=15 => Some(Background::Light),
            0..=6 | 8 => Some(Background::Dark),
            _ => None,
        }
    }
}

/// WCAG 2 relative luminance of an sRGB colour given as 0.0–1.0 channels.
pub fn relative_luminance([r, g, b]: [f64; 3]) -> f64 {
    let lin = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// The colour in an OSC 11 reply's payload: `rgb:R/G/B` (1–4 hex digits a channel, as
/// XParseColor), `rgba:R/G/B/A`, or `#RGB`/`#RRGGBB`/`#RRRRGGGGBBBB`.
pub fn parse_color(spec: &str) -> Option<[f64; 3]> {
    let channel = |h: &str| -> Option<f64> {
        if h.is_empty() || h.len() > 4 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let v = u32::from_str_radix(h, 16).ok()?;
        let max = (1u32 << (4 * h.len())) - 1;
        Some(f64::from(v) / f64::from(max))
    };
    let spec = spec.trim();
    if let Some(hex) = spec.strip_prefix('#') {
        let n = hex.len() / 3;
        if n == 0 || hex.len() % 3 != 0 || n > 4 || !hex.is_ascii() {
            return None;
        }
        return Some([
            channel(&hex[..n])?,
            channel(&hex[n..2 * n])?,
            channel(&hex[2 * n..])?,
        ]);
    }
    let (parts, count) = if let Some(rest) = spec.strip_prefix("rgba:") {
        (rest, 4)
    } else {
        (spec.strip_prefix("rgb:")?, 3)
    };
    let fields: Vec<&str> = parts.split('/').collect();
    if fields.len() != count {
        return None;
    }
    Some([
        channel(fields[0])?,
        channel(fields[1])?,
        channel(fields[2])?,
    ])
}

/// Takes the probe's replies out of a stream of terminal input.
///
/// Feed it what the terminal sends; it keeps an OSC reply (`ESC ]` … BEL or `ESC \`) and a
/// DA1 reply (`ESC [ ?` … `c`) to itself and hands everything else back, in order.
#[derive(Debug, Default)]
pub struct Scanner {
    pending: Vec<u8>,
    background: Option<Background>,
    answered: bool,
}

impl Scanner {
    /// A scanner that has seen nothing.
    pub fn new() -> Scanner {
        Scanner::default()
    }

    /// The background an OSC 11 reply gave, if one came.
    pub fn background(&self) -> Option<Background> {
        self.background
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
                    self.background = parse_color(color).map(Background::of_rgb);
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
            _ => other.append(&mut self.pending),
        }
    }
}

/// What a probe found.
#[derive(Debug, Default)]
pub struct Probe {
    /// The background the terminal reported, if it did.
    pub background: Option<Background>,
    /// Whether the terminal answered at all (DA1) before the timeout.
    pub answered: bool,
    /// Input read during the probe that was not a reply (keys typed early), in order.
    pub other: Vec<u8>,
}

/// Asks the terminal behind `out` for its background and waits up to `timeout` for the
/// replies.
///
/// `read(wait)` returns the next chunk of the terminal's input, or `None` when `wait` passed
/// with nothing (or the input ended); it must not block longer than `wait`.
pub fn probe(
    out: &mut impl Write,
    mut read: impl FnMut(Duration) -> io::Result<Option<Vec<u8>>>,
    timeout: Duration,
) -> io::Result<Probe> {
    out.write_all(QUERY)?;
    out.flush()?;
    let deadline = Instant::now() + timeout;
    let mut scanner = Scanner::new();
    let mut other = Vec::new();
    while !scanner.answered() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match read(left)? {
            Some(chunk) => other.extend(scanner.feed(&chunk)),
            None => break,
        }
    }
    other.extend(scanner.finish());
    Ok(Probe {
        background: scanner.background(),
        answered: scanner.answered(),
        other,
    })
}

/// The background to choose a theme by: the terminal's answer, else `COLORFGBG`.
pub fn decide(probed: Option<Background>, colorfgbg: Option<&str>) -> Option<Background> {
    probed.or_else(|| colorfgbg.and_then(Background::from_colorfgbg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_forms_parse() {
        assert_eq!(parse_color("rgb:ffff/ffff/ffff"), Some([1.0, 1.0, 1.0]));
        assert_eq!(parse_color("rgb:0/0/0"), Some([0.0, 0.0, 0.0]));
        assert_eq!(parse_color("rgba:ff/80/00/ff").map(|c| c[0]), Some(1.0));
        assert_eq!(parse_color("#ffffff"), Some([1.0, 1.0, 1.0]));
        assert_eq!(parse_color("#000"), Some([0.0, 0.0, 0.0]));
        for bad in [
            "",
            "rgb:",
            "rgb:1/2",
            "rgb:12345/0/0",
            "rgb:gg/0/0",
            "#12345",
            "red",
        ] {
            assert_eq!(parse_color(bad), None, "{bad}");
        }
    }

    #[test]
    fn light_and_dark_backgrounds() {
        let class = |s: &str| parse_color(s).map(Background::of_rgb);
        assert_eq!(class("rgb:ffff/ffff/ffff"), Some(Background::Light));
        // Solarized light and dark, GNOME's default dark.
        assert_eq!(class("rgb:fdfd/f6f6/e3e3"), Some(Background::Light));
        assert_eq!(class("rgb:0000/2b2b/3636"), Some(Background::Dark));
        assert_eq!(class("rgb:3030/0a0a/2424"), Some(Background::Dark));
        assert_eq!(class("rgb:0/0/0"), Some(Background::Dark));
    }

    #[test]
    fn colorfgbg_values() {
        assert_eq!(Background::from_colorfgbg("0;15"), Some(Background::Light));
        assert_eq!(Background::from_colorfgbg("0;7"), Some(Background::Light));
        assert_eq!(Background::from_colorfgbg("15;0"), Some(Background::Dark));
        assert_eq!(Background::from_colorfgbg("7;8"), Some(Background::Dark));
        assert_eq!(
            Background::from_colorfgbg("0;default;15"),
            Some(Background::Light)
        );
        assert_eq!(Background::from_colorfgbg("15;default"), None);
        assert_eq!(Background::from_colorfgbg(""), None);
        assert_eq!(Background::from_colorfgbg("0;300"), None);
        assert_eq!(decide(None, Some("0;15")), Some(Background::Light));
        assert_eq!(
            decide(Some(Background::Dark), Some("0;15")),
            Some(Background::Dark)
        );
        assert_eq!(decide(None, None), None);
    }

    #[test]
    fn replies_are_taken_out_and_keys_kept() {
        let mut s = Scanner::new();
        let got = s.feed(b"a\x1b]11;rgb:ffff/ffff/ffff\x1b\\b\x1b[?62;22cq");
        assert_eq!(got, b"abq");
        assert_eq!(s.background(), Some(Background::Light));
        assert!(s.answered());
        // BEL-terminated, split anywhere.
        let reply = b"\x1b]11;rgb:0000/0000/0000\x07\x1b[?1;2c";
        for cut in 0..reply.len() {
            let mut s = Scanner::new();
            let mut got = s.feed(&reply[..cut]);
            got.extend(s.feed(&reply[cut..]));
            assert_eq!(got, b"", "cut at {cut}");
            assert_eq!(s.background(), Some(Background::Dark), "cut at {cut}");
            assert!(s.answered());
        }
    }

    #[test]
    fn key_sequences_pass_through() {
        let mut s = Scanner::new();
        assert_eq!(
            s.feed(b"\x1b[A\x1bOP\x1b[<0;1;1M"),
            b"\x1b[A\x1bOP\x1b[<0;1;1M"
        );
        assert!(!s.answered());
        assert_eq!(s.feed(b"\x1b"), b"");
        assert_eq!(s.finish(), b"\x1b");
        // An endless OSC is dropped, and typing works after it.
        let mut noise = b"\x1b]11;".to_vec();
        noise.extend(std::iter::repeat_n(b'x', MAX_REPLY * 2));
        let got = s.feed(&noise);
        assert!(!got.is_empty() && got.iter().all(|&b| b == b'x'), "{got:?}");
        assert!(s.pending.is_empty());
        assert_eq!(s.feed(b"z"), b"z");
    }

    #[test]
    fn a_silent_terminal_costs_the_timeout_and_no_more() {
        let mut out = Vec::new();
        let p = probe(&mut out, |_| Ok(None), TIMEOUT).expect("probe");
        assert_eq!(out, QUERY);
        assert_eq!(p.background, None);
        assert!(!p.answered);
        let mut chunks = vec![b"x\x1b]11;rgb:ff/ff/ff\x07".to_vec(), b"\x1b[?6c".to_vec()];
        chunks.reverse();
        let p = probe(&mut out, |_| Ok(chunks.pop()), TIMEOUT).expect("probe");
        assert_eq!(p.background, Some(Background::Light));
        assert!(p.answered);
        assert_eq!(p.other, b"x");
    }
}
