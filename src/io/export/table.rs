//! Terminal tables: `rank` and `stats` as aligned text.

use std::fmt::Write as _;

use super::{
    agreement_lines, crit_label, crossed_experts, fit_cells, fixed, flag_list, groups, interval,
    items_by_id, opt, preliminary, signed,
};
use crate::domain::results::{Flag, Results, Row};
use crate::engine::Method;
use crate::text::wrap;

/// Widest name column, in terminal cells, of the terminal tables.
const NAME_WIDTH: usize = 30;

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
