//! CSV: the ranking, RFC 4180 with CRLF line ends.

use super::{UTF8_BOM, flag_list, opt, preliminary};
use crate::domain::results::Results;
use crate::engine::Method;

/// A text cell that a spreadsheet would take as a formula gets a leading `'` (formula injection).
fn excel_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The ranking as CSV, with a UTF-8 BOM first when `bom` is set.
///
/// Columns: `rank,id,name,score,n`, one per criterion key (its mean), then
/// `sd,p_shortlist,shortlisted,flags,decision,decision_reason`; under `calibrated`
/// `se,component` (the standard error; the group on a disconnected graph, whose scores compare
/// only within it); for a final-review batch `domain,preliminary_rank,preliminary_score` last,
/// so the header always starts `rank,id,name,score,n`. Text cells that a spreadsheet would read
/// as a formula get a leading `'`; numeric cells never do.
pub fn rank_csv(r: &Results, bom: bool) -> Vec<u8> {
    let mut header: Vec<String> = ["rank", "id", "name", "score", "n"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(r.criteria.iter().map(|(k, _)| k.clone()));
    header.extend(
        [
            "sd",
            "p_shortlist",
            "shortlisted",
            "flags",
            "decision",
            "decision_reason",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let calibrated = r.method == Method::Calibrated;
    if calibrated {
        header.extend(["se".to_string(), "component".to_string()]);
    }
    if r.final_review {
        header.extend(
            ["domain", "preliminary_rank", "preliminary_score"]
                .iter()
                .map(|s| s.to_string()),
        );
    }
    let mut records = vec![header];
    let prelim = preliminary(r);
    for row in &r.rows {
        let mut rec = vec![
            row.rank.map(|k| k.to_string()).unwrap_or_default(),
            excel_safe(&row.id),
            excel_safe(&row.name),
        ];
        rec.push(opt(row.score, 4, ""));
        rec.push(row.n.to_string());
        rec.extend(row.criteria_means.iter().map(|m| opt(*m, 4, "")));
        rec.push(opt(row.sd, 4, ""));
        rec.push(opt(row.p_shortlist, 4, ""));
        rec.push(if row.shortlisted { "yes" } else { "no" }.to_string());
        rec.push(excel_safe(&flag_list(&row.flags, ";")));
        rec.push(excel_safe(row.decision.as_deref().unwrap_or("")));
        rec.push(excel_safe(row.decision_reason.as_deref().unwrap_or("")));
        if calibrated {
            rec.push(opt(row.se, 4, ""));
            rec.push(row.component.map(|c| c.to_string()).unwrap_or_default());
        }
        if r.final_review {
            let (domain, rank, score) =
                prelim
                    .get(row.id.as_str())
                    .copied()
                    .unwrap_or((row.domain.as_str(), None, None));
            rec.push(excel_safe(domain));
            rec.push(rank.map(|k| k.to_string()).unwrap_or_default());
            rec.push(opt(score, 4, ""));
        }
        records.push(rec);
    }
    let mut out = if bom { UTF8_BOM.to_vec() } else { Vec::new() };
    // Writing to memory cannot fail and every record has the header's length.
    if let Ok(bytes) = csv_bytes(&records) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_safe_prefixes_formula_starts_only() {
        for s in ["=1+1", "+86", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(excel_safe(s), format!("'{s}"));
        }
        assert_eq!(excel_safe("技术 = 1"), "技术 = 1");
        assert_eq!(excel_safe(""), "");
    }
}
