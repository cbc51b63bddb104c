//! XLSX: the results workbook sent to the association.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use super::columns::{self, Col, Column, Cx, ExpertCol, Fig, Value};
use super::doc::Signature;
use super::report::signatures;
use super::{
    ExportError, agree, agreement_lines, bias_note_zh, confidence_zh, crit_label,
    criteria_agreement, crossed_experts, cut_note_zh, decision_zh, doc_title, final_list,
    k_outside, local_time, method_zh, name_maps, no_agreement_zh, warnings_zh, yes_no,
};
use crate::domain::profile::Profile;
use crate::domain::results::Results;
use crate::domain::rounds::Compared;
use crate::domain::vote::{Against, Stage, Tally};
use crate::text::i18n::{Lang, T};
use crate::text::wrap;

/// Excel refuses strings longer than this many characters in a cell.
const XLSX_MAX_STRING: usize = 32_767;

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

/// A sheet: headers (bold, frozen, repeated on every printed page) and rows; the list the
/// office prints and signs also has a title row above the header and signature lines below.
struct XSheet {
    name: &'static str,
    header: Vec<String>,
    rows: Vec<Vec<X>>,
    /// A title row above the header, across the columns.
    title: Option<String>,
    /// Signature lines under the rows.
    signatures: Vec<Signature>,
}

impl XSheet {
    /// A sheet with no title row and no signature lines.
    fn new(name: &'static str, header: Vec<String>, rows: Vec<Vec<X>>) -> XSheet {
        XSheet {
            name,
            header,
            rows,
            title: None,
            signatures: Vec::new(),
        }
    }
}

/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;

/// The page footer of every sheet: the page number.
const FOOTER: &str = "&C第 &P 页，共 &N 页";

/// The blank a signature or a date is written on.
const BLANK: &str = "________________";

/// Column width for wrapped text, in Excel character units.
const WRAP_WIDTH: f64 = 50.0;

/// The column format of the workbook's sheets.
const XLSX: columns::Format = columns::Format::Xlsx;

impl From<Value> for X {
    fn from(v: Value) -> X {
        match v {
            Value::Missing => X::E,
            Value::Int(n) => X::N(n as f64, Nf::Int),
            Value::Num(v, Fig::Prob) => X::N(v, Nf::Prob),
            Value::Num(v, _) => X::N(v, Nf::Score),
            Value::Text(s) => X::T(s),
            Value::Long(s) => X::W(s),
            Value::Yes(b) => t(yes_no(b)),
        }
    }
}

/// A sheet of `rows` under `cols`.
fn sheet_of<'a, C: Column>(
    name: &'static str,
    cx: &Cx<'a>,
    cols: &[C],
    rows: impl Iterator<Item = &'a C::Row>,
) -> XSheet {
    XSheet::new(
        name,
        cx.heads(cols, XLSX),
        rows.map(|row| cx.cells(cols, row, XLSX).into_iter().map(X::from).collect())
            .collect(),
    )
}

fn sheet_shortlist(cx: &Cx, profile: &Profile) -> XSheet {
    let mut cols = vec![Col::Rank, Col::Id, Col::Name];
    cols.extend(columns::prelim(cx.r));
    cols.extend([
        Col::Applicant,
        Col::Recommender,
        Col::Industry,
        Col::Trl,
        Col::Score,
        Col::N,
        Col::Decision,
        Col::Reason,
    ]);
    let mut sheet = sheet_of("入围名单", cx, &cols, final_list(cx.r));
    // 序号 counts the list as printed: the rank repeats on ties, the count does not.
    sheet.header.insert(0, "序号".into());
    for (i, row) in sheet.rows.iter_mut().enumerate() {
        row.insert(0, int(i + 1));
    }
    sheet.title = Some(format!("{} 入围名单", doc_title(cx.r, profile)));
    sheet.signatures = signatures(cx.r);
    sheet
}

fn sheet_ranking(cx: &Cx) -> XSheet {
    let r = cx.r;
    let mut cols = vec![Col::Rank, Col::Id, Col::Name];
    cols.extend(columns::prelim(r));
    cols.extend([Col::Applicant, Col::Score, Col::N]);
    cols.extend(columns::criteria(r));
    cols.extend([Col::Sd, Col::Range]);
    cols.extend(columns::fit(r));
    cols.extend([
        Col::Recused,
        Col::Conflicts,
        Col::P,
        Col::Interval,
        Col::Shortlisted,
        Col::Flags,
        Col::Decision,
        Col::Reason,
    ]);
    sheet_of("完整排名", cx, &cols, r.rows.iter())
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
    XSheet::new("评分矩阵", header, rows)
}

fn sheet_panel(cx: &Cx) -> XSheet {
    let r = cx.r;
    let mut cols = ExpertCol::FIGURES.to_vec();
    cols.insert(2, ExpertCol::Sequence);
    cols.push(ExpertCol::LeftOut);
    let mut sheet = sheet_of("专家组统计", cx, &cols, r.experts.iter());
    let rows = &mut sheet.rows;
    rows.push(vec![X::E]);
    rows.push(vec![t(
        "回避：专家本人声明回避；利益冲突排除：依专家组名单查出、专家未声明的利益冲突，其评分不计入",
    )]);
    rows.push(vec![X::E]);
    rows.push(vec![t(bias_note_zh(r))]);
    rows.push(vec![X::E]);
    all_scores_rows(r, rows);
    rows.push(vec![X::E]);
    rows.push(vec![X::B(
        "专家组一致性（完全交叉子集：旧算法，保留用于 Kendall's W）".to_string(),
    )]);
    match &r.aggregation.agreement.stats {
        None => rows.push(vec![t(no_agreement_zh(r))]),
        Some(s) => {
            rows.push(vec![t("专家数"), int(s.n_experts)]);
            rows.push(vec![t("项目数"), int(s.n_items)]);
            rows.push(vec![t("参与专家"), t(crossed_experts(r).join("、"))]);
            rows.push(vec![
                X::B("指标".into()),
                X::B("值".into()),
                X::B("含义".into()),
            ]);
            for (name, v, what) in agreement_lines(s, true) {
                rows.push(vec![t(name), num(v, Nf::Score), t(what)]);
            }
            rows.push(vec![X::E]);
            rows.push(vec![
                X::B("评分项".into()),
                X::B("ICC(2,1)".into()),
                X::B("ICC(3,1)".into()),
                X::B("Kendall's W".into()),
            ]);
            for (label, c) in criteria_agreement(r) {
                rows.push(vec![
                    t(label),
                    num(c.and_then(|c| c.icc2_1), Nf::Score),
                    num(c.and_then(|c| c.icc3_1), Nf::Score),
                    num(c.and_then(|c| c.kendall_w), Nf::Score),
                ]);
            }
        }
    }
    let a = &r.aggregation.agreement;
    rows.push(vec![X::E]);
    rows.push(vec![
        t(format!(
            "各评分项的 Cronbach's α（{} 份完整评分）",
            a.alpha_scores
        )),
        num(a.cronbach_alpha, Nf::Score),
    ]);
    sheet
}

/// Agreement from every score: the design, method, variance components and ICCs with bounds.
fn all_scores_rows(r: &Results, rows: &mut Vec<Vec<X>>) {
    let a = &r.aggregation.agreement.all_scores;
    rows.push(vec![X::B("专家组一致性（基于全部评分）".to_string())]);
    let design = agree::design(a, Lang::Zh);
    let Some(parts) = agree::components(a, Lang::Zh) else {
        rows.push(vec![X::W(
            T::TabAllNone.fill(Lang::Zh, &[("design", &design)]),
        )]);
        return;
    };
    rows.push(vec![t("设计"), X::W(design)]);
    rows.push(vec![t("方法"), X::W(agree::method(a, Lang::Zh))]);
    rows.push(vec![t("方差分量"), X::W(parts)]);
    rows.push(vec![
        X::B("指标".into()),
        X::B("值".into()),
        X::B("95% 下限".into()),
        X::B("95% 上限".into()),
        X::B("含义".into()),
    ]);
    for (name, e, what) in agree::lines(a, true) {
        rows.push(vec![
            t(name),
            num(e.map(|e| e.estimate), Nf::Score),
            num(e.and_then(|e| e.lo), Nf::Score),
            num(e.and_then(|e| e.hi), Nf::Score),
            t(what),
        ]);
    }
    rows.push(vec![
        X::B("评分项".into()),
        X::B("ICC(A,1)".into()),
        X::B("95% 下限".into()),
        X::B("95% 上限".into()),
        X::B("ICC(C,1)".into()),
        X::B("95% 下限".into()),
        X::B("95% 上限".into()),
    ]);
    for (label, c) in agree::criteria(r) {
        let mut row = vec![t(label)];
        for e in [c.icc2_1, c.icc3_1] {
            row.push(num(e.map(|e| e.estimate), Nf::Score));
            row.push(num(e.and_then(|e| e.lo), Nf::Score));
            row.push(num(e.and_then(|e| e.hi), Nf::Score));
        }
        rows.push(row);
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
    XSheet::new(
        "方法与参数",
        vec!["项目".to_string(), "值".to_string()],
        rows,
    )
}

/// The chair's decision history, oldest first (empty when no decision was recorded).
/// 会评轮次: both rounds side by side, in round 2's ranking order.
fn sheet_rounds(rows: &[Compared]) -> XSheet {
    let header = [
        "编号",
        "技术名称",
        "会评项目",
        "第1轮得分",
        "第1轮名次",
        "第2轮得分",
        "第2轮名次",
        "入围变化",
        "修改专家及理由",
    ]
    .map(String::from)
    .to_vec();
    let rank = |r: Option<usize>| r.map_or(X::E, int);
    let rows = rows
        .iter()
        .map(|c| {
            let change = match c.change() {
                "in" => "新入围",
                "out" => "落选",
                _ => "",
            };
            let who: Vec<String> = c
                .revised_by
                .iter()
                .map(|(e, why)| format!("{e}：{why}"))
                .collect();
            vec![
                t(&c.id),
                t(&c.name),
                t(yes_no(c.discussed)),
                num(c.score_1, Nf::Score),
                rank(c.rank_1),
                num(c.score_2, Nf::Score),
                rank(c.rank_2),
                t(change),
                X::W(who.join("；")),
            ]
        })
        .collect();
    XSheet::new("会评轮次", header, rows)
}

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
                t(local_time(&d.at)),
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
    XSheet::new(
        "主席决定记录",
        [
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
    )
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
    // The header's row: under the title row when there is one.
    let top = u32::from(sheet.title.is_some());
    if let Some(title) = &sheet.title {
        let f = Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center);
        match u16::try_from(ncols.saturating_sub(1)) {
            Ok(last) if last > 0 => ws.merge_range(0, 0, 0, last, &cell_text(title), &f)?,
            _ => ws.write_string_with_format(0, 0, cell_text(title), &f)?,
        };
    }
    for (c, h) in sheet.header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string_with_format(top, col, cell_text(h), &bold)?;
        widths[c] = widths[c].max(wrap::width(h) as f64);
    }
    for (i, row) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)? + top;
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
    // Signature lines under the list, a blank row apart so there is room to sign.
    let mut r = u32::try_from(sheet.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)? + top;
    for s in &sheet.signatures {
        r += 2;
        ws.write_string(r, 0, s.line(BLANK))?;
    }
    ws.set_freeze_panes(top + 1, 0)?;
    // Printed on A4 landscape, one page wide, the title and header on every page.
    ws.set_paper_size(PAPER_A4);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, top)?;
    ws.set_footer(FOOTER);
    Ok(())
}

/// One vote's counts for the workbook's 表决 sheet (never who voted what).
#[derive(Debug, Clone)]
pub struct VoteCounts {
    /// The vote's number in its store.
    pub vote: i64,
    /// 会评 or 终审.
    pub stage: Stage,
    /// The pass rule, as the profile writes it.
    pub pass: String,
    /// The counts.
    pub tally: Tally,
}

/// The 表决 sheet: per vote and nomination the counts and the outcome, then the passing list
/// against its target.
fn sheet_votes(votes: &[VoteCounts]) -> XSheet {
    let zh = crate::text::i18n::Lang::Zh;
    let mut rows = Vec::new();
    let mut titles = Vec::new();
    for v in votes {
        let tl = &v.tally;
        titles.push(T::VoteSheetTitle.fill(
            zh,
            &[
                ("vote", &v.vote.to_string()),
                ("stage", v.stage.label().get(zh)),
                ("present", &tl.present.to_string()),
                ("panel", &tl.panel.to_string()),
                ("pass", &v.pass),
            ],
        ));
        for i in &tl.items {
            rows.push(vec![
                X::N(v.vote as f64, Nf::Int),
                t(v.stage.label().get(zh)),
                t(&i.id),
                X::N(f64::from(i.yes), Nf::Int),
                X::N(f64::from(i.no), Nf::Int),
                X::N(f64::from(i.abstain), Nf::Int),
                X::N(i.needed as f64, Nf::Int),
                t(i.outcome.label().get(zh)),
            ]);
        }
        let target = if tl.target.0 == tl.target.1 {
            tl.target.0.to_string()
        } else {
            format!("{}–{}", tl.target.0, tl.target.1)
        };
        let against = match tl.against {
            Against::Within => T::VoteWithin,
            Against::Below => T::VoteBelow,
            Against::Above => T::VoteAbove,
        };
        rows.push(vec![X::B(T::VotePassing.fill(
            zh,
            &[
                ("n", &tl.passing.len().to_string()),
                ("items", &tl.items.len().to_string()),
                ("target", &target),
                ("against", against.get(zh)),
            ],
        ))]);
    }
    let mut sheet = XSheet::new(
        "表决",
        [
            "表决",
            "阶段",
            "编号",
            "同意",
            "不同意",
            "弃权",
            "所需同意票",
            "结果",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows,
    );
    sheet.title = Some(titles.join("；"));
    sheet
}

/// The workbook of [`export_xlsx`] as bytes (the same bytes for the same `Results`).
pub fn xlsx_bytes(r: &Results, profile: &Profile) -> Result<Vec<u8>, XlsxError> {
    xlsx_bytes_with(r, profile, None, &[])
}

/// [`xlsx_bytes`], with a sheet 会评轮次 after a discussion round (every nomination's round-1
/// and round-2 score and rank, its shortlist change, who revised it and why) and a sheet 表决
/// when `votes` holds any (counts only).
pub fn xlsx_bytes_with(
    r: &Results,
    profile: &Profile,
    rounds: Option<&[Compared]>,
    votes: &[VoteCounts],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // Why fixed: rust_xlsxwriter stamps docProps/core.xml with the current time, which would
    // make two exports of the same results differ. Zip entries already carry a constant time.
    let created = ExcelDateTime::from_ymd(2020, 1, 1)?;
    let props = DocProperties::new()
        .set_title(doc_title(r, profile))
        .set_subject(format!("batch {}", r.batch))
        .set_comment(format!("revdesk {}", env!("CARGO_PKG_VERSION")))
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    let cx = Cx::new(r, Some(profile));
    for sheet in [
        sheet_shortlist(&cx, profile),
        sheet_ranking(&cx),
        sheet_matrix(r),
        sheet_panel(&cx),
        sheet_method(r, profile),
        sheet_decisions(r),
    ] {
        write_sheet(&mut wb, &sheet)?;
    }
    if let Some(rows) = rounds {
        write_sheet(&mut wb, &sheet_rounds(rows))?;
    }
    if !votes.is_empty() {
        write_sheet(&mut wb, &sheet_votes(votes))?;
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
