//! Batch validation: turns raw rows into items and findings (errors and warnings).

use crate::domain::batch::{Batch, BatchMeta, Field, Item, ProjectType};
use crate::domain::industry::{self, CodeCheck};
use crate::domain::profile::Profile;
use crate::io::import::{self, Format, ImportError, RawBatch, RawRow};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
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
    /// What is wrong, in plain words.
    pub message: String,
}

impl Finding {
    /// The compiler-style line: `PATH:LINE: error: ID: message`.
    pub fn to_line(&self) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
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
            self.message
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
    /// Number of errors (warnings count as errors when `strict`).
    pub fn errors(&self, strict: bool) -> usize {
        self.findings
            .iter()
            .filter(|f| strict || f.severity == Severity::Error)
            .count()
    }

    /// Number of warnings (0 under `strict`: they count as errors).
    pub fn warnings(&self, strict: bool) -> usize {
        if strict {
            0
        } else {
            self.findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count()
        }
    }

    /// The findings as lines, followed by a summary line.
    pub fn render_text(&self, strict: bool, profile: &Profile) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let mut f = f.clone();
            if strict {
                f.severity = Severity::Error;
            }
            let _ = writeln!(out, "{}", f.to_line());
        }
        let domain = match (&self.batch.domain, self.domain_source) {
            (_, DomainSource::FinalReview) => "final review (all domains)".to_string(),
            (Some(d), src) => {
                let name = profile.domain(d).map(|d| d.name.as_str()).unwrap_or(d);
                match src {
                    DomainSource::Majority => format!("{name} (from its items)"),
                    _ => name.to_string(),
                }
            }
            (None, _) => "unknown".to_string(),
        };
        let _ = writeln!(
            out,
            "{}: {} items read, {} usable, domain {}, {} error(s), {} warning(s), batch {}",
            self.batch.path.display(),
            self.rows,
            self.batch.items.len(),
            domain,
            self.errors(strict),
            self.warnings(strict),
            self.batch.short_hash()
        );
        out
    }
}

/// Reads and validates a batch file.
pub fn load(path: &Path, profile: &Profile, opts: &Options) -> Result<Report, ImportError> {
    let raw = import::read(path)?;
    Ok(validate(&raw, profile, opts))
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
    Ok(validate(&raw, profile, opts))
}

struct Ctx<'a> {
    raw: &'a RawBatch,
    findings: Vec<Finding>,
}

impl Ctx<'_> {
    fn push(
        &mut self,
        line: usize,
        severity: Severity,
        id: Option<&str>,
        field: Option<Field>,
        code: &'static str,
        message: String,
    ) {
        self.findings.push(Finding {
            path: self.raw.path.clone(),
            line,
            severity,
            id: id.map(str::to_string),
            field,
            code,
            message,
        });
    }
}

/// Validates a raw batch against a profile.
pub fn validate(raw: &RawBatch, profile: &Profile, opts: &Options) -> Report {
    let mut cx = Ctx {
        raw,
        findings: vec![],
    };
    let hl = raw.header_line;
    // Columns: only CSV/XLSX have a header; JSON items are checked field by field.
    if raw.format != Format::Json {
        for f in Field::ALL.into_iter().filter(|f| f.required()) {
            if !raw.columns.contains(&f) {
                cx.push(
                    hl,
                    Severity::Error,
                    None,
                    Some(f),
                    "missing-column",
                    format!("missing required column {}", f.describe()),
                );
            }
        }
        for (f, h) in &raw.duplicate_columns {
            cx.push(
                hl,
                Severity::Error,
                None,
                Some(*f),
                "duplicate-column",
                format!("column '{h}' repeats {}", f.describe()),
            );
        }
    }
    for h in &raw.unknown_columns {
        cx.push(
            hl,
            Severity::Warning,
            None,
            None,
            "unknown-column",
            format!("unknown column '{h}' is ignored"),
        );
    }
    // A batch that names its round is checked against that round's rules only if asked to.
    let named = raw.meta.profile.trim();
    if !named.is_empty() && named != profile.id {
        cx.push(
            hl,
            Severity::Warning,
            None,
            None,
            "other-profile",
            format!(
                "the batch is for profile '{named}' but is checked against '{}': pass --profile with that round's profile file",
                profile.id
            ),
        );
    }

    if raw.rows.is_empty() {
        cx.push(
            hl,
            Severity::Error,
            None,
            None,
            "empty-batch",
            "the batch holds no nominations".into(),
        );
    }

    let final_review = opts.final_review || raw.meta.final_review;
    let (domain, domain_source) = decide_domain(&mut cx, profile, opts, final_review);

    let mut items = Vec::with_capacity(raw.rows.len());
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for row in &raw.rows {
        let id = row.get(Field::Id).to_string();
        let id_opt = (!id.is_empty()).then_some(id.as_str());
        let before = cx.findings.len();
        if let Some(&prev) = first_line.get(&id) {
            cx.push(
                row.line,
                Severity::Error,
                id_opt,
                Some(Field::Id),
                "duplicate-id",
                format!("duplicate id '{id}', first used at line {prev}"),
            );
        } else if !id.is_empty() {
            first_line.insert(id.clone(), row.line);
        }
        let item = check_row(&mut cx, row, profile, domain.as_deref(), final_review);
        let has_error = cx.findings[before..]
            .iter()
            .any(|f| f.severity == Severity::Error);
        if let (Some(it), false) = (item, has_error) {
            items.push(it);
        }
    }
    check_quota(&mut cx, profile);

    let mut findings = cx.findings;
    // Stable: findings of one line keep the order they were found in.
    findings.sort_by_key(|f| f.line);
    let meta = BatchMeta {
        domain: domain.clone(),
        final_review,
        ..raw.meta.clone()
    };
    Report {
        batch: Batch::new(raw.path.clone(), meta, domain, items),
        findings,
        domain_source,
        rows: raw.rows.len(),
    }
}

fn decide_domain(
    cx: &mut Ctx<'_>,
    profile: &Profile,
    opts: &Options,
    final_review: bool,
) -> (Option<String>, DomainSource) {
    if final_review {
        return (None, DomainSource::FinalReview);
    }
    let given = opts
        .domain
        .as_ref()
        .map(|d| (d, DomainSource::Option))
        .or_else(|| {
            cx.raw
                .meta
                .domain
                .as_ref()
                .map(|d| (d, DomainSource::Metadata))
        });
    if let Some((d, src)) = given {
        return match profile.domain(d) {
            Some(dom) => (Some(dom.key.clone()), src),
            None => {
                cx.push(
                    cx.raw.header_line,
                    Severity::Error,
                    None,
                    Some(Field::Domain),
                    "unknown-domain",
                    format!(
                        "the batch's domain '{d}' is not in profile {} ({})",
                        profile.id,
                        domain_list(profile)
                    ),
                );
                (None, DomainSource::Unknown)
            }
        };
    }
    // The domain most items name; ties go to the profile's order.
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for row in &cx.raw.rows {
        if let Some(pos) = profile
            .domains
            .iter()
            .position(|d| Some(d) == profile.domain(row.get(Field::Domain)))
        {
            *counts.entry(pos).or_default() += 1;
        }
    }
    let best = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(pos, _)| *pos);
    match best {
        Some(pos) => (
            Some(profile.domains[pos].key.clone()),
            DomainSource::Majority,
        ),
        None => (None, DomainSource::Unknown),
    }
}

fn domain_list(profile: &Profile) -> String {
    profile
        .domains
        .iter()
        .map(|d| format!("{} {}", d.name, d.key))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_row(
    cx: &mut Ctx<'_>,
    row: &RawRow,
    profile: &Profile,
    batch_domain: Option<&str>,
    final_review: bool,
) -> Option<Item> {
    let line = row.line;
    let id = row.get(Field::Id);
    let idv = (!id.is_empty()).then_some(id);
    let mut ok = true;
    for f in Field::ALL.into_iter().filter(|f| f.required()) {
        // A missing column is reported once, at the header.
        let column_missing = cx.raw.format != Format::Json && !cx.raw.columns.contains(&f);
        if row.get(f).is_empty() {
            ok = false;
            if !column_missing {
                cx.push(
                    line,
                    Severity::Error,
                    idv,
                    Some(f),
                    "missing-field",
                    format!("required field {} is empty", f.describe()),
                );
            }
        }
    }

    // Cells beyond the header: in CSV an unquoted comma split a field and its tail would be
    // lost; in a sheet, text typed to the right of the table. Empty ones (Excel writes
    // trailing commas) are fine.
    if cx.raw.format != Format::Json && row.cells > cx.raw.header_width {
        let counts = format!(
            "row has {} cells but the header has {} columns",
            row.cells, cx.raw.header_width
        );
        if cx.raw.format == Format::Csv {
            ok = false;
            cx.push(
                line,
                Severity::Error,
                idv,
                None,
                "extra-cells",
                format!("{counts}; a field holding a comma must be in double quotes"),
            );
        } else {
            cx.push(
                line,
                Severity::Warning,
                idv,
                None,
                "extra-cells",
                format!("{counts}; the cells beyond the header are ignored"),
            );
        }
    }

    // Domain.
    let dom_text = row.get(Field::Domain);
    let mut domain_key = String::new();
    if !dom_text.is_empty() {
        match profile.domain(dom_text) {
            None => {
                ok = false;
                cx.push(
                    line,
                    Severity::Error,
                    idv,
                    Some(Field::Domain),
                    "unknown-domain",
                    format!(
                        "domain '{dom_text}' is not in profile {} ({})",
                        profile.id,
                        domain_list(profile)
                    ),
                );
            }
            Some(d) => {
                domain_key = d.key.clone();
                if !final_review
                    && let Some(bd) = batch_domain
                    && bd != d.key
                {
                    ok = false;
                    let bname = profile.domain(bd).map(|x| x.name.as_str()).unwrap_or(bd);
                    cx.push(
                        line,
                        Severity::Error,
                        idv,
                        Some(Field::Domain),
                        "wrong-domain",
                        format!("a {} nomination in a {} batch", d.name, bname),
                    );
                }
            }
        }
    }

    // Project type.
    let pt_text = row.get(Field::ProjectType);
    let project_type = ProjectType::parse(pt_text);
    if project_type.is_none() && !pt_text.is_empty() {
        ok = false;
        cx.push(
            line,
            Severity::Error,
            idv,
            Some(Field::ProjectType),
            "bad-project-type",
            format!("project type '{pt_text}' must be 应用研究 or 开发研究 (applied/development)"),
        );
    }

    // TRL.
    let trl_text = row.get(Field::Trl);
    let trl = parse_trl(trl_text);
    if trl.is_none() && !trl_text.is_empty() {
        ok = false;
        cx.push(
            line,
            Severity::Error,
            idv,
            Some(Field::Trl),
            "bad-trl",
            format!("technology readiness level '{trl_text}' must be a whole number from 1 to 9"),
        );
    }

    // Industry codes: known ones are kept normalised, anything else is a warning and kept as
    // written, so the scoring view shows it (marked) instead of silently losing it.
    let ind_text = row.get(Field::Industry);
    let tokens = industry::split_codes(ind_text);
    if !ind_text.is_empty() && tokens.is_empty() {
        ok = false;
        cx.push(
            line,
            Severity::Error,
            idv,
            Some(Field::Industry),
            "missing-field",
            format!(
                "required field {} is empty (it holds only '{ind_text}')",
                Field::Industry.describe()
            ),
        );
    }
    let mut industry = Vec::new();
    let mut keep = |code: &str| {
        if !industry.iter().any(|c| c == code) {
            industry.push(code.to_string());
        }
    };
    let coarse = |ind: &industry::Industry| {
        format!(
            "{} {} is a {}, too coarse: the form asks for a 中类 (3 digits) or 小类 (4 digits)",
            ind.code,
            ind.name,
            if ind.level == 1 { "门类" } else { "大类" }
        )
    };
    for tok in &tokens {
        let written = industry::split_written(tok);
        let check = industry::check_code(&written.code);
        let problem = match &check {
            CodeCheck::Known(ind) => {
                keep(&ind.code);
                match &written.name {
                    Some(name) if !industry::name_matches(ind, name) => Some(format!(
                        "industry code '{}' is {} in GB/T 4754-2017, not '{name}': check which was meant",
                        written.code,
                        industry::display(ind)
                    )),
                    _ => None,
                }
            }
            CodeCheck::Unknown(t) => {
                let hint = industry::by_name(t)
                    .map(|i| format!(" (its code is {})", industry::display(i)))
                    .unwrap_or_default();
                Some(format!(
                    "industry code '{t}' is not a GB/T 4754-2017 中类 or 小类{hint}"
                ))
            }
            CodeCheck::TooCoarse(ind) => Some(format!(
                "industry code '{tok}' ({}) is a {}; the form asks for a 中类 (3 digits) or 小类 (4 digits)",
                ind.name,
                if ind.level == 1 { "门类" } else { "大类" }
            )),
            CodeCheck::WrongSection {
                industry: ind,
                given,
            } => {
                let mut m = format!(
                    "industry code '{tok}': {} {} belongs to section {}, not {given}",
                    ind.code,
                    ind.name,
                    industry::section_of(&ind.code).unwrap_or('?')
                );
                if ind.level < 3 {
                    let _ = write!(m, "; and {}", coarse(ind));
                }
                Some(m)
            }
            CodeCheck::NotASection {
                industry: ind,
                given,
            } => {
                let mut m = format!(
                    "industry code '{tok}': {given} is not a GB/T 4754-2017 section letter (A–T)"
                );
                if ind.level < 3 {
                    let _ = write!(m, "; and {}", coarse(ind));
                } else {
                    let _ = write!(m, "; {} is {}", ind.code, industry::display(ind));
                }
                Some(m)
            }
        };
        if let Some(message) = problem {
            if !matches!(check, CodeCheck::Known(_)) {
                keep(tok);
            }
            cx.push(
                line,
                Severity::Warning,
                idv,
                Some(Field::Industry),
                "unknown-industry",
                message,
            );
        }
    }
    // A spreadsheet number drops leading zeros: 0111 稻谷种植 becomes 111. Only a number
    // shorter than a 小类 can have lost one.
    if row.numeric.contains(&Field::Industry) && ind_text.len() < 4 {
        let guess = ["0", "00"]
            .iter()
            .filter_map(|z| industry::lookup(&format!("{z}{ind_text}")))
            .find(|i| i.level >= 3)
            .map(|i| format!(" ({} {} would read as {ind_text})", i.code, i.name))
            .unwrap_or_default();
        cx.push(
            line,
            Severity::Warning,
            idv,
            Some(Field::Industry),
            "numeric-industry",
            format!(
                "{} is a number in the spreadsheet, so leading zeros may have been lost{guess}; \
                 format the column as text and retype the codes",
                Field::Industry.describe()
            ),
        );
    }

    // Lengths, in Unicode characters.
    let lim = &profile.limits;
    for (f, max) in [
        (Field::Team, lim.team),
        (Field::Level, lim.level),
        (Field::Benefits, lim.benefits),
        (Field::LevelDetail, lim.level_detail),
        (Field::BenefitsDetail, lim.benefits_detail),
    ] {
        let n = row.get(f).chars().count();
        if n > max as usize {
            cx.push(
                line,
                Severity::Warning,
                idv,
                Some(f),
                "too-long",
                format!(
                    "{} has {n} characters, over the limit of {max}",
                    f.describe()
                ),
            );
        }
    }

    let email = row.get(Field::Email);
    if !email.is_empty() && !valid_email(email) {
        cx.push(
            line,
            Severity::Warning,
            idv,
            Some(Field::Email),
            "bad-email",
            format!("email '{email}' is not a valid address"),
        );
    }
    let phone = row.get(Field::Phone);
    if !phone.is_empty() && !valid_phone(phone) {
        cx.push(
            line,
            Severity::Warning,
            idv,
            Some(Field::Phone),
            "bad-phone",
            format!(
                "phone '{phone}' is neither a mobile (11 digits) nor a landline with area code"
            ),
        );
    }

    let prelim_rank = row.get(Field::PreliminaryRank);
    let preliminary_rank = prelim_rank.parse::<u32>().ok();
    let prelim_score = row.get(Field::PreliminaryScore);
    let preliminary_score = prelim_score.parse::<f64>().ok().filter(|s| s.is_finite());
    for (f, text, good) in [
        (
            Field::PreliminaryRank,
            prelim_rank,
            preliminary_rank.is_some(),
        ),
        (
            Field::PreliminaryScore,
            prelim_score,
            preliminary_score.is_some(),
        ),
    ] {
        if !text.is_empty() && !good {
            ok = false;
            cx.push(
                line,
                Severity::Error,
                idv,
                Some(f),
                "bad-number",
                format!("{} '{text}' is not a number", f.describe()),
            );
        }
    }

    let (Some(project_type), Some(trl), true) = (project_type, trl, ok) else {
        return None;
    };
    Some(Item {
        id: id.to_string(),
        name: row.get(Field::Name).to_string(),
        domain: domain_key,
        industry,
        project_type,
        trl,
        applicant: row.get(Field::Applicant).to_string(),
        recommender: row.get(Field::Recommender).to_string(),
        contact: row.get(Field::Contact).to_string(),
        phone: phone.to_string(),
        address: row.get(Field::Address).to_string(),
        email: email.to_string(),
        team: row.get(Field::Team).to_string(),
        ip: row.get(Field::Ip).to_string(),
        awards: row.get(Field::Awards).to_string(),
        level: row.get(Field::Level).to_string(),
        benefits: row.get(Field::Benefits).to_string(),
        level_detail: row.get(Field::LevelDetail).to_string(),
        benefits_detail: row.get(Field::BenefitsDetail).to_string(),
        preliminary_rank,
        preliminary_score,
        line,
    })
}

/// More nominations from one recommender in one domain than the quota: one warning per recommender.
///
/// Every nomination that names a recommender and a known domain counts, usable or not: a
/// nomination with a typo still uses up its recommender's quota, and the warning should come
/// in the same round as the typo's error, not after it is fixed.
fn check_quota(cx: &mut Ctx<'_>, profile: &Profile) {
    // (domain, recommender) → each nomination's (name for the message, line, id), in file order.
    type Nominations<'r> = Vec<(String, usize, &'r str)>;
    let mut groups: BTreeMap<(&str, &str), Nominations<'_>> = BTreeMap::new();
    let mut counted = std::collections::HashSet::new();
    for row in &cx.raw.rows {
        let (id, rec) = (row.get(Field::Id), row.get(Field::Recommender));
        let Some(dom) = profile.domain(row.get(Field::Domain)) else {
            continue;
        };
        // A repeated id is one nomination (and its own error).
        if rec.is_empty() || (!id.is_empty() && !counted.insert(id)) {
            continue;
        }
        let name = if id.is_empty() {
            format!("(line {})", row.line)
        } else {
            id.to_string()
        };
        groups
            .entry((dom.key.as_str(), rec))
            .or_default()
            .push((name, row.line, id));
    }
    let mut found = vec![];
    for ((dom, rec), its) in groups {
        let Some(d) = profile.domain(dom) else {
            continue;
        };
        let quota = profile.quota(d) as usize;
        if its.len() > quota {
            let names: Vec<&str> = its.iter().map(|(n, _, _)| n.as_str()).collect();
            let (_, line, id) = &its[quota];
            found.push((
                *line,
                id.to_string(),
                format!(
                    "recommender {rec} nominated {} technologies in {} (quota {quota}): {}",
                    its.len(),
                    d.name,
                    names.join(", ")
                ),
            ));
        }
    }
    for (line, id, msg) in found {
        let idv = (!id.is_empty()).then_some(id.as_str());
        cx.push(
            line,
            Severity::Warning,
            idv,
            Some(Field::Recommender),
            "over-quota",
            msg,
        );
    }
}

/// Parses a TRL: `7`, `7.0` (spreadsheets), `TRL7`, `TRL 7`, `7级`.
pub fn parse_trl(s: &str) -> Option<u8> {
    let t = s.trim();
    let t = t
        .strip_prefix("TRL")
        .or_else(|| t.strip_prefix("trl"))
        .unwrap_or(t);
    let t = t.trim_start_matches(['-', ' ', ':', '：']);
    let t = t.strip_suffix('级').unwrap_or(t).trim();
    let v: f64 = t.parse().ok()?;
    (v.fract() == 0.0 && (1.0..=9.0).contains(&v)).then_some(v as u8)
}

/// A plausible email address (one `@`, a dotted domain, no spaces).
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    !local.is_empty()
        && local.chars().all(ok_char)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && domain.contains('.')
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// A Chinese phone number: mobile `1[3-9]` + 9 digits, a landline with its area code
/// (`010`/`02x` + 8 digits, `0xxx` + 7–8 digits), or a 400/800 number. Written as people
/// write them: spaces, dashes and brackets anywhere (`138-1037-7984`, `(010)68600642`),
/// a country code (`+86 10 68600642`, `0086 13810377984`, `86-010-68600642`), an
/// extension (`转123`, `-801`, `ext. 5`). Several numbers may be given, separated by `；`,
/// `;`, `/`, `、`, `,` or `，`.
pub fn valid_phone(s: &str) -> bool {
    let mut parts = s
        .split([';', '；', '/', '、', ',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .peekable();
    parts.peek().is_some() && parts.all(valid_one_phone)
}

fn valid_one_phone(p: &str) -> bool {
    // Full-width digits and dashes, as typed with a Chinese input method.
    let p: String = p
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' | '—' | '–' => '-',
            '＋' => '+',
            c => c,
        })
        .collect();
    // An extension after 转, 分机, ext or x is not part of the number.
    let lower = p.to_lowercase();
    let cut = ["转", "分机", "ext", "x", "#"]
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(lower.len());
    let (main, ext) = lower.split_at(cut);
    let ext_ok = ext
        .trim_start_matches(['转', '分', '机', 'e', 'x', 't', '.', ':', '：', '#', ' '])
        .chars()
        .all(|c| c.is_ascii_digit());
    let sep = |c: char| matches!(c, ' ' | '-' | '(' | ')' | '（' | '）' | '.' | '\u{3000}');
    if !ext_ok
        || !main
            .chars()
            .all(|c| c.is_ascii_digit() || sep(c) || c == '+')
    {
        return false;
    }
    // The last dash may also start an extension: "010-68600642-801".
    let whole = main
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    let without_dash_ext = main
        .rsplit_once('-')
        .filter(|(_, e)| {
            let e = e.trim();
            (1..=6).contains(&e.len()) && e.chars().all(|c| c.is_ascii_digit())
        })
        .map(|(m, _)| m.chars().filter(char::is_ascii_digit).collect::<String>());
    let plus = main.trim_start().starts_with('+');
    std::iter::once(whole)
        .chain(without_dash_ext)
        .any(|d| national_number(&d, plus))
}

/// Whether digits (country code included or not) make a Chinese number.
fn national_number(d: &str, plus: bool) -> bool {
    let national = if let Some(rest) = d.strip_prefix("0086") {
        rest
    } else if let Some(rest) = d.strip_prefix("86").filter(|_| plus || d.len() >= 12) {
        rest
    } else if plus {
        // Another country's number: leave it be if it has a plausible length.
        return (8..=15).contains(&d.len());
    } else {
        d
    };
    let mobile =
        |n: &str| n.len() == 11 && n.starts_with('1') && matches!(n.as_bytes()[1], b'3'..=b'9');
    let landline = |n: &str| {
        let b = n.as_bytes();
        match (b.first(), b.get(1), b.get(2)) {
            (Some(b'0'), Some(b'1'), Some(b'0')) | (Some(b'0'), Some(b'2'), _) => n.len() == 11,
            (Some(b'0'), Some(b'3'..=b'9'), _) => (11..=12).contains(&n.len()),
            _ => false,
        }
    };
    let service =
        (national.starts_with("400") || national.starts_with("800")) && national.len() == 10;
    // After a country code the trunk 0 of the area code is dropped: +86 10 68600642.
    let with_trunk = format!("0{national}");
    let international = national.len() != d.len();
    mobile(national)
        || landline(national)
        || service
        || (international && !national.starts_with('0') && landline(&with_trunk))
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

    #[test]
    fn trl_forms() {
        for (s, v) in [
            ("7", Some(7)),
            ("7.0", Some(7)),
            ("TRL7", Some(7)),
            ("TRL 9", Some(9)),
            ("6级", Some(6)),
            ("0", None),
            ("10", None),
            ("6.5", None),
            ("高", None),
        ] {
            assert_eq!(parse_trl(s), v, "{s}");
        }
    }

    #[test]
    fn emails() {
        assert!(valid_email("li.xiaopeng@example.edu.cn"));
        assert!(!valid_email("li@example"));
        assert!(!valid_email("li example@x.cn"));
        assert!(!valid_email("@x.cn"));
        assert!(!valid_email("a@b..cn"));
    }

    #[test]
    fn phones() {
        for p in [
            "13810377984",
            "010-68600642",
            "0755-86001234",
            "+86 138 1037 7984",
            "(010)68600642",
            "010-68600642-801",
            "010-68600642转801",
            "4008001234",
            "010-68600642；13810377984",
        ] {
            assert!(valid_phone(p), "{p}");
        }
        // Written as people really write them.
        for p in [
            "138-1037-7984",
            "138 1037 7984",
            "+86 10 68600642",
            "+86-10-68600642",
            "+86 (10) 6860 0642",
            "0086 13810377984",
            "+8613810377984",
            "86-010-68600642",
            "(010)68600642",
            "（010）68600642",
            "010-68600642转123",
            "010-68600642 分机 123",
            "010-68600642 ext. 5",
            "0755-8600-1234",
            "0571-8888888",
            "010 6860 0642",
            "１３８１０３７７９８４",
            "010-68600642；13810377984",
            "010-68600642;13810377984",
            "010-68600642、13810377984",
            "010-68600642,13810377984",
            "010-68600642/13810377984",
            "400-800-1234",
            "+1 650 253 0000",
        ] {
            assert!(valid_phone(p), "{p}");
        }
        for p in [
            "12345",
            "23810377984",
            "电话",
            "010-686",
            "138103779841",
            "1381037798",
            "+86 1381037798",
            "138-1037-798a",
            "tel 13810377984",
            "0101234567",
            "68600642",
            "010-68600642转abc",
            "；",
            "+86",
        ] {
            assert!(!valid_phone(p), "{p}");
        }
    }
}
