//! Text decoded as it is read, so that a batch is never held whole in memory as bytes and again
//! as text: a [`Decoding`] reads the file in chunks and hands out UTF-8, counting lines (and,
//! for CSV, watching quotes) on the way.
//!
//! The encoding is detected as [`decode`](super::decode) does it, without reading ahead: a BOM
//! decides at once; otherwise the text is taken as UTF-8, and when the parser finds a byte that
//! is not, [`read_text`] decides on the whole file, as `decode` does, between a damaged UTF-8
//! file and GB18030, which it then reads again from the start.

use std::io::{self, Read, Seek};
use std::path::Path;

use encoding_rs::{Decoder, DecoderResult, Encoding};

use super::encoding::{DecodeError, TextEncoding, looks_like_damaged_utf8};
use super::lines::{LineTracker, lines_in};
use super::{ImportError, encoding_error};

/// Bytes read from the file at a time.
const CHUNK: usize = 64 * 1024;

/// How the bytes are being decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// A UTF-8 BOM: UTF-8, strictly.
    Utf8Bom,
    /// A UTF-16 BOM (little- or big-endian).
    Utf16Bom(&'static Encoding),
    /// No BOM: UTF-8 until a byte says otherwise.
    Utf8,
    /// No BOM and not UTF-8.
    Gb18030,
}

impl Mode {
    fn encoding(self) -> &'static Encoding {
        match self {
            Mode::Utf8Bom | Mode::Utf8 => encoding_rs::UTF_8,
            Mode::Utf16Bom(e) => e,
            Mode::Gb18030 => encoding_rs::GB18030,
        }
    }

    fn bom_len(self) -> usize {
        match self {
            Mode::Utf8Bom => 3,
            Mode::Utf16Bom(_) => 2,
            Mode::Utf8 | Mode::Gb18030 => 0,
        }
    }
}

impl Mode {
    /// UTF-8 is not decoded but handed on as it is; the parser's own UTF-8 check (csv's
    /// `StringRecord`, serde_json's strings) finds a bad byte, and `read_text` then decides on
    /// the whole file. Checking it twice took a quarter of `validate`'s time.
    fn passes_through(self) -> bool {
        matches!(self, Mode::Utf8Bom | Mode::Utf8)
    }
}

/// Counts the lines of text handed on (and watches its quotes); `produced` is where it starts.
fn observe(
    lines: &mut LineTracker,
    quotes: &mut Option<QuoteScan>,
    text: &[u8],
    produced: &mut u64,
) {
    lines.feed(text, *produced);
    if let Some(q) = quotes {
        q.feed(text, *produced);
    }
    *produced += text.len() as u64;
}

/// Why a [`Decoding`] stopped early.
#[derive(Debug)]
pub(super) enum Failure {
    /// Bytes the encoding cannot read.
    Decode(DecodeError),
    /// The file could not be read.
    Io(io::Error),
}

/// Whether the last quoted field of CSV text is still open, as
/// [`unclosed_quote`](super::unclosed_quote) decides it, over text seen in chunks.
#[derive(Debug)]
struct QuoteScan {
    delimiter: u8,
    /// Where the open quoted field's quote is, if one is open.
    open: Option<u64>,
    /// A `"` inside a quoted field ended the last chunk: a second one keeps the field open.
    quote_pending: bool,
    /// The last byte seen.
    prev: Option<u8>,
}

impl QuoteScan {
    fn feed(&mut self, chunk: &[u8], offset: u64) {
        let mut i = 0;
        if self.quote_pending && !chunk.is_empty() {
            self.quote_pending = false;
            if chunk[0] == b'"' {
                i = 1;
            } else {
                self.open = None;
            }
        }
        while i < chunk.len() {
            let Some(q) = memchr::memchr(b'"', &chunk[i..]) else {
                break;
            };
            let at = i + q;
            if self.open.is_some() {
                match chunk.get(at + 1) {
                    Some(b'"') => i = at + 2,
                    Some(_) => {
                        self.open = None;
                        // The byte after a closing quote never starts a field.
                        i = at + 1;
                    }
                    None => {
                        self.quote_pending = true;
                        i = at + 1;
                    }
                }
            } else {
                let before = if at == 0 {
                    self.prev
                } else {
                    Some(chunk[at - 1])
                };
                // After a closing quote `before` is that quote: not a field start.
                let field_start =
                    before.is_none_or(|b| b == self.delimiter || b == b'\n' || b == b'\r');
                if field_start {
                    self.open = Some(offset + at as u64);
                }
                i = at + 1;
            }
        }
        if let Some(&last) = chunk.last() {
            self.prev = Some(last);
        }
    }

    /// Where the still open quote is, at the end of the text.
    fn unclosed(&self) -> Option<u64> {
        if self.quote_pending { None } else { self.open }
    }
}

/// A file's text, decoded as it is read.
pub(super) struct Decoding<R> {
    src: R,
    mode: Mode,
    decoder: Decoder,
    raw: Box<[u8]>,
    raw_pos: usize,
    raw_len: usize,
    src_done: bool,
    finished: bool,
    /// Decoded text not yet handed out starts at `pos`.
    buf: Vec<u8>,
    pos: usize,
    /// Bytes of text decoded so far.
    produced: u64,
    lines: LineTracker,
    quotes: Option<QuoteScan>,
    failure: Option<Failure>,
}

/// The error a reader returns once it has failed; the [`Failure`] says why.
fn stopped() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "the text could not be decoded")
}

impl<R: Read + Seek> Decoding<R> {
    /// Starts reading `src`, the encoding given by its BOM, else UTF-8 so far; `keep_lines`
    /// remembers line breaks for [`Self::line_at`] (CSV).
    pub(super) fn new(src: R, keep_lines: bool) -> io::Result<Self> {
        let mut d = Decoding {
            src,
            mode: Mode::Utf8,
            decoder: encoding_rs::UTF_8.new_decoder_without_bom_handling(),
            raw: vec![0; CHUNK].into_boxed_slice(),
            raw_pos: 0,
            raw_len: 0,
            src_done: false,
            finished: false,
            buf: Vec::new(),
            pos: 0,
            produced: 0,
            lines: LineTracker::new(keep_lines),
            quotes: None,
            failure: None,
        };
        d.start(None)?;
        Ok(d)
    }

    /// Reads from the start of the file again, in `mode` (else as its BOM says).
    fn start(&mut self, mode: Option<Mode>) -> io::Result<()> {
        self.src.rewind()?;
        self.raw_pos = 0;
        self.raw_len = 0;
        self.src_done = false;
        // Enough bytes to see a BOM.
        while self.raw_len < 3 && !self.src_done {
            match self.src.read(&mut self.raw[self.raw_len..]) {
                Ok(0) => self.src_done = true,
                Ok(n) => self.raw_len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.mode = mode.unwrap_or_else(|| match Encoding::for_bom(&self.raw[..self.raw_len]) {
            Some((e, _)) if e == encoding_rs::UTF_8 => Mode::Utf8Bom,
            Some((e, _)) => Mode::Utf16Bom(e),
            None => Mode::Utf8,
        });
        self.raw_pos = self.mode.bom_len().min(self.raw_len);
        self.decoder = self.mode.encoding().new_decoder_without_bom_handling();
        self.finished = false;
        self.buf = Vec::new();
        self.pos = 0;
        self.produced = 0;
        self.lines = LineTracker::new(self.lines.keeps());
        self.quotes = self.quotes.as_ref().map(|q| QuoteScan {
            delimiter: q.delimiter,
            open: None,
            quote_pending: false,
            prev: None,
        });
        self.failure = None;
        Ok(())
    }

    /// The encoding being read.
    pub(super) fn encoding(&self) -> TextEncoding {
        match self.mode {
            Mode::Utf8Bom | Mode::Utf8 => TextEncoding::Utf8,
            Mode::Utf16Bom(_) => TextEncoding::Utf16,
            Mode::Gb18030 => TextEncoding::Gb18030,
        }
    }

    /// Decodes the next chunk onto the text not yet handed out; the bytes added (0 at the end).
    fn produce(&mut self) -> io::Result<usize> {
        if self.failure.is_some() {
            return Err(stopped());
        }
        if self.pos == self.buf.len() {
            self.pos = 0;
            self.buf.clear();
            // A long first line may have grown the buffer: give that memory back.
            self.buf.shrink_to(4 * CHUNK);
        }
        loop {
            if self.finished {
                return Ok(0);
            }
            if self.raw_pos == self.raw_len && !self.src_done {
                match self.src.read(&mut self.raw) {
                    Ok(0) => self.src_done = true,
                    Ok(n) => (self.raw_pos, self.raw_len) = (0, n),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.failure = Some(Failure::Io(e));
                        return Err(stopped());
                    }
                }
            }
            if self.mode.passes_through() {
                // UTF-8 is handed on as it is: the parser checks it (see `read_text`).
                let input = &self.raw[self.raw_pos..self.raw_len];
                if input.is_empty() {
                    self.finished = self.src_done;
                    continue;
                }
                let old = self.buf.len();
                self.buf.extend_from_slice(input);
                self.raw_pos = self.raw_len;
                observe(
                    &mut self.lines,
                    &mut self.quotes,
                    &self.buf[old..],
                    &mut self.produced,
                );
                return Ok(self.buf.len() - old);
            }
            let input = &self.raw[self.raw_pos..self.raw_len];
            let need = self
                .decoder
                .max_utf8_buffer_length_without_replacement(input.len())
                .unwrap_or(input.len() * 3 + 16);
            let old = self.buf.len();
            self.buf.resize(old + need, 0);
            let (res, read, written) = self.decoder.decode_to_utf8_without_replacement(
                input,
                &mut self.buf[old..],
                self.src_done,
            );
            self.buf.truncate(old + written);
            self.raw_pos += read;
            observe(
                &mut self.lines,
                &mut self.quotes,
                &self.buf[old..],
                &mut self.produced,
            );
            match res {
                DecoderResult::Malformed(..) => {
                    // The text decoded so far is exactly what came before the bad bytes.
                    let line = self.lines.line();
                    self.failure = Some(match self.mode {
                        Mode::Utf16Bom(_) => Failure::Decode(DecodeError::BadUtf16 { line }),
                        // UTF-8 is not decoded here.
                        Mode::Gb18030 | Mode::Utf8 | Mode::Utf8Bom => {
                            Failure::Decode(DecodeError::NotText { line })
                        }
                    });
                    return Err(stopped());
                }
                DecoderResult::InputEmpty if self.src_done => self.finished = true,
                DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
            }
            if written > 0 {
                return Ok(written);
            }
        }
    }

    /// The text ahead, decoded until it holds `n` complete non-blank lines or the whole rest.
    pub(super) fn prefix_lines(&mut self, n: usize) -> io::Result<&str> {
        let (mut scanned, mut line_start, mut count) = (self.pos, self.pos, 0);
        'fill: loop {
            while let Some(i) = memchr::memchr2(b'\r', b'\n', &self.buf[scanned..]) {
                let at = scanned + i;
                let line = std::str::from_utf8(&self.buf[line_start..at]).unwrap_or("");
                if !line.trim().is_empty() {
                    count += 1;
                }
                (scanned, line_start) = (at + 1, at + 1);
                if count >= n {
                    break 'fill;
                }
            }
            scanned = self.buf.len();
            if self.produce()? == 0 {
                break;
            }
        }
        // Decoded text is whole characters.
        Ok(std::str::from_utf8(&self.buf[self.pos..]).unwrap_or(""))
    }

    /// Watches quotes from here on (CSV with this delimiter), text already decoded included.
    pub(super) fn watch_quotes(&mut self, delimiter: u8) {
        let mut q = QuoteScan {
            delimiter,
            open: None,
            quote_pending: false,
            prev: None,
        };
        let start = self.produced - (self.buf.len() - self.pos) as u64;
        q.feed(&self.buf[self.pos..], start);
        self.quotes = Some(q);
    }

    /// The line of the quote of a quoted field never closed, once the text has been read.
    pub(super) fn unclosed_quote_line(&self) -> Option<usize> {
        let at = self.quotes.as_ref()?.unclosed()?;
        Some(self.lines.line_of(at))
    }

    /// The line a record starting at byte `byte` of the text begins on (see
    /// [`LineTracker::line_at`]).
    pub(super) fn line_at(&mut self, byte: u64) -> usize {
        self.lines.line_at(byte)
    }

    /// The whole text again from the start (for messages about a file already read).
    pub(super) fn reread(&mut self) -> io::Result<String> {
        self.start(Some(self.mode))?;
        let mut text = String::new();
        self.read_to_string(&mut text)?;
        Ok(text)
    }
}

impl<R: Read + Seek> Read for Decoding<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.buf.len() && self.raw_pos == self.raw_len && self.mode.passes_through()
        {
            if self.failure.is_some() {
                return Err(stopped());
            }
            // Straight from the file into the parser's buffer.
            let n = loop {
                match self.src.read(out) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.failure = Some(Failure::Io(e));
                        return Err(stopped());
                    }
                }
            };
            observe(
                &mut self.lines,
                &mut self.quotes,
                &out[..n],
                &mut self.produced,
            );
            return Ok(n);
        }
        while self.pos == self.buf.len() {
            if self.produce()? == 0 {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Reads a text file with `parse`, decoding as it goes; encoding errors come first, as when
/// the text was decoded whole before parsing.
pub(super) fn read_text<R, T>(
    path: &Path,
    src: R,
    keep_lines: bool,
    mut parse: impl FnMut(&mut Decoding<R>) -> Result<T, ImportError>,
) -> Result<(T, TextEncoding), ImportError>
where
    R: Read + Seek,
{
    let io_error = |source| super::io_error(path, source);
    let mut dec = Decoding::new(src, keep_lines).map_err(io_error)?;
    let mut parsed = parse(&mut dec);
    if parsed.is_err() && dec.failure.is_none() {
        if dec.mode.passes_through() {
            // Was it a byte that is not UTF-8? The whole file decides, as `decode` does.
            dec.src.rewind().map_err(io_error)?;
            let mut bytes = Vec::new();
            dec.src.read_to_end(&mut bytes).map_err(io_error)?;
            let body = &bytes[dec.mode.bom_len().min(bytes.len())..];
            if let Err(e) = std::str::from_utf8(body) {
                let before = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or("");
                let line = lines_in(before);
                if dec.mode == Mode::Utf8Bom {
                    return Err(encoding_error(path, DecodeError::BomNotUtf8 { line }));
                }
                if looks_like_damaged_utf8(&bytes) {
                    return Err(encoding_error(path, DecodeError::DamagedUtf8 { line }));
                }
                drop(bytes);
                dec.start(Some(Mode::Gb18030)).map_err(io_error)?;
                parsed = parse(&mut dec);
            }
        }
        if parsed.is_err() && dec.failure.is_none() {
            // The rest may not decode, which is said first.
            let _ = io::copy(&mut dec, &mut io::sink());
        }
    }
    match dec.failure.take() {
        Some(Failure::Decode(e)) => Err(encoding_error(path, e)),
        // Not reached: GB18030 fails as `Decode`.
        Some(Failure::Io(e)) => Err(io_error(e)),
        None => parsed.map(|t| (t, dec.encoding())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::unclosed_quote;
    use super::*;
    use std::io::Cursor;

    #[test]
    fn the_quote_scan_agrees_with_the_whole_text_scan_whatever_the_chunks() {
        for text in [
            "a,\"b\"\"c\",d\n",
            "a,b\"c,d\n",
            "a,\"b\"c,\"d\n\"\n",
            "a,\"b\ne,f\n",
            "a,\"b\"\"",
            "\"x\"\"\"\n\"",
            "a, \"b\n",
            "\"",
            "\"\"",
        ] {
            for size in 1..=text.len() {
                let mut q = QuoteScan {
                    delimiter: b',',
                    open: None,
                    quote_pending: false,
                    prev: None,
                };
                for (n, c) in text.as_bytes().chunks(size).enumerate() {
                    q.feed(c, (n * size) as u64);
                }
                assert_eq!(
                    q.unclosed().map(|a| a as usize),
                    unclosed_quote(text, b','),
                    "{text:?} in chunks of {size}"
                );
            }
        }
    }

    #[test]
    fn streamed_text_decodes_as_whole_text_does() {
        let s = "编号,技术名称\r\nA-1,量子点显示\n".repeat(5000);
        let mut u16 = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            u16.extend_from_slice(&u.to_be_bytes());
        }
        let gb = encoding_rs::GB18030.encode(&s).0.into_owned();
        for (bytes, enc) in [
            (s.as_bytes().to_vec(), TextEncoding::Utf8),
            (u16, TextEncoding::Utf16),
            (gb, TextEncoding::Gb18030),
        ] {
            let (text, got) = read_text(Path::new("t.csv"), Cursor::new(&bytes), false, |d| {
                let mut t = String::new();
                d.read_to_string(&mut t).map_err(|source| ImportError::Io {
                    path: "t.csv".into(),
                    source,
                })?;
                Ok(t)
            })
            .unwrap();
            assert_eq!((text == s, got), (true, enc));
        }
    }
}
