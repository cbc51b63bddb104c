//! CSV records split by `memchr` rather than byte by byte: the fields, and where each record
//! starts, exactly as the csv crate (csv-core) reads them with `has_headers(false)`,
//! `flexible(true)`, a one-byte delimiter and its defaults otherwise (`"` quotes, `""` inside a
//! quoted field is a quote, `\r`, `\n` or `\r\n` ends a record, blank lines are skipped, a UTF-8
//! BOM at the very start is dropped).
//!
//! csv-core's state machine looks at every byte in turn: it was a fifth of `validate`'s time
//! on a batch of long texts. Here an unquoted field is found by one `memchr3` (delimiter, `\r`,
//! `\n`) and a quoted one by `memchr` for its closing quote, and the run between is copied
//! whole. Tests hold the records and positions to csv's on random text.

use std::io::{self, Read};

/// Bytes asked of the source at a time (larger reads: fewer calls, the same copying).
const CHUNK: usize = 256 * 1024;

/// One record: its fields' bytes back to back, where each ends, and where the record starts.
#[derive(Debug, Default, Clone)]
pub(super) struct Record {
    data: Vec<u8>,
    ends: Vec<usize>,
    /// Byte offset of the text where reading this record began (as `csv::Position::byte`).
    byte: u64,
    /// 0-based number of this record (as `csv::Position::record`).
    index: u64,
}

impl Record {
    /// The fields, in order.
    pub(super) fn fields(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let f = &self.data[start..end];
            start = end;
            f
        })
    }

    /// Number of fields.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where reading this record began: the byte after the previous record's first
    /// terminator byte (skipped blank lines and a `\n` after `\r` come after it).
    pub(super) fn byte(&self) -> u64 {
        self.byte
    }

    /// The record's 0-based number among the records read.
    pub(super) fn index(&self) -> u64 {
        self.index
    }

    fn end_field(&mut self) {
        self.ends.push(self.data.len());
    }
}

/// Where the parser is between bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before a record: line ends are skipped.
    StartRecord,
    /// At the start of a field.
    StartField,
    /// Inside an unquoted field (a `"` here is text).
    InField,
    /// Inside a quoted field.
    InQuoted,
    /// Just after a `"` inside a quoted field: a second one is a quote, anything else closes.
    AfterQuote,
}

/// Reads CSV records from a byte source.
pub(super) struct Records<R> {
    src: R,
    buf: Box<[u8]>,
    /// Unread bytes are `buf[at..len]`.
    at: usize,
    len: usize,
    /// Offset in the text of `buf[0]`.
    base: u64,
    delimiter: u8,
    /// Nothing has been read yet (a BOM may be dropped).
    fresh: bool,
    /// The source is exhausted (or the last record was given).
    done: bool,
    records: u64,
}

impl<R: Read> Records<R> {
    /// Reads from `src`, fields separated by `delimiter`.
    pub(super) fn new(src: R, delimiter: u8) -> Self {
        Self::with_chunk(src, delimiter, CHUNK)
    }

    /// [`Self::new`] reading `chunk` bytes at a time (tests use tiny chunks; at least 3, so
    /// that the first read can show a BOM).
    fn with_chunk(src: R, delimiter: u8, chunk: usize) -> Self {
        Records {
            src,
            buf: vec![0; chunk.max(1)].into_boxed_slice(),
            at: 0,
            len: 0,
            base: 0,
            delimiter,
            fresh: true,
            done: false,
            records: 0,
        }
    }

    /// The source, for what the caller asks of it between records.
    pub(super) fn get_mut(&mut self) -> &mut R {
        &mut self.src
    }

    /// Refills the buffer once it is all read; false at the end of the source.
    fn fill(&mut self) -> io::Result<bool> {
        if self.at < self.len {
            return Ok(true);
        }
        self.base += self.len as u64;
        (self.at, self.len) = (0, 0);
        let n = loop {
            match self.src.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        self.len = n;
        Ok(n > 0)
    }

    /// Reads the next record into `rec`; false at the end (as `read_byte_record`).
    pub(super) fn read(&mut self, rec: &mut Record) -> io::Result<bool> {
        rec.data.clear();
        rec.ends.clear();
        rec.byte = self.base + self.at as u64;
        rec.index = self.records;
        if self.done {
            return Ok(false);
        }
        if self.fresh {
            self.fresh = false;
            // csv-core drops a BOM that its first input starts with.
            if self.fill()? && self.buf[..self.len].starts_with(b"\xEF\xBB\xBF") {
                self.at = 3;
                if self.len == 3 {
                    // csv-core takes a first input that is only a BOM for the end of the text.
                    self.done = true;
                    return Ok(false);
                }
            }
        }
        let d = self.delimiter;
        let mut state = State::StartRecord;
        loop {
            if !self.fill()? {
                self.done = true;
                if state == State::StartRecord {
                    return Ok(false);
                }
                rec.end_field();
                self.records += 1;
                return Ok(true);
            }
            let input = &self.buf[self.at..self.len];
            match state {
                State::StartRecord => match input.iter().position(|&b| b != b'\r' && b != b'\n') {
                    Some(i) => {
                        self.at += i;
                        state = State::StartField;
                    }
                    None => self.at = self.len,
                },
                State::StartField => match input[0] {
                    b'"' => {
                        self.at += 1;
                        state = State::InQuoted;
                    }
                    b if b == d => {
                        self.at += 1;
                        rec.end_field();
                    }
                    b'\r' | b'\n' => {
                        self.at += 1;
                        rec.end_field();
                        self.records += 1;
                        return Ok(true);
                    }
                    _ => state = State::InField,
                },
                State::InField => match memchr::memchr3(d, b'\r', b'\n', input) {
                    Some(i) => {
                        rec.data.extend_from_slice(&input[..i]);
                        let term = input[i] != d;
                        self.at += i + 1;
                        rec.end_field();
                        if term {
                            self.records += 1;
                            return Ok(true);
                        }
                        state = State::StartField;
                    }
                    None => {
                        rec.data.extend_from_slice(input);
                        self.at = self.len;
                    }
                },
                State::InQuoted => match memchr::memchr(b'"', input) {
                    Some(i) => {
                        rec.data.extend_from_slice(&input[..i]);
                        self.at += i + 1;
                        state = State::AfterQuote;
                    }
                    None => {
                        rec.data.extend_from_slice(input);
                        self.at = self.len;
                    }
                },
                State::AfterQuote => match input[0] {
                    b'"' => {
                        rec.data.push(b'"');
                        self.at += 1;
                        state = State::InQuoted;
                    }
                    // The closing quote: what follows is read as an unquoted field's text.
                    _ => state = State::InField,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (fields, byte, record index) of every record, as csv reads them.
    type Got = Vec<(Vec<Vec<u8>>, u64, u64)>;

    /// csv's records of `text`, read `trickle` bytes at a time: as [`by_records`] reads it
    /// when `trickle` is at most its chunk (whether a BOM is dropped depends on what the first
    /// read gives, in csv as here; in `read_csv` both first reads give at least 3 bytes or all).
    fn by_csv(text: &[u8], delimiter: u8, trickle: usize) -> Got {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(Trickle(text, trickle));
        let mut rec = csv::ByteRecord::new();
        let mut out = vec![];
        while rdr.read_byte_record(&mut rec).unwrap() {
            let p = rec.position().unwrap();
            out.push((
                rec.iter().map(<[u8]>::to_vec).collect(),
                p.byte(),
                p.record(),
            ));
        }
        out
    }

    /// A reader handing out at most `n` bytes per call, to split the text anywhere.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = out.len().min(self.1).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn by_records(text: &[u8], delimiter: u8, chunk: usize, trickle: usize) -> Got {
        let mut r = Records::with_chunk(Trickle(text, trickle), delimiter, chunk);
        let mut rec = Record::default();
        let mut out = vec![];
        while r.read(&mut rec).unwrap() {
            out.push((
                rec.fields().map(<[u8]>::to_vec).collect::<Vec<_>>(),
                rec.byte(),
                rec.index(),
            ));
            assert_eq!(rec.len(), out.last().map_or(0, |o| o.0.len()));
        }
        // Asked again after the end: still the end.
        assert!(!r.read(&mut rec).unwrap());
        out
    }

    #[test]
    fn hand_picked_texts_read_as_csv_reads_them() {
        let texts: &[&[u8]] = &[
            b"",
            b"\r\n\n\r",
            b"a",
            b"a,",
            b",",
            b"a,b\r\nc,d\r\n",
            b"a,\"b\"\"c\",d\n",
            b"a,b\"c,d\n",
            b"a,\"b\"c,\"d\n\"\n",
            b"a,\"b\ne,f\n",
            b"a,\"b\"\"",
            b"\"x\"\"\"\n\"",
            b"\"",
            b"\"\"",
            b"\"\"\"",
            b"\xEF\xBB\xBFa,b\n",
            b"\xEF\xBB\xBF\xEF\xBB\xBFa,b\n",
            b"\xEF\xBB",
            b"x\xEF\xBB\xBF",
            b"a,\"b\"\r\n\r\n  ,\r\"c\"\"\"\r\n",
            "编号,技术名称\r\nA-1,\"两行\r\n名称\"\r\n".as_bytes(),
        ];
        for text in texts {
            for delimiter in [b',', b'\t'] {
                for chunk in [3, 4, 7, 64, 4096] {
                    for trickle in [1, 5, usize::MAX] {
                        let want = by_csv(text, delimiter, trickle.min(chunk));
                        assert_eq!(
                            by_records(text, delimiter, chunk, trickle),
                            want,
                            "{:?} chunk {chunk} trickle {trickle}",
                            String::from_utf8_lossy(text)
                        );
                    }
                }
            }
        }
    }

    /// Pieces random CSV is made of: the bytes that matter to the parser, and text around them.
    fn piece() -> impl Strategy<Value = &'static [u8]> {
        prop::sample::select(vec![
            &b"a"[..],
            b"xyz",
            b" ",
            "中文".as_bytes(),
            b",",
            b"\t",
            b"\"",
            b"\"\"",
            b"\r",
            b"\n",
            b"\r\n",
            b"\xEF\xBB\xBF",
            b"\xE4\xB8",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn random_text_reads_as_csv_reads_it(
            pieces in prop::collection::vec(piece(), 0..60),
            tab in any::<bool>(),
            chunk in 3usize..40,
            trickle in 1usize..50,
        ) {
            let text = pieces.concat();
            let delimiter = if tab { b'\t' } else { b',' };
            prop_assert_eq!(
                &by_records(&text, delimiter, chunk, trickle),
                &by_csv(&text, delimiter, trickle.min(chunk))
            );
            prop_assert_eq!(
                &by_records(&text, delimiter, CHUNK, usize::MAX),
                &by_csv(&text, delimiter, usize::MAX)
            );
        }
    }
}
