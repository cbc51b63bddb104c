//! Asks a terminal how wide it draws an East Asian ambiguous character.
//!
//! At the start of a line it prints `“` and asks for a cursor-position report (`ESC [ 6 n`):
//! a terminal that draws it one cell wide answers column 2, one that draws it two cells wide
//! column 3. A terminal that does not answer is taken as narrow (as before); the probe line is
//! erased either way. The question is asked together with the background's by the start-up
//! [`super::probe`], which also parses the report.

use crate::text::ambiguous::AmbiguousWidth;
use std::time::{Duration, Instant};

/// How long the probe waits for the report: a local terminal answers in well under a
/// millisecond, an SSH client within one round trip.
pub const TIMEOUT: Duration = Duration::from_millis(250);

/// The longest wait `REVDESK_PROBE_MS` may ask for.
const LONGEST: Duration = Duration::from_secs(5);

/// How long to wait: [`TIMEOUT`], or `REVDESK_PROBE_MS` milliseconds (at most 5 s) for a link
/// slower than that.
pub fn timeout() -> Duration {
    std::env::var("REVDESK_PROBE_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(TIMEOUT, |ms| Duration::from_millis(ms).min(LONGEST))
}

/// Carriage return, `“` (U+201C, ambiguous), then the cursor-position request.
pub const QUERY: &[u8] = b"\r\xe2\x80\x9c\x1b[6n";

/// Erases the probe's character: back to the line's start, erase to its end.
pub const ERASE: &[u8] = b"\r\x1b[K";

/// What the probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    /// The terminal's ambiguous width, when it answered.
    pub width: Option<AmbiguousWidth>,
    /// Input that arrived during the probe, the report taken out: hand it to the key parser.
    pub rest: Vec<u8>,
}

/// Finds a cursor-position report (`ESC [ row ; col R`) in `input`: its column and where it
/// lies.
pub fn find_report(input: &[u8]) -> Option<(u16, std::ops::Range<usize>)> {
    let mut from = 0;
    while let Some(i) = input[from..]
        .windows(2)
        .position(|w| w == b"\x1b[")
        .map(|i| from + i)
    {
        if let Some((col, len)) = report_at(&input[i + 2..]) {
            return Some((col, i..i + 2 + len));
        }
        from = i + 1;
    }
    None
}

/// Parses `row ; col R` at the start of `s`: the column and the length taken.
fn report_at(s: &[u8]) -> Option<(u16, usize)> {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let r = digits(s);
    if r == 0 || r > 5 || s.get(r) != Some(&b';') {
        return None;
    }
    let c = digits(&s[r + 1..]);
    if c == 0 || c > 5 || s.get(r + 1 + c) != Some(&b'R') {
        return None;
    }
    let col = std::str::from_utf8(&s[r + 1..r + 1 + c])
        .ok()?
        .parse()
        .ok()?;
    Some((col, r + 1 + c + 1))
}

/// The width a report's column means, after `QUERY`.
pub fn width_of_column(col: u16) -> Option<AmbiguousWidth> {
    match col {
        2 => Some(AmbiguousWidth::Narrow),
        3 => Some(AmbiguousWidth::Wide),
        _ => None,
    }
}

/// Reads the process's own terminal (stdin) until `deadline`: what is there within it, or
/// `None`. The terminal must be in raw mode.
#[cfg(unix)]
pub fn read_stdin(deadline: Instant) -> Option<Vec<u8>> {
    use std::os::fd::AsRawFd;
    let fd = std::io::stdin().as_raw_fd();
    let left = deadline.saturating_duration_since(Instant::now());
    let ms = i32::try_from(left.as_millis()).unwrap_or(i32::MAX).max(1);
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: poll reads and writes only the pollfd on the stack.
    let ready = unsafe { libc::poll(&mut p, 1, ms) };
    if ready != 1 || p.revents & libc::POLLIN == 0 {
        return None;
    }
    let mut buf = [0u8; 256];
    // SAFETY: read writes at most `buf.len()` bytes into `buf`, which lives on the stack.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    let n = usize::try_from(n).ok().filter(|&n| n > 0)?;
    Some(buf[..n].to_vec())
}

/// Elsewhere the probe is not run: the terminal is taken as narrow.
#[cfg(not(unix))]
pub fn read_stdin(_deadline: Instant) -> Option<Vec<u8>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_found_among_keys() {
        assert_eq!(find_report(b"\x1b[12;3R"), Some((3, 0..7)));
        assert_eq!(find_report(b"jk\x1b[1;2Rq"), Some((2, 2..8)));
        // An arrow key before it is no report.
        assert_eq!(find_report(b"\x1b[A\x1b[5;3R"), Some((3, 3..9)));
        assert_eq!(find_report(b"\x1b[1;2"), None, "incomplete");
        assert_eq!(find_report(b"\x1b[;2R"), None);
        assert_eq!(find_report(b"\x1b[1;R"), None);
        assert_eq!(find_report(b""), None);
    }

    #[test]
    fn the_column_tells_the_width() {
        assert_eq!(width_of_column(2), Some(AmbiguousWidth::Narrow));
        assert_eq!(width_of_column(3), Some(AmbiguousWidth::Wide));
        assert_eq!(width_of_column(1), None);
    }
}
