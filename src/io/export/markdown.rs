//! Markdown: the report a panel chair can paste.

use std::fmt::Write as _;

use super::{
    agreement_lines, bias_note_zh, crossed_experts, cut_note_zh, decision_zh, final_list,
    fit_cells, fixed, groups, interval, k_outside, left_out_zh, method_zh, name_maps, opt,
    warnings_zh, yes_no,
};
use crate::domain::profile::Profile;
use crate::domain::results::{Flag, Results, Row};
use crate::engine::Method;

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
    fn markdown_cells_are_escaped() {
        assert_eq!(md("a|b\\c\r\nd\ne"), "a\\|b\\\\c d e");
    }
}
