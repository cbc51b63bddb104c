//! CSV: the ranking, RFC 4180 with CRLF line ends.

use super::UTF8_BOM;
use super::columns::{self, Col, Cx, Format};
use crate::domain::results::Results;
use crate::engine::Method;

/// The ranking as CSV, with a UTF-8 BOM first when `bom` is set.
///
/// Columns: `rank,id,name,score,n`, one per criterion key (its mean), then
/// `sd,p_shortlist,shortlisted,flags,decision,decision_reason`; under `calibrated`
/// `se,component` (the standard error; the group on a disconnected graph, whose scores compare
/// only within it); for a final-review batch `domain,preliminary_rank,preliminary_score` last,
/// so the header always starts `rank,id,name,score,n`. Text cells that a spreadsheet would read
/// as a formula get a leading `'`; numeric cells never do.
pub fn rank_csv(r: &Results, bom: bool) -> Vec<u8> {
    let cx = Cx::new(r, None);
    let mut cols = vec![Col::Rank, Col::Id, Col::Name, Col::Score, Col::N];
    cols.extend(columns::criteria(r));
    cols.extend([
        Col::Sd,
        Col::P,
        Col::Shortlisted,
        Col::Flags,
        Col::Decision,
        Col::Reason,
    ]);
    // Unlike the other formats, both whenever calibrated: the header does not depend on the data.
    if r.method == Method::Calibrated {
        cols.extend([Col::Se, Col::Group]);
    }
    cols.extend(columns::prelim(r));
    let mut records = vec![cx.heads(&cols, Format::Csv)];
    records.extend(r.rows.iter().map(|row| cx.texts(&cols, row, Format::Csv)));
    let mut out = if bom { UTF8_BOM.to_vec() } else { Vec::new() };
    // Writing to memory cannot fail and every record has the header's length.
    if let Ok(bytes) = csv_bytes(&records) {
        out.extend(bytes);
    }
    out
}

/// Any table as the CSV `export` writes: the UTF-8 BOM (Excel on Chinese Windows), CRLF line
/// ends, and every cell a spreadsheet would take as a formula with a leading `'`; so no cell of
/// `records` may be a negative number meant as one.
pub fn excel_csv(records: &[Vec<String>]) -> Vec<u8> {
    let safe: Vec<Vec<String>> = records
        .iter()
        .map(|r| r.iter().map(|c| super::excel_safe(c)).collect())
        .collect();
    let mut out = UTF8_BOM.to_vec();
    // Writing to memory cannot fail; records of different lengths are the caller's mistake.
    if let Ok(bytes) = csv_bytes(&safe) {
        out.extend(bytes);
    }
    out
}

/// RFC 4180 CSV (quotes as needed, CRLF line ends as the RFC and Excel expect).
fn csv_bytes(records: &[Vec<String>]) -> Result<Vec<u8>, ::csv::Error> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for rec in records {
        w.write_record(rec)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `export --format csv`: [`rank_csv`] with the UTF-8 BOM.
pub fn export_csv(r: &Results) -> Vec<u8> {
    rank_csv(r, true)
}
