//! Output formats of `rank`, `stats` and `export`: terminal tables, CSV, JSON, XLSX and Markdown.
//!
//! Every function here is pure over a [`Results`] value (and the [`Profile`] where labels are
//! needed), except [`export_xlsx`], which writes its file. All outputs are deterministic: the same
//! `Results` gives byte-identical text, CSV, JSON and XLSX (the workbook's creation time is fixed
//! and its zip entries carry a constant timestamp).
//!
//! Number conventions, shared by every format so a figure reads the same everywhere:
//! scores, criterion means and sd in CSV/XLSX/Markdown have 4 decimals; a value that rounds to
//! zero is printed without a minus sign; a missing value is an empty CSV cell, a blank XLSX cell
//! and `-` in text.
//!
//! The list sent to the association (XLSX `入围名单`, Markdown shortlist) is the computed
//! shortlist with the chair's decisions applied: a row is on it when the chair decided `include`,
//! or when it is shortlisted and the chair did not decide `exclude`. Without decisions that is
//! exactly the K shortlisted rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};
use serde::Serialize;

use crate::domain::profile::Profile;
use crate::domain::results::{ExpertRow, Flag, Results, Row};
use crate::engine::{AgreementStats, ItemResult, Method};
use crate::text::wrap;

/// The `format` tag of [`rank_json`] output.
pub const RESULTS_FORMAT: &str = "revdesk-results/1";

/// The `format` tag of [`stats_json`] output.
pub const STATS_FORMAT: &str = "revdesk-stats/1";

/// The UTF-8 byte order mark that [`rank_csv`] writes first when asked (Excel on Chinese Windows).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Widest name column, in terminal cells, of the terminal tables.
const NAME_WIDTH: usize = 30;

/// Excel refuses strings longer than this many characters in a cell.
const XLSX_MAX_STRING: usize = 32_767;

/// An export that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The workbook could not be built.
    #[error("{file}: cannot build the workbook: {source}")]
    Xlsx {
        /// The file being exported.
        file: PathBuf,
        /// The writer's error.
        source: XlsxError,
    },
    /// The file could not be written.
    #[error("{file}: cannot write: {source}")]
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

/// Pretty JSON with a trailing newline; plain structs cannot fail to serialise.
fn pretty<T: Serialize>(v: &T) -> String {
    match serde_json::to_string_pretty(v) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Unreachable with these types (no maps with non-string keys), but never panic.
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Terminal tables
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

/// A terminal table with fixed-width columns and a free last column (flags).
struct TextTable {
    /// (heading, alignment, widest allowed).
    cols: Vec<(String, Align, usize)>,
    /// Heading of the free last column.
    tail: &'static str,
    /// Cells per row, then the free text.
    rows: Vec<(Vec<String>, String)>,
}

impl TextTable {
    fn new(cols: Vec<(String, Align, usize)>, tail: &'static str) -> Self {
        TextTable {
            cols,
            tail,
            rows: Vec::new(),
        }
    }

    fn widths(&self) -> Vec<usize> {
        self.cols
            .iter()
            .enumerate()
            .map(|(c, (h, _, cap))| {
                let cells = self.rows.iter().filter_map(|(cells, _)| cells.get(c));
                cells
                    .map(|s| wrap::width(s))
                    .chain([wrap::width(h)])
                    .max()
                    .unwrap_or(0)
                    .min(*cap)
            })
            .collect()
    }

    /// One line: every fixed column fitted to its width, so the free text starts at one column.
    fn line(&self, widths: &[usize], cells: &[String], tail: &str) -> String {
        let mut out = String::new();
        for (c, ((_, align, _), &w)) in self.cols.iter().zip(widths).enumerate() {
            let s = cells.get(c).map(String::as_str).unwrap_or("");
            match align {
                Align::Left => out.push_str(&wrap::pad(s, w)),
                Align::Right => {
                    let t = wrap::truncate(s, w);
                    out.extend(std::iter::repeat_n(' ', w.saturating_sub(wrap::width(&t))));
                    out.push_str(&t);
                }
            }
            out.push_str("  ");
        }
        // Why: the free text goes through the same rendering, so no control character escapes.
        out.push_str(&wrap::truncate(tail, wrap::width(tail)));
        out
    }

    /// Header, rule and one line per row; `rule_after` draws a labelled rule after that many rows.
    fn render(&self, out: &mut String, rule_after: Option<(usize, String)>) {
        let widths = self.widths();
        let heads: Vec<String> = self.cols.iter().map(|c| c.0.clone()).collect();
        let header = self.line(&widths, &heads, self.tail);
        let full = wrap::width(&header);
        out.push_str(header.trim_end());
        out.push('\n');
        out.push_str(&"=".repeat(full));
        out.push('\n');
        let rule = |out: &mut String, label: &str| {
            let fill = full.saturating_sub(wrap::width(label) + 3);
            out.push_str("-- ");
            out.push_str(label);
            out.push_str(&"-".repeat(fill));
            out.push('\n');
        };
        for (i, (cells, tail)) in self.rows.iter().enumerate() {
            if let Some((k, label)) = &rule_after
                && *k == i
            {
                rule(out, label);
            }
            out.push_str(&self.line(&widths, cells, tail));
            out.push('\n');
        }
        if let Some((k, label)) = &rule_after
            && *k >= self.rows.len()
        {
            rule(out, label);
        }
    }
}

fn col(h: &str, a: Align, cap: usize) -> (String, Align, usize) {
    (h.to_string(), a, cap)
}

/// One summary line about the run: method, range, K, bootstrap.
fn run_summary(r: &Results) -> String {
    let c = &r.config;
    let mut s = format!("method: {}", r.method);
    if r.method == Method::Trimmed {
        let _ = write!(s, " (drops the extremes from {} experts)", c.trim_min);
    }
    let _ = write!(
        s,
        " | shortlist {}-{} | K = {}",
        c.shortlist_min, c.shortlist_max, r.k
    );
    match &r.decided {
        // Once decisions apply, K and the list size differ; say which one leaves the range.
        Some(d) => {
            if d.k_decided {
                let _ = write!(s, " (the chair's; the rule gives {})", d.computed_k);
            }
            let _ = write!(s, " | list {}", d.list_size);
            if !d.in_range() {
                s.push_str(" (outside the range)");
            }
        }
        None if r.k_out_of_range => s.push_str(" (outside the range)"),
        None => {}
    }
    match &r.bootstrap {
        Some(b) => {
            let _ = write!(s, " | bootstrap B = {}, seed {}", b.replicates, b.seed);
        }
        None => s.push_str(" | no bootstrap"),
    }
    s
}

/// What the chair decided, as text lines (nothing without decisions).
fn decisions_text(r: &Results, out: &mut String) {
    let Some(d) = &r.decided else {
        return;
    };
    let _ = write!(out, "chair's decisions: {} recorded", r.decisions.len());
    if let Some(c) = &d.made_under {
        let _ = write!(out, ", made under {c}");
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "  decided list: {} nominations ({}), range {}-{}",
        d.list_size,
        d.makeup(),
        d.shortlist_min,
        d.shortlist_max
    );
    if let Some(p) = d.range_problem() {
        let _ = writeln!(out, "  outside the range: {}", clean(&p));
    }
    if let Some(p) = d.context_problem() {
        let _ = writeln!(out, "  settings differ: {}", clean(&p));
    }
    for o in &d.overrides {
        let _ = writeln!(
            out,
            "  {} {} (rank {}): {}",
            o.kind.as_str(),
            clean(&o.item),
            o.rank.map_or_else(|| "-".to_string(), |k| k.to_string()),
            clean(&o.reason)
        );
    }
    if let Some(t) = &d.split_tie {
        let _ = writeln!(
            out,
            "  the cut splits the tie at rank {} ({}): {}",
            t.rank,
            clean(&t.items.join(", ")),
            t.resolved.as_deref().map_or_else(
                || "not settled".to_string(),
                |n| format!("settled: {}", clean(n))
            )
        );
    }
}

/// Domain key, preliminary rank and score of a final-review nomination, by id.
fn preliminary(r: &Results) -> BTreeMap<&str, (&str, Option<u32>, Option<f64>)> {
    r.nominations
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                (i.domain.as_str(), i.preliminary_rank, i.preliminary_score),
            )
        })
        .collect()
}

/// Text for the terminal on one line: line breaks as spaces, control characters as U+FFFD.
fn clean(s: &str) -> String {
    // Why: titles, ids and names come from batch files; an escape sequence must not reach a terminal.
    wrap::truncate(s, wrap::width(s))
}

/// Title and batch line.
fn title_line(r: &Results) -> String {
    let short: String = r.batch.chars().take(12).collect();
    let line = if r.title.trim().is_empty() {
        format!("batch {short} | profile {}", r.profile)
    } else {
        format!("{} | batch {short} | profile {}", r.title, r.profile)
    };
    clean(&line)
}

/// The threshold map, the sizes in range and the bootstrap's K distribution, as text lines.
fn threshold_text(r: &Results, out: &mut String) {
    let sl = &r.aggregation.shortlist;
    if sl.thresholds.is_empty() {
        out.push_str("threshold map: no ranked nominations\n");
    } else {
        let _ = writeln!(
            out,
            "threshold map (score ≥ T admits every nomination at or above T; range {}-{}):",
            sl.min, sl.max
        );
        let scores: Vec<String> = sl
            .thresholds
            .iter()
            .map(|t| fixed(t.threshold, 4))
            .collect();
        let sw = scores.iter().map(|s| s.len()).max().unwrap_or(0);
        let aw = sl
            .thresholds
            .iter()
            .map(|t| t.admitted.to_string().len())
            .max()
            .unwrap_or(0);
        for (t, s) in sl.thresholds.iter().zip(&scores) {
            let _ = write!(
                out,
                "  score ≥ {s:>sw$} → {:>aw$} items  {}",
                t.admitted,
                if t.in_range {
                    "in range"
                } else {
                    "out of range"
                }
            );
            if t.group_size > 1 {
                let _ = write!(out, "  ({} tied)", t.group_size);
            }
            if t.admitted == r.k {
                out.push_str("  <- K");
            }
            out.push('\n');
        }
    }
    if !sl.cuts.is_empty() {
        out.push_str("sizes in range:\n");
        for c in &sl.cuts {
            let _ = write!(
                out,
                "  K = {:>3}: K-th {}, next {}",
                c.k,
                fixed(c.score_at_cut, 4),
                opt(c.next_score, 4, "-")
            );
            if c.splits_tie {
                out.push_str("  splits a tie");
            }
            if c.k == r.k {
                out.push_str("  <- chosen");
            }
            out.push('\n');
        }
    }
    if let Some(st) = &r.stability {
        let ks: Vec<String> = st
            .k_counts
            .iter()
            .map(|(k, n)| format!("{k} ({n}x)"))
            .collect();
        let _ = writeln!(
            out,
            "K over {} resamples: {}",
            st.replicates,
            if ks.is_empty() {
                "-".to_string()
            } else {
                ks.join(", ")
            }
        );
    }
}

/// Borderline rows with their inclusion probability and 90% rank interval, as text lines.
fn borderline_text(r: &Results, out: &mut String) {
    let Some(b) = &r.bootstrap else {
        out.push_str("borderline: no bootstrap run\n");
        return;
    };
    let rows: Vec<&Row> = r.borderline().collect();
    if rows.is_empty() {
        let _ = writeln!(
            out,
            "borderline (p_shortlist {:.2}-{:.2}): none",
            b.borderline_low, b.borderline_high
        );
        return;
    }
    let _ = writeln!(
        out,
        "borderline (p_shortlist {:.2}-{:.2}):",
        b.borderline_low, b.borderline_high
    );
    let idw = rows.iter().map(|x| wrap::width(&x.id)).max().unwrap_or(0);
    let nw = rows
        .iter()
        .map(|x| wrap::width(&x.name))
        .max()
        .unwrap_or(0)
        .min(NAME_WIDTH);
    for row in rows {
        let _ = writeln!(
            out,
            "  {}  {}  rank {:>3}  p = {}  90% rank interval [{}]",
            wrap::pad(&row.id, idw),
            wrap::pad(&row.name, nw),
            row.rank.map_or_else(|| "-".to_string(), |k| k.to_string()),
            opt(row.p_shortlist, 2, "-"),
            interval(row, ", ").unwrap_or_else(|| "-".to_string())
        );
    }
}

fn warnings_text(r: &Results, out: &mut String) {
    if r.warnings.is_empty() {
        out.push_str("warnings: none\n");
    } else {
        for w in &r.warnings {
            let _ = writeln!(out, "warning: {}", clean(w));
        }
    }
}

/// The calibrated fit's cells of a row in text tables: the standard error under `calibrated`,
/// the group on a disconnected panel; `-` where there is none.
fn fit_cells(row: &Row, calibrated: bool, grouped: bool) -> Vec<String> {
    let mut cells = Vec::new();
    if calibrated {
        cells.push(opt(row.se, 4, "-"));
    }
    if grouped {
        cells.push(
            row.component
                .map_or_else(|| "-".to_string(), |c| c.to_string()),
        );
    }
    cells
}

/// The ranking as a terminal table for `revdesk rank`.
///
/// The cut line follows the K-th row; below the table come the cut note, the threshold map,
/// the borderline items with their 90% rank intervals, and the warnings.
pub fn rank_table(r: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", title_line(r));
    let _ = writeln!(out, "{}", run_summary(r));
    decisions_text(r, &mut out);
    out.push('\n');
    let mut cols = vec![
        col("rank", Align::Right, 6),
        col("id", Align::Left, 20),
        col("name", Align::Left, NAME_WIDTH),
    ];
    // The final review keeps where each nomination came from.
    let prelim = preliminary(r);
    if r.final_review {
        cols.push(col("domain", Align::Left, 24));
        cols.push(col("prelim", Align::Right, 6));
        cols.push(col("p.score", Align::Right, 9));
    }
    cols.push(col("score", Align::Right, 12));
    let calibrated = r.method == Method::Calibrated;
    let groups = groups(r);
    if calibrated {
        cols.push(col("se", Align::Right, 8));
    }
    if groups.is_some() {
        cols.push(col("grp", Align::Right, 3));
    }
    cols.push(col("n", Align::Right, 4));
    for (key, label) in &r.criteria {
        cols.push(col(&crit_label(key, label), Align::Right, 12));
    }
    cols.push(col("sd", Align::Right, 8));
    cols.push(col("p", Align::Right, 5));
    cols.push(col("*", Align::Left, 1));
    let mut t = TextTable::new(cols, "flags");
    for row in &r.rows {
        let mut cells = vec![
            row.rank.map_or_else(|| "-".to_string(), |k| k.to_string()),
            row.id.clone(),
            row.name.clone(),
        ];
        if r.final_review {
            let (domain, rank, score) =
                prelim
                    .get(row.id.as_str())
                    .copied()
                    .unwrap_or((row.domain.as_str(), None, None));
            cells.push(domain.to_string());
            cells.push(rank.map_or_else(|| "-".to_string(), |k| k.to_string()));
            cells.push(opt(score, 2, "-"));
        }
        cells.push(opt(row.score, 4, "-"));
        cells.extend(fit_cells(row, calibrated, groups.is_some()));
        cells.push(row.n.to_string());
        cells.extend(row.criteria_means.iter().map(|m| opt(*m, 1, "-")));
        cells.push(opt(row.sd, 2, "-"));
        cells.push(opt(row.p_shortlist, 2, "-"));
        cells.push(if row.shortlisted { "*" } else { "" }.to_string());
        t.rows.push((cells, tail_text(row)));
    }
    if r.rows.is_empty() {
        out.push_str("no nominations\n");
    } else {
        t.render(&mut out, Some((r.k, format!("cut: K = {} ", r.k))));
    }
    out.push('\n');
    let _ = writeln!(out, "cut: {}", clean(&r.cut_note));
    threshold_text(r, &mut out);
    borderline_text(r, &mut out);
    if calibrated {
        leniency_text(r, groups, &mut out);
    }
    warnings_text(r, &mut out);
    out
}

/// The experts' leniency b_e of the calibrated fit, one expert a line.
fn leniency_text(r: &Results, groups: Option<usize>, out: &mut String) {
    match groups {
        Some(n) => {
            let _ = writeln!(
                out,
                "leniency b_e (t = v + b; sum of b = 0 within each of the {n} groups; scores compare only within a group, column grp):"
            );
        }
        None => out.push_str(
            "leniency b_e (t = v + b, sum of b = 0; se: standard error of the score):
",
        ),
    }
    let idw = r
        .experts
        .iter()
        .map(|e| wrap::width(&e.id))
        .max()
        .unwrap_or(0);
    let nw = r
        .experts
        .iter()
        .map(|e| wrap::width(&e.name))
        .max()
        .unwrap_or(0)
        .min(NAME_WIDTH);
    for e in &r.experts {
        let _ = writeln!(
            out,
            "  {}  {}  {:>7}",
            wrap::pad(&e.id, idw),
            wrap::pad(&e.name, nw),
            signed(e.bias, "-")
        );
    }
}

/// A row's flags, then the chair's decision when one was recorded.
fn tail_text(row: &Row) -> String {
    let mut s = flag_list(&row.flags, " ");
    if let Some(d) = &row.decision {
        if !s.is_empty() {
            s.push(' ');
        }
        let _ = write!(s, "chair:{d}");
    }
    s
}

/// Panel statistics as a terminal table for `revdesk stats`: experts, items and agreement.
pub fn stats_table(r: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", title_line(r));
    let _ = writeln!(out, "{}", run_summary(r));
    decisions_text(r, &mut out);
    out.push('\n');

    let _ = writeln!(out, "experts ({}):", r.experts.len());
    let mut t = TextTable::new(
        vec![
            col("id", Align::Left, 20),
            col("name", Align::Left, 16),
            col("scored", Align::Right, 6),
            col("recused", Align::Right, 7),
            col("conflict", Align::Right, 8),
            col("incomplete", Align::Right, 10),
            col("mean", Align::Right, 9),
            col("sd", Align::Right, 8),
            col("bias", Align::Right, 9),
        ],
        "left out",
    );
    for e in &r.experts {
        t.rows.push((
            vec![
                e.id.clone(),
                e.name.clone(),
                e.scored.to_string(),
                e.recused.to_string(),
                e.conflicts.to_string(),
                e.incomplete.to_string(),
                opt(e.mean, 2, "-"),
                opt(e.sd, 2, "-"),
                opt(e.bias, 2, "-"),
            ],
            e.left_out.clone().unwrap_or_default(),
        ));
    }
    t.render(&mut out, None);
    out.push_str(
        "recused: declared by the expert; conflict: excluded for a conflict of interest found from the panel file\n",
    );
    let _ = writeln!(
        out,
        "bias: leniency b_e from the calibrated fit (t = v + b, sum of b = 0{}), whatever the method ranks",
        if groups(r).is_some() {
            " within each group"
        } else {
            ""
        }
    );
    out.push('\n');

    let by_id = items_by_id(r);
    let decided = r.decided.is_some();
    let _ = writeln!(out, "items ({}):", r.rows.len());
    let mut cols = vec![
        col("rank", Align::Right, 6),
        col("id", Align::Left, 20),
        col("name", Align::Left, NAME_WIDTH),
        col("n", Align::Right, 4),
        col("recused", Align::Right, 7),
        col("conflict", Align::Right, 8),
        col("incomplete", Align::Right, 10),
        col("mean", Align::Right, 9),
        col("sd", Align::Right, 8),
        col("max-min", Align::Right, 8),
    ];
    // With the chair's decisions: who is on the decided list, and why when it is an override.
    if decided {
        cols.push(col("*", Align::Left, 1));
    }
    let mut t = TextTable::new(cols, "flags");
    for row in &r.rows {
        let mean = by_id.get(row.id.as_str()).and_then(|i| i.mean_total);
        let spread = row.flags.contains(&Flag::Spread);
        let mut cells = vec![
            row.rank.map_or_else(|| "-".to_string(), |k| k.to_string()),
            row.id.clone(),
            row.name.clone(),
            row.n.to_string(),
            row.n_recused.to_string(),
            row.n_conflict.to_string(),
            row.n_incomplete.to_string(),
            opt(mean, 2, "-"),
            opt(row.sd, 2, "-"),
            opt(row.range, 2, "-"),
        ];
        let tail = if decided {
            cells.push(if row.shortlisted { "*" } else { "" }.to_string());
            tail_text(row)
        } else {
            if spread { "spread" } else { "" }.to_string()
        };
        t.rows.push((cells, tail));
    }
    t.render(&mut out, None);
    let _ = writeln!(
        out,
        "spread: max-min ≥ {} or sd ≥ {}",
        r.config.spread_range_flag, r.config.spread_sd_flag
    );
    out.push('\n');

    agreement_text(r, &mut out);
    out
}

fn agreement_text(r: &Results, out: &mut String) {
    let a = &r.aggregation.agreement;
    let Some(s) = &a.stats else {
        let _ = writeln!(
            out,
            "agreement: not enough fully crossed data (needs 2 experts who completed the same 2 items; best subset: {} experts x {} items)",
            a.experts.len(),
            a.items.len()
        );
        return;
    };
    let _ = writeln!(
        out,
        "agreement on the fully crossed subset: {} experts x {} items ({})",
        s.n_experts,
        s.n_items,
        clean(&crossed_experts(r).join(", "))
    );
    for (name, v, what) in agreement_lines(s, false) {
        let _ = writeln!(out, "  {name:<11}  {:>6}  {what}", opt(v, 3, "-"));
    }
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

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
fn csv_bytes(records: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
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

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct ResultsDoc<'a> {
    format: &'static str,
    #[serde(flatten)]
    results: &'a Results,
}

/// The whole `Results` as pretty JSON tagged `"format": "revdesk-results/1"`.
///
/// Keys follow the struct order (deterministic); the text ends with a newline.
pub fn rank_json(r: &Results) -> String {
    pretty(&ResultsDoc {
        format: RESULTS_FORMAT,
        results: r,
    })
}

/// `export --format json`: the same as [`rank_json`].
pub fn export_json(r: &Results) -> String {
    rank_json(r)
}

#[derive(Serialize)]
struct StatsItem<'a> {
    rank: Option<usize>,
    id: &'a str,
    name: &'a str,
    n: usize,
    recused: usize,
    conflicts: usize,
    incomplete: usize,
    mean: Option<f64>,
    sd: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    range: Option<f64>,
    spread: bool,
    flags: &'a [Flag],
    #[serde(skip_serializing_if = "Option::is_none")]
    shortlisted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Crossed<'a> {
    experts: Vec<String>,
    items: Vec<String>,
    mean_squares: Option<&'a crate::engine::MeanSquares>,
}

#[derive(Serialize)]
struct StatsDoc<'a> {
    format: &'static str,
    batch: &'a str,
    profile: &'a str,
    method: Method,
    experts: &'a [ExpertRow],
    items: Vec<StatsItem<'a>>,
    agreement: AgreementStats,
    crossed: Crossed<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided: Option<&'a crate::domain::decisions::Applied>,
}

/// Panel statistics as pretty JSON tagged `"format": "revdesk-stats/1"`.
///
/// Keys: `experts`, `items`, `agreement` (exactly `icc1_1` … `icc3_k`, `kendall_w`, `n_items`,
/// `n_experts`; null figures when not computable) and `crossed` (the subset it used).
pub fn stats_json(r: &Results) -> String {
    let by_id = items_by_id(r);
    let items = r
        .rows
        .iter()
        .map(|row| {
            let it = by_id.get(row.id.as_str());
            StatsItem {
                rank: row.rank,
                id: &row.id,
                name: &row.name,
                n: row.n,
                recused: row.n_recused,
                conflicts: row.n_conflict,
                incomplete: row.n_incomplete,
                mean: it.and_then(|i| i.mean_total),
                sd: row.sd,
                min: it.and_then(|i| i.min),
                max: it.and_then(|i| i.max),
                range: row.range,
                spread: row.flags.contains(&Flag::Spread),
                flags: &row.flags,
                // Only with decisions: the plain statistics keep their shape.
                shortlisted: r.decided.as_ref().map(|_| row.shortlisted),
                decision: row.decision.as_deref(),
                decision_reason: row.decision_reason.as_deref(),
            }
        })
        .collect();
    let a = &r.aggregation.agreement;
    let crossed = Crossed {
        experts: crossed_experts(r),
        items: a
            .items
            .iter()
            .filter_map(|&i| r.aggregation.items.get(i).map(|x| x.id.clone()))
            .collect(),
        mean_squares: a.mean_squares.as_ref(),
    };
    pretty(&StatsDoc {
        format: STATS_FORMAT,
        batch: &r.batch,
        profile: &r.profile,
        method: r.method,
        experts: &r.experts,
        items,
        agreement: agreement_figures(r),
        crossed,
        decided: r.decided.as_ref(),
    })
}

// ---------------------------------------------------------------------------------------------
// XLSX
// ---------------------------------------------------------------------------------------------

/// Number formats of the workbook.
#[derive(Clone, Copy)]
enum Nf {
    /// Whole numbers.
    Int,
    /// Scores, means, sd: 0.0000.
    Score,
    /// Probabilities: 0.00.
    Prob,
}

/// One cell of a sheet.
enum X {
    /// Plain text.
    T(String),
    /// Long text, wrapped in a fixed-width column.
    W(String),
    /// Bold text (a section heading inside a sheet).
    B(String),
    /// A number.
    N(f64, Nf),
    /// Nothing.
    E,
}

fn t(s: impl Into<String>) -> X {
    X::T(s.into())
}

fn num(x: Option<f64>, f: Nf) -> X {
    match x {
        Some(v) if v.is_finite() => X::N(v, f),
        _ => X::E,
    }
}

fn int(x: usize) -> X {
    X::N(x as f64, Nf::Int)
}

/// A sheet: headers (bold, frozen) and rows.
struct XSheet {
    name: &'static str,
    header: Vec<String>,
    rows: Vec<Vec<X>>,
}

/// Column width for wrapped text, in Excel character units.
const WRAP_WIDTH: f64 = 50.0;

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

fn rank_cell(row: &Row) -> X {
    row.rank.map_or(X::E, int)
}

/// The final review's 领域/初评排名/初评得分 cells of a row (nothing for a domain batch).
fn prelim_cells(
    r: &Results,
    profile: &Profile,
    prelim: &BTreeMap<&str, (&str, Option<u32>, Option<f64>)>,
    row: &Row,
) -> Vec<X> {
    if !r.final_review {
        return Vec::new();
    }
    let (domain, rank, score) =
        prelim
            .get(row.id.as_str())
            .copied()
            .unwrap_or((row.domain.as_str(), None, None));
    let name = profile
        .domain(domain)
        .map_or_else(|| domain.to_string(), |d| d.name.clone());
    vec![
        t(name),
        rank.map_or(X::E, |k| int(k as usize)),
        num(score, Nf::Score),
    ]
}

/// The final review's extra headings.
fn prelim_headers(r: &Results) -> Vec<String> {
    if r.final_review {
        ["领域", "初评排名", "初评得分"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        Vec::new()
    }
}

/// Column headers as owned strings.
fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|s| s.to_string()).collect()
}

fn sheet_shortlist(r: &Results, profile: &Profile) -> XSheet {
    let prelim = preliminary(r);
    let mut header = owned(&["排名", "编号", "技术名称"]);
    header.extend(prelim_headers(r));
    header.extend(owned(&[
        "申报单位",
        "推荐单位",
        "重点服务行业",
        "技术就绪水平",
        "得分",
        "评审专家数",
        "主席决定",
        "决定理由",
    ]));
    let rows = final_list(r)
        .map(|row| {
            let mut cells = vec![rank_cell(row), t(&row.id), t(&row.name)];
            cells.extend(prelim_cells(r, profile, &prelim, row));
            cells.extend([
                t(&row.applicant),
                t(&row.recommender),
                t(row.industry.join("；")),
                int(usize::from(row.trl)),
                num(row.score, Nf::Score),
                int(row.n),
                t(decision_zh(row.decision.as_deref())),
                X::W(row.decision_reason.clone().unwrap_or_default()),
            ]);
            cells
        })
        .collect();
    XSheet {
        name: "入围名单",
        header,
        rows,
    }
}

fn sheet_ranking(r: &Results, profile: &Profile) -> XSheet {
    let prelim = preliminary(r);
    let mut header = owned(&["排名", "编号", "技术名称"]);
    header.extend(prelim_headers(r));
    header.extend(owned(&["申报单位", "得分", "评审专家数"]));
    header.extend(r.criteria.iter().map(|(k, l)| crit_label(k, l)));
    let calibrated = r.method == Method::Calibrated;
    let groups = groups(r);
    header.extend(["标准差".to_string(), "极差".to_string()]);
    if calibrated {
        header.push("标准误".to_string());
    }
    if groups.is_some() {
        header.push("分组".to_string());
    }
    header.extend(
        [
            "回避人数",
            "利益冲突排除人数",
            "入围概率",
            "排名90%区间",
            "入围",
            "标记",
            "主席决定",
            "决定理由",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let rows = r
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![rank_cell(row), t(&row.id), t(&row.name)];
            cells.extend(prelim_cells(r, profile, &prelim, row));
            cells.extend([t(&row.applicant), num(row.score, Nf::Score), int(row.n)]);
            cells.extend(row.criteria_means.iter().map(|m| num(*m, Nf::Score)));
            let flags: Vec<&str> = row.flags.iter().map(|f| f.zh()).collect();
            cells.extend([num(row.sd, Nf::Score), num(row.range, Nf::Score)]);
            if calibrated {
                cells.push(num(row.se, Nf::Score));
            }
            if groups.is_some() {
                cells.push(row.component.map_or(X::E, int));
            }
            cells.extend([
                int(row.n_recused),
                int(row.n_conflict),
                num(row.p_shortlist, Nf::Prob),
                interval(row, "–").map_or(X::E, X::T),
                t(yes_no(row.shortlisted)),
                t(flags.join("；")),
                t(decision_zh(row.decision.as_deref())),
                X::W(row.decision_reason.clone().unwrap_or_default()),
            ]);
            cells
        })
        .collect();
    XSheet {
        name: "完整排名",
        header,
        rows,
    }
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

fn sheet_matrix(r: &Results) -> XSheet {
    let (names, experts) = name_maps(r);
    let mut header: Vec<String> = ["专家编号", "专家姓名", "编号", "技术名称", "总分"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(r.criteria.iter().map(|(k, l)| crit_label(k, l)));
    header.extend(
        ["回避原因", "利益冲突", "提请讨论", "把握程度", "评语"]
            .iter()
            .map(|s| s.to_string()),
    );
    let rows = r
        .matrix
        .iter()
        .map(|c| {
            let mut cells = vec![
                t(&c.expert),
                t(experts.get(c.expert.as_str()).copied().unwrap_or("")),
                t(&c.item),
                t(names.get(c.item.as_str()).copied().unwrap_or("")),
                num(c.total, Nf::Score),
            ];
            cells.extend(c.scores.iter().map(|s| num(*s, Nf::Score)));
            cells.extend([
                match &c.recused {
                    Some(reason) if reason.trim().is_empty() => t("回避（未注明原因）"),
                    Some(reason) => t(reason),
                    None => X::E,
                },
                t(yes_no(c.conflict)),
                t(yes_no(c.flagged)),
                t(confidence_zh(&c.confidence)),
                X::W(c.comment.clone()),
            ]);
            cells
        })
        .collect();
    XSheet {
        name: "评分矩阵",
        header,
        rows,
    }
}

fn sheet_panel(r: &Results) -> XSheet {
    let header = [
        "专家编号",
        "专家姓名",
        "评分表序号",
        "已评项数",
        "回避",
        "利益冲突排除",
        "未评完",
        "平均总分",
        "标准差",
        "宽严偏差",
        "未计入原因",
    ];
    let mut rows: Vec<Vec<X>> = r
        .experts
        .iter()
        .map(|e| {
            vec![
                t(&e.id),
                t(&e.name),
                X::N(e.sequence as f64, Nf::Int),
                int(e.scored),
                int(e.recused),
                int(e.conflicts),
                int(e.incomplete),
                num(e.mean, Nf::Score),
                num(e.sd, Nf::Score),
                num(e.bias, Nf::Score),
                left_out_zh(r, &e.id).map_or(X::E, X::T),
            ]
        })
        .collect();
    rows.push(vec![X::E]);
    rows.push(vec![t(
        "回避：专家本人声明回避；利益冲突排除：依专家组名单查出、专家未声明的利益冲突，其评分不计入",
    )]);
    rows.push(vec![X::E]);
    rows.push(vec![t(bias_note_zh(r))]);
    rows.push(vec![X::E]);
    let a = &r.aggregation.agreement;
    rows.push(vec![X::B("专家组一致性（完全交叉子集）".to_string())]);
    match &a.stats {
        None => rows.push(vec![t(format!(
            "数据不足，无法计算（需要至少 2 位专家评完相同的至少 2 项；最佳子集：{} 位专家 × {} 项）",
            a.experts.len(),
            a.items.len()
        ))]),
        Some(s) => {
            rows.push(vec![t("专家数"), int(s.n_experts)]);
            rows.push(vec![t("项目数"), int(s.n_items)]);
            rows.push(vec![t("参与专家"), t(crossed_experts(r).join("、"))]);
            rows.push(vec![X::B("指标".into()), X::B("值".into()), X::B("含义".into())]);
            for (name, v, what) in agreement_lines(s, true) {
                rows.push(vec![t(name), num(v, Nf::Score), t(what)]);
            }
        }
    }
    XSheet {
        name: "专家组统计",
        header: header.iter().map(|s| s.to_string()).collect(),
        rows,
    }
}

fn sheet_method(r: &Results, profile: &Profile) -> XSheet {
    let c = &r.config;
    let sl = &r.aggregation.shortlist;
    let mut rows: Vec<Vec<X>> = vec![
        vec![t("标题"), t(&r.title)],
        vec![
            t("评审方案"),
            t(format!("{}（{}）", r.profile, profile.name)),
        ],
        vec![t("批次哈希"), t(&r.batch)],
        vec![t("评分细则哈希"), t(&r.rubric)],
        vec![t("评分方法"), t(method_zh(r.method, c.trim_min))],
        vec![t("去掉最高最低分所需专家数（trim_min）"), int(c.trim_min)],
        vec![
            t("入围范围"),
            t(format!("{}–{}", c.shortlist_min, c.shortlist_max)),
        ],
        vec![t("入围项数 K"), int(r.k)],
        vec![t("K 超出范围"), t(yes_no(k_outside(r)))],
        vec![t("截线说明"), X::W(cut_note_zh(r))],
    ];
    // With the chair's decisions K, the rule's K and the list size differ: show all three.
    if let Some(d) = &r.decided {
        rows.extend([
            vec![t("规则计算的 K"), int(d.computed_k)],
            vec![
                t("主席决定的 K"),
                if d.k_decided {
                    int(d.k)
                } else {
                    t("未改动")
                },
            ],
            vec![t("入围名单项数"), int(d.list_size)],
            vec![t("入围名单超出范围"), t(yes_no(!d.in_range()))],
            vec![t("入围名单构成"), t(d.makeup_zh())],
            vec![
                t("主席决定所依据的方法与范围"),
                t(d.made_under.as_ref().map_or_else(
                    || "未记录（早期版本的决定）".to_string(),
                    |c| {
                        format!(
                            "{}，入围范围 {}–{}，trim_min {}",
                            c.method, c.shortlist_min, c.shortlist_max, c.trim_min
                        )
                    },
                )),
            ],
            vec![t("与本次方法一致"), t(yes_no(!d.context_differs()))],
        ]);
    }
    rows.push(vec![
        t("分歧标记"),
        t(format!(
            "极差 ≥ {} 或 标准差 ≥ {}",
            c.spread_range_flag, c.spread_sd_flag
        )),
    ]);
    match &r.bootstrap {
        Some(b) => {
            rows.push(vec![t("稳定性分析 重抽样次数 B"), int(b.replicates)]);
            // Why text: a u64 seed does not fit an Excel number exactly.
            rows.push(vec![t("稳定性分析 随机种子"), t(b.seed.to_string())]);
            rows.push(vec![
                t("临界区间（入围概率）"),
                t(format!("{}–{}", b.borderline_low, b.borderline_high)),
            ]);
        }
        None => rows.push(vec![t("稳定性分析"), t("未进行")]),
    }
    for (k, l) in &r.criteria {
        rows.push(vec![t("评分项"), t(format!("{} {k}", crit_label(k, l)))]);
    }
    rows.push(vec![X::E]);
    rows.push(vec![
        X::B("阈值表：得分 ≥".into()),
        X::B("入围项数".into()),
        X::B("同分项数".into()),
        X::B("在范围内".into()),
    ]);
    for th in &sl.thresholds {
        rows.push(vec![
            X::N(th.threshold, Nf::Score),
            int(th.admitted),
            int(th.group_size),
            t(yes_no(th.in_range)),
        ]);
    }
    rows.push(vec![X::E]);
    let warnings = warnings_zh(r);
    if warnings.is_empty() {
        rows.push(vec![t("警告"), t("无")]);
    }
    for (i, w) in warnings.into_iter().enumerate() {
        rows.push(vec![t(format!("警告 {}", i + 1)), X::W(w)]);
    }
    XSheet {
        name: "方法与参数",
        header: vec!["项目".to_string(), "值".to_string()],
        rows,
    }
}

/// The chair's decision history, oldest first (empty when no decision was recorded).
fn sheet_decisions(r: &Results) -> XSheet {
    use crate::domain::decisions::Decision;
    let rows = r
        .decisions
        .iter()
        .map(|d| {
            let (kind, item, detail) = match &d.decision {
                Decision::Cut { k, tie_note } => (
                    "设定入围项数".to_string(),
                    String::new(),
                    match tie_note {
                        Some(n) => format!("K = {k}；并列处理：{n}"),
                        None => format!("K = {k}"),
                    },
                ),
                Decision::Include { item, reason } => {
                    (decision_zh(Some("include")), item.clone(), reason.clone())
                }
                Decision::Exclude { item, reason } => {
                    (decision_zh(Some("exclude")), item.clone(), reason.clone())
                }
                Decision::Clear { item } => ("撤销决定".to_string(), item.clone(), String::new()),
                Decision::TiesResolved { note, .. } => {
                    ("并列已解决".to_string(), String::new(), note.clone())
                }
            };
            vec![
                X::N(d.seq as f64, Nf::Int),
                t(&d.at),
                t(&d.chair),
                t(kind),
                t(item),
                X::W(detail),
                t(d.context.as_ref().map_or_else(String::new, |c| {
                    format!("{}，{}–{}", c.method, c.shortlist_min, c.shortlist_max)
                })),
            ]
        })
        .collect();
    XSheet {
        name: "主席决定记录",
        header: [
            "序号",
            "时间",
            "主席",
            "决定",
            "编号",
            "理由/说明",
            "方法与范围",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows,
    }
}

/// Text Excel accepts in a cell (at most 32,767 characters).
fn cell_text(s: &str) -> String {
    if s.chars().count() <= XLSX_MAX_STRING {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(XLSX_MAX_STRING - 1).collect();
        out.push('…');
        out
    }
}

fn write_sheet(wb: &mut Workbook, sheet: &XSheet) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let wrapf = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let fmt_int = Format::new().set_num_format("0");
    let fmt_score = Format::new().set_num_format("0.0000");
    let fmt_prob = Format::new().set_num_format("0.00");
    let ws = wb.add_worksheet();
    ws.set_name(sheet.name)?;
    let ncols = sheet
        .rows
        .iter()
        .map(Vec::len)
        .chain([sheet.header.len()])
        .max()
        .unwrap_or(0);
    let mut widths = vec![6.0f64; ncols];
    let mut wrapped = vec![false; ncols];
    for (c, h) in sheet.header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string_with_format(0, col, cell_text(h), &bold)?;
        widths[c] = widths[c].max(wrap::width(h) as f64);
    }
    for (i, row) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            match cell {
                X::T(s) => {
                    ws.write_string(r, col, cell_text(s))?;
                    widths[c] = widths[c].max(wrap::width(s) as f64);
                }
                X::B(s) => {
                    ws.write_string_with_format(r, col, cell_text(s), &bold)?;
                }
                X::W(s) => {
                    ws.write_string_with_format(r, col, cell_text(s), &wrapf)?;
                    wrapped[c] |= !s.is_empty();
                }
                X::N(v, f) => {
                    // Sums of scores carry float noise (43.99999999999999): store what is meant.
                    let v = &((v * 1e9).round() / 1e9);
                    let (fmt, shown) = match f {
                        Nf::Int => (&fmt_int, format!("{v:.0}")),
                        Nf::Score => (&fmt_score, format!("{v:.4}")),
                        Nf::Prob => (&fmt_prob, format!("{v:.2}")),
                    };
                    ws.write_number_with_format(r, col, *v, fmt)?;
                    widths[c] = widths[c].max(shown.len() as f64);
                }
                X::E => {}
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        // Display width counts a Chinese character as 2, close to Excel's width unit; cap
        // long names, and give wrapped text columns one fixed, readable width.
        let width = if wrapped[c] {
            WRAP_WIDTH
        } else {
            (w + 2.0).min(60.0)
        };
        ws.set_column_width(col, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The workbook of [`export_xlsx`] as bytes (the same bytes for the same `Results`).
pub fn xlsx_bytes(r: &Results, profile: &Profile) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // Why fixed: rust_xlsxwriter stamps docProps/core.xml with the current time, which would
    // make two exports of the same results differ. Zip entries already carry a constant time.
    let created = ExcelDateTime::from_ymd(2020, 1, 1)?;
    let title = if r.title.trim().is_empty() {
        profile.name.clone()
    } else {
        r.title.clone()
    };
    let props = DocProperties::new()
        .set_title(title)
        .set_subject(format!("batch {}", r.batch))
        .set_comment(format!("revdesk {}", env!("CARGO_PKG_VERSION")))
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    for sheet in [
        sheet_shortlist(r, profile),
        sheet_ranking(r, profile),
        sheet_matrix(r),
        sheet_panel(r),
        sheet_method(r, profile),
        sheet_decisions(r),
    ] {
        write_sheet(&mut wb, &sheet)?;
    }
    wb.save_to_buffer()
}

/// Writes the results workbook to `path`, replacing an existing file.
///
/// Sheets, in order: 入围名单, 完整排名, 评分矩阵, 专家组统计, 方法与参数, 主席决定记录.
pub fn export_xlsx(r: &Results, profile: &Profile, path: &Path) -> Result<(), ExportError> {
    let bytes = xlsx_bytes(r, profile).map_err(|source| ExportError::Xlsx {
        file: path.to_path_buf(),
        source,
    })?;
    std::fs::write(path, bytes).map_err(|source| ExportError::Write {
        file: path.to_path_buf(),
        source,
    })
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/// A Markdown table cell: `|` and `\` escaped, line breaks as spaces.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md_table(out: &mut String, header: &[(&str, bool)], rows: &[Vec<String>]) {
    out.push('|');
    for (h, _) in header {
        let _ = write!(out, " {} |", md(h));
    }
    out.push_str("\n|");
    for (_, right) in header {
        out.push_str(if *right { "---:|" } else { "---|" });
    }
    out.push('\n');
    for row in rows {
        out.push('|');
        for cell in row {
            let _ = write!(out, " {} |", md(cell));
        }
        out.push('\n');
    }
}

/// A Markdown report a panel chair can paste.
///
/// Sections: parameters, shortlist, cut and threshold map, borderline and disputed items,
/// agreement, per-expert statistics and warnings.
pub fn export_markdown(r: &Results, profile: &Profile) -> String {
    let mut out = String::new();
    let title = if r.title.trim().is_empty() {
        profile.name.as_str()
    } else {
        r.title.as_str()
    };
    let _ = writeln!(out, "# {} 评审结果\n", md(title));
    let _ = writeln!(out, "- 批次哈希：`{}`", r.batch);
    let _ = writeln!(
        out,
        "- 评审方案：{}（{}）",
        md(&r.profile),
        md(&profile.name)
    );
    let domains: std::collections::BTreeSet<&str> =
        r.rows.iter().map(|x| x.domain.as_str()).collect();
    if domains.len() == 1
        && let Some(d) = domains.first().and_then(|k| profile.domain(k))
    {
        let _ = writeln!(out, "- 领域：{}（{}）", md(&d.name), md(&d.alliance));
    }
    let _ = writeln!(out, "- 评分细则哈希：`{}`", r.rubric);
    let c = &r.config;
    let _ = writeln!(out, "- 评分方法：{}", md(&method_zh(r.method, c.trim_min)));
    let _ = writeln!(
        out,
        "- 入围范围：{}–{}，K = {}{}",
        c.shortlist_min,
        c.shortlist_max,
        r.k,
        if k_outside(r) {
            "（超出范围）"
        } else {
            ""
        }
    );
    if let Some(d) = &r.decided {
        let _ = writeln!(
            out,
            "- 主席决定：入围名单 {} 项（{}）{}",
            d.list_size,
            md(&d.makeup_zh()),
            if d.in_range() { "" } else { "，超出范围" }
        );
        if let Some(c) = &d.made_under {
            let _ = writeln!(
                out,
                "- 主席决定所依据：{}，入围范围 {}–{}，trim_min {}{}",
                md(&c.method),
                c.shortlist_min,
                c.shortlist_max,
                c.trim_min,
                if d.context_differs() {
                    "（与本次方法不同）"
                } else {
                    ""
                }
            );
        }
    }
    match &r.bootstrap {
        Some(b) => {
            let _ = writeln!(
                out,
                "- 稳定性分析：对专家重抽样 B = {} 次，随机种子 {}，入围概率在 {}–{} 之间为临界",
                b.replicates, b.seed, b.borderline_low, b.borderline_high
            );
        }
        None => out.push_str("- 稳定性分析：未进行\n"),
    }
    let _ = writeln!(
        out,
        "- 分歧标记：极差 ≥ {} 或 标准差 ≥ {}",
        c.spread_range_flag, c.spread_sd_flag
    );

    let list: Vec<&Row> = final_list(r).collect();
    let _ = writeln!(out, "\n## 入围名单（{} 项）\n", list.len());
    let decided = r.rows.iter().any(|x| x.decision.is_some());
    if decided {
        out.push_str("已按主席决定调整（入选/不入选）。\n\n");
    }
    let calibrated = r.method == Method::Calibrated;
    let groups = groups(r);
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|row| {
            let mut cells = vec![
                row.rank.map_or_else(|| "-".to_string(), |k| k.to_string()),
                row.id.clone(),
                row.name.clone(),
                row.applicant.clone(),
                opt(row.score, 4, "-"),
            ];
            cells.extend(fit_cells(row, calibrated, groups.is_some()));
            cells.extend([row.n.to_string(), opt(row.p_shortlist, 2, "-")]);
            if decided {
                // An override must carry its reason wherever the list goes.
                cells.push(match &row.decision {
                    Some(_) => format!(
                        "{}：{}",
                        decision_zh(row.decision.as_deref()),
                        row.decision_reason.as_deref().unwrap_or("")
                    ),
                    None => String::new(),
                });
            }
            cells
        })
        .collect();
    let mut header = vec![
        ("排名", true),
        ("编号", false),
        ("技术名称", false),
        ("申报单位", false),
        ("得分", true),
    ];
    if calibrated {
        header.push(("标准误", true));
    }
    if groups.is_some() {
        header.push(("分组", true));
    }
    header.extend([("专家数", true), ("入围概率", true)]);
    if decided {
        header.push(("主席决定", false));
    }
    md_table(&mut out, &header, &rows);
    if let Some(n) = groups {
        let _ = writeln!(
            out,
            "\n注意：专家与项目的评分关系分为 {n} 个互不相连的组，calibrated 模型按组分别拟合，得分只能在同一组内比较（见“分组”列），不可跨组比较。"
        );
    }

    out.push_str("\n## 截线\n\n");
    let _ = writeln!(out, "{}\n", md(&cut_note_zh(r)));
    out.push_str("### 阈值表\n\n");
    let sl = &r.aggregation.shortlist;
    let rows: Vec<Vec<String>> = sl
        .thresholds
        .iter()
        .map(|th| {
            vec![
                format!("得分 ≥ {}", fixed(th.threshold, 4)),
                th.admitted.to_string(),
                th.group_size.to_string(),
                format!(
                    "{}{}",
                    yes_no(th.in_range),
                    if th.admitted == r.k { "（K）" } else { "" }
                ),
            ]
        })
        .collect();
    md_table(
        &mut out,
        &[
            ("阈值", false),
            ("入围项数", true),
            ("同分项数", true),
            ("在范围内", false),
        ],
        &rows,
    );

    out.push_str("\n## 临界项目\n\n");
    let border: Vec<&Row> = r.borderline().collect();
    if r.bootstrap.is_none() {
        out.push_str("未进行稳定性分析。\n");
    } else if border.is_empty() {
        out.push_str("无。\n");
    } else {
        let rows: Vec<Vec<String>> = border
            .iter()
            .map(|row| {
                vec![
                    row.rank.map_or_else(|| "-".to_string(), |k| k.to_string()),
                    row.id.clone(),
                    row.name.clone(),
                    opt(row.score, 4, "-"),
                    opt(row.p_shortlist, 2, "-"),
                    interval(row, "–").unwrap_or_else(|| "-".to_string()),
                ]
            })
            .collect();
        md_table(
            &mut out,
            &[
                ("排名", true),
                ("编号", false),
                ("技术名称", false),
                ("得分", true),
                ("入围概率", true),
                ("排名90%区间", false),
            ],
            &rows,
        );
    }

    out.push_str("\n## 专家分歧较大的项目\n\n");
    let spread: Vec<&Row> = r
        .rows
        .iter()
        .filter(|x| x.flags.contains(&Flag::Spread))
        .collect();
    if spread.is_empty() {
        out.push_str("无。\n");
    } else {
        let rows: Vec<Vec<String>> = spread
            .iter()
            .map(|row| {
                vec![
                    row.rank.map_or_else(|| "-".to_string(), |k| k.to_string()),
                    row.id.clone(),
                    row.name.clone(),
                    row.n.to_string(),
                    opt(row.sd, 2, "-"),
                    opt(row.range, 2, "-"),
                ]
            })
            .collect();
        md_table(
            &mut out,
            &[
                ("排名", true),
                ("编号", false),
                ("技术名称", false),
                ("专家数", true),
                ("标准差", true),
                ("极差", true),
            ],
            &rows,
        );
    }

    out.push_str("\n## 专家组一致性\n\n");
    let a = &r.aggregation.agreement;
    match &a.stats {
        None => {
            let _ = writeln!(
                out,
                "数据不足，无法计算（需要至少 2 位专家评完相同的至少 2 项；最佳子集：{} 位专家 × {} 项）。",
                a.experts.len(),
                a.items.len()
            );
        }
        Some(s) => {
            let _ = writeln!(
                out,
                "完全交叉子集：{} 位专家 × {} 项（{}）。\n",
                s.n_experts,
                s.n_items,
                md(&crossed_experts(r).join("、"))
            );
            let rows: Vec<Vec<String>> = agreement_lines(s, true)
                .iter()
                .map(|(n, v, w)| vec![n.to_string(), opt(*v, 3, "-"), w.to_string()])
                .collect();
            md_table(
                &mut out,
                &[("指标", false), ("值", true), ("含义", false)],
                &rows,
            );
        }
    }

    out.push_str("\n## 专家统计\n\n");
    let rows: Vec<Vec<String>> = r
        .experts
        .iter()
        .map(|e| {
            vec![
                e.id.clone(),
                e.name.clone(),
                e.scored.to_string(),
                e.recused.to_string(),
                e.conflicts.to_string(),
                e.incomplete.to_string(),
                opt(e.mean, 2, "-"),
                opt(e.sd, 2, "-"),
                opt(e.bias, 2, "-"),
            ]
        })
        .collect();
    md_table(
        &mut out,
        &[
            ("专家", false),
            ("姓名", false),
            ("已评", true),
            ("回避", true),
            ("利益冲突排除", true),
            ("未评完", true),
            ("平均总分", true),
            ("标准差", true),
            ("宽严偏差", true),
        ],
        &rows,
    );
    let _ = writeln!(out, "\n{}。", bias_note_zh(r));
    let left: Vec<String> = r
        .experts
        .iter()
        .filter_map(|e| left_out_zh(r, &e.id).map(|why| format!("- {}：{}", md(&e.id), why)))
        .collect();
    if !left.is_empty() {
        let _ = writeln!(out, "\nzscore 未计入的专家：\n\n{}", left.join("\n"));
    }

    out.push_str("\n## 利益冲突排除\n\n");
    out.push_str("依专家组名单查出、专家本人未声明回避的利益冲突；这些评分不计入（与专家声明的回避分开统计）。\n\n");
    let (names, experts) = name_maps(r);
    let mut conflicts: Vec<Vec<String>> = r
        .matrix
        .iter()
        .filter(|c| c.conflict)
        .map(|c| {
            vec![
                c.item.clone(),
                names
                    .get(c.item.as_str())
                    .copied()
                    .unwrap_or("")
                    .to_string(),
                c.expert.clone(),
                experts
                    .get(c.expert.as_str())
                    .copied()
                    .unwrap_or("")
                    .to_string(),
            ]
        })
        .collect();
    conflicts.sort();
    if conflicts.is_empty() {
        out.push_str("无。\n");
    } else {
        md_table(
            &mut out,
            &[
                ("编号", false),
                ("技术名称", false),
                ("专家", false),
                ("姓名", false),
            ],
            &conflicts,
        );
    }

    out.push_str("\n## 警告\n\n");
    let warnings = warnings_zh(r);
    if warnings.is_empty() {
        out.push_str("无。\n");
    }
    for w in &warnings {
        let _ = writeln!(out, "- {}", md(w));
    }
    if !r.decisions.is_empty() {
        out.push_str("\n## 主席决定记录\n\n| 序号 | 时间 | 主席 | 决定 |\n|---|---|---|---|\n");
        for d in &r.decisions {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                d.seq,
                md(&d.at),
                md(&d.chair),
                md(&crate::domain::decisions::describe_decision(
                    &d.decision,
                    crate::text::i18n::Lang::Zh
                ))
            );
        }
    }
    out
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

    #[test]
    fn markdown_cells_are_escaped() {
        assert_eq!(md("a|b\\c\r\nd\ne"), "a\\|b\\\\c d e");
    }
}
