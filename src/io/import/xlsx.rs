//! Reading spreadsheet batches (XLSX and the other formats calamine opens): the first sheet.

use std::io::Cursor;
use std::path::Path;

use super::{
    Format, ImportError, RawBatch, RawRow, clean, empty, header_index, known_fields, map_header,
    used_width,
};

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

/// Reads a workbook's first sheet: the header row (after any title rows), then its rows.
pub(super) fn read_xlsx(path: &Path, bytes: &[u8]) -> Result<RawBatch, ImportError> {
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
