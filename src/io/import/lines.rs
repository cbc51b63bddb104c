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
