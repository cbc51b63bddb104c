//! Hostile workbooks: a cell far out (XFD1048576, A5000000), too many rows or cells, a cell of
//! 1 GiB (a zip bomb), a sheet whose zip header lies about its size, one shared string repeated
//! in every cell, an ODS whose repeated rows and columns would fill gigabytes. Each is refused
//! as an unreadable file (exit 2) naming what is too large, quickly and in bounded memory: every
//! run of this test binary is measured, and none may have passed 300 MB resident.
//!
//! The binary runs with its address space limited (see `common::limited`), so the old dense
//! reading aborts here instead of taking the machine's memory.
#![cfg(unix)]

mod common;

use common::limited::{self, Run};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Resident memory no run may pass.
const PEAK: u64 = 300 * 1024 * 1024;

/// The header and one good row of a 资源环境 batch (the English keys).
const HEADER: [&str; 14] = [
    "id",
    "name",
    "domain",
    "industry",
    "project_type",
    "trl",
    "applicant",
    "recommender",
    "team",
    "level",
    "benefits",
    "contact",
    "phone",
    "email",
];
const ROW: [&str; 14] = [
    "RE-001",
    "技术",
    "资源环境",
    "N7721",
    "开发研究",
    "7",
    "单位",
    "学会",
    "团队",
    "水平",
    "效益",
    "联系人",
    "13800000000",
    "a@b.cn",
];

fn check_peak() {
    let peak = limited::children_peak_rss();
    assert!(peak < PEAK, "a run used {} MB resident", peak / 1024 / 1024);
}

/// `validate`, `rank` and `enter` on `book`: each exit 2 with `needle` in what it prints.
fn refused_everywhere(root: &Path, book: &Path, needle: &str) {
    let book = book.display().to_string();
    let sheets = common::fixture("golden/sheets").display().to_string();
    std::fs::write(root.join("s.csv"), "编号,可行性\n").expect("scores");
    let runs: Vec<Run> = vec![
        limited::revdesk(root, &["validate", &book], &[]),
        limited::revdesk(root, &["rank", &book, &sheets], &[]),
        limited::revdesk(
            root,
            &["enter", &book, "--expert", "wang", "--from", "s.csv"],
            &[],
        ),
    ];
    for run in runs {
        assert!(!run.timed_out, "{run:#?}");
        run.expect_code(2);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains(needle), "{needle:?} not in {run:#?}");
    }
    check_peak();
}

/// The parts of a minimal workbook around `sheet` (and `strings`, the shared strings).
fn parts(sheet: &str, strings: Option<&str>) -> Vec<(&'static str, String)> {
    let ct = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let wb = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let wb_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    let mut p = vec![
        ("[Content_Types].xml", ct.to_string()),
        ("_rels/.rels", rels.to_string()),
        ("xl/workbook.xml", wb.to_string()),
        ("xl/_rels/workbook.xml.rels", wb_rels.to_string()),
        ("xl/worksheets/sheet1.xml", sheet.to_string()),
    ];
    if let Some(s) = strings {
        p.push(("xl/sharedStrings.xml", s.to_string()));
    }
    p
}

/// A zip of `parts`, deflated.
fn zip_of(parts: &[(&str, String)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, text) in parts {
        z.start_file(*name, opts).expect("entry");
        z.write_all(text.as_bytes()).expect("write");
    }
    z.finish().expect("zip").into_inner()
}

/// An inline-string cell.
fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// Sheet XML: the header and the good row in rows 1–2, then `more` (already XML rows).
fn sheet_xml(more: &str) -> String {
    let row = |r: usize, cells: &[&str]| {
        let cs: String = cells
            .iter()
            .enumerate()
            .map(|(i, t)| cell(&format!("{}{r}", (b'A' + i as u8) as char), t))
            .collect();
        format!(r#"<row r="{r}">{cs}</row>"#)
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}{}{more}</sheetData></worksheet>"#,
        row(1, &HEADER),
        row(2, &ROW)
    )
}

fn write(root: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = root.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn a_cell_at_xfd1048576_is_refused_with_the_extent() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let book = root.join("far.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, (h, v)) in HEADER.iter().zip(ROW).enumerate() {
        ws.write_string(0, c as u16, *h).expect("cell");
        ws.write_string(1, c as u16, v).expect("cell");
    }
    ws.write_string(1_048_575, 16_383, "x").expect("cell");
    wb.save(&book).expect("save");
    assert!(std::fs::metadata(&book).expect("meta").len() < 16 * 1024);
    refused_everywhere(root, &book, "XFD1048576");
}

#[test]
fn a_cell_beyond_excel_rows_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let sheet = sheet_xml(&format!(
        r#"<row r="5000000">{}</row>"#,
        cell("A5000000", "x")
    ));
    let book = write(root, "deep.xlsx", &zip_of(&parts(&sheet, None)));
    refused_everywhere(root, &book, "A5000000");
}

#[test]
fn too_many_rows_or_cells_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    // 150,000 rows of one cell each: past the row limit.
    let rows: String = (3..150_003)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#))
        .collect();
    let book = write(root, "rows.xlsx", &zip_of(&parts(&sheet_xml(&rows), None)));
    refused_everywhere(root, &book, "100000 rows");
    // 60,000 rows of 20 numbers: 1.2 million cells, within rows and columns.
    let rows: String = (3..60_003)
        .map(|r| {
            let cs: String = (0..20u8)
                .map(|c| format!(r#"<c r="{}{r}"><v>1</v></c>"#, (b'A' + c) as char))
                .collect();
            format!(r#"<row r="{r}">{cs}</row>"#)
        })
        .collect();
    let book = write(root, "cells.xlsx", &zip_of(&parts(&sheet_xml(&rows), None)));
    refused_everywhere(root, &book, "more than 1000000 cells");
}

#[test]
fn a_one_gib_cell_is_refused_before_it_is_unpacked() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let book = common::fixture("hostile/huge-cell.xlsx");
    assert!(std::fs::metadata(&book).expect("fixture").len() < 2 * 1024 * 1024);
    refused_everywhere(root, &book, "unpacks to more than");
}

#[test]
fn a_zip_entry_that_lies_about_its_size_is_caught_while_unpacking() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    // 200 MiB of rows, declared as 1,000 bytes in both zip headers. Written as it is made:
    // the memory of this test process counts in its children's peak (fork copies it).
    let book = root.join("liar.xlsx");
    let file = std::fs::File::create(&book).expect("create");
    let mut z = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let sheet = sheet_xml("");
    let (head, tail) = sheet.split_at(sheet.find("</sheetData>").expect("end"));
    for (name, text) in parts("", None) {
        z.start_file(name, opts).expect("entry");
        if name != "xl/worksheets/sheet1.xml" {
            z.write_all(text.as_bytes()).expect("write");
            continue;
        }
        z.write_all(head.as_bytes()).expect("write");
        let row = r#"<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>"#;
        let chunk = row.repeat(1 << 14);
        for _ in 0..(200 << 20) / chunk.len() + 1 {
            z.write_all(chunk.as_bytes()).expect("write");
        }
        z.write_all(tail.as_bytes()).expect("write");
    }
    z.finish().expect("zip");
    let mut bytes = std::fs::read(&book).expect("read");
    lie_about_size(&mut bytes, b"xl/worksheets/sheet1.xml", 1_000);
    std::fs::write(&book, &bytes).expect("write");
    refused_everywhere(root, &book, "xl/worksheets/sheet1.xml");
}

/// Sets the uncompressed size of entry `name` to `size` in its local and central headers.
fn lie_about_size(zip: &mut [u8], name: &[u8], size: u32) {
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let sig = u32::from_le_bytes([zip[at], zip[at + 1], zip[at + 2], zip[at + 3]]);
        let (name_len_at, name_at, size_at) = match sig {
            0x0403_4b50 => (at + 26, at + 30, at + 22),
            0x0201_4b50 => (at + 28, at + 46, at + 24),
            _ => continue,
        };
        let len = u16::from_le_bytes([zip[name_len_at], zip[name_len_at + 1]]) as usize;
        if zip.get(name_at..name_at + len) == Some(name) {
            zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers found");
}

#[test]
fn one_shared_string_in_every_cell_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    // One shared string of 1 MiB, in 90,000 cells: 90 GB of text if each cell copied it.
    let strings = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{}</t></si></sst>"#,
        "a".repeat(1 << 20)
    );
    let rows: String = (3..90_003)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#))
        .collect();
    let book = write(
        root,
        "echo.xlsx",
        &zip_of(&parts(&sheet_xml(&rows), Some(&strings))),
    );
    refused_everywhere(root, &book, "of text");
}

#[test]
fn an_ods_of_repeated_cells_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let head: String = HEADER
        .iter()
        .map(|h| {
            format!(r#"<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>"#)
        })
        .collect();
    // 6,000 rows of 16,000 copies of one cell: 96 million cells, 3 GB as calamine holds them.
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row>{head}</table:table-row><table:table-row table:number-rows-repeated="6000"><table:table-cell table:number-columns-repeated="16000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("mimetype", stored).expect("entry");
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("write");
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("META-INF/manifest.xml", deflated)
        .expect("entry");
    z.write_all(manifest.as_bytes()).expect("write");
    z.start_file("content.xml", deflated).expect("entry");
    z.write_all(content.as_bytes()).expect("write");
    let bytes = z.finish().expect("zip").into_inner();
    let book = write(root, "repeat.ods", &bytes);
    refused_everywhere(root, &book, "500 columns");
}

#[test]
fn an_ordinary_workbook_still_reads() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let book = write(root, "ok.xlsx", &zip_of(&parts(&sheet_xml(""), None)));
    let run = limited::revdesk(root, &["validate", &book.display().to_string()], &[]);
    assert!(!run.timed_out, "{run:#?}");
    assert!(run.stdout.contains("1 items read"), "{run:#?}");
    check_peak();
}

/// A BIFF8 record.
fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut v = typ.to_le_bytes().to_vec();
    v.extend((data.len() as u16).to_le_bytes());
    v.extend(data);
    v
}

/// A Label cell (BIFF8, UTF-16 text).
fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut d = [row.to_le_bytes(), col.to_le_bytes(), [0, 0]].concat();
    d.extend((units.len() as u16).to_le_bytes());
    d.push(1);
    d.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    rec(0x0204, &d)
}

/// An `.xls`: one sheet holding `cells` (records), in a compound file.
fn xls(cells: &[Vec<u8>]) -> Vec<u8> {
    let bof = |dt: u8| {
        rec(
            0x0809,
            &[0x00, 0x06, dt, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        )
    };
    let globals_len = bof(5).len() + 4 + 9 + 4;
    let mut s = bof(5);
    let mut sheet = (globals_len as u32).to_le_bytes().to_vec();
    sheet.extend([0, 0, 1, 0, b'S']);
    s.extend(rec(0x0085, &sheet));
    s.extend(rec(0x000A, &[]));
    assert_eq!(s.len(), globals_len);
    s.extend(bof(0x10));
    for c in cells {
        s.extend(c);
    }
    s.extend(rec(0x000A, &[]));
    let mut cfb = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("cfb");
    cfb.create_stream("/Workbook")
        .expect("stream")
        .write_all(&s)
        .expect("write");
    cfb.flush().expect("flush");
    cfb.into_inner().into_inner()
}

#[test]
fn an_xls_is_read_within_the_limits() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let mut cells = Vec::new();
    for (c, (h, v)) in HEADER.iter().zip(ROW).enumerate() {
        cells.push(label(0, c as u16, h));
        cells.push(label(1, c as u16, v));
    }
    let book = write(root, "ok.xls", &xls(&cells));
    let run = limited::revdesk(root, &["validate", &book.display().to_string()], &[]);
    assert!(run.stdout.contains("1 items read, 1 usable"), "{run:#?}");
    // A cell at the far corner of the old format: 16.7 million cells in a dense range.
    cells.push(label(65_535, 255, "x"));
    let book = write(root, "far.xls", &xls(&cells));
    refused_everywhere(root, &book, "more than 1000000 cells");
    // A DIMENSIONS record claiming 4 billion rows: calamine would reserve room for them.
    let mut dims = 0u32.to_le_bytes().to_vec();
    dims.extend(u32::MAX.to_le_bytes());
    dims.extend([0, 0, 14, 0, 0, 0]);
    let book = write(root, "claim.xls", &xls(&[rec(0x0200, &dims)]));
    refused_everywhere(root, &book, "100000 rows");
}
