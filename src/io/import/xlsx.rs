//! Reading spreadsheet batches (XLSX and XLSM, ODS, XLS): the first sheet, within the limits of
//! [`guard`](super::guard).
//!
//! XLSX is read cell by cell (calamine's cell reader), so nothing is allocated for the empty
//! space between cells. ODS and XLS are only read whole by calamine, into a dense range; they are
//! checked first ([`guard::check_ods`], [`biff::checked_xls`]) so that range stays small.

use std::io::Cursor;
use std::path::Path;

use crate::text::i18n::{Msg, T};
use calamine::{Data, DataRef, Reader};

use super::biff;
use super::guard::{self, CellText, Cells};
use super::sst;
use super::{
    Format, ImportError, RawBatch, RawRow, RowSink, clean_owned, empty, header_index, known_fields,
    map_header, used_width,
};

/// A spreadsheet cell as the text a person typed.
fn cell_text(d: Data) -> CellText {
    let numeric = matches!(d, Data::Float(_) | Data::Int(_));
    let text = match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s,
        // Whole numbers (TRL 7, phone 13800000000) must not become "7.0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.to_string(),
        Data::Error(e) => format!("#{e:?}"),
    };
    CellText { text, numeric }
}

/// The first sheet's non-empty cells, by format (paper score sheets, `entry`, read it too).
pub(crate) fn first_sheet(bytes: &[u8]) -> Result<Cells, Msg> {
    let unreadable = |e: &dyn std::fmt::Display| guard::unreadable(e);
    if bytes.starts_with(&biff::CFB_MAGIC) {
        let clean = biff::checked_xls(bytes)?;
        let wb = calamine::Xls::new(Cursor::new(clean)).map_err(|e| unreadable(&e))?;
        return dense(wb);
    }
    // The headers' sizes bound what any reader of the archive can inflate, so the second half
    // of the size check (inflating every entry, 3–4% of a large workbook's read) runs on a
    // second thread while the main one reads. Its verdict still comes first, as if it had run
    // before.
    guard::check_declared(bytes)?;
    let ods = zip::ZipArchive::new(Cursor::new(bytes))
        .map(|z| z.index_for_name("content.xml").is_some())
        .unwrap_or(false);
    // When the table says how many strings it holds, calamine reads the sheet on that second
    // thread too, with a table of that many markers, while the main thread reads the table.
    let claim = sst::claim(bytes).filter(|c| {
        !ods && c.size >= PARALLEL_COPY_BYTES as u64 && c.count.saturating_mul(64) as u64 <= c.size
    });
    let nonce = sst::nonce();
    // The table's entry is inflated whole by `sst::read_measured` on this thread; the size
    // check on the second thread leaves it out and `guard::settle` puts the two together.
    let skip = sst::table_entry(bytes).filter(|_| !ods);
    std::thread::scope(|s| {
        let second = s.spawn(|| {
            let sizes = guard::unpacked_sizes(bytes, skip).ok();
            // The count is believed only as far as the table really holds that much text (its
            // declared size may lie), so the markers never cost more than the table would.
            let marked = match (&sizes, &claim) {
                (Some(_), Some(c))
                    if guard::inflates_at_least(
                        bytes,
                        c.entry,
                        (c.count as u64).saturating_mul(64),
                    ) =>
                {
                    Some(marked(bytes, c.entry, c.count, nonce))
                }
                _ => None,
            };
            (sizes, marked)
        });
        let join = |h: std::thread::ScopedJoinHandle<'_, _>| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        };
        if ods {
            let read = ods_sheet(bytes);
            let (sizes, _) = join(second);
            guard::settle(bytes, sizes, None, None)?;
            return read;
        }
        // A batch's text is mostly shared strings: read here and moved into their cells,
        // calamine reading the rest; anything unusual, and every failure, is left to calamine
        // alone.
        let (table, skipped) = sst::read_measured(bytes);
        let table = table.filter(worth_moving);
        // `marked`: `None` when calamine did not read beside the table.
        let (sizes, marked): (_, Option<Option<Vec<Marked>>>) = join(second);
        guard::settle(bytes, sizes, skip, skipped)?;
        let Some(table) = table else {
            return copied(bytes);
        };
        // The markers calamine read are the ones `moved` would give it when the table holds
        // as many strings as it said, from the same entry.
        let marked = match (marked, &claim) {
            (Some(m), Some(c)) if c.entry == table.entry && c.count == table.strings.len() => m,
            _ => marked_read(bytes, &table, nonce),
        };
        match marked.and_then(|m| moved(m, table)) {
            Some(cells) => Ok(cells),
            None => copied(bytes),
        }
    })
}

/// The first sheet of an ODS whose zip headers [`guard::check_declared`] passed.
fn ods_sheet(bytes: &[u8]) -> Result<Cells, Msg> {
    let unreadable = |e: &dyn std::fmt::Display| guard::unreadable(e);
    guard::check_ods(bytes)?;
    let wb = calamine::Ods::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    dense(wb)
}

/// The first sheet of an XLSX read by calamine alone, each cell's shared string copied.
fn copied(bytes: &[u8]) -> Result<Cells, Msg> {
    let unreadable = |e: &dyn std::fmt::Display| guard::unreadable(e);
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let name = wb
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| Msg::new(T::WbNoSheets, &[]))?;
    let sheet_error = |e: calamine::XlsxError| Msg::new(T::WbFirstSheet, &[("e", &e.to_string())]);
    let mut reader = wb.worksheet_cells_reader(&name).map_err(sheet_error)?;
    let mut cells = Cells::default();
    // A shared string (most of a batch's text) is borrowed from calamine while the sheet is
    // read and counted against the limits; the copy each cell needs is made afterwards, half of
    // the copies on a second thread when there is much to copy (copying into fresh memory, page
    // faults included, was 14–16% of a large workbook's read).
    let mut admitted: Vec<(u32, u32, Value<'_>)> = Vec::new();
    let mut shared_bytes = 0usize;
    while let Some(cell) = reader.next_cell().map_err(sheet_error)? {
        let (row, col) = cell.get_position();
        let value = match cell.get_value() {
            DataRef::SharedString(s) => Value::Shared(s),
            other => Value::Made(cell_text(other.clone().into())),
        };
        if cells.admit(row, col, value.text())? {
            if let Value::Shared(s) = value {
                shared_bytes += s.len();
            }
            admitted.push((row, col, value));
        }
    }
    drop(reader);
    let split = if shared_bytes >= PARALLEL_COPY_BYTES {
        halfway(&admitted, shared_bytes)
    } else {
        admitted.len()
    };
    let second = admitted.split_off(split);
    let copy = |part: Vec<(u32, u32, Value<'_>)>| -> Vec<(u32, u32, CellText)> {
        part.into_iter()
            .map(|(row, col, v)| (row, col, v.into_cell()))
            .collect()
    };
    let (first, second) = std::thread::scope(|s| {
        let second = (!second.is_empty()).then(|| s.spawn(|| copy(second)));
        let first = copy(admitted);
        let second = second.map(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (first, second.unwrap_or_default())
    });
    for (row, col, cell) in first.into_iter().chain(second) {
        cells.insert(row, col, cell);
    }
    Ok(cells)
}

/// Whether a table is worth reading apart: at least [`PARALLEL_COPY_BYTES`] of text, in strings
/// of 64 bytes on average or more (the markers calamine reads instead stay small).
fn worth_moving(table: &sst::Table) -> bool {
    let bytes: usize = table.strings.iter().map(String::len).sum();
    bytes >= PARALLEL_COPY_BYTES && table.strings.len().saturating_mul(64) <= bytes
}

/// A non-empty cell as calamine read it from a workbook whose shared strings are markers:
/// (row, column, its text made, or the index of the shared string its marker stands for).
type Marked = (u32, u32, Result<CellText, usize>);

/// [`marked`] for `table`'s entry and length.
fn marked_read(bytes: &[u8], table: &sst::Table, nonce: u64) -> Option<Vec<Marked>> {
    marked(bytes, table.entry, table.strings.len(), nonce)
}

/// The first sheet's cells as calamine reads them from the workbook with entry `entry` replaced
/// by a table of `count` markers, blank cells other than shared strings left out. `None` sends
/// the read back to calamine alone: any error of calamine's, a shared string that is not one
/// of this run's markers, more cells than [`guard::MAX_CELLS`] (which the limits would refuse
/// anyway, unless shared strings are blank: calamine alone then reads them).
fn marked(bytes: &[u8], entry: usize, count: usize, nonce: u64) -> Option<Vec<Marked>> {
    let stubbed = sst::stub(bytes, entry, count, nonce)?;
    let mut wb = calamine::Xlsx::new(Cursor::new(&stubbed[..])).ok()?;
    let name = wb.sheet_names().into_iter().next()?;
    let mut reader = wb.worksheet_cells_reader(&name).ok()?;
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().ok()? {
        let (row, col) = cell.get_position();
        match cell.get_value() {
            DataRef::SharedString(marker) => {
                let i = sst::index_of(nonce, marker).filter(|&i| i < count)?;
                cells.push((row, col, Err(i)));
            }
            other => {
                let made = cell_text(other.clone().into());
                // `Cells::admit` skips a blank cell before anything else.
                if !made.text.trim().is_empty() {
                    cells.push((row, col, Ok(made)));
                }
            }
        }
        if cells.len() as u64 > guard::MAX_CELLS {
            return None;
        }
    }
    Some(cells)
}

/// The cells calamine read with markers ([`marked`]), each shared string's text moved out of
/// `table` (copied only for all but the last cell using it), counted against the limits in the
/// order calamine read them. `None` (a limit, a marker beyond the table) sends the read back to
/// calamine alone.
fn moved(marked: Vec<Marked>, table: sst::Table) -> Option<Cells> {
    let mut cells = Cells::default();
    let mut admitted: Vec<Marked> = Vec::with_capacity(marked.len());
    let mut uses = vec![0u32; table.strings.len()];
    for (row, col, value) in marked {
        let text = match &value {
            Err(i) => table.strings.get(*i)?,
            Ok(made) => &made.text,
        };
        if cells.admit(row, col, text).ok()? {
            if let Err(i) = value {
                uses[i] += 1;
            }
            admitted.push((row, col, value));
        }
    }
    let mut strings = table.strings;
    for (row, col, value) in admitted {
        let cell = match value {
            Ok(made) => made,
            Err(i) => {
                uses[i] -= 1;
                let text = if uses[i] == 0 {
                    std::mem::take(&mut strings[i])
                } else {
                    strings[i].clone()
                };
                CellText {
                    text,
                    numeric: false,
                }
            }
        };
        cells.insert(row, col, cell);
    }
    Some(cells)
}

/// Shared-string text worth a second thread to copy: 1 MiB.
const PARALLEL_COPY_BYTES: usize = 1 << 20;

/// Where to split `cells` so that each part holds about half of the shared strings' bytes.
fn halfway(cells: &[(u32, u32, Value<'_>)], shared_bytes: usize) -> usize {
    let mut seen = 0usize;
    for (i, (_, _, v)) in cells.iter().enumerate() {
        if seen >= shared_bytes / 2 {
            return i;
        }
        if let Value::Shared(s) = v {
            seen += s.len();
        }
    }
    cells.len()
}

/// A cell's value as read: a shared string still borrowed from calamine, or its text made.
enum Value<'a> {
    Shared(&'a str),
    Made(CellText),
}

impl Value<'_> {
    fn text(&self) -> &str {
        match self {
            Value::Shared(s) => s,
            Value::Made(c) => &c.text,
        }
    }

    /// The cell's text, owned (a shared string is copied; it is text, not a number).
    fn into_cell(self) -> CellText {
        match self {
            Value::Shared(s) => CellText {
                text: s.to_string(),
                numeric: false,
            },
            Value::Made(c) => c,
        }
    }
}

/// The first sheet of a workbook calamine has read whole (checked before it was).
fn dense<RS, R>(mut wb: R) -> Result<Cells, Msg>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let range = match wb.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(Msg::new(T::WbFirstSheet, &[("e", &e.to_string())])),
        None => return Err(Msg::new(T::WbNoSheets, &[])),
    };
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut cells = Cells::default();
    for (r, c, d) in range.used_cells() {
        let (row, col) = (top as usize + r, left as usize + c);
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        cells.push(at(row), at(col), cell_text(d.clone()))?;
    }
    Ok(cells)
}

/// Reads a workbook's first sheet: the header row (after any title rows), then its rows, each
/// handed to `sink` (the batch's `rows` stay as the sink leaves them; [`Keep`](super::csv::Keep)
/// keeps them). The reading stops early when the sink says so.
pub(super) fn read_xlsx_into(
    path: &Path,
    bytes: &[u8],
    sink: &mut dyn RowSink,
) -> Result<RawBatch, ImportError> {
    sink.start();
    let malformed = |line: usize, message: Msg| ImportError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let rows = first_sheet(bytes).map_err(|m| malformed(0, m))?.into_rows();
    if rows.is_empty() {
        return Err(malformed(1, Msg::new(T::ImpSheetEmpty, &[])));
    }
    let header_at = header_index(
        rows.iter()
            .map(|(_, cells)| known_fields(cells.iter().map(|c| c.text.as_str()))),
    );
    let mut raw = empty(path, Format::Xlsx);
    let mut rows = rows.into_iter().skip(header_at);
    let Some((header_line, header_cells)) = rows.next() else {
        return Err(malformed(1, Msg::new(T::ImpSheetEmpty, &[])));
    };
    let headers: Vec<String> = header_cells.into_iter().map(|c| c.text).collect();
    raw.header_line = header_line;
    raw.header_width = used_width(headers.iter().map(String::as_str));
    let map = map_header(&mut raw, &headers);
    // Each cell's text is moved into its row, not copied.
    for (line, cells) in rows {
        let mut row = RawRow {
            line,
            cells: used_width(cells.iter().map(|c| c.text.as_str())),
            ..RawRow::default()
        };
        for (j, cell) in cells.into_iter().enumerate() {
            if let Some(Some(f)) = map.get(j) {
                row.values.insert(*f, clean_owned(cell.text));
                if cell.numeric {
                    row.numeric.push(*f);
                }
            }
        }
        if !sink.row(&mut raw, row) {
            break;
        }
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Format as CellFormat, Workbook};

    fn rows(cells: Cells) -> Vec<(usize, Vec<(String, bool)>)> {
        cells
            .into_rows()
            .into_iter()
            .map(|(line, cells)| {
                (
                    line,
                    cells.into_iter().map(|c| (c.text, c.numeric)).collect(),
                )
            })
            .collect()
    }

    /// Shared strings moved out of revdesk's own table give the cells calamine gives alone:
    /// white space kept or trimmed, line ends, `_xHHHH_` escapes, entities, rich text, a string
    /// in several cells, numbers, dates and blanks among them.
    #[test]
    fn moved_strings_are_the_cells_calamine_reads() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let long = "量子计算与通信 ".repeat(3_000);
        let odd = [
            "  leading and trailing  ",
            "line\r\nends\rand\nbreaks",
            "_x000D_ literal _x005F_x000D_ and _xD83D__xDCF7_",
            "<tag> & \"quotes\" 'apos'",
            "\t tab \t",
            "",
            "   ",
        ];
        let date = CellFormat::new().set_num_format("yyyy-mm-dd");
        for r in 0..60u32 {
            ws.write_string(r, 0, format!("{long}{r}")).unwrap();
            ws.write_string(r, 1, odd[r as usize % odd.len()]).unwrap();
            ws.write_string(r, 2, "shared in every row").unwrap();
            ws.write_number(r, 3, f64::from(r) * 1.5).unwrap();
            ws.write_number_with_format(r, 4, 45000.0 + f64::from(r), &date)
                .unwrap();
            ws.write_boolean(r, 5, r % 2 == 0).unwrap();
        }
        let bold = CellFormat::new().set_bold();
        ws.write_rich_string(61, 0, &[(&bold, "rich "), (&CellFormat::default(), "text")])
            .unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let table = sst::read(&bytes).expect("the table reads");
        assert!(worth_moving(&table));
        let marked = marked_read(&bytes, &table, sst::nonce()).expect("calamine reads the markers");
        let fast = moved(marked, table).expect("the moved read succeeds");
        let slow = copied(&bytes).unwrap();
        let (fast, slow) = (rows(fast), rows(slow));
        assert_eq!(fast.len(), 61);
        assert_eq!(fast, slow);
        assert_eq!(rows(first_sheet(&bytes).unwrap()), slow);
    }

    /// The workbook with `from` replaced by `to` in its shared strings (zipped again).
    fn edit_table(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut src = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if name == "xl/sharedStrings.xml" {
                let text = String::from_utf8(data).unwrap();
                assert!(text.contains(from), "{from}");
                data = text.replacen(from, to, 1).into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    /// Whatever the table's `uniqueCount` says (the sheet is read beside the table with that
    /// many markers), the cells are calamine's: a count that is wrong sends the read back to
    /// the markers of the table as read, or to calamine alone.
    #[test]
    fn a_table_that_miscounts_itself_still_reads_as_calamine_reads_it() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for r in 0..40u32 {
            ws.write_string(r, 0, format!("{}{r}", "量子计算 ".repeat(4_000)))
                .unwrap();
            ws.write_string(r, 1, "  same  ").unwrap();
        }
        let bytes = wb.save_to_buffer().unwrap();
        let want = rows(copied(&bytes).unwrap());
        assert_eq!(rows(first_sheet(&bytes).unwrap()), want);
        let claim = sst::claim(&bytes).expect("the table says its count");
        assert_eq!(claim.count, 41);
        for wrong in [
            "uniqueCount=\"40\"",
            "uniqueCount=\"42\"",
            "uniqueCount=\"x\"",
        ] {
            let lied = edit_table(&bytes, "uniqueCount=\"41\"", wrong);
            assert_eq!(rows(copied(&lied).unwrap()), want, "{wrong}");
            assert_eq!(rows(first_sheet(&lied).unwrap()), want, "{wrong}");
        }
    }

    /// A small table is left to calamine alone; a table shorter than the cells need fails the
    /// moved read (the caller then reads with calamine alone).
    #[test]
    fn small_or_broken_tables_are_calamines() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "id").unwrap();
        ws.write_string(1, 0, "x".repeat(200)).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        assert!(!worth_moving(&sst::read(&bytes).unwrap()));
        assert_eq!(
            rows(first_sheet(&bytes).unwrap()),
            rows(copied(&bytes).unwrap())
        );
        let short = sst::Table {
            entry: sst::read(&bytes).unwrap().entry,
            strings: vec!["id".into()],
        };
        let marked = marked_read(&bytes, &short, sst::nonce());
        assert!(marked.and_then(|m| moved(m, short)).is_none());
    }
}
