//! Reading batch files (XLSX, CSV in UTF-8 or GB18030, JSON) into raw rows.
//!
//! Nothing here judges the content: that is `validate`'s job. This layer only
//! turns bytes into `(line, column, text)` so that every finding can name its place.

use crate::domain::batch::{BatchMeta, Field};
use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// A batch file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The extension is not one revdesk reads.
    #[error("{path}: unknown batch format (use .xlsx, .csv or .json)")]
    Format {
        /// The file.
        path: PathBuf,
    },
    /// The content is not valid for its format.
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Where the problem is (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The `format` tag of a JSON batch (optional in the file).
pub const BATCH_FORMAT: &str = "revdesk-batch/1";

/// The file formats revdesk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A spreadsheet; the first sheet is read.
    Xlsx,
    /// Comma-separated values.
    Csv,
    /// The JSON batch format.
    Json,
}

impl Format {
    /// The format a path's extension names.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" | "xls" | "ods" => Some(Format::Xlsx),
            "csv" | "txt" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// The text encodings a CSV can arrive in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16 with a byte-order mark (Excel's "Unicode text").
    Utf16,
    /// GB18030 (a superset of GBK and GB2312), as Excel on Chinese Windows writes.
    Gb18030,
}

/// Text whose bytes are not valid in the encoding it was detected as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A UTF-8 byte-order mark, then bytes that are not UTF-8.
    #[error(
        "the file starts with a UTF-8 byte-order mark, but line {line} holds bytes that are not \
         UTF-8 (GBK text saved with a BOM?); re-save it as UTF-8 (Excel: \"CSV UTF-8\"), or as GBK \
         without a BOM"
    )]
    BomNotUtf8 {
        /// The line of the first bad byte.
        line: usize,
    },
    /// A UTF-16 byte-order mark, then text that is not UTF-16.
    #[error(
        "the file starts with a UTF-16 byte-order mark, but line {line} is not valid UTF-16; \
         re-save it as UTF-8"
    )]
    BadUtf16 {
        /// The line of the first bad code unit.
        line: usize,
    },
    /// UTF-8 text with a few bytes that are not UTF-8.
    #[error(
        "line {line} holds bytes that are not UTF-8 in a file that is otherwise UTF-8 (a damaged \
         or partly converted file?); correct that line and re-save the file as UTF-8"
    )]
    DamagedUtf8 {
        /// The line of the first bad byte.
        line: usize,
    },
    /// Neither UTF-8 nor GB18030.
    #[error(
        "the file is neither UTF-8 nor GBK/GB18030: line {line} holds bytes that are invalid in \
         both; re-save it as UTF-8 (Excel: \"CSV UTF-8\") or as GBK"
    )]
    NotText {
        /// The line of the first bad byte.
        line: usize,
    },
}

impl DecodeError {
    /// The line of the first bad byte.
    pub fn line(&self) -> usize {
        match self {
            DecodeError::BomNotUtf8 { line }
            | DecodeError::BadUtf16 { line }
            | DecodeError::DamagedUtf8 { line }
            | DecodeError::NotText { line } => *line,
        }
    }
}

/// Decodes text, detecting the encoding: a BOM wins, then valid UTF-8, else GB18030.
///
/// Valid UTF-8 is a strong signal: GBK text of any length is almost never valid UTF-8.
/// Nothing is replaced silently: bytes the detected encoding cannot read are an error
/// naming their line, so a damaged file is never read as mojibake.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), DecodeError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        return if enc == encoding_rs::UTF_8 {
            decode_strict(enc, body)
                .map(|t| (t, TextEncoding::Utf8))
                .map_err(|line| DecodeError::BomNotUtf8 { line })
        } else {
            decode_strict(enc, body)
                .map(|t| (t, TextEncoding::Utf16))
                .map_err(|line| DecodeError::BadUtf16 { line })
        };
    }
    let first_bad = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok((s.to_string(), TextEncoding::Utf8)),
        Err(e) => e.valid_up_to(),
    };
    if looks_like_damaged_utf8(bytes) {
        // The prefix before the first bad byte is valid UTF-8 by definition.
        let prefix = std::str::from_utf8(&bytes[..first_bad]).unwrap_or("");
        return Err(DecodeError::DamagedUtf8 {
            line: lines_in(prefix),
        });
    }
    decode_strict(encoding_rs::GB18030, bytes)
        .map(|t| (t, TextEncoding::Gb18030))
        .map_err(|line| DecodeError::NotText { line })
}

/// Decodes without replacement; `Err` is the line of the first malformed sequence.
fn decode_strict(enc: &'static encoding_rs::Encoding, bytes: &[u8]) -> Result<String, usize> {
    use encoding_rs::DecoderResult;
    let mut dec = enc.new_decoder_without_bom_handling();
    let cap = dec
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len());
    let mut out = String::with_capacity(cap);
    let mut src = bytes;
    loop {
        let (res, read) = dec.decode_to_string_without_replacement(src, &mut out, true);
        src = &src[read..];
        match res {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(src.len().saturating_mul(3) + 16),
            // `out` holds exactly the text before the bad sequence.
            DecoderResult::Malformed(..) => return Err(lines_in(&out)),
        }
    }
}

/// Whether invalid UTF-8 is more likely a damaged UTF-8 file than GBK: in GBK text only a
/// minority of characters happen to form valid multi-byte UTF-8, while a UTF-8 file with a
/// few broken bytes has valid multi-byte sequences by the hundred.
fn looks_like_damaged_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, skip) = match std::str::from_utf8(rest) {
            Ok(s) => (s, rest.len()),
            Err(e) => {
                invalid += 1;
                let n = e.valid_up_to();
                (
                    std::str::from_utf8(&rest[..n]).unwrap_or(""),
                    n + e.error_len().unwrap_or(rest.len() - n),
                )
            }
        };
        multibyte += valid.chars().filter(|c| c.len_utf8() > 1).count();
        rest = &rest[skip.min(rest.len())..];
    }
    invalid > 0 && multibyte >= 10 * invalid
}

/// Normalises a cell: line breaks to `\n`, surrounding white space trimmed.
pub fn clean(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_string()
}

/// One row of a batch as read, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawRow {
    /// CSV line, sheet row or JSON item index (1-based).
    pub line: usize,
    /// Known fields with their cleaned text.
    pub values: BTreeMap<Field, String>,
    /// Cells up to the last non-empty one (CSV/XLSX), to catch cells beyond the header.
    pub cells: usize,
    /// Fields whose spreadsheet cell holds a number, not text (XLSX).
    pub numeric: Vec<Field>,
}

impl RawRow {
    /// The text of a field, empty when absent.
    pub fn get(&self, f: Field) -> &str {
        self.values.get(&f).map(String::as_str).unwrap_or("")
    }
}

/// A batch file as read.
#[derive(Debug, Clone)]
pub struct RawBatch {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// The encoding (CSV only).
    pub encoding: Option<TextEncoding>,
    /// Metadata (JSON only; empty otherwise).
    pub meta: BatchMeta,
    /// Line of the header row (CSV/XLSX) — where column findings point.
    pub header_line: usize,
    /// Header cells up to the last non-empty one (CSV/XLSX).
    pub header_width: usize,
    /// Fields that have a column (CSV/XLSX) or appear in any item (JSON).
    pub columns: Vec<Field>,
    /// Columns that map to no field, with their place.
    pub unknown_columns: Vec<String>,
    /// Columns naming a field a second time.
    pub duplicate_columns: Vec<(Field, String)>,
    /// The rows, in file order.
    pub rows: Vec<RawRow>,
}

/// Reads a batch file.
pub fn read(path: &Path) -> Result<RawBatch, ImportError> {
    let format = Format::of(path).ok_or_else(|| ImportError::Format {
        path: path.to_path_buf(),
    })?;
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_bytes(path, format, &bytes)
}

/// Reads a batch from bytes already in memory (`path` names it in messages).
pub fn read_bytes(path: &Path, format: Format, bytes: &[u8]) -> Result<RawBatch, ImportError> {
    match format {
        Format::Csv => {
            let (text, enc) = decode(bytes).map_err(|e| encoding_error(path, e))?;
            let mut raw = read_csv(path, &text)?;
            raw.encoding = Some(enc);
            Ok(raw)
        }
        Format::Xlsx => read_xlsx(path, bytes),
        Format::Json => read_json(path, bytes),
    }
}

fn encoding_error(path: &Path, e: DecodeError) -> ImportError {
    ImportError::Malformed {
        path: path.to_path_buf(),
        line: e.line(),
        message: e.to_string(),
    }
}

fn empty(path: &Path, format: Format) -> RawBatch {
    RawBatch {
        path: path.to_path_buf(),
        format,
        encoding: None,
        meta: BatchMeta::default(),
        header_line: 1,
        header_width: 0,
        columns: vec![],
        unknown_columns: vec![],
        duplicate_columns: vec![],
        rows: vec![],
    }
}

/// Maps a header row to fields, noting unknown and duplicate columns.
fn map_header(raw: &mut RawBatch, headers: &[String]) -> Vec<Option<Field>> {
    let mut map = Vec::with_capacity(headers.len());
    for h in headers {
        let f = Field::from_header(h);
        match f {
            Some(f) if raw.columns.contains(&f) => {
                raw.duplicate_columns.push((f, h.trim().to_string()));
                map.push(None);
            }
            Some(f) => {
                raw.columns.push(f);
                map.push(Some(f));
            }
            None => {
                if !h.trim().is_empty() {
                    raw.unknown_columns.push(h.trim().to_string());
                }
                map.push(None);
            }
        }
    }
    map
}

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
pub(crate) fn lines_in(text: &str) -> usize {
    1 + line_breaks(text.as_bytes()).len()
}

/// Rows before the header that may be searched for it (a title row, a note, a blank).
const HEADER_SEARCH_ROWS: usize = 10;
/// Cells naming known fields that make a row the header.
const HEADER_MIN_FIELDS: usize = 3;

/// How many cells of a row name a known field.
fn known_fields<'s>(cells: impl IntoIterator<Item = &'s str>) -> usize {
    cells
        .into_iter()
        .filter(|c| Field::from_header(c).is_some())
        .count()
}

/// The index of the header among `rows` (non-empty rows, in order): the first row in which
/// at least three cells name known fields, else the first row.
fn header_index(known: impl IntoIterator<Item = usize>) -> usize {
    known
        .into_iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|n| n >= HEADER_MIN_FIELDS)
        .unwrap_or(0)
}

/// The number of cells up to the last non-empty one.
pub(crate) fn used_width<'s>(cells: impl IntoIterator<Item = &'s str>) -> usize {
    cells
        .into_iter()
        .enumerate()
        .filter(|(_, c)| !c.trim().is_empty())
        .map(|(i, _)| i + 1)
        .last()
        .unwrap_or(0)
}

/// Non-empty physical lines, split on any line end.
fn first_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\r', '\n'])
        .filter(|l| !l.trim().is_empty())
        .take(HEADER_SEARCH_ROWS)
}

/// The field delimiter: a tab for tab-separated text (Excel's "Unicode text" is UTF-16 with
/// tabs), else a comma. The header line decides: tabs and no commas means tabs.
pub fn sniff_delimiter(text: &str) -> u8 {
    let tabbed = |l: &str| l.contains('\t') && !l.contains(',');
    for line in first_lines(text) {
        if known_fields(line.split(',')) >= HEADER_MIN_FIELDS {
            return b',';
        }
        if tabbed(line) && known_fields(line.split('\t')) >= HEADER_MIN_FIELDS {
            return b'\t';
        }
    }
    // No recognisable header: go by the first line.
    match first_lines(text).next() {
        Some(l) if tabbed(l) => b'\t',
        _ => b',',
    }
}

/// Where a quoted field that is never closed opens (a byte offset), if anywhere.
///
/// The csv crate closes such a field silently at the end of the file, swallowing every
/// row after it. This follows its (RFC 4180) rules: a quote opens a quoted field only at
/// the start of a field; inside one, `""` is a quote and a lone `"` closes it.
pub fn unclosed_quote(text: &str, delimiter: u8) -> Option<usize> {
    let b = text.as_bytes();
    let mut open = None;
    let mut field_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if open.is_some() {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    open = None;
                    field_start = false;
                }
            }
        } else if c == b'"' && field_start {
            open = Some(i);
        } else {
            field_start = c == delimiter || c == b'\n' || c == b'\r';
        }
        i += 1;
    }
    open
}

/// The message for an unclosed quote.
pub const UNCLOSED_QUOTE: &str = "a quoted field opens on this line and is never closed, so \
     every row after it would be read into that one cell; close the quote (\"\") or remove it";

/// Non-empty CSV records with the line each starts on.
fn csv_records<'t>(
    text: &'t str,
    delimiter: u8,
    lines: &'t LineIndex<'t>,
) -> impl Iterator<Item = Result<(usize, csv::StringRecord), csv::Error>> + 't {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
        .into_records()
        .filter_map(move |r| match r {
            Ok(rec) if rec.iter().all(|c| c.trim().is_empty()) => None,
            Ok(rec) => {
                let line = rec
                    .position()
                    .map(|p| lines.line_at(p.byte() as usize))
                    .unwrap_or(0);
                Some(Ok((line, rec)))
            }
            Err(e) => Some(Err(e)),
        })
}

fn read_csv(path: &Path, text: &str) -> Result<RawBatch, ImportError> {
    let mut raw = empty(path, Format::Csv);
    let lines = LineIndex::new(text);
    let malformed = |line: usize, message: String| ImportError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let delimiter = sniff_delimiter(text);
    if let Some(at) = unclosed_quote(text, delimiter) {
        return Err(malformed(lines.line_of(at), UNCLOSED_QUOTE.into()));
    }
    let csv_error = |e: csv::Error| {
        let line = e
            .position()
            .map(|p| lines.line_at(p.byte() as usize))
            .unwrap_or(0);
        malformed(line, format!("not valid CSV: {e}"))
    };
    // Find the header first: a title row above it is skipped, not read as the header.
    let mut known = Vec::new();
    for r in csv_records(text, delimiter, &lines).take(HEADER_SEARCH_ROWS) {
        let (_, rec) = r.map_err(csv_error)?;
        known.push(known_fields(rec.iter()));
    }
    if known.is_empty() {
        return Err(malformed(1, "the file is empty: no header row".into()));
    }
    let header_at = header_index(known);
    let mut map: Vec<Option<Field>> = Vec::new();
    for (n, r) in csv_records(text, delimiter, &lines).enumerate() {
        let (line, rec) = r.map_err(csv_error)?;
        if n < header_at {
            continue;
        }
        if n == header_at {
            raw.header_line = line;
            raw.header_width = used_width(rec.iter());
            let headers: Vec<String> = rec.iter().map(str::to_string).collect();
            map = map_header(&mut raw, &headers);
            continue;
        }
        let mut row = RawRow {
            line,
            cells: used_width(rec.iter()),
            ..RawRow::default()
        };
        for (i, cell) in rec.iter().enumerate() {
            if let Some(Some(f)) = map.get(i) {
                row.values.insert(*f, clean(cell));
            }
        }
        raw.rows.push(row);
    }
    Ok(raw)
}

/// Formats a spreadsheet cell as the text a person typed.
fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Whole numbers (TRL 7, phone 13800000000) must not become "7.0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn read_xlsx(path: &Path, bytes: &[u8]) -> Result<RawBatch, ImportError> {
    use calamine::Reader;
    let malformed = |line: usize, message: String| ImportError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| malformed(0, format!("not a readable spreadsheet: {e}")))?;
    let range = match wb.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(malformed(0, format!("cannot read the first sheet: {e}"))),
        None => return Err(malformed(0, "the workbook has no sheets".into())),
    };
    let mut raw = empty(path, Format::Xlsx);
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    // (sheet row, cells) of the non-empty rows.
    let rows: Vec<(usize, &[calamine::Data])> = range
        .rows()
        .enumerate()
        .map(|(i, cells)| (first_row + i + 1, cells))
        .filter(|(_, cells)| cells.iter().any(|c| !cell_text(c).trim().is_empty()))
        .collect();
    if rows.is_empty() {
        return Err(malformed(
            1,
            "the first sheet is empty: no header row".into(),
        ));
    }
    let texts = |cells: &[calamine::Data]| -> Vec<String> { cells.iter().map(cell_text).collect() };
    let header_at = header_index(rows.iter().map(|(_, cells)| {
        let t = texts(cells);
        known_fields(t.iter().map(String::as_str))
    }));
    let (header_line, header_cells) = rows[header_at];
    let headers = texts(header_cells);
    raw.header_line = header_line;
    raw.header_width = used_width(headers.iter().map(String::as_str));
    let map = map_header(&mut raw, &headers);
    for &(line, cells) in &rows[header_at + 1..] {
        let t = texts(cells);
        let mut row = RawRow {
            line,
            cells: used_width(t.iter().map(String::as_str)),
            ..RawRow::default()
        };
        for (j, (text, cell)) in t.iter().zip(cells).enumerate() {
            if let Some(Some(f)) = map.get(j) {
                row.values.insert(*f, clean(text));
                if matches!(cell, calamine::Data::Float(_) | calamine::Data::Int(_)) {
                    row.numeric.push(*f);
                }
            }
        }
        raw.rows.push(row);
    }
    Ok(raw)
}

fn json_text(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        // Industry codes may come as an array of strings.
        Value::Array(a) => a.iter().map(json_text).collect::<Vec<_>>().join("；"),
        Value::Object(_) => v.to_string(),
    }
}

/// The line of the first `"key"` in JSON text (1 when not found), to point at metadata.
fn key_line(text: &str, key: &str) -> usize {
    text.find(&format!("\"{key}\""))
        .map_or(1, |at| lines_in(&text[..at]))
}

fn read_json(path: &Path, bytes: &[u8]) -> Result<RawBatch, ImportError> {
    use serde_json::Value;
    let (text, _) = decode(bytes).map_err(|e| encoding_error(path, e))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| ImportError::Malformed {
        path: path.to_path_buf(),
        line: e.line(),
        message: format!("not valid JSON: {e}"),
    })?;
    let mut raw = empty(path, Format::Json);
    let items = match &v {
        Value::Array(a) => a,
        Value::Object(o) => {
            // Metadata of the wrong type is an error, not silently ignored: a
            // `"final_review": "yes"` read as false would review the batch as a domain batch.
            let wrong_type = |k: &str, want: &str| ImportError::Malformed {
                path: path.to_path_buf(),
                line: key_line(&text, k),
                message: format!(
                    "\"{k}\" must be {want}, not {}",
                    o.get(k).map(Value::to_string).unwrap_or_default()
                ),
            };
            let s = |k: &str| match o.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(v)) => Ok(Some(v.clone())),
                Some(_) => Err(wrong_type(k, "a string")),
            };
            if let Some(f) = s("format")?
                && f != BATCH_FORMAT
            {
                return Err(ImportError::Malformed {
                    path: path.to_path_buf(),
                    line: key_line(&text, "format"),
                    message: format!(
                        "\"format\" is \"{f}\": this revdesk reads \"{BATCH_FORMAT}\" batches"
                    ),
                });
            }
            raw.meta.title = s("title")?.unwrap_or_default();
            raw.meta.profile = s("profile")?.unwrap_or_default();
            raw.meta.domain = s("domain")?.filter(|d| !d.trim().is_empty());
            raw.meta.final_review = match o.get("final_review") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(wrong_type("final_review", "true or false")),
            };
            match o.get("items") {
                Some(Value::Array(a)) => a,
                _ => {
                    return Err(ImportError::Malformed {
                        path: path.to_path_buf(),
                        line: 1,
                        message: "expected an \"items\" array".into(),
                    });
                }
            }
        }
        _ => {
            return Err(ImportError::Malformed {
                path: path.to_path_buf(),
                line: 1,
                message: "expected an object with \"items\", or an array of items".into(),
            });
        }
    };
    for (i, item) in items.iter().enumerate() {
        let mut row = RawRow {
            line: i + 1,
            ..RawRow::default()
        };
        let Value::Object(o) = item else {
            return Err(ImportError::Malformed {
                path: path.to_path_buf(),
                line: i + 1,
                message: format!("item {} is not an object", i + 1),
            });
        };
        for (k, val) in o {
            match Field::from_header(k) {
                Some(f) => {
                    if !raw.columns.contains(&f) {
                        raw.columns.push(f);
                    }
                    row.values.insert(f, clean(&json_text(val)));
                }
                None => {
                    if !raw.unknown_columns.contains(k) {
                        raw.unknown_columns.push(k.clone());
                    }
                }
            }
        }
        raw.rows.push(row);
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_encodings() {
        let s = "编号,技术名称\nA-1,量子点显示\n";
        assert_eq!(
            decode(s.as_bytes()),
            Ok((s.to_string(), TextEncoding::Utf8))
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode(&bom), Ok((s.to_string(), TextEncoding::Utf8)));
        let (gb, _, _) = encoding_rs::GB18030.encode(s);
        assert_eq!(decode(&gb), Ok((s.to_string(), TextEncoding::Gb18030)));
        let mut u16 = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            u16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&u16), Ok((s.to_string(), TextEncoding::Utf16)));
    }

    #[test]
    fn undecodable_bytes_are_errors_with_their_line() {
        let s = "编号,技术名称,domain\nA-1,量子点显示,biomedicine\nA-2,生物材料,biomedicine\n";
        // A BOM, then GBK: the Notepad/Excel mix-up.
        let (gb, _, _) = encoding_rs::GB18030.encode(s);
        let mut bom_gbk = vec![0xEF, 0xBB, 0xBF];
        bom_gbk.extend_from_slice(&gb);
        assert_eq!(decode(&bom_gbk), Err(DecodeError::BomNotUtf8 { line: 1 }));
        // UTF-8 with one stray byte on line 3 is damaged UTF-8, not GBK mojibake.
        let long = s.repeat(3);
        let mut damaged = long.as_bytes().to_vec();
        let at = long.find("生物").unwrap();
        damaged[at + 1] = 0xFF;
        let e = decode(&damaged).unwrap_err();
        assert_eq!(e, DecodeError::DamagedUtf8 { line: 3 });
        assert!(e.to_string().contains("re-save the file as UTF-8"), "{e}");
        // Bytes invalid in GB18030 too (0xFF never starts a character).
        let mut bad = gb.to_vec();
        bad.extend_from_slice(b"A-3,\x80\xff\n");
        assert_eq!(decode(&bad), Err(DecodeError::NotText { line: 4 }));
        // UTF-16 with an unpaired surrogate.
        let mut u16 = vec![0xFF, 0xFE];
        for u in "a\nb\n".encode_utf16().chain([0xD800, 0x41]) {
            u16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&u16), Err(DecodeError::BadUtf16 { line: 3 }));
    }

    #[test]
    fn a_gbk_file_is_not_mistaken_for_damaged_utf8() {
        // Some GBK characters happen to be valid UTF-8 (小 = D0 A1); most are not.
        let s = "编号,技术名称,推荐单位\nA-1,小型化量子点显示,中国电子学会\nA-2,小分子药物,中国药学会\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(s);
        assert_eq!(decode(&gb), Ok((s.to_string(), TextEncoding::Gb18030)));
    }

    #[test]
    fn encoding_errors_name_file_and_line() {
        let mut bytes = b"\xEF\xBB\xBFid,name\r\nA-1,ok\r\nA-2,".to_vec();
        bytes.extend_from_slice(&encoding_rs::GB18030.encode("量子").0);
        let e = read_bytes(Path::new("b.csv"), Format::Csv, &bytes).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("b.csv:3: the file starts with a UTF-8 byte-order mark"),
            "{e}"
        );
    }

    #[test]
    fn csv_lines_count_quoted_newlines() {
        let text = "编号,技术名称,备注\r\nA-1,\"两行\r\n名称\",x\r\n\r\nA-2,第二,y\r\n";
        let raw = read_csv(Path::new("t.csv"), text).unwrap();
        assert_eq!(raw.header_line, 1);
        assert_eq!(raw.unknown_columns, vec!["备注"]);
        assert_eq!(raw.rows.len(), 2);
        assert_eq!(raw.rows[0].line, 2);
        assert_eq!(raw.rows[0].get(Field::Name), "两行\n名称");
        assert_eq!(raw.rows[1].line, 5);
    }

    #[test]
    fn cr_only_line_ends_count_lines() {
        // Excel for Mac's "CSV (Macintosh)": a lone CR ends each line.
        let text = "编号,技术名称\rA-1,\"两行\r名称\"\r\rA-2,第二\r";
        let raw = read_csv(Path::new("t.csv"), text).unwrap();
        assert_eq!(raw.rows.len(), 2);
        assert_eq!(raw.rows[0].line, 2);
        assert_eq!(raw.rows[0].get(Field::Name), "两行\n名称");
        assert_eq!(raw.rows[1].line, 5);
        assert_eq!(lines_in("a\rb\r\nc\nd"), 4);
    }

    #[test]
    fn quote_scan_follows_rfc_4180() {
        assert_eq!(unclosed_quote("a,\"b\"\"c\",d\n", b','), None);
        assert_eq!(
            unclosed_quote("a,b\"c,d\n", b','),
            None,
            "a quote inside a field is text"
        );
        assert_eq!(unclosed_quote("a,\"b\"c,\"d\n\"\n", b','), None);
        assert_eq!(unclosed_quote("a,\"b\ne,f\n", b','), Some(2));
        assert_eq!(unclosed_quote("a\t\"b\"\"\n", b'\t'), Some(2));
        assert_eq!(
            unclosed_quote("a, \"b\n", b','),
            None,
            "not at a field start"
        );
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        let text = "编号,技术名称,备注\nA-1,x,y\nA-2,\"两行\n名称\",y\nA-3,\"没有闭合,z\nA-4,w,v\n";
        let e = read_csv(Path::new("t.csv"), text).unwrap_err();
        assert!(
            e.to_string().starts_with("t.csv:5: a quoted field opens"),
            "{e}"
        );
    }

    #[test]
    fn cells_beyond_the_header_are_counted() {
        let text = "编号,技术名称,\nA-1,x,,,\nA-2,x,y\n";
        let raw = read_csv(Path::new("t.csv"), text).unwrap();
        assert_eq!(raw.header_width, 2);
        assert_eq!((raw.rows[0].cells, raw.rows[1].cells), (2, 3));
    }

    #[test]
    fn the_header_is_the_first_row_naming_fields() {
        let text = "汇总表,,\n填表日期：2020年8月,,\n编号,*技术名称,技术团队简介（不超过300字）\nA-1,x,t\n";
        let raw = read_csv(Path::new("t.csv"), text).unwrap();
        assert_eq!(raw.header_line, 3);
        assert_eq!(raw.columns, vec![Field::Id, Field::Name, Field::Team]);
        assert!(raw.unknown_columns.is_empty());
        assert_eq!((raw.rows.len(), raw.rows[0].line), (1, 4));
        // No row names three fields: the first row is the header, as before.
        let raw = read_csv(Path::new("t.csv"), "a,b\n1,2\n").unwrap();
        assert_eq!((raw.header_line, raw.rows.len()), (1, 1));
    }

    #[test]
    fn tabs_are_sniffed_from_the_header_line() {
        assert_eq!(
            sniff_delimiter("编号\t技术名称\t所属领域\nA-1\tx, y\tz\n"),
            b'\t'
        );
        assert_eq!(sniff_delimiter("标题\n编号\t技术名称\t所属领域\n"), b'\t');
        assert_eq!(sniff_delimiter("编号,技术名称,所属领域\nA\tB,x,y\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\n"), b'\t');
        assert_eq!(sniff_delimiter("a,b\tc\n"), b',');
        let raw = read_csv(
            Path::new("t.txt"),
            "编号\t技术名称\t所属领域\nA-1\t甲,乙\t生物医药\n",
        )
        .unwrap();
        assert_eq!(raw.rows[0].get(Field::Name), "甲,乙");
    }

    #[test]
    fn duplicate_and_empty_csv() {
        let raw = read_csv(Path::new("t.csv"), "编号,id,name\n1,2,3\n").unwrap();
        assert_eq!(raw.duplicate_columns, vec![(Field::Id, "id".to_string())]);
        assert_eq!(raw.rows[0].get(Field::Id), "1");
        assert!(read_csv(Path::new("t.csv"), "\n\n").is_err());
    }

    #[test]
    fn json_metadata_of_the_wrong_type_is_malformed() {
        let j = b"{\n  \"title\": \"T\",\n  \"final_review\": \"yes\",\n  \"items\": []\n}";
        let e = read_json(Path::new("t.json"), j).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json:3: \"final_review\" must be true or false, not \"yes\""
        );
        let e = read_json(Path::new("t.json"), br#"{"domain": 3, "items": []}"#).unwrap_err();
        assert!(e.to_string().contains("\"domain\" must be a string"), "{e}");
        let raw = read_json(
            Path::new("t.json"),
            br#"{"final_review": null, "items": []}"#,
        )
        .unwrap();
        assert!(!raw.meta.final_review);
    }

    #[test]
    fn json_items_and_meta() {
        let j = br#"{"title":"T","domain":"biomedicine","items":[{"id":"B-1","trl":7,"industry":["C2710","2720"],"extra":1}]}"#;
        let raw = read_json(Path::new("t.json"), j).unwrap();
        assert_eq!(raw.meta.domain.as_deref(), Some("biomedicine"));
        assert_eq!(raw.rows[0].get(Field::Trl), "7");
        assert_eq!(raw.rows[0].get(Field::Industry), "C2710；2720");
        assert_eq!(raw.unknown_columns, vec!["extra"]);
        let e = read_json(Path::new("t.json"), b"{\"items\": [1,").unwrap_err();
        assert!(e.to_string().starts_with("t.json:1: not valid JSON"), "{e}");
    }
}
