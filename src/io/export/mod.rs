//! Output formats of `rank`, `stats` and `export`: terminal tables, CSV, JSON, XLSX and Markdown.
//!
//! Every function here is pure over a [`Results`] value (and the [`Profile`] where labels are
//! needed), except [`export_xlsx`], which writes its file. All outputs are deterministic: the same
//! `Results` gives byte-identical text, CSV, JSON, XLSX and DOCX (the workbook's creation time is
//! fixed; the zip entries of both packages carry a constant timestamp).
//!
//! Number conventions, shared by every format so a figure reads the same everywhere: CSV has 4
//! decimals, XLSX stores the value (shown `0.0000`, probabilities `0.00`), text (terminal and
//! report) shows each kind of figure with its own decimals (`columns::Fig`); a value that rounds
//! to zero is printed without a minus sign; a missing value is an empty CSV cell, a blank XLSX cell
//! and `-` in text.
//!
//! Layout: `table` (terminal), `csv`, `json` and `xlsx` write their format; the report is built
//! once as a `doc::Document` by `report` and rendered by `markdown` and `docx`; the columns the tabular
//! formats share are defined once in `columns`.
//!
//! The list sent to the association (XLSX `入围名单`, Markdown shortlist) is the computed
//! shortlist with the chair's decisions applied: a row is on it when the chair decided `include`,
//! or when it is shortlisted and the chair did not decide `exclude`. Without decisions that is
//! exactly the K shortlisted rows.

pub mod agree;
mod columns;
mod csv;
pub mod doc;
pub mod docx;
mod json;
mod markdown;
mod ranked;
mod report;
mod table;
mod xlsx;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use rust_xlsxwriter::XlsxError;

use crate::domain::profile::Profile;
use crate::domain::results::{Flag, Results, Row};
use crate::engine::{AgreementStats, ItemResult, Method};

pub use csv::{excel_csv, export_csv, rank_csv};
pub use docx::export_docx;
pub use json::{export_json, rank_json, stats_json};
pub use markdown::export_markdown;
pub use ranked::{RankMethods, RankedItem, rank_methods};
pub use table::{rank_table, rank_table_in, stats_table, stats_table_in};
pub use xlsx::{VoteCounts, export_xlsx, xlsx_bytes, xlsx_bytes_with};

/// The `format` tag of [`rank_json`] output.
pub const RESULTS_FORMAT: &str = "revdesk-results/1";

/// The `format` tag of [`stats_json`] output.
pub const STATS_FORMAT: &str = "revdesk-stats/1";

/// The UTF-8 byte order mark that [`rank_csv`] writes first when asked (Excel on Chinese Windows).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// An export that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The workbook could not be built.
    #[error("{file}: cannot build the workbook")]
    Xlsx {
        /// The file being exported.
        file: PathBuf,
        /// The writer's error.
        source: XlsxError,
    },
    /// The file could not be written.
    #[error("{file}: cannot write")]
    Write {
        /// The file being exported.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// A time as stored (RFC 3339 UTC) in local time with its offset, e.g. `2020-09-01 16:00 +08:00`:
/// what printed papers and the chair's view show; text that is not a time stays as it is.
pub fn local_time(at: &str) -> String {
    match at.parse::<jiff::Timestamp>() {
        Ok(ts) => ts
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M %:z")
            .to_string(),
        Err(_) => at.to_string(),
    }
}

/// `x` with `d` decimals; non-finite values give "" (never reached: scores are finite).
fn fixed(x: f64, d: usize) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let s = format!("{x:.d$}");
    // Why: "-0.0000" reads like a negative score; a value that rounds to zero prints as zero.
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// `x` with `d` decimals, or `none` when missing.
fn opt(x: Option<f64>, d: usize, none: &str) -> String {
    match x {
        Some(v) if v.is_finite() => fixed(v, d),
        _ => none.to_string(),
    }
}

/// A criterion's column heading: the Chinese label, or the key when the profile has none.
fn crit_label(key: &str, label: &str) -> String {
    if label.trim().is_empty() {
        key.to_string()
    } else {
        label.to_string()
    }
}

/// A text cell that a spreadsheet would take as a formula gets a leading `'` (formula injection).
fn excel_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The title of the Chinese documents: the batch's, or the profile's name when it has none.
fn doc_title<'a>(r: &'a Results, profile: &'a Profile) -> &'a str {
    if r.title.trim().is_empty() {
        &profile.name
    } else {
        &r.title
    }
}

/// Why there are no agreement figures, in Chinese.
fn no_agreement_zh(r: &Results) -> String {
    let a = &r.aggregation.agreement;
    format!(
        "数据不足，无法计算（需要至少 2 位专家评完相同的至少 2 项；最佳子集：{} 位专家 × {} 项）",
        a.experts.len(),
        a.items.len()
    )
}

/// The rows on the list sent to the association (module docs: decisions override the cut).
fn final_list(r: &Results) -> impl Iterator<Item = &Row> {
    r.rows.iter().filter(|row| match row.decision.as_deref() {
        Some("include") => true,
        Some("exclude") => false,
        _ => row.shortlisted,
    })
}

/// Whether K itself is outside the range (with decisions `k_out_of_range` is about the list).
fn k_outside(r: &Results) -> bool {
    match &r.decided {
        Some(_) => r.k < r.config.shortlist_min || r.k > r.config.shortlist_max,
        None => r.k_out_of_range,
    }
}

/// The rank interval as `lo–hi`.
fn interval(row: &Row, dash: &str) -> Option<String> {
    row.rank_interval.map(|(lo, hi)| format!("{lo}{dash}{hi}"))
}

/// Per-item engine results by item id (min, max and plain mean live there, not in `Row`).
fn items_by_id(r: &Results) -> BTreeMap<&str, &ItemResult> {
    r.aggregation
        .items
        .iter()
        .map(|i| (i.id.as_str(), i))
        .collect()
}

/// The number of groups of a calibrated fit on a disconnected expert–item graph, if it is one.
fn groups(r: &Results) -> Option<usize> {
    r.aggregation
        .calibration
        .as_ref()
        .filter(|c| c.disconnected)
        .map(|c| c.n_components)
}

/// The cut note in Chinese (the XLSX and Markdown are Chinese documents): why the engine cut
/// where it did, or the chair's cut and tie settlement when decisions were applied, as in
/// [`Results::cut_note`].
pub fn cut_note_zh(r: &Results) -> String {
    let Some(d) = &r.decided else {
        return crate::domain::results::describe_cut_zh(&r.aggregation.shortlist);
    };
    // Mirrors `decisions::apply`, which writes the English note.
    let mut note = if d.k_decided {
        format!("K = {}：由主席设定（规则给出 K = {}）", d.k, d.computed_k)
    } else {
        crate::domain::results::describe_cut_zh(&r.aggregation.shortlist)
    };
    if let Some(split) = &d.split_tie {
        if d.k_decided {
            let _ = write!(
                note,
                "；拆开了第 {} 名的同分（{}）",
                split.rank,
                split.items.join("、")
            );
        }
        match &split.resolved {
            Some(how) => {
                let _ = write!(note, "；同分已解决：{how}");
            }
            None => note.push_str("；主席尚未说明同分如何处理"),
        }
    }
    note
}

/// The warnings in Chinese, in the order of [`Results::warnings`].
pub fn warnings_zh(r: &Results) -> Vec<String> {
    r.aggregation
        .warnings
        .iter()
        .map(crate::domain::results::describe_warning_zh)
        .collect()
}

/// Why zscore left the expert out, in Chinese (None when it did not).
fn left_out_zh(r: &Results, expert: &str) -> Option<String> {
    r.aggregation
        .experts
        .iter()
        .find(|e| e.id == expert)
        .and_then(|e| e.excluded.as_ref())
        .map(crate::domain::results::describe_left_out_zh)
}

/// A leniency with its sign (`+1.25`, `-0.50`), or `none`.
fn signed(x: Option<f64>, none: &str) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let s = fixed(v, 2);
            if s.starts_with('-') || s == "0.00" {
                s
            } else {
                format!("+{s}")
            }
        }
        _ => none.to_string(),
    }
}

/// The ids of the experts of the crossed subset used for agreement.
fn crossed_experts(r: &Results) -> Vec<String> {
    r.aggregation
        .agreement
        .experts
        .iter()
        .filter_map(|&e| r.aggregation.experts.get(e).map(|x| x.id.clone()))
        .collect()
}

/// The agreement figures with the size of the crossed subset (all None when not computable).
fn agreement_figures(r: &Results) -> AgreementStats {
    let a = &r.aggregation.agreement;
    a.stats.unwrap_or(AgreementStats {
        icc1_1: None,
        icc2_1: None,
        icc3_1: None,
        icc1_k: None,
        icc2_k: None,
        icc3_k: None,
        kendall_w: None,
        n_items: a.items.len(),
        n_experts: a.experts.len(),
    })
}

/// Each criterion's label with its agreement on the crossed subset (rubric order).
fn criteria_agreement(r: &Results) -> Vec<(&str, Option<&AgreementStats>)> {
    r.criteria
        .iter()
        .enumerate()
        .map(|(c, (_, label))| {
            let s = r
                .aggregation
                .agreement
                .criteria
                .get(c)
                .and_then(Option::as_ref);
            (label.as_str(), s)
        })
        .collect()
}

/// The seven agreement figures with their names and meanings (Chinese with `zh`), in a fixed order.
fn agreement_lines(s: &AgreementStats, zh: bool) -> [(&'static str, Option<f64>, &'static str); 7] {
    let say = |en: &'static str, cn: &'static str| if zh { cn } else { en };
    [
        (
            "ICC(1,1)",
            s.icc1_1,
            say("one-way random, single expert", "单向随机，单个专家"),
        ),
        (
            "ICC(2,1)",
            s.icc2_1,
            say(
                "two-way random, single expert, absolute agreement",
                "双向随机，单个专家，绝对一致",
            ),
        ),
        (
            "ICC(3,1)",
            s.icc3_1,
            say(
                "two-way mixed, single expert, consistency",
                "双向混合，单个专家，一致性",
            ),
        ),
        (
            "ICC(1,k)",
            s.icc1_k,
            say(
                "one-way random, mean of the k experts",
                "单向随机，k 位专家平均",
            ),
        ),
        (
            "ICC(2,k)",
            s.icc2_k,
            say(
                "two-way random, mean of the k experts",
                "双向随机，k 位专家平均",
            ),
        ),
        (
            "ICC(3,k)",
            s.icc3_k,
            say(
                "two-way mixed, mean of the k experts",
                "双向混合，k 位专家平均",
            ),
        ),
        (
            "Kendall's W",
            s.kendall_w,
            say(
                "concordance of the experts' rankings",
                "肯德尔和谐系数：专家排序的一致程度",
            ),
        ),
    ]
}

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

fn decision_zh(d: Option<&str>) -> String {
    match d {
        Some("include") => "入选".to_string(),
        Some("exclude") => "不入选".to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Flags by their machine-readable names.
fn flag_list(flags: &[Flag], sep: &str) -> String {
    flags
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

fn confidence_zh(c: &str) -> &str {
    match c {
        "low" => "低",
        "normal" => "中",
        "high" => "高",
        other => other,
    }
}

fn method_zh(m: Method, trim_min: usize) -> String {
    match m {
        Method::Mean => "mean：专家总分的平均".to_string(),
        Method::Trimmed => {
            format!("trimmed：有效专家不少于 {trim_min} 人时去掉一个最高分和一个最低分后平均")
        }
        Method::Median => "median：专家总分的中位数".to_string(),
        Method::Zscore => "zscore：各专家总分标准化后平均".to_string(),
        Method::Calibrated => {
            "calibrated：加权最小二乘模型 总分 = 项目分 + 专家宽严偏差".to_string()
        }
    }
}

/// What the experts' 宽严偏差 column holds, in Chinese.
fn bias_note_zh(r: &Results) -> String {
    let within = match groups(r) {
        Some(n) => format!("；评分关系分为 {n} 个互不相连的组，各组内 Σb = 0，不同组之间不可比较"),
        None => "，Σb = 0".to_string(),
    };
    format!(
        "宽严偏差 b 来自 calibrated 模型（总分 = 项目分 v + 专家偏差 b{within}），正值表示偏宽、负值表示偏严；无论采用哪种排名方法均给出"
    )
}

/// Nomination names and expert names by id.
fn name_maps(r: &Results) -> (BTreeMap<&str, &str>, BTreeMap<&str, &str>) {
    let names = r
        .rows
        .iter()
        .map(|x| (x.id.as_str(), x.name.as_str()))
        .collect();
    let experts = r
        .experts
        .iter()
        .map(|e| (e.id.as_str(), e.name.as_str()))
        .collect();
    (names, experts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_drops_negative_zero() {
        assert_eq!(fixed(-0.00001, 4), "0.0000");
        assert_eq!(fixed(-0.5, 4), "-0.5000");
        assert_eq!(fixed(71.25, 4), "71.2500");
        assert_eq!(opt(None, 2, "-"), "-");
    }

    #[test]
    fn excel_safe_prefixes_formula_starts_only() {
        for s in ["=1+1", "+86", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(excel_safe(s), format!("'{s}"));
        }
        assert_eq!(excel_safe("技术 = 1"), "技术 = 1");
        assert_eq!(excel_safe(""), "");
    }
}
