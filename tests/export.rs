//! Output formats: terminal tables, CSV, JSON, XLSX and Markdown over one hand-made panel.
//!
//! The panel: 34 nominations, 5 experts. Expert e adds d_e = −2, −1, 0, +1, +2 to the first
//! criterion (可行性) of every item, so under `trimmed` an item's score is 100·S/60 where S is
//! its middle expert's criterion sum. Items EI-001…EI-026 have S = 58…33; EI-027 is disputed
//! (experts' sums 24, 27, 31, 35, 38 → trimmed 31); EI-028…EI-031 tie at S = 30; EI-032 has
//! S = 28; EI-033 is scored 12, 12, 12, 12, 48 (a spread of 60 points); nobody scores EI-034.
//! EI-002 loses expert 5 (recused), EI-004 loses expert 4 (incomplete), so both are plain means
//! of 4 experts. The K rule on [25, 30] cannot cut inside the tie at positions 28–31: K = 27.

use calamine::{Data, Reader, Xlsx, open_workbook};
use revdesk::domain::batch::{Batch, BatchMeta, Item, ProjectType};
use revdesk::domain::profile::Profile;
use revdesk::domain::results::{Flag, Options, Results};
use revdesk::engine::Method;
use revdesk::io::export::{
    self, ExportError, export_csv, export_json, export_markdown, export_xlsx, rank_csv, rank_json,
    rank_table, stats_json, stats_table,
};
use revdesk::io::sheet::{Confidence, Expert, Sheet, SheetItem};
use revdesk::text::wrap::width;
use std::path::PathBuf;

const N_ITEMS: usize = 34;
const K: usize = 27;
const DELTAS: [f64; 5] = [-2.0, -1.0, 0.0, 1.0, 2.0];
const KEYS: [&str; 6] = [
    "feasibility",
    "novelty",
    "originality",
    "irreplaceability",
    "maturity",
    "market",
];
const CSV_HEADER: &str = "rank,id,name,score,n,feasibility,novelty,originality,irreplaceability,maturity,market,sd,p_shortlist,shortlisted,flags,decision,decision_reason";

fn id(j: usize) -> String {
    format!("EI-{:03}", j + 1)
}

fn name(j: usize) -> String {
    match j {
        0 => "基于深度学习的工业互联网安全态势感知与协同防御平台".into(),
        1 => "=HYPERLINK(\"http://evil.example\",\"点我\")".into(),
        2 => "-1".into(),
        3 => "Mixed 中文 name | pipe".into(),
        4 => "量子\"密钥\", 分发".into(),
        26 => "争议技术".into(),
        j if j % 2 == 0 => format!("技术 {j}"),
        j => format!("Tech {j}"),
    }
}

fn item(j: usize) -> Item {
    Item {
        id: id(j),
        name: name(j),
        domain: "electronic-information".into(),
        industry: vec!["3971".into()],
        project_type: ProjectType::Development,
        trl: 7,
        applicant: format!("申报单位 {j}"),
        recommender: "中国电子学会".into(),
        contact: "联系人".into(),
        phone: "13800000000".into(),
        address: "北京市海淀区".into(),
        email: "x@example.org".into(),
        team: "团队".into(),
        ip: String::new(),
        awards: String::new(),
        level: "水平".into(),
        benefits: "效益".into(),
        level_detail: String::new(),
        benefits_detail: String::new(),
        preliminary_rank: None,
        preliminary_score: None,
        line: j + 2,
    }
}

fn batch() -> Batch {
    Batch::new(
        PathBuf::from("ei.json"),
        BatchMeta {
            title: "电子信息领域初评".into(),
            ..BatchMeta::default()
        },
        Some("electronic-information".into()),
        (0..N_ITEMS).map(item).collect(),
    )
}

/// Six criterion scores summing to `s`, the first being `first`, the rest spread evenly.
fn crits(s: i32, first: i32) -> [f64; 6] {
    let rest = s - first;
    let (base, extra) = (rest / 5, rest % 5);
    let mut out = [f64::from(first); 6];
    for (c, v) in out.iter_mut().skip(1).enumerate() {
        *v = f64::from(base + i32::from((c as i32) < extra));
    }
    out
}

/// The criterion sum of item `j` before the expert's shift (None: not a plain item).
fn base_sum(j: usize) -> Option<i32> {
    match j {
        0..=25 => Some(58 - j as i32),
        27..=30 => Some(30),
        31 => Some(28),
        _ => None,
    }
}

fn scores_of(j: usize, e: usize) -> Option<[f64; 6]> {
    match j {
        26 => Some(crits([24, 27, 31, 35, 38][e], 6)),
        32 => Some(if e == 4 { [8.0; 6] } else { [2.0; 6] }),
        33 => None,
        _ => {
            let mut c = crits(base_sum(j)?, 8);
            c[0] += DELTAS[e];
            Some(c)
        }
    }
}

const EXPERTS: [(&str, &str); 5] = [
    ("wang", "王五"),
    ("li", "李四"),
    ("chen", "陈六"),
    ("zhao", "Zhao Min"),
    ("ouyang", "欧阳娜娜"),
];

fn sheets(b: &Batch, p: &Profile, n_experts: usize) -> Vec<Sheet> {
    let at: jiff::Timestamp = "2020-09-01T08:00:00Z".parse().expect("timestamp");
    (0..n_experts)
        .map(|e| {
            let mut items = Vec::new();
            for j in 0..N_ITEMS {
                let mut it = SheetItem::new(id(j));
                if e == 4 && j == 1 {
                    it.recused = true;
                    it.recusal_reason = "本人参与该项目".into();
                } else if e == 3 && j == 3 {
                    it.scores.insert(KEYS[0].into(), 8.0);
                } else if let Some(s) = scores_of(j, e) {
                    for (k, v) in KEYS.iter().zip(s) {
                        it.scores.insert((*k).into(), v);
                    }
                } else {
                    continue;
                }
                if e == 2 && j == 32 {
                    it.flagged = true;
                    it.confidence = Confidence::Low;
                    it.comment = "=cmd| 评分差异大\n需讨论".into();
                }
                items.push(it);
            }
            let (eid, ename) = EXPERTS[e];
            Sheet::new(
                b,
                p,
                Expert {
                    id: eid.into(),
                    name: ename.into(),
                },
                1,
                at,
                items,
            )
        })
        .collect()
}

fn options(p: &Profile) -> Options {
    Options {
        replicates: 400,
        seed: 7,
        ..Options::for_profile(p, false)
    }
}

fn results_with(method: Method, n_experts: usize) -> Results {
    let (b, p) = (batch(), Profile::kczg_2020());
    let opts = Options {
        method,
        ..options(&p)
    };
    revdesk::round::build::build(&b, &p, &sheets(&b, &p, n_experts), &[], &opts).expect("build")
}

fn results() -> Results {
    results_with(Method::Trimmed, 5)
}

/// Population sd.
fn sd(xs: &[f64]) -> f64 {
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64).sqrt()
}

fn parse_csv(bytes: &[u8]) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut rd = csv::Reader::from_reader(bytes);
    let header = rd.headers().expect("header").clone();
    let rows = rd.records().map(|r| r.expect("record")).collect();
    (header, rows)
}

fn field<'a>(header: &csv::StringRecord, row: &'a csv::StringRecord, name: &str) -> &'a str {
    let i = header.iter().position(|h| h == name).expect("column");
    row.get(i).expect("cell")
}

#[test]
fn panel_is_as_designed() {
    let r = results();
    assert_eq!(r.k, K);
    assert_eq!(r.rows.len(), N_ITEMS);
    assert_eq!(r.shortlist().count(), K);
    assert_eq!(r.rows[K - 1].id, "EI-027");
    assert!(r.rows[K..K + 4].iter().all(|x| x.score == r.rows[K].score));
}

#[test]
fn batch_row_order_changes_nothing() {
    // The batch hash ignores row order, so the results must too: ties are listed by id and the
    // bootstrap draws by id order. On 28–30 every K splits the four-way tie at 28–31, so the
    // tie order decides which three of the four make the list.
    let p = Profile::kczg_2020();
    let b = batch();
    let mut items = b.items.clone();
    items.reverse();
    let rev = Batch::new(
        PathBuf::from("reversed.json"),
        b.meta.clone(),
        b.domain.clone(),
        items,
    );
    assert_eq!(rev.hash, b.hash);
    let opts = Options {
        shortlist: (28, 30),
        ..options(&p)
    };
    let a = revdesk::round::build::build(&b, &p, &sheets(&b, &p, 5), &[], &opts).expect("build");
    let mut reversed_sheets = sheets(&rev, &p, 5);
    reversed_sheets.reverse();
    let z = revdesk::round::build::build(&rev, &p, &reversed_sheets, &[], &opts).expect("build");
    assert_eq!(a.k, 30);
    let csv = |r: &Results| String::from_utf8(rank_csv(r, false)).expect("utf-8");
    assert_eq!(csv(&a), csv(&z));
    assert_eq!(export_json(&a), export_json(&z));
    let tied: Vec<(&str, bool)> = a
        .rows
        .iter()
        .filter(|r| r.flags.contains(&Flag::TieAtCut))
        .map(|r| (r.id.as_str(), r.shortlisted))
        .collect();
    assert_eq!(
        tied,
        [
            ("EI-028", true),
            ("EI-029", true),
            ("EI-030", true),
            ("EI-031", false)
        ]
    );
}

#[test]
fn n_counts_the_experts_the_method_uses() {
    // A sixth expert scores only EI-001: zscore cannot standardise one item and leaves them
    // out, so EI-001 has 5 counting experts under zscore and 6 under every other method.
    let (b, p) = (batch(), Profile::kczg_2020());
    let at: jiff::Timestamp = "2020-09-01T08:00:00Z".parse().expect("timestamp");
    let mut all = sheets(&b, &p, 5);
    let mut solo = SheetItem::new(id(0));
    for k in KEYS {
        solo.scores.insert(k.into(), 5.0);
    }
    let expert = Expert {
        id: "solo".into(),
        name: "单项专家".into(),
    };
    all.push(Sheet::new(&b, &p, expert, 1, at, vec![solo]));
    for method in Method::ALL {
        let opts = Options {
            method,
            replicates: 0,
            ..options(&p)
        };
        let r = revdesk::round::build::build(&b, &p, &all, &[], &opts).expect("build");
        let want = if method == Method::Zscore { 5 } else { 6 };
        for row in &r.rows {
            let engine = r.aggregation.items.iter().find(|i| i.id == row.id);
            assert_eq!(Some(row.n), engine.map(|i| i.n), "{method} {}", row.id);
        }
        let (header, rows) = parse_csv(&rank_csv(&r, false));
        let first = rows
            .iter()
            .find(|x| field(&header, x, "id") == "EI-001")
            .expect("EI-001");
        assert_eq!(field(&header, first, "n"), want.to_string(), "{method}");
        let v: serde_json::Value = serde_json::from_str(&rank_json(&r)).expect("json");
        let row = v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|x| x["id"] == "EI-001")
            .expect("EI-001");
        assert_eq!(row["n"], want, "{method}");
        let v: serde_json::Value = serde_json::from_str(&stats_json(&r)).expect("json");
        let item = v["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|x| x["id"] == "EI-001")
            .expect("EI-001");
        assert_eq!(item["n"], want, "{method}");
        let bytes = export::xlsx_bytes(&r, &p).expect("workbook");
        let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
        let full = wb.worksheet_range("完整排名").expect("完整排名");
        let row = full
            .rows()
            .find(|x| cell_str(&x[1]) == "EI-001")
            .expect("EI-001");
        assert_eq!(cell_str(&row[5]), want.to_string(), "{method}");
    }
}

/// The usual panel split in two: wang and li score EI-001…EI-017, the other three the rest,
/// so the expert–item graph has two separate groups.
fn split_results() -> Results {
    let (b, p) = (batch(), Profile::kczg_2020());
    let mut all = sheets(&b, &p, 5);
    for s in &mut all {
        let first = matches!(s.expert.id.as_str(), "wang" | "li");
        s.items.retain(|it| (it.id.as_str() <= "EI-017") == first);
    }
    let opts = Options {
        method: Method::Calibrated,
        ..options(&p)
    };
    revdesk::round::build::build(&b, &p, &all, &[], &opts).expect("build")
}

fn xlsx_cells(r: &Results, sheet: &str) -> Vec<Vec<String>> {
    let bytes = export::xlsx_bytes(r, &Profile::kczg_2020()).expect("workbook");
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
    let range = wb.worksheet_range(sheet).expect("sheet");
    range
        .rows()
        .map(|row| row.iter().map(cell_str).collect())
        .collect()
}

#[test]
fn calibrated_outputs_show_standard_errors_groups_and_leniency() {
    let p = Profile::kczg_2020();
    // Connected: a standard error for every scored nomination, no groups.
    let r = results_with(Method::Calibrated, 5);
    let (header, rows) = parse_csv(&rank_csv(&r, false));
    assert_eq!(
        header.iter().rev().take(2).collect::<Vec<_>>(),
        ["component", "se"]
    );
    for x in &rows {
        let scored = !field(&header, x, "score").is_empty();
        let se = field(&header, x, "se");
        assert_eq!(
            scored,
            se.split_once('.').is_some_and(|(_, d)| d.len() == 4)
        );
        assert_eq!(field(&header, x, "component"), "");
        assert!(!field(&header, x, "flags").contains("not-comparable"));
    }
    let text = rank_table(&r);
    assert!(
        text.lines()
            .any(|l| l.starts_with("rank  id ") && l.contains(" se "))
    );
    assert!(!text.contains("grp"));
    assert!(text.contains("leniency b_e (t = v + b, sum of b = 0"));
    for e in &r.experts {
        let b = e.bias.expect("bias");
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("  {} ", e.id)))
            .expect("leniency line");
        assert!(line.ends_with(&format!("{b:+.2}")), "{line}");
    }
    let md = export_markdown(&r, &p);
    assert!(
        md.contains("| 排名 | 编号 | 技术名称 | 申报单位 | 得分 | 标准误 | 专家数 | 入围概率 |")
    );
    assert!(md.contains("宽严偏差 b 来自 calibrated 模型"));
    let full = xlsx_cells(&r, "完整排名");
    assert!(full[0].contains(&"标准误".to_string()));
    assert!(!full[0].contains(&"分组".to_string()));

    // Disconnected: each nomination's group, marked not comparable across groups.
    let r = split_results();
    let cal = r.aggregation.calibration.as_ref().expect("calibrated");
    assert_eq!(cal.n_components, 2);
    let (header, rows) = parse_csv(&rank_csv(&r, false));
    let row = |id: &str| {
        rows.iter()
            .find(|x| field(&header, x, "id") == id)
            .expect("row")
    };
    assert_eq!(field(&header, row("EI-001"), "component"), "1");
    assert_eq!(field(&header, row("EI-020"), "component"), "2");
    assert!(
        field(&header, row("EI-020"), "flags")
            .split(';')
            .any(|f| f == "not-comparable")
    );
    assert_eq!(field(&header, row("EI-034"), "component"), "", "unscored");
    let text = rank_table(&r);
    assert!(
        text.lines()
            .any(|l| l.starts_with("rank  id ") && l.contains(" grp "))
    );
    assert!(text.contains("within each of the 2 groups"));
    let md = export_markdown(&r, &p);
    assert!(md.contains("| 得分 | 标准误 | 分组 | 专家数 |"));
    assert!(md.contains("不可跨组比较"));
    assert!(md.contains("分为 2 个互不相连的组"));
    let full = xlsx_cells(&r, "完整排名");
    let g = full[0].iter().position(|h| h == "分组").expect("分组");
    let first = full.iter().find(|x| x[1] == "EI-001").expect("EI-001");
    assert_eq!(first[g], "1");
    assert!(first.iter().any(|c| c.contains("不可跨组比较")));
    let panel = xlsx_cells(&r, "专家组统计");
    let b = panel[0]
        .iter()
        .position(|h| h == "宽严偏差")
        .expect("宽严偏差");
    assert!(panel[1..6].iter().all(|x| x[b].parse::<f64>().is_ok()));
}

#[test]
fn experts_get_their_calibrated_leniency_under_every_method() {
    let cal: Vec<Option<f64>> = results_with(Method::Calibrated, 5)
        .experts
        .iter()
        .map(|e| e.bias)
        .collect();
    assert!(cal.iter().all(Option::is_some));
    for method in [
        Method::Mean,
        Method::Trimmed,
        Method::Median,
        Method::Zscore,
    ] {
        let r = results_with(method, 5);
        let bias: Vec<Option<f64>> = r.experts.iter().map(|e| e.bias).collect();
        assert_eq!(bias, cal, "{method}");
        let v: serde_json::Value = serde_json::from_str(&stats_json(&r)).expect("json");
        assert!(v["experts"][0]["bias"].is_number(), "{method}");
        assert!(stats_table(&r).contains("bias: leniency b_e from the calibrated fit"));
        let md = export_markdown(&r, &Profile::kczg_2020());
        assert!(!md.contains("仅在 calibrated 方法下估计"));
    }
}

#[test]
fn conflicts_of_interest_are_counted_apart_from_recusals() {
    // ouyang recused from EI-002 himself; the panel file finds undeclared conflicts for wang
    // and li on EI-005, and for wang on EI-006.
    let (b, p) = (batch(), Profile::kczg_2020());
    let excluded = [("wang", "EI-005"), ("li", "EI-005"), ("wang", "EI-006")]
        .map(|(e, i)| (e.to_string(), i.to_string()));
    let r = revdesk::round::build::build(&b, &p, &sheets(&b, &p, 5), &excluded, &options(&p))
        .expect("build");
    let row = |id: &str| r.rows.iter().find(|x| x.id == id).expect("row");
    assert_eq!((row("EI-005").n, row("EI-005").n_recused), (3, 0));
    assert_eq!(row("EI-005").n_conflict, 2);
    assert_eq!((row("EI-002").n_recused, row("EI-002").n_conflict), (1, 0));
    let expert = |id: &str| r.experts.iter().find(|x| x.id == id).expect("expert");
    assert_eq!((expert("wang").recused, expert("wang").conflicts), (0, 2));
    assert_eq!(
        (expert("ouyang").recused, expert("ouyang").conflicts),
        (1, 0)
    );

    let v: serde_json::Value = serde_json::from_str(&stats_json(&r)).expect("json");
    let item = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|x| x["id"] == "EI-005")
        .expect("EI-005");
    assert_eq!(
        (item["recused"].clone(), item["conflicts"].clone()),
        (0.into(), 2.into())
    );
    let wang = v["experts"]
        .as_array()
        .expect("experts")
        .iter()
        .find(|x| x["id"] == "wang")
        .expect("wang");
    assert_eq!(
        (wang["recused"].clone(), wang["conflicts"].clone()),
        (0.into(), 2.into())
    );

    let text = stats_table(&r);
    assert!(text.contains("recused  conflict  incomplete"), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("wang "))
        .expect("wang line");
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&cells[2..5], ["31", "0", "2"], "{line}");

    let panel = xlsx_cells(&r, "专家组统计");
    let col = |h: &str| panel[0].iter().position(|x| x == h).expect("column");
    let wang = panel.iter().find(|x| x[0] == "wang").expect("wang");
    assert_eq!(
        (
            wang[col("回避")].as_str(),
            wang[col("利益冲突排除")].as_str()
        ),
        ("0", "2")
    );
    let full = xlsx_cells(&r, "完整排名");
    let col = |h: &str| full[0].iter().position(|x| x == h).expect("column");
    let five = full.iter().find(|x| x[1] == "EI-005").expect("EI-005");
    assert_eq!(
        (
            five[col("回避人数")].as_str(),
            five[col("利益冲突排除人数")].as_str()
        ),
        ("0", "2")
    );

    let md = export_markdown(&r, &p);
    assert!(md.contains("| 专家 | 姓名 | 已评 | 回避 | 利益冲突排除 | 未评完 |"));
    assert!(md.contains("| wang | 王五 | 31 | 0 | 2 | 0 |"), "{md}");
    assert!(
        md.contains("| EI-005 | 量子\"密钥\", 分发 | li | 李四 |"),
        "{md}"
    );
    assert!(md.contains("| EI-006 | Tech 5 | wang | 王五 |"), "{md}");
}

#[test]
fn left_out_experts_are_explained_in_plain_words() {
    // A sixth expert scores only EI-001: zscore leaves them out.
    let (b, p) = (batch(), Profile::kczg_2020());
    let at: jiff::Timestamp = "2020-09-01T08:00:00Z".parse().expect("timestamp");
    let mut all = sheets(&b, &p, 5);
    let mut solo = SheetItem::new(id(0));
    for k in KEYS {
        solo.scores.insert(k.into(), 5.0);
    }
    let expert = Expert {
        id: "solo".into(),
        name: "单项专家".into(),
    };
    all.push(Sheet::new(&b, &p, expert, 1, at, vec![solo]));
    let opts = Options {
        method: Method::Zscore,
        ..options(&p)
    };
    let r = revdesk::round::build::build(&b, &p, &all, &[], &opts).expect("build");
    let solo = r.experts.iter().find(|e| e.id == "solo").expect("solo");
    assert_eq!(
        solo.left_out.as_deref(),
        Some("scored 1 nomination(s); zscore needs at least 2 to standardise")
    );
    for text in [rank_json(&r), stats_json(&r), stats_table(&r)] {
        assert!(!text.contains("TooFewItems"), "Debug text leaked");
    }
    let panel = xlsx_cells(&r, "专家组统计");
    let col = panel[0]
        .iter()
        .position(|h| h == "未计入原因")
        .expect("column");
    let row = panel.iter().find(|x| x[0] == "solo").expect("solo");
    assert_eq!(row[col], "仅评 1 项，zscore 至少需要 2 项才能标准化");
    let md = export_markdown(&r, &p);
    assert!(md.contains("- solo：仅评 1 项，zscore 至少需要 2 项才能标准化"));
    assert!(md.contains("- zscore 方法未计入专家 solo（评分少于 2 项或总分无差异）"));
}

#[test]
fn csv_header_values_and_bom() {
    let r = results();
    let plain = rank_csv(&r, false);
    assert!(!plain.starts_with(export::UTF8_BOM));
    let text = String::from_utf8(plain.clone()).expect("utf-8");
    assert_eq!(text.lines().next(), Some(CSV_HEADER));
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends");

    let bom = rank_csv(&r, true);
    assert!(bom.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(&bom[3..], &plain[..]);
    assert_eq!(export_csv(&r), bom);

    let (header, rows) = parse_csv(&plain);
    assert_eq!(rows.len(), N_ITEMS);
    let row = rows
        .iter()
        .find(|x| field(&header, x, "id") == "EI-002")
        .expect("EI-002");
    // Four experts (the fifth recused): plain mean, no trimming below 5.
    let sums: Vec<f64> = DELTAS[..4].iter().map(|d| 57.0 + d).collect();
    let totals: Vec<f64> = sums.iter().map(|s| s * 100.0 / 60.0).collect();
    let score = totals.iter().sum::<f64>() / 4.0;
    assert_eq!(field(&header, row, "rank"), "2");
    assert_eq!(field(&header, row, "score"), format!("{score:.4}"));
    assert_eq!(field(&header, row, "score"), "94.1667");
    assert_eq!(field(&header, row, "n"), "4");
    // 可行性: 8 + mean(−2, −1, 0, +1); the other 49 points spread as 10, 10, 10, 10, 9.
    let means = [
        "7.5000", "10.0000", "10.0000", "10.0000", "10.0000", "9.0000",
    ];
    for (k, m) in KEYS.iter().zip(means) {
        assert_eq!(field(&header, row, k), m, "{k}");
    }
    assert_eq!(field(&header, row, "sd"), format!("{:.4}", sd(&totals)));
    assert_eq!(field(&header, row, "shortlisted"), "yes");

    // Every present score and mean has exactly four decimals.
    for x in &rows {
        for col in ["score", "sd"].iter().chain(KEYS.iter()) {
            let v = field(&header, x, col);
            if !v.is_empty() {
                let (_, frac) = v.split_once('.').expect("decimal point");
                assert_eq!(frac.len(), 4, "{col} = {v}");
            }
        }
    }

    let unscored = rows
        .iter()
        .find(|x| field(&header, x, "id") == "EI-034")
        .expect("EI-034");
    for col in ["rank", "score", "sd", "feasibility"] {
        assert_eq!(field(&header, unscored, col), "", "{col}");
    }
    // Never on a resampled list, so its probability is 0, not missing.
    assert_eq!(field(&header, unscored, "p_shortlist"), "0.0000");
    assert_eq!(field(&header, unscored, "shortlisted"), "no");
    assert_eq!(field(&header, unscored, "flags"), "unscored");
    let spread = rows
        .iter()
        .find(|x| field(&header, x, "id") == "EI-033")
        .expect("EI-033");
    assert!(
        field(&header, spread, "flags")
            .split(';')
            .any(|f| f == "spread")
    );
    // EI-002 and EI-004 have 4 experts (< trim_min 5), so `trimmed` is the plain mean for the
    // whole panel: EI-033's five totals average 32 (criteria means 3.2 × 10), where trimming
    // it alone gave 20.
    assert_eq!(field(&header, spread, "score"), "32.0000");
}

#[test]
fn csv_escapes_formulas_in_text_but_not_numbers() {
    let mut r = results_with(Method::Zscore, 5);
    r.rows[0].decision = Some("include".into());
    r.rows[0].decision_reason = Some("+ 主席：保留".into());
    let bytes = rank_csv(&r, false);
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    // RFC 4180: the quotes inside the name are doubled and the field quoted.
    assert!(text.contains(r#""'=HYPERLINK(""http://evil.example"",""点我"")""#));
    let (header, rows) = parse_csv(&bytes);
    let name_of = |id: &str| {
        let row = rows
            .iter()
            .find(|x| field(&header, x, "id") == id)
            .expect("row");
        field(&header, row, "name").to_string()
    };
    assert_eq!(
        name_of("EI-002"),
        "'=HYPERLINK(\"http://evil.example\",\"点我\")"
    );
    assert_eq!(name_of("EI-003"), "'-1");
    assert_eq!(name_of("EI-005"), "量子\"密钥\", 分发");
    assert_eq!(field(&header, &rows[0], "decision"), "include");
    assert_eq!(field(&header, &rows[0], "decision_reason"), "'+ 主席：保留");
    // zscore scores go negative: numeric cells keep their minus sign, unquoted.
    let negative: Vec<&str> = rows
        .iter()
        .map(|x| field(&header, x, "score"))
        .filter(|s| s.starts_with('-'))
        .collect();
    assert!(!negative.is_empty());
    assert!(
        rows.iter()
            .all(|x| !field(&header, x, "score").starts_with('\''))
    );
}

#[test]
fn json_is_complete_and_deterministic() {
    let r = results();
    let text = rank_json(&r);
    assert!(text.starts_with("{\n  \"format\": \"revdesk-results/1\",\n"));
    assert!(text.ends_with("}\n"));
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["format"], "revdesk-results/1");
    assert_eq!(v["k"], K);
    assert_eq!(v["method"], "trimmed");
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(N_ITEMS));
    assert_eq!(v["rows"][1]["id"], "EI-002");
    assert!(v["aggregation"]["shortlist"]["thresholds"].is_array());
    assert_eq!(v["stability"]["replicates"], 400);
    assert!(v["warnings"].is_array());
    assert_eq!(v["config"]["shortlist_min"], 25);
    // export keeps the contact details (the final review's merge needs them), rank leaves them
    // out; rank adds trimmed's rule to each row (one rule per panel: here the plain mean, as
    // EI-002 and EI-004 have 4 experts); nothing else differs.
    let mut v = v;
    for row in v["rows"].as_array_mut().expect("rows") {
        let row = row.as_object_mut().expect("row");
        assert_eq!(row.remove("rule"), Some(serde_json::json!("mean")));
    }
    let mut full: serde_json::Value = serde_json::from_str(&export_json(&r)).expect("json");
    let contacts = ["contact", "phone", "address", "email"];
    for n in full["nominations"].as_array_mut().expect("nominations") {
        let n = n.as_object_mut().expect("nomination");
        for k in contacts {
            assert!(n.remove(k).is_some(), "export has {k}");
        }
    }
    assert_eq!(v, full);
    assert!(!v["nominations"].as_array().expect("nominations").is_empty());
    assert!(
        !text.contains("13800000000"),
        "a phone number in rank's JSON"
    );
    // A second build from the same inputs (bootstrap included) gives the same bytes.
    assert_eq!(rank_json(&results()), text);

    let cal = results_with(Method::Calibrated, 5);
    let v: serde_json::Value = serde_json::from_str(&rank_json(&cal)).expect("valid JSON");
    assert!(
        v["experts"][0]["bias"].is_number(),
        "biases under calibrated"
    );
}

#[test]
fn stats_json_has_exact_agreement_keys() {
    let r = results();
    let v: serde_json::Value = serde_json::from_str(&stats_json(&r)).expect("valid JSON");
    let keys: Vec<&str> = v["agreement"]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "icc1_1",
        "icc2_1",
        "icc3_1",
        "icc1_k",
        "icc2_k",
        "icc3_k",
        "kendall_w",
        "n_items",
        "n_experts",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
    // Experts 1–3 scored 33 items, 4 and 5 scored 32 with one each missing: 5 × 31 crossed.
    assert_eq!(v["agreement"]["n_experts"], 5);
    assert_eq!(v["agreement"]["n_items"], 31);
    assert!(v["agreement"]["icc2_1"].is_number());
    assert_eq!(v["experts"].as_array().map(Vec::len), Some(5));
    // Experts are listed by id: chen, li, ouyang, wang, zhao.
    assert_eq!(v["experts"][2]["id"], "ouyang");
    assert_eq!(v["experts"][2]["recused"], 1);
    assert_eq!(v["experts"][4]["id"], "zhao");
    assert_eq!(v["experts"][4]["incomplete"], 1);
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), N_ITEMS);
    let spread = items.iter().find(|x| x["id"] == "EI-033").expect("EI-033");
    assert_eq!(spread["spread"], true);
    assert_eq!(spread["range"], 60.0);
    assert_eq!(stats_json(&r), stats_json(&results()));

    let lone = results_with(Method::Mean, 1);
    let v: serde_json::Value = serde_json::from_str(&stats_json(&lone)).expect("valid JSON");
    assert!(v["agreement"]["icc1_1"].is_null());
    assert!(v["agreement"]["kendall_w"].is_null());
    assert!(stats_table(&lone).contains("not enough fully crossed data"));
}

fn cell_str(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[test]
fn xlsx_sheets_headers_values_and_reproducible_bytes() {
    let r = results();
    let p = Profile::kczg_2020();
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    export_xlsx(&r, &p, &a).expect("export a");
    export_xlsx(&results(), &p, &b).expect("export b");
    let bytes = std::fs::read(&a).expect("read a");
    assert_eq!(bytes, std::fs::read(&b).expect("read b"), "byte-identical");
    assert_eq!(export::xlsx_bytes(&r, &p).expect("bytes"), bytes);

    let mut wb: Xlsx<_> = open_workbook(&a).expect("open");
    assert_eq!(
        wb.sheet_names(),
        [
            "入围名单",
            "完整排名",
            "评分矩阵",
            "专家组统计",
            "方法与参数",
            "主席决定记录"
        ]
    );

    let list = wb.worksheet_range("入围名单").expect("入围名单");
    // Row 1 is the title, row 2 the header (both repeated on every printed page).
    let header: Vec<String> = list
        .rows()
        .nth(1)
        .expect("header")
        .iter()
        .map(cell_str)
        .collect();
    assert_eq!(
        header,
        [
            "序号",
            "排名",
            "编号",
            "技术名称",
            "申报单位",
            "推荐单位",
            "重点服务行业",
            "技术就绪水平",
            "得分",
            "评审专家数",
            "主席决定",
            "决定理由"
        ]
    );
    // Title, header, the list, then a signature line every other row for the chair and the
    // five experts.
    assert_eq!(list.height(), 2 + K + 2 * 6);
    let second: Vec<&Data> = list.rows().nth(3).expect("row 3").iter().collect();
    assert_eq!(second[0], &Data::Float(2.0), "序号");
    assert_eq!(second[2], &Data::String("EI-002".into()));
    // Names are plain strings in XLSX: no formula is ever written.
    assert_eq!(
        second[3],
        &Data::String("=HYPERLINK(\"http://evil.example\",\"点我\")".into())
    );
    assert_eq!(second[6], &Data::String("C3971 电子真空器件制造".into()));
    match second[8] {
        Data::Float(f) => assert!((f - 565.0 / 6.0).abs() < 1e-9, "score {f}"),
        other => panic!("score is not a number: {other:?}"),
    }

    let full = wb.worksheet_range("完整排名").expect("完整排名");
    assert_eq!(full.height(), N_ITEMS + 1);
    let head: Vec<String> = full
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(cell_str)
        .collect();
    assert_eq!(
        &head[..12],
        [
            "排名",
            "编号",
            "技术名称",
            "申报单位",
            "得分",
            "评审专家数",
            "可行性",
            "先进性",
            "原创性",
            "不可替代性",
            "技术成熟度",
            "市场前景"
        ]
    );
    assert!(head.contains(&"入围概率".to_string()));
    assert!(head.contains(&"排名90%区间".to_string()));
    let last: Vec<String> = full
        .rows()
        .next_back()
        .expect("last")
        .iter()
        .map(cell_str)
        .collect();
    assert_eq!(last[1], "EI-034");
    assert_eq!(last[0], "", "unscored: no rank");
    assert!(last.contains(&"否".to_string()));
    assert!(last.contains(&"无人评分".to_string()));

    let matrix = wb.worksheet_range("评分矩阵").expect("评分矩阵");
    assert_eq!(matrix.height(), r.matrix.len() + 1);
    let cells: Vec<String> = matrix.rows().flatten().map(cell_str).collect();
    assert!(cells.contains(&"本人参与该项目".to_string()));
    assert!(cells.contains(&"=cmd| 评分差异大\n需讨论".to_string()));

    let panel = wb.worksheet_range("专家组统计").expect("专家组统计");
    let cells: Vec<String> = panel.rows().flatten().map(cell_str).collect();
    for want in [
        "专家编号",
        "欧阳娜娜",
        "ICC(1,1)",
        "ICC(3,k)",
        "Kendall's W",
        "专家组一致性（基于全部评分）",
        "ICC(A,1)",
        "95% 下限",
    ] {
        assert!(cells.contains(&want.to_string()), "{want}");
    }
    // The all-scores ICC(A,1) row carries the engine's estimate and bounds as numbers.
    let all = r.aggregation.agreement.all_scores.icc2_1.expect("icc");
    let row: Vec<String> = panel
        .rows()
        .find(|row| row.first().map(cell_str).as_deref() == Some("ICC(A,1)"))
        .expect("ICC(A,1) row")
        .iter()
        .map(cell_str)
        .collect();
    for (cell, want) in
        row[1..4]
            .iter()
            .zip([all.estimate, all.lo.expect("lo"), all.hi.expect("hi")])
    {
        let got: f64 = cell.parse().expect("number");
        // Stored as the workbook stores scores (to 9 decimals).
        assert!((got - want).abs() < 1e-9, "{cell} vs {want}");
    }

    let method = wb.worksheet_range("方法与参数").expect("方法与参数");
    let cells: Vec<String> = method.rows().flatten().map(cell_str).collect();
    assert!(cells.contains(&r.batch));
    assert!(cells.contains(&r.rubric));
    assert!(cells.contains(&"27".to_string()));
    assert!(cells.contains(&export::cut_note_zh(&r)));
    assert!(!cells.contains(&r.cut_note));
    assert!(cells.iter().any(|c| c.starts_with("kczg-2020")));
    for w in export::warnings_zh(&r) {
        assert!(cells.contains(&w), "{w}");
    }
    for w in &r.warnings {
        assert!(!cells.contains(w), "{w}");
    }
}

#[test]
fn xlsx_error_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("missing").join("out.xlsx");
    let err = export_xlsx(&results(), &Profile::kczg_2020(), &path).expect_err("no directory");
    assert!(matches!(err, ExportError::Write { .. }));
    assert!(err.to_string().contains(&path.display().to_string()));
}

#[test]
fn xlsx_shortlist_follows_chair_decisions() {
    let mut r = results();
    let p = Profile::kczg_2020();
    r.rows[0].decision = Some("exclude".into());
    r.rows[0].decision_reason = Some("重复申报".into());
    r.rows[K].decision = Some("include".into());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("d.xlsx");
    export_xlsx(&r, &p, &path).expect("export");
    let mut wb: Xlsx<_> = open_workbook(&path).expect("open");
    let list = wb.worksheet_range("入围名单").expect("入围名单");
    // Under the title and the header; the signature lines below have no id.
    let ids: Vec<String> = list
        .rows()
        .skip(2)
        .map(|x| cell_str(&x[2]))
        .take_while(|id| !id.is_empty())
        .collect();
    assert_eq!(ids.len(), K);
    assert!(!ids.contains(&r.rows[0].id));
    assert!(ids.contains(&r.rows[K].id));
    assert_eq!(cell_str(&list.rows().nth(1 + K).expect("row")[10]), "入选");
}

#[test]
fn markdown_report_sections() {
    let r = results();
    let md = export_markdown(&r, &Profile::kczg_2020());
    assert!(md.starts_with("# 电子信息领域初评 评审结果\n"));
    assert!(md.contains(&r.batch));
    assert!(md.contains("\n联盟：中国科协信息科技学会联合体\n\n领域：电子信息\n"));
    let head = "| 序号 | 排名 | 编号 | 技术名称 | 申报单位 | 得分 | 专家数 | 入围概率 |";
    assert!(md.contains(head));
    let table_rows = md
        .lines()
        .skip_while(|l| *l != head)
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .count();
    assert_eq!(table_rows, K);
    assert!(md.contains("| 2 | 2 | EI-002 | =HYPERLINK"));
    assert!(md.contains("Mixed 中文 name \\| pipe"), "pipes escaped");
    assert!(md.contains("### 阈值表"));
    assert!(md.contains("| 得分 ≥ 51.6667 | 27 | 1 | 是（K） |"));
    assert!(md.contains("| 得分 ≥ 50.0000 | 31 | 4 | 否 |"));
    // A Chinese document: the cut note and the warnings in Chinese, not the English ones.
    assert!(md.contains(&export::cut_note_zh(&r)));
    assert!(md.contains("K = 27：25–30 范围内不拆开同分的最大入围项数"));
    assert!(!md.contains(&r.cut_note));
    assert!(md.contains("## 专家组一致性"));
    assert!(md.contains("基于全部评分的评审一致性："));
    assert!(md.contains("Henderson 方法 III"));
    assert!(md.contains("| ICC(A,1) | "));
    assert!(md.contains(
        "完全交叉子集（旧算法，只用这一子集的评分；保留它是为了 Kendall's W，W 需要完整的表）：5 位专家 × 31 项"
    ));
    assert!(md.contains("| ICC(2,1) |"));
    assert!(md.contains("| Kendall's W |"));
    assert!(md.contains("## 专家分歧较大的项目"));
    assert!(md.contains("| 33 | EI-033 |"));
    assert!(md.contains("## 专家统计"));
    assert!(md.contains("| ouyang | 欧阳娜娜 | 32 | 1 | 0 |"));
    assert!(md.contains("## 警告"));
    assert!(md.contains("- 无人评分：EI-034（列于最后，无排名）"));
    for w in export::warnings_zh(&r) {
        assert!(md.contains(w.as_str()), "{w}");
    }
    for w in &r.warnings {
        assert!(!md.contains(w.as_str()), "{w}");
    }
    assert!(md.contains("## 利益冲突排除"));
}

/// Checks a rendered table: every data line is as wide as the header up to the free column.
fn assert_aligned(lines: &[&str], tails: &[String], tail_head: &str) {
    let header_w = width(lines[0]) - width(tail_head);
    assert!(lines[1].chars().all(|c| c == '='));
    for (line, tail) in lines[2..].iter().zip(tails) {
        assert!(line.ends_with(tail.as_str()), "{line:?} ends with {tail:?}");
        assert_eq!(width(line) - width(tail), header_w, "{line:?}");
    }
}

#[test]
fn rank_table_cut_line_alignment_and_notes() {
    let r = results();
    let text = rank_table(&r);
    let lines: Vec<&str> = text.lines().collect();
    let h = lines
        .iter()
        .position(|l| l.starts_with("rank  id "))
        .expect("header line");
    assert!(lines[h].contains("可行性") && lines[h].ends_with("flags"));
    // Header, rule, K rows, the cut line, then the rest.
    let cut = lines[h + 2 + K];
    assert!(cut.starts_with("-- cut: K = 27 ---"), "{cut}");
    assert_eq!(width(cut), width(lines[h + 1]));
    assert!(lines[h + 1 + K].contains("EI-027"));
    assert!(lines[h + 3 + K].contains("EI-028"));
    let mut table: Vec<&str> = lines[h..h + 2 + K].to_vec();
    table.extend(&lines[h + 3 + K..h + 3 + N_ITEMS]);
    let tails: Vec<String> = r
        .rows
        .iter()
        .map(|x| {
            x.flags
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_aligned(&table, &tails, "flags");
    // The long CJK name is cut with the ASCII ellipsis, inside its column.
    assert!(text.contains("基于深度学习的工业互联网安全~"));
    assert!(lines[h + 2].contains("96.6667"));
    assert!(lines[h + 2 + K - 1].contains("  *  "));

    assert!(text.contains(&format!("cut: {}", r.cut_note)));
    assert!(text.contains("score ≥ 51.6667 → 27 items  in range  <- K"));
    assert!(text.contains("score ≥ 50.0000 → 31 items  out of range  (4 tied)"));
    assert!(text.contains("K =  28: K-th 50.0000, next 50.0000  splits a tie"));
    for w in &r.warnings {
        assert!(text.contains(&format!("warning: {w}")));
    }
    let border: Vec<_> = r.borderline().collect();
    assert!(!border.is_empty(), "the disputed item is borderline");
    for row in border {
        let (lo, hi) = row.rank_interval.expect("interval");
        let line = lines
            .iter()
            .rev()
            .find(|l| l.trim_start().starts_with(row.id.as_str()))
            .expect("borderline line");
        assert!(
            line.contains(&format!("90% rank interval [{lo}, {hi}]")),
            "{line}"
        );
    }
}

#[test]
fn rank_table_without_bootstrap() {
    let (b, p) = (batch(), Profile::kczg_2020());
    let opts = Options {
        replicates: 0,
        ..options(&p)
    };
    let r = revdesk::round::build::build(&b, &p, &sheets(&b, &p, 5), &[], &opts).expect("build");
    let text = rank_table(&r);
    assert!(text.contains("borderline: no bootstrap run"));
    let row = text
        .lines()
        .find(|l| l.contains("EI-002"))
        .expect("EI-002 line");
    assert!(
        row.contains("  -  *"),
        "p is '-' without a bootstrap: {row}"
    );
    let csv = String::from_utf8(rank_csv(&r, false)).expect("utf-8");
    assert!(csv.lines().nth(1).expect("row").contains(",,yes,"));
}

#[test]
fn stats_table_sections_and_alignment() {
    let r = results();
    let text = stats_table(&r);
    let lines: Vec<&str> = text.lines().collect();
    let e = lines
        .iter()
        .position(|l| *l == "experts (5):")
        .expect("experts");
    let tails: Vec<String> = r
        .experts
        .iter()
        .map(|x| x.left_out.clone().unwrap_or_default())
        .collect();
    assert_aligned(&lines[e + 1..e + 8], &tails, "left out");
    // Experts are listed by id: chen, li, ouyang, wang, zhao.
    assert!(lines[e + 5].starts_with("ouyang  欧阳娜娜"));
    assert!(lines[e + 7].starts_with("zhao    Zhao Min"));

    let i = lines
        .iter()
        .position(|l| *l == format!("items ({N_ITEMS}):"))
        .expect("items");
    let tails: Vec<String> = r
        .rows
        .iter()
        .map(|x| {
            if x.flags.contains(&Flag::Spread) {
                "spread".to_string()
            } else {
                String::new()
            }
        })
        .collect();
    assert_aligned(&lines[i + 1..i + 3 + N_ITEMS], &tails, "flags");
    let spread = lines.iter().find(|l| l.contains("EI-033")).expect("EI-033");
    assert!(spread.ends_with("60.00  spread"), "{spread}");

    assert!(text.contains("agreement on the fully crossed subset only (the older figures; kept for Kendall's W, which needs a complete table): 5 experts x 31 items"));
    for name in [
        "ICC(1,1)",
        "ICC(2,1)",
        "ICC(3,1)",
        "ICC(1,k)",
        "ICC(2,k)",
        "ICC(3,k)",
        "Kendall's W",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(name)),
            "{name}"
        );
    }
}

fn results_with_range(range: (usize, usize)) -> Results {
    let (b, p) = (batch(), Profile::kczg_2020());
    let opts = Options {
        shortlist: range,
        ..options(&p)
    };
    revdesk::round::build::build(&b, &p, &sheets(&b, &p, 5), &[], &opts).expect("build")
}

/// Position of the cut line among the table's lines after the header rule.
fn cut_position(text: &str) -> usize {
    text.lines()
        .skip_while(|l| !l.starts_with("rank  id "))
        .skip(2)
        .position(|l| l.starts_with("-- cut: K = "))
        .expect("cut line")
}

#[test]
fn tie_at_cut_and_fewer_than_min() {
    // Every K in 28–30 splits the four-way tie at 28–31: K = 30, the chair must decide.
    let r = results_with_range((28, 30));
    assert_eq!(r.k, 30);
    let text = rank_table(&r);
    assert_eq!(cut_position(&text), 30);
    assert!(text.contains("-- cut: K = 30 "));
    assert!(text.contains("tie-at-cut"));
    assert!(text.contains("the chair must decide"));
    let md = export_markdown(&r, &Profile::kczg_2020());
    assert!(md.contains("## 入围名单（30 项）"));

    // 33 ranked, minimum 40: K = 33, out of range, said so.
    let r = results_with_range((40, 45));
    assert_eq!((r.k, r.k_out_of_range), (33, true));
    let text = rank_table(&r);
    assert_eq!(cut_position(&text), 33);
    assert!(text.contains("K = 33 (outside the range)"));
    assert!(!text.contains("sizes in range:"));
    assert!(export_markdown(&r, &Profile::kczg_2020()).contains("（超出范围）"));
}

#[test]
fn no_sheets_still_formats() {
    let (b, p) = (batch(), Profile::kczg_2020());
    let r = revdesk::round::build::build(&b, &p, &[], &[], &options(&p)).expect("build");
    assert_eq!(r.k, 0);
    let text = rank_table(&r);
    assert_eq!(cut_position(&text), 0, "cut line above the first row");
    assert!(text.contains("borderline: no bootstrap run"));
    assert!(stats_table(&r).contains("not enough fully crossed data"));
    let md = export_markdown(&r, &p);
    assert!(md.contains("## 入围名单（0 项）"));
    assert!(md.contains("数据不足"));
    let (header, rows) = parse_csv(&rank_csv(&r, false));
    assert_eq!(rows.len(), N_ITEMS);
    assert!(rows.iter().all(|x| field(&header, x, "score").is_empty()));
    serde_json::from_str::<serde_json::Value>(&stats_json(&r)).expect("valid JSON");
    let bytes = export::xlsx_bytes(&r, &p).expect("workbook");
    assert_eq!(bytes, export::xlsx_bytes(&r, &p).expect("workbook"));
}

#[test]
fn terminal_output_has_no_control_characters() {
    let mut r = results();
    r.title = "标题\u{1b}[31m红\nnext".into();
    r.rows[0].name = "名称\u{1b}[2J清屏".into();
    r.warnings.push("警告\u{1b}]0;title\u{7}".into());
    for text in [rank_table(&r), stats_table(&r)] {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "control character in terminal output"
        );
    }
}

#[test]
fn docx_and_xlsx_carry_the_chairs_overrides_with_reasons_in_local_time() {
    use revdesk::domain::decided::{Decision, Recorded};
    use std::io::Read;
    let mut r = results();
    let at = "2020-09-01T08:00:00Z";
    r.decisions.push(Recorded {
        seq: 1,
        at: at.into(),
        chair: "chair".into(),
        decision: Decision::Include {
            item: r.rows[K].id.clone(),
            reason: "示范工程效果显著".into(),
        },
        context: None,
    });
    let p = Profile::kczg_2020();
    let bytes = export::export_docx(&r, &p).expect("docx");
    assert_eq!(
        bytes,
        export::export_docx(&r, &p).expect("again"),
        "byte-identical"
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    assert!(xml.contains("主席决定记录"), "the decision log");
    assert!(xml.contains("示范工程效果显著"), "the override's reason");
    assert!(xml.contains(&r.rows[K].id));
    let local = export::local_time(at);
    assert!(xml.contains(&local), "{local}");
    assert!(!xml.contains(at), "not the stored UTC time");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("d.xlsx");
    export_xlsx(&r, &p, &path).expect("export");
    let mut wb: Xlsx<_> = open_workbook(&path).expect("open");
    let log = wb.worksheet_range("主席决定记录").expect("sheet");
    let row: Vec<String> = log
        .rows()
        .nth(1)
        .expect("row")
        .iter()
        .map(cell_str)
        .collect();
    assert_eq!(row[1], local, "local time, not UTC ISO");
    assert_eq!(row[5], "示范工程效果显著");
}
