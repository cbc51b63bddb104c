//! The report's content: the results as a [`Document`] in Chinese, for the panel chair.
//!
//! Sections: the title block, parameters, shortlist, cut and threshold map, borderline and
//! disputed items, agreement, per-expert statistics, conflicts of interest, warnings, the chair's
//! decisions, and the panel with its signature lines.

use super::columns::{self, Col, Column, Cx, ExpertCol, Format};
use super::doc::{self, Align, Block, DATE_LABEL, Document, Signature, Span, Table};
use super::{
    agree, agreement_lines, bias_note_zh, criteria_agreement, crossed_experts, cut_note_zh,
    doc_title, final_list, fixed, groups, k_outside, left_out_zh, local_time, method_zh, name_maps,
    no_agreement_zh, opt, warnings_zh, yes_no,
};
use crate::domain::profile::{Domain, Profile};
use crate::domain::results::{Flag, Results, Row};
use crate::text::i18n::{Lang, T};

/// The column format of the report's tables.
const REPORT: Format = Format::Report;

/// What a section says when it has nothing to list.
const NONE: &str = "无。";

/// The report on `r`, with labels from `profile`.
pub fn report(r: &Results, profile: &Profile) -> Document {
    let mut doc = Document::default();
    let cx = Cx::new(r, Some(profile));
    title(&mut doc, r, profile);
    parameters(&mut doc, r, profile);
    shortlist(&mut doc, &cx);
    cut(&mut doc, r);
    borderline(&mut doc, &cx);
    disputed(&mut doc, &cx);
    agreement(&mut doc, r);
    experts(&mut doc, &cx);
    conflicts(&mut doc, r);
    doc.heading(2, "警告");
    let warnings = warnings_zh(r);
    if warnings.is_empty() {
        doc.paragraph(NONE);
    } else {
        doc.bullets(warnings);
    }
    decision_log(&mut doc, r);
    panel(&mut doc, r);
    doc
}

/// The title block: the title, then alliance and domain (one domain only), round and a date
/// to fill in by hand when the report is signed.
fn title(doc: &mut Document, r: &Results, profile: &Profile) {
    let mut lines = Vec::new();
    if let Some(d) = single_domain(r, profile) {
        lines.push(format!("联盟：{}", d.alliance));
        lines.push(format!("领域：{}", d.name));
    }
    lines.push(format!(
        "评审轮次：{}",
        if r.final_review { "终评" } else { "初评" }
    ));
    lines.push(format!("{DATE_LABEL}：{DATE_BLANK}"));
    doc.blocks.push(Block::Title {
        title: format!("{} 评审结果", doc_title(r, profile)),
        lines,
    });
}

/// How an undated date line reads: the year, month and day left for the pen.
const DATE_BLANK: &str = "　　　　年　　月　　日";

/// The domain of every row, when they share one the profile knows.
fn single_domain<'p>(r: &Results, profile: &'p Profile) -> Option<&'p Domain> {
    let domains: std::collections::BTreeSet<&str> =
        r.rows.iter().map(|x| x.domain.as_str()).collect();
    if domains.len() == 1 {
        domains.first().and_then(|k| profile.domain(k))
    } else {
        None
    }
}

/// The panel by name: an expert without a name by id, never by key.
pub(super) fn panel_names(r: &Results) -> Vec<String> {
    r.experts
        .iter()
        .map(|e| {
            if e.name.trim().is_empty() {
                e.id.clone()
            } else {
                e.name.clone()
            }
        })
        .collect()
}

/// The lines the chair and every expert of the panel sign.
pub(super) fn signatures(r: &Results) -> Vec<Signature> {
    let mut signs = vec![Signature {
        role: "专家组组长签字".into(),
        name: None,
    }];
    signs.extend(panel_names(r).into_iter().map(|n| Signature {
        role: "评审专家签字".into(),
        name: Some(n),
    }));
    signs
}

/// The panel by name, and the lines the chair and every expert sign.
fn panel(doc: &mut Document, r: &Results) {
    doc.heading(2, "专家组与签字");
    let names = panel_names(r);
    doc.paragraph(format!(
        "专家组（{} 人）：{}。",
        names.len(),
        names.join("、")
    ));
    doc.blocks.push(Block::Signatures(signatures(r)));
}

/// The run's parameters, as a list.
fn parameters(doc: &mut Document, r: &Results, profile: &Profile) {
    let mut facts = vec![
        vec![Span::text("批次哈希："), Span::Code(r.batch.clone())],
        vec![Span::text(format!(
            "评审方案：{}（{}）",
            r.profile, profile.name
        ))],
    ];
    facts.push(vec![
        Span::text("评分细则哈希："),
        Span::Code(r.rubric.clone()),
    ]);
    let c = &r.config;
    let mut say = |s: String| facts.push(vec![Span::Text(s)]);
    say(format!("评分方法：{}", method_zh(r.method, c.trim_min)));
    say(format!(
        "入围范围：{}–{}，K = {}{}",
        c.shortlist_min,
        c.shortlist_max,
        r.k,
        if k_outside(r) {
            "（超出范围）"
        } else {
            ""
        }
    ));
    if let Some(d) = &r.decided {
        say(format!(
            "主席决定：入围名单 {} 项（{}）{}",
            d.list_size,
            d.makeup_zh(),
            if d.in_range() { "" } else { "，超出范围" }
        ));
        if let Some(c) = &d.made_under {
            say(format!(
                "主席决定所依据：{}，入围范围 {}–{}，trim_min {}{}",
                c.method,
                c.shortlist_min,
                c.shortlist_max,
                c.trim_min,
                if d.context_differs() {
                    "（与本次方法不同）"
                } else {
                    ""
                }
            ));
        }
    }
    say(match &r.bootstrap {
        Some(b) => format!(
            "稳定性分析：对专家重抽样 B = {} 次，随机种子 {}，入围概率在 {}–{} 之间为临界",
            b.replicates, b.seed, b.borderline_low, b.borderline_high
        ),
        None => "稳定性分析：未进行".to_string(),
    });
    say(format!(
        "分歧标记：极差 ≥ {} 或 标准差 ≥ {}",
        c.spread_range_flag, c.spread_sd_flag
    ));
    doc.blocks.push(Block::Bullets(facts));
}

/// The list sent to the association, with the chair's decisions applied.
fn shortlist(doc: &mut Document, cx: &Cx) {
    let r = cx.r;
    let list: Vec<&Row> = final_list(r).collect();
    doc.heading(2, format!("入围名单（{} 项）", list.len()));
    let decided = r.rows.iter().any(|x| x.decision.is_some());
    if decided {
        doc.paragraph("已按主席决定调整（入选/不入选）。");
    }
    let mut cols = vec![Col::Rank, Col::Id, Col::Name, Col::Applicant, Col::Score];
    cols.extend(columns::fit(r));
    cols.extend([Col::N, Col::P]);
    if decided {
        cols.push(Col::Verdict);
    }
    // 序号 counts the list as printed: the rank repeats on ties, the count does not.
    let mut t = table(cx, &cols, list);
    t.columns.insert(
        0,
        doc::Column {
            head: "序号".into(),
            align: Align::Right,
        },
    );
    for (i, row) in t.rows.iter_mut().enumerate() {
        row.insert(0, (i + 1).to_string());
    }
    doc.table(t);
    if let Some(n) = groups(r) {
        doc.paragraph(format!(
            "注意：专家与项目的评分关系分为 {n} 个互不相连的组，calibrated 模型按组分别拟合，得分只能在同一组内比较（见“分组”列），不可跨组比较。"
        ));
    }
}

/// Why the cut is where it is, and the threshold map.
fn cut(doc: &mut Document, r: &Results) {
    doc.heading(2, "截线");
    doc.paragraph(cut_note_zh(r));
    doc.heading(3, "阈值表");
    let mut t = Table::new([
        ("阈值", Align::Left),
        ("入围项数", Align::Right),
        ("同分项数", Align::Right),
        ("在范围内", Align::Left),
    ]);
    t.rows = r
        .aggregation
        .shortlist
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
    doc.table(t);
}

/// Nominations whose place on the list the bootstrap finds uncertain.
fn borderline(doc: &mut Document, cx: &Cx) {
    let r = cx.r;
    doc.heading(2, "临界项目");
    let border: Vec<&Row> = r.borderline().collect();
    if r.bootstrap.is_none() {
        doc.paragraph("未进行稳定性分析。");
        return;
    }
    if border.is_empty() {
        doc.paragraph(NONE);
        return;
    }
    let cols = [
        Col::Rank,
        Col::Id,
        Col::Name,
        Col::Score,
        Col::P,
        Col::Interval,
    ];
    doc.table(table(cx, &cols, border));
}

/// Nominations the experts disagree on.
fn disputed(doc: &mut Document, cx: &Cx) {
    let r = cx.r;
    doc.heading(2, "专家分歧较大的项目");
    let spread: Vec<&Row> = r
        .rows
        .iter()
        .filter(|x| x.flags.contains(&Flag::Spread))
        .collect();
    if spread.is_empty() {
        doc.paragraph(NONE);
        return;
    }
    let cols = [Col::Rank, Col::Id, Col::Name, Col::N, Col::Sd, Col::Range];
    doc.table(table(cx, &cols, spread));
}

/// The panel's agreement from every score, then the older figures on the fully crossed subset.
fn agreement(doc: &mut Document, r: &Results) {
    doc.heading(2, "专家组一致性");
    all_scores(doc, r);
    let Some(s) = &r.aggregation.agreement.stats else {
        doc.paragraph(format!("{}。", no_agreement_zh(r)));
        return;
    };
    doc.paragraph(format!(
        "完全交叉子集（旧算法，只用这一子集的评分；保留它是为了 Kendall's W，W 需要完整的表）：{} 位专家 × {} 项（{}）。",
        s.n_experts,
        s.n_items,
        crossed_experts(r).join("、")
    ));
    let mut t = Table::new([
        ("指标", Align::Left),
        ("值", Align::Right),
        ("含义", Align::Left),
    ]);
    t.rows = agreement_lines(s, true)
        .iter()
        .map(|(n, v, w)| vec![n.to_string(), opt(*v, 3, "-"), w.to_string()])
        .collect();
    doc.table(t);
    let mut t = Table::new([
        ("评分项", Align::Left),
        ("ICC(2,1)", Align::Right),
        ("ICC(3,1)", Align::Right),
        ("Kendall's W", Align::Right),
    ]);
    t.rows = criteria_agreement(r)
        .into_iter()
        .map(|(label, s)| {
            let f = |v: Option<f64>| opt(v, 3, "-");
            vec![
                label.to_string(),
                f(s.and_then(|s| s.icc2_1)),
                f(s.and_then(|s| s.icc3_1)),
                f(s.and_then(|s| s.kendall_w)),
            ]
        })
        .collect();
    doc.paragraph("各评分项在同一交叉子集上的一致性：".to_string());
    doc.table(t);
    let a = &r.aggregation.agreement;
    doc.paragraph(format!(
        "各评分项的 Cronbach's α（{} 份完整评分）：{}（越接近 1，各评分项越像在度量同一件事）。",
        a.alpha_scores,
        opt(a.cronbach_alpha, 3, "-")
    ));
}

/// Agreement from every score: the design, the method, variance components, ICCs with intervals.
fn all_scores(doc: &mut Document, r: &Results) {
    let a = &r.aggregation.agreement.all_scores;
    let design = agree::design(a, Lang::Zh);
    let Some(parts) = agree::components(a, Lang::Zh) else {
        doc.paragraph(format!(
            "{}。",
            T::TabAllNone.fill(Lang::Zh, &[("design", &design)])
        ));
        return;
    };
    doc.paragraph(format!(
        "{}。",
        T::TabAllScores.fill(Lang::Zh, &[("design", &design)])
    ));
    doc.paragraph(format!("{}。{}。", agree::method(a, Lang::Zh), parts));
    let mut t = Table::new([
        ("指标", Align::Left),
        ("值 [95% 置信区间]", Align::Right),
        ("含义", Align::Left),
    ]);
    t.rows = agree::lines(a, true)
        .iter()
        .map(|(n, e, w)| vec![n.to_string(), agree::estimate(*e), w.to_string()])
        .collect();
    doc.table(t);
    let mut t = Table::new([
        ("评分项", Align::Left),
        ("ICC(A,1) [95% 置信区间]", Align::Right),
        ("ICC(C,1) [95% 置信区间]", Align::Right),
    ]);
    t.rows = agree::criteria(r)
        .into_iter()
        .map(|(label, c)| {
            vec![
                label.to_string(),
                agree::estimate(c.icc2_1),
                agree::estimate(c.icc3_1),
            ]
        })
        .collect();
    doc.paragraph(T::TabAllCriteria.get(Lang::Zh).to_string());
    doc.table(t);
}

/// Per-expert statistics, the leniency note and who zscore left out.
fn experts(doc: &mut Document, cx: &Cx) {
    let r = cx.r;
    doc.heading(2, "专家统计");
    doc.table(table(cx, &ExpertCol::FIGURES, r.experts.iter()));
    doc.paragraph(format!("{}。", bias_note_zh(r)));
    let left: Vec<String> = r
        .experts
        .iter()
        .filter_map(|e| left_out_zh(r, &e.id).map(|why| format!("{}：{}", e.id, why)))
        .collect();
    if !left.is_empty() {
        doc.paragraph("zscore 未计入的专家：");
        doc.bullets(left);
    }
}

/// Conflicts of interest found from the panel file.
fn conflicts(doc: &mut Document, r: &Results) {
    doc.heading(2, "利益冲突排除");
    doc.paragraph(
        "依专家组名单查出、专家本人未声明回避的利益冲突；这些评分不计入（与专家声明的回避分开统计）。",
    );
    let (names, experts) = name_maps(r);
    let mut rows: Vec<Vec<String>> = r
        .matrix
        .iter()
        .filter(|c| c.conflict)
        .map(|c| {
            let name = |m: &std::collections::BTreeMap<&str, &str>, id: &str| {
                m.get(id).copied().unwrap_or("").to_string()
            };
            vec![
                c.item.clone(),
                name(&names, &c.item),
                c.expert.clone(),
                name(&experts, &c.expert),
            ]
        })
        .collect();
    rows.sort();
    if rows.is_empty() {
        doc.paragraph(NONE);
        return;
    }
    let mut t = Table::new([
        ("编号", Align::Left),
        ("技术名称", Align::Left),
        ("专家", Align::Left),
        ("姓名", Align::Left),
    ]);
    t.rows = rows;
    doc.table(t);
}

/// A table of `rows` under `cols`.
fn table<'a, C: Column>(
    cx: &Cx<'a>,
    cols: &[C],
    rows: impl IntoIterator<Item = &'a C::Row>,
) -> Table {
    let mut t = Table::new(cols.iter().map(|c| (c.head(cx, REPORT), c.align())));
    t.rows = rows
        .into_iter()
        .map(|row| cx.texts(cols, row, REPORT))
        .collect();
    t
}

/// The chair's decisions, oldest first (nothing when none was recorded).
fn decision_log(doc: &mut Document, r: &Results) {
    if r.decisions.is_empty() {
        return;
    }
    doc.heading(2, "主席决定记录");
    let mut t = Table::new([
        ("序号", Align::Left),
        ("时间", Align::Left),
        ("主席", Align::Left),
        ("决定", Align::Left),
    ]);
    t.rows = r
        .decisions
        .iter()
        .map(|d| {
            vec![
                d.seq.to_string(),
                local_time(&d.at),
                d.chair.clone(),
                crate::domain::decisions::describe_decision(
                    &d.decision,
                    crate::text::i18n::Lang::Zh,
                ),
            ]
        })
        .collect();
    doc.table(t);
}
