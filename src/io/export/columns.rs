//! The columns the formats share, defined once: headings, the cell of a row, number format.
//!
//! A terminal table, the CSV, an XLSX sheet and a report table each pick their columns from
//! here ([`Col`] about a nomination, [`ExpertCol`] about an expert) and write the [`Value`]s in
//! their own convention. Headings are English (the key) in the terminal and CSV and Chinese in
//! XLSX and the report; where a format's heading deliberately differs (short terminal headings,
//! the report's shorter Chinese), the override is spelled out in [`Col::head`] and
//! [`ExpertCol::head`].

use std::collections::BTreeMap;

use super::doc::Align;
use super::{
    crit_label, decision_zh, excel_safe, fixed, flag_list, groups, interval, items_by_id,
    left_out_zh, yes_no,
};
use crate::domain::profile::Profile;
use crate::domain::results::{ExpertRow, Results, Row};
use crate::engine::{ItemResult, Method, TrimRule};
use crate::text::i18n::{Lang, T};

/// Widest name column, in terminal cells, of the terminal tables.
pub const NAME_WIDTH: usize = 30;

/// Where a column is written: its headings and conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A terminal table: English, `-` when missing, short decimals.
    Terminal,
    /// CSV: English keys, empty when missing, 4 decimals, text safe from formula injection.
    Csv,
    /// An XLSX sheet: Chinese, typed cells.
    Xlsx,
    /// A table of the report (Markdown, later DOCX): Chinese, `-` when missing, short decimals.
    Report,
}

impl Format {
    /// Whether the format's documents are Chinese.
    fn zh(self) -> bool {
        matches!(self, Format::Xlsx | Format::Report)
    }
}

/// How a figure is shown: its decimals in text (terminal, report). CSV always has 4 decimals;
/// XLSX stores the value with the number format `0.00` for [`Fig::Prob`], else `0.0000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fig {
    /// Scores and their standard errors: 4 decimals.
    Four,
    /// Spreads, means and leniencies: 2 decimals.
    Two,
    /// Criterion means: 1 decimal.
    One,
    /// Probabilities: 2 decimals everywhere.
    Prob,
}

impl Fig {
    /// Decimals in text.
    pub fn decimals(self) -> usize {
        match self {
            Fig::Four => 4,
            Fig::Two | Fig::Prob => 2,
            Fig::One => 1,
        }
    }
}

/// A cell before a format writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing: `-` in text, an empty CSV cell, a blank XLSX cell.
    Missing,
    /// A whole number.
    Int(u64),
    /// A finite figure.
    Num(f64, Fig),
    /// Text.
    Text(String),
    /// Long text (wrapped in its XLSX column).
    Long(String),
    /// Yes or no: `*` or nothing in the terminal, `yes`/`no` in CSV, 是/否 in Chinese.
    Yes(bool),
}

impl Value {
    /// A figure, or [`Value::Missing`] when there is none (or it is not finite).
    pub fn num(x: Option<f64>, fig: Fig) -> Value {
        match x {
            Some(v) if v.is_finite() => Value::Num(v, fig),
            _ => Value::Missing,
        }
    }

    /// A count, or [`Value::Missing`].
    fn int(x: Option<impl Into<u64>>) -> Value {
        x.map_or(Value::Missing, |n| Value::Int(n.into()))
    }

    /// A count of a `usize`.
    fn count(n: usize) -> Value {
        Value::Int(n as u64)
    }

    /// The cell as text in `fmt` (XLSX writes typed cells from the value itself).
    pub fn show(&self, fmt: Format) -> String {
        let csv = fmt == Format::Csv;
        match self {
            Value::Missing if csv => String::new(),
            Value::Missing => "-".to_string(),
            Value::Int(n) => n.to_string(),
            Value::Num(v, _) if csv => fixed(*v, 4),
            Value::Num(v, fig) => fixed(*v, fig.decimals()),
            Value::Text(s) | Value::Long(s) if csv => excel_safe(s),
            Value::Text(s) | Value::Long(s) => s.clone(),
            Value::Yes(b) if fmt.zh() => yes_no(*b).to_string(),
            Value::Yes(b) if csv => if *b { "yes" } else { "no" }.to_string(),
            Value::Yes(b) => if *b { "*" } else { "" }.to_string(),
        }
    }
}

/// What cells need besides their row: the results, lookups built once, the profile's names.
pub struct Cx<'a> {
    /// The results the rows belong to.
    pub r: &'a Results,
    /// Domain key, preliminary rank and score of a final-review nomination, by id.
    prelim: BTreeMap<&'a str, (&'a str, Option<u32>, Option<f64>)>,
    /// The engine's per-item results (min, max and plain mean), by id.
    items: BTreeMap<&'a str, &'a ItemResult>,
    /// Domain names for Chinese documents.
    profile: Option<&'a Profile>,
}

impl<'a> Cx<'a> {
    /// The context of `r`; Chinese formats need `profile` for domain names.
    pub fn new(r: &'a Results, profile: Option<&'a Profile>) -> Cx<'a> {
        let prelim = r
            .nominations
            .iter()
            .map(|i| {
                (
                    i.id.as_str(),
                    (i.domain.as_str(), i.preliminary_rank, i.preliminary_score),
                )
            })
            .collect();
        Cx {
            r,
            prelim,
            items: items_by_id(r),
            profile,
        }
    }

    /// A row's domain key, preliminary rank and score (its own domain when not a nomination).
    fn prelim(&self, row: &'a Row) -> (&'a str, Option<u32>, Option<f64>) {
        self.prelim
            .get(row.id.as_str())
            .copied()
            .unwrap_or((row.domain.as_str(), None, None))
    }

    /// The headings of `cols` in `fmt`.
    pub fn heads<C: Column>(&self, cols: &[C], fmt: Format) -> Vec<String> {
        cols.iter().map(|c| c.head(self, fmt)).collect()
    }

    /// The cells of `row` under `cols` in `fmt`.
    pub fn cells<C: Column>(&self, cols: &[C], row: &'a C::Row, fmt: Format) -> Vec<Value> {
        cols.iter().map(|c| c.value(self, row, fmt)).collect()
    }

    /// The cells of `row` under `cols` as text in `fmt` (terminal, CSV, report).
    pub fn texts<C: Column>(&self, cols: &[C], row: &'a C::Row, fmt: Format) -> Vec<String> {
        cols.iter()
            .map(|c| c.value(self, row, fmt).show(fmt))
            .collect()
    }
}

/// A column about rows of one kind.
pub trait Column: Copy {
    /// The rows the column is about (owned data).
    type Row: 'static;
    /// The heading in `fmt`.
    fn head(self, cx: &Cx, fmt: Format) -> String;
    /// How its cells line up (terminal and report).
    fn align(self) -> Align;
    /// The widest the column may get in a terminal table.
    fn width(self) -> usize;
    /// The cell of `row` in `fmt` (the language may change the text, not the figure).
    fn value<'a>(self, cx: &Cx<'a>, row: &'a Self::Row, fmt: Format) -> Value;
}

/// A column about a nomination's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// Its rank.
    Rank,
    /// Its id.
    Id,
    /// Its name.
    Name,
    /// Its domain (final review): the key in English, the name in Chinese.
    Domain,
    /// Its rank in the preliminary review (final review).
    PrelimRank,
    /// Its score in the preliminary review (final review).
    PrelimScore,
    /// The applicant.
    Applicant,
    /// The recommending organisation.
    Recommender,
    /// The industries it serves.
    Industry,
    /// Its technology readiness level.
    Trl,
    /// Its score.
    Score,
    /// The calibrated score's standard error.
    Se,
    /// Its group on a disconnected expert–item graph.
    Group,
    /// How many experts' scores count.
    N,
    /// The rule `trimmed` applied (trimmed or mean).
    Rule,
    /// The mean of the criterion with this index.
    Criterion(usize),
    /// The experts' sd.
    Sd,
    /// The experts' max − min.
    Range,
    /// How many experts recused themselves.
    Recused,
    /// How many scores a conflict of interest excluded.
    Conflicts,
    /// How many experts left it incomplete.
    Incomplete,
    /// The plain mean of the experts' totals.
    Mean,
    /// The bootstrap's probability that it is shortlisted.
    P,
    /// Its 90% rank interval.
    Interval,
    /// Whether it is shortlisted.
    Shortlisted,
    /// Its flags: machine names in English, Chinese names in Chinese.
    Flags,
    /// The chair's decision on it.
    Decision,
    /// The reason the chair gave.
    Reason,
    /// The chair's decision with its reason, in one cell (the report's list).
    Verdict,
}

impl Column for Col {
    type Row = Row;

    fn head(self, cx: &Cx, fmt: Format) -> String {
        use Format::{Report, Terminal};
        if let Col::Criterion(i) = self {
            let (key, label) = cx.r.criteria.get(i).map_or(("", ""), |(k, l)| (k, l));
            return match fmt {
                Format::Csv => key.to_string(),
                _ => crit_label(key, label),
            };
        }
        let (key, zh) = match self {
            Col::Rank => ("rank", "排名"),
            Col::Id => ("id", "编号"),
            Col::Name => ("name", "技术名称"),
            Col::Domain => ("domain", "领域"),
            Col::PrelimRank => ("preliminary_rank", "初评排名"),
            Col::PrelimScore => ("preliminary_score", "初评得分"),
            Col::Applicant => ("applicant", "申报单位"),
            Col::Recommender => ("recommender", "推荐单位"),
            Col::Industry => ("industry", "重点服务行业"),
            Col::Trl => ("trl", "技术就绪水平"),
            Col::Score => ("score", "得分"),
            Col::Se => ("se", "标准误"),
            Col::Group => ("component", "分组"),
            Col::N => ("n", "评审专家数"),
            Col::Rule => ("rule", "汇总规则"),
            Col::Criterion(_) => ("", ""),
            Col::Sd => ("sd", "标准差"),
            Col::Range => ("range", "极差"),
            Col::Recused => ("recused", "回避人数"),
            Col::Conflicts => ("conflict", "利益冲突排除人数"),
            Col::Incomplete => ("incomplete", "未评完人数"),
            Col::Mean => ("mean", "平均总分"),
            Col::P => ("p_shortlist", "入围概率"),
            Col::Interval => ("rank_interval", "排名90%区间"),
            Col::Shortlisted => ("shortlisted", "入围"),
            Col::Flags => ("flags", "标记"),
            Col::Decision | Col::Verdict => ("decision", "主席决定"),
            Col::Reason => ("decision_reason", "决定理由"),
        };
        // Deliberate differences: terminal headings are short, the report's columns narrow.
        let head = match (self, fmt) {
            (Col::PrelimRank, Terminal) => "prelim",
            (Col::PrelimScore, Terminal) => "p.score",
            (Col::Group, Terminal) => "grp",
            (Col::Range, Terminal) => "max-min",
            (Col::P, Terminal) => "p",
            (Col::Shortlisted, Terminal) => "*",
            (Col::N, Report) => "专家数",
            _ if fmt.zh() => zh,
            _ => key,
        };
        head.to_string()
    }

    fn align(self) -> Align {
        match self {
            Col::Id
            | Col::Name
            | Col::Domain
            | Col::Applicant
            | Col::Recommender
            | Col::Industry
            | Col::Interval
            | Col::Shortlisted
            | Col::Flags
            | Col::Decision
            | Col::Reason
            | Col::Verdict => Align::Left,
            _ => Align::Right,
        }
    }

    fn width(self) -> usize {
        match self {
            Col::Id => 20,
            Col::Name => NAME_WIDTH,
            Col::Domain => 24,
            Col::Rank | Col::PrelimRank => 6,
            Col::PrelimScore | Col::Mean => 9,
            Col::Score | Col::Criterion(_) => 12,
            Col::Se | Col::Sd | Col::Range | Col::Conflicts => 8,
            Col::Group => 3,
            Col::N => 4,
            Col::Rule => 7,
            Col::P => 5,
            Col::Shortlisted => 1,
            Col::Recused => 7,
            Col::Incomplete => 10,
            _ => NAME_WIDTH,
        }
    }

    fn value<'a>(self, cx: &Cx<'a>, row: &'a Row, fmt: Format) -> Value {
        let text = |s: &str| Value::Text(s.to_string());
        match self {
            Col::Rank => Value::int(row.rank.map(|k| k as u64)),
            Col::Id => text(&row.id),
            Col::Name => text(&row.name),
            Col::Domain => {
                let key = cx.prelim(row).0;
                match cx.profile.and_then(|p| p.domain(key)) {
                    Some(d) if fmt.zh() => text(&d.name),
                    _ => text(key),
                }
            }
            Col::PrelimRank => Value::int(cx.prelim(row).1),
            Col::PrelimScore => Value::num(cx.prelim(row).2, Fig::Two),
            Col::Applicant => text(&row.applicant),
            Col::Recommender => text(&row.recommender),
            Col::Industry => Value::Text(row.industry.join("；")),
            Col::Trl => Value::int(Some(row.trl)),
            Col::Score => Value::num(row.score, Fig::Four),
            Col::Se => Value::num(row.se, Fig::Four),
            Col::Group => Value::int(row.component.map(|c| c as u64)),
            Col::N => Value::count(row.n),
            Col::Rule => {
                let lang = if fmt.zh() { Lang::Zh } else { Lang::En };
                match row.rule {
                    Some(TrimRule::Trimmed) => text(T::TabRuleTrimmed.get(lang)),
                    Some(TrimRule::Mean) => text(T::TabRuleMean.get(lang)),
                    None => Value::Missing,
                }
            }
            Col::Criterion(i) => Value::num(row.criteria_means.get(i).copied().flatten(), Fig::One),
            Col::Sd => Value::num(row.sd, Fig::Two),
            Col::Range => Value::num(row.range, Fig::Two),
            Col::Recused => Value::count(row.n_recused),
            Col::Conflicts => Value::count(row.n_conflict),
            Col::Incomplete => Value::count(row.n_incomplete),
            Col::Mean => Value::num(
                cx.items.get(row.id.as_str()).and_then(|i| i.mean_total),
                Fig::Two,
            ),
            Col::P => Value::num(row.p_shortlist, Fig::Prob),
            Col::Interval => interval(row, "–").map_or(Value::Missing, Value::Text),
            Col::Shortlisted => Value::Yes(row.shortlisted),
            Col::Flags if fmt.zh() => {
                let names: Vec<&str> = row.flags.iter().map(|f| f.zh()).collect();
                Value::Text(names.join("；"))
            }
            Col::Flags => Value::Text(flag_list(&row.flags, ";")),
            Col::Decision if fmt.zh() => Value::Text(decision_zh(row.decision.as_deref())),
            Col::Decision => text(row.decision.as_deref().unwrap_or("")),
            Col::Reason => Value::Long(row.decision_reason.clone().unwrap_or_default()),
            // An override must carry its reason wherever the list goes.
            Col::Verdict => Value::Text(match &row.decision {
                Some(d) => format!(
                    "{}：{}",
                    decision_zh(Some(d)),
                    row.decision_reason.as_deref().unwrap_or("")
                ),
                None => String::new(),
            }),
        }
    }
}

/// One column per criterion, in the profile's order.
pub fn criteria(r: &Results) -> impl Iterator<Item = Col> {
    (0..r.criteria.len()).map(Col::Criterion)
}

/// The calibrated fit's columns: the standard error under `calibrated`, the group on a
/// disconnected expert–item graph (terminal, XLSX and report; CSV always has both when calibrated).
pub fn fit(r: &Results) -> Vec<Col> {
    let mut cols = Vec::new();
    if r.method == Method::Calibrated {
        cols.push(Col::Se);
    }
    if groups(r).is_some() {
        cols.push(Col::Group);
    }
    cols
}

/// A final-review batch's domain, preliminary rank and score (nothing for a domain batch).
pub fn prelim(r: &Results) -> &'static [Col] {
    if r.final_review {
        &[Col::Domain, Col::PrelimRank, Col::PrelimScore]
    } else {
        &[]
    }
}

/// A column about an expert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpertCol {
    /// The expert's id.
    Id,
    /// The expert's name.
    Name,
    /// The number of the expert's score sheet.
    Sequence,
    /// How many nominations the expert scored.
    Scored,
    /// How many nominations the assignment gives the expert (shown only with one).
    Assigned,
    /// How many the expert recused from.
    Recused,
    /// How many scores a conflict of interest excluded.
    Conflicts,
    /// How many the expert left incomplete.
    Incomplete,
    /// The mean of the expert's totals.
    Mean,
    /// The sd of the expert's totals.
    Sd,
    /// The expert's leniency from the calibrated fit.
    Bias,
    /// The expert's leave-one-out correlation with the rest of the panel.
    PanelR,
    /// Why zscore left the expert out.
    LeftOut,
}

impl ExpertCol {
    /// The columns every format shows, in order.
    pub const FIGURES: [ExpertCol; 10] = [
        ExpertCol::Id,
        ExpertCol::Name,
        ExpertCol::Scored,
        ExpertCol::Recused,
        ExpertCol::Conflicts,
        ExpertCol::Incomplete,
        ExpertCol::Mean,
        ExpertCol::Sd,
        ExpertCol::Bias,
        ExpertCol::PanelR,
    ];
}

impl Column for ExpertCol {
    type Row = ExpertRow;

    fn head(self, _: &Cx, fmt: Format) -> String {
        let (key, zh) = match self {
            ExpertCol::Id => ("id", "专家编号"),
            ExpertCol::Name => ("name", "专家姓名"),
            ExpertCol::Sequence => ("sequence", "评分表序号"),
            ExpertCol::Scored => ("scored", "已评项数"),
            ExpertCol::Assigned => ("assigned", "分配项数"),
            ExpertCol::Recused => ("recused", "回避"),
            ExpertCol::Conflicts => ("conflict", "利益冲突排除"),
            ExpertCol::Incomplete => ("incomplete", "未评完"),
            ExpertCol::Mean => ("mean", "平均总分"),
            ExpertCol::Sd => ("sd", "标准差"),
            ExpertCol::Bias => ("bias", "宽严偏差"),
            ExpertCol::PanelR => ("r_panel", "与组内相关"),
            ExpertCol::LeftOut => ("left out", "未计入原因"),
        };
        // Deliberate difference: the report's expert table is narrower than the sheet.
        let head = match (self, fmt) {
            (ExpertCol::Id, Format::Report) => "专家",
            (ExpertCol::Name, Format::Report) => "姓名",
            (ExpertCol::Scored, Format::Report) => "已评",
            _ if fmt.zh() => zh,
            _ => key,
        };
        head.to_string()
    }

    fn align(self) -> Align {
        match self {
            ExpertCol::Id | ExpertCol::Name | ExpertCol::LeftOut => Align::Left,
            _ => Align::Right,
        }
    }

    fn width(self) -> usize {
        match self {
            ExpertCol::Id => 20,
            ExpertCol::Name => 16,
            ExpertCol::Scored | ExpertCol::Sequence => 6,
            ExpertCol::Assigned => 8,
            ExpertCol::Recused => 7,
            ExpertCol::Conflicts | ExpertCol::Sd => 8,
            ExpertCol::Incomplete => 10,
            ExpertCol::Mean | ExpertCol::Bias | ExpertCol::PanelR => 9,
            ExpertCol::LeftOut => NAME_WIDTH,
        }
    }

    fn value<'a>(self, cx: &Cx<'a>, e: &'a ExpertRow, fmt: Format) -> Value {
        match self {
            ExpertCol::Id => Value::Text(e.id.clone()),
            ExpertCol::Name => Value::Text(e.name.clone()),
            ExpertCol::Sequence => Value::Int(e.sequence),
            ExpertCol::Scored => Value::count(e.scored),
            ExpertCol::Assigned => e.assigned.map_or(Value::Missing, Value::count),
            ExpertCol::Recused => Value::count(e.recused),
            ExpertCol::Conflicts => Value::count(e.conflicts),
            ExpertCol::Incomplete => Value::count(e.incomplete),
            ExpertCol::Mean => Value::num(e.mean, Fig::Two),
            ExpertCol::Sd => Value::num(e.sd, Fig::Two),
            ExpertCol::Bias => Value::num(e.bias, Fig::Two),
            ExpertCol::PanelR => Value::num(e.panel_r, Fig::Two),
            ExpertCol::LeftOut if fmt.zh() => {
                left_out_zh(cx.r, &e.id).map_or(Value::Missing, Value::Text)
            }
            ExpertCol::LeftOut => e.left_out.clone().map_or(Value::Missing, Value::Text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_writes_a_value_in_its_convention() {
        let cases = [
            (Value::Missing, ["-", "", "-"]),
            (Value::Int(7), ["7", "7", "7"]),
            (Value::Num(1.23456, Fig::Two), ["1.23", "1.2346", "1.23"]),
            (Value::Num(66.04, Fig::One), ["66.0", "66.0400", "66.0"]),
            (
                Value::Num(-0.00001, Fig::Four),
                ["0.0000", "0.0000", "0.0000"],
            ),
            (Value::Text("=1".into()), ["=1", "'=1", "=1"]),
            (Value::Long("-x".into()), ["-x", "'-x", "-x"]),
            (Value::Yes(true), ["*", "yes", "是"]),
            (Value::Yes(false), ["", "no", "否"]),
        ];
        let formats = [Format::Terminal, Format::Csv, Format::Report];
        for (v, want) in cases {
            for (fmt, w) in formats.into_iter().zip(want) {
                assert_eq!(v.show(fmt), w, "{v:?} in {fmt:?}");
            }
        }
        assert_eq!(Value::num(Some(f64::NAN), Fig::Four), Value::Missing);
    }
}
