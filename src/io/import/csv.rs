//! Reading CSV (or tab-separated) batches: delimiter, header row, quoted fields.

use std::io::{Read, Seek};
use std::path::Path;

use super::records::{Record, Records};
use super::stream::Decoding;
use super::{
    Format, HEADER_MIN_FIELDS, HEADER_SEARCH_ROWS, ImportError, RawBatch, RawRow, RowSink, clean,
    empty, header_index, known_fields, map_header, used_width,
};
use crate::domain::batch::Field;
use crate::text::i18n::{Msg, T};

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

/// The fields of a record read as bytes, each checked to be UTF-8 as `csv::StringRecord`
/// checks them (field by field), by simdutf8: std's check of CJK text took a sixth of
/// `validate`'s time. `None` when a field is not UTF-8.
///
/// Fields are the file's bytes less some `"`, so a field that is not UTF-8 means a file that
/// is not ([`read_text`](super::stream::read_text) then decides on the whole file).
fn utf8_fields<'r>(rec: &'r Record, out: &mut Vec<&'r str>) -> bool {
    out.clear();
    for field in rec.fields() {
        match simdutf8::basic::from_utf8(field) {
            Ok(s) => out.push(s),
            Err(_) => return false,
        }
    }
    true
}

/// csv's own error for a record with a field that is not UTF-8 (`csv::StringRecord` would have
/// stopped the reading with it), the record starting on `line`.
///
/// It never reaches a user: a field that is not UTF-8 means a file that is not, which
/// [`read_text`](super::stream::read_text) then reports or reads again as GB18030.
fn utf8_error(rec: &Record, line: usize) -> String {
    let (field, near) = rec
        .fields()
        .enumerate()
        .find_map(|(i, f)| std::str::from_utf8(f).err().map(|e| (i, e.valid_up_to())))
        .unwrap_or((0, 0));
    format!(
        "CSV parse error: record {} (line {}, field: {}, byte: {}): invalid utf-8: invalid \
         UTF-8 in field {} near byte index {}",
        rec.index(),
        line,
        field,
        rec.byte(),
        field,
        near
    )
}

/// A data row from a record's fields, through the header's field map.
fn row_of_fields(line: usize, fields: &[&str], map: &[Option<Field>]) -> RawRow {
    let mut row = RawRow {
        line,
        cells: used_width(fields.iter().copied()),
        ..RawRow::default()
    };
    for (cell, f) in fields.iter().zip(map) {
        if let Some(f) = f {
            row.values.insert(*f, clean(cell));
        }
    }
    row
}

/// The sink that keeps every row in the batch.
pub(super) struct Keep;

impl RowSink for Keep {
    fn start(&mut self) {}

    fn row(&mut self, raw: &mut RawBatch, row: RawRow) -> bool {
        raw.rows.push(row);
        true
    }
}

/// Reads CSV text as it is decoded: the header row (after any title rows), then one row per
/// record, each handed to `sink` as it is read (the batch's `rows` stay as the sink leaves
/// them; [`Keep`] keeps them). Only the first records are held until the header is found. The
/// reading stops early when the sink says so.
pub(super) fn read_csv_into<R: Read + Seek>(
    path: &Path,
    dec: &mut Decoding<R>,
    sink: &mut dyn RowSink,
) -> Result<RawBatch, ImportError> {
    sink.start();
    let mut raw = empty(path, Format::Csv);
    let malformed = |line: usize, message: Msg| ImportError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let io_error = |source| super::io_error(path, source);
    let delimiter = sniff_delimiter(dec.prefix_lines(HEADER_SEARCH_ROWS).map_err(io_error)?);
    dec.watch_quotes(delimiter);
    let mut rdr = Records::new(&mut *dec, delimiter);
    // The first records, until the header is found among them.
    let mut first: Vec<(usize, Vec<String>)> = Vec::new();
    let mut map: Option<Vec<Option<Field>>> = None;
    // One record, its bytes reused from record to record, checked to be UTF-8 once.
    let mut rec = Record::default();
    let mut io_failed = None;
    // Where a field is not UTF-8 (as csv's own UTF-8 error would stop the reading).
    let mut not_utf8 = None;
    loop {
        match rdr.read(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // The decoder's failure (kept in `dec`) is what `read_text` reports.
                io_failed = Some(e);
                break;
            }
        }
        let mut fields = Vec::with_capacity(rec.len());
        if !utf8_fields(&rec, &mut fields) {
            let line = rdr.get_mut().line_at(rec.byte());
            not_utf8 = Some((line, utf8_error(&rec, line)));
            break;
        }
        if fields.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = rdr.get_mut().line_at(rec.byte());
        let more = match &map {
            Some(map) => sink.row(&mut raw, row_of_fields(line, &fields, map)),
            None => {
                first.push((line, fields.iter().map(|f| f.to_string()).collect()));
                if first.len() == HEADER_SEARCH_ROWS {
                    let (m, more) = take_header(&mut raw, &mut first, sink);
                    map = Some(m);
                    more
                } else {
                    true
                }
            }
        };
        if !more {
            return Ok(raw);
        }
    }
    drop(rdr);
    // As when the whole text was checked before parsing: an unclosed quote is said first.
    if let Some(line) = dec.unclosed_quote_line() {
        return Err(malformed(line, Msg::new(T::UnclosedQuote, &[])));
    }
    if let Some((line, err)) = not_utf8 {
        return Err(malformed(line, Msg::new(T::EntNotCsv, &[("err", &err)])));
    }
    if let Some(e) = io_failed {
        return Err(malformed(
            0,
            Msg::new(T::EntNotCsv, &[("err", &e.to_string())]),
        ));
    }
    if map.is_none() {
        if first.is_empty() {
            return Err(malformed(1, Msg::new(T::EntEmpty, &[])));
        }
        take_header(&mut raw, &mut first, sink);
    }
    Ok(raw)
}

/// Finds the header among the first records, maps it and hands the records after it to `sink`
/// as rows; the field map for the records still to come, and whether the sink wants them.
fn take_header(
    raw: &mut RawBatch,
    first: &mut Vec<(usize, Vec<String>)>,
    sink: &mut dyn RowSink,
) -> (Vec<Option<Field>>, bool) {
    let header_at = header_index(
        first
            .iter()
            .map(|(_, rec)| known_fields(rec.iter().map(String::as_str))),
    );
    let mut records = std::mem::take(first).into_iter().skip(header_at);
    let Some((line, header)) = records.next() else {
        return (vec![], true);
    };
    raw.header_line = line;
    raw.header_width = used_width(header.iter().map(String::as_str));
    let map = map_header(raw, &header);
    for (line, rec) in records {
        let fields: Vec<&str> = rec.iter().map(String::as_str).collect();
        if !sink.row(raw, row_of_fields(line, &fields, &map)) {
            return (map, false);
        }
    }
    (map, true)
}

#[cfg(test)]
mod tests {
    use super::super::LineIndex;
    use super::super::lines::lines_in;
    use super::*;

    /// Reads CSV text through the streaming reader.
    fn read_csv(path: &Path, text: &str) -> Result<RawBatch, ImportError> {
        let src = std::io::Cursor::new(text.as_bytes());
        super::super::stream::read_text(path, src, true, |d| read_csv_into(path, d, &mut Keep))
            .map(|(raw, _)| raw)
    }

    /// A row as read: its line, its cells, its fields' text.
    type Read = (usize, usize, Vec<(Field, String)>);

    /// The rows as the reader read them before it took records as bytes: `csv::StringRecord`,
    /// blank records skipped, the first record the header (none of these texts has title rows).
    fn rows_through_string_records(text: &str) -> Vec<Read> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = rdr
            .records()
            .map(Result::unwrap)
            .filter(|r| !r.iter().all(|c| c.trim().is_empty()));
        let header = records.next().unwrap();
        let map: Vec<Option<Field>> = header.iter().map(Field::from_header).collect();
        records
            .map(|r| {
                let line = LineIndex::new(text).line_at(r.position().unwrap().byte() as usize);
                let values = r
                    .iter()
                    .zip(&map)
                    .filter_map(|(c, f)| f.map(|f| (f, clean(c))))
                    .collect();
                (line, used_width(r.iter()), values)
            })
            .collect()
    }

    #[test]
    fn rows_read_from_byte_records_are_those_string_records_gave() {
        let texts = [
            "编号,技术名称,技术团队简介\r\nA-1,\"两行\r\n名称\",\" 团队 \"\r\n\r\n,,\r\nA-2,\"引\"\"号\",x\r\n",
            "编号,技术名称,技术团队简介\nA-1,a\"b,c\nA-2,\"a\"b,c,d\n\nA-3\n",
            "编号,技术名称,技术团队简介\rA-1,\u{3000}全角\u{3000},\r\rA-2,x,y,z,w\r",
            "\u{feff}编号,技术名称,技术团队简介\nA-1,\t制表\t,\"\"\n  ,\t\nA-2,é,ü",
        ];
        for text in texts {
            let raw = read_csv(Path::new("t.csv"), text).unwrap();
            let got: Vec<Read> = raw
                .rows
                .iter()
                .map(|r| (r.line, r.cells, r.values.clone().into_iter().collect()))
                .collect();
            let mut want = rows_through_string_records(text);
            assert!(!want.is_empty());
            for (_, _, values) in &mut want {
                values.sort_by_key(|(f, _)| *f);
            }
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn a_field_not_utf8_is_csvs_own_utf8_error() {
        let bytes = b"a,b\nx,\"y\xE4\xB8\",z\n".to_vec();
        let mut rdr = Records::new(&bytes[..], b',');
        let mut rec = Record::default();
        rdr.read(&mut rec).unwrap();
        rdr.read(&mut rec).unwrap();
        assert!(!utf8_fields(&rec, &mut Vec::new()));
        let csvs = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[..])
            .records()
            .nth(1)
            .unwrap()
            .unwrap_err()
            .to_string();
        assert_eq!((rec.byte(), utf8_error(&rec, 2)), (4, csvs));
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
}
