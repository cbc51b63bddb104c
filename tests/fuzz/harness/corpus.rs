//! Seeds: the project's fixtures (every batch format and encoding, broken batches, odd layouts,
//! profiles, themes, keymaps, signed sheets, the panel, a results export), cut down where they
//! are large so each run is quick, plus inputs made here (paper score sheets in each encoding,
//! small workbooks, one shortlist export per domain) and the small seeds in
//! `fixtures/fuzz-corpus/<target>/`.

use super::mutate::{Enc, Seed, Shape, csv_records, encode, unzip};
use ed25519_dalek::SigningKey;
use revdesk::domain::batch::Batch;
use revdesk::domain::profile::{KCZG_2020_TOML, Profile};
use revdesk::io::import::{TextEncoding, decode};
use revdesk::io::sheet::Sheet;
use revdesk::io::validate::{self, Options};
use std::fs;
use std::path::{Path, PathBuf};

/// What every target runs against: the rules, a batch, a signing key, shortlist exports.
pub struct Ctx {
    /// The built-in profile.
    pub profile: Profile,
    /// The 资源环境 batch the golden sheets were scored on.
    pub batch: Batch,
    /// The key mutated sheets are signed again with, to get past the signature.
    pub key: SigningKey,
    /// One shortlist export per domain (made from the golden export).
    pub exports: Vec<(PathBuf, String)>,
    /// More seeds: `<dir>/<target>/*` (a campaign's `--corpus`).
    pub extra: Option<PathBuf>,
}

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(p: &str) -> PathBuf {
    root().join("fixtures").join(p)
}

/// The files of a directory whose names end with one of `exts`, sorted by name.
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.to_string_lossy().to_lowercase();
            exts.iter().any(|e| name.ends_with(e))
        })
        .collect();
    out.sort();
    out
}

impl Ctx {
    /// Loads the context (fixtures must be present: this is the repository's test data).
    pub fn load(extra: Option<PathBuf>) -> Ctx {
        let profile = Profile::kczg_2020();
        let report = validate::load(
            &fixture("batches/resources-environment.json"),
            &profile,
            &Options::default(),
        )
        .expect("the 资源环境 fixture reads");
        let exports = shortlist_exports(&profile);
        Ctx {
            profile,
            batch: report.batch,
            key: SigningKey::from_bytes(&[7; 32]),
            exports,
            extra,
        }
    }

    /// Seeds from the extra corpus directory for `target`.
    fn extra_seeds(&self, target: &str, shape: fn(&[u8]) -> Shape) -> Vec<Seed> {
        let mut out = raw_dir(&fixture("fuzz-corpus").join(target), shape);
        if let Some(dir) = &self.extra {
            out.extend(raw_dir(&dir.join(target), shape));
        }
        out
    }
}

/// Every file of `dir` as a seed.
fn raw_dir(dir: &Path, shape: fn(&[u8]) -> Shape) -> Vec<Seed> {
    files(dir, &[""])
        .into_iter()
        .filter_map(|p| {
            let bytes = fs::read(&p).ok()?;
            Some(Seed {
                name: p.display().to_string(),
                shape: shape(&bytes),
                bytes,
            })
        })
        .collect()
}

/// The encoding to write a decoded file back in (BOM and byte order from its first bytes).
fn enc_of(e: TextEncoding, bytes: &[u8]) -> Enc {
    match e {
        TextEncoding::Utf8 if bytes.starts_with(b"\xEF\xBB\xBF") => Enc::Utf8Bom,
        TextEncoding::Utf8 => Enc::Utf8,
        TextEncoding::Utf16 if bytes.starts_with(b"\xFE\xFF") => Enc::Utf16Be,
        TextEncoding::Utf16 => Enc::Utf16Le,
        TextEncoding::Gb18030 => Enc::Gb18030,
    }
}

/// A CSV file's shape: its records and encoding, or raw bytes when it does not decode.
pub fn csv_shape(bytes: &[u8]) -> Shape {
    match decode(bytes) {
        Ok((text, e)) => Shape::Csv(csv_records(&text), enc_of(e, bytes)),
        Err(_) => Shape::Raw,
    }
}

/// A JSON file's shape.
pub fn json_shape(bytes: &[u8]) -> Shape {
    let text = String::from_utf8_lossy(bytes);
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_or(Shape::Raw, Shape::Json)
}

/// A TOML file's shape.
pub fn toml_shape(bytes: &[u8]) -> Shape {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .map_or(Shape::Raw, Shape::Toml)
}

/// A zip's shape.
pub fn zip_shape(bytes: &[u8]) -> Shape {
    unzip(bytes).map_or(Shape::Raw, Shape::Zip)
}

fn seed(name: impl Into<String>, bytes: Vec<u8>, shape: fn(&[u8]) -> Shape) -> Seed {
    Seed {
        name: name.into(),
        shape: shape(&bytes),
        bytes,
    }
}

fn file_seeds(paths: Vec<PathBuf>, shape: fn(&[u8]) -> Shape) -> Vec<Seed> {
    paths
        .into_iter()
        .filter_map(|p| Some(seed(p.display().to_string(), fs::read(&p).ok()?, shape)))
        .collect()
}

/// Writes records as CSV text with CRLF line ends.
fn csv_text(rows: &[Vec<String>], delimiter: u8) -> String {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_writer(Vec::new());
    for r in rows {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A CSV seed of `rows` in `enc`; UTF-16 is Excel's "Unicode text", so tab-separated.
fn csv_seed(name: String, rows: &[Vec<String>], enc: Enc) -> Seed {
    let delimiter = if matches!(enc, Enc::Utf16Le | Enc::Utf16Be) {
        b'\t'
    } else {
        b','
    };
    seed(name, encode(&csv_text(rows, delimiter), enc), csv_shape)
}

/// The header and first rows of the fixture CSV batches (full ones are slow to mutate).
fn small_batch_records() -> Vec<(String, Vec<Vec<String>>)> {
    files(&fixture("batches"), &[".csv"])
        .into_iter()
        .filter_map(|p| {
            let (text, _) = decode(&fs::read(&p).ok()?).ok()?;
            let rows = csv_records(&text);
            Some((p.display().to_string(), rows.into_iter().take(4).collect()))
        })
        .collect()
}

/// Batch CSV seeds: small cuts of the fixtures in every encoding, the broken batches and odd
/// layouts as they are.
pub fn batch_csv(ctx: &Ctx) -> Vec<Seed> {
    let mut out = Vec::new();
    for (name, rows) in small_batch_records() {
        for enc in [
            Enc::Utf8,
            Enc::Utf8Bom,
            Enc::Utf16Le,
            Enc::Utf16Be,
            Enc::Gb18030,
        ] {
            out.push(csv_seed(format!("{name} (cut, {enc:?})"), &rows, enc));
        }
        // Excel for Mac: CR line ends.
        let cr = csv_text(&rows, b',').replace("\r\n", "\r");
        out.push(seed(
            format!("{name} (cut, CR)"),
            cr.into_bytes(),
            csv_shape,
        ));
    }
    out.extend(file_seeds(files(&fixture("broken"), &[".csv"]), csv_shape));
    out.extend(file_seeds(
        files(&fixture("layouts"), &[".csv", ".txt"]),
        csv_shape,
    ));
    out.extend(ctx.extra_seeds("batch-csv", csv_shape));
    out
}

/// A small workbook of `rows` (TRL as a number when `numeric`), with an optional title row.
fn workbook(rows: &[Vec<String>], numeric: bool, title: bool) -> Option<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let mut r0 = 0u32;
    if title {
        ws.write_string(0, 0, "2020年“科创中国”先导技术榜单 推荐汇总表")
            .ok()?;
        r0 = 2;
    }
    for (i, row) in rows.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            let (r, c) = (r0 + i as u32, j as u16);
            match cell.parse::<f64>() {
                Ok(n) if numeric && i > 0 => ws.write_number(r, c, n).ok()?,
                _ => ws.write_string(r, c, cell).ok()?,
            };
        }
    }
    wb.save_to_buffer().ok()
}

/// XLSX seeds: small workbooks made from the CSV fixtures, the fixture workbooks, the
/// corrupt one.
pub fn xlsx(ctx: &Ctx) -> Vec<Seed> {
    let mut out = Vec::new();
    for (k, (name, rows)) in small_batch_records().into_iter().enumerate() {
        for (numeric, title) in [(false, false), (true, false), (k.is_multiple_of(2), true)] {
            if let Some(bytes) = workbook(&rows, numeric, title) {
                out.push(seed(
                    format!("{name} (workbook, numbers {numeric}, title {title})"),
                    bytes,
                    zip_shape,
                ));
            }
        }
    }
    out.extend(file_seeds(
        files(&fixture("batches"), &[".xlsx"]),
        zip_shape,
    ));
    out.extend(file_seeds(files(&fixture("broken"), &[".xlsx"]), zip_shape));
    out.extend(ctx.extra_seeds("xlsx", zip_shape));
    out
}

/// A JSON batch cut to its first items.
fn cut_items(mut v: serde_json::Value, n: usize) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Array(a) => a.truncate(n),
        serde_json::Value::Object(o) => {
            if let Some(serde_json::Value::Array(a)) = o.get_mut("items") {
                a.truncate(n);
            }
        }
        _ => {}
    }
    v
}

/// JSON batch seeds: the fixtures cut to a few items (also as a bare array), the broken ones.
pub fn batch_json(ctx: &Ctx) -> Vec<Seed> {
    let mut out = Vec::new();
    for p in files(&fixture("batches"), &[".json"]) {
        let Ok(text) = fs::read_to_string(&p) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let cut = cut_items(v, 3);
        let bare = cut.get("items").cloned().unwrap_or(serde_json::Value::Null);
        for (what, v) in [("cut", cut), ("bare array", bare)] {
            let bytes = serde_json::to_vec_pretty(&v).unwrap_or_default();
            out.push(seed(format!("{} ({what})", p.display()), bytes, json_shape));
        }
    }
    out.extend(file_seeds(
        files(&fixture("broken"), &[".json"]),
        json_shape,
    ));
    out.extend(ctx.extra_seeds("batch-json", json_shape));
    out
}

/// Paper score sheet seeds, made from the batch and rubric: Chinese and English headers,
/// scores, recusals and comments, in UTF-8 (with and without BOM), GB18030 and UTF-16 (tabs).
pub fn entry(ctx: &Ctx) -> Vec<Seed> {
    let criteria = &ctx.profile.rubric().criteria;
    let ids: Vec<&str> = ctx
        .batch
        .items
        .iter()
        .map(|i| i.id.as_str())
        .take(5)
        .collect();
    let mut out = Vec::new();
    for (variant, enc) in [Enc::Utf8, Enc::Utf8Bom, Enc::Gb18030, Enc::Utf16Le]
        .into_iter()
        .enumerate()
    {
        let english = variant % 2 == 1;
        let mut header = vec![if english { "id" } else { "编号" }.to_string()];
        if variant == 2 {
            header.push("技术名称".into());
        }
        for c in criteria {
            header.push(if english {
                c.key.clone()
            } else {
                format!("{}（0–10分）", c.label)
            });
        }
        for h in [
            ["回避", "recused"],
            ["回避原因", "recusal_reason"],
            ["评语", "comment"],
        ] {
            header.push(h[usize::from(english)].to_string());
        }
        let mut rows = vec![header];
        for (i, id) in ids.iter().enumerate() {
            let mut row = vec![id.to_string()];
            if variant == 2 {
                row.push("某技术".into());
            }
            let recused = i == 3;
            for (j, _) in criteria.iter().enumerate() {
                let s = if recused {
                    String::new()
                } else {
                    ((i * 3 + j * 5) % 11).to_string()
                };
                row.push(if j == 1 && i == 2 { "7.5".into() } else { s });
            }
            row.push(if recused { "是" } else { "否" }.into());
            row.push(if recused { "本人参与该项目" } else { "" }.into());
            row.push(
                if i == 1 {
                    "路线清晰，\"可行\"，\n需补充数据"
                } else {
                    ""
                }
                .into(),
            );
            rows.push(row);
        }
        out.push(csv_seed(
            format!("paper sheet {variant} ({enc:?})"),
            &rows,
            enc,
        ));
    }
    out.extend(ctx.extra_seeds("entry", csv_shape));
    out
}

/// Signed sheet seeds: the golden sheets as they are, and cut to a few items and signed again
/// with the fuzz key (so unmutated seeds verify).
pub fn sheet(ctx: &Ctx) -> Vec<Seed> {
    let paths = files(&fixture("golden/sheets"), &[".json"]);
    let mut out = file_seeds(paths.iter().take(2).cloned().collect(), json_shape);
    for p in &paths {
        let Ok(text) = fs::read_to_string(p) else {
            continue;
        };
        let Ok(mut s) = Sheet::parse(&text) else {
            continue;
        };
        s.items.truncate(4);
        let signed = s.sign(&ctx.key).to_pretty_json().into_bytes();
        out.push(seed(
            format!("{} (cut, signed again)", p.display()),
            signed,
            json_shape,
        ));
    }
    out.extend(ctx.extra_seeds("sheet", json_shape));
    out
}

/// Panel seeds: the golden panel.
pub fn panel(ctx: &Ctx) -> Vec<Seed> {
    let mut out = file_seeds(vec![fixture("golden/panel.toml")], toml_shape);
    out.extend(ctx.extra_seeds("panel", toml_shape));
    out
}

/// Profile seeds: the built-in profile, the fixture profiles, the invalid ones.
pub fn profile(ctx: &Ctx) -> Vec<Seed> {
    let mut out = vec![seed(
        "built-in kczg-2020",
        KCZG_2020_TOML.as_bytes().to_vec(),
        toml_shape,
    )];
    out.extend(file_seeds(
        files(&fixture("profiles"), &[".toml"]),
        toml_shape,
    ));
    out.extend(file_seeds(
        files(&fixture("profiles/invalid"), &[".toml"]),
        toml_shape,
    ));
    out.extend(ctx.extra_seeds("profile", toml_shape));
    out
}

fn config_files(prefix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["tests/valid_configs", "tests/invalid_configs"] {
        out.extend(
            files(&root().join(dir), &[".toml"])
                .into_iter()
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
                }),
        );
    }
    out
}

/// Theme seeds: the built-in themes and the sample theme files.
pub fn theme(ctx: &Ctx) -> Vec<Seed> {
    let mut out = file_seeds(files(&root().join("themes"), &[".toml"]), toml_shape);
    out.extend(file_seeds(config_files("theme_"), toml_shape));
    out.extend(ctx.extra_seeds("theme", toml_shape));
    out
}

/// Keymap seeds: the documented default file and the sample keymaps.
pub fn keymap(ctx: &Ctx) -> Vec<Seed> {
    let default = revdesk::tui::keymap::default_file().into_bytes();
    let mut out = vec![seed("keymap default file", default, toml_shape)];
    out.extend(file_seeds(config_files("keymap_"), toml_shape));
    out.extend(ctx.extra_seeds("keymap", toml_shape));
    out
}

/// Merge seeds: the shortlist exports.
pub fn merge(ctx: &Ctx) -> Vec<Seed> {
    let mut out: Vec<Seed> = ctx
        .exports
        .iter()
        .map(|(p, text)| {
            seed(
                p.display().to_string(),
                text.clone().into_bytes(),
                json_shape,
            )
        })
        .collect();
    out.extend(ctx.extra_seeds("merge", json_shape));
    out
}

/// One shortlist export per domain of `profile`, cut from the golden 资源环境 export: the
/// fields merge reads, ten nominations with short texts, ids prefixed by domain.
fn shortlist_exports(profile: &Profile) -> Vec<(PathBuf, String)> {
    use serde_json::Value;
    let Ok(text) = fs::read_to_string(fixture("golden/export.json")) else {
        return vec![];
    };
    let Ok(Value::Object(mut full)) = serde_json::from_str::<Value>(&text) else {
        return vec![];
    };
    for big in [
        "aggregation",
        "stability",
        "matrix",
        "experts",
        "decisions",
        "warnings",
    ] {
        full.remove(big);
    }
    let mut out = Vec::new();
    for (d, domain) in profile.domains.iter().enumerate() {
        let mut e = full.clone();
        let prefix = format!("D{d}-");
        e.insert("domain".into(), Value::String(domain.key.clone()));
        if let Some(Value::Array(rows)) = e.get_mut("rows") {
            rows.truncate(10);
            for r in rows.iter_mut() {
                if let Some(Value::String(id)) = r.get_mut("id") {
                    *id = format!("{prefix}{id}");
                }
            }
        }
        if let Some(Value::Array(noms)) = e.get_mut("nominations") {
            noms.truncate(10);
            for n in noms.iter_mut() {
                let Some(o) = n.as_object_mut() else { continue };
                for v in o.values_mut() {
                    if let Value::String(s) = v
                        && s.chars().count() > 40
                    {
                        *s = s.chars().take(40).collect();
                    }
                }
                if let Some(Value::String(id)) = o.get_mut("id") {
                    *id = format!("{prefix}{id}");
                }
            }
        }
        let text = serde_json::to_string_pretty(&Value::Object(e)).unwrap_or_default();
        out.push((PathBuf::from(format!("{}.json", domain.key)), text));
    }
    out
}
