//! `revdesk validate` of a CSV or spreadsheet batch without keeping it: each row is checked and
//! hashed as it is read (a spreadsheet's as it is taken from the sheet read), then its text
//! dropped.
//!
//! Keeping every nomination's text (to build the batch, then hash it) cost more than reading
//! it: a fresh page of memory per 4 KiB of a 229 MiB file. Two things the rules need come only
//! at the end, so they are guessed and the guess checked: the batch's domain (the majority of
//! all rows decides it, and every row's check depends on it) is guessed from the first rows
//! with the same rule; the hash covers the items in id order, so items are hashed as they come
//! while their ids rise. A wrong guess, or ids out of order, and the file is read again the
//! usual way ([`super::load`]): the verdict is always the one the kept batch gives.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{
    Ctx, DomainSource, Facts, Finding, Options, Report, batch, batch_rules, check_row_in_batch,
    sorted,
};
use crate::domain::batch::{Field, Item, ItemHasher};
use crate::domain::profile::Profile;
use crate::io::import::{self, Format, ImportError, RawBatch, RawRow, RowSink};
use crate::text::i18n::Lang;

/// What validating a batch found, without its items: what `revdesk validate` reports.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The file.
    pub path: PathBuf,
    /// The batch's domain key (None for a final-review batch or when unknown).
    pub domain: Option<String>,
    /// How the domain was decided.
    pub domain_source: DomainSource,
    /// Every finding, in file order.
    pub findings: Vec<Finding>,
    /// Rows read from the file.
    pub rows: usize,
    /// Usable items.
    pub usable: usize,
    /// The content hash of the usable items.
    pub hash: String,
    /// The items, when the batch was loaded whole: kept so that a caller about to exit can
    /// leave them to the process's end instead of freeing them one by one.
    _kept: Vec<Item>,
}

impl From<Report> for Verdict {
    fn from(r: Report) -> Self {
        Verdict {
            usable: r.batch.items.len(),
            path: r.batch.path,
            domain: r.batch.domain,
            domain_source: r.domain_source,
            findings: r.findings,
            rows: r.rows,
            hash: r.batch.hash,
            _kept: r.batch.items,
        }
    }
}

impl Verdict {
    fn facts(&self) -> Facts<'_> {
        Facts {
            findings: &self.findings,
            path: &self.path,
            domain: self.domain.as_deref(),
            domain_source: self.domain_source,
            rows: self.rows,
            usable: self.usable,
            hash: &self.hash,
        }
    }

    /// Number of errors (warnings count as errors when `strict`).
    pub fn errors(&self, strict: bool) -> usize {
        self.facts().errors(strict)
    }

    /// The findings as lines, followed by a summary line, in a language.
    pub fn render_text_in(&self, strict: bool, profile: &Profile, lang: Lang) -> String {
        self.facts().render_text_in(strict, profile, lang)
    }
}

/// Validates a batch file as [`super::load`] does, keeping no item: a CSV is checked and
/// hashed as it is read, a spreadsheet's rows as they are taken from its sheet (a JSON batch
/// is loaded whole).
pub fn check_file(path: &Path, profile: &Profile, opts: &Options) -> Result<Verdict, ImportError> {
    let read = match Format::of(path) {
        Some(Format::Csv) => import::read_csv_rows,
        Some(Format::Xlsx) => import::read_xlsx_rows,
        _ => return super::load(path, profile, opts).map(Verdict::from),
    };
    let mut s = Streaming::new(profile, opts);
    let raw = read(path, &mut s)?;
    match s.finish(raw) {
        Some(v) => Ok(v),
        None => super::load(path, profile, opts).map(Verdict::from),
    }
}

/// [`check_file`] of CSV or spreadsheet bytes already in memory; whether the stream's guesses
/// held (for tests).
#[cfg(test)]
fn check_bytes(
    path: &Path,
    format: Format,
    bytes: &[u8],
    profile: &Profile,
    opts: &Options,
) -> Result<(Verdict, bool), ImportError> {
    let mut s = Streaming::new(profile, opts);
    let raw = match format {
        Format::Xlsx => import::read_xlsx_bytes_rows(path, bytes, &mut s)?,
        _ => import::read_csv_bytes_rows(path, bytes, &mut s)?,
    };
    Ok(match s.finish(raw) {
        Some(v) => (v, true),
        None => {
            let report = super::load_bytes(path, format, bytes, profile, opts)?;
            (Verdict::from(report), false)
        }
    })
}

/// The rows read so far, checked and hashed.
struct Streaming<'p> {
    profile: &'p Profile,
    opts: &'p Options,
    /// Each row's id, domain and recommender: what the rules across rows read.
    slim: Vec<RawRow>,
    /// The domain the rows are checked against, guessed from the first row.
    guess: Option<Option<String>>,
    final_review: bool,
    /// The rows' findings, in the order they were found.
    findings: Vec<Finding>,
    first_line: HashMap<String, usize>,
    hasher: ItemHasher,
    usable: usize,
    /// The last hashed item's id: the next must not sort before it.
    last_id: Option<String>,
    /// A guess failed: the file is to be read again.
    gave_up: bool,
}

impl<'p> Streaming<'p> {
    fn new(profile: &'p Profile, opts: &'p Options) -> Self {
        Streaming {
            profile,
            opts,
            slim: vec![],
            guess: None,
            final_review: false,
            findings: vec![],
            first_line: HashMap::new(),
            hasher: ItemHasher::new(),
            usable: 0,
            last_id: None,
            gave_up: false,
        }
    }

    /// The batch's domain as the rules decide it from `raw` and these rows.
    fn decide(&self, raw: &RawBatch, rows: Vec<RawRow>) -> (Option<String>, DomainSource, bool) {
        // The sink keeps no row in `raw`: cloning it copies the header only.
        let view = RawBatch {
            rows,
            ..raw.clone()
        };
        let mut cx = Ctx {
            raw: &view,
            findings: vec![],
        };
        batch_rules(&mut cx, self.profile, self.opts)
    }

    /// Every finding and the hash, when the guesses held; `None` when the file must be read
    /// again and kept.
    fn finish(self, raw: RawBatch) -> Option<Verdict> {
        let Streaming {
            profile,
            opts,
            slim,
            guess,
            mut findings,
            hasher,
            usable,
            gave_up,
            ..
        } = self;
        if gave_up {
            return None;
        }
        let view = RawBatch { rows: slim, ..raw };
        let mut cx = Ctx {
            raw: &view,
            findings: vec![],
        };
        let (domain, domain_source, _) = batch_rules(&mut cx, profile, opts);
        if !view.rows.is_empty() && guess.as_ref() != Some(&domain) {
            return None;
        }
        cx.findings.append(&mut findings);
        batch::over_quota(&mut cx, profile);
        Some(Verdict {
            path: view.path.clone(),
            domain,
            domain_source,
            findings: sorted(cx.findings),
            rows: view.rows.len(),
            usable,
            hash: hasher.finish(),
            _kept: vec![],
        })
    }
}

/// What the rules across rows read of a row: its line, id, domain and recommender.
fn slim(row: &RawRow) -> RawRow {
    let mut s = RawRow {
        line: row.line,
        ..RawRow::default()
    };
    for f in [Field::Id, Field::Domain, Field::Recommender] {
        if let Some(v) = row.values.get(&f) {
            s.values.insert(f, v.clone());
        }
    }
    s
}

impl RowSink for Streaming<'_> {
    fn start(&mut self) {
        if !self.slim.is_empty() || self.gave_up {
            *self = Streaming::new(self.profile, self.opts);
        }
    }

    fn row(&mut self, raw: &mut RawBatch, mut row: RawRow) -> bool {
        self.slim.push(slim(&row));
        if self.guess.is_none() {
            // The first row's domain is the majority of the rows so far.
            let (domain, _, final_review) = self.decide(raw, self.slim.clone());
            self.guess = Some(domain);
            self.final_review = final_review;
        }
        let guess = self.guess.clone().flatten();
        let mut cx = Ctx {
            raw,
            findings: std::mem::take(&mut self.findings),
        };
        let parts = check_row_in_batch(
            &mut cx,
            &row,
            &mut self.first_line,
            self.profile,
            guess.as_deref(),
            self.final_review,
        );
        self.findings = cx.findings;
        if let Some(parts) = parts {
            let item = parts.item(row.line, |f| row.values.remove(&f).unwrap_or_default());
            match &mut self.last_id {
                // Out of id order: the hash needs every item, so the file is read again.
                Some(last) if item.id < *last => {
                    self.gave_up = true;
                    return false;
                }
                Some(last) => last.clone_from(&item.id),
                None => self.last_id = Some(item.id.clone()),
            }
            self.hasher.push(item);
            self.usable += 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The verdict without the kept items, to compare.
    fn seen(v: &Verdict) -> impl PartialEq + std::fmt::Debug + '_ {
        (
            &v.path,
            &v.domain,
            v.domain_source,
            &v.findings,
            v.rows,
            v.usable,
            &v.hash,
        )
    }

    /// The streamed verdict of CSV `bytes` equals the one of the batch kept whole; whether the
    /// stream's guesses held.
    fn agrees(bytes: &[u8], opts: &Options) -> bool {
        agrees_as(Path::new("t.csv"), bytes, opts)
    }

    /// [`agrees`] for bytes of the format `path` names.
    fn agrees_as(path: &Path, bytes: &[u8], opts: &Options) -> bool {
        let profile = Profile::kczg_2020();
        let format = Format::of(path).unwrap();
        let kept = super::super::load_bytes(path, format, bytes, &profile, opts);
        let streamed = check_bytes(path, format, bytes, &profile, opts);
        match (kept, streamed) {
            (Ok(kept), Ok((streamed, held))) => {
                assert_eq!(seen(&Verdict::from(kept)), seen(&streamed));
                held
            }
            (Err(kept), Err(streamed)) => {
                assert_eq!(kept.to_string(), streamed.to_string());
                false
            }
            (kept, streamed) => panic!("kept {kept:?}, streamed {streamed:?}"),
        }
    }

    /// The option sets the fixtures are checked under.
    fn option_sets() -> [Options; 3] {
        [
            Options::default(),
            Options {
                domain: Some("生物医药".into()),
                ..Options::default()
            },
            Options {
                final_review: true,
                ..Options::default()
            },
        ]
    }

    /// The fixture files of `format` in `dirs`.
    fn fixtures(dirs: &[&str], format: Format) -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut files = vec![];
        for dir in dirs {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if Format::of(&p) == Some(format) {
                    files.push(p);
                }
            }
        }
        files
    }

    /// How many of the (fixture, option set) pairs the stream read once: every one agreed.
    fn held_on(files: &[PathBuf]) -> usize {
        let mut held = 0;
        for p in files {
            let bytes = std::fs::read(p).unwrap();
            for opts in option_sets() {
                held += usize::from(agrees_as(p, &bytes, &opts));
            }
        }
        held
    }

    #[test]
    fn every_fixture_csv_gives_the_verdict_of_the_kept_batch() {
        let files = fixtures(&["batches", "broken", "layouts"], Format::Csv);
        assert!(files.len() >= 12, "{files:?}");
        let held = held_on(&files);
        // Most fixtures are read once; the others fell back and still agreed.
        assert!(held >= files.len(), "{held} of {}", files.len() * 3);
    }

    #[test]
    fn every_fixture_workbook_gives_the_verdict_of_the_kept_batch() {
        let dirs = [
            "batches",
            "broken",
            "layouts",
            "hostile",
            "fuzz-regressions/xlsx",
        ];
        let files = fixtures(&dirs, Format::Xlsx);
        assert!(files.len() >= 6, "{files:?}");
        let held = held_on(&files);
        // The two batches are read once under every option set.
        assert!(held >= 6, "{held} of {}", files.len() * 3);
    }

    /// A generated workbook of `items` nominations with long texts (its shared strings are
    /// moved into their cells, the usual way for a real batch) agrees too, and is read once.
    #[test]
    fn a_large_generated_workbook_is_read_once() {
        use crate::io::synth::{self, OutFormat, Spec};
        let profile = Profile::kczg_2020();
        let spec = Spec {
            domain: "electronic-information".into(),
            items: 40,
            detail_chars: 3000,
            seed: 7,
        };
        let items = synth::items(&profile, &spec);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.xlsx");
        let domain = &spec.domain;
        synth::write(&profile, &items, "t", domain, OutFormat::Xlsx, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        for opts in option_sets() {
            assert!(agrees_as(&path, &bytes, &opts));
        }
        let kept = super::super::load(&path, &profile, &Options::default()).unwrap();
        let streamed = check_file(&path, &profile, &Options::default()).unwrap();
        assert_eq!(seen(&Verdict::from(kept)), seen(&streamed));
        assert_eq!(streamed.usable, 40);
    }

    /// A CSV with the required columns, a row per (id, domain, recommender).
    fn csv(rows: &[(&str, &str, &str)]) -> String {
        let mut s = String::from(
            "编号,技术名称,所属领域,重点服务行业,技术项目类型,技术就绪水平,申报单位,推荐单位,\
             技术团队简介,技术水平介绍,技术效益介绍\n",
        );
        for (id, domain, rec) in rows {
            s.push_str(&format!(
                "{id},名称\"\"{id}\"\",{domain},C2761,开发研究,7,单位,{rec},\"团队\n两行\",水平,效益\n"
            ));
        }
        s
    }

    #[test]
    fn a_wrong_domain_guess_or_ids_out_of_order_read_the_batch_again() {
        // The first row's domain is not the majority's.
        let text = csv(&[
            ("A-1", "电子信息", "r"),
            ("A-2", "生物医药", "r"),
            ("A-3", "生物医药", "s"),
        ]);
        assert!(!agrees(text.as_bytes(), &Options::default()));
        // Ids out of order.
        let text = csv(&[("B-2", "生物医药", "r"), ("B-1", "生物医药", "s")]);
        assert!(!agrees(text.as_bytes(), &Options::default()));
        // In order, one domain, a repeated id and a recommender over its quota: read once.
        let text = csv(&[
            ("C-1", "生物医药", "r"),
            ("C-1", "生物医药", "r"),
            ("C-2", "生物医药", "r"),
            ("C-3", "生物医药", "r"),
        ]);
        assert!(agrees(text.as_bytes(), &Options::default()));
        // GB18030 is found after the first rows were handed over: they are forgotten.
        let (gb, _, _) = encoding_rs::GB18030.encode(&text);
        assert!(agrees(&gb, &Options::default()));
    }

    /// A workbook with the required columns, a row per (id, domain, recommender), the TRL a
    /// number, after a title row.
    fn xlsx(rows: &[(&str, &str, &str)]) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "2020 年度推荐技术").unwrap();
        let text = csv(&[]);
        for (c, h) in text.trim_end().split(',').enumerate() {
            ws.write_string(1, c as u16, h).unwrap();
        }
        for (r, (id, domain, rec)) in rows.iter().enumerate() {
            let r = r as u32 + 2;
            let name = format!("名称\"{id}\"");
            let cells = [*id, &name, domain, "C2761", "开发研究"];
            for (c, v) in cells.iter().enumerate() {
                ws.write_string(r, c as u16, *v).unwrap();
            }
            ws.write_number(r, 5, 7.0).unwrap();
            for (c, v) in ["单位", rec, "团队\r\n两行", " 水平 ", "效益"]
                .iter()
                .enumerate()
            {
                ws.write_string(r, c as u16 + 6, *v).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_workbook_whose_guess_fails_is_read_again() {
        let path = Path::new("t.xlsx");
        let agrees =
            |rows: &[(&str, &str, &str)]| agrees_as(path, &xlsx(rows), &Options::default());
        // The first row's domain is not the majority's.
        assert!(!agrees(&[
            ("A-1", "电子信息", "r"),
            ("A-2", "生物医药", "r"),
            ("A-3", "生物医药", "s"),
        ]));
        // Ids out of order.
        assert!(!agrees(&[
            ("B-2", "生物医药", "r"),
            ("B-1", "生物医药", "s")
        ]));
        // In order, one domain, a repeated id and a recommender over its quota: read once.
        assert!(agrees(&[
            ("C-1", "生物医药", "r"),
            ("C-1", "生物医药", "r"),
            ("C-2", "生物医药", "r"),
            ("C-3", "生物医药", "r"),
        ]));
        // No rows, and a workbook that is not one.
        assert!(agrees(&[]));
        assert!(!agrees_as(
            path,
            b"PK\x03\x04 not a zip",
            &Options::default()
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn streamed_verdicts_are_the_kept_batchs(
            rows in proptest::collection::vec(
                (0u8..6, prop_oneof![Just("生物医药"), Just("电子信息"), Just("无此领域"), Just("")],
                 prop_oneof![Just("r"), Just("s"), Just("")]),
                0..12,
            ),
            sorted in any::<bool>(),
            domain in prop_oneof![Just(None), Just(Some("电子信息"))],
        ) {
            let mut rows: Vec<(String, &str, &str)> =
                rows.into_iter().map(|(n, d, r)| (format!("P-{n}"), d, r)).collect();
            if sorted {
                rows.sort();
            }
            let refs: Vec<(&str, &str, &str)> =
                rows.iter().map(|(i, d, r)| (i.as_str(), *d, *r)).collect();
            let opts = Options { domain: domain.map(str::to_string), ..Options::default() };
            agrees(csv(&refs).as_bytes(), &opts);
            agrees_as(Path::new("t.xlsx"), &xlsx(&refs), &opts);
        }
    }
}
