//! Excel 97–2003 workbooks (`.xls`) checked before calamine reads them.
//!
//! calamine reads every sheet of an `.xls` at open, each into a dense range spanning its cells,
//! after reserving what the sheet's DIMENSIONS record claims; a few bytes can make either
//! gigabytes. So the workbook stream is taken out of its compound file with the `cfb` crate,
//! walked the way calamine walks it (the globals up to their EOF, then each sheet from the
//! offset its BoundSheet8 record gives), and every cell position, cell count, claimed dimension
//! and sheet offset is checked against the limits. calamine then reads a fresh compound file
//! holding only that stream, so it parses exactly the bytes that were checked.

use super::guard::MAX_CELLS;
use super::guard::{
    MAX_COLUMNS, MAX_ROWS, MAX_UNPACKED_BYTES, beyond, cell_name, too_many_cells, unreadable,
};
use crate::text::i18n::{Msg, T};
use std::io::{Cursor, Read, Write};

/// The first bytes of a compound file (an `.xls`).
pub const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The workbook stream of an `.xls`, checked, in a compound file of its own for calamine.
pub fn checked_xls(bytes: &[u8]) -> Result<Vec<u8>, Msg> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let Some(name) = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| cfb.is_stream(n))
    else {
        return Err(unreadable(&"no workbook stream in the file"));
    };
    let mut stream = Vec::new();
    cfb.open_stream(name)
        .map_err(|e| unreadable(&e))?
        .take(MAX_UNPACKED_BYTES + 1)
        .read_to_end(&mut stream)
        .map_err(|e| unreadable(&e))?;
    if stream.len() as u64 > MAX_UNPACKED_BYTES {
        return Err(Msg::new(
            T::WbXlsBytes,
            &[("max", &MAX_UNPACKED_BYTES.to_string())],
        ));
    }
    check_stream(&stream)?;
    let mut out = cfb::CompoundFile::create(Cursor::new(Vec::new())).map_err(|e| unreadable(&e))?;
    out.create_stream("/Workbook")
        .and_then(|mut s| s.write_all(&stream))
        .and_then(|()| out.flush())
        .map_err(|e| unreadable(&e))?;
    Ok(out.into_inner().into_inner())
}

/// One record of the stream: its type and data.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
}

/// The records from the start of `stream`, as calamine's `RecordIter` cuts them (a record whose
/// length runs past the end ends the walk: calamine refuses the file there).
fn records(mut stream: &[u8]) -> impl Iterator<Item = Record<'_>> {
    std::iter::from_fn(move || {
        if stream.len() < 4 {
            return None;
        }
        let typ = u16::from_le_bytes([stream[0], stream[1]]);
        let len = usize::from(u16::from_le_bytes([stream[2], stream[3]]));
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        Some(Record { typ, data })
    })
}

fn u16_at(d: &[u8], at: usize) -> u32 {
    d.get(at..at + 2)
        .map_or(0, |b| u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(d: &[u8], at: usize) -> u64 {
    d.get(at..at + 4).map_or(0, |b| {
        u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    })
}

/// Cell records calamine reads: Number, Label, RString, BoolErr, RK, LabelSst, Formula.
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];
const BOUND_SHEET: u16 = 0x0085;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const DIMENSIONS: u16 = 0x0200;
const MUL_RK: u16 = 0x00BD;

/// Checks the globals' sheet offsets and every sheet's cells.
fn check_stream(stream: &[u8]) -> Result<(), Msg> {
    let mut offsets = Vec::new();
    for r in records(stream) {
        match r.typ {
            EOF => break,
            BOUND_SHEET => {
                let pos = u32_at(r.data, 0);
                if r.data.len() < 6 || pos >= stream.len() as u64 {
                    return Err(unreadable(&"a sheet record points outside the file"));
                }
                offsets.push(pos as usize);
            }
            _ => {}
        }
    }
    for pos in offsets {
        check_sheet(&stream[pos..])?;
    }
    Ok(())
}

/// The cells of one sheet: positions within the limits, and few enough, in a small enough
/// rectangle, for calamine's dense range; a DIMENSIONS claim small enough to reserve.
fn check_sheet(sheet: &[u8]) -> Result<(), Msg> {
    let mut cells = 0u64;
    let mut span: Option<(u64, u64, u64, u64)> = None;
    let mut add = |row: u64, first: u64, last: u64| -> Result<(), Msg> {
        if row >= u64::from(MAX_ROWS) || last >= u64::from(MAX_COLUMNS) {
            return Err(beyond(row, last));
        }
        cells += last - first + 1;
        let (r0, r1, c0, c1) = span.unwrap_or((row, row, first, last));
        let s = (r0.min(row), r1.max(row), c0.min(first), c1.max(last));
        span = Some(s);
        let rect = (s.1 - s.0 + 1) * (s.3 - s.2 + 1);
        if cells > MAX_CELLS || rect > MAX_CELLS {
            return Err(too_many_cells(
                cell_name(s.0, s.2),
                cell_name(s.1, s.3),
                false,
            ));
        }
        Ok(())
    };
    let mut seen_bof = false;
    let mut depth = 0usize;
    for r in records(sheet) {
        if depth > 0 {
            match r.typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match r.typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => check_dimensions(r.data)?,
            MUL_RK if r.data.len() >= 6 => {
                let first = u16_at(r.data, 2);
                let last = u16_at(r.data, r.data.len() - 2);
                if last < first {
                    return Err(unreadable(&"a damaged cell record"));
                }
                add(u16_at(r.data, 0).into(), first.into(), last.into())?;
            }
            t if CELL_RECORDS.contains(&t) && r.data.len() >= 4 => {
                let col = u64::from(u16_at(r.data, 2));
                add(u16_at(r.data, 0).into(), col, col)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A DIMENSIONS record, read as calamine reads it: it reserves the rows times the columns.
fn check_dimensions(d: &[u8]) -> Result<(), Msg> {
    let (rf, rl, cf, cl) = match d.len() {
        10 => (
            u64::from(u16_at(d, 0)),
            u64::from(u16_at(d, 2)),
            u64::from(u16_at(d, 4)),
            u64::from(u16_at(d, 6)),
        ),
        14 | 16 => (
            u32_at(d, 0),
            u32_at(d, 4),
            u64::from(u16_at(d, 8)),
            u64::from(u16_at(d, 10)),
        ),
        // calamine refuses the record itself.
        _ => return Ok(()),
    };
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    if rl == 0 || cl == 0 {
        return Ok(());
    }
    if rl - 1 < rf || cl - 1 < cf {
        return Err(unreadable(&"a damaged DIMENSIONS record"));
    }
    if rl > u64::from(MAX_ROWS) || cl > u64::from(MAX_COLUMNS) {
        return Err(beyond(rl - 1, cl - 1));
    }
    if (rl - rf) * (cl - cf) > MAX_CELLS {
        return Err(too_many_cells(
            cell_name(rf, cf),
            cell_name(rl - 1, cl - 1),
            true,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    }

    /// A workbook stream: globals with one sheet record, then the sheet's records.
    fn stream(sheet: &[Vec<u8>]) -> Vec<u8> {
        // BOF (4 + 6), BoundSheet8 (4 + 8), EOF (4).
        let globals_len = 10 + 12 + 4;
        let mut s = rec(BOF, &[0; 6]);
        s.extend(rec(BOUND_SHEET, &{
            let mut d = (globals_len as u32).to_le_bytes().to_vec();
            d.extend([0, 0, 1, 0]);
            d
        }));
        s.extend(rec(EOF, &[]));
        assert_eq!(s.len(), globals_len);
        s.extend(rec(BOF, &[0; 6]));
        for r in sheet {
            s.extend(r);
        }
        s.extend(rec(EOF, &[]));
        s
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0; 10]);
        rec(0x0203, &d)
    }

    #[test]
    fn cells_far_out_and_claims_too_large_are_refused() {
        assert!(check_stream(&stream(&[number(0, 0), number(99, 20)])).is_ok());
        let e = check_stream(&stream(&[number(0, 0), number(65535, 255)])).unwrap_err();
        assert!(e.to_string().contains("more than 1000000 cells"), "{e}");
        let e = check_stream(&stream(&[number(0, 600)])).unwrap_err();
        assert!(e.to_string().contains("500 columns"), "{e}");
        // DIMENSIONS of 2^32 rows: calamine would reserve for them all.
        let mut d = 0u32.to_le_bytes().to_vec();
        d.extend(u32::MAX.to_le_bytes());
        d.extend([0, 0, 10, 0, 0, 0]);
        let e = check_stream(&stream(&[rec(DIMENSIONS, &d)])).unwrap_err();
        assert!(e.to_string().contains("100000 rows"), "{e}");
        // A sheet record pointing past the end.
        let mut s = rec(BOUND_SHEET, &[0xff, 0xff, 0xff, 0x0f, 0, 0]);
        s.extend(rec(EOF, &[]));
        assert!(
            check_stream(&s)
                .unwrap_err()
                .to_string()
                .contains("outside the file")
        );
    }
}
