//! Limits on spreadsheets, checked before anything is allocated by their size: what a workbook
//! unpacks to, how far its cells reach, how many there are and how much text they hold.
//!
//! A 7 KB workbook with one cell at `XFD1048576` asks calamine's dense `Range` for 17 billion
//! cells; a 2 MB zip may hold a 2 GB cell; one shared string may fill every cell. So: every zip
//! entry is measured (its declared size, then counted while inflating, as headers can lie), an
//! ODS's repeated rows and columns are added up from its XML before calamine expands them, and
//! the cells read are counted as they come.

use crate::text::i18n::{Msg, T};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// Rows a sheet may reach (its last non-empty cell's row): 100,000.
pub const MAX_ROWS: u32 = 100_000;
/// Columns a sheet may reach: 500 (column `SF`).
pub const MAX_COLUMNS: u32 = 500;
/// Non-empty cells a sheet may hold (and, for formats read whole, cells its rectangle spans):
/// 1,000,000.
pub const MAX_CELLS: u64 = 1_000_000;
/// Bytes a workbook may unpack to (all its zip entries together): 64 MiB.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Bytes of text a sheet's cells may hold together: 64 MiB.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;
/// Entries a workbook's zip may hold.
pub const MAX_ZIP_ENTRIES: usize = 10_000;

/// The spreadsheet name of a 0-based cell position (`(0, 0)` is `A1`).
pub fn cell_name(row: u64, col: u64) -> String {
    format!("{}{}", super::column_letter(col as usize), row + 1)
}

/// Why a cell is refused: it lies beyond the rows or columns read.
pub(super) fn beyond(row: u64, col: u64) -> Msg {
    Msg::new(
        T::WbBeyond,
        &[
            ("cell", &cell_name(row, col)),
            ("row", &(row + 1).to_string()),
            ("col", &(col + 1).to_string()),
            ("rows", &MAX_ROWS.to_string()),
            ("cols", &MAX_COLUMNS.to_string()),
            (
                "last",
                &cell_name(u64::from(MAX_ROWS) - 1, u64::from(MAX_COLUMNS) - 1),
            ),
        ],
    )
}

/// A workbook that is not one (the reader's own explanation, as it gives it).
pub(super) fn unreadable(e: &dyn std::fmt::Display) -> Msg {
    Msg::new(T::WbUnreadable, &[("e", &e.to_string())])
}

/// A sheet spanning more cells than revdesk reads (`claimed`: as its header says).
pub(super) fn too_many_cells(from: String, to: String, claimed: bool) -> Msg {
    let t = if claimed { T::WbClaims } else { T::WbSpans };
    Msg::new(
        t,
        &[
            ("from", &from),
            ("to", &to),
            ("max", &MAX_CELLS.to_string()),
        ],
    )
}

/// Checks every entry of a zip: at most [`MAX_ZIP_ENTRIES`], and together at most
/// [`MAX_UNPACKED_BYTES`] unpacked, by their headers and by inflating them (into nothing).
pub fn check_zip(bytes: &[u8]) -> Result<(), Msg> {
    check_declared(bytes)?;
    check_unpacked(bytes)
}

/// The first half of [`check_zip`]: at most [`MAX_ZIP_ENTRIES`] entries, declaring together at
/// most [`MAX_UNPACKED_BYTES`]. Once it passes, a reader of the archive cannot be made to hold
/// more: the zip crate refuses to inflate an entry past its declared size
/// (`reading_stops_at_the_declared_size` holds it to that), so [`check_unpacked`] may run beside
/// the reader instead of before it.
pub fn check_declared(bytes: &[u8]) -> Result<(), Msg> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(Msg::new(
            T::WbEntries,
            &[
                ("n", &zip.len().to_string()),
                ("max", &MAX_ZIP_ENTRIES.to_string()),
            ],
        ));
    }
    // The headers first: a bomb that says what it is costs nothing.
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| unreadable(&e))?;
        declared = declared.saturating_add(f.size());
        if declared > MAX_UNPACKED_BYTES {
            return Err(too_big(
                &String::from_utf8_lossy(f.name_raw()),
                Msg::new(T::WbBytes, &[("n", &f.size().to_string())]),
            ));
        }
    }
    Ok(())
}

/// The second half of [`check_zip`]: what the entries really inflate to (headers can lie), and
/// that each inflates whole (its checksum), the same verdict however the reader fares.
pub fn check_unpacked(bytes: &[u8]) -> Result<(), Msg> {
    unpacked_sizes(bytes, None).map(|_| ())
}

/// [`check_unpacked`], giving what each entry inflated to, but for entry `skip`, which its
/// reader inflates whole instead (the shared strings: inflating them here too was 6% of
/// reading a large workbook): `None` in its place, and it counts for nothing here.
/// [`settle`] then gives the verdict.
pub(super) fn unpacked_sizes(bytes: &[u8], skip: Option<usize>) -> Result<Vec<Option<u64>>, Msg> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut unpacked = 0u64;
    let mut sizes = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        if Some(i) == skip {
            sizes.push(None);
            continue;
        }
        let mut f = zip.by_index(i).map_err(|e| unreadable(&e))?;
        let name = String::from_utf8_lossy(f.name_raw()).into_owned();
        let room = MAX_UNPACKED_BYTES - unpacked;
        let n = std::io::copy(&mut (&mut f).take(room + 1), &mut std::io::sink())
            .map_err(|e| unreadable(&format!("{name}: {e}")))?;
        if n > room {
            return Err(too_big(&name, Msg::new(T::WbMoreThanDeclared, &[])));
        }
        unpacked += n;
        sizes.push(Some(n));
    }
    Ok(sizes)
}

/// The verdict of [`check_unpacked`] from what [`unpacked_sizes`] found (`None`: it failed)
/// and what the skipped entry inflated to (`None`: not read whole). When every entry inflated
/// without error and they fit in order, [`check_unpacked`] would pass too: it inflates the same entries with
/// room at least as large. Anything else (a hostile workbook) is checked again by
/// [`check_unpacked`] itself, so the refusal is word for word the same.
pub(super) fn settle(
    bytes: &[u8],
    sizes: Option<Vec<Option<u64>>>,
    skip: Option<usize>,
    skipped: Option<u64>,
) -> Result<(), Msg> {
    let fits = sizes.is_some_and(|sizes| {
        let mut unpacked = 0u64;
        sizes
            .iter()
            .enumerate()
            .all(|(i, n)| match if Some(i) == skip { skipped } else { *n } {
                Some(n) if n <= MAX_UNPACKED_BYTES - unpacked => {
                    unpacked += n;
                    true
                }
                _ => false,
            })
    });
    if fits { Ok(()) } else { check_unpacked(bytes) }
}

/// Whether entry `entry` inflates to at least `n` bytes (only they are inflated).
pub(super) fn inflates_at_least(bytes: &[u8], entry: usize, n: u64) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    let Ok(f) = zip.by_index(entry) else {
        return false;
    };
    std::io::copy(&mut f.take(n), &mut std::io::sink()).is_ok_and(|k| k == n)
}

/// Why a workbook is refused for what entry `name` unpacks to.
fn too_big(name: &str, what: Msg) -> Msg {
    Msg::new(
        T::WbTooBig,
        &[("max", &MAX_UNPACKED_BYTES.to_string()), ("name", name)],
    )
    .then(what)
    .and(T::WbTooBigTail, &[])
}

/// One non-empty cell as read: its text and whether the spreadsheet holds it as a number.
#[derive(Debug, Clone, Default)]
pub struct CellText {
    /// The text a person typed.
    pub text: String,
    /// A number, not text.
    pub numeric: bool,
}

/// The non-empty cells of a sheet as they are read, counted against the limits.
#[derive(Debug, Default)]
pub struct Cells {
    rows: BTreeMap<u32, Vec<(u32, CellText)>>,
    count: u64,
    text: u64,
}

impl Cells {
    /// Adds a cell; refused when it lies beyond the limits or is one cell or byte too many.
    /// Blank cells are skipped.
    pub fn push(&mut self, row: u32, col: u32, cell: CellText) -> Result<(), Msg> {
        if self.admit(row, col, &cell.text)? {
            self.insert(row, col, cell);
        }
        Ok(())
    }

    /// Counts a cell holding `text` against the limits, as [`push`](Self::push) does, before
    /// the cell is made: false for a blank one (it is skipped). A cell admitted is then given
    /// to [`insert`](Self::insert), in the order the cells were admitted.
    pub fn admit(&mut self, row: u32, col: u32, text: &str) -> Result<bool, Msg> {
        if text.trim().is_empty() {
            return Ok(false);
        }
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(beyond(row.into(), col.into()));
        }
        self.count += 1;
        if self.count > MAX_CELLS {
            return Err(Msg::new(T::WbCells, &[("max", &MAX_CELLS.to_string())]));
        }
        self.text += text.len() as u64;
        if self.text > MAX_TEXT_BYTES {
            return Err(too_much_text());
        }
        Ok(true)
    }

    /// Adds a cell [`admit`](Self::admit) let in.
    pub fn insert(&mut self, row: u32, col: u32, cell: CellText) {
        self.rows.entry(row).or_default().push((col, cell));
    }

    /// The rows with a non-empty cell: (sheet row, 1-based; cells from the leftmost column any
    /// row uses, blanks where a row has none).
    pub fn into_rows(self) -> Vec<(usize, Vec<CellText>)> {
        let left = self
            .rows
            .values()
            .flat_map(|r| r.iter().map(|(c, _)| *c))
            .min()
            .unwrap_or(0);
        self.rows
            .into_iter()
            .map(|(row, cells)| {
                let width = cells.iter().map(|(c, _)| c - left + 1).max().unwrap_or(0);
                let mut dense = vec![CellText::default(); width as usize];
                for (c, cell) in cells {
                    // A cell written twice: the later one, as the old dense range kept it.
                    dense[(c - left) as usize] = cell;
                }
                (row as usize + 1, dense)
            })
            .collect()
    }
}

/// Why a sheet is refused for its text.
fn too_much_text() -> Msg {
    Msg::new(T::WbText, &[("max", &MAX_TEXT_BYTES.to_string())])
}

/// Checks an ODS's `content.xml` before calamine reads it: calamine expands every table's
/// repeated rows and columns into a dense range at open, so the non-empty cells of every table,
/// repeats counted, must stay within the limits, and so must the rectangle they span and the
/// text they hold.
pub fn check_ods(bytes: &[u8]) -> Result<(), Msg> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let Ok(content) = zip.by_name("content.xml") else {
        // calamine says what is missing.
        return Ok(());
    };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let config = xml.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = false;
    let bad = |e: &dyn std::fmt::Display| unreadable(&format!("content.xml: {e}"));
    let mut buf = Vec::new();
    let mut t = Table::default();
    loop {
        match xml.read_event_into(&mut buf).map_err(|e| bad(&e))? {
            Event::Start(e) => match e.name().as_ref() {
                "table:table" => t = Table::default(),
                "table:table-row" => {
                    t.row_repeat = repeat(&e, "table:number-rows-repeated").map_err(|e| bad(&e))?;
                    t.col = 0;
                    t.row_cells = 0;
                    t.row_text = 0;
                    t.row_cols = None;
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    t.cell_repeat =
                        repeat(&e, "table:number-columns-repeated").map_err(|e| bad(&e))?;
                    t.in_cell = true;
                    t.cell_text = 0;
                    t.cell_full = false;
                    for a in e.attributes().flatten() {
                        let key: &str = a.key.as_ref();
                        if key.starts_with("office:") || key == "table:formula" {
                            t.cell_full = true;
                            t.cell_text += a.value.len() as u64;
                        }
                    }
                }
                // Anything inside a cell (a paragraph of text) makes it non-empty.
                _ if t.in_cell => t.cell_full = true,
                _ => {}
            },
            Event::Text(text) if t.in_cell => t.cell_text += text.len() as u64,
            Event::End(e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => t.end_cell()?,
                "table:table-row" => t.end_row()?,
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// What a table holds so far, as [`check_ods`] reads it.
#[derive(Debug, Default)]
struct Table {
    /// The row the current row element starts at (0-based), repeats counted.
    row: u64,
    row_repeat: u64,
    /// The column the next cell starts at.
    col: u64,
    row_cells: u64,
    row_text: u64,
    /// The first and last non-empty column of the current row.
    row_cols: Option<(u64, u64)>,
    in_cell: bool,
    cell_repeat: u64,
    cell_full: bool,
    cell_text: u64,
    /// Non-empty rows and columns spanned so far.
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
    cells: u64,
    text: u64,
}

impl Table {
    fn end_cell(&mut self) -> Result<(), Msg> {
        self.in_cell = false;
        let first = self.col;
        self.col = self.col.saturating_add(self.cell_repeat);
        if !self.cell_full {
            return Ok(());
        }
        let last = self.col - 1;
        if last >= u64::from(MAX_COLUMNS) {
            return Err(beyond(self.row, last));
        }
        self.row_cols = Some(match self.row_cols {
            Some((a, _)) => (a, last),
            None => (first, last),
        });
        self.row_cells = self.row_cells.saturating_add(self.cell_repeat);
        self.row_text = self
            .row_text
            .saturating_add(self.cell_text.saturating_mul(self.cell_repeat));
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), Msg> {
        let first = self.row;
        self.row = self.row.saturating_add(self.row_repeat);
        let Some((c0, c1)) = self.row_cols else {
            return Ok(());
        };
        let last = self.row - 1;
        if last >= u64::from(MAX_ROWS) {
            return Err(beyond(last, c0));
        }
        self.rows = Some(self.rows.map_or((first, last), |(a, _)| (a, last)));
        self.cols = Some(self.cols.map_or((c0, c1), |(a, b)| (a.min(c0), b.max(c1))));
        self.cells = self
            .cells
            .saturating_add(self.row_cells.saturating_mul(self.row_repeat));
        self.text = self
            .text
            .saturating_add(self.row_text.saturating_mul(self.row_repeat));
        let (r0, r1) = self.rows.unwrap_or_default();
        let (k0, k1) = self.cols.unwrap_or_default();
        let span = (r1 - r0 + 1).saturating_mul(k1 - k0 + 1);
        if self.cells > MAX_CELLS || span > MAX_CELLS {
            return Err(too_many_cells(cell_name(r0, k0), cell_name(r1, k1), false));
        }
        if self.text > MAX_TEXT_BYTES {
            return Err(too_much_text());
        }
        Ok(())
    }
}

/// A repeat count attribute (1 when absent).
fn repeat(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Result<u64, Msg> {
    match e.try_get_attribute(name) {
        Ok(Some(a)) => a
            .value
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| unreadable(&format!("{name} is not a count: {}", a.value))),
        Ok(None) => Ok(1),
        Err(e) => Err(unreadable(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> CellText {
        CellText {
            text: t.into(),
            numeric: false,
        }
    }

    #[test]
    fn rows_start_at_the_leftmost_column_used_and_blanks_are_skipped() {
        let mut c = Cells::default();
        c.push(4, 3, text("b")).unwrap();
        c.push(2, 1, text("a")).unwrap();
        c.push(2, 2, text("  ")).unwrap();
        let rows = c.into_rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 3);
        assert_eq!(rows[0].1.len(), 1);
        assert_eq!(rows[1].0, 5);
        let texts: Vec<&str> = rows[1].1.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["", "", "b"]);
    }

    /// A zip of one deflated entry of `len` bytes whose headers both declare `declared`.
    fn liar(len: usize, declared: u32) -> Vec<u8> {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/sharedStrings.xml", opts).unwrap();
        z.write_all(&vec![b'a'; len]).unwrap();
        let mut bytes = z.finish().unwrap().into_inner();
        let mut patched = 0;
        for at in 0..bytes.len().saturating_sub(30) {
            let sig = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
            let size_at = match sig {
                0x0403_4b50 => at + 22,
                0x0201_4b50 => at + 24,
                _ => continue,
            };
            bytes[size_at..size_at + 4].copy_from_slice(&declared.to_le_bytes());
            patched += 1;
        }
        assert_eq!(patched, 2);
        bytes
    }

    /// [`check_declared`] lets calamine read beside [`check_unpacked`] only because the zip
    /// crate stops an entry at its declared size: a reader of an archive that passed the headers
    /// check never holds more than they declare, whatever the entry really inflates to.
    #[test]
    fn reading_stops_at_the_declared_size() {
        let bytes = liar(1 << 20, 1_000);
        check_declared(&bytes).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut f = zip.by_index(0).unwrap();
        let mut got = Vec::new();
        assert!(f.read_to_end(&mut got).is_err());
        assert!(
            got.len() <= 1_000 + 64 * 1024,
            "{} bytes inflated",
            got.len()
        );
        let mut read = 0;
        let mut buf = [0u8; 4096];
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut f = zip.by_index(0).unwrap();
        let end = loop {
            match f.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => read += n,
                Err(e) => break Err(e),
            }
        };
        assert!(
            end.is_err() && read <= 1_000 + buf.len(),
            "{read} bytes read"
        );
        // And the whole check still names the entry that lied.
        let e = check_zip(&bytes).unwrap_err().to_string();
        assert!(e.contains("xl/sharedStrings.xml"), "{e}");
        check_zip(&liar(1 << 20, 1 << 20)).unwrap();
    }

    /// The size check split between the reader of the shared strings and the second thread
    /// gives [`check_unpacked`]'s verdict, word for word, for an honest entry and a liar.
    #[test]
    fn the_table_inflated_by_its_reader_settles_as_the_whole_check() {
        let honest = liar(1 << 20, 1 << 20);
        let (_, measured) = super::super::sst::read_measured(&honest);
        assert_eq!(measured, Some(1 << 20));
        assert_eq!(unpacked_sizes(&honest, Some(0)).ok(), Some(vec![None]));
        settle(
            &honest,
            unpacked_sizes(&honest, Some(0)).ok(),
            Some(0),
            measured,
        )
        .unwrap();
        let lying = liar(1 << 20, 1_000);
        let (_, measured) = super::super::sst::read_measured(&lying);
        assert_eq!(measured, None);
        let split = settle(
            &lying,
            unpacked_sizes(&lying, Some(0)).ok(),
            Some(0),
            measured,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(split, check_unpacked(&lying).unwrap_err().to_string());
        assert!(split.contains("xl/sharedStrings.xml"), "{split}");
        // A size that does not fit in order is checked again, whatever the second thread found.
        let e = settle(
            &honest,
            Some(vec![None]),
            Some(0),
            Some(MAX_UNPACKED_BYTES + 1),
        );
        assert_eq!(e.is_ok(), check_unpacked(&honest).is_ok());
    }

    #[test]
    fn cells_beyond_the_limits_are_named() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        let mut c = Cells::default();
        let e = c.push(0, MAX_COLUMNS, text("x")).unwrap_err();
        assert!(
            e.to_string().contains("a cell at SG1 (row 1, column 501)"),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains("at most 100000 rows and 500 columns (SF100000)"),
            "{e}"
        );
    }
}
