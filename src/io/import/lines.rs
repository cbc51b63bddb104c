//! Line numbers of byte offsets, counted the way editors count them.

/// Maps byte offsets to 1-based line numbers.
///
/// The csv crate's own line count lags on CRLF files (the `\n` of a record's
/// terminator is counted with the next record) and ignores CR-only line ends (old
/// Excel for Mac), so count from the bytes instead: `\r\n`, `\n` and a lone `\r`
/// each end one line.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the last byte of every line break.
    breaks: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line breaks of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        LineIndex {
            text,
            breaks: line_breaks(text.as_bytes()),
        }
    }

    /// The line a record starting at `byte` begins on, skipping line ends before it.
    pub(crate) fn line_at(&self, byte: usize) -> usize {
        let rest = self.text.get(byte..).unwrap_or("");
        let skip = rest.len() - rest.trim_start_matches(['\r', '\n']).len();
        self.line_of(byte + skip)
    }

    /// The line the byte at `byte` is on.
    pub(crate) fn line_of(&self, byte: usize) -> usize {
        1 + self.breaks.partition_point(|&n| n < byte)
    }
}

/// Offsets of the last byte of each line break (`\r\n`, `\n` or a lone `\r`).
fn line_breaks(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.push(i + 1);
                i += 1;
            }
            b'\r' | b'\n' => out.push(i),
            _ => {}
        }
        i += 1;
    }
    out
}

/// The 1-based line at the end of `text`: one more than its line breaks.
pub(super) fn lines_in(text: &str) -> usize {
    1 + line_breaks(text.as_bytes()).len()
}

/// Line breaks counted as decoded text streams past, the way [`LineIndex`] counts them, for
/// a reader that never holds the whole text.
///
/// With `keep` on it also remembers where the breaks are, so that records read in order can
/// be given their line ([`Self::line_at`]); breaks before the last record asked about are
/// forgotten, so what is kept is one record's breaks plus the parser's read-ahead.
#[derive(Debug, Default)]
pub(super) struct LineTracker {
    /// Breaks seen so far.
    breaks: u64,
    /// The last byte seen (a `\r` there makes a following `\n` part of its break).
    prev: u8,
    keep: bool,
    /// (first byte, last byte) of the breaks not yet forgotten.
    kept: std::collections::VecDeque<(u64, u64)>,
    /// Breaks forgotten.
    forgotten: u64,
}

impl LineTracker {
    /// A tracker; `keep` remembers break positions for [`Self::line_at`].
    pub(super) fn new(keep: bool) -> Self {
        LineTracker {
            keep,
            ..LineTracker::default()
        }
    }

    /// Whether break positions are kept.
    pub(super) fn keeps(&self) -> bool {
        self.keep
    }

    /// Counts the breaks of `chunk`, which starts at byte `offset` of the text.
    pub(super) fn feed(&mut self, chunk: &[u8], offset: u64) {
        for i in memchr::memchr2_iter(b'\r', b'\n', chunk) {
            let at = offset + i as u64;
            let prev = if i == 0 { self.prev } else { chunk[i - 1] };
            if chunk[i] == b'\n' && prev == b'\r' {
                // The second byte of a `\r\n`, counted with its `\r`.
                if let Some(last) = self.kept.back_mut() {
                    last.1 = at;
                }
                continue;
            }
            self.breaks += 1;
            if self.keep {
                self.kept.push_back((at, at));
            }
        }
        if let Some(&last) = chunk.last() {
            self.prev = last;
        }
    }

    /// The 1-based line at the end of the text seen so far.
    pub(super) fn line(&self) -> usize {
        usize::try_from(self.breaks + 1).unwrap_or(usize::MAX)
    }

    /// As [`LineIndex::line_at`]: the line a record starting at `byte` begins on, skipping
    /// line ends; `byte` must not be less than in earlier calls.
    pub(super) fn line_at(&mut self, byte: u64) -> usize {
        while self.kept.front().is_some_and(|&(_, end)| end < byte) {
            self.kept.pop_front();
            self.forgotten += 1;
        }
        let mut cur = byte;
        let mut skipped = 0u64;
        for &(start, end) in &self.kept {
            if start > cur {
                break;
            }
            cur = end + 1;
            skipped += 1;
        }
        usize::try_from(1 + self.forgotten + skipped).unwrap_or(usize::MAX)
    }

    /// As [`LineIndex::line_of`], for a byte not before the last record asked about.
    pub(super) fn line_of(&self, byte: u64) -> usize {
        let before = self.kept.partition_point(|&(_, end)| end < byte) as u64;
        usize::try_from(1 + self.forgotten + before).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tracker_counts_as_the_index_does_whatever_the_chunks() {
        let text = "a\r\n\r\nb\rc\n\n\"d\r\ne\"\r\nf\r";
        let index = LineIndex::new(text);
        for size in 1..=text.len() {
            let mut t = LineTracker::new(true);
            let mut lines = vec![];
            for (n, chunk) in text.as_bytes().chunks(size).enumerate() {
                t.feed(chunk, (n * size) as u64);
            }
            assert_eq!(t.line(), lines_in(text), "chunks of {size}");
            for byte in 0..text.len() {
                lines.push((t.line_of(byte as u64), index.line_of(byte)));
            }
            for byte in 0..text.len() {
                assert_eq!(t.line_at(byte as u64), index.line_at(byte), "byte {byte}");
            }
            for (ours, theirs) in lines {
                assert_eq!(ours, theirs);
            }
        }
    }
}
