//! Paper score sheets typed in by a secretary: parsing and checking `SCORES.csv`.
//!
//! The whole file is checked before anything is written: one bad cell rejects it.

use crate::domain::batch::Batch;
use crate::domain::marks::{MAX_COMMENT_CHARS, MAX_REASON_CHARS, check_length};
use crate::domain::rubric::Rubric;
use crate::io::import;
pub use crate::io::import::column_letter;
use crate::text::i18n::{Lang, Msg, T};
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// One typed-in row: an expert's marks for one item.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRow {
    /// The file line.
    pub line: usize,
    /// The item id.
    pub id: String,
    /// Every criterion in rubric order, `None` = unscored.
    pub scores: Vec<(String, Option<f64>)>,
    /// `Some(reason)` when recused, `None` when not; absent column = leave as is.
    pub recusal: Option<Option<String>>,
    /// The comment; absent column = leave as is.
    pub comment: Option<String>,
}

/// A problem in a score file, pointing at line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryError {
    /// The file.
    pub path: PathBuf,
    /// The line (1-based).
    pub line: usize,
    /// The column, as `C (可行性)`, when the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong.
    pub message: Msg,
}

impl EntryError {
    /// The problem with where it is, in a language.
    pub fn render(&self, lang: Lang) -> String {
        let (path, line) = (self.path.display().to_string(), self.line.to_string());
        let at = match &self.column {
            Some(c) => T::EntCellAt.fill(lang, &[("path", &path), ("line", &line), ("column", c)]),
            None => T::EntLineAt.fill(lang, &[("path", &path), ("line", &line)]),
        };
        at + &self.message.render(lang)
    }
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Col {
    Id,
    Name,
    Criterion(usize),
    Recused,
    Reason,
    Comment,
}

fn classify(header: &str, rubric: &Rubric) -> Option<Col> {
    // `可行性（0–10分）`, `*编号`: notes and markers are not part of the name.
    let h = crate::domain::batch::strip_header_notes(header);
    let h = h.as_str();
    let lower = h.to_ascii_lowercase();
    match lower.as_str() {
        "编号" | "id" => return Some(Col::Id),
        "技术名称" | "name" => return Some(Col::Name),
        "回避" | "recused" | "recusal" => return Some(Col::Recused),
        "回避原因" | "recusal_reason" | "reason" => return Some(Col::Reason),
        "评语" | "comment" | "意见" => return Some(Col::Comment),
        _ => {}
    }
    rubric.find(h).map(|(i, _)| Col::Criterion(i))
}

/// Parses yes/no in Chinese or English; empty is "no".
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "是" | "yes" | "y" | "true" | "1" | "回避" => Some(true),
        "否" | "no" | "n" | "false" | "0" | "" => Some(false),
        _ => None,
    }
}

/// A score as typed with a Chinese input method, in ASCII: full-width digits and point
/// (`７．５`) become `7.5`; everything else stays, so a real typing mistake is still refused.
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            // Full-width forms U+FF10–U+FF19 mirror ASCII `0`–`9`.
            '０'..='９' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '．' => '.',
            c => c,
        })
        .collect()
}

/// Why a score file was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read at all (missing, a directory, no permission).
    #[error("{}: cannot read", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is no workbook revdesk can read (damaged, or beyond the workbook limits).
    #[error("{}: cannot read: {message}", path.display())]
    Workbook {
        /// The file.
        path: PathBuf,
        /// Why, in the catalogue.
        message: crate::text::i18n::Msg,
    },
    /// The file was read and has problems; nothing may be stored.
    #[error("{} problem(s)", .0.len())]
    Rejected(Vec<EntryError>),
}

/// Reads and checks a score file against a batch and a rubric.
pub fn read(path: &Path, batch: &Batch, rubric: &Rubric) -> Result<Vec<EntryRow>, ReadError> {
    let bytes =
        crate::io::fsafe::read(path, crate::io::fsafe::MAX_SCORES_BYTES).map_err(|source| {
            ReadError::Unreadable {
                path: path.to_path_buf(),
                source,
            }
        })?;
    if import::Format::of(path) == Some(import::Format::Xlsx) {
        return parse_workbook(path, &bytes, batch, rubric);
    }
    let (text, _) = import::decode(&bytes).map_err(|e| {
        ReadError::Rejected(vec![EntryError {
            path: path.to_path_buf(),
            line: e.line(),
            column: None,
            message: e.msg(),
        }])
    })?;
    parse(path, &text, batch, rubric).map_err(ReadError::Rejected)
}

/// Reads a workbook's first sheet as a score file (a form typed into and saved as it is); a
/// file that is not a readable workbook cannot be read at all.
pub fn parse_workbook(
    path: &Path,
    bytes: &[u8],
    batch: &Batch,
    rubric: &Rubric,
) -> Result<Vec<EntryRow>, ReadError> {
    let cells = import::first_sheet(bytes).map_err(|message| ReadError::Workbook {
        path: path.to_path_buf(),
        message,
    })?;
    let records: Vec<(usize, Vec<String>)> = cells
        .into_rows()
        .into_iter()
        .map(|(line, cells)| (line, cells.into_iter().map(|c| c.text).collect()))
        .collect();
    check(path, &records, batch, rubric).map_err(ReadError::Rejected)
}

/// Parses score-file text; every problem is returned, and no row when there is any.
pub fn parse(
    path: &Path,
    text: &str,
    batch: &Batch,
    rubric: &Rubric,
) -> Result<Vec<EntryRow>, Vec<EntryError>> {
    let err = |line: usize, column: Option<String>, message: Msg| EntryError {
        path: path.to_path_buf(),
        line,
        column,
        message,
    };
    // The csv crate's line numbers lag on CRLF and ignore CR-only ends; count lines ourselves.
    let lines = import::LineIndex::new(text);
    let line_at = |byte: usize| lines.line_at(byte);
    // Excel's "Unicode text" is tab-separated: the header line says which.
    let delimiter = match text.split(['\r', '\n']).find(|l| !l.trim().is_empty()) {
        Some(l) if l.contains('\t') && !l.contains(',') => b'\t',
        _ => b',',
    };
    if let Some(at) = import::unclosed_quote(text, delimiter) {
        return Err(vec![err(
            lines.line_of(at),
            None,
            Msg::new(T::UnclosedQuote, &[]),
        )]);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for r in rdr.records() {
        match r {
            Ok(rec) => {
                let line = rec
                    .position()
                    .map(|p| line_at(p.byte() as usize))
                    .unwrap_or(0);
                if rec.iter().any(|c| !c.trim().is_empty()) {
                    records.push((line, rec.iter().map(String::from).collect()));
                }
            }
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| line_at(p.byte() as usize))
                    .unwrap_or(0);
                return Err(vec![err(
                    line,
                    None,
                    Msg::new(T::EntNotCsv, &[("err", &e.to_string())]),
                )]);
            }
        }
    }
    check(path, &records, batch, rubric)
}

/// Checks a score file's rows (line, cells), the empty ones left out: every problem is
/// returned, and no row when there is any.
fn check(
    path: &Path,
    records: &[(usize, Vec<String>)],
    batch: &Batch,
    rubric: &Rubric,
) -> Result<Vec<EntryRow>, Vec<EntryError>> {
    let mut errors = Vec::new();
    let err = |line: usize, column: Option<String>, message: Msg| EntryError {
        path: path.to_path_buf(),
        line,
        column,
        message,
    };
    // A title row above the header (`专家评分表（李四）`, as forms print it) is skipped the way
    // the batch importer skips one: the header is the first row naming enough columns.
    let at = import::header_index(
        records
            .iter()
            .map(|(_, rec)| rec.iter().filter(|h| classify(h, rubric).is_some()).count()),
    );
    let Some((hline, header)) = records.get(at) else {
        return Err(vec![err(1, None, Msg::new(T::EntEmpty, &[]))]);
    };
    let mut cols: Vec<Option<Col>> = Vec::new();
    let mut seen: Vec<Col> = Vec::new();
    let name_of = |i: usize, h: &str| format!("{} ({})", column_letter(i), h.trim());
    for (i, h) in header.iter().enumerate() {
        match classify(h, rubric) {
            Some(c) if seen.contains(&c) => {
                errors.push(err(
                    *hline,
                    Some(name_of(i, h)),
                    Msg::new(T::EntRepeatsColumn, &[]),
                ));
                cols.push(None);
            }
            Some(c) => {
                seen.push(c);
                cols.push(Some(c));
            }
            None if h.trim().is_empty() => cols.push(None),
            None => {
                errors.push(err(
                    *hline,
                    Some(name_of(i, h)),
                    Msg::new(
                        T::EntUnknownColumn,
                        &[(
                            "criteria",
                            &rubric
                                .criteria
                                .iter()
                                .map(|c| format!("{}/{}", c.label, c.key))
                                .collect::<Vec<_>>()
                                .join(", "),
                        )],
                    ),
                ));
                cols.push(None);
            }
        }
    }
    if !seen.contains(&Col::Id) {
        errors.push(err(*hline, None, Msg::new(T::EntMissingId, &[])));
    }
    for (ci, c) in rubric.criteria.iter().enumerate() {
        if !seen.contains(&Col::Criterion(ci)) {
            errors.push(err(
                *hline,
                None,
                Msg::new(
                    T::EntMissingCriterion,
                    &[("label", &c.label), ("key", &c.key)],
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let has_recused = seen.contains(&Col::Recused);
    let has_reason = seen.contains(&Col::Reason);
    let has_comment = seen.contains(&Col::Comment);
    // Header cells up to the last non-empty one; a row reaching past it lost a split cell.
    let width = import::used_width(header.iter().map(String::as_str));
    let known: HashSet<&str> = batch.items.iter().map(|i| i.id.as_str()).collect();
    let mut ids_seen: Vec<(String, usize)> = Vec::new();
    let mut rows = Vec::new();
    for (line, rec) in &records[at + 1..] {
        let line = *line;
        let mut row = EntryRow {
            line,
            id: String::new(),
            scores: rubric
                .criteria
                .iter()
                .map(|c| (c.key.clone(), None))
                .collect(),
            recusal: None,
            comment: None,
        };
        let mut recused = false;
        let mut reason = String::new();
        let mut any_score = false;
        let cells = import::used_width(rec.iter().map(String::as_str));
        if cells > width {
            let first = (width..cells)
                .find(|&i| rec.get(i).is_some_and(|c| !c.trim().is_empty()))
                .unwrap_or(width);
            errors.push(err(
                line,
                Some(column_letter(first)),
                Msg::new(
                    T::EntExtraCells,
                    &[("cells", &cells.to_string()), ("width", &width.to_string())],
                ),
            ));
        }
        for (i, cell) in rec.iter().enumerate() {
            let Some(Some(col)) = cols.get(i) else {
                continue;
            };
            let cname = || name_of(i, header.get(i).map_or("", String::as_str));
            let v = import::clean(cell);
            match col {
                Col::Id => row.id = v,
                Col::Name => {}
                Col::Criterion(ci) => {
                    if v.is_empty() {
                        continue;
                    }
                    let c = &rubric.criteria[*ci];
                    match c.parse(&ascii_digits(&v)) {
                        Ok(s) => {
                            row.scores[*ci].1 = Some(s);
                            any_score = true;
                        }
                        Err(e) => errors.push(err(
                            line,
                            Some(cname()),
                            Msg::new(T::EntScore, &[]).then(e.msg()),
                        )),
                    }
                }
                Col::Recused => match parse_bool(&v) {
                    Some(b) => recused = b,
                    None => errors.push(err(
                        line,
                        Some(cname()),
                        Msg::new(T::EntNotBool, &[("v", &v)]),
                    )),
                },
                Col::Reason | Col::Comment => {
                    // Refused here, at the cell, rather than by the store after half the file.
                    let (what, max) = match col {
                        Col::Reason => ("recusal reason", MAX_REASON_CHARS),
                        _ => ("comment", MAX_COMMENT_CHARS),
                    };
                    if let Err(e) = check_length(what, &v, max) {
                        errors.push(err(line, Some(cname()), e.msg()));
                    }
                    if *col == Col::Reason {
                        reason = v;
                    } else {
                        row.comment = Some(v);
                    }
                }
            }
        }
        if has_comment && row.comment.is_none() {
            row.comment = Some(String::new());
        }
        if row.id.is_empty() {
            errors.push(err(line, None, Msg::new(T::EntEmptyId, &[])));
            continue;
        }
        if !known.contains(row.id.as_str()) {
            errors.push(err(
                line,
                None,
                Msg::new(
                    T::EntNotInBatch,
                    &[
                        ("id", &row.id),
                        ("batch", &batch.path.display().to_string()),
                    ],
                ),
            ));
        }
        if let Some((_, first)) = ids_seen.iter().find(|(id, _)| *id == row.id) {
            errors.push(err(
                line,
                None,
                Msg::new(
                    T::EntRepeatedId,
                    &[("id", &row.id), ("first", &first.to_string())],
                ),
            ));
        }
        ids_seen.push((row.id.clone(), line));
        if recused {
            if any_score {
                errors.push(err(
                    line,
                    None,
                    Msg::new(T::EntRecusedScores, &[("id", &row.id)]),
                ));
            }
            if reason.is_empty() {
                errors.push(err(
                    line,
                    None,
                    Msg::new(T::EntRecusedNoReason, &[("id", &row.id)]),
                ));
            }
            row.recusal = Some(Some(reason));
        } else if has_recused {
            row.recusal = Some(None);
        } else if has_reason && !reason.is_empty() {
            errors.push(err(line, None, Msg::new(T::EntReasonNoColumn, &[])));
        }
        rows.push(row);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::batch::{BatchMeta, Item, ProjectType};
    use crate::domain::profile::Profile;

    fn batch() -> Batch {
        let item = |id: &str| Item {
            id: id.into(),
            name: "n".into(),
            domain: "biomedicine".into(),
            industry: vec!["2710".into()],
            project_type: ProjectType::Applied,
            trl: 6,
            applicant: "a".into(),
            recommender: "r".into(),
            contact: String::new(),
            phone: String::new(),
            address: String::new(),
            email: String::new(),
            team: "t".into(),
            ip: String::new(),
            awards: String::new(),
            level: "l".into(),
            benefits: "b".into(),
            level_detail: String::new(),
            benefits_detail: String::new(),
            preliminary_rank: None,
            preliminary_score: None,
            line: 2,
        };
        Batch::new(
            "b.csv".into(),
            BatchMeta::default(),
            Some("biomedicine".into()),
            vec![item("B-1"), item("B-2"), item("B-3")],
        )
    }

    const HEAD: &str =
        "编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景,回避,回避原因,评语\n";

    #[test]
    fn reads_a_good_sheet() {
        let p = Profile::kczg_2020();
        let text = format!("{HEAD}B-1,8,7,6,5,9,8,否,,好\nB-2,,,,,,,是,同一单位,\nB-3,7,,,,,,,,\n");
        let rows = parse(Path::new("s.csv"), &text, &batch(), p.rubric()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].scores[0], ("feasibility".into(), Some(8.0)));
        assert_eq!(rows[0].comment.as_deref(), Some("好"));
        assert_eq!(rows[0].recusal, Some(None));
        assert_eq!(rows[1].recusal, Some(Some("同一单位".into())));
        assert_eq!(rows[2].scores[1].1, None);
        assert_eq!(rows[2].line, 4);
    }

    #[test]
    fn over_long_comments_and_reasons_are_refused_at_their_cell() {
        let p = Profile::kczg_2020();
        let at_limit = "评".repeat(MAX_COMMENT_CHARS);
        let text = format!("{HEAD}B-1,8,,,,,,否,,{at_limit}\n");
        assert!(parse(Path::new("s.csv"), &text, &batch(), p.rubric()).is_ok());
        let long = "评".repeat(MAX_COMMENT_CHARS + 1);
        let reason = "因".repeat(MAX_REASON_CHARS + 1);
        let text = format!("{HEAD}B-1,8,,,,,,否,,{long}\nB-2,,,,,,,是,{reason},\n");
        let e = parse(Path::new("s.csv"), &text, &batch(), p.rubric()).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].line, e[0].column.as_deref()), (2, Some("J (评语)")));
        assert_eq!(
            e[0].message,
            "the comment has 5001 characters; at most 5000 are allowed"
        );
        assert_eq!(
            (e[1].line, e[1].column.as_deref()),
            (3, Some("I (回避原因)"))
        );
        assert!(
            e[1].message.to_string().contains("recusal reason has 501"),
            "{}",
            e[1]
        );
    }

    #[test]
    fn cr_only_sheets_name_the_right_line() {
        let p = Profile::kczg_2020();
        let text = HEAD.replace('\n', "\r") + "B-1,8,7,6,5,9,8,否,,\rB-2,11,,,,,,,,\r";
        let errs = parse(Path::new("s.csv"), &text, &batch(), p.rubric()).unwrap_err();
        assert_eq!(errs[0].line, 3, "{errs:?}");
    }

    #[test]
    fn unclosed_quotes_and_split_cells_reject_the_file() {
        let p = Profile::kczg_2020();
        let text = format!("{HEAD}B-1,8,7,6,5,9,8,否,,\"好\nB-2,1,1,1,1,1,1,否,,ok\n");
        let errs = parse(Path::new("s.csv"), &text, &batch(), p.rubric()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 2);
        assert!(
            errs[0].message.to_string().contains("never closed"),
            "{errs:?}"
        );
        let text = format!("{HEAD}B-1,8,7,6,5,9,8,否,,好,但贵\nB-2,1,1,1,1,1,1,否,,ok,,\n");
        let errs = parse(Path::new("s.csv"), &text, &batch(), p.rubric()).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            errs[0].to_string(),
            "s.csv:2: column K: row has 11 cells but the header has 10 columns; a cell holding a \
             comma must be in double quotes"
        );
    }

    #[test]
    fn tab_separated_sheets_and_noted_headers() {
        let p = Profile::kczg_2020();
        let text = "编号\t可行性（0–10分）\t先进性\t原创性\t不可替代性\t技术成熟度\t*市场前景\t评语\nB-1\t8\t7\t6\t5\t9\t8\t好，但贵\n";
        let rows = parse(Path::new("s.txt"), text, &batch(), p.rubric()).unwrap();
        assert_eq!(rows[0].scores[0].1, Some(8.0));
        assert_eq!(rows[0].comment.as_deref(), Some("好，但贵"));
    }

    #[test]
    fn english_headers_any_order() {
        let p = Profile::kczg_2020();
        let text = "market,id,feasibility,novelty,originality,irreplaceability,maturity\n3,B-2,1,2,3,4,5\n";
        let rows = parse(Path::new("s.csv"), text, &batch(), p.rubric()).unwrap();
        assert_eq!(rows[0].scores[5].1, Some(3.0));
        assert_eq!(rows[0].recusal, None);
        assert_eq!(rows[0].comment, None);
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let p = Profile::kczg_2020();
        let text = format!(
            "{HEAD}B-1,11,7,6,5,9,8,否,,\nB-9,1,1,1,1,1,1,否,,\nB-2,1,1,1,1,1,1,是,,\nB-1,x,,,,,,也许,,\n"
        );
        let errs = parse(Path::new("s.csv"), &text, &batch(), p.rubric()).unwrap_err();
        let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(
            lines.contains(
                &"s.csv:2: column B (可行性): score 11 is not between 0 and 10".to_string()
            ),
            "{lines:#?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("s.csv:3: id 'B-9' is not in batch"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("s.csv:4:") && l.contains("recused but has scores"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("s.csv:4:") && l.contains("without a 回避原因"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("s.csv:5: column B (可行性): score 'x'"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("s.csv:5: column H (回避)"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("s.csv:5: id 'B-1' appears again (first at line 2)"))
        );
    }

    #[test]
    fn title_rows_above_the_header_are_skipped() {
        let p = Profile::kczg_2020();
        let text = format!("专家评分表（李四）,,,\n\n{HEAD}B-1,8,7,6,5,9,8,否,,好\n");
        let rows = parse(Path::new("s.csv"), &text, &batch(), p.rubric()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 4);
        assert_eq!(rows[0].scores[5].1, Some(8.0));
        // Without a header anywhere the first row is still the one blamed.
        let errs = parse(
            Path::new("s.csv"),
            "专家评分表（李四）\nB-1,8\n",
            &batch(),
            p.rubric(),
        )
        .unwrap_err();
        assert!(
            errs[0]
                .to_string()
                .starts_with("s.csv:1: column A (专家评分表（李四）)")
        );
    }

    #[test]
    fn a_file_named_xlsx_that_is_no_workbook_cannot_be_read() {
        let p = Profile::kczg_2020();
        let e = parse_workbook(Path::new("s.xlsx"), b"no zip", &batch(), p.rubric()).unwrap_err();
        let ReadError::Workbook { path, message } = e else {
            panic!("{e:?}")
        };
        assert_eq!(path, Path::new("s.xlsx"));
        assert!(message.to_string().contains("not a"), "{message}");
    }

    #[test]
    fn full_width_digits_are_scores() {
        // Half points, so that `７．５` is a score this rubric allows.
        let mut p = Profile::kczg_2020();
        for c in &mut p.criteria.criteria {
            c.step = 0.5;
        }
        let text = format!("{HEAD}B-1,８,７．５,１０,5,9,8,否,,\nB-2,８ａ,,,,,,,,\n");
        let errs = parse(Path::new("s.csv"), &text, &batch(), p.rubric()).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            errs[0].to_string(),
            "s.csv:3: column B (可行性): score '8ａ' is not a number"
        );
        let text = format!("{HEAD}B-1,８,７．５,１０,5,9,8,否,,\n");
        let rows = parse(Path::new("s.csv"), &text, &batch(), p.rubric()).unwrap();
        let got: Vec<Option<f64>> = rows[0].scores.iter().map(|(_, v)| *v).collect();
        assert_eq!(
            got,
            [
                Some(8.0),
                Some(7.5),
                Some(10.0),
                Some(5.0),
                Some(9.0),
                Some(8.0)
            ]
        );
        assert_eq!(ascii_digits("０１２３４５６７８９．"), "0123456789.");
    }

    #[test]
    fn header_problems() {
        let p = Profile::kczg_2020();
        let errs = parse(
            Path::new("s.csv"),
            "编号,可行性,可行性,备注\n",
            &batch(),
            p.rubric(),
        )
        .unwrap_err();
        let all: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(
            all.iter().any(|l| l.contains("column C (可行性): repeats")),
            "{all:#?}"
        );
        assert!(
            all.iter()
                .any(|l| l.contains("column D (备注): unknown column"))
        );
        assert!(
            all.iter()
                .any(|l| l.contains("missing the column for criterion 市场前景 (market)"))
        );
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }
}
