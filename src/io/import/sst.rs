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
use std::io::{BufReader, Cursor, Write};

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::QName;

type XmlReader<'a> = quick_xml::Reader<BufReader<zip::read::ZipFile<'a, Cursor<&'a [u8]>>>>;

/// The shared strings of a workbook and the zip entry they were read from.
pub(super) struct Table {
    /// The entry's index in the zip.
    pub entry: usize,
    /// The strings, in order.
    pub strings: Vec<String>,
}

/// Reads the table calamine would read (`xl/sharedStrings.xml`, names compared as calamine
/// does); `None` when there is none or calamine would fail on it (then calamine reads alone).
pub(super) fn read(bytes: &[u8]) -> Option<Table> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let entry = (0..zip.len()).rev().find(|&i| {
        zip.name_for_index(i).and_then(Result::ok).is_some_and(|n| {
            n.replace('\\', "/")
                .eq_ignore_ascii_case("xl/sharedstrings.xml")
        })
    })?;
    let file = zip.by_index(entry).ok()?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(file));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let strings = read_strings(&mut xml)?;
    Some(Table { entry, strings })
}

/// calamine's `read_shared_strings`.
fn read_strings(xml: &mut XmlReader<'_>) -> Option<Vec<String>> {
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
fn read_string(
    xml: &mut XmlReader<'_>,
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
    while let Some(offset) = original[start..].find('_') {
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
    let raw = e.attributes_raw();
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

/// The workbook with entry `table.entry` replaced by a table of `table.strings.len()` markers
/// (stored, not deflated); every other entry copied as it is, still compressed.
pub(super) fn stub(bytes: &[u8], table: &Table, nonce: u64) -> Option<Vec<u8>> {
    let mut src = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() / 2)));
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    for i in 0..table.strings.len() {
        xml.push_str("<si><t>");
        xml.push_str(&marker(nonce, i));
        xml.push_str("</t></si>");
    }
    xml.push_str("</sst>");
    for i in 0..src.len() {
        if i == table.entry {
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

    #[test]
    fn escapes_and_moves_are_calamines() {
        assert_eq!(unescape_xml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_xml("_xD83D__xDCF7_"), "\u{1F4F7}");
        assert_eq!(unescape_xml("_xD83D_x"), "\u{FFFD}x");
        assert_eq!(owned(" a ".into(), |v| unescape_xml(v.trim())), "a");
        assert_eq!(owned("ab".into(), unescape_xml), "ab");
    }
}
