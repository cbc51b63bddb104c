//! The chair's command line: `enter` → `sheet` → `rank` / `stats` / `export`, and every way a
//! sheet can be refused (tampered, foreign batch, forged key, duplicates, conflicts of interest).

mod common;

use calamine::Reader;
use common::paper::{BATCH, CRITERIA, enter_and_sign, ok, run, s};
use std::path::{Path, PathBuf};

/// A deterministic score for expert `e` on nomination number `i` (0-based) and criterion `c`:
/// quality falls with i, experts differ in leniency, a little noise.
fn score(e: usize, i: usize, c: usize) -> u32 {
    let quality = 9.0 - (i as f64) * 0.15;
    let lenient = [0.0, 0.5, -0.5, 1.0, -1.0, 0.3][e % 6];
    let noise = (((e * 7 + i * 13 + c * 5) % 5) as f64 - 2.0) * 0.3;
    (quality + lenient + noise).round().clamp(0.0, 10.0) as u32
}

struct Panel {
    dir: tempfile::TempDir,
    sheets: PathBuf,
    ids: Vec<String>,
}

fn ids() -> Vec<String> {
    (1..=45).map(|i| format!("EI-{i:03}")).collect()
}

/// Six experts score every nomination on paper; the secretary enters them; each expert signs a sheet.
fn panel() -> Panel {
    let dir = tempfile::tempdir().expect("dir");
    let sheets = dir.path().join("sheets");
    std::fs::create_dir_all(&sheets).expect("mkdir");
    let ids = ids();
    for e in 0..6 {
        let mut csv = format!("编号,{CRITERIA},回避,回避原因\n");
        for (i, id) in ids.iter().enumerate() {
            if e == 2 && i == 3 {
                csv.push_str(&format!("{id},,,,,,,是,与申报单位有合作\n"));
                continue;
            }
            let marks: Vec<String> = (0..6).map(|c| score(e, i, c).to_string()).collect();
            csv.push_str(&format!("{id},{},否,\n", marks.join(",")));
        }
        enter_and_sign(dir.path(), e, &csv);
    }
    Panel { dir, sheets, ids }
}

#[test]
fn rank_stats_and_exports_from_entered_sheets() {
    let p = panel();
    let sheets = s(&p.sheets);

    // CSV ranking: the exact header, every nomination, 4-decimal scores, a 25–30 shortlist.
    let csv = ok(&[
        "rank",
        BATCH,
        &sheets,
        "--format",
        "csv",
        "--bootstrap",
        "200",
    ]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "rank,id,name,score,n,feasibility,novelty,originality,irreplaceability,maturity,market,sd,p_shortlist,shortlisted,flags,decision,decision_reason"
        )
    );
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 45);
    assert_eq!(&rows[0][0], "1");
    assert_eq!(&rows[0][1], "EI-001", "the best nomination ranks first");
    assert!(
        rows[0][3].split('.').nth(1).is_some_and(|d| d.len() == 4),
        "{}",
        &rows[0][3]
    );
    assert_eq!(&rows[0][4], "6", "n counts experts before trimming");
    let k = rows.iter().filter(|r| &r[13] == "yes").count();
    assert!((25..=30).contains(&k), "K = {k}");
    // EI-004: one expert recused, five count.
    let four = rows.iter().find(|r| &r[1] == "EI-004").expect("EI-004");
    assert_eq!(&four[4], "5");

    // The trimmed mean of EI-001, by hand: drop one highest and one lowest expert total.
    let mut totals: Vec<f64> = (0..6)
        .map(|e| (0..6).map(|c| f64::from(score(e, 0, c))).sum::<f64>() / 60.0 * 100.0)
        .collect();
    totals.sort_by(|a, b| a.total_cmp(b));
    let expected = totals[1..5].iter().sum::<f64>() / 4.0;
    assert_eq!(&rows[0][3], format!("{expected:.4}"));

    // JSON ranking and methods.
    let json = ok(&[
        "rank",
        BATCH,
        &sheets,
        "--format",
        "json",
        "--method",
        "calibrated",
        "--bootstrap",
        "100",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["method"], "calibrated");
    assert!(
        v["k"].as_u64().is_some_and(|k| (25..=30).contains(&k)),
        "{}",
        v["k"]
    );
    let table = ok(&["rank", BATCH, &sheets, "--bootstrap", "100"]);
    assert!(table.contains("EI-001"), "{table}");
    // A refused parameter is said once.
    let (code, _, err) = run(&[
        "rank",
        BATCH,
        &sheets,
        "--trim-min",
        "2",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err.matches("trim_min must be at least 3 (got 2)").count(),
        1,
        "{err}"
    );

    // Statistics with the agreement figures.
    let stats = ok(&[
        "stats",
        BATCH,
        &sheets,
        "--format",
        "json",
        "--bootstrap",
        "0",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stats).expect("json");
    for k in [
        "icc1_1",
        "icc2_1",
        "icc3_1",
        "icc1_k",
        "icc2_k",
        "icc3_k",
        "kendall_w",
    ] {
        assert!(v["agreement"][k].is_number(), "{k}: {}", v["agreement"]);
    }
    assert!(
        v["agreement"]["kendall_w"]
            .as_f64()
            .is_some_and(|w| w > 0.5),
        "experts agree on the order"
    );
    let text = ok(&["stats", BATCH, &sheets, "--bootstrap", "0"]);
    assert!(text.contains("e0") && text.contains("ICC"), "{text}");
    // `table` (the name) is `text`; stats never runs the bootstrap it does not show.
    let table = ok(&["stats", BATCH, &sheets, "--format", "table"]);
    assert_eq!(table, text);
    assert!(table.contains("| no bootstrap"), "{table}");

    // Exports: XLSX read back, CSV with BOM, Markdown; byte-identical when repeated.
    let out = p.dir.path();
    let xlsx = out.join("results.xlsx");
    ok(&[
        "export",
        BATCH,
        &sheets,
        "--format",
        "xlsx",
        "-o",
        &s(&xlsx),
        "--bootstrap",
        "200",
    ]);
    let mut wb = calamine::open_workbook_auto(&xlsx).expect("xlsx opens");
    let names = wb.sheet_names().to_vec();
    assert_eq!(
        names,
        [
            "入围名单",
            "完整排名",
            "评分矩阵",
            "专家组统计",
            "方法与参数",
            "主席决定记录"
        ]
    );
    let shortlist = wb.worksheet_range("入围名单").expect("sheet");
    // Title, header, K rows, then a signature line every other row (the chair, six experts).
    assert_eq!(
        shortlist.rows().count(),
        2 + k + 2 * 7,
        "title, header, K rows, signatures"
    );
    let head: Vec<String> = shortlist
        .rows()
        .nth(1)
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(&head[..4], ["序号", "排名", "编号", "技术名称"]);
    let first: Vec<String> = shortlist
        .rows()
        .nth(2)
        .expect("row")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(first[2], "EI-001");
    let matrix = wb.worksheet_range("评分矩阵").expect("matrix");
    assert_eq!(
        matrix.rows().count(),
        6 * 45 + 1,
        "every expert × nomination"
    );
    let again = out.join("again.xlsx");
    ok(&[
        "export",
        BATCH,
        &sheets,
        "--format",
        "xlsx",
        "-o",
        &s(&again),
        "--bootstrap",
        "200",
    ]);
    assert_eq!(
        std::fs::read(&xlsx).expect("a"),
        std::fs::read(&again).expect("b"),
        "reproducible"
    );

    let csv_out = out.join("results.csv");
    ok(&[
        "export",
        BATCH,
        &sheets,
        "--format",
        "csv",
        "-o",
        &s(&csv_out),
        "--bootstrap",
        "200",
    ]);
    let bytes = std::fs::read(&csv_out).expect("csv");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM for Excel");
    let md = out.join("report.md");
    ok(&[
        "export",
        BATCH,
        &sheets,
        "--format",
        "md",
        "-o",
        &s(&md),
        "--bootstrap",
        "200",
    ]);
    let md_text = std::fs::read_to_string(&md).expect("md");
    assert!(
        md_text.contains("EI-001") && md_text.contains("ICC"),
        "{md_text}"
    );
    let json_out = out.join("results.json");
    ok(&[
        "export",
        BATCH,
        &sheets,
        "--format",
        "json",
        "-o",
        &s(&json_out),
        "--bootstrap",
        "200",
    ]);
    // rank prints the same document as the export, less the nominations' contact details.
    let j1 = std::fs::read_to_string(&json_out).expect("json");
    let mut exported: serde_json::Value = serde_json::from_str(&j1).expect("json");
    for n in exported["nominations"].as_array_mut().expect("nominations") {
        for k in ["contact", "phone", "address", "email"] {
            assert!(n.as_object_mut().expect("nomination").remove(k).is_some());
        }
    }
    let ranked = ok(&[
        "rank",
        BATCH,
        &sheets,
        "--format",
        "json",
        "--bootstrap",
        "200",
    ]);
    let mut ranked: serde_json::Value = serde_json::from_str(&ranked).expect("json");
    // ... plus trimmed's rule on each row (every nomination has 5 or 6 experts: trimmed).
    for row in ranked["rows"].as_array_mut().expect("rows") {
        let row = row.as_object_mut().expect("row");
        assert_eq!(row.remove("rule"), Some(serde_json::json!("trimmed")));
    }
    assert_eq!(ranked, exported);

    // Never overwrite without --overwrite; refuse a shortlist outside the range without --force.
    let (code, _, err) = run(&["export", BATCH, &sheets, "--format", "md", "-o", &s(&md)]);
    assert_eq!(code, 2);
    assert!(err.contains("--overwrite"), "{err}");
    let narrow = out.join("narrow.md");
    let (code, _, err) = run(&[
        "export",
        BATCH,
        &sheets,
        "--format",
        "md",
        "-o",
        &s(&narrow),
        "--shortlist",
        "50-60",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--force") && !narrow.exists(), "{err}");
    ok(&[
        "export",
        BATCH,
        &sheets,
        "--format",
        "md",
        "-o",
        &s(&narrow),
        "--shortlist",
        "50-60",
        "--bootstrap",
        "0",
        "--force",
    ]);
    // --shortlist narrows the range the cut is computed on, but the list sent to the
    // association must still have 25–30 nominations: 5–8 is refused without --force.
    let (code, _, err) = run(&[
        "export",
        BATCH,
        &sheets,
        "--format",
        "md",
        "-o",
        &s(&out.join("five.md")),
        "--shortlist",
        "5-8",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("outside 25–30") && err.contains("--force"),
        "{err}"
    );
    assert!(!out.join("five.md").exists());
    ok(&[
        "export",
        BATCH,
        &sheets,
        "--format",
        "md",
        "-o",
        &s(&out.join("five.md")),
        "--shortlist",
        "5-8",
        "--bootstrap",
        "0",
        "--force",
    ]);
    // `rank` still explores any range.
    let table = ok(&[
        "rank",
        BATCH,
        &sheets,
        "--shortlist",
        "5-8",
        "--bootstrap",
        "0",
    ]);
    assert!(table.contains("shortlist 5-8"), "{table}");
    let _ = &p.ids;
}

fn copy_sheets(p: &Panel, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(&p.sheets).expect("dir") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}

#[test]
fn bad_sheets_are_refused_with_the_reason() {
    let p = panel();
    let root = p.dir.path();

    // Tampered: one score changed by hand after signing.
    let tampered = root.join("tampered");
    copy_sheets(&p, &tampered);
    let f = tampered.join("e1.json");
    let text = std::fs::read_to_string(&f).expect("read");
    let changed = text.replacen("\"feasibility\": 9.0", "\"feasibility\": 10.0", 1);
    assert_ne!(text, changed, "the sheet has a 9 to change");
    std::fs::write(&f, changed).expect("write");
    let (code, _, err) = run(&["rank", BATCH, &s(&tampered), "--bootstrap", "0"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("e1.json") && err.contains("signature"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "rank",
        BATCH,
        &s(&tampered),
        "--bootstrap",
        "0",
        "--skip-invalid",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("skipped") && err.contains("e1.json"), "{err}");

    // A sheet for another batch.
    let small = "fixtures/batches/resources-environment-small.json";
    let other_store = root.join("store-other");
    let paper = root.join("other.csv");
    std::fs::write(&paper, format!("编号,{CRITERIA}\nRE-001,5,5,5,5,5,5\n")).expect("write");
    ok(&[
        "enter",
        small,
        "--expert",
        "e9",
        "--from",
        &s(&paper),
        "--store",
        &s(&other_store),
    ]);
    let foreign = root.join("foreign");
    copy_sheets(&p, &foreign);
    ok(&[
        "sheet",
        small,
        "--expert",
        "e9",
        "--store",
        &s(&other_store),
        "-o",
        &s(&foreign.join("e9.json")),
    ]);
    let (code, _, err) = run(&["stats", BATCH, &s(&foreign), "--bootstrap", "0"]);
    assert_eq!(code, 1);
    assert!(err.contains("e9.json") && err.contains("batch"), "{err}");

    // A panel file pins each expert's key: a sheet for e0 signed by another key is forged.
    let mut panel = String::new();
    for e in 0..6 {
        let key = ok(&[
            "key",
            "--store",
            &s(&root.join(format!("store-{e}"))),
            "--expert",
            &format!("e{e}"),
        ]);
        let snippet = &key[key.find("[[experts]]").expect("snippet")..];
        panel.push_str(snippet);
        panel.push('\n');
    }
    // e3 is affiliated with the applicant of EI-005: a conflict of interest.
    let applicant_5 = {
        let csv = ok(&[
            "rank",
            BATCH,
            &s(&p.sheets),
            "--format",
            "json",
            "--bootstrap",
            "0",
        ]);
        let v: serde_json::Value = serde_json::from_str(&csv).expect("json");
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["id"] == "EI-005")
            .expect("EI-005")["applicant"]
            .as_str()
            .expect("applicant")
            .to_string()
    };
    let panel = panel.replacen(
        "id = \"e3\"\nname = \"专家3\"\naffiliations = []",
        &format!("id = \"e3\"\nname = \"专家3\"\naffiliations = [\"{applicant_5}\"]"),
        1,
    );
    assert!(panel.contains(&applicant_5));
    let panel_file = root.join("panel.toml");
    std::fs::write(&panel_file, &panel).expect("panel");
    let out = ok(&[
        "rank",
        BATCH,
        &s(&p.sheets),
        "--panel",
        &s(&panel_file),
        "--format",
        "csv",
        "--bootstrap",
        "0",
    ]);
    let (_, _, err) = run(&[
        "rank",
        BATCH,
        &s(&p.sheets),
        "--panel",
        &s(&panel_file),
        "--bootstrap",
        "0",
    ]);
    assert!(
        err.contains("conflict of interest") && err.contains("EI-005"),
        "{err}"
    );
    let row5 = out
        .lines()
        .find(|l| l.contains(",EI-005,"))
        .expect("EI-005 row");
    assert!(
        row5.contains(",5,"),
        "e3's score on EI-005 is excluded: {row5}"
    );

    let forger = root.join("store-forger");
    let paper = root.join("forged.csv");
    std::fs::write(
        &paper,
        format!("编号,{CRITERIA}\nEI-045,10,10,10,10,10,10\n"),
    )
    .expect("write");
    ok(&[
        "enter",
        BATCH,
        "--expert",
        "e0",
        "--from",
        &s(&paper),
        "--store",
        &s(&forger),
    ]);
    let forged = root.join("forged");
    copy_sheets(&p, &forged);
    std::fs::remove_file(forged.join("e0.json")).expect("rm");
    ok(&[
        "sheet",
        BATCH,
        "--expert",
        "e0",
        "--store",
        &s(&forger),
        "-o",
        &s(&forged.join("e0-forged.json")),
    ]);
    let (code, _, err) = run(&[
        "rank",
        BATCH,
        &s(&forged),
        "--panel",
        &s(&panel_file),
        "--bootstrap",
        "0",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("e0-forged.json"), "{err}");
    // Without a panel file the forged sheet would have been taken at its word.
    ok(&["rank", BATCH, &s(&forged), "--bootstrap", "0"]);

    // Two sheets from one expert: the higher sequence wins and the command says so;
    // an identical copy is harmless.
    let dup = root.join("dup");
    copy_sheets(&p, &dup);
    std::fs::copy(dup.join("e4.json"), dup.join("e4-copy.json")).expect("copy");
    ok(&[
        "sheet",
        BATCH,
        "--expert",
        "e4",
        "--store",
        &s(&root.join("store-4")),
        "-o",
        &s(&dup.join("e4-v2.json")),
    ]);
    let (code, _, err) = run(&["rank", BATCH, &s(&dup), "--bootstrap", "0"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("supersedes"), "{err}");
}

#[test]
fn each_expert_of_a_shared_store_signs_with_a_key_of_their_own() {
    // A secretary types in two experts' paper sheets into one store.
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    let store = root.join("secretary");
    let sheets = root.join("sheets");
    std::fs::create_dir_all(&sheets).expect("mkdir");
    for (e, marks) in [("e1", "7,7,7,7,7,7"), ("e2", "6,6,6,6,6,6")] {
        let paper = root.join(format!("{e}.csv"));
        std::fs::write(
            &paper,
            format!("编号,{CRITERIA}\nEI-001,{marks}\nEI-002,{marks}\n"),
        )
        .expect("write");
        ok(&[
            "enter",
            BATCH,
            "--expert",
            e,
            "--from",
            &s(&paper),
            "--store",
            &s(&store),
        ]);
        ok(&[
            "sheet",
            BATCH,
            "--expert",
            e,
            "--store",
            &s(&store),
            "-o",
            &s(&sheets.join(format!("{e}.json"))),
        ]);
    }
    let public = |e: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(sheets.join(format!("{e}.json"))).expect("sheet"),
        )
        .expect("json");
        v["public_key"].as_str().expect("key").to_string()
    };
    assert_ne!(public("e1"), public("e2"), "one key per expert");
    let mut panel = String::new();
    for e in ["e1", "e2"] {
        let out = ok(&["key", "--store", &s(&store), "--expert", e]);
        assert!(
            out.contains(&format!("public key:  {}", public(e))),
            "{out}"
        );
        panel.push_str(&out[out.find("[[experts]]").expect("snippet")..]);
        panel.push('\n');
    }
    // The same key is printed again: it is kept, not remade.
    let again = ok(&["key", "--store", &s(&store), "--expert", "e1"]);
    assert!(again.contains(&public("e1")), "{again}");
    let panel_file = root.join("panel.toml");
    std::fs::write(&panel_file, panel).expect("panel");
    let (code, out, err) = run(&[
        "rank",
        BATCH,
        &s(&sheets),
        "--panel",
        &s(&panel_file),
        "--format",
        "csv",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(code, 0, "{err}");
    let one = out
        .lines()
        .find(|l| l.contains(",EI-001,"))
        .expect("EI-001");
    assert!(one.contains(",2,"), "both experts count: {one}");
}
