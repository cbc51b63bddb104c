//! Terminal tables: `rank` and `stats` as aligned text.

use std::fmt::Write as _;

use super::columns::{self, Col, Column, Cx, ExpertCol, Format, NAME_WIDTH};
use super::doc::Align;
use super::{
    agree, agreement_lines, criteria_agreement, crossed_experts, fixed, flag_list, groups,
    interval, opt, signed,
};
use crate::domain::decided::Override;
use crate::domain::results::{Flag, Results, Row};
use crate::engine::{self, Method};
use crate::text::i18n::{Lang, T};
use crate::text::wrap;

/// A terminal table with fixed-width columns and a free last column (flags).
struct TextTable {
    /// (heading, alignment, widest allowed).
    cols: Vec<(String, Align, usize)>,
    /// Heading of the free last column.
    tail: String,
    /// Cells per row, then the free text.
    rows: Vec<(Vec<String>, String)>,
}

impl TextTable {
    /// A table of `cols` and a free last column under `tail`'s heading, without rows yet;
    /// Chinese headings are the report's.
    fn of<C: Column>(cx: &Cx, cols: &[C], tail: C, lang: Lang) -> Self {
        let fmt = match lang {
            Lang::En => Format::Terminal,
            Lang::Zh => Format::Report,
        };
        TextTable {
            cols: cols
                .iter()
                .map(|c| {
                    let head = c.head(cx, fmt);
                    // The caps fit English headings; a Chinese one is shown whole.
                    let cap = match lang {
                        Lang::En => c.width(),
                        Lang::Zh => c.width().max(wrap::width(&head)),
                    };
                    (head, c.align(), cap)
                })
                .collect(),
            tail: tail.head(cx, fmt),
            rows: Vec::new(),
        }
    }

    /// Adds `row`'s cells under `cols` (those the table was made of) and its free text.
    fn push<'a, C: Column>(&mut self, cx: &Cx<'a>, cols: &[C], row: &'a C::Row, tail: String) {
        self.rows
            .push((cx.texts(cols, row, Format::Terminal), tail));
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
        let header = self.line(&widths, &heads, &self.tail);
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

/// One summary line about the run: method, range, K, bootstrap.
fn run_summary(r: &Results, lang: Lang) -> String {
    let c = &r.config;
    let mut s = T::SumMethod.fill(lang, &[("m", &r.method.to_string())]);
    if r.method == Method::Trimmed {
        // One rule for the panel: say when uneven coverage made it the plain mean.
        let plain = r
            .rows
            .iter()
            .any(|x| x.rule == Some(engine::TrimRule::Mean));
        let t = if plain {
            T::SumTrimmedAsMean
        } else {
            T::SumTrimmed
        };
        s += &t.fill(lang, &[("n", &c.trim_min.to_string())]);
    }
    s += &T::SumRange.fill(
        lang,
        &[
            ("min", &c.shortlist_min.to_string()),
            ("max", &c.shortlist_max.to_string()),
            ("k", &r.k.to_string()),
        ],
    );
    match &r.decided {
        // Once decisions apply, K and the list size differ; say which one leaves the range.
        Some(d) => {
            if d.k_decided {
                s += &T::SumChairsK.fill(lang, &[("k", &d.computed_k.to_string())]);
            }
            s += &T::SumList.fill(lang, &[("n", &d.list_size.to_string())]);
            if !d.in_range() {
                s += T::SumOutside.get(lang);
            }
        }
        None if r.k_out_of_range => s += T::SumOutside.get(lang),
        None => {}
    }
    match &r.bootstrap {
        Some(b) => {
            s += &T::SumBootstrap.fill(
                lang,
                &[
                    ("b", &b.replicates.to_string()),
                    ("seed", &b.seed.to_string()),
                ],
            );
        }
        None => s += T::SumNoBootstrap.get(lang),
    }
    s
}

/// What the chair decided, as text lines (nothing without decisions).
fn decisions_text(r: &Results, out: &mut String, lang: Lang) {
    let Some(d) = &r.decided else {
        return;
    };
    out.push_str(&T::DecsHead.fill(lang, &[("n", &r.decisions.len().to_string())]));
    if let Some(c) = &d.made_under {
        out.push_str(&T::DecsMadeUnder.fill(lang, &[("c", &c.to_string())]));
    }
    out.push('\n');
    let makeup = if lang.en() { d.makeup() } else { d.makeup_zh() };
    let line = T::DecsList.fill(
        lang,
        &[
            ("n", &d.list_size.to_string()),
            ("makeup", &makeup),
            ("min", &d.shortlist_min.to_string()),
            ("max", &d.shortlist_max.to_string()),
        ],
    );
    let _ = writeln!(out, "{line}");
    if let Some(p) = d.range_problem_in(lang) {
        let _ = writeln!(out, "{}", T::DecsOutside.fill(lang, &[("p", &clean(&p))]));
    }
    if let Some(p) = d.context_problem_in(lang) {
        let _ = writeln!(out, "{}", T::DecsSettings.fill(lang, &[("p", &clean(&p))]));
    }
    for o in &d.overrides {
        let kind = match (lang, o.kind) {
            (Lang::En, k) => k.as_str(),
            (Lang::Zh, Override::Include) => T::DecIncluded.get(lang),
            (Lang::Zh, Override::Exclude) => T::DecExcluded.get(lang),
        };
        let line = T::DecsOverride.fill(
            lang,
            &[
                ("kind", kind),
                ("item", &clean(&o.item)),
                (
                    "rank",
                    &o.rank.map_or_else(|| "-".to_string(), |k| k.to_string()),
                ),
                ("reason", &clean(&o.reason)),
            ],
        );
        let _ = writeln!(out, "{line}");
    }
    if let Some(t) = &d.split_tie {
        let how = t.resolved.as_deref().map_or_else(
            || T::DecsNotSettled.get(lang).to_string(),
            |n| T::DecsSettled.fill(lang, &[("note", &clean(n))]),
        );
        let line = T::DecsSplitTie.fill(
            lang,
            &[
                ("rank", &t.rank.to_string()),
                ("items", &clean(&t.items.join(", "))),
                ("how", &how),
            ],
        );
        let _ = writeln!(out, "{line}");
    }
}

/// Text for the terminal on one line: line breaks as spaces, control characters as U+FFFD.
fn clean(s: &str) -> String {
    // Why: titles, ids and names come from batch files; an escape sequence must not reach a terminal.
    wrap::truncate(s, wrap::width(s))
}

/// Title and batch line.
fn title_line(r: &Results, lang: Lang) -> String {
    let short: String = r.batch.chars().take(12).collect();
    let args = [
        ("title", r.title.as_str()),
        ("batch", short.as_str()),
        ("profile", r.profile.as_str()),
    ];
    let line = if r.title.trim().is_empty() {
        T::SumTitleBare.fill(lang, &args)
    } else {
        T::SumTitle.fill(lang, &args)
    };
    clean(&line)
}

/// The threshold map, the sizes in range and the bootstrap's K distribution, as text lines.
fn threshold_text(r: &Results, out: &mut String, lang: Lang) {
    let sl = &r.aggregation.shortlist;
    if sl.thresholds.is_empty() {
        let _ = writeln!(out, "{}", T::TabNoThresholds.get(lang));
    } else {
        let (min, max) = (sl.min.to_string(), sl.max.to_string());
        let _ = writeln!(
            out,
            "{}",
            T::TabThresholdMap.fill(lang, &[("min", &min), ("max", &max)])
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
            let range = if t.in_range {
                T::ThrInRange
            } else {
                T::ThrOutOfRange
            };
            out.push_str(&T::ThrLine.fill(
                lang,
                &[
                    ("s", &format!("{s:>sw$}")),
                    ("n", &format!("{:>aw$}", t.admitted)),
                    ("range", range.get(lang)),
                ],
            ));
            if t.group_size > 1 {
                out.push_str(&T::ThrTied.fill(lang, &[("n", &t.group_size.to_string())]));
            }
            if t.admitted == r.k {
                out.push_str("  <- K");
            }
            out.push('\n');
        }
    }
    if !sl.cuts.is_empty() {
        let _ = writeln!(out, "{}", T::TabSizesInRange.get(lang));
        for c in &sl.cuts {
            out.push_str(&T::CutLine.fill(
                lang,
                &[
                    ("k", &format!("{:>3}", c.k)),
                    ("at", &fixed(c.score_at_cut, 4)),
                    ("next", &opt(c.next_score, 4, "-")),
                ],
            ));
            if c.splits_tie {
                out.push_str(T::CutSplitsTie.get(lang));
            }
            if c.k == r.k {
                out.push_str(T::CutChosen.get(lang));
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
        let ks = if ks.is_empty() {
            "-".to_string()
        } else {
            ks.join(", ")
        };
        let line = T::KOverResamples.fill(lang, &[("n", &st.replicates.to_string()), ("ks", &ks)]);
        let _ = writeln!(out, "{line}");
    }
}

/// Borderline rows with their inclusion probability and 90% rank interval, as text lines.
fn borderline_text(r: &Results, out: &mut String, lang: Lang) {
    let Some(b) = &r.bootstrap else {
        let _ = writeln!(out, "{}", T::TabNoBootstrap.get(lang));
        return;
    };
    let rows: Vec<&Row> = r.borderline().collect();
    let (low, high) = (
        format!("{:.2}", b.borderline_low),
        format!("{:.2}", b.borderline_high),
    );
    let head = T::TabBorderline.fill(lang, &[("low", &low), ("high", &high)]);
    if rows.is_empty() {
        let _ = writeln!(out, "{head} {}", T::TabNone.get(lang));
        return;
    }
    let _ = writeln!(out, "{head}");
    let (idw, nw) = id_name_widths(rows.iter().map(|x| (x.id.as_str(), x.name.as_str())));
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

fn warnings_text(r: &Results, out: &mut String, lang: Lang) {
    if r.warnings.is_empty() {
        let _ = writeln!(out, "{}", T::TabNoWarnings.get(lang));
    } else {
        for w in &r.warnings {
            let _ = writeln!(out, "{}: {}", T::CliWarning.get(lang), clean(w));
        }
    }
}

/// The lines above the tables: title, run summary and the chair's decisions, then a blank line.
fn preamble(r: &Results, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", title_line(r, lang));
    let _ = writeln!(out, "{}", run_summary(r, lang));
    decisions_text(r, &mut out, lang);
    out.push('\n');
    out
}

/// Widths of the id and name columns of a plain list (names capped at [`NAME_WIDTH`]).
fn id_name_widths<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (usize, usize) {
    let (id, name) = pairs.into_iter().fold((0, 0), |(i, n), (id, name)| {
        (i.max(wrap::width(id)), n.max(wrap::width(name)))
    });
    (id, name.min(NAME_WIDTH))
}

/// The ranking as a terminal table for `revdesk rank`.
///
/// The cut line follows the K-th row; below the table come the cut note, the threshold map,
/// the borderline items with their 90% rank intervals, and the warnings.
pub fn rank_table(r: &Results) -> String {
    rank_table_in(r, Lang::En)
}

/// [`rank_table`] with its headings and notes in a language.
pub fn rank_table_in(r: &Results, lang: Lang) -> String {
    let mut out = preamble(r, lang);
    let cx = Cx::new(r, None);
    // The final review keeps where each nomination came from.
    let mut cols = vec![Col::Rank, Col::Id, Col::Name];
    cols.extend(columns::prelim(r));
    cols.push(Col::Score);
    cols.extend(columns::fit(r));
    cols.push(Col::N);
    if r.method == Method::Trimmed {
        cols.push(Col::Rule);
    }
    cols.extend(columns::criteria(r));
    cols.extend([Col::Sd, Col::P, Col::Shortlisted]);
    let mut t = TextTable::of(&cx, &cols, Col::Flags, lang);
    for row in &r.rows {
        t.push(&cx, &cols, row, tail_text(row, lang));
    }
    let cut = T::TabCut.get(lang);
    if r.rows.is_empty() {
        let _ = writeln!(out, "{}", T::TabNoNominations.get(lang));
    } else {
        t.render(
            &mut out,
            Some((r.cut_row(), format!("{cut}: K = {} ", r.k))),
        );
    }
    out.push('\n');
    let note = match lang {
        Lang::En => r.cut_note.clone(),
        Lang::Zh => super::cut_note_zh(r),
    };
    let _ = writeln!(out, "{cut}: {}", clean(&note));
    threshold_text(r, &mut out, lang);
    borderline_text(r, &mut out, lang);
    if r.method == Method::Calibrated {
        leniency_text(r, groups(r), &mut out, lang);
    }
    warnings_text(r, &mut out, lang);
    out
}

/// The experts' leniency b_e of the calibrated fit, one expert a line.
fn leniency_text(r: &Results, groups: Option<usize>, out: &mut String, lang: Lang) {
    let head = match groups {
        Some(n) => T::TabLeniencyGroups.fill(lang, &[("n", &n.to_string())]),
        None => T::TabLeniency.get(lang).to_string(),
    };
    let _ = writeln!(out, "{head}");
    let (idw, nw) = id_name_widths(r.experts.iter().map(|e| (e.id.as_str(), e.name.as_str())));
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
fn tail_text(row: &Row, lang: Lang) -> String {
    if lang.en() {
        let mut s = flag_list(&row.flags, " ");
        if let Some(d) = &row.decision {
            if !s.is_empty() {
                s.push(' ');
            }
            let _ = write!(s, "chair:{d}");
        }
        return s;
    }
    let mut parts: Vec<&str> = row.flags.iter().map(|f| f.zh()).collect();
    let decision = row.decision.as_deref().map(|d| match d {
        "include" => T::DecIncluded.get(lang),
        "exclude" => T::DecExcluded.get(lang),
        other => other,
    });
    let chair = decision.map(|d| format!("{}:{d}", T::ChairChair.get(lang)));
    parts.extend(chair.as_deref());
    parts.join(" ")
}

/// Panel statistics as a terminal table for `revdesk stats`: experts, items and agreement.
pub fn stats_table(r: &Results) -> String {
    stats_table_in(r, Lang::En)
}

/// [`stats_table`] with its headings and notes in a language.
pub fn stats_table_in(r: &Results, lang: Lang) -> String {
    let mut out = preamble(r, lang);

    let cx = Cx::new(r, None);
    let n = r.experts.len().to_string();
    let _ = writeln!(out, "{}", T::TabExperts.fill(lang, &[("n", &n)]));
    let mut cols = ExpertCol::FIGURES.to_vec();
    // With an assignment, progress is against each expert's share: show it beside `scored`.
    if r.experts.iter().any(|e| e.assigned.is_some()) {
        cols.insert(3, ExpertCol::Assigned);
    }
    let mut t = TextTable::of(&cx, &cols, ExpertCol::LeftOut, lang);
    for e in &r.experts {
        let mut tail = e.left_out.clone().unwrap_or_default();
        if e.outlier {
            if !tail.is_empty() {
                tail.push_str("; ");
            }
            tail.push_str(T::TabOutlier.get(lang));
        }
        t.push(&cx, &cols, e, tail);
    }
    t.render(&mut out, None);
    let _ = writeln!(out, "{}", T::TabRecusedNote.get(lang));
    let (floor, mads) = (engine::LOO_FLOOR.to_string(), engine::LOO_MADS.to_string());
    let note = T::TabPanelRNote.fill(lang, &[("floor", &floor), ("mads", &mads)]);
    let _ = writeln!(out, "{note}");
    let bias = match groups(r) {
        Some(_) => T::TabBiasGroupsNote,
        None => T::TabBiasNote,
    };
    let _ = writeln!(out, "{}", bias.get(lang));
    out.push('\n');

    let decided = r.decided.is_some();
    let n = r.rows.len().to_string();
    let _ = writeln!(out, "{}", T::TabItems.fill(lang, &[("n", &n)]));
    let mut cols = vec![
        Col::Rank,
        Col::Id,
        Col::Name,
        Col::N,
        Col::Recused,
        Col::Conflicts,
        Col::Incomplete,
        Col::Mean,
        Col::Sd,
        Col::Range,
    ];
    // With the chair's decisions: who is on the decided list, and why when it is an override.
    if decided {
        cols.push(Col::Shortlisted);
    }
    let mut t = TextTable::of(&cx, &cols, Col::Flags, lang);
    for row in &r.rows {
        let tail = if decided {
            tail_text(row, lang)
        } else if row.flags.contains(&Flag::Spread) {
            match lang {
                Lang::En => Flag::Spread.as_str(),
                Lang::Zh => Flag::Spread.zh(),
            }
            .to_string()
        } else {
            String::new()
        };
        t.push(&cx, &cols, row, tail);
    }
    t.render(&mut out, None);
    let (range, sd) = (
        r.config.spread_range_flag.to_string(),
        r.config.spread_sd_flag.to_string(),
    );
    let spread = T::TabSpreadNote.fill(lang, &[("range", &range), ("sd", &sd)]);
    let _ = writeln!(out, "{spread}");
    out.push('\n');

    super::ranked::rank_methods_text(r, &mut out, lang);
    out.push('\n');

    agreement_text(r, &mut out, lang);
    out
}

/// Agreement from all scores (the headline), then the older crossed-block figures and W.
fn agreement_text(r: &Results, out: &mut String, lang: Lang) {
    all_scores_text(r, out, lang);
    out.push('\n');
    let a = &r.aggregation.agreement;
    let Some(s) = &a.stats else {
        let (e, i) = (a.experts.len().to_string(), a.items.len().to_string());
        let line = T::TabNoAgreement.fill(lang, &[("experts", &e), ("items", &i)]);
        let _ = writeln!(out, "{line}");
        return;
    };
    let (e, i) = (s.n_experts.to_string(), s.n_items.to_string());
    let who = clean(&crossed_experts(r).join(", "));
    let line = T::TabAgreement.fill(lang, &[("experts", &e), ("items", &i), ("who", &who)]);
    let _ = writeln!(out, "{line}");
    for (name, v, what) in agreement_lines(s, !lang.en()) {
        let _ = writeln!(out, "  {name:<11}  {:>6}  {what}", opt(v, 3, "-"));
    }
    criteria_text(r, out, lang);
}

/// The design, variance components and ICCs with intervals from every score, per criterion too.
fn all_scores_text(r: &Results, out: &mut String, lang: Lang) {
    let a = &r.aggregation.agreement.all_scores;
    let design = clean(&agree::design(a, lang));
    let Some(parts) = agree::components(a, lang) else {
        let _ = writeln!(out, "{}", T::TabAllNone.fill(lang, &[("design", &design)]));
        return;
    };
    let _ = writeln!(
        out,
        "{}",
        T::TabAllScores.fill(lang, &[("design", &design)])
    );
    let _ = writeln!(out, "  {}", agree::method(a, lang));
    let _ = writeln!(out, "  {parts}");
    for (name, e, what) in agree::lines(a, lang == Lang::Zh) {
        let _ = writeln!(out, "  {name:<9}  {:<22}  {what}", agree::estimate(e));
    }
    let rows = agree::criteria(r);
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", T::TabAllCriteria.get(lang));
    let w = rows
        .iter()
        .map(|(l, _)| wrap::width(&clean(l)))
        .max()
        .unwrap_or(0);
    let head = format!("{}  {:<22}  ICC(C,1)", wrap::pad("", w), "ICC(A,1)");
    let _ = writeln!(out, "  {}", head.trim_end());
    for (label, c) in rows {
        let _ = writeln!(
            out,
            "  {}  {:<22}  {}",
            wrap::pad(&clean(label), w),
            agree::estimate(c.icc2_1),
            agree::estimate(c.icc3_1),
        );
    }
}

/// Each criterion's ICCs and W on the crossed subset, then Cronbach's alpha of the criteria.
fn criteria_text(r: &Results, out: &mut String, lang: Lang) {
    let rows = criteria_agreement(r);
    if !rows.is_empty() {
        let _ = writeln!(out, "{}", T::TabCriteria.get(lang));
        let w = rows
            .iter()
            .map(|(l, _)| wrap::width(&clean(l)))
            .max()
            .unwrap_or(0);
        let head = format!("{}  ICC(2,1)  ICC(3,1)       W", wrap::pad("", w));
        let _ = writeln!(out, "  {}", head.trim_end());
        for (label, s) in rows {
            let f = |v: Option<f64>| opt(v, 3, "-");
            let _ = writeln!(
                out,
                "  {}  {:>8}  {:>8}  {:>6}",
                wrap::pad(&clean(label), w),
                f(s.and_then(|s| s.icc2_1)),
                f(s.and_then(|s| s.icc3_1)),
                f(s.and_then(|s| s.kendall_w)),
            );
        }
    }
    let a = &r.aggregation.agreement;
    let alpha = opt(a.cronbach_alpha, 3, "-");
    let n = a.alpha_scores.to_string();
    let _ = writeln!(
        out,
        "{}",
        T::TabAlpha.fill(lang, &[("n", &n), ("alpha", &alpha)])
    );
}
