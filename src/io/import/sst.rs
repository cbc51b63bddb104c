//! An XLSX's shared strings read by revdesk itself, exactly as calamine 0.38 reads them, so that
//! each cell's text can be moved out of the table instead of copied (the copy, page faults
//! included, was 16% of reading a large batch).
//!
//! The parsing below is calamine 0.38's `read_shared_strings`, `read_string_with_bufs`,
//! `unescape_xml` and raw attribute scan (MIT, Copyright 2016-2026 Johann Tuffe), with the same
//! quick-xml settings; only where a string ends up differs (moved where calamine copies). calamine
//! then reads the workbook with a table of markers in its place ([`stub`]); a cell whose
//! marker is not one of ours (another part read as the table, a marker forged without the
//! per-run nonce) sends the whole read back to calamine alone, so the result is calamine's
//! either way.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Cursor, Read, Write};

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::QName;

/// The shared strings of a workbook and the zip entry they were read from.
pub(super) struct Table {
    /// The entry's index in the zip.
    pub entry: usize,
    /// The strings, in order.
    pub strings: Vec<String>,
}

/// Reads the table calamine would read (`xl/sharedStrings.xml`, names compared as calamine
/// does); `None` when there is none or calamine would fail on it (then calamine reads alone).
#[cfg(test)]
pub(super) fn read(bytes: &[u8]) -> Option<Table> {
    read_measured(bytes).0
}

/// [`read`], and what the table's entry inflated to when it was read through to its end
/// without error (its checksum checked): the size check need not inflate it again.
pub(super) fn read_measured(bytes: &[u8]) -> (Option<Table>, Option<u64>) {
    let Some(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)).ok() else {
        return (None, None);
    };
    let Some(entry) = entry(&mut zip) else {
        return (None, None);
    };
    // The usual table first, without quick-xml (whose check of each text as UTF-8, std's, was a
    // fifth of `validate`'s time on CJK text); anything else is read as calamine reads it.
    let Ok(file) = zip.by_index(entry) else {
        return (None, None);
    };
    let mut src = Counted { src: file, n: 0 };
    if let Some(strings) = Plain::new(&mut src, CHUNK).strings() {
        return (Some(Table { entry, strings }), src.rest());
    }
    drop(src);
    let Ok(file) = zip.by_index(entry) else {
        return (None, None);
    };
    let mut src = Counted { src: file, n: 0 };
    let strings = read_strings(&mut calamines_reader(BufReader::new(&mut src)));
    let size = src.rest();
    (strings.map(|strings| Table { entry, strings }), size)
}

/// A reader that counts the bytes it gives.
struct Counted<R> {
    src: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.src.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

impl<R: Read> Counted<R> {
    /// Reads on to the end (as far as the size limit and one byte more): all the bytes read,
    /// `None` on an error.
    fn rest(mut self) -> Option<u64> {
        let limit = (super::guard::MAX_UNPACKED_BYTES + 1).saturating_sub(self.n);
        std::io::copy(&mut (&mut self).take(limit), &mut std::io::sink()).ok()?;
        Some(self.n)
    }
}

/// The index of the entry [`read`] reads the table from, if any.
pub(super) fn table_entry(bytes: &[u8]) -> Option<usize> {
    entry(&mut zip::ZipArchive::new(Cursor::new(bytes)).ok()?)
}

/// The entry calamine reads the table from.
fn entry(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<usize> {
    (0..zip.len()).rev().find(|&i| {
        zip.name_for_index(i).and_then(Result::ok).is_some_and(|n| {
            n.replace('\\', "/")
                .eq_ignore_ascii_case("xl/sharedstrings.xml")
        })
    })
}

/// What a workbook's table says of itself before it is read: the entry [`read`] would read,
/// its declared unpacked size and the `uniqueCount` of its `<sst>` tag, when it is in the
/// plain form [`Plain`] reads. Only a guess at the table's length, until [`read`] confirms it.
pub(super) struct Claim {
    /// The entry's index in the zip.
    pub entry: usize,
    /// Its declared unpacked size.
    pub size: u64,
    /// The strings it says it holds.
    pub count: usize,
}

/// The table's [`Claim`], from the first bytes of its entry.
pub(super) fn claim(bytes: &[u8]) -> Option<Claim> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let entry = entry(&mut zip)?;
    let file = zip.by_index(entry).ok()?;
    let size = file.size();
    let attrs = Plain::new(file, 4096).sst_attrs()?;
    let count = raw_attr_in(&attrs, "uniqueCount")??.parse().ok()?;
    Some(Claim { entry, size, count })
}

/// A quick-xml reader set up as calamine sets up its own.
fn calamines_reader<R: BufRead>(src: R) -> quick_xml::Reader<R> {
    let mut xml = quick_xml::Reader::from_reader(src);
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// Bytes inflated at a time by [`Plain`].
const CHUNK: usize = 128 * 1024;

/// The declaration Excel and rust_xlsxwriter write: the only one [`Plain`] reads past.
const DECLARATION: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// The longest `<sst …>` tag [`Plain`] reads (then it gives up).
const MAX_TAG: usize = 64 * 1024;

/// The longest entity or character reference [`Plain`] reads.
const MAX_REF: usize = 256;

/// A reader of the shared strings as Excel writes them, and of nothing else: after
/// [`DECLARATION`], `<sst …>` then only `<si><t>TEXT</t></si>` (or `<t xml:space="preserve">`),
/// white space between them, up to `</sst>`; TEXT without `\r` (quick-xml would normalise it)
/// and with only whole entity references. For those, [`read_strings`] (calamine) reads quick-xml's
/// events Text and GeneralRef into each string and nothing else, so the strings are the same:
/// each text is checked as UTF-8 (by simdutf8, as whole as quick-xml's pieces of it: `&`, `;` and
/// `<` are ASCII), references resolved, then trimmed and unescaped by the same code.
/// Anything else (rich text, phonetic runs, CDATA, comments, a self-closing tag, another
/// declaration, a byte order mark, `\r`, a lone `&`) gives `None`: [`read_strings`] then reads it.
struct Plain<R> {
    src: R,
    buf: Vec<u8>,
    /// The unread bytes are `buf[pos..end]`.
    pos: usize,
    end: usize,
    chunk: usize,
    eof: bool,
}

impl<R: std::io::Read> Plain<R> {
    fn new(src: R, chunk: usize) -> Self {
        Plain {
            src,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            chunk: chunk.max(1),
            eof: false,
        }
    }

    fn unread(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Reads on until at least `n` bytes are unread or the entry ends (`None`: a read error).
    fn want(&mut self, n: usize) -> Option<()> {
        while self.end - self.pos < n && !self.eof {
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.end, 0);
                self.end -= self.pos;
                self.pos = 0;
            }
            let room = self.end + self.chunk.max(n);
            if self.buf.len() < room {
                self.buf.resize(room, 0);
            }
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        Some(())
    }

    /// Whether `lit` comes next (then it is read).
    fn eat(&mut self, lit: &[u8]) -> Option<bool> {
        self.want(lit.len())?;
        let next = self.unread().starts_with(lit);
        if next {
            self.pos += lit.len();
        }
        Some(next)
    }

    fn skip_space(&mut self) -> Option<()> {
        loop {
            self.want(1)?;
            let unread = self.unread();
            if unread.is_empty() {
                return Some(());
            }
            let n = unread
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                .count();
            let rest = unread.len() - n;
            self.pos += n;
            if rest > 0 {
                return Some(());
            }
        }
    }

    /// The declaration and the `<sst …>` tag read, the tag's attributes; `None` when the entry
    /// does not start as the plain form does.
    fn sst_attrs(&mut self) -> Option<String> {
        if !self.eat(DECLARATION)? {
            return None;
        }
        self.skip_space()?;
        if !self.eat(b"<sst")? {
            return None;
        }
        self.tag_rest()
    }

    /// The table, or `None` for anything but the plain form above.
    fn strings(mut self) -> Option<Vec<String>> {
        let attrs = self.sst_attrs()?;
        let mut strings = Vec::new();
        // calamine fails on an attribute it cannot scan.
        if let Some(count) = raw_attr_in(&attrs, "uniqueCount")?
            && let Ok(n) = count.parse::<usize>()
        {
            strings.reserve(n.min(1 << 20));
        }
        loop {
            self.skip_space()?;
            if self.eat(b"</sst>")? {
                return Some(strings);
            }
            if !self.eat(b"<si><t")? {
                return None;
            }
            let preserve = if self.eat(b">")? {
                false
            } else if self.eat(br#" xml:space="preserve">"#)? {
                true
            } else {
                return None;
            };
            let value = self.text()?;
            if !self.eat(b"</si>")? {
                return None;
            }
            // As `read_string` does once `</t>` is read.
            strings.push(if preserve {
                owned(value, unescape_xml)
            } else {
                owned(value, |v| {
                    unescape_xml(v.trim_matches([' ', '\t', '\r', '\n']))
                })
            });
        }
    }

    /// The rest of the `<sst` tag, its attributes, up to its `>` (quoted values may hold one);
    /// `None` for a self-closing tag, a name that only starts with `sst`, or no end in sight.
    fn tag_rest(&mut self) -> Option<String> {
        self.want(MAX_TAG)?;
        let unread = self.unread();
        if !matches!(unread.first(), Some(b' ' | b'\t' | b'\r' | b'\n' | b'>')) {
            return None;
        }
        let mut quote = None;
        let end = unread.iter().position(|&b| match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                }
                false
            }
            None if b == b'"' || b == b'\'' => {
                quote = Some(b);
                false
            }
            None => b == b'>',
        })?;
        if end > 0 && unread[end - 1] == b'/' {
            return None;
        }
        let attrs = std::str::from_utf8(&unread[..end]).ok()?.to_string();
        self.pos += end + 1;
        Some(attrs)
    }

    /// A `<t>`'s text up to and with `</t>`: its pieces checked and references resolved.
    fn text(&mut self) -> Option<String> {
        let mut value = String::new();
        // The first bytes of a character the last chunk cut.
        let mut cut: Vec<u8> = Vec::new();
        loop {
            self.want(1)?;
            let unread = self.unread();
            if unread.is_empty() {
                return None;
            }
            let (piece, stop) = match memchr::memchr3(b'<', b'&', b'\r', unread) {
                Some(i) => (&unread[..i], Some(unread[i])),
                None => (unread, None),
            };
            let n = piece.len();
            push_utf8(&mut value, &mut cut, piece, stop.is_none())?;
            self.pos += n;
            match stop {
                None => {}
                Some(b'&') => self.reference(&mut value)?,
                Some(b'<') => return self.eat(b"</t>")?.then_some(value),
                _ => return None,
            }
        }
    }

    /// An entity or character reference, resolved into `value` as calamine resolves quick-xml's
    /// GeneralRef; `None` where quick-xml would not give one (a lone `&`).
    fn reference(&mut self, value: &mut String) -> Option<()> {
        self.want(MAX_REF)?;
        let unread = &self.unread()[1..];
        let i = memchr::memchr3(b';', b'&', b'<', &unread[..unread.len().min(MAX_REF)])?;
        if unread[i] != b';' {
            return None;
        }
        let name = std::str::from_utf8(&unread[..i]).ok()?;
        unescape_entity_to_buffer(&BytesRef::new(name), value)?;
        self.pos += i + 2;
        Some(())
    }
}

/// Appends `bytes`, checked as UTF-8, to `out`, after the `cut` bytes a previous call left;
/// when `more` follows, a character cut at the end is left in `cut`, else it is an error.
fn push_utf8(out: &mut String, cut: &mut Vec<u8>, mut bytes: &[u8], more: bool) -> Option<()> {
    if !cut.is_empty() {
        let width = utf8_width(cut[0])?;
        let take = (width - cut.len()).min(bytes.len());
        cut.extend_from_slice(&bytes[..take]);
        bytes = &bytes[take..];
        if cut.len() < width {
            return more.then_some(());
        }
        out.push_str(std::str::from_utf8(cut).ok()?);
        cut.clear();
    }
    let whole = if more { char_end(bytes) } else { bytes.len() };
    out.push_str(simdutf8::basic::from_utf8(&bytes[..whole]).ok()?);
    cut.extend_from_slice(&bytes[whole..]);
    Some(())
}

/// The length of `bytes` less a character that the end cuts (at most 3 bytes).
fn char_end(bytes: &[u8]) -> usize {
    let len = bytes.len();
    for back in 1..=len.min(3) {
        let b = bytes[len - back];
        if b & 0xC0 != 0x80 {
            // A lead byte (or ASCII): cut when its character needs more than is left.
            return match utf8_width(b) {
                Some(w) if w > back => len - back,
                _ => len,
            };
        }
    }
    len
}

/// The length of the UTF-8 character a byte starts, `None` for a byte that starts none.
fn utf8_width(b: u8) -> Option<usize> {
    match b {
        0x00..=0x7F => Some(1),
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

/// calamine's `read_shared_strings`.
fn read_strings<R: BufRead>(xml: &mut quick_xml::Reader<R>) -> Option<Vec<String>> {
    let mut strings = Vec::new();
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "sst" => {
                // Reserved only up to a bound (calamine trusts the count).
                if let Some(count) = raw_attr(&e, "uniqueCount")?
                    && let Ok(n) = count.parse::<usize>()
                {
                    strings.reserve(n.min(1 << 20));
                }
                break;
            }
            Event::Eof => return None,
            _ => (),
        }
    }
    let mut str_buf = Vec::with_capacity(1024);
    let mut str_val_buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                if let Some(s) = read_string(xml, e.name(), &mut str_buf, &mut str_val_buf)? {
                    strings.push(s);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "sst" => break,
            Event::Eof => return None,
            _ => (),
        }
    }
    Some(strings)
}

/// calamine's `read_string_with_bufs`: `None` for its errors, `Some(None)` never happens there
/// either but is kept for the same shape.
fn read_string<R: BufRead>(
    xml: &mut quick_xml::Reader<R>,
    closing: QName,
    xml_buf: &mut Vec<u8>,
    text_buf: &mut Vec<u8>,
) -> Option<Option<String>> {
    let mut rich_buffer: Option<String> = None;
    let mut is_phonetic_text = false;
    loop {
        xml_buf.clear();
        match xml.read_event_into(xml_buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "r" && rich_buffer.is_none() => {
                rich_buffer = Some(String::new());
            }
            Event::Start(e) if e.local_name().as_ref() == "rPh" => {
                is_phonetic_text = true;
            }
            Event::End(e) if e.name() == closing => {
                if rich_buffer.is_none() {
                    rich_buffer = Some(String::new());
                }
                return Some(rich_buffer);
            }
            Event::End(e) if e.local_name().as_ref() == "rPh" => {
                is_phonetic_text = false;
            }
            Event::Start(e) if e.local_name().as_ref() == "t" && !is_phonetic_text => {
                let preserve_space =
                    matches!(raw_attr(&e, "xml:space")?, Some(v) if v == "preserve");
                text_buf.clear();
                let mut value = String::new();
                loop {
                    match xml.read_event_into(text_buf).ok()? {
                        Event::Text(t) => value.push_str(&t.xml10_content()),
                        Event::CData(t) => value.push_str(&t.xml10_content()),
                        Event::GeneralRef(e) => unescape_entity_to_buffer(&e, &mut value)?,
                        Event::End(end) if end.name() == e.name() => break,
                        Event::Eof => return None,
                        _ => (),
                    }
                }
                // calamine copies here (`into_owned`); the text is moved when nothing changes.
                let value = if preserve_space {
                    owned(value, unescape_xml)
                } else {
                    owned(value, |v| {
                        unescape_xml(v.trim_matches([' ', '\t', '\r', '\n']))
                    })
                };
                if let Some(s) = &mut rich_buffer {
                    s.push_str(&value);
                } else {
                    rich_buffer = Some(value);
                }
            }
            Event::Eof => return None,
            _ => (),
        }
    }
}

/// `f(&value).into_owned()`, without the copy when `f` gives back all of `value` unchanged.
fn owned(value: String, f: impl for<'v> Fn(&'v str) -> Cow<'v, str>) -> String {
    let changed = match f(&value) {
        Cow::Borrowed(b) if b.len() == value.len() => None,
        Cow::Borrowed(b) => Some(b.to_string()),
        Cow::Owned(o) => Some(o),
    };
    changed.unwrap_or(value)
}

/// calamine's `unescape_entity_to_buffer` (`None` for its error).
fn unescape_entity_to_buffer(entity: &BytesRef, buffer: &mut String) -> Option<()> {
    let decoded = entity.as_ref();
    if let Some(unescaped_xml_entity) = resolve_xml_entity(decoded) {
        buffer.push_str(unescaped_xml_entity);
        return Some(());
    }
    if let Some(unescaped_char) = entity.resolve_char_ref().ok()? {
        buffer.push(unescaped_char);
        return Some(());
    }
    None
}

/// Length of `_xHHHH_`.
const UNICODE_ESCAPE_LENGTH: usize = 7;

/// calamine's `unescape_xml`: Excel's `_xHHHH_` escapes of UTF-16 code units.
fn unescape_xml(original: &str) -> Cow<'_, str> {
    let Some((mut index, mut unit)) = find_xml_escape(original, 0) else {
        return Cow::Borrowed(original);
    };
    let mut unescaped = String::with_capacity(original.len());
    let mut copied = 0;
    loop {
        unescaped.push_str(&original[copied..index]);
        index += UNICODE_ESCAPE_LENGTH;
        match unit {
            0xD800..=0xDBFF => match parse_xml_escape(original, index) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let code_point =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    unescaped
                        .push(char::from_u32(code_point).unwrap_or(char::REPLACEMENT_CHARACTER));
                    index += UNICODE_ESCAPE_LENGTH;
                }
                _ => unescaped.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => unescaped.push(char::REPLACEMENT_CHARACTER),
            _ => unescaped
                .push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = index;
        match find_xml_escape(original, index) {
            Some(next) => (index, unit) = next,
            None => break,
        }
    }
    unescaped.push_str(&original[copied..]);
    Cow::Owned(unescaped)
}

fn find_xml_escape(original: &str, mut start: usize) -> Option<(usize, u16)> {
    // memchr where calamine has `find('_')`: the same index, several times faster.
    while let Some(offset) = memchr::memchr(b'_', &original.as_bytes()[start..]) {
        let index = start + offset;
        if let Some(unit) = parse_xml_escape(original, index) {
            return Some((index, unit));
        }
        start = index + 1;
    }
    None
}

fn parse_xml_escape(original: &str, index: usize) -> Option<u16> {
    let bytes = original
        .as_bytes()
        .get(index..index + UNICODE_ESCAPE_LENGTH)?;
    if bytes[0] != b'_' || bytes[1] != b'x' || bytes[6] != b'_' {
        return None;
    }
    let hex = &bytes[2..6];
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

/// calamine's `raw_attr` over its raw attribute scan: `None` for a malformed attribute.
fn raw_attr<'e>(e: &'e BytesStart<'_>, name: &str) -> Option<Option<&'e str>> {
    raw_attr_in(e.attributes_raw(), name)
}

/// [`raw_attr`] over a tag's text after its name.
fn raw_attr_in<'e>(raw: &'e str, name: &str) -> Option<Option<&'e str>> {
    let bytes = raw.as_bytes();
    let len = bytes.len();
    let mut pos = 0;
    loop {
        while pos < len && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= len {
            return Some(None);
        }
        let key_start = pos;
        while pos < len && bytes[pos] != b'=' {
            pos += 1;
        }
        if pos >= len {
            return None;
        }
        let key = raw[key_start..pos].trim_ascii_end();
        pos += 1;
        while pos < len && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = bytes.get(pos).copied()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        pos += 1;
        let val_start = pos;
        while pos < len && bytes[pos] != quote {
            pos += 1;
        }
        let val = &raw[val_start..pos];
        if pos < len {
            pos += 1;
        }
        if key == name {
            return Some(Some(val));
        }
    }
}

/// The marker that stands for string `i` in the table given to calamine: a private-use
/// character, the run's nonce, the index.
fn marker(nonce: u64, i: usize) -> String {
    format!("\u{e000}{nonce:016x}{i}")
}

/// The index a marker stands for, when it is one of this run's.
pub(super) fn index_of(nonce: u64, text: &str) -> Option<usize> {
    let rest = text.strip_prefix('\u{e000}')?;
    let (n, i) = rest.split_at_checked(16)?;
    if u64::from_str_radix(n, 16).ok()? != nonce
        || i.is_empty()
        || !i.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    i.parse().ok()
}

/// A nonce no workbook can know in advance.
pub(super) fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish()
}

/// The workbook with entry `entry` replaced by a table of `count` markers (stored, not deflated); every other entry copied as it is, still compressed.
pub(super) fn stub(bytes: &[u8], entry: usize, count: usize, nonce: u64) -> Option<Vec<u8>> {
    let mut src = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() / 2)));
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    for i in 0..count {
        xml.push_str("<si><t>");
        xml.push_str(&marker(nonce, i));
        xml.push_str("</t></si>");
    }
    xml.push_str("</sst>");
    for i in 0..src.len() {
        if i == entry {
            let name = src.name_for_index(i)?.ok()?.into_owned();
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            out.start_file(name, opts).ok()?;
            out.write_all(xml.as_bytes()).ok()?;
        } else {
            out.raw_copy_file(src.by_index_raw(i).ok()?).ok()?;
        }
    }
    Some(out.finish().ok()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_this_runs_only() {
        let n = nonce();
        assert_eq!(index_of(n, &marker(n, 0)), Some(0));
        assert_eq!(index_of(n, &marker(n, 12345)), Some(12345));
        assert_eq!(index_of(n, &marker(n ^ 1, 7)), None);
        assert_eq!(index_of(n, "\u{e000}"), None);
        assert_eq!(index_of(n, &format!("{}x", marker(n, 3))), None);
        assert_eq!(index_of(n, "7"), None);
    }

    /// calamine's reading (quick-xml's events) of a shared-strings part.
    fn calamines(xml: &[u8]) -> Option<Vec<String>> {
        read_strings(&mut calamines_reader(BufReader::new(xml)))
    }

    /// [`Plain`]'s reading, `chunk` bytes inflated at a time.
    fn plain(xml: &[u8], chunk: usize) -> Option<Vec<String>> {
        Plain::new(xml, chunk).strings()
    }

    fn sst(items: &str) -> String {
        format!(
            "{}\r\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             count=\"9\" uniqueCount=\"9\">{items}</sst>",
            std::str::from_utf8(DECLARATION).unwrap()
        )
    }

    /// Every plain table reads as calamine reads it, however the chunks cut its characters,
    /// references and tags.
    #[test]
    fn plain_tables_read_as_calamine_reads_them() {
        let cases = [
            sst("<si><t>编号</t></si><si><t>技术名称</t></si>"),
            sst("<si><t></t></si><si><t>  padded \t\n</t></si>"),
            sst(
                r#"<si><t xml:space="preserve">  kept  </t></si><si><t xml:space="preserve"> </t></si>"#,
            ),
            sst("<si><t>&amp;&lt;&gt;&quot;&apos; a&amp;b &#20013;&#x4E2D;&#x1F4F7; 😀</t></si>"),
            sst("<si><t>_x000D_ literal _x005F_x000D_ and _xD83D__xDCF7_ _xD83D_x</t></si>"),
            sst("\n  <si><t>a</t></si>\r\n  <si><t>b\n\nc</t></si>\n"),
            sst(&"<si><t>量子计算与通信 &amp; 信息</t></si>".repeat(40)),
            sst(""),
            format!(
                "{}<sst a='x>y' uniqueCount=\"2\"><si><t>é</t></si></sst>trailing <junk",
                std::str::from_utf8(DECLARATION).unwrap()
            ),
        ];
        for xml in &cases {
            let want = calamines(xml.as_bytes());
            assert!(want.is_some(), "calamine reads {xml}");
            for chunk in (1..=9).chain([64, CHUNK]) {
                assert_eq!(plain(xml.as_bytes(), chunk), want, "chunk {chunk}: {xml}");
            }
        }
    }

    /// Anything but the plain form is left to calamine's reading.
    #[test]
    fn anything_else_is_left_to_calamine() {
        let decl = std::str::from_utf8(DECLARATION).unwrap();
        let cases = [
            sst("<si><t>line\r\nend</t></si>"),
            sst("<si><r><rPr><b/></rPr><t>rich</t></r><r><t>text</t></r></si>"),
            sst("<si><t>a</t><rPh sb=\"0\" eb=\"1\"><t>ア</t></rPh></si>"),
            sst("<si><t/></si>"),
            sst("<si/>"),
            sst("<si><t><![CDATA[x]]></t></si>"),
            sst("<si><t>a<!-- c --></t></si>"),
            sst("<si><t>lone & amp</t></si>"),
            sst("<si><t>&nbsp;</t></si>"),
            sst("<si><t>&#xD800;</t></si>"),
            sst("<si><t>a</t></si><extLst/>"),
            sst("<si><t >a</t></si>"),
            format!("\u{feff}{}", sst("<si><t>a</t></si>")),
            sst("<si><t>a</t></si>").replace("standalone=\"yes\"", "standalone=\"no\""),
            format!("{decl}<sst/>"),
            format!("{decl}<x:sst xmlns:x=\"u\"><x:si><x:t>a</x:t></x:si></x:sst>"),
            format!("{decl}<sst bad><si><t>a</t></si></sst>"),
            format!("{decl}<sst><si><t>a</t></si>"),
        ];
        for xml in &cases {
            for chunk in [1, 5, CHUNK] {
                assert_eq!(plain(xml.as_bytes(), chunk), None, "{xml}");
            }
        }
        // Not UTF-8, whole or cut: calamine fails, and so does the plain reading.
        let mut bad = sst("<si><t>中X</t></si>").into_bytes();
        let at = bad.iter().position(|&b| b == b'X').unwrap();
        for b in [0xFF, 0x80, 0xE4] {
            bad[at] = b;
            assert_eq!(calamines(&bad), None);
            for chunk in 1..=9 {
                assert_eq!(plain(&bad, chunk), None);
            }
        }
    }

    proptest::proptest! {
        /// Random texts from the characters that matter (white space, escapes, references,
        /// one- to four-byte characters), written as Excel writes them.
        #[test]
        fn random_plain_tables_read_as_calamine_reads_them(
            texts in proptest::collection::vec(
                (proptest::collection::vec(proptest::sample::select(vec![
                    " ", "\t", "\n", "a", "_", "_x000D_", "_x00", "&amp;", "&lt;", "&#20013;",
                    "&#x1F4F7;", "é", "中", "😀", ">", "\"",
                ]), 0..24), proptest::bool::ANY),
                0..8,
            ),
            chunk in 1usize..12,
        ) {
            let items: String = texts
                .iter()
                .map(|(parts, preserve)| {
                    let t = if *preserve { r#"<t xml:space="preserve">"# } else { "<t>" };
                    format!("<si>{t}{}</t></si>", parts.concat())
                })
                .collect();
            let xml = sst(&items);
            let want = calamines(xml.as_bytes());
            proptest::prop_assert!(want.is_some());
            proptest::prop_assert_eq!(plain(xml.as_bytes(), chunk), want);
        }
    }

    #[test]
    fn escapes_and_moves_are_calamines() {
        assert_eq!(unescape_xml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_xml("_xD83D__xDCF7_"), "\u{1F4F7}");
        assert_eq!(unescape_xml("_xD83D_x"), "\u{FFFD}x");
        assert_eq!(owned(" a ".into(), |v| unescape_xml(v.trim())), "a");
        assert_eq!(owned("ab".into(), unescape_xml), "ab");
    }
}
