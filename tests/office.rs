//! Papers the office prints and signs: the DOCX report, the XLSX workbook's print setup, paper
//! score forms (XLSX and DOCX) round-tripped through `enter`, paper sheets as secretaries type
//! them, and `sheet -o` into a directory that does not exist yet.

mod common;

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};
use revdesk::store::{ExpertScores, Store};
use std::io::Read;
use std::path::{Path, PathBuf};

const BATCH: &str = "fixtures/batches/resources-environment.json";
const SHEETS: &str = "fixtures/golden/sheets";
const PANEL: &str = "fixtures/golden/panel.toml";

fn revdesk() -> Command {
    let mut c = Command::cargo_bin("revdesk").expect("binary builds");
    // The CLI's messages in English, whatever the machine's locale (LC_ALL overrides LANG).
    c.env("LC_ALL", "en_US.UTF-8");
    c
}

/// Runs revdesk; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    common::outcome(&revdesk().args(args).output().expect("runs"))
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// One part of a zip package (a DOCX or an XLSX) as text.
fn part(file: &Path, name: &str) -> String {
    let f = std::fs::File::open(file).expect("open");
    let mut zip = zip::ZipArchive::new(f).expect("a zip package");
    let mut text = String::new();
    zip.by_name(name)
        .expect("part")
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

/// The text of a WordprocessingML part: the runs' text, tags removed, each paragraph a line.
fn docx_text(xml: &str) -> String {
    let xml = xml.replace("</w:p>", "\n").replace("<w:br />", "\n");
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

/// The first `<tag …>` element of `xml`, whole.
fn element<'x>(xml: &'x str, tag: &str) -> &'x str {
    let at = xml
        .find(&format!("<{tag} "))
        .unwrap_or_else(|| panic!("no <{tag}> in {xml}"));
    let end = xml[at..].find('>').expect("closed") + at;
    &xml[at..=end]
}

#[test]
fn the_docx_report_says_what_the_markdown_says_on_a4() {
    let dir = tempfile::tempdir().expect("dir");
    let (docx, json) = (dir.path().join("r.docx"), dir.path().join("r.json"));
    for (format, out) in [("docx", &docx), ("json", &json)] {
        let (code, _, err) = run(&[
            "export",
            BATCH,
            SHEETS,
            "--panel",
            PANEL,
            "--format",
            format,
            "-o",
            &s(out),
            "--force",
        ]);
        assert_eq!(code, 0, "{err}");
    }
    let xml = part(&docx, "word/document.xml");
    let text = docx_text(&xml);
    assert!(
        text.contains("2020年“科创中国”先导技术榜单 资源环境领域初评 评审结果"),
        "{text}"
    );
    for line in [
        "联盟：中国科协生态环境产学联合体",
        "领域：资源环境",
        "评审轮次：初评",
        "入围名单（28 项）",
        "序号",
        "专家分歧较大的项目",
        "评分方法：trimmed",
        "专家组（7 人）：王磊、李静、张伟、刘洋、陈晨、杨帆、赵敏。",
        "专家组组长签字：",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    // Every nomination on the list, by id, and every expert's signature line by name.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("parses");
    let listed: Vec<&str> = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["shortlisted"] == true)
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(listed.len(), 28);
    for id in &listed {
        assert!(text.contains(id), "{id}");
    }
    let panel = std::fs::read_to_string(PANEL).expect("panel");
    for e in v["experts"].as_array().expect("experts") {
        let name = e["name"].as_str().expect("name");
        assert!(
            text.contains(&format!("评审专家签字（{name}）：")),
            "{name}"
        );
    }
    // Names, never keys: no public key of the panel file is in the document.
    let keys: Vec<&str> = panel
        .lines()
        .filter_map(|l| l.strip_prefix("public_key = \""))
        .map(|k| k.trim_end_matches('"'))
        .collect();
    assert_eq!(keys.len(), 7);
    for k in keys {
        assert!(!xml.contains(k) && !xml.contains(&k[..16]), "key {k}");
    }
    // A4 portrait in twips, 宋体 for Chinese text.
    let pg = element(&xml, "w:pgSz");
    assert!(
        pg.contains(r#"w:w="11906""#) && pg.contains(r#"w:h="16838""#),
        "{pg}"
    );
    assert!(!pg.contains("landscape"), "{pg}");
    // Pages counted in the footer: 第 PAGE 页，共 NUMPAGES 页.
    let footer = docx_text(&part(&docx, "word/footer1.xml"));
    assert!(footer.contains("第 PAGE1 页，共 NUMPAGES1 页"), "{footer}");
    let styles = part(&docx, "word/styles.xml");
    assert!(styles.contains(r#"w:eastAsia="宋体""#), "{styles}");
    // The shortlist table's header row starts with 序号, then the rank.
    let list = &text[text.find("入围名单（28 项）").expect("list")..];
    assert!(list.contains("序号\n排名\n编号\n技术名称"), "{list}");
    assert!(list.contains("\n1\n1\nRE-001\n"), "{list}");
}

#[test]
fn the_xlsx_shortlist_prints_on_a4_with_its_title_header_and_signatures() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("r.xlsx");
    let (code, _, err) = run(&[
        "export",
        BATCH,
        SHEETS,
        "--panel",
        PANEL,
        "--format",
        "xlsx",
        "-o",
        &s(&out),
        "--force",
    ]);
    assert_eq!(code, 0, "{err}");
    // The first sheet is the shortlist: A4 (paper 9) landscape, one page wide, rows 1–2
    // (title and header) on every page.
    let sheet = part(&out, "xl/worksheets/sheet1.xml");
    let setup = element(&sheet, "pageSetup");
    for attr in [
        r#"paperSize="9""#,
        r#"orientation="landscape""#,
        r#"fitToHeight="0""#,
    ] {
        assert!(setup.contains(attr), "{attr} in {setup}");
    }
    // One page wide: fitToWidth is 1 when absent (ECMA-376's default, which the writer omits).
    assert!(
        setup.contains(r#"fitToWidth="1""#) || !setup.contains("fitToWidth"),
        "{setup}"
    );
    assert!(
        sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#),
        "fit to page is on"
    );
    let book = part(&out, "xl/workbook.xml");
    assert!(
        book.contains(r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">入围名单!$1:$2</definedName>"#),
        "{book}"
    );
    // Every other sheet prints the same way, its header row repeated.
    for (i, name) in [
        "完整排名",
        "评分矩阵",
        "专家组统计",
        "方法与参数",
        "主席决定记录",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            book.contains(&format!(
                r#"<definedName name="_xlnm.Print_Titles" localSheetId="{}">{name}!$1:$1</definedName>"#,
                i + 1
            )),
            "{name}: {book}"
        );
    }

    let mut wb: Xlsx<_> = open_workbook(&out).expect("open");
    let list = wb.worksheet_range("入围名单").expect("sheet");
    let rows: Vec<Vec<String>> = list
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(
        rows[0][0],
        "2020年“科创中国”先导技术榜单 资源环境领域初评 入围名单"
    );
    assert_eq!(&rows[1][..3], ["序号", "排名", "编号"]);
    assert_eq!(&rows[2][..3], ["1", "1", "RE-001"]);
    assert_eq!(
        &rows[29][..3],
        ["28", "27", "RE-028"],
        "序号 counts, 排名 ties"
    );
    let signatures: Vec<&str> = rows[30..]
        .iter()
        .map(|r| r[0].as_str())
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(signatures.len(), 8, "{signatures:?}");
    assert!(signatures[0].starts_with("专家组组长签字：__"));
    assert!(signatures[1].starts_with("评审专家签字（王磊）：__"));
    assert!(signatures.iter().all(|l| l.contains("日期：")));
    // The ids are text cells, the 序号 a number.
    let cell = list.get((2, 0)).expect("序号");
    assert!(matches!(cell, Data::Float(f) if *f == 1.0), "{cell:?}");
}

/// A generated batch of six biomedicine nominations, in a temporary directory.
struct Env {
    _dir: tempfile::TempDir,
    root: PathBuf,
    batch: PathBuf,
    store: PathBuf,
}

fn setup() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let batch = root.join("batch.json");
    let (code, _, err) = run(&[
        "gen",
        "--items",
        "6",
        "--detail-chars",
        "0",
        "--domain",
        "biomedicine",
        "-o",
        &s(&batch),
    ]);
    assert_eq!(code, 0, "{err}");
    Env {
        store: root.join("store"),
        root,
        batch,
        _dir: dir,
    }
}

impl Env {
    /// `revdesk form` on the batch with `args`.
    fn form(&self, args: &[&str]) -> (i32, String, String) {
        let batch = s(&self.batch);
        run(&[&["form", batch.as_str()], args].concat())
    }

    /// `revdesk enter` of `csv` as expert li's sheet.
    fn enter(&self, csv: &Path) -> (i32, String, String) {
        run(&[
            "enter",
            &s(&self.batch),
            "--expert",
            "li",
            "--from",
            &s(csv),
            "--store",
            &s(&self.store),
        ])
    }

    /// Expert li's marks in the store.
    fn marks(&self) -> ExpertScores {
        let store = Store::open(&self.store).expect("store");
        let hash = store.batches().expect("batches")[0].hash.clone();
        store.load("li", &hash).expect("load")
    }
}

/// What a secretary types into a form's score cells: item i gets 4 + i + criterion c (mod 11);
/// the third item is recused.
fn fill(i: usize, head: &str, c: usize) -> String {
    match head {
        "回避" if i == 2 => "是".into(),
        "回避原因" if i == 2 => "本人所在单位申报".into(),
        "评语" if i == 0 => "路线清晰，建议讨论".into(),
        _ if head.contains("分）") && i != 2 => ((4 + i + c) % 11).to_string(),
        _ => String::new(),
    }
}

#[test]
fn an_xlsx_form_typed_into_or_saved_as_csv_is_what_enter_reads() {
    let env = setup();
    let form = env.root.join("li.xlsx");
    let (code, out, err) = env.form(&[
        "--expert",
        "li",
        "--name",
        "李四",
        "--format",
        "xlsx",
        "-o",
        &s(&form),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("score form for 李四 (li), 6 nominations, 6 criteria"),
        "{out}"
    );

    // Printed on A4 landscape, one page wide, title to header on every page, the signature
    // line in the footer (never in the cells).
    let sheet = part(&form, "xl/worksheets/sheet1.xml");
    let setup = element(&sheet, "pageSetup");
    assert!(
        setup.contains(r#"paperSize="9""#) && setup.contains("landscape"),
        "{setup}"
    );
    assert!(
        sheet.contains("<oddFooter>&amp;L评审专家签字（李四）：__"),
        "{sheet}"
    );
    let book = part(&form, "xl/workbook.xml");
    assert!(book.contains("专家评分表!$1:$4"), "{book}");

    // The secretary types the marks into the form, then saves it as CSV (every row, title too).
    let mut wb: Xlsx<_> = open_workbook(&form).expect("open");
    let range = wb.worksheet_range("专家评分表").expect("sheet");
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(rows[0][0], "专家评分表（李四）");
    let h = rows
        .iter()
        .position(|r| r[0] == "编号")
        .expect("header row");
    assert_eq!(h, 3, "title, facts, how to fill it in, header");
    assert_eq!(
        rows[h],
        [
            "编号",
            "技术名称",
            "可行性（0–10分）",
            "先进性（0–10分）",
            "原创性（0–10分）",
            "不可替代性（0–10分）",
            "技术成熟度（0–10分）",
            "市场前景（0–10分）",
            "回避",
            "回避原因",
            "评语"
        ]
    );
    assert_eq!(rows.len(), h + 1 + 6, "one row per nomination");
    let filled: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            if r <= h {
                return row.clone();
            }
            row.iter()
                .enumerate()
                .map(|(c, v)| {
                    let typed = fill(r - h - 1, &rows[h][c], c.saturating_sub(2));
                    if typed.is_empty() { v.clone() } else { typed }
                })
                .collect()
        })
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in &filled {
        w.write_record(row).expect("csv");
    }
    let csv = env.root.join("li.csv");
    std::fs::write(&csv, w.into_inner().expect("csv")).expect("write");

    let (code, out, err) = env.enter(&csv);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("6 rows entered for expert li"), "{out}");
    let marks = env.marks();
    let ids: Vec<&String> = rows[h + 1..].iter().map(|r| &r[0]).collect();
    let first = &marks.items[ids[0]];
    assert_eq!(first.scores["feasibility"], 4.0);
    assert_eq!(first.scores["market"], 9.0);
    assert_eq!(first.comment, "路线清晰，建议讨论");
    assert_eq!(
        marks.items[ids[2]].recusal.as_deref(),
        Some("本人所在单位申报")
    );
    assert!(marks.items[ids[2]].scores.is_empty());
    assert_eq!(marks.items[ids[5]].scores["novelty"], 10.0);

    // The same marks typed into the workbook itself (scores as numbers, as Excel keeps them)
    // and entered from it: the same sheet, so nothing changes.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in filled.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match v.parse::<f64>() {
                Ok(n) if r as usize > h => ws.write_number(r, c, n).map(|_| ()),
                _ => ws.write_string(r, c, v).map(|_| ()),
            }
            .expect("cell");
        }
    }
    let typed = env.root.join("li-typed.xlsx");
    wb.save(&typed).expect("save");
    let (code, out, err) = env.enter(&typed);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("6 rows entered for expert li"), "{out}");
    assert!(out.contains("(0 values changed)"), "{out}");
    assert_eq!(env.marks(), marks);

    // And the expert's signed sheet goes into a directory nobody made yet.
    let out = env.root.join("round-2/signed/li.json");
    let (code, _, err) = run(&[
        "sheet",
        &s(&env.batch),
        "--expert",
        "li",
        "--store",
        &s(&env.store),
        "-o",
        &s(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(revdesk::io::sheet::read(&out).is_ok());
}

#[test]
fn a_blank_docx_form_lists_every_nomination_under_enters_columns() {
    let env = setup();
    let form = env.root.join("blank.docx");
    let (code, out, err) = env.form(&["--format", "docx", "-o", &s(&form)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("score form for any expert (blank)"), "{out}");
    let xml = part(&form, "word/document.xml");
    let text = docx_text(&xml);
    assert!(text.starts_with("专家评分表\n"), "{text}");
    assert!(text.contains("评审专家签字：____"), "{text}");
    // One table: a header row and a row per nomination, eleven cells each.
    assert_eq!(xml.matches("<w:tbl>").count(), 1);
    assert_eq!(
        xml.matches("<w:tr>").count() + xml.matches("<w:tr ").count(),
        7
    );
    assert_eq!(xml.matches("<w:tc>").count(), 7 * 11);
    // Laid out by the form's column shares, not by the (mostly blank) text: 编号, then the
    // name column widest, the comment column next.
    assert!(xml.contains(r#"<w:tblLayout w:type="fixed" />"#), "{xml}");
    let at = xml.find("<w:tblGrid>").expect("grid");
    let end = xml[at..].find("</w:tblGrid>").expect("closed") + at;
    let grid: Vec<u32> = xml[at..end]
        .split("w:w=\"")
        .skip(1)
        .filter_map(|w| w.split('"').next()?.parse().ok())
        .collect();
    assert_eq!(grid.len(), 11, "{grid:?}");
    assert!(grid[1] > grid[10] && grid[10] > grid[2], "{grid:?}");
    assert!(
        text.contains("编号\n技术名称\n可行性（0–10分）\n先进性（0–10分）\n原创性（0–10分）\n不可替代性（0–10分）\n技术成熟度（0–10分）\n市场前景（0–10分）\n回避\n回避原因\n评语\n"),
        "{text}"
    );
    let batch: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&env.batch).expect("batch")).expect("json");
    for item in batch["items"].as_array().expect("items") {
        assert!(text.contains(item["id"].as_str().expect("id")));
    }
    // A4 landscape.
    let pg = element(&xml, "w:pgSz");
    assert!(
        pg.contains(r#"w:w="16838""#) && pg.contains(r#"w:h="11906""#) && pg.contains("landscape"),
        "{pg}"
    );
}

#[test]
fn a_form_takes_the_name_from_the_panel_file() {
    let env = setup();
    let form = env.root.join("e3.xlsx");
    let (code, out, err) = env.form(&[
        "--expert",
        "e3",
        "--panel",
        PANEL,
        "--format",
        "xlsx",
        "-o",
        &s(&form),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("刘洋 (e3)"), "{out}");
    let (code, _, err) = env.form(&[
        "--expert",
        "nobody",
        "--panel",
        PANEL,
        "--format",
        "xlsx",
        "-o",
        &s(&env.root.join("x.xlsx")),
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("expert 'nobody' is not in the panel file"),
        "{err}"
    );
    // An existing file is kept without --overwrite.
    let (code, _, err) = env.form(&["--format", "xlsx", "-o", &s(&form)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exists; pass --overwrite"), "{err}");
}

#[test]
fn a_typed_sheet_with_a_title_row_and_full_width_digits_is_entered() {
    let env = setup();
    let batch: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&env.batch).expect("batch")).expect("json");
    let id = |i: usize| batch["items"][i]["id"].as_str().expect("id").to_string();
    let text = format!(
        "专家评分表（李四）,,,,,,,\n编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景,评语\n{},８,７,１０,5,9,８,好\n",
        id(0)
    );
    let csv = env.root.join("typed.csv");
    std::fs::write(&csv, text).expect("write");
    let (code, out, err) = env.enter(&csv);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 rows entered"), "{out}");
    let marks = env.marks();
    let scores = &marks.items[&id(0)].scores;
    assert_eq!(
        [
            scores["feasibility"],
            scores["novelty"],
            scores["originality"],
            scores["market"]
        ],
        [8.0, 7.0, 10.0, 8.0]
    );
}
