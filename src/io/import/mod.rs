//! Reading batch files (XLSX, CSV in UTF-8 or GB18030, JSON) into raw rows, one module per
//! format; the encoding detection sits beside the CSV reader, which needs it most.
//!
//! Nothing here judges the content: that is `validate`'s job. This layer only
//! turns bytes into `(line, column, text)` so that every finding can name its place.

use crate::domain::batch::{BatchMeta, Field};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod biff;
mod csv;
mod encoding;
pub mod guard;
mod json;
mod lines;
mod records;
mod sst;
mod stream;
mod xlsx;

pub use csv::{UNCLOSED_QUOTE, sniff_delimiter, unclosed_quote};
pub use encoding::{DecodeError, TextEncoding, decode};
pub(crate) use lines::LineIndex;
pub(crate) use xlsx::first_sheet;

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
        message: crate::text::i18n::Msg,
    },
}

impl ImportError {
    /// The message in the catalogue (its English is the Display; the I/O cause is a source).
    pub fn msg(&self) -> crate::text::i18n::Msg {
        use crate::text::i18n::{Msg, T};
        match self {
            ImportError::Io { path, .. } => {
                Msg::new(T::ImpCannotRead, &[("path", &path.display().to_string())])
            }
            ImportError::Format { path } => {
                Msg::new(T::ImpFormat, &[("path", &path.display().to_string())])
            }
            ImportError::Malformed {
                path,
                line,
                message,
            } => Msg::new(
                T::EntLineAt,
                &[
                    ("path", &path.display().to_string()),
                    ("line", &line.to_string()),
                ],
            )
            .then(message.clone()),
        }
    }
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

/// What [`clean`] trims from a cell's ends.
fn trimmed(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Normalises a cell: line breaks to `\n`, surrounding white space trimmed.
pub fn clean(s: &str) -> String {
    // memchr, not `contains`: std's byte search was 4% of reading a batch of long texts.
    if memchr::memchr(b'\r', s.as_bytes()).is_some() {
        let s = s.replace("\r\n", "\n").replace('\r', "\n");
        s.trim_matches(trimmed).to_string()
    } else {
        s.trim_matches(trimmed).to_string()
    }
}

/// [`clean`] for a cell already owned: kept as it is when there is nothing to change.
fn clean_owned(s: String) -> String {
    // memchr, not `contains`: std's byte search was 2–3% of reading a batch of long texts.
    if memchr::memchr(b'\r', s.as_bytes()).is_some() || s.trim_matches(trimmed).len() != s.len() {
        clean(&s)
    } else {
        s
    }
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

/// Reads a batch file; CSV and JSON are decoded and parsed as they are read, never held whole.
pub fn read(path: &Path) -> Result<RawBatch, ImportError> {
    let format = Format::of(path).ok_or_else(|| ImportError::Format {
        path: path.to_path_buf(),
    })?;
    match format {
        Format::Csv | Format::Json => read_text(path, format, open_text(path)?),
        Format::Xlsx => read_xlsx_rows(path, &mut csv::Keep),
    }
}

/// A text batch (CSV or JSON) opened to be read as a stream, within the size cap.
fn open_text(path: &Path) -> Result<crate::io::fsafe::Capped, ImportError> {
    crate::io::fsafe::open_capped(path, crate::io::fsafe::MAX_BATCH_BYTES)
        .map_err(|source| io_error(path, source))
}

/// A batch file that could not be read.
pub(super) fn io_error(path: &Path, source: std::io::Error) -> ImportError {
    ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where a reader hands each data row as it reads it (CSV; a spreadsheet's once its sheet is
/// read), instead of keeping it in the batch.
pub trait RowSink {
    /// The reading starts, or starts again from the top (a file re-read as GB18030): forget
    /// every row had so far.
    fn start(&mut self);
    /// One data row, in file order; `raw` is the batch as read so far (its header found).
    /// `false` stops the reading there.
    fn row(&mut self, raw: &mut RawBatch, row: RawRow) -> bool;
}

/// Reads a spreadsheet batch (XLSX, XLSM, ODS, XLS), handing each data row to `sink` once the
/// sheet is read: the batch returned has the header's columns but only the rows the sink put in
/// it. Stops early when the sink says.
pub fn read_xlsx_rows(path: &Path, sink: &mut dyn RowSink) -> Result<RawBatch, ImportError> {
    let bytes = crate::io::fsafe::read(path, crate::io::fsafe::MAX_BATCH_BYTES)
        .map_err(|source| io_error(path, source))?;
    xlsx::read_xlsx_into(path, &bytes, sink)
}

/// [`read_xlsx_rows`] from bytes already in memory (`path` names it in messages).
pub fn read_xlsx_bytes_rows(
    path: &Path,
    bytes: &[u8],
    sink: &mut dyn RowSink,
) -> Result<RawBatch, ImportError> {
    xlsx::read_xlsx_into(path, bytes, sink)
}

/// Reads a CSV batch, handing each data row to `sink` as it is read: the batch returned has
/// the header's columns but only the rows the sink put in it. Stops early when the sink says.
pub fn read_csv_rows(path: &Path, sink: &mut dyn RowSink) -> Result<RawBatch, ImportError> {
    read_csv_from(path, open_text(path)?, sink)
}

/// [`read_csv_rows`] from bytes already in memory (`path` names it in messages).
pub fn read_csv_bytes_rows(
    path: &Path,
    bytes: &[u8],
    sink: &mut dyn RowSink,
) -> Result<RawBatch, ImportError> {
    read_csv_from(path, std::io::Cursor::new(bytes), sink)
}

/// [`read_csv_rows`] from any source.
fn read_csv_from<R: std::io::Read + std::io::Seek>(
    path: &Path,
    src: R,
    sink: &mut dyn RowSink,
) -> Result<RawBatch, ImportError> {
    let (mut raw, enc) = stream::read_text(path, src, true, |d| csv::read_csv_into(path, d, sink))?;
    raw.encoding = Some(enc);
    Ok(raw)
}

/// Reads a batch from bytes already in memory (`path` names it in messages).
pub fn read_bytes(path: &Path, format: Format, bytes: &[u8]) -> Result<RawBatch, ImportError> {
    match format {
        Format::Csv | Format::Json => read_text(path, format, std::io::Cursor::new(bytes)),
        Format::Xlsx => xlsx::read_xlsx_into(path, bytes, &mut csv::Keep),
    }
}

/// Reads a CSV or JSON batch as its text is decoded.
fn read_text<R: std::io::Read + std::io::Seek>(
    path: &Path,
    format: Format,
    src: R,
) -> Result<RawBatch, ImportError> {
    if format == Format::Json {
        return stream::read_text(path, src, false, |d| json::read_json(path, d)).map(|r| r.0);
    }
    read_csv_from(path, src, &mut csv::Keep)
}

/// A text file that does not decode, as a malformed-file error at its line.
fn encoding_error(path: &Path, e: DecodeError) -> ImportError {
    ImportError::Malformed {
        path: path.to_path_buf(),
        line: e.line(),
        message: e.msg(),
    }
}

/// A batch of `format` with nothing read yet.
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
/// at least three cells name known fields, else the first row. Paper sheets (`entry`) use it too.
pub(crate) fn header_index(known: impl IntoIterator<Item = usize>) -> usize {
    known
        .into_iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|n| n >= HEADER_MIN_FIELDS)
        .unwrap_or(0)
}

/// The spreadsheet letter of a 0-based column (0 → A, 26 → AA).
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
