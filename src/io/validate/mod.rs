//! Batch validation: turns raw rows into items and findings (errors and warnings).
//!
//! Each rule is one function with a doc comment naming the finding code it reports: rules about
//! the whole file and across rows in `batch`, about one row's fields in `row` and `industry`,
//! checks of single values in `values`. [`validate`] and `check_row` call them in a fixed order,
//! the order findings of one line are listed in.

use crate::domain::batch::{Batch, BatchMeta, Field, Item, ProjectType};
use crate::domain::profile::Profile;
use crate::io::import::{self, Format, ImportError, RawBatch, RawRow};
use crate::text::i18n::{Lang, Msg, T};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod batch;
mod industry;
mod row;
mod streamed;
mod values;

pub use streamed::{Verdict, check_file};

pub use values::{parse_trl, valid_email, valid_phone};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[derive(strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Severity {
    /// A "原则上" rule: reported, an error only under `--strict`.
    Warning,
    /// The item (or the file) is unusable.
    Error,
}

/// One problem found in a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The file.
    pub path: PathBuf,
    /// CSV line, sheet row or JSON item index.
    pub line: usize,
    /// Error or warning.
    pub severity: Severity,
    /// The item's id, when the finding is about one item.
    pub id: Option<String>,
    /// The field concerned, when there is one.
    pub field: Option<Field>,
    /// A short machine-readable code, e.g. `missing-field`.
    pub code: &'static str,
    /// What is wrong, in plain words (English: logs, JSON).
    pub message: String,
    /// The same from the catalogue, to show in either language ([`Finding::describe`]).
    #[serde(skip)]
    pub text: Msg,
}

impl Finding {
    /// The compiler-style line: `PATH:LINE: error: ID: message`.
    pub fn to_line(&self) -> String {
        self.line_in(Lang::En)
    }

    /// The message in a language.
    pub fn describe(&self, lang: Lang) -> String {
        if self.text.is_empty() {
            self.message.clone()
        } else {
            self.text.render(lang)
        }
    }

    /// [`Finding::to_line`] in a language: `PATH:LINE: 错误: ID: …`.
    pub fn line_in(&self, lang: Lang) -> String {
        let sev = match (self.severity, lang) {
            (s, Lang::En) => s.into(),
            (Severity::Error, Lang::Zh) => T::FindError.get(lang),
            (Severity::Warning, Lang::Zh) => T::FindWarning.get(lang),
        };
        // Line 0 means "no line" (a file that could not be read at all): say the file only,
        // as compilers do, rather than point at a line that does not exist.
        let place = if self.line == 0 {
            self.path.display().to_string()
        } else {
            format!("{}:{}", self.path.display(), self.line)
        };
        format!(
            "{place}: {}: {}: {}",
            sev,
            self.id.as_deref().unwrap_or("-"),
            self.describe(lang)
        )
    }
}

/// Options for loading a batch.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The batch's domain, overriding metadata and inference.
    pub domain: Option<String>,
    /// Treat the batch as a final-review batch (all domains).
    pub final_review: bool,
}

/// The outcome of validating a batch.
#[derive(Debug, Clone)]
pub struct Report {
    /// The usable items as a batch.
    pub batch: Batch,
    /// Every finding, in file order.
    pub findings: Vec<Finding>,
    /// How the domain was decided, for the summary.
    pub domain_source: DomainSource,
    /// Rows read from the file.
    pub rows: usize,
}

/// Where the batch's domain came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainSource {
    /// `--domain` on the command line.
    Option,
    /// The JSON metadata.
    Metadata,
    /// The domain most items name.
    Majority,
    /// A final-review batch has no single domain.
    FinalReview,
    /// Nothing to go by.
    Unknown,
}

impl Report {
    /// What `revdesk validate` says of it.
    fn facts(&self) -> Facts<'_> {
        Facts {
            findings: &self.findings,
            path: &self.batch.path,
            domain: self.batch.domain.as_deref(),
            domain_source: self.domain_source,
            rows: self.rows,
            usable: self.batch.items.len(),
            hash: &self.batch.hash,
        }
    }

    /// Number of errors (warnings count as errors when `strict`).
    pub fn errors(&self, strict: bool) -> usize {
        self.facts().errors(strict)
    }

    /// Number of warnings (0 under `strict`: they count as errors).
    pub fn warnings(&self, strict: bool) -> usize {
        self.facts().warnings(strict)
    }

    /// The findings as lines, followed by a summary line.
    pub fn render_text(&self, strict: bool, profile: &Profile) -> String {
        self.render_text_in(strict, profile, Lang::En)
    }

    /// [`Report::render_text`] in a language.
    pub fn render_text_in(&self, strict: bool, profile: &Profile, lang: Lang) -> String {
        self.facts().render_text_in(strict, profile, lang)
    }
}

/// What the summary of a validated batch is made of, whether its items were kept or not.
struct Facts<'r> {
    findings: &'r [Finding],
    path: &'r Path,
    domain: Option<&'r str>,
    domain_source: DomainSource,
    rows: usize,
    usable: usize,
    hash: &'r str,
}

impl Facts<'_> {
    fn errors(&self, strict: bool) -> usize {
        self.findings
            .iter()
            .filter(|f| strict || f.severity == Severity::Error)
            .count()
    }

    fn warnings(&self, strict: bool) -> usize {
        if strict {
            0
        } else {
            self.findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count()
        }
    }

    fn render_text_in(&self, strict: bool, profile: &Profile, lang: Lang) -> String {
        let mut out = String::new();
        for f in self.findings {
            let mut f = f.clone();
            if strict {
                f.severity = Severity::Error;
            }
            let _ = writeln!(out, "{}", f.line_in(lang));
        }
        let domain = match (self.domain, self.domain_source) {
            (_, DomainSource::FinalReview) => T::FindFinalReview.get(lang).to_string(),
            (Some(d), src) => {
                let name = profile.domain(d).map(|d| d.name.as_str()).unwrap_or(d);
                match src {
                    DomainSource::Majority => T::FindFromItems.fill(lang, &[("name", name)]),
                    _ => name.to_string(),
                }
            }
            (None, _) => T::FindUnknownDomain.get(lang).to_string(),
        };
        let summary = T::FindSummary.fill(
            lang,
            &[
                ("path", &self.path.display().to_string()),
                ("rows", &self.rows.to_string()),
                ("usable", &self.usable.to_string()),
                ("domain", &domain),
                ("errors", &self.errors(strict).to_string()),
                ("warnings", &self.warnings(strict).to_string()),
                ("hash", crate::domain::batch::short_hash(self.hash)),
            ],
        );
        let _ = writeln!(out, "{summary}");
        out
    }
}

/// Reads and validates a batch file.
pub fn load(path: &Path, profile: &Profile, opts: &Options) -> Result<Report, ImportError> {
    let raw = import::read(path)?;
    Ok(validate_owned(raw, profile, opts))
}

/// Validates batch bytes already in memory (e.g. the bundled demo).
pub fn load_bytes(
    path: &Path,
    format: Format,
    bytes: &[u8],
    profile: &Profile,
    opts: &Options,
) -> Result<Report, ImportError> {
    let raw = import::read_bytes(path, format, bytes)?;
    Ok(validate_owned(raw, profile, opts))
}

/// Findings as they are found, about one raw batch.
struct Ctx<'a> {
    raw: &'a RawBatch,
    findings: Vec<Finding>,
}

impl Ctx<'_> {
    /// Records a finding.
    fn push(
        &mut self,
        line: usize,
        severity: Severity,
        id: Option<&str>,
        field: Option<Field>,
        code: &'static str,
        text: Msg,
    ) {
        self.findings.push(Finding {
            path: self.raw.path.clone(),
            line,
            severity,
            id: id.map(str::to_string),
            field,
            code,
            message: text.render(Lang::En),
            text,
        });
    }

    /// Records a finding at the header line, about no one item.
    fn at_header(
        &mut self,
        severity: Severity,
        field: Option<Field>,
        code: &'static str,
        text: Msg,
    ) {
        self.push(self.raw.header_line, severity, None, field, code, text);
    }
}

/// One row under check: its findings point at its line and id, and an error makes it unusable.
struct RowCheck<'c, 'a> {
    cx: &'c mut Ctx<'a>,
    row: &'a RawRow,
    /// Nothing so far makes the row unusable: it can become an item.
    ok: bool,
}

impl<'a> RowCheck<'_, 'a> {
    /// The row's id, when it has one.
    fn id(&self) -> Option<&'a str> {
        let id = self.row.get(Field::Id);
        (!id.is_empty()).then_some(id)
    }

    /// An error about the row: it will not become an item.
    fn error(&mut self, field: Option<Field>, code: &'static str, text: Msg) {
        self.ok = false;
        self.push(Severity::Error, field, code, text);
    }

    /// A warning about the row.
    fn warning(&mut self, field: Option<Field>, code: &'static str, text: Msg) {
        self.push(Severity::Warning, field, code, text);
    }

    fn push(&mut self, severity: Severity, field: Option<Field>, code: &'static str, text: Msg) {
        let (line, id) = (self.row.line, self.id());
        self.cx.push(line, severity, id, field, code, text);
    }
}

/// Validates a raw batch against a profile.
pub fn validate(raw: &RawBatch, profile: &Profile, opts: &Options) -> Report {
    let checked = check(raw, profile, opts);
    let items = raw
        .rows
        .iter()
        .zip(&checked.usable)
        .filter_map(|(row, parts)| {
            let parts = parts.clone()?;
            Some(parts.item(row.line, |f| row.get(f).to_string()))
        })
        .collect();
    checked.report(raw, raw.rows.len(), items)
}

/// [`validate`] for a raw batch no longer needed: each usable row's text is moved into its
/// item, not copied, so a batch is in memory once, not twice.
pub fn validate_owned(mut raw: RawBatch, profile: &Profile, opts: &Options) -> Report {
    let checked = check(&raw, profile, opts);
    let rows = std::mem::take(&mut raw.rows);
    let count = rows.len();
    let mut items = Vec::with_capacity(count);
    for (mut row, parts) in rows.into_iter().zip(&checked.usable) {
        if let Some(parts) = parts.clone() {
            items.push(parts.item(row.line, |f| row.values.remove(&f).unwrap_or_default()));
        }
    }
    checked.report(&raw, count, items)
}

/// What checking a batch found, before its items are built.
struct Checked {
    findings: Vec<Finding>,
    domain: Option<String>,
    domain_source: DomainSource,
    final_review: bool,
    /// Per row: what its item needs besides its text, when the row is usable.
    usable: Vec<Option<Parts>>,
}

impl Checked {
    /// The report on `raw` (which had `rows` rows) with these items.
    fn report(self, raw: &RawBatch, rows: usize, items: Vec<Item>) -> Report {
        let meta = BatchMeta {
            domain: self.domain.clone(),
            final_review: self.final_review,
            ..raw.meta.clone()
        };
        Report {
            batch: Batch::new(raw.path.clone(), meta, self.domain, items),
            findings: self.findings,
            domain_source: self.domain_source,
            rows,
        }
    }
}

/// Runs every rule over a raw batch.
fn check(raw: &RawBatch, profile: &Profile, opts: &Options) -> Checked {
    let mut cx = Ctx {
        raw,
        findings: vec![],
    };
    let (domain, domain_source, final_review) = batch_rules(&mut cx, profile, opts);
    let mut usable = Vec::with_capacity(raw.rows.len());
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for row in &raw.rows {
        usable.push(check_row_in_batch(
            &mut cx,
            row,
            &mut first_line,
            profile,
            domain.as_deref(),
            final_review,
        ));
    }
    batch::over_quota(&mut cx, profile);
    Checked {
        findings: sorted(cx.findings),
        domain,
        domain_source,
        final_review,
        usable,
    }
}

/// The rules about the file as a whole, which come first; the batch's domain, where it came
/// from and whether it is a final-review batch.
fn batch_rules(
    cx: &mut Ctx<'_>,
    profile: &Profile,
    opts: &Options,
) -> (Option<String>, DomainSource, bool) {
    // Columns: only CSV/XLSX have a header; JSON items are checked field by field.
    if cx.raw.format != Format::Json {
        batch::missing_columns(cx);
        batch::duplicate_columns(cx);
    }
    batch::unknown_columns(cx);
    batch::other_profile(cx, profile);
    batch::empty_batch(cx);
    let final_review = opts.final_review || cx.raw.meta.final_review;
    let (domain, source) = batch::decide_domain(cx, profile, opts, final_review);
    (domain, source, final_review)
}

/// One row's rules, the repeated id first: what its item needs when none found an error.
fn check_row_in_batch<'a>(
    cx: &mut Ctx<'a>,
    row: &'a RawRow,
    first_line: &mut HashMap<String, usize>,
    profile: &Profile,
    domain: Option<&str>,
    final_review: bool,
) -> Option<Parts> {
    let before = cx.findings.len();
    batch::duplicate_id(cx, row, first_line);
    let parts = check_row(cx, row, profile, domain, final_review);
    let has_error = cx.findings[before..]
        .iter()
        .any(|f| f.severity == Severity::Error);
    parts.filter(|_| !has_error)
}

/// Findings in line order; stable, so findings of one line keep the order they were found in.
fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by_key(|f| f.line);
    findings
}

/// What a usable row's item holds besides the text of its fields, as the rules found it.
#[derive(Debug, Clone)]
struct Parts {
    domain: String,
    industry: Vec<String>,
    project_type: ProjectType,
    trl: u8,
    preliminary_rank: Option<u32>,
    preliminary_score: Option<f64>,
}

impl Parts {
    /// The item, its fields' text from `text`.
    fn item(self, line: usize, mut text: impl FnMut(Field) -> String) -> Item {
        Item {
            id: text(Field::Id),
            name: text(Field::Name),
            domain: self.domain,
            industry: self.industry,
            project_type: self.project_type,
            trl: self.trl,
            applicant: text(Field::Applicant),
            recommender: text(Field::Recommender),
            contact: text(Field::Contact),
            phone: text(Field::Phone),
            address: text(Field::Address),
            email: text(Field::Email),
            team: text(Field::Team),
            ip: text(Field::Ip),
            awards: text(Field::Awards),
            level: text(Field::Level),
            benefits: text(Field::Benefits),
            level_detail: text(Field::LevelDetail),
            benefits_detail: text(Field::BenefitsDetail),
            preliminary_rank: self.preliminary_rank,
            preliminary_score: self.preliminary_score,
            line,
        }
    }
}

/// Checks one row's fields, rule by rule; what its item needs when none of them found an error.
fn check_row<'a>(
    cx: &mut Ctx<'a>,
    row: &'a RawRow,
    profile: &Profile,
    batch_domain: Option<&str>,
    final_review: bool,
) -> Option<Parts> {
    let mut r = RowCheck { cx, row, ok: true };
    row::required_fields(&mut r);
    row::extra_cells(&mut r);
    let domain_key = row::domain(&mut r, profile, batch_domain, final_review);
    let project_type = row::project_type(&mut r);
    let trl = row::trl(&mut r);
    let industry = industry::industry_codes(&mut r);
    industry::numeric_industry(&mut r);
    row::lengths(&mut r, profile);
    row::email(&mut r);
    row::phone(&mut r);
    let (preliminary_rank, preliminary_score) = row::preliminary(&mut r);

    let (Some(project_type), Some(trl), true) = (project_type, trl, r.ok) else {
        return None;
    };
    Some(Parts {
        domain: domain_key,
        industry,
        project_type,
        trl,
        preliminary_rank,
        preliminary_score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_report(items: &str) -> Report {
        let raw = import::read_bytes(
            Path::new("t.json"),
            Format::Json,
            format!("{{\"items\": [{items}]}}").as_bytes(),
        )
        .unwrap();
        validate(&raw, &Profile::kczg_2020(), &Options::default())
    }

    fn item(id: &str, extra: &str) -> String {
        format!(
            r#"{{"id": "{id}", "name": "n", "domain": "生物医药", "industry": "C2761",
                "project_type": "applied", "trl": 7, "applicant": "a", "recommender": "中国药学会",
                "team": "t", "level": "l", "benefits": "b"{extra}}}"#
        )
    }

    #[test]
    fn quota_counts_nominations_with_errors() {
        let items = [
            item("A-1", ""),
            item("A-2", r#", "trl": "6.5""#),
            item("A-3", r#", "name": """#),
            item("A-3", ""),
        ]
        .join(",");
        let r = json_report(&items);
        let quota: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.code == "over-quota")
            .collect();
        assert_eq!(quota.len(), 1, "{:#?}", r.findings);
        assert_eq!(quota[0].line, 3);
        assert!(
            quota[0]
                .message
                .ends_with("nominated 3 technologies in 生物医药 (quota 2): A-1, A-2, A-3"),
            "{}",
            quota[0].message
        );
    }

    fn findings_of(r: &Report, code: &str) -> Vec<String> {
        r.findings
            .iter()
            .filter(|f| f.code == code)
            .map(|f| f.message.clone())
            .collect()
    }

    #[test]
    fn industry_with_no_code_is_empty_and_unknown_codes_are_kept() {
        // A later key wins in a JSON object: these override item()'s industry.
        let items = [
            item("I-1", r#", "industry": "；""#),
            item("I-2", r#", "industry": "C39""#),
            item("I-3", r#", "industry": "9999；C2761""#),
        ]
        .join(",");
        let r = json_report(&items);
        let empty = findings_of(&r, "missing-field");
        assert_eq!(empty.len(), 1, "{:#?}", r.findings);
        assert!(
            empty[0].contains("重点服务行业 (industry) is empty"),
            "{empty:?}"
        );
        assert!(r.batch.item("I-1").is_none(), "unusable");
        assert_eq!(
            r.batch.item("I-2").map(|i| i.industry.clone()),
            Some(vec!["C39".into()])
        );
        assert_eq!(
            r.batch.item("I-3").map(|i| i.industry.clone()),
            Some(vec!["9999".into(), "2761".into()])
        );
        // Batches that differ only in an unknown code are different batches.
        let other = json_report(&items.replace("9999", "8888"));
        assert_ne!(r.batch.hash, other.batch.hash);
    }

    #[test]
    fn codes_written_with_names_and_odd_letters() {
        let items = [
            item(
                "N-1",
                r#", "industry": "C2761 生物药品制造、2762（基因工程药物和疫苗制造）""#,
            ),
            item("N-2", r#", "industry": "C2761 化学药品原料药制造""#),
            item("N-3", r#", "industry": "X12""#),
            item("N-4", r#", "industry": "生物药品制造""#),
        ]
        .join(",");
        let r = json_report(&items);
        let w = findings_of(&r, "unknown-industry");
        assert_eq!(w.len(), 3, "{w:#?}");
        assert_eq!(
            r.batch.item("N-1").map(|i| i.industry.clone()),
            Some(vec!["2761".into(), "2762".into()])
        );
        assert!(
            w[0].contains(
                "'C2761' is C2761 生物药品制造 in GB/T 4754-2017, not '化学药品原料药制造'"
            ),
            "{w:?}"
        );
        assert!(
            w[1].contains("X is not a GB/T 4754-2017 section letter")
                && w[1].contains("12 其他采矿业 is a 大类, too coarse"),
            "{w:?}"
        );
        assert!(!w[1].contains("not X"), "{w:?}");
        assert!(w[2].contains("(its code is C2761 生物药品制造)"), "{w:?}");
    }

    #[test]
    fn spreadsheet_numbers_and_cells_beyond_the_header() {
        use rust_xlsxwriter::Workbook;
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let head = [
            "编号",
            "技术名称",
            "所属领域",
            "重点服务行业",
            "技术项目类型",
            "技术就绪水平",
            "申报单位",
            "推荐单位",
            "技术团队简介",
            "技术水平介绍",
            "技术效益介绍",
        ];
        for (c, h) in head.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, (id, ind)) in [("A-1", 111.0), ("A-2", 3971.0)].into_iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in [id, "n", "生物医药"].iter().enumerate() {
                ws.write_string(r, c as u16, *v).unwrap();
            }
            ws.write_number(r, 3, ind).unwrap();
            for (c, v) in ["开发研究", "6", "a", "r", "t", "l", "b"]
                .iter()
                .enumerate()
            {
                ws.write_string(r, c as u16 + 4, *v).unwrap();
            }
        }
        ws.write_string(2, 12, "备注：见附件").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let raw = import::read_bytes(Path::new("t.xlsx"), Format::Xlsx, &bytes).unwrap();
        let r = validate(&raw, &Profile::kczg_2020(), &Options::default());
        let numeric: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.code == "numeric-industry")
            .collect();
        assert_eq!(numeric.len(), 1, "{:#?}", r.findings);
        assert_eq!(numeric[0].line, 2);
        assert!(
            numeric[0]
                .message
                .contains("leading zeros may have been lost (0111 稻谷种植 would read as 111)")
                && numeric[0].message.contains("format the column as text"),
            "{}",
            numeric[0].message
        );
        let extra: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.code == "extra-cells")
            .collect();
        assert_eq!(extra.len(), 1, "{:#?}", r.findings);
        assert_eq!((extra[0].line, extra[0].severity), (3, Severity::Warning));
        assert!(
            extra[0]
                .message
                .contains("row has 13 cells but the header has 11 columns")
        );
    }
}
