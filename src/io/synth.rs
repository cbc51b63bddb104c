//! Synthetic batches for benchmarks and load tests (`revdesk gen`): deterministic for a seed.

use crate::domain::batch::{Field, Item, ProjectType};
use crate::domain::profile::Profile;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Domain key.
    pub domain: String,
    /// Number of items.
    pub items: usize,
    /// Characters of each detailed-material field (0 = none).
    pub detail_chars: usize,
    /// RNG seed.
    pub seed: u64,
}

const SUBJECTS: &[&str] = &[
    "高精度",
    "低功耗",
    "大规模",
    "智能化",
    "柔性",
    "高通量",
    "绿色",
    "超高温",
    "纳米级",
    "多模态",
    "自适应",
    "高可靠",
    "轻量化",
    "分布式",
    "一体化",
];
const OBJECTS: &[&str] = &[
    "传感器",
    "控制系统",
    "制备工艺",
    "检测平台",
    "芯片",
    "催化剂",
    "复合材料",
    "诊断试剂",
    "装备",
    "算法",
    "膜材料",
    "储能器件",
    "数据平台",
    "修复技术",
    "电机",
];
const SENTENCES: &[&str] = &[
    "该技术针对行业长期存在的瓶颈问题，提出了新的技术路线",
    "关键性能指标经第三方检测机构测试，达到国际先进水平",
    "团队突破了核心部件的设计与制造难题，形成了完整的自主知识产权",
    "与国外同类产品相比，成本降低约三成，可靠性显著提高",
    "已在多家龙头企业完成中试验证，运行稳定",
    "产品可广泛应用于能源、交通、医疗和制造等领域",
    "预计未来五年可形成数十亿元规模的市场",
    "项目带动上下游产业链协同发展，社会效益显著",
    "技术方案兼顾了工艺可行性与规模化生产的经济性",
    "相关成果发表于国际权威期刊，并获得同行高度评价",
    "通过产学研合作建立了示范生产线",
    "打破了国外企业在该领域的长期垄断",
];
const UNITS: &[&str] = &[
    "清华大学",
    "浙江大学",
    "中国科学院某研究所",
    "哈尔滨工业大学",
    "华中科技大学",
    "某科技有限公司",
    "西安交通大学",
    "上海交通大学",
    "东南大学",
    "某集团股份有限公司",
];

fn pick<'a>(rng: &mut ChaCha8Rng, pool: &[&'a str]) -> &'a str {
    pool[rng.random_range(0..pool.len())]
}

/// Chinese prose of exactly `chars` characters, in sentences and paragraphs.
fn prose(rng: &mut ChaCha8Rng, chars: usize) -> String {
    let mut out = String::with_capacity(chars * 3);
    let mut n = 0;
    let mut in_para = 0;
    while n < chars {
        let s = pick(rng, SENTENCES);
        for c in s.chars().chain(std::iter::once('。')) {
            if n >= chars {
                break;
            }
            out.push(c);
            n += 1;
        }
        in_para += 1;
        if in_para >= 6 && n + 1 < chars {
            out.push('\n');
            n += 1;
            in_para = 0;
        }
    }
    out
}

/// Generates the items.
pub fn items(profile: &Profile, spec: &Spec) -> Vec<Item> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    // The fixtures' id prefixes; other domains use their key's initials.
    let prefix = match spec.domain.as_str() {
        "biomedicine" => "BM".to_string(),
        d => d
            .split('-')
            .filter_map(|w| w.chars().next())
            .collect::<String>()
            .to_ascii_uppercase(),
    };
    let codes = [
        "3971", "3973", "6520", "2710", "3562", "3985", "7721", "3441", "C3825", "I6513",
    ];
    let lim = profile.limits;
    (0..spec.items)
        .map(|i| {
            let name = format!(
                "{}{}{}关键技术",
                pick(&mut rng, SUBJECTS),
                pick(&mut rng, OBJECTS),
                pick(&mut rng, &["设计", "制备", "集成", "检测", "应用"])
            );
            let team_len = rng.random_range(120..=lim.team as usize);
            let level_len = rng.random_range(300..=lim.level as usize);
            let benefits_len = rng.random_range(300..=lim.benefits as usize);
            let detail = spec.detail_chars.min(lim.level_detail as usize);
            let bdetail = (spec.detail_chars / 2).min(lim.benefits_detail as usize);
            Item {
                id: format!("{prefix}-{:05}", i + 1),
                name,
                domain: spec.domain.clone(),
                industry: vec![
                    codes[i % codes.len()]
                        .trim_start_matches(['C', 'I'])
                        .to_string(),
                ],
                project_type: if rng.random_bool(0.5) {
                    ProjectType::Applied
                } else {
                    ProjectType::Development
                },
                trl: rng.random_range(4..=9),
                applicant: pick(&mut rng, UNITS).to_string(),
                // Unique recommenders keep a synthetic batch within the quota.
                recommender: format!("推荐单位{:05}", i / 2 + 1),
                contact: "张三".into(),
                phone: format!("1380000{:04}", i % 10000),
                address: "北京市海淀区示例路1号".into(),
                email: format!("contact{}@example.cn", i + 1),
                team: prose(&mut rng, team_len),
                ip: format!(
                    "授权发明专利{}项，软件著作权{}项。",
                    rng.random_range(1..40),
                    rng.random_range(0..10)
                ),
                awards: if rng.random_bool(0.3) {
                    "无".into()
                } else {
                    "省部级科技进步奖一等奖1项。".into()
                },
                level: prose(&mut rng, level_len),
                benefits: prose(&mut rng, benefits_len),
                level_detail: prose(&mut rng, detail),
                benefits_detail: prose(&mut rng, bdetail),
                preliminary_rank: None,
                preliminary_score: None,
                line: i + 2,
            }
        })
        .collect()
}

/// A generated batch that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The CSV or JSON file could not be written.
    #[error("writing {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The workbook could not be saved.
    #[error("writing {}", path.display())]
    SaveXlsx {
        /// The file.
        path: PathBuf,
        /// The workbook writer's error.
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    /// A CSV record could not be formatted.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// The JSON document could not be formatted.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A worksheet or cell could not be written.
    #[error(transparent)]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// Output formats of a generated batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    /// UTF-8 CSV with BOM.
    Csv,
    /// The JSON batch format.
    Json,
    /// A workbook with one sheet.
    Xlsx,
}

/// The batch fields written by `write`: the form's, without the final-review columns.
const FORM_FIELDS: &[Field] = Field::ALL.split_at(19).0;

fn cell(profile: &Profile, it: &Item, f: Field) -> String {
    match f {
        Field::Domain => profile
            .domain(&it.domain)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| it.domain.clone()),
        _ => it.text(f),
    }
}

/// Writes items as a batch file.
pub fn write(
    profile: &Profile,
    items: &[Item],
    title: &str,
    domain: &str,
    format: OutFormat,
    path: &Path,
) -> Result<(), SynthError> {
    let write_err = |source| SynthError::Write {
        path: path.to_path_buf(),
        source,
    };
    match format {
        OutFormat::Csv => {
            let mut buf = vec![0xEF, 0xBB, 0xBF];
            {
                let mut w = csv::Writer::from_writer(&mut buf);
                w.write_record(FORM_FIELDS.iter().map(|f| f.header()))?;
                for it in items {
                    w.write_record(FORM_FIELDS.iter().map(|f| cell(profile, it, *f)))?;
                }
                w.flush().map_err(csv::Error::from)?;
            }
            std::fs::write(path, buf).map_err(write_err)?;
        }
        OutFormat::Json => {
            let rows: Vec<serde_json::Value> = items
                .iter()
                .map(|it| {
                    let mut m = serde_json::Map::new();
                    for &f in FORM_FIELDS {
                        let v = match f {
                            Field::Trl => serde_json::Value::from(it.trl),
                            _ => serde_json::Value::from(cell(profile, it, f)),
                        };
                        m.insert(f.key().to_string(), v);
                    }
                    serde_json::Value::Object(m)
                })
                .collect();
            let doc = serde_json::json!({
                "format": "revdesk-batch/1",
                "title": title,
                "profile": profile.id,
                "domain": domain,
                "items": rows,
            });
            let text = serde_json::to_string_pretty(&doc)?;
            std::fs::write(path, text).map_err(write_err)?;
        }
        OutFormat::Xlsx => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name("推荐汇总")?;
            for (c, f) in FORM_FIELDS.iter().enumerate() {
                ws.write_string(0, c as u16, f.header())?;
            }
            for (r, it) in items.iter().enumerate() {
                for (c, f) in FORM_FIELDS.iter().enumerate() {
                    let row = (r + 1) as u32;
                    if *f == Field::Trl {
                        ws.write_number(row, c as u16, f64::from(it.trl))?;
                    } else {
                        ws.write_string(row, c as u16, cell(profile, it, *f))?;
                    }
                }
            }
            wb.save(path).map_err(|source| SynthError::SaveXlsx {
                path: path.to_path_buf(),
                source,
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_within_limits() {
        let p = Profile::kczg_2020();
        let spec = Spec {
            domain: "advanced-materials".into(),
            items: 50,
            detail_chars: 20000,
            seed: 7,
        };
        let a = items(&p, &spec);
        let b = items(&p, &spec);
        assert_eq!(a, b);
        assert_eq!(a[0].id, "AM-00001");
        for it in &a {
            assert!(it.team.chars().count() <= 300);
            assert!(it.level.chars().count() <= 500);
            assert_eq!(it.level_detail.chars().count(), 10000);
            assert_eq!(it.benefits_detail.chars().count(), 5000);
        }
        let c = items(&p, &Spec { seed: 8, ..spec });
        assert_ne!(a, c);
    }
}
